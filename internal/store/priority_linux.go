package store

import (
	"runtime"
	"syscall"
)

// lowPriority runs f on a thread of its own at nice 10, so a backup's
// copy and check (seconds of CPU on a big database) yield to the requests
// being served. On Linux a priority set by thread id is that thread's
// alone; the goroutine never unlocks the thread, so Go ends the thread
// with it and the priority never reaches other goroutines (raising it
// back would need privileges).
func lowPriority(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 10)
		errc <- f()
	}()
	return <-errc
}
