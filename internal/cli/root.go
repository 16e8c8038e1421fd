package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/mlctl/mlctl/pkg/load"
)

// Version is set at build time with -ldflags "-X …/internal/cli.Version=v1.2.3".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// globals are the flags every command shares.
type globals struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	logLevel       string
	ortLib         string
	python         string
	device         string
	strictReqs     bool
}

func (g *globals) logger() *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(g.logLevel)); err != nil {
		lvl = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: lvl}))
}

func (g *globals) loadOptions(flavor string) load.Options {
	return load.Options{Flavor: flavor, Device: g.device, Python: g.python, ORTLibrary: g.ortLib, Logger: g.logger(), StrictRequirements: g.strictReqs}
}

// Main runs mlctl with args and returns the process exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g := &globals{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	return exitCode(err, stderr)
}

func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "mlctl",
		Short:         "Package, serve, deploy and monitor trained models",
		Long:          "mlctl packages trained models (ONNX, PMML, scikit-learn pickles, MLflow model directories)\ninto verified bundles and runs them.",
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.logLevel, "log-level", envDefault("MLCTL_LOG_LEVEL", "warn"), "log level: debug, info, warn, error")
	pf.StringVar(&g.ortLib, "ort-lib", envDefault("MLCTL_ORT_LIB", ""), "path to libonnxruntime.so")
	pf.StringVar(&g.python, "python", envDefault("MLCTL_PYTHON", ""), "Python interpreter for pickle models")
	pf.StringVar(&g.device, "device", envDefault("MLCTL_DEVICE", "cpu"), "execution device for ONNX models: cpu or cuda:N")
	pf.BoolVar(&g.strictReqs, "strict-requirements", false, "refuse a pickle whose interpreter or library versions differ from the bundle's requirements (default: warn)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return flagError{fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath())}
	})
	root.AddCommand(
		newPackCmd(g),
		newInspectCmd(g),
		newVerifyCmd(g),
		newPredictCmd(g),
		newServeCmd(g),
		newBatchCmd(g),
		newDeployCmd(g),
		newPushCmd(g),
		newRolloutCmd(g),
		newHealthcheckCmd(g),
		newDriftCmd(g),
		newVersionCmd(g),
	)
	root.SetHelpCommand(newHelpCmd(root))
	return root
}

// newHelpCmd adds `mlctl help environment` beside help for commands.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command | environment]",
		Short: "Help about any command, or the environment variables mlctl reads",
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 && args[0] == "environment" {
				printEnvironment(c.OutOrStdout())
				return nil
			}
			target, _, err := root.Find(args)
			if err != nil || target == nil {
				return flagError{fmt.Errorf("unknown help topic %q", strings.Join(args, " "))}
			}
			return target.Help()
		},
	}
}

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print mlctl's version",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			fmt.Fprintln(g.stdout, "mlctl", version())
			return nil
		},
	}
}

// exactArgs is cobra.ExactArgs whose error shows usage.
func exactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(c, args); err != nil {
			return flagError{fmt.Errorf("%w\nUsage: %s", err, c.UseLine())}
		}
		return nil
	}
}
