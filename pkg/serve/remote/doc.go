// Package remote is a serve.Backend that forwards a model version's
// requests to another model server over the Open Inference Protocol's REST
// binding, so that a router (mlctl serve in front of containers or pods)
// splits traffic with the same canary, shadow and sticky code that splits it
// between local versions.
//
// The remote server does its own schema checks and batching; errors come
// back as the same kinds (flavors.ErrInvalidInput for a 400,
// serve.ErrQueueFull for a 503, …), so the router answers its clients as the
// remote would have.
package remote
