package batch

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/compress"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// unit is one part's worth of work: an input file, or a run of row groups
// of a Parquet file. Its name depends only on the input's position and the
// run of row groups, so every rerun and every shard agrees on it.
type unit struct {
	index     int // position in the run's list of units
	src       Source
	srcIndex  int
	chunk     int
	rowGroups []int // Parquet runs only
	weight    int64 // bytes, for progress
}

func (u *unit) partName() string  { return fmt.Sprintf("part-%05d-%03d.parquet", u.srcIndex, u.chunk) }
func (u *unit) errorName() string { return fmt.Sprintf("errors-%05d-%03d.jsonl", u.srcIndex, u.chunk) }

// planUnits lists the units of every source, in order.
func planUnits(ctx context.Context, o *Options) ([]*unit, error) {
	var units []*unit
	for i, src := range o.Sources {
		f, err := FormatOf(src.Name())
		if err != nil {
			return nil, err
		}
		if f != Parquet || o.RowGroupsPerPart <= 0 {
			units = append(units, &unit{index: len(units), src: src, srcIndex: i, weight: src.Size()})
			continue
		}
		pf, err := openParquetFile(ctx, src, o.BatchRows, nil)
		if err != nil {
			return nil, err
		}
		n := pf.pf.NumRowGroups()
		pf.Close()
		per := o.RowGroupsPerPart
		for c, lo := 0, 0; lo < n || (n == 0 && c == 0); c, lo = c+1, lo+per {
			var rgs []int
			for rg := lo; rg < min(lo+per, n); rg++ {
				rgs = append(rgs, rg)
			}
			w := src.Size() * int64(len(rgs)) / int64(max(n, 1))
			units = append(units, &unit{index: len(units), src: src, srcIndex: i, chunk: c, rowGroups: rgs, weight: w})
			if n == 0 {
				break
			}
		}
	}
	return units, nil
}

// columnsOf lists an input's column names and their arrow types: all text
// for CSV and JSON lines, the file's types for Parquet.
func columnsOf(ctx context.Context, src Source) ([]arrow.Field, error) {
	format, gz, err := formatOf(src.Name())
	if err != nil {
		return nil, err
	}
	var names []string
	if format == Parquet {
		pf, err := openParquetFile(ctx, src, 1, nil)
		if err != nil {
			return nil, err
		}
		defer pf.Close()
		sc, err := pf.far.Schema()
		if err != nil {
			return nil, err
		}
		return sc.Fields(), nil
	}
	rc, err := src.Open(ctx)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", src.Name(), err)
	}
	defer rc.Close()
	var r io.Reader = rc
	if gz {
		zr, err := gzip.NewReader(rc)
		if err != nil {
			return nil, fmt.Errorf("%w: input %s: %v", flavors.ErrInvalidInput, src.Name(), err)
		}
		r = zr
	}
	if format == CSV {
		cr, err := newCSVChunks(r, src.Name(), readSpec{chunkRows: 1})
		if err != nil {
			return nil, err
		}
		names = cr.header
		cr.Close()
	} else if names, err = jsonlColumns(r, src.Name()); err != nil {
		return nil, fmt.Errorf("%w: %v", flavors.ErrInvalidInput, err)
	}
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: arrow.BinaryTypes.String, Nullable: true}
	}
	return fields, nil
}

// checkColumns fails fast when an input lacks a column the model needs or
// holds it in a type batch cannot convert, naming the columns.
func checkColumns(src Source, have []arrow.Field, inputs []flavors.Spec, jsonl bool) error {
	names := make([]string, len(have))
	for i, f := range have {
		names[i] = f.Name
	}
	var want []string
	for _, sp := range inputs {
		// A JSON line may leave out a nullable field; a CSV column must be there.
		if !(jsonl && sp.Nullable) {
			want = append(want, sp.Name)
		}
	}
	if err := missingColumns(src.Name(), want, names); err != nil {
		return err
	}
	for _, f := range have {
		if _, ok := flavors.FindSpec(inputs, f.Name); ok && !convertible(f.Type) {
			return fmt.Errorf("%w: input %s: column %q is %s; model input %q needs numbers, booleans or text", flavors.ErrInvalidInput, src.Name(), f.Name, f.Type, f.Name)
		}
	}
	return nil
}

// keepFields chooses the kept columns and their types from the first input.
func keepFields(have []arrow.Field, o *Options) ([]arrow.Field, error) {
	if o.KeepAll {
		return have, nil
	}
	out := make([]arrow.Field, 0, len(o.Keep))
	for _, k := range o.Keep {
		found := false
		for _, f := range have {
			if f.Name == k {
				out = append(out, f)
				found = true
				break
			}
		}
		if !found {
			names := make([]string, len(have))
			for i, f := range have {
				names[i] = f.Name
			}
			return nil, fmt.Errorf("%w: --keep %q: input %s has no such column; found %v", flavors.ErrInvalidInput, k, o.Sources[0].Name(), names)
		}
	}
	return out, nil
}

// probeOutputs learns the outputs' dtypes and widths by scoring the
// example, so that the schema is fixed before the first part and the same
// on every rerun.
func probeOutputs(ctx context.Context, o *Options) ([]flavors.Spec, error) {
	var specs []flavors.Spec
	if o.Example.Rows() > 0 {
		m := o.Model
		if o.exampleModel != nil {
			m = o.exampleModel
		}
		out, err := m.Predict(ctx, o.Example)
		if err != nil {
			return nil, fmt.Errorf("scoring the input example before the run: %w", err)
		}
		for _, t := range out.Tensors {
			specs = append(specs, flavors.Spec{Name: t.Name, DType: t.DType, Shape: append([]int64{-1}, t.Shape[min(1, len(t.Shape)):]...)})
		}
	} else {
		specs = o.Model.Signature().Outputs
	}
	if len(o.Outputs) == 0 {
		return specs, nil
	}
	var chosen []flavors.Spec
	for _, name := range o.Outputs {
		sp, ok := flavors.FindSpec(specs, name)
		if !ok {
			return nil, fmt.Errorf("output %q: the model gives %s", name, flavors.SpecNames(specs))
		}
		chosen = append(chosen, sp)
	}
	return chosen, nil
}

// settingsDigest is what a rerun must agree on to reuse a manifest.
func settingsDigest(o *Options, l *layout) string {
	names := make([]string, len(o.Sources))
	for i, s := range o.Sources {
		names[i] = s.Name()
	}
	raw, _ := json.Marshal(struct {
		Sources          []string
		Schema           string
		Compression      string
		BatchRows        int
		RowGroupRows     int
		RowGroupsPerPart int
		OnError          OnError
		Shard            string
		ModelUUID        string
	}{names, l.schema.String(), o.Compression, o.BatchRows, o.RowGroupRows, o.RowGroupsPerPart, o.OnError, o.Shard.String(), o.ModelUUID})
	return fmt.Sprintf("sha256:%x", sha256.Sum256(raw))
}

func compressionCodec(name string) (compress.Compression, error) {
	switch name {
	case "zstd":
		return compress.Codecs.Zstd, nil
	case "snappy":
		return compress.Codecs.Snappy, nil
	case "none":
		return compress.Codecs.Uncompressed, nil
	}
	return compress.Codecs.Uncompressed, fmt.Errorf("compression %q: expected zstd, snappy or none", name)
}

// digestSource reads a whole input for its sha256 (Parquet inputs, whose
// reader reads only the column chunks it needs).
func digestSource(ctx context.Context, src Source) (string, error) {
	rc, err := src.Open(ctx)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", fmt.Errorf("input %s: %w", src.Name(), err)
	}
	return fmt.Sprintf("sha256:%x", h.Sum(nil)), nil
}
