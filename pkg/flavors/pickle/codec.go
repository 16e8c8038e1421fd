package pickle

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// requestMeta is the JSON section of a predict request. The data section
// holds each column's buffer in order, each followed by its null mask when
// NullBytes is set.
type requestMeta struct {
	Rows int `json:"rows"`
	// Matrix says the one column is the whole [N,K] feature matrix.
	Matrix  bool         `json:"matrix,omitempty"`
	Columns []columnMeta `json:"columns"`
}

type columnMeta struct {
	Name      string        `json:"name"`
	DType     flavors.DType `json:"dtype"`
	Shape     []int64       `json:"shape"`
	Bytes     int           `json:"nbytes"`
	NullBytes int           `json:"null_bytes,omitempty"`
}

// replyMeta is the JSON section of a predict reply; the data section holds
// each output's buffer in order.
type replyMeta struct {
	Outputs []outputMeta `json:"outputs"`
}

type outputMeta struct {
	Name  string        `json:"name"`
	DType flavors.DType `json:"dtype"`
	Shape []int64       `json:"shape"`
	Bytes int           `json:"nbytes"`
	// ClassIndex says the INT64 values index the classes, not labels.
	ClassIndex bool `json:"class_index,omitempty"`
}

// appendColumn appends t's buffer (and null mask) to data. Numbers with
// missing values travel as FP64 with NaN, the form scikit-learn reads.
func appendColumn(data []byte, t flavors.Tensor) ([]byte, columnMeta, error) {
	col := columnMeta{Name: t.Name, DType: t.DType, Shape: t.Shape}
	start := len(data)
	switch {
	case t.DType == flavors.Bytes:
		strs, _ := t.Data.([]string)
		for _, s := range strs {
			if len(s) > math.MaxUint32 {
				return data, col, fmt.Errorf("%w: input %q holds a string of %d bytes", flavors.ErrInvalidInput, t.Name, len(s))
			}
			data = binary.LittleEndian.AppendUint32(data, uint32(len(s)))
			data = append(data, s...)
		}
	case t.HasNulls() || t.DType == flavors.FP16:
		// numpy reads float16, but NaN for a missing value needs a float
		// type that every sklearn estimator accepts.
		f, err := t.Float64s()
		if err != nil {
			return data, col, fmt.Errorf("%w: %v", flavors.ErrInvalidInput, err)
		}
		col.DType = flavors.FP64
		data, err = appendLE(data, f)
		if err != nil {
			return data, col, fmt.Errorf("input %q: %w", t.Name, err)
		}
	default:
		var err error
		data, err = appendLE(data, t.Data)
		if err != nil {
			return data, col, fmt.Errorf("input %q: %w", t.Name, err)
		}
	}
	col.Bytes = len(data) - start
	if t.DType == flavors.Bytes && t.HasNulls() {
		for _, null := range t.Null {
			data = append(data, boolByte(null))
		}
		col.NullBytes = len(t.Null)
	}
	if len(data) > MaxFrameSize {
		return data, col, fmt.Errorf("%w: the request is larger than the %d-byte frame limit; send fewer rows", flavors.ErrInvalidInput, MaxFrameSize)
	}
	return data, col, nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// labelSet is what a reply's class indices map to.
type labelSet struct {
	names []string
	ints  []int64 // set when labels are INT64
}

// decodeReply turns a predict reply into a batch. rows < 0 accepts any row
// count the outputs agree on. Every length is checked against the data.
func decodeReply(meta, data []byte, rows int, labels labelSet) (flavors.Batch, error) {
	var rm replyMeta
	if err := json.Unmarshal(meta, &rm); err != nil {
		return flavors.Batch{}, fmt.Errorf("%w: predict reply meta: %v", errBadFrame, err)
	}
	out := flavors.Batch{Tensors: make([]flavors.Tensor, 0, len(rm.Outputs))}
	off := 0
	for _, om := range rm.Outputs {
		if om.Bytes < 0 || om.Bytes > len(data)-off {
			return flavors.Batch{}, fmt.Errorf("%w: output %q claims %d bytes, %d remain", errBadFrame, om.Name, om.Bytes, len(data)-off)
		}
		t, err := decodeOutput(om, data[off:off+om.Bytes], labels)
		if err != nil {
			return flavors.Batch{}, err
		}
		off += om.Bytes
		if rows < 0 {
			rows = t.Rows()
		}
		if len(t.Shape) == 0 || t.Rows() != rows {
			return flavors.Batch{}, fmt.Errorf("%w: output %q has shape %s, expected %d rows", errBadFrame, om.Name, flavors.FormatShape(t.Shape), rows)
		}
		out.Tensors = append(out.Tensors, t)
	}
	if off != len(data) {
		return flavors.Batch{}, fmt.Errorf("%w: %d bytes follow the last output", errBadFrame, len(data)-off)
	}
	if err := out.Validate(); err != nil {
		return flavors.Batch{}, fmt.Errorf("%w: %v", errBadFrame, err)
	}
	return out, nil
}

func decodeOutput(om outputMeta, buf []byte, labels labelSet) (flavors.Tensor, error) {
	n := 1
	for _, d := range om.Shape {
		if d < 0 || d > MaxFrameSize {
			return flavors.Tensor{}, fmt.Errorf("%w: output %q has shape %v", errBadFrame, om.Name, om.Shape)
		}
		n *= int(d)
		if n > MaxFrameSize {
			return flavors.Tensor{}, fmt.Errorf("%w: output %q has shape %v, more elements than a frame holds", errBadFrame, om.Name, om.Shape)
		}
	}
	t := flavors.Tensor{Name: om.Name, DType: om.DType, Shape: om.Shape}
	if om.DType == flavors.Bytes {
		strs, err := decodeStrings(buf, n)
		if err != nil {
			return flavors.Tensor{}, fmt.Errorf("%w: output %q: %v", errBadFrame, om.Name, err)
		}
		t.Data = strs
		return t, nil
	}
	if !om.DType.Valid() || om.DType == flavors.FP16 {
		return flavors.Tensor{}, fmt.Errorf("%w: output %q has dtype %q", errBadFrame, om.Name, om.DType)
	}
	if n*om.DType.Size() != len(buf) {
		return flavors.Tensor{}, fmt.Errorf("%w: output %q of shape %v needs %d bytes, has %d", errBadFrame, om.Name, om.Shape, n*om.DType.Size(), len(buf))
	}
	data, err := flavors.NewData(om.DType, n)
	if err != nil {
		return flavors.Tensor{}, err
	}
	if err := decodeLE(buf, data); err != nil {
		return flavors.Tensor{}, fmt.Errorf("%w: output %q: %v", errBadFrame, om.Name, err)
	}
	t.Data = data
	if om.ClassIndex {
		return classLabels(t, labels)
	}
	return t, nil
}

// classLabels maps class indices to the labels they stand for.
func classLabels(t flavors.Tensor, labels labelSet) (flavors.Tensor, error) {
	idx, ok := t.Data.([]int64)
	if !ok {
		return flavors.Tensor{}, fmt.Errorf("%w: output %q: class indices must be INT64, got %s", errBadFrame, t.Name, t.DType)
	}
	for i, k := range idx {
		if k < 0 || k >= int64(len(labels.names)) {
			return flavors.Tensor{}, fmt.Errorf("%w: output %q element %d: class index %d, the model has %d classes", errBadFrame, t.Name, i, k, len(labels.names))
		}
	}
	if labels.ints != nil {
		for i, k := range idx {
			idx[i] = labels.ints[k]
		}
		return t, nil
	}
	strs := make([]string, len(idx))
	for i, k := range idx {
		strs[i] = labels.names[k]
	}
	return flavors.Tensor{Name: t.Name, DType: flavors.Bytes, Shape: t.Shape, Data: strs}, nil
}

// decodeStrings reads n strings, each a u32 length and its UTF-8 bytes,
// that fill buf exactly.
func decodeStrings(buf []byte, n int) ([]string, error) {
	if n > len(buf)/4 {
		return nil, fmt.Errorf("%d strings cannot fit in %d bytes", n, len(buf))
	}
	out := make([]string, n)
	off := 0
	for i := range out {
		if len(buf)-off < 4 {
			return nil, fmt.Errorf("string %d: length runs past the buffer", i)
		}
		size := int(binary.LittleEndian.Uint32(buf[off:]))
		off += 4
		if size > len(buf)-off {
			return nil, fmt.Errorf("string %d: %d bytes run past the buffer", i, size)
		}
		out[i] = string(buf[off : off+size])
		off += size
	}
	if off != len(buf) {
		return nil, fmt.Errorf("%d bytes follow %d strings", len(buf)-off, n)
	}
	return out, nil
}
