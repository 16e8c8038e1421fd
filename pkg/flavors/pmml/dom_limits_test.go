package pmml

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

func TestDocumentLimits(t *testing.T) {
	nested := func(n int) string {
		return strings.Repeat(`<Apply function="abs">`, n) + `<FieldRef field="x"/>` + strings.Repeat(`</Apply>`, n)
	}
	billion := `<?xml version="1.0"?><!DOCTYPE PMML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>` +
		`<PMML version="4.4"><Header description="&c;"/></PMML>`
	tests := []struct {
		name string
		doc  string
		kind error
		want string
	}{
		{"entity expansion", billion, flavors.ErrUnsupported, "DTD entities"},
		{"undeclared entity", pmmlDoc(`<Header description="&x;"/>`), flavors.ErrInvalidInput, "malformed XML"},
		{"100k nested Apply", exprDoc(nested(100_000)), flavors.ErrInvalidInput, "nest deeper than 2000"},
		{"huge attribute", pmmlDoc(`<Header description="` + strings.Repeat("x", MaxAttributeBytes+1) + `"/>`), flavors.ErrInvalidInput, "attribute description of <Header>"},
		{"huge pattern", exprDoc(`<Apply function="matches"><FieldRef field="s"/><Constant>` + strings.Repeat("a|", MaxPatternLength) + `</Constant></Apply>`), flavors.ErrUnsupported, "limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.doc))
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %v containing %q", err, tc.kind, tc.want)
			}
		})
	}
	// Nesting just under the limit compiles: the limit, not the
	// expression compiler, is what stops deep documents.
	mustParse(t, exprDoc(nested(MaxNesting-10)))
}
