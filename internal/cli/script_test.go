package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

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
