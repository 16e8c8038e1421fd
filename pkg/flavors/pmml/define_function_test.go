package pmml

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// udfDoc declares functions in the TransformationDictionary and scores
// expr as "out".
func udfDoc(functions, expr string) string {
	return pmmlDoc(dictXYS + `<TransformationDictionary>` + functions + `</TransformationDictionary>
	<RegressionModel functionName="regression">` + schemaXYS +
		`<Output><OutputField name="out" feature="transformedValue">` + expr + `</OutputField></Output>
		<RegressionTable intercept="0"/></RegressionModel>`)
}

const udfAffine = `<DefineFunction name="affine" optype="continuous" dataType="double">
 <ParameterField name="v" optype="continuous" dataType="double"/>
 <ParameterField name="k" optype="continuous" dataType="double"/>
 <Apply function="+"><Apply function="*"><FieldRef field="v"/><FieldRef field="k"/></Apply><Constant>1</Constant></Apply>
</DefineFunction>`

// square calls affine: functions may call functions declared anywhere.
const udfSquarePlus = `<DefineFunction name="squarePlus" optype="continuous" dataType="double">
 <ParameterField name="v" optype="continuous"/>
 <Apply function="affine"><FieldRef field="v"/><FieldRef field="v"/></Apply>
</DefineFunction>`

func TestDefineFunction(t *testing.T) {
	tests := []struct {
		name, functions, expr string
		x, y                  string
		want                  string
	}{
		{"call", udfAffine, `<Apply function="affine"><FieldRef field="x"/><Constant>3</Constant></Apply>`, "2", "", "7"},
		{"nested calls with different arguments", udfAffine,
			`<Apply function="affine"><Apply function="affine"><FieldRef field="x"/><FieldRef field="y"/></Apply><Constant>10</Constant></Apply>`, "2", "3", "71"},
		{"function calling a function declared before it", udfSquarePlus + udfAffine, `<Apply function="squarePlus"><FieldRef field="x"/></Apply>`, "4", "", "17"},
		{"missing argument reaches the body", udfAffine, `<Apply function="affine"><FieldRef field="x"/><Constant>3</Constant></Apply>`, "", "", "null"},
		{"mapMissingTo of the call", udfAffine, `<Apply function="affine" mapMissingTo="-1"><FieldRef field="x"/><Constant>3</Constant></Apply>`, "", "", "-1"},
		{"in a derived field", udfAffine, `<FieldRef field="viaDerived"/>`, "5", "", "11"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := udfDoc(tc.functions+`<DerivedField name="viaDerived" optype="continuous" dataType="double"><Apply function="affine"><FieldRef field="x"/><Constant>2</Constant></Apply></DerivedField>`, tc.expr)
			m := mustParse(t, doc)
			got := predictText(t, m, map[string][]string{"x": {tc.x}, "y": {tc.y}}, "out")
			if got[0] != tc.want {
				t.Errorf("got %s, want %s", got[0], tc.want)
			}
		})
	}
}

func TestDefineFunctionRefused(t *testing.T) {
	recursive := `<DefineFunction name="f" optype="continuous"><ParameterField name="v"/><Apply function="f"><FieldRef field="v"/></Apply></DefineFunction>`
	mutual := `<DefineFunction name="f" optype="continuous"><ParameterField name="v"/><Apply function="g"><FieldRef field="v"/></Apply></DefineFunction>
	<DefineFunction name="g" optype="continuous"><ParameterField name="v"/><Apply function="f"><FieldRef field="v"/></Apply></DefineFunction>`
	// f0 calls f1 twice, f1 calls f2 twice...: 2^20 inlined bodies.
	var chain strings.Builder
	for i := 0; i < 20; i++ {
		chain.WriteString(`<DefineFunction name="f` + itoa(i) + `" optype="continuous"><ParameterField name="v"/><Apply function="+">` +
			`<Apply function="f` + itoa(i+1) + `"><FieldRef field="v"/></Apply><Apply function="f` + itoa(i+1) + `"><FieldRef field="v"/></Apply></Apply></DefineFunction>`)
	}
	chain.WriteString(`<DefineFunction name="f20" optype="continuous"><ParameterField name="v"/><FieldRef field="v"/></DefineFunction>`)
	tests := []struct {
		name, functions, expr string
		kind                  error
		want                  string
	}{
		{"recursion", recursive, `<Constant>1</Constant>`, flavors.ErrUnsupported, "recursive"},
		{"mutual recursion", mutual, `<Constant>1</Constant>`, flavors.ErrUnsupported, "recursive"},
		{"exponential inlining", chain.String(), `<Constant>1</Constant>`, flavors.ErrUnsupported, "more than 10000"},
		{"wrong arity", udfAffine, `<Apply function="affine"><FieldRef field="x"/></Apply>`, flavors.ErrInvalidInput, "takes 2 arguments"},
		{"body sees only parameters", `<DefineFunction name="h" optype="continuous"><ParameterField name="v"/><FieldRef field="x"/></DefineFunction>`, `<Constant>1</Constant>`, flavors.ErrInvalidInput, `field "x"`},
		{"built-in name", `<DefineFunction name="ln" optype="continuous"><ParameterField name="v"/><FieldRef field="v"/></DefineFunction>`, `<Constant>1</Constant>`, flavors.ErrInvalidInput, "built-in"},
		{"no body", `<DefineFunction name="h" optype="continuous"><ParameterField name="v"/></DefineFunction>`, `<Constant>1</Constant>`, flavors.ErrInvalidInput, "no expression"},
		{"defined twice", udfAffine + udfAffine, `<Constant>1</Constant>`, flavors.ErrInvalidInput, "defined twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(udfDoc(tc.functions, tc.expr)))
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %v containing %q", err, tc.kind, tc.want)
			}
		})
	}
}
