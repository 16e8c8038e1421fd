package pack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gopkg.in/yaml.v3"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/load"
)

// Options describe one pack.
type Options struct {
	// Models are model files (.onnx, .pmml, .pkl/.joblib) of one model, or
	// one MLflow model directory.
	Models []string
	// Out is the bundle directory to create, or an archive path ending in .mlb.
	Out         string
	Name        string
	Version     string
	Tags        []string
	Description string
	// SignatureFile holds a signature (YAML or JSON) that overrides what the
	// model files say.
	SignatureFile string
	// ExampleFile is an input example (CSV, JSON or JSON lines).
	ExampleFile   string
	Tolerance     bundle.Tolerance
	AllowMismatch bool
	// Baseline are data set files (CSV, JSON lines, Parquet) profiled into
	// the bundle as its drift baseline (manifest field baseline).
	Baseline []string
	// Requirements pin interpreter and library versions (pickle flavor).
	Requirements map[string]string
	Load         load.Options
	MlctlVersion string
	// Now stamps the manifest; nil means time.Now.
	Now func() time.Time
}

// Result is a packed bundle.
type Result struct {
	Manifest *bundle.Manifest
	// Path is the bundle directory or archive written.
	Path string
}

type source struct {
	Flavor string
	Path   string
}

type loaded struct {
	source
	entry bundle.Flavor
	model flavors.Model
}

// Pack builds a bundle from opts.Models.
func Pack(ctx context.Context, opts Options) (*Result, error) {
	if len(opts.Models) == 0 {
		return nil, fmt.Errorf("no model given: pass .onnx, .pmml or .pkl files, or an MLflow model directory")
	}
	if opts.Out == "" {
		return nil, fmt.Errorf("no output given: use -o DIR or -o FILE%s", bundle.ArchiveExt)
	}
	if opts.Tolerance == (bundle.Tolerance{}) {
		opts.Tolerance = bundle.DefaultTolerance
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Load.Logger == nil {
		opts.Load.Logger = slog.New(slog.DiscardHandler)
	}
	srcs, imp, err := resolveSources(opts.Models)
	if err != nil {
		return nil, err
	}
	archive := strings.HasSuffix(strings.ToLower(opts.Out), bundle.ArchiveExt)
	dir := opts.Out
	if archive {
		if dir, err = os.MkdirTemp("", "mlctl-pack-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
	} else if err := prepareDir(dir); err != nil {
		return nil, err
	}
	m, err := build(ctx, dir, srcs, imp, opts)
	if err != nil {
		if !archive {
			os.RemoveAll(dir)
		}
		return nil, err
	}
	if archive {
		if err := bundle.Archive(dir, opts.Out); err != nil {
			return nil, err
		}
	}
	return &Result{Manifest: m, Path: opts.Out}, nil
}

func prepareDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err == nil && len(entries) > 0 {
		return fmt.Errorf("output directory %s exists and is not empty: choose a new path", dir)
	}
	return os.MkdirAll(dir, 0o755)
}

func resolveSources(models []string) ([]source, *mlflowImport, error) {
	var srcs []source
	var imp *mlflowImport
	seen := map[string]string{}
	for _, p := range models {
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("model %s: %w", p, err)
		}
		var add []source
		switch {
		case st.IsDir() && IsMLflowDir(p):
			if imp != nil {
				return nil, nil, fmt.Errorf("%s: only one MLflow model directory can be packed at a time", p)
			}
			if imp, err = readMLflow(p); err != nil {
				return nil, nil, err
			}
			add = imp.Models
		case st.IsDir():
			return nil, nil, fmt.Errorf("%s is a directory without an MLmodel file: expected a model file or an MLflow model directory", p)
		default:
			fl, ok := load.FlavorForFile(p)
			if !ok {
				return nil, nil, fmt.Errorf("%s: unknown model format: expected .onnx, .pmml, .pkl, .pickle or .joblib", p)
			}
			add = []source{{Flavor: fl, Path: p}}
		}
		for _, s := range add {
			if prev, dup := seen[s.Flavor]; dup {
				return nil, nil, fmt.Errorf("two %s models given (%s and %s): a bundle holds one file per flavor", s.Flavor, prev, s.Path)
			}
			seen[s.Flavor] = s.Path
			srcs = append(srcs, s)
		}
	}
	return srcs, imp, nil
}

func build(ctx context.Context, dir string, srcs []source, imp *mlflowImport, opts Options) (*bundle.Manifest, error) {
	m := &bundle.Manifest{
		Format:       bundle.Format,
		UUID:         uuid.NewString(),
		Name:         opts.Name,
		Version:      opts.Version,
		Tags:         opts.Tags,
		Description:  opts.Description,
		Requirements: map[string]string{},
		Provenance: bundle.Provenance{
			Created:      opts.Now().UTC().Truncate(time.Second),
			MlctlVersion: opts.MlctlVersion,
			GitCommit:    gitCommit(filepath.Dir(srcs[0].Path)),
		},
	}
	if m.Name == "" {
		m.Name = defaultName(srcs, imp)
	}
	if m.Version == "" {
		m.Version = "1"
	}
	if imp != nil {
		m.Provenance.ImportedFrom = "mlflow"
		m.Signature.Inputs = imp.Inputs
		for k, v := range imp.Requirements {
			m.Requirements[k] = v
		}
	}
	for k, v := range opts.Requirements {
		m.Requirements[k] = v
	}
	if opts.SignatureFile != "" {
		sig, err := readSignature(opts.SignatureFile)
		if err != nil {
			return nil, err
		}
		m.Signature = sig
	}
	// Copy the model files in first: every later step reads the bundle's
	// copies, so what is checked is what ships.
	for i, s := range srcs {
		src, err := bundle.Digest(s.Path)
		if err != nil {
			return nil, err
		}
		src.Path = s.Path
		m.Provenance.Sources = append(m.Provenance.Sources, src)
		rel := "flavors/" + s.Flavor + "/" + filepath.Base(s.Path)
		if err := copyFile(s.Path, filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
			return nil, err
		}
		m.Flavors = append(m.Flavors, bundle.Flavor{Name: s.Flavor, Path: rel})
		srcs[i].Path = filepath.Join(dir, filepath.FromSlash(rel))
	}
	models, err := loadAll(ctx, m, srcs, opts)
	defer func() {
		for _, l := range models {
			l.model.Close()
		}
	}()
	if err != nil {
		return nil, err
	}
	if err := recordExample(ctx, dir, m, models, imp, opts); err != nil {
		return nil, err
	}
	if len(m.Requirements) == 0 {
		m.Requirements = nil
	}
	if len(opts.Baseline) > 0 {
		if err := recordBaseline(ctx, dir, m, opts.Baseline, referenceModel(m, models)); err != nil {
			return nil, err
		}
	}
	if err := bundle.Seal(dir, m); err != nil {
		return nil, err
	}
	return m, nil
}

// loadAll loads every flavor in an order that lets the formats that know
// their task and field names (PMML, pickle) inform the one that does not
// (ONNX), then settles the bundle's task, classes and signature.
func loadAll(ctx context.Context, m *bundle.Manifest, srcs []source, opts Options) ([]loaded, error) {
	rank := map[string]int{"pmml": 0, "pickle": 1, "onnx": 2}
	ordered := append([]source(nil), srcs...)
	sort.SliceStable(ordered, func(i, j int) bool { return rank[ordered[i].Flavor] < rank[ordered[j].Flavor] })
	var out []loaded
	for _, s := range ordered {
		fl, err := load.Lookup(s.Flavor)
		if err != nil {
			return out, err
		}
		entry, _ := m.Flavor(s.Flavor)
		lo := load.FlavorOptions(m, entry, opts.Load)
		lo.SHA256 = "" // the copy was made from the user's own file a moment ago
		model, err := fl.Load(ctx, s.Path, lo)
		if err != nil {
			return out, fmt.Errorf("load %s model %s: %w", s.Flavor, filepath.Base(s.Path), err)
		}
		out = append(out, loaded{source: s, entry: entry, model: model})
		if err := selfVerify(ctx, s, model, opts); err != nil {
			return out, err
		}
		settle(m, model)
	}
	recordEnvironment(m, out)
	for i, l := range out {
		native := l.model.Signature()
		if !flavors.SameInputs(native.Inputs, m.Signature.Inputs) {
			for j := range m.Flavors {
				if m.Flavors[j].Name == l.Flavor {
					m.Flavors[j].Signature = &native
				}
			}
		}
		out[i].model = flavors.Adapt(l.model, m.Signature.Inputs, m.Classes)
	}
	settleOutputs(m, out)
	return out, nil
}

// selfVerify runs the test cases a model file carries (PMML's
// ModelVerification): a model that fails its producer's own expectations is
// not packed unless mismatches are allowed, and then only with a warning.
func selfVerify(ctx context.Context, s source, model flavors.Model, opts Options) error {
	sv, ok := model.(flavors.SelfVerifier)
	if !ok {
		return nil
	}
	v, err := sv.SelfVerify(ctx)
	if err != nil {
		return fmt.Errorf("%s model %s: %w", s.Flavor, filepath.Base(s.Path), err)
	}
	if v.Passed() {
		return nil
	}
	msg := fmt.Sprintf("%s model %s: %d of the %d values its verification records expect differ: %s",
		s.Flavor, filepath.Base(s.Path), len(v.Mismatches), v.Values, strings.Join(firstLines(v.Mismatches, 5), "; "))
	if opts.AllowMismatch {
		opts.Load.Logger.Warn(msg)
		return nil
	}
	return fmt.Errorf("%w: %s (--allow-mismatch packs it anyway)", ErrSelfVerification, msg)
}

func firstLines(lines []string, n int) []string {
	if len(lines) <= n {
		return lines
	}
	return append(lines[:n:n], fmt.Sprintf("… %d more", len(lines)-n))
}

// settle takes the task, classes and inputs from the first model that says.
func settle(m *bundle.Manifest, model flavors.Model) {
	sig := model.Signature()
	if m.Task == flavors.TaskUnknown {
		if c, ok := model.(flavors.Classifier); ok && len(c.Classes()) > 0 {
			m.Task = flavors.TaskClassification
			m.Classes = c.Classes()
		} else if _, ok := sig.Output("prediction"); ok {
			m.Task = flavors.TaskRegression
		}
	}
	if len(m.Signature.Inputs) == 0 {
		m.Signature.Inputs = sig.Inputs
	}
}

// settleOutputs takes the bundle's outputs from the reference flavor: the
// outputs every flavor is checked against are the ones the bundle promises.
func settleOutputs(m *bundle.Manifest, models []loaded) {
	if len(m.Signature.Outputs) > 0 {
		return
	}
	for _, ref := range referenceOrder {
		for _, l := range models {
			if l.Flavor == ref {
				m.Signature.Outputs = l.model.Signature().Outputs
				return
			}
		}
	}
}

// referenceOrder ranks flavors as the oracle of the cross-flavor check: the
// pickle is what the user trained; PMML and ONNX are exports of it.
var referenceOrder = []string{"pickle", "pmml", "onnx"}

// recordEnvironment pins the interpreter and library versions that loaded a
// pickle at pack time, for those that neither an MLflow directory nor
// --require named: they are versions known to load it.
func recordEnvironment(m *bundle.Manifest, models []loaded) {
	for _, l := range models {
		env, ok := l.model.(flavors.Environment)
		if !ok {
			continue
		}
		for _, k := range []string{"python", "scikit-learn", "numpy"} {
			if v := env.Environment()[k]; v != "" && m.Requirements[k] == "" {
				m.Requirements[k] = v
			}
		}
	}
}

func readSignature(path string) (flavors.Signature, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return flavors.Signature{}, err
	}
	var sig flavors.Signature
	if err := yaml.Unmarshal(raw, &sig); err != nil {
		return flavors.Signature{}, fmt.Errorf("signature file %s: %w", path, err)
	}
	if len(sig.Inputs) == 0 {
		return flavors.Signature{}, fmt.Errorf("signature file %s: expected a list under inputs:", path)
	}
	for i, sp := range sig.Inputs {
		dt, err := flavors.ParseDType(string(sp.DType))
		if err != nil {
			return flavors.Signature{}, fmt.Errorf("signature file %s: inputs[%d] (%s): %w", path, i, sp.Name, err)
		}
		sig.Inputs[i].DType = dt
		if sp.Name == "" {
			return flavors.Signature{}, fmt.Errorf("signature file %s: inputs[%d] has no name", path, i)
		}
		if len(sp.Shape) == 0 {
			sig.Inputs[i].Shape = []int64{-1}
		}
	}
	return sig, nil
}

func defaultName(srcs []source, imp *mlflowImport) string {
	if imp != nil {
		return imp.Name
	}
	base := filepath.Base(srcs[0].Path)
	name := strings.TrimSuffix(base, filepath.Ext(base))
	if name == "model" {
		// examples/models/iris_forest/model.onnx is better named by its folder.
		name = filepath.Base(filepath.Dir(srcs[0].Path))
	}
	return name
}

func gitCommit(dir string) string {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// ErrMismatch is returned, wrapped, when flavors disagree on the input
// example and the caller did not allow it.
var ErrMismatch = errors.New("flavors disagree on the input example")

// ErrSelfVerification is returned, wrapped, when a model file fails the test
// cases it carries (a PMML ModelVerification).
var ErrSelfVerification = errors.New("the model fails its own verification cases")

// readExample loads the input example: a file the user gave, the MLflow
// directory's, or one generated from the signature.
func readExample(m *bundle.Manifest, imp *mlflowImport, opts Options) (flavors.Batch, error) {
	inputs := m.Signature.Inputs
	switch {
	case opts.ExampleFile != "":
		raw, err := os.ReadFile(opts.ExampleFile)
		if err != nil {
			return flavors.Batch{}, err
		}
		b, err := decodeExample(raw, codec.FormatFromPath(opts.ExampleFile), inputs)
		if err != nil {
			return flavors.Batch{}, fmt.Errorf("input example %s: %w", opts.ExampleFile, err)
		}
		return b, nil
	case imp != nil && imp.Example != nil:
		b, err := codec.DecodeJSON(imp.Example, inputs)
		if err != nil {
			return flavors.Batch{}, fmt.Errorf("MLflow input example: %w", err)
		}
		return b, nil
	}
	return GenerateExample(inputs, 5)
}
