package store

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/events"
	"github.com/debrief-dev/debrief/internal/model"
)

// drain reads what the subscription holds now.
func drain(sub *events.Subscription) []events.Event {
	var out []events.Event
	for {
		select {
		case ev := <-sub.C:
			out = append(out, ev)
		case <-time.After(50 * time.Millisecond):
			return out
		}
	}
}

func kinds(evs []events.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Type + "/" + ev.Action + "/" + ev.Entity
	}
	return out
}

// Every committed change to an incident is one event, published after its
// commit, in id order, and logged so a reader can read it back.
func TestEveryChangeIsOneEventInOrder(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "events")
	sub := st.Broker().Subscribe(inc.ID)
	defer sub.Close()
	other := st.Broker().Subscribe(inc.ID + 1000) // another incident hears nothing
	defer other.Close()

	e := appendAt(t, st, inc.ID, st.Now(), "first") // the group-commit path
	body := "first, edited"
	_, err := st.UpdateTimelineEntry(ctx, inc.ID, e.ID, model.EntryPatch{Body: &body, Version: 1})
	require.NoError(t, err)
	status := model.StatusMonitoring
	_, err = st.UpdateIncident(ctx, inc.ID, model.IncidentPatch{Status: &status, Version: inc.Version})
	require.NoError(t, err)
	f := &model.Factor{IncidentID: inc.ID, Title: "No canary for config pushes", Category: "change"}
	require.NoError(t, st.CreateFactor(ctx, f))
	require.NoError(t, st.DeleteTimelineEntry(ctx, inc.ID, e.ID, 2))

	got := drain(sub)
	want := []string{
		"entry/created/timeline_entry",
		"entry/updated/timeline_entry",
		"entry/created/timeline_entry", // the status change's entries: the change
		"entry/created/timeline_entry", // and the milestone it sets
		"incident/updated/incident",
		"analysis/created/factor",
		"entry/deleted/timeline_entry",
	}
	assert.Equal(t, want, kinds(got))
	for i := 1; i < len(got); i++ {
		assert.Greater(t, got[i].ID, got[i-1].ID, "ids strictly increase")
	}
	assert.Empty(t, drain(other))

	// The record is the record as stored; a delete carries it as it was.
	var rec model.TimelineEntry
	require.NoError(t, json.Unmarshal(got[0].Record, &rec))
	assert.Equal(t, "first", rec.Body)
	assert.Equal(t, e.ID, got[0].EntityID)
	last := got[len(got)-1]
	require.NoError(t, json.Unmarshal(last.Record, &rec))
	assert.Equal(t, "first, edited", rec.Body)
	assert.Equal(t, 2, last.Version)

	// The log holds the same events, and the same ids, for a reader that
	// reconnects.
	logged, err := st.EventsSince(ctx, inc.ID, got[0].ID-1, 100)
	require.NoError(t, err)
	require.Len(t, logged, len(got))
	for i := range got {
		assert.Equal(t, got[i].ID, logged[i].ID)
		assert.Equal(t, got[i].Type, logged[i].Type)
	}
	tail, err := st.EventsSince(ctx, inc.ID, got[2].ID, 2)
	require.NoError(t, err)
	assert.Equal(t, []int64{got[3].ID, got[4].ID}, []int64{tail[0].ID, tail[1].ID}, "after an id, with a limit")
	lastID, err := st.LastEventID(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, last.ID, lastID)
}

// A refused or rolled-back change notifies nobody and logs nothing.
func TestRolledBackChangeHasNoEvent(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "rollback")
	e := appendAt(t, st, inc.ID, st.Now(), "text")
	before, err := st.LastEventID(ctx, inc.ID)
	require.NoError(t, err)
	sub := st.Broker().Subscribe(inc.ID)
	defer sub.Close()

	body := "stale"
	_, err = st.UpdateTimelineEntry(ctx, inc.ID, e.ID, model.EntryPatch{Body: &body, Version: 7})
	require.Error(t, err)
	empty := ""
	_, err = st.UpdateTimelineEntry(ctx, inc.ID, e.ID, model.EntryPatch{Body: &empty, Version: 1})
	require.Error(t, err)
	require.Error(t, st.AppendTimeline(ctx, &model.TimelineEntry{IncidentID: inc.ID + 99, OccurredAt: st.Now(), Kind: model.KindAction, Body: "x"}))

	assert.Empty(t, drain(sub))
	after, err := st.LastEventID(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

// A position the log cannot serve (never issued, or pruned) is refused, so
// the reader reloads instead of silently missing events.
func TestEventsSinceRefusesWhatItCannotServe(t *testing.T) {
	now := mustTime(t, "2026-11-22T14:00:00Z")
	clock := now
	st := OpenTest(t, WithClock(func() time.Time { return clock }))
	inc := newIncident(t, st, "prune")
	first, err := st.LastEventID(ctx, inc.ID)
	require.NoError(t, err)
	require.NotZero(t, first)

	_, err = st.EventsSince(ctx, inc.ID, first+1000, 10)
	assert.ErrorIs(t, err, ErrEventsGone, "an id from the future")

	// Nine days later: the declaration's events are past EventMaxAge.
	clock = now.Add(9 * 24 * time.Hour)
	appendAt(t, st, inc.ID, clock, "new")
	n, err := st.PruneEvents(ctx, 0)
	require.NoError(t, err)
	assert.Positive(t, n)
	_, err = st.EventsSince(ctx, inc.ID, 0, 10)
	assert.ErrorIs(t, err, ErrEventsGone, "a position before what was pruned")
	evs, err := st.EventsSince(ctx, inc.ID, first, 10)
	require.NoError(t, err, "the position of the newest pruned event still resumes")
	require.Len(t, evs, 1)
	var rec model.TimelineEntry
	require.NoError(t, json.Unmarshal(evs[0].Record, &rec))
	assert.Equal(t, "new", rec.Body)

	// Nothing younger than a day goes, however many there are.
	n, err = st.PruneEvents(ctx, 0)
	require.NoError(t, err)
	assert.Zero(t, n)

	// An incident whose every event was pruned: a page rendered now gets a
	// position its stream can resume from (not a reset, which would reload
	// the page forever).
	clock = clock.Add(9 * 24 * time.Hour)
	_, err = st.PruneEvents(ctx, 0)
	require.NoError(t, err)
	pos, err := st.LastEventID(ctx, inc.ID)
	require.NoError(t, err)
	assert.Positive(t, pos)
	evs, err = st.EventsSince(ctx, inc.ID, pos, 10)
	require.NoError(t, err)
	assert.Empty(t, evs)
}
