package postmortem

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

func published(id int64, title string, day string, md string) store.Published {
	t, _ := time.Parse(time.DateOnly, day)
	return store.Published{
		Incident: model.Incident{ID: id, Title: title, Severity: "SEV2", StartedAt: &t, Services: []string{"checkout"}},
		Revision: model.PostmortemRevision{IncidentID: id, Number: 1, Markdown: md},
	}
}

func TestBundleIsDeterministicAndWikiReady(t *testing.T) {
	pubs := []store.Published{
		published(1, "Checkout | payments down", "2026-11-19", "# one\n"),
		published(2, "Search stale", "2026-11-21", "# two\n"),
		published(3, "Checkout | payments down", "2026-11-19", "# three\n"), // same day and title
	}
	a, b := Bundle(pubs), Bundle(pubs)
	require.Equal(t, a, b)
	names := make([]string, len(a))
	for i, f := range a {
		names[i] = f.Name
	}
	assert.Equal(t, []string{"index.md", "2026-11-19-checkout-payments-down-3.md", "2026-11-19-checkout-payments-down.md", "2026-11-21-search-stale.md"}, names)
	index := string(a[0].Body)
	assert.Contains(t, index, "| 2026-11-21 | [Search stale](2026-11-21-search-stale.md) | SEV2 | checkout |")
	assert.Contains(t, index, `[Checkout \| payments down](2026-11-19-checkout-payments-down.md)`, "a | in a title does not break the table")

	var z1, z2 bytes.Buffer
	require.NoError(t, WriteZip(&z1, "postmortems", a))
	require.NoError(t, WriteZip(&z2, "postmortems", b))
	assert.Equal(t, z1.Bytes(), z2.Bytes(), "exporting an unchanged archive twice gives identical bytes")
	zr, err := zip.NewReader(bytes.NewReader(z1.Bytes()), int64(z1.Len()))
	require.NoError(t, err)
	require.Len(t, zr.File, 4)
	assert.Equal(t, "postmortems/index.md", zr.File[0].Name)

	dir := t.TempDir()
	require.NoError(t, WriteDir(dir, a))
	got, err := os.ReadFile(filepath.Join(dir, "2026-11-21-search-stale.md"))
	require.NoError(t, err)
	assert.Equal(t, "# two\n", string(got))
}

func TestBundleEmptyAndSlugs(t *testing.T) {
	files := Bundle(nil)
	require.Len(t, files, 1)
	assert.Contains(t, string(files[0].Body), "Nothing published yet.")
	assert.Equal(t, "incident", Slug("🔥🔥"))
	assert.Equal(t, "db-pool-50-5", Slug("  DB pool: 50 → 5!  "))
	assert.LessOrEqual(t, len(Slug(string(bytes.Repeat([]byte("word "), 50)))), 60)
}

func TestBundleNamesNeverCollide(t *testing.T) {
	files := Bundle([]store.Published{
		published(3, "Foo", "2026-01-01", "# 3\n"),
		published(5, "Foo 7", "2026-01-01", "# 5\n"),
		published(7, "Foo", "2026-01-01", "# 7\n"),
	})
	seen := map[string]bool{}
	for _, f := range files {
		assert.False(t, seen[f.Name], "duplicate %s", f.Name)
		seen[f.Name] = true
	}
	assert.Len(t, files, 4)
}
