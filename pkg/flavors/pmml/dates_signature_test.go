package pmml

import (
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Dates and times travel as ISO 8601 text: the signature says BYTES for
// such an input, and a date-typed output comes back as text, not seconds.
func TestDatesAreTextInTheSignatureAndOutputs(t *testing.T) {
	doc := strings.Replace(dateDoc("date", `<FieldRef field="d"/>`), `dataType="string">`, `dataType="date">`, 1)
	m := mustParse(t, doc)
	if in := m.Signature().Inputs[0]; in.Name != "d" || in.DType != flavors.Bytes {
		t.Errorf("input %s is %s, want d as BYTES", in.Name, in.DType)
	}
	for _, o := range m.Signature().Outputs {
		if o.Name == "out" && o.DType != flavors.Bytes {
			t.Errorf("output out is %s, want BYTES", o.DType)
		}
	}
	if got := predictText(t, m, map[string][]string{"d": {"2003-04-01"}}, "out"); got[0] != "2003-04-01" {
		t.Errorf("out = %s, want 2003-04-01", got[0])
	}
}
