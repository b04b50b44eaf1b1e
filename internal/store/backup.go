package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Backups use SQLite's online backup API in a single step from a read
// connection: one read transaction over a WAL database, so the copy is a
// consistent snapshot and writers go on beside it. (A stepwise copy would
// restart at every write to the source; VACUUM INTO gives the same snapshot
// but rebuilds every table and index, which costs several times the CPU of
// copying pages and slowed concurrent appends more.)
// The copy is written to a temporary file in the target's folder, checked
// with integrity_check, synced, and renamed: a failure leaves no partial
// file behind.

// ErrBackupRunning is returned when another backup of the same database is
// in progress (in this process or another one).
var ErrBackupRunning = errors.New("another backup of this database is running; try again when it has finished")

// BackupReport describes a finished backup.
type BackupReport struct {
	Path      string
	Size      int64
	Incidents int64
	Entries   int64
	Duration  time.Duration
}

// String is the one-line report the command prints and the server logs.
func (r BackupReport) String() string {
	return fmt.Sprintf("backup %s: %d bytes, %d incidents, %d timeline entries, integrity ok, in %s",
		r.Path, r.Size, r.Incidents, r.Entries, r.Duration.Round(time.Millisecond))
}

// Backup writes a consistent copy of the database to path (which must not
// exist yet) and checks it. A second backup of the same database while one
// runs gets ErrBackupRunning.
func (s *Store) Backup(ctx context.Context, path string) (BackupReport, error) {
	start := time.Now()
	rep := BackupReport{Path: path}
	if _, err := os.Lstat(path); err == nil {
		return rep, fmt.Errorf("backup target %s already exists; choose a new file name", path)
	}
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return rep, fmt.Errorf("backup target folder %s does not exist (create it first)", dir)
	}
	unlock, err := flockFile(s.path+".backup-lock", false)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return rep, ErrBackupRunning
	}
	if err != nil {
		return rep, fmt.Errorf("backup: %w", err)
	}
	defer unlock()

	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return rep, fmt.Errorf("backup: cannot write in %s: %w", dir, err)
	}
	tmpPath := tmp.Name()
	_ = tmp.Close()
	done := false
	defer func() {
		if !done {
			removeDB(tmpPath)
		}
	}()
	err = lowPriority(func() error {
		if err := s.copyTo(ctx, tmpPath); err != nil {
			return fmt.Errorf("backup to %s: %w", path, err)
		}
		var err error
		if rep.Incidents, rep.Entries, err = checkCopy(ctx, tmpPath); err != nil {
			return fmt.Errorf("backup to %s: the copy failed its check: %w", path, err)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if err := syncFile(tmpPath); err != nil {
		return rep, fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := os.Rename(tmpPath, path); err != nil {
		return rep, fmt.Errorf("backup to %s: %w", path, err)
	}
	done = true
	_ = syncFile(dir)
	info, err := os.Stat(path)
	if err != nil {
		return rep, err
	}
	rep.Size, rep.Duration = info.Size(), time.Since(start)
	return rep, nil
}

// copyTo copies the database into the empty file at path with the backup
// API, in one step.
func (s *Store) copyTo(ctx context.Context, path string) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	src, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer src.Close()
	dstDB, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		return err
	}
	defer dstDB.Close()
	dst, err := dstDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer dst.Close()
	return dst.Raw(func(d any) error {
		return src.Raw(func(s any) error {
			dc, ok1 := d.(*sqlite3.SQLiteConn)
			sc, ok2 := s.(*sqlite3.SQLiteConn)
			if !ok1 || !ok2 {
				return errors.New("the SQLite driver is not mattn/go-sqlite3")
			}
			b, err := dc.Backup("main", sc, "main")
			if err != nil {
				return err
			}
			done, err := b.Step(-1)
			if ferr := b.Finish(); err == nil {
				err = ferr
			}
			if err == nil && !done {
				err = errors.New("the copy did not finish")
			}
			return err
		})
	})
}

// BackupTo writes a consistent copy of the database to w: it makes a backup
// in a temporary file beside the database, copies it to w and removes it.
func (s *Store) BackupTo(ctx context.Context, w io.Writer) (BackupReport, error) {
	tmpDir, err := os.MkdirTemp(filepath.Dir(s.path), ".backup-")
	if err != nil {
		return BackupReport{}, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	rep, err := s.Backup(ctx, filepath.Join(tmpDir, "debrief.db"))
	if err != nil {
		return rep, err
	}
	f, err := os.Open(rep.Path)
	if err != nil {
		return rep, err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return rep, err
}

// checkCopy runs integrity_check on a database file that no one else uses
// and counts its incidents and timeline entries.
func checkCopy(ctx context.Context, path string) (incidents, entries int64, err error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=off")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := integrity(ctx, db); err != nil {
		return 0, 0, err
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM incidents").Scan(&incidents); err != nil {
		return 0, 0, fmt.Errorf("not a Debrief database: %w", err)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM timeline_entries").Scan(&entries); err != nil {
		return 0, 0, fmt.Errorf("not a Debrief database: %w", err)
	}
	return incidents, entries, nil
}

// queryer is what the checks need of a *sql.DB or *sql.Conn.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// integrity runs PRAGMA integrity_check; its error lists the first problems.
func integrity(ctx context.Context, db queryer) error {
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check(20)")
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(msgs) == 1 && msgs[0] == "ok" {
		return nil
	}
	return fmt.Errorf("integrity check failed: %s", strings.Join(msgs, "; "))
}

// flockFile takes an exclusive flock on path (created if needed); wait
// false fails at once with syscall.EWOULDBLOCK when someone holds it.
func flockFile(path string, wait bool) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	how := syscall.LOCK_EX
	if !wait {
		how |= syscall.LOCK_NB
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// removeDB removes a database file and its -wal and -shm.
func removeDB(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		_ = os.Remove(p)
	}
}

// sqliteHeader checks that path starts like an SQLite database and is as
// long as its header says.
func sqliteHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	var h [100]byte
	if _, err := io.ReadFull(f, h[:]); err != nil || string(h[:16]) != "SQLite format 3\x00" {
		return fmt.Errorf("%s is not an SQLite database", path)
	}
	pageSize := int64(binary.BigEndian.Uint16(h[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int64(binary.BigEndian.Uint32(h[28:32]))
	if pageSize < 512 || info.Size() < pageSize*pages || info.Size()%pageSize != 0 {
		return fmt.Errorf("%s is truncated: its header describes %d pages of %d bytes (%d bytes), the file has %d bytes",
			path, pages, pageSize, pageSize*pages, info.Size())
	}
	return nil
}
