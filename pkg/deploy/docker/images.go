package docker

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/daemon"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/moby/moby/client"

	"github.com/mlctl/mlctl/pkg/deploy/image"
)

// LoadImage streams img into the engine (as `docker load` would) tagged
// tag, and returns the engine's image ID. Nothing is written to disk on
// this side.
func (e *Engine) LoadImage(ctx context.Context, img v1.Image, tag string) (string, error) {
	ref, err := name.NewTag(tag, name.WithDefaultRegistry(""))
	if err != nil {
		return "", fmt.Errorf("%w: image tag %q: %v", image.ErrBuild, tag, err)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarball.Write(ref, img, pw)) }()
	res, err := e.cli.ImageLoad(ctx, pr, client.ImageLoadWithQuiet(true))
	if err != nil {
		pr.CloseWithError(err)
		return "", fmt.Errorf("loading image %s into the engine: %w", tag, err)
	}
	defer res.Close()
	if err := loadErrors(res); err != nil {
		pr.CloseWithError(err)
		return "", fmt.Errorf("loading image %s into the engine: %w", tag, err)
	}
	id, err := img.ConfigName()
	if err != nil {
		return "", err
	}
	got, err := e.cli.ImageInspect(ctx, tag)
	if err != nil {
		return "", fmt.Errorf("image %s not in the engine after loading: %w", tag, err)
	}
	if got.ID != id.String() {
		return "", fmt.Errorf("image %s: engine holds %s, expected %s", tag, got.ID, id)
	}
	return got.ID, nil
}

// loadErrors reads the engine's JSON message stream and returns the first
// error it reports.
func loadErrors(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var msg struct {
			Error       string `json:"error"`
			ErrorDetail struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if json.Unmarshal(sc.Bytes(), &msg) == nil && (msg.Error != "" || msg.ErrorDetail.Message != "") {
			return fmt.Errorf("engine: %s", strings.TrimSpace(msg.Error+" "+msg.ErrorDetail.Message))
		}
	}
	return sc.Err()
}

// BaseImage resolves a base reference: "scratch" (or ""), a path to an OCI
// layout or image tarball, or an image the engine holds (no registry is
// asked: build bases locally, see scripts/testenv/docker.sh).
func (e *Engine) BaseImage(ctx context.Context, ref string) (v1.Image, error) {
	if image.IsScratch(ref) || image.IsPath(ref) {
		return image.BaseFromPath(ref)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("base image %q: %w", ref, err)
	}
	if _, err := e.cli.ImageInspect(ctx, ref); err != nil {
		return nil, fmt.Errorf("base image %q is not in the engine (%v): build it locally (bash scripts/testenv/docker.sh builds %s), or give an OCI layout/tarball path or scratch",
			ref, err, image.BaseGlibc)
	}
	img, err := daemon.Image(r, daemon.WithClient(e.cli), daemon.WithContext(ctx), daemon.WithFileBufferedOpener())
	if err != nil {
		return nil, fmt.Errorf("base image %q: %w", ref, err)
	}
	return img, nil
}

// RemoveImage deletes an image (by ID or tag) from the engine.
func (e *Engine) RemoveImage(ctx context.Context, ref string) error {
	_, err := e.cli.ImageRemove(ctx, ref, client.ImageRemoveOptions{})
	return err
}
