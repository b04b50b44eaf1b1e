package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// RestoreReport describes a finished restore.
type RestoreReport struct {
	Replaced  string // where the database that was there now is ("" if none)
	Incidents int64
	Entries   int64
	Reindexed bool // the search index had drifted and was rebuilt
}

// Restore replaces the database at to with the backup at from, on an
// instance that is stopped: it holds the server lock (debrief.db.lock)
// throughout, so it refuses while a server runs and no server starts
// meanwhile. It refuses a file that is not an SQLite database, is truncated,
// fails integrity_check or has a schema newer than this binary's
// migrations. The database it replaces is kept as to.replaced-<time>
// (with its -wal, if any). Then it migrates the restored database, checks
// the search index and rebuilds it if it has drifted.
func Restore(ctx context.Context, from, to string, now time.Time) (RestoreReport, error) {
	var rep RestoreReport
	if to == "" || filepath.Clean(from) == filepath.Clean(to) {
		return rep, fmt.Errorf("restore: --from must be another file than the database itself")
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o750); err != nil {
		return rep, fmt.Errorf("create database folder: %w", err)
	}
	unlock, err := flockFile(to+".lock", false)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return rep, fmt.Errorf("database %s is being served by a running Debrief (it holds %s.lock); stop the server first", to, to)
	}
	if err != nil {
		return rep, fmt.Errorf("restore: lock %s: %w", to+".lock", err)
	}
	defer unlock()

	if err := sqliteHeader(from); err != nil {
		return rep, fmt.Errorf("restore refused: %w", err)
	}
	// Check a copy in the target's folder, then rename it into place.
	tmp, err := os.CreateTemp(filepath.Dir(to), "."+filepath.Base(to)+".restore-*")
	if err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	tmpPath := tmp.Name()
	done := false
	defer func() {
		if !done {
			removeDB(tmpPath)
		}
	}()
	src, err := os.Open(from)
	if err != nil {
		_ = tmp.Close()
		return rep, err
	}
	_, err = io.Copy(tmp, src)
	_ = src.Close()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return rep, fmt.Errorf("restore: copy %s: %w", from, err)
	}
	if rep.Incidents, rep.Entries, err = checkCopy(ctx, tmpPath); err != nil {
		return rep, fmt.Errorf("restore refused: %s: %w", from, err)
	}
	if err := checkSchema(ctx, tmpPath); err != nil {
		return rep, fmt.Errorf("restore refused: %s: %w", from, err)
	}

	// Keep the database being replaced (with its WAL, which may hold
	// commits not yet folded into it); a stale -shm must go.
	if _, err := os.Stat(to); err == nil {
		rep.Replaced = to + ".replaced-" + now.UTC().Format("20060102T150405Z")
		if err := os.Rename(to, rep.Replaced); err != nil {
			return rep, fmt.Errorf("restore: keep %s aside: %w", to, err)
		}
		if err := os.Rename(to+"-wal", rep.Replaced+"-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return rep, fmt.Errorf("restore: keep %s-wal aside: %w", to, err)
		}
	}
	for _, p := range []string{to + "-wal", to + "-shm", to + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return rep, fmt.Errorf("restore: remove %s: %w", p, err)
		}
	}
	if err := os.Rename(tmpPath, to); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	done = true
	_ = syncFile(filepath.Dir(to))

	st, err := Open(to)
	if err != nil {
		return rep, err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return rep, err
	}
	if drift := st.searchDrift(ctx); drift != nil {
		if _, err := st.Reindex(ctx); err != nil {
			return rep, fmt.Errorf("restore: rebuild the search index: %w", err)
		}
		rep.Reindexed = true
	}
	return rep, st.Close()
}

// checkSchema refuses a database without Debrief's migrations table or
// with a migration newer than this binary knows.
func checkSchema(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT max(version_id) FROM goose_db_version WHERE is_applied").Scan(&v); err != nil {
		return fmt.Errorf("not a Debrief database (no migrations table): %w", err)
	}
	if latest := latestMigration(); v.Int64 > latest {
		return fmt.Errorf("its schema version %d is newer than this binary's (%d): restore it with the newer Debrief that made it", v.Int64, latest)
	}
	return nil
}

// CheckResult is one check of Check.
type CheckResult struct {
	Name   string
	Err    error // nil: passed
	Detail string
}

// Check runs the database checks: integrity_check, foreign_key_check and
// the search index against the records.
func (s *Store) Check(ctx context.Context) ([]CheckResult, error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	res := []CheckResult{{Name: "integrity", Err: integrity(ctx, conn)}}
	fk := CheckResult{Name: "foreign keys"}
	var n int
	rows, err := conn.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		fk.Err = err
	} else {
		var first string
		for rows.Next() {
			var table, parent string
			var rowid sql.NullInt64
			var fkid int
			if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
				fk.Err = err
				break
			}
			if n == 0 {
				first = fmt.Sprintf("%s row %d refers to a missing %s", table, rowid.Int64, parent)
			}
			n++
		}
		_ = rows.Close()
		if fk.Err == nil && n > 0 {
			fk.Err = fmt.Errorf("%d rows refer to missing rows (first: %s)", n, first)
		}
	}
	res = append(res, fk)
	res = append(res, CheckResult{Name: "search index", Err: s.searchDrift(ctx)})
	return res, nil
}

// SearchDrift reports how the search index differs from the records (nil:
// it matches them): incidents without a document or documents without an
// incident, timeline entries without their index row or rows without an
// entry, and incidents still waiting to be indexed.
func (s *Store) SearchDrift(ctx context.Context) error { return s.searchDrift(ctx) }

func (s *Store) searchDrift(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	var errs []string
	for _, c := range []struct{ what, q string }{
		{"incidents waiting to be indexed", "SELECT count(*) FROM search_dirty"},
		{"incidents without a search document", "SELECT count(*) FROM incidents i WHERE NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.incident_id = i.id)"},
		{"search documents without an incident", "SELECT count(*) FROM search_docs d WHERE NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = d.incident_id)"},
		{"search documents missing from the full-text index", "SELECT (SELECT count(*) FROM search_docs) - (SELECT count(*) FROM search_fts_docsize)"},
		{"timeline entries missing from the full-text index", "SELECT count(*) FROM timeline_entries t WHERE NOT EXISTS (SELECT 1 FROM search_entry_fts_docsize d WHERE d.id = t.incident_id * 4294967296 + t.id)"},
		{"full-text rows without a timeline entry", "SELECT (SELECT count(*) FROM search_entry_fts_docsize) - (SELECT count(*) FROM timeline_entries)"},
	} {
		var n int64
		if err := sqlDB.QueryRowContext(ctx, c.q).Scan(&n); err != nil {
			return fmt.Errorf("search index check: %w", err)
		}
		if n != 0 {
			errs = append(errs, fmt.Sprintf("%d %s", n, c.what))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("the search index has drifted from the records (debrief reindex rebuilds it): %s", strings.Join(errs, "; "))
	}
	return nil
}
