package pack

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/drift/profile"
)

// --baseline stores a profile of the data's inputs and of the model's
// outputs on it, listed and digested like every bundle file.
func TestPackBaseline(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "models", "iris_logreg")
	// A target column the model does not take is left out of the profile.
	data := filepath.Join(t.TempDir(), "train.csv")
	raw, err := os.ReadFile(filepath.Join(dir, "input.csv"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(data, raw, 0o644))

	out := filepath.Join(t.TempDir(), "iris.mlb")
	res, err := Pack(context.Background(), Options{Models: []string{filepath.Join(dir, "model.pmml")}, Out: out, Baseline: []string{data}})
	require.NoError(t, err)
	bl := res.Manifest.Baseline
	require.NotNil(t, bl)
	assert.Equal(t, BaselinePath, bl.Path)
	assert.EqualValues(t, 30, bl.Rows)
	require.Len(t, bl.Sources, 1)
	assert.Len(t, bl.Sources[0].SHA256, 64)

	b, err := bundle.Open(out)
	require.NoError(t, err)
	defer b.Close()
	f, err := os.Open(b.Path(bl.Path))
	require.NoError(t, err)
	defer f.Close()
	p, err := profile.Read(f)
	require.NoError(t, err)
	for _, name := range []string{"sepal_length", "petal_width", "label", "probabilities[setosa]", "probabilities[virginica]"} {
		c := p.Lookup(name)
		if assert.NotNil(t, c, "column %s", name) {
			assert.EqualValues(t, 30, c.Rows+c.Missing, "column %s", name)
		}
	}
	assert.Equal(t, "categorical", p.Lookup("label").Kind)
}

func TestPackBaselineNeedsInputs(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "models", "iris_logreg")
	data := filepath.Join(t.TempDir(), "bad.csv")
	require.NoError(t, os.WriteFile(data, []byte("sepal_length,other\n1,2\n"), 0o644))
	_, err := Pack(context.Background(), Options{Models: []string{filepath.Join(dir, "model.pmml")}, Out: filepath.Join(t.TempDir(), "x.mlb"), Baseline: []string{data}})
	assert.ErrorContains(t, err, "bad.csv")
	assert.ErrorContains(t, err, `"sepal_width"`)
}
