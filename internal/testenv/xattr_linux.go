package testenv

import "syscall"

// supportsXattr reports whether dir's filesystem takes user xattrs, where
// versitygw's posix backend stores object metadata by default.
func supportsXattr(dir string) bool {
	err := syscall.Setxattr(dir, "user.mlctl-probe", []byte("1"), 0)
	if err != nil {
		return false
	}
	syscall.Removexattr(dir, "user.mlctl-probe")
	return true
}
