package testenv

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"
)

// process is a test server started from a binary: its output kept for
// error messages, its exit watched.
type process struct {
	name   string
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan error
}

// startProcess starts cmd, collecting its output.
func startProcess(name string, cmd *exec.Cmd) (*process, error) {
	p := &process{name: name, cmd: cmd, out: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.exited <- cmd.Wait() }()
	return p, nil
}

// waitUp polls url until up says the answer means the server is up, the
// process exits, or timeout passes (then the process is killed).
func (p *process) waitUp(url string, timeout time.Duration, up func(*http.Response) bool) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		select {
		case err := <-p.exited:
			return fmt.Errorf("%s exited (%v) before answering on %s:\n%s", p.name, err, url, p.out.String())
		default:
		}
		if resp, err := client.Get(url); err == nil {
			ok := up(resp)
			resp.Body.Close()
			if ok {
				return nil
			}
		}
		if time.Now().After(deadline) {
			p.cmd.Process.Kill()
			<-p.exited
			return fmt.Errorf("%s did not answer on %s within %v:\n%s", p.name, url, timeout, p.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stopAtCleanup interrupts the process when the test ends, killing it after
// grace, and logs its output when the test failed.
func (p *process) stopAtCleanup(t testing.TB, grace time.Duration) {
	t.Cleanup(func() {
		p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.exited:
		case <-time.After(grace):
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", p.name, p.out.String())
		}
	})
}
