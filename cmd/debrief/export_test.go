package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
	"github.com/debrief-dev/debrief/internal/store"
)

// debrief export makes the links back to Debrief from --base-url, or from
// Debrief's root without it: a command line has no request to take the
// address from.
func TestExportLinksBackToDebrief(t *testing.T) {
	st, db := migratedStore(t)
	ctx := context.Background()
	inc := &model.Incident{Title: "Pool exhausted", Severity: "SEV2"}
	require.NoError(t, st.CreateIncident(ctx, inc, ""))
	// Published as the server does without --base-url.
	_, err := st.Publish(ctx, inc.ID, 1, func(doc *store.Document, rev int, at time.Time) (string, []byte, error) {
		return string(postmortem.Render(doc, postmortem.Options{Revision: rev, PublishedAt: &at})), []byte("{}"), nil
	})
	require.NoError(t, err)
	require.NoError(t, st.Close())
	pm := "/incidents/" + strconv.FormatInt(inc.ID, 10) + "/postmortem"
	name := inc.CreatedAt.UTC().Format("2006-01-02") + "-pool-exhausted.md"

	for _, tc := range []struct {
		args []string
		env  map[string]string
		url  string
		link string // under the title
	}{
		{nil, nil, pm, "[" + pm + "](" + pm + ")"},
		{[]string{"--base-url", "https://debrief.example.com/"}, nil, "https://debrief.example.com" + pm, "<https://debrief.example.com" + pm + ">"},
		{nil, map[string]string{"DEBRIEF_BASE_URL": "https://pm.example.org"}, "https://pm.example.org" + pm, "<https://pm.example.org" + pm + ">"},
	} {
		dir := filepath.Join(t.TempDir(), "wiki")
		args := append([]string{"export", "--db", db, "--dir", dir}, tc.args...)
		require.NoError(t, run(ctx, args, func(k string) string { return tc.env[k] }, nil, io.Discard, io.Discard))
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Contains(t, string(got), "\nurl: "+tc.url+"\n", "%v %v", tc.args, tc.env)
		assert.Contains(t, string(got), "* · "+tc.link+"\n", "%v %v", tc.args, tc.env)
	}
}

// TestExportSince: --since writes only what was published on or after
// the day (UTC), with the whole index; a bad day is a usage error.
func TestExportSince(t *testing.T) {
	db := filepath.Join(t.TempDir(), "debrief.db")
	ctx := context.Background()
	now := time.Date(2025, 12, 31, 23, 59, 0, 0, time.UTC)
	st, err := store.Open(db, store.WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	_, err = st.Migrate(ctx)
	require.NoError(t, err)
	publish := func(title string) string {
		inc := &model.Incident{Title: title, Severity: "SEV2"}
		require.NoError(t, st.CreateIncident(ctx, inc, ""))
		_, err := st.Publish(ctx, inc.ID, 1, func(*store.Document, int, time.Time) (string, []byte, error) {
			return "# " + title + "\n", []byte("{}"), nil
		})
		require.NoError(t, err)
		return inc.CreatedAt.UTC().Format("2006-01-02") + "-" + title + ".md"
	}
	old := publish("old")
	now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fresh := publish("fresh")
	require.NoError(t, st.Close())

	dir := filepath.Join(t.TempDir(), "wiki")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"export", "--db", db, "--dir", dir, "--since", "2026-01-01"}, noEnv, nil, &out, io.Discard))
	assert.Contains(t, out.String(), "wrote 1 postmortems published since 2026-01-01 and index.md")
	_, err = os.Stat(filepath.Join(dir, fresh))
	assert.NoError(t, err, "published on the day")
	_, err = os.Stat(filepath.Join(dir, old))
	assert.ErrorIs(t, err, os.ErrNotExist, "published the day before")
	index, err := os.ReadFile(filepath.Join(dir, "index.md"))
	require.NoError(t, err)
	assert.Contains(t, string(index), "("+old+")", "the index lists every postmortem")
	assert.Contains(t, string(index), "("+fresh+")")

	for _, bad := range []string{"yesterday", "2026-13-01", "2026-01-01T00:00:00Z"} {
		err := run(ctx, []string{"export", "--db", db, "--dir", dir, "--since", bad}, noEnv, nil, io.Discard, io.Discard)
		require.ErrorContains(t, err, "--since")
		assert.ErrorContains(t, err, "YYYY-MM-DD")
		assert.Equal(t, 2, exitCode(err), "--since %s", bad)
	}
}
