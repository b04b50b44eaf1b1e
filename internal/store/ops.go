package store

import (
	"context"
	"os"
)

// OpsCounts are the gauges an operator watches, counted in one go.
type OpsCounts struct {
	OpenIncidents     map[string]int // by severity: not resolved
	OverdueActions    int            // open or in progress, due before today (UTC)
	PendingDeliveries int            // webhook deliveries waiting in the outbox
}

// opsCountQueries are OpsCounts' statements. Each reads only the rows it
// counts, from a covering index (ops_test.go checks the plans):
// incidents_list's first term is written as the index writes it,
// (status = 'resolved'), so only open incidents are read.
var opsCountQueries = struct{ open, overdue, pending string }{
	open:    `SELECT severity, COUNT(*) AS n FROM incidents WHERE (status = 'resolved') = 0 GROUP BY severity`,
	overdue: `SELECT COUNT(*) FROM action_items WHERE status IN ('open', 'in_progress') AND due_date < ?`,
	pending: `SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'`,
}

// OpsCounts counts open incidents by severity, overdue action items and
// pending webhook deliveries; the grouping has one row per severity of the
// scale. Private incidents are counted too: numbers only, never titles.
func (s *Store) OpsCounts(ctx context.Context) (OpsCounts, error) {
	out := OpsCounts{OpenIncidents: map[string]int{}}
	db := s.db.WithContext(ctx)
	var rows []struct {
		Severity string
		N        int
	}
	if err := db.Raw(opsCountQueries.open).
		Scan(&rows).Error; err != nil {
		return out, translate(err)
	}
	for _, r := range rows {
		out.OpenIncidents[r.Severity] = r.N
	}
	today := s.now().Format("2006-01-02")
	if err := db.Raw(opsCountQueries.overdue, today).
		Scan(&out.OverdueActions).Error; err != nil {
		return out, translate(err)
	}
	if err := db.Raw(opsCountQueries.pending).
		Scan(&out.PendingDeliveries).Error; err != nil {
		return out, translate(err)
	}
	return out, nil
}

// FileSizes are the database file's size and its write-ahead log's, in
// bytes (0 for a file that is not there: no WAL between checkpoints).
func (s *Store) FileSizes() (db, wal int64) {
	if fi, err := os.Stat(s.path); err == nil {
		db = fi.Size()
	}
	if fi, err := os.Stat(s.path + "-wal"); err == nil {
		wal = fi.Size()
	}
	return db, wal
}
