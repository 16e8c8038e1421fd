package rollout

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"gopkg.in/yaml.v3"

	"github.com/mlctl/mlctl/pkg/deploy/docker"
	"github.com/mlctl/mlctl/pkg/deploy/image"
	"github.com/mlctl/mlctl/pkg/serve"
)

// Router container settings.
const (
	// LabelRouter marks a deployment's router container (not a revision:
	// docker.Engine.Revisions does not list it).
	LabelRouter = "io.mlctl.router"
	// RouterConfigPath is where the generated serve.yaml is copied.
	RouterConfigPath = "/etc/mlctl-router.yaml"
	// RouterTokenEnv carries the router's bearer token into its container.
	RouterTokenEnv = "MLCTL_ROUTER_TOKEN"
	// RouterImageRepo is the repository router images are tagged in.
	RouterImageRepo = "mlctl-router"
)

// routerImage builds the router image (base + mlctl, entrypoint
// `mlctl serve --config RouterConfigPath`, no bundle) and loads it unless
// the engine holds it already; it returns the tag.
func routerImage(ctx context.Context, e *docker.Engine, baseRef, bin string) (string, error) {
	if baseRef == "" {
		baseRef = image.BaseGlibc
	}
	base, err := e.BaseImage(ctx, baseRef)
	if err != nil {
		return "", fmt.Errorf("%w: router image: %v", image.ErrBuild, err)
	}
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return "", fmt.Errorf("%w: finding the mlctl binary: %v", image.ErrBuild, err)
		}
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return binaryTar(bin) })
	if err != nil {
		return "", fmt.Errorf("%w: router image: %v", image.ErrBuild, err)
	}
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, History: v1.History{CreatedBy: "mlctl deploy: mlctl binary (router)"}})
	if err != nil {
		return "", fmt.Errorf("%w: router image: %v", image.ErrBuild, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return "", fmt.Errorf("%w: router image: %v", image.ErrBuild, err)
	}
	cfg := cf.Config
	cfg.Entrypoint = []string{image.MlctlPath, "serve", "--config", RouterConfigPath}
	cfg.Cmd = []string{"--port", fmt.Sprintf("0.0.0.0:%d", image.DefaultHTTP)}
	cfg.User = image.User
	cfg.WorkingDir = "/tmp"
	cfg.Labels = map[string]string{image.LabelTitle: "mlctl router"}
	if img, err = mutate.Config(img, cfg); err != nil {
		return "", fmt.Errorf("%w: router image: %v", image.ErrBuild, err)
	}
	id, err := img.ConfigName()
	if err != nil {
		return "", fmt.Errorf("%w: router image: %v", image.ErrBuild, err)
	}
	tag := RouterImageRepo + ":" + id.Hex[:16]
	if _, err := e.Client().ImageInspect(ctx, tag); err == nil {
		return tag, nil
	}
	if _, err := e.LoadImage(ctx, img, tag); err != nil {
		return "", err
	}
	return tag, nil
}

// binaryTar is a one-file layer: the mlctl binary at image.MlctlPath.
func binaryTar(bin string) (io.ReadCloser, error) {
	f, err := os.Open(bin)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		defer f.Close()
		tw := tar.NewWriter(pw)
		epoch := time.Unix(0, 0)
		for _, d := range []string{"usr/", "usr/local/", "usr/local/bin/"} {
			if err := tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: epoch}); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		hdr := &tar.Header{Name: strings.TrimPrefix(image.MlctlPath, "/"), Typeflag: tar.TypeReg, Mode: 0o555, Size: fi.Size(), ModTime: epoch}
		if err := tw.WriteHeader(hdr); err != nil {
			pw.CloseWithError(err)
			return
		}
		if _, err := io.Copy(tw, f); err != nil {
			pw.CloseWithError(err)
			return
		}
		pw.CloseWithError(tw.Close())
	}()
	return pr, nil
}

// routerConfig is the generated serve.yaml: router mode, a token, and the
// first revision behind the endpoint.
func routerConfig(modelName string, first *Revision) ([]byte, error) {
	cfg := serve.Config{
		Router: true,
		Auth:   serve.AuthConfig{TokenEnv: RouterTokenEnv},
		Models: []serve.ModelConfig{{
			Name:    modelName,
			Remotes: []serve.RemoteConfig{{URL: first.Endpoint, Model: first.Bundle, Version: first.Version}},
			Traffic: []serve.TrafficSplit{{Version: first.Version, Weight: 1}},
		}},
	}
	return yaml.Marshal(cfg)
}

func newToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// routerClient speaks the router extension of the serve HTTP API.
type routerClient struct {
	endpoint, token, model string
	http                   *http.Client
}

func newRouterClient(s *State) *routerClient {
	return &routerClient{endpoint: s.Router.Endpoint, token: s.Router.Token, model: s.Model, http: &http.Client{Timeout: 30 * time.Second}}
}

// policy is the router's traffic policy on the wire.
type policy struct {
	Traffic []serve.TrafficSplit `json:"traffic"`
	Shadow  string               `json:"shadow,omitempty"`
	Sticky  string               `json:"sticky,omitempty"`
}

func (rc *routerClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, rc.endpoint+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+rc.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := rc.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s %s: %v", ErrRouter, method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%w: %s %s: %v", ErrRouter, method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s %s: %s: %s", ErrRouter, method, path, resp.Status, strings.TrimSpace(string(raw)))
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func (rc *routerClient) modelPath() string {
	return "/v2/repository/models/" + url.PathEscape(rc.model)
}

// putRemote puts revision r behind the endpoint under its version.
func (rc *routerClient) putRemote(ctx context.Context, r *Revision) error {
	return rc.do(ctx, http.MethodPut, rc.modelPath()+"/versions/"+url.PathEscape(r.Version)+"/remote",
		map[string]string{"url": r.Endpoint, "model": r.Bundle}, nil)
}

func (rc *routerClient) deleteVersion(ctx context.Context, version string) error {
	return rc.do(ctx, http.MethodDelete, rc.modelPath()+"/versions/"+url.PathEscape(version), nil, nil)
}

func (rc *routerClient) setPolicy(ctx context.Context, p policy) error {
	return rc.do(ctx, http.MethodPut, rc.modelPath()+"/policy", p, nil)
}

func (rc *routerClient) policy(ctx context.Context) (policy, error) {
	var p policy
	err := rc.do(ctx, http.MethodGet, rc.modelPath()+"/policy", nil, &p)
	return p, err
}

// scrape reads model's samples from a server's /metrics (the router's, or
// a revision's own for shadow traffic, which the router does not count).
func scrape(ctx context.Context, endpoint, token, modelName string) (Scrape, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scraping %s/metrics: %w", endpoint, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scraping %s/metrics: %s", endpoint, resp.Status)
	}
	return ParseMetrics(resp.Body, modelName)
}
