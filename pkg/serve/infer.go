package serve

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve/batcher"
	"github.com/mlctl/mlctl/pkg/serve/predlog"
)

// shadowTimeout bounds a shadow request; it runs detached from the caller.
const shadowTimeout = 30 * time.Second

// Infer runs a request: route → schema check → batcher → model. A request
// that meets a version being swapped out is routed again, so hot swaps fail
// no request.
func (s *Server) Infer(ctx context.Context, req *Request) (*Response, error) {
	if s.closing.Load() {
		return nil, ErrShuttingDown
	}
	s.inflight.Add(1)
	defer s.inflight.Done()
	if req.Received.IsZero() {
		req.Received = time.Now()
	}
	for attempt := 0; ; attempt++ {
		v, shadow, err := s.route(req)
		if err != nil {
			return nil, err
		}
		// A remote version checks its own schema and answers 400 as we would.
		if err := v.manifest.Signature.Check(req.Inputs); err != nil && !v.remote {
			if !errors.Is(err, flavors.ErrInvalidInput) {
				err = fmt.Errorf("%w: %v", flavors.ErrInvalidInput, err)
			}
			return nil, err
		}
		if rows := req.Inputs.Rows(); rows > v.maxRows {
			return nil, fmt.Errorf("%w: the request has %d rows; model %s queues at most %d: send it in parts", flavors.ErrInvalidInput, rows, v.endpoint, v.maxRows)
		}
		if shadow != nil && attempt == 0 {
			s.mirror(shadow, req)
		}
		out, err := v.backend.Predict(ctx, req.Inputs)
		switch {
		case errors.Is(err, batcher.ErrClosed) && attempt < 3:
			continue // swapped out under us: the new version is in place
		case errors.Is(err, batcher.ErrQueueFull):
			return nil, &VersionError{Version: v.manifest.Version, Err: fmt.Errorf("%w: model %s version %s is at its queue limit", ErrQueueFull, v.endpoint, v.manifest.Version)}
		case err != nil:
			return nil, &VersionError{Version: v.manifest.Version, Err: err}
		}
		out, err = selectOutputs(out, req.Outputs)
		if err != nil {
			return nil, err
		}
		s.logPrediction(v, req, out)
		return &Response{
			ID: req.ID, Model: v.endpoint, Version: v.manifest.Version, UUID: v.manifest.UUID,
			Outputs: out, Classes: v.manifest.Classes,
		}, nil
	}
}

// VersionError is an error a routed version gave: the front ends label
// their metrics with the version that failed, so a rollout sees a bad
// revision's errors as its own.
type VersionError struct {
	Version string
	Err     error
}

func (e *VersionError) Error() string { return e.Err.Error() }
func (e *VersionError) Unwrap() error { return e.Err }

// ErrorVersion returns the version an error came from, or "".
func ErrorVersion(err error) string {
	var ve *VersionError
	if errors.As(err, &ve) {
		return ve.Version
	}
	return ""
}

// mirror sends a copy of the request to the shadow version without waiting:
// when the shadow is already at its concurrency bound the copy is skipped,
// so the primary is never slowed.
func (s *Server) mirror(shadow *version, req *Request) {
	ep := s.endpointOf(shadow)
	if ep == nil {
		return
	}
	select {
	case ep.shadowSem <- struct{}{}:
	default:
		if m := s.opts.Metrics; m != nil {
			m.shadowSkipped.WithLabelValues(shadow.endpoint, shadow.manifest.Version).Inc()
		}
		return
	}
	copyReq := *req
	copyReq.Protocol = "shadow"
	s.shadows.Add(1)
	go func() {
		defer s.shadows.Done()
		defer func() { <-ep.shadowSem }()
		ctx, cancel := context.WithTimeout(context.Background(), shadowTimeout)
		defer cancel()
		start := time.Now()
		out, err := shadow.backend.Predict(ctx, copyReq.Inputs)
		if err != nil {
			s.log.Warn("shadow request failed", "model", shadow.endpoint, "version", shadow.manifest.Version, "request_id", req.ID, "err", err)
			return
		}
		copyReq.Received = start
		s.logPrediction(shadow, &copyReq, out)
	}()
}

func (s *Server) endpointOf(v *version) *endpoint {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.endpoints[v.endpoint]
}

func (s *Server) logPrediction(v *version, req *Request, out flavors.Batch) {
	if s.opts.PredLog == nil {
		return
	}
	s.opts.PredLog.Log(predlog.Entry{
		Time: time.Now(), RequestID: req.ID, Model: v.endpoint, Version: v.manifest.Version, UUID: v.manifest.UUID,
		Protocol: req.Protocol, Latency: time.Since(req.Received), Inputs: req.Inputs, Outputs: out,
	})
}

// selectOutputs keeps the outputs a request asked for, in its order.
func selectOutputs(out flavors.Batch, want []string) (flavors.Batch, error) {
	if len(want) == 0 {
		return out, nil
	}
	sel := flavors.Batch{Tensors: make([]flavors.Tensor, 0, len(want))}
	for _, name := range want {
		t, ok := out.Get(name)
		if !ok {
			return flavors.Batch{}, fmt.Errorf("%w: unknown output %q: the model has %v", flavors.ErrInvalidInput, name, out.Names())
		}
		sel.Tensors = append(sel.Tensors, t)
	}
	return sel, nil
}

// Load (re)loads every bundle an endpoint was configured with.
func (s *Server) Load(ctx context.Context, name string) error {
	s.mu.RLock()
	ep := s.endpoints[name]
	var sources []string
	var settings ModelSettings
	if ep != nil {
		sources = append(sources, ep.sources...)
		settings = ep.settings
	}
	s.mu.RUnlock()
	if len(sources) == 0 {
		return fmt.Errorf("%w: %q is not in the repository", ErrModelNotFound, name)
	}
	for _, src := range sources {
		if _, err := s.Deploy(ctx, src, ModelConfig{Name: name, ModelSettings: settings}); err != nil {
			return err
		}
	}
	return nil
}

// Unload removes every version of an endpoint; it can be loaded again from
// the same bundles.
func (s *Server) Unload(_ context.Context, name string) error {
	s.mu.Lock()
	ep := s.endpoints[name]
	if ep == nil {
		s.mu.Unlock()
		return fmt.Errorf("%w: %q", ErrModelNotFound, name)
	}
	gone := ep.versions
	ep.versions = map[string]*version{}
	ep.latest = ""
	ep.unloaded = true
	s.mu.Unlock()
	for _, v := range gone {
		go s.retire(v)
	}
	return nil
}
