package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"runtime"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/flavors/onnx"
)

// Paths inside the image.
const (
	MlctlPath   = "/usr/local/bin/mlctl"
	BundleDir   = "/bundle"
	ORTLibPath  = "/usr/lib/mlctl/libonnxruntime.so"
	DefaultHTTP = 8080
	DefaultGRPC = 8081
	// User is the non-root user (and group) the server runs as.
	User = "65532:65532"
)

// Labels written into the image config.
const (
	LabelSource        = "org.opencontainers.image.source"
	LabelVersion       = "org.opencontainers.image.version"
	LabelCreated       = "org.opencontainers.image.created"
	LabelRevision      = "org.opencontainers.image.revision"
	LabelTitle         = "org.opencontainers.image.title"
	LabelBundleUUID    = "io.mlctl.bundle.uuid"
	LabelBundleDigest  = "io.mlctl.bundle.digest"
	LabelBundleName    = "io.mlctl.bundle.name"
	LabelBundleVersion = "io.mlctl.bundle.version"
	LabelFlavor        = "io.mlctl.flavor"
)

// ErrBuild marks a failure to assemble an image from its inputs.
var ErrBuild = errors.New("image build failed")

// Options are the inputs of one image. Equal options give an equal digest.
type Options struct {
	// Bundle is the opened (verified) bundle to serve.
	Bundle *bundle.Bundle
	// Flavor is the flavor the server loads; "" means the manifest's first.
	Flavor string
	// Base is the image to build on; nil means scratch (empty.Image).
	Base v1.Image
	// MlctlBinary is the mlctl executable to put in; "" means the running one.
	MlctlBinary string
	// ORTLibrary is libonnxruntime.so for onnx bundles; "" finds it the way
	// the onnx flavor does (onnx.LibraryPath).
	ORTLibrary string
	// Source and Revision fill org.opencontainers.image.source/.revision;
	// Revision defaults to the bundle's recorded git commit.
	Source, Revision string
	// Platform of the mlctl binary; zero means linux/runtime.GOARCH.
	Platform v1.Platform
}

// Image is an assembled image.
type Image struct {
	Image v1.Image
	// ID is the config digest: the image ID the engine reports after a load.
	ID v1.Hash
	// Digest is the manifest digest (what a registry would report).
	Digest v1.Hash
	// BundleDigest is the sha256 of the bundle's manifest file, which holds
	// every file's digest: it names the bundle's content.
	BundleDigest string
	Flavor       string
}

// Build assembles the image that serves o.Bundle.
func Build(ctx context.Context, o Options) (*Image, error) {
	if o.Bundle == nil {
		return nil, fmt.Errorf("%w: no bundle given", ErrBuild)
	}
	m := &o.Bundle.Manifest
	flavor := o.Flavor
	if flavor == "" {
		names := m.FlavorNames()
		if len(names) == 0 {
			return nil, fmt.Errorf("%w: bundle %s has no flavor", ErrBuild, m.Name)
		}
		flavor = names[0]
	}
	if _, ok := m.Flavor(flavor); !ok {
		return nil, fmt.Errorf("%w: bundle %s has no %q flavor (it has %s)", ErrBuild, m.Name, flavor, strings.Join(m.FlavorNames(), ", "))
	}
	created := m.Provenance.Created.UTC().Truncate(time.Second)
	if created.IsZero() {
		created = time.Unix(0, 0).UTC()
	}
	bin := o.MlctlBinary
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("%w: finding the mlctl binary: %v (give --mlctl-binary)", ErrBuild, err)
		}
		bin = exe
	}
	bundleDigest, err := fileSHA256(o.Bundle.Path(bundle.ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBuild, err)
	}
	base := o.Base
	if base == nil {
		base = empty.Image
	}

	var adds []mutate.Addendum
	add := func(what string, files []fileEntry) error {
		l, err := fileLayer(files, created)
		if err != nil {
			return fmt.Errorf("%w: %s layer: %v", ErrBuild, what, err)
		}
		adds = append(adds, mutate.Addendum{Layer: l, MediaType: types.OCILayer, History: v1.History{
			Created: v1.Time{Time: created}, CreatedBy: "mlctl deploy: " + what, Comment: "mlctl",
		}})
		return nil
	}
	if err := add("mlctl binary", []fileEntry{{Src: bin, Dst: MlctlPath, Mode: 0o555}}); err != nil {
		return nil, err
	}
	env := []string{}
	if flavor == "onnx" {
		lib, err := onnx.LibraryPath(o.ORTLibrary)
		if err != nil {
			return nil, fmt.Errorf("%w: the onnx flavor needs ONNX Runtime in the image: %v", ErrBuild, err)
		}
		if err := add("onnx runtime", []fileEntry{{Src: lib, Dst: ORTLibPath, Mode: 0o444}}); err != nil {
			return nil, err
		}
		env = append(env, onnx.EnvLibrary+"="+ORTLibPath)
	}
	files := []fileEntry{{Src: o.Bundle.Path(bundle.ManifestFile), Dst: path.Join(BundleDir, bundle.ManifestFile), Mode: 0o444}}
	for _, f := range m.Files {
		files = append(files, fileEntry{Src: o.Bundle.Path(f.Path), Dst: path.Join(BundleDir, f.Path), Mode: 0o444})
	}
	if err := add("bundle "+m.Name+" "+m.Version, files); err != nil {
		return nil, err
	}

	img, err := mutate.Append(base, adds...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBuild, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("%w: base image config: %v", ErrBuild, err)
	}
	cf = cf.DeepCopy()
	plat := o.Platform
	if plat.OS == "" {
		plat = v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	}
	cf.OS, cf.Architecture, cf.Variant = plat.OS, plat.Architecture, plat.Variant
	cf.Created = v1.Time{Time: created}
	cf.Author = "mlctl"
	labels := o.labels(m, flavor, bundleDigest, created)
	cf.Config = serveConfig(cf.Config, flavor, env, labels)

	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBuild, err)
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img = mutate.Annotations(img, annotations(labels)).(v1.Image)

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id, err := img.ConfigName()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBuild, err)
	}
	digest, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBuild, err)
	}
	return &Image{Image: img, ID: id, Digest: digest, BundleDigest: bundleDigest, Flavor: flavor}, nil
}

// serveConfig keeps the base's environment (PATH, locale) and sets how the
// server runs: as non-root, `mlctl serve /bundle --flavor F`, listening on
// all interfaces inside the container; a run may append --port/--grpc-port.
func serveConfig(c v1.Config, flavor string, env []string, labels map[string]string) v1.Config {
	c.User = User
	c.WorkingDir = "/"
	c.Entrypoint = []string{MlctlPath, "serve", BundleDir, "--flavor", flavor}
	c.Cmd = []string{"--port", "0.0.0.0:" + strconv.Itoa(DefaultHTTP), "--grpc-port", "0.0.0.0:" + strconv.Itoa(DefaultGRPC)}
	c.Env = mergeEnv(c.Env, append([]string{
		"PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin",
		"HOME=/tmp",
	}, env...))
	c.ExposedPorts = map[string]struct{}{
		strconv.Itoa(DefaultHTTP) + "/tcp": {},
		strconv.Itoa(DefaultGRPC) + "/tcp": {},
	}
	c.Healthcheck = &v1.HealthConfig{
		Test:        HealthcheckCmd(DefaultHTTP),
		Interval:    5 * time.Second,
		Timeout:     3 * time.Second,
		StartPeriod: 60 * time.Second,
		Retries:     3,
	}
	c.StopSignal = "SIGTERM"
	c.Labels = labels
	return c
}

// HealthcheckCmd is the exec-form health check for a server on port: no
// shell is needed, so it works on any base.
func HealthcheckCmd(port int) []string {
	return []string{"CMD", MlctlPath, "healthcheck", "--url", "http://127.0.0.1:" + strconv.Itoa(port) + "/v2/health/ready"}
}

func (o Options) labels(m *bundle.Manifest, flavor, bundleDigest string, created time.Time) map[string]string {
	l := map[string]string{
		LabelTitle:         m.Name,
		LabelVersion:       m.Version,
		LabelCreated:       created.Format(time.RFC3339),
		LabelBundleUUID:    m.UUID,
		LabelBundleDigest:  bundleDigest,
		LabelBundleName:    m.Name,
		LabelBundleVersion: m.Version,
		LabelFlavor:        flavor,
	}
	if o.Source != "" {
		l[LabelSource] = o.Source
	}
	rev := o.Revision
	if rev == "" {
		rev = m.Provenance.GitCommit
	}
	if rev != "" {
		l[LabelRevision] = rev
	}
	return l
}

// annotations are the OCI labels repeated on the manifest, where registries
// and tools read them.
func annotations(labels map[string]string) map[string]string {
	a := make(map[string]string, len(labels))
	for k, v := range labels {
		a[k] = v
	}
	return a
}

// mergeEnv overrides base's variables with set's, keeping base's order.
func mergeEnv(base, set []string) []string {
	out := append([]string(nil), base...)
	for _, kv := range set {
		k, _, _ := strings.Cut(kv, "=")
		replaced := false
		for i, old := range out {
			if ok, _, _ := strings.Cut(old, "="); ok == k {
				out[i], replaced = kv, true
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}

func fileSHA256(p string) (string, error) {
	raw, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// Tag is a default image reference for a bundle: mlctl/NAME:VERSION-UUID8,
// lowercased and with characters a tag cannot hold replaced by '-'.
func Tag(m *bundle.Manifest) string {
	uuid := strings.ReplaceAll(m.UUID, "-", "")
	if len(uuid) > 8 {
		uuid = uuid[:8]
	}
	return "mlctl/" + refPart(m.Name, "model", false) + ":" + refPart(m.Version+"-"+uuid, "latest", true)
}

func refPart(s, def string, tag bool) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_'
		if ok {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-._")
	if tag && len(out) > 128 {
		out = out[:128]
	}
	if out == "" {
		return def
	}
	return out
}
