package pmml

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// verifiedRegression is y = 1 + 2x + 3(s=red), with a ModelVerification
// table whose expected cells are set by the caller.
func verifiedRegression(fields, rows string) string {
	return pmmlDoc(dictXYS + `<RegressionModel functionName="regression">` + schemaXYS + `
	 <ModelVerification recordCount="3" fieldCount="3">
	  <VerificationFields>` + fields + `</VerificationFields>
	  <InlineTable>` + rows + `</InlineTable>
	 </ModelVerification>
	 <RegressionTable intercept="1">
	  <NumericPredictor name="x" coefficient="2"/>
	  <CategoricalPredictor name="s" value="red" coefficient="3"/>
	 </RegressionTable></RegressionModel>`)
}

const verifyFields = `<VerificationField field="x" column="data:x"/><VerificationField field="s" column="data:s"/>
	<VerificationField field="t" column="data:t" precision="PREC"/>`

func verifyRows(t0, t1, t2 string) string {
	return `<row><data:x>1</data:x><data:s>red</data:s><data:t>` + t0 + `</data:t></row>
	 <row><data:x>0.5</data:x><data:s>blue</data:s><data:t>` + t1 + `</data:t></row>
	 <row><data:s>red</data:s><data:t>` + t2 + `</data:t></row>`
}

func TestSelfVerify(t *testing.T) {
	for _, tc := range []struct {
		name       string
		prec       string
		t0, t1, t2 string
		mismatches []string
	}{
		{"exact", "1E-6", "6", "2", "", nil},
		{"within precision", "1E-6", "6.000001", "1.999999", "", nil},
		{"outside precision", "1E-9", "6.000001", "2", "", []string{`record 1, field "t": expected 6.000001, got 6 (precision 1e-09)`}},
		{"missing expected but scored", "1E-6", "6", "", "", []string{`record 2, field "t": expected a missing value, got 2`}},
		{"scored missing but expected", "1E-6", "6", "2", "4", []string{`record 3, field "t": expected 4, got a missing value`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, verifiedRegression(strings.ReplaceAll(verifyFields, "PREC", tc.prec), verifyRows(tc.t0, tc.t1, tc.t2)))
			v, err := m.SelfVerify(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if v.Records != 3 || v.Values != 3 {
				t.Errorf("records %d values %d, want 3 and 3", v.Records, v.Values)
			}
			if strings.Join(v.Mismatches, "\n") != strings.Join(tc.mismatches, "\n") {
				t.Errorf("mismatches:\n%s\nwant:\n%s", strings.Join(v.Mismatches, "\n"), strings.Join(tc.mismatches, "\n"))
			}
		})
	}
}

func TestSelfVerifyClassification(t *testing.T) {
	// simplemax: P(a) = x / (x + y), so the cases are exact.
	doc := pmmlDoc(dictXYS + `<RegressionModel functionName="classification" normalizationMethod="simplemax">` + schemaXYSC + `
	 <Output><OutputField name="p_a" feature="probability" value="a"/></Output>
	 <ModelVerification>
	  <VerificationFields><VerificationField field="x"/><VerificationField field="y"/><VerificationField field="c"/><VerificationField field="p_a" zeroThreshold="1e-12"/></VerificationFields>
	  <InlineTable>
	   <row><x>3</x><y>1</y><c>a</c><p_a>0.75</p_a></row>
	   <row><x>1</x><y>3</y><c>b</c><p_a>0.25</p_a></row>
	   <row><x>0</x><y>2</y><c>b</c><p_a>0</p_a></row>
	  </InlineTable>
	 </ModelVerification>
	 <RegressionTable intercept="0" targetCategory="a"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
	 <RegressionTable intercept="0" targetCategory="b"><NumericPredictor name="y" coefficient="1"/></RegressionTable>
	</RegressionModel>`)
	m := mustParse(t, doc)
	v, err := m.SelfVerify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v.Records != 3 || v.Values != 6 || !v.Passed() {
		t.Errorf("got %+v, want 3 records, 6 values, no mismatches", v)
	}
	bad := mustParse(t, strings.Replace(doc, "<c>b</c><p_a>0.25", "<c>a</c><p_a>0.25", 1))
	v, err = bad.SelfVerify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := `record 2, field "c": expected "a", got "b"`; len(v.Mismatches) != 1 || v.Mismatches[0] != want {
		t.Errorf("mismatches %q, want [%q]", v.Mismatches, want)
	}
}

func TestSelfVerifyWithoutCases(t *testing.T) {
	m := mustParse(t, verifiedRegression(strings.ReplaceAll(verifyFields, "PREC", "1e-6"), verifyRows("6", "2", "")))
	m.verify = nil
	v, err := m.SelfVerify(context.Background())
	if err != nil || v.Records != 0 || !v.Passed() {
		t.Errorf("got %+v, %v; want no records, no error", v, err)
	}
}

func TestSelfVerifyRefusesBadTables(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown field": verifiedRegression(`<VerificationField field="nope"/>`, verifyRows("6", "2", "")),
		"record count":  verifiedRegression(verifyFields, verifyRows("6", "2", "")+`<row/>`),
		"bad precision": verifiedRegression(strings.ReplaceAll(verifyFields, "PREC", "tight"), verifyRows("6", "2", "")),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(doc))
			if !errors.Is(err, flavors.ErrInvalidInput) {
				t.Errorf("err = %v, want an invalid-document error", err)
			}
		})
	}
}

func TestCompareVerified(t *testing.T) {
	num := verifyColumn{numeric: true, precision: 1e-6, zero: 1e-16}
	for _, tc := range []struct {
		want, got string
		ok        bool
	}{
		{"1", "1.0", true}, {"0", "1e-17", true}, {"0", "1e-15", false},
		{"NaN", "1", false}, {"x", "x", false}, {"100", "100.00009", true}, {"100", "100.001", false},
	} {
		msg := compareVerified(num, tc.want, tc.got, false)
		if (msg == "") != tc.ok {
			t.Errorf("compare(%q, %q) = %q, want ok=%v", tc.want, tc.got, msg, tc.ok)
		}
	}
	text := verifyColumn{precision: 1e-6, zero: 1e-16}
	if msg := compareVerified(text, "x", "x", false); msg != "" {
		t.Errorf("equal labels differ: %s", msg)
	}
	if msg := compareVerified(text, "1", "1.0", false); msg != "" {
		t.Errorf("numeric labels 1 and 1.0 differ: %s", msg)
	}
}
