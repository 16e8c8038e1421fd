package codec

import (
	"encoding/json"
	"math"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Responses are written by appending to a pooled buffer, column by column:
// a tiny model's whole response costs less than building it as maps would.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// appendValues appends elements lo..hi of t as a JSON list, or a lone
// scalar when scalar is set. NaN, ±Inf and nulls become null.
func appendValues(b []byte, t *flavors.Tensor, lo, hi int, scalar bool) []byte {
	if !scalar {
		b = append(b, '[')
	}
	for i := lo; i < hi; i++ {
		if i > lo {
			b = append(b, ',')
		}
		if t.Null != nil && t.Null[i] {
			b = append(b, "null"...)
			continue
		}
		switch d := t.Data.(type) {
		case []float64:
			b = appendFloat(b, d[i], 64)
		case []float32:
			b = appendFloat(b, float64(d[i]), 32)
		case []int64:
			b = strconv.AppendInt(b, d[i], 10)
		case []int32:
			b = strconv.AppendInt(b, int64(d[i]), 10)
		case []int16:
			b = strconv.AppendInt(b, int64(d[i]), 10)
		case []int8:
			b = strconv.AppendInt(b, int64(d[i]), 10)
		case []uint8:
			b = strconv.AppendUint(b, uint64(d[i]), 10)
		case []uint16:
			if t.DType == flavors.FP16 {
				b = appendFloat(b, float64(flavors.HalfToFloat32(d[i])), 32)
			} else {
				b = strconv.AppendUint(b, uint64(d[i]), 10)
			}
		case []uint32:
			b = strconv.AppendUint(b, uint64(d[i]), 10)
		case []uint64:
			b = strconv.AppendUint(b, d[i], 10)
		case []bool:
			b = strconv.AppendBool(b, d[i])
		case []string:
			b = appendString(b, d[i])
		default:
			b = append(b, "null"...)
		}
	}
	if !scalar {
		b = append(b, ']')
	}
	return b
}

// appendFloat formats as encoding/json does: shortest round-trip digits,
// exponent form only for very large or small magnitudes; non-finite → null.
func appendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, bits)
}

// appendString writes a JSON string; plain text is copied as is, anything
// needing escapes goes through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendRow appends one row of every tensor as a JSON object.
func appendRow(b []byte, out flavors.Batch, r int) []byte {
	b = append(b, '{')
	for j := range out.Tensors {
		t := &out.Tensors[j]
		if j > 0 {
			b = append(b, ',')
		}
		b = appendString(b, t.Name)
		b = append(b, ':')
		w := t.RowWidth()
		b = appendValues(b, t, r*w, (r+1)*w, w == 1 && len(t.Shape) <= 1)
	}
	return append(b, '}')
}
