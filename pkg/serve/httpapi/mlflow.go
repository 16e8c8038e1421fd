package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve"
)

// invocations is MLflow's POST /invocations: JSON in the four MLflow
// shapes, or CSV; {"predictions": …} back.
func (h *Handler) invocations(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	model, version, status := "", "", http.StatusOK
	defer func() { h.observe(model, version, "mlflow", status, start) }()
	fail := func(err error) {
		if version == "" {
			version = serve.ErrorVersion(err)
		}
		status = Status(err)
		setRetryAfter(w, err)
		writeJSONError(w, r, status, err.Error())
	}

	format, err := mlflowFormat(r.Header.Get("Content-Type"))
	if err != nil {
		fail(err)
		return
	}
	name := r.PathValue("model")
	if name == "" {
		if name, err = h.onlyModel(); err != nil {
			fail(err)
			return
		}
	}
	meta, err := h.inf.Model(name, "")
	if err != nil {
		fail(err)
		return
	}
	model = meta.Name
	body, err := h.readBody(w, r)
	if err != nil {
		fail(err)
		return
	}
	in, err := codec.Decode(bytes.NewReader(body), format, meta.Inputs)
	if err != nil {
		fail(err)
		return
	}
	req := &serve.Request{
		ID: h.requestID(r), Model: name, Protocol: "mlflow", Inputs: in,
		RouteKey: routeKey(r, meta), Received: start,
	}
	if format == codec.JSON && bytes.Contains(body, []byte(`"params"`)) {
		if req.Params, err = mlflowParams(body); err != nil {
			fail(err)
			return
		}
	}
	ctx, cancel := h.withTimeout(r)
	defer cancel()
	resp, err := h.inf.Infer(ctx, req)
	if err != nil {
		fail(err)
		return
	}
	version = resp.Version
	setAnswerHeaders(w, resp)
	w.Header().Set("Content-Type", "application/json")
	if err := codec.EncodeJSON(w, resp.Outputs); err != nil {
		h.opts.Logger.Warn("writing response", "err", err)
	}
}

// mlflowFormat accepts what MLflow's scoring server accepts:
// application/json and text/csv, with no parameter but charset=utf-8.
func mlflowFormat(contentType string) (codec.Format, error) {
	if contentType == "" {
		return "", fmt.Errorf("%w: no Content-Type: expected application/json or text/csv", errUnsupportedMedia)
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", fmt.Errorf("%w: Content-Type %q: %v", errUnsupportedMedia, contentType, err)
	}
	for k, v := range params {
		if k != "charset" || !strings.EqualFold(v, "utf-8") {
			return "", fmt.Errorf("%w: Content-Type parameter %s=%s: only charset=utf-8 is accepted", errUnsupportedMedia, k, v)
		}
	}
	switch mt {
	case "application/json":
		return codec.JSON, nil
	case "text/csv":
		return codec.CSV, nil
	}
	return "", fmt.Errorf("%w: Content-Type %s: expected application/json or text/csv", errUnsupportedMedia, mt)
}

// mlflowParams extracts the request's "params" object.
func mlflowParams(body []byte) (map[string]any, error) {
	var top struct {
		Params json.RawMessage `json:"params"`
	}
	if err := json.Unmarshal(body, &top); err != nil || len(top.Params) == 0 {
		return nil, nil
	}
	var p map[string]any
	if err := json.Unmarshal(top.Params, &p); err != nil {
		return nil, fmt.Errorf("%w: params must be an object of parameter values", flavors.ErrInvalidInput)
	}
	return p, nil
}

// onlyModel names the single model a bare /invocations addresses.
func (h *Handler) onlyModel() (string, error) {
	names := map[string]bool{}
	for _, m := range h.inf.Models() {
		names[m.Name] = true
	}
	if len(names) == 1 {
		for n := range names {
			return n, nil
		}
	}
	if len(names) == 0 {
		return "", fmt.Errorf("%w: no model is loaded", serve.ErrNotReady)
	}
	list := make([]string, 0, len(names))
	for n := range names {
		list = append(list, n)
	}
	return "", fmt.Errorf("%w: this server serves several models (%s): post to /models/{name}/invocations", flavors.ErrInvalidInput, strings.Join(list, ", "))
}
