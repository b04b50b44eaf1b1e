// Package store keeps Debrief's data in SQLite through GORM. It is the only
// package that speaks SQL; it turns GORM and SQLite errors into model errors.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/sqlite3store"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/debrief-dev/debrief/internal/events"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/migrations"
)

// pragmas apply per connection, so they live in the DSN. WAL lets readers
// run beside the single writer. synchronous=FULL makes every commit durable
// (WAL with NORMAL can lose the last commits on power loss): a timeline
// entry a scribe saw saved must survive. Group commit of timeline appends
// (appender.go) keeps that cheap; see the README for the measurements.
const pragmas = "_foreign_keys=on&_journal_mode=WAL&_busy_timeout=5000&_synchronous=FULL&_loc=UTC"

// DSN is the data source name Open uses for the database at path: the
// write handle's (write true: BEGIN IMMEDIATE) or the read pool's. It lets
// tools and benchmarks open the database with the same pragmas.
func DSN(path string, write bool) string {
	if write {
		return path + "?" + pragmas + "&_txlock=immediate"
	}
	return path + "?" + pragmas + "&_txlock=deferred"
}

// Store is Debrief's database. Reads go through a pool of connections;
// writes through a single connection that takes the write lock at BEGIN,
// which is SQLite's nature (one writer at a time) made explicit.
type Store struct {
	db       *gorm.DB // reads
	wdb      *gorm.DB // writes: one connection, BEGIN IMMEDIATE
	appender *appender
	sessions *sqlite3store.SQLite3Store
	meta     *metaCache      // search_meta in memory, shared by At's copies
	stmts    *preparedSearch // the search's statements, prepared on first use
	now      func() time.Time
	path     string
	broker   events.Broker
	// wmu orders write transactions with the publishing of their events:
	// a transaction commits and publishes before the next one begins, so
	// events reach subscribers in the order of their ids.
	wmu *sync.Mutex
	// outboxCh wakes the webhook worker after a commit queued deliveries.
	outboxCh chan struct{}
	observer Observer
	health   *writeHealth // shared by At's copies
}

// Observer is told how the store's writes go (metrics). Its methods are
// called on the write path: they must be quick and safe for concurrent use.
// The store itself knows nothing of any metrics library.
type Observer interface {
	// AppendBatch reports one group commit of n timeline entries that
	// took d, from taking the write lock to the commit (err: it failed).
	AppendBatch(n int, d time.Duration, err error)
}

// WithObserver reports the store's group commits to o.
func WithObserver(o Observer) Option {
	return func(s *Store) { s.observer = o }
}

// Option changes how a Store is opened.
type Option func(*Store)

// WithClock makes the store use now instead of the wall clock (tests).
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = func() time.Time { return now().UTC() } }
}

// Open opens (creating if needed) the SQLite database at path. It does not
// apply migrations; call Migrate.
func Open(path string, opts ...Option) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("database path %q must be a plain file path", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	s := &Store{now: func() time.Time { return time.Now().UTC() }, path: path, meta: &metaCache{}, wmu: &sync.Mutex{},
		outboxCh: make(chan struct{}, outboxSignalBuffer), health: &writeHealth{}}
	s.stmts = &preparedSearch{}
	for _, o := range opts {
		o(s)
	}
	if s.broker == nil {
		s.broker = events.NewLocal(0)
	}
	cfg := func() *gorm.Config {
		return &gorm.Config{
			NowFunc:                func() time.Time { return s.now().Truncate(time.Millisecond) },
			TranslateError:         true,
			SkipDefaultTransaction: true,
			PrepareStmt:            true,
			Logger:                 logger.Default.LogMode(logger.Silent),
		}
	}
	wdb, err := gorm.Open(sqlite.Open(DSN(path, true)), cfg())
	if err != nil {
		return nil, fmt.Errorf("open database for writing: %w", err)
	}
	wsql, err := wdb.DB()
	if err != nil {
		return nil, err
	}
	wsql.SetMaxOpenConns(1)
	wsql.SetMaxIdleConns(1)
	wsql.SetConnMaxLifetime(0)
	// The first connection turns on WAL; do it before readers open theirs.
	if err := wsql.Ping(); err != nil {
		_ = wsql.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	rdb, err := gorm.Open(sqlite.Open(DSN(path, false)), cfg())
	if err != nil {
		_ = wsql.Close()
		return nil, fmt.Errorf("open database for reading: %w", err)
	}
	rsql, err := rdb.DB()
	if err != nil {
		_ = wsql.Close()
		return nil, err
	}
	rsql.SetMaxOpenConns(4)
	rsql.SetMaxIdleConns(4)
	s.db, s.wdb = rdb, wdb
	return s, nil
}

// startAppender prepares the group-commit insert; it needs the schema, so
// it starts lazily after migrations.
func (s *Store) startAppender() error {
	if s.appender != nil {
		return nil
	}
	sqlDB, err := s.wdb.DB()
	if err != nil {
		return err
	}
	a, err := newAppender(sqlDB, s)
	if err != nil {
		return fmt.Errorf("prepare timeline insert: %w", err)
	}
	s.appender = a
	return nil
}

// Migrate applies every pending migration and returns the versions applied.
func (s *Store) Migrate(ctx context.Context) ([]int64, error) {
	sqlDB, err := s.wdb.DB()
	if err != nil {
		return nil, err
	}
	// Up to date already (every start but the first after an upgrade):
	// skip goose, which parses every migration file first.
	if current, err := s.schemaVersion(ctx); err == nil && current == latestMigration() {
		return []int64{}, s.afterMigrate(ctx)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, sqlDB, migrations.FS)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply migrations: %w", err)
	}
	applied := make([]int64, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	return applied, s.afterMigrate(ctx)
}

// afterMigrate indexes what a migration listed for the search index (its
// own migration lists every incident there was) and starts the appender.
func (s *Store) afterMigrate(ctx context.Context) error {
	if err := s.write(ctx, func(*gorm.DB) error { return nil }); err != nil {
		return err
	}
	return s.startAppender()
}

// schemaVersion is the highest migration applied (an error when none is).
func (s *Store) schemaVersion(ctx context.Context) (int64, error) {
	var v sql.NullInt64
	err := s.wdb.WithContext(ctx).Raw("SELECT max(version_id) FROM goose_db_version WHERE is_applied").Scan(&v).Error
	if err != nil || !v.Valid {
		return 0, fmt.Errorf("no migrations applied: %w", err)
	}
	return v.Int64, nil
}

// latestMigration is the version of the newest migration file (the
// number its name starts with).
func latestMigration() int64 {
	var latest int64
	entries, _ := fs.ReadDir(migrations.FS, ".")
	for _, e := range entries {
		digits, _, ok := strings.Cut(e.Name(), "_")
		if v, err := strconv.ParseInt(digits, 10, 64); ok && err == nil && strings.HasSuffix(e.Name(), ".sql") {
			latest = max(latest, v)
		}
	}
	return latest
}

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error
}

// Close checkpoints the WAL and closes both handles.
func (s *Store) Close() error {
	var errs []error
	if s.appender != nil {
		s.appender.close() // lets queued appends finish first
	}
	if s.sessions != nil {
		s.sessions.StopCleanup() // blocks if called twice: forget the store
		s.sessions = nil
	}
	if sqlDB, err := s.wdb.DB(); err == nil {
		// Fold the WAL back into the main file so a copied .db is complete.
		if _, err := sqlDB.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			errs = append(errs, fmt.Errorf("checkpoint the WAL into %s: %w", s.path, err))
		}
		errs = append(errs, sqlDB.Close())
	}
	if st := s.stmts.s; st != nil {
		errs = append(errs, st.close())
	}
	if sqlDB, err := s.db.DB(); err == nil {
		errs = append(errs, sqlDB.Close())
	}
	return errors.Join(errs...)
}

// Path is the database file's path (for tools and tests that open their
// own connection with DSN).
func (s *Store) Path() string { return s.path }

// Now is the store's clock, in UTC.
func (s *Store) Now() time.Time { return s.now() }

// write runs fn in one write transaction, and brings the search index up
// to date with what fn changed before it commits. The incident events fn
// logged are published once it has committed.
func (s *Store) write(ctx context.Context, fn func(tx *gorm.DB) error) error {
	batch := &eventBatch{}
	ctx = context.WithValue(ctx, batchKey{}, batch)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := translate(s.wdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		batch.evs, batch.outbox = batch.evs[:0], false
		if err := fn(tx); err != nil {
			return err
		}
		return flushSearch(ctx, tx.Statement.ConnPool)
	}))
	s.noteWrite(err)
	if err == nil {
		s.publish(batch.evs)
		if batch.outbox {
			select {
			case s.outboxCh <- struct{}{}:
			default: // already signalled
			}
		}
	}
	return err
}

// translate turns GORM errors into model errors, and the driver's "disk
// full", "read-only" and I/O errors into a *model.StorageError; others pass
// through.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return model.ErrNotFound
	}
	return storageError(err)
}

// At returns a view of the store whose clock reads t. It is for loading
// history (sample data, imports) so that what the store stamps itself —
// declaration and milestone entries — lands at the time it happened.
func (s *Store) At(t time.Time) *Store {
	c := *s
	t = t.UTC()
	c.now = func() time.Time { return t }
	return &c
}

// staleVersion is the conflict of a change based on version sent of a
// record (what: "why node 12") that is now at version now; it carries the
// record as it is, so the client can show both.
func staleVersion(what string, sent, now int, current any) *model.ConflictError {
	return &model.ConflictError{
		Message: fmt.Sprintf("%s was changed by someone else (you sent version %d, it is now at version %d)", what, sent, now),
		Current: current,
	}
}
