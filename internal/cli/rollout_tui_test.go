package cli

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/deploy/rollout"
)

func canaryStatus(phase rollout.Phase) *rollout.Status {
	return &rollout.Status{
		Name: "iris", Model: "iris", Endpoint: "http://127.0.0.1:8080",
		Router:  rollout.ContainerStatus{Name: "iris-router", State: "running", Health: "healthy"},
		Rollout: &rollout.Progress{Strategy: rollout.Canary, Phase: phase, From: 1, To: 2, Steps: []int{10, 50, 100}, Step: 1, Weight: 50},
		Traffic: []rollout.RevisionStatus{
			{Revision: rollout.Revision{N: 2, Version: "2", Status: rollout.StatusCandidate, Endpoint: "http://127.0.0.1:9002"},
				Container: rollout.ContainerStatus{State: "running", Health: "healthy"}, Weight: 50,
				Totals: rollout.Stats{Requests: 200, Errors: 2, ErrorRate: 0.01}},
			{Revision: rollout.Revision{N: 1, Version: "1", Status: rollout.StatusServing, Endpoint: "http://127.0.0.1:9001"},
				Container: rollout.ContainerStatus{State: "running", Health: "healthy"}, Weight: 50,
				Totals: rollout.Stats{Requests: 800}},
		},
	}
}

// fakeRollout counts actions; the model's I/O is only these functions.
type fakeRollout struct {
	status            *rollout.Status
	promoted, aborted int
	fail              error
}

func (f *fakeRollout) actions() statusActions {
	return statusActions{
		fetch:   func(context.Context) (*rollout.Status, error) { return f.status, nil },
		promote: func(context.Context) error { f.promoted++; return f.fail },
		abort:   func(context.Context) error { f.aborted++; return f.fail },
	}
}

func key(s string) tea.KeyPressMsg {
	if s == "ctrl+c" {
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{Code: rune(s[0]), Text: s}
}

// step feeds msg to the model and runs the command it returns once.
func step(t *testing.T, m tea.Model, msg tea.Msg) (tea.Model, tea.Msg) {
	t.Helper()
	m, cmd := m.Update(msg)
	if cmd == nil {
		return m, nil
	}
	return m, cmd()
}

func TestStatusModelShowsAndActs(t *testing.T) {
	f := &fakeRollout{status: canaryStatus(rollout.Progressing)}
	var m tea.Model = newStatusModel(context.Background(), f.actions(), 0)
	assert.Contains(t, m.View().Content, "reading status")

	msg := m.Init()()
	require.IsType(t, statusMsg{}, msg)
	m, cmd := m.Update(msg)
	require.NotNil(t, cmd, "a refresh is scheduled")
	view := m.View().Content
	for _, want := range []string{"canary progressing, revision 1 → 2", "step 2 of 3", "iris-router", "candidate", "1.00%", "p promote · a abort · q quit"} {
		assert.Contains(t, view, want)
	}

	// The refresh message fetches again.
	_, next := step(t, m, refreshMsg{})
	require.IsType(t, statusMsg{}, next)

	// p promotes once, even when pressed twice while it runs.
	m, done := step(t, m, key("p"))
	assert.Contains(t, m.View().Content, "promote…")
	m2, cmd := m.Update(key("p"))
	assert.Nil(t, cmd, "no second promote while one runs")
	require.IsType(t, actionDoneMsg{}, done)
	assert.Equal(t, 1, f.promoted)
	m, _ = m2.Update(done)
	assert.Contains(t, m.View().Content, "promote done")

	// a aborts; a failure is shown.
	f.fail = errors.New("router request failed")
	m, done = step(t, m, key("a"))
	m, _ = m.Update(done)
	assert.Equal(t, 1, f.aborted)
	assert.Contains(t, m.View().Content, "abort failed: router request failed")
}

func TestStatusModelWithoutActiveRollout(t *testing.T) {
	f := &fakeRollout{status: canaryStatus(rollout.Complete)}
	var m tea.Model = newStatusModel(context.Background(), f.actions(), 0)
	m, _ = m.Update(m.Init()())
	for _, k := range []string{"p", "a"} {
		var cmd tea.Cmd
		m, cmd = m.Update(key(k))
		assert.Nil(t, cmd)
	}
	assert.Zero(t, f.promoted+f.aborted)
	assert.Contains(t, m.View().Content, "no active rollout")
}

func TestStatusModelQuits(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		m := newStatusModel(context.Background(), (&fakeRollout{}).actions(), 0)
		_, cmd := m.Update(key(k))
		require.NotNil(t, cmd, k)
		assert.IsType(t, tea.QuitMsg{}, cmd(), k)
	}
}

func TestStatusModelFetchError(t *testing.T) {
	m := newStatusModel(context.Background(), statusActions{
		fetch: func(context.Context) (*rollout.Status, error) { return nil, errors.New("no such deployment") },
	}, 0)
	next, _ := m.Update(m.Init()())
	assert.True(t, strings.Contains(next.View().Content, "error: no such deployment"))
}
