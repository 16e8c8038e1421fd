package cli

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"
)

// envVar is one MLCTL_* setting. Every variable mlctl reads is declared
// here, so `mlctl help environment` is complete by construction. A flag
// wins over its variable.
type envVar struct {
	Name, Flag, Help string
}

var envVars = []envVar{
	{"MLCTL_ORT_LIB", "--ort-lib", "path to the ONNX Runtime shared library (libonnxruntime.so)"},
	{"MLCTL_PYTHON", "--python", "Python interpreter for the pickle sidecar (default /usr/bin/python3)"},
	{"MLCTL_DEVICE", "--device", "execution device for ONNX models: cpu or cuda:N"},
	{"MLCTL_LOG_LEVEL", "--log-level", "log level: debug, info, warn or error"},
	{"MLCTL_HTTP_ADDR", "serve --port", "HTTP listen address of mlctl serve (default 127.0.0.1:8080)"},
	{"MLCTL_GRPC_ADDR", "serve --grpc-port", "gRPC listen address of mlctl serve (default 127.0.0.1:8081)"},
	{"MLCTL_BATCH_ROWS", "batch --batch-rows", "rows per model call in mlctl batch (default 8192)"},
	{"MLCTL_BATCH_WORKERS", "batch --workers", "concurrent model calls in mlctl batch (default: the number of CPUs)"},
	{"MLCTL_SHARD", "batch --shard", "the shard i/N mlctl batch scores"},
	{"MLCTL_S3_ENDPOINT", "batch --s3-endpoint", "base URL of an S3-compatible store (MinIO, versitygw, …) for s3:// locations; default AWS S3"},
	{"MLCTL_DRIFT_SHARE", "drift --drift-share", "share of drifted columns from which mlctl drift reports dataset drift (default 0.5)"},
	{"MLCTL_SHARD_COUNT", "", "with JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), the number of shards"},
	{"MLCTL_STATE_DIR", "", "where deploy keeps each deployment's rollout state (default ~/.config/mlctl/deployments)"},
}

// envDefault returns the variable's value, or def when it is unset.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func printEnvironment(w io.Writer) {
	fmt.Fprintln(w, "Environment variables (a flag given on the command line wins):")
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, v := range envVars {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Name, v.Flag, v.Help)
	}
	tw.Flush()
}
