package cli

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/deploy/docker"
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
and compare with the golden outputs; only then are earlier revisions of NAME
stopped and removed. On failure the new container is removed and an earlier
revision that had to stop for --port is started again. See docs/deploy.md.`,
		Example: `  mlctl deploy docker iris.mlb --name iris
  mlctl deploy docker iris.mlb --name iris --port 8080 --memory 512m --cpus 1 --restart unless-stopped`,
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
	return nil
}
