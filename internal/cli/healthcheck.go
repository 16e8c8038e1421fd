package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// healthcheckURL is what `mlctl healthcheck` asks when no --url is given:
// the ready endpoint of a server on MLCTL_HTTP_ADDR (or its default).
func healthcheckURL() string {
	addr := hostPort(envDefault("MLCTL_HTTP_ADDR", "127.0.0.1:8080"))
	if host, port, ok := cutHostPort(addr); ok && (host == "0.0.0.0" || host == "" || host == "::" || host == "[::]") {
		addr = "127.0.0.1:" + port
	}
	return "http://" + addr + "/v2/health/ready"
}

func cutHostPort(addr string) (host, port string, ok bool) {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[:i], addr[i+1:], true
		}
	}
	return "", "", false
}

// newHealthcheckCmd is the container health check: images have no shell or
// curl, so the server binary checks itself (exec-form HEALTHCHECK).
func newHealthcheckCmd(g *globals) *cobra.Command {
	var url string
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "healthcheck [--url URL]",
		Short: "Exit 0 when a server answers its ready endpoint with 200, 1 otherwise (for container health checks)",
		Args:  cobra.NoArgs,
		Example: `  mlctl healthcheck --url http://127.0.0.1:8080/v2/health/ready
  HEALTHCHECK CMD ["/usr/local/bin/mlctl", "healthcheck"]`,
		RunE: func(c *cobra.Command, _ []string) error {
			if timeout <= 0 || timeout > time.Minute {
				return flagError{fmt.Errorf("--timeout %v: expected more than 0 and at most 1m", timeout)}
			}
			return checkReady(c.Context(), url, timeout)
		},
	}
	c.Flags().StringVar(&url, "url", healthcheckURL(), "URL that answers 200 when the server is ready (default: /v2/health/ready on MLCTL_HTTP_ADDR)")
	c.Flags().DurationVar(&timeout, "timeout", 3*time.Second, "give up after this long")
	return c
}

// checkReady returns nil when url answers 200 within timeout; any other
// outcome is an error, which exits 1.
func checkReady(ctx context.Context, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return flagError{fmt.Errorf("--url %q: %w", url, err)}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not ready: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: %s answered %s", url, resp.Status)
	}
	return nil
}
