package serve

import (
	"context"
	"errors"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Inferencer is what every protocol front end needs from the server core.
type Inferencer interface {
	// Live reports whether the process is up; Ready whether every model
	// it was started with is loaded and able to answer.
	Live() bool
	Ready() bool
	// Metadata describes the server.
	Metadata() ServerMetadata
	// Models lists every model name with its versions and state.
	Models() []ModelIndexEntry
	// Model describes one model; version "" means the name's default route.
	Model(name, version string) (ModelMetadata, error)
	// ModelReady reports whether the model can answer now.
	ModelReady(name, version string) (bool, error)
	// Infer runs one request through the model's router, batcher and model.
	Infer(ctx context.Context, req *Request) (*Response, error)
}

// Backend answers requests for one model version. The local one is a
// batcher over loaded model instances; a remote container or pod can stand
// in its place, so routing (canary, shadow, sticky) is written once.
type Backend interface {
	Predict(ctx context.Context, in flavors.Batch) (flavors.Batch, error)
	// Close stops taking requests, finishes those accepted, then releases
	// what the backend holds.
	Close(ctx context.Context) error
}

// Repository is the model repository extension: load and unload by name.
type Repository interface {
	Load(ctx context.Context, name string) error
	Unload(ctx context.Context, name string) error
}

// Router is what a rollout needs from a server in front of remote
// versions: put a version behind an endpoint, take one away, and shift
// traffic between them.
type Router interface {
	DeployRemote(rv RemoteVersion, mc ModelConfig) (string, error)
	Undeploy(name, version string) error
	SetPolicy(name string, traffic []TrafficSplit, shadow, sticky string) error
	Policy(name string) (traffic []TrafficSplit, shadow, sticky string, err error)
}

// ServerMetadata is the OIP server metadata.
type ServerMetadata struct {
	Name       string
	Version    string
	Extensions []string
}

// ModelMetadata is the OIP model metadata.
type ModelMetadata struct {
	Name     string
	Versions []string
	// Version is the version that answered this lookup.
	Version  string
	UUID     string
	Platform string // "onnx", "pmml", "pickle"
	Inputs   []flavors.Spec
	Outputs  []flavors.Spec
	Classes  []string
	// StickyHeader names the request header whose value picks a sticky A/B
	// variant; "" when the endpoint has no sticky policy.
	StickyHeader string
}

// ModelIndexEntry is one row of the repository index.
type ModelIndexEntry struct {
	Name    string
	Version string
	State   string // "READY", "UNAVAILABLE", "LOADING"
	Reason  string
}

// Request is one inference request, already decoded into a batch that
// matches the model's input signature.
type Request struct {
	ID       string
	Model    string
	Version  string // "" routes by the name's traffic policy
	Protocol string // "mlflow", "v2-rest", "v2-grpc": a metrics label
	Inputs   flavors.Batch
	// Outputs names the outputs wanted; empty means all.
	Outputs []string
	// RouteKey is the sticky A/B key (a header or field value); "" means none.
	RouteKey string
	// Params are the request's free-form parameters (MLflow params, OIP
	// parameters), passed through.
	Params map[string]any
	// Received is when the request arrived, for end-to-end latency.
	Received time.Time
}

// Response is what the model answered, and which model did.
type Response struct {
	ID      string
	Model   string
	Version string
	UUID    string
	Outputs flavors.Batch
	Classes []string
}

// Errors the core returns, wrapped with detail; StatusCode and GRPCCode in
// the protocol packages map them, once.
var (
	ErrModelNotFound = errors.New("model not found")
	ErrNotReady      = errors.New("model not ready")
	// ErrQueueFull is returned at once when a model's queue is full; the
	// client should retry after RetryAfter.
	ErrQueueFull = errors.New("queue full")
	// ErrShuttingDown is returned for requests that arrive during shutdown.
	ErrShuttingDown = errors.New("server shutting down")
)

// RetryAfter is the back-off a full queue asks clients for.
const RetryAfter = time.Second
