package review_test

// Golden tests of the capped lists, through the store: a database with
// more overdue postmortems and action items than a list shows, across
// several owners, some overdue by more than 90 days.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/review"
	"github.com/debrief-dev/debrief/internal/store"
)

func TestCappedListsGolden(t *testing.T) {
	now := time.Date(2026, time.November, 25, 12, 0, 0, 0, time.UTC)
	st := store.OpenTest(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	p, err := review.ParseWeek("2026-W47")
	require.NoError(t, err)
	asOf := p.End() // 23 Nov 00:00: the week is over

	// Postmortems: resolved this many days before the week's end, none
	// published. Due 48 h after; those resolved more than 92 days before
	// are overdue by more than 90 days. The last two are due soon.
	var incidents []int64
	for i, days := range []float64{3, 5, 8, 12, 20, 30, 45, 60, 75, 85, 88, 100, 150, 200, 400, 1.5, 0.5} {
		resolved := asOf.Add(-time.Duration(days * 24 * float64(time.Hour)))
		started := resolved.Add(-2 * time.Hour)
		inc := &model.Incident{Title: fmt.Sprintf("Outage %02d", i+1), Severity: []string{"SEV1", "SEV2", "SEV3"}[i%3],
			Status: model.StatusResolved, StartedAt: &started, ResolvedAt: &resolved}
		require.NoError(t, st.At(resolved).CreateIncident(ctx, inc, ""))
		incidents = append(incidents, inc.ID)
	}

	// Action items of four owners (one of them "TBD"), due this many days
	// before the week's end: 19 overdue, 6 of them by more than 90 days.
	owners := []string{"Ana", "Bo", "Cy", "TBD", "ana"}
	for i, days := range []int{1, 2, 3, 5, 8, 13, 21, 34, 40, 50, 60, 70, 89, 91, 120, 150, 200, 300, 365, -2, -10} {
		due := model.DateOf(asOf).AddDays(-days)
		created := due.Time().AddDate(0, 0, -30)
		a := &model.ActionItem{IncidentID: incidents[i%len(incidents)], Title: fmt.Sprintf("Action %02d", i+1), Owner: owners[i%len(owners)],
			Due: due, Type: model.ActionPrevent, Priority: model.PriorityMedium}
		require.NoError(t, st.At(created).CreateAction(ctx, a), a.Title)
		if days == 3 { // closed after the week: open at its end, and overdue
			done, note := model.ActionDone, "done late"
			_, err := st.At(now).UpdateAction(ctx, a.IncidentID, a.ID, model.ActionPatch{Status: &done, ClosureNote: &note, Version: a.Version})
			require.NoError(t, err)
		}
	}

	opts := review.Options{}
	in, err := st.ReviewInput(ctx, review.NewQuery(p, now, opts))
	require.NoError(t, err)
	r := review.Build(in, p, now, opts)

	pm := r.Postmortems.Overdue
	assert.Len(t, pm.Items, review.ListLimit)
	assert.Equal(t, 15, pm.Total, "totals stay exact")
	assert.Equal(t, 4, pm.Stale.Count)
	assert.Equal(t, 1, pm.More)
	assert.Equal(t, "Outage 11", pm.Items[0].Title, "the oldest overdue first, stale ones left out")
	assert.Equal(t, 2, r.Postmortems.DueSoon.Total)

	a := r.Actions.Overdue
	assert.Len(t, a.Items, review.ListLimit)
	assert.Equal(t, 19, a.Total)
	assert.Equal(t, 6, a.Stale.Count)
	assert.Equal(t, 3, a.More)
	assert.Equal(t, "Action 13", a.Items[0].Title, "due 89 days ago")
	listed := 0
	for _, g := range r.Actions.OverdueByOwner {
		listed += len(g.Items)
		assert.GreaterOrEqual(t, g.Total, len(g.Items), g.Owner)
	}
	assert.Equal(t, review.ListLimit, listed)
	assert.Len(t, r.Actions.OverdueByOwner, 4, "Ana and ana are one owner")
	assert.Equal(t, 4, r.Actions.NoOwner.Total, "TBD's four open items")
	assert.Equal(t, 1, r.Actions.DueSoon.Total, "due in 2 days; 10 is beyond the 7")

	md := review.Markdown(r, &review.Minutes{Week: "2026-W47"}, "")
	goldenFile(t, "capped.md", string(md))
	lists, err := json.MarshalIndent(map[string]any{"postmortems": r.Postmortems, "action_items": r.Actions}, "", "  ")
	require.NoError(t, err)
	goldenFile(t, "capped.json", string(lists)+"\n")
}

func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updateFlag() {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/review -update to create it")
	assert.Equal(t, string(want), got, "run go test ./internal/review -update and review the diff")
}

// updateFlag reads -update, which report_test.go defines.
func updateFlag() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}
