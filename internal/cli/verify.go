package cli

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/load"
)

func newVerifyCmd(g *globals) *cobra.Command {
	var strict bool
	c := &cobra.Command{
		Use:   "verify BUNDLE",
		Short: "Check a bundle's digests and schema, and re-run its golden example on every flavor that loads here",
		Long: `Check a bundle: every file against its sha256, the manifest against its schema,
and the input example against the golden outputs recorded at pack time, on
every flavor whose runtime is present here, and the test cases a model file
carries itself (a PMML ModelVerification) within the tolerances it states.
A flavor whose runtime is missing
is reported as skipped; --strict makes that a failure.`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			b, err := bundle.Open(args[0])
			if err != nil {
				return err
			}
			defer b.Close()
			fmt.Fprintf(g.stdout, "digests: ok (%d files)\n", len(b.Manifest.Files))
			fmt.Fprintf(g.stdout, "manifest: ok (%s)\n", b.Manifest.Format)
			failed := false
			for _, f := range b.Manifest.Flavors {
				r := load.CheckGolden(c.Context(), b, f, g.loadOptions(f.Name))
				switch {
				case r.Err != nil:
					failed = true
					fmt.Fprintf(g.stdout, "golden %s: FAIL: %v\n", f.Name, r.Err)
				case r.Skipped != "":
					failed = failed || strict
					fmt.Fprintf(g.stdout, "golden %s: skipped: %s\n", f.Name, r.Skipped)
				case r.Passed():
					fmt.Fprintf(g.stdout, "golden %s: ok (%s)\n", f.Name, describe(r))
				default:
					failed = true
					tol := bundle.DefaultTolerance
					if ck := b.Manifest.Example.Check; ck != nil {
						tol = ck.Tolerance
					}
					fmt.Fprintf(g.stdout, "golden %s: FAIL:\n", f.Name)
					for _, line := range load.Failures(r.Comparisons, tol) {
						fmt.Fprintf(g.stdout, "  %s\n", line)
					}
				}
			}
			for _, f := range b.Manifest.Flavors {
				r := load.SelfCheck(c.Context(), b, f, g.loadOptions(f.Name))
				switch {
				case r.Skipped != "" || (!r.Supported && r.Err == nil) || (r.Records == 0 && r.Err == nil):
					// golden already said why a flavor cannot run; a file
					// without cases of its own has nothing to add.
				case r.Err != nil:
					failed = true
					fmt.Fprintf(g.stdout, "model verification %s: FAIL: %v\n", f.Name, r.Err)
				case r.Passed():
					fmt.Fprintf(g.stdout, "model verification %s: ok (%d records, %d values)\n", f.Name, r.Records, r.Values)
				default:
					failed = true
					fmt.Fprintf(g.stdout, "model verification %s: FAIL: %d of %d values differ:\n", f.Name, len(r.Mismatches), r.Values)
					for _, line := range r.Mismatches {
						fmt.Fprintf(g.stdout, "  %s\n", line)
					}
				}
			}
			if failed {
				return errCheckFailed
			}
			return nil
		},
	}
	c.Flags().BoolVar(&strict, "strict", false, "fail when a flavor cannot run here")
	return c
}

func describe(r load.GoldenResult) string {
	var worst float64
	for _, c := range r.Comparisons {
		worst = max(worst, c.MaxRel)
	}
	return fmt.Sprintf("%d outputs, max rel diff %.3g", len(r.Comparisons), worst)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
