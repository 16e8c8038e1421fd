package daemon

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/mlctl/mlctl/pkg/serve"
	"github.com/mlctl/mlctl/pkg/serve/remote"
)

// remoteWait bounds how long a router waits, at start, for a remote version
// to answer its metadata (a container starting beside it).
const remoteWait = 30 * time.Second

// deployRemote puts a configured remote version behind its endpoint.
func deployRemote(ctx context.Context, srv *serve.Server, mc serve.ModelConfig, rc serve.RemoteConfig) error {
	model := rc.Model
	if model == "" {
		model = mc.Name
	}
	o := remote.Options{}
	if rc.TokenEnv != "" {
		o.Token = os.Getenv(rc.TokenEnv)
		if o.Token == "" {
			return fmt.Errorf("token_env %s is empty", rc.TokenEnv)
		}
	}
	wait, cancel := context.WithTimeout(ctx, remoteWait)
	defer cancel()
	var lastErr error
	for {
		m, platform, err := remote.Describe(wait, rc.URL, model, rc.Version, o)
		if err == nil {
			b, err := remote.New(rc.URL, model, m.Version, o)
			if err != nil {
				return err
			}
			_, err = srv.DeployRemote(serve.RemoteVersion{Manifest: m, Flavor: platform, Backend: b, Source: rc.URL}, mc)
			return err
		}
		lastErr = err
		select {
		case <-wait.Done():
			return fmt.Errorf("no answer within %s: %w", remoteWait, lastErr)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
