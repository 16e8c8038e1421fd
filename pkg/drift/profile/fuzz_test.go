package profile

import (
	"bytes"
	"testing"

	"github.com/mlctl/mlctl/pkg/drift/stats"
)

func FuzzDecode(f *testing.F) {
	p := New(Limits{MaxValues: 4, MaxCategories: 2, SketchK: 8})
	x, _ := p.Column("x", stats.Numeric)
	y, _ := p.Column("y", stats.Categorical)
	for i := range 40 {
		x.AddFloat(float64(i % 9))
		y.AddString(string(rune('a' + i%3)))
	}
	var buf bytes.Buffer
	if err := p.Encode(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"format":"` + Format + `","limits":{"MaxValues":10,"MaxCategories":10,"SketchK":64},"columns":[{"name":"x","kind":"numeric","rows":2,"min":1,"max":2,"values":[1,2],"value_counts":[1,1]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(data)
		if err != nil {
			return
		}
		// Whatever decodes must compare, merge and round-trip.
		for _, c := range p.Columns {
			_ = Compare(c, c, stats.Options{})
		}
		if err := p.Merge(p); err != nil {
			t.Fatalf("merge with itself: %v", err)
		}
		var out bytes.Buffer
		if err := p.Encode(&out); err != nil {
			t.Fatalf("encode: %v", err)
		}
		if _, err := Decode(out.Bytes()); err != nil {
			t.Fatalf("re-decode of %s: %v", out.Bytes(), err)
		}
	})
}
