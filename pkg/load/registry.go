package load

import (
	"fmt"
	"strings"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/flavors/onnx"
	"github.com/mlctl/mlctl/pkg/flavors/pickle"
	"github.com/mlctl/mlctl/pkg/flavors/pmml"
)

// Preference is the order flavors are tried when none is asked for: native
// runtimes first, the Python sidecar last.
var Preference = []string{"onnx", "pmml", "pickle"}

// Flavors lists every flavor this build of mlctl knows.
func Flavors() []flavors.Flavor {
	return []flavors.Flavor{onnx.Flavor{}, pmml.Flavor{}, pickle.Flavor{}}
}

// Lookup returns the flavor with the given name.
func Lookup(name string) (flavors.Flavor, error) {
	for _, f := range Flavors() {
		if f.Name() == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("unknown flavor %q: expected one of %s", name, strings.Join(Preference, ", "))
}

// FlavorForFile names the flavor of a model file by its extension.
func FlavorForFile(path string) (string, bool) {
	l := strings.ToLower(path)
	switch {
	case strings.HasSuffix(l, ".onnx"):
		return "onnx", true
	case strings.HasSuffix(l, ".pmml"), strings.HasSuffix(l, ".xml"):
		return "pmml", true
	case strings.HasSuffix(l, ".pkl"), strings.HasSuffix(l, ".pickle"), strings.HasSuffix(l, ".joblib"):
		return "pickle", true
	}
	return "", false
}
