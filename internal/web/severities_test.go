package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

func TestAdminSeverities(t *testing.T) {
	app := newTestApp(t).as(model.RoleAdmin)
	app.createIncident(`{"title":"On SEV2","severity":"SEV2"}`)

	rec := app.do(http.MethodGet, "/admin/severities", "", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `value="SEV4"`)

	rec = app.form("/admin/severities", url.Values{"name": {"SEV0"}, "position": {"5"}, "description": {"All hands"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	for _, bad := range []url.Values{
		{"name": {"SEV0"}, "position": {"6"}},      // taken name
		{"name": {"<script>"}, "position": {"7"}},  // bad name
		{"name": {"X"}, "position": {"many"}},      // not a number
		{"name": {""}, "position": {"8"}},          // empty
		{"name": {"SEV9"}, "position": {"1"}},      // taken position
		{"name": {"SEV9"}, "position": {"100000"}}, // out of range
	} {
		rec := app.form("/admin/severities", bad)
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, "%v", bad)
		assert.Contains(t, rec.Body.String(), `class="flash error"`)
	}

	// Rename carries over to incidents; deleting a level in use is a conflict.
	rec = app.form("/admin/severities/SEV2", url.Values{"name": {"Major"}, "position": {"2"}, "description": {"d"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "Major", decode(t, app.api(http.MethodGet, "/api/v1/incidents/1", ""))["severity"])
	assert.Equal(t, http.StatusConflict, app.form("/admin/severities/Major/delete", nil).Code)
	assert.Equal(t, http.StatusSeeOther, app.form("/admin/severities/SEV0/delete", nil).Code)
	assert.Equal(t, http.StatusNotFound, app.form("/admin/severities/SEV0/delete", nil).Code)

	assert.Equal(t, http.StatusForbidden, app.as(model.RoleEditor).form("/admin/severities", url.Values{"name": {"E"}, "position": {"9"}}).Code)
}
