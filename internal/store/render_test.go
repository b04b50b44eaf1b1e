package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/markdown"
	"github.com/debrief-dev/debrief/internal/model"
)

// An entry's HTML is rendered when it is saved, kept current on edits, and
// rendered again when it was made by an older renderer.
func TestEntryHTMLIsRenderedOnSave(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "render")
	e := appendAt(t, st, inc.ID, st.Now(), "Restarted **db-1** <script>alert(1)</script>")
	got, err := st.TimelineEntry(ctx, inc.ID, e.ID)
	require.NoError(t, err)
	assert.Equal(t, markdown.Version, got.RenderVersion)
	assert.Contains(t, got.BodyHTML, "<strong>db-1</strong>")
	assert.NotContains(t, got.BodyHTML, "<script>", "raw HTML is dropped")

	body := "Failed over to _db-2_"
	_, err = st.UpdateTimelineEntry(ctx, inc.ID, e.ID, model.EntryPatch{Body: &body, Version: 1})
	require.NoError(t, err)
	got, err = st.TimelineEntry(ctx, inc.ID, e.ID)
	require.NoError(t, err)
	assert.Equal(t, "<p>Failed over to <em>db-2</em></p>\n", got.BodyHTML)

	// The declaration entry Debrief wrote itself is rendered too.
	entries, err := st.Timeline(ctx, inc.ID)
	require.NoError(t, err)
	for _, e := range entries {
		assert.Equal(t, markdown.Render(e.Body), e.BodyHTML, "entry %d", e.ID)
	}

	// Rows from before migration 9 (or the generator) are rendered again.
	require.NoError(t, st.wdb.Exec("UPDATE timeline_entries SET body_html = '', render_version = 0").Error)
	n, err := st.RenderStale(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "one batch at a time")
	for {
		n, err := st.RenderStale(ctx, 0)
		require.NoError(t, err)
		if n == 0 {
			break
		}
	}
	entries, err = st.Timeline(ctx, inc.ID)
	require.NoError(t, err)
	for _, e := range entries {
		assert.Equal(t, markdown.Version, e.RenderVersion)
		assert.Equal(t, markdown.Render(e.Body), e.BodyHTML)
	}
}
