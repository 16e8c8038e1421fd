package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/load"
)

// maxInferResponse bounds what a golden check reads from a server.
const maxInferResponse = 64 << 20

// GoldenResult is a deployed revision's answer to the bundle's example.
type GoldenResult struct {
	// Skipped says why nothing was checked (the bundle has no example).
	Skipped     string
	Comparisons []bundle.Comparison
}

// Passed reports whether every output matched.
func (r GoldenResult) Passed() bool {
	for _, c := range r.Comparisons {
		if !c.Passed {
			return false
		}
	}
	return r.Skipped == "" && len(r.Comparisons) > 0
}

// CheckGolden sends the bundle's input example to a server's Open Inference
// Protocol endpoint (POST {endpoint}/v2/models/{name}/versions/{version}/infer)
// and compares the outputs with the golden ones recorded at pack time for
// flavor. A mismatch is reported in the result, not as an error.
func CheckGolden(ctx context.Context, endpoint string, b *bundle.Bundle, flavor string) (GoldenResult, error) {
	m := &b.Manifest
	entry, ok := m.Flavor(flavor)
	if !ok {
		return GoldenResult{}, fmt.Errorf("bundle %s has no %q flavor", m.Name, flavor)
	}
	if m.Example == nil || entry.Golden == "" {
		return GoldenResult{Skipped: "the bundle records no input example"}, nil
	}
	in, err := load.ReadTensors(b, m.Example.Path)
	if err != nil {
		return GoldenResult{}, err
	}
	want, err := load.ReadTensors(b, entry.Golden)
	if err != nil {
		return GoldenResult{}, err
	}
	got, err := Infer(ctx, endpoint, m.Name, m.Version, in)
	if err != nil {
		return GoldenResult{}, fmt.Errorf("golden example on %s: %w", endpoint, err)
	}
	tol := bundle.DefaultTolerance
	if m.Example.Check != nil {
		tol = m.Example.Check.Tolerance
	}
	return GoldenResult{Comparisons: load.Compare(flavor, got, want, tol)}, nil
}

// Infer sends one OIP v2 JSON inference request and returns the outputs.
func Infer(ctx context.Context, endpoint, model, version string, in flavors.Batch) (flavors.Batch, error) {
	inputs := make([]codec.TensorJSON, len(in.Tensors))
	for i, t := range in.Tensors {
		inputs[i] = codec.EncodeTensor(t)
	}
	body, err := json.Marshal(map[string]any{"inputs": inputs})
	if err != nil {
		return flavors.Batch{}, err
	}
	u := endpoint + "/v2/models/" + url.PathEscape(model)
	if version != "" {
		u += "/versions/" + url.PathEscape(version)
	}
	u += "/infer"
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return flavors.Batch{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return flavors.Batch{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxInferResponse+1))
	if err != nil {
		return flavors.Batch{}, err
	}
	if len(raw) > maxInferResponse {
		return flavors.Batch{}, fmt.Errorf("POST %s: response larger than %d bytes", u, maxInferResponse)
	}
	if resp.StatusCode != http.StatusOK {
		return flavors.Batch{}, fmt.Errorf("POST %s: %s: %s", u, resp.Status, strings.TrimSpace(string(raw)))
	}
	var out struct {
		Outputs json.RawMessage `json:"outputs"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Outputs) == 0 {
		return flavors.Batch{}, fmt.Errorf("POST %s: not an inference response: %.200s", u, raw)
	}
	return codec.UnmarshalTensors(append(append([]byte(`{"tensors":`), out.Outputs...), '}'))
}
