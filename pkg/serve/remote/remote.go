package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve"
)

// maxResponseBytes bounds what a remote may answer.
const maxResponseBytes = 256 << 20

// Options configure a Backend.
type Options struct {
	// Token is sent as a bearer token when the remote requires one.
	Token string
	// Client is the HTTP client; nil means one with pooled connections.
	Client *http.Client
}

// Backend forwards requests for one model version to a remote server.
type Backend struct {
	infer  string // the version's infer URL
	token  string
	client *http.Client

	mu       sync.Mutex
	closed   bool
	inflight sync.WaitGroup
}

var _ serve.Backend = (*Backend)(nil)

// New returns a Backend for model name, version ver, at base (such as
// "http://127.0.0.1:9001").
func New(base, name, ver string, o Options) (*Backend, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("remote backend %q: expected an http(s)://host:port URL", base)
	}
	c := o.Client
	if c == nil {
		c = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second}}
	}
	return &Backend{infer: versionURL(base, name, ver) + "/infer", token: o.Token, client: c}, nil
}

func versionURL(base, name, ver string) string {
	u := strings.TrimRight(base, "/") + "/v2/models/" + url.PathEscape(name)
	if ver != "" {
		u += "/versions/" + url.PathEscape(ver)
	}
	return u
}

// Predict sends the batch as one OIP request and returns the outputs.
func (b *Backend) Predict(ctx context.Context, in flavors.Batch) (flavors.Batch, error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return flavors.Batch{}, fmt.Errorf("remote %s: %w", b.infer, serve.ErrShuttingDown)
	}
	b.inflight.Add(1)
	b.mu.Unlock()
	defer b.inflight.Done()

	req := struct {
		Inputs []codec.TensorJSON `json:"inputs"`
	}{Inputs: make([]codec.TensorJSON, len(in.Tensors))}
	for i, t := range in.Tensors {
		req.Inputs[i] = codec.EncodeTensor(t)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return flavors.Batch{}, fmt.Errorf("remote %s: %w: %v", b.infer, flavors.ErrInvalidInput, err)
	}
	raw, err := b.do(ctx, http.MethodPost, b.infer, body)
	if err != nil {
		return flavors.Batch{}, err
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var resp struct {
		Outputs []any `json:"outputs"`
	}
	if err := d.Decode(&resp); err != nil {
		return flavors.Batch{}, fmt.Errorf("remote %s: unreadable response: %v", b.infer, err)
	}
	for i, o := range resp.Outputs {
		if _, ok := o.(map[string]any); !ok {
			return flavors.Batch{}, fmt.Errorf("remote %s: outputs[%d] is not a tensor", b.infer, i)
		}
	}
	out, err := codec.DecodeTensors(resp.Outputs, nil)
	if err != nil {
		return flavors.Batch{}, fmt.Errorf("remote %s: response: %v", b.infer, err)
	}
	return out, nil
}

// do sends one request and maps the remote's status to the error kinds
// the router's front ends map back to statuses.
func (b *Backend) do(ctx context.Context, method, u string, body []byte) ([]byte, error) {
	r, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if b.token != "" {
		r.Header.Set("Authorization", "Bearer "+b.token)
	}
	resp, err := b.client.Do(r)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("remote %s: %w: %v", u, serve.ErrNotReady, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("remote %s: %w: reading the response: %v", u, serve.ErrNotReady, err)
	}
	if len(raw) > maxResponseBytes {
		return nil, fmt.Errorf("remote %s: the response is larger than %d bytes", u, maxResponseBytes)
	}
	if resp.StatusCode == http.StatusOK {
		return raw, nil
	}
	msg := remoteError(raw)
	switch {
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusRequestEntityTooLarge:
		return nil, fmt.Errorf("%w: %s", flavors.ErrInvalidInput, msg)
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("remote %s: %s (%w)", u, msg, serve.ErrModelNotFound)
	case resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
		return nil, fmt.Errorf("remote %s: %w: %s", u, serve.ErrQueueFull, msg)
	case resp.StatusCode == http.StatusServiceUnavailable:
		return nil, fmt.Errorf("remote %s: %w: %s", u, serve.ErrNotReady, msg)
	case resp.StatusCode == http.StatusGatewayTimeout:
		return nil, fmt.Errorf("remote %s: %w: %s", u, context.DeadlineExceeded, msg)
	}
	return nil, fmt.Errorf("remote %s: status %d: %s", u, resp.StatusCode, msg)
}

// remoteError takes the message of an OIP or MLflow error body.
func remoteError(raw []byte) string {
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &e) == nil && (e.Error != "" || e.Message != "") {
		return e.Error + e.Message
	}
	if len(raw) > 200 {
		raw = raw[:200]
	}
	return strings.TrimSpace(string(raw))
}

// Close stops taking requests and waits, within ctx, for those in flight.
func (b *Backend) Close(ctx context.Context) error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.inflight.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Describe reads a remote version's metadata into the manifest fields a
// router needs: name, version, UUID, signature, classes and flavor.
func Describe(ctx context.Context, base, name, ver string, o Options) (*bundle.Manifest, string, error) {
	b, err := New(base, name, ver, o)
	if err != nil {
		return nil, "", err
	}
	raw, err := b.do(ctx, http.MethodGet, versionURL(base, name, ver), nil)
	if err != nil {
		return nil, "", err
	}
	var md struct {
		Name       string `json:"name"`
		Platform   string `json:"platform"`
		Inputs     []spec `json:"inputs"`
		Outputs    []spec `json:"outputs"`
		Parameters struct {
			UUID    string   `json:"model_uuid"`
			Version string   `json:"version"`
			Classes []string `json:"classes"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(raw, &md); err != nil {
		return nil, "", fmt.Errorf("remote %s: unreadable model metadata: %v", base, err)
	}
	if md.Parameters.Version == "" {
		return nil, "", errors.New("remote " + base + ": the model metadata names no version (is it an mlctl server?)")
	}
	m := &bundle.Manifest{Name: md.Name, Version: md.Parameters.Version, UUID: md.Parameters.UUID, Classes: md.Parameters.Classes}
	for _, s := range md.Inputs {
		m.Signature.Inputs = append(m.Signature.Inputs, flavors.Spec{Name: s.Name, DType: s.Datatype, Shape: s.Shape, Nullable: true})
	}
	for _, s := range md.Outputs {
		m.Signature.Outputs = append(m.Signature.Outputs, flavors.Spec{Name: s.Name, DType: s.Datatype, Shape: s.Shape, Nullable: true})
	}
	return m, md.Platform, nil
}

type spec struct {
	Name     string        `json:"name"`
	Datatype flavors.DType `json:"datatype"`
	Shape    []int64       `json:"shape"`
}
