package pickle

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

//go:embed sidecar.py
var sidecarSource string

const (
	// stderrTailLines is how much of the sidecar's stderr a crash report quotes.
	stderrTailLines = 10
	// maxStderrLine cuts a runaway line (a huge repr) before it is logged.
	maxStderrLine = 4096
	// shutdownGrace is how long Close waits for a clean exit before killing.
	shutdownGrace = 5 * time.Second
	// pipeSize is the pipe buffer asked for in each direction.
	pipeSize = 1 << 20
)

// sidecar is one running Python process and the pipes that speak to it.
type sidecar struct {
	cmd    *exec.Cmd
	toPy   *os.File // the child's stdin
	fromPy *os.File // the child's stdout
	reader *bufio.Reader
	tail   *stderrTail
	// exited is closed once the process has been reaped; state then holds
	// how it ended.
	exited chan struct{}
	state  *os.ProcessState
	buf    []byte // frame buffer, reused between calls
}

// startSidecar runs python with the embedded program. extra names the
// distributions whose versions hello should report.
func startSidecar(python string, extra []string, log *slog.Logger) (*sidecar, error) {
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("pickle sidecar: %w", err)
	}
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		closeAll(stdinR, stdinW)
		return nil, fmt.Errorf("pickle sidecar: %w", err)
	}
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		closeAll(stdinR, stdinW, stdoutR, stdoutW)
		return nil, fmt.Errorf("pickle sidecar: %w", err)
	}
	growPipe(stdinW, pipeSize)
	growPipe(stdoutR, pipeSize)
	args := append([]string{"-B", "-c", sidecarSource}, extra...)
	cmd := exec.Command(python, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdinR, stdoutW, stderrW
	err = cmd.Start()
	// The child holds its own copies of these ends now.
	closeAll(stdinR, stdoutW, stderrW)
	if err != nil {
		closeAll(stdinW, stdoutR, stderrR)
		return nil, err
	}
	s := &sidecar{
		cmd:    cmd,
		toPy:   stdinW,
		fromPy: stdoutR,
		reader: bufio.NewReaderSize(stdoutR, 64<<10),
		tail:   &stderrTail{done: make(chan struct{})},
		exited: make(chan struct{}),
	}
	go s.tail.forward(stderrR, log.With("pid", cmd.Process.Pid))
	go func() {
		_ = cmd.Wait() // the exit status is reported through state
		s.state = cmd.ProcessState
		close(s.exited)
	}()
	return s, nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		_ = f.Close()
	}
}

// call sends one request and reads its reply, both bounded by ctx (or by
// fallback when ctx has no deadline). Any failure other than a Python
// exception leaves the sidecar unusable; the caller must kill it.
func (s *sidecar) call(ctx context.Context, fallback time.Duration, req frame) (frame, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(fallback)
	}
	if err := s.toPy.SetWriteDeadline(deadline); err != nil {
		return frame{}, err
	}
	if err := s.fromPy.SetReadDeadline(deadline); err != nil {
		return frame{}, err
	}
	// Cancellation without a deadline interrupts the pipes the same way.
	stop := context.AfterFunc(ctx, func() {
		_ = s.toPy.SetWriteDeadline(time.Now())
		_ = s.fromPy.SetReadDeadline(time.Now())
	})
	defer stop()

	var err error
	if s.buf, err = writeFrame(s.toPy, s.buf, req); err != nil {
		if errors.Is(err, errBadFrame) {
			return frame{}, err
		}
		return frame{}, s.ioError(ctx, deadline, fallback, "sending the "+req.Type.String()+" request", err)
	}
	return s.readReply(ctx, deadline, fallback, req)
}

func (s *sidecar) readReply(ctx context.Context, deadline time.Time, fallback time.Duration, req frame) (frame, error) {
	var (
		reply frame
		err   error
	)
	reply, s.buf, err = readFrame(s.reader, s.buf)
	if err != nil {
		return frame{}, s.ioError(ctx, deadline, fallback, "waiting for the "+req.Type.String()+" reply", err)
	}
	if reply.Type == msgError {
		return frame{}, decodePythonError(reply.Meta)
	}
	if reply.Type != req.Type || reply.ID != req.ID {
		return frame{}, fmt.Errorf("%w: got %s #%d in reply to %s #%d", errBadFrame, reply.Type, reply.ID, req.Type, req.ID)
	}
	return reply, nil
}

// readHello reads the greeting the sidecar sends once it has imported
// scikit-learn.
func (s *sidecar) readHello(ctx context.Context, fallback time.Duration) (map[string]string, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(fallback)
	}
	if err := s.fromPy.SetReadDeadline(deadline); err != nil {
		return nil, err
	}
	var (
		f   frame
		err error
	)
	f, s.buf, err = readFrame(s.reader, s.buf)
	if err != nil {
		return nil, s.ioError(ctx, deadline, fallback, "waiting for the sidecar to start", err)
	}
	if f.Type == msgError {
		return nil, decodePythonError(f.Meta)
	}
	if f.Type != msgHello {
		return nil, fmt.Errorf("%w: got %s, expected hello", errBadFrame, f.Type)
	}
	var hello struct {
		Versions map[string]string `json:"versions"`
	}
	if err := json.Unmarshal(f.Meta, &hello); err != nil {
		return nil, fmt.Errorf("%w: hello: %v", errBadFrame, err)
	}
	return hello.Versions, nil
}

// ioError explains a failed read or write: a deadline, a cancellation, or
// the process having died (with its exit status and last stderr lines).
func (s *sidecar) ioError(ctx context.Context, deadline time.Time, fallback time.Duration, doing string, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		if ctx.Err() != nil {
			return fmt.Errorf("pickle sidecar: %s: %w", doing, ctx.Err())
		}
		if _, own := ctx.Deadline(); own {
			return fmt.Errorf("pickle sidecar: %s: %w", doing, context.DeadlineExceeded)
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("pickle sidecar: %s: no answer within the default %s timeout: %w", doing, fallback, context.DeadlineExceeded)
		}
	}
	if errors.Is(err, errBadFrame) {
		return fmt.Errorf("pickle sidecar: %s: %w", doing, err)
	}
	// A broken pipe or EOF: the process is gone or going. Give it a moment
	// to be reaped so the report can say how it ended.
	select {
	case <-s.exited:
	case <-time.After(shutdownGrace):
		s.kill()
	}
	select { // its last words may still be in the stderr pipe
	case <-s.tail.done:
	case <-time.After(shutdownGrace):
	}
	return fmt.Errorf("pickle sidecar (pid %d) crashed while %s (%s)%s", s.cmd.Process.Pid, doing, s.exitStatus(), s.tail.quote())
}

// exitStatus says how the process ended, once it has.
func (s *sidecar) exitStatus() string {
	select {
	case <-s.exited:
		return s.state.String()
	default:
		return "still running"
	}
}

// kill ends the process and waits until it is reaped and its stderr read.
func (s *sidecar) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.release()
}

// shutdown asks the sidecar to exit, and kills it after a short grace.
func (s *sidecar) shutdown(log *slog.Logger) error {
	_ = s.toPy.SetWriteDeadline(time.Now().Add(shutdownGrace))
	buf, err := appendFrame(nil, frame{Type: msgShutdown})
	if err == nil {
		_, err = s.toPy.Write(buf)
	}
	_ = s.toPy.Close() // EOF also tells it to stop
	select {
	case <-s.exited:
	case <-time.After(shutdownGrace):
		log.Warn("pickle sidecar did not exit when asked; killed it", "grace", shutdownGrace)
		_ = s.cmd.Process.Kill()
		<-s.exited
		s.release()
		return nil
	}
	s.release()
	if err != nil {
		return nil // it was already gone; Close has nothing to report
	}
	if !s.state.Success() {
		return fmt.Errorf("pickle sidecar exited with %s%s", s.state, s.tail.quote())
	}
	return nil
}

// release closes Go's pipe ends once the process is gone and waits
// (briefly: a grandchild may hold stderr open) for the stderr forwarder.
func (s *sidecar) release() {
	closeAll(s.toPy, s.fromPy)
	select {
	case <-s.tail.done:
	case <-time.After(shutdownGrace):
	}
}

// stderrTail forwards the sidecar's stderr to the log, line by line, and
// keeps the last lines for crash reports.
type stderrTail struct {
	mu    sync.Mutex
	lines []string
	done  chan struct{}
}

func (t *stderrTail) forward(r *os.File, log *slog.Logger) {
	defer close(t.done)
	defer r.Close()
	br := bufio.NewReaderSize(r, maxStderrLine)
	for {
		line, err := readLine(br)
		if line != "" {
			log.Warn("pickle sidecar stderr", "line", line)
			t.mu.Lock()
			t.lines = append(t.lines, line)
			if len(t.lines) > stderrTailLines {
				t.lines = t.lines[len(t.lines)-stderrTailLines:]
			}
			t.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// readLine reads one line, keeping at most maxStderrLine bytes of it.
func readLine(br *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		chunk, isPrefix, err := br.ReadLine()
		if sb.Len() < maxStderrLine {
			sb.Write(chunk[:min(len(chunk), maxStderrLine-sb.Len())])
		}
		if err != nil || !isPrefix {
			return sb.String(), err
		}
	}
}

// quote renders the kept lines for an error message.
func (t *stderrTail) quote() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 0 {
		return "; it wrote nothing to stderr"
	}
	return "; last stderr lines:\n  " + strings.Join(t.lines, "\n  ")
}
