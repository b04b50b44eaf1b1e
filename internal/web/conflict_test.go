package web

import (
	"html"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

// Two people press "Mark monitoring" a second apart: the second press is a
// no-op, not a conflict.
func TestSameStatusTwiceIsANoOp(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"Checkout 5xx","severity":"SEV2"}`)
	first := app.form("/incidents/1/status", url.Values{"version": {"1"}, "status": {"monitoring"}})
	assertRedirect(t, first, "/incidents/1")
	before := app.dbState()
	second := app.as(model.RoleAdmin).form("/incidents/1/status", url.Values{"version": {"1"}, "status": {"monitoring"}})
	assertRedirect(t, second, "/incidents/1")
	assert.Equal(t, before, app.dbState(), "nothing written twice")

	// The API too: a stale PATCH that only asks for the status the
	// incident already has answers 200 with the incident as it is.
	rec := app.api(http.MethodPatch, "/api/v1/incidents/1", `{"status":"monitoring","version":1}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, float64(2), decode(t, rec)["version"])
	// Anything else stale keeps its 409 with the current record.
	rec = app.api(http.MethodPatch, "/api/v1/incidents/1", `{"status":"resolved","version":1}`)
	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	assert.Equal(t, "monitoring", decode(t, rec)["current"].(map[string]any)["status"])
}

// A stale status button shows the incident page again, as it is now, with
// what changed and who changed it; never a dead end.
func TestStaleStatusButtonShowsWhatChanged(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"Checkout 5xx","severity":"SEV2"}`)
	assertRedirect(t, app.as(model.RoleAdmin).form("/incidents/1/status", url.Values{"version": {"1"}, "status": {"monitoring"}}), "/incidents/1")
	before := app.dbState()

	rec := app.form("/incidents/1/status", url.Values{"version": {"1"}, "status": {"resolved"}})
	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	body := html.UnescapeString(rec.Body.String())
	assert.Contains(t, body, "<h1>Checkout 5xx</h1>", "the incident page, not an error page")
	assert.Contains(t, body, `id="conflict"`)
	assert.Contains(t, body, "Test Admin changed it at 2026-11-22 14:32:05 UTC")
	assert.Contains(t, body, "status investigating → monitoring")
	assert.Contains(t, body, "Your change (mark resolved) was not applied")
	assert.Contains(t, body, `<input type="hidden" name="version" value="2">`, "the buttons post the current version")
	assert.NotContains(t, body, `href="/incidents">Back to incidents`)
	assert.Equal(t, before, app.dbState(), "nothing was written")
}

// A conflict that still ends on the error page leads back to the incident.
func TestErrorPageLeadsBackToTheIncident(t *testing.T) {
	for path, want := range map[string]string{
		"/incidents/12/timeline/3/edit": "/incidents/12",
		"/incidents/12":                 "/incidents/12",
		"/incidents/012/x":              "",
		"/incidents/new":                "",
		"/actions":                      "",
	} {
		assert.Equal(t, want, incidentOf(path), path)
	}
}
