package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/mlctl/mlctl/pkg/deploy/image"
)

// Labels on every container mlctl runs.
const (
	LabelDeployment  = "io.mlctl.deployment"
	LabelRevision    = "io.mlctl.revision"
	LabelBundleUUID  = "io.mlctl.bundle.uuid"
	LabelImageDigest = "io.mlctl.image.digest"
	LabelImageID     = "io.mlctl.image.id"
	LabelHTTPPort    = "io.mlctl.port.http"
	LabelEndpoint    = "io.mlctl.endpoint"
)

// containerName is what a container name may hold (the engine's rule).
var containerName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// ValidName checks a deployment name: it becomes part of container names.
func ValidName(name string) error {
	if len(name) > 64 || !containerName.MatchString(name) {
		return fmt.Errorf("%w %q: use letters, digits, '_', '.', '-' (at most 64, starting with a letter or digit)", ErrInvalidName, name)
	}
	return nil
}

// RunOptions describe one container running `mlctl serve` on an image
// built by pkg/deploy/image.
type RunOptions struct {
	// Name is the container's name.
	Name  string
	Image string // image ID or tag
	// ListenHost is the address the server binds on the host network
	// (default 127.0.0.1; 0.0.0.0 serves other machines too).
	ListenHost string
	// HTTPPort is required; GRPCPort 0 turns gRPC off.
	HTTPPort, GRPCPort int
	// Env is extra KEY=VALUE environment.
	Env []string
	// MemoryBytes and NanoCPUs limit the container; 0 means no limit.
	MemoryBytes int64
	NanoCPUs    int64
	// Restart is the restart policy: no, always, on-failure, unless-stopped.
	Restart string
	Labels  map[string]string
	// Files are written into the container before it starts (a generated
	// config, say), so that one image serves many configurations.
	Files []File
}

// File is one file copied into a container; Path is absolute and its
// directory must exist in the image.
type File struct {
	Path string
	Data []byte
	Mode int64
}

// Container is a container mlctl runs.
type Container struct {
	ID, Name string
	// Endpoint is the server's base URL, e.g. http://127.0.0.1:8080.
	Endpoint string
	Labels   map[string]string
	State    string // created, running, exited, …
	Health   string // starting, healthy, unhealthy, or "" without a check
}

// Revision is the io.mlctl.revision label as a number (0 when absent).
func (c Container) Revision() int {
	n, _ := strconv.Atoi(c.Labels[LabelRevision])
	return n
}

// Run creates and starts a container on the host network. A container that
// cannot start is removed: nothing is left half-running.
func (e *Engine) Run(ctx context.Context, o RunOptions) (*Container, error) {
	if err := ValidName(o.Name); err != nil {
		return nil, err
	}
	if o.HTTPPort <= 0 || o.HTTPPort > 65535 {
		return nil, fmt.Errorf("container %s: HTTP port %d out of range", o.Name, o.HTTPPort)
	}
	host := o.ListenHost
	if host == "" {
		host = "127.0.0.1"
	}
	ports := []int{o.HTTPPort}
	if o.GRPCPort > 0 {
		ports = append(ports, o.GRPCPort)
	}
	for _, p := range ports {
		if err := portFree(host, p); err != nil {
			return nil, err
		}
	}
	restart := container.RestartPolicy{Name: container.RestartPolicyMode(o.Restart)}
	if o.Restart == "" {
		restart.Name = container.RestartPolicyDisabled
	}
	if err := container.ValidateRestartPolicy(restart); err != nil {
		return nil, fmt.Errorf("container %s: restart policy %q: %w", o.Name, o.Restart, err)
	}
	grpc := ""
	if o.GRPCPort > 0 {
		grpc = net.JoinHostPort(host, strconv.Itoa(o.GRPCPort))
	}
	httpAddr := net.JoinHostPort(host, strconv.Itoa(o.HTTPPort))
	endpoint := "http://" + endpointHost(host, o.HTTPPort)
	labels := map[string]string{LabelHTTPPort: strconv.Itoa(o.HTTPPort), LabelEndpoint: endpoint}
	for k, v := range o.Labels {
		labels[k] = v
	}
	cfg := &container.Config{
		Image:  o.Image,
		Cmd:    []string{"--port", httpAddr, "--grpc-port", grpc},
		Env:    o.Env,
		Labels: labels,
		Healthcheck: &container.HealthConfig{
			Test:        image.HealthcheckCmd(o.HTTPPort),
			Interval:    time.Second,
			Timeout:     3 * time.Second,
			StartPeriod: 60 * time.Second,
			Retries:     3,
		},
	}
	hc := &container.HostConfig{
		NetworkMode:   "host",
		RestartPolicy: restart,
		Resources:     container.Resources{Memory: o.MemoryBytes, NanoCPUs: o.NanoCPUs},
	}
	created, err := e.cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: o.Name, Config: cfg, HostConfig: hc})
	if err != nil {
		return nil, fmt.Errorf("creating container %s: %w", o.Name, err)
	}
	if len(o.Files) > 0 {
		if err := e.copyFiles(ctx, created.ID, o.Files); err != nil {
			e.remove(created.ID)
			return nil, fmt.Errorf("container %s: %w", o.Name, err)
		}
	}
	if _, err := e.cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		e.remove(created.ID)
		return nil, fmt.Errorf("starting container %s: %w", o.Name, err)
	}
	return &Container{ID: created.ID, Name: o.Name, Endpoint: endpoint, Labels: labels, State: "running"}, nil
}

// endpointHost is where this machine reaches a server bound to host.
func endpointHost(host string, port int) string {
	if host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// PortFree checks that port can be bound on host; the error wraps
// ErrPortInUse and names the port.
func PortFree(host string, port int) error {
	if host == "" {
		host = "127.0.0.1"
	}
	return portFree(host, port)
}

func portFree(host string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("%w: %s:%d is taken on this host (%v): choose another with --port", ErrPortInUse, host, port, err)
	}
	return l.Close()
}

// FreePort asks the kernel for a free TCP port on host.
func FreePort(host string) (int, error) {
	if host == "" {
		host = "127.0.0.1"
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// WaitHealthy polls until the engine reports the container healthy and its
// ready endpoint answers 200, the container exits, or timeout passes. On
// failure the error carries the end of the container's log.
func (e *Engine) WaitHealthy(ctx context.Context, c *Container, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	httpc := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	last := "not inspected"
	for {
		st, err := e.cli.ContainerInspect(ctx, c.ID, client.ContainerInspectOptions{})
		switch {
		case err == nil:
			s := st.Container.State
			c.State = string(s.Status)
			if s.Health != nil {
				c.Health = string(s.Health.Status)
			}
			if !s.Running && !s.Restarting {
				return fmt.Errorf("%w: container %s %s (exit code %d, OOM killed %v)%s", ErrUnhealthy, c.Name, s.Status, s.ExitCode, s.OOMKilled, e.logTail(c.ID))
			}
			last = "state " + string(s.Status) + ", health " + c.Health
			if c.Health == string(container.Healthy) && ready(ctx, httpc, c.Endpoint) {
				return nil
			}
		case ctx.Err() == nil:
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("%w: container %s not healthy within %v (%s)%s", ErrUnhealthy, c.Name, timeout, last, e.logTail(c.ID))
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func ready(ctx context.Context, httpc *http.Client, endpoint string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/v2/health/ready", nil)
	if err != nil {
		return false
	}
	resp, err := httpc.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// logTail is the last lines of a container's output, for error messages.
func (e *Engine) logTail(id string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rc, err := e.cli.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Tail: "20"})
	if err != nil {
		return ""
	}
	defer rc.Close()
	raw, _ := io.ReadAll(io.LimitReader(rc, 64<<10))
	out := strings.TrimSpace(demux(raw))
	if out == "" {
		return ""
	}
	return "\ncontainer log (last lines):\n" + out
}

// demux strips the engine's 8-byte stream headers from a non-TTY log.
func demux(raw []byte) string {
	var b strings.Builder
	for len(raw) >= 8 && raw[0] <= 2 && raw[1] == 0 && raw[2] == 0 && raw[3] == 0 {
		n := int(raw[4])<<24 | int(raw[5])<<16 | int(raw[6])<<8 | int(raw[7])
		raw = raw[8:]
		if n > len(raw) {
			n = len(raw)
		}
		b.Write(raw[:n])
		raw = raw[n:]
	}
	b.Write(raw)
	return b.String()
}

// Stop stops a container gracefully (SIGTERM, then SIGKILL after grace).
func (e *Engine) Stop(ctx context.Context, id string, grace time.Duration) error {
	secs := int(grace / time.Second)
	_, err := e.cli.ContainerStop(ctx, id, client.ContainerStopOptions{Timeout: &secs})
	if err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("stopping container %s: %w", id, err)
	}
	return nil
}

// Start starts a stopped container again.
func (e *Engine) Start(ctx context.Context, id string) error {
	if _, err := e.cli.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("starting container %s: %w", id, err)
	}
	return nil
}

// Remove force-removes a container; a container already gone is not an error.
func (e *Engine) Remove(ctx context.Context, id string) error {
	_, err := e.cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true})
	if err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("removing container %s: %w", id, err)
	}
	return nil
}

// remove is Remove for cleanup paths, where the caller's context may be done.
func (e *Engine) remove(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = e.Remove(ctx, id)
}

// Revisions lists the containers of a deployment, running or not, oldest
// revision first.
func (e *Engine) Revisions(ctx context.Context, deployment string) ([]Container, error) {
	return e.Labeled(ctx, LabelDeployment, deployment)
}

// Labeled lists the containers whose label key is value, running or not,
// lowest revision first.
func (e *Engine) Labeled(ctx context.Context, key, value string) ([]Container, error) {
	res, err := e.cli.ContainerList(ctx, client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", key+"="+value),
	})
	if err != nil {
		return nil, fmt.Errorf("listing containers labeled %s=%s: %w", key, value, err)
	}
	out := make([]Container, 0, len(res.Items))
	for _, s := range res.Items {
		c := Container{ID: s.ID, Labels: s.Labels, State: string(s.State)}
		if len(s.Names) > 0 {
			c.Name = strings.TrimPrefix(s.Names[0], "/")
		}
		if s.Health != nil {
			c.Health = string(s.Health.Status)
		}
		c.Endpoint = s.Labels[LabelEndpoint]
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Revision() < out[j].Revision() })
	return out, nil
}

// Inspect reads a container's state and labels; ok is false when the
// container does not exist.
func (e *Engine) Inspect(ctx context.Context, id string) (c Container, ok bool, err error) {
	st, err := e.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if cerrdefs.IsNotFound(err) {
		return Container{}, false, nil
	}
	if err != nil {
		return Container{}, false, fmt.Errorf("inspecting container %s: %w", id, err)
	}
	ic := st.Container
	c = Container{ID: ic.ID, Name: strings.TrimPrefix(ic.Name, "/")}
	if ic.Config != nil {
		c.Labels = ic.Config.Labels
		c.Endpoint = ic.Config.Labels[LabelEndpoint]
	}
	if ic.State != nil {
		c.State = string(ic.State.Status)
		if ic.State.Health != nil {
			c.Health = string(ic.State.Health.Status)
		}
	}
	return c, true, nil
}

// copyFiles writes files into a created container as one tar stream.
func (e *Engine) copyFiles(ctx context.Context, id string, files []File) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		mode := f.Mode
		if mode == 0 {
			mode = 0o444
		}
		hdr := &tar.Header{Name: strings.TrimPrefix(f.Path, "/"), Mode: mode, Size: int64(len(f.Data)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if _, err := e.cli.CopyToContainer(ctx, id, client.CopyToContainerOptions{DestinationPath: "/", Content: &buf}); err != nil {
		return fmt.Errorf("copying files into the container: %w", err)
	}
	return nil
}
