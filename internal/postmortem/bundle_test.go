package postmortem

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

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
	a, b := Bundle(pubs, ""), Bundle(pubs, "")
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
	files := Bundle(nil, "")
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
	}, "")
	seen := map[string]bool{}
	for _, f := range files {
		assert.False(t, seen[f.Name], "duplicate %s", f.Name)
		seen[f.Name] = true
	}
	assert.Len(t, files, 4)
}

// Titles are text in the index: raw HTML and Markdown in them are escaped
// (issue 23: a wiki that renders HTML would run it).
func TestBundleIndexEscapesTitles(t *testing.T) {
	hostile := []string{
		"<img src=x onerror=alert(1)>",
		"<script>alert(1)</script> & [link](javascript:alert(1)) *bold* `code` ![i](x)",
		"a\nmulti-line <b>title</b>",
	}
	pubs := make([]store.Published, len(hostile))
	for i, title := range hostile {
		pubs[i] = published(int64(i+1), title, "2026-11-2"+string(rune('1'+i)), "# x\n")
		pubs[i].Incident.Severity = "<i>SEV1</i>"
		pubs[i].Incident.Services = []string{"a|b", "<u>c</u>"}
	}
	index := Bundle(pubs, "")[0]
	require.Equal(t, "index.md", index.Name)
	assert.Contains(t, string(index.Body), `[\<img src=x onerror=alert(1)\>](2026-11-21-img-src-x-onerror-alert-1.md)`)
	assert.Equal(t, 2+len(hostile), strings.Count(string(index.Body), "\n|"), "one row each, on one line")

	var buf bytes.Buffer
	require.NoError(t, goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe())).
		Convert(index.Body, &buf))
	h := buf.String()
	for _, tag := range []string{"<img", "<script", "<b>", "<i>", "<u>", "<strong", "<em", "<code", `href="javascript`} {
		assert.NotContains(t, h, tag, "rendered with raw HTML allowed, as MkDocs does")
	}
	assert.Contains(t, h, `<a href="2026-11-21-img-src-x-onerror-alert-1.md">&lt;img src=x onerror=alert(1)&gt;</a>`)
	assert.Contains(t, h, "<td>a|b, &lt;u&gt;c&lt;/u&gt;</td>")
}

// The files of a bundle carry links made from the base URL given, even for
// a revision published without one.
func TestBundleLinksBackToDebrief(t *testing.T) {
	noBase := Render(completeDoc(), Options{Revision: 2, PublishedAt: completeOptions().PublishedAt})
	pubs := []store.Published{published(42, "Checkout failures", "2026-11-22", string(noBase))}
	files := Bundle(pubs, "https://debrief.example.com")
	require.Len(t, files, 2)
	assert.Equal(t, string(Render(completeDoc(), completeOptions())), string(files[1].Body))
	assert.Equal(t, string(noBase), string(Bundle(pubs, "")[1].Body), "no base URL: links from Debrief's root")
}
