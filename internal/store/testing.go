package store

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/debrief-dev/debrief/migrations"
)

// template is a migrated, empty database file that OpenTest copies: running
// every migration for every test costs more than most tests do.
var template struct {
	once sync.Once
	path string
	err  error
}

// migratedTemplate returns the template's path. It lives in the system's
// temp folder under a name that changes with the migrations, so test runs
// share it and a schema change makes a new one; it is built under a
// temporary name and renamed, so concurrent test binaries never read half
// of one.
func migratedTemplate() (string, error) {
	template.once.Do(func() {
		h := sha256.New()
		entries, err := fs.ReadDir(migrations.FS, ".")
		if err != nil {
			template.err = err
			return
		}
		for _, e := range entries {
			data, err := fs.ReadFile(migrations.FS, e.Name())
			if err != nil {
				template.err = err
				return
			}
			fmt.Fprintf(h, "%s %d\n", e.Name(), len(data))
			h.Write(data)
		}
		path := filepath.Join(os.TempDir(), fmt.Sprintf("debrief-test-template-%x.db", h.Sum(nil)[:8]))
		if _, err := os.Stat(path); err == nil {
			template.path = path
			return
		}
		dir, err := os.MkdirTemp("", "debrief-test-template-")
		if err != nil {
			template.err = err
			return
		}
		defer os.RemoveAll(dir)
		tmp := filepath.Join(dir, "template.db")
		st, err := Open(tmp)
		if err != nil {
			template.err = err
			return
		}
		_, err = st.Migrate(context.Background())
		if cerr := st.Close(); err == nil {
			err = cerr // Close folds the WAL into the file
		}
		if err == nil {
			err = os.Rename(tmp, path)
		}
		template.path, template.err = path, err
	})
	return template.path, template.err
}

// OpenTest opens a migrated store on a fresh file in t's temp folder and
// closes it when the test ends. (A temp file, not :memory:, which would be
// one database per connection.) The file is a copy of one migrated once per
// test binary.
func OpenTest(t testing.TB, opts ...Option) *Store {
	t.Helper()
	src, err := migratedTemplate()
	if err != nil {
		t.Fatalf("migrate a template database: %v", err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("read the template database: %v", err)
	}
	path := filepath.Join(t.TempDir(), "debrief.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("copy the template database: %v", err)
	}
	st, err := Open(path, opts...)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// SetQueryOnly makes the write connection refuse every write (on) or take
// them again (off), the way a read-only file or folder does: SQLite answers
// SQLITE_READONLY. Tests of the failure path use it, since they run as root,
// whom chmod does not stop.
func (s *Store) SetQueryOnly(ctx context.Context, on bool) error {
	sqlDB, err := s.wdb.DB()
	if err != nil {
		return err
	}
	s.wmu.Lock() // not in the middle of someone's transaction
	defer s.wmu.Unlock()
	v := "OFF"
	if on {
		v = "ON"
	}
	_, err = sqlDB.ExecContext(ctx, "PRAGMA query_only = "+v)
	return err
}
