package docker

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/deploy/image"
)

// Defaults for Options.
const (
	DefaultHealthTimeout = 2 * time.Minute
	DefaultStopGrace     = 10 * time.Second
)

// Options describe one deployment of a bundle revision.
type Options struct {
	// Name is the deployment; containers are named NAME-rREVISION.
	Name   string
	Bundle *bundle.Bundle
	// Flavor the server loads; "" means the manifest's first.
	Flavor string
	// BaseImage is an engine image, an OCI layout/tarball path or scratch;
	// "" means image.DefaultBase for the flavor.
	BaseImage   string
	MlctlBinary string // "" means the running executable
	ORTLibrary  string // "" finds it as the onnx flavor does
	Source      string // org.opencontainers.image.source
	// ListenHost, HTTPPort, GRPCPort: see RunOptions. HTTPPort 0 picks a
	// free port.
	ListenHost         string
	HTTPPort, GRPCPort int
	Env                []string
	MemoryBytes        int64
	NanoCPUs           int64
	Restart            string
	HealthTimeout      time.Duration // default DefaultHealthTimeout
	StopGrace          time.Duration // default DefaultStopGrace
	// Progress, when set, is told each step as it starts.
	Progress func(step string)
}

func (o *Options) progress(format string, args ...any) {
	if o.Progress != nil {
		o.Progress(fmt.Sprintf(format, args...))
	}
}

// Result is a deployed revision.
type Result struct {
	Revision  int
	Container Container
	Image     *image.Image
	// ImageRef is the tag the image was loaded under.
	ImageRef string
	Golden   GoldenResult
	// Replaced are the revisions this one retired (stopped and removed).
	Replaced []Container
	// Healthy is the time from the start of Deploy to the container's first
	// healthy answer.
	Healthy time.Duration
}

// Deploy builds the bundle's image, loads it, and puts a new revision into
// service by replacing the deployment's running revisions (the only
// strategy here; canary, blue-green, shadow and A/B plug in at the same
// seam: PrepareImage and StartRevision, then a traffic step instead of
// Replace's retire step).
func Deploy(ctx context.Context, e *Engine, o Options) (*Result, error) {
	began := time.Now()
	if err := ValidName(o.Name); err != nil {
		return nil, err
	}
	img, ref, err := PrepareImage(ctx, e, o)
	if err != nil {
		return nil, err
	}
	old, err := e.Revisions(ctx, o.Name)
	if err != nil {
		return nil, err
	}
	rev := 1
	for _, c := range old {
		rev = max(rev, c.Revision()+1)
	}
	// With a fixed port held by the running revision, the host network
	// cannot run both: the old one stops first and comes back on failure.
	var stopped []Container
	if o.HTTPPort != 0 {
		for _, c := range old {
			if c.State == "running" && c.Labels[LabelHTTPPort] == strconv.Itoa(o.HTTPPort) {
				o.progress("stopping revision %d (it holds port %d)", c.Revision(), o.HTTPPort)
				if err := e.Stop(ctx, c.ID, o.stopGrace()); err != nil {
					return nil, err
				}
				stopped = append(stopped, c)
			}
		}
	}
	c, golden, err := StartRevision(ctx, e, o, img, ref, rev)
	if err != nil {
		for _, s := range stopped {
			o.progress("starting revision %d again", s.Revision())
			if rerr := e.Start(context.WithoutCancel(ctx), s.ID); rerr != nil {
				err = fmt.Errorf("%w; and revision %d could not be started again: %v", err, s.Revision(), rerr)
			}
		}
		return nil, err
	}
	res := &Result{Revision: rev, Container: *c, Image: img, ImageRef: ref, Golden: golden, Healthy: time.Since(began)}
	for _, oc := range old {
		o.progress("retiring revision %d (%s)", oc.Revision(), oc.Name)
		if err := e.Stop(ctx, oc.ID, o.stopGrace()); err != nil {
			return res, err
		}
		if err := e.Remove(ctx, oc.ID); err != nil {
			return res, err
		}
		res.Replaced = append(res.Replaced, oc)
	}
	return res, nil
}

func (o *Options) stopGrace() time.Duration {
	if o.StopGrace > 0 {
		return o.StopGrace
	}
	return DefaultStopGrace
}

// PrepareImage builds the bundle's image on its base and loads it into the
// engine under image.Tag; it returns the image and the tag.
func PrepareImage(ctx context.Context, e *Engine, o Options) (*image.Image, string, error) {
	flavor := o.Flavor
	if flavor == "" {
		if names := o.Bundle.Manifest.FlavorNames(); len(names) > 0 {
			flavor = names[0]
		}
	}
	baseRef := o.BaseImage
	if baseRef == "" {
		baseRef = image.DefaultBase(flavor)
	}
	o.progress("reading base image %s", baseRef)
	base, err := e.BaseImage(ctx, baseRef)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", image.ErrBuild, err)
	}
	o.progress("building the image of %s %s (%s)", o.Bundle.Manifest.Name, o.Bundle.Manifest.Version, flavor)
	img, err := image.Build(ctx, image.Options{
		Bundle: o.Bundle, Flavor: flavor, Base: base,
		MlctlBinary: o.MlctlBinary, ORTLibrary: o.ORTLibrary, Source: o.Source,
	})
	if err != nil {
		return nil, "", err
	}
	ref := image.Tag(&o.Bundle.Manifest)
	o.progress("loading %s into the engine", ref)
	if _, err := e.LoadImage(ctx, img.Image, ref); err != nil {
		return nil, "", err
	}
	return img, ref, nil
}

// StartRevision runs revision rev of the deployment on a loaded image,
// waits until it is healthy and checks the bundle's golden example against
// it. On any failure the container is removed.
func StartRevision(ctx context.Context, e *Engine, o Options, img *image.Image, ref string, rev int) (*Container, GoldenResult, error) {
	port := o.HTTPPort
	if port == 0 {
		p, err := FreePort(o.ListenHost)
		if err != nil {
			return nil, GoldenResult{}, err
		}
		port = p
	}
	name := o.Name + "-r" + strconv.Itoa(rev)
	o.progress("starting %s on port %d", name, port)
	c, err := e.Run(ctx, RunOptions{
		Name: name, Image: ref, ListenHost: o.ListenHost, HTTPPort: port, GRPCPort: o.GRPCPort,
		Env: o.Env, MemoryBytes: o.MemoryBytes, NanoCPUs: o.NanoCPUs, Restart: o.Restart,
		Labels: map[string]string{
			LabelDeployment:  o.Name,
			LabelRevision:    strconv.Itoa(rev),
			LabelBundleUUID:  o.Bundle.Manifest.UUID,
			LabelImageDigest: img.Digest.String(),
			LabelImageID:     img.ID.String(),
		},
	})
	if err != nil {
		return nil, GoldenResult{}, err
	}
	fail := func(err error) (*Container, GoldenResult, error) {
		e.remove(c.ID)
		return nil, GoldenResult{}, err
	}
	timeout := o.HealthTimeout
	if timeout <= 0 {
		timeout = DefaultHealthTimeout
	}
	o.progress("waiting for %s to be healthy", name)
	if err := e.WaitHealthy(ctx, c, timeout); err != nil {
		return fail(err)
	}
	o.progress("checking the golden example on %s", c.Endpoint)
	golden, err := CheckGolden(ctx, c.Endpoint, o.Bundle, img.Flavor)
	if err != nil {
		return fail(err)
	}
	if golden.Skipped == "" && !golden.Passed() {
		return fail(fmt.Errorf("%w: revision %d answered the bundle's example differently: %+v", ErrGoldenMismatch, rev, golden.Comparisons))
	}
	return c, golden, nil
}
