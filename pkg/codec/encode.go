package codec

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// EncodeJSON writes outputs as an MLflow scoring response:
// {"predictions": [...]}. A single output is a list of its rows; several
// outputs are a list of records keyed by output name, in output order.
func EncodeJSON(w io.Writer, out flavors.Batch) error {
	bp := bufPool.Get().(*[]byte)
	b := append((*bp)[:0], `{"predictions":[`...)
	n := out.Rows()
	single := len(out.Tensors) == 1
	for r := 0; r < n; r++ {
		if r > 0 {
			b = append(b, ',')
		}
		if single {
			t := &out.Tensors[0]
			w := t.RowWidth()
			b = appendValues(b, t, r*w, (r+1)*w, w == 1 && len(t.Shape) <= 1)
		} else {
			b = appendRow(b, out, r)
		}
	}
	b = append(b, "]}\n"...)
	_, err := w.Write(b)
	*bp = b
	bufPool.Put(bp)
	return err
}

// EncodeJSONLines writes one record per row.
func EncodeJSONLines(w io.Writer, out flavors.Batch) error {
	bw := bufio.NewWriter(w)
	var b []byte
	for r := 0; r < out.Rows(); r++ {
		b = appendRow(b[:0], out, r)
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// EncodeCSV writes one CSV row per batch row. A [N,K] output becomes K
// columns named output_<class> when classes name them, else output_<k>.
func EncodeCSV(w io.Writer, out flavors.Batch, classes []string) error {
	cw := csv.NewWriter(w)
	var header []string
	type col struct {
		t     flavors.Tensor
		text  []string
		width int
	}
	cols := make([]col, len(out.Tensors))
	for i, t := range out.Tensors {
		width := t.RowWidth()
		cols[i] = col{t: t, text: csvCells(t), width: width}
		if width == 1 && len(t.Shape) <= 1 {
			header = append(header, t.Name)
			continue
		}
		for k := 0; k < width; k++ {
			suffix := strconv.Itoa(k)
			if len(classes) == width && t.Name == "probabilities" {
				suffix = classes[k]
			}
			header = append(header, fmt.Sprintf("%s_%s", t.Name, suffix))
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, 0, len(header))
	for r := 0; r < out.Rows(); r++ {
		rec = rec[:0]
		for _, c := range cols {
			rec = append(rec, c.text[r*c.width:(r+1)*c.width]...)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvCells(t flavors.Tensor) []string {
	out := make([]string, t.Len())
	switch d := t.Data.(type) {
	case []float32:
		for i, v := range d {
			out[i] = strconv.FormatFloat(float64(v), 'g', -1, 32)
		}
	default:
		copy(out, t.Strings())
	}
	for i := range t.Null {
		if t.Null[i] {
			out[i] = ""
		}
	}
	return out
}
