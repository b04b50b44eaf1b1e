package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/debrief-dev/debrief/internal/model"
)

// feedIncident declares an incident at created (the store's clock) that is
// resolved at resolved when that is not zero.
func feedIncident(t *testing.T, st *Store, clock *time.Time, title string, created, resolved time.Time, private bool) int64 {
	t.Helper()
	*clock = created
	inc := &model.Incident{Title: title, Severity: "SEV2", Status: model.StatusInvestigating}
	if private {
		inc.Visibility = model.VisibilityPrivate
	}
	if !resolved.IsZero() {
		inc.Status, inc.ResolvedAt = model.StatusResolved, &resolved
	}
	require.NoError(t, st.CreateIncident(context.Background(), inc, ""))
	return inc.ID
}

func TestIncidentFeedMergesNewestFirst(t *testing.T) {
	now := time.Date(2026, time.December, 8, 12, 0, 0, 0, time.UTC)
	clock := now
	st := OpenTest(t, WithClock(func() time.Time { return clock }))
	ctx := context.Background()
	h := func(n int) time.Time { return now.Add(time.Duration(n) * time.Hour) }
	a := feedIncident(t, st, &clock, "A", h(0), h(5), false)
	b := feedIncident(t, st, &clock, "B", h(1), time.Time{}, false)
	c := feedIncident(t, st, &clock, "C", h(2), h(3), false)
	p := feedIncident(t, st, &clock, "Private", h(4), h(6), true)

	type ev struct {
		id   int64
		kind string
	}
	events := func(v model.Viewer, limit int) []ev {
		got, err := st.IncidentFeed(ctx, v, limit)
		require.NoError(t, err)
		out := make([]ev, len(got))
		for i, g := range got {
			out[i] = ev{g.IncidentID, g.Kind}
		}
		return out
	}
	assert.Equal(t, []ev{{p, FeedResolved}, {a, FeedResolved}, {p, FeedDeclared}, {c, FeedResolved}, {c, FeedDeclared}, {b, FeedDeclared}, {a, FeedDeclared}},
		events(model.Viewer{Admin: true}, 50))
	assert.Equal(t, []ev{{a, FeedResolved}, {c, FeedResolved}, {c, FeedDeclared}, {b, FeedDeclared}, {a, FeedDeclared}},
		events(model.Viewer{UserID: 99}, 50), "a private incident is no non-member's")
	assert.Equal(t, []ev{{a, FeedResolved}, {c, FeedResolved}}, events(model.Viewer{UserID: 99}, 2), "bounded")
}

// TestFeedsUseIndexes: the feeds read their newest rows from an index and
// stop at the limit; they never scan incidents or the revisions, nor sort
// them in a temporary b-tree.
func TestFeedsUseIndexes(t *testing.T) {
	st := OpenTest(t)
	log := &sqlLog{Interface: logger.Discard}
	st.db = st.db.Session(&gorm.Session{Logger: log})
	for _, v := range []model.Viewer{{Admin: true}, {UserID: 7}} {
		log.stmts = nil
		_, err := st.IncidentFeed(context.Background(), v, 50)
		require.NoError(t, err)
		_, err = st.ArchiveFeed(context.Background(), v, 50)
		require.NoError(t, err)
		require.Len(t, log.stmts, 3)
		for _, sql := range log.stmts {
			text := strings.Join(queryPlan(t, st, sql), "\n")
			t.Logf("%v: %s", v, strings.ReplaceAll(text, "\n", "; "))
			for _, table := range []string{"incidents", "postmortem_revisions", "i", "r"} {
				for _, step := range strings.Split(text, "\n") {
					if (step == "SCAN "+table || strings.HasPrefix(step, "SCAN "+table+" ")) && !strings.Contains(step, "INDEX") {
						t.Errorf("scans %s:\n%s\n%s", table, sql, text)
					}
				}
			}
			assert.NotContains(t, text, "USE TEMP B-TREE FOR ORDER BY", sql)
		}
	}
}

func TestFeedKeyLifecycle(t *testing.T) {
	st := OpenTest(t)
	ctx := context.Background()
	u := &model.User{Email: "reader@example.com", Name: "Reader", Role: model.RoleViewer}
	require.NoError(t, st.CreateUser(ctx, u))
	k := &model.FeedKey{UserID: u.ID, Name: "  my   reader ", Hash: []byte("hash-1"), Prefix: "dbfeed_abc"}
	require.NoError(t, st.CreateFeedKey(ctx, k))
	assert.Equal(t, "my reader", k.Name)
	got, err := st.FeedKeyByHash(ctx, []byte("hash-1"))
	require.NoError(t, err)
	assert.Equal(t, u.ID, got.User.ID)
	require.NoError(t, st.TouchFeedKey(ctx, got))
	keys, err := st.FeedKeys(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.NotNil(t, keys[0].LastUsedAt)

	var ve *model.ValidationError
	assert.ErrorAs(t, st.CreateFeedKey(ctx, &model.FeedKey{UserID: u.ID, Name: "", Hash: []byte("hash-2")}), &ve)
	assert.ErrorIs(t, st.RevokeFeedKey(ctx, k.ID, u.ID+1), model.ErrNotFound, "someone else's key")
	require.NoError(t, st.RevokeFeedKey(ctx, k.ID, u.ID))
	require.NoError(t, st.RevokeFeedKey(ctx, k.ID, u.ID), "twice changes nothing")
	_, err = st.FeedKeyByHash(ctx, []byte("hash-1"))
	assert.ErrorIs(t, err, model.ErrNotFound)
}
