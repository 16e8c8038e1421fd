package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve"
)

// headerLength is the binary tensor extension's header: the length of the
// JSON part of a body whose tail holds raw tensors.
const headerLength = "Inference-Header-Content-Length"

type tensorMetadata struct {
	Name     string        `json:"name"`
	Datatype flavors.DType `json:"datatype"`
	Shape    []int64       `json:"shape"`
}

func (h *Handler) live(w http.ResponseWriter, r *http.Request) {
	status := http.StatusOK
	if !h.inf.Live() {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, map[string]bool{"live": status == http.StatusOK})
}

func (h *Handler) ready(w http.ResponseWriter, r *http.Request) {
	status := http.StatusOK
	if !h.inf.Ready() {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, map[string]bool{"ready": status == http.StatusOK})
}

func (h *Handler) serverMetadata(w http.ResponseWriter, r *http.Request) {
	m := h.inf.Metadata()
	writeJSON(w, http.StatusOK, map[string]any{"name": m.Name, "version": m.Version, "extensions": m.Extensions})
}

func (h *Handler) modelMetadata(w http.ResponseWriter, r *http.Request) {
	m, err := h.inf.Model(r.PathValue("model"), r.PathValue("version"))
	if err != nil {
		writeJSONError(w, r, Status(err), err.Error())
		return
	}
	out := map[string]any{
		"name": m.Name, "versions": m.Versions, "platform": m.Platform,
		"inputs": specsMetadata(m.Inputs), "outputs": specsMetadata(m.Outputs),
		"parameters": map[string]any{"model_uuid": m.UUID, "version": m.Version},
	}
	if len(m.Classes) > 0 {
		out["parameters"].(map[string]any)["classes"] = m.Classes
	}
	writeJSON(w, http.StatusOK, out)
}

func specsMetadata(specs []flavors.Spec) []tensorMetadata {
	out := make([]tensorMetadata, len(specs))
	for i, sp := range specs {
		out[i] = tensorMetadata{Name: sp.Name, Datatype: sp.DType, Shape: sp.Shape}
	}
	return out
}

func (h *Handler) modelReady(w http.ResponseWriter, r *http.Request) {
	ok, err := h.inf.ModelReady(r.PathValue("model"), r.PathValue("version"))
	if err != nil {
		writeJSONError(w, r, Status(err), err.Error())
		return
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, map[string]any{"name": r.PathValue("model"), "ready": ok})
}

// infer is POST /v2/models/{model}[/versions/{version}]/infer.
func (h *Handler) infer(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	model, version, status := r.PathValue("model"), "", http.StatusOK
	defer func() { h.observe(model, version, "v2-rest", status, start) }()
	fail := func(err error) {
		if version == "" {
			version = serve.ErrorVersion(err)
		}
		status = Status(err)
		setRetryAfter(w, err)
		writeJSONError(w, r, status, err.Error())
	}
	meta, err := h.inf.Model(model, r.PathValue("version"))
	if err != nil {
		fail(err)
		return
	}
	body, err := h.readBody(w, r)
	if err != nil {
		fail(err)
		return
	}
	jsonLen := -1
	if v := r.Header.Get(headerLength); v != "" {
		if jsonLen, err = strconv.Atoi(v); err != nil || jsonLen < 0 || jsonLen > len(body) {
			fail(errorf("%s %q: expected the length of the JSON part, 0..%d", headerLength, v, len(body)))
			return
		}
	}
	req, err := decodeInferRequest(body, jsonLen, meta.Inputs)
	if err != nil {
		fail(err)
		return
	}
	sreq := &serve.Request{
		ID: req.ID, Model: model, Version: r.PathValue("version"), Protocol: "v2-rest",
		Inputs: req.batch, Outputs: req.outputNames(), RouteKey: routeKey(r, meta),
		Params: req.Parameters, Received: start,
	}
	if sreq.ID == "" {
		sreq.ID = h.requestID(r)
	}
	ctx, cancel := h.withTimeout(r)
	defer cancel()
	resp, err := h.inf.Infer(ctx, sreq)
	if err != nil {
		fail(err)
		return
	}
	version = resp.Version
	setAnswerHeaders(w, resp)
	if err := writeInferResponse(w, resp, req); err != nil {
		h.opts.Logger.Warn("writing response", "err", err)
	}
}

func (h *Handler) repositoryIndex(w http.ResponseWriter, r *http.Request) {
	models := h.inf.Models()
	out := make([]map[string]string, len(models))
	for i, m := range models {
		out[i] = map[string]string{"name": m.Name, "version": m.Version, "state": m.State, "reason": m.Reason}
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) repositoryLoad(w http.ResponseWriter, r *http.Request) {
	h.repositoryAction(w, r, func(name string) error { return h.repo.Load(r.Context(), name) })
}

func (h *Handler) repositoryUnload(w http.ResponseWriter, r *http.Request) {
	h.repositoryAction(w, r, func(name string) error { return h.repo.Unload(r.Context(), name) })
}

func (h *Handler) repositoryAction(w http.ResponseWriter, r *http.Request, act func(string) error) {
	if h.repo == nil {
		writeJSONError(w, r, http.StatusNotFound, "the model repository extension is not enabled")
		return
	}
	if err := act(r.PathValue("model")); err != nil {
		writeJSONError(w, r, Status(err), err.Error())
		return
	}
	w.WriteHeader(http.StatusOK)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
