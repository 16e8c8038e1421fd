package rollout

import (
	"context"
	"fmt"
	"sort"

	"github.com/mlctl/mlctl/pkg/deploy/docker"
	"github.com/mlctl/mlctl/pkg/serve"
)

// Status is a deployment as it stands: its state file plus what the engine
// and the router say now.
type Status struct {
	Name     string           `json:"name"`
	Model    string           `json:"model"`
	Endpoint string           `json:"endpoint"`
	Router   ContainerStatus  `json:"router"`
	Rollout  *Progress        `json:"rollout,omitempty"`
	Traffic  []RevisionStatus `json:"revisions"`
	Shadow   string           `json:"shadow,omitempty"`
	Sticky   string           `json:"sticky,omitempty"`
	// Problems are what could not be read (router down, …).
	Problems []string `json:"problems,omitempty"`
}

// ContainerStatus is what the engine says of a container.
type ContainerStatus struct {
	Name   string `json:"name"`
	State  string `json:"state"` // running, exited, missing, …
	Health string `json:"health,omitempty"`
}

// RevisionStatus is one revision with its live numbers.
type RevisionStatus struct {
	Revision
	Container ContainerStatus `json:"container_status"`
	// Weight is its percent of the endpoint's requests now.
	Weight float64 `json:"weight"`
	// Totals are the router's counts since it started (this version).
	Totals Stats `json:"totals"`
}

// GetStatus reads the state, the containers, the router's policy and its
// metrics. Failures to reach the engine or router are reported in
// Problems, not as errors, so a status shows what it can.
func GetStatus(ctx context.Context, e *docker.Engine, store *Store, name string) (*Status, error) {
	s, err := store.Load(name)
	if err != nil {
		return nil, err
	}
	out := &Status{Name: s.Name, Model: s.Model, Endpoint: s.Router.Endpoint, Rollout: s.Rollout}
	container := func(id, cname string) ContainerStatus {
		cs := ContainerStatus{Name: cname, State: "unknown"}
		if id == "" {
			cs.State = "none"
		}
		if e == nil || id == "" {
			return cs
		}
		c, ok, err := e.Inspect(ctx, id)
		switch {
		case err != nil:
			out.Problems = append(out.Problems, err.Error())
		case !ok:
			cs.State = "missing"
		default:
			cs.State, cs.Health = c.State, c.Health
		}
		return cs
	}
	out.Router = container(s.Router.ContainerID, s.Router.Container)
	weights := map[string]float64{}
	var totals map[string]Stats
	if out.Router.State == "running" {
		p, err := newRouterClient(s).policy(ctx)
		if err != nil {
			out.Problems = append(out.Problems, err.Error())
		}
		out.Shadow, out.Sticky = p.Shadow, p.Sticky
		weights = percentages(p.Traffic)
		now, err := scrape(ctx, s.Router.Endpoint, s.Router.Token, s.Model)
		if err != nil {
			out.Problems = append(out.Problems, err.Error())
		}
		totals = Window(Scrape{}, now)
	} else {
		out.Problems = append(out.Problems, fmt.Sprintf("router %s is %s", s.Router.Container, out.Router.State))
	}
	for _, r := range s.Revisions {
		rs := RevisionStatus{Revision: r, Container: container(r.ContainerID, r.Container)}
		if r.Status == StatusServing || r.Status == StatusCandidate {
			rs.Weight = weights[r.Version]
			rs.Totals = totals[r.Version]
		}
		out.Traffic = append(out.Traffic, rs)
	}
	sort.Slice(out.Traffic, func(i, j int) bool { return out.Traffic[i].N > out.Traffic[j].N })
	return out, nil
}

// percentages turns weights into percent of the total.
func percentages(t []serve.TrafficSplit) map[string]float64 {
	var sum float64
	for _, x := range t {
		sum += x.Weight
	}
	out := map[string]float64{}
	for _, x := range t {
		if sum > 0 {
			out[x.Version] = 100 * x.Weight / sum
		}
	}
	return out
}
