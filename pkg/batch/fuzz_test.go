package batch

import (
	"bytes"
	"io"
	"testing"

	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
)

var fuzzInputs = []flavors.Spec{
	{Name: "x", DType: flavors.FP64, Shape: []int64{-1}},
	{Name: "n", DType: flavors.Int64, Shape: []int64{-1}, Nullable: true},
	{Name: "s", DType: flavors.Bytes, Shape: []int64{-1}},
	{Name: "b", DType: flavors.Bool, Shape: []int64{-1}, Nullable: true},
}

// convertAll reads a whole CSV or JSON lines body through batch's reader
// and conversion, as a run would, in chunks of 3 rows.
func convertAll(body []byte, format Format) (flavors.Batch, []rowError, error) {
	rs := readSpec{columns: []string{"x", "n", "s", "b"}, chunkRows: 3}
	var cr chunkReader
	var err error
	if format == CSV {
		cr, err = newCSVChunks(bytes.NewReader(body), "fuzz.csv", rs)
	} else {
		cr, err = newJSONLChunks(bytes.NewReader(body), "fuzz.jsonl", rs)
	}
	if err != nil {
		return flavors.Batch{}, nil, err
	}
	defer cr.Close()
	var parts []flavors.Batch
	var errs []rowError
	for {
		ch, err := cr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return flavors.Batch{}, nil, err
		}
		c := toBatch(ch, fuzzInputs, []int{0, 1, 2, 3})
		ch.rec.Release()
		if err := c.batch.Validate(); err != nil {
			panic(err)
		}
		parts = append(parts, c.batch)
		errs = append(errs, c.errs...)
	}
	if len(parts) == 0 {
		return flavors.Batch{}, errs, nil
	}
	b, err := flavors.ConcatRows(parts)
	return b, errs, err
}

// checkAgainstCodec: when mlctl predict's decoder accepts a whole body and
// batch rejects no row, both give the same values.
func checkAgainstCodec(t *testing.T, body []byte, format Format) {
	got, errs, err := convertAll(body, format)
	cf := codec.CSV
	if format == JSONLines {
		cf = codec.JSONLines
	}
	want, werr := codec.Decode(bytes.NewReader(body), cf, fuzzInputs)
	if err != nil || werr != nil || len(errs) > 0 || want.Rows() == 0 {
		return
	}
	if got.Rows() != want.Rows() {
		t.Fatalf("rows: batch %d, codec %d", got.Rows(), want.Rows())
	}
	for _, wt := range want.Tensors {
		gt, _ := got.Get(wt.Name)
		gs, ws := gt.Strings(), wt.Strings()
		for i := range ws {
			if gt.IsNull(i) != wt.IsNull(i) {
				t.Fatalf("%s row %d: null %v vs codec %v", wt.Name, i, gt.IsNull(i), wt.IsNull(i))
			}
			if gs[i] != ws[i] && !(isNaNText(gs[i]) && isNaNText(ws[i])) {
				t.Fatalf("%s row %d: batch %q, codec %q", wt.Name, i, gs[i], ws[i])
			}
		}
	}
}

func isNaNText(s string) bool { return s == "NaN" || s == "" }

func FuzzCSVToBatch(f *testing.F) {
	f.Add([]byte("x,n,s,b\n1.5,2,a,true\n,NA,b,\n3,4.0,\"c,d\",false\n"))
	f.Add([]byte("b,s,n,x\ntrue,x,1,2\nnope,y,2.5,z\n"))
	f.Add([]byte("x,n,s,b\n1e309,9223372036854775807,,1\n"))
	f.Add([]byte("\ufeffx,n,s,b\n1,2,3,0\n"))
	f.Add([]byte("x,n,s\n1,2,3\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAgainstCodec(t, body, CSV)
	})
}

func FuzzJSONLToBatch(f *testing.F) {
	f.Add([]byte(`{"x":1.5,"n":2,"s":"a","b":true}` + "\n" + `{"x":null,"n":null,"s":"b"}` + "\n"))
	f.Add([]byte(`{"x":"2","n":"3","s":4,"b":"false"}` + "\n[1,2,3]\nnot json\n"))
	f.Add([]byte(`{"x":1e400,"n":1.5,"s":{"a":1},"b":1}`))
	f.Add([]byte("\n\n" + `{"x":1,"n":2,"s":"","b":false}` + "\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAgainstCodec(t, body, JSONLines)
	})
}

// TestConvertNamesRowAndColumn pins the messages of rejected rows.
func TestConvertNamesRowAndColumn(t *testing.T) {
	for _, tc := range []struct {
		name   string
		body   string
		format Format
		want   []rowError
	}{
		{"csv text in a number", "x,n,s,b\n1,2,a,true\nwide,2,a,true\n", CSV,
			[]rowError{{Row: 1, Column: "x", Reason: `expected FP64, got "wide"`}}},
		{"csv fraction in an integer", "x,n,s,b\n1,2.5,a,true\n", CSV,
			[]rowError{{Row: 0, Column: "n", Reason: `expected INT64, got "2.5"`}}},
		{"csv missing required", "x,n,s,b\n,2,a,true\n", CSV,
			[]rowError{{Row: 0, Column: "x", Reason: "value is missing, expected FP64 (the field is not nullable)"}}},
		{"jsonl not an object", "{\"x\":1,\"s\":\"a\"}\n[1,2]\n", JSONLines,
			[]rowError{{Row: 1, Reason: "expected a JSON object of column values, got a JSON array"}}},
		{"jsonl bad boolean", "{\"x\":1,\"s\":\"a\",\"b\":\"maybe\"}\n", JSONLines,
			[]rowError{{Row: 0, Column: "b", Reason: `expected BOOL, got "maybe"`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, err := convertAll([]byte(tc.body), tc.format)
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) != len(tc.want) {
				t.Fatalf("errors %+v, want %+v", errs, tc.want)
			}
			for i := range errs {
				if errs[i] != tc.want[i] {
					t.Fatalf("error %d: %+v, want %+v", i, errs[i], tc.want[i])
				}
			}
		})
	}
}
