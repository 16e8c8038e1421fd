package testenv

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// InstallRegistry installs the distribution registry (v3) where
// StartRegistry finds it (scripts/testenv/docker.sh does it with the engine).
const InstallRegistry = "bash scripts/testenv/docker.sh"

// The one user of a registry started with RegistryAuth. The hash is bcrypt
// (cost 5) of RegistryPassword, computed once with Python's crypt module:
// the registry accepts only bcrypt htpasswd entries, and mlctl carries no
// bcrypt implementation of its own.
const (
	RegistryUser     = "mlctl"
	RegistryPassword = "mlctl-push-test"
	registryBcrypt   = "$2b$05$Yo6ACzNUXc.Q8ZKX/c90kus7yMqS5WqXob6sBl/Jxcg06WX5ybWOO"
)

const (
	registryStartTimeout = 20 * time.Second
	registryStopTimeout  = 5 * time.Second
	registryStartTries   = 3 // another process may take the port we picked
)

// RegistryOptions select how a test registry runs.
type RegistryOptions struct {
	// Auth requires basic auth (htpasswd) as RegistryUser/RegistryPassword.
	Auth bool
}

// Registry is a running distribution registry on 127.0.0.1 with a fresh,
// empty storage directory.
type Registry struct {
	Host string // 127.0.0.1:PORT, the registry part of image references
	Dir  string // filesystem storage root
	// Username and Password are set when the registry requires them.
	Username, Password string
}

// StartRegistry starts the registry for the test (plain HTTP, which
// clients allow for loopback) and stops it in t.Cleanup. It skips the test
// if the registry binary is not installed.
func StartRegistry(t testing.TB, o RegistryOptions) *Registry {
	t.Helper()
	bin, ok := findBinary("registry")
	if !ok {
		missing(t, "the distribution registry (looked on PATH, in GOPATH/bin and "+filepath.Join(cacheDir(), "bin")+")", InstallRegistry)
	}
	r := &Registry{Dir: t.TempDir()}
	if o.Auth {
		r.Username, r.Password = RegistryUser, RegistryPassword
	}
	var lastErr error
	for range registryStartTries {
		err := r.start(t, bin)
		if err == nil {
			return r
		}
		lastErr = err
	}
	t.Fatalf("starting the registry: %v", lastErr)
	return nil
}

func (r *Registry) start(t testing.TB, bin string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	confDir := t.TempDir()
	auth := ""
	if r.Username != "" {
		htpasswd := filepath.Join(confDir, "htpasswd")
		if err := os.WriteFile(htpasswd, []byte(r.Username+":"+registryBcrypt+"\n"), 0o600); err != nil {
			return err
		}
		auth = fmt.Sprintf("auth:\n  htpasswd:\n    realm: mlctl-test\n    path: %s\n", htpasswd)
	}
	conf := fmt.Sprintf(`version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
%s`, r.Dir, addr, auth)
	confPath := filepath.Join(confDir, "config.yml")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve", confPath)
	// The registry also reads REGISTRY_* variables: keep only ours.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + confDir}
	p, err := startProcess("registry", cmd)
	if err != nil {
		return err
	}
	// 200, or 401 with auth, from the API root means it is up.
	up := func(resp *http.Response) bool {
		return resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized
	}
	if err := p.waitUp("http://"+addr+"/v2/", registryStartTimeout, up); err != nil {
		return err
	}
	r.Host = addr
	p.stopAtCleanup(t, registryStopTimeout)
	return nil
}

// DockerConfig writes a Docker client configuration directory (for
// DOCKER_CONFIG) whose config.json logs in to host as user:password, the
// way `docker login` records it, and returns the directory.
func DockerConfig(t testing.TB, host, user, password string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := map[string]any{"auths": map[string]any{
		host: map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + password))},
	}}
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}
