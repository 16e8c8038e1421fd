//go:build !linux

package testenv

// supportsXattr is only probed on Linux; elsewhere versitygw gets a sidecar
// metadata directory.
func supportsXattr(string) bool { return false }
