package web

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

func TestAPIBackupStreamsACheckedCopy(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"Heron queue stalled","severity":"SEV2"}`)

	rec := app.as(model.RoleAdmin).api(http.MethodPost, "/api/v1/admin/backup", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Regexp(t, `^attachment; filename="debrief-\d{8}T\d{6}Z\.db"$`, rec.Header().Get("Content-Disposition"))
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	assert.Equal(t, "application/vnd.sqlite3", rec.Header().Get("Content-Type"))

	// The body is the database: restore it elsewhere and find the incident.
	from := filepath.Join(t.TempDir(), "download.db")
	require.NoError(t, os.WriteFile(from, rec.Body.Bytes(), 0o600))
	to := filepath.Join(t.TempDir(), "debrief.db")
	rep, err := store.Restore(context.Background(), from, to, app.store.Now())
	require.NoError(t, err)
	assert.Equal(t, int64(1), rep.Incidents)

	entries, err := os.ReadDir(filepath.Dir(app.store.Path()))
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, e.IsDir(), "the temporary copy's folder %s is gone", e.Name())
	}

	for _, role := range []model.Role{model.RoleEditor, model.RoleViewer} {
		assert.Equal(t, http.StatusForbidden, app.as(role).api(http.MethodPost, "/api/v1/admin/backup", "").Code, role)
	}
}
