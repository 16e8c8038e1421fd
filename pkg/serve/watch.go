package serve

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mlctl/mlctl/pkg/bundle"
)

// stamp identifies a bundle file's content cheaply between polls.
type stamp struct {
	size    int64
	modTime time.Time
}

// Watch polls dir for bundles (.mlb files and bundle directories) and
// deploys each new or changed one. A bundle that fails to open, load or
// reproduce its golden example is refused and logged; whatever served
// before keeps serving. It returns when ctx is done.
func (s *Server) Watch(ctx context.Context, dir string, every time.Duration, mc ModelConfig) {
	if every <= 0 {
		every = 2 * time.Second
	}
	seen := map[string]stamp{}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		s.scan(ctx, dir, seen, mc)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *Server) scan(ctx context.Context, dir string, seen map[string]stamp, mc ModelConfig) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		s.log.Warn("watch", "dir", dir, "err", err)
		return
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		st, ok := bundleStamp(p, e)
		if !ok || seen[p] == st {
			continue
		}
		// A file still being written changes between two looks; take it on
		// a later poll.
		time.Sleep(50 * time.Millisecond)
		if again, _ := bundleStamp(p, e); again != st {
			continue
		}
		seen[p] = st
		if _, err := s.Deploy(ctx, p, mc); err != nil {
			s.log.Error("bundle refused; the loaded version keeps serving", "bundle", p, "err", err)
		}
	}
}

func bundleStamp(p string, e os.DirEntry) (stamp, bool) {
	if e.IsDir() {
		st, err := os.Stat(filepath.Join(p, bundle.ManifestFile))
		if err != nil {
			return stamp{}, false
		}
		return stamp{size: st.Size(), modTime: st.ModTime()}, true
	}
	if !strings.HasSuffix(e.Name(), bundle.ArchiveExt) {
		return stamp{}, false
	}
	st, err := os.Stat(p)
	if err != nil {
		return stamp{}, false
	}
	return stamp{size: st.Size(), modTime: st.ModTime()}, true
}
