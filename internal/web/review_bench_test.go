package web

// BenchmarkReviewPage renders the weekly review of a busy team: two years
// of history at about six incidents a week (some 620 incidents, 1,250
// action items), each with services, factors and action items. Run it with
//
//	go test -tags sqlite_fts5 -run '^$' -bench ReviewPage -benchtime 2s ./internal/web/

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/debrief-dev/debrief/internal/store"
)

// seedReview writes weeks of history ending at now straight into the
// database in one transaction (the store's one-commit-per-write path would
// make setting up thousands of rows slow). The data is random but the
// same on every run.
func seedReview(tb testing.TB, path string, now time.Time, weeks, perWeek int) (incidents int) {
	tb.Helper()
	db, err := sql.Open("sqlite3", store.DSN(path, true))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 47))
	services := []string{"checkout", "payments-api", "search", "indexer", "auth", "gateway", "queue", "db", "cdn", "mail", "billing", "web"}
	for i, name := range services {
		if _, err := tx.Exec("INSERT INTO services (id, name, created_at) VALUES (?, ?, ?)", i+1, name, now.AddDate(-3, 0, 0)); err != nil {
			tb.Fatal(err)
		}
	}
	categories := []string{"change", "configuration", "code defect", "capacity", "dependency", "monitoring gap", "testing gap", "process"}
	severities := []string{"SEV1", "SEV2", "SEV2", "SEV3", "SEV3", "SEV3", "SEV4"}
	statuses := []string{"open", "in_progress", "done", "done", "wont_do"}
	first := now.Add(-time.Duration(weeks) * 7 * 24 * time.Hour)
	n := weeks * perWeek
	for i := 0; i < n; i++ {
		started := first.Add(time.Duration(rng.Int64N(int64(now.Sub(first))))).Truncate(time.Second)
		detected := started.Add(time.Duration(1+rng.IntN(30)) * time.Minute)
		acked := detected.Add(time.Duration(1+rng.IntN(15)) * time.Minute)
		mitigated := acked.Add(time.Duration(5+rng.IntN(120)) * time.Minute)
		resolved := mitigated.Add(time.Duration(rng.IntN(48*60)) * time.Minute)
		var res any = resolved
		status := "resolved"
		if resolved.After(now) || rng.IntN(40) == 0 {
			res, status = nil, "monitoring"
		}
		var ack any = acked
		if rng.IntN(5) == 0 {
			ack = nil // not every incident records each milestone
		}
		r, err := tx.Exec(`INSERT INTO incidents (title, severity, status, started_at, detected_at, acknowledged_at, mitigated_at, resolved_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, fmt.Sprintf("Incident %d", i+1), severities[rng.IntN(len(severities))], status,
			started, detected, ack, mitigated, res, detected, detected)
		if err != nil {
			tb.Fatal(err)
		}
		id, _ := r.LastInsertId()
		for _, s := range rng.Perm(len(services))[:1+rng.IntN(3)] {
			if _, err := tx.Exec("INSERT INTO incident_services (incident_id, service_id) VALUES (?, ?)", id, s+1); err != nil {
				tb.Fatal(err)
			}
		}
		for f := 0; f < 1+rng.IntN(2); f++ {
			if _, err := tx.Exec(`INSERT INTO contributing_factors (incident_id, title, category, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				id, "A factor", categories[rng.IntN(len(categories))], f+1, detected, detected); err != nil {
				tb.Fatal(err)
			}
		}
		for a := 0; a < 2; a++ {
			st := statuses[rng.IntN(len(statuses))]
			created := detected.Add(24 * time.Hour)
			var closed any
			note, rationale := "", ""
			switch st {
			case "done":
				closed, note = created.Add(time.Duration(rng.IntN(30*24))*time.Hour), "Shipped."
			case "wont_do":
				closed, rationale = created.Add(time.Duration(rng.IntN(30*24))*time.Hour), "Not worth it."
			}
			if c, ok := closed.(time.Time); ok && c.After(now) {
				closed, st, note, rationale = nil, "in_progress", "", ""
			}
			due := created.AddDate(0, 0, 7+rng.IntN(60)).Format(time.DateOnly)
			if _, err := tx.Exec(`INSERT INTO action_items (incident_id, title, owner, due_date, type, status, closure_note, rationale, closed_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, 'prevent', ?, ?, ?, ?, ?, ?)`, id, "An action item", "Owner "+fmt.Sprint(rng.IntN(9)), due, st, note, rationale, closed, created, created); err != nil {
				tb.Fatal(err)
			}
		}
		if status == "resolved" && rng.IntN(3) > 0 {
			at := resolved.Add(time.Duration(rng.IntN(96)) * time.Hour)
			if at.Before(now) {
				if _, err := tx.Exec(`INSERT INTO postmortems (incident_id, status, created_at, updated_at) VALUES (?, 'published', ?, ?)`, id, at, at); err != nil {
					tb.Fatal(err)
				}
				if _, err := tx.Exec(`INSERT INTO postmortem_revisions (incident_id, number, markdown, data, published_at) VALUES (?, 1, '# x', '{}', ?)`, id, at); err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return n
}

func BenchmarkReviewPage(b *testing.B) {
	now := time.Date(2026, time.November, 25, 12, 0, 0, 0, time.UTC)
	st, path, _ := benchDB(b, store.WithClock(func() time.Time { return now }))
	seedReview(b, path, now, 104, 6)
	srv, cred := benchServer(b, st)
	for _, tc := range []struct{ name, target string }{
		{"page", "/review?week=2026-W47"},
		{"present", "/review?present=1"},
		{"api", "/api/v1/review?week=2026-W47"},
		{"markdown", "/review/2026-W47.md"},
		{"quarter", "/review?from=2026-08-01&to=2026-10-31"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, tc.target, nil)
				if tc.name == "api" {
					req.Header.Set("Authorization", cred.token)
				} else {
					req.AddCookie(cred.session)
				}
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", tc.target, rec.Code, rec.Body.String())
				}
			}
		})
	}
}
