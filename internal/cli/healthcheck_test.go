package cli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheckExitCodes(t *testing.T) {
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v2/health/ready" {
			http.NotFound(w, r)
		}
	}))
	defer ready.Close()
	loading := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer loading.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()

	tests := []struct {
		name string
		args []string
		want int
	}{
		{"ready", []string{"--url", ready.URL + "/v2/health/ready"}, 0},
		{"not ready", []string{"--url", loading.URL + "/v2/health/ready"}, 1},
		{"wrong path", []string{"--url", ready.URL + "/nope"}, 1},
		{"no server", []string{"--url", gone.URL + "/v2/health/ready"}, 1},
		{"bad timeout", []string{"--url", ready.URL, "--timeout", "0s"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			got := Main(append([]string{"healthcheck"}, tt.args...), strings.NewReader(""), &out, &errb)
			if got != tt.want {
				t.Errorf("exit %d, want %d; stderr: %s", got, tt.want, errb.String())
			}
		})
	}
}

func TestHealthcheckURLFromEnv(t *testing.T) {
	tests := []struct{ env, want string }{
		{"", "http://127.0.0.1:8080/v2/health/ready"},
		{"0.0.0.0:9000", "http://127.0.0.1:9000/v2/health/ready"},
		{"9001", "http://127.0.0.1:9001/v2/health/ready"},
		{"10.0.0.5:80", "http://10.0.0.5:80/v2/health/ready"},
	}
	for _, tt := range tests {
		t.Setenv("MLCTL_HTTP_ADDR", tt.env)
		if got := healthcheckURL(); got != tt.want {
			t.Errorf("MLCTL_HTTP_ADDR=%q: %s, want %s", tt.env, got, tt.want)
		}
	}
}

func TestDeployDockerFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no name", []string{"x.mlb"}, "--name is required"},
		{"bad name", []string{"x.mlb", "--name", "a b"}, "invalid deployment name"},
		{"bad env", []string{"x.mlb", "--name", "a", "--env", "NOEQ"}, "expected KEY=VALUE"},
		{"bad memory", []string{"x.mlb", "--name", "a", "--memory", "lots"}, "expected a size"},
		{"bad cpus", []string{"x.mlb", "--name", "a", "--cpus", "-1"}, "--cpus"},
		{"bad push reference", []string{"x.mlb", "--name", "a", "--push", "UPPER/Case::x"}, "--push"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			got := Main(append([]string{"deploy", "docker"}, tt.args...), strings.NewReader(""), &out, &errb)
			if got != exitUsage || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", got, errb.String(), exitUsage, tt.want)
			}
		})
	}
}
