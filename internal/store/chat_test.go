package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

func TestAppendTimelineBatch(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "chat import")
	at := mustTime(t, "2026-11-22T14:00:00Z")
	batch := func() []model.TimelineEntry {
		return []model.TimelineEntry{
			{OccurredAt: at, Kind: model.KindObservation, Body: "p99 up", Author: "sam"},
			{OccurredAt: at.Add(time.Minute), Kind: model.KindDecision, Body: "fail over", Author: "priya"},
			{OccurredAt: at.Add(time.Minute), Kind: model.KindDecision, Body: "fail over", Author: "priya"}, // twice in the paste
		}
	}
	sub := st.Broker().Subscribe(inc.ID)
	defer sub.Close()
	created, dups, err := st.AppendTimelineBatch(ctx, inc.ID, batch())
	require.NoError(t, err)
	assert.Len(t, created, 2)
	assert.Equal(t, []int{2}, dups)
	assert.Len(t, drain(sub), 2, "each added entry is one live event")

	// The same transcript again adds nothing.
	created, dups, err = st.AppendTimelineBatch(ctx, inc.ID, batch())
	require.NoError(t, err)
	assert.Empty(t, created)
	assert.Equal(t, []int{0, 1, 2}, dups)

	// One bad entry: nothing is added, and the error names it.
	bad := batch()
	bad[0].Body = "new"
	bad[1].Body = ""
	_, _, err = st.AppendTimelineBatch(ctx, inc.ID, bad)
	var ve *model.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields, "entries[1].body")
	entries, err := st.Timeline(ctx, inc.ID)
	require.NoError(t, err)
	assert.Len(t, userEntries(entries), 2, "all or nothing")

	_, _, err = st.AppendTimelineBatch(ctx, inc.ID, nil)
	require.ErrorAs(t, err, &ve)
	_, _, err = st.AppendTimelineBatch(ctx, inc.ID+99, batch())
	assert.ErrorIs(t, err, model.ErrNotFound)
}
