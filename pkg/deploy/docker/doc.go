// Package docker deploys bundles as containers on a Docker engine, through
// the moby client (github.com/moby/moby/client).
//
// Engine is a connection to one engine: it loads images assembled by
// pkg/deploy/image, runs a container per deployment revision, waits for it
// to be healthy and stops and removes containers. Deploy puts one bundle
// revision into service: build, load, run, wait healthy, verify the bundle's
// golden example over the container's Open Inference Protocol endpoint, and
// only then retire the revision it replaces. On any failure the new
// container is removed, and a revision it had stopped is started again.
//
// Containers use the host network (an engine without a bridge works), so
// mlctl picks the ports and passes them to `mlctl serve`. Every container
// carries labels that say what it is: io.mlctl.deployment, io.mlctl.revision,
// io.mlctl.bundle.uuid, io.mlctl.image.digest; Revisions lists them, which
// is the state rollout strategies build on.
package docker
