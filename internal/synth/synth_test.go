package synth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
	"github.com/debrief-dev/debrief/internal/store"
)

var testNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// generate writes an archive of n incidents into a fresh migrated
// database and returns the store and a raw handle on it.
func generate(t *testing.T, opts Options) (*store.Store, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "debrief.db")
	st, err := store.Open(path, store.WithClock(func() time.Time { return opts.Now }))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	_, err = st.Migrate(context.Background())
	require.NoError(t, err)
	db, err := sql.Open("sqlite3", store.DSN(path, true))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, Generate(context.Background(), db, opts))
	return st, db
}

func count(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow(query, args...).Scan(&n), query)
	return n
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	const n = 60
	st, db := generate(t, Options{N: n, Seed: 7, Now: testNow, Workers: 2})
	ctx := context.Background()

	assert.Equal(t, n, count(t, db, "SELECT count(*) FROM incidents"))
	var problems []string
	rows, err := db.Query("PRAGMA foreign_key_check")
	require.NoError(t, err)
	for rows.Next() {
		problems = append(problems, "foreign key")
	}
	require.NoError(t, rows.Close())
	assert.Empty(t, problems, "foreign keys")
	var integrity string
	require.NoError(t, db.QueryRow("PRAGMA integrity_check").Scan(&integrity))
	assert.Equal(t, "ok", integrity)

	// Every incident has the parts the issue asks for, in the sizes asked.
	for _, c := range []struct {
		what     string
		query    string
		min, max int
	}{
		{"services", "SELECT count(*) FROM incident_services WHERE incident_id = ?", 1, 4},
		{"timeline entries", "SELECT count(*) FROM timeline_entries WHERE incident_id = ?", 8, 40},
		{"factors", "SELECT count(*) FROM contributing_factors WHERE incident_id = ?", 2, 5},
		{"whys", "SELECT count(*) FROM why_nodes WHERE incident_id = ?", 4, 10},
		{"action items", "SELECT count(*) FROM action_items WHERE incident_id = ?", 2, 6},
	} {
		for id := 1; id <= n; id++ {
			got := count(t, db, c.query, id)
			assert.True(t, got >= c.min && got <= c.max, "incident %d has %d %s, want %d–%d", id, got, c.what, c.min, c.max)
		}
	}
	assert.Zero(t, count(t, db, `SELECT count(*) FROM incidents WHERE NOT (started_at <= detected_at AND detected_at <= acknowledged_at
		AND (mitigated_at IS NULL OR acknowledged_at <= mitigated_at) AND (resolved_at IS NULL OR mitigated_at <= resolved_at))`), "milestones out of order")
	assert.Zero(t, count(t, db, "SELECT count(*) FROM incidents WHERE (status = 'resolved') <> (resolved_at IS NOT NULL)"))
	assert.Zero(t, count(t, db, "SELECT count(*) FROM incidents WHERE started_at > ? OR created_at > ?", testNow, testNow))
	assert.Greater(t, count(t, db, "SELECT count(*) FROM incidents WHERE status = 'resolved'"), n*8/10, "mostly resolved")
	assert.Greater(t, count(t, db, "SELECT count(*) FROM incidents WHERE severity = 'SEV3'"), count(t, db, "SELECT count(*) FROM incidents WHERE severity = 'SEV1'"))
	assert.Greater(t, count(t, db, "SELECT count(DISTINCT kind) FROM timeline_entries"), 6, "every kind of entry")
	assert.Greater(t, count(t, db, "SELECT count(DISTINCT category) FROM contributing_factors"), 6)
	for _, status := range model.ActionStatuses {
		assert.NotZero(t, count(t, db, "SELECT count(*) FROM action_items WHERE status = ?", status), "action items %s", status)
	}
	assert.NotZero(t, count(t, db, "SELECT count(*) FROM action_items WHERE status IN ('open', 'in_progress') AND due_date < ?", testNow.Format(time.DateOnly)), "overdue items")
	assert.Greater(t, count(t, db, "SELECT count(*) FROM (SELECT parent_id FROM why_nodes WHERE parent_id IS NOT NULL GROUP BY parent_id HAVING count(*) > 1)"), n/3, "forks in the whys trees")
	assert.NotZero(t, count(t, db, "SELECT count(*) FROM why_nodes WHERE parent_id IS NOT NULL AND factor_id IS NOT NULL"), "promoted whys")
	published := count(t, db, "SELECT count(*) FROM postmortems WHERE status = 'published'")
	assert.Greater(t, published, n/2, "most postmortems published")
	assert.Equal(t, published, count(t, db, "SELECT count(DISTINCT incident_id) FROM postmortem_revisions"))
	assert.NotZero(t, count(t, db, "SELECT count(*) FROM postmortems WHERE status <> 'published'"), "some drafts and reviews")
	assert.Zero(t, count(t, db, "SELECT count(*) FROM postmortems p JOIN incidents i ON i.id = p.incident_id WHERE p.status = 'published' AND i.status <> 'resolved'"))

	// Every text is filled in: no slot is left as a template.
	slot := regexp.MustCompile(`\{[a-z0-9]+\}`)
	for _, q := range []string{
		"SELECT title || summary || impact FROM incidents", "SELECT body FROM timeline_entries",
		"SELECT title || description FROM contributing_factors", "SELECT text FROM why_nodes",
		"SELECT title || description || closure_note || rationale FROM action_items", "SELECT body FROM postmortem_sections",
	} {
		rows, err := db.Query(q)
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			assert.False(t, slot.MatchString(s), "unfilled slot in %q", s)
		}
		require.NoError(t, rows.Close())
	}

	// The store reads every incident back as valid data, and the
	// postmortems are blameless: no lint finding anywhere, and the
	// published ones pass the publish gate.
	checker, err := lint.Default()
	require.NoError(t, err)
	for id := int64(1); id <= n; id++ {
		doc, err := st.Document(ctx, id)
		require.NoError(t, err)
		inc := *doc.Incident
		assert.NoError(t, inc.Validate(testNow), "incident %d", id)
		for _, e := range doc.Timeline {
			assert.NoError(t, e.Validate(testNow), "incident %d entry %d", id, e.ID)
		}
		for _, f := range doc.Factors {
			assert.NoError(t, f.Validate(), "incident %d factor %d", id, f.ID)
		}
		for _, r := range doc.Whys {
			r.Walk(func(w *model.WhyNode) { assert.NoError(t, w.Validate(), "incident %d why %d", id, w.ID) })
		}
		for _, a := range doc.Actions {
			assert.NoError(t, a.Validate(), "incident %d action %d", id, a.ID)
		}
		findings := postmortem.Findings(doc, checker)
		assert.Empty(t, findings, "incident %d", id)
		if doc.Postmortem.Status == model.PostmortemPublished {
			assert.Empty(t, postmortem.Gate(doc, findings), "incident %d", id)
			rev, err := st.Revision(ctx, id, 1)
			require.NoError(t, err)
			assert.Contains(t, rev.Markdown, doc.Incident.Title)
		}
		md := string(postmortem.Render(doc, postmortem.Options{}))
		assert.NotContains(t, md, "%!", "incident %d: a formatting error", id)
	}
}

// dump hashes every row of every table the generator writes.
func dump(t *testing.T, db *sql.DB) string {
	t.Helper()
	h := sha256.New()
	for _, table := range []string{
		"incidents", "services", "incident_services", "incident_tags", "incident_roles", "timeline_entries",
		"timeline_entry_revisions", "contributing_factors", "why_nodes", "action_items", "action_item_factors",
		"action_item_whys", "postmortems", "postmortem_sections", "postmortem_people", "postmortem_revisions",
	} {
		rows, err := db.Query("SELECT * FROM " + table + " ORDER BY 1, 2")
		require.NoError(t, err)
		cols, err := rows.Columns()
		require.NoError(t, err)
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			require.NoError(t, rows.Scan(ptrs...))
			fmt.Fprintf(h, "%s %v\n", table, vals)
		}
		require.NoError(t, rows.Close())
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	opts := Options{N: 25, Seed: 42, Now: testNow, Workers: 1}
	_, a := generate(t, opts)
	opts.Workers = 3
	_, b := generate(t, opts)
	assert.Equal(t, dump(t, a), dump(t, b), "same seed, different workers")
	opts.Seed = 43
	_, c := generate(t, opts)
	assert.NotEqual(t, dump(t, a), dump(t, c), "another seed")
}

// The vocabulary has a long tail: a few words are everywhere, most are
// rare, as in real writing (and unlike a handful of words repeated).
func TestVocabularyLongTail(t *testing.T) {
	t.Parallel()
	_, db := generate(t, Options{N: 200, Seed: 3, Now: testNow})
	freq := map[string]int{}
	rows, err := db.Query("SELECT body FROM timeline_entries UNION ALL SELECT title || ' ' || summary FROM incidents")
	require.NoError(t, err)
	total := 0
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		}) {
			freq[w]++
			total++
		}
	}
	require.NoError(t, rows.Close())
	once := 0
	for _, c := range freq {
		if c == 1 {
			once++
		}
	}
	t.Logf("%d tokens, %d distinct, %d seen once", total, len(freq), once)
	if testing.Verbose() {
		top := make([]string, 0, len(freq))
		for w := range freq {
			top = append(top, w)
		}
		slices.SortFunc(top, func(a, b string) int { return freq[b] - freq[a] })
		t.Logf("most frequent: %v", top[:30])
	}
	assert.Greater(t, len(freq), 2000, "distinct tokens")
	assert.Greater(t, once*3, len(freq), "at least a third of the vocabulary is rare (hapax legomena)")
}
