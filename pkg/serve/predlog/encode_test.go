package predlog

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The line layout is the documented contract (docs/prediction-log.md).
func TestLineFormat(t *testing.T) {
	e := irisEntry(t, "req-7")
	var enc lineEncoder
	require.Equal(t, 1, enc.begin(&e))
	want := `{"ts":"2026-03-04T05:06:07.00000089Z","request_id":"req-7","row":0,"model":"iris","version":"2","uuid":"6f1c",` +
		`"protocol":"v2-rest","latency_ms":1.23,"inputs":{"features":[5.1,3.5,1.4,0.2]},` +
		`"outputs":{"label":"setosa","probabilities":[0.9,0.07,0.03]}}` + "\n"
	assert.Equal(t, want, string(enc.row(&e, 0)))
}

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, -0.5, 1, 1e-7, 1.5e-6, 123456789, 1e20, 1e21, 3.4e38, -2.5e-300, math.SmallestNonzeroFloat64, math.MaxFloat64} {
		want, err := json.Marshal(f)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendFloat(nil, f, 64)), "float64 %g", f)
		f32 := float32(f)
		if !math.IsInf(float64(f32), 0) {
			want, err := json.Marshal(f32)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(appendFloat(nil, float64(f32), 32)), "float32 %g", f32)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		assert.Equal(t, "null", string(appendFloat(nil, f, 64)), "%g", f)
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\x00\x01\x1f\x7f", "é 中 🙂", "bad \xff utf8 \xc3", "<html>&", "line\u2028sep\u2029"} {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		got := appendString(nil, s)
		// encoding/json also escapes <, > and & for HTML; both read back the same.
		var back string
		require.NoError(t, json.Unmarshal(got, &back), "%s", got)
		var wantBack string
		require.NoError(t, json.Unmarshal(want, &wantBack))
		assert.Equal(t, wantBack, back, "%q", s)
	}
}

// Tensors that do not hold what their shape says become null, and a shape
// alone never makes rows: the writer must not trust an unvalidated batch.
func TestEncodeMalformedTensors(t *testing.T) {
	good := tensor(t, "x", flavors.Int64, []int64{2}, []int64{1, 2})
	tests := []struct {
		name string
		bad  flavors.Tensor
	}{
		{"short data", flavors.Tensor{Name: "bad", DType: flavors.FP64, Shape: []int64{2, 3}, Data: []float64{1}}},
		{"negative dim", flavors.Tensor{Name: "bad", DType: flavors.FP64, Shape: []int64{-1}, Data: []float64{1}}},
		{"huge shape", flavors.Tensor{Name: "bad", DType: flavors.FP64, Shape: []int64{1 << 40, 1 << 40}, Data: []float64{}}},
		{"unknown data", flavors.Tensor{Name: "bad", DType: flavors.FP64, Shape: []int64{2}, Data: []complex64{1, 2}}},
		{"nil data", flavors.Tensor{Name: "bad", Shape: []int64{2}}},
		{"short null mask", flavors.Tensor{Name: "bad", DType: flavors.FP64, Shape: []int64{2}, Data: []float64{1, 2}, Null: []bool{true}}},
		{"empty rows", flavors.Tensor{Name: "bad", DType: flavors.FP64, Shape: []int64{1 << 30, 0}, Data: []float64{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := Entry{Inputs: batch(good, tc.bad), Outputs: batch(tc.bad)}
			var enc lineEncoder
			require.Equal(t, 2, enc.begin(&e), "rows come from the good tensor")
			for i := range 2 {
				row, err := parseLine(enc.row(&e, i))
				require.NoError(t, err)
				assert.Equal(t, float64(i+1), row.Inputs["x"])
				if tc.name == "empty rows" {
					assert.Equal(t, []any{}, row.Inputs["bad"])
				} else {
					assert.Nil(t, row.Inputs["bad"])
				}
			}
			only := Entry{Inputs: batch(tc.bad)}
			assert.Zero(t, enc.begin(&only), "a malformed tensor alone gives no rows")
		})
	}
}

func TestEncodeScalarAndRaggedRows(t *testing.T) {
	scalar := flavors.Tensor{Name: "s", DType: flavors.FP32, Shape: []int64{}, Data: []float32{2.5}}
	three := tensor(t, "y", flavors.Bool, []int64{3}, []bool{true, false, true})
	e := Entry{Time: time.Unix(0, 0), Inputs: batch(three), Outputs: batch(scalar)}
	var enc lineEncoder
	require.Equal(t, 3, enc.begin(&e))
	var got []any
	for i := range 3 {
		row, err := parseLine(enc.row(&e, i))
		require.NoError(t, err)
		got = append(got, row.Outputs["s"])
	}
	assert.Equal(t, []any{2.5, nil, nil}, got, "a scalar belongs to row 0; other rows have none")
}

func TestEncodeLineHasNoRawNewline(t *testing.T) {
	e := Entry{RequestID: "a\nb", Model: "m\r\n", Inputs: batch(tensor(t, "text", flavors.Bytes, []int64{1}, []string{"x\ny\u2028"}))}
	var enc lineEncoder
	enc.begin(&e)
	line := enc.row(&e, 0)
	assert.Equal(t, 1, strings.Count(string(line), "\n"))
	assert.True(t, strings.HasSuffix(string(line), "}\n"))
}

// A time RFC 3339 cannot write must not make a line readers refuse.
func TestEncodeTimeOutOfRange(t *testing.T) {
	e := irisEntry(t, "far")
	e.Time = time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)
	var enc lineEncoder
	enc.begin(&e)
	row, err := parseLine(enc.row(&e, 0))
	require.NoError(t, err)
	assert.Less(t, row.Time.Year(), 10000)
}
