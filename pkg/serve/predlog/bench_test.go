package predlog

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// benchEntry is an iris-like request of n rows: four feature columns in,
// a label and three probabilities out.
func benchEntry(b *testing.B, n int) Entry {
	col := func(name string) flavors.Tensor {
		v := make([]float64, n)
		for i := range v {
			v[i] = 4.3 + float64(i%36)/10
		}
		return tensor(b, name, flavors.FP64, []int64{int64(n)}, v)
	}
	labels := make([]string, n)
	probs := make([]float64, 3*n)
	for i := range labels {
		labels[i] = []string{"setosa", "versicolor", "virginica"}[i%3]
		probs[3*i], probs[3*i+1], probs[3*i+2] = 0.93, 0.05, 0.02
	}
	return Entry{
		Time: time.Now(), RequestID: "0f8fad5b-d9cb-469f-a165-70867728950e", Model: "iris", Version: "1",
		UUID: "7c9e6679-7425-40de-944b-e07fc1f90ae7", Protocol: "mlflow", Latency: 812 * time.Microsecond,
		Inputs: batch(col("sepal_length"), col("sepal_width"), col("petal_length"), col("petal_width")),
		Outputs: batch(tensor(b, "label", flavors.Bytes, []int64{int64(n)}, labels),
			tensor(b, "probabilities", flavors.FP64, []int64{int64(n), 3}, probs)),
	}
}

// BenchmarkLog measures what the writer sustains: requests are offered as
// fast as the queue takes them, and the time runs until Close has written
// and synced every row. rows/s is the figure to compare with a server's
// request rate; with -cpu=1 the producer and the writer share one core.
func BenchmarkLog(b *testing.B) {
	for _, rows := range []int{1, 32} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			e := benchEntry(b, rows)
			l, err := Open(Config{Dir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				for len(l.queue) == cap(l.queue) {
					runtime.Gosched()
				}
				l.Log(e)
			}
			if err := l.Close(); err != nil {
				b.Fatal(err)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			if l.Dropped() != 0 {
				b.Fatalf("%d dropped", l.Dropped())
			}
			b.ReportMetric(float64(l.Written())/elapsed.Seconds(), "rows/s")
		})
	}
}

// BenchmarkLogCall measures Log on the serving goroutines: the cost a
// request pays, drops included.
func BenchmarkLogCall(b *testing.B) {
	e := benchEntry(b, 1)
	l, err := Open(Config{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Log(e)
		}
	})
	b.StopTimer()
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(l.Dropped())/float64(b.N), "dropped/op")
}
