package store

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

func TestConcurrentAppendsAreAllStoredOnce(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "many scribes")
	const writers, each = 32, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	ids := make(chan int64, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e := &model.TimelineEntry{IncidentID: inc.ID, OccurredAt: st.Now(), Kind: model.KindAction, Body: fmt.Sprintf("w%d-%d", w, i)}
				err := st.AppendTimeline(ctx, e)
				errs <- err
				if err == nil {
					ids <- e.ID
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(ids)
	for err := range errs {
		require.NoError(t, err)
	}
	seen := map[int64]bool{}
	for id := range ids {
		assert.False(t, seen[id], "id %d handed out twice", id)
		seen[id] = true
	}
	entries, err := st.Timeline(ctx, inc.ID)
	require.NoError(t, err)
	assert.Len(t, userEntries(entries), writers*each)
	for _, e := range userEntries(entries) {
		assert.True(t, seen[e.ID], "stored entry %d was not reported to its writer", e.ID)
	}
}

// A batch holding one entry for a vanished incident stores all the others
// and reports not found for that one only.
func TestAppendBatchIsolatesABadEntry(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "batch")
	now := st.Now()
	var batch []appendRequest
	for i, incidentID := range []int64{inc.ID, 9999, inc.ID} {
		e := &model.TimelineEntry{IncidentID: incidentID, OccurredAt: now, Kind: model.KindAction,
			Body: fmt.Sprintf("entry %d", i), Version: 1, CreatedAt: now, UpdatedAt: now}
		batch = append(batch, appendRequest{entry: e, result: make(chan error, 1)})
	}
	st.appender.commit(batch)
	assert.NoError(t, <-batch[0].result)
	assert.ErrorIs(t, <-batch[1].result, model.ErrNotFound)
	assert.NoError(t, <-batch[2].result)
	assert.NotZero(t, batch[0].entry.ID)
	assert.NotZero(t, batch[2].entry.ID)

	entries, err := st.Timeline(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"entry 0", "entry 2"}, bodies(userEntries(entries)))
}

func TestAppendAfterCloseFails(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "closing")
	require.NoError(t, st.Close())
	err := st.AppendTimeline(ctx, &model.TimelineEntry{IncidentID: inc.ID, OccurredAt: st.Now(), Kind: model.KindAction, Body: "late"})
	assert.ErrorIs(t, err, errClosed)
}
