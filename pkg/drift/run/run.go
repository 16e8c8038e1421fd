package run

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/mlctl/mlctl/pkg/drift/profile"
	"github.com/mlctl/mlctl/pkg/drift/report"
	"github.com/mlctl/mlctl/pkg/drift/stats"
)

// Compare reads the baseline and the current data and compares every
// column, one report window per time window of the current data.
func Compare(ctx context.Context, baseline, current Input, opts Options) (*report.Report, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	sch := newSchema(&opts)
	r := &reader{sch: sch, opts: &opts}
	if opts.LabelsFile != "" {
		if err := r.readLabels(ctx, opts.LabelsFile); err != nil {
			return nil, err
		}
	}
	rep := &report.Report{Format: report.Format, Generated: opts.Now().UTC()}

	// The baseline first: its kinds are the ones the current data must
	// match.
	ref, refSrc, err := r.readSide(ctx, baseline, "baseline", nil)
	if err != nil {
		return nil, err
	}
	rep.Baseline = refSrc
	if refSrc.Rows == 0 {
		return nil, fmt.Errorf("baseline %s: no rows", joinPaths(baseline.Paths))
	}
	var windows []*window
	curSrc := report.Source{}
	kind, err := current.kind()
	if err != nil {
		return nil, fmt.Errorf("current: %w", err)
	}
	if kind == KindLog {
		windows, curSrc, err = r.readLogWindows(current.Paths[0], rep)
	} else {
		var c *collector
		c, curSrc, err = r.readSide(ctx, current, "current", nil)
		windows = []*window{{c: c}}
	}
	if err != nil {
		return nil, err
	}
	rep.Current = curSrc
	if curSrc.Rows == 0 {
		return nil, fmt.Errorf("current %s: no rows%s", joinPaths(current.Paths), rangeText(opts.Since, opts.Until))
	}
	if err := checkColumns(&opts, ref, windows, baseline, current); err != nil {
		return nil, err
	}
	for _, w := range windows {
		rep.Windows = append(rep.Windows, compareWindow(&opts, sch, ref, w))
	}
	return rep, nil
}

func joinPaths(p []string) string {
	if len(p) == 1 {
		return p[0]
	}
	return fmt.Sprint(p)
}

func rangeText(since, until *time.Time) string {
	switch {
	case since != nil && until != nil:
		return fmt.Sprintf(" between %s and %s", since.Format(time.RFC3339), until.Format(time.RFC3339))
	case since != nil:
		return " since " + since.Format(time.RFC3339)
	case until != nil:
		return " before " + until.Format(time.RFC3339)
	}
	return ""
}

// readSide reads a whole side into one collector.
func (r *reader) readSide(ctx context.Context, in Input, side string, _ *collector) (*collector, report.Source, error) {
	kind, err := in.kind()
	if err != nil {
		return nil, report.Source{}, fmt.Errorf("%s: %w", side, err)
	}
	src := report.Source{Kind: kind, Paths: in.Paths}
	var c *collector
	switch kind {
	case KindProfile:
		p, err := readProfiles(in.Paths)
		if err != nil {
			return nil, src, err
		}
		c = fromProfile(r.sch, p)
	case KindBundle:
		p, m, err := readBundleProfile(in.Paths[0])
		if err != nil {
			return nil, src, err
		}
		if r.opts.Bundle == nil {
			r.opts.Bundle = m
		}
		src.Kind = KindProfile
		c = fromProfile(r.sch, p)
		c.rows = m.Baseline.Rows
	case KindLog:
		c = newCollector(r.sch)
		if _, err := r.readLog(in.Paths[0], func(time.Time) (*collector, error) { return c, nil }); err != nil {
			return nil, src, err
		}
	case KindDataset:
		c = newCollector(r.sch)
		names, err := r.readDatasets(ctx, in.Paths, c)
		if err != nil {
			return nil, src, err
		}
		src.Paths = names
	default:
		return nil, src, fmt.Errorf("%s: unknown input kind %q", side, kind)
	}
	if err := c.finish(); err != nil {
		return nil, src, fmt.Errorf("%s: %w", side, err)
	}
	src.Rows = c.rows
	return c, src, nil
}

// readLogWindows reads the current log into time windows.
func (r *reader) readLogWindows(dir string, rep *report.Report) ([]*window, report.Source, error) {
	o := r.opts
	src := report.Source{Kind: KindLog, Paths: []string{dir}, Since: o.Since, Until: o.Until}
	byIndex := map[int64]*window{}
	index := func(t time.Time) int64 {
		if o.Window == 0 {
			return 0
		}
		var d time.Duration
		if o.Since != nil {
			d = t.Sub(*o.Since)
		} else {
			d = time.Duration(t.UnixNano())
		}
		return int64(math.Floor(float64(d) / float64(o.Window)))
	}
	pick := func(t time.Time) (*collector, error) {
		if (o.Since != nil && t.Before(*o.Since)) || (o.Until != nil && !t.Before(*o.Until)) {
			return nil, nil
		}
		i := index(t)
		w, ok := byIndex[i]
		if !ok {
			if len(byIndex) >= maxWindows {
				return nil, fmt.Errorf("prediction log %s: more than %d windows of %v: use a longer --window or a shorter --since/--until range", dir, maxWindows, o.Window)
			}
			w = r.newWindow(i)
			byIndex[i] = w
		}
		return w.c, nil
	}
	first, err := r.readLog(dir, pick)
	if err != nil {
		return nil, src, err
	}
	if first != nil && o.Bundle == nil {
		rep.Model = &report.Model{Name: first.Model, Version: first.Version, UUID: first.UUID}
	} else if o.Bundle != nil {
		rep.Model = &report.Model{Name: o.Bundle.Name, Version: o.Bundle.Version, UUID: o.Bundle.UUID}
	}
	// Windows with no rows between the first and the last (or across
	// --since/--until) are reported as empty, not skipped.
	if o.Window > 0 {
		lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
		for i := range byIndex {
			lo, hi = min(lo, i), max(hi, i)
		}
		if o.Since != nil {
			lo = min(lo, 0)
		}
		if o.Until != nil {
			hi = max(hi, index(o.Until.Add(-1)))
		}
		if len(byIndex) > 0 || (o.Since != nil && o.Until != nil) {
			if hi-lo >= maxWindows {
				return nil, src, fmt.Errorf("prediction log %s: %d windows of %v: at most %d", dir, hi-lo+1, o.Window, maxWindows)
			}
			for i := lo; i <= hi; i++ {
				if _, ok := byIndex[i]; !ok {
					byIndex[i] = r.newWindow(i)
				}
			}
		}
	}
	keys := make([]int64, 0, len(byIndex))
	for i := range byIndex {
		keys = append(keys, i)
	}
	sort.Slice(keys, func(a, b int) bool { return keys[a] < keys[b] })
	var out []*window
	for _, i := range keys {
		w := byIndex[i]
		if err := w.c.finish(); err != nil {
			return nil, src, err
		}
		src.Rows += w.c.rows
		out = append(out, w)
	}
	return out, src, nil
}

func (r *reader) newWindow(i int64) *window {
	w := &window{c: newCollector(r.sch)}
	if o := r.opts; o.Window > 0 {
		var start time.Time
		if o.Since != nil {
			start = o.Since.Add(time.Duration(i) * o.Window)
		} else {
			start = time.Unix(0, i*int64(o.Window)).UTC()
		}
		end := start.Add(o.Window)
		w.start, w.end = &start, &end
	}
	return w
}

// checkColumns refuses comparisons whose feature columns do not match:
// every feature on one side must be on the other (predictions may be
// missing from a baseline made from training data), and every column
// --columns names must exist.
func checkColumns(o *Options, ref *collector, windows []*window, baseline, current Input) error {
	cur := map[string]bool{}
	for _, w := range windows {
		for name := range w.c.cols {
			cur[name] = true
		}
	}
	rows := int64(0)
	for _, w := range windows {
		rows += w.c.rows
	}
	for _, name := range o.Columns {
		if ref.cols[name] == nil && !cur[name] {
			return fmt.Errorf("--columns: no column %q in baseline %s or current %s", name, joinPaths(baseline.Paths), joinPaths(current.Paths))
		}
	}
	for _, name := range ref.sch.order {
		if ref.sch.roleOf(name) == RolePrediction || name == o.LabelColumn || !o.wanted(name) {
			continue
		}
		_, inRef := ref.cols[name]
		switch {
		case inRef && !cur[name]:
			return fmt.Errorf("schema mismatch: column %q is in baseline %s but not in current %s", name, joinPaths(baseline.Paths), joinPaths(current.Paths))
		case !inRef && cur[name]:
			return fmt.Errorf("schema mismatch: column %q is in current %s but not in baseline %s", name, joinPaths(current.Paths), joinPaths(baseline.Paths))
		}
	}
	return nil
}

// compareWindow compares one window with the baseline.
func compareWindow(o *Options, sch *schema, ref *collector, w *window) report.Window {
	rw := report.Window{Start: w.start, End: w.end, Rows: w.c.rows}
	if w.c.rows == 0 {
		rw.Empty = "no rows in this window"
		rw.Columns = []report.Column{}
		rw.Dataset = report.Dataset{Threshold: datasetShare(o)}
		return rw
	}
	var results []stats.Result
	for _, name := range sch.order {
		if name == o.LabelColumn || !o.wanted(name) {
			continue
		}
		role := sch.roleOf(name)
		rc, cc := ref.cols[name], w.c.cols[name]
		var col = reportColumn(o, name, role, rc, cc)
		if col == nil {
			continue
		}
		rw.Columns = append(rw.Columns, *col)
		results = append(results, stats.Result{Tested: col.Tested, Drift: col.Drift})
	}
	d := stats.Dataset(results, o.DriftShare)
	rw.Dataset = report.Dataset{Columns: d.Columns, Tested: d.Tested, Drifted: d.Drifted, Share: d.Share, Threshold: d.Threshold, Drift: d.Drift}
	sortColumns(rw.Columns)
	if w.c.perf != nil {
		label := o.LabelColumn
		if label == "" {
			label = o.LabelsFile
		}
		rw.Performance = performance(label, ref.perf, w.c.perf)
	}
	if rw.Columns == nil {
		rw.Columns = []report.Column{}
	}
	return rw
}

func datasetShare(o *Options) float64 {
	if o.DriftShare == 0 {
		return stats.DefaultDriftShare
	}
	return o.DriftShare
}

func reportColumn(o *Options, name, role string, rc, cc *profile.Column) *report.Column {
	switch {
	case rc == nil && cc == nil:
		return nil
	case rc == nil:
		c := missingColumn(name, role, cc.Kind, "not in the baseline")
		return &c
	case cc == nil:
		c := missingColumn(name, role, rc.Kind, "not in the current data")
		return &c
	}
	c := compareColumn(name, role, rc, cc, o.options(name))
	return &c
}

// sortColumns puts features before predictions and, within each, drifted
// columns first, keeping the columns' order otherwise.
func sortColumns(cols []report.Column) {
	rank := func(c report.Column) int {
		r := 0
		if c.Role == RolePrediction {
			r += 2
		}
		if !c.Drift {
			r++
		}
		return r
	}
	sort.SliceStable(cols, func(a, b int) bool { return rank(cols[a]) < rank(cols[b]) })
}

// Profile reads one input (data sets, a log, or profiles to merge) into a
// profile.
func Profile(ctx context.Context, in Input, opts Options) (*profile.Profile, int64, error) {
	if err := opts.check(); err != nil {
		return nil, 0, err
	}
	sch := newSchema(&opts)
	r := &reader{sch: sch, opts: &opts}
	c, src, err := r.readSide(ctx, in, "input", nil)
	if err != nil {
		return nil, 0, err
	}
	return c.prof, src.Rows, nil
}
