package predlog

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Config{Dir: dir})
	require.NoError(t, err)
	at := time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.FixedZone("CEST", 2*3600))
	e := Entry{
		Time: at, RequestID: "r-\"1\"", Model: "credit", Version: "3", UUID: "0b5e", Protocol: "mlflow", Latency: 2 * time.Millisecond,
		Inputs: batch(
			tensor(t, "age", flavors.Int64, []int64{3}, []int64{30, 41, -7}),
			tensor(t, "income", flavors.FP64, []int64{3}, []float64{1.5, math.NaN(), 1e-9}, false, false, false),
			tensor(t, "city", flavors.Bytes, []int64{3}, []string{"Zürich", "", "a\tb"}, false, true, false),
			tensor(t, "ok", flavors.Bool, []int64{3}, []bool{true, false, true}),
			tensor(t, "small", flavors.Uint8, []int64{3}, []uint8{0, 7, 255}),
			tensor(t, "half", flavors.FP16, []int64{3}, []uint16{flavors.Float32ToHalf(0.5), flavors.Float32ToHalf(-2), 0x7e00}),
			tensor(t, "f32", flavors.FP32, []int64{3}, []float32{0.1, 3.25, float32(math.Inf(1))}),
			tensor(t, "pixels", flavors.Int32, []int64{3, 2, 2}, []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}),
		),
		Outputs: batch(
			tensor(t, "label", flavors.Bytes, []int64{3}, []string{"good", "bad", "good"}),
			tensor(t, "probabilities", flavors.FP64, []int64{3, 2}, []float64{0.8, 0.2, 0.1, 0.9, 0.6, 0.4}, false, false, true, false, false, false),
		),
	}
	l.Log(e)
	require.NoError(t, l.Close())
	assert.EqualValues(t, 3, l.Written())
	assert.Zero(t, l.Dropped())

	rows := readAll(t, dir)
	require.Len(t, rows, 3)
	wantInputs := []map[string]any{
		{"age": 30.0, "income": 1.5, "city": "Zürich", "ok": true, "small": 0.0, "half": 0.5, "f32": 0.1, "pixels": []any{[]any{1.0, 2.0}, []any{3.0, 4.0}}},
		{"age": 41.0, "income": nil, "city": nil, "ok": false, "small": 7.0, "half": -2.0, "f32": 3.25, "pixels": []any{[]any{5.0, 6.0}, []any{7.0, 8.0}}},
		{"age": -7.0, "income": 1e-9, "city": "a\tb", "ok": true, "small": 255.0, "half": nil, "f32": nil, "pixels": []any{[]any{9.0, 10.0}, []any{11.0, 12.0}}},
	}
	wantOutputs := []map[string]any{
		{"label": "good", "probabilities": []any{0.8, 0.2}},
		{"label": "bad", "probabilities": []any{nil, 0.9}},
		{"label": "good", "probabilities": []any{0.6, 0.4}},
	}
	for i, r := range rows {
		assert.True(t, r.Time.Equal(at), "row %d time %v", i, r.Time)
		assert.Equal(t, "r-\"1\"", r.RequestID)
		assert.Equal(t, []string{"credit", "3", "0b5e"}, []string{r.Model, r.Version, r.UUID})
		assert.Equal(t, wantInputs[i], r.Inputs, "row %d inputs", i)
		assert.Equal(t, wantOutputs[i], r.Outputs, "row %d outputs", i)
	}
}

func TestOpenRefusesBadConfig(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	writeFile(t, file, "x")
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no dir", Config{}, "Dir is empty"},
		{"rate above 1", Config{Dir: t.TempDir(), SampleRate: 1.5}, "SampleRate 1.5"},
		{"negative rate", Config{Dir: t.TempDir(), SampleRate: -0.1}, "SampleRate -0.1"},
		{"NaN rate", Config{Dir: t.TempDir(), SampleRate: math.NaN()}, "SampleRate NaN"},
		{"negative size", Config{Dir: t.TempDir(), MaxFileBytes: -1}, "MaxFileBytes -1"},
		{"negative buffer", Config{Dir: t.TempDir(), BufferRecords: -1}, "BufferRecords -1"},
		{"negative interval", Config{Dir: t.TempDir(), FlushInterval: -time.Second}, "FlushInterval -1s"},
		{"dir is a file", Config{Dir: file}, "not a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(tc.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestSamplerRateAndDeterminism(t *testing.T) {
	const n = 100_000
	for _, rate := range []float64{0.01, 0.1, 0.5, 0.9} {
		a, b, other := newSampler(rate, 42), newSampler(rate, 42), newSampler(rate, 43)
		kept, same, differ := 0, 0, 0
		for range n {
			ka, kb, ko := a.keep(), b.keep(), other.keep()
			if ka {
				kept++
			}
			if ka == kb {
				same++
			}
			if ka != ko {
				differ++
			}
		}
		sd := math.Sqrt(n * rate * (1 - rate))
		assert.InDelta(t, rate*n, kept, 6*sd, "rate %g: kept %d of %d", rate, kept, n)
		assert.Equal(t, n, same, "rate %g: the same seed must keep the same requests", rate)
		assert.Positive(t, differ, "rate %g: another seed must keep other requests", rate)
	}
	always := newSampler(1, 0)
	for range 1000 {
		require.True(t, always.keep())
	}
}

func TestLoggerSamples(t *testing.T) {
	const n, rate = 2000, 0.25
	logged := func() []string {
		dir := t.TempDir()
		l, err := Open(Config{Dir: dir, SampleRate: rate, Seed: 7, BufferRecords: n})
		require.NoError(t, err)
		for i := range n {
			l.Log(irisEntry(t, fmt.Sprint(i)))
		}
		require.NoError(t, l.Close())
		require.Zero(t, l.Dropped())
		return requestIDs(readAll(t, dir))
	}
	first, second := logged(), logged()
	sd := math.Sqrt(n * rate * (1 - rate))
	assert.InDelta(t, rate*n, len(first), 6*sd, "logged %d of %d at rate %g", len(first), n, rate)
	assert.Equal(t, first, second, "the same seed logs the same requests")
}

func TestRotation(t *testing.T) {
	lineBytes := func() int64 {
		e := irisEntry(t, "000")
		var enc lineEncoder
		enc.begin(&e)
		return int64(len(enc.row(&e, 0)))
	}()
	tests := []struct {
		name     string
		maxFiles int
		wantOld  bool // the earlier run's file is kept
		wantNew  int  // files of this run kept
	}{
		{"keep 3 finished files", 3, false, 4},
		{"keep all", -1, true, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// An earlier run's file is the oldest: deleted first, read first.
			oldFile := fileName(time.Now().Add(-time.Hour), 1)
			old := irisEntry(t, "old")
			var enc lineEncoder
			enc.begin(&old)
			writeFile(t, filepath.Join(dir, oldFile), string(enc.row(&old, 0)))
			l, err := Open(Config{Dir: dir, MaxFileBytes: 5*lineBytes + lineBytes/2, MaxFiles: tc.maxFiles})
			require.NoError(t, err)
			const n = 50 // 5 rows a file: 10 files
			for i := range n {
				l.Log(irisEntry(t, fmt.Sprintf("%03d", i)))
			}
			require.NoError(t, l.Close())

			names, err := logFiles(dir)
			require.NoError(t, err)
			var want []string
			if tc.wantOld {
				require.Equal(t, oldFile, names[0])
				names = names[1:]
				want = append(want, "old")
			}
			require.Len(t, names, tc.wantNew, "files: %v", names)
			for _, name := range names {
				info, err := os.Stat(filepath.Join(dir, name))
				require.NoError(t, err)
				assert.Equal(t, 5*lineBytes, info.Size(), "%s holds 5 rows", name)
			}
			ids := requestIDs(readAll(t, dir))
			for i := n - 5*tc.wantNew; i < n; i++ {
				want = append(want, fmt.Sprintf("%03d", i))
			}
			assert.Equal(t, want, ids, "the newest rows, in order")
		})
	}
}

func TestFileNamesSortByTime(t *testing.T) {
	base := time.Date(2026, 12, 31, 23, 59, 59, 999e6, time.UTC)
	names := []string{fileName(base, 9), fileName(base, 10), fileName(base.Add(time.Millisecond), 1), fileName(base.Add(time.Hour), 1)}
	for i := 1; i < len(names); i++ {
		assert.Less(t, names[i-1], names[i])
	}
	assert.Equal(t, "predictions-20261231T235959.999Z-000009.jsonl", names[0])
}

// A writer held up (a slow disk) must never hold up Log: the queue fills,
// then entries are dropped and counted.
func TestLogNeverBlocks(t *testing.T) {
	dir := t.TempDir()
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	l, err := open(Config{Dir: dir, BufferRecords: 4}, func(Entry) {
		once.Do(func() { close(entered); <-release })
	})
	require.NoError(t, err)

	l.Log(irisEntry(t, "held")) // the writer takes it and blocks
	<-entered
	for i := range 4 + 3 {
		l.Log(irisEntry(t, fmt.Sprint(i))) // 4 fill the queue, 3 are dropped
	}
	assert.EqualValues(t, 3, l.Dropped())
	close(release)
	require.NoError(t, l.Close())
	assert.EqualValues(t, 5, l.Written())
	assert.Equal(t, []string{"held", "0", "1", "2", "3"}, requestIDs(readAll(t, dir)))
}

func TestLogAfterCloseIsDropped(t *testing.T) {
	l, err := Open(Config{Dir: t.TempDir()})
	require.NoError(t, err)
	require.NoError(t, l.Close())
	l.Log(irisEntry(t, "late"))
	assert.EqualValues(t, 1, l.Dropped())
	assert.NoError(t, l.Close(), "Close twice")
}

func TestCloseFlushes(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Config{Dir: dir, FlushInterval: time.Hour})
	require.NoError(t, err)
	for i := range 10 {
		l.Log(irisEntry(t, fmt.Sprint(i)))
	}
	info, err := os.Stat(onlyFile(t, dir))
	require.NoError(t, err)
	require.Zero(t, info.Size(), "nothing reaches the file before a flush")
	require.NoError(t, l.Close())
	assert.Len(t, readAll(t, dir), 10)
}

func TestFlushInterval(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Config{Dir: dir, FlushInterval: time.Millisecond})
	require.NoError(t, err)
	defer l.Close()
	l.Log(irisEntry(t, "a"))
	// Rows reach readers without Close; wait as long as the test may run.
	for len(readAll(t, dir)) == 0 {
		time.Sleep(time.Millisecond)
	}
	assert.Equal(t, []string{"a"}, requestIDs(readAll(t, dir)))
}

func TestIdleLoggerLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Config{Dir: dir})
	require.NoError(t, err)
	require.NoError(t, l.Close())
	names, err := logFiles(dir)
	require.NoError(t, err)
	assert.Empty(t, names)
}

func TestWriteErrorReportedByClose(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	l, err := Open(Config{Dir: dir, MaxFileBytes: 1})
	require.NoError(t, err)
	require.NoError(t, os.RemoveAll(dir)) // the next rotation cannot start a file
	l.Log(irisEntry(t, "a"))
	l.Log(irisEntry(t, "b"))
	err = l.Close()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "start a file")
	assert.Contains(t, err.Error(), "rows lost")
}

func TestConcurrentLog(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Config{Dir: dir, BufferRecords: 8 * 200})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				l.Log(irisEntry(t, fmt.Sprintf("%d-%d", g, i)))
			}
		})
	}
	wg.Go(func() { _ = l.Close() }) // Close racing with Log must not panic
	wg.Wait()
	require.NoError(t, l.Close())
	assert.EqualValues(t, 8*200, l.Written()+l.Dropped())
	assert.Len(t, readAll(t, dir), int(l.Written()))
	for _, r := range readAll(t, dir) {
		require.True(t, strings.Contains(r.RequestID, "-"))
	}
}
