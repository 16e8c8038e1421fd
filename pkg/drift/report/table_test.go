package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestWriteTablePlainGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, sampleReport(), false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "\x1b") {
		t.Error("plain table contains an escape character")
	}
	golden(t, "table.golden", b.Bytes())
}

func TestWriteTableColorKeepsLayout(t *testing.T) {
	var plain, color bytes.Buffer
	if err := WriteTable(&plain, sampleReport(), false); err != nil {
		t.Fatal(err)
	}
	if err := WriteTable(&color, sampleReport(), true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(color.String(), "\x1b[") {
		t.Fatal("colour table has no ANSI sequences")
	}
	if got := ansi.Strip(color.String()); got != plain.String() {
		t.Errorf("colour table without its ANSI sequences differs from the plain one:\n%s\n---\n%s", got, plain.String())
	}
}

func TestWriteTableRows(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, sampleReport(), false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(out, "\n")
	tests := []struct {
		name string
		want string // a line whose words start with these must exist
	}{
		{"p-value shown as p with its rule", "sepal_length feature numeric ks p=0.0012 p≤0.05 DRIFT missing 0/10"},
		{"distance shown as a number", "label prediction categorical jensenshannon 0.1830 ≥0.1 DRIFT approximate (from a sketch)"},
		{"unseen categories said once", "species_hint feature categorical chisquare p=0 p<0.05 DRIFT 2 current values never seen in the reference:"},
		{"long name cut to 32 cells", "a_very_long_feature_name_from_a…"},
		{"control characters escaped", `notes\x1b[31m\n`},
		{"dataset verdict", "Dataset DRIFT: 3 of 6 tested columns drifted (share 0.50, threshold 0.50; 7 columns)"},
		{"empty window", "Not compared: no rows logged"},
		{"NaN metric", "roc_auc 0.9900 n/a n/a 1000 120"},
		{"untested", `notes\x1b[31m\n feature categorical chisquare n/a p<0.05 not tested missing 0/640; current is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, l := range lines {
				// Compare words, not the padding between them.
				if strings.HasPrefix(strings.Join(strings.Fields(l), " "), tt.want) {
					return
				}
			}
			t.Errorf("no line starts with %q in\n%s", tt.want, out)
		})
	}
	// Drifted rows come before stable ones, the untested one last.
	order := []string{"species_hint", "sepal_length", "label", "a_very_long", "sepal_width", "is_weekend", "notes"}
	last := -1
	for _, name := range order {
		i := strings.Index(out, "\n"+name)
		if i < 0 || i < last {
			t.Fatalf("column %s out of order (at %d, previous at %d) in\n%s", name, i, last, out)
		}
		last = i
	}
	for _, l := range lines {
		if strings.HasSuffix(l, " ") {
			t.Errorf("trailing blank in %q", l)
		}
	}
}

func TestWriteTableNoColumns(t *testing.T) {
	r := sampleReport()
	r.Windows = r.Windows[:1]
	r.Windows[0].Columns = nil
	r.Windows[0].Performance = nil
	r.Model = nil
	var b bytes.Buffer
	if err := WriteTable(&b, r, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "No columns.") || strings.Contains(b.String(), "Model:") {
		t.Errorf("unexpected table:\n%s", b.String())
	}
}

type failingWriter struct{}

var errWrite = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWritersReportErrors(t *testing.T) {
	r := sampleReport()
	for name, write := range map[string]func() error{
		"table": func() error { return WriteTable(failingWriter{}, r, true) },
		"json":  func() error { return WriteJSON(failingWriter{}, r) },
		"html":  func() error { return WriteHTML(failingWriter{}, r) },
	} {
		if err := write(); !errors.Is(err, errWrite) {
			t.Errorf("%s: got %v, want the writer's error", name, err)
		}
	}
	for name, err := range map[string]error{
		"table": WriteTable(&bytes.Buffer{}, nil, false),
		"json":  WriteJSON(&bytes.Buffer{}, nil),
		"html":  WriteHTML(&bytes.Buffer{}, nil),
	} {
		if err == nil || !strings.Contains(err.Error(), "nil") {
			t.Errorf("%s of a nil report: got %v", name, err)
		}
	}
}
