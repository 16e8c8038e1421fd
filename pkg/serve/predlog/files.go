package predlog

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// File names are predictions-<UTC time>-<seq>.jsonl with a fixed-width time
// and sequence, so that sorting names sorts files by when they were started.
const (
	filePrefix     = "predictions-"
	fileSuffix     = ".jsonl"
	fileTimeLayout = "20060102T150405.000Z"
)

// fileName is the name of the seq-th file started at t.
func fileName(t time.Time, seq int) string {
	return fmt.Sprintf("%s%s-%06d%s", filePrefix, t.UTC().Format(fileTimeLayout), seq, fileSuffix)
}

// isLogFile reports whether name is one of the log's files.
func isLogFile(name string) bool {
	return strings.HasPrefix(name, filePrefix) && strings.HasSuffix(name, fileSuffix)
}

// logFiles lists dir's log files, oldest first.
func logFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("prediction log: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && isLogFile(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// rotatingFile is the file being written, with the size it has reached.
// Only the writer goroutine touches it.
type rotatingFile struct {
	dir      string
	maxBytes int64
	maxFiles int // finished files kept; < 0 keeps all
	report   func(error)

	f        *os.File
	buf      *bufio.Writer
	name     string
	size     int64 // bytes written to buf, flushed or not
	seq      int
	lastTime time.Time // names never go back in time, even if the clock does
}

const writeBufferBytes = 256 << 10

// open starts a new file and deletes the oldest finished ones beyond maxFiles.
func (r *rotatingFile) open() error {
	now := time.Now().UTC()
	if now.Before(r.lastTime) {
		now = r.lastTime
	}
	r.lastTime = now
	for range 1000 {
		r.seq++
		name := fileName(now, r.seq)
		f, err := os.OpenFile(filepath.Join(r.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue // a file of an earlier run started in the same millisecond
		}
		if err != nil {
			return fmt.Errorf("prediction log: start a file: %w", err)
		}
		r.f, r.name, r.size = f, name, 0
		if r.buf == nil {
			r.buf = bufio.NewWriterSize(f, writeBufferBytes)
		} else {
			r.buf.Reset(f)
		}
		if err := r.prune(); err != nil {
			r.report(err) // an old file left behind does not stop logging
		}
		return nil
	}
	return fmt.Errorf("prediction log: start a file in %s: every name for %s is taken", r.dir, now.Format(fileTimeLayout))
}

// prune deletes the oldest finished files so that at most maxFiles remain
// besides the current one. Files of earlier runs count as finished.
func (r *rotatingFile) prune() error {
	if r.maxFiles < 0 {
		return nil
	}
	names, err := logFiles(r.dir)
	if err != nil {
		return err
	}
	finished := names[:0]
	for _, n := range names {
		if n != r.name {
			finished = append(finished, n)
		}
	}
	var errs []error
	for _, n := range finished[:max(0, len(finished)-r.maxFiles)] {
		if err := os.Remove(filepath.Join(r.dir, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("prediction log: delete old file: %w", err))
		}
	}
	return errors.Join(errs...)
}

// write appends one line, first starting a new file when the line would
// take the current one past maxBytes.
func (r *rotatingFile) write(line []byte) error {
	if r.f != nil && r.size > 0 && r.size+int64(len(line)) > r.maxBytes {
		if err := r.finish(); err != nil {
			return err
		}
	}
	if r.f == nil {
		if err := r.open(); err != nil {
			return err
		}
	}
	n, err := r.buf.Write(line)
	r.size += int64(n)
	if err != nil {
		return fmt.Errorf("prediction log: write %s: %w", r.name, err)
	}
	return nil
}

// flush hands buffered rows to the operating system, so readers see them.
func (r *rotatingFile) flush() error {
	if r.f == nil || r.buf.Buffered() == 0 {
		return nil
	}
	if err := r.buf.Flush(); err != nil {
		return fmt.Errorf("prediction log: write %s: %w", r.name, err)
	}
	return nil
}

// finish flushes, syncs and closes the current file; an empty file is
// removed, so restarts of an idle server leave nothing behind.
func (r *rotatingFile) finish() error {
	if r.f == nil {
		return nil
	}
	f, name, size := r.f, r.name, r.size
	r.f = nil
	err := r.buf.Flush()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("prediction log: finish %s: %w", name, err)
	}
	if size == 0 {
		if err := os.Remove(filepath.Join(r.dir, name)); err != nil {
			return fmt.Errorf("prediction log: remove empty %s: %w", name, err)
		}
	}
	return nil
}

// abandon closes the current file after a failed write without syncing;
// the next write starts a new file.
func (r *rotatingFile) abandon() {
	if r.f == nil {
		return
	}
	r.f.Close()
	r.f = nil
	r.buf.Reset(nil)
}
