package batch

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// partWriter writes results, in input order, into one part per unit.
type partWriter struct {
	r        *runner
	unit     *unit
	out      PartWriter
	fw       *pqarrow.FileWriter
	rows     int64
	errs     []rowError
	finished int
}

func (w *partWriter) handle(ctx context.Context, res result) error {
	if res.err != nil {
		return res.err
	}
	if w.unit != res.unit {
		if err := w.open(ctx, res.unit); err != nil {
			return err
		}
	}
	if res.rec != nil {
		err := w.fw.WriteBuffered(res.rec)
		n := res.rec.NumRows()
		res.rec.Release()
		if err != nil {
			return fmt.Errorf("output %s: %w", res.unit.partName(), err)
		}
		w.rows += n
		w.r.rows.Add(n)
	}
	if len(res.errs) > 0 {
		w.errs = append(w.errs, res.errs...)
		w.r.errs.Add(int64(len(res.errs)))
	}
	if res.end {
		return w.finish(ctx, res.hash)
	}
	return nil
}

func (w *partWriter) open(ctx context.Context, u *unit) error {
	o := w.r.o
	codec, _ := compressionCodec(o.Compression)
	out, err := o.Output.Create(ctx, u.partName())
	if err != nil {
		return err
	}
	props := parquet.NewWriterProperties(append([]parquet.WriterProperty{
		parquet.WithCompression(codec),
		parquet.WithMaxRowGroupLength(int64(o.RowGroupRows)),
		parquet.WithCreatedBy("mlctl " + o.MlctlVersion),
	}, w.r.layout.dictionaryProps()...)...)
	fw, err := pqarrow.NewFileWriter(w.r.layout.schema, out, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		out.Abort()
		return fmt.Errorf("output %s: %w", u.partName(), err)
	}
	w.unit, w.out, w.fw, w.rows, w.errs = u, out, fw, 0, nil
	return nil
}

// finish closes the part with the run's metadata, writes its error file,
// commits both and records the part in the manifest, in that order: a
// part the manifest lists is always complete.
func (w *partWriter) finish(ctx context.Context, digest string) error {
	u, o := w.unit, w.r.o
	kv := [][2]string{
		{"mlctl.model_uuid", o.ModelUUID},
		{"mlctl.model_name", o.ModelName},
		{"mlctl.model_version", o.ModelVersion},
		{"mlctl.flavor", o.Flavor},
		{"mlctl.version", o.MlctlVersion},
		{"mlctl.scored_at", w.r.man.ScoredAt.UTC().Format("2006-01-02T15:04:05.000000Z")},
		{"mlctl.input", u.src.Name()},
		{"mlctl.input_sha256", digest},
	}
	for _, p := range kv {
		if err := w.fw.AppendKeyValueMetadata(p[0], p[1]); err != nil {
			return err
		}
	}
	err := w.fw.Close()
	w.fw = nil
	if err != nil {
		return fmt.Errorf("output %s: %w", u.partName(), err)
	}
	part := Part{Name: u.partName(), Input: u.src.Name(), InputVersion: u.src.Version(), InputSHA256: digest,
		RowGroups: u.rowGroups, Rows: w.rows, Errors: int64(len(w.errs))}
	if len(w.errs) > 0 {
		ef, err := o.Output.Create(ctx, u.errorName())
		if err != nil {
			return err
		}
		if _, err := ef.Write(encodeErrors(u.src.Name(), w.errs)); err != nil {
			ef.Abort()
			return err
		}
		if err := ef.Commit(); err != nil {
			return err
		}
		part.ErrorFile = u.errorName()
	}
	out := w.out
	w.out, w.unit = nil, nil
	if err := out.Commit(); err != nil {
		return err
	}
	w.r.mu.Lock()
	w.r.man.setPart(part)
	w.r.prog.Parts++
	w.r.mu.Unlock()
	w.finished++
	// The manifest write is not cancellable: a committed part must be recorded.
	return writeManifest(context.WithoutCancel(ctx), o.Output, o.Shard, w.r.man)
}

// abort drops the part being written, so no partial part becomes visible.
func (w *partWriter) abort() {
	if w.fw != nil {
		// Closing flushes into the temporary object, which Abort removes.
		w.fw.Close()
		w.fw = nil
	}
	if w.out != nil {
		w.out.Abort()
		w.out = nil
	}
	w.unit = nil
}

// dictionaryProps turns dictionary encoding on only for the columns whose
// values repeat: the run's constant columns and text predictions (labels).
// A column that outgrows its dictionary falls back to plain pages, and
// arrow-go then lists the chunk's two page encodings in map order, so the
// same rows would not give the same bytes twice; unique numbers and kept
// IDs would always outgrow it.
func (l *layout) dictionaryProps() []parquet.WriterProperty {
	props := []parquet.WriterProperty{parquet.WithDictionaryDefault(false)}
	for i, f := range l.schema.Fields() {
		repeats := f.Name == ColumnModelUUID || f.Name == ColumnModelVersion || f.Name == ColumnScoredAt
		if i >= len(l.keep) && (f.Type.ID() == arrow.STRING || f.Type.ID() == arrow.BINARY) {
			repeats = true
		}
		if repeats {
			props = append(props, parquet.WithDictionaryFor(f.Name, true))
		}
	}
	return props
}
