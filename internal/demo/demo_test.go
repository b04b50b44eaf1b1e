package demo

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

// TestDemoStampsNothingInTheFuture loads the samples and a generated
// history at several times of day (the resolved sample is placed relative
// to midnight UTC; the newest generated postmortems were written a few
// hours before now) and checks every timestamp in every table against the
// load's clock.
func TestDemoStampsNothingInTheFuture(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2026, 11, 22, 0, 5, 0, 0, time.UTC),
		time.Date(2026, 11, 22, 7, 30, 0, 0, time.UTC),
		time.Date(2026, 11, 22, 14, 32, 5, 0, time.UTC),
		time.Date(2026, 11, 22, 23, 59, 59, 0, time.UTC),
	} {
		t.Run(now.Format("15:04"), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "demo.db")
			st, err := store.Open(path, store.WithClock(func() time.Time { return now }))
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			ctx := context.Background()
			_, err = st.Migrate(ctx)
			require.NoError(t, err)
			n, err := Load(ctx, st)
			require.NoError(t, err)
			require.Equal(t, 2, n)
			var progress strings.Builder
			require.NoError(t, Generate(ctx, st, Generation{History: 100, BigIncident: 300}, &progress))
			assert.Contains(t, progress.String(), "generated 101 incidents in")

			// The big incident: 300 free-form entries and its milestones,
			// spread over days, by several authors, of several kinds.
			big := column(t, openRO(t, path), `SELECT count(*) || ' ' || count(DISTINCT author) || ' ' || count(DISTINCT kind) || ' ' ||
				CAST(julianday(max(occurred_at)) - julianday(min(occurred_at)) AS INTEGER)
				FROM timeline_entries GROUP BY incident_id ORDER BY count(*) DESC LIMIT 1`)
			require.Len(t, big, 1)
			var entries, authors, kinds, days int
			_, err = fmt.Sscan(big[0], &entries, &authors, &kinds, &days)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, entries, 300)
			assert.Greater(t, authors, 2)
			assert.Greater(t, kinds, 4)
			assert.GreaterOrEqual(t, days, 1)

			stamps := stampsAfter(t, path, now)
			assert.Empty(t, stamps, "timestamps later than the load's now (%s)", now)
		})
	}
}

// stampsAfter lists "table.column = value" for every stored timestamp
// later than now, whatever the table: a new table is checked too.
func stampsAfter(t *testing.T, path string, now time.Time) []string {
	t.Helper()
	db := openRO(t, path)
	tables := column(t, db, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite%' AND name NOT LIKE '%fts%' AND name NOT LIKE 'goose%'`)
	require.NotEmpty(t, tables)
	var late []string
	for _, table := range tables {
		for _, col := range column(t, db, fmt.Sprintf(`SELECT name FROM pragma_table_info(%q)`, table)) {
			// Times are stored as text "2006-01-02 15:04:05.999+00:00";
			// plain dates (due dates) are days, not instants.
			values := column(t, db, fmt.Sprintf(`SELECT %q FROM %q WHERE typeof(%q) = 'text'
				AND %q GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][ T][0-2][0-9]:*'`, col, table, col, col))
			for _, v := range values {
				at, err := parseStamp(v)
				require.NoError(t, err, "%s.%s = %q", table, col, v)
				if at.After(now) {
					late = append(late, fmt.Sprintf("%s.%s = %s", table, col, v))
				}
			}
		}
	}
	return late
}

func openRO(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func parseStamp(v string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if at, err := time.Parse(layout, v); err == nil {
			return at, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a timestamp: %q", v)
}

func column(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}
