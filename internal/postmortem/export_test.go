package postmortem

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// publishAs publishes the incident's postmortem as its next revision with
// the given Markdown.
func publishAs(t *testing.T, st *store.Store, id int64, md string) {
	t.Helper()
	ctx := context.Background()
	pm, err := st.Postmortem(ctx, id)
	require.NoError(t, err)
	if pm.Status == model.PostmortemPublished {
		pm, err = st.SetPostmortemStatus(ctx, id, model.PostmortemDraft, pm.Version)
		require.NoError(t, err)
	}
	_, err = st.Publish(ctx, id, pm.Version, func(*store.Document, int, time.Time) (string, []byte, error) {
		return md, []byte("{}"), nil
	})
	require.NoError(t, err)
}

// bundled is the export as it was built before Export: every latest
// revision in memory, ordered by start then id, through Bundle.
func bundled(t *testing.T, st *store.Store, ids []int64, baseURL string) []File {
	t.Helper()
	ctx := context.Background()
	var pubs []store.Published
	for _, id := range ids {
		revs, err := st.Revisions(ctx, id)
		require.NoError(t, err)
		if len(revs) == 0 {
			continue
		}
		rev, err := st.Revision(ctx, id, revs[len(revs)-1].Number)
		require.NoError(t, err)
		inc, err := st.Incident(ctx, id)
		require.NoError(t, err)
		pubs = append(pubs, store.Published{Incident: *inc, Revision: *rev})
	}
	slices.SortFunc(pubs, func(a, b store.Published) int {
		ta, tb := a.Incident.CreatedAt, b.Incident.CreatedAt
		if a.Incident.StartedAt != nil {
			ta = *a.Incident.StartedAt
		}
		if b.Incident.StartedAt != nil {
			tb = *b.Incident.StartedAt
		}
		if c := ta.Compare(tb); c != 0 {
			return c
		}
		return int(a.Incident.ID - b.Incident.ID)
	})
	return Bundle(pubs, baseURL)
}

func TestExportGivesTheSameBytesAsBundle(t *testing.T) {
	ctx := context.Background()
	st := store.OpenTest(t)
	day := func(s string) *time.Time {
		d, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return &d
	}
	var ids []int64
	for _, inc := range []*model.Incident{
		{Title: "Checkout | payments down", Severity: "SEV1", StartedAt: day("2026-11-19T10:00:00Z"), Services: []string{"payments", "checkout"}},
		{Title: "Search stale", Severity: "SEV3", StartedAt: day("2026-11-21T08:00:00Z"), Services: []string{"search"}},
		{Title: "Checkout | payments down", Severity: "SEV2", StartedAt: day("2026-11-19T09:00:00Z")}, // same day and slug, earlier
		{Title: "Never published", Severity: "SEV2", StartedAt: day("2026-11-20T09:00:00Z")},
		{Title: "No start time", Severity: "SEV4"},
		{Title: "<img src=x onerror=alert(1)>", Severity: "SEV2", StartedAt: day("2025-01-02T00:00:00Z"), Services: []string{"edge"}},
	} {
		require.NoError(t, st.CreateIncident(ctx, inc, ""))
		ids = append(ids, inc.ID)
	}
	for i, id := range ids {
		if i == 3 {
			continue
		}
		publishAs(t, st, id, fmt.Sprintf("# incident %d\n\nfirst revision\n", id))
	}
	publishAs(t, st, ids[1], "# incident 2\n\nsecond revision, the latest\n")

	for _, baseURL := range []string{"", "https://debrief.example.com"} {
		want := bundled(t, st, ids, baseURL)
		var got []File
		require.NoError(t, Export(ctx, st, ExportOptions{BaseURL: baseURL}, func(f File) error {
			got = append(got, f)
			return nil
		}))
		require.Equal(t, want, got)

		var oldZip, newZip bytes.Buffer
		require.NoError(t, WriteZip(&oldZip, "postmortems", want))
		z := NewZip(&newZip, "postmortems")
		require.NoError(t, Export(ctx, st, ExportOptions{BaseURL: baseURL}, z.Add))
		require.NoError(t, z.Close())
		assert.Equal(t, oldZip.Bytes(), newZip.Bytes(), "the same archive gives the same bytes")
	}

	names := make([]string, 0, len(ids))
	require.NoError(t, Export(ctx, st, ExportOptions{}, func(f File) error {
		names = append(names, f.Name)
		return nil
	}))
	// The incident that started first keeps the plain name.
	assert.Contains(t, names, "2026-11-19-checkout-payments-down.md")
	assert.Contains(t, names, fmt.Sprintf("2026-11-19-checkout-payments-down-%d.md", ids[0]))
	assert.NotContains(t, names, "2026-11-20-never-published.md")
	assert.Equal(t, "index.md", names[0])
}

// pages is an in-memory Source that records what it was asked.
type pages struct {
	entries  []store.PublishedEntry
	markdown map[int64]string
	asked    [][]int64
}

func (p *pages) PublishedBatch(_ context.Context, _ model.Viewer, after int64, limit int) ([]store.PublishedEntry, error) {
	var out []store.PublishedEntry
	for _, e := range p.entries {
		if e.Incident.ID > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (p *pages) LatestMarkdown(_ context.Context, ids []int64) (map[int64]string, error) {
	p.asked = append(p.asked, ids)
	out := map[int64]string{}
	for _, id := range ids {
		out[id] = p.markdown[id]
	}
	return out, nil
}

func TestExportBatchesAndSince(t *testing.T) {
	src := &pages{markdown: map[int64]string{}}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 1234
	for i := int64(1); i <= n; i++ {
		started := base.Add(time.Duration(i) * time.Hour)
		src.entries = append(src.entries, store.PublishedEntry{
			Incident:    model.Incident{ID: i, Title: fmt.Sprintf("Outage %d", i), Severity: "SEV2", StartedAt: &started},
			PublishedAt: base.AddDate(0, 0, int(i%10)),
		})
		src.markdown[i] = fmt.Sprintf("# %d\n", i)
	}
	var files []File
	require.NoError(t, Export(context.Background(), src, ExportOptions{}, func(f File) error {
		files = append(files, f)
		return nil
	}))
	require.Len(t, files, n+1)
	for _, ids := range src.asked {
		assert.LessOrEqual(t, len(ids), exportChunk, "Markdown is read a bounded chunk at a time")
	}

	src.asked = nil
	since := base.AddDate(0, 0, 8)
	var index File
	var written []File
	require.NoError(t, Export(context.Background(), src, ExportOptions{Since: since}, func(f File) error {
		if f.Name == "index.md" {
			index = f
		} else {
			written = append(written, f)
		}
		return nil
	}))
	assert.Equal(t, files[0], index, "index.md stays complete")
	want := 0
	for _, e := range src.entries {
		if !e.PublishedAt.Before(since) {
			want++
		}
	}
	assert.Len(t, written, want, "only the postmortems published since the day")
}
