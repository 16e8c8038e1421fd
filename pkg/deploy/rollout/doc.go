// Package rollout puts new revisions of a Docker deployment into service
// behind a stable endpoint, by strategy: blue-green, canary, shadow or A/B.
//
// The stable endpoint is a router: `mlctl serve` in router mode (serve's
// router with remote backends) in its own container, NAME-router, labelled
// io.mlctl.router=NAME. Its image is the glibc base plus mlctl, no bundle;
// its serve.yaml is generated and copied into the container, and its bearer
// token (random, per deployment) is passed in MLCTL_ROUTER_TOKEN. Every
// route of the router but health and metrics needs the token, inference
// included.
//
// Revisions are containers NAME-rN on free ports of the host network,
// built and checked by pkg/deploy/docker (PrepareImage, StartRevision:
// health, then the bundle's golden example, before any traffic). The
// router's HTTP API then shifts traffic: PUT .../versions/{v}/remote puts a
// revision behind the endpoint, PUT .../policy sets the split, shadow and
// sticky header. Canary and shadow read mlctl_requests_total and
// mlctl_request_duration_seconds from /metrics before and after each
// window (Window, Quantile) and roll back when Thresholds are breached.
//
// State lives in a JSON file per deployment (Store: $MLCTL_STATE_DIR or
// ~/.config/mlctl/deployments/NAME.json, mode 0600, it holds the token),
// changed under an flock so that Promote, Abort and Undo work from another
// process while Deploy holds a canary: a waiting rollout notices that its
// rollout was finished elsewhere and returns.
package rollout
