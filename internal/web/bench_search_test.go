package web

// The search benchmark of issue 6: search latency through the HTTP API
// against the same FTS5 query run directly on the database, over generated
// archives of 10 000 and 100 000 incidents. Run it with
//
//	go test -tags sqlite_fts5 -run '^$' -bench SearchArchive -benchtime 2s ./internal/web/
//
// (-short leaves out the 100 000). Every sub-benchmark runs a fixed mix of
// realistic queries, the whole mix once per iteration (so ns/op is the time
// of the mix), and reports the p50 and p95 of the single queries' latencies
// in µs, and the database size:
//
//	direct     SELECT rowid, rank FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT 20
//	           and SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH ? (the timeline
//	           entries, indexed apart from the documents since migration 00016)
//	handler    GET /api/v1/search?q=…&limit=20 through the real server (token auth)
//	store      store.Search alone: total, facets and the page's documents
//	store_ctx  the same on a cancellable context with a deadline, as a request's
//	fts_all    every match with its rank read into Go (no LIMIT)
//	fts_count  count(*) of the matches, without bm25
//
// The others report their p50 over direct's (handler/direct: goal ≤ 2), and
// the 100k runs the growth of the p50 over the 10k's (growth-p50: goal
// ≤ 1.5). With -v, each query's hit count and, after 5 or more passes, its
// own p50 and p95 are logged; at 100k a pass of the handler takes seconds,
// so ask for passes there: -benchtime 5x.
//
// Archives are built once and cached in $TMPDIR/debrief-bench, named by the
// generator's version, the migrations, the size and the seed; delete the
// folder to build them again. Building one takes the generator (synth) and
// a full Reindex: about a minute for 100 000 incidents.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/debrief-dev/debrief/internal/auth"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/search"
	"github.com/debrief-dev/debrief/internal/store"
	"github.com/debrief-dev/debrief/internal/synth"
	"github.com/debrief-dev/debrief/migrations"
)

// searchMix is the query mix: what people type into an archive's search
// box, from single common words to rare identifiers.
var searchMix = []string{
	// single common words
	"timeout", "latency", "database", "rollback",
	// service names
	"payments-api", "kafka-cluster-eu", "auth-service",
	// phrases
	`"connection pool"`, `"certificate expired"`, `"replication lag"`, `"feature flag"`,
	// prefixes
	"dead*", "replica*", "cert*",
	// exclusions
	"dns -staging", "timeout -kafka",
	// OR
	"oom OR OOMKilled", `deadlock OR "lock timeout"`,
	// rare identifiers
	"db-prod-17", "kafka-broker-12", "OPS-1122", "SQLSTATE 40P01", "HikariPool", "x509",
	// several words
	"checkout timeout eu-west-1", "connection pool exhausted payments", "canary regression rollback",
	"retry storm circuit breaker",
}

// searchArchiveSeed and searchArchiveEnd fix the generated archives.
const searchArchiveSeed = 20261205

var searchArchiveEnd = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// searchBenchToken is the API token of the archives' viewer.
var searchBenchToken = func() string {
	sum := sha256.Sum256([]byte("debrief search benchmark"))
	return auth.TokenPrefix + base64.RawURLEncoding.EncodeToString(sum[:])
}()

// searchFigures are the p50s measured so far, for the ratios: by archive
// size, then "handler" or "direct".
var searchFigures = struct {
	sync.Mutex
	p50 map[int]map[string]float64
}{p50: map[int]map[string]float64{}}

func recordP50(n int, kind string, v float64) {
	searchFigures.Lock()
	defer searchFigures.Unlock()
	if searchFigures.p50[n] == nil {
		searchFigures.p50[n] = map[string]float64{}
	}
	searchFigures.p50[n][kind] = v
}

func p50Of(n int, kind string) float64 {
	searchFigures.Lock()
	defer searchFigures.Unlock()
	return searchFigures.p50[n][kind]
}

func BenchmarkSearchArchive(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			if n > 10_000 && testing.Short() {
				b.Skip("-short: the 10 000-incident archive only")
			}
			benchSearchArchive(b, n)
		})
	}
}

func benchSearchArchive(b *testing.B, n int) {
	path := searchArchive(b, n)
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	sizeMiB := float64(info.Size()) / (1 << 20)

	// The runs only read (but for a token's last use, once a minute).
	st, err := store.Open(path)
	if err != nil {
		b.Fatalf("open archive: %v", err)
	}
	b.Cleanup(func() { _ = st.Close() })
	db, err := sql.Open("sqlite3", store.DSN(path, false))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)

	// count runs a query on the index and counts the rows.
	count := func(q, query string) (int, error) {
		parsed, err := search.Parse(q)
		if err != nil {
			return 0, err
		}
		expr, ok := parsed.MATCH()
		if !ok {
			return 0, nil
		}
		rows, err := db.Query(query, expr)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		hits := 0
		for rows.Next() {
			var id int64
			var rank float64
			if err := rows.Scan(&id, &rank); err != nil {
				return 0, err
			}
			hits++
		}
		return hits, rows.Err()
	}
	// The goal's baseline: the best 20 documents by bm25, straight from
	// FTS5, and the timeline entries that match (their rowids, which hold
	// their incidents), the least the index must read for a query.
	direct := func(q string) (int, error) {
		n, err := count(q, "SELECT rowid, rank FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT 20")
		if err != nil {
			return 0, err
		}
		m, err := count(q, "SELECT rowid, 0.0 FROM search_entry_fts WHERE search_entry_fts MATCH ?")
		return n + m, err
	}
	// Every match with its rank, read into Go: what ranking, counting and
	// faceting every match outside SQLite costs at least.
	allRanked := func(q string) (int, error) {
		return count(q, "SELECT rowid, rank FROM search_fts WHERE search_fts MATCH ?")
	}
	// How many match, without bm25: the unranked match set.
	matchCount := func(q string) (int, error) {
		return count(q, "SELECT count(*), 0.0 FROM search_fts WHERE search_fts MATCH ?")
	}
	// The store's search (total, facets, the page's documents) without
	// HTTP, JSON and highlighting.
	storeSearchIn := func(ctx context.Context, q string) (int, error) {
		parsed, err := search.Parse(q)
		if err != nil {
			return 0, err
		}
		res, err := st.Search(ctx, store.SearchQuery{Text: parsed, Sort: store.SortRelevance, Limit: 20})
		if err != nil {
			return 0, err
		}
		return res.Total, nil
	}
	storeSearch := func(q string) (int, error) { return storeSearchIn(context.Background(), q) }
	// The same on a context that can be cancelled, as an HTTP request's
	// always can (the driver may watch such a context row by row).
	storeSearchCtx := func(q string) (int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return storeSearchIn(ctx, q)
	}

	srv := testServer(b, st, Options{})
	cred := benchCred{token: "Bearer " + searchBenchToken}
	handler := func(q string) (int, error) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/search?limit=20&q="+url.QueryEscape(q), nil)
		req.Header.Set("Authorization", cred.token)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return 0, fmt.Errorf("GET /api/v1/search?q=%s: status %d: %s", q, rec.Code, rec.Body)
		}
		return rec.Body.Len(), nil
	}

	// Both ways agree on what is best (the same index, the same rank;
	// ties may fall either way, and a timeline entry adds to the rank), and
	// every query of the mix finds something.
	for _, q := range searchMix {
		ids := directIDs(b, db, q)
		if len(ids) == 0 {
			b.Errorf("query %q finds nothing in the archive", q)
			continue
		}
		req := httptest.NewRequest(http.MethodGet, "/api/v1/search?limit=20&q="+url.QueryEscape(q), nil)
		req.Header.Set("Authorization", cred.token)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		var res struct {
			Total int `json:"total"`
			Hits  []struct {
				IncidentID int64 `json:"incident_id"`
			} `json:"hits"`
		}
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &res) != nil {
			b.Fatalf("GET /api/v1/search?q=%s: status %d: %.300s", q, rec.Code, rec.Body)
		}
		if len(res.Hits) == 0 || !slices.Contains(ids, res.Hits[0].IncidentID) {
			b.Errorf("query %q: the API's first hit is not among the index's best 20", q)
		}
		if testing.Verbose() {
			b.Logf("%-40q %6d hits", q, res.Total)
		}
	}

	for _, way := range []struct {
		name string
		run  func(string) (int, error)
	}{{"direct", direct}, {"handler", handler}, {"store", storeSearch}, {"store_ctx", storeSearchCtx}, {"fts_all", allRanked}, {"fts_count", matchCount}} {
		b.Run(way.name, func(b *testing.B) {
			// Warm the page cache and the statement caches first.
			for _, q := range searchMix {
				if _, err := way.run(q); err != nil {
					b.Fatal(err)
				}
			}
			lat := make([]time.Duration, 0, b.N*len(searchMix))
			perQuery := make([][]time.Duration, len(searchMix))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				for q, text := range searchMix {
					t0 := time.Now()
					if _, err := way.run(text); err != nil {
						b.Fatal(err)
					}
					d := time.Since(t0)
					lat = append(lat, d)
					perQuery[q] = append(perQuery[q], d)
				}
			}
			b.StopTimer()
			p50, p95 := percentile(lat, 50), percentile(lat, 95)
			b.ReportMetric(p50, "p50-µs")
			b.ReportMetric(p95, "p95-µs")
			b.ReportMetric(sizeMiB, "db-MiB")
			recordP50(n, way.name, p50)
			if way.name != "direct" {
				if d := p50Of(n, "direct"); d > 0 {
					b.ReportMetric(p50/d, way.name+"/direct")
				}
			}
			if n > 10_000 {
				if small := p50Of(10_000, way.name); small > 0 {
					b.ReportMetric(p50/small, "growth-p50")
				}
			}
			if testing.Verbose() && b.N >= 5 {
				for q, ds := range perQuery {
					b.Logf("%-8s %-40q p50 %8.0f µs  p95 %8.0f µs", way.name, searchMix[q], percentile(ds, 50), percentile(ds, 95))
				}
			}
		})
	}
	// The similar-incidents finder, computed on every incident and
	// postmortem page view: 20 incidents spread over the archive.
	b.Run("similar", func(b *testing.B) {
		similar := func(id int) error {
			req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/v1/incidents/%d/similar", id), nil)
			req.Header.Set("Authorization", cred.token)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				return fmt.Errorf("similar of %d: status %d: %.300s", id, rec.Code, rec.Body)
			}
			return nil
		}
		ids := make([]int, 20)
		for i := range ids {
			ids[i] = n * (i + 1) / (len(ids) + 1)
			if err := similar(ids[i]); err != nil { // warm up
				b.Fatal(err)
			}
		}
		lat := make([]time.Duration, 0, b.N*len(ids))
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			for _, id := range ids {
				t0 := time.Now()
				if err := similar(id); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
		}
		b.StopTimer()
		b.ReportMetric(percentile(lat, 50), "p50-µs")
		b.ReportMetric(percentile(lat, 95), "p95-µs")
	})
}

// directIDs runs the benchmark's direct query and returns the ids found:
// the best 20 documents' and the incidents of every matching entry.
func directIDs(b *testing.B, db *sql.DB, q string) []int64 {
	b.Helper()
	parsed, err := search.Parse(q)
	if err != nil {
		b.Fatal(err)
	}
	expr, _ := parsed.MATCH()
	var ids []int64
	for _, query := range []string{
		"SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT 20",
		"SELECT DISTINCT rowid >> 32 FROM search_entry_fts WHERE search_entry_fts MATCH ?",
	} {
		rows, err := db.Query(query, expr)
		if err != nil {
			b.Fatalf("MATCH %s: %v", expr, err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				b.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			b.Fatal(err)
		}
	}
	return ids
}

// percentile returns the p-th percentile of ds in µs (nearest rank).
func percentile(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return float64(s[max(i-1, 0)].Nanoseconds()) / 1e3
}

// searchArchive returns the path of the generated archive of n incidents,
// building it when no cached copy exists.
func searchArchive(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "debrief-bench")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("archive-g%d-m%s-n%d-s%d.db", synth.Version, migrationsKey(b), n, searchArchiveSeed))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			_ = os.Remove(tmp + suffix)
		}
	}()
	ctx := context.Background()
	// Shown without -v too: the first run waits minutes for this.
	fmt.Fprintf(os.Stderr, "building %s (once; cached in %s)\n", filepath.Base(path), dir)
	t0 := time.Now()
	st, err := store.Open(tmp)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatalf("migrate: %v", err)
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	// Bulk load without a journal or fsync: a crash only loses the
	// temp file.
	db, err := sql.Open("sqlite3", "file:"+tmp+"?_foreign_keys=on&_journal_mode=OFF&_synchronous=OFF")
	if err != nil {
		b.Fatal(err)
	}
	err = synth.Generate(ctx, db, synth.Options{N: n, Seed: searchArchiveSeed, Now: searchArchiveEnd})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatalf("generate: %v", err)
	}
	generated := time.Since(t0)
	t1 := time.Now()
	st, err = store.Open(tmp)
	if err != nil {
		b.Fatal(err)
	}
	indexed, err := st.Reindex(ctx)
	if err != nil {
		b.Fatalf("reindex: %v", err)
	}
	reindexed := time.Since(t1)
	if indexed != n {
		b.Fatalf("reindex indexed %d incidents, want %d", indexed, n)
	}
	// A viewer with a token of a known secret, so that runs only read.
	// (Created after the reindex: a write transaction first indexes what
	// the triggers marked, which was the whole archive before it.)
	u := &model.User{Email: "search-bench@example.com", Name: "Search Bench", Role: model.RoleViewer, PasswordHash: "-"}
	if err := st.CreateUser(ctx, u); err != nil {
		b.Fatalf("create user: %v", err)
	}
	tok := &model.APIToken{UserID: u.ID, Name: "bench", Hash: auth.HashToken(searchBenchToken), Prefix: searchBenchToken[:10]}
	if err := st.CreateToken(ctx, tok); err != nil {
		b.Fatalf("create token: %v", err)
	}
	t2 := time.Now()
	if err := st.Close(); err != nil { // checkpoints the WAL into the file
		b.Fatal(err)
	}
	checkpointed := time.Since(t2)
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	info, _ := os.Stat(path)
	b.Logf("built %s: generated %d incidents in %v, reindexed in %v, checkpointed in %v; %.0f MiB",
		filepath.Base(path), n, generated.Round(time.Millisecond), reindexed.Round(time.Millisecond),
		checkpointed.Round(time.Millisecond), float64(info.Size())/(1<<20))
	return path
}

// migrationsKey is a short hash of the migrations, so that a schema change
// builds new archives.
func migrationsKey(b *testing.B) string {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".sql") {
			return err
		}
		data, err := fs.ReadFile(migrations.FS, p)
		h.Write([]byte(p))
		h.Write(data)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))[:8]
}
