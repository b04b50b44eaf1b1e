package store

import (
	"context"
	"path/filepath"
	"testing"
)

// OpenTest opens a migrated store on a fresh file in t's temp folder and
// closes it when the test ends. (A temp file, not :memory:, which would be
// one database per connection.)
func OpenTest(t testing.TB, opts ...Option) *Store {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), "debrief.db"), opts...)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}
