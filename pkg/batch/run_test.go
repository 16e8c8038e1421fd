package batch_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/batch"
	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
)

var fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// TestPredictionsMatchPredict scores files with several workers and small
// batches, reads the Parquet back with arrow-go's reader, and compares every
// row with the model's own Predict on the same file decoded as mlctl
// predict decodes it: same order, same labels, same numbers.
func TestPredictionsMatchPredict(t *testing.T) {
	for _, tc := range []struct{ example, file, format string }{
		{"iris_logreg", "model.pmml", "csv"},
		{"iris_logreg", "model.pmml", "jsonl"},
		{"iris_logreg", "model.onnx", "csv"},
		{"diabetes_gbm", "model.pmml", "csv"},
		{"diabetes_gbm", "model.onnx", "jsonl"},
	} {
		t.Run(tc.example+"/"+tc.file+"/"+tc.format, func(t *testing.T) {
			o := packExample(t, tc.example, tc.file)
			dir := t.TempDir()
			in := filepath.Join(dir, "rows."+tc.format)
			const n = 1500
			writeRows(t, tc.example, in, n, 7)
			o.Sources = mustSources(t, in)
			o.Output = mustDir(t, filepath.Join(dir, "out"))
			o.Keep, o.BatchRows, o.Workers, o.ScoredAt = []string{"id"}, 37, 4, fixedTime
			sum, err := batch.Run(context.Background(), o)
			require.NoError(t, err)
			require.EqualValues(t, n, sum.Rows)

			tbl, kv := readParquet(t, filepath.Join(dir, "out", "part-00000-000.parquet"))
			require.EqualValues(t, n, tbl.NumRows())
			require.Equal(t, o.ModelUUID, kv["mlctl.model_uuid"])
			require.Regexp(t, `^sha256:[0-9a-f]{64}$`, kv["mlctl.input_sha256"])

			ids := stringColumn(t, tbl, "id")
			for i, id := range ids {
				require.Equal(t, fmt.Sprintf("r%d", i), id, "row %d out of order", i)
			}
			want := predictFile(t, o, in, tc.example)
			for _, sp := range outputColumns(want, o.Classes) {
				got := columnValues(t, tbl, sp.column)
				for i := range sp.values {
					requireSame(t, sp.values[i], got[i], "column %s row %d", sp.column, i)
				}
			}
			require.Equal(t, []string{o.ModelUUID}, unique(stringColumn(t, tbl, batch.ColumnModelUUID)))
		})
	}
}

// predictFile is what mlctl predict does with a file: decode with codec,
// Predict once.
func predictFile(t *testing.T, o batch.Options, path, example string) flavors.Batch {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	model, inputs := o.Model, o.Inputs
	if len(inputs) == 1 && len(inputs[0].Shape) == 2 {
		// A model taking one [N,K] tensor: mlctl predict feeds it the
		// columns of a file without the id column.
		inputs = featureSpecs(t, example, inputs[0].DType)
		model = flavors.Adapt(model, inputs, o.Classes)
	}
	in, err := codec.Decode(f, codec.FormatFromPath(path), inputs)
	require.NoError(t, err)
	out, err := model.Predict(context.Background(), in)
	require.NoError(t, err)
	return out
}

type expectedColumn struct {
	column string
	values []string
}

// outputColumns flattens outputs into the columns batch writes, as text.
func outputColumns(out flavors.Batch, classes []string) []expectedColumn {
	var cols []expectedColumn
	for _, t := range out.Tensors {
		w := t.RowWidth()
		vals := t.Strings()
		if t.DType.IsFloat() {
			f, _ := t.Float64s()
			for i, v := range f {
				vals[i] = fmtFloat(v)
			}
		}
		for k := 0; k < w; k++ {
			name := t.Name
			if len(t.Shape) > 1 {
				name = fmt.Sprintf("%s_%d", t.Name, k)
				if len(classes) == w {
					name = t.Name + "_" + classes[k]
				}
			}
			c := expectedColumn{column: name}
			for r := 0; r < t.Rows(); r++ {
				c.values = append(c.values, vals[r*w+k])
			}
			cols = append(cols, c)
		}
	}
	return cols
}

func fmtFloat(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return fmt.Sprintf("%.17g", v)
}

// columnValues reads a column back as text, floats at full precision.
func columnValues(t *testing.T, tbl arrow.Table, name string) []string {
	t.Helper()
	idx := tbl.Schema().FieldIndices(name)
	require.NotEmpty(t, idx, "no column %q in %s", name, tbl.Schema())
	var out []string
	for _, c := range tbl.Column(idx[0]).Data().Chunks() {
		for i := 0; i < c.Len(); i++ {
			switch a := c.(type) {
			case *array.Float64:
				out = append(out, fmtFloat(a.Value(i)))
			case *array.Float32:
				out = append(out, fmtFloat(float64(a.Value(i))))
			case *array.Int64:
				out = append(out, fmt.Sprint(a.Value(i)))
			case *array.String:
				out = append(out, a.Value(i))
			default:
				out = append(out, a.ValueStr(i))
			}
		}
	}
	return out
}

func stringColumn(t *testing.T, tbl arrow.Table, name string) []string {
	return columnValues(t, tbl, name)
}

func unique(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func mustSources(t testing.TB, paths ...string) []batch.Source {
	s, err := batch.LocalSources(paths...)
	require.NoError(t, err)
	return s
}

func mustDir(t testing.TB, dir string) batch.Store {
	d, err := batch.NewLocalDir(dir)
	require.NoError(t, err)
	return d
}

// featureSpecs are an example's input.csv columns.
func featureSpecs(t *testing.T, example string, dt flavors.DType) []flavors.Spec {
	return featureSpecsTB(t, example, dt)
}

func featureSpecsTB(t testing.TB, example string, dt flavors.DType) []flavors.Spec {
	raw, err := os.ReadFile(filepath.Join(examples, example, "input.csv"))
	require.NoError(t, err)
	header, _, _ := strings.Cut(string(raw), "\n")
	var specs []flavors.Spec
	for _, name := range strings.Split(strings.TrimSpace(header), ",") {
		specs = append(specs, flavors.Spec{Name: name, DType: dt, Shape: []int64{-1}})
	}
	return specs
}

// requireSame compares text exactly and numbers within 1e-12 relative: ONNX
// Runtime's kernels may round the last bit differently at another batch size.
func requireSame(t *testing.T, want, got string, msg string, args ...any) {
	t.Helper()
	w, err1 := strconv.ParseFloat(want, 64)
	g, err2 := strconv.ParseFloat(got, 64)
	if err1 != nil || err2 != nil {
		require.Equal(t, want, got, append([]any{msg}, args...)...)
		return
	}
	require.InDelta(t, w, g, 1e-12*math.Abs(w)+1e-15, append([]any{msg}, args...)...)
}
