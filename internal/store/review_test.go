package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/review"
)

// TestReviewInput checks which incidents and action items the review of a
// week loads: those of the week, the week before and the charts' twelve
// weeks, those still open, and any postmortem still owed; nothing else.
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
	in, err := st.ReviewInput(ctx, p)
	require.NoError(t, err)

	titles := []string{}
	byTitle := map[string]review.Incident{}
	for _, inc := range in.Incidents {
		titles = append(titles, inc.Title)
		byTitle[inc.Title] = inc
	}
	assert.ElementsMatch(t, []string{"Old, postmortem never published", "Open since January", "Last instant of the week",
		"In the charts' first week", "Republished in the week"}, titles, "ids %d %d %d %d", owed, open, after, spring)
	assert.Equal(t, []string{"capacity"}, byTitle["Last instant of the week"].Categories)
	assert.Equal(t, []string{"db"}, byTitle["Open since January"].Services)
	lastInc := byTitle["Last instant of the week"]
	assert.Equal(t, *ts("2026-11-22 23:59:59.999"), lastInc.Start())
	require.Len(t, byTitle["Republished in the week"].Published, 2)
	assert.Equal(t, *ts("2026-11-18 09:00:00.000"), byTitle["Republished in the week"].Published[1])
	assert.Equal(t, model.PostmortemPublished, byTitle["Republished in the week"].Postmortem)
	assert.Equal(t, map[string]time.Time{"api": *ts("2026-03-01 10:00:00.000"), "db": *ts("2026-03-01 10:00:00.000")}, in.PriorStarts,
		"each service's last start before the window (31 Aug)")

	actions := []string{}
	for _, a := range in.Actions {
		actions = append(actions, a.Title)
		assert.NotEmpty(t, a.IncidentTitle)
	}
	slices.Sort(actions)
	assert.Equal(t, []string{"Closed in the week", "Open since long ago"}, actions)
	require.Len(t, in.Severities, 4)

	r := review.Build(in, p, now, review.Options{})
	assert.Len(t, r.Incidents.Opened.Items, 1, "the last instant of the week counts; the first after it does not")
	assert.Len(t, r.Postmortems.Overdue, 1)
	assert.Equal(t, owed, r.Postmortems.Overdue[0].IncidentID)
	assert.Len(t, r.Postmortems.Published, 1)
	assert.Equal(t, 2, r.Postmortems.Published[0].Revision)
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
