package httpapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve"
	"github.com/mlctl/mlctl/pkg/serve/httpapi"
)

// failingBackend answers every request with an error of its own.
type failingBackend struct{}

func (failingBackend) Predict(context.Context, flavors.Batch) (flavors.Batch, error) {
	return flavors.Batch{}, errors.New("the revision is broken")
}
func (failingBackend) Close(context.Context) error { return nil }

// A version that fails is counted under its own version label, so a
// rollout watching the metrics sees the failing revision's errors.
func TestFailedRequestsCountUnderTheirVersion(t *testing.T) {
	metrics := serve.NewMetrics(nil)
	core := serve.New(serve.Options{Metrics: metrics})
	m := &bundle.Manifest{Name: "m", Version: "7", Signature: flavors.Signature{Inputs: []flavors.Spec{{Name: "x", DType: flavors.FP64, Shape: []int64{-1}}}}}
	if _, err := core.DeployRemote(serve.RemoteVersion{Manifest: m, Backend: failingBackend{}, Source: "test"}, serve.ModelConfig{}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(httpapi.New(core, core, httpapi.Options{Metrics: metrics}))
	defer ts.Close()
	resp, err := http.Post(ts.URL+"/v2/models/m/infer", "application/json",
		strings.NewReader(`{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Fatalf("status %d, want 500", resp.StatusCode)
	}
	resp, err = http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `mlctl_requests_total{code="500",model="m",protocol="v2-rest",version="7"} 1`; !strings.Contains(string(body), want) {
		t.Errorf("metrics lack %s", want)
	}
}
