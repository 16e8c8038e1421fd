package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mlctl/mlctl/pkg/serve"
)

// Options configure the HTTP front end.
type Options struct {
	// MaxBodyBytes bounds a request body (default 32 MiB).
	MaxBodyBytes int64
	// RequestTimeout bounds one request end to end (default 60 s); past it
	// the client gets 504.
	RequestTimeout time.Duration
	// Token, when set, is required as "Authorization: Bearer <token>" on
	// every route but health checks and metrics.
	Token   string
	Metrics *serve.Metrics
	Logger  *slog.Logger
	// Version is what GET /version answers.
	Version string
	// Router, when set, turns on the router extension (router.go): remote
	// versions and traffic policy changed at run time.
	Router serve.Router
}

// Handler serves one core over HTTP.
type Handler struct {
	inf  serve.Inferencer
	repo serve.Repository
	opts Options
	mux  *http.ServeMux
	seq  atomic.Uint64
}

// New builds the handler. repo may be nil (no repository extension).
func New(inf serve.Inferencer, repo serve.Repository, opts Options) *Handler {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 32 << 20
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{inf: inf, repo: repo, opts: opts, mux: http.NewServeMux()}
	h.routes()
	return h
}

func (h *Handler) routes() {
	open := func(pattern string, f http.HandlerFunc) { h.mux.HandleFunc(pattern, f) }
	auth := func(pattern string, f http.HandlerFunc) { h.mux.HandleFunc(pattern, h.authorize(f)) }

	// MLflow scoring protocol.
	open("GET /ping", h.ping)
	open("GET /health", h.ping)
	open("GET /version", h.version)
	auth("POST /invocations", h.invocations)
	auth("POST /models/{model}/invocations", h.invocations)

	// Open Inference Protocol v2.
	open("GET /v2/health/live", h.live)
	open("GET /v2/health/ready", h.ready)
	auth("GET /v2", h.serverMetadata)
	auth("GET /v2/models/{model}", h.modelMetadata)
	auth("GET /v2/models/{model}/versions/{version}", h.modelMetadata)
	auth("GET /v2/models/{model}/ready", h.modelReady)
	auth("GET /v2/models/{model}/versions/{version}/ready", h.modelReady)
	auth("POST /v2/models/{model}/infer", h.infer)
	auth("POST /v2/models/{model}/versions/{version}/infer", h.infer)
	auth("POST /v2/repository/index", h.repositoryIndex)
	auth("POST /v2/repository/models/{model}/load", h.repositoryLoad)
	auth("POST /v2/repository/models/{model}/unload", h.repositoryUnload)

	h.routerRoutes(auth)

	if h.opts.Metrics != nil {
		h.mux.Handle("GET /metrics", promhttp.HandlerFor(h.opts.Metrics.Registry, promhttp.HandlerOpts{}))
	}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) authorize(f http.HandlerFunc) http.HandlerFunc {
	if h.opts.Token == "" {
		return f
	}
	want := []byte("Bearer " + h.opts.Token)
	return func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mlctl"`)
			writeJSONError(w, r, http.StatusUnauthorized, "a valid bearer token is required (Authorization: Bearer <token>)")
			return
		}
		f(w, r)
	}
}

// requestID takes the client's X-Request-Id or makes one.
func (h *Handler) requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 {
		return id
	}
	return strconv.FormatUint(h.seq.Add(1), 36) + "-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
}

// readBody reads a bounded body.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > h.opts.MaxBodyBytes {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", errTooLarge, r.ContentLength, h.opts.MaxBodyBytes)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes))
	if err != nil {
		if Status(err) == http.StatusRequestEntityTooLarge {
			return nil, fmt.Errorf("%w: the limit is %d bytes", errTooLarge, h.opts.MaxBodyBytes)
		}
		return nil, err
	}
	return body, nil
}

func (h *Handler) withTimeout(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), h.opts.RequestTimeout)
}

func (h *Handler) observe(model, version, protocol string, status int, start time.Time) {
	h.opts.Metrics.ObserveRequest(model, version, protocol, strconv.Itoa(status), time.Since(start))
}

func (h *Handler) ping(w http.ResponseWriter, r *http.Request) {
	if !h.inf.Ready() {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "not ready\n")
		return
	}
	io.WriteString(w, "\n")
}

func (h *Handler) version(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, h.opts.Version)
}

// routeKey picks the sticky A/B key: the endpoint's configured header, else
// X-Mlctl-Route-Key.
func routeKey(r *http.Request, meta serve.ModelMetadata) string {
	if meta.StickyHeader != "" {
		if v := r.Header.Get(meta.StickyHeader); v != "" {
			return v
		}
	}
	return r.Header.Get("X-Mlctl-Route-Key")
}

// setAnswerHeaders say which model answered.
func setAnswerHeaders(w http.ResponseWriter, resp *serve.Response) {
	w.Header().Set("X-Model-Name", resp.Model)
	w.Header().Set("X-Model-Version", resp.Version)
	w.Header().Set("X-Model-UUID", resp.UUID)
	if resp.ID != "" {
		w.Header().Set("X-Request-Id", resp.ID)
	}
}

func writeJSONError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if strings.HasPrefix(r.URL.Path, "/v2") {
		json.NewEncoder(w).Encode(map[string]string{"error": msg})
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"error_code": mlflowErrorCode(status), "message": msg})
}
