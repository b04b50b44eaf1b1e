package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

const newPassword = "violet tugboat marmalade season"

// Changing your own password ends your other sessions and keeps this one.
func TestChangeOwnPassword(t *testing.T) {
	app := newTestApp(t)
	here := app.ids[model.RoleEditor].session
	other := app.login("editor@example.com", testPassword)
	require.NotNil(t, other)
	me := app.withSession(here)

	for name, tc := range map[string]struct {
		current, next, field string
	}{
		"wrong current":   {"not my password", newPassword, "current_password"},
		"too common":      {testPassword, "password12", "new_password"},
		"repeated letter": {testPassword, "aaaaaaaaaa", "new_password"},
		"own email":       {testPassword, "editor@example.com", "new_password"},
		"the same":        {testPassword, testPassword, "new_password"},
	} {
		rec := me.form("/settings/password", url.Values{"current_password": {tc.current}, "new_password": {tc.next}})
		require.Equal(t, http.StatusUnprocessableEntity, rec.Code, name)
		assert.Contains(t, rec.Body.String(), `id="`+tc.field+`"`, name)
		assert.Contains(t, rec.Body.String(), `class="field invalid"`, name)
	}
	assertSignedInAs(t, app, other, "editor@example.com")

	rec := me.form("/settings/password", url.Values{"current_password": {testPassword}, "new_password": {newPassword}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Header().Get("Location"), "/settings?notice=")
	renewed := responseCookie(rec, "debrief_session")
	require.NotNil(t, renewed, "this browser carries on under a new session id")
	assertSignedInAs(t, app, renewed, "editor@example.com")
	assertSignedOut(t, app, other)
	assertSignedOut(t, app, here)
	assert.Nil(t, app.login("editor@example.com", testPassword), "the old password no longer works")
	assert.NotNil(t, app.login("editor@example.com", newPassword))
	assert.Equal(t, http.StatusOK, app.api(http.MethodGet, "/api/v1/incidents", "").Code, "their own tokens still work")
}

// An admin's reset ends every session of the user and revokes their
// tokens; disabling and enabling again revives no session.
func TestAdminResetAndDisableEndSessions(t *testing.T) {
	app := newTestApp(t)
	admin := app.as(model.RoleAdmin)
	viewer := app.ids[model.RoleViewer]
	stolen := app.login("viewer@example.com", testPassword)
	require.NotNil(t, stolen)

	rec := admin.form(fmt.Sprintf("/admin/users/%d", viewer.user.ID), url.Values{"version": {"1"}, "password": {"password12"}})
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, "a weak reset is refused")
	rec = admin.form(fmt.Sprintf("/admin/users/%d", viewer.user.ID), url.Values{"version": {"1"}, "password": {newPassword}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assertSignedOut(t, app, stolen)
	assertSignedOut(t, app, viewer.session)
	assert.Equal(t, http.StatusUnauthorized, app.as(model.RoleViewer).api(http.MethodGet, "/api/v1/incidents", "").Code, "their tokens are revoked")
	assert.Contains(t, admin.do(http.MethodGet, "/admin/users", "", "").Body.String(), "Ends all of Test Viewer")

	// Disable, then enable: the session from before stays dead.
	fresh := app.login("viewer@example.com", newPassword)
	require.NotNil(t, fresh)
	u, err := app.store.User(t.Context(), viewer.user.ID)
	require.NoError(t, err)
	rec = admin.form(fmt.Sprintf("/admin/users/%d", u.ID), url.Values{"version": {fmt.Sprint(u.Version)}, "disabled": {"true"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	rec = admin.form(fmt.Sprintf("/admin/users/%d", u.ID), url.Values{"version": {fmt.Sprint(u.Version + 1)}, "disabled": {"false"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assertSignedOut(t, app, fresh)
	assert.NotNil(t, app.login("viewer@example.com", newPassword), "a new sign-in works")
}

func TestWeakPasswordsRefused(t *testing.T) {
	app := newTestApp(t)
	admin := app.as(model.RoleAdmin)
	for _, pw := range []string{"aaaaaaaaaa", "password12", "qwertyuiop", "1234567890", "newuser2026!", "Password123"} {
		rec := admin.form("/admin/users", url.Values{"email": {"newuser@example.com"}, "name": {"New User"}, "role": {"viewer"}, "password": {pw}})
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, pw)
		assert.Contains(t, rec.Body.String(), "too easy to guess", pw)
	}
	rec := admin.form("/admin/users", url.Values{"email": {"newuser@example.com"}, "name": {"New User"}, "role": {"viewer"}, "password": {newPassword}})
	assert.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
}

func TestHardeningHeaders(t *testing.T) {
	app := newTestAppWith(t, Options{SecureCookies: true})
	rec := app.as(model.RoleViewer).do(http.MethodGet, "/incidents", "", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "max-age=31536000", rec.Header().Get("Strict-Transport-Security"))
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	api := app.as(model.RoleViewer).api(http.MethodGet, "/api/v1/incidents", "")
	assert.Equal(t, "no-store", api.Header().Get("Cache-Control"))
	plain := newTestApp(t)
	assert.Empty(t, plain.as(model.RoleViewer).do(http.MethodGet, "/incidents", "", "").Header().Get("Strict-Transport-Security"),
		"no HSTS over plain HTTP")
	static := plain.do(http.MethodGet, "/static/css/app.css", "", "")
	assert.Contains(t, static.Header().Get("Cache-Control"), "public")
}

// X-Forwarded-Proto and -Host are believed only from trusted proxies:
// links in a draft's export cannot be poisoned by a client.
func TestForwardedHeadersOnlyFromTrustedProxies(t *testing.T) {
	app := newTestApp(t)
	inc := app.readyIncident("Checkout 502s")
	get := func(remote string) string {
		req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/incidents/%d/postmortem.md?draft=1", inc), nil)
		req.RemoteAddr = remote
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("X-Forwarded-Host", "evil.example")
		app.authorize(req)
		return app.send(req).Body.String()
	}
	body := get("203.0.113.9:5000")
	assert.NotContains(t, body, "evil.example")
	assert.NotContains(t, body, "https://")
}
