package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Run scores every input of the shard into the output store and returns the
// summary. A run that stops (an error, a cancelled ctx) leaves the finished
// parts and the manifest listing them, and no partial part; running again
// with the same options finishes the rest.
func Run(ctx context.Context, o Options) (Summary, error) {
	start := time.Now()
	if err := o.setDefaults(); err != nil {
		return Summary{}, err
	}
	first, err := columnsOf(ctx, o.Sources[0])
	if err != nil {
		return Summary{}, err
	}
	if err := tensorFromColumns(&o, first); err != nil {
		return Summary{}, err
	}
	f0, _ := FormatOf(o.Sources[0].Name())
	if err := checkColumns(o.Sources[0], first, o.Inputs, f0 == JSONLines); err != nil {
		return Summary{}, err
	}
	keep, err := keepFields(first, &o)
	if err != nil {
		return Summary{}, err
	}
	outputs, err := probeOutputs(ctx, &o)
	if err != nil {
		return Summary{}, err
	}
	units, err := planUnits(ctx, &o)
	if err != nil {
		return Summary{}, err
	}

	man, resumed, err := ReadManifest(ctx, o.Output, o.Shard)
	if err != nil {
		return Summary{}, err
	}
	scoredAt := o.ScoredAt
	if resumed {
		scoredAt = man.ScoredAt
	} else if scoredAt.IsZero() {
		scoredAt = time.Now()
	}
	scoredAt = scoredAt.UTC().Truncate(time.Microsecond)
	lay, err := newLayout(keep, outputs, o.Classes, o.ModelUUID, o.ModelVersion, scoredAt)
	if err != nil {
		return Summary{}, err
	}
	settings := settingsDigest(&o, lay)
	if resumed && (man.Settings != settings || man.ModelUUID != o.ModelUUID) {
		return Summary{}, fmt.Errorf("output %s holds a run (%s) of another model or other settings: use a new output, or remove it to start over",
			o.Output.Name(), ManifestName(o.Shard))
	}
	if !resumed {
		man = Manifest{Format: ManifestFormat, ModelUUID: o.ModelUUID, ModelName: o.ModelName, ModelVersion: o.ModelVersion,
			Flavor: o.Flavor, MlctlVersion: o.MlctlVersion, ScoredAt: scoredAt, Shard: o.Shard.String(), Settings: settings}
		// Recorded before any part, so that a rerun after an interruption
		// stamps the same scored_at.
		if err := writeManifest(ctx, o.Output, o.Shard, &man); err != nil {
			return Summary{}, err
		}
	}

	r := &runner{o: &o, layout: lay, man: &man, keepNames: fieldNames(keep), start: start}
	var todo []*unit
	for _, u := range units {
		if !o.Shard.owns(u.index) {
			continue
		}
		r.prog.PartsTotal++
		if p, ok := man.part(u.partName()); ok && p.Input == u.src.Name() && p.InputVersion == u.src.Version() {
			r.prog.PartsSkipped++
			continue
		}
		r.prog.TotalBytes += u.weight
		todo = append(todo, u)
	}
	err = r.run(ctx, todo)
	sum := Summary{Progress: r.snapshot(), Output: o.Output.Name(), ScoredAt: scoredAt, Manifest: ManifestName(o.Shard)}
	if err != nil && ctx.Err() != nil {
		return sum, fmt.Errorf("interrupted after %d of %d parts (rerun the same command to finish): %w", sum.Parts+sum.PartsSkipped, sum.PartsTotal, ctx.Err())
	}
	return sum, err
}

func fieldNames(fs []arrow.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// runner holds one run's state. The pipeline is a reader goroutine that
// cuts inputs into chunks of BatchRows, Workers goroutines that convert and
// score them, and the caller's goroutine that writes results back in input
// order. A fixed number of tokens bounds the chunks in flight, so memory
// does not grow with the input.
type runner struct {
	o         *Options
	layout    *layout
	man       *Manifest
	keepNames []string
	start     time.Time

	mu    sync.Mutex
	prog  Progress
	bytes atomic.Int64
	rows  atomic.Int64
	errs  atomic.Int64
}

func (r *runner) snapshot() Progress {
	r.mu.Lock()
	p := r.prog
	r.mu.Unlock()
	p.Rows, p.Errors, p.Bytes = r.rows.Load(), r.errs.Load(), r.bytes.Load()
	p.Elapsed = time.Since(r.start)
	return p
}

// job is a chunk to score, or the end of a unit, or a reader error.
type job struct {
	seq  int
	unit *unit
	ch   chunk
	end  bool
	hash string // the input's digest, at the end of a unit
	err  error
}

type result struct {
	job
	rec  arrow.RecordBatch
	errs []rowError
}

func (r *runner) run(ctx context.Context, todo []*unit) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if r.o.Progress != nil {
		done := make(chan struct{})
		defer close(done)
		go func() {
			t := time.NewTicker(r.o.ProgressInterval)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					r.o.Progress(r.snapshot())
				}
			}
		}()
	}
	inflight := r.o.Workers * 2
	tokens := make(chan struct{}, inflight)
	jobs := make(chan job, inflight)
	results := make(chan result, inflight)

	go r.read(ctx, todo, tokens, jobs)
	var wg sync.WaitGroup
	for w := 0; w < r.o.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- r.score(ctx, j)
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	w := &partWriter{r: r}
	pending := map[int]result{}
	next := 0
	var firstErr error
	for res := range results {
		if firstErr != nil {
			<-tokens
			continue
		}
		pending[res.seq] = res
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-tokens
			if err := w.handle(ctx, p); err != nil {
				firstErr = err
				cancel()
				break
			}
		}
	}
	if firstErr == nil && w.finished < len(todo) {
		firstErr = ctx.Err()
		if firstErr == nil {
			firstErr = errors.New("the pipeline stopped before the last part")
		}
	}
	if firstErr != nil {
		w.abort()
	}
	return firstErr
}

// read cuts the units into chunks, in order, one token per chunk.
func (r *runner) read(ctx context.Context, todo []*unit, tokens chan struct{}, jobs chan<- job) {
	defer close(jobs)
	seq := 0
	send := func(j job) bool {
		select {
		case tokens <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		j.seq = seq
		seq++
		jobs <- j
		return true
	}
	cols := append(fieldNames(specFields(r.o.Inputs)), r.keepNames...)
	cols = dedupe(cols)
	for _, u := range todo {
		cr, err := openChunks(ctx, u.src, readSpec{columns: cols, chunkRows: r.o.BatchRows, rowGroups: u.rowGroups, bytesRead: &r.bytes})
		if err != nil {
			send(job{unit: u, err: err})
			return
		}
		for {
			ch, err := cr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				cr.Close()
				send(job{unit: u, err: err})
				return
			}
			if !send(job{unit: u, ch: ch}) {
				cr.Close()
				return
			}
		}
		digest := cr.Digest()
		cr.Close()
		if digest == "" {
			if digest, err = digestSource(ctx, u.src); err != nil {
				send(job{unit: u, err: err})
				return
			}
		}
		if !send(job{unit: u, end: true, hash: digest}) {
			return
		}
	}
}

func specFields(specs []flavors.Spec) []arrow.Field {
	out := make([]arrow.Field, len(specs))
	for i, sp := range specs {
		out[i] = arrow.Field{Name: sp.Name}
	}
	return out
}

func dedupe(names []string) []string {
	var out []string
	for _, n := range names {
		if !containsString(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// score converts a chunk and runs the model on its good rows.
func (r *runner) score(ctx context.Context, j job) result {
	res := result{job: j}
	if j.err != nil || j.end {
		return res
	}
	defer j.ch.rec.Release()
	inputCols := make([]int, len(r.o.Inputs))
	for k, sp := range r.o.Inputs {
		inputCols[k] = j.ch.rec.Schema().FieldIndices(sp.Name)[0]
	}
	conv := toBatch(j.ch, r.o.Inputs, inputCols)
	if len(conv.errs) > 0 && r.o.OnError == Fail {
		e := conv.errs[0]
		res.err = rowErr(j.unit.src.Name(), e)
		return res
	}
	out, err := r.predict(ctx, &conv, j)
	if err != nil {
		res.err = err
		return res
	}
	keepIdx := make([]int, len(r.keepNames))
	for k, n := range r.keepNames {
		keepIdx[k] = j.ch.rec.Schema().FieldIndices(n)[0]
		if got, want := j.ch.rec.Column(keepIdx[k]).DataType(), r.layout.keep[k].Type; !arrow.TypeEqual(got, want) {
			res.err = fmt.Errorf("%w: input %s: column %q is %s, but the first input (%s) has it as %s", flavors.ErrInvalidInput, j.unit.src.Name(), n, got, r.o.Sources[0].Name(), want)
			return res
		}
	}
	keep, err := keepColumns(j.ch.rec, keepIdx, conv.bad)
	if err != nil {
		res.err = err
		return res
	}
	defer func() {
		for _, k := range keep {
			k.Release()
		}
	}()
	rec, err := r.layout.record(keep, out, conv.batch.Rows())
	if err != nil {
		res.err = fmt.Errorf("input %s rows %d-%d: %w", j.unit.src.Name(), j.ch.firstRow, j.ch.firstRow+j.ch.rec.NumRows()-1, err)
		return res
	}
	res.rec = rec
	res.errs = conv.errs
	return res
}

// predict scores the converted rows. With --on-error skip, a batch the
// model refuses as invalid input is scored row by row, and the rows it
// refuses are rejected.
func (r *runner) predict(ctx context.Context, conv *converted, j job) (flavors.Batch, error) {
	rows := conv.batch.Rows()
	if rows == 0 {
		return emptyOutputs(r.layout.outputs), nil
	}
	out, err := r.o.Model.Predict(ctx, conv.batch)
	if err == nil {
		return out, nil
	}
	if r.o.OnError != Skip || !errors.Is(err, flavors.ErrInvalidInput) {
		return flavors.Batch{}, fmt.Errorf("input %s rows %d-%d: %w", j.unit.src.Name(), j.ch.firstRow, j.ch.firstRow+j.ch.rec.NumRows()-1, err)
	}
	// Map the batch's rows back to the chunk's rows.
	chunkRow := make([]int, 0, rows)
	for i := 0; i < int(j.ch.rec.NumRows()); i++ {
		if conv.bad == nil || !conv.bad[i] {
			chunkRow = append(chunkRow, i)
		}
	}
	var parts []flavors.Batch
	for i := 0; i < rows; i++ {
		one, err := r.o.Model.Predict(ctx, flavors.SliceRows(conv.batch, i, i+1))
		if err != nil {
			if !errors.Is(err, flavors.ErrInvalidInput) {
				return flavors.Batch{}, err
			}
			conv.reject(chunkRow[i], int(j.ch.rec.NumRows()), rowError{Row: j.ch.firstRow + int64(chunkRow[i]), Reason: err.Error()})
			continue
		}
		parts = append(parts, one)
	}
	conv.batch = dropRows(conv.batch, keptMask(conv.bad, chunkRow))
	if len(parts) == 0 {
		return emptyOutputs(r.layout.outputs), nil
	}
	return flavors.ConcatRows(parts)
}

// keptMask turns chunk-level rejections into a mask over the rows that
// had reached the model.
func keptMask(bad []bool, chunkRow []int) []bool {
	m := make([]bool, len(chunkRow))
	for i, cr := range chunkRow {
		m[i] = bad[cr]
	}
	return m
}

func emptyOutputs(specs []flavors.Spec) flavors.Batch {
	var b flavors.Batch
	for _, sp := range specs {
		data, _ := flavors.NewData(sp.DType, 0)
		b.Tensors = append(b.Tensors, flavors.Tensor{Name: sp.Name, DType: sp.DType, Shape: append([]int64{0}, sp.Shape[min(1, len(sp.Shape)):]...), Data: data})
	}
	return b
}

func rowErr(input string, e rowError) error {
	if e.Column != "" {
		return fmt.Errorf("%w: input %s: row %d, column %q: %s", flavors.ErrInvalidInput, input, e.Row, e.Column, e.Reason)
	}
	return fmt.Errorf("%w: input %s: row %d: %s", flavors.ErrInvalidInput, input, e.Row, e.Reason)
}

// errorLine is one line of an error file.
type errorLine struct {
	Input string `json:"input"`
	rowError
}

func encodeErrors(input string, errs []rowError) []byte {
	var out []byte
	for _, e := range errs {
		b, _ := json.Marshal(errorLine{Input: input, rowError: e})
		out = append(append(out, b...), '\n')
	}
	return out
}
