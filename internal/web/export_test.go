package web

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

// The links of an export back to Debrief (issue 20): the front matter's
// url and the whys diagrams are always there. Without --base-url they are
// made from the address the request came to, at export time, so revisions
// published without one (or by an earlier version) get them too.

// zipFiles reads a zip archive's files by name.
func zipFiles(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err, "a valid zip")
	out := map[string]string{}
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		body, err := io.ReadAll(r)
		require.NoError(t, err)
		require.NoError(t, r.Close())
		out[f.Name] = string(body)
	}
	return out
}

// get answers a GET as the editor, requiring 200. The request comes to
// http://example.com, or to host when one is given.
func (a *testApp) get(target string, host ...string) string {
	a.t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if len(host) > 0 {
		req.Host = host[0]
	}
	a.authorize(req)
	rec := httptest.NewRecorder()
	a.srv.ServeHTTP(rec, req)
	require.Equal(a.t, http.StatusOK, rec.Code, "GET %s: %s", target, rec.Body.String())
	return rec.Body.String()
}

func TestExportLinksWithoutBaseURL(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	inc := app.readyIncident("Gateway 502s after a config push")
	root := app.storeWhy(inc, nil)
	app.storeWhy(inc, &root)
	app.pmPublish(inc, "Gateway returned 502s.", "12% of checkouts failed.")
	pm := fmt.Sprintf("/incidents/%d/postmortem", inc)
	diagram := fmt.Sprintf("/incidents/%d/whys/%d/diagram.svg", inc, root)

	rev, err := app.store.Revision(context.Background(), inc, 1)
	require.NoError(t, err)
	assert.Contains(t, rev.Markdown, "\nurl: "+pm+"\n", "stored with links from Debrief's root, no host frozen in")
	assert.Contains(t, rev.Markdown, "]("+diagram+")")

	// The httptest requests come to http://example.com.
	md := app.get(pm + ".md")
	assert.True(t, strings.HasPrefix(md, "---\ntitle: Gateway 502s after a config push\n"), "%.200s", md)
	assert.Contains(t, md, "\nurl: http://example.com"+pm+"\n")
	assert.Contains(t, md, "· <http://example.com"+pm+">\n")
	assert.Contains(t, md, "](http://example.com"+diagram+")\n")
	assert.Contains(t, md, fmt.Sprintf("\ndebrief:\n  id: %d\n  versions: {incident: ", inc))
	assert.NotContains(t, md, "debrief_versions")
	assert.Equal(t, md, app.getJSON(fmt.Sprintf("/api/v1/incidents/%d/postmortem/revisions/1", inc))["markdown"],
		"the API gives the revision as the export does")

	proxied := app.get(pm+".md?revision=1", "debrief.internal:8080")
	assert.Contains(t, proxied, "\nurl: http://debrief.internal:8080"+pm+"\n", "the address this request came to")
	assert.Contains(t, app.get(pm+".md?draft=1"), "\nurl: http://example.com"+pm+"\n")

	assert.Equal(t, md, zippedPostmortem(t, app), "the archive holds the same file")

	view := app.get(pm)
	assert.Contains(t, view, `<img src="http://example.com`+diagram+`"`, "the published page shows the diagram")
}

func TestExportLinksWithBaseURL(t *testing.T) {
	t.Parallel()
	app := newTestAppWith(t, Options{BaseURL: "https://debrief.example.com"})
	inc := app.readyIncident("Queue backlog")
	root := app.storeWhy(inc, nil)
	app.pmPublish(inc, "The queue backed up.", "Emails were late.")
	pm := fmt.Sprintf("/incidents/%d/postmortem", inc)

	rev, err := app.store.Revision(context.Background(), inc, 1)
	require.NoError(t, err)
	assert.Contains(t, rev.Markdown, "\nurl: https://debrief.example.com"+pm+"\n")
	for _, md := range []string{app.get(pm+".md", "evil.example.net"), zippedPostmortem(t, app, "evil.example.net")} {
		assert.Contains(t, md, "\nurl: https://debrief.example.com"+pm+"\n", "the configured address, whatever the Host")
		assert.Contains(t, md, fmt.Sprintf("](https://debrief.example.com/incidents/%d/whys/%d/diagram.svg)", inc, root))
		assert.NotContains(t, md, "evil.example.net")
	}
}

// zippedPostmortem is the one postmortem of /export.zip.
func zippedPostmortem(t *testing.T, app *testApp, host ...string) string {
	t.Helper()
	files := zipFiles(t, []byte(app.get("/export.zip", host...)))
	require.Len(t, files, 2, "index.md and one postmortem")
	for name, body := range files {
		if name != "postmortems/index.md" {
			return body
		}
	}
	return ""
}

// A revision published by an earlier version, without --base-url, has
// debrief_id and debrief_versions, no url and no diagram: its export has
// them, in today's layout.
func TestExportOfAnEarlierRevision(t *testing.T) {
	t.Parallel()
	old, err := os.ReadFile(filepath.Join("..", "postmortem", "testdata", "v1-no-base-url.md"))
	require.NoError(t, err)
	require.Contains(t, string(old), "\ndebrief_id: 42\n")
	require.NotContains(t, string(old), "url:")
	app := newTestApp(t)
	inc := app.readyIncident("Checkout failures in the EU")
	_, err = app.store.Publish(context.Background(), inc, 0, func(*store.Document, int, time.Time) (string, []byte, error) {
		return string(old), []byte("{}"), nil
	})
	require.NoError(t, err)

	md := app.get(fmt.Sprintf("/incidents/%d/postmortem.md", inc))
	assert.Contains(t, md, "\nurl: http://example.com/incidents/42/postmortem\n", "the id of the file's front matter")
	assert.Contains(t, md, "](http://example.com/incidents/42/whys/10/diagram.svg)")
	assert.Contains(t, md, "](http://example.com/incidents/42/whys/20/diagram.svg)")
	assert.Contains(t, md, "\ndebrief:\n  id: 42\n")
	assert.NotContains(t, md, "debrief_id")
	assert.Contains(t, md, "\n## Summary\n<!-- debrief:section summary -->\n\nBetween 23:41 and 00:38 UTC", "the text as published")
}
