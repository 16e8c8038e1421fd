package serve

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/load"
	"github.com/mlctl/mlctl/pkg/serve/batcher"
	"github.com/mlctl/mlctl/pkg/serve/predlog"
)

// Options configure a Server.
type Options struct {
	Name    string // reported in server metadata; default "mlctl"
	Version string
	Load    load.Options
	Metrics *Metrics
	// PredLog receives every answered request (it samples and never blocks).
	PredLog *predlog.Logger
	Logger  *slog.Logger
	// ShadowConcurrency bounds shadow requests in flight per endpoint;
	// beyond it a shadow copy is skipped, never queued (default 4).
	ShadowConcurrency int
	// Defaults fill settings a model does not give.
	Defaults ModelSettings
}

// Server is the model server core. It implements Inferencer and Repository.
type Server struct {
	opts Options
	log  *slog.Logger

	mu        sync.RWMutex
	endpoints map[string]*endpoint

	closing  atomic.Bool
	inflight sync.WaitGroup
	shadows  sync.WaitGroup
}

var (
	_ Inferencer = (*Server)(nil)
	_ Repository = (*Server)(nil)
	_ Router     = (*Server)(nil)
	_ Backend    = (*batcher.Batcher)(nil)
)

type endpoint struct {
	name      string
	versions  map[string]*version
	latest    string // the version loaded last answers when no policy says otherwise
	traffic   []TrafficSplit
	shadow    string
	sticky    string
	shadowSem chan struct{}
	settings  ModelSettings
	sources   []string // bundles the endpoint was configured with, for Load
	unloaded  bool     // unloaded through the repository API on purpose
}

// version is one loaded bundle behind an endpoint.
type version struct {
	endpoint string
	bundle   *bundle.Bundle
	manifest *bundle.Manifest
	flavor   string
	backend  Backend
	source   string
	loadedAt time.Time
	// maxRows is the most rows the version's queue holds: a larger request
	// could never be served, so it is refused as the client's mistake.
	maxRows int
	// remote is set for a version served elsewhere (see DeployRemote): it
	// has no bundle here, and the remote checks requests against its schema.
	remote bool
}

// New makes an empty server; Deploy adds models.
func New(opts Options) *Server {
	if opts.Name == "" {
		opts.Name = "mlctl"
	}
	if opts.ShadowConcurrency <= 0 {
		opts.ShadowConcurrency = 4
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{opts: opts, log: opts.Logger, endpoints: map[string]*endpoint{}}
}

// Deploy opens a bundle, loads its flavor into the configured number of
// instances, checks the bundle's golden example on it, and only then puts it
// behind the endpoint — replacing a loaded bundle of the same version
// without failing a request: the old one drains before it closes.
func (s *Server) Deploy(ctx context.Context, path string, mc ModelConfig) (string, error) {
	settings := mc.ModelSettings.merge(s.opts.Defaults)
	b, err := bundle.Open(path)
	if err != nil {
		return "", err
	}
	name := mc.Name
	if name == "" {
		name = b.Manifest.Name
	}
	v, err := s.start(ctx, b, settings, name)
	if err != nil {
		b.Close()
		return "", err
	}
	v.source = path
	v.endpoint = name
	s.install(v, settings, mc, path)
	return v.manifest.Version, nil
}

// RemoteVersion is a model version served by another server (a container,
// a pod), put behind this server's endpoint and routing by DeployRemote.
type RemoteVersion struct {
	// Manifest says the version's name, version, UUID, signature and
	// classes, as the remote describes them.
	Manifest *bundle.Manifest
	Flavor   string
	Backend  Backend
	// Source names the remote (its URL), for listings and logs.
	Source string
	// MaxRows bounds a request's rows; 0 means no bound here.
	MaxRows int
}

// DeployRemote puts a remote version behind the endpoint mc.Name (default
// the manifest's name), replacing a version of the same number without
// failing a request. The caller has checked the remote (health, golden
// example) before: from here it may take traffic, as the policy says.
func (s *Server) DeployRemote(rv RemoteVersion, mc ModelConfig) (string, error) {
	if rv.Manifest == nil || rv.Manifest.Version == "" || rv.Backend == nil {
		return "", fmt.Errorf("remote version %s: a manifest with a version and a backend are needed", rv.Source)
	}
	name := mc.Name
	if name == "" {
		name = rv.Manifest.Name
	}
	maxRows := rv.MaxRows
	if maxRows <= 0 {
		maxRows = math.MaxInt
	}
	v := &version{
		endpoint: name, manifest: rv.Manifest, flavor: rv.Flavor, backend: rv.Backend,
		source: rv.Source, loadedAt: time.Now(), maxRows: maxRows, remote: true,
	}
	s.install(v, mc.ModelSettings.merge(s.opts.Defaults), mc, "")
	return v.manifest.Version, nil
}

// install puts a started version behind its endpoint, retiring the one it
// replaces; source, when set, is a bundle the repository API may reload.
func (s *Server) install(v *version, settings ModelSettings, mc ModelConfig, source string) {
	s.mu.Lock()
	ep := s.endpoints[v.endpoint]
	if ep == nil {
		ep = &endpoint{name: v.endpoint, versions: map[string]*version{}, shadowSem: make(chan struct{}, s.opts.ShadowConcurrency)}
		s.endpoints[v.endpoint] = ep
	}
	ep.settings = settings
	ep.unloaded = false
	if mc.Traffic != nil || mc.Shadow != "" || mc.Sticky != "" {
		ep.traffic, ep.shadow, ep.sticky = mc.Traffic, mc.Shadow, mc.Sticky
	}
	if source != "" && !contains(ep.sources, source) {
		ep.sources = append(ep.sources, source)
	}
	old := ep.versions[v.manifest.Version]
	ep.versions[v.manifest.Version] = v
	ep.latest = v.manifest.Version
	s.mu.Unlock()
	s.log.Info("model deployed", "model", v.endpoint, "version", v.manifest.Version, "uuid", v.manifest.UUID, "flavor", v.flavor, "instances", settings.Instances, "source", v.source, "remote", v.remote)
	if old != nil {
		go s.retire(old)
	}
}

// SetPolicy replaces an endpoint's traffic split, shadow and sticky header
// at run time (a rollout shifting traffic step by step). Every version named
// must be loaded, weights must not be negative and must not all be zero.
func (s *Server) SetPolicy(name string, traffic []TrafficSplit, shadow, sticky string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ep := s.endpoints[name]
	if ep == nil {
		return fmt.Errorf("%w: %q", ErrModelNotFound, name)
	}
	total := 0.0
	for _, t := range traffic {
		if ep.versions[t.Version] == nil {
			return fmt.Errorf("%w: traffic names version %q of %q, which is not loaded", flavors.ErrInvalidInput, t.Version, name)
		}
		if t.Weight < 0 || math.IsNaN(t.Weight) || math.IsInf(t.Weight, 0) {
			return fmt.Errorf("%w: version %q: weight %v: expected a finite number ≥ 0", flavors.ErrInvalidInput, t.Version, t.Weight)
		}
		total += t.Weight
	}
	if len(traffic) > 0 && total == 0 {
		return fmt.Errorf("%w: traffic weights of %q are all zero", flavors.ErrInvalidInput, name)
	}
	if shadow != "" && ep.versions[shadow] == nil {
		return fmt.Errorf("%w: shadow version %q of %q is not loaded", flavors.ErrInvalidInput, shadow, name)
	}
	ep.traffic, ep.shadow, ep.sticky = append([]TrafficSplit(nil), traffic...), shadow, sticky
	s.log.Info("traffic policy set", "model", name, "traffic", traffic, "shadow", shadow, "sticky", sticky)
	return nil
}

// Policy returns an endpoint's traffic split, shadow and sticky header.
func (s *Server) Policy(name string) ([]TrafficSplit, string, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ep := s.endpoints[name]
	if ep == nil {
		return nil, "", "", fmt.Errorf("%w: %q", ErrModelNotFound, name)
	}
	return append([]TrafficSplit(nil), ep.traffic...), ep.shadow, ep.sticky, nil
}

// start loads a verified bundle's flavor into instances behind a batcher.
func (s *Server) start(ctx context.Context, b *bundle.Bundle, st ModelSettings, name string) (*version, error) {
	lo := s.opts.Load
	if st.Flavor != "" {
		lo.Flavor = st.Flavor
	}
	first, flavor, err := load.Model(ctx, b, lo)
	if err != nil {
		return nil, err
	}
	instances := []flavors.Model{first}
	closeAll := func() {
		for _, m := range instances {
			m.Close()
		}
	}
	if err := checkGolden(ctx, b, flavor, first); err != nil {
		closeAll()
		return nil, err
	}
	lo.Flavor = flavor
	for len(instances) < st.Instances {
		m, _, err := load.Model(ctx, b, lo)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("instance %d: %w", len(instances)+1, err)
		}
		instances = append(instances, m)
	}
	cfg := batcher.Config{MaxBatchRows: st.MaxBatchRows, MaxQueueDelay: time.Duration(st.MaxQueueDelay), MaxQueueRows: st.MaxQueueRows}.WithDefaults()
	var obs batcher.Observer
	if o := s.opts.Metrics.observer(name, b.Manifest.Version); o != nil {
		obs = o
	}
	return &version{
		bundle: b, manifest: &b.Manifest, flavor: flavor, loadedAt: time.Now(),
		backend: batcher.New(instances, cfg, obs), maxRows: cfg.MaxQueueRows,
	}, nil
}

// checkGolden re-runs the bundle's input example on a freshly loaded model:
// a bundle that does not reproduce its own golden outputs never serves.
func checkGolden(ctx context.Context, b *bundle.Bundle, flavor string, m flavors.Model) error {
	ex := b.Manifest.Example
	entry, _ := b.Manifest.Flavor(flavor)
	if ex == nil || entry.Golden == "" {
		return nil
	}
	in, err := load.ReadTensors(b, ex.Path)
	if err != nil {
		return err
	}
	want, err := load.ReadTensors(b, entry.Golden)
	if err != nil {
		return err
	}
	got, err := m.Predict(ctx, in)
	if err != nil {
		return fmt.Errorf("golden example: %w", err)
	}
	tol := bundle.DefaultTolerance
	if ex.Check != nil {
		tol = ex.Check.Tolerance
	}
	if fails := load.Failures(load.Compare(flavor, got, want, tol), tol); len(fails) > 0 {
		return fmt.Errorf("%w: golden example differs on this machine: %v", bundle.ErrTampered, fails)
	}
	return nil
}

// retire drains a replaced or removed version, then releases it.
func (s *Server) retire(v *version) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := v.backend.Close(ctx); err != nil {
		s.log.Warn("retiring model", "model", v.endpoint, "version", v.manifest.Version, "err", err)
	}
	if v.bundle != nil {
		v.bundle.Close()
	}
}

// Undeploy removes one version (or, with version "", the whole endpoint).
func (s *Server) Undeploy(name, ver string) error {
	s.mu.Lock()
	ep := s.endpoints[name]
	if ep == nil {
		s.mu.Unlock()
		return fmt.Errorf("%w: %q", ErrModelNotFound, name)
	}
	var gone []*version
	if ver == "" {
		for _, v := range ep.versions {
			gone = append(gone, v)
		}
		delete(s.endpoints, name)
	} else if v := ep.versions[ver]; v != nil {
		gone = append(gone, v)
		delete(ep.versions, ver)
		if ep.latest == ver {
			ep.latest = newestVersion(ep)
		}
	} else {
		s.mu.Unlock()
		return fmt.Errorf("%w: %q version %q", ErrModelNotFound, name, ver)
	}
	s.mu.Unlock()
	for _, v := range gone {
		go s.retire(v)
	}
	return nil
}

func newestVersion(ep *endpoint) string {
	var best *version
	for _, v := range ep.versions {
		if best == nil || v.loadedAt.After(best.loadedAt) {
			best = v
		}
	}
	if best == nil {
		return ""
	}
	return best.manifest.Version
}

// Shutdown refuses new requests, waits for those in flight, then drains and
// closes every model.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	done := make(chan struct{})
	go func() { s.inflight.Wait(); s.shadows.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	eps := s.endpoints
	s.endpoints = map[string]*endpoint{}
	s.mu.Unlock()
	var errs []error
	for _, ep := range eps {
		for _, v := range ep.versions {
			if err := v.backend.Close(ctx); err != nil {
				errs = append(errs, err)
			}
			if v.bundle != nil {
				v.bundle.Close()
			}
		}
	}
	return errors.Join(errs...)
}

// Live reports whether the server is up and not shutting down.
func (s *Server) Live() bool { return !s.closing.Load() }

// Ready reports whether every endpoint has a version loaded.
func (s *Server) Ready() bool {
	if s.closing.Load() {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.endpoints) == 0 {
		return false
	}
	for _, ep := range s.endpoints {
		if len(ep.versions) == 0 && !ep.unloaded {
			return false
		}
	}
	return true
}

// Metadata describes the server.
func (s *Server) Metadata() ServerMetadata {
	return ServerMetadata{Name: s.opts.Name, Version: s.opts.Version, Extensions: []string{"binary_tensor_data", "model_repository", "classification"}}
}

// Models lists every loaded version.
func (s *Server) Models() []ModelIndexEntry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []ModelIndexEntry
	for _, ep := range s.endpoints {
		if len(ep.versions) == 0 {
			out = append(out, ModelIndexEntry{Name: ep.name, State: "UNAVAILABLE", Reason: "unloaded"})
		}
		for ver := range ep.versions {
			out = append(out, ModelIndexEntry{Name: ep.name, Version: ver, State: "READY"})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Name < out[j].Name || out[i].Name == out[j].Name && out[i].Version < out[j].Version
	})
	return out
}

// Model describes a model; version "" describes the latest.
func (s *Server) Model(name, ver string) (ModelMetadata, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ep, v, err := s.lookup(name, ver)
	if err != nil {
		return ModelMetadata{}, err
	}
	versions := make([]string, 0, len(ep.versions))
	for k := range ep.versions {
		versions = append(versions, k)
	}
	sort.Strings(versions)
	return ModelMetadata{
		Name: ep.name, Versions: versions, Version: v.manifest.Version, UUID: v.manifest.UUID,
		Platform: v.flavor, Inputs: v.manifest.Signature.Inputs, Outputs: v.manifest.Signature.Outputs, Classes: v.manifest.Classes,
		StickyHeader: ep.sticky,
	}, nil
}

// ModelReady reports whether the model is loaded.
func (s *Server) ModelReady(name, ver string) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, _, err := s.lookup(name, ver)
	if err != nil {
		return false, err
	}
	return !s.closing.Load(), nil
}

// lookup finds an endpoint by name (or a version by UUID) and a version:
// the one asked for, else the latest. Callers hold s.mu.
func (s *Server) lookup(name, ver string) (*endpoint, *version, error) {
	ep := s.endpoints[name]
	if ep == nil {
		for _, e := range s.endpoints {
			for _, v := range e.versions {
				if v.manifest.UUID == name {
					return e, v, nil
				}
			}
		}
		return nil, nil, fmt.Errorf("%w: %q (serving %s)", ErrModelNotFound, name, s.namesLocked())
	}
	if len(ep.versions) == 0 {
		return nil, nil, fmt.Errorf("%w: %q is unloaded (load it with POST /v2/repository/models/%s/load)", ErrNotReady, name, name)
	}
	if ver == "" {
		ver = ep.latest
	}
	v := ep.versions[ver]
	if v == nil {
		return nil, nil, fmt.Errorf("%w: %q has no version %q", ErrModelNotFound, name, ver)
	}
	return ep, v, nil
}

func (s *Server) namesLocked() string {
	names := make([]string, 0, len(s.endpoints))
	for n := range s.endpoints {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "no models"
	}
	return fmt.Sprint(names)
}

// route picks the version for a request: the one asked for; else by the
// endpoint's traffic split, sticky on the route key when one is set; else
// the latest. It also returns the shadow version, if any.
func (s *Server) route(req *Request) (*version, *version, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ep, v, err := s.lookup(req.Model, req.Version)
	if err != nil {
		return nil, nil, err
	}
	if req.Version == "" && len(ep.traffic) > 0 && ep.name == req.Model {
		var u float64
		if req.RouteKey != "" {
			h := fnv.New64a()
			h.Write([]byte(req.RouteKey))
			u = float64(h.Sum64()%1_000_000) / 1_000_000
		} else {
			u = rand.Float64()
		}
		if picked := pick(ep, u); picked != nil {
			v = picked
		}
	}
	var shadow *version
	if ep.shadow != "" && ep.shadow != v.manifest.Version {
		shadow = ep.versions[ep.shadow]
	}
	return v, shadow, nil
}

// pick maps u in [0,1) onto the traffic split's cumulative weights, over the
// versions that are loaded.
func pick(ep *endpoint, u float64) *version {
	var total float64
	for _, t := range ep.traffic {
		if ep.versions[t.Version] != nil {
			total += t.Weight
		}
	}
	if total == 0 {
		return nil
	}
	acc := 0.0
	for _, t := range ep.traffic {
		v := ep.versions[t.Version]
		if v == nil {
			continue
		}
		acc += t.Weight / total
		if u < acc {
			return v
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
