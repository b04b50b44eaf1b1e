package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
)

// LockServe takes the database's server lock, a file beside it
// (debrief.db.lock) held with flock for the server's life: one SQLite file
// is served by one process, whose in-process event broker and caches
// assume they see every write. A second server is refused with a message
// naming the file. The lock ends with the process, however it ends.
func (s *Store) LockServe() (unlock func(), err error) {
	path := s.path + ".lock"
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("database %s: cannot create its lock file %s: %w", s.path, path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("database %s is already being served by another Debrief process (it holds %s); stop it first, or give this one another --db", s.path, path)
		}
		return nil, fmt.Errorf("database %s: lock %s: %w", s.path, path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}

// CheckWritable makes sure the database can be written, before a server
// starts taking requests that would all fail: it rewrites the schema
// version with its own value inside a transaction it rolls back.
func (s *Store) CheckWritable(ctx context.Context) error {
	sqlDB, err := s.wdb.DB()
	if err != nil {
		return err
	}
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("database %s cannot be written: %w", s.path, err)
	}
	defer func() { _ = tx.Rollback() }()
	var v int64
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("database %s cannot be read: %w", s.path, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
		return fmt.Errorf("database %s cannot be written (check the file's and its folder's permissions): %w", s.path, err)
	}
	return nil
}
