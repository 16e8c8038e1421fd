package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/flavors"
)

func newInspectCmd(g *globals) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "inspect BUNDLE",
		Short: "Show a bundle's manifest: flavors, signature, example, provenance",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			b, err := bundle.Open(args[0])
			if err != nil {
				return err
			}
			defer b.Close()
			switch output {
			case "", "table":
				printManifest(g.stdout, &b.Manifest)
				return nil
			case "json":
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(b.Manifest)
			case "yaml":
				return yaml.NewEncoder(g.stdout).Encode(b.Manifest)
			}
			return flagError{fmt.Errorf("--output %q: expected table, json or yaml", output)}
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "table", "output format: table, json or yaml")
	return c
}

func printManifest(w io.Writer, m *bundle.Manifest) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Name:\t%s\n", m.Name)
	fmt.Fprintf(tw, "Version:\t%s\n", m.Version)
	fmt.Fprintf(tw, "UUID:\t%s\n", m.UUID)
	if len(m.Tags) > 0 {
		fmt.Fprintf(tw, "Tags:\t%s\n", strings.Join(m.Tags, ", "))
	}
	if m.Task != "" {
		fmt.Fprintf(tw, "Task:\t%s\n", m.Task)
	}
	if len(m.Classes) > 0 {
		fmt.Fprintf(tw, "Classes:\t%s\n", strings.Join(m.Classes, ", "))
	}
	fmt.Fprintf(tw, "Created:\t%s by mlctl %s\n", m.Provenance.Created.Format("2006-01-02 15:04:05 MST"), m.Provenance.MlctlVersion)
	if m.Provenance.GitCommit != "" {
		fmt.Fprintf(tw, "Git commit:\t%s\n", m.Provenance.GitCommit)
	}
	if m.Provenance.ImportedFrom != "" {
		fmt.Fprintf(tw, "Imported from:\t%s\n", m.Provenance.ImportedFrom)
	}
	tw.Flush()

	fmt.Fprintln(w, "\nFlavors:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tFILE\tSIZE\tSHA256")
	for _, f := range m.Flavors {
		file, _ := m.File(f.Path)
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\n", f.Name, f.Path, file.Size, short(file.SHA256))
	}
	tw.Flush()

	printSpecs(w, "Inputs", m.Signature.Inputs)
	printSpecs(w, "Outputs", m.Signature.Outputs)

	if ex := m.Example; ex != nil {
		fmt.Fprintf(w, "\nInput example: %s (%d rows)\n", ex.Path, ex.Rows)
		if ck := ex.Check; ck != nil && len(ck.Results) > 0 {
			fmt.Fprintf(w, "Cross-flavor check against %s (rel %g, abs %g): %s\n", ck.Reference, ck.Tolerance.Rel, ck.Tolerance.Abs, passWord(ck.Passed))
			tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "  FLAVOR\tOUTPUT\tMAX ABS DIFF\tMAX REL DIFF\tMISMATCHES")
			for _, r := range ck.Results {
				fmt.Fprintf(tw, "  %s\t%s\t%.3g\t%.3g\t%d\n", r.Flavor, r.Output, r.MaxAbs, r.MaxRel, r.Mismatches)
			}
			tw.Flush()
		}
	}
	if len(m.Requirements) > 0 {
		fmt.Fprintln(w, "\nRequirements:")
		for _, k := range sortedKeys(m.Requirements) {
			fmt.Fprintf(w, "  %s %s\n", k, m.Requirements[k])
		}
	}
}

func printSpecs(w io.Writer, title string, specs []flavors.Spec) {
	if len(specs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tDTYPE\tSHAPE\tNULLABLE")
	for _, sp := range specs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%v\n", sp.Name, sp.DType, flavors.FormatShape(sp.Shape), sp.Nullable)
	}
	tw.Flush()
}

func short(digest string) string {
	if len(digest) > 12 {
		return digest[:12]
	}
	return digest
}

func passWord(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}
