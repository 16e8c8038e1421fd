package pack

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
)

// mlflowModel is the part of an MLflow MLmodel file mlctl imports.
type mlflowModel struct {
	ArtifactPath string                    `yaml:"artifact_path"`
	Flavors      map[string]map[string]any `yaml:"flavors"`
	ModelUUID    string                    `yaml:"model_uuid"`
	RunID        string                    `yaml:"run_id"`
	Signature    *struct {
		Inputs  string `yaml:"inputs"`
		Outputs string `yaml:"outputs"`
	} `yaml:"signature"`
	InputExample *struct {
		ArtifactPath string `yaml:"artifact_path"`
		Type         string `yaml:"type"`
		PandasOrient string `yaml:"pandas_orient"`
	} `yaml:"saved_input_example_info"`
}

// mlflowImport is what an MLflow model directory contributes to a bundle.
type mlflowImport struct {
	Models       []source
	Name         string
	Inputs       []flavors.Spec
	Example      []byte // a JSON body for codec.DecodeJSON
	Requirements map[string]string
}

// IsMLflowDir reports whether dir holds an MLmodel file.
func IsMLflowDir(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "MLmodel"))
	return err == nil && st.Mode().IsRegular()
}

func readMLflow(dir string) (*mlflowImport, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "MLmodel"))
	if err != nil {
		return nil, err
	}
	var mm mlflowModel
	if err := yaml.Unmarshal(raw, &mm); err != nil {
		return nil, fmt.Errorf("%s: MLmodel is not valid YAML: %w", dir, err)
	}
	imp := &mlflowImport{Name: filepath.Base(filepath.Clean(dir)), Requirements: map[string]string{}}
	if sk, ok := mm.Flavors["sklearn"]; ok {
		p, _ := sk["pickled_model"].(string)
		if p == "" {
			return nil, fmt.Errorf("%s: MLmodel flavors.sklearn has no pickled_model", dir)
		}
		if f, _ := sk["serialization_format"].(string); f != "" && f != "pickle" && f != "cloudpickle" {
			return nil, fmt.Errorf("%s: MLmodel flavors.sklearn.serialization_format %q is not supported: expected pickle or cloudpickle", dir, f)
		}
		imp.Models = append(imp.Models, source{Flavor: "pickle", Path: filepath.Join(dir, filepath.FromSlash(p))})
		if v, _ := sk["sklearn_version"].(string); v != "" {
			imp.Requirements["scikit-learn"] = v
		}
	}
	if ox, ok := mm.Flavors["onnx"]; ok {
		p, _ := ox["data"].(string)
		if p == "" {
			return nil, fmt.Errorf("%s: MLmodel flavors.onnx has no data file", dir)
		}
		imp.Models = append(imp.Models, source{Flavor: "onnx", Path: filepath.Join(dir, filepath.FromSlash(p))})
	}
	if len(imp.Models) == 0 {
		names := make([]string, 0, len(mm.Flavors))
		for k := range mm.Flavors {
			names = append(names, k)
		}
		return nil, fmt.Errorf("%s: MLmodel has flavors %s; mlctl imports sklearn and onnx", dir, strings.Join(names, ", "))
	}
	if py, ok := mm.Flavors["python_function"]; ok {
		if v, _ := py["python_version"].(string); v != "" {
			imp.Requirements["python"] = v
		}
	}
	if mm.Signature != nil && mm.Signature.Inputs != "" {
		if imp.Inputs, err = mlflowSchema(mm.Signature.Inputs); err != nil {
			return nil, fmt.Errorf("%s: MLmodel signature.inputs: %w", dir, err)
		}
	}
	if ex := mm.InputExample; ex != nil && ex.ArtifactPath != "" {
		raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ex.ArtifactPath)))
		if err != nil {
			return nil, fmt.Errorf("%s: input example: %w", dir, err)
		}
		imp.Example = wrapMLflowExample(raw, ex.Type)
	}
	if err := readRequirements(filepath.Join(dir, "requirements.txt"), imp.Requirements); err != nil {
		return nil, err
	}
	return imp, nil
}

// wrapMLflowExample turns MLflow's saved example (a bare split-oriented
// frame, or a bare tensor) into a scoring request body.
func wrapMLflowExample(raw []byte, kind string) []byte {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		for _, k := range []string{"dataframe_split", "dataframe_records", "instances", "inputs"} {
			if _, ok := obj[k]; ok {
				return raw
			}
		}
	}
	if kind == "ndarray" {
		return []byte(`{"inputs":` + string(raw) + `}`)
	}
	return []byte(`{"dataframe_split":` + string(raw) + `}`)
}

// mlflowSchema converts an MLflow column or tensor schema (JSON text).
func mlflowSchema(text string) ([]flavors.Spec, error) {
	var cols []struct {
		Name       string `json:"name"`
		Type       string `json:"type"`
		Required   *bool  `json:"required"`
		TensorSpec *struct {
			DType string  `json:"dtype"`
			Shape []int64 `json:"shape"`
		} `json:"tensor-spec"`
	}
	if err := json.Unmarshal([]byte(text), &cols); err != nil {
		return nil, fmt.Errorf("not a schema list: %w", err)
	}
	out := make([]flavors.Spec, 0, len(cols))
	for i, c := range cols {
		sp := flavors.Spec{Name: c.Name, Shape: []int64{-1}}
		if sp.Name == "" {
			sp.Name = fmt.Sprintf("input_%d", i)
		}
		var err error
		if c.Type == "tensor" && c.TensorSpec != nil {
			sp.DType, err = flavors.ParseDType(c.TensorSpec.DType)
			sp.Shape = c.TensorSpec.Shape
		} else {
			sp.DType, err = mlflowColType(c.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", sp.Name, err)
		}
		sp.Nullable = c.Required != nil && !*c.Required
		out = append(out, sp)
	}
	return out, nil
}

func mlflowColType(t string) (flavors.DType, error) {
	switch t {
	case "boolean":
		return flavors.Bool, nil
	case "integer":
		return flavors.Int32, nil
	case "long":
		return flavors.Int64, nil
	case "float":
		return flavors.FP32, nil
	case "double":
		return flavors.FP64, nil
	case "string", "binary":
		return flavors.Bytes, nil
	}
	return "", fmt.Errorf("MLflow type %q is not supported: expected boolean, integer, long, float, double, string or binary", t)
}

// readRequirements reads name==version pins; a missing file is fine.
func readRequirements(path string, into map[string]string) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
			continue
		}
		name, ver, ok := strings.Cut(line, "==")
		if !ok {
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if _, set := into[name]; !set {
			into[name] = strings.TrimSpace(ver)
		}
	}
	return sc.Err()
}

// decodeExample decodes an example body against the inputs.
func decodeExample(body []byte, f codec.Format, inputs []flavors.Spec) (flavors.Batch, error) {
	return codec.Decode(bytes.NewReader(body), f, inputs)
}
