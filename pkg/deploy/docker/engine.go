package docker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/moby/moby/client"
)

var (
	// ErrNoEngine means no Docker engine answered.
	ErrNoEngine = errors.New("no Docker engine")
	// ErrPortInUse means a port the container needs is taken on the host.
	ErrPortInUse = errors.New("port in use")
	// ErrUnhealthy means the container did not become healthy in time, or
	// exited.
	ErrUnhealthy = errors.New("container not healthy")
	// ErrGoldenMismatch means the deployed revision answered the bundle's
	// input example differently from the golden outputs.
	ErrGoldenMismatch = errors.New("golden example check failed")
	// ErrInvalidName means a deployment name a container name cannot hold.
	ErrInvalidName = errors.New("invalid deployment name")
)

// howToStartEngine is appended to ErrNoEngine.
const howToStartEngine = "start one (e.g. `sudo systemctl start docker`, or on a machine without systemd " +
	"`sudo dockerd --iptables=false --bridge=none &`; scripts/testenv/docker.sh does this) " +
	"or point DOCKER_HOST at a running engine"

const pingTimeout = 5 * time.Second

// Engine is a connection to one Docker engine.
type Engine struct {
	cli *client.Client
}

// Connect reaches the engine DOCKER_HOST names (default the local socket)
// and checks that it answers.
func Connect(ctx context.Context) (*Engine, error) {
	return ConnectHost(ctx, "")
}

// ConnectHost reaches the engine at host (e.g. unix:///var/run/docker.sock);
// "" means DOCKER_HOST or the default socket.
func ConnectHost(ctx context.Context, host string) (*Engine, error) {
	opts := []client.Opt{client.FromEnv}
	if host != "" {
		opts = append(opts, client.WithHost(host))
	}
	cli, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v; %s", ErrNoEngine, err, howToStartEngine)
	}
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if _, err := cli.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		cli.Close()
		return nil, fmt.Errorf("%w at %s: %v; %s", ErrNoEngine, cli.DaemonHost(), err, howToStartEngine)
	}
	return &Engine{cli: cli}, nil
}

// Client is the underlying moby client, for what Engine does not cover.
func (e *Engine) Client() *client.Client { return e.cli }

// Close releases the connection.
func (e *Engine) Close() error { return e.cli.Close() }
