package rollout

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mlctl/mlctl/pkg/deploy/docker"
)

// EnvStateDir overrides where deployment state files live.
const EnvStateDir = "MLCTL_STATE_DIR"

// Phase is where a rollout stands.
type Phase string

// Phases of a rollout. Progressing and Paused are active: another deploy
// waits for promote or abort.
const (
	Progressing Phase = "progressing"
	Paused      Phase = "paused" // A/B: waiting for a manual promote
	Complete    Phase = "complete"
	RolledBack  Phase = "rolled-back"
	Aborted     Phase = "aborted"
)

// Active reports whether the rollout still holds traffic on two revisions.
func (p Phase) Active() bool { return p == Progressing || p == Paused }

// Revision statuses in State.
const (
	StatusServing   = "serving"   // takes the stable endpoint's traffic
	StatusCandidate = "candidate" // behind the router, taking a share or a mirror
	StatusStandby   = "standby"   // container stopped and kept for undo
	StatusRemoved   = "removed"   // container removed; its image is kept for undo
	StatusFailed    = "failed"    // rolled back or aborted; container stopped and kept for inspection
)

// Revision is one revision of a deployment.
type Revision struct {
	N             int       `json:"n"`
	Container     string    `json:"container"`
	ContainerID   string    `json:"container_id"`
	Image         string    `json:"image"`
	ImageID       string    `json:"image_id"`
	Bundle        string    `json:"bundle"`
	Version       string    `json:"version"`
	UUID          string    `json:"uuid"`
	Flavor        string    `json:"flavor"`
	Endpoint      string    `json:"endpoint"`
	Status        string    `json:"status"`
	Reason        string    `json:"reason,omitempty"`
	Created       time.Time `json:"created"`
	HealthyAfter  Duration  `json:"healthy_after,omitempty"`
	ListenHost    string    `json:"listen_host,omitempty"`
	Env           []string  `json:"env,omitempty"`
	MemoryBytes   int64     `json:"memory_bytes,omitempty"`
	NanoCPUs      int64     `json:"nano_cpus,omitempty"`
	RestartPolicy string    `json:"restart,omitempty"`
}

// Router is the deployment's stable endpoint.
type Router struct {
	Container   string `json:"container"`
	ContainerID string `json:"container_id"`
	Image       string `json:"image"`
	Endpoint    string `json:"endpoint"`
	// Token is the router's bearer token: the state file is 0600.
	Token string `json:"token"`
}

// Progress is the current or last rollout.
type Progress struct {
	ID       string    `json:"id"`
	Strategy Strategy  `json:"strategy"`
	From     int       `json:"from"`
	To       int       `json:"to"`
	Steps    []int     `json:"steps,omitempty"`
	Step     int       `json:"step"`   // index into Steps being held
	Weight   int       `json:"weight"` // percent of requests the new revision takes
	Shadow   bool      `json:"shadow,omitempty"`
	Sticky   string    `json:"sticky,omitempty"`
	Phase    Phase     `json:"phase"`
	Reason   string    `json:"reason,omitempty"`
	Started  time.Time `json:"started"`
	Updated  time.Time `json:"updated"`
	// Analysis is the last window's per-version numbers.
	Analysis map[string]Stats `json:"analysis,omitempty"`
}

// Event is one line of a deployment's history.
type Event struct {
	Time    time.Time `json:"time"`
	Message string    `json:"message"`
}

// State is what mlctl knows of a deployment, kept in a file so that
// `mlctl rollout` works from another process.
type State struct {
	Name      string     `json:"name"`
	Model     string     `json:"model"` // the endpoint's name behind the router
	Router    Router     `json:"router"`
	Revisions []Revision `json:"revisions"`
	Rollout   *Progress  `json:"rollout,omitempty"`
	History   []Event    `json:"history"`
}

// maxHistory bounds the events a state file keeps.
const maxHistory = 200

func (s *State) logf(format string, args ...any) {
	s.History = append(s.History, Event{Time: time.Now().UTC(), Message: fmt.Sprintf(format, args...)})
	if n := len(s.History) - maxHistory; n > 0 {
		s.History = s.History[n:]
	}
}

// Revision returns revision n.
func (s *State) Revision(n int) (*Revision, bool) {
	for i := range s.Revisions {
		if s.Revisions[i].N == n {
			return &s.Revisions[i], true
		}
	}
	return nil, false
}

// Serving returns the revision that takes the endpoint's traffic.
func (s *State) Serving() (*Revision, bool) {
	for i := range s.Revisions {
		if s.Revisions[i].Status == StatusServing {
			return &s.Revisions[i], true
		}
	}
	return nil, false
}

func (s *State) nextRevision(containers []docker.Container) int {
	n := 1
	for _, r := range s.Revisions {
		n = max(n, r.N+1)
	}
	for _, c := range containers {
		n = max(n, c.Revision()+1)
	}
	return n
}

// Store keeps state files: DIR/NAME.json, guarded by DIR/NAME.lock.
type Store struct {
	Dir string
}

// DefaultStore is $MLCTL_STATE_DIR, else the user's config directory
// (~/.config/mlctl/deployments on Linux).
func DefaultStore() (*Store, error) {
	if d := os.Getenv(EnvStateDir); d != "" {
		return &Store{Dir: d}, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return nil, fmt.Errorf("finding the state directory: %w (set %s)", err, EnvStateDir)
	}
	return &Store{Dir: filepath.Join(d, "mlctl", "deployments")}, nil
}

func (st *Store) path(name string) string { return filepath.Join(st.Dir, name+".json") }

// Load reads a deployment's state; ErrNoDeployment when it has none.
func (st *Store) Load(name string) (*State, error) {
	if err := docker.ValidName(name); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(st.path(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %q has no state in %s (deploy it with a --strategy first)", ErrNoDeployment, name, st.Dir)
	}
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("state file %s: %w", st.path(name), err)
	}
	return &s, nil
}

// save writes the state atomically (temp file, rename).
func (st *Store) save(s *State) error {
	if err := os.MkdirAll(st.Dir, 0o700); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(st.Dir, s.Name+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), st.path(s.Name))
}

// update runs fn on the state under the deployment's lock and saves it
// when fn succeeds; a missing state is passed as nil.
func (st *Store) update(name string, fn func(s *State) (*State, error)) error {
	unlock, err := st.lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	s, err := st.Load(name)
	if errors.Is(err, ErrNoDeployment) {
		s, err = nil, nil
	}
	if err != nil {
		return err
	}
	ns, ferr := fn(s)
	if ns != nil {
		if err := st.save(ns); err != nil {
			return errors.Join(ferr, fmt.Errorf("saving the state of %s: %w", name, err))
		}
	}
	return ferr
}

// Remove deletes a deployment's state and lock files.
func (st *Store) Remove(name string) error {
	var errs []error
	for _, p := range []string{st.path(name), filepath.Join(st.Dir, name+".lock")} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Duration is a time.Duration written as "1.5s" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "1.5s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}
