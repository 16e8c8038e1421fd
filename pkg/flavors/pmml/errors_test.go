package pmml

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

func TestParseRefuses(t *testing.T) {
	tree := func(extra string) string {
		return pmmlDoc(dictXYS + `<TreeModel functionName="regression"` + extra + `>` + schemaXYS + `<Node score="1"><True/></Node></TreeModel>`)
	}
	tests := []struct {
		name, doc string
		kind      error
		mention   string
	}{
		{"malformed XML", `<PMML version="4.4"><DataDictionary>`, flavors.ErrInvalidInput, "malformed XML"},
		{"not PMML", `<html/>`, flavors.ErrInvalidInput, "<html>"},
		{"unsupported model", pmmlDoc(dictXYS + "\n<BaselineModel functionName=\"regression\"/>"), flavors.ErrUnsupported, "BaselineModel is not supported (line 8)"},
		{"unknown element", pmmlDoc(dictXYS + `<Gizmo/>`), flavors.ErrUnsupported, "<Gizmo> is not supported"},
		{"unknown child", strings.Replace(tree(""), "<Node score", "<Gizmo/><Node score", 1), flavors.ErrUnsupported, "<Gizmo> inside <TreeModel>"},
		{"unknown attribute", tree(` frobnicate="yes"`), flavors.ErrUnsupported, "attribute frobnicate"},
		{"unsupported attribute value", tree(` missingValueStrategy="psychic"`), flavors.ErrUnsupported, `missingValueStrategy="psychic"`},
		{"unsupported function", exprDoc(`<Apply function="frobnicate"><FieldRef field="x"/></Apply>`), flavors.ErrUnsupported, `function "frobnicate"`},
		{"wrong arity", exprDoc(`<Apply function="+"><FieldRef field="x"/></Apply>`), flavors.ErrInvalidInput, "function + takes 2 arguments"},
		{"undeclared field", exprDoc(`<FieldRef field="nope"/>`), flavors.ErrInvalidInput, `field "nope"`},
		{"unsupported dataType", pmmlDoc(`<DataDictionary><DataField name="d" optype="continuous" dataType="dateDaysSince[2000]"/></DataDictionary>`), flavors.ErrUnsupported, `dataType "dateDaysSince[2000]"`},
		{"two models", pmmlDoc(dictXYS + `<TreeModel/><TreeModel/>`), flavors.ErrUnsupported, "2 models"},
		{"no model", pmmlDoc(dictXYS), flavors.ErrInvalidInput, "no model"},
		{"selectAll", pmmlDoc(dictXYS + `<MiningModel functionName="regression">` + schemaXYS + segments("selectAll", constTree("1")) + `</MiningModel>`), flavors.ErrUnsupported, "selectAll"},
		{"too deep", strings.Repeat("<a>", MaxNesting+1), flavors.ErrInvalidInput, "nest deeper"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.doc))
			if !errors.Is(err, tc.kind) {
				t.Fatalf("got %v, want an error wrapping %v", err, tc.kind)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
		})
	}
}

func TestPredictRefuses(t *testing.T) {
	m := mustParse(t, schemaDoc(""))
	x, _ := flavors.Column("x", []float64{1})
	k, _ := flavors.Column("k", []int64{1})
	boolX, _ := flavors.Column("x", []bool{true})
	short, _ := flavors.Column("k", []int64{1, 2})
	matrix := flavors.Tensor{Name: "x", DType: flavors.FP64, Shape: []int64{1, 2}, Data: []float64{1, 2}}
	tests := []struct {
		name    string
		batch   flavors.Batch
		mention string
	}{
		{"missing column", flavors.Batch{Tensors: []flavors.Tensor{x}}, `input "k" is missing`},
		{"wrong dtype", flavors.Batch{Tensors: []flavors.Tensor{boolX, k}}, `input "x": expected a numeric column`},
		{"ragged batch", flavors.Batch{Tensors: []flavors.Tensor{x, short}}, "rows"},
		{"not a column", flavors.Batch{Tensors: []flavors.Tensor{matrix, k}}, "shape [N]"},
		{"text not a number", textBatch(map[string][]string{"x": {"abc"}, "k": {"1"}}), `input "x" row 0: "abc" is not a valid value`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Predict(context.Background(), tc.batch)
			if !errors.Is(err, flavors.ErrInvalidInput) {
				t.Fatalf("got %v, want an error wrapping ErrInvalidInput", err)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
		})
	}
}

func TestFlavorLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.pmml")
	if err := os.WriteFile(path, []byte(schemaDoc("")), 0o644); err != nil {
		t.Fatal(err)
	}
	var fl flavors.Flavor = Flavor{}
	if fl.Name() != "pmml" {
		t.Errorf("name %q", fl.Name())
	}
	m, err := fl.Load(context.Background(), path, flavors.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.(*Model); !ok {
		t.Fatalf("Load returned %T, want *Model", m)
	}
	if err := m.Close(); err != nil {
		t.Error(err)
	}
	if _, err := fl.Load(context.Background(), filepath.Join(dir, "absent.pmml"), flavors.LoadOptions{}); err == nil {
		t.Error("loading a missing file succeeded")
	}
}
