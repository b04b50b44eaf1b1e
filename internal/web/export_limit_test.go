package web

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

// One bulk export at a time per server: a second, while one runs, is told
// to come back rather than piling another archive walk on the server.
func TestExportZipOneAtATime(t *testing.T) {
	app := newTestApp(t)
	viewer := app.as(model.RoleViewer)

	app.srv.exporting <- struct{}{} // an export is running
	rec := viewer.do(http.MethodGet, "/export.zip", "", "")
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "30", rec.Header().Get("Retry-After"))
	assert.NotEqual(t, "application/zip", rec.Header().Get("Content-Type"))

	<-app.srv.exporting // it ended
	rec = viewer.do(http.MethodGet, "/export.zip", "", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/zip", rec.Header().Get("Content-Type"))
	assert.Contains(t, zipFiles(t, rec.Body.Bytes()), "postmortems/index.md")
	rec = viewer.do(http.MethodGet, "/export.zip", "", "")
	assert.Equal(t, http.StatusOK, rec.Code, "a finished export frees the slot")
}
