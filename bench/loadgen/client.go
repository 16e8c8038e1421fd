package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"
)

// target is one prepared HTTP/1.1 request to a loopback server. The request
// bytes are built once and written with one syscall; responses are parsed
// with net/http's reader. This keeps the generator's own cost per request
// small, which matters when it shares 2 cores with the server it measures.
type target struct {
	addr    string
	method  string
	url     string
	request []byte
	timeout time.Duration
	// idle holds kept-alive connections; its capacity bounds them.
	idle chan *conn
}

type conn struct {
	nc net.Conn
	br *bufio.Reader
}

// errNotLoopback is returned for a URL whose host is not a loopback address.
var errNotLoopback = errors.New("not a loopback address")

// loopbackAddr checks that u names a loopback host and returns host:port.
// Host names other than "localhost" are refused rather than resolved, so a
// typo cannot send load anywhere else.
func loopbackAddr(u *url.URL) (string, error) {
	if u.Scheme != "http" {
		return "", fmt.Errorf("url %s: scheme %q: only http is supported", u, u.Scheme)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "80"
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("url %s: host %q: %w (use 127.0.0.1, ::1 or localhost)", u, u.Hostname(), errNotLoopback)
	}
	return net.JoinHostPort(ip.String(), port), nil
}

func newTarget(rawURL, method string, headers []string, body []byte, maxConns int, timeout time.Duration) (*target, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("url %q: %w", rawURL, err)
	}
	addr, err := loopbackAddr(u)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: mlctl-loadgen\r\n", method, u.RequestURI(), u.Host)
	sort.Strings(headers)
	for _, h := range headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" || strings.ContainsAny(h, "\r\n") {
			return nil, fmt.Errorf("header %q: expected Name: value", h)
		}
		fmt.Fprintf(&b, "%s: %s\r\n", strings.TrimSpace(k), strings.TrimSpace(v))
	}
	if body != nil || method == http.MethodPost || method == http.MethodPut {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	req := append([]byte(b.String()), body...)
	return &target{
		addr: addr, method: method, url: u.String(), request: req, timeout: timeout,
		idle: make(chan *conn, maxConns),
	}, nil
}

// do sends the request once and returns the response status. A connection
// that failed is closed; a good one goes back to the idle pool.
func (t *target) do() (int, error) {
	var c *conn
	select {
	case c = <-t.idle:
	default:
		nc, err := net.DialTimeout("tcp", t.addr, t.timeout)
		if err != nil {
			return 0, fmt.Errorf("dial: %w", err)
		}
		c = &conn{nc: nc, br: bufio.NewReaderSize(nc, 16<<10)}
	}
	status, keep, err := c.roundTrip(t.request, t.timeout)
	if err != nil || !keep {
		c.nc.Close()
		return status, err
	}
	select {
	case t.idle <- c:
	default:
		c.nc.Close()
	}
	return status, nil
}

func (c *conn) roundTrip(req []byte, timeout time.Duration) (status int, keep bool, err error) {
	if timeout > 0 {
		c.nc.SetDeadline(time.Now().Add(timeout))
	}
	if _, err := c.nc.Write(req); err != nil {
		return 0, false, fmt.Errorf("write: %w", err)
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return 0, false, fmt.Errorf("read: %w", err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return resp.StatusCode, false, fmt.Errorf("read body: %w", err)
	}
	return resp.StatusCode, !resp.Close, nil
}

// close drops every idle connection.
func (t *target) close() {
	for {
		select {
		case c := <-t.idle:
			c.nc.Close()
		default:
			return
		}
	}
}

// errorKind names a transport error for the report.
func errorKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "reset"
	case strings.HasPrefix(err.Error(), "dial"):
		return "dial"
	}
	return "other"
}
