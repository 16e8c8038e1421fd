package cli

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/docker/go-units"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/deploy/docker"
	"github.com/mlctl/mlctl/pkg/deploy/registry"
	"github.com/mlctl/mlctl/pkg/deploy/rollout"
)

func newDeployCmd(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "deploy TARGET",
		Short: "Deploy a bundle to a target (docker)",
	}
	c.AddCommand(newDeployDockerCmd(g))
	return c
}

type deployDockerOptions struct {
	docker.Options
	memory string
	cpus   float64

	strategy     string
	steps        []int
	pause        time.Duration
	analysis     time.Duration
	abHeader     string
	abWeight     int
	maxErrorRate float64
	maxP99       time.Duration
	minRequests  int
	keep         int
	removeFailed bool

	push             string
	insecureRegistry bool
}

func newDeployDockerCmd(g *globals) *cobra.Command {
	o := &deployDockerOptions{}
	c := &cobra.Command{
		Use:   "docker BUNDLE --name NAME",
		Short: "Build an image for a bundle, run it on the local Docker engine, check it and print its endpoint",
		Long: `Build one OCI image for the bundle (mlctl, the bundle and, for ONNX, the ONNX
Runtime library, on a glibc base), load it into the Docker engine, run it as
revision N of the deployment NAME on the host network, wait until it is
healthy, send it the bundle's input example over the Open Inference Protocol
and compare with the golden outputs; only then does it take traffic.

--strategy replace (the default while NAME has no router): earlier revisions
of NAME are stopped and removed; --port is the revision's port. On failure
the new container is removed and an earlier revision that had to stop for
--port is started again.

--strategy blue-green|canary|shadow|ab (blue-green is the default once NAME
has a router): a router container NAME-router holds the stable endpoint
(--port, on the first such deploy) and shifts traffic to the new revision:
all at once (blue-green), in --steps with --pause between them, watching
the error rate and p99 latency (canary), after mirroring traffic for
--analysis (shadow), or by a fixed --ab-weight split sticky on --ab-header
until 'mlctl rollout promote' (ab). A breached threshold rolls back: the
previous revision takes all traffic again and the command exits 6. See
docs/deploy.md and 'mlctl rollout'.`,
		Example: `  mlctl deploy docker iris.mlb --name iris
  mlctl deploy docker iris.mlb --name iris --port 8080 --memory 512m --cpus 1 --restart unless-stopped
  mlctl deploy docker iris-1.mlb --name iris --strategy blue-green --port 8080
  mlctl deploy docker iris-2.mlb --name iris --strategy canary --steps 10,50,100 --pause 30s --max-error-rate 0.01 --max-latency-p99 250ms
  mlctl deploy docker iris-3.mlb --name iris --strategy ab --ab-header X-User --ab-weight 20`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return o.run(c, g, args[0])
		},
	}
	f := c.Flags()
	f.StringVar(&o.Name, "name", "", "deployment name (containers are NAME-rREVISION)")
	f.IntVar(&o.HTTPPort, "port", 0, "host port for HTTP (default: a free one)")
	f.IntVar(&o.GRPCPort, "grpc-port", 0, "host port for gRPC (default: off)")
	f.StringVar(&o.ListenHost, "listen", "127.0.0.1", "host address the server binds (0.0.0.0 to serve other machines)")
	f.StringVar(&o.BaseImage, "base-image", "", "base image: an engine image, an OCI layout or tarball path, or scratch (default: mlctl-base/glibc:bookworm; pickle: mlctl-base/python-sklearn:bookworm)")
	f.StringVar(&o.Flavor, "flavor", "", "flavor to serve (default: the bundle's first)")
	f.StringVar(&o.MlctlBinary, "mlctl-binary", "", "linux mlctl binary to put in the image (default: this one)")
	f.StringVar(&o.Source, "source", "", "org.opencontainers.image.source label (e.g. the repository URL)")
	f.StringArrayVar(&o.Env, "env", nil, "KEY=VALUE environment for the server (repeatable)")
	f.StringVar(&o.memory, "memory", "", "memory limit, e.g. 512m (default: none)")
	f.Float64Var(&o.cpus, "cpus", 0, "CPU limit, e.g. 1.5 (default: none)")
	f.StringVar(&o.Restart, "restart", "no", "restart policy: no, always, on-failure, unless-stopped")
	f.DurationVar(&o.HealthTimeout, "health-timeout", docker.DefaultHealthTimeout, "how long to wait for the container to be healthy")
	f.StringVar(&o.strategy, "strategy", "", "replace, blue-green, canary, shadow or ab (default: blue-green when NAME has a router, else replace)")
	f.IntSliceVar(&o.steps, "steps", rollout.DefaultSteps, "canary: percentages of traffic for the new revision, ascending to 100")
	f.DurationVar(&o.pause, "pause", rollout.DefaultPause, "canary: how long each step is held and analysed")
	f.DurationVar(&o.analysis, "analysis", rollout.DefaultAnalysis, "shadow: how long mirrored traffic is analysed before promoting")
	f.StringVar(&o.abHeader, "ab-header", rollout.DefaultABHeader, "ab: the header whose value keeps a user on one revision")
	f.IntVar(&o.abWeight, "ab-weight", rollout.DefaultABWeight, "ab: percent of users on the new revision")
	f.Float64Var(&o.maxErrorRate, "max-error-rate", 0.01, "canary, shadow: largest share of 5xx answers before rolling back (negative: off)")
	f.DurationVar(&o.maxP99, "max-latency-p99", 0, "canary, shadow: largest p99 latency before rolling back (0: off)")
	f.IntVar(&o.minRequests, "min-requests", 1, "canary, shadow: requests a window needs before its numbers count")
	f.IntVar(&o.keep, "keep", rollout.DefaultKeep, "earlier revisions whose stopped containers are kept for instant undo")
	f.BoolVar(&o.removeFailed, "remove-failed", false, "remove a rolled-back revision's container instead of keeping it stopped for inspection")
	f.StringVar(&o.push, "push", "", "after a successful deploy, push the same image to REGISTRY/REPO:TAG (Docker config or ECR credentials)")
	f.BoolVar(&o.insecureRegistry, "insecure-registry", false, "--push: allow plain HTTP or unverified TLS to a registry beyond loopback")
	return c
}

func (o *deployDockerOptions) run(c *cobra.Command, g *globals, path string) error {
	if o.Name == "" {
		return flagError{errors.New("--name is required")}
	}
	if err := docker.ValidName(o.Name); err != nil {
		return flagError{err}
	}
	for _, kv := range o.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return flagError{fmt.Errorf("--env %q: expected KEY=VALUE", kv)}
		}
	}
	if o.memory != "" {
		n, err := units.RAMInBytes(o.memory)
		if err != nil || n <= 0 {
			return flagError{fmt.Errorf("--memory %q: expected a size such as 512m or 2g", o.memory)}
		}
		o.MemoryBytes = n
	}
	if o.cpus < 0 || o.cpus > 1024 || math.IsNaN(o.cpus) {
		return flagError{fmt.Errorf("--cpus %v: expected a number of CPUs ≥ 0", o.cpus)}
	}
	o.NanoCPUs = int64(o.cpus * 1e9)
	if o.HTTPPort < 0 || o.HTTPPort > 65535 || o.GRPCPort < 0 || o.GRPCPort > 65535 {
		return flagError{errors.New("--port and --grpc-port: expected 1-65535")}
	}
	if o.push != "" {
		if _, err := registry.ParseReference(o.push, o.insecureRegistry); err != nil {
			return flagError{fmt.Errorf("--push: %w", err)}
		}
	}
	var strategy rollout.Strategy
	if o.strategy != "" {
		var err error
		if strategy, err = rollout.ParseStrategy(o.strategy); err != nil {
			return flagError{fmt.Errorf("--strategy: %w", err)}
		}
	}
	if o.abWeight < 1 || o.abWeight > 100 {
		return flagError{fmt.Errorf("--ab-weight %d: expected 1-100", o.abWeight)}
	}
	if o.maxErrorRate > 1 {
		return flagError{fmt.Errorf("--max-error-rate %g: expected a share such as 0.01", o.maxErrorRate)}
	}
	for i, s := range o.steps {
		if s < 1 || s > 100 || (i > 0 && s <= o.steps[i-1]) {
			return flagError{fmt.Errorf("--steps %v: expected ascending percentages 1-100, e.g. 10,50,100", o.steps)}
		}
	}
	o.ORTLibrary = g.ortLib
	o.Progress = func(step string) { fmt.Fprintln(g.stderr, "deploy:", step) }

	b, err := bundle.Open(path)
	if err != nil {
		return err
	}
	defer b.Close()
	o.Bundle = b
	eng, err := docker.Connect(c.Context())
	if err != nil {
		return err
	}
	defer eng.Close()
	if strategy == "" {
		strategy = rollout.Replace
		if has, err := rollout.HasRouter(c.Context(), eng, o.Name); err != nil {
			return err
		} else if has {
			strategy = rollout.BlueGreen
		}
	}
	if strategy != rollout.Replace {
		return o.rollout(c, g, eng, b, strategy)
	}
	if has, err := rollout.HasRouter(c.Context(), eng, o.Name); err != nil {
		return err
	} else if has {
		return flagError{fmt.Errorf("%s has a router (%s-router): --strategy replace would bypass it; use blue-green, canary, shadow or ab", o.Name, o.Name)}
	}
	res, err := docker.Deploy(c.Context(), eng, o.Options)
	if errors.Is(err, docker.ErrGoldenMismatch) {
		fmt.Fprintln(g.stderr, "Error:", err)
		return errCheckFailed
	}
	if err != nil {
		return err
	}
	golden := "ok"
	if res.Golden.Skipped != "" {
		golden = "skipped (" + res.Golden.Skipped + ")"
	}
	fmt.Fprintf(g.stdout, "deployed %s revision %d: %s %s (%s)\n", o.Name, res.Revision, b.Manifest.Name, b.Manifest.Version, res.Image.Flavor)
	fmt.Fprintf(g.stdout, "image: %s %s (digest %s)\n", res.ImageRef, res.Image.ID, res.Image.Digest)
	fmt.Fprintf(g.stdout, "container: %s\n", res.Container.Name)
	fmt.Fprintf(g.stdout, "golden example: %s\n", golden)
	fmt.Fprintf(g.stdout, "healthy after: %s\n", res.Healthy.Round(10*time.Millisecond))
	for _, r := range res.Replaced {
		fmt.Fprintf(g.stdout, "replaced: revision %d (%s)\n", r.Revision(), r.Name)
	}
	fmt.Fprintf(g.stdout, "endpoint: %s\n", res.Container.Endpoint)
	return o.pushDeployed(c, g, b, res.Image.Image)
}

// pushDeployed pushes the deployed revision's image when --push asks: img
// when the caller has it, else the same image built again (builds are
// reproducible, so the digest is the deployed one).
func (o *deployDockerOptions) pushDeployed(c *cobra.Command, g *globals, b *bundle.Bundle, img v1.Image) error {
	if o.push == "" {
		return nil
	}
	if img == nil {
		po := pushOptions{flavor: o.Flavor, baseImage: o.BaseImage, mlctlBinary: o.MlctlBinary, source: o.Source}
		built, err := po.build(c.Context(), g, b)
		if err != nil {
			return err
		}
		img = built.Image
	}
	ref, err := pushImage(c.Context(), img, o.push, o.insecureRegistry)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "pushed: %s\n", ref)
	return nil
}

// rollout deploys behind the deployment's router (pkg/deploy/rollout).
func (o *deployDockerOptions) rollout(c *cobra.Command, g *globals, eng *docker.Engine, b *bundle.Bundle, strategy rollout.Strategy) error {
	store, err := rollout.DefaultStore()
	if err != nil {
		return err
	}
	ro := rollout.Options{
		Revision: o.Options, Strategy: strategy, RouterPort: o.HTTPPort,
		Steps: o.steps, Pause: o.pause, Analysis: o.analysis, ABHeader: o.abHeader, ABWeight: o.abWeight,
		Thresholds:   rollout.Thresholds{MaxErrorRate: o.maxErrorRate, MaxLatencyP99: o.maxP99, MinRequests: o.minRequests},
		Keep:         o.keep,
		RemoveFailed: o.removeFailed,
		Store:        store,
	}
	ro.Revision.HTTPPort = 0
	res, err := rollout.Deploy(c.Context(), eng, ro)
	switch {
	case errors.Is(err, docker.ErrGoldenMismatch), errors.Is(err, rollout.ErrRolledBack):
		fmt.Fprintln(g.stderr, "Error:", err)
		return errCheckFailed
	case err != nil:
		return err
	}
	r := res.Revision
	fmt.Fprintf(g.stdout, "deployed %s revision %d: %s %s (%s), %s\n", o.Name, r.N, r.Bundle, r.Version, r.Flavor, strategy)
	fmt.Fprintf(g.stdout, "image: %s %s\n", r.Image, r.ImageID)
	fmt.Fprintf(g.stdout, "container: %s (%s)\n", r.Container, r.Endpoint)
	golden := "ok"
	if res.Golden.Skipped != "" {
		golden = "skipped (" + res.Golden.Skipped + ")"
	}
	fmt.Fprintf(g.stdout, "golden example: %s\n", golden)
	fmt.Fprintf(g.stdout, "healthy after: %s\n", res.Healthy.Round(10*time.Millisecond))
	if res.Previous != 0 {
		fmt.Fprintf(g.stdout, "previous: revision %d\n", res.Previous)
	}
	fmt.Fprintf(g.stdout, "rollout: %s\n", res.Phase)
	fmt.Fprintf(g.stdout, "endpoint: %s (bearer token: mlctl rollout token %s)\n", res.Router, o.Name)
	return o.pushDeployed(c, g, b, nil)
}
