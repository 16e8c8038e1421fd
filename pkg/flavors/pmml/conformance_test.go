package pmml

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

var update = flag.Bool("update", false, "rewrite testdata/conformance_baseline.txt and docs/pmml-conformance.md")

const (
	baselineFile = "testdata/conformance_baseline.txt"
	regenCommand = "go test ./pkg/flavors/pmml -run TestConformance -update"
)

// precisions are the reference suite's per-case tolerances (README.md).
var precisions = map[string]float64{
	"LogisticRegressionIris": 1e-11, "LogisticRegressionAudit": 1e-10,
	"NeuralNetworkIris": 1e-6, "NeuralNetworkAuto": 1e-6, "NeuralNetworkAudit": 1e-5,
	"GBMAuto": 1e-7, "LibSVMAuto": 1e-7,
}

// moduleRoot walks up to the directory holding go.mod.
func moduleRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

type conformanceCase struct {
	name, status string
	rows, passed int
}

func TestConformance(t *testing.T) {
	root := moduleRoot(t)
	dir := filepath.Join(root, "..", "shared", "conformance", "pmml-rattle")
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Skipf("conformance set not found at %s (expected ../shared/conformance/pmml-rattle from the module root): %v", dir, err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "pmml", "*.pmml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no PMML files under %s: %v", dir, err)
	}
	sort.Strings(files)
	var cases []conformanceCase
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".pmml")
		cases = append(cases, runConformanceCase(t, dir, name))
	}
	var table strings.Builder
	pass := 0
	fmt.Fprintf(&table, "| model | rows | passed | status |\n|---|---:|---:|---|\n")
	var passing []string
	for _, c := range cases {
		fmt.Fprintf(&table, "| %s | %d | %d | %s |\n", c.name, c.rows, c.passed, c.status)
		if c.status == "pass" {
			pass++
			passing = append(passing, c.name)
		}
	}
	t.Logf("conformance: %d of %d cases pass\n%s", pass, len(cases), table.String())

	if *update {
		if err := os.WriteFile(baselineFile, []byte(strings.Join(passing, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		doc := fmt.Sprintf("# PMML conformance\n\nThe PMML evaluator (`pkg/flavors/pmml`) against the R/Rattle conformance set\n"+
			"(`../shared/conformance/pmml-rattle`, expected outputs from JPMML-Evaluator), with the reference\n"+
			"suite's tolerances. \"unsupported\" is a model type the evaluator refuses at load.\n\n"+
			"%d of %d cases pass. Regenerate this page and the test's baseline with:\n\n    %s\n\n%s",
			pass, len(cases), regenCommand, table.String())
		if err := os.WriteFile(filepath.Join(root, "docs", "pmml-conformance.md"), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(baselineFile)
	if err != nil {
		t.Fatalf("read baseline (create it with %s): %v", regenCommand, err)
	}
	byName := map[string]conformanceCase{}
	for _, c := range cases {
		byName[c.name] = c
	}
	for _, name := range strings.Fields(string(raw)) {
		if c := byName[name]; c.status != "pass" {
			t.Errorf("%s regressed: %d of %d rows pass, status %q", name, c.passed, c.rows, c.status)
		}
	}
}

func runConformanceCase(t *testing.T, dir, name string) conformanceCase {
	c := conformanceCase{name: name}
	dataset := datasetOf(dir, name)
	if dataset == "" {
		c.status = "no input CSV"
		return c
	}
	f, err := os.Open(filepath.Join(dir, "pmml", name+".pmml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := Parse(f)
	if errors.Is(err, flavors.ErrUnsupported) {
		c.status = "unsupported"
		t.Logf("%s: %v", name, err)
		return c
	}
	if err != nil {
		c.status = "load error"
		t.Logf("%s: %v", name, err)
		return c
	}
	in := readCSV(t, filepath.Join(dir, "csv", dataset+".csv"))
	want := readCSV(t, filepath.Join(dir, "csv", name+".csv"))
	c.rows = len(want.rows)
	var batch flavors.Batch
	for _, sp := range m.Signature().Inputs {
		col, ok := in.column(sp.Name)
		if !ok {
			c.status = "input CSV lacks " + sp.Name
			return c
		}
		batch.Tensors = append(batch.Tensors, col)
	}
	out, err := m.Predict(context.Background(), batch)
	if err != nil {
		c.status = "predict error"
		t.Logf("%s: %v", name, err)
		return c
	}
	prec := 1e-13
	if p, ok := precisions[name]; ok {
		prec = p
	}
	cols := make([]flavors.Tensor, len(want.header))
	for j, h := range want.header {
		got, ok := out.Get(h)
		if !ok && m.root.target != nil && h == m.root.target.name {
			got, ok = out.Get(outPrediction)
			if m.root.fn == fnClassification {
				got, ok = out.Get(outLabel)
			}
		}
		if !ok {
			c.status = "no output " + h
			return c
		}
		cols[j] = got
	}
	failures := 0
	for r, row := range want.rows {
		ok := true
		for j, cell := range row {
			if !cellMatches(cols[j], r, cell, prec) {
				ok = false
				if failures < 3 {
					t.Logf("%s row %d column %s: expected %q, got %s", name, r, want.header[j], cell, cellString(cols[j], r))
				}
			}
		}
		if ok {
			c.passed++
		} else {
			failures++
		}
	}
	c.status = "pass"
	if c.passed != c.rows {
		c.status = "mismatch"
	}
	return c
}

// datasetOf finds the input CSV a model reads: csv/<Dataset>.csv where the
// model is named <Algorithm><Dataset> and no model is named <Dataset>.
func datasetOf(dir, name string) string {
	best := ""
	csvs, _ := filepath.Glob(filepath.Join(dir, "csv", "*.csv"))
	for _, p := range csvs {
		d := strings.TrimSuffix(filepath.Base(p), ".csv")
		if _, err := os.Stat(filepath.Join(dir, "pmml", d+".pmml")); err == nil {
			continue // another model's expected results (RegressionAuto for GeneralRegressionAuto)
		}
		if d != name && strings.HasSuffix(name, d) && len(d) > len(best) {
			best = d
		}
	}
	return best
}

type csvTable struct {
	header []string
	rows   [][]string
}

func readCSV(t *testing.T, path string) csvTable {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("read %s: %v", path, err)
	}
	return csvTable{header: recs[0], rows: recs[1:]}
}

func isNA(s string) bool { return s == "NA" || s == "N/A" }

// column returns a CSV column as text, NA cells as nulls.
func (c csvTable) column(name string) (flavors.Tensor, bool) {
	for j, h := range c.header {
		if h != name {
			continue
		}
		data := make([]string, len(c.rows))
		null := make([]bool, len(c.rows))
		for i, r := range c.rows {
			data[i], null[i] = r[j], isNA(r[j])
		}
		return flavors.Tensor{Name: name, DType: flavors.Bytes, Shape: []int64{int64(len(data))}, Data: data, Null: null}, true
	}
	return flavors.Tensor{}, false
}

func cellString(t flavors.Tensor, r int) string {
	if t.IsNull(r) {
		return "null"
	}
	switch d := t.Data.(type) {
	case []float64:
		return strconv.FormatFloat(d[r], 'g', -1, 64)
	case []string:
		return strconv.Quote(d[r])
	}
	return "?"
}

// cellMatches applies the reference suite's rule: within expected·(1±p),
// or both within ±p of zero; text exactly.
func cellMatches(t flavors.Tensor, r int, cell string, prec float64) bool {
	if isNA(cell) {
		return t.IsNull(r)
	}
	if t.IsNull(r) {
		return false
	}
	switch d := t.Data.(type) {
	case []float64:
		want, err := strconv.ParseFloat(cell, 64)
		if err != nil {
			return false
		}
		got := d[r]
		if math.Abs(want) <= prec && math.Abs(got) <= prec {
			return true
		}
		return math.Abs(got-want) <= math.Abs(want)*prec
	case []string:
		return d[r] == cell
	}
	return false
}
