package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mlctl/mlctl/pkg/batch"
	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/drift/profile"
	"github.com/mlctl/mlctl/pkg/drift/stats"
	"github.com/mlctl/mlctl/pkg/objstore"
	"github.com/mlctl/mlctl/pkg/serve/predlog"
)

// reader turns inputs into collectors.
type reader struct {
	sch    *schema
	opts   *Options
	labels map[string]string // request_id \x00 row → label, from LabelsFile
	byRow  bool              // labels are keyed by row too
}

// window is one time window of the current log.
type window struct {
	start, end *time.Time
	c          *collector
}

// readLog reads a prediction log directory; pick chooses each row's
// collector (nil skips the row).
func (r *reader) readLog(dir string, pick func(time.Time) (*collector, error)) (model *predlog.Row, err error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("prediction log: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("prediction log %s: not a directory", dir)
	}
	var prevReq string
	rowInReq := 0
	var keys []string
	err = predlog.ReadDir(dir, func(row predlog.Row) error {
		if row.RequestID != "" && row.RequestID == prevReq {
			rowInReq++
		} else {
			prevReq, rowInReq = row.RequestID, 0
		}
		c, err := pick(row.Time)
		if err != nil || c == nil {
			return err
		}
		if model == nil {
			first := row
			first.Inputs, first.Outputs = nil, nil
			model = &first
		}
		c.rows++
		for _, side := range []struct {
			values map[string]any
			role   string
		}{{row.Inputs, RoleFeature}, {row.Outputs, RolePrediction}} {
			keys = keys[:0]
			for k := range side.values {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if err := c.add(k, side.role, side.values[k]); err != nil {
					return fmt.Errorf("prediction log %s: request %q at %s: %w", dir, row.RequestID, row.Time.Format(time.RFC3339Nano), err)
				}
			}
		}
		if r.opts.LabelColumn == "" && r.labels == nil {
			return nil
		}
		var truth any
		if r.labels != nil {
			key := row.RequestID
			if r.byRow {
				key += "\x00" + strconv.Itoa(rowInReq)
			}
			if l, ok := r.labels[key]; ok {
				truth = l
			}
		} else {
			truth = row.Inputs[r.opts.LabelColumn]
		}
		r.addPerf(c, truth, row.Outputs[outputLabel], row.Outputs[outputPrediction], probsOf(row.Outputs[outputProbabilities]), r.classes())
		return nil
	})
	var corrupt *predlog.CorruptLineError
	if errors.As(err, &corrupt) {
		return nil, fmt.Errorf("%w (expected one JSON row per line, see docs/prediction-log.md)", err)
	}
	return model, err
}

func (r *reader) classes() []string {
	if r.opts.Bundle != nil {
		return r.opts.Bundle.Classes
	}
	return nil
}

func probsOf(v any) []float64 {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]float64, len(list))
	for i, e := range list {
		f, ok := e.(float64)
		if !ok {
			return nil
		}
		out[i] = f
	}
	return out
}

// addPerf adds a labelled row to a collector's metrics; rows without a
// label or a prediction are left out.
func (r *reader) addPerf(c *collector, truth, predLabel, prediction any, probs []float64, classes []string) {
	if truth == nil {
		return
	}
	if c.perf == nil {
		c.perf = newPerf()
	}
	if pl, ok := labelText(predLabel); ok && predLabel != nil {
		t, _ := labelText(truth)
		c.perf.addClass(t, pl, classes, probs)
		return
	}
	if prediction == nil {
		return
	}
	t, ok1 := labelFloat(truth)
	p, ok2 := labelFloat(prediction)
	if ok1 && ok2 {
		c.perf.addRegression(t, p)
	}
}

// readDatasets profiles data set files into c.
func (r *reader) readDatasets(ctx context.Context, paths []string, c *collector) ([]string, error) {
	st := r.opts.Store
	if st == nil {
		st = objstore.New(objstore.Options{})
	}
	srcs, err := batch.Sources(ctx, st, paths...)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, src := range srcs {
		names = append(names, src.Name())
		if err := r.readTable(ctx, src, c); err != nil {
			return nil, err
		}
	}
	return names, nil
}

func (r *reader) readTable(ctx context.Context, src batch.Source, c *collector) error {
	t, err := batch.OpenTable(ctx, src, 8192)
	if err != nil {
		return err
	}
	defer t.Close()
	first := true
	probCols := map[int]string{} // column index → class, for "probabilities[class]"
	for i, f := range t.Fields {
		if len(f.Name) > len(outputProbabilities)+2 && f.Name[:len(outputProbabilities)+1] == outputProbabilities+"[" && f.Name[len(f.Name)-1] == ']' {
			probCols[i] = f.Name[len(outputProbabilities)+1 : len(f.Name)-1]
		}
	}
	var cells []any
	for {
		ch, err := t.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(ch.BadRows) > 0 {
			b := ch.BadRows[0]
			ch.Record.Release()
			return fmt.Errorf("input %s row %d: %s", src.Name(), b.Row, b.Reason)
		}
		rec := ch.Record
		n := int(rec.NumRows())
		c.rows += int64(n)
		for j, f := range t.Fields {
			arr := rec.Column(j)
			if col := c.cols[f.Name]; col != nil && !first {
				if row, err := addNumbers(c, col, f, arr); err != nil {
					rec.Release()
					return fmt.Errorf("input %s row %d: %w", src.Name(), ch.FirstRow+int64(row), err)
				} else if row < 0 {
					continue
				}
			}
			cells = cells[:0]
			for i := 0; i < n; i++ {
				cells = append(cells, cellOf(arr, f, i))
			}
			if first {
				r.decideKind(f.Name, cells)
			}
			for i, v := range cells {
				if err := c.add(f.Name, "", v); err != nil {
					rec.Release()
					return fmt.Errorf("input %s row %d: %w", src.Name(), ch.FirstRow+int64(i), err)
				}
			}
		}
		if r.opts.Model != nil && r.opts.Bundle != nil {
			if err := r.scoreChunk(ctx, t, ch, c); err != nil {
				rec.Release()
				return err
			}
		}
		if r.opts.LabelColumn != "" {
			r.datasetPerf(c, t.Fields, rec, probCols)
		}
		first = false
		rec.Release()
	}
}

// addNumbers is the fast path of a numeric column already known: text or
// float64 cells go straight into the profile column, without a boxed value
// per cell. It returns -1 when it took the whole column, else 0 to leave
// the column to the general path; an error names the row.
func addNumbers(c *collector, col *profile.Column, f arrow.Field, arr arrow.Array) (int, error) {
	if col.Kind != stats.Numeric.String() {
		return 0, nil
	}
	switch a := arr.(type) {
	case *array.String:
		for i := 0; i < a.Len(); i++ {
			if a.IsNull(i) {
				col.AddMissing()
				continue
			}
			x, err := strconv.ParseFloat(a.Value(i), 64)
			switch {
			case err != nil:
				// Missing-value text ("NA", "") or a mistake: the general
				// rules decide, as for every other cell.
				if err := c.add(f.Name, "", cellOf(arr, f, i)); err != nil {
					return i, err
				}
			case math.IsNaN(x) || math.IsInf(x, 0):
				col.AddMissing()
			default:
				col.AddFloat(x)
			}
		}
		return -1, nil
	case *array.Float64:
		for i := 0; i < a.Len(); i++ {
			if x := a.Value(i); a.IsNull(i) || math.IsNaN(x) || math.IsInf(x, 0) {
				col.AddMissing()
			} else {
				col.AddFloat(x)
			}
		}
		return -1, nil
	}
	return 0, nil
}

func cellOf(arr arrow.Array, f arrow.Field, i int) any {
	v := batch.CellValue(arr, i)
	if s, ok := v.(string); ok && f.Type.ID() == arrow.STRING {
		return batch.ParseCellText(s)
	}
	if x, ok := v.(float64); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
		return nil
	}
	return v
}

// decideKind types a text column from its first chunk, when neither the
// bundle nor the other side has: numeric when every value there is a
// number.
func (r *reader) decideKind(name string, cells []any) {
	if _, ok := r.sch.kinds[name]; ok {
		return
	}
	if _, ok := r.sch.hint(name); ok {
		return
	}
	numbers, others := 0, 0
	for _, v := range cells {
		switch v.(type) {
		case float64:
			numbers++
		case nil:
		default:
			others++
		}
	}
	switch {
	case others > 0:
		r.sch.kinds[name] = stats.Categorical
	case numbers > 0:
		r.sch.kinds[name] = stats.Numeric
	default:
		return
	}
	r.sch.order = append(r.sch.order, name)
}

func (r *reader) datasetPerf(c *collector, fields []arrow.Field, rec arrow.RecordBatch, probCols map[int]string) {
	col := func(name string) int {
		for i, f := range fields {
			if f.Name == name {
				return i
			}
		}
		return -1
	}
	li, pli, pi := col(r.opts.LabelColumn), col(outputLabel), col(outputPrediction)
	if li < 0 {
		return
	}
	var classes []string
	var probIdx []int
	for i := range fields {
		if cls, ok := probCols[i]; ok {
			classes, probIdx = append(classes, cls), append(probIdx, i)
		}
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		truth := cellOf(rec.Column(li), fields[li], i)
		var pl, pred any
		if pli >= 0 {
			pl = cellOf(rec.Column(pli), fields[pli], i)
			if pl != nil {
				pl, _ = labelText(pl)
			}
		}
		if pi >= 0 {
			pred = cellOf(rec.Column(pi), fields[pi], i)
		}
		var probs []float64
		if len(probIdx) > 0 {
			probs = make([]float64, len(probIdx))
			for k, j := range probIdx {
				f, ok := cellOf(rec.Column(j), fields[j], i).(float64)
				if !ok {
					probs = nil
					break
				}
				probs[k] = f
			}
		}
		r.addPerf(c, truth, pl, pred, probs, classes)
	}
}

// readLabels loads a labels file: request_id, label and optionally row.
func (r *reader) readLabels(ctx context.Context, path string) error {
	st := r.opts.Store
	if st == nil {
		st = objstore.New(objstore.Options{})
	}
	srcs, err := batch.Sources(ctx, st, path)
	if err != nil {
		return fmt.Errorf("labels: %w", err)
	}
	r.labels = map[string]string{}
	for _, src := range srcs {
		t, err := batch.OpenTable(ctx, src, 8192)
		if err != nil {
			return fmt.Errorf("labels: %w", err)
		}
		idx := map[string]int{"request_id": -1, "label": -1, "row": -1}
		for i, f := range t.Fields {
			if _, ok := idx[f.Name]; ok {
				idx[f.Name] = i
			}
		}
		if idx["request_id"] < 0 || idx["label"] < 0 {
			t.Close()
			return fmt.Errorf("labels %s: expected columns request_id and label (and optionally row)", src.Name())
		}
		r.byRow = idx["row"] >= 0
		for {
			ch, err := t.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Close()
				return fmt.Errorf("labels: %w", err)
			}
			rec := ch.Record
			for i := 0; i < int(rec.NumRows()); i++ {
				id, _ := labelText(batch.CellValue(rec.Column(idx["request_id"]), i))
				label, ok := labelText(cellOf(rec.Column(idx["label"]), t.Fields[idx["label"]], i))
				if !ok {
					continue
				}
				key := id
				if r.byRow {
					row, ok := labelFloat(batch.ParseCellText(fmt.Sprint(batch.CellValue(rec.Column(idx["row"]), i))))
					if !ok || row < 0 || row != math.Trunc(row) {
						rec.Release()
						t.Close()
						return fmt.Errorf("labels %s row %d: column row: expected a whole number ≥ 0", src.Name(), ch.FirstRow+int64(i))
					}
					key += "\x00" + strconv.Itoa(int(row))
				}
				r.labels[key] = label
			}
			rec.Release()
		}
		t.Close()
	}
	return nil
}

// readProfiles reads and merges saved profiles.
func readProfiles(paths []string) (*profile.Profile, error) {
	var merged *profile.Profile
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("profile: %w", err)
		}
		prof, err := profile.Read(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("profile %s: %w", p, err)
		}
		if merged == nil {
			merged = prof
			continue
		}
		if err := merged.Merge(prof); err != nil {
			return nil, fmt.Errorf("profile %s: %w", p, err)
		}
	}
	return merged, nil
}

// readBundleProfile opens a bundle and reads its baseline profile.
func readBundleProfile(path string) (*profile.Profile, *bundle.Manifest, error) {
	b, err := bundle.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer b.Close()
	m := b.Manifest
	if m.Baseline == nil {
		return nil, nil, fmt.Errorf("bundle %s has no baseline profile: pack it with `mlctl pack --baseline DATA`, or give the data set itself", path)
	}
	prof, err := readProfiles([]string{b.Path(m.Baseline.Path)})
	if err != nil {
		return nil, nil, fmt.Errorf("bundle %s: %w", path, err)
	}
	return prof, &m, nil
}
