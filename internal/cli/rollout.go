package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlctl/mlctl/pkg/deploy/docker"
	"github.com/mlctl/mlctl/pkg/deploy/rollout"
)

func newRolloutCmd(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "rollout",
		Short: "Watch and steer rollouts of a Docker deployment (status, promote, abort, undo, history)",
		Long: `A deployment made with 'mlctl deploy docker --strategy …' has a router
container holding its stable endpoint and a state file (in $MLCTL_STATE_DIR,
default ~/.config/mlctl/deployments/NAME.json). These commands read and change
it from any process, also while 'mlctl deploy' holds a canary. See docs/deploy.md.`,
	}
	c.AddCommand(newRolloutStatusCmd(g), newRolloutPromoteCmd(g), newRolloutAbortCmd(g),
		newRolloutUndoCmd(g), newRolloutHistoryCmd(g), newRolloutTokenCmd(g), newRolloutDestroyCmd(g))
	return c
}

// rolloutEnv is what every rollout subcommand needs.
type rolloutEnv struct {
	store *rollout.Store
	eng   *docker.Engine
}

func openRollout(ctx context.Context, needEngine bool) (*rolloutEnv, error) {
	store, err := rollout.DefaultStore()
	if err != nil {
		return nil, err
	}
	env := &rolloutEnv{store: store}
	if needEngine {
		if env.eng, err = docker.Connect(ctx); err != nil {
			return nil, err
		}
	}
	return env, nil
}

func (r *rolloutEnv) close() {
	if r.eng != nil {
		r.eng.Close()
	}
}

// withRollout validates the deployment name in args[0], opens its state
// (and the engine when needEngine), and runs fn.
func withRollout(ctx context.Context, args []string, needEngine bool, fn func(env *rolloutEnv, name string) error) error {
	name, err := nameArg(args)
	if err != nil {
		return err
	}
	env, err := openRollout(ctx, needEngine)
	if err != nil {
		return err
	}
	defer env.close()
	return fn(env, name)
}

// loadRollout reads the state of the deployment named in args[0].
func loadRollout(ctx context.Context, args []string) (*rollout.State, error) {
	var st *rollout.State
	err := withRollout(ctx, args, false, func(env *rolloutEnv, name string) error {
		var err error
		st, err = env.store.Load(name)
		return err
	})
	return st, err
}

func nameArg(args []string) (string, error) {
	if err := docker.ValidName(args[0]); err != nil {
		return "", flagError{err}
	}
	return args[0], nil
}

func newRolloutStatusCmd(g *globals) *cobra.Command {
	var output string
	var watch bool
	var interval time.Duration
	c := &cobra.Command{
		Use:   "status NAME",
		Short: "Show revisions, traffic weights, health, error rate and latency (live on a terminal)",
		Long: `On a terminal, a live view refreshed every --interval: p promotes the active
rollout, a aborts it, q quits. Otherwise (or with --watch=false, -o json) the
status is printed once.`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return flagError{fmt.Errorf("-o %q: expected text or json", output)}
			}
			return withRollout(c.Context(), args, true, func(env *rolloutEnv, name string) error {
				fetch := func(ctx context.Context) (*rollout.Status, error) {
					return rollout.GetStatus(ctx, env.eng, env.store, name)
				}
				if output == "text" && watch && isTerminal(g.stdout) && isTerminal(g.stdin) {
					return runStatusTUI(c.Context(), g, statusActions{
						fetch:   fetch,
						promote: func(ctx context.Context) error { return rollout.Promote(ctx, env.eng, env.store, name) },
						abort:   func(ctx context.Context) error { return rollout.Abort(ctx, env.eng, env.store, name) },
					}, interval)
				}
				st, err := fetch(c.Context())
				if err != nil {
					return err
				}
				if output == "json" {
					enc := json.NewEncoder(g.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(st)
				}
				writeStatus(g.stdout, st)
				return nil
			})
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	c.Flags().BoolVar(&watch, "watch", true, "on a terminal, refresh live (keys: p promote, a abort, q quit)")
	c.Flags().DurationVar(&interval, "interval", 2*time.Second, "refresh interval of the live view")
	return c
}

// writeStatus prints a status as a table; the TUI shows the same text.
func writeStatus(w io.Writer, st *rollout.Status) {
	fmt.Fprintf(w, "deployment %s: model %s at %s (router %s: %s)\n", st.Name, st.Model, st.Endpoint, st.Router.Name, health(st.Router))
	if r := st.Rollout; r != nil {
		line := fmt.Sprintf("rollout: %s %s, revision %d → %d, %s", r.Strategy, r.Phase, r.From, r.To, strconv.Itoa(r.Weight)+"% to the new revision")
		if r.From == 0 {
			line = fmt.Sprintf("rollout: %s %s, revision %d (first deploy)", r.Strategy, r.Phase, r.To)
		}
		if r.Strategy == rollout.Canary && len(r.Steps) > 0 {
			line += fmt.Sprintf(", step %d of %d %v", r.Step+1, len(r.Steps), r.Steps)
		}
		if r.Shadow {
			line += ", mirrored"
		}
		if r.Sticky != "" {
			line += ", sticky on " + r.Sticky
		}
		if r.Reason != "" {
			line += " (" + r.Reason + ")"
		}
		fmt.Fprintln(w, line)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REV\tVERSION\tSTATUS\tCONTAINER\tWEIGHT\tREQUESTS\tERRORS\tP95\tP99\tENDPOINT")
	for _, r := range st.Traffic {
		errRate, p95, p99 := "-", "-", "-"
		if r.Totals.Requests > 0 {
			errRate = fmt.Sprintf("%.2f%%", 100*r.Totals.ErrorRate)
			p95 = time.Duration(r.Totals.P95).Round(time.Microsecond).String()
			p99 = time.Duration(r.Totals.P99).Round(time.Microsecond).String()
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.0f%%\t%d\t%s\t%s\t%s\t%s\n", r.N, r.Version, r.Status, health(r.Container),
			r.Weight, r.Totals.Requests, errRate, p95, p99, r.Endpoint)
	}
	tw.Flush()
	if st.Shadow != "" {
		fmt.Fprintf(w, "shadow: version %s sees a copy of every request\n", st.Shadow)
	}
	for _, p := range st.Problems {
		fmt.Fprintln(w, "problem:", p)
	}
}

func health(c rollout.ContainerStatus) string {
	if c.Health != "" {
		return c.State + "/" + c.Health
	}
	return c.State
}

func newRolloutPromoteCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "promote NAME",
		Short: "Give the active rollout's new revision all traffic",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return rolloutAction(c, g, args, "promoted", rollout.Promote)
		},
	}
}

func newRolloutAbortCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "abort NAME",
		Short: "End the active rollout: the previous revision takes all traffic back",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return rolloutAction(c, g, args, "aborted", rollout.Abort)
		},
	}
}

func rolloutAction(c *cobra.Command, g *globals, args []string, done string,
	fn func(context.Context, *docker.Engine, *rollout.Store, string) error) error {
	return withRollout(c.Context(), args, true, func(env *rolloutEnv, name string) error {
		if err := fn(c.Context(), env.eng, env.store, name); err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "%s: rollout %s\n", name, done)
		return nil
	})
}

func newRolloutUndoCmd(g *globals) *cobra.Command {
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "undo NAME REVISION",
		Short: "Put an earlier revision back in service (its kept container, or its image run again)",
		Args:  exactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			n, err := strconv.Atoi(args[1])
			if err != nil || n < 1 {
				return flagError{fmt.Errorf("revision %q: expected a revision number (see 'mlctl rollout history %s')", args[1], args[0])}
			}
			return withRollout(c.Context(), args, true, func(env *rolloutEnv, name string) error {
				if err := rollout.Undo(c.Context(), env.eng, env.store, name, n, timeout); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "%s: revision %d serves\n", name, n)
				return nil
			})
		},
	}
	c.Flags().DurationVar(&timeout, "health-timeout", docker.DefaultHealthTimeout, "how long to wait for the revision to be healthy")
	return c
}

func newRolloutHistoryCmd(g *globals) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "history NAME",
		Short: "List a deployment's revisions and what happened to them",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			s, err := loadRollout(c.Context(), args)
			if err != nil {
				return err
			}
			switch output {
			case "json":
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Revisions []rollout.Revision `json:"revisions"`
					History   []rollout.Event    `json:"history"`
				}{s.Revisions, s.History})
			case "text":
			default:
				return flagError{fmt.Errorf("-o %q: expected text or json", output)}
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REV\tBUNDLE\tVERSION\tSTATUS\tCREATED\tIMAGE\tREASON")
			for _, r := range s.Revisions {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.N, r.Bundle, r.Version, r.Status, r.Created.Format(time.RFC3339), r.Image, r.Reason)
			}
			tw.Flush()
			fmt.Fprintln(g.stdout)
			for _, ev := range s.History {
				fmt.Fprintf(g.stdout, "%s  %s\n", ev.Time.Format(time.RFC3339), ev.Message)
			}
			return nil
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return c
}

func newRolloutTokenCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "token NAME",
		Short: "Print the bearer token of the deployment's router (every route but health and metrics needs it)",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			s, err := loadRollout(c.Context(), args)
			if err != nil {
				return err
			}
			fmt.Fprintln(g.stdout, s.Router.Token)
			return nil
		},
	}
}

func newRolloutDestroyCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "destroy NAME",
		Short: "Remove the deployment's router and revision containers and its state (images stay)",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return withRollout(c.Context(), args, true, func(env *rolloutEnv, name string) error {
				if err := rollout.Destroy(c.Context(), env.eng, env.store, name); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "%s: removed\n", name)
				return nil
			})
		},
	}
}
