package predlog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logged writes n one-row requests named prefix0… into dir and returns the
// file's lines.
func logged(t *testing.T, dir, prefix string, n int) []string {
	t.Helper()
	l, err := Open(Config{Dir: dir})
	require.NoError(t, err)
	for i := range n {
		l.Log(irisEntry(t, fmt.Sprint(prefix, i)))
	}
	require.NoError(t, l.Close())
	names, err := logFiles(dir)
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(dir, names[len(names)-1]))
	require.NoError(t, err)
	return strings.SplitAfter(strings.TrimSuffix(string(data), "\n"), "\n")
}

// A crash mid-write leaves the last line of a file cut short: the reader
// stops that file there, whether or not a later run started another.
func TestReadDirTruncatedLastLine(t *testing.T) {
	tests := []struct {
		name string
		cut  func(last string) string
		want []string
	}{
		{"cut in the middle", func(s string) string { return s[:len(s)/2] }, []string{"a0", "a1"}},
		{"cut after the brace", func(s string) string { return strings.TrimSuffix(s, "\n") }, []string{"a0", "a1", "a2"}},
		{"one byte left", func(s string) string { return s[:1] }, []string{"a0", "a1"}},
		{"zero-filled tail", func(s string) string { return strings.Repeat("\x00", 40) }, []string{"a0", "a1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			lines := logged(t, dir, "a", 3)
			path := onlyFile(t, dir)
			lines[2] = tc.cut(lines[2])
			writeFile(t, path, strings.Join(lines, ""))
			assert.Equal(t, tc.want, requestIDs(readAll(t, dir)))

			// The same file followed by a later run's file.
			logged(t, dir, "b", 1)
			assert.Equal(t, append(tc.want, "b0"), requestIDs(readAll(t, dir)))
		})
	}
}

func TestReadDirCorruptLine(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		wantErr string
	}{
		{"garbage", "not json\n", "not a row"},
		{"cut short", `{"ts":"2026-01-01T00:00:00Z","inpu` + "\n", "not a row"},
		{"empty", "\n", "empty line"},
		{"no ts", `{"request_id":"x"}` + "\n", `no "ts"`},
		{"bad ts", `{"ts":"yesterday"}` + "\n", "not a row"},
		{"inputs not an object", `{"ts":"2026-01-01T00:00:00Z","inputs":[1]}` + "\n", "not a row"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			lines := logged(t, dir, "a", 3)
			path := onlyFile(t, dir)
			lines[1] = tc.line
			writeFile(t, path, strings.Join(lines, ""))

			var seen []string
			err := ReadDir(dir, func(r Row) error { seen = append(seen, r.RequestID); return nil })
			var lineErr *CorruptLineError
			require.ErrorAs(t, err, &lineErr)
			assert.Equal(t, path, lineErr.File)
			assert.Equal(t, 2, lineErr.Line)
			assert.Contains(t, err.Error(), path+":2:")
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.Equal(t, []string{"a0"}, seen, "rows before the bad line are delivered")
		})
	}
}

func TestReadDirLongLine(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("x", 200<<10) // longer than the reader's buffer
	line := `{"ts":"2026-01-01T00:00:00Z","request_id":"big","inputs":{"text":"` + big + `"}}` + "\n"
	writeFile(t, filepath.Join(dir, fileName(time.Now(), 1)), line+line)
	rows := readAll(t, dir)
	require.Len(t, rows, 2)
	assert.Equal(t, big, rows[1].Inputs["text"])
}

func TestReadDirStopsOnCallbackError(t *testing.T) {
	dir := t.TempDir()
	logged(t, dir, "a", 3)
	stop := errors.New("enough")
	n := 0
	err := ReadDir(dir, func(Row) error { n++; return stop })
	assert.Same(t, stop, err)
	assert.Equal(t, 1, n)
}

func TestReadDirIgnoresOtherFiles(t *testing.T) {
	dir := t.TempDir()
	logged(t, dir, "a", 2)
	writeFile(t, filepath.Join(dir, "notes.txt"), "garbage\n")
	writeFile(t, filepath.Join(dir, "predictions-x.jsonl.gz"), "garbage\n")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "predictions-dir.jsonl"), 0o755))
	assert.Equal(t, []string{"a0", "a1"}, requestIDs(readAll(t, dir)))
}

func TestReadDirMissing(t *testing.T) {
	err := ReadDir(filepath.Join(t.TempDir(), "nope"), func(Row) error { return nil })
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "nope")
}
