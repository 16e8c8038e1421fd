package pack

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/flavors"
)

func TestGenerateExampleFitsSignature(t *testing.T) {
	inputs := []flavors.Spec{
		{Name: "x", DType: flavors.FP64, Shape: []int64{-1}},
		{Name: "n", DType: flavors.Int32, Shape: []int64{-1}},
		{Name: "color", DType: flavors.Bytes, Shape: []int64{-1}, Values: []string{"red", "blue"}},
		{Name: "level", DType: flavors.FP64, Shape: []int64{-1}, Values: []string{"1", "2.5"}},
		{Name: "img", DType: flavors.FP32, Shape: []int64{-1, 2, -1}},
	}
	b, err := GenerateExample(inputs, 4)
	require.NoError(t, err)
	require.NoError(t, flavors.Signature{Inputs: inputs}.Check(b))
	color, _ := b.Get("color")
	assert.Equal(t, []string{"red", "blue", "red", "blue"}, color.Data)
	level, _ := b.Get("level")
	assert.Equal(t, []float64{1, 2.5, 1, 2.5}, level.Data)
	img, _ := b.Get("img")
	assert.Equal(t, []int64{4, 2, 1}, img.Shape)

	again, err := GenerateExample(inputs, 4)
	require.NoError(t, err)
	assert.Equal(t, b, again, "the generated example is deterministic")
}

func TestMLflowSchema(t *testing.T) {
	specs, err := mlflowSchema(`[{"type": "double", "name": "a", "required": true}, {"type": "long", "name": "b", "required": false}, {"type": "string", "name": "c"}]`)
	require.NoError(t, err)
	assert.Equal(t, []flavors.Spec{
		{Name: "a", DType: flavors.FP64, Shape: []int64{-1}},
		{Name: "b", DType: flavors.Int64, Shape: []int64{-1}, Nullable: true},
		{Name: "c", DType: flavors.Bytes, Shape: []int64{-1}},
	}, specs)

	specs, err = mlflowSchema(`[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 28, 28]}}]`)
	require.NoError(t, err)
	assert.Equal(t, []flavors.Spec{{Name: "input_0", DType: flavors.FP32, Shape: []int64{-1, 28, 28}}}, specs)

	_, err = mlflowSchema(`[{"type": "datetime", "name": "when"}]`)
	assert.ErrorContains(t, err, `column "when": MLflow type "datetime" is not supported`)
	_, err = mlflowSchema(`{}`)
	assert.ErrorContains(t, err, "not a schema list")
}

func TestWrapMLflowExample(t *testing.T) {
	assert.JSONEq(t, `{"dataframe_split": {"columns": ["a"], "data": [[1]]}}`, string(wrapMLflowExample([]byte(`{"columns": ["a"], "data": [[1]]}`), "dataframe")))
	assert.JSONEq(t, `{"inputs": [[1, 2]]}`, string(wrapMLflowExample([]byte(`[[1, 2]]`), "ndarray")))
	already := `{"dataframe_records": [{"a": 1}]}`
	assert.JSONEq(t, already, string(wrapMLflowExample([]byte(already), "dataframe")))
}

func TestReadSignature(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	sig, err := readSignature(write("ok.yaml", "inputs:\n  - {name: a, dtype: double}\n  - {name: b, dtype: INT64, shape: [-1]}\n"))
	require.NoError(t, err)
	assert.Equal(t, flavors.FP64, sig.Inputs[0].DType)
	assert.Equal(t, []int64{-1}, sig.Inputs[0].Shape)

	_, err = readSignature(write("bad.yaml", "inputs:\n  - {name: a, dtype: quaternion}\n"))
	assert.ErrorContains(t, err, `inputs[0] (a): unknown dtype "quaternion"`)
	_, err = readSignature(write("empty.yaml", "outputs: []\n"))
	assert.ErrorContains(t, err, "expected a list under inputs:")
	_, err = readSignature(write("noname.yaml", "inputs:\n  - {dtype: FP64}\n"))
	assert.ErrorContains(t, err, "inputs[0] has no name")
}

func TestPackRefusesBeforeWriting(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.pmml")
	require.NoError(t, os.WriteFile(model, []byte("<PMML/>"), 0o644))
	out := filepath.Join(dir, "out")
	require.NoError(t, os.MkdirAll(filepath.Join(out, "x"), 0o755))

	_, err := Pack(context.Background(), Options{Models: []string{model}, Out: out})
	assert.ErrorContains(t, err, "exists and is not empty")
	_, err = Pack(context.Background(), Options{Out: out})
	assert.ErrorContains(t, err, "no model given")
	_, err = Pack(context.Background(), Options{Models: []string{model}})
	assert.ErrorContains(t, err, "no output given")
	_, err = Pack(context.Background(), Options{Models: []string{dir}, Out: filepath.Join(dir, "o2")})
	assert.ErrorContains(t, err, "directory without an MLmodel file")
}

// A PMML-only pack needs no external runtime, so it runs everywhere: the
// manifest must carry the signature, example, golden and digests.
func TestPackPMMLBundle(t *testing.T) {
	src := filepath.Join("..", "..", "examples", "models", "iris_logreg", "model.pmml")
	out := filepath.Join(t.TempDir(), "iris.mlb")
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	res, err := Pack(context.Background(), Options{
		Models: []string{src}, Out: out, Name: "iris", Version: "2", Tags: []string{"canary"},
		ExampleFile: filepath.Join("..", "..", "examples", "models", "iris_logreg", "input.csv"),
		Now:         func() time.Time { return now },
	})
	require.NoError(t, err)
	m := res.Manifest
	assert.Equal(t, bundle.Format, m.Format)
	assert.Len(t, m.UUID, 36)
	assert.Equal(t, flavors.TaskClassification, m.Task)
	assert.Equal(t, []string{"setosa", "versicolor", "virginica"}, m.Classes)
	assert.Equal(t, now, m.Provenance.Created)
	assert.Equal(t, 30, m.Example.Rows)
	assert.Equal(t, "pmml", m.Example.Check.Reference)
	require.Len(t, m.Provenance.Sources, 1)
	assert.Len(t, m.Provenance.Sources[0].SHA256, 64)

	b, err := bundle.Open(out)
	require.NoError(t, err)
	defer b.Close()
	assert.Equal(t, m.UUID, b.Manifest.UUID)
	assert.FileExists(t, b.Path("example/golden.pmml.json"))
}
