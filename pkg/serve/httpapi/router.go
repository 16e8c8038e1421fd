package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve"
	"github.com/mlctl/mlctl/pkg/serve/remote"
)

// The router extension (mlctl's own, beside OIP's repository extension)
// lets a rollout put remote versions behind an endpoint and shift traffic:
//
//	GET    /v2/repository/models/{model}/policy
//	PUT    /v2/repository/models/{model}/policy                     {"traffic":[{"version":"2","weight":0.1}],"shadow":"","sticky":""}
//	PUT    /v2/repository/models/{model}/versions/{version}/remote  {"url":"http://127.0.0.1:9001","model":"iris"}
//	DELETE /v2/repository/models/{model}/versions/{version}

// policyJSON is an endpoint's traffic policy on the wire.
type policyJSON struct {
	Traffic []trafficJSON `json:"traffic"`
	Shadow  string        `json:"shadow,omitempty"`
	Sticky  string        `json:"sticky,omitempty"`
}

type trafficJSON struct {
	Version string  `json:"version"`
	Weight  float64 `json:"weight"`
}

// remoteJSON names a remote server and the model there.
type remoteJSON struct {
	URL   string `json:"url"`
	Model string `json:"model,omitempty"` // default: the endpoint's name
	Token string `json:"token,omitempty"`
}

// describeTimeout bounds reading a remote's metadata.
const describeTimeout = 10 * time.Second

func (h *Handler) routerRoutes(auth func(string, http.HandlerFunc)) {
	if h.opts.Router == nil {
		return
	}
	auth("GET /v2/repository/models/{model}/policy", h.getPolicy)
	auth("PUT /v2/repository/models/{model}/policy", h.putPolicy)
	auth("PUT /v2/repository/models/{model}/versions/{version}/remote", h.putRemote)
	auth("DELETE /v2/repository/models/{model}/versions/{version}", h.deleteVersion)
}

func (h *Handler) getPolicy(w http.ResponseWriter, r *http.Request) {
	traffic, shadow, sticky, err := h.opts.Router.Policy(r.PathValue("model"))
	if err != nil {
		writeJSONError(w, r, Status(err), err.Error())
		return
	}
	p := policyJSON{Traffic: []trafficJSON{}, Shadow: shadow, Sticky: sticky}
	for _, t := range traffic {
		p.Traffic = append(p.Traffic, trafficJSON(t))
	}
	writeJSON(w, http.StatusOK, p)
}

func (h *Handler) putPolicy(w http.ResponseWriter, r *http.Request) {
	var p policyJSON
	if !h.readJSON(w, r, &p) {
		return
	}
	traffic := make([]serve.TrafficSplit, len(p.Traffic))
	for i, t := range p.Traffic {
		traffic[i] = serve.TrafficSplit(t)
	}
	if err := h.opts.Router.SetPolicy(r.PathValue("model"), traffic, p.Shadow, p.Sticky); err != nil {
		writeJSONError(w, r, Status(err), err.Error())
		return
	}
	h.getPolicy(w, r)
}

func (h *Handler) putRemote(w http.ResponseWriter, r *http.Request) {
	var rj remoteJSON
	if !h.readJSON(w, r, &rj) {
		return
	}
	name, ver := r.PathValue("model"), r.PathValue("version")
	model := rj.Model
	if model == "" {
		model = name
	}
	ctx, cancel := context.WithTimeout(r.Context(), describeTimeout)
	defer cancel()
	o := remote.Options{Token: rj.Token}
	m, platform, err := remote.Describe(ctx, rj.URL, model, ver, o)
	switch {
	case errors.Is(err, serve.ErrModelNotFound):
		writeJSONError(w, r, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		writeJSONError(w, r, http.StatusBadGateway, err.Error())
		return
	}
	if m.Version != ver {
		writeJSONError(w, r, http.StatusBadRequest, fmt.Sprintf("remote %s serves version %q of %q, not %q", rj.URL, m.Version, model, ver))
		return
	}
	b, err := remote.New(rj.URL, model, ver, o)
	if err != nil {
		writeJSONError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if _, err := h.opts.Router.DeployRemote(serve.RemoteVersion{Manifest: m, Flavor: platform, Backend: b, Source: rj.URL}, serve.ModelConfig{Name: name}); err != nil {
		writeJSONError(w, r, Status(err), err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "version": ver, "uuid": m.UUID, "url": rj.URL})
}

func (h *Handler) deleteVersion(w http.ResponseWriter, r *http.Request) {
	if err := h.opts.Router.Undeploy(r.PathValue("model"), r.PathValue("version")); err != nil {
		writeJSONError(w, r, Status(err), err.Error())
		return
	}
	w.WriteHeader(http.StatusOK)
}

// readJSON decodes a small JSON body strictly, answering 400 itself.
func (h *Handler) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := h.readBody(w, r)
	if err != nil {
		writeJSONError(w, r, Status(err), err.Error())
		return false
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		writeJSONError(w, r, http.StatusBadRequest, fmt.Sprintf("%v: the body: %v", flavors.ErrInvalidInput, err))
		return false
	}
	return true
}
