package remote

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve"
)

// The remote's statuses come back as the error kinds the router's front
// ends turn into the same statuses.
func TestStatusesMapToErrorKinds(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		header string
		want   error
	}{
		{"bad request", 400, "", flavors.ErrInvalidInput},
		{"too large", 413, "", flavors.ErrInvalidInput},
		{"not found", 404, "", serve.ErrModelNotFound},
		{"queue full", 503, "1", serve.ErrQueueFull},
		{"not ready", 503, "", serve.ErrNotReady},
		{"timeout", 504, "", context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(`{"error":"from the remote"}`))
			}))
			defer srv.Close()
			b, err := New(srv.URL, "m", "1", Options{})
			if err != nil {
				t.Fatal(err)
			}
			col, _ := flavors.Column("x", []float64{1})
			_, err = b.Predict(context.Background(), flavors.Batch{Tensors: []flavors.Tensor{col}})
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestPredictRoundTrip(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v2/models/iris/versions/2/infer" || r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, r.URL.Path, 404)
			return
		}
		w.Write([]byte(`{"model_name":"iris","outputs":[{"name":"label","datatype":"BYTES","shape":[2],"data":["a",null]},{"name":"p","datatype":"FP64","shape":[2,2],"data":[0.5,0.5,1,0]}]}`))
	}))
	defer srv.Close()
	b, err := New(srv.URL, "iris", "2", Options{Token: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	col, _ := flavors.Column("x", []float64{1, 2})
	out, err := b.Predict(context.Background(), flavors.Batch{Tensors: []flavors.Tensor{col}})
	if err != nil {
		t.Fatal(err)
	}
	label, _ := out.Get("label")
	p, _ := out.Get("p")
	if label.Strings()[0] != "a" || !label.IsNull(1) || len(p.Shape) != 2 || p.Shape[1] != 2 {
		t.Errorf("got %+v", out)
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Predict(context.Background(), flavors.Batch{Tensors: []flavors.Tensor{col}}); !errors.Is(err, serve.ErrShuttingDown) {
		t.Errorf("after Close: %v, want ErrShuttingDown", err)
	}
}

func TestNewRefusesBadURLs(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:80", "ftp://x", "http://"} {
		if _, err := New(u, "m", "1", Options{}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}
