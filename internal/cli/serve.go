package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlctl/mlctl/pkg/serve"
	"github.com/mlctl/mlctl/pkg/serve/daemon"
)

type serveOptions struct {
	configFile   string
	httpAddr     string
	grpcAddr     string
	settings     serve.ModelSettings
	queueDelay   time.Duration
	predLogDir   string
	sampleRate   float64
	watch        string
	tokenEnv     string
	tlsCert      string
	tlsKey       string
	maxBody      int64
	timeout      time.Duration
	drainTimeout time.Duration
}

func newServeCmd(g *globals) *cobra.Command {
	o := &serveOptions{}
	c := &cobra.Command{
		Use:   "serve [BUNDLE...] [--config serve.yaml]",
		Short: "Serve bundles over the MLflow scoring protocol and the Open Inference Protocol (REST and gRPC)",
		Long: `Serve one or more bundles with adaptive batching.

HTTP: MLflow's /invocations, /ping, /health, /version; Open Inference Protocol v2
under /v2 (with the binary tensor and model repository extensions); /metrics.
gRPC: inference.GRPCInferenceService on --grpc-port.

Bundles given as arguments are served under their manifest names; a config file
adds several versions per name with canary, shadow and sticky A/B traffic
(docs/serve.md). SIGTERM drains in-flight requests and exits 0.`,
		Example: `  mlctl serve iris.mlb --port 8080
  mlctl serve --config serve.yaml
  mlctl serve --watch ./bundles --prediction-log ./predictions`,
		RunE: func(c *cobra.Command, args []string) error {
			cfg, err := o.config(c, args)
			if err != nil {
				return err
			}
			return daemon.Run(c.Context(), daemon.Options{
				Config: *cfg, HTTPAddr: o.httpAddr, GRPCAddr: o.grpcAddr, Load: g.loadOptions(""),
				Version: version(), Logger: g.logger(), DrainTimeout: o.drainTimeout,
				Listening: func(h, gr string) {
					fmt.Fprintf(g.stderr, "mlctl serve: http on %s", h)
					if gr != "" {
						fmt.Fprintf(g.stderr, ", grpc on %s", gr)
					}
					fmt.Fprintln(g.stderr)
				},
			})
		},
	}
	f := c.Flags()
	f.StringVar(&o.configFile, "config", "", "serve config file (YAML); flags override its defaults")
	f.StringVar(&o.httpAddr, "port", envDefault("MLCTL_HTTP_ADDR", "127.0.0.1:8080"), "HTTP listen address (host:port, or a port)")
	f.StringVar(&o.grpcAddr, "grpc-port", envDefault("MLCTL_GRPC_ADDR", "127.0.0.1:8081"), `gRPC listen address; "" turns gRPC off`)
	f.StringVar(&o.settings.Flavor, "flavor", "", "flavor to serve: onnx, pmml or pickle (default: the first that loads)")
	f.IntVar(&o.settings.Instances, "instances", 1, "model instances per bundle (parallel sessions or sidecars)")
	f.IntVar(&o.settings.MaxBatchRows, "max-batch-rows", 64, "largest batch sent to an instance, in rows")
	f.DurationVar(&o.queueDelay, "max-queue-delay", 0, "longest a request waits for more rows while an instance is free (0: dispatch at once)")
	f.IntVar(&o.settings.MaxQueueRows, "max-queue-rows", 0, "rows that may wait per model before requests get 503 (default 16 × max-batch-rows)")
	f.StringVar(&o.predLogDir, "prediction-log", "", "directory for the prediction log (JSON lines, rotated)")
	f.Float64Var(&o.sampleRate, "sample-rate", 1, "share of requests written to the prediction log")
	f.StringVar(&o.watch, "watch", "", "directory of bundles to serve and reload when they change")
	f.StringVar(&o.tokenEnv, "token-env", "", "environment variable holding the bearer token clients must send")
	f.StringVar(&o.tlsCert, "tls-cert", "", "TLS certificate file (PEM)")
	f.StringVar(&o.tlsKey, "tls-key", "", "TLS key file (PEM)")
	f.Int64Var(&o.maxBody, "max-body-bytes", 32<<20, "largest request body accepted")
	f.DurationVar(&o.timeout, "request-timeout", time.Minute, "end-to-end limit per request (504 past it)")
	f.DurationVar(&o.drainTimeout, "drain-timeout", 30*time.Second, "how long shutdown waits for in-flight requests")
	return c
}

// config merges the config file, positional bundles and flags; a flag the
// user set wins over the file.
func (o *serveOptions) config(c *cobra.Command, args []string) (*serve.Config, error) {
	cfg := &serve.Config{}
	if o.configFile != "" {
		var err error
		if cfg, err = serve.ReadConfig(o.configFile); err != nil {
			return nil, err
		}
	}
	set := func(name string) bool { return c.Flags().Changed(name) || o.configFile == "" }
	o.settings.MaxQueueDelay = serve.Duration(o.queueDelay)
	d := &cfg.Defaults
	if set("flavor") && o.settings.Flavor != "" {
		d.Flavor = o.settings.Flavor
	}
	if set("instances") {
		d.Instances = o.settings.Instances
	}
	if set("max-batch-rows") {
		d.MaxBatchRows = o.settings.MaxBatchRows
	}
	if set("max-queue-delay") {
		d.MaxQueueDelay = o.settings.MaxQueueDelay
	}
	if set("max-queue-rows") && o.settings.MaxQueueRows > 0 {
		d.MaxQueueRows = o.settings.MaxQueueRows
	}
	for _, b := range args {
		cfg.Models = append(cfg.Models, serve.ModelConfig{Bundles: []string{b}})
	}
	if o.watch != "" {
		cfg.Watch = o.watch
	}
	if o.predLogDir != "" {
		cfg.PredictionLog = &serve.PredLogConfig{Dir: o.predLogDir, SampleRate: o.sampleRate}
	}
	if o.tokenEnv != "" {
		cfg.Auth.TokenEnv = o.tokenEnv
	}
	if o.tlsCert != "" || o.tlsKey != "" {
		cfg.TLS = serve.TLSConfig{Cert: o.tlsCert, Key: o.tlsKey}
	}
	if set("max-body-bytes") || cfg.Limits.MaxBodyBytes == 0 {
		cfg.Limits.MaxBodyBytes = o.maxBody
	}
	if set("request-timeout") || cfg.Limits.RequestTimeout == 0 {
		cfg.Limits.RequestTimeout = serve.Duration(o.timeout)
	}
	if len(cfg.Models) == 0 && cfg.Watch == "" {
		return nil, flagError{fmt.Errorf("nothing to serve: give bundles, --config or --watch")}
	}
	o.httpAddr = hostPort(o.httpAddr)
	if o.grpcAddr != "" {
		o.grpcAddr = hostPort(o.grpcAddr)
	}
	return cfg, nil
}

// hostPort lets "8080" mean "127.0.0.1:8080".
func hostPort(s string) string {
	for _, r := range s {
		if r < '0' || r > '9' {
			return s
		}
	}
	return "127.0.0.1:" + s
}
