package testenv

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// InstallDocker installs and starts a Docker engine and builds the local
// base images (mlctl-base/glibc:bookworm; with MLCTL_DOCKER_PYTHON_BASE=1
// also mlctl-base/python-sklearn:bookworm).
const InstallDocker = "bash scripts/testenv/docker.sh"

// DockerEngine is a running engine a test may use.
type DockerEngine struct {
	// Host is the engine address, e.g. unix:///var/run/docker.sock.
	Host string
	http *http.Client
}

// RequireDocker returns the engine DOCKER_HOST names (default the local
// socket) if it answers, and skips the test otherwise (fails it under
// MLCTL_TESTENV_STRICT=1). Tests share the engine: they must name their
// containers and images uniquely and remove what they start.
func RequireDocker(t testing.TB) *DockerEngine {
	t.Helper()
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		host = "unix:///var/run/docker.sock"
	}
	sock, ok := strings.CutPrefix(host, "unix://")
	if !ok {
		missing(t, "a Docker engine on a unix socket (DOCKER_HOST="+host+" is not one)", InstallDocker)
	}
	d := &DockerEngine{Host: host, http: &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}},
	}}
	if code, err := d.get("/_ping"); err != nil || code != http.StatusOK {
		missing(t, fmt.Sprintf("a running Docker engine at %s (ping: %d %v)", host, code, err), InstallDocker)
	}
	return d
}

// RequireImage skips the test (fails it in strict mode) when the engine
// does not hold ref, e.g. a base image scripts/testenv/docker.sh builds.
func (d *DockerEngine) RequireImage(t testing.TB, ref, install string) {
	t.Helper()
	code, err := d.get("/images/" + ref + "/json")
	if err != nil || code != http.StatusOK {
		missing(t, fmt.Sprintf("image %s in the Docker engine (inspect: %d %v)", ref, code, err), install)
	}
}

func (d *DockerEngine) get(path string) (int, error) {
	resp, err := d.http.Get("http://docker" + path)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}
