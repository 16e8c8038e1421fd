package cli

import (
	"bytes"
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/mlctl/mlctl/pkg/deploy/rollout"
)

// statusActions is the I/O the status view may do; it holds no deploy
// logic of its own.
type statusActions struct {
	fetch          func(context.Context) (*rollout.Status, error)
	promote, abort func(context.Context) error
}

// statusModel is the live `mlctl rollout status` view.
type statusModel struct {
	ctx      context.Context
	act      statusActions
	interval time.Duration
	status   *rollout.Status
	err      error
	note     string
	busy     bool
}

type statusMsg struct {
	status *rollout.Status
	err    error
}

type actionDoneMsg struct {
	what string
	err  error
}

type refreshMsg struct{}

func newStatusModel(ctx context.Context, act statusActions, interval time.Duration) statusModel {
	if interval <= 0 {
		interval = 2 * time.Second
	}
	return statusModel{ctx: ctx, act: act, interval: interval}
}

func (m statusModel) fetch() tea.Cmd {
	return func() tea.Msg {
		st, err := m.act.fetch(m.ctx)
		return statusMsg{st, err}
	}
}

func (m statusModel) Init() tea.Cmd { return m.fetch() }

func (m statusModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case statusMsg:
		m.status, m.err = msg.status, msg.err
		if msg.status != nil {
			m.err = nil
		}
		return m, tea.Tick(m.interval, func(time.Time) tea.Msg { return refreshMsg{} })
	case refreshMsg:
		return m, m.fetch()
	case actionDoneMsg:
		m.busy = false
		if msg.err != nil {
			m.note = msg.what + " failed: " + msg.err.Error()
		} else {
			m.note = msg.what + " done"
		}
		return m, m.fetch()
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q", "ctrl+c", "esc":
			return m, tea.Quit
		case "p":
			return m.run("promote", m.act.promote)
		case "a":
			return m.run("abort", m.act.abort)
		}
	}
	return m, nil
}

// run starts an action unless one is running or there is nothing to act on.
func (m statusModel) run(what string, fn func(context.Context) error) (tea.Model, tea.Cmd) {
	if m.busy {
		return m, nil
	}
	if m.status == nil || m.status.Rollout == nil || !m.status.Rollout.Phase.Active() {
		m.note = "no active rollout to " + what
		return m, nil
	}
	m.busy, m.note = true, what+"…"
	ctx := m.ctx
	return m, func() tea.Msg { return actionDoneMsg{what, fn(ctx)} }
}

var (
	titleStyle = lipgloss.NewStyle().Bold(true)
	noteStyle  = lipgloss.NewStyle().Italic(true)
	errStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("9"))
	helpStyle  = lipgloss.NewStyle().Faint(true)
)

func (m statusModel) View() tea.View {
	var b bytes.Buffer
	b.WriteString(titleStyle.Render("mlctl rollout status") + "\n\n")
	switch {
	case m.status != nil:
		writeStatus(&b, m.status)
	case m.err == nil:
		b.WriteString("reading status…\n")
	}
	if m.err != nil {
		b.WriteString(errStyle.Render("error: "+m.err.Error()) + "\n")
	}
	if m.note != "" {
		b.WriteString("\n" + noteStyle.Render(m.note) + "\n")
	}
	b.WriteString("\n" + helpStyle.Render("p promote · a abort · q quit") + "\n")
	return tea.NewView(b.String())
}

func runStatusTUI(ctx context.Context, g *globals, act statusActions, interval time.Duration) error {
	p := tea.NewProgram(newStatusModel(ctx, act, interval), tea.WithContext(ctx), tea.WithInput(g.stdin), tea.WithOutput(g.stdout))
	if _, err := p.Run(); err != nil {
		return fmt.Errorf("status view: %w", err)
	}
	return nil
}
