package pmml

import (
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// sklearnConformanceDir holds the scikit-learn models exported to PMML by
// examples/make_pmml_conformance.py, with scikit-learn's predictions as the
// expected output (see its README.md).
const sklearnConformanceDir = "../../../examples/pmml-conformance"

// pendingModelTypes are PMML model elements the evaluator does not support
// yet. Files whose top-level model is one of these are skipped, by name;
// remove an entry as soon as the evaluator supports the type, so that its
// files are checked.
var pendingModelTypes = map[string]string{}

// sklearnDefaultTolerance is the relative tolerance for float64 outputs:
// the PMML files repeat scikit-learn's arithmetic, so only summation order
// and libm differences (a few ulps) separate the two.
const sklearnDefaultTolerance = 1e-9

// sklearnTolerances lists files that need a looser tolerance, with why.
// Labels and cluster ids are always compared exactly.
var sklearnTolerances = map[string]struct {
	tolerance float64
	reason    string
}{}

// sklearnClusterColumn is the OutputField the KMeans export declares.
const sklearnClusterColumn = "cluster"

func TestSklearnConformance(t *testing.T) {
	pmmlFiles, err := filepath.Glob(filepath.Join(sklearnConformanceDir, "*.pmml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pmmlFiles) == 0 {
		t.Fatalf("no PMML files under %s; regenerate them with /usr/bin/python3 examples/make_pmml_conformance.py", sklearnConformanceDir)
	}
	slices.Sort(pmmlFiles)
	for _, path := range pmmlFiles {
		name := strings.TrimSuffix(filepath.Base(path), ".pmml")
		t.Run(name, func(t *testing.T) { checkSklearnFile(t, name, path) })
	}
}

func checkSklearnFile(t *testing.T, name, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	modelType, err := sklearnModelType(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if why, pending := pendingModelTypes[modelType]; pending {
		t.Skipf("%s: %s is in pendingModelTypes (%s); remove it from there once the evaluator supports it", name, modelType, why)
	}
	m, err := Parse(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("%s: parse: %v", path, err)
	}
	input := readSklearnCSV(t, filepath.Join(sklearnConformanceDir, name+".input.csv"))
	want := readSklearnCSV(t, filepath.Join(sklearnConformanceDir, name+".expected.csv"))
	if len(input.rows) != len(want.rows) || len(want.rows) == 0 {
		t.Fatalf("%s: %d input rows and %d expected rows; want the same, non-zero", name, len(input.rows), len(want.rows))
	}
	var batch flavors.Batch
	for _, spec := range m.Signature().Inputs {
		column, ok := input.textColumn(spec.Name)
		if !ok {
			t.Fatalf("%s.input.csv has no column %q (header %v)", name, spec.Name, input.header)
		}
		batch.Tensors = append(batch.Tensors, column)
	}
	out, err := m.Predict(context.Background(), batch)
	if err != nil {
		t.Fatalf("%s: predict: %v", name, err)
	}
	tolerance := sklearnDefaultTolerance
	if special, ok := sklearnTolerances[name]; ok {
		tolerance = special.tolerance
	}
	failures := 0
	for j, column := range want.header {
		got, probabilityColumn, err := sklearnOutputFor(m, out, column, j == 0)
		if err != nil {
			t.Fatalf("%s: expected column %q: %v", name, column, err)
		}
		for r, row := range want.rows {
			cell := row[j]
			if msg := compareSklearnCell(got, r, cell, tolerance); msg != "" {
				failures++
				if failures <= 10 {
					t.Errorf("%s row %d column %s: got %s, want %s (%s)", name, r, column, sklearnCellText(got, r), cell, msg)
				}
			}
			if probabilityColumn < 0 {
				continue
			}
			// The same probability must be in "probabilities", at the class's
			// column in Classes() order.
			probabilities, _ := out.Get(outProbabilities)
			value, ok := probabilityAt(probabilities, r, probabilityColumn)
			if !ok || !sklearnClose(value, cell, tolerance) {
				failures++
				if failures <= 10 {
					t.Errorf("%s row %d column %s: %q tensor holds %v (present %t), want %s", name, r, column, outProbabilities, value, ok, cell)
				}
			}
		}
	}
	if failures > 10 {
		t.Errorf("%s: %d mismatches in all (first 10 shown)", name, failures)
	}
}

// sklearnModelType returns the name of the document's top-level model
// element (the first child of PMML that is not a header or dictionary).
func sklearnModelType(raw []byte) (string, error) {
	decoder := xml.NewDecoder(strings.NewReader(string(raw)))
	depth := 0
	for {
		token, err := decoder.Token()
		if errors.Is(err, io.EOF) {
			return "", errors.New("no model element under <PMML>")
		}
		if err != nil {
			return "", err
		}
		switch el := token.(type) {
		case xml.StartElement:
			depth++
			if depth != 2 {
				continue
			}
			switch el.Name.Local {
			case "Header", "MiningBuildTask", "DataDictionary", "TransformationDictionary", "Extension":
			default:
				return el.Name.Local, nil
			}
		case xml.EndElement:
			depth--
		}
	}
}

// sklearnOutputFor finds the output tensor an expected column is checked
// against: the first column (named after the target) is the "label" or
// "prediction" tensor, or the "cluster" OutputField of a clustering model;
// the others are OutputFields by name. For a probability_<class> column it
// also returns the class's index in Classes(), else -1.
func sklearnOutputFor(m *Model, out flavors.Batch, column string, first bool) (flavors.Tensor, int, error) {
	if first && column != sklearnClusterColumn {
		name := outPrediction
		if m.Classes() != nil {
			name = outLabel
		}
		got, ok := out.Get(name)
		if !ok {
			return flavors.Tensor{}, -1, fmt.Errorf("model returned no %q output", name)
		}
		return got, -1, nil
	}
	got, ok := out.Get(column)
	if !ok {
		return flavors.Tensor{}, -1, fmt.Errorf("model returned no output named %q", column)
	}
	class, isProbability := strings.CutPrefix(column, "probability_")
	if !isProbability {
		return got, -1, nil
	}
	index := slices.Index(m.Classes(), class)
	if index < 0 {
		return flavors.Tensor{}, -1, fmt.Errorf("class %q is not in Classes() %v", class, m.Classes())
	}
	return got, index, nil
}

func probabilityAt(probabilities flavors.Tensor, row, column int) (float64, bool) {
	data, ok := probabilities.Data.([]float64)
	if !ok || len(probabilities.Shape) != 2 || probabilities.IsNull(row) {
		return 0, false
	}
	width := int(probabilities.Shape[1])
	if column >= width || row*width+column >= len(data) {
		return 0, false
	}
	return data[row*width+column], true
}

// compareSklearnCell says why a cell does not match, or "" when it does.
// Numbers match within want·(1±tol) or when both are within ±tol of zero
// (the rule of the Rattle conformance test); text matches exactly.
func compareSklearnCell(got flavors.Tensor, row int, cell string, tolerance float64) string {
	if got.IsNull(row) {
		return "no prediction"
	}
	switch data := got.Data.(type) {
	case []float64:
		value := data[row]
		if !sklearnClose(value, cell, tolerance) {
			return fmt.Sprintf("outside relative tolerance %g", tolerance)
		}
	case []string:
		if data[row] != cell {
			return "labels differ"
		}
	case []int64:
		if strconv.FormatInt(data[row], 10) != cell {
			return "values differ"
		}
	default:
		return fmt.Sprintf("unexpected output type %T", got.Data)
	}
	return ""
}

func sklearnClose(got float64, cell string, tolerance float64) bool {
	want, err := strconv.ParseFloat(cell, 64)
	if err != nil {
		return false
	}
	if math.Abs(want) <= tolerance && math.Abs(got) <= tolerance {
		return true
	}
	return math.Abs(got-want) <= math.Abs(want)*tolerance
}

func sklearnCellText(t flavors.Tensor, row int) string {
	if t.IsNull(row) {
		return "null"
	}
	switch data := t.Data.(type) {
	case []float64:
		return strconv.FormatFloat(data[row], 'g', -1, 64)
	case []string:
		return strconv.Quote(data[row])
	case []int64:
		return strconv.FormatInt(data[row], 10)
	}
	return fmt.Sprintf("%T", t.Data)
}

type sklearnTable struct {
	header []string
	rows   [][]string
}

func readSklearnCSV(t *testing.T, path string) sklearnTable {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if len(records) == 0 {
		t.Fatalf("%s is empty; want a header row", path)
	}
	return sklearnTable{header: records[0], rows: records[1:]}
}

// textColumn returns a CSV column as a BYTES tensor, as the Rattle
// conformance test feeds its inputs.
func (table sklearnTable) textColumn(name string) (flavors.Tensor, bool) {
	j := slices.Index(table.header, name)
	if j < 0 {
		return flavors.Tensor{}, false
	}
	data := make([]string, len(table.rows))
	for i, row := range table.rows {
		data[i] = row[j]
	}
	return flavors.Tensor{Name: name, DType: flavors.Bytes, Shape: []int64{int64(len(data))}, Data: data}, true
}
