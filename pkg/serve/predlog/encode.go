package predlog

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// lineEncoder turns one Entry into its JSON lines, one per row. It appends
// into buffers it reuses, so the writer allocates nothing per row.
type lineEncoder struct {
	head []byte // {"ts":…,"request_id":…,"row":
	mid  []byte // ,"model":…,"latency_ms":…,"inputs":{
	line []byte
}

// begin prepares the parts every row of e shares and returns the row count.
func (enc *lineEncoder) begin(e *Entry) int {
	ts := e.Time.UTC()
	if y := ts.Year(); y < 0 || y > 9999 {
		ts = time.Now().UTC() // RFC 3339 has four-digit years; readers would refuse the line
	}
	b := append(enc.head[:0], `{"ts":"`...)
	b = ts.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","request_id":`...)
	b = appendString(b, e.RequestID)
	b = append(b, `,"row":`...)
	enc.head = b

	b = append(enc.mid[:0], `,"model":`...)
	b = appendString(b, e.Model)
	b = append(b, `,"version":`...)
	b = appendString(b, e.Version)
	b = append(b, `,"uuid":`...)
	b = appendString(b, e.UUID)
	b = append(b, `,"protocol":`...)
	b = appendString(b, e.Protocol)
	b = append(b, `,"latency_ms":`...)
	b = appendFloat(b, float64(e.Latency)/float64(time.Millisecond), 64)
	b = append(b, `,"inputs":{`...)
	enc.mid = b

	return max(batchRows(e.Inputs), batchRows(e.Outputs))
}

// row returns the line for row i, newline included; valid until the next call.
func (enc *lineEncoder) row(e *Entry, i int) []byte {
	b := append(enc.line[:0], enc.head...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, enc.mid...)
	b = appendColumns(b, e.Inputs, i)
	b = append(b, `},"outputs":{`...)
	b = appendColumns(b, e.Outputs, i)
	b = append(b, "}}\n"...)
	enc.line = b
	return b
}

func appendColumns(b []byte, batch flavors.Batch, i int) []byte {
	for k := range batch.Tensors {
		t := &batch.Tensors[k]
		if k > 0 {
			b = append(b, ',')
		}
		b = appendString(b, t.Name)
		b = append(b, ':')
		b = appendRow(b, t, i)
	}
	return b
}

// batchRows is the number of rows to write for a batch: the largest row
// count among its well-formed tensors that hold at least one element per
// row. A tensor with empty rows ([N, 0]) does not count, so a shape alone
// can never make the writer emit rows that hold no data.
func batchRows(b flavors.Batch) int {
	n := 0
	for k := range b.Tensors {
		t := &b.Tensors[k]
		if rows, width, ok := geometry(t); ok && width > 0 {
			n = max(n, rows)
		}
	}
	return n
}

// geometry is a tensor's rows and row width, and whether its data, shape and
// null mask agree. The writer trusts nothing else about a tensor.
func geometry(t *flavors.Tensor) (rows, width int, ok bool) {
	rows, width = 1, 1
	for d, n := range t.Shape {
		if n < 0 || n > math.MaxInt32 {
			return 0, 0, false
		}
		if d == 0 {
			rows = int(n)
			continue
		}
		if width > math.MaxInt32/max(int(n), 1) {
			return 0, 0, false
		}
		width *= int(n)
	}
	if rows > 0 && width > math.MaxInt32/rows {
		return 0, 0, false
	}
	n := dataLen(t.Data)
	if n != rows*width || (t.Null != nil && len(t.Null) != n) {
		return 0, 0, false
	}
	return rows, width, true
}

// appendRow writes row i of t: a scalar for [N], nested lists for [N, K, …],
// null for a row the tensor does not have.
func appendRow(b []byte, t *flavors.Tensor, i int) []byte {
	rows, width, ok := geometry(t)
	switch {
	case !ok || i >= rows:
		return append(b, "null"...)
	case len(t.Shape) <= 1:
		return appendValues(b, t, i, i+1)
	case width == 0:
		return append(b, "[]"...)
	}
	return appendNested(b, t, t.Shape[1:], i*width, width)
}

// appendNested writes the elements [off, off+size) shaped as dims.
func appendNested(b []byte, t *flavors.Tensor, dims []int64, off, size int) []byte {
	b = append(b, '[')
	if len(dims) == 1 {
		b = appendValues(b, t, off, off+size)
		return append(b, ']')
	}
	stride := size / int(dims[0])
	for j := 0; j < int(dims[0]); j++ {
		if j > 0 {
			b = append(b, ',')
		}
		b = appendNested(b, t, dims[1:], off+j*stride, stride)
	}
	return append(b, ']')
}

// appendValues writes elements [lo, hi) separated by commas; missing
// elements (Null, NaN, ±Inf) are null.
func appendValues(b []byte, t *flavors.Tensor, lo, hi int) []byte {
	null := t.Null
	for j := lo; j < hi; j++ {
		if j > lo {
			b = append(b, ',')
		}
		if null != nil && null[j] {
			b = append(b, "null"...)
			continue
		}
		switch d := t.Data.(type) {
		case []float64:
			b = appendFloat(b, d[j], 64)
		case []float32:
			b = appendFloat(b, float64(d[j]), 32)
		case []int64:
			b = strconv.AppendInt(b, d[j], 10)
		case []int32:
			b = strconv.AppendInt(b, int64(d[j]), 10)
		case []int16:
			b = strconv.AppendInt(b, int64(d[j]), 10)
		case []int8:
			b = strconv.AppendInt(b, int64(d[j]), 10)
		case []uint64:
			b = strconv.AppendUint(b, d[j], 10)
		case []uint32:
			b = strconv.AppendUint(b, uint64(d[j]), 10)
		case []uint16:
			if t.DType == flavors.FP16 {
				b = appendFloat(b, float64(flavors.HalfToFloat32(d[j])), 32)
			} else {
				b = strconv.AppendUint(b, uint64(d[j]), 10)
			}
		case []uint8:
			b = strconv.AppendUint(b, uint64(d[j]), 10)
		case []bool:
			b = strconv.AppendBool(b, d[j])
		case []string:
			b = appendString(b, d[j])
		default:
			b = append(b, "null"...)
		}
	}
	return b
}

func dataLen(data any) int {
	switch d := data.(type) {
	case []float64:
		return len(d)
	case []float32:
		return len(d)
	case []int64:
		return len(d)
	case []int32:
		return len(d)
	case []int16:
		return len(d)
	case []int8:
		return len(d)
	case []uint64:
		return len(d)
	case []uint32:
		return len(d)
	case []uint16:
		return len(d)
	case []uint8:
		return len(d)
	case []bool:
		return len(d)
	case []string:
		return len(d)
	}
	return -1
}

// appendFloat writes f as encoding/json does (plain decimals between 1e-6
// and 1e21, exponent form outside), shortest form that reads back exactly;
// NaN and ±Inf, which JSON cannot hold, become null.
func appendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// 1e-07 → 1e-7, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does, so every line is valid JSON whatever BYTES hold.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but end lines in JavaScript.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
