package main

import (
	"runtime"
	"syscall"
	"time"
)

// prSetTimerSlack is prctl's PR_SET_TIMERSLACK.
const prSetTimerSlack = 29

// newPacer returns a sleep for the open-loop scheduler. Go's time.Sleep
// rounds short waits up to about a millisecond on Linux, which would show up
// as latency at every rate above a few hundred requests per second; a
// nanosleep on a locked thread with 1 ns timer slack wakes within ~20 µs.
// The caller must stay on the calling goroutine.
func newPacer() func(time.Duration) {
	runtime.LockOSThread()
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, 1, 0)
	return func(d time.Duration) {
		ts := syscall.NsecToTimespec(int64(d))
		for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
		}
	}
}

func releasePacer() { runtime.UnlockOSThread() }
