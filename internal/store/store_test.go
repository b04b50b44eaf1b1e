package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

var ctx = context.Background()

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := model.ParseTimestamp(s)
	require.NoError(t, err)
	return ts
}

func newIncident(t *testing.T, st *Store, title string) *model.Incident {
	t.Helper()
	inc := &model.Incident{Title: title, Severity: "SEV2"}
	require.NoError(t, st.CreateIncident(ctx, inc, "tester"))
	return inc
}

func appendAt(t *testing.T, st *Store, incID int64, at time.Time, body string) *model.TimelineEntry {
	t.Helper()
	e := &model.TimelineEntry{IncidentID: incID, OccurredAt: at, Kind: model.KindObservation, Body: body}
	require.NoError(t, st.AppendTimeline(ctx, e))
	return e
}

// userEntries drops the entries Debrief writes itself.
func userEntries(entries []model.TimelineEntry) []model.TimelineEntry {
	var out []model.TimelineEntry
	for _, e := range entries {
		if e.Kind != model.KindMilestone {
			out = append(out, e)
		}
	}
	return out
}

func bodies(entries []model.TimelineEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Body
	}
	return out
}

func TestTimelineOrderAndTies(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "ordering")
	base := mustTime(t, "2026-11-22T14:00:00Z")
	// Inserted out of order; two share an instant and must keep creation order.
	appendAt(t, st, inc.ID, base.Add(2*time.Minute), "c")
	appendAt(t, st, inc.ID, base, "a")
	appendAt(t, st, inc.ID, base.Add(time.Minute), "b1")
	appendAt(t, st, inc.ID, base.Add(time.Minute), "b2")
	appendAt(t, st, inc.ID, base.Add(time.Minute+time.Millisecond), "b3")
	appendAt(t, st, inc.ID, base.Add(time.Minute-time.Millisecond), "a2")
	appendAt(t, st, inc.ID, base.Add(-24*time.Hour), "yesterday")

	entries, err := st.Timeline(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"yesterday", "a", "a2", "b1", "b2", "b3", "c"}, bodies(userEntries(entries)))
}

func TestTimelineUTCRoundTrip(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "utc")
	in := mustTime(t, "2026-11-22T20:02:05.123+05:30")
	e := appendAt(t, st, inc.ID, in, "india")
	got, err := st.TimelineEntry(ctx, inc.ID, e.ID)
	require.NoError(t, err)
	assert.Equal(t, time.UTC, got.OccurredAt.Location())
	assert.True(t, got.OccurredAt.Equal(mustTime(t, "2026-11-22T14:32:05.123Z")))
	assert.Equal(t, "2026-11-22T14:32:05.123Z", model.FormatAPI(got.OccurredAt))

	// Sub-millisecond precision is dropped, never rounded into another instant.
	e2 := appendAt(t, st, inc.ID, mustTime(t, "2026-11-22T14:32:05.123999Z"), "ns")
	got, err = st.TimelineEntry(ctx, inc.ID, e2.ID)
	require.NoError(t, err)
	assert.Equal(t, "2026-11-22T14:32:05.123Z", model.FormatAPI(got.OccurredAt))
}

// Daylight-saving changes never shift stored times: instants written with
// the local offsets of America/New_York around both 2026 transitions keep
// their UTC value and their order.
func TestTimelineAcrossDST(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "dst")
	cases := []struct{ in, utc string }{
		{"2026-03-08T01:59:59-05:00", "2026-03-08T06:59:59.000Z"}, // last second of EST
		{"2026-03-08T03:00:00-04:00", "2026-03-08T07:00:00.000Z"}, // first second of EDT
		{"2026-11-01T01:30:00-04:00", "2026-11-01T05:30:00.000Z"}, // first 01:30 (EDT)
		{"2026-11-01T01:30:00-05:00", "2026-11-01T06:30:00.000Z"}, // second 01:30 (EST)
		{"2026-11-01T12:00:00+05:30", "2026-11-01T06:30:00.000Z"}, // same instant from India
	}
	for i := len(cases) - 1; i >= 0; i-- { // insert in reverse to prove ordering is by instant
		appendAt(t, st, inc.ID, mustTime(t, cases[i].in), cases[i].in)
	}
	entries, err := st.Timeline(ctx, inc.ID)
	require.NoError(t, err)
	got := userEntries(entries)
	require.Len(t, got, len(cases))
	for i, e := range got {
		assert.Equal(t, cases[i].utc, model.FormatAPI(e.OccurredAt), e.Body)
	}
	assert.Equal(t, time.Second, got[1].OccurredAt.Sub(got[0].OccurredAt))
	assert.Equal(t, time.Hour, got[3].OccurredAt.Sub(got[2].OccurredAt))
	// Equal instants written with different offsets tie, and keep creation order.
	assert.Equal(t, "2026-11-01T12:00:00+05:30", got[3].Body)
	assert.Equal(t, "2026-11-01T01:30:00-05:00", got[4].Body)
}

func TestAppendTimelineUnknownIncident(t *testing.T) {
	st := OpenTest(t)
	e := &model.TimelineEntry{IncidentID: 999, OccurredAt: st.Now(), Kind: model.KindAction, Body: "x"}
	assert.ErrorIs(t, st.AppendTimeline(ctx, e), model.ErrNotFound)
	_, err := st.Timeline(ctx, 999)
	assert.ErrorIs(t, err, model.ErrNotFound)
}

func TestCreateIncidentRecordsDeclarationAndMilestones(t *testing.T) {
	now := mustTime(t, "2026-11-22T15:00:00Z")
	st := OpenTest(t, WithClock(func() time.Time { return now }))
	started := mustTime(t, "2026-11-22T14:00:00Z")
	inc := &model.Incident{
		Title: "  Checkout   down ", Severity: "SEV1", StartedAt: &started,
		Services: []string{"checkout", "Payments", "checkout"}, Tags: []string{"DB", "#eu-west-1"},
		Roles: model.Roles{Commander: "Priya", Responders: []string{"Sam", "sam", "Jin"}},
	}
	require.NoError(t, st.CreateIncident(ctx, inc, "Lena"))
	got, err := st.Incident(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, "Checkout down", got.Title)
	assert.Equal(t, model.StatusInvestigating, got.Status)
	assert.Equal(t, 1, got.Version)
	assert.Equal(t, []string{"checkout", "Payments"}, got.Services)
	assert.Equal(t, []string{"db", "eu-west-1"}, got.Tags)
	assert.Equal(t, model.Roles{Commander: "Priya", Responders: []string{"Sam", "Jin"}}, got.Roles)
	assert.True(t, got.StartedAt.Equal(started))
	assert.Equal(t, now, got.CreatedAt)

	entries, err := st.Timeline(ctx, inc.ID)
	require.NoError(t, err)
	require.Len(t, entries, 2)
	assert.Equal(t, "Impact started.", entries[0].Body)
	assert.True(t, entries[0].OccurredAt.Equal(started))
	assert.Contains(t, entries[1].Body, "Incident declared: SEV1")
	assert.Equal(t, "Lena", entries[1].Author)
}

func TestCreateIncidentRefusesBadInputAndWritesNothing(t *testing.T) {
	st := OpenTest(t)
	detected := mustTime(t, "2026-11-22T14:00:00Z")
	started := detected.Add(time.Minute)
	for name, inc := range map[string]*model.Incident{
		"unknown severity": {Title: "x", Severity: "SEV9", Services: []string{"new-service"}},
		"empty title":      {Title: "  ", Severity: "SEV1"},
		"milestone order":  {Title: "x", Severity: "SEV1", StartedAt: &started, DetectedAt: &detected},
		"unknown status":   {Title: "x", Severity: "SEV1", Status: "exploded"},
	} {
		err := st.CreateIncident(ctx, inc, "")
		var ve *model.ValidationError
		assert.ErrorAs(t, err, &ve, name)
	}
	n, err := st.IncidentCount(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	services, err := st.Services(ctx)
	require.NoError(t, err)
	assert.Empty(t, services, "a refused incident must not leave a service behind")
}

func TestServicesAreSharedCaseInsensitively(t *testing.T) {
	st := OpenTest(t)
	a := &model.Incident{Title: "a", Severity: "SEV3", Services: []string{"Checkout"}}
	b := &model.Incident{Title: "b", Severity: "SEV3", Services: []string{"checkout", "search"}}
	require.NoError(t, st.CreateIncident(ctx, a, ""))
	require.NoError(t, st.CreateIncident(ctx, b, ""))
	assert.Equal(t, []string{"Checkout", "search"}, b.Services, "the existing spelling wins")
	services, err := st.Services(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"Checkout", "search"}, services)

	list, total, err := st.Incidents(ctx, IncidentFilter{Service: "Checkout"})
	require.NoError(t, err)
	assert.EqualValues(t, 2, total)
	assert.Len(t, list, 2)
}

func TestUpdateIncidentStatusFlow(t *testing.T) {
	clock := mustTime(t, "2026-11-22T15:00:00Z")
	st := OpenTest(t, WithClock(func() time.Time { return clock }))
	inc := newIncident(t, st, "flow")

	move := func(to model.Status, version int) *model.Incident {
		t.Helper()
		got, err := st.UpdateIncident(ctx, inc.ID, model.IncidentPatch{Status: &to, Version: version})
		require.NoError(t, err)
		return got
	}
	clock = clock.Add(10 * time.Minute)
	got := move(model.StatusMonitoring, 1)
	assert.Equal(t, 2, got.Version)
	require.NotNil(t, got.MitigatedAt)
	assert.True(t, got.MitigatedAt.Equal(clock))

	clock = clock.Add(10 * time.Minute)
	got = move(model.StatusResolved, 2)
	require.NotNil(t, got.ResolvedAt)
	assert.True(t, got.ResolvedAt.Equal(clock))
	assert.False(t, got.MitigatedAt.Equal(clock), "an existing mitigation time is kept")

	monitoring := model.StatusMonitoring
	_, err := st.UpdateIncident(ctx, inc.ID, model.IncidentPatch{Status: &monitoring, Version: 3})
	var ve *model.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields["status"], "re-opened")

	got = move(model.StatusInvestigating, 3)
	assert.Nil(t, got.ResolvedAt, "re-opening clears the resolution")

	entries, err := st.Timeline(ctx, inc.ID)
	require.NoError(t, err)
	all := fmt.Sprint(bodies(entries))
	for _, want := range []string{"Status changed: investigating → monitoring.", "Mitigated.", "Resolved.",
		"Status changed: monitoring → resolved.", "Re-opened: resolved → investigating.", "Resolved time cleared"} {
		assert.Contains(t, all, want)
	}
}

func TestUpdateIncidentStaleVersionConflicts(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "original")
	title := "first writer"
	_, err := st.UpdateIncident(ctx, inc.ID, model.IncidentPatch{Title: &title, Version: 1})
	require.NoError(t, err)

	stale := "second writer"
	_, err = st.UpdateIncident(ctx, inc.ID, model.IncidentPatch{Title: &stale, Version: 1})
	var ce *model.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, model.ErrConflict)
	cur, ok := ce.Current.(*model.Incident)
	require.True(t, ok)
	assert.Equal(t, "first writer", cur.Title)
	assert.Equal(t, 2, cur.Version)

	got, err := st.Incident(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, "first writer", got.Title)
}

func TestConcurrentUpdatesExactlyOneWins(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "race")
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			title := fmt.Sprintf("writer %d", i)
			_, errs[i] = st.UpdateIncident(ctx, inc.ID, model.IncidentPatch{Title: &title, Version: 1})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
		} else {
			assert.ErrorIs(t, err, model.ErrConflict)
		}
	}
	assert.Equal(t, 1, wins)
	got, err := st.Incident(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, got.Version)
}

func TestUpdateIncidentClearsAndWritesZeroValues(t *testing.T) {
	st := OpenTest(t)
	started := mustTime(t, "2026-11-22T14:00:00Z")
	inc := &model.Incident{Title: "t", Severity: "SEV2", Summary: "something", StartedAt: &started, Tags: []string{"x"}}
	require.NoError(t, st.CreateIncident(ctx, inc, ""))
	empty := ""
	none := []string{}
	got, err := st.UpdateIncident(ctx, inc.ID, model.IncidentPatch{
		Summary: &empty, Tags: &none, Milestones: map[model.Milestone]*time.Time{model.MilestoneStarted: nil}, Version: 1,
	})
	require.NoError(t, err)
	got, err = st.Incident(ctx, got.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Summary)
	assert.Empty(t, got.Tags)
	assert.Nil(t, got.StartedAt)
}

func TestUpdateTimelineEntryKeepsHistory(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "history")
	e := appendAt(t, st, inc.ID, mustTime(t, "2026-11-22T14:00:00Z"), "first text")

	body := "second text"
	got, err := st.UpdateTimelineEntry(ctx, inc.ID, e.ID, model.EntryPatch{Body: &body, Version: 1})
	require.NoError(t, err)
	assert.Equal(t, 2, got.Version)

	// An unchanged save does not add a revision or bump the version.
	got, err = st.UpdateTimelineEntry(ctx, inc.ID, e.ID, model.EntryPatch{Body: &body, Version: 2})
	require.NoError(t, err)
	assert.Equal(t, 2, got.Version)

	stale := "lost?"
	_, err = st.UpdateTimelineEntry(ctx, inc.ID, e.ID, model.EntryPatch{Body: &stale, Version: 1})
	assert.ErrorIs(t, err, model.ErrConflict)

	loaded, err := st.TimelineEntry(ctx, inc.ID, e.ID)
	require.NoError(t, err)
	assert.Equal(t, "second text", loaded.Body)
	require.Len(t, loaded.Revisions, 1)
	assert.Equal(t, "first text", loaded.Revisions[0].Body)
	assert.Equal(t, 1, loaded.Revisions[0].Version)

	entries, err := st.Timeline(ctx, inc.ID)
	require.NoError(t, err)
	for _, en := range entries {
		if en.ID == e.ID {
			assert.Len(t, en.Revisions, 1)
		}
	}

	// An entry is only reachable through its own incident.
	other := newIncident(t, st, "other")
	_, err = st.TimelineEntry(ctx, other.ID, e.ID)
	assert.ErrorIs(t, err, model.ErrNotFound)
	_, err = st.UpdateTimelineEntry(ctx, other.ID, e.ID, model.EntryPatch{Body: &body, Version: 2})
	assert.ErrorIs(t, err, model.ErrNotFound)
}

func TestDeleteTimelineEntry(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "delete")
	e := appendAt(t, st, inc.ID, st.Now(), "to delete")
	body := "edited"
	_, err := st.UpdateTimelineEntry(ctx, inc.ID, e.ID, model.EntryPatch{Body: &body, Version: 1})
	require.NoError(t, err)

	assert.ErrorIs(t, st.DeleteTimelineEntry(ctx, inc.ID, e.ID, 1), model.ErrConflict)
	require.NoError(t, st.DeleteTimelineEntry(ctx, inc.ID, e.ID, 2))
	assert.ErrorIs(t, st.DeleteTimelineEntry(ctx, inc.ID, e.ID, 0), model.ErrNotFound)
	_, err = st.TimelineEntry(ctx, inc.ID, e.ID)
	assert.ErrorIs(t, err, model.ErrNotFound)
}

func TestIncidentsListOrderAndFilters(t *testing.T) {
	st := OpenTest(t)
	t0 := mustTime(t, "2026-11-01T00:00:00Z")
	mk := func(title, sev string, startOffset time.Duration, status model.Status) {
		started := t0.Add(startOffset)
		inc := &model.Incident{Title: title, Severity: sev, StartedAt: &started, Status: status}
		require.NoError(t, st.CreateIncident(ctx, inc, ""))
	}
	mk("old open", "SEV3", 0, model.StatusInvestigating)
	mk("new resolved", "SEV1", 48*time.Hour, model.StatusResolved)
	mk("new open", "SEV2", 24*time.Hour, model.StatusMonitoring)

	titles := func(f IncidentFilter) []string {
		list, _, err := st.Incidents(ctx, f)
		require.NoError(t, err)
		out := make([]string, len(list))
		for i, inc := range list {
			out[i] = inc.Title
		}
		return out
	}
	assert.Equal(t, []string{"new open", "old open", "new resolved"}, titles(IncidentFilter{}))
	assert.Equal(t, []string{"new open", "old open"}, titles(IncidentFilter{Status: "open"}))
	assert.Equal(t, []string{"new resolved"}, titles(IncidentFilter{Status: "resolved"}))
	assert.Equal(t, []string{"new open"}, titles(IncidentFilter{Severity: "SEV2"}))
	assert.Equal(t, []string{"old open"}, titles(IncidentFilter{Limit: 1, Offset: 1}))
	_, total, err := st.Incidents(ctx, IncidentFilter{Limit: 1})
	require.NoError(t, err)
	assert.EqualValues(t, 3, total)
}

func TestIncidentNotFound(t *testing.T) {
	st := OpenTest(t)
	_, err := st.Incident(ctx, 42)
	assert.True(t, errors.Is(err, model.ErrNotFound))
	title := "x"
	_, err = st.UpdateIncident(ctx, 42, model.IncidentPatch{Title: &title, Version: 1})
	assert.ErrorIs(t, err, model.ErrNotFound)
	assert.ErrorIs(t, st.DeleteIncident(ctx, 42), model.ErrNotFound)
}

func TestMigrateIsIdempotent(t *testing.T) {
	st := OpenTest(t)
	applied, err := st.Migrate(ctx)
	require.NoError(t, err)
	assert.Empty(t, applied)
	sevs, err := st.Severities(ctx)
	require.NoError(t, err)
	require.Len(t, sevs, 4)
	assert.Equal(t, "SEV1", sevs[0].Name)
}

func TestUpdateIncidentThatChangesNothingKeepsTheVersion(t *testing.T) {
	st := OpenTest(t)
	inc := &model.Incident{Title: "same", Severity: "SEV2", Services: []string{"b", "a"}, Roles: model.Roles{Commander: "Ann"}}
	require.NoError(t, st.CreateIncident(ctx, inc, ""))
	title, services := "same", []string{"A", "b"}
	got, err := st.UpdateIncident(ctx, inc.ID, model.IncidentPatch{Title: &title, Services: &services, Version: 1})
	require.NoError(t, err)
	assert.Equal(t, 1, got.Version)
	// A partial roles patch keeps the roles it does not name.
	scribe := "Sam"
	got, err = st.UpdateIncident(ctx, inc.ID, model.IncidentPatch{Roles: &model.RolesPatch{Scribe: &scribe}, Version: 1})
	require.NoError(t, err)
	assert.Equal(t, 2, got.Version)
	assert.Equal(t, model.Roles{Commander: "Ann", Scribe: "Sam", Responders: []string{}}, got.Roles)
}
