package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/review"
)

// TestReviewInput checks which incidents and action items the review of a
// week loads: those of the week, the week before and the charts' twelve
// weeks and those still open; nothing else. The postmortems still owed and
// the action items still open come in the bounded lists.
func TestReviewInput(t *testing.T) {
	now := time.Date(2026, time.November, 25, 12, 0, 0, 0, time.UTC)
	st := OpenTest(t, WithClock(func() time.Time { return now }))
	ctx := context.Background()
	ts := func(s string) *time.Time {
		v, err := time.Parse("2006-01-02 15:04:05.000", s)
		require.NoError(t, err)
		return &v
	}
	add := func(title string, services []string, started, resolved string) int64 {
		t.Helper()
		inc := &model.Incident{Title: title, Severity: "SEV2", Status: model.StatusInvestigating, Services: services, StartedAt: ts(started)}
		at := *inc.StartedAt
		if resolved != "" {
			inc.Status, inc.ResolvedAt = model.StatusResolved, ts(resolved)
			at = *inc.ResolvedAt
		}
		require.NoError(t, st.At(at).CreateIncident(ctx, inc, ""))
		return inc.ID
	}
	publish := func(id int64, at string) {
		t.Helper()
		_, err := st.At(*ts(at)).Publish(ctx, id, 1, func(*Document, int, time.Time) (string, []byte, error) {
			return "# published\n", []byte("{}"), nil
		})
		require.NoError(t, err)
	}

	owed := add("Old, postmortem never published", []string{"api"}, "2025-01-01 10:00:00.000", "2025-01-01 12:00:00.000")
	done := add("Old, published", []string{"api"}, "2025-02-01 10:00:00.000", "2025-02-01 12:00:00.000")
	publish(done, "2025-02-03 09:00:00.000")
	spring := add("Spring, published", []string{"api", "db"}, "2026-03-01 10:00:00.000", "2026-03-01 12:00:00.000")
	publish(spring, "2026-03-02 09:00:00.000")
	open := add("Open since January", []string{"db"}, "2026-01-05 08:00:00.000", "")
	last := add("Last instant of the week", []string{"api"}, "2026-11-22 23:59:59.999", "")
	after := add("First instant after it", []string{"api"}, "2026-11-23 00:00:00.000", "")
	chart := add("In the charts' first week", nil, "2026-08-31 00:00:00.000", "2026-08-31 01:00:00.000")
	publish(chart, "2026-09-01 09:00:00.000")
	republished := add("Republished in the week", nil, "2026-04-01 10:00:00.000", "2026-04-01 11:00:00.000")
	publish(republished, "2026-04-02 09:00:00.000")
	pm, err := st.Postmortem(ctx, republished)
	require.NoError(t, err)
	_, err = st.SetPostmortemStatus(ctx, republished, model.PostmortemDraft, pm.Version)
	require.NoError(t, err)
	pm, err = st.Postmortem(ctx, republished)
	require.NoError(t, err)
	_, err = st.At(*ts("2026-11-18 09:00:00.000")).Publish(ctx, republished, pm.Version, func(*Document, int, time.Time) (string, []byte, error) {
		return "# published again\n", []byte("{}"), nil
	})
	require.NoError(t, err)
	require.NoError(t, st.CreateFactor(ctx, &model.Factor{IncidentID: last, Title: "Pool too small", Category: "capacity"}))

	action := func(incident int64, title string, created time.Time, closed bool) {
		t.Helper()
		a := &model.ActionItem{IncidentID: incident, Title: title, Owner: "Ana", Due: model.DateOf(created).AddDays(14), Type: model.ActionPrevent}
		require.NoError(t, st.At(created).CreateAction(ctx, a))
		if closed {
			done := model.ActionDone
			note := "done"
			_, err := st.At(created.Add(time.Hour)).UpdateAction(ctx, incident, a.ID, model.ActionPatch{Status: &done, ClosureNote: &note, Version: a.Version})
			require.NoError(t, err)
		}
	}
	action(done, "Closed long ago", *ts("2025-02-02 09:00:00.000"), true)
	action(done, "Open since long ago", *ts("2025-02-02 09:00:00.000"), false)
	action(last, "Closed in the week", *ts("2026-11-20 09:00:00.000"), true)

	p, err := review.ParseWeek("2026-W47")
	require.NoError(t, err)
	in, err := st.ReviewInput(ctx, review.NewQuery(p, now, review.Options{}))
	require.NoError(t, err)

	titles := []string{}
	byTitle := map[string]review.Incident{}
	for _, inc := range in.Incidents {
		titles = append(titles, inc.Title)
		byTitle[inc.Title] = inc
	}
	assert.ElementsMatch(t, []string{"Open since January", "Last instant of the week", "In the charts' first week"}, titles,
		"ids %d %d %d %d", owed, open, after, spring)
	assert.Equal(t, []string{"capacity"}, byTitle["Last instant of the week"].Categories)
	assert.Equal(t, []string{"db"}, byTitle["Open since January"].Services)
	lastInc := byTitle["Last instant of the week"]
	assert.Equal(t, *ts("2026-11-22 23:59:59.999"), lastInc.Start())
	assert.Equal(t, map[string]time.Time{"api": *ts("2026-03-01 10:00:00.000"), "db": *ts("2026-03-01 10:00:00.000")}, in.PriorStarts,
		"each service's last start before the window (31 Aug)")

	actions := []string{}
	for _, a := range in.Actions {
		actions = append(actions, a.Title)
		assert.NotEmpty(t, a.IncidentTitle)
	}
	slices.Sort(actions)
	assert.Equal(t, []string{"Closed in the week"}, actions, "the charts count what was created or closed in their weeks")
	require.Len(t, in.Severities, 4)

	r := review.Build(in, p, now, review.Options{})
	assert.Len(t, r.Incidents.Opened.Items, 1, "the last instant of the week counts; the first after it does not")
	assert.Empty(t, r.Postmortems.Overdue.Items, "owed since January 2025: stale")
	assert.Equal(t, 1, r.Postmortems.Overdue.Total)
	assert.Equal(t, review.Stale{Count: 1, URL: "/incidents?status=resolved"}, r.Postmortems.Overdue.Stale)
	require.Len(t, r.Postmortems.Published.Items, 1)
	assert.Equal(t, republished, r.Postmortems.Published.Items[0].IncidentID)
	assert.Equal(t, 2, r.Postmortems.Published.Items[0].Revision, "the latest revision of the week")
	assert.Equal(t, *ts("2026-11-18 09:00:00.000"), r.Postmortems.Published.Items[0].PublishedAt.UTC())
	assert.Equal(t, model.PostmortemPublished, r.Postmortems.Published.Items[0].Status)
	assert.Equal(t, 1, r.Postmortems.Published.Total)
	assert.Equal(t, 1, r.Actions.Overdue.Total, "open since long ago")
	assert.Equal(t, 1, r.Actions.Overdue.Stale.Count)
	assert.Equal(t, 1, r.Actions.Done.Total)
	assert.Equal(t, "Closed in the week", r.Actions.Done.Items[0].Title)
}

// TestMinutesVersions saves minutes twice, refuses a stale version and
// keeps the database's checks in step with the model's.
func TestMinutesVersions(t *testing.T) {
	st := OpenTest(t)
	ctx := context.Background()
	m, err := st.Minutes(ctx, "2026-W47")
	require.NoError(t, err)
	assert.Equal(t, 0, m.Version)
	assert.True(t, m.Empty())

	saved, err := st.SaveMinutes(ctx, &review.Minutes{Week: "2026-W47", Attendees: []string{" Ana ", "Bo"}, Notes: map[string]string{"metrics": " MTTR is up. "}})
	require.NoError(t, err)
	assert.Equal(t, 1, saved.Version)
	got, err := st.Minutes(ctx, "2026-W47")
	require.NoError(t, err)
	assert.Equal(t, []string{"Ana", "Bo"}, got.Attendees)
	assert.Equal(t, map[string]string{"metrics": "MTTR is up."}, got.Notes)

	_, err = st.SaveMinutes(ctx, &review.Minutes{Week: "2026-W47", Notes: map[string]string{}})
	var ce *model.ConflictError
	require.True(t, errors.As(err, &ce), "a save based on version 0 after version 1: %v", err)
	assert.Equal(t, 1, ce.Current.(*review.Minutes).Version)

	saved, err = st.SaveMinutes(ctx, &review.Minutes{Week: "2026-W47", Version: 1, Notes: map[string]string{}})
	require.NoError(t, err)
	assert.Equal(t, 2, saved.Version)
	got, err = st.Minutes(ctx, "2026-W47")
	require.NoError(t, err)
	assert.Empty(t, got.Notes, "a section left empty is removed")
	assert.Empty(t, got.Attendees)

	_, err = st.SaveMinutes(ctx, &review.Minutes{Week: "2026-W54"})
	var ve *model.ValidationError
	require.True(t, errors.As(err, &ve))
	assert.Contains(t, ve.Fields["week"], "2026 has ISO weeks 01 to 53")

	// The database refuses what the model refuses.
	db, err := st.wdb.DB()
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO review_minutes (week, created_at, updated_at) VALUES ('next week', '2026-11-25', '2026-11-25')`)
	assert.Error(t, err)
	_, err = db.Exec(`INSERT INTO review_notes (week, section, body) VALUES ('2026-W47', 'lunch', 'pizza')`)
	assert.Error(t, err)
}

// sqlLog keeps every statement a store runs, with its arguments inlined.
type sqlLog struct {
	logger.Interface
	mu    sync.Mutex
	stmts []string
}

func (l *sqlLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	l.mu.Lock()
	l.stmts = append(l.stmts, sql)
	l.mu.Unlock()
}

// TestReviewListsUseIndexes runs EXPLAIN QUERY PLAN on every statement the
// review of the current week runs: the late lists (LIMIT and COUNT) must
// search an index, never SCAN a table that grows with the archive, nor
// sort it. The window's incidents use their indexes too (migration 13 added
// those of postmortems.status, postmortem_revisions.published_at and
// action_items.created_at). One query still scans, recorded here so that
// a new scan fails the test: the charts' action items opened or closed in
// the window (an OR over two columns).
func TestReviewListsUseIndexes(t *testing.T) {
	now := time.Date(2026, time.November, 25, 12, 0, 0, 0, time.UTC)
	st := OpenTest(t, WithClock(func() time.Time { return now }))
	ctx := context.Background()
	log := &sqlLog{Interface: logger.Discard}
	st.db = st.db.Session(&gorm.Session{Logger: log})
	p, err := review.ParsePeriod("", "", "", model.DateOf(now))
	require.NoError(t, err)
	for _, asOf := range []time.Time{now, now.AddDate(0, 0, 10)} { // this week, and a week already over
		log.stmts = nil
		_, err = st.ReviewInput(ctx, review.NewQuery(p, asOf, review.Options{}))
		require.NoError(t, err)
		require.Greater(t, len(log.stmts), 15)
		for _, sql := range log.stmts {
			rows, err := st.db.Session(&gorm.Session{Logger: logger.Discard}).Raw("EXPLAIN QUERY PLAN " + sql).Rows()
			require.NoError(t, err, sql)
			var plan []string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
				plan = append(plan, detail)
			}
			require.NoError(t, rows.Close())
			// The charts' action items opened or closed in the window: the OR
			// over two columns keeps SQLite on a scan of action_items.
			known := strings.Contains(sql, "a.created_at >= ") && strings.Contains(sql, "OR a.closed_at >= ")
			for _, step := range plan {
				for _, table := range []string{"incidents", "action_items", "postmortem_revisions", "postmortems", "i", "a", "r", "p"} {
					if strings.HasPrefix(step, "SCAN "+table+" ") || step == "SCAN "+table {
						if !known {
							t.Errorf("%s scans %s:\n%s\n%s", firstLine(sql), table, sql, strings.Join(plan, "\n"))
						}
					}
				}
				// Overdue and due-soon action items are sorted, but only those
				// due within a bounded range of days (90 and 7).
				// So are the few items whose owner is a placeholder.
				// And the revisions published in the period, found by their index.
				bounded := strings.Contains(sql, "a.due_date >= ") && strings.Contains(sql, "a.due_date < ") ||
					strings.Contains(sql, "a.owner COLLATE NOCASE IN") ||
					strings.Contains(sql, "r.published_at >= ") && strings.Contains(sql, "r.published_at < ")
				if strings.Contains(sql, "LIMIT") && strings.Contains(step, "TEMP B-TREE") && !bounded && !known {
					t.Errorf("%s sorts:\n%s\n%s", firstLine(sql), sql, strings.Join(plan, "\n"))
				}
			}
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
