package onnx

import (
	"fmt"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers from onnx.proto used to read class labels from a model.
const (
	modelGraph     = 7
	graphNode      = 1
	nodeOpType     = 4
	nodeAttribute  = 5
	nodeDomain     = 7
	attrName       = 1
	attrInts       = 8
	attrStrings    = 9
	mlDomain       = "ai.onnx.ml"
	zipMapOp       = "ZipMap"
	labelsStrings  = "classlabels_strings"
	labelsInt64s   = "classlabels_int64s" // TreeEnsembleClassifier, ZipMap
	labelsInts     = "classlabels_ints"   // LinearClassifier, SVMClassifier
	maxLabelsTotal = 1 << 20              // a model is refused labels beyond this many
)

// classLabels holds the class labels a model's ai.onnx.ml nodes declare.
type classLabels struct {
	zipMap     []string // from the ZipMap node: the keys of its maps
	classifier []string // from a *Classifier node (LinearClassifier, TreeEnsembleClassifier, …)

	// The ZipMap node's input (the [N,C] scores) and output.
	zipMapInput, zipMapOutput string
}

// readClassLabels scans the top-level graph of a serialized ModelProto for
// the classlabels_* attributes of ai.onnx.ml nodes. It reads only what it
// needs and never fails on fields it does not know.
func readClassLabels(model []byte) (classLabels, error) {
	var out classLabels
	err := eachField(model, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if num != modelGraph || typ != protowire.BytesType {
			return nil
		}
		return eachField(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
			if num != graphNode || typ != protowire.BytesType {
				return nil
			}
			op, domain, io, labels, err := readNodeLabels(v)
			if err != nil || domain != mlDomain || labels == nil {
				return err
			}
			if op == zipMapOp {
				out.zipMap = labels
				out.zipMapInput, out.zipMapOutput = io[0], io[1]
			} else if out.classifier == nil {
				out.classifier = labels
			}
			return nil
		})
	})
	return out, err
}

// readNodeLabels reads a node's type, domain, first input and output, and
// class labels.
func readNodeLabels(node []byte) (op, domain string, io [2]string, labels []string, err error) {
	var inputs, outputs int
	err = eachField(node, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case nodeInput:
			if inputs++; inputs == 1 {
				io[0] = string(v)
			}
		case nodeOutput:
			if outputs++; outputs == 1 {
				io[1] = string(v)
			}
		case nodeOpType:
			op = string(v)
		case nodeDomain:
			domain = string(v)
		case nodeAttribute:
			l, err := readLabelAttribute(v)
			if err != nil {
				return err
			}
			if l != nil {
				labels = l
			}
		}
		return nil
	})
	return op, domain, io, labels, err
}

// readLabelAttribute returns the labels of a classlabels_* attribute, nil for
// any other attribute.
func readLabelAttribute(attr []byte) ([]string, error) {
	var name string
	var ints []string
	var strs []string
	err := eachField(attr, func(num protowire.Number, typ protowire.Type, v []byte, n uint64) error {
		if len(ints)+len(strs) > maxLabelsTotal {
			return fmt.Errorf("attribute has more than %d labels", maxLabelsTotal)
		}
		switch {
		case num == attrName && typ == protowire.BytesType:
			name = string(v)
		case num == attrStrings && typ == protowire.BytesType:
			strs = append(strs, string(v))
		case num == attrInts && typ == protowire.VarintType:
			ints = append(ints, strconv.FormatInt(int64(n), 10))
		case num == attrInts && typ == protowire.BytesType: // packed
			for len(v) > 0 && len(ints) <= maxLabelsTotal {
				x, k := protowire.ConsumeVarint(v)
				if k < 0 {
					return protowire.ParseError(k)
				}
				ints = append(ints, strconv.FormatInt(int64(x), 10))
				v = v[k:]
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch name {
	case labelsStrings:
		return nonNil(strs), nil
	case labelsInt64s, labelsInts:
		return nonNil(ints), nil
	}
	return nil, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// eachField calls fn for every field of a serialized message: v holds the
// bytes of a length-delimited field, n the value of a varint or fixed field.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, n uint64) error) error {
	for len(b) > 0 {
		num, typ, k := protowire.ConsumeTag(b)
		if k < 0 {
			return protowire.ParseError(k)
		}
		b = b[k:]
		var v []byte
		var n uint64
		switch typ {
		case protowire.VarintType:
			n, k = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var x uint32
			x, k = protowire.ConsumeFixed32(b)
			n = uint64(x)
		case protowire.Fixed64Type:
			n, k = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			v, k = protowire.ConsumeBytes(b)
		default:
			k = protowire.ConsumeFieldValue(num, typ, b)
		}
		if k < 0 {
			return protowire.ParseError(k)
		}
		b = b[k:]
		if err := fn(num, typ, v, n); err != nil {
			return err
		}
	}
	return nil
}

// More field numbers from onnx.proto, for addFloatOutputs.
const (
	graphOutput     = 12
	nodeInput       = 1
	nodeOutput      = 2
	nodeName        = 3
	attrInt         = 3
	attrType        = 20
	attrTypeInt     = 2
	valueInfoName   = 1
	valueInfoType   = 2
	typeTensor      = 1
	tensorElemType  = 1
	elemTypeFloat32 = 1
)

// floatAlias names the FP32 copy addOutputs makes of an FP16 output.
func floatAlias(output string) string { return output + ":mlctl_fp32" }

// addOutputs returns the model with more graph outputs: for each of half, a
// Cast to float named floatAlias(name); each of scores, a float tensor
// computed inside the graph, made an output as it is.
//
// onnxruntime_go v1.27.0 fails on FP16 outputs that ORT allocates (it copies
// one byte per element into a buffer ORT then finds too small), and an
// output's shape is not always known in advance to preallocate it. FP16 to
// FP32 is exact, so Predict fetches the copy and converts it back losslessly.
//
// A ZipMap's input is the [N,C] scores its maps are made of: fetching that
// one tensor costs a few cgo calls where the maps cost several per row.
func addOutputs(model []byte, half, scores []string) ([]byte, error) {
	var tensorType []byte
	tensorType = protowire.AppendTag(tensorType, tensorElemType, protowire.VarintType)
	tensorType = protowire.AppendVarint(tensorType, elemTypeFloat32)
	floatOutput := func(name string) []byte {
		var valueInfo []byte
		valueInfo = appendString(valueInfo, valueInfoName, name)
		valueInfo = appendBytes(valueInfo, valueInfoType, appendBytes(nil, typeTensor, tensorType))
		return appendBytes(nil, graphOutput, valueInfo)
	}
	var extra []byte
	for _, name := range scores {
		extra = append(extra, floatOutput(name)...)
	}
	for _, name := range half {
		alias := floatAlias(name)
		var attr []byte
		attr = appendString(attr, attrName, "to")
		attr = protowire.AppendTag(attr, attrInt, protowire.VarintType)
		attr = protowire.AppendVarint(attr, elemTypeFloat32)
		attr = protowire.AppendTag(attr, attrType, protowire.VarintType)
		attr = protowire.AppendVarint(attr, attrTypeInt)
		var node []byte
		node = appendString(node, nodeInput, name)
		node = appendString(node, nodeOutput, alias)
		node = appendString(node, nodeName, "mlctl_cast_"+name)
		node = appendString(node, nodeOpType, "Cast")
		node = appendBytes(node, nodeAttribute, attr)
		extra = appendBytes(extra, graphNode, node)
		extra = append(extra, floatOutput(alias)...)
	}
	out := make([]byte, 0, len(model)+len(extra)+16)
	found := false
	for b := model; len(b) > 0; {
		num, typ, k := protowire.ConsumeTag(b)
		if k < 0 {
			return nil, protowire.ParseError(k)
		}
		n := protowire.ConsumeFieldValue(num, typ, b[k:])
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		if num == modelGraph && typ == protowire.BytesType && !found {
			graph, _ := protowire.ConsumeBytes(b[k:])
			out = appendBytes(out, modelGraph, append(graph[:len(graph):len(graph)], extra...))
			found = true
		} else {
			out = append(out, b[:k+n]...)
		}
		b = b[k+n:]
	}
	if !found {
		return nil, fmt.Errorf("the model has no graph")
	}
	return out, nil
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}
