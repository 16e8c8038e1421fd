package rollout_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/deploy/docker"
	"github.com/mlctl/mlctl/pkg/deploy/image"
	"github.com/mlctl/mlctl/pkg/deploy/rollout"
)

// tamperGolden rewrites the bundle's golden labels and re-seals it: a
// bundle that verifies but whose model no longer answers as recorded.
func tamperGolden(t *testing.T, b *bundle.Bundle) *bundle.Bundle {
	t.Helper()
	entry, ok := b.Manifest.Flavor("pmml")
	require.True(t, ok)
	p := b.Path(entry.Golden)
	raw, err := os.ReadFile(p)
	require.NoError(t, err)
	s := strings.NewReplacer("setosa", "versicolor", "versicolor", "virginica", "virginica", "setosa").Replace(string(raw))
	require.NotEqual(t, string(raw), s, "the golden file names iris classes")
	require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
	m := b.Manifest
	require.NoError(t, bundle.Seal(b.Dir, &m))
	tampered, err := bundle.Open(b.Dir)
	require.NoError(t, err)
	return tampered
}

func (f *fixture) noContainers(t *testing.T) {
	t.Helper()
	for _, key := range []string{rollout.LabelRouter, docker.LabelDeployment} {
		left, err := f.eng.Labeled(context.Background(), key, f.name)
		require.NoError(t, err)
		assert.Empty(t, left, "nothing half-running after a failed deploy")
	}
}

func TestRolloutRefusesAndCleansUp(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	v1, v2, v3, v4 := f.pack(t, "1"), f.pack(t, "2"), f.pack(t, "3"), f.pack(t, "4")

	// The stable port is taken: a clear error, nothing left running.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	taken := l.Addr().(*net.TCPAddr).Port
	o := f.options(v1, rollout.BlueGreen)
	o.RouterPort = taken
	_, err = rollout.Deploy(ctx, f.eng, o)
	require.ErrorIs(t, err, docker.ErrPortInUse)
	assert.Contains(t, err.Error(), strconv.Itoa(taken))
	l.Close()
	f.noContainers(t)
	_, err = f.store.Load(f.name)
	require.ErrorIs(t, err, rollout.ErrNoDeployment)

	// The image cannot be built: nothing is started.
	o = f.options(v1, rollout.BlueGreen)
	o.Revision.BaseImage = "mlctl-test/no-such-base:none"
	_, err = rollout.Deploy(ctx, f.eng, o)
	require.ErrorIs(t, err, image.ErrBuild)
	f.noContainers(t)

	_, err = rollout.Deploy(ctx, f.eng, f.options(v1, rollout.BlueGreen))
	require.NoError(t, err)
	c := f.client(t, v1)
	l1 := startLoad(c)
	defer l1.finish()

	// Golden outputs that the model does not reproduce: the server's own
	// start-up check refuses the bundle, so the revision never gets
	// healthy; no traffic, and the candidate container is gone.
	_, err = rollout.Deploy(ctx, f.eng, f.options(tamperGolden(t, v2), rollout.BlueGreen))
	require.ErrorIs(t, err, docker.ErrUnhealthy)
	assert.Contains(t, err.Error(), "golden example differs")
	assert.Equal(t, 1, serving(t, f))
	revs, err := f.eng.Revisions(ctx, f.name)
	require.NoError(t, err)
	require.Len(t, revs, 1)
	assert.Equal(t, 1, revs[0].Revision())

	// Shadow: revision 3 sees copies, answers nothing, then is promoted.
	sh := f.options(v3, rollout.Shadow)
	sh.Analysis = 3 * time.Second
	res, err := rollout.Deploy(ctx, f.eng, sh)
	require.NoError(t, err)
	assert.Equal(t, rollout.Complete, res.Phase)
	st, err := f.store.Load(f.name)
	require.NoError(t, err)
	assert.Positive(t, st.Rollout.Analysis["3"].Requests, "the shadow saw mirrored requests: %+v", st.Rollout.Analysis)
	uuid, err := c.infer(ctx)
	require.NoError(t, err)
	assert.Equal(t, v3.Manifest.UUID, uuid)

	// A/B: sticky per user until promoted by hand.
	ab := f.options(v4, rollout.AB)
	ab.ABHeader, ab.ABWeight = "X-User", 50
	res, err = rollout.Deploy(ctx, f.eng, ab)
	require.NoError(t, err)
	assert.Equal(t, rollout.Paused, res.Phase)
	seen := map[string]bool{}
	for u := range 20 {
		user := fmt.Sprintf("user-%d", u)
		first := inferAs(t, c, user)
		assert.Equal(t, first, inferAs(t, c, user), "user %s stays on one revision", user)
		seen[first] = true
	}
	assert.Len(t, seen, 2, "20 users meet both revisions")
	_, err = rollout.Deploy(ctx, f.eng, f.options(v2, rollout.Canary))
	require.ErrorIs(t, err, rollout.ErrInProgress)

	status, err := rollout.GetStatus(ctx, f.eng, f.store, f.name)
	require.NoError(t, err)
	assert.Empty(t, status.Problems)
	assert.Equal(t, "X-User", status.Sticky)
	require.Len(t, status.Traffic, 4, "revisions 1-4, 2 failed")
	assert.Equal(t, 50.0, status.Traffic[0].Weight)
	assert.Equal(t, rollout.StatusFailed, status.Traffic[2].Status)
	assert.Equal(t, "none", status.Traffic[2].Container.State)

	require.NoError(t, rollout.Promote(ctx, f.eng, f.store, f.name))
	assert.Equal(t, 4, serving(t, f))
	uuid, err = c.infer(ctx)
	require.NoError(t, err)
	assert.Equal(t, v4.Manifest.UUID, uuid)

	sent, failed, last := l1.finish()
	t.Logf("load during golden failure, shadow and A/B: %d requests, %d failed", sent, failed)
	assert.Positive(t, sent)
	assert.Zero(t, failed, "last error: %v", last)
}

func inferAs(t *testing.T, c *routerClient, user string) string {
	t.Helper()
	hc := *c
	uuid, err := hc.inferWith(context.Background(), http.Header{"X-User": {user}})
	require.NoError(t, err)
	return uuid
}

// A canary revision that starts failing mid-step (its container is
// killed: the router answers 503 for its share) is rolled back; the
// previous revision serves everything again.
func TestCanaryRollsBackWhenTheRevisionFails(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	v1, v2 := f.pack(t, "1"), f.pack(t, "2")
	_, err := rollout.Deploy(ctx, f.eng, f.options(v1, rollout.BlueGreen))
	require.NoError(t, err)
	c := f.client(t, v1)
	l := startLoad(c)
	defer l.finish()

	o := f.options(v2, rollout.Canary)
	o.Steps, o.Pause = []int{50, 100}, 8*time.Second
	errc := make(chan error, 1)
	go func() {
		_, err := rollout.Deploy(ctx, f.eng, o)
		errc <- err
	}()
	var candidate rollout.Revision
	require.Eventually(t, func() bool {
		s, err := f.store.Load(f.name)
		if err != nil || s.Rollout == nil || s.Rollout.To != 2 || s.Rollout.Weight != 50 {
			return false
		}
		r, _ := s.Revision(2)
		candidate = *r
		return true
	}, 2*time.Minute, 100*time.Millisecond)
	_, err = f.eng.Client().ContainerKill(ctx, candidate.ContainerID, client.ContainerKillOptions{Signal: "KILL"})
	require.NoError(t, err)

	select {
	case err = <-errc:
	case <-time.After(time.Minute):
		t.Fatal("the canary did not finish")
	}
	require.ErrorIs(t, err, rollout.ErrRolledBack)
	t.Logf("rolled back: %v", err)
	assert.Equal(t, 1, serving(t, f))
	s, err := f.store.Load(f.name)
	require.NoError(t, err)
	assert.Equal(t, rollout.RolledBack, s.Rollout.Phase)
	r, _ := s.Revision(2)
	assert.Equal(t, rollout.StatusFailed, r.Status)

	// Everything is on revision 1 again.
	for range 20 {
		uuid, err := c.infer(ctx)
		require.NoError(t, err)
		assert.Equal(t, v1.Manifest.UUID, uuid)
	}
	sent, failed, _ := l.finish()
	t.Logf("load: %d requests, %d failed while revision 2 was killed under its 50%% share", sent, failed)
}
