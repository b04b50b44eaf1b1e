package store

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// The suspect-changes figure of the changes issue: 1 000 000 changes over
// 500 services in a year, then the suspects of incidents at random points.
// The database is built once per run (about a minute) in a temp folder, or
// kept at DEBRIEF_CHANGES_BENCH_DB to reuse between runs.

const (
	benchChanges  = 1_000_000
	benchServices = 500
)

var (
	changeBenchOnce sync.Once
	changeBenchPath string
	changeBenchErr  error
)

func changeBenchDB(b *testing.B) *Store {
	b.Helper()
	changeBenchOnce.Do(func() {
		changeBenchPath = os.Getenv("DEBRIEF_CHANGES_BENCH_DB")
		if changeBenchPath == "" {
			dir, err := os.MkdirTemp("", "debrief-changes-bench")
			if err != nil {
				changeBenchErr = err
				return
			}
			changeBenchPath = filepath.Join(dir, "changes.db")
		}
		if _, err := os.Stat(changeBenchPath); err == nil {
			return
		}
		changeBenchErr = fillChanges(changeBenchPath)
	})
	if changeBenchErr != nil {
		b.Fatal(changeBenchErr)
	}
	st, err := Open(changeBenchPath)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil { // a kept database from an older build
		b.Fatal(err)
	}
	return st
}

// fillChanges writes the changes in batches of multi-row INSERTs: the
// store's one-by-one path would take an hour for a million.
func fillChanges(path string) error {
	st, err := Open(path)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := time.Now().UTC()
	return st.wdb.Transaction(func(tx *gorm.DB) error {
		for i := range benchServices {
			if err := tx.Exec("INSERT INTO services (name, created_at) VALUES (?, ?)", fmt.Sprintf("service-%03d", i), now).Error; err != nil {
				return err
			}
		}
		step := 365 * 24 * time.Hour / benchChanges
		const batch = 500
		rows := make([]model.Change, 0, batch)
		for i := range benchChanges {
			rows = append(rows, model.Change{
				ServiceID: int64(1 + (i*7919)%benchServices), Kind: model.ChangeKinds[i%len(model.ChangeKinds)],
				Category: model.ChangeNormal, Environment: "production", Summary: fmt.Sprintf("change %d", i),
				Status: "success", Source: "bench", StartedAt: start.Add(time.Duration(i) * step), CreatedAt: now, UpdatedAt: now,
			})
			if len(rows) == batch {
				if err := tx.CreateInBatches(rows, batch).Error; err != nil {
					return err
				}
				rows = rows[:0]
			}
		}
		return nil
	})
}

// BenchmarkSuspectChanges reports the p95 of the suspects query (goal:
// ≤ 10 ms) for incidents with one service, with none (every service's
// changes are suspects), over a 24 h window.
func BenchmarkSuspectChanges(b *testing.B) {
	st := changeBenchDB(b)
	for _, tc := range []struct {
		name     string
		services []string
	}{{"one-service", []string{"service-042"}}, {"no-service", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			impact := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
			inc := &model.Incident{Title: "bench", Severity: "SEV2", Services: tc.services, StartedAt: &impact}
			if err := st.CreateIncident(ctx, inc, "bench"); err != nil {
				b.Fatal(err)
			}
			var times []time.Duration
			i := 0
			for b.Loop() {
				at := impact.Add(time.Duration(i%150) * 17 * time.Hour)
				inc.StartedAt = &at
				t0 := time.Now()
				list, err := st.SuspectChanges(ctx, inc, 24*time.Hour, 0)
				times = append(times, time.Since(t0))
				if err != nil || len(list) == 0 {
					b.Fatal(err, len(list))
				}
				i++
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
