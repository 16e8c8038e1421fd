package codec

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// BenchmarkDecodeJSON reports ns per float decoded for the MLflow and OIP
// shapes (BENCHMARKS.md target: ≤ 80 ns/float).
//
//	go test ./pkg/codec -run '^$' -bench BenchmarkDecodeJSON
func BenchmarkDecodeJSON(b *testing.B) {
	const rows, cols = 256, 8
	inputs := make([]flavors.Spec, cols)
	names := make([]string, cols)
	for j := range inputs {
		names[j] = fmt.Sprintf("f%d", j)
		inputs[j] = flavors.Spec{Name: names[j], DType: flavors.FP64, Shape: []int64{-1}}
	}
	var data, rec, oip strings.Builder
	for i := 0; i < rows; i++ {
		if i > 0 {
			data.WriteByte(',')
			rec.WriteByte(',')
		}
		data.WriteByte('[')
		rec.WriteByte('{')
		for j := 0; j < cols; j++ {
			if j > 0 {
				data.WriteByte(',')
				rec.WriteByte(',')
			}
			v := fmt.Sprintf("%.6f", float64(i*cols+j)*0.731)
			data.WriteString(v)
			fmt.Fprintf(&rec, "%q:%s", names[j], v)
		}
		data.WriteByte(']')
		rec.WriteByte('}')
	}
	for j := 0; j < cols; j++ {
		if j > 0 {
			oip.WriteByte(',')
		}
		fmt.Fprintf(&oip, `{"name":%q,"shape":[%d],"datatype":"FP64","data":[`, names[j], rows)
		for i := 0; i < rows; i++ {
			if i > 0 {
				oip.WriteByte(',')
			}
			fmt.Fprintf(&oip, "%.6f", float64(i*cols+j)*0.731)
		}
		oip.WriteString("]}")
	}
	cases := map[string]string{
		"dataframe_split":   `{"dataframe_split":{"columns":["` + strings.Join(names, `","`) + `"],"data":[` + data.String() + `]}}`,
		"dataframe_records": `{"dataframe_records":[` + rec.String() + `]}`,
		"instances":         `{"instances":[` + data.String() + `]}`,
		"oip":               `{"inputs":[` + oip.String() + `]}`,
	}
	for name, body := range cases {
		raw := []byte(body)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := Decode(bytes.NewReader(raw), JSON, inputs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows*cols), "ns/float")
		})
	}
}
