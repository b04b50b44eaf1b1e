//go:build unix

package lint

import (
	"syscall"
	"time"
)

// cpuTime is the process's user and system CPU time so far. On a shared
// machine, wall-clock ns/op includes time other processes ran; cpu-ns/op
// from this does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
