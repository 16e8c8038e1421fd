package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// WriteJSON writes the report as indented JSON (two spaces), fields in the
// order report.go declares them, ending in a newline.
//
// JSON has no NaN or infinity, and encoding/json refuses them, yet a
// report may hold them: a statistic that is +Inf (chi-square with a
// category never seen in the reference), a score or p-value that is NaN (a
// column that could not be tested), a metric with no value (ROC AUC with
// one class), an open-ended bin edge. Every such number is written as
// null; readers treat null as "not a finite number". Everything else is
// exactly what encoding/json writes.
func WriteJSON(w io.Writer, r *Report) error {
	if r == nil {
		return fmt.Errorf("write drift report JSON: report is nil")
	}
	var compact bytes.Buffer
	if err := encodeFinite(&compact, reflect.ValueOf(r), "report"); err != nil {
		return fmt.Errorf("write drift report JSON: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return fmt.Errorf("write drift report JSON: %w", err)
	}
	out.WriteByte('\n')
	if _, err := w.Write(out.Bytes()); err != nil {
		return fmt.Errorf("write drift report JSON: %w", err)
	}
	return nil
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// encodeFinite encodes v as encoding/json would, except that non-finite
// floats become null. It walks structs, pointers, slices and string-keyed
// maps itself, because a float may sit anywhere in them, and hands every
// other value (strings, ints, bools, time.Time) to encoding/json. path
// names the value in errors.
func encodeFinite(b *bytes.Buffer, v reflect.Value, path string) error {
	if !v.IsValid() {
		b.WriteString("null")
		return nil
	}
	if v.Type().Implements(marshalerType) && v.Kind() != reflect.Pointer {
		return marshalLeaf(b, v, path)
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			b.WriteString("null")
			return nil
		}
		return marshalLeaf(b, v, path)
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		return encodeFinite(b, v.Elem(), path)
	case reflect.Struct:
		return encodeStruct(b, v, path)
	case reflect.Slice:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return marshalLeaf(b, v, path) // []byte is base64
		}
		fallthrough
	case reflect.Array:
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encodeFinite(b, v.Index(i), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return marshalLeaf(b, v, path)
		}
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, c reflect.Value) int { return strings.Compare(a.String(), c.String()) })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := marshalLeaf(b, reflect.ValueOf(k.String()), path); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := encodeFinite(b, v.MapIndex(k), path+"."+k.String()); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	}
	return marshalLeaf(b, v, path)
}

func encodeStruct(b *bytes.Buffer, v reflect.Value, path string) error {
	b.WriteByte('{')
	first := true
	var walk func(v reflect.Value) error
	walk = func(v reflect.Value) error {
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" && opts == "" {
				continue
			}
			fv := v.Field(i)
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				// An embedded struct's fields are promoted, as in encoding/json.
				if err := walk(fv); err != nil {
					return err
				}
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if hasOption(opts, "omitempty") && isEmptyValue(fv) {
				continue
			}
			if hasOption(opts, "omitzero") && fv.IsZero() {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			if err := marshalLeaf(b, reflect.ValueOf(name), path); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := encodeFinite(b, fv, path+"."+name); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(v); err != nil {
		return err
	}
	b.WriteByte('}')
	return nil
}

func marshalLeaf(b *bytes.Buffer, v reflect.Value, path string) error {
	data, err := json.Marshal(v.Interface())
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	b.Write(data)
	return nil
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// isEmptyValue is encoding/json's omitempty rule.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
