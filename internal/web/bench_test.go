package web

// Benchmarks behind the figures in issue 2's closing note. Run them with
//
//	go test -tags sqlite_fts5 -run '^$' -bench 'TimelineAppend|IncidentPage200' -benchtime 3s ./internal/web/
//
// BenchmarkTimelineAppend compares timeline appends through the HTTP API
// (64 concurrent clients) with raw single-connection inserts of the same
// row; divide the two entries/s figures for the ratio.

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/debrief-dev/debrief/internal/auth"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// appendClients is how many clients post timeline entries at once.
const appendClients = 64

// benchBody is a typical quick-entry line, posted by every append.
const benchBody = "Grafana shows **p99 latency** on `checkout-api` at 2.4s (baseline 180ms); " +
	"5xx rate 3.1% and climbing since the 14:02 deploy. See the dashboard for the spike."

// benchDB opens a migrated store on a fresh file (what store.OpenTest does,
// but keeping the path so the benchmark can open its own connections) and
// declares one incident on it.
func benchDB(b *testing.B, opts ...store.Option) (st *store.Store, path string, incidentID int64) {
	b.Helper()
	path = filepath.Join(b.TempDir(), "debrief.db")
	st, err := store.Open(path, opts...)
	if err != nil {
		b.Fatalf("open store: %v", err)
	}
	b.Cleanup(func() { _ = st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		b.Fatalf("migrate: %v", err)
	}
	inc := &model.Incident{Title: "Checkout latency in eu-west-1", Severity: "SEV2"}
	if err := st.CreateIncident(context.Background(), inc, "Incident Commander"); err != nil {
		b.Fatalf("create incident: %v", err)
	}
	return st, path, inc.ID
}

func benchServer(b *testing.B, st *store.Store) (*Server, benchCred) {
	b.Helper()
	// Like newTestApp: the request log is formatted, then discarded, so its
	// cost is counted as it would be in production.
	srv := testServer(b, st, Options{})
	ctx := context.Background()
	hash, err := srv.opts.Hasher.Hash(testPassword)
	if err != nil {
		b.Fatal(err)
	}
	u := &model.User{Email: "bench@example.com", Name: "Bench Scribe", Role: model.RoleEditor, PasswordHash: hash}
	if err := st.CreateUser(ctx, u); err != nil {
		b.Fatalf("create user: %v", err)
	}
	secret, tokenHash, err := auth.NewToken()
	if err != nil {
		b.Fatal(err)
	}
	if err := st.CreateToken(ctx, &model.APIToken{UserID: u.ID, Name: "bench", Hash: tokenHash, Prefix: secret[:10]}); err != nil {
		b.Fatalf("create token: %v", err)
	}
	form := url.Values{"email": {u.Email}, "password": {testPassword}, "_csrf": {testCSRF}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "debrief_csrf", Value: testCSRF})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	cred := benchCred{token: "Bearer " + secret}
	for _, c := range rec.Result().Cookies() {
		if c.Name == "debrief_session" {
			cred.session = c
		}
	}
	if cred.session == nil {
		b.Fatalf("sign in: status %d", rec.Code)
	}
	return srv, cred
}

// benchCred is how benchmark requests authenticate, like real clients:
// a bearer token on the API, a session cookie on pages.
type benchCred struct {
	token   string
	session *http.Cookie
}

// countEntries counts an incident's timeline entries by the given author,
// through a connection of its own.
func countEntries(b *testing.B, path string, incidentID int64, author string) int64 {
	b.Helper()
	db, err := sql.Open("sqlite3", store.DSN(path, false))
	if err != nil {
		b.Fatalf("open: %v", err)
	}
	defer db.Close()
	var n int64
	err = db.QueryRow("SELECT count(*) FROM timeline_entries WHERE incident_id = ? AND author = ?", incidentID, author).Scan(&n)
	if err != nil {
		b.Fatalf("count entries: %v", err)
	}
	return n
}

func reportRate(b *testing.B, unit string) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, unit)
	}
}

// checkNoneLost fails unless the database holds exactly one row per
// acknowledged append and every acknowledged id is distinct.
func checkNoneLost(b *testing.B, path string, incidentID int64, ids [][]int64, failed int64) {
	b.Helper()
	if failed > 0 {
		b.Fatalf("%d of %d appends were not answered 201", failed, b.N)
	}
	seen := make(map[int64]struct{}, b.N)
	for _, part := range ids {
		for _, id := range part {
			seen[id] = struct{}{}
		}
	}
	rows := countEntries(b, path, incidentID, "bench")
	lost := int64(b.N) - rows
	b.ReportMetric(float64(lost), "lost")
	if lost != 0 || len(seen) != b.N {
		b.Fatalf("%d appends acknowledged (%d distinct ids), %d rows stored", b.N, len(seen), rows)
	}
}

func BenchmarkTimelineAppend(b *testing.B) {
	occurred := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	body := fmt.Appendf(nil, `{"occurred_at":%q,"kind":"observation","body":%q,"author":"bench"}`,
		occurred.Format(time.RFC3339Nano), benchBody)

	// The baseline: the row AppendTimeline writes (the statement GORM
	// generates for it, RETURNING included), inserted in autocommit on one
	// connection with the store's write pragmas, from one goroutine.
	b.Run("raw_sqlite", func(b *testing.B) {
		st, path, incID := benchDB(b)
		// Only this benchmark's connection writes; close the store's handles so
		// they hold no connection (and no WAL snapshot) meanwhile.
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		db, err := sql.Open("sqlite3", store.DSN(path, true))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		stmt, err := db.Prepare("INSERT INTO `timeline_entries` (`incident_id`,`occurred_at`,`kind`,`body`," +
			"`evidence_url`,`author`,`learned_later`,`version`,`created_at`,`updated_at`) " +
			"VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING `id`")
		if err != nil {
			b.Fatal(err)
		}
		defer stmt.Close()
		ids := make([]int64, 0, b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			now := time.Now().UTC().Truncate(time.Millisecond)
			var id int64
			err := stmt.QueryRow(incID, occurred, string(model.KindObservation), benchBody, "", "bench", false, 1, now, now).Scan(&id)
			if err != nil {
				b.Fatal(err)
			}
			ids = append(ids, id)
		}
		b.StopTimer()
		reportRate(b, "entries/s")
		checkNoneLost(b, path, incID, [][]int64{ids}, 0)
	})

	// The real thing: 64 clients posting over loopback HTTP/1.1 keep-alive
	// connections. Client and server share the machine's cores.
	b.Run("http_64_clients", func(b *testing.B) {
		st, path, incID := benchDB(b)
		srv, cred := benchServer(b, st)
		ts := httptest.NewServer(srv)
		defer ts.Close()
		tr := &http.Transport{MaxIdleConns: appendClients, MaxIdleConnsPerHost: appendClients}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr, Timeout: time.Minute}
		url := fmt.Sprintf("%s/api/v1/incidents/%d/timeline", ts.URL, incID)

		post := func() (int64, error) {
			req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			if err != nil {
				return 0, err
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", cred.token)
			resp, err := client.Do(req)
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body) // so the connection is reused
			if resp.StatusCode != http.StatusCreated {
				return 0, fmt.Errorf("status %d", resp.StatusCode)
			}
			return entryIDFromLocation(resp.Header.Get("Location"))
		}
		b.ReportAllocs()
		b.ResetTimer()
		ids, failed, firstErr := runClients(b.N, appendClients, post)
		b.StopTimer()
		if firstErr != nil {
			b.Logf("first failure: %v", firstErr)
		}
		reportRate(b, "entries/s")
		checkNoneLost(b, path, incID, ids, failed)
	})

	// The same 64 clients without the network: requests go straight to the
	// handler, which separates the cost of the HTTP stack from the app's.
	b.Run("http_64_clients_inprocess", func(b *testing.B) {
		st, path, incID := benchDB(b)
		srv, cred := benchServer(b, st)
		target := fmt.Sprintf("/api/v1/incidents/%d/timeline", incID)

		post := func() (int64, error) {
			req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", cred.token)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				return 0, fmt.Errorf("status %d: %s", rec.Code, rec.Body)
			}
			return entryIDFromLocation(rec.Header().Get("Location"))
		}
		b.ReportAllocs()
		b.ResetTimer()
		ids, failed, firstErr := runClients(b.N, appendClients, post)
		b.StopTimer()
		if firstErr != nil {
			b.Logf("first failure: %v", firstErr)
		}
		reportRate(b, "entries/s")
		checkNoneLost(b, path, incID, ids, failed)
	})
}

// runClients calls do n times in total from clients goroutines. It returns
// the ids each client got, the number of failed calls and the first error.
func runClients(n, clients int, do func() (int64, error)) (ids [][]int64, failed int64, firstErr error) {
	var (
		next    atomic.Int64
		nfailed atomic.Int64
		once    sync.Once
		wg      sync.WaitGroup
	)
	ids = make([][]int64, clients)
	for c := range clients {
		wg.Go(func() {
			mine := make([]int64, 0, n/clients+1)
			for next.Add(1) <= int64(n) {
				id, err := do()
				if err != nil {
					nfailed.Add(1)
					once.Do(func() { firstErr = err })
					continue
				}
				mine = append(mine, id)
			}
			ids[c] = mine
		})
	}
	wg.Wait()
	return ids, nfailed.Load(), firstErr
}

// entryIDFromLocation reads the entry id off /api/v1/incidents/1/timeline/42.
func entryIDFromLocation(loc string) (int64, error) {
	i := strings.LastIndexByte(loc, '/')
	id, err := strconv.ParseInt(loc[i+1:], 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("bad Location %q", loc)
	}
	return id, nil
}

// lastEntryMarker is in the body of the incident's last timeline entry.
const lastEntryMarker = "final-entry-7f3a"

// seedIncident200 declares an incident as it looks after a long night: 200
// timeline entries of every kind over two UTC dates, Markdown bodies of
// 120–300 characters, some learned later, some with evidence links, a few
// edited (so revisions show).
func seedIncident200(b *testing.B, st *store.Store, start time.Time) int64 {
	b.Helper()
	ctx := context.Background()
	at := func(d time.Duration) *time.Time { t := start.Add(d); return &t }
	inc := &model.Incident{
		Title:    "Card payments failing for EU customers after connection-pool change",
		Severity: "SEV1",
		Summary: "Between 22:25 and 03:40 UTC about **18%** of card payments in the EU failed with `502`. " +
			"The `payments-worker` connection pool was exhausted after a retry-policy change tripled in-flight requests.",
		Impact:         "- ~41 000 failed checkouts\n- support queue +900 tickets\n- no data loss",
		Services:       []string{"payments-worker", "checkout-api", "api-gateway"},
		Tags:           []string{"payments", "eu-west-1", "config-change"},
		Roles:          model.Roles{Commander: "Dana Kim", CommsLead: "Luis Ortega", Scribe: "Priya Nair", Responders: []string{"Sam Lee", "Ana Costa", "Jon Berg"}},
		StartedAt:      at(-5 * time.Minute),
		DetectedAt:     at(-2 * time.Minute),
		AcknowledgedAt: at(0),
	}
	if err := st.At(start).CreateIncident(ctx, inc, "Priya Nair"); err != nil {
		b.Fatalf("create incident: %v", err)
	}
	bodies := []string{
		"Grafana shows **p99 latency** on `checkout-api` at %dms (baseline 180ms). Error rate is climbing; " +
			"see the [checkout dashboard](https://grafana.example.com/d/checkout?from=now-1h) for the spike.",
		"Rolled back `payments-worker` to v2.%d.1:\n\n```\nkubectl rollout undo deployment/payments-worker -n prod\n```\n\n" +
			"Queue depth still above 5 000 messages; watching it.",
		"Decision: keep **read-only mode** on for EU customers until replica lag is under %d s. " +
			"Dana to confirm with support; next check in 15 minutes.",
		"Posted update #%d to the status page: _We are seeing elevated errors for card payments in Europe. " +
			"A fix is being deployed and we will update within 30 minutes._",
		"PagerDuty alert `HighErrorRate` fired again for `api-gateway` (5xx > 2%% over 5m, %d pages so far). " +
			"Auto-acknowledged by the *sre-primary* rotation.",
		"Deploy of `api-gateway` build #%d (commit `a1b2c3d`) to canary at 10%% traffic. Changes:\n\n" +
			"- connection pool 50 → 200\n- retry budget tightened to 10%%",
		"Database `pg-payments-1` shows %d active connections out of 500; `pg_stat_activity` is mostly " +
			"`idle in transaction` from the worker pods.",
	}
	for i := range 200 {
		kind := model.EntryKinds[i%len(model.EntryKinds)]
		e := &model.TimelineEntry{
			IncidentID: inc.ID,
			OccurredAt: start.Add(time.Duration(i) * 95 * time.Second),
			Kind:       kind,
			Body:       fmt.Sprintf(bodies[i%len(bodies)], 100+i*7),
			Author:     []string{"Priya Nair", "Sam Lee", "Ana Costa", "Dana Kim"}[i%4],
		}
		if i%5 == 0 {
			e.EvidenceURL = fmt.Sprintf("https://grafana.example.com/d/payments?orgId=1&from=%d", i)
		}
		if i%9 == 0 {
			e.LearnedLater = true
			e.Body = "Learned later: " + e.Body
		}
		if i == 199 {
			e.Body += " " + lastEntryMarker
		}
		if err := st.AppendTimeline(ctx, e); err != nil {
			b.Fatalf("append entry %d: %v", i, err)
		}
		if i%20 == 10 { // edited once, some twice
			for v := 1; v <= 1+i%40/30; v++ {
				body := e.Body + fmt.Sprintf(" (corrected, rev %d)", v)
				if _, err := st.UpdateTimelineEntry(ctx, inc.ID, e.ID, model.EntryPatch{Body: &body, Version: v}); err != nil {
					b.Fatalf("edit entry %d: %v", i, err)
				}
			}
		}
	}
	return inc.ID
}

func BenchmarkIncidentPage200(b *testing.B) {
	// A fixed clock after the timeline, which starts 22:30 UTC and crosses
	// midnight (200 entries, 95 s apart).
	start := time.Date(2026, 11, 20, 22, 30, 0, 0, time.UTC)
	now := start.Add(12 * time.Hour)
	st, _, _ := benchDB(b, store.WithClock(func() time.Time { return now }))
	id := seedIncident200(b, st, start)
	srv, cred := benchServer(b, st)
	target := fmt.Sprintf("/incidents/%d", id)
	pageRequest := func() *http.Request {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.AddCookie(cred.session)
		return req
	}

	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, pageRequest())
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: status %d", target, rec.Code)
	}
	page := rec.Body.String()
	if n := strings.Count(page, lastEntryMarker); n != 1 {
		b.Fatalf("page shows the last entry %d times, want once", n)
	}
	pageKiB := float64(len(page)) / 1024

	// Server render time: the request through Echo (middleware, store
	// reads, template, Markdown) into a recorder.
	b.Run("render", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, pageRequest())
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
		reportRate(b, "req/s")
		b.ReportMetric(pageKiB, "KiB/page")
	})

	// Throughput seen by 8 browsers at once over loopback HTTP.
	b.Run("http_8_clients", func(b *testing.B) {
		ts := httptest.NewServer(srv)
		defer ts.Close()
		tr := &http.Transport{MaxIdleConnsPerHost: 8}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr, Timeout: time.Minute}
		get := func() (int64, error) {
			req, err := http.NewRequest(http.MethodGet, ts.URL+target, nil)
			if err != nil {
				return 0, err
			}
			req.AddCookie(cred.session)
			resp, err := client.Do(req)
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			n, err := io.Copy(io.Discard, resp.Body)
			if err != nil {
				return 0, err
			}
			if resp.StatusCode != http.StatusOK {
				return 0, fmt.Errorf("status %d", resp.StatusCode)
			}
			return n, nil
		}
		b.ReportAllocs()
		b.ResetTimer()
		_, failed, firstErr := runClients(b.N, 8, get)
		b.StopTimer()
		if failed > 0 {
			b.Fatalf("%d of %d requests failed; first: %v", failed, b.N, firstErr)
		}
		reportRate(b, "req/s")
	})
}
