package codec

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// EncodeJSON writes outputs as an MLflow scoring response:
// {"predictions": [...]}. A single output is a list of its rows; several
// outputs are a list of records keyed by output name.
func EncodeJSON(w io.Writer, out flavors.Batch) error {
	rows := Rows(out)
	var preds any = rows
	if len(out.Tensors) == 1 {
		single := make([]any, len(rows))
		for i, r := range rows {
			single[i] = r[out.Tensors[0].Name]
		}
		preds = single
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(map[string]any{"predictions": preds}); err != nil {
		return err
	}
	return bw.Flush()
}

// EncodeJSONLines writes one record per row.
func EncodeJSONLines(w io.Writer, out flavors.Batch) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, r := range Rows(out) {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Rows turns a batch into one record per row; a tensor row wider than one
// element becomes a list.
func Rows(out flavors.Batch) []map[string]any {
	n := out.Rows()
	rows := make([]map[string]any, n)
	for i := range rows {
		rows[i] = make(map[string]any, len(out.Tensors))
	}
	for _, t := range out.Tensors {
		j := EncodeTensor(t)
		w := t.RowWidth()
		for i := 0; i < n; i++ {
			if w == 1 && len(t.Shape) <= 1 {
				rows[i][t.Name] = j.Data[i]
				continue
			}
			rows[i][t.Name] = j.Data[i*w : (i+1)*w]
		}
	}
	return rows
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
