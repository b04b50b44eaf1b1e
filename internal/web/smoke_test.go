package web

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHealthz(t *testing.T) {
	app := newTestApp(t)
	rec := app.api(http.MethodGet, "/healthz", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"status":"ok"}`, rec.Body.String())
}

func TestHealthzFailsWhenDatabaseIsClosed(t *testing.T) {
	app := newTestApp(t)
	require.NoError(t, app.store.Close())
	rec := app.api(http.MethodGet, "/healthz", "")
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.JSONEq(t, `{"status":"unavailable"}`, rec.Body.String())
}

func TestPagesRender(t *testing.T) {
	app := newTestApp(t)
	inc := app.createIncident(`{"title":"Disk full on db-1","severity":"SEV2","services":["db"]}`)
	id := int(inc["id"].(float64))
	for _, path := range []string{"/incidents", "/incidents/new", "/incidents?status=open", "/incidents/1", "/incidents/1/edit"} {
		rec := app.do(http.MethodGet, path, "", "")
		assert.Equal(t, http.StatusOK, rec.Code, path)
		assert.Contains(t, rec.Body.String(), "Debrief", path)
	}
	assert.Equal(t, 1, id)
}
