package store

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

func TestStorageErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		err    sqlite3.Error
		reason string // "" passes through
	}{
		{sqlite3.Error{Code: sqlite3.ErrFull, ExtendedCode: sqlite3.ErrNoExtended(sqlite3.ErrFull)}, "disk full"},
		{sqlite3.Error{Code: sqlite3.ErrReadonly, ExtendedCode: sqlite3.ErrReadonlyDbMoved}, "read-only"},
		{sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrWrite}, "I/O error"},
		{sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrFsync}, "I/O error"},
		{sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintUnique}, ""},
		{sqlite3.Error{Code: sqlite3.ErrBusy}, ""},
	} {
		t.Run(tc.err.Error(), func(t *testing.T) {
			wrapped := fmt.Errorf("commit: %w", tc.err) // as GORM and database/sql hand it on
			for _, got := range []error{translate(wrapped), translateSQLite(wrapped)} {
				if tc.reason == "" {
					assert.NotErrorIs(t, got, model.ErrStorageUnavailable)
					continue
				}
				require.ErrorIs(t, got, model.ErrStorageUnavailable)
				var se *model.StorageError
				require.True(t, errors.As(got, &se))
				assert.Equal(t, tc.reason, se.Reason)
				var driver sqlite3.Error
				assert.True(t, errors.As(got, &driver), "the driver's error stays in the chain for the log")
			}
		})
	}
	assert.NoError(t, translate(nil))
	assert.ErrorIs(t, translateSQLite(sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintForeignKey}), model.ErrNotFound)
}

// observed records what the store reports to its Observer.
type observed struct {
	mu       sync.Mutex
	batches  []int
	failures int
}

func (o *observed) AppendBatch(n int, d time.Duration, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.failures++
		return
	}
	o.batches = append(o.batches, n)
}

// TestReadOnlyDatabase refuses writes the way a read-only file does (the
// driver answers SQLITE_READONLY): each write says nothing was saved,
// nothing half-written is left, WriteHealth reports it for 30 s, and
// writes work again once the file is writable.
func TestReadOnlyDatabase(t *testing.T) {
	now := mustTime(t, "2026-12-01T10:00:00Z")
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	obs := &observed{}
	st := OpenTest(t, WithClock(clock), WithObserver(obs))
	inc := newIncident(t, st, "Checkout down")
	appendAt(t, st, inc.ID, now, "before")
	require.NoError(t, st.WriteHealth())

	require.NoError(t, st.SetQueryOnly(ctx, true))
	err := st.CreateIncident(ctx, &model.Incident{Title: "Never saved", Severity: "SEV2"}, "tester")
	require.ErrorIs(t, err, model.ErrStorageUnavailable)
	var se *model.StorageError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "read-only", se.Reason)
	// The group-commit path (raw statements, not GORM) maps it too, for
	// every entry of a batch.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.AppendTimeline(ctx, &model.TimelineEntry{IncidentID: inc.ID, OccurredAt: now, Kind: model.KindObservation, Body: "lost"})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		assert.ErrorIs(t, err, model.ErrStorageUnavailable)
	}
	require.ErrorIs(t, st.WriteHealth(), model.ErrStorageUnavailable)
	// Reads still work, and nothing half-written is there.
	list, err := st.Timeline(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"before"}, bodies(userEntries(list)))
	n, err := st.OpsCounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n.OpenIncidents["SEV2"])

	// Space returns: writes work at once; health comes back 30 s after
	// the last failure.
	require.NoError(t, st.SetQueryOnly(ctx, false))
	appendAt(t, st, inc.ID, now, "after")
	require.Error(t, st.WriteHealth(), "the failure is remembered for 30 s")
	mu.Lock()
	now = now.Add(31 * time.Second)
	mu.Unlock()
	assert.NoError(t, st.WriteHealth())

	obs.mu.Lock()
	defer obs.mu.Unlock()
	assert.GreaterOrEqual(t, obs.failures, 1, "failed group commits are reported")
	sum := 0
	for _, n := range obs.batches {
		sum += n
	}
	assert.Equal(t, 2, sum, "the two committed entries were reported, in one or two batches")
}

func TestOpsCounts(t *testing.T) {
	now := mustTime(t, "2026-12-01T10:00:00Z")
	st := OpenTest(t, WithClock(func() time.Time { return now }))
	a := newIncident(t, st, "A")
	newIncident(t, st, "B")
	c := &model.Incident{Title: "C", Severity: "SEV1"}
	require.NoError(t, st.CreateIncident(ctx, c, "tester"))
	n, err := st.OpsCounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"SEV2": 2, "SEV1": 1}, n.OpenIncidents)
	assert.Zero(t, n.OverdueActions)
	assert.Zero(t, n.PendingDeliveries)

	// Written a month ago: two due before today, one of them done; one due
	// today (not overdue yet).
	past := st.At(now.AddDate(0, -1, 0))
	newAction(t, past, a.ID, "Add a canary", "Sam", "2026-11-20")
	newAction(t, past, a.ID, "Page the right team", "Sam", "2026-11-21", func(x *model.ActionItem) { x.Status, x.ClosureNote = model.ActionDone, "Paging fixed" })
	newAction(t, past, a.ID, "Alert on queue depth", "Sam", "2026-12-01")
	_, err = st.UpdateIncident(ctx, c.ID, model.IncidentPatch{Status: ptr(model.StatusResolved), Version: c.Version})
	require.NoError(t, err)
	n, err = st.OpsCounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"SEV2": 2}, n.OpenIncidents, "a resolved incident is not open")
	assert.Equal(t, 1, n.OverdueActions)
	db, _ := st.FileSizes()
	assert.Positive(t, db)
}

// TestOpsCountsUseIndexes: a scrape reads only the rows it counts, from an
// index, however large the archive.
func TestOpsCountsUseIndexes(t *testing.T) {
	st := OpenTest(t)
	for _, q := range []string{opsCountQueries.open, opsCountQueries.overdue, opsCountQueries.pending} {
		var plan []struct{ Detail string }
		var args []any
		if strings.Contains(q, "?") {
			args = append(args, "2026-12-01")
		}
		require.NoError(t, st.db.Raw("EXPLAIN QUERY PLAN "+q, args...).Scan(&plan).Error)
		require.NotEmpty(t, plan)
		for _, p := range plan {
			assert.NotContains(t, p.Detail, "SCAN", q)
		}
		assert.Contains(t, plan[0].Detail, "USING COVERING INDEX", q)
	}
}
