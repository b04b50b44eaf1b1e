package store

import (
	"context"
	"database/sql"
	"fmt"

	"gorm.io/gorm"
)

// The archive's full-text index (migrations/00006_search.sql) holds one
// document per incident. Triggers on the source tables list the incidents a
// transaction touched in search_dirty; flushSearch, run by every write
// transaction just before it commits, rebuilds their documents. So anything
// saved is searchable at once, and a write path cannot forget the index.
//
// Timeline entries are not in the documents: each has its own row in
// search_entry_fts (migrations/00016_search_entries.sql), written by
// triggers in the entry's own statement, so an append costs the same on an
// incident with 20 000 entries as on a new one. Search combines both per
// incident (see Search).

// conn is what flushSearch needs of a transaction: *sql.Tx and GORM's
// ConnPool both have it.
type conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// docColumns are the index's parts, in the FTS5 table's column order.
const docColumns = "title, summary, impact, narrative, timeline, factors, whys, actions, services, tags"

// servicesList and tagsList are an incident's services and tags, one a
// line, for both its document and its meta row (computed from the source
// tables, not read back from search_docs, whose rows can be long).
const (
	servicesList = `COALESCE((SELECT group_concat(s.name, char(10) ORDER BY s.name COLLATE NOCASE) FROM incident_services x
		JOIN services s ON s.id = x.service_id WHERE x.incident_id = i.id), '')`
	tagsList = `COALESCE((SELECT group_concat(tag, char(10) ORDER BY tag) FROM incident_tags WHERE incident_id = i.id), '')`
)

// markDirty lists incidents whose documents must be built again before the
// transaction commits (for changes that no trigger sees: a change linked,
// unlinked or updated).
func markDirty(tx *gorm.DB, where string, args ...any) error {
	return tx.Exec("INSERT OR IGNORE INTO search_dirty (incident_id) SELECT incident_id FROM incident_changes WHERE "+where, args...).Error
}

// docSelect builds the documents of the incidents listed in search_dirty.
// The narrative column also holds the summaries of the changes linked to
// the incident.
// Lists are joined with newlines, in the order the pages show them. The
// postmortem's summary and impact start as copies of the incident's; they
// are indexed once unless someone rewrote them.
const docSelect = `
SELECT i.id,
	i.title,
	i.summary || CASE WHEN ps.body IS NOT NULL AND ps.body <> '' AND ps.body <> i.summary THEN char(10) || ps.body ELSE '' END,
	i.impact || CASE WHEN pi.body IS NOT NULL AND pi.body <> '' AND pi.body <> i.impact THEN char(10) || pi.body ELSE '' END,
	COALESCE((SELECT group_concat(body, char(10)) FROM postmortem_sections
		WHERE incident_id = i.id AND key NOT IN ('summary', 'impact') AND body <> ''), '')
	|| COALESCE((SELECT char(10) || group_concat(c.summary || CASE WHEN c.version <> '' THEN ' ' || c.version ELSE '' END, char(10))
		FROM incident_changes x JOIN changes c ON c.id = x.change_id WHERE x.incident_id = i.id), ''),
	'', -- the timeline: each entry has its own row in search_entry_fts
	COALESCE((SELECT group_concat(title || CASE WHEN description <> '' THEN char(10) || description ELSE '' END, char(10) ORDER BY position, id)
		FROM contributing_factors WHERE incident_id = i.id), ''),
	COALESCE((SELECT group_concat(text, char(10) ORDER BY parent_id, position, id) FROM why_nodes WHERE incident_id = i.id), ''),
	COALESCE((SELECT group_concat(title
		|| CASE WHEN description <> '' THEN char(10) || description ELSE '' END
		|| CASE WHEN closure_note <> '' THEN char(10) || closure_note ELSE '' END
		|| CASE WHEN rationale <> '' THEN char(10) || rationale ELSE '' END, char(10) ORDER BY due_date, id)
		FROM action_items WHERE incident_id = i.id), ''),
	` + servicesList + `,
	` + tagsList + `
FROM incidents i
LEFT JOIN postmortem_sections ps ON ps.incident_id = i.id AND ps.key = 'summary'
LEFT JOIN postmortem_sections pi ON pi.incident_id = i.id AND pi.key = 'impact'
WHERE i.id IN (SELECT incident_id FROM search_dirty)`

// metaSelect builds the filter and facet fields of the same incidents.
// started_at falls back to when the incident was declared, so every
// incident has a date to sort and filter by. Times become Unix
// milliseconds.
var metaSelect = `
SELECT i.id, i.severity, i.status, COALESCE(p.status, ''),
	` + unixMillis("COALESCE(i.started_at, i.created_at)") + `,
	` + unixMillis("(SELECT min(published_at) FROM postmortem_revisions WHERE incident_id = i.id)") + `,
	` + servicesList + `,
	` + tagsList + `,
	COALESCE((SELECT group_concat(category, char(10)) FROM
		(SELECT DISTINCT category FROM contributing_factors WHERE incident_id = i.id ORDER BY category)), ''),
	(SELECT gen FROM search_state)
FROM incidents i
LEFT JOIN postmortems p ON p.incident_id = i.id
WHERE i.id IN (SELECT incident_id FROM search_dirty)`

// unixMillis is the SQL for a stored time (text, as the driver writes it)
// in Unix milliseconds; NULL stays NULL.
func unixMillis(expr string) string {
	return "CAST(round((julianday(" + expr + ") - 2440587.5) * 86400000) AS INTEGER)"
}

// flushSearch rebuilds the documents of the incidents in search_dirty and
// empties it. A deleted incident's document goes; nothing replaces it.
func flushSearch(ctx context.Context, c conn) error {
	var dirty bool
	if err := c.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM search_dirty)").Scan(&dirty); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	if !dirty {
		return nil
	}
	for _, q := range []string{
		"UPDATE search_state SET gen = gen + 1",
		"DELETE FROM search_fts WHERE rowid IN (SELECT incident_id FROM search_dirty)",
		"DELETE FROM search_docs WHERE incident_id IN (SELECT incident_id FROM search_dirty)",
		"DELETE FROM search_meta WHERE incident_id IN (SELECT incident_id FROM search_dirty)",
		"INSERT INTO search_docs (incident_id, " + docColumns + ") " + docSelect,
		"INSERT INTO search_meta (incident_id, severity, status, pm_status, started_at, published_at, services, tags, categories, gen) " + metaSelect,
		// A deleted incident leaves a tombstone, for copies in memory.
		`INSERT INTO search_meta (incident_id, severity, status, started_at, gen, deleted)
			SELECT incident_id, '', '', 0, (SELECT gen FROM search_state), 1 FROM search_dirty
			WHERE incident_id NOT IN (SELECT id FROM incidents)`,
		"INSERT INTO search_fts (rowid, " + docColumns + ") SELECT incident_id, " + docColumns +
			" FROM search_docs WHERE incident_id IN (SELECT incident_id FROM search_dirty)",
		"DELETE FROM search_dirty",
	} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	return nil
}

// Reindex rebuilds the whole search index (the documents and the timeline
// entries' rows) from the records and returns how many incidents it holds. It runs in one write transaction: searches see
// the old index until it commits.
func (s *Store) Reindex(ctx context.Context) (int, error) {
	sqlDB, err := s.wdb.DB()
	if err != nil {
		return 0, err
	}
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	for _, q := range []string{
		"INSERT INTO search_fts (search_fts) VALUES ('delete-all')",
		"INSERT INTO search_entry_fts (search_entry_fts) VALUES ('delete-all')",
		"INSERT INTO search_entry_fts (rowid, timeline) SELECT incident_id * 4294967296 + id, body FROM timeline_entries",
		"DELETE FROM search_docs",
		"DELETE FROM search_meta",
		// A new random epoch: copies in memory reload, even one that saw
		// a database later replaced by an older copy.
		"UPDATE search_state SET epoch = random()",
		"INSERT OR IGNORE INTO search_dirty SELECT id FROM incidents",
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("reindex: %w", err)
		}
	}
	if err := flushSearch(ctx, tx); err != nil {
		return 0, err
	}
	// One b-tree instead of the many segments a bulk insert leaves.
	for _, q := range []string{
		"INSERT INTO search_fts (search_fts) VALUES ('optimize')",
		"INSERT INTO search_entry_fts (search_entry_fts) VALUES ('optimize')",
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("reindex: %w", err)
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM search_docs").Scan(&n); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return n, nil
}
