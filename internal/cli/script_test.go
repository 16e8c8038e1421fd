package cli

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mlctl/mlctl/pkg/flavors/onnx"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mlctl": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts drives the real mlctl command through the scripts in
// testdata/script, against the real runtimes: ONNX Runtime and Python with
// scikit-learn. A script that needs one that is missing says so and skips.
func TestScripts(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ortLib, ortErr := onnx.LibraryPath("")
	python := "/usr/bin/python3"
	pyErr := exec.Command(python, "-c", "import sklearn, numpy").Run()
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("EXAMPLES", filepath.Join(root, "examples", "models"))
			env.Setenv("MLCTL_ORT_LIB", ortLib)
			env.Setenv("MLCTL_PYTHON", python)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"freeport": cmdFreePort,
			"waitfor":  cmdWaitFor,
			"http":     cmdHTTP,
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "ort":
				if ortErr != nil {
					t.Logf("ONNX Runtime not found (%v): run scripts/setup.sh", ortErr)
				}
				return ortErr == nil, nil
			case "sklearn":
				if pyErr != nil {
					t.Logf("%s cannot import scikit-learn: run scripts/setup.sh", python)
				}
				return pyErr == nil, nil
			}
			return false, nil
		},
	})
}

// cmdFreePort sets an environment variable to a free loopback address.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	ts.Setenv(args[0], l.Addr().String())
	l.Close()
}

// cmdWaitFor polls a URL until it answers 200, for up to 30 seconds.
func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfor URL")
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(args[0])
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("%s did not answer 200 within 30s", args[0])
}

// cmdHTTP sends a request and prints "STATUS" then the body to stdout:
// http METHOD URL [CONTENT-TYPE BODY-FILE] [HEADER=VALUE...]
func cmdHTTP(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: http METHOD URL [CONTENT-TYPE BODY-FILE] [HEADER=VALUE...]")
	}
	var body io.Reader
	var ct string
	rest := args[2:]
	if len(rest) >= 2 && !strings.Contains(rest[0], "=") {
		ct = rest[0]
		body = strings.NewReader(ts.ReadFile(rest[1]))
		rest = rest[2:]
	}
	req, err := http.NewRequest(args[0], args[1], body)
	ts.Check(err)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for _, h := range rest {
		k, v, _ := strings.Cut(h, "=")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if neg {
			return
		}
		ts.Fatalf("%s %s: %v", args[0], args[1], err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Fprintf(ts.Stdout(), "%d\n%s\n", resp.StatusCode, b)
	if neg {
		ts.Fatalf("http: unexpected success")
	}
}
