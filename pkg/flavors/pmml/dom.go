package pmml

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Limits on what a document may hold; a client controls the file.
const (
	// MaxDocumentBytes bounds the size of a PMML document.
	MaxDocumentBytes = 256 << 20
	// MaxNesting bounds how deeply elements nest (deep trees nest deeply).
	MaxNesting = 2000
	// MaxElements bounds how many elements a document holds, so that a
	// document of tiny elements cannot take many times its size in memory.
	MaxElements = 8_000_000
	// MaxAttributeBytes bounds one attribute value.
	MaxAttributeBytes = 1 << 20
	// MaxTextBytes bounds the text of one element (an Array of numbers).
	MaxTextBytes = 64 << 20
)

// pmmlNamespaces are the namespaces of the PMML versions this evaluator
// reads; a document may also use none.
var pmmlNamespaces = map[string]bool{
	"":                            true,
	"http://www.dmg.org/PMML-3_0": true, "http://www.dmg.org/PMML-3_1": true, "http://www.dmg.org/PMML-3_2": true,
	"http://www.dmg.org/PMML-4_0": true, "http://www.dmg.org/PMML-4_1": true, "http://www.dmg.org/PMML-4_2": true,
	"http://www.dmg.org/PMML-4_3": true, "http://www.dmg.org/PMML-4_4": true,
}

// elem is one XML element with its namespace stripped: PMML 3.x and 4.x
// differ only in the namespace URI, so names are compared by local part.
type elem struct {
	name  string
	attrs []xml.Attr
	kids  []*elem
	text  string
	line  int
}

// modelError is an error about the document, tied to a line.
type modelError struct {
	msg  string
	line int
	kind error
}

func (e *modelError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("pmml: %s (line %d)", e.msg, e.line)
	}
	return "pmml: " + e.msg
}

func (e *modelError) Unwrap() error { return e.kind }

// unsupported reports something this evaluator does not implement.
func (e *elem) unsupported(format string, args ...any) error {
	return &modelError{msg: fmt.Sprintf(format, args...), line: e.line, kind: flavors.ErrUnsupported}
}

// invalid reports a document that breaks the PMML rules.
func (e *elem) invalid(format string, args ...any) error {
	return &modelError{msg: fmt.Sprintf(format, args...), line: e.line, kind: flavors.ErrInvalidInput}
}

// countingReader fails once more than limit bytes have been read.
type countingReader struct {
	r     io.Reader
	n     int64
	limit int64
}

var errTooLarge = errors.New("document too large")

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.limit {
		return n, errTooLarge
	}
	return n, err
}

// parseDocument reads the XML into an element tree, dropping Extension
// elements (which PMML allows anywhere and evaluators may ignore).
func parseDocument(r io.Reader) (*elem, error) {
	cr := &countingReader{r: r, limit: MaxDocumentBytes}
	dec := xml.NewDecoder(bufio.NewReaderSize(cr, 64<<10))
	dec.CharsetReader = charsetReader
	var stack []*elem
	var root *elem
	var space string // the root's namespace, which every element shares
	skip := 0        // depth inside an ignored element
	count := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return nil, fmt.Errorf("pmml: document exceeds %d bytes: %w", MaxDocumentBytes, flavors.ErrInvalidInput)
			}
			return nil, fmt.Errorf("pmml: malformed XML: %v: %w", err, flavors.ErrInvalidInput)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 || t.Name.Local == "Extension" {
				skip++
				continue
			}
			if len(stack) >= MaxNesting {
				line, _ := dec.InputPos()
				return nil, fmt.Errorf("pmml: elements nest deeper than %d (line %d): %w", MaxNesting, line, flavors.ErrInvalidInput)
			}
			line, _ := dec.InputPos()
			if count++; count > MaxElements {
				return nil, fmt.Errorf("pmml: the document holds more than %d elements (line %d): %w", MaxElements, line, flavors.ErrInvalidInput)
			}
			e := &elem{name: t.Name.Local, line: line}
			for _, a := range t.Attr {
				if a.Name.Space != "" || a.Name.Local == "xmlns" {
					continue // xmlns declarations, xsi:schemaLocation
				}
				if len(a.Value) > MaxAttributeBytes {
					return nil, e.invalid("attribute %s of <%s> is %d bytes, the limit is %d", a.Name.Local, e.name, len(a.Value), MaxAttributeBytes)
				}
				e.attrs = append(e.attrs, xml.Attr{Name: xml.Name{Local: a.Name.Local}, Value: a.Value})
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("pmml: malformed XML: more than one root element: %w", flavors.ErrInvalidInput)
				}
				if !pmmlNamespaces[t.Name.Space] {
					return nil, e.unsupported("the root element's namespace %q is not one of PMML 3.0 to 4.4 (http://www.dmg.org/PMML-4_4 and the like)", t.Name.Space)
				}
				root, space = e, t.Name.Space
			} else if t.Name.Space != space && stack[len(stack)-1].name != "row" {
				// Only an Extension, or a row of an InlineTable (whose cells
				// are often written as data:column), may hold elements of
				// other vocabularies.
				return nil, e.unsupported("element <%s> is in namespace %q, not the document's %q", e.name, t.Name.Space, space)
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if skip > 0 || len(stack) == 0 {
				continue
			}
			if s := string(t); strings.TrimSpace(s) != "" {
				top := stack[len(stack)-1]
				if len(top.text)+len(s) > MaxTextBytes {
					return nil, top.invalid("the text of <%s> is over %d bytes", top.name, MaxTextBytes)
				}
				top.text += s
			}
		case xml.Directive:
			// Go's decoder never expands entities a DTD declares; refuse
			// them plainly instead of failing at their first use.
			if d := string(t); strings.HasPrefix(d, "DOCTYPE") && strings.Contains(d, "<!ENTITY") {
				line, _ := dec.InputPos()
				return nil, fmt.Errorf("pmml: the DOCTYPE declares entities (line %d); DTD entities are not supported: %w", line, flavors.ErrUnsupported)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("pmml: malformed XML: no root element: %w", flavors.ErrInvalidInput)
	}
	return root, nil
}

// charsetReader accepts the encodings PMML files are seen in besides UTF-8.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1", "windows-1252":
		return &latin1Reader{r: bufio.NewReader(in)}, nil
	}
	return nil, fmt.Errorf("encoding %q is not supported (use UTF-8)", label)
}

// latin1Reader turns ISO-8859-1 bytes into UTF-8.
type latin1Reader struct {
	r   *bufio.Reader
	buf []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	for len(l.buf) < len(p) {
		b, err := l.r.ReadByte()
		if err != nil {
			if len(l.buf) == 0 {
				return 0, err
			}
			break
		}
		l.buf = utf8.AppendRune(l.buf, rune(b))
	}
	n := copy(p, l.buf)
	l.buf = l.buf[n:]
	return n, nil
}

// attr returns an attribute's value and whether it is present.
func (e *elem) attr(name string) (string, bool) {
	for _, a := range e.attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// attrOr returns an attribute's value or def when absent.
func (e *elem) attrOr(name, def string) string {
	if v, ok := e.attr(name); ok {
		return v
	}
	return def
}

// need returns a required attribute.
func (e *elem) need(name string) (string, error) {
	v, ok := e.attr(name)
	if !ok {
		return "", e.invalid("<%s> needs the attribute %s", e.name, name)
	}
	return v, nil
}

// float reads a numeric attribute, def when absent.
func (e *elem) float(name string, def float64) (float64, error) {
	v, ok := e.attr(name)
	if !ok {
		return def, nil
	}
	f, err := parseNumber(v)
	if err != nil {
		return 0, e.invalid("attribute %s of <%s> is %q, expected a number", name, e.name, v)
	}
	return f, nil
}

// needFloat reads a required numeric attribute.
func (e *elem) needFloat(name string) (float64, error) {
	if _, ok := e.attr(name); !ok {
		return 0, e.invalid("<%s> needs the attribute %s", e.name, name)
	}
	return e.float(name, 0)
}

// parseNumber parses a PMML number (xs:double, including INF and NaN).
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "INF", "+INF":
		s = "Inf"
	case "-INF":
		s = "-Inf"
	}
	return strconv.ParseFloat(s, 64)
}

// check refuses attributes outside allowed: an attribute this evaluator does
// not know might change the meaning of the element.
func (e *elem) check(allowed ...string) error {
	for _, a := range e.attrs {
		ok := false
		for _, n := range allowed {
			if a.Name.Local == n {
				ok = true
				break
			}
		}
		if !ok {
			return e.unsupported("attribute %s of <%s> is not supported", a.Name.Local, e.name)
		}
	}
	return nil
}

// checkKids refuses child elements outside allowed.
func (e *elem) checkKids(allowed ...string) error {
	for _, k := range e.kids {
		ok := false
		for _, n := range allowed {
			if k.name == n {
				ok = true
				break
			}
		}
		if !ok {
			return k.unsupported("<%s> inside <%s> is not supported", k.name, e.name)
		}
	}
	return nil
}

// kid returns the first child with the given name.
func (e *elem) kid(name string) *elem {
	for _, k := range e.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// kidsNamed returns the children with the given name.
func (e *elem) kidsNamed(name string) []*elem {
	var out []*elem
	for _, k := range e.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// oneOf checks an enumerated attribute against the values implemented.
func (e *elem) oneOf(name, def string, allowed ...string) (string, error) {
	v := e.attrOr(name, def)
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", e.unsupported("%s=%q of <%s> is not supported (supported: %s)", name, v, e.name, strings.Join(allowed, ", "))
}

// parseArray splits the text of an <Array>: whitespace-separated tokens,
// string tokens optionally in double quotes with \" escapes.
func parseArray(e *elem) ([]string, error) {
	if err := e.check("n", "type"); err != nil {
		return nil, err
	}
	s := e.text
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		if c == '"' {
			var b strings.Builder
			i++
			closed := false
			for i < len(s) {
				if s[i] == '\\' && i+1 < len(s) && s[i+1] == '"' {
					b.WriteByte('"')
					i += 2
					continue
				}
				if s[i] == '"' {
					closed = true
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed {
				return nil, e.invalid("<Array> has an unterminated quoted string")
			}
			out = append(out, b.String())
			continue
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
	if n, ok := e.attr("n"); ok {
		if k, err := strconv.Atoi(n); err != nil || k != len(out) {
			return nil, e.invalid("<Array n=%q> holds %d values", n, len(out))
		}
	}
	return out, nil
}
