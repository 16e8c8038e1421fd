package codec

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/flavors"
)

var irisInputs = []flavors.Spec{
	{Name: "sepal_length", DType: flavors.FP64, Shape: []int64{-1}},
	{Name: "petal_length", DType: flavors.FP64, Shape: []int64{-1}, Nullable: true},
	{Name: "kind", DType: flavors.Bytes, Shape: []int64{-1}},
	{Name: "count", DType: flavors.Int64, Shape: []int64{-1}},
}

func col(t *testing.T, b flavors.Batch, name string) flavors.Tensor {
	t.Helper()
	c, ok := b.Get(name)
	require.True(t, ok, "column %s", name)
	return c
}

// Every accepted request shape decodes to the same batch.
func TestDecodeShapesAgree(t *testing.T) {
	bodies := map[string]string{
		"csv":               "sepal_length,petal_length,kind,count,extra\n5.1,1.4,a,3,x\n4.9,,b,4,y\n",
		"dataframe_split":   `{"dataframe_split": {"columns": ["sepal_length","petal_length","kind","count"], "data": [[5.1,1.4,"a",3],[4.9,null,"b",4]]}}`,
		"dataframe_records": `{"dataframe_records": [{"sepal_length":5.1,"petal_length":1.4,"kind":"a","count":3},{"sepal_length":4.9,"petal_length":null,"kind":"b","count":4}]}`,
		"instances rows":    `{"instances": [[5.1,1.4,"a",3],[4.9,null,"b",4]]}`,
		"inputs columns":    `{"inputs": {"sepal_length":[5.1,4.9],"petal_length":[1.4,null],"kind":["a","b"],"count":[3,4]}}`,
		"oip":               `{"inputs": [{"name":"sepal_length","datatype":"FP64","shape":[2],"data":[5.1,4.9]},{"name":"petal_length","datatype":"FP64","shape":[2],"data":[1.4,null]},{"name":"kind","datatype":"BYTES","shape":[2],"data":["a","b"]},{"name":"count","datatype":"INT64","shape":[2],"data":[3,4]}]}`,
		"jsonl":             "{\"sepal_length\":5.1,\"petal_length\":1.4,\"kind\":\"a\",\"count\":3}\n{\"sepal_length\":4.9,\"petal_length\":null,\"kind\":\"b\",\"count\":4}\n",
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			f := JSON
			switch name {
			case "csv":
				f = CSV
			case "jsonl":
				f = JSONLines
			}
			b, err := Decode(strings.NewReader(body), f, irisInputs)
			require.NoError(t, err)
			require.NoError(t, b.Validate())
			assert.Equal(t, 2, b.Rows())
			assert.Equal(t, []float64{5.1, 4.9}, col(t, b, "sepal_length").Data)
			pl := col(t, b, "petal_length")
			assert.Equal(t, []bool{false, true}, pl.Null)
			assert.Equal(t, []string{"a", "b"}, col(t, b, "kind").Data)
			assert.Equal(t, []int64{3, 4}, col(t, b, "count").Data)
		})
	}
}

func TestDecodeErrorsNameRowAndField(t *testing.T) {
	cases := []struct {
		name, body string
		f          Format
		want       string
	}{
		{"wrong dtype csv", "sepal_length,petal_length,kind,count\n5.1,1.4,a,3\nabc,1,b,4\n", CSV, `row 1, input "sepal_length": expected FP64, got "abc"`},
		{"fraction for int", "sepal_length,petal_length,kind,count\n5.1,1.4,a,3.5\n", CSV, `row 0, input "count": expected INT64, got 3.5`},
		{"missing nullable column", "sepal_length,kind,count\n5.1,a,3\n", CSV, `CSV has no column "petal_length"`},
		{"missing required column", "petal_length,kind,count\n1,a,3\n", CSV, `CSV has no column "sepal_length"`},
		{"null in non-nullable", `{"dataframe_records": [{"sepal_length":null,"kind":"a","count":1}]}`, JSON, `row 0, input "sepal_length": value is missing`},
		{"missing field", `{"dataframe_records": [{"sepal_length":1,"count":1}]}`, JSON, `row 0: field "kind" is missing`},
		{"top-level list", `[1,2]`, JSON, "the body is a JSON list; expected an object with one of the keys"},
		{"no key", `{"data": []}`, JSON, "expected exactly one of the keys dataframe_split, dataframe_records, instances, inputs; got none of them"},
		{"two keys", `{"instances": [], "inputs": []}`, JSON, "got instances and inputs"},
		{"bad json", `{"instances": [`, JSON, "body is not valid JSON"},
		{"object for number", `{"dataframe_records": [{"sepal_length":{},"kind":"a","count":1}]}`, JSON, `expected FP64, got an object`},
		{"ragged split", `{"dataframe_split": {"columns":["sepal_length","petal_length","kind","count"], "data": [[1,2,"a"]]}}`, JSON, "row 0: expected a list of 4 values"},
		{"empty csv", "", CSV, "CSV is empty"},
		{"unknown tensor", `{"inputs": {"sepal_length":[1],"kind":["a"],"count":[1],"bogus":[1]}}`, JSON, `unknown tensor "bogus"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tc.body), tc.f, irisInputs)
			require.ErrorIs(t, err, flavors.ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestDecodeTensorInput(t *testing.T) {
	inputs := []flavors.Spec{{Name: "input", DType: flavors.FP32, Shape: []int64{-1, 3}}}
	b, err := DecodeCSV(strings.NewReader("a,b,c\n1,2,3\n4,5,6\n"), inputs)
	require.NoError(t, err)
	in := col(t, b, "input")
	assert.Equal(t, []int64{2, 3}, in.Shape)
	assert.Equal(t, []float32{1, 2, 3, 4, 5, 6}, in.Data)

	b, err = DecodeJSON([]byte(`{"instances": [[1,2,3],[4,5,6]]}`), inputs)
	require.NoError(t, err)
	assert.Equal(t, []float32{1, 2, 3, 4, 5, 6}, col(t, b, "input").Data)

	_, err = DecodeJSON([]byte(`{"instances": [[1,2,3],[4,5]]}`), inputs)
	require.ErrorIs(t, err, flavors.ErrInvalidInput)
	assert.Contains(t, err.Error(), "row 1, input \"input\": expected 3 values per row")

	_, err = DecodeCSV(strings.NewReader("a,b\n1,2\n"), inputs)
	assert.ErrorContains(t, err, "takes 3 values per row (shape [-1,3]); the CSV has 2 columns")
}

func TestTensorsRoundTrip(t *testing.T) {
	in := flavors.Batch{Tensors: []flavors.Tensor{
		{Name: "f", DType: flavors.FP64, Shape: []int64{2, 2}, Data: []float64{1.5, -2, 3e-9, 4}},
		{Name: "s", DType: flavors.Bytes, Shape: []int64{2}, Data: []string{"x", ""}, Null: []bool{false, true}},
		{Name: "i", DType: flavors.Int32, Shape: []int64{2}, Data: []int32{7, -8}},
		{Name: "b", DType: flavors.Bool, Shape: []int64{2}, Data: []bool{true, false}},
	}}
	raw, err := MarshalTensors(in)
	require.NoError(t, err)
	out, err := UnmarshalTensors(raw)
	require.NoError(t, err)
	assert.Equal(t, in.Tensors[0].Data, out.Tensors[0].Data)
	assert.Equal(t, in.Tensors[0].Shape, out.Tensors[0].Shape)
	assert.Equal(t, []bool{false, true}, out.Tensors[1].Null)
	assert.Equal(t, in.Tensors[2].Data, out.Tensors[2].Data)
	assert.Equal(t, in.Tensors[3].Data, out.Tensors[3].Data)
}

func TestEncode(t *testing.T) {
	out := flavors.Batch{Tensors: []flavors.Tensor{
		{Name: "label", DType: flavors.Bytes, Shape: []int64{2}, Data: []string{"a", "b"}},
		{Name: "probabilities", DType: flavors.FP64, Shape: []int64{2, 2}, Data: []float64{0.25, 0.75, 1, 0}},
	}}
	var buf bytes.Buffer
	require.NoError(t, EncodeJSON(&buf, out))
	assert.JSONEq(t, `{"predictions":[{"label":"a","probabilities":[0.25,0.75]},{"label":"b","probabilities":[1,0]}]}`, buf.String())

	buf.Reset()
	require.NoError(t, EncodeCSV(&buf, out, []string{"a", "b"}))
	assert.Equal(t, "label,probabilities_a,probabilities_b\na,0.25,0.75\nb,1,0\n", buf.String())

	buf.Reset()
	single := flavors.Batch{Tensors: out.Tensors[:1]}
	require.NoError(t, EncodeJSON(&buf, single))
	assert.JSONEq(t, `{"predictions":["a","b"]}`, buf.String())

	buf.Reset()
	require.NoError(t, EncodeJSONLines(&buf, out))
	assert.Equal(t, "{\"label\":\"a\",\"probabilities\":[0.25,0.75]}\n{\"label\":\"b\",\"probabilities\":[1,0]}\n", buf.String())
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"dataframe_split": {"columns": ["sepal_length","kind","count"], "data": [[5.1,"a",3]]}}`))
	f.Add([]byte(`{"inputs": [{"name":"sepal_length","datatype":"FP64","shape":[1],"data":[5.1]}]}`))
	f.Add([]byte(`{"instances": [[1,null,"a",2]]}`))
	f.Add([]byte(`{"inputs": {"sepal_length":[1],"kind":["a"],"count":[1]}}`))
	f.Add([]byte(`{"dataframe_split": {"columns": ["a","b"], "data": [[1, 2.5], [3, 4]]}}`))
	f.Add([]byte(`{"instances": [[1, 2], [3, 4]]}`))
	tensorIn := []flavors.Spec{{Name: "x", DType: flavors.FP32, Shape: []int64{-1, 2, -1}}}
	numeric := []flavors.Spec{{Name: "a", DType: flavors.FP64, Shape: []int64{-1}}, {Name: "b", DType: flavors.Int32, Shape: []int64{-1}}}
	matrix := []flavors.Spec{{Name: "x", DType: flavors.FP32, Shape: []int64{-1, 2}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, inputs := range [][]flavors.Spec{irisInputs, tensorIn, numeric, matrix} {
			b, err := DecodeJSON(data, inputs)
			if err == nil {
				if verr := b.Validate(); verr != nil {
					t.Fatalf("decoded an invalid batch: %v", verr)
				}
			}
			// The typed fast path must agree with the generic decoder.
			if fast, ok := decodeNumeric(data, inputs); ok {
				slow, err := decodeGeneric(data, inputs)
				if err != nil {
					t.Fatalf("fast path accepted what the generic decoder refuses (%v): %s", err, data)
				}
				if !reflect.DeepEqual(fast, slow) {
					t.Fatalf("fast path %v != generic %v for %s", fast, slow, data)
				}
			}
		}
	})
}

func FuzzDecodeCSV(f *testing.F) {
	f.Add("sepal_length,petal_length,kind,count\n5.1,1.4,a,3\n")
	f.Add("a,b\n1,2\n\"x\n")
	f.Fuzz(func(t *testing.T, data string) {
		b, err := DecodeCSV(strings.NewReader(data), irisInputs)
		if err == nil {
			if verr := b.Validate(); verr != nil {
				t.Fatalf("decoded an invalid batch: %v", verr)
			}
		}
	})
}

// The hand-appended JSON must parse back, with encoding/json, to the
// values written: float64 exactly, float32 as float32, strings byte for byte.
func FuzzEncodeJSONRoundTrip(f *testing.F) {
	f.Add(1.5, float32(0.1), "setosa", int64(-3))
	f.Add(1e-7, float32(3e38), "quote\" back\\slash \u2028 <tag>", int64(1<<62))
	f.Add(-0.0, float32(1e-8), "\x00\x1f\xff", int64(0))
	f.Fuzz(func(t *testing.T, f64 float64, f32 float32, s string, i int64) {
		out := flavors.Batch{Tensors: []flavors.Tensor{
			{Name: "a", DType: flavors.FP64, Shape: []int64{1}, Data: []float64{f64}},
			{Name: "b", DType: flavors.FP32, Shape: []int64{1, 2}, Data: []float32{f32, -f32}},
			{Name: "s", DType: flavors.Bytes, Shape: []int64{1}, Data: []string{s}},
			{Name: "i", DType: flavors.Int64, Shape: []int64{1}, Data: []int64{i}},
		}}
		var buf bytes.Buffer
		if err := EncodeJSON(&buf, out); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Predictions []struct {
				A *float64   `json:"a"`
				B []*float32 `json:"b"`
				S string     `json:"s"`
				I int64      `json:"i"`
			} `json:"predictions"`
		}
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("invalid JSON %q: %v", buf.String(), err)
		}
		p := got.Predictions[0]
		if math.IsNaN(f64) || math.IsInf(f64, 0) {
			if p.A != nil {
				t.Fatalf("non-finite %v written as %v", f64, *p.A)
			}
		} else if p.A == nil || *p.A != f64 {
			t.Fatalf("float64 %v came back as %v (%s)", f64, p.A, buf.String())
		}
		if !math.IsNaN(float64(f32)) && !math.IsInf(float64(f32), 0) && (p.B[0] == nil || *p.B[0] != f32) {
			t.Fatalf("float32 %v came back as %v (%s)", f32, p.B[0], buf.String())
		}
		if utf8.ValidString(s) && p.S != s {
			t.Fatalf("string %q came back as %q", s, p.S)
		}
		if p.I != i {
			t.Fatalf("int %d came back as %d", i, p.I)
		}
	})
}
