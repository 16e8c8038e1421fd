package run

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// streamRows adds n rows of a continuous, a low-cardinality numeric and a
// categorical column to a collector.
func streamRows(b testing.TB, c *collector, n int) {
	rng := rand.New(rand.NewPCG(3, 4))
	cats := make([]string, 50)
	for i := range cats {
		cats[i] = "cat-" + strconv.Itoa(i)
	}
	for range n {
		c.rows++
		if err := c.add("x", RoleFeature, rng.NormFloat64()); err != nil {
			b.Fatal(err)
		}
		if err := c.add("k", RoleFeature, float64(rng.IntN(7))); err != nil {
			b.Fatal(err)
		}
		if err := c.add("c", RoleFeature, cats[rng.IntN(len(cats))]); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.finish(); err != nil {
		b.Fatal(err)
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestBoundedMemory streams 2M rows through a profile: what stays on the
// heap is the profile (exact values up to the cap, then a KLL sketch), not
// the rows. The bound is generous (the rows themselves would be 48 MB and
// more); BenchmarkProfileRows measures 10M rows.
func TestBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 2M rows")
	}
	opts := &Options{}
	c := newCollector(newSchema(opts))
	before := heapAfterGC()
	streamRows(t, c, 2_000_000)
	after := heapAfterGC()
	grown := int64(after) - int64(before)
	if grown > 16<<20 {
		t.Errorf("heap grew by %d MB after 2M rows, want a bounded profile", grown>>20)
	}
	x := c.cols["x"]
	if x.Exact() || x.Rows != 2_000_000 {
		t.Errorf("continuous column: exact %v rows %d, want a sketch over 2M rows", x.Exact(), x.Rows)
	}
	if !c.cols["k"].Exact() || !c.cols["c"].Exact() {
		t.Error("low-cardinality columns left their exact counts")
	}
	runtime.KeepAlive(c)
}

// BenchmarkProfileRows streams 10M rows (3 columns) per iteration and
// reports the heap the profile holds.
func BenchmarkProfileRows(b *testing.B) {
	const n = 10_000_000
	b.ReportMetric(0, "ns/op")
	for b.Loop() {
		start := time.Now()
		c := newCollector(newSchema(&Options{}))
		before := heapAfterGC()
		streamRows(b, c, n)
		b.ReportMetric(n/time.Since(start).Seconds(), "rows/s")
		b.ReportMetric(float64(int64(heapAfterGC())-int64(before))/(1<<20), "heap-MB")
		runtime.KeepAlive(c)
	}
}
