package pickle

import (
	"os"
	"syscall"
)

// fSetPipeSize is F_SETPIPE_SZ, which package syscall does not name.
const fSetPipeSize = 1031

// growPipe asks for a pipe buffer of size bytes, so that a batch of a few
// thousand rows crosses in one write instead of many 64 KiB wake-ups. It is
// best effort: the kernel caps it at /proc/sys/fs/pipe-max-size.
func growPipe(f *os.File, size int) {
	conn, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = conn.Control(func(fd uintptr) {
		_, _, _ = syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSize, uintptr(size))
	})
}
