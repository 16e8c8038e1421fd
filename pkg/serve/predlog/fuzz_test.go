package predlog

import (
	"encoding/json"
	"math"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// FuzzReadLine: the line parser never panics, and accepts a line only when
// it is a JSON object with a time.
func FuzzReadLine(f *testing.F) {
	f.Add([]byte(`{"ts":"2026-03-04T05:06:07.00000089Z","request_id":"req-7","row":0,"model":"iris","version":"2","uuid":"6f1c","protocol":"v2-rest","latency_ms":1.23,"inputs":{"features":[5.1,3.5,1.4,0.2]},"outputs":{"label":"setosa","probabilities":[0.9,0.07,0.03]}}`))
	f.Add([]byte(`{"ts":"2026-01-01T00:00:00Z","inputs":{"a":null,"b":[[1,2],[3,null]]},"future_field":{"x":1}}`))
	f.Add([]byte(`{"ts":"2026-01-01T00:00:00Z","inpu`))
	f.Add([]byte(`{"ts":null}`))
	f.Add([]byte(`null`))
	f.Add([]byte("\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, line []byte) {
		row, err := parseLine(line)
		if err != nil {
			return
		}
		if !json.Valid(trimCR(line)) {
			t.Fatalf("accepted invalid JSON %q as %+v", line, row)
		}
		var obj map[string]any
		if err := json.Unmarshal(trimCR(line), &obj); err != nil {
			t.Fatalf("accepted a line that is not an object: %q", line)
		}
	})
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// FuzzEncodeRoundTrip: whatever strings and numbers a request holds, every
// line the writer makes is one line of valid JSON that reads back the same.
func FuzzEncodeRoundTrip(f *testing.F) {
	f.Add("setosa", "req-1", 1.5, float32(0.25), int64(-3))
	f.Add("a\"b\\c\n\t\x00", "\xff\xfe", math.Inf(1), float32(math.NaN()), int64(math.MinInt64))
	f.Add("\u2028中🙂", "", 1e-300, float32(3e38), int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, text, id string, f64 float64, f32 float32, i64 int64) {
		e := Entry{
			Time: time.Unix(1, 2), RequestID: id, Model: text,
			Inputs: flavors.Batch{Tensors: []flavors.Tensor{
				{Name: text, DType: flavors.Bytes, Shape: []int64{1}, Data: []string{text}},
				{Name: "f64", DType: flavors.FP64, Shape: []int64{1, 2}, Data: []float64{f64, -f64}},
				{Name: "f32", DType: flavors.FP32, Shape: []int64{1}, Data: []float32{f32}},
				{Name: "i64", DType: flavors.Int64, Shape: []int64{1}, Data: []int64{i64}},
			}},
		}
		var enc lineEncoder
		if n := enc.begin(&e); n != 1 {
			t.Fatalf("rows = %d, want 1", n)
		}
		line := enc.row(&e, 0)
		for _, c := range line[:len(line)-1] {
			if c == '\n' {
				t.Fatalf("raw newline inside %q", line)
			}
		}
		row, err := parseLine(line[:len(line)-1])
		if err != nil {
			t.Fatalf("own line does not parse: %v\n%s", err, line)
		}
		if utf8.ValidString(text) {
			if row.Model != text || row.Inputs[text] != text && text != "f64" && text != "f32" && text != "i64" {
				t.Fatalf("text %q came back as model %q, input %v", text, row.Model, row.Inputs[text])
			}
		}
		if utf8.ValidString(id) && row.RequestID != id {
			t.Fatalf("request id %q came back as %q", id, row.RequestID)
		}
		// FP32 values are written in float32's shortest form (0.1, not
		// 0.10000000149011612), so they read back equal as float32.
		wantFloat := func(name string, got any, want float64, bits int) {
			if math.IsNaN(want) || math.IsInf(want, 0) {
				if got != nil {
					t.Fatalf("%s: %v came back as %v, want null", name, want, got)
				}
				return
			}
			g, _ := got.(float64)
			if bits == 32 && float32(g) != float32(want) || bits == 64 && g != want {
				t.Fatalf("%s: %v came back as %v", name, want, got)
			}
		}
		if text != "f64" {
			pair, _ := row.Inputs["f64"].([]any)
			if len(pair) != 2 {
				t.Fatalf("f64 came back as %v", row.Inputs["f64"])
			}
			wantFloat("f64", pair[0], f64, 64)
			wantFloat("-f64", pair[1], -f64, 64)
		}
		if text != "f32" {
			wantFloat("f32", row.Inputs["f32"], float64(f32), 32)
		}
		if text != "i64" && row.Inputs["i64"] != float64(i64) {
			t.Fatalf("i64 %d came back as %v", i64, row.Inputs["i64"])
		}
	})
}
