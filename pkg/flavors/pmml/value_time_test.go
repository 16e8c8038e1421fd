package pmml

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// dateDoc declares one input field "d" of the given dataType and scores
// expr as a BYTES output "out".
func dateDoc(dataType, expr string) string {
	return pmmlDoc(`<DataDictionary>
	 <DataField name="d" optype="continuous" dataType="` + dataType + `"/>
	 <DataField name="t" optype="continuous" dataType="double"/>
	</DataDictionary>
	<RegressionModel functionName="regression">
	 <MiningSchema><MiningField name="d"/><MiningField name="t" usageType="target"/></MiningSchema>
	 <Output><OutputField name="out" feature="transformedValue" dataType="string">` + expr + `</OutputField></Output>
	 <RegressionTable intercept="0"/>
	</RegressionModel>`)
}

// Expected counts: Python's datetime, e.g.
// (date(2003,4,1)-date(1960,1,1)).days == 15796, and days since year 0
// 366+(date(2003,4,1)-date(1,1,1)).days == 731671; the 1960 examples are
// the PMML 4.4 spec's (dateDaysSinceYear, dateSecondsSinceYear).
func TestTemporalTypesAndFunctions(t *testing.T) {
	ref := `<FieldRef field="d"/>`
	tests := []struct {
		name, dataType, expr, in, want string
	}{
		{"date as text", "date", ref, "2003-04-01", "2003-04-01"},
		{"dateDaysSinceYear 1960", "date", `<Apply function="dateDaysSinceYear"><FieldRef field="d"/><Constant>1960</Constant></Apply>`, "2003-04-01", "15796"},
		{"dateDaysSinceYear 1970", "date", `<Apply function="dateDaysSinceYear"><FieldRef field="d"/><Constant>1970</Constant></Apply>`, "2003-04-01", "12143"},
		{"dateDaysSinceYear 0", "date", `<Apply function="dateDaysSinceYear"><FieldRef field="d"/><Constant>0</Constant></Apply>`, "2003-04-01", "731671"},
		{"dateDaysSinceYear of a dateTime", "dateTime", `<Apply function="dateDaysSinceYear"><FieldRef field="d"/><Constant>1960</Constant></Apply>`, "2003-04-01T23:59:59", "15796"},
		{"dateSecondsSinceYear", "dateTime", `<Apply function="dateSecondsSinceYear"><FieldRef field="d"/><Constant>1960</Constant></Apply>`, "1960-01-03T03:30:03", "185403"},
		{"dateSecondsSinceMidnight of dateTime", "dateTime", `<Apply function="dateSecondsSinceMidnight"><FieldRef field="d"/></Apply>`, "1960-01-03T03:30:03", "12603"},
		{"dateSecondsSinceMidnight of time", "time", `<Apply function="dateSecondsSinceMidnight"><FieldRef field="d"/></Apply>`, "03:30:03", "12603"},
		{"dateTime with Z and fraction", "dateTime", ref, "2003-04-01T10:00:00.5Z", "2003-04-01T10:00:00.5"},
		{"date from a dateTime input", "date", ref, "2003-04-01T10:00:00", "2003-04-01"},
		{"dateDaysSince[1960] from text", "dateDaysSince[1960]", ref, "2003-04-01", "15796"},
		{"dateDaysSince[1970] from a count", "dateDaysSince[1970]", ref, "12143", "12143"},
		{"dateDaysSince[1980]", "dateDaysSince[1980]", ref, "2003-04-01", "8491"},
		{"dateDaysSince[0]", "dateDaysSince[0]", ref, "2003-04-01", "731671"},
		{"timeSeconds", "timeSeconds", ref, "03:30:03", "12603"},
		{"dateTimeSecondsSince[1970]", "dateTimeSecondsSince[1970]", ref, "1970-01-02T00:00:01", "86401"},
		{"dateTimeSecondsSince[1960]", "dateTimeSecondsSince[1960]", ref, "1960-01-03T03:30:03", "185403"},
		{"count type back to a date", "dateDaysSince[1970]", `<Apply function="dateDaysSinceYear"><FieldRef field="d"/><Constant>1960</Constant></Apply>`, "2003-04-01", "15796"},
		{"formatDatetime", "date", `<Apply function="formatDatetime"><FieldRef field="d"/><Constant>%m/%d/%Y</Constant></Apply>`, "2003-04-01", "04/01/2003"},
		{"formatDatetime clock", "dateTime", `<Apply function="formatDatetime"><FieldRef field="d"/><Constant>%F %H:%M:%S (%a %b %j)</Constant></Apply>`, "2003-04-01T13:05:09", "2003-04-01 13:05:09 (Tue Apr 091)"},
		{"date comparison", "date", `<Apply function="lessThan"><FieldRef field="d"/><Constant dataType="date">2004-01-01</Constant></Apply>`, "2003-12-31", "true"},
		{"date equality", "date", `<Apply function="equal"><FieldRef field="d"/><Constant dataType="date">2003-12-31</Constant></Apply>`, "2003-12-31", "true"},
		{"date equals its text", "date", `<Apply function="equal"><FieldRef field="d"/><Constant>2003-12-31</Constant></Apply>`, "2003-12-31", "true"},
		{"dateTime before a text", "dateTime", `<Apply function="lessThan"><FieldRef field="d"/><Constant>2003-12-31T10:00:00</Constant></Apply>`, "2003-12-31T09:59:59", "true"},
		{"date isIn", "date", `<Apply function="isIn"><FieldRef field="d"/><Constant>2003-01-01</Constant><Constant>2003-12-31</Constant></Apply>`, "2003-12-31", "true"},
		{"missing date", "date", `<Apply function="dateDaysSinceYear"><FieldRef field="d"/><Constant>1960</Constant></Apply>`, "", "null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, dateDoc(tc.dataType, tc.expr))
			got := predictText(t, m, map[string][]string{"d": {tc.in}}, "out")
			if got[0] != tc.want {
				t.Errorf("got %s, want %s", got[0], tc.want)
			}
		})
	}
}

func TestTemporalInputInvalid(t *testing.T) {
	for _, tc := range []struct{ dataType, in string }{
		{"date", "2003-02-30"},
		{"date", "yesterday"},
		{"time", "25:00:00"},
		{"dateTime", "2003-04-01T10:00:00+02:00"},
		{"dateDaysSince[1970]", "12.5"},
		{"timeSeconds", "2003-04-01"},
	} {
		m := mustParse(t, dateDoc(tc.dataType, `<FieldRef field="d"/>`))
		_, err := m.Predict(context.Background(), textBatch(map[string][]string{"d": {tc.in}}))
		if !errors.Is(err, flavors.ErrInvalidInput) || !strings.Contains(err.Error(), `"d"`) {
			t.Errorf("%s %q: got %v, want an invalid-input error naming d", tc.dataType, tc.in, err)
		}
	}
}

// A tree over a date field: SimplePredicate and SimpleSetPredicate read
// their values as dates; Values of the DataField are compared as dates.
func TestTemporalPredicates(t *testing.T) {
	doc := pmmlDoc(`<DataDictionary>
	 <DataField name="d" optype="ordinal" dataType="date"><Value value="2003-01-01"/><Value value="2003-06-30"/><Value value="2003-12-31"/></DataField>
	 <DataField name="t" optype="continuous" dataType="double"/>
	</DataDictionary>
	<TreeModel functionName="regression">
	 <MiningSchema><MiningField name="d"/><MiningField name="t" usageType="target"/></MiningSchema>
	 <Node score="0"><True/>
	  <Node score="1"><SimpleSetPredicate field="d" booleanOperator="isIn"><Array type="string">2003-12-31</Array></SimpleSetPredicate></Node>
	  <Node score="2"><SimplePredicate field="d" operator="lessThan" value="2003-06-30"/></Node>
	  <Node score="3"><True/></Node>
	 </Node>
	</TreeModel>`)
	m := mustParse(t, doc)
	got := predictText(t, m, map[string][]string{"d": {"2003-12-31", "2003-01-01", "2003-06-30"}}, outPrediction)
	if strings.Join(got, ",") != "1,2,3" {
		t.Errorf("got %v, want [1 2 3]", got)
	}
	_, err := m.Predict(context.Background(), textBatch(map[string][]string{"d": {"2003-02-01"}}))
	if !errors.Is(err, flavors.ErrInvalidInput) {
		t.Errorf("a date outside the Values: got %v, want invalid input", err)
	}
}
