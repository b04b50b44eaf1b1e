package store

import (
	"errors"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/debrief-dev/debrief/internal/model"
)

// writeFailureMemory is how long a write that failed for want of storage
// keeps the store unhealthy: long enough for a health check to see it,
// short enough that the server reports itself well again soon after space
// returns (SQLite needs nothing else to recover: the failed transaction was
// rolled back whole).
const writeFailureMemory = 30 * time.Second

// writeHealth remembers the last write that failed for want of storage.
type writeHealth struct {
	mu  sync.Mutex
	at  time.Time
	err *model.StorageError
}

// storageError maps the driver's "disk full", "read-only" and I/O errors
// to a *model.StorageError; others pass through.
func storageError(err error) error {
	var se sqlite3.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	var reason string
	switch se.Code {
	case sqlite3.ErrFull:
		reason = "disk full"
	case sqlite3.ErrReadonly:
		reason = "read-only"
	case sqlite3.ErrIoErr, sqlite3.ErrCantOpen:
		reason = "I/O error"
	default:
		return err
	}
	return &model.StorageError{Reason: reason, Err: err}
}

// noteWrite remembers err if it is a storage failure.
func (s *Store) noteWrite(err error) {
	var se *model.StorageError
	if !errors.As(err, &se) {
		return
	}
	s.health.mu.Lock()
	s.health.at, s.health.err = s.now(), se
	s.health.mu.Unlock()
}

// StorageFailure maps err (from a component that writes through the
// store's connection on its own, such as the session store) like the
// store's own writes, and counts a storage failure against WriteHealth.
func (s *Store) StorageFailure(err error) error {
	err = storageError(err)
	s.noteWrite(err)
	return err
}

// WriteHealth is nil unless a write failed for want of storage (disk full,
// read-only, I/O error) within the last 30 seconds; then it is that
// failure, a *model.StorageError.
func (s *Store) WriteHealth() error {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	if s.health.err == nil || s.now().Sub(s.health.at) >= writeFailureMemory {
		return nil
	}
	return s.health.err
}
