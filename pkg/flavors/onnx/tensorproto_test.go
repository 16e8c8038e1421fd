//go:build cgo

package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// TensorProto field numbers (onnx.proto).
const (
	tpDims         = 1
	tpDataType     = 2
	tpFloatData    = 4
	tpInt32Data    = 5
	tpStringData   = 6
	tpInt64Data    = 7
	tpName         = 8
	tpRawData      = 9
	tpDoubleData   = 10
	tpUint64Data   = 11
	tpDataLocation = 14
)

// maxTensorElements bounds what decodeTensorProto accepts.
const maxTensorElements = 1 << 28

var errUnsupportedTensor = errors.New("unsupported tensor")

// tensorProtoDTypes maps TensorProto.DataType to DType.
var tensorProtoDTypes = map[int64]flavors.DType{
	1: flavors.FP32, 2: flavors.Uint8, 3: flavors.Int8, 4: flavors.Uint16, 5: flavors.Int16,
	6: flavors.Int32, 7: flavors.Int64, 8: flavors.Bytes, 9: flavors.Bool, 10: flavors.FP16,
	11: flavors.FP64, 12: flavors.Uint32, 13: flavors.Uint64,
}

// decodeTensorProto decodes an ONNX TensorProto, as the backend test cases
// store their inputs and outputs, into a tensor.
func decodeTensorProto(b []byte) (flavors.Tensor, error) {
	var (
		t        flavors.Tensor
		dataType int64
		raw      []byte
		hasRaw   bool
		floats   []float32
		doubles  []float64
		varints  []uint64 // int32_data, int64_data or uint64_data
		strs     []string
	)
	t.Shape = []int64{}
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, n uint64) error {
		switch num {
		case tpDims:
			return appendVarints(&t.Shape, typ, v, n, func(x uint64) int64 { return int64(x) })
		case tpDataType:
			dataType = int64(n)
		case tpName:
			t.Name = string(v)
		case tpRawData:
			raw, hasRaw = v, true
		case tpStringData:
			if typ != protowire.BytesType {
				return fmt.Errorf("string_data has wire type %d", typ)
			}
			strs = append(strs, string(v))
		case tpFloatData:
			return appendFixed(&floats, typ, v, n, 4, func(x uint64) float32 { return math.Float32frombits(uint32(x)) })
		case tpDoubleData:
			return appendFixed(&doubles, typ, v, n, 8, math.Float64frombits)
		case tpInt32Data, tpInt64Data, tpUint64Data:
			return appendVarints(&varints, typ, v, n, func(x uint64) uint64 { return x })
		case tpDataLocation:
			if n != 0 {
				return fmt.Errorf("%w: data stored outside the TensorProto", errUnsupportedTensor)
			}
		}
		return nil
	})
	if err != nil {
		return t, err
	}
	dt, ok := tensorProtoDTypes[dataType]
	if !ok {
		return t, fmt.Errorf("%w: data_type %d", errUnsupportedTensor, dataType)
	}
	t.DType = dt
	count := int64(1)
	for i, d := range t.Shape {
		if d < 0 {
			return t, fmt.Errorf("dimension %d is %d", i, d)
		}
		if d > 0 && count > maxTensorElements/d {
			return t, fmt.Errorf("shape %v has more than %d elements", t.Shape, maxTensorElements)
		}
		count *= d
	}
	n := int(count)
	if dt == flavors.Bytes {
		if len(strs) != n {
			return t, fmt.Errorf("shape %v needs %d strings, got %d", t.Shape, n, len(strs))
		}
		t.Data = strs
		return t, nil
	}
	if hasRaw {
		if len(raw) != n*dt.Size() {
			return t, fmt.Errorf("shape %v of %s needs %d raw bytes, got %d", t.Shape, dt, n*dt.Size(), len(raw))
		}
		t.Data, err = fromRaw(dt, raw, n)
		return t, err
	}
	got := len(varints)
	switch dt {
	case flavors.FP32:
		got = len(floats)
	case flavors.FP64:
		got = len(doubles)
	}
	if got != n {
		return t, fmt.Errorf("shape %v needs %d values, got %d", t.Shape, n, got)
	}
	t.Data = fromTyped(dt, floats, doubles, varints)
	return t, nil
}

func appendVarints[T any](dst *[]T, typ protowire.Type, v []byte, n uint64, conv func(uint64) T) error {
	switch typ {
	case protowire.VarintType:
		*dst = append(*dst, conv(n))
	case protowire.BytesType:
		for len(v) > 0 {
			x, k := protowire.ConsumeVarint(v)
			if k < 0 {
				return protowire.ParseError(k)
			}
			*dst = append(*dst, conv(x))
			v = v[k:]
		}
	default:
		return fmt.Errorf("integer field has wire type %d", typ)
	}
	return nil
}

func appendFixed[T any](dst *[]T, typ protowire.Type, v []byte, n uint64, size int, conv func(uint64) T) error {
	switch {
	case typ == protowire.Fixed32Type && size == 4, typ == protowire.Fixed64Type && size == 8:
		*dst = append(*dst, conv(n))
	case typ == protowire.BytesType:
		if len(v)%size != 0 {
			return fmt.Errorf("packed field of %d bytes is not a multiple of %d", len(v), size)
		}
		for ; len(v) > 0; v = v[size:] {
			if size == 4 {
				*dst = append(*dst, conv(uint64(binary.LittleEndian.Uint32(v))))
			} else {
				*dst = append(*dst, conv(binary.LittleEndian.Uint64(v)))
			}
		}
	default:
		return fmt.Errorf("floating-point field has wire type %d", typ)
	}
	return nil
}

// fromRaw decodes little-endian raw_data.
func fromRaw(dt flavors.DType, raw []byte, n int) (any, error) {
	data, err := flavors.NewData(dt, n)
	if err != nil {
		return nil, err
	}
	for i := range n {
		switch d := data.(type) {
		case []bool:
			d[i] = raw[i] != 0
		case []uint8:
			d[i] = raw[i]
		case []int8:
			d[i] = int8(raw[i])
		case []uint16:
			d[i] = binary.LittleEndian.Uint16(raw[2*i:])
		case []int16:
			d[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
		case []uint32:
			d[i] = binary.LittleEndian.Uint32(raw[4*i:])
		case []int32:
			d[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
		case []float32:
			d[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		case []uint64:
			d[i] = binary.LittleEndian.Uint64(raw[8*i:])
		case []int64:
			d[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
		case []float64:
			d[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	}
	return data, nil
}

// fromTyped converts the typed repeated fields: int32_data carries every
// type of 32 bits or fewer (FP16 as its bits), uint64_data UINT32/UINT64.
func fromTyped(dt flavors.DType, floats []float32, doubles []float64, v []uint64) any {
	switch dt {
	case flavors.FP32:
		return floats
	case flavors.FP64:
		return doubles
	}
	data, _ := flavors.NewData(dt, len(v))
	for i, x := range v {
		switch d := data.(type) {
		case []bool:
			d[i] = x != 0
		case []uint8:
			d[i] = uint8(x)
		case []int8:
			d[i] = int8(x)
		case []uint16:
			d[i] = uint16(x)
		case []int16:
			d[i] = int16(x)
		case []uint32:
			d[i] = uint32(x)
		case []int32:
			d[i] = int32(x)
		case []uint64:
			d[i] = x
		case []int64:
			d[i] = int64(x)
		}
	}
	return data
}
