package predlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Row is one line of the log: one row of one request.
type Row struct {
	Time                            time.Time
	RequestID, Model, Version, UUID string
	// Inputs and Outputs map names to values as encoding/json decodes them:
	// float64, string, bool, nil for a missing value, []any for a row of
	// an [N, K, …] tensor.
	Inputs, Outputs map[string]any
}

// CorruptLineError is a line in the middle of a file that is not a row.
type CorruptLineError struct {
	File string // path of the file
	Line int    // 1-based line number
	Err  error
}

func (e *CorruptLineError) Error() string {
	return fmt.Sprintf("prediction log %s:%d: %v", e.File, e.Line, e.Err)
}

func (e *CorruptLineError) Unwrap() error { return e.Err }

// maxLineBytes bounds one line, so a damaged file cannot make a reader
// hold an unbounded line in memory.
const maxLineBytes = 256 << 20

// ReadDir calls fn for every row in dir's log files, oldest file first,
// including the file being written. The last line of a file may be cut
// short (a crash mid-write, or a writer still busy with it): ReadDir stops
// that file there without an error. Any other line that is not a row is a
// *CorruptLineError naming the file and line. An error from fn stops the
// walk and is returned as it is.
func ReadDir(dir string, fn func(Row) error) error {
	names, err := logFiles(dir)
	if err != nil {
		return err
	}
	for _, name := range names {
		err := readFile(filepath.Join(dir, name), fn)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted by the writer's rotation since the listing
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func readFile(path string, fn func(Row) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("prediction log: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var long []byte // a line longer than the reader's buffer
	for lineNo := 1; ; lineNo++ {
		line, err := r.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, line...)
			if len(long) > maxLineBytes {
				return &CorruptLineError{File: path, Line: lineNo, Err: fmt.Errorf("line longer than %d bytes", maxLineBytes)}
			}
			line, err = r.ReadSlice('\n')
		}
		if len(long) > 0 {
			line = append(long, line...)
			long = long[:0]
		}
		switch {
		case err == io.EOF:
			if len(line) == 0 {
				return nil
			}
			// An unterminated last line is complete only if it parses.
			if row, perr := parseLine(line); perr == nil {
				if err := fn(row); err != nil {
					return err
				}
			}
			return nil
		case err != nil:
			return fmt.Errorf("prediction log %s:%d: %w", path, lineNo, err)
		}
		row, err := parseLine(line[:len(line)-1])
		if err != nil {
			return &CorruptLineError{File: path, Line: lineNo, Err: err}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

// rowJSON is a line as written; fields a reader does not know are ignored,
// so the format can grow.
type rowJSON struct {
	TS        *time.Time     `json:"ts"`
	RequestID string         `json:"request_id"`
	Model     string         `json:"model"`
	Version   string         `json:"version"`
	UUID      string         `json:"uuid"`
	Inputs    map[string]any `json:"inputs"`
	Outputs   map[string]any `json:"outputs"`
}

// parseLine reads one line (without its newline) into a Row.
func parseLine(line []byte) (Row, error) {
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(bytes.TrimSpace(line)) == 0 {
		return Row{}, errors.New("empty line: expected a JSON object")
	}
	var j rowJSON
	if err := json.Unmarshal(line, &j); err != nil {
		return Row{}, fmt.Errorf("not a row: %w", err)
	}
	if j.TS == nil {
		return Row{}, errors.New(`no "ts": expected the time of the request`)
	}
	return Row{
		Time: *j.TS, RequestID: j.RequestID, Model: j.Model, Version: j.Version, UUID: j.UUID,
		Inputs: j.Inputs, Outputs: j.Outputs,
	}, nil
}
