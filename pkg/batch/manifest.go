package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"time"
)

// ManifestFormat is the run manifest schema this version writes.
const ManifestFormat = "mlctl.batch-run/v1"

// Manifest records a run in its output: what it scores with, and every
// finished part. A rerun of the same command reads it, skips the finished
// parts and reuses ScoredAt, so the result is the same bytes.
type Manifest struct {
	Format       string    `json:"format"`
	ModelUUID    string    `json:"model_uuid"`
	ModelName    string    `json:"model_name,omitempty"`
	ModelVersion string    `json:"model_version,omitempty"`
	Flavor       string    `json:"flavor,omitempty"`
	MlctlVersion string    `json:"mlctl_version,omitempty"`
	ScoredAt     time.Time `json:"scored_at"`
	Shard        string    `json:"shard"`
	// Settings digests everything that shapes the output bytes (inputs,
	// columns, outputs, compression, sizes); a rerun with other settings
	// into the same output is refused.
	Settings string `json:"settings"`
	Parts    []Part `json:"parts"`
}

// Part is one finished output file.
type Part struct {
	Name         string `json:"name"`
	Input        string `json:"input"`
	InputVersion string `json:"input_version"`
	InputSHA256  string `json:"input_sha256,omitempty"`
	RowGroups    []int  `json:"row_groups,omitempty"`
	Rows         int64  `json:"rows"`
	Errors       int64  `json:"errors,omitempty"`
	ErrorFile    string `json:"error_file,omitempty"`
}

// ManifestName is the manifest's name in the output for a shard: one per
// shard, so that shards can share an output.
func ManifestName(s Shard) string {
	if s.Count <= 1 {
		return "_manifest.json"
	}
	return fmt.Sprintf("_manifest-%d-of-%d.json", s.Index, s.Count)
}

// ReadManifest reads a run's manifest; ok is false when there is none.
func ReadManifest(ctx context.Context, st Store, s Shard) (m Manifest, ok bool, err error) {
	raw, err := st.ReadFile(ctx, ManifestName(s))
	if errors.Is(err, fs.ErrNotExist) {
		return Manifest{}, false, nil
	}
	if err != nil {
		return Manifest{}, false, fmt.Errorf("run manifest: %w", err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return Manifest{}, false, fmt.Errorf("run manifest %s in %s: %w", ManifestName(s), st.Name(), err)
	}
	if m.Format != ManifestFormat {
		return Manifest{}, false, fmt.Errorf("run manifest %s in %s: format %q, expected %q", ManifestName(s), st.Name(), m.Format, ManifestFormat)
	}
	return m, true, nil
}

func writeManifest(ctx context.Context, st Store, s Shard, m *Manifest) error {
	sort.Slice(m.Parts, func(i, j int) bool { return m.Parts[i].Name < m.Parts[j].Name })
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	w, err := st.Create(ctx, ManifestName(s))
	if err != nil {
		return err
	}
	if _, err := w.Write(append(raw, '\n')); err != nil {
		w.Abort()
		return err
	}
	return w.Commit()
}

func (m *Manifest) part(name string) (Part, bool) {
	for _, p := range m.Parts {
		if p.Name == name {
			return p, true
		}
	}
	return Part{}, false
}

func (m *Manifest) setPart(p Part) {
	for i := range m.Parts {
		if m.Parts[i].Name == p.Name {
			m.Parts[i] = p
			return
		}
	}
	m.Parts = append(m.Parts, p)
}
