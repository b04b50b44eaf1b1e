package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

func TestExpiringTokenFromSettings(t *testing.T) {
	clock := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	app := newTestApp(t, store.WithClock(func() time.Time { return clock }))
	rec := app.form("/settings/tokens", url.Values{"name": {"thirty"}, "expires_days": {"30"}})
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	i := strings.Index(rec.Body.String(), "dbf_")
	require.Positive(t, i)
	secret := rec.Body.String()[i : i+47]

	for _, bad := range []url.Values{
		{"name": {"x"}, "expires_days": {"0"}},
		{"name": {"x"}, "expires_days": {"soon"}},
		{"name": {"nul\x00name"}},
	} {
		assert.Equal(t, http.StatusUnprocessableEntity, app.form("/settings/tokens", bad).Code, "%q", bad)
	}

	bot := *app
	bot.who = &identity{user: app.who.user, token: secret}
	assert.Equal(t, http.StatusOK, bot.api(http.MethodGet, "/api/v1/incidents", "").Code)
	clock = clock.Add(30*24*time.Hour + time.Second)
	rec = bot.api(http.MethodGet, "/api/v1/incidents", "")
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "an expired token is refused")
	assert.NotEmpty(t, rec.Header().Get("WWW-Authenticate"))

}

func TestSameSiteStateChangeIsRefused(t *testing.T) {
	app := newTestApp(t)
	// A sibling subdomain can plant the double-submit cookie; same-site
	// state changes are refused even with a matching token.
	rec := app.form("/incidents", url.Values{"title": {"x"}, "severity": {"SEV2"}, "_csrf": {testCSRF}}, "Sec-Fetch-Site", "same-site")
	assert.Equal(t, http.StatusForbidden, rec.Code)
	n, err := app.store.IncidentCount(t.Context())
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestMilestoneEntriesNameWhoActed(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"x","severity":"SEV2"}`)
	rec := app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":1,"status":"identified"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	entries, err := app.store.Timeline(t.Context(), 1)
	require.NoError(t, err)
	for _, e := range entries {
		assert.Equal(t, app.who.user.Name, e.Author, e.Body)
	}
}

func TestPatchThatChangesNothingKeepsVersion(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"x","severity":"SEV2","roles":{"commander":"Ann","scribe":"Sam"}}`)
	rec := app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":1,"title":"x"}`)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.EqualValues(t, 1, decode(t, rec)["version"])
	rec = app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":1,"roles":{"commander":"Bea"}}`)
	require.Equal(t, http.StatusOK, rec.Code)
	roles := decode(t, rec)["roles"].(map[string]any)
	assert.Equal(t, "Bea", roles["commander"])
	assert.Equal(t, "Sam", roles["scribe"], "roles the patch does not name are kept")
}

func TestProxyUserWithLongLocalPart(t *testing.T) {
	app := newTestAppWith(t, Options{AuthProxyHeader: "X-Forwarded-Email",
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	email := strings.Repeat("a", 120) + "@example.com"
	req := httptest.NewRequest(http.MethodGet, "/incidents", nil)
	req.RemoteAddr = "10.1.2.3:5555"
	req.Header.Set("X-Forwarded-Email", email)
	rec := httptest.NewRecorder()
	app.srv.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, "provisioned and signed in")
	u, err := app.store.UserByEmail(t.Context(), email)
	require.NoError(t, err)
	assert.Len(t, []rune(u.Name), model.MaxNameLen)
	assert.Equal(t, model.RoleViewer, u.Role)
}
