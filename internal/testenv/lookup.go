package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// strictEnv, when "1", turns a missing component from a skip into a failure.
const strictEnv = "MLCTL_TESTENV_STRICT"

// missing skips (or, in strict mode, fails) a test whose component is not
// installed, saying how to install it.
func missing(t testing.TB, what, install string) {
	t.Helper()
	msg := what + " not found; install it with: " + install
	if os.Getenv(strictEnv) == "1" {
		t.Fatal(msg + " (failing because " + strictEnv + "=1)")
	}
	t.Skip(msg)
}

// cacheDir is mlctl's cache directory, where scripts/testenv installs to.
func cacheDir() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "mlctl")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".cache", "mlctl")
}

// findBinary looks for an executable on PATH, in GOBIN and every
// GOPATH/bin, then in mlctl's cache bin directory.
func findBinary(name string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	for _, p := range filepath.SplitList(gopath) {
		dirs = append(dirs, filepath.Join(p, "bin"))
	}
	if c := cacheDir(); c != "" {
		dirs = append(dirs, filepath.Join(c, "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}
