package batch_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/batch"
	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
)

// noopModel answers every row with a constant: reading and writing
// without a model, the I/O-bound ceiling of a run.
type noopModel struct{ sig flavors.Signature }

func (m noopModel) Signature() flavors.Signature { return m.sig }
func (m noopModel) Close() error                 { return nil }
func (m noopModel) Predict(_ context.Context, in flavors.Batch) (flavors.Batch, error) {
	return flavors.Batch{Tensors: []flavors.Tensor{{Name: "prediction", DType: flavors.FP64, Shape: []int64{int64(in.Rows())}, Data: make([]float64, in.Rows())}}}, nil
}

// BenchmarkBatch scores a 200,000-row CSV end to end (read, convert,
// predict, write Parquet) and compares with the model's raw Predict on
// the same rows at the same batch size, and with the same run through a
// model that does nothing. docs/benchmarks.md has the numbers.
//
// The paired run alternates the end-to-end and the no-model run and
// reports their throughput ratio.
//
//	go test ./pkg/batch -run '^$' -bench BenchmarkBatch -benchtime 3x
func BenchmarkBatch(b *testing.B) {
	const rows, batchRows = 200_000, 8192
	for _, tc := range []struct{ example, file string }{
		{"diabetes_gbm", "model.pmml"},
		{"diabetes_gbm", "model.onnx"},
		{"iris_logreg", "model.onnx"},
	} {
		o := packExample(b, tc.example, tc.file)
		dir := b.TempDir()
		in := filepath.Join(dir, "rows.csv")
		writeRows(b, tc.example, in, rows, 1)
		name := tc.example + "/" + o.Flavor

		endToEnd := func(b *testing.B) {
			r := o
			r.Sources = mustSources(b, in)
			// A fresh output every time: a used one would resume, all done.
			r.Output = mustDir(b, filepath.Join(b.TempDir(), "out"))
			r.BatchRows, r.Keep = batchRows, []string{"id"}
			_, err := batch.Run(context.Background(), r)
			require.NoError(b, err)
		}
		noModel := func(b *testing.B) {
			r := o
			r.Model = noopModel{sig: flavors.Signature{Inputs: o.Inputs, Outputs: []flavors.Spec{{Name: "prediction", DType: flavors.FP64, Shape: []int64{-1}}}}}
			r.Example = flavors.Batch{}
			r.Sources = mustSources(b, in)
			r.Output = mustDir(b, filepath.Join(b.TempDir(), "out"))
			r.BatchRows, r.Keep = batchRows, []string{"id"}
			if len(r.Inputs) == 1 && len(r.Inputs[0].Shape) == 2 {
				r.Inputs = featureSpecsTB(b, tc.example, r.Inputs[0].DType)
			}
			_, err := batch.Run(context.Background(), r)
			require.NoError(b, err)
		}

		b.Run(name+"/end-to-end", func(b *testing.B) {
			for b.Loop() {
				endToEnd(b)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})

		b.Run(name+"/raw-predict", func(b *testing.B) {
			f, err := os.Open(in)
			require.NoError(b, err)
			specs := o.Inputs
			model := o.Model
			if len(specs) == 1 && len(specs[0].Shape) == 2 {
				specs = featureSpecsTB(b, tc.example, specs[0].DType)
				model = flavors.Adapt(model, specs, o.Classes)
			}
			all, err := codec.DecodeCSV(f, specs)
			f.Close()
			require.NoError(b, err)
			ctx := context.Background()
			for b.Loop() {
				for lo := 0; lo < rows; lo += batchRows {
					if _, err := model.Predict(ctx, flavors.SliceRows(all, lo, min(lo+batchRows, rows))); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})

		b.Run(name+"/no-model", func(b *testing.B) {
			for b.Loop() {
				noModel(b)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})

		// The two runs back to back, so that both see the same load on a
		// shared machine: their ratio is steadier than separate numbers.
		b.Run(name+"/paired", func(b *testing.B) {
			var model, io time.Duration
			for b.Loop() {
				t0 := time.Now()
				noModel(b)
				t1 := time.Now()
				endToEnd(b)
				io, model = io+t1.Sub(t0), model+time.Since(t1)
			}
			b.ReportMetric(io.Seconds()/model.Seconds(), "end-to-end/no-model")
		})
	}
}
