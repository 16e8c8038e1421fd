//go:build !unix

package rollout

// lock is a no-op where flock is missing: run one mlctl at a time.
func (st *Store) lock(string) (func(), error) { return func() {}, nil }
