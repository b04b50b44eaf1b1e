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

// TestRemindersUseIndexes: the digest's reads walk an index over the
// window they need, never a whole table, and never sort in a b-tree.
func TestRemindersUseIndexes(t *testing.T) {
	st := OpenTest(t)
	log := &sqlLog{Interface: logger.Discard}
	st.db = st.db.Session(&gorm.Session{Logger: log})
	now := time.Date(2026, time.December, 8, 9, 0, 0, 0, time.UTC)
	_, err := st.ReminderItems(context.Background(), model.DateOf(now).AddDays(7))
	require.NoError(t, err)
	_, err = st.OverduePostmortems(context.Background(), now.AddDate(0, 0, -90), now.Add(-48*time.Hour))
	require.NoError(t, err)
	require.Len(t, log.stmts, 2)
	for _, sql := range log.stmts {
		text := strings.Join(queryPlan(t, st, sql), "\n")
		t.Logf("%s", strings.ReplaceAll(text, "\n", "; "))
		for _, step := range strings.Split(text, "\n") {
			if strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, "INDEX") {
				t.Errorf("scans a table:\n%s\n%s", sql, text)
			}
		}
		assert.NotContains(t, text, "TEMP B-TREE", sql)
	}
}

func TestRecordDigestOncePerDay(t *testing.T) {
	st := OpenTest(t)
	ctx := context.Background()
	day := model.NewDate(2026, 12, 8)
	d := Digest{Owner: "Carol", Day: day, Events: []DigestEvent{{Type: model.EventActionItemOverdue, Data: map[string]any{"owner": "Carol"}}}}
	ok, err := st.RecordDigest(ctx, d)
	require.NoError(t, err)
	assert.True(t, ok)
	d.Owner = "CAROL" // the same owner
	ok, err = st.RecordDigest(ctx, d)
	require.NoError(t, err)
	assert.False(t, ok, "once per owner and day")
	d.Day = day.AddDays(1)
	ok, err = st.RecordDigest(ctx, d)
	require.NoError(t, err)
	assert.True(t, ok)
}
