package search

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	_ "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

// incidents are the rows of the test index; rowid is index+1.
var incidents = []struct{ key, title, body string }{
	{"pool", "Connection pool exhausted on payments-api", "The connection pool of payments-api ran dry at the evening peak; checkout requests queued and timed out."},
	{"storm", "Database connection storm after failover", "Every worker reconnected at once when the primary failed over; we raised the pool size and added jitter."},
	{"deadlock", "Deadlock in billing worker", "Two transactions deadlocked on the invoices table and the worker stopped retrying."},
	{"dlq", "Dead letter queue filled up", "Messages piled up in the dead letter queue after a bad deploy to staging."},
	{"staging", "Staging outage after config push", "A bad config push took staging down for an hour; production was not affected."},
	{"dns", "Production outage: DNS resolution failures", "Resolvers returned SERVFAIL for internal zones; most services failed their health checks."},
	{"cert", "TLS certificate expired on the API gateway", "The certificate renewal job had been failing silently for a month."},
	{"latency", "Payments API latency spike", "p99 latency of the payments api tripled after the cache was flushed."},
	{"cafe", "Café menu service returned stale prices", "The menu cache in the café kiosk app was never invalidated."},
	{"disk", "Disk full on the log collector", "Log rotation was disabled by a config change; the disk filled overnight."},
	{"oncall", "Pager did not reach the on-call engineer", "The escalation policy pointed at a deleted schedule."},
	{"lag", "Consumer lag in the notifications service", "Consumers fell behind after a partition rebalance; emails went out two hours late."},
	{"oom", "OOM kills in the search indexer", "A memory leak in the indexer's batch buffer caused repeated OOM kills."},
	{"ratelimit", "Rate limiting blocked a partner integration", "A new rate limit rule matched the partner's shared IP range."},
	{"backup", "Nightly backup silently skipped", "The backup cron ran as a user without access to the snapshot bucket."},
	{"emoji", "🔥 Checkout down during the flash sale", "Checkout returned 502 for twenty minutes 🔥 while traffic peaked."},
	{"arabic", "انقطاع الخدمة في مركز البيانات", "توقف الخادم الرئيسي عن الاستجابة لمدة ساعة"},
	{"hebrew", "תקלה בשרת הדואר", "השרת הפסיק לשלוח הודעות במשך שעתיים"},
	{"chinese", "数据库 连接池 耗尽", "高峰期 数据库 连接 超时"},
	{"hindi", "हिन्दी सर्वर विफलता", "डेटाबेस सर्वर बंद हो गया"},
}

// openIndex opens a temp-file SQLite database with an FTS5 table shaped
// like the archive index, holding incidents, and an empty one-column table,
// probe, with the same tokenizer.
func openIndex(tb testing.TB, dir string) *sql.DB {
	tb.Helper()
	// A scratch database: durability would only slow the fuzzer down.
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "search.db")+"?_journal_mode=MEMORY&_synchronous=OFF")
	require.NoError(tb, err)
	tb.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	for _, stmt := range []string{
		`CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')`,
		`CREATE VIRTUAL TABLE probe USING fts5(t, tokenize='unicode61 remove_diacritics 2')`,
	} {
		_, err := db.Exec(stmt)
		require.NoError(tb, err)
	}
	for i, inc := range incidents {
		_, err := db.Exec(`INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)`, i+1, inc.title, inc.body)
		require.NoError(tb, err)
	}
	return db
}

// hits returns the keys of the incidents that match expr, in rowid order.
func hits(tb testing.TB, db *sql.DB, expr string) []string {
	tb.Helper()
	rows, err := db.Query(`SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rowid`, expr)
	require.NoError(tb, err, "MATCH %s", expr)
	defer rows.Close()
	keys := []string{}
	for rows.Next() {
		var id int
		require.NoError(tb, rows.Scan(&id))
		keys = append(keys, incidents[id-1].key)
	}
	require.NoError(tb, rows.Err(), "MATCH %s", expr)
	return keys
}

// checkQuery checks what every query Parse accepts from in must satisfy
// against db: its MATCH expression evaluates without error; its included
// terms match a row that holds in (searching for text finds that text); and
// each term matches a row that holds just the term's text (no term is one
// that FTS5 tokenizes to nothing, which would silently match nothing).
func checkQuery(t *testing.T, db *sql.DB, in string, q Query) {
	t.Helper()
	expr, ok := q.MATCH()
	require.Equal(t, len(q.Groups) > 0, ok)
	if ok {
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM docs WHERE docs MATCH ?`, expr).Scan(&n), "MATCH %s", expr)
	}

	terms := append([]Term(nil), q.Excluded...)
	for _, g := range q.Groups {
		require.NotEmpty(t, g)
		terms = append(terms, g...)
	}
	require.LessOrEqual(t, len(terms), MaxTerms)
	// The probe rows live in a transaction that is rolled back: FTS5 sees
	// its own pending writes, and nothing is written to disk.
	tx, err := db.Begin()
	require.NoError(t, err)
	defer tx.Rollback()
	for i, term := range terms {
		require.NotEmpty(t, words(term.Text), "term %+v", term)
		_, err := tx.Exec(`INSERT INTO probe(rowid, t) VALUES (?, ?)`, i+1, term.Text)
		require.NoError(t, err)
	}
	// Searching for text finds a row that holds that text.
	if expr, ok := (Query{Groups: q.Groups}).MATCH(); ok {
		_, err := tx.Exec(`INSERT INTO probe(rowid, t) VALUES (0, ?)`, in)
		require.NoError(t, err)
		var n int
		err = tx.QueryRow(`SELECT count(*) FROM probe WHERE probe MATCH ? AND rowid = 0`, expr).Scan(&n)
		require.NoError(t, err, "MATCH %s", expr)
		require.Equal(t, 1, n, "%s does not match its own input", expr)
	}
	for i, term := range terms {
		expr, _ := Query{Groups: []Group{{term}}}.MATCH()
		var n int
		err := tx.QueryRow(`SELECT count(*) FROM probe WHERE probe MATCH ? AND rowid = ?`, expr, i+1).Scan(&n)
		require.NoError(t, err, "MATCH %s", expr)
		require.Equal(t, 1, n, "term %+v does not match its own text", term)
	}
}

// TestWordsAgreeWithUnicode61 checks every code point that words takes for
// a word on its own: FTS5 must make a token of it too, or a term made of it
// would be a phrase that matches nothing and empties every search it is in.
// (The other way round is harmless: a term FTS5 could search but words
// finds no word in is dropped, which widens the search.)
func TestWordsAgreeWithUnicode61(t *testing.T) {
	db := openIndex(t, t.TempDir())
	tx, err := db.Begin()
	require.NoError(t, err)
	defer tx.Rollback()
	insert, err := tx.Prepare(`INSERT INTO probe(rowid, t) VALUES (?, ?)`)
	require.NoError(t, err)
	n := 0
	for r := rune(1); r <= unicode.MaxRune; r++ {
		if utf8.ValidRune(r) && len(words(string(r))) == 1 {
			_, err := insert.Exec(r, string(r))
			require.NoError(t, err)
			n++
		}
	}
	require.Greater(t, n, 100000)

	_, err = tx.Exec(`CREATE VIRTUAL TABLE temp.probe_tokens USING fts5vocab(main, probe, 'instance')`)
	require.NoError(t, err)
	rows, err := tx.Query(`SELECT rowid FROM probe WHERE rowid NOT IN (SELECT doc FROM temp.probe_tokens)`)
	require.NoError(t, err)
	defer rows.Close()
	var missing []string
	for rows.Next() {
		var r rune
		require.NoError(t, rows.Scan(&r))
		missing = append(missing, fmt.Sprintf("%U", r))
	}
	require.NoError(t, rows.Err())
	assert.Empty(t, missing, "words finds a word where unicode61 finds no token")
}

func TestMATCHRunsInFTS5(t *testing.T) {
	db := openIndex(t, t.TempDir())
	for _, tc := range matchCases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.in)
			require.NoError(t, err)
			checkQuery(t, db, tc.in, q)
		})
	}
}

// TestRawInputBreaksFTS5 shows what Parse is for: typed as-is, these
// queries are FTS5 errors (a 500, if they reached MATCH).
func TestRawInputBreaksFTS5(t *testing.T) {
	db := openIndex(t, t.TempDir())
	for _, in := range []string{`"`, `AND(`, `*`, `-staging`, `a OR`, `:`, `title:`, `x"y`, `(a`, `'; DROP TABLE x; --`, `a AND`, `NEAR(`} {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM docs WHERE docs MATCH ?`, in).Scan(&n)
		assert.Error(t, err, "raw %q", in)

		q, err := Parse(in)
		require.NoError(t, err)
		if expr, ok := q.MATCH(); ok {
			hits(t, db, expr)
		}
	}
}

func TestSearchSemantics(t *testing.T) {
	db := openIndex(t, t.TempDir())
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"words are ANDed", `connection pool`, []string{"pool", "storm"}},
		{"phrase needs adjacent words", `"connection pool"`, []string{"pool"}},
		{"phrase needs the order", `"pool connection"`, []string{}},
		{"word is a whole token", `dead`, []string{"dlq"}},
		{"prefix", `dead*`, []string{"deadlock", "dlq"}},
		{"prefix is case-blind", `DEADL*`, []string{"deadlock"}},
		{"exclusion removes rows", `outage -staging`, []string{"dns"}},
		{"without the exclusion", `outage`, []string{"staging", "dns"}},
		{"excluded phrase", `outage -"config push"`, []string{"dns"}},
		{"excluded prefix", `outage -stag*`, []string{"dns"}},
		{"OR widens", `deadlock OR certificate`, []string{"deadlock", "cert"}},
		{"OR group ANDed with a word", `deadlock OR certificate renewal`, []string{"cert"}},
		{"OR with exclusion", `deadlock OR certificate OR outage -staging`, []string{"deadlock", "dns", "cert"}},
		{"hyphenated word", `payments-api`, []string{"pool", "latency"}},
		{"hyphenated word quoted", `"payments-api"`, []string{"pool", "latency"}},
		{"hyphenated prefix", `payments-a*`, []string{"pool", "latency"}},
		{"apostrophe", `partner's`, []string{"ratelimit"}},
		{"diacritics folded", `cafe`, []string{"cafe"}},
		{"upper case with diacritic", `CAFÉ`, []string{"cafe"}},
		{"combining mark", "cafe\u0301", []string{"cafe"}},
		{"NOT is a word", `NOT reach`, []string{"oncall"}},
		{"column filter is text", `title:deadlock`, []string{}},
		{"emoji ignored", `🔥 checkout`, []string{"pool", "emoji"}},
		{"Arabic", `انقطاع`, []string{"arabic"}},
		{"Arabic phrase", `"انقطاع الخدمة"`, []string{"arabic"}},
		{"Hebrew", `תקלה בשרת`, []string{"hebrew"}},
		{"CJK", `数据库 连接池`, []string{"chinese"}},
		{"Devanagari", `सर्वर`, []string{"hindi"}},
		{"SQL injection is text", `'; DROP TABLE docs; --`, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.in)
			require.NoError(t, err)
			expr, ok := q.MATCH()
			require.True(t, ok)
			assert.Equal(t, tc.want, hits(t, db, expr), "MATCH %s", expr)
		})
	}

	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM docs`).Scan(&n))
	assert.Equal(t, len(incidents), n, "the table survived")
}

// FuzzMATCH checks that whatever a person types, Parse either refuses it
// with a validation error for q or gives a query FTS5 can evaluate.
func FuzzMATCH(f *testing.F) {
	for _, tc := range matchCases {
		f.Add(tc.in)
	}
	for _, tc := range errCases {
		f.Add(tc.in)
	}
	db := openIndex(f, f.TempDir())
	f.Fuzz(func(t *testing.T, in string) {
		q, err := Parse(in)
		refuse := !utf8.ValidString(in) || strings.Contains(in, "\x00") || utf8.RuneCountInString(in) > MaxQueryLen
		if refuse {
			var ve *model.ValidationError
			require.True(t, errors.As(err, &ve), "got %v", err)
			require.Contains(t, ve.Fields, "q")
			return
		}
		require.NoError(t, err)
		checkQuery(t, db, in, q)
	})
}
