package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

// TestReminderSettings: opt-out and quiet hours on the settings page, and
// the 422s of bad hours.
func TestReminderSettings(t *testing.T) {
	app := newTestApp(t)
	viewer := app.as(model.RoleViewer)
	id := app.ids[model.RoleViewer].user.ID
	page := viewer.do(http.MethodGet, "/settings", "", "").Body.String()
	assert.Contains(t, page, `name="reminders" value="on" checked`, "reminders are on by default")

	for _, bad := range []url.Values{
		{"reminders": {"on"}, "quiet_from": {"24"}, "quiet_to": {"7"}},
		{"reminders": {"on"}, "quiet_from": {"x"}, "quiet_to": {"7"}},
		{"reminders": {"on"}, "quiet_from": {"22"}},
	} {
		rec := viewer.form("/settings/reminders", bad)
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, bad.Encode())
		assert.Contains(t, rec.Body.String(), "field invalid", bad.Encode())
	}
	u, err := app.store.User(context.Background(), id)
	require.NoError(t, err)
	assert.False(t, u.RemindersOff)
	assert.Nil(t, u.QuietFrom, "nothing half-saved")

	rec := viewer.form("/settings/reminders", url.Values{"quiet_from": {"22"}, "quiet_to": {"7"}}) // unchecked: off
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	u, err = app.store.User(context.Background(), id)
	require.NoError(t, err)
	assert.True(t, u.RemindersOff)
	require.NotNil(t, u.QuietFrom)
	assert.Equal(t, 22, *u.QuietFrom)
	assert.Equal(t, 7, *u.QuietTo)
	assert.True(t, u.Quiet(23) && u.Quiet(0) && u.Quiet(6))
	assert.False(t, u.Quiet(7) || u.Quiet(12) || u.Quiet(21))
	page = viewer.do(http.MethodGet, "/settings", "", "").Body.String()
	assert.NotContains(t, page, `value="on" checked`)
	assert.Contains(t, page, `name="quiet_from" type="number" min="0" max="23" value="22"`)

	rec = viewer.form("/settings/reminders", url.Values{"reminders": {"on"}, "quiet_from": {""}, "quiet_to": {""}})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	u, err = app.store.User(context.Background(), id)
	require.NoError(t, err)
	assert.False(t, u.RemindersOff)
	assert.Nil(t, u.QuietFrom)
}
