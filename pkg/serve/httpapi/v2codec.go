package httpapi

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve"
)

func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{flavors.ErrInvalidInput}, args...)...)
}

// inferRequest is a decoded OIP infer request.
type inferRequest struct {
	ID         string
	Parameters map[string]any
	batch      flavors.Batch
	outputs    []requestedOutput
	binaryAll  bool // parameters.binary_data_output: every output raw
}

type requestedOutput struct {
	name   string
	binary bool
}

func (r *inferRequest) outputNames() []string {
	if len(r.outputs) == 0 {
		return nil
	}
	out := make([]string, len(r.outputs))
	for i, o := range r.outputs {
		out[i] = o.name
	}
	return out
}

// decodeInferRequest reads the JSON part (all of body, or its first jsonLen
// bytes under the binary extension) and any raw tensors after it.
func decodeInferRequest(body []byte, jsonLen int, inputs []flavors.Spec) (*inferRequest, error) {
	head, raw := body, []byte(nil)
	if jsonLen >= 0 {
		head, raw = body[:jsonLen], body[jsonLen:]
	}
	d := json.NewDecoder(bytes.NewReader(head))
	d.UseNumber()
	var top map[string]any
	if err := d.Decode(&top); err != nil {
		return nil, errorf("body is not a JSON object: %v", err)
	}
	req := &inferRequest{}
	if id, ok := top["id"].(string); ok {
		req.ID = id
	}
	if p, ok := top["parameters"].(map[string]any); ok {
		req.Parameters = p
		req.binaryAll, _ = p["binary_data_output"].(bool)
	}
	list, ok := top["inputs"].([]any)
	if !ok || len(list) == 0 {
		return nil, errorf(`"inputs" must be a non-empty list of tensors {"name", "shape", "datatype", "data"}`)
	}
	var jsonTensors []any
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, errorf("inputs[%d] is not an object", i)
		}
		name, _ := m["name"].(string)
		if _, known := flavors.FindSpec(inputs, name); !known {
			return nil, errorf("inputs[%d]: unknown input %q: the model takes %s", i, name, flavors.SpecNames(inputs))
		}
		size, isBinary, err := binarySize(m)
		if err != nil {
			return nil, errorf("input %q: %v", name, err)
		}
		if !isBinary {
			if _, ok := m["data"]; !ok {
				return nil, errorf("input %q has no data (and no parameters.binary_data_size)", name)
			}
			jsonTensors = append(jsonTensors, m)
			continue
		}
		if size > len(raw) {
			return nil, errorf("input %q: binary_data_size %d runs past the %d bytes after the JSON header", name, size, len(raw))
		}
		t, err := rawTensor(m, raw[:size])
		if err != nil {
			return nil, err
		}
		raw = raw[size:]
		req.batch.Tensors = append(req.batch.Tensors, t)
	}
	if len(raw) > 0 {
		return nil, errorf("%d bytes follow the JSON header that no input's binary_data_size accounts for", len(raw))
	}
	if len(jsonTensors) > 0 {
		b, err := codec.DecodeTensors(jsonTensors, inputs)
		if err != nil {
			return nil, err
		}
		req.batch.Tensors = append(req.batch.Tensors, b.Tensors...)
	}
	// Datatypes must match, as Triton has it, except under the tabular
	// convention (content_type "pd"), where columns convert to the model's
	// types as a DataFrame's would.
	tabular := req.Parameters["content_type"] == "pd"
	for i, t := range req.batch.Tensors {
		sp, _ := flavors.FindSpec(inputs, t.Name)
		if t.DType == sp.DType {
			continue
		}
		if !tabular {
			return nil, errorf("input %q: expected datatype %s, got %s", t.Name, sp.DType, t.DType)
		}
		c, err := flavors.Cast(t, sp.DType)
		if err != nil {
			return nil, err
		}
		req.batch.Tensors[i] = c
	}
	if outs, ok := top["outputs"].([]any); ok {
		for i, e := range outs {
			m, ok := e.(map[string]any)
			name, _ := m["name"].(string)
			if !ok || name == "" {
				return nil, errorf("outputs[%d] must be an object with a name", i)
			}
			o := requestedOutput{name: name}
			if p, ok := m["parameters"].(map[string]any); ok {
				o.binary, _ = p["binary_data"].(bool)
			}
			req.outputs = append(req.outputs, o)
		}
	}
	return req, nil
}

func binarySize(m map[string]any) (int, bool, error) {
	p, ok := m["parameters"].(map[string]any)
	if !ok {
		return 0, false, nil
	}
	v, ok := p["binary_data_size"]
	if !ok {
		return 0, false, nil
	}
	n, ok := v.(json.Number)
	size, err := n.Int64()
	if !ok || err != nil || size < 0 {
		return 0, false, fmt.Errorf("parameters.binary_data_size must be a byte count ≥ 0")
	}
	if _, hasData := m["data"]; hasData {
		return 0, false, fmt.Errorf("has both data and binary_data_size: send one")
	}
	return int(size), true, nil
}

// rawTensor decodes a tensor sent as raw little-endian bytes.
func rawTensor(m map[string]any, raw []byte) (flavors.Tensor, error) {
	name, _ := m["name"].(string)
	dtS, _ := m["datatype"].(string)
	dt, err := flavors.ParseDType(dtS)
	if err != nil {
		return flavors.Tensor{}, errorf("input %q: %v", name, err)
	}
	shapeL, _ := m["shape"].([]any)
	shape := make([]int64, len(shapeL))
	for i, d := range shapeL {
		n, ok := d.(json.Number)
		v, err := n.Int64()
		if !ok || err != nil || v < 0 {
			return flavors.Tensor{}, errorf("input %q: shape[%d] must be a size ≥ 0", name, i)
		}
		shape[i] = v
	}
	count := flavors.NumElements(shape)
	if dt != flavors.Bytes && count*int64(dt.Size()) != int64(len(raw)) {
		return flavors.Tensor{}, errorf("input %q: shape %v of %s needs %d bytes, binary_data_size is %d", name, shape, dt, count*int64(dt.Size()), len(raw))
	}
	data, err := decodeRaw(dt, raw, int(count))
	if err != nil {
		return flavors.Tensor{}, errorf("input %q: %v", name, err)
	}
	return flavors.Tensor{Name: name, DType: dt, Shape: shape, Data: data}, nil
}

// decodeRaw reads n little-endian elements; BYTES elements are a 4-byte
// length and the bytes.
func decodeRaw(dt flavors.DType, raw []byte, n int) (any, error) {
	if dt == flavors.Bytes {
		out := make([]string, 0, min(n, len(raw)/4))
		for len(raw) > 0 {
			if len(raw) < 4 {
				return nil, fmt.Errorf("BYTES element %d: truncated length prefix", len(out))
			}
			l := binary.LittleEndian.Uint32(raw)
			if uint64(l) > uint64(len(raw)-4) {
				return nil, fmt.Errorf("BYTES element %d: length %d runs past the data", len(out), l)
			}
			out = append(out, string(raw[4:4+l]))
			raw = raw[4+l:]
		}
		if len(out) != n {
			return nil, fmt.Errorf("%d BYTES elements for a shape of %d", len(out), n)
		}
		return out, nil
	}
	data, err := flavors.NewData(dt, n)
	if err != nil {
		return nil, err
	}
	switch d := data.(type) {
	case []bool:
		for i := range d {
			d[i] = raw[i] != 0
		}
	case []uint8:
		copy(d, raw)
	case []int8:
		for i := range d {
			d[i] = int8(raw[i])
		}
	default:
		if _, err := binary.Decode(raw, binary.LittleEndian, data); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// encodeRaw appends a tensor's elements as little-endian bytes.
func encodeRaw(buf []byte, t flavors.Tensor) []byte {
	switch d := t.Data.(type) {
	case []string:
		for _, s := range d {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(len(s)))
			buf = append(buf, s...)
		}
		return buf
	case []bool:
		for _, b := range d {
			if b {
				buf = append(buf, 1)
			} else {
				buf = append(buf, 0)
			}
		}
		return buf
	}
	out, _ := binary.Append(buf, binary.LittleEndian, t.Data)
	return out
}

type outputJSON struct {
	Name       string         `json:"name"`
	Datatype   flavors.DType  `json:"datatype"`
	Shape      []int64        `json:"shape"`
	Parameters map[string]any `json:"parameters,omitempty"`
	Data       []any          `json:"data,omitempty"`
}

// writeInferResponse writes the OIP response, with binary outputs after
// the JSON where the request asked for them.
func writeInferResponse(w http.ResponseWriter, resp *serve.Response, req *inferRequest) error {
	wantBinary := map[string]bool{}
	for _, o := range req.outputs {
		wantBinary[o.name] = o.binary
	}
	var raw []byte
	outs := make([]outputJSON, 0, len(resp.Outputs.Tensors))
	for _, t := range resp.Outputs.Tensors {
		o := outputJSON{Name: t.Name, Datatype: t.DType, Shape: t.Shape}
		if req.binaryAll || wantBinary[t.Name] {
			before := len(raw)
			raw = encodeRaw(raw, t)
			o.Parameters = map[string]any{"binary_data_size": len(raw) - before}
		} else {
			o.Data = codec.EncodeTensor(t).Data
			if len(o.Data) == 0 {
				o.Data = []any{}
			}
		}
		outs = append(outs, o)
	}
	head, err := json.Marshal(map[string]any{
		"model_name": resp.Model, "model_version": resp.Version, "id": resp.ID,
		"parameters": map[string]any{"model_uuid": resp.UUID}, "outputs": outs,
	})
	if err != nil {
		return err
	}
	if len(raw) == 0 {
		w.Header().Set("Content-Type", "application/json")
		_, err = w.Write(head)
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set(headerLength, strconv.Itoa(len(head)))
	w.Header().Set("Content-Length", strconv.Itoa(len(head)+len(raw)))
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err = w.Write(raw)
	return err
}
