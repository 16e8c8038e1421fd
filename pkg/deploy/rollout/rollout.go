package rollout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/mlctl/mlctl/pkg/deploy/docker"
	"github.com/mlctl/mlctl/pkg/serve"
)

// Strategy is how a new revision takes over the stable endpoint.
type Strategy string

// Strategies.
const (
	// Replace is docker.Deploy's: no router, the new revision's own
	// endpoint; earlier revisions are removed.
	Replace Strategy = "replace"
	// BlueGreen switches all traffic at once after health and golden checks.
	BlueGreen Strategy = "blue-green"
	// Canary shifts traffic in steps, watching the router's metrics.
	Canary Strategy = "canary"
	// Shadow mirrors traffic to the new revision (answers discarded),
	// compares its numbers over a window, then promotes.
	Shadow Strategy = "shadow"
	// AB splits traffic with a fixed weight, sticky on a header, until a
	// manual promote.
	AB Strategy = "ab"
)

// ParseStrategy checks a --strategy value.
func ParseStrategy(s string) (Strategy, error) {
	switch st := Strategy(s); st {
	case Replace, BlueGreen, Canary, Shadow, AB:
		return st, nil
	}
	return "", fmt.Errorf("strategy %q: expected replace, blue-green, canary, shadow or ab", s)
}

var (
	// ErrNoDeployment means no state exists for the deployment name.
	ErrNoDeployment = errors.New("no such deployment")
	// ErrRolledBack means analysis or a check failed and traffic went back
	// to the previous revision.
	ErrRolledBack = errors.New("rolled back")
	// ErrAborted means the rollout was aborted (by `mlctl rollout abort`).
	ErrAborted = errors.New("rollout aborted")
	// ErrInProgress means another rollout holds the deployment.
	ErrInProgress = errors.New("a rollout is in progress")
	// ErrRouter means the router did not do what was asked.
	ErrRouter = errors.New("router request failed")
	// ErrNoRollout means there is no active rollout to promote or abort.
	ErrNoRollout = errors.New("no active rollout")
)

// Defaults for Options.
var DefaultSteps = []int{10, 50, 100}

const (
	DefaultPause    = 30 * time.Second
	DefaultAnalysis = time.Minute
	DefaultKeep     = 3
	DefaultABWeight = 50
	DefaultABHeader = "X-User"
	// drainDelay lets requests routed just before a switch finish before
	// the old container is told to stop.
	drainDelay = 2 * time.Second
	// pollInterval is how often a waiting rollout looks for promote/abort.
	pollInterval = 500 * time.Millisecond
)

// Options describe one rollout of a bundle behind a deployment's router.
type Options struct {
	// Revision is how the new revision's container is built and run;
	// its HTTPPort is ignored (revisions take free ports: the stable port
	// is the router's).
	Revision docker.Options
	Strategy Strategy
	// RouterBase is the router image's base (default image.BaseGlibc).
	RouterBase string
	// RouterPort is the stable port, used when the router is created
	// (0: a free one).
	RouterPort int
	// Steps are canary percentages, ascending, ending at 100.
	Steps []int
	// Pause is how long each canary step is held and analysed.
	Pause time.Duration
	// Analysis is the shadow window.
	Analysis time.Duration
	// ABHeader and ABWeight: the sticky header and the new revision's share
	// (percent) of an A/B split.
	ABHeader string
	ABWeight int
	Thresholds
	// Keep is how many earlier revisions keep their (stopped) containers
	// for instant undo; older ones are removed, their images kept.
	Keep int
	// RemoveFailed removes a rolled-back revision's container instead of
	// keeping it stopped for inspection.
	RemoveFailed bool
	Store        *Store
}

func (o *Options) defaults() {
	if len(o.Steps) == 0 {
		o.Steps = DefaultSteps
	}
	if o.Pause <= 0 {
		o.Pause = DefaultPause
	}
	if o.Analysis <= 0 {
		o.Analysis = DefaultAnalysis
	}
	if o.Keep <= 0 {
		o.Keep = DefaultKeep
	}
	if o.ABWeight <= 0 {
		o.ABWeight = DefaultABWeight
	}
	if o.ABHeader == "" {
		o.ABHeader = DefaultABHeader
	}
}

func (o *Options) validate() error {
	if o.Store == nil {
		return errors.New("rollout: no state store")
	}
	if o.Revision.Bundle == nil {
		return errors.New("rollout: no bundle")
	}
	for i, s := range o.Steps {
		if s <= 0 || s > 100 || (i > 0 && s <= o.Steps[i-1]) {
			return fmt.Errorf("canary steps %v: expected ascending percentages in 1..100", o.Steps)
		}
	}
	if o.Steps[len(o.Steps)-1] != 100 {
		o.Steps = append(o.Steps, 100)
	}
	if o.ABWeight > 100 {
		return fmt.Errorf("A/B weight %d%%: expected 1..100", o.ABWeight)
	}
	if o.MaxErrorRate > 1 {
		return fmt.Errorf("max error rate %g: expected a share 0..1", o.MaxErrorRate)
	}
	switch o.Strategy {
	case BlueGreen, Canary, Shadow, AB:
		return nil
	}
	return fmt.Errorf("rollout: strategy %q: expected blue-green, canary, shadow or ab (replace is docker.Deploy)", o.Strategy)
}

// Result is what a rollout did.
type Result struct {
	Revision Revision
	// Previous is the revision that served before (0 on a first deploy).
	Previous int
	Router   string // the stable endpoint
	Golden   docker.GoldenResult
	// Healthy is the time from the start to the new revision's first
	// healthy, golden-checked answer.
	Healthy time.Duration
	Phase   Phase
}

func (o *Options) progress(format string, args ...any) {
	if o.Revision.Progress != nil {
		o.Revision.Progress(fmt.Sprintf(format, args...))
	}
}

// HasRouter reports whether the deployment has a router container.
func HasRouter(ctx context.Context, e *docker.Engine, name string) (bool, error) {
	cs, err := e.Labeled(ctx, LabelRouter, name)
	return len(cs) > 0, err
}

// Deploy rolls the bundle out as a new revision behind the deployment's
// router (creating the router, with this revision behind it, on the first
// deploy). The new revision must pass health and the golden example before
// it takes any traffic; then the strategy shifts traffic. A failed check or
// analysis rolls back: the earlier revision keeps (or gets back) all
// traffic and the error wraps ErrRolledBack.
func Deploy(ctx context.Context, e *docker.Engine, o Options) (*Result, error) {
	began := time.Now()
	o.defaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	name := o.Revision.Name
	if err := docker.ValidName(name); err != nil {
		return nil, err
	}
	st, err := o.Store.Load(name)
	if err != nil && !errors.Is(err, ErrNoDeployment) {
		return nil, err
	}
	if st != nil && st.Rollout != nil && st.Rollout.Phase.Active() {
		return nil, fmt.Errorf("%w on %s (revision %d → %d, %s): promote or abort it first", ErrInProgress, name, st.Rollout.From, st.Rollout.To, st.Rollout.Phase)
	}
	hasRouter, err := HasRouter(ctx, e, name)
	if err != nil {
		return nil, err
	}
	if st == nil && hasRouter {
		return nil, fmt.Errorf("%w: %s has a router container but no state in %s (set %s to where it was deployed from, or `mlctl rollout destroy %s`)", ErrNoDeployment, name, o.Store.Dir, EnvStateDir, name)
	}
	if st != nil && !hasRouter {
		return nil, fmt.Errorf("%w: %s has state in %s but no router container: remove the state file or run `mlctl rollout destroy %s`", ErrRouter, name, o.Store.Dir, name)
	}
	if !hasRouter && o.RouterPort != 0 {
		// Fail before building anything.
		if err := docker.PortFree(o.Revision.ListenHost, o.RouterPort); err != nil {
			return nil, err
		}
	}
	img, ref, err := docker.PrepareImage(ctx, e, o.Revision)
	if err != nil {
		return nil, err
	}
	containers, err := e.Revisions(ctx, name)
	if err != nil {
		return nil, err
	}
	if st == nil {
		st = &State{Name: name, Model: o.Revision.Bundle.Manifest.Name}
	}
	n := st.nextRevision(containers)
	ro := o.Revision
	ro.HTTPPort = 0
	c, golden, err := docker.StartRevision(ctx, e, ro, img, ref, n)
	if err != nil {
		// Nothing took traffic. Record the failure when there is state, so
		// that revision numbers stay unique in the history.
		if len(st.Revisions) > 0 {
			m := &o.Revision.Bundle.Manifest
			_ = o.Store.update(name, func(s *State) (*State, error) {
				if s != nil {
					s.Revisions = append(s.Revisions, Revision{
						N: n, Container: name + "-r" + strconv.Itoa(n), Image: ref, ImageID: img.ID.String(),
						Bundle: m.Name, Version: m.Version, UUID: m.UUID, Flavor: img.Flavor,
						Status: StatusFailed, Reason: err.Error(), Created: time.Now().UTC(),
					})
					s.logf("revision %d (%s %s) failed its checks and took no traffic; its container is removed: %v", n, m.Name, m.Version, err)
				}
				return s, nil
			})
		}
		return nil, err
	}
	m := &o.Revision.Bundle.Manifest
	rev := Revision{
		N: n, Container: c.Name, ContainerID: c.ID, Image: ref, ImageID: img.ID.String(),
		Bundle: m.Name, Version: m.Version, UUID: m.UUID, Flavor: img.Flavor, Endpoint: c.Endpoint,
		Created: time.Now().UTC(), HealthyAfter: Duration(time.Since(began)),
		ListenHost: ro.ListenHost, Env: ro.Env, MemoryBytes: ro.MemoryBytes, NanoCPUs: ro.NanoCPUs, RestartPolicy: ro.Restart,
	}
	res := &Result{Golden: golden, Healthy: time.Since(began)}
	if !hasRouter {
		return firstDeploy(ctx, e, &o, st, rev, res)
	}
	return shift(ctx, e, &o, rev, res)
}

// firstDeploy starts the router with rev behind it.
func firstDeploy(ctx context.Context, e *docker.Engine, o *Options, st *State, rev Revision, res *Result) (*Result, error) {
	began := time.Now().Add(-res.Healthy)
	fail := func(err error) (*Result, error) {
		removeQuietly(e, rev.ContainerID)
		return nil, err
	}
	o.progress("building the router image")
	ref, err := routerImage(ctx, e, o.RouterBase, o.Revision.MlctlBinary)
	if err != nil {
		return fail(err)
	}
	cfg, err := routerConfig(st.Model, &rev)
	if err != nil {
		return fail(err)
	}
	port := o.RouterPort
	if port == 0 {
		if port, err = docker.FreePort(o.Revision.ListenHost); err != nil {
			return fail(err)
		}
	}
	token := newToken()
	rname := st.Name + "-router"
	o.progress("starting the router %s on port %d", rname, port)
	rc, err := e.Run(ctx, docker.RunOptions{
		Name: rname, Image: ref, ListenHost: o.Revision.ListenHost, HTTPPort: port,
		Env:    []string{RouterTokenEnv + "=" + token},
		Labels: map[string]string{LabelRouter: st.Name},
		Files:  []docker.File{{Path: RouterConfigPath, Data: cfg}},
	})
	if err != nil {
		return fail(err)
	}
	if err := e.WaitHealthy(ctx, rc, healthTimeout(o.Revision.HealthTimeout)); err != nil {
		removeQuietly(e, rc.ID)
		return fail(fmt.Errorf("router: %w", err))
	}
	rev.Status = StatusServing
	st.Router = Router{Container: rc.Name, ContainerID: rc.ID, Image: ref, Endpoint: rc.Endpoint, Token: token}
	st.Revisions = append(st.Revisions, rev)
	now := time.Now().UTC()
	st.Rollout = &Progress{ID: newToken()[:12], Strategy: o.Strategy, To: rev.N, Weight: 100, Phase: Complete, Started: now, Updated: now}
	st.logf("revision %d (%s %s) serves at %s through the router", rev.N, rev.Bundle, rev.Version, rc.Endpoint)
	err = o.Store.update(st.Name, func(*State) (*State, error) { return st, nil })
	if err != nil {
		removeQuietly(e, rc.ID)
		return fail(err)
	}
	res.Revision, res.Router, res.Phase = rev, rc.Endpoint, Complete
	res.Healthy = time.Since(began)
	return res, nil
}

func healthTimeout(d time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return docker.DefaultHealthTimeout
}

func removeQuietly(e *docker.Engine, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = e.Remove(ctx, id)
}

// shift puts rev behind the router and moves traffic by the strategy.
func shift(ctx context.Context, e *docker.Engine, o *Options, rev Revision, res *Result) (*Result, error) {
	name := o.Revision.Name
	var st *State
	var old *Revision
	rolloutID := newToken()[:12]
	// Register the candidate with no traffic, under the lock.
	err := o.Store.update(name, func(s *State) (*State, error) {
		if s == nil {
			return nil, fmt.Errorf("%w: %s", ErrNoDeployment, name)
		}
		if s.Rollout != nil && s.Rollout.Phase.Active() {
			return nil, fmt.Errorf("%w on %s", ErrInProgress, name)
		}
		cur, ok := s.Serving()
		if !ok {
			return nil, fmt.Errorf("%w: %s has no serving revision: `mlctl rollout undo N` first", ErrRouter, name)
		}
		sameVersion := cur.Version == rev.Version
		if sameVersion && o.Strategy != BlueGreen {
			return nil, fmt.Errorf("revision %d serves version %q too: %s needs a distinct version behind the router (use --strategy blue-green)", cur.N, rev.Version, o.Strategy)
		}
		rc := newRouterClient(s)
		if !sameVersion {
			// Pin the current version before the new one appears: an
			// endpoint without a policy routes to its newest version.
			if err := rc.setPolicy(ctx, policy{Traffic: []serve.TrafficSplit{{Version: cur.Version, Weight: 1}}}); err != nil {
				return nil, err
			}
		}
		rev.Status = StatusCandidate
		if sameVersion {
			// One version name: the router swaps the backend atomically.
			rev.Status = StatusServing
		}
		if err := rc.putRemote(ctx, &rev); err != nil {
			return nil, err
		}
		s.Revisions = append(s.Revisions, rev)
		now := time.Now().UTC()
		s.Rollout = &Progress{ID: rolloutID, Strategy: o.Strategy, From: cur.N, To: rev.N, Phase: Progressing, Started: now, Updated: now}
		if o.Strategy == Canary {
			s.Rollout.Steps = o.Steps
		}
		s.logf("rollout %s: revision %d (%s %s) → revision %d (%s %s), %s", rolloutID, cur.N, cur.Bundle, cur.Version, rev.N, rev.Bundle, rev.Version, o.Strategy)
		st, old = s, cur
		return s, nil
	})
	if err != nil {
		removeQuietly(e, rev.ContainerID)
		return nil, err
	}
	res.Revision, res.Previous, res.Router = rev, old.N, st.Router.Endpoint
	switch o.Strategy {
	case BlueGreen:
		err = o.promoteIf(ctx, e, rolloutID, "blue-green switch")
	case Canary:
		err = o.canary(ctx, e, rolloutID)
	case Shadow:
		err = o.shadow(ctx, e, rolloutID)
	case AB:
		err = o.act(ctx, rolloutID, func(s *State, rc *routerClient) error {
			from, _ := s.Revision(s.Rollout.From)
			to, _ := s.Revision(s.Rollout.To)
			w := o.ABWeight
			if err := rc.setPolicy(ctx, policy{Traffic: split(from.Version, to.Version, w), Sticky: o.ABHeader}); err != nil {
				return err
			}
			s.Rollout.Weight, s.Rollout.Sticky, s.Rollout.Phase = w, o.ABHeader, Paused
			s.logf("rollout %s: A/B split %s to revision %d, sticky on %s; promote or abort it", rolloutID, formatPercent(w), to.N, o.ABHeader)
			return nil
		})
	}
	final, lerr := o.Store.Load(name)
	if lerr == nil && final.Rollout != nil {
		res.Phase = final.Rollout.Phase
		if r, ok := final.Revision(rev.N); ok {
			res.Revision = *r
		}
	}
	return res, err
}

// split gives the new version w percent.
func split(oldV, newV string, w int) []serve.TrafficSplit {
	if w >= 100 {
		return []serve.TrafficSplit{{Version: newV, Weight: 1}}
	}
	return []serve.TrafficSplit{{Version: oldV, Weight: float64(100 - w)}, {Version: newV, Weight: float64(w)}}
}

// errSuperseded means someone else (promote, abort) finished the rollout.
var errSuperseded = errors.New("rollout finished elsewhere")

// act runs fn under the lock when rollout id is still active.
func (o *Options) act(ctx context.Context, id string, fn func(s *State, rc *routerClient) error) error {
	return o.Store.update(o.Revision.Name, func(s *State) (*State, error) {
		if s == nil || s.Rollout == nil || s.Rollout.ID != id || !s.Rollout.Phase.Active() {
			return nil, errSuperseded
		}
		if err := fn(s, newRouterClient(s)); err != nil {
			return s, err
		}
		s.Rollout.Updated = time.Now().UTC()
		return s, nil
	})
}

// outcome turns a rollout's end into Deploy's error.
func (o *Options) outcome(id string, err error) error {
	if !errors.Is(err, errSuperseded) {
		return err
	}
	s, lerr := o.Store.Load(o.Revision.Name)
	if lerr != nil || s.Rollout == nil || s.Rollout.ID != id {
		return fmt.Errorf("rollout %s: superseded", id)
	}
	switch s.Rollout.Phase {
	case Complete:
		return nil
	case Aborted:
		return fmt.Errorf("%w: %s", ErrAborted, s.Rollout.Reason)
	case RolledBack:
		return fmt.Errorf("%w: %s", ErrRolledBack, s.Rollout.Reason)
	}
	return nil
}

func (o *Options) promoteIf(ctx context.Context, e *docker.Engine, id, why string) error {
	err := o.act(ctx, id, func(s *State, rc *routerClient) error {
		return promote(ctx, e, s, rc, o.Keep, why)
	})
	return o.outcome(id, err)
}

func (o *Options) rollbackIf(ctx context.Context, e *docker.Engine, id, reason string) error {
	err := o.act(ctx, id, func(s *State, rc *routerClient) error {
		return rollback(ctx, e, s, rc, RolledBack, reason, o.RemoveFailed)
	})
	if err == nil {
		return fmt.Errorf("%w: %s", ErrRolledBack, reason)
	}
	return o.outcome(id, err)
}

// wait holds for d, returning early with errSuperseded when the rollout
// was promoted or aborted elsewhere.
func (o *Options) wait(ctx context.Context, id string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(pollInterval, time.Until(deadline))):
		}
		s, err := o.Store.Load(o.Revision.Name)
		if err != nil {
			return err
		}
		if s.Rollout == nil || s.Rollout.ID != id || !s.Rollout.Phase.Active() {
			return errSuperseded
		}
	}
	return nil
}

func (o *Options) canary(ctx context.Context, e *docker.Engine, id string) error {
	for i, w := range o.Steps {
		if w >= 100 {
			break
		}
		var routerEP, token, model, newV, newEP, newModel string
		err := o.act(ctx, id, func(s *State, rc *routerClient) error {
			from, _ := s.Revision(s.Rollout.From)
			to, _ := s.Revision(s.Rollout.To)
			if err := rc.setPolicy(ctx, policy{Traffic: split(from.Version, to.Version, w)}); err != nil {
				return err
			}
			s.Rollout.Step, s.Rollout.Weight = i, w
			s.logf("rollout %s: canary step %d: %s of requests to revision %d", id, i+1, formatPercent(w), to.N)
			routerEP, token, model, newV = s.Router.Endpoint, s.Router.Token, s.Model, to.Version
			newEP, newModel = to.Endpoint, to.Bundle
			return nil
		})
		if err != nil {
			return o.outcome(id, err)
		}
		o.progress("canary: %s to the new revision for %v", formatPercent(w), o.Pause)
		if reason, err := o.analyse(ctx, id, []target{{routerEP, token, model}, {newEP, "", newModel}}, newV, o.Pause); err != nil || reason != "" {
			if err != nil {
				if errors.Is(err, errSuperseded) || errors.Is(err, context.Canceled) {
					return o.outcome(id, errSuperseded)
				}
				reason = err.Error()
			}
			o.progress("canary: rolling back: %s", reason)
			return o.rollbackIf(ctx, e, id, reason)
		}
	}
	return o.promoteIf(ctx, e, id, "canary reached 100%")
}

func (o *Options) shadow(ctx context.Context, e *docker.Engine, id string) error {
	var newEP, model, newV string
	err := o.act(ctx, id, func(s *State, rc *routerClient) error {
		from, _ := s.Revision(s.Rollout.From)
		to, _ := s.Revision(s.Rollout.To)
		if err := rc.setPolicy(ctx, policy{Traffic: split(from.Version, to.Version, 0), Shadow: to.Version}); err != nil {
			return err
		}
		s.Rollout.Shadow = true
		s.logf("rollout %s: revision %d sees a copy of every request for %v", id, to.N, o.Analysis)
		newEP, model, newV = to.Endpoint, to.Bundle, to.Version
		return nil
	})
	if err != nil {
		return o.outcome(id, err)
	}
	o.progress("shadow: mirroring requests to the new revision for %v", o.Analysis)
	// Mirrored requests are not in the router's metrics: read the
	// revision's own.
	reason, err := o.analyse(ctx, id, []target{{newEP, "", model}}, newV, o.Analysis)
	if err != nil {
		if errors.Is(err, errSuperseded) || errors.Is(err, context.Canceled) {
			return o.outcome(id, errSuperseded)
		}
		reason = err.Error()
	}
	if reason != "" {
		return o.rollbackIf(ctx, e, id, reason)
	}
	return o.promoteIf(ctx, e, id, "shadow analysis passed")
}

// target is a server whose /metrics an analysis reads.
type target struct{ endpoint, token, model string }

// analyse holds a window and checks version's numbers against the
// thresholds; it returns the breach, or "". Canary reads the router (what
// clients see, latency included) and the revision itself (5xx it answered:
// a request that fails at the router is not counted under a version);
// shadow reads the revision (mirrored requests are not in the router's
// numbers). A revision whose metrics cannot be read is a breach. The
// numbers since the window began are checked every analysisTick, so a
// failing revision is rolled back without waiting for the window's end.
func (o *Options) analyse(ctx context.Context, id string, targets []target, version string, d time.Duration) (string, error) {
	before := make([]Scrape, len(targets))
	for i, t := range targets {
		s, err := scrape(ctx, t.endpoint, t.token, t.model)
		if err != nil {
			return "", err
		}
		before[i] = s
	}
	deadline := time.Now().Add(d)
	for {
		if err := o.wait(ctx, id, min(analysisTick, time.Until(deadline))); err != nil {
			return "", err
		}
		analysis, combined, reason := window(ctx, targets, before, version)
		if reason == "" {
			reason = o.Check(version, combined)
		}
		_ = o.act(ctx, id, func(s *State, _ *routerClient) error {
			s.Rollout.Analysis = analysis
			return nil
		})
		if reason != "" || !time.Now().Before(deadline) {
			return reason, nil
		}
	}
}

// analysisTick is how often a window's numbers so far are checked.
const analysisTick = time.Second

// window scrapes the targets again and combines version's numbers since
// before: the first target's requests and latency, the largest count of
// 5xx answers any target saw.
func window(ctx context.Context, targets []target, before []Scrape, version string) (map[string]Stats, Stats, string) {
	analysis := map[string]Stats{}
	var combined Stats
	for i, t := range targets {
		after, err := scrape(ctx, t.endpoint, t.token, t.model)
		if err != nil {
			return analysis, combined, fmt.Sprintf("version %s: %v", version, err)
		}
		w := Window(before[i], after)
		if i == 0 {
			analysis, combined = w, w[version]
			continue
		}
		own := w[version]
		combined.Errors = max(combined.Errors, own.Errors)
		combined.Requests = max(combined.Requests, own.Requests)
		if combined.Requests > 0 {
			combined.ErrorRate = float64(combined.Errors) / float64(combined.Requests)
		}
	}
	analysis[version] = combined
	return analysis, combined, ""
}

// promote gives the new revision all traffic, takes the old one out of
// the router and stops it (kept for undo).
func promote(ctx context.Context, e *docker.Engine, s *State, rc *routerClient, keep int, why string) error {
	from, _ := s.Revision(s.Rollout.From)
	to, _ := s.Revision(s.Rollout.To)
	if err := rc.setPolicy(ctx, policy{Traffic: split("", to.Version, 100)}); err != nil {
		return err
	}
	if from.Version != to.Version {
		time.Sleep(drainDelay)
		if err := rc.deleteVersion(ctx, from.Version); err != nil {
			return err
		}
	}
	time.Sleep(drainDelay)
	if err := e.Stop(ctx, from.ContainerID, docker.DefaultStopGrace); err != nil {
		return err
	}
	from.Status, to.Status = StatusStandby, StatusServing
	s.Rollout.Phase, s.Rollout.Weight, s.Rollout.Shadow, s.Rollout.Reason = Complete, 100, false, why
	s.logf("rollout %s: revision %d serves (%s); revision %d stopped and kept", s.Rollout.ID, to.N, why, from.N)
	return prune(ctx, e, s, keep)
}

// rollback gives the old revision all traffic back and stops (or removes)
// the new one.
func rollback(ctx context.Context, e *docker.Engine, s *State, rc *routerClient, phase Phase, reason string, remove bool) error {
	from, _ := s.Revision(s.Rollout.From)
	to, _ := s.Revision(s.Rollout.To)
	if err := rc.setPolicy(ctx, policy{Traffic: split("", from.Version, 100)}); err != nil {
		return err
	}
	if from.Version != to.Version {
		if err := rc.deleteVersion(ctx, to.Version); err != nil {
			return err
		}
	}
	time.Sleep(drainDelay)
	to.Status, to.Reason = StatusFailed, reason
	if remove {
		if err := e.Remove(ctx, to.ContainerID); err != nil {
			return err
		}
		to.Status = StatusRemoved
	} else if err := e.Stop(ctx, to.ContainerID, docker.DefaultStopGrace); err != nil {
		return err
	}
	s.Rollout.Phase, s.Rollout.Weight, s.Rollout.Shadow, s.Rollout.Reason = phase, 0, false, reason
	s.logf("rollout %s: %s: revision %d serves again; revision %d %s: %s", s.Rollout.ID, phase, from.N, to.N, to.Status, reason)
	return nil
}

// prune removes the containers of standby revisions beyond the newest
// keep (their images stay, so undo can run them again).
func prune(ctx context.Context, e *docker.Engine, s *State, keep int) error {
	var standby []*Revision
	for i := range s.Revisions {
		if s.Revisions[i].Status == StatusStandby {
			standby = append(standby, &s.Revisions[i])
		}
	}
	slices.SortFunc(standby, func(a, b *Revision) int { return b.N - a.N })
	for i, r := range standby {
		if i < keep {
			continue
		}
		if err := e.Remove(ctx, r.ContainerID); err != nil {
			return err
		}
		r.Status = StatusRemoved
		s.logf("revision %d: container removed (beyond --keep %d); image %s kept", r.N, keep, r.Image)
	}
	return nil
}

// Promote finishes the deployment's active rollout: the new revision takes
// all traffic.
func Promote(ctx context.Context, e *docker.Engine, store *Store, name string) error {
	return store.update(name, func(s *State) (*State, error) {
		if s == nil {
			return nil, fmt.Errorf("%w: %q", ErrNoDeployment, name)
		}
		if s.Rollout == nil || !s.Rollout.Phase.Active() {
			return nil, fmt.Errorf("%w on %s", ErrNoRollout, name)
		}
		return s, promote(ctx, e, s, newRouterClient(s), DefaultKeep, "promoted by hand")
	})
}

// Abort ends the active rollout: the previous revision takes all traffic
// back and the new one is stopped and kept for inspection.
func Abort(ctx context.Context, e *docker.Engine, store *Store, name string) error {
	return store.update(name, func(s *State) (*State, error) {
		if s == nil {
			return nil, fmt.Errorf("%w: %q", ErrNoDeployment, name)
		}
		if s.Rollout == nil || !s.Rollout.Phase.Active() {
			return nil, fmt.Errorf("%w on %s", ErrNoRollout, name)
		}
		return s, rollback(ctx, e, s, newRouterClient(s), Aborted, "aborted by hand", false)
	})
}

// Undo puts revision n back in service: its kept container is started
// again (or its kept image run again on a free port), checked healthy,
// and given all traffic; the revision serving now is stopped and kept.
func Undo(ctx context.Context, e *docker.Engine, store *Store, name string, n int, healthTimeoutD time.Duration) error {
	return store.update(name, func(s *State) (*State, error) {
		if s == nil {
			return nil, fmt.Errorf("%w: %q", ErrNoDeployment, name)
		}
		if s.Rollout != nil && s.Rollout.Phase.Active() {
			return nil, fmt.Errorf("%w on %s: promote or abort it first", ErrInProgress, name)
		}
		target, ok := s.Revision(n)
		if !ok {
			return nil, fmt.Errorf("%s has no revision %d (see `mlctl rollout history %s`)", name, n, name)
		}
		cur, hasCur := s.Serving()
		if hasCur && cur.N == n {
			return nil, fmt.Errorf("revision %d of %s is already serving", n, name)
		}
		c, found, err := e.Inspect(ctx, target.ContainerID)
		if err != nil {
			return nil, err
		}
		switch {
		case found && c.State == "running":
		case found:
			if err := e.Start(ctx, c.ID); err != nil {
				return nil, err
			}
		default:
			port, err := docker.FreePort(target.ListenHost)
			if err != nil {
				return nil, err
			}
			nc, err := e.Run(ctx, docker.RunOptions{
				Name: target.Container, Image: target.Image, ListenHost: target.ListenHost, HTTPPort: port,
				Env: target.Env, MemoryBytes: target.MemoryBytes, NanoCPUs: target.NanoCPUs, Restart: target.RestartPolicy,
				Labels: map[string]string{
					docker.LabelDeployment: name, docker.LabelRevision: strconv.Itoa(n),
					docker.LabelBundleUUID: target.UUID, docker.LabelImageID: target.ImageID,
				},
			})
			if err != nil {
				return nil, err
			}
			c = *nc
			target.ContainerID, target.Endpoint = nc.ID, nc.Endpoint
		}
		if err := e.WaitHealthy(ctx, &c, healthTimeout(healthTimeoutD)); err != nil {
			_ = e.Stop(ctx, c.ID, docker.DefaultStopGrace)
			return s, fmt.Errorf("undo to revision %d: %w", n, err)
		}
		rc := newRouterClient(s)
		if hasCur && cur.Version != target.Version {
			if err := rc.setPolicy(ctx, policy{Traffic: split("", cur.Version, 100)}); err != nil {
				return nil, err
			}
		}
		if err := rc.putRemote(ctx, target); err != nil {
			return nil, err
		}
		if err := rc.setPolicy(ctx, policy{Traffic: split("", target.Version, 100)}); err != nil {
			return nil, err
		}
		target.Status, target.Reason = StatusServing, ""
		if hasCur {
			if cur.Version != target.Version {
				time.Sleep(drainDelay)
				if err := rc.deleteVersion(ctx, cur.Version); err != nil {
					return s, err
				}
			}
			time.Sleep(drainDelay)
			if err := e.Stop(ctx, cur.ContainerID, docker.DefaultStopGrace); err != nil {
				return s, err
			}
			cur.Status = StatusStandby
		}
		now := time.Now().UTC()
		from := 0
		if hasCur {
			from = cur.N
		}
		s.Rollout = &Progress{ID: newToken()[:12], Strategy: "undo", From: from, To: n, Weight: 100, Phase: Complete, Started: now, Updated: now, Reason: "undo"}
		s.logf("undo: revision %d serves again (was revision %d)", n, from)
		return s, nil
	})
}

// Destroy removes the deployment: router and revision containers and the
// state file (images stay in the engine).
func Destroy(ctx context.Context, e *docker.Engine, store *Store, name string) error {
	var errs []error
	for _, key := range []string{LabelRouter, docker.LabelDeployment} {
		cs, err := e.Labeled(ctx, key, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, c := range cs {
			errs = append(errs, e.Remove(ctx, c.ID))
		}
	}
	errs = append(errs, store.Remove(name))
	return errors.Join(errs...)
}
