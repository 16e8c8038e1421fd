package cli

import (
	"context"
	"errors"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/deploy/docker"
	"github.com/mlctl/mlctl/pkg/deploy/image"
	"github.com/mlctl/mlctl/pkg/deploy/registry"
)

type pushOptions struct {
	flavor, baseImage, mlctlBinary, source string
	insecure                               bool
}

func newPushCmd(g *globals) *cobra.Command {
	o := &pushOptions{}
	c := &cobra.Command{
		Use:   "push BUNDLE REGISTRY/REPOSITORY:TAG",
		Short: "Build a bundle's image and push it to a registry; print REPOSITORY@sha256:…",
		Long: `Build the image 'mlctl deploy docker' builds for the bundle (the same inputs
give the same digest) and push it to a registry. Only the digest reference
REGISTRY/REPOSITORY@sha256:… is printed on stdout.

Credentials come from the Docker configuration (~/.docker/config.json or
$DOCKER_CONFIG/config.json: 'docker login' entries and credential helpers);
for Amazon ECR hosts (ACCOUNT.dkr.ecr.REGION.amazonaws.com) without an entry
there, a token from ECR with the AWS SDK's default credentials. Plain HTTP is
used only for loopback registries or with --insecure-registry. See
docs/deploy.md.`,
		Example: `  mlctl push iris.mlb 127.0.0.1:5000/models/iris:3
  mlctl push iris.mlb 123456789012.dkr.ecr.eu-west-1.amazonaws.com/iris:3
  mlctl push iris.mlb registry.lan:5000/iris:3 --insecure-registry --base-image ./glibc-base.tar`,
		Args: exactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			return o.run(c.Context(), g, args[0], args[1])
		},
	}
	f := c.Flags()
	f.StringVar(&o.flavor, "flavor", "", "flavor to serve (default: the bundle's first)")
	f.StringVar(&o.baseImage, "base-image", "", "base image: an engine image, an OCI layout or tarball path, or scratch (default: mlctl-base/glibc:bookworm; pickle: mlctl-base/python-sklearn:bookworm)")
	f.StringVar(&o.mlctlBinary, "mlctl-binary", "", "linux mlctl binary to put in the image (default: this one)")
	f.StringVar(&o.source, "source", "", "org.opencontainers.image.source label (e.g. the repository URL)")
	f.BoolVar(&o.insecure, "insecure-registry", false, "allow plain HTTP and unverified TLS to this registry (loopback registries may use HTTP without it)")
	return c
}

func (o *pushOptions) run(ctx context.Context, g *globals, path, ref string) error {
	// A bad reference is a usage error, found before any work.
	if _, err := registry.ParseReference(ref, o.insecure); err != nil {
		return flagError{err}
	}
	b, err := bundle.Open(path)
	if err != nil {
		return err
	}
	defer b.Close()
	img, err := o.build(ctx, g, b)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "push: pushing %s (%s) to %s\n", img.Digest, img.Flavor, ref)
	digestRef, err := pushImage(ctx, img.Image, ref, o.insecure)
	if err != nil {
		return err
	}
	fmt.Fprintln(g.stdout, digestRef)
	return nil
}

// build makes the image `mlctl deploy docker` makes (docker.PrepareImage's
// inputs), without loading it into an engine: an engine is reached only to
// read a base image it holds.
func (o *pushOptions) build(ctx context.Context, g *globals, b *bundle.Bundle) (*image.Image, error) {
	flavor := o.flavor
	if flavor == "" {
		if names := b.Manifest.FlavorNames(); len(names) > 0 {
			flavor = names[0]
		}
	}
	baseRef := o.baseImage
	if baseRef == "" {
		baseRef = image.DefaultBase(flavor)
	}
	fmt.Fprintln(g.stderr, "push: reading base image", baseRef)
	var base v1.Image
	if image.IsScratch(baseRef) || image.IsPath(baseRef) {
		var err error
		if base, err = image.BaseFromPath(baseRef); err != nil {
			return nil, fmt.Errorf("%w: %v", image.ErrBuild, err)
		}
	} else {
		eng, err := docker.Connect(ctx)
		if err != nil {
			return nil, fmt.Errorf("base image %s is read from the Docker engine (give --base-image scratch or an OCI layout/tarball path to push without one): %w", baseRef, err)
		}
		defer eng.Close()
		if base, err = eng.BaseImage(ctx, baseRef); err != nil {
			return nil, fmt.Errorf("%w: %v", image.ErrBuild, err)
		}
	}
	fmt.Fprintf(g.stderr, "push: building the image of %s %s (%s)\n", b.Manifest.Name, b.Manifest.Version, flavor)
	return image.Build(ctx, image.Options{
		Bundle: b, Flavor: flavor, Base: base,
		MlctlBinary: o.mlctlBinary, ORTLibrary: g.ortLib, Source: o.source,
	})
}

// pushImage pushes img to ref (REGISTRY/REPOSITORY:TAG) with credentials
// from the Docker configuration or ECR, and returns the digest reference
// REGISTRY/REPOSITORY@sha256:… the registry now serves. insecure allows
// plain HTTP and unverified TLS to a registry beyond loopback. `mlctl
// deploy docker --push` calls it too.
func pushImage(ctx context.Context, img v1.Image, ref string, insecure bool) (string, error) {
	if img == nil {
		return "", errors.New("push: no image")
	}
	digest, err := registry.Push(ctx, img, ref, registry.Options{Insecure: insecure, UserAgent: "mlctl/" + version()})
	if err != nil {
		return "", err
	}
	return registry.DigestRef(ref, digest)
}
