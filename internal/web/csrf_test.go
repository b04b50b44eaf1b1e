package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

// csrfPost posts a timeline entry to incident 1 with the given cookies and
// CSRF token (header, or _csrf field when field is set).
func csrfPost(app *testApp, token string, field bool, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	v := url.Values{"body": {"Entry"}}
	if field && token != "" {
		v.Set("_csrf", token)
	}
	req := formRequest("/incidents/1/timeline", v)
	if !field && token != "" {
		req.Header.Set("X-CSRF-Token", token)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return app.send(req)
}

// assertCSRFRefused checks a 403 that names the CSRF check and wrote nothing.
func assertCSRFRefused(t *testing.T, rec *httptest.ResponseRecorder, want, got map[string][]string) {
	t.Helper()
	assert.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "CSRF check failed")
	assert.Equal(t, want, got, "nothing written")
}

func TestCSRFTokenOfAnotherSessionRefused(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	db := readDB(t, app.store)
	start := dbSnapshot(t, db)
	editor, admin := app.ids[model.RoleEditor], app.ids[model.RoleAdmin]
	adminToken := app.sessionCSRF(admin.session)
	require.NotEmpty(t, adminToken)
	require.NotEqual(t, adminToken, app.sessionCSRF(editor.session), "every session has its own token")
	entries := len(app.timelineJSON(1))

	for _, field := range []bool{false, true} {
		// Session A's token with session B's cookie.
		assertCSRFRefused(t, csrfPost(app, adminToken, field, editor.session), start, dbSnapshot(t, db))
	}
	// A valid double-submit pair (cookie and header alike) no longer does
	// for a signed-in session.
	pre := &http.Cookie{Name: "debrief_csrf", Value: testCSRF}
	assertCSRFRefused(t, csrfPost(app, testCSRF, false, editor.session, pre), start, dbSnapshot(t, db))
	// Nor does no token at all, or an empty one.
	assertCSRFRefused(t, csrfPost(app, "", false, editor.session), start, dbSnapshot(t, db))
	req := formRequest("/incidents/1/timeline", url.Values{"body": {"Entry"}, "_csrf": {""}})
	req.AddCookie(editor.session)
	req.Header.Set("X-CSRF-Token", "")
	assertCSRFRefused(t, app.send(req), start, dbSnapshot(t, db))
	// A token in the URL is not read: URLs end up in logs.
	req = formRequest("/incidents/1/timeline?_csrf="+url.QueryEscape(app.sessionCSRF(editor.session)), url.Values{"body": {"Entry"}})
	req.AddCookie(editor.session)
	assertCSRFRefused(t, app.send(req), start, dbSnapshot(t, db))

	// The session's own token passes, as a field and as the header.
	for _, field := range []bool{false, true} {
		rec := csrfPost(app, app.sessionCSRF(editor.session), field, editor.session)
		assert.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	}
	assert.Len(t, app.timelineJSON(1), entries+2)
}

func TestCSRFTokenFromBeforeSignInRefused(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	db := readDB(t, app.store)

	// The sign-in page hands out a pre-session token; the sign-in form
	// posts it.
	rec := app.send(httptest.NewRequest(http.MethodGet, "/login", nil))
	pre := responseCookie(rec, "debrief_csrf")
	require.NotNil(t, pre)
	req := formRequest("/login", url.Values{"email": {"editor@example.com"}, "password": {testPassword}, "_csrf": {pre.Value}})
	req.AddCookie(pre)
	rec = app.send(req)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	session := responseCookie(rec, "debrief_session")
	require.NotNil(t, session)
	if gone := responseCookie(rec, "debrief_csrf"); assert.NotNil(t, gone, "the pre-session cookie is dropped") {
		assert.Negative(t, gone.MaxAge)
	}
	token := app.sessionCSRF(session)
	require.NotEmpty(t, token)
	assert.NotEqual(t, pre.Value, token, "the session gets a new token")

	// The token from before sign-in (as planted by someone who could set
	// the cookie) is refused with the session, even with its cookie.
	start := dbSnapshot(t, db)
	for _, field := range []bool{false, true} {
		assertCSRFRefused(t, csrfPost(app, pre.Value, field, session, pre), start, dbSnapshot(t, db))
	}
	rec = csrfPost(app, token, false, session)
	assert.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())

	// An anonymous form without its pre-session token is refused too.
	req = formRequest("/login", url.Values{"email": {"editor@example.com"}, "password": {testPassword}, "_csrf": {"guessed-token-0123456789abcdef01"}})
	req.AddCookie(pre)
	rec = app.send(req)
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Nil(t, responseCookie(rec, "debrief_session"))
}

func TestCSRFTokenRotatesAtSignInAndPasswordChange(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)

	// Each password sign-in is a session with a token of its own.
	first := app.login("editor@example.com", testPassword)
	second := app.login("editor@example.com", testPassword)
	require.NotNil(t, first)
	require.NotNil(t, second)
	assert.NotEqual(t, app.sessionCSRF(first), app.sessionCSRF(second))
	assert.NotEqual(t, app.sessionCSRF(app.ids[model.RoleEditor].session), app.sessionCSRF(first))

	// A password change renews the session and its token: the old token
	// no longer works with it, the new one does.
	old := app.sessionCSRF(first)
	rec := app.withSession(first).form("/settings/password", url.Values{"current_password": {testPassword}, "new_password": {newPassword}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	renewed := responseCookie(rec, "debrief_session")
	require.NotNil(t, renewed)
	fresh := app.sessionCSRF(renewed)
	require.NotEmpty(t, fresh)
	assert.NotEqual(t, old, fresh)
	db := readDB(t, app.store)
	start := dbSnapshot(t, db)
	assertCSRFRefused(t, csrfPost(app, old, false, renewed), start, dbSnapshot(t, db))
	rec = csrfPost(app, fresh, false, renewed)
	assert.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	// The page after the change carries the new token.
	rec = app.withSession(renewed).do(http.MethodGet, "/settings", "", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `"X-CSRF-Token": "`+fresh+`"`)
}

func TestCSRFTokenRotatesAtSetupLink(t *testing.T) {
	app := newSetupApp(t, "tok")
	rec := app.send(httptest.NewRequest(http.MethodGet, "/setup/tok", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	pre := responseCookie(rec, "debrief_csrf")
	require.NotNil(t, pre)
	req := formRequest("/setup/tok", url.Values{"email": {"first@example.com"}, "name": {"First"},
		"password": {testPassword}, "password_confirm": {testPassword}, "_csrf": {pre.Value}})
	req.AddCookie(pre)
	rec = app.send(req)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	session := responseCookie(rec, "debrief_session")
	require.NotNil(t, session)
	token := app.sessionCSRF(session)
	require.NotEmpty(t, token)
	assert.NotEqual(t, pre.Value, token)
}

func TestCSRFTokenRotatesAtOIDCSignIn(t *testing.T) {
	p := newFakeIdP(t)
	app := newOIDCApp(t, p)
	b := app.browser()
	require.Equal(t, http.StatusOK, b.get("/login").Code)
	pre := b.cookies["debrief_csrf"]
	require.NotNil(t, pre, "the sign-in page hands out a pre-session token")
	rec := b.signInAs(p, map[string]any{"groups": []string{"debrief-editors"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Nil(t, b.cookies["debrief_csrf"], "the pre-session cookie is dropped")
	session := b.cookies["debrief_session"]
	token := app.sessionCSRF(session)
	require.NotEmpty(t, token)
	assert.NotEqual(t, pre.Value, token)

	// Signing out with the token from before sign-in is refused; the
	// session goes on.
	req := formRequest("/logout", url.Values{"_csrf": {pre.Value}})
	req.AddCookie(session)
	req.AddCookie(pre)
	assert.Equal(t, http.StatusForbidden, app.send(req).Code)
	assert.NotNil(t, b.signedInUser())
}

// A session from before tokens were kept with sessions gets one on its next
// page; until then its posts are refused.
func TestCSRFSessionWithoutTokenGetsOne(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	session := app.ids[model.RoleEditor].session
	ctx, err := app.srv.sessions.Load(context.Background(), session.Value)
	require.NoError(t, err)
	app.srv.sessions.Remove(ctx, sessionCSRF)
	_, _, err = app.srv.sessions.Commit(ctx)
	require.NoError(t, err)
	require.Empty(t, app.sessionCSRF(session))

	assert.Equal(t, http.StatusForbidden, csrfPost(app, "", false, session).Code)
	rec := app.withSession(session).do(http.MethodGet, "/incidents/1", "", "")
	require.Equal(t, http.StatusOK, rec.Code)
	token := app.sessionCSRF(session)
	require.NotEmpty(t, token)
	assert.Contains(t, rec.Body.String(), `name="_csrf" value="`+token+`"`)
	assert.Equal(t, http.StatusSeeOther, csrfPost(app, token, true, session).Code)
}

// The API takes bearer tokens and no cookies, so it needs no CSRF token; a
// session cookie gets nowhere there, and an Authorization header does not
// excuse a browser route from the check.
func TestCSRFBearerAPI(t *testing.T) {
	app := newTestApp(t)
	editor := app.ids[model.RoleEditor]

	req := httptest.NewRequest(http.MethodPost, "/api/v1/incidents", strings.NewReader(`{"title":"By token","severity":"SEV2"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+editor.token)
	rec := app.send(req)
	require.Equal(t, http.StatusCreated, rec.Code, "no CSRF token needed: %s", rec.Body.String())

	db := readDB(t, app.store)
	start := dbSnapshot(t, db)
	for _, authz := range []string{"", "Bearer bogus", "Bearer " + editor.token[:len(editor.token)-1] + "x"} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/incidents", strings.NewReader(`{"title":"By cookie","severity":"SEV2"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(editor.session)
		req.AddCookie(&http.Cookie{Name: "debrief_csrf", Value: testCSRF})
		req.Header.Set("X-CSRF-Token", testCSRF)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		assertAPIError(t, app.send(req), http.StatusUnauthorized)
	}
	assert.Equal(t, start, dbSnapshot(t, db))

	// A browser route with the session cookie and an Authorization header,
	// valid or not, still needs the session's CSRF token.
	for _, authz := range []string{"Bearer bogus", "Bearer " + editor.token} {
		req := formRequest("/incidents/1/timeline", url.Values{"body": {"Forged"}})
		req.AddCookie(editor.session)
		req.Header.Set("Authorization", authz)
		assertCSRFRefused(t, app.send(req), start, dbSnapshot(t, db))
	}
}
