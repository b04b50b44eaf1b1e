package synth

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/debrief-dev/debrief/internal/store"
)

// BenchmarkGenerate measures the generator: incidents written per second
// into a migrated database opened for bulk loading (no journal, no fsync).
func BenchmarkGenerate(b *testing.B) {
	const n = 2000
	for b.Loop() {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "debrief.db")
		st, err := store.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on&_journal_mode=OFF&_synchronous=OFF&_cache_size=-262144")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := Generate(context.Background(), db, Options{N: n, Seed: 1, Now: testNow}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "incidents/s")
}
