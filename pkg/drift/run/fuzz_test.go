package run

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLogFile feeds arbitrary prediction log content through profiling
// and a comparison with itself: errors are fine, panics and reports that
// JSON cannot encode (NaN) are not.
func FuzzLogFile(f *testing.F) {
	f.Add([]byte(`{"ts":"2026-03-04T05:06:07Z","request_id":"a","inputs":{"x":1,"f":[1,2,null]},"outputs":{"label":"a","probabilities":[0.5,0.5]}}` + "\n"))
	f.Add([]byte(`{"ts":"2026-03-04T05:06:07Z","inputs":{"x":"a"}}` + "\n" + `{"ts":"2026-03-04T05:06:08Z","inputs":{"x":2}}` + "\n"))
	f.Add([]byte(`{"ts":"2026-03-04T05:06:07Z","inputs":{"x":[[1,2],[3]]},"outputs":{"prediction":null}}` + "\n"))
	f.Add([]byte(`{"ts":"2026-03-04T05:06:07Z","inputs":{"x":true,"y":{"z":1}}}`))
	f.Fuzz(func(t *testing.T, content []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "predictions-20260304T050607.123Z-000001.jsonl"), content, 0o644); err != nil {
			t.Fatal(err)
		}
		in := Input{Kind: KindLog, Paths: []string{dir}}
		if _, _, err := Profile(context.Background(), in, Options{}); err != nil {
			return
		}
		rep, err := Compare(context.Background(), in, in, Options{})
		if err != nil {
			return
		}
		if _, err := json.Marshal(rep); err != nil {
			t.Fatalf("report does not encode: %v", err)
		}
	})
}
