//go:build !linux

package main

import "time"

// newPacer falls back to time.Sleep where nanosleep is not at hand: coarser
// pacing, reported as send lag.
func newPacer() func(time.Duration) { return time.Sleep }

func releasePacer() {}
