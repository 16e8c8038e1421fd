package batcher

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// FuzzBatcherRows sends concurrent requests of fuzzed sizes and shapes
// through batchers of fuzzed sizes: every caller must get exactly its own
// rows back, and no batch may pass MaxBatchRows.
func FuzzBatcherRows(f *testing.F) {
	f.Add(uint8(25), uint8(1), uint8(0), []byte{10, 10, 10, 10, 10})
	f.Add(uint8(16), uint8(3), uint8(0), []byte{100})
	f.Add(uint8(8), uint8(2), uint8(50), []byte{1, 7, 8, 9, 0x80 | 15, 16, 17, 0, 3, 0x80 | 40, 2})
	f.Add(uint8(1), uint8(4), uint8(1), []byte{3, 0x80, 2})
	f.Fuzz(func(t *testing.T, maxRows, instances, delayMicros uint8, sizes []byte) {
		if len(sizes) > 24 {
			sizes = sizes[:24]
		}
		cfg := Config{
			MaxBatchRows:  int(maxRows%32) + 1,
			MaxQueueDelay: time.Duration(delayMicros) * time.Microsecond,
			MaxQueueRows:  1 << 20,
		}
		models := make([]*scaleModel, int(instances%4)+1)
		list := make([]flavors.Model, len(models))
		for i := range models {
			models[i] = &scaleModel{}
			list[i] = models[i]
		}
		b := New(list, cfg, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		for k, s := range sizes {
			rows, width := int(s&0x7f), 2
			if s&0x80 != 0 {
				width = 3 // cannot be stacked with the others
			}
			wg.Go(func() {
				out, err := b.Predict(ctx, rowsFor(k, rows, width))
				if errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("caller %d (%d rows) got no answer", k, rows)
					return
				}
				if err != nil {
					t.Errorf("caller %d (%d rows): %v", k, rows, err)
					return
				}
				checkOutput(t, k, rows, width, out)
			})
		}
		wg.Wait()
		if err := b.Close(ctx); err != nil {
			t.Fatalf("Close: %v", err)
		}
		for i, m := range models {
			for _, n := range m.batchRows() {
				if n > cfg.MaxBatchRows {
					t.Errorf("instance %d ran %d rows, MaxBatchRows is %d", i, n, cfg.MaxBatchRows)
				}
			}
		}
	})
}
