package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

func TestWebhookAPISecretShownOnce(t *testing.T) {
	app := newTestApp(t).as(model.RoleAdmin)
	rec := app.api(http.MethodPost, "/api/v1/webhooks", `{"url":"https://hooks.example.com/debrief","events":["incident.declared","change.recorded"],"format":"json"}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	created := decode(t, rec)
	secret, _ := created["secret"].(string)
	assert.Regexp(t, `^whsec_[A-Za-z0-9+/]{43}=$`, secret)
	id := created["id"]

	for _, path := range []string{"/api/v1/webhooks", fmt.Sprintf("/api/v1/webhooks/%v", id)} {
		body := app.api(http.MethodGet, path, "").Body.String()
		assert.NotContains(t, body, secret, path)
		assert.NotContains(t, body, `"secret"`, path)
	}
	entries, _, err := app.store.AuditLog(context.Background(), store.AuditFilter{Entity: "webhook"})
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		assert.NotContains(t, e.After+e.Before, strings.TrimPrefix(secret, "whsec_"), "no secret in the audit log")
	}
	page := app.do(http.MethodGet, "/admin/webhooks", "", "").Body.String()
	assert.NotContains(t, page, secret, "the list never shows it again")

	// Bad input: a private target without the flag, unknown events, formats.
	for field, body := range map[string]string{
		"url":    `{"url":"http://127.0.0.1:9/x","events":["incident.declared"]}`,
		"events": `{"url":"https://hooks.example.com/x","events":["incident.exploded"]}`,
		"format": `{"url":"https://hooks.example.com/x","events":["incident.declared"],"format":"xml"}`,
	} {
		rec := app.api(http.MethodPost, "/api/v1/webhooks", body)
		require.Equal(t, http.StatusUnprocessableEntity, rec.Code, body)
		assert.Contains(t, decode(t, rec)["fields"], field)
	}
	for _, u := range []string{"http://localhost/x", "http://10.0.0.5/x", "http://[::1]/x", "http://169.254.169.254/latest", "ftp://hooks.example.com/", "https://user:pw@hooks.example.com/"} {
		rec := app.api(http.MethodPost, "/api/v1/webhooks", fmt.Sprintf(`{"url":%q,"events":["incident.declared"]}`, u))
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, u)
	}
	assert.Equal(t, http.StatusForbidden, app.as(model.RoleEditor).api(http.MethodGet, "/api/v1/webhooks", "").Code, "admins only")

	// Events queue deliveries, listed with their state; pause and resume.
	app.createIncident(`{"title":"Queue me","severity":"SEV2"}`)
	rec = app.api(http.MethodGet, fmt.Sprintf("/api/v1/webhooks/%v/deliveries", id), "")
	require.Equal(t, http.StatusOK, rec.Code)
	ds := decode(t, rec)["deliveries"].([]any)
	require.Len(t, ds, 1)
	d := ds[0].(map[string]any)
	assert.Equal(t, "incident.declared", d["event"])
	assert.Equal(t, "pending", d["status"])
	assert.Regexp(t, `^msg_\d+_\d+$`, d["webhook_id"])
	assert.EqualValues(t, 1, decode(t, app.api(http.MethodGet, fmt.Sprintf("/api/v1/webhooks/%v", id), ""))["pending"])
	rec = app.api(http.MethodPost, fmt.Sprintf("/api/v1/webhooks/%v/deliveries/%v/redeliver", id, d["id"]), "")
	assert.Equal(t, http.StatusAccepted, rec.Code)
	rec = app.api(http.MethodPatch, fmt.Sprintf("/api/v1/webhooks/%v", id), `{"active":false}`)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, false, decode(t, rec)["active"])
	assert.Equal(t, http.StatusUnprocessableEntity, app.api(http.MethodPatch, fmt.Sprintf("/api/v1/webhooks/%v", id), `{}`).Code)

	page = app.do(http.MethodGet, fmt.Sprintf("/admin/webhooks/%v", id), "", "").Body.String()
	assert.Contains(t, page, "incident.declared")
	assert.Contains(t, page, "Switch on")
	assert.Equal(t, http.StatusNoContent, app.api(http.MethodDelete, fmt.Sprintf("/api/v1/webhooks/%v", id), "").Code)
	assert.Equal(t, http.StatusNotFound, app.api(http.MethodGet, fmt.Sprintf("/api/v1/webhooks/%v", id), "").Code)
}

func TestWebhookAdminForm(t *testing.T) {
	app := newTestApp(t).as(model.RoleAdmin)
	rec := app.form("/admin/webhooks", url.Values{"url": {"https://chat.example.com/hooks/abc"}, "events": {"incident.declared", "incident.resolved"}, "format": {"slack"}})
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "whsec_", "the secret, once")
	rec = app.form("/admin/webhooks", url.Values{"url": {"http://127.0.0.1/x"}, "format": {"json"}})
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	body := rec.Body.String()
	assert.Contains(t, body, "--webhook-allow-private")
	assert.Contains(t, body, "choose at least one event")
	assert.Contains(t, body, `value="http://127.0.0.1/x"`, "the typed URL is kept")

	allowed := newTestAppWith(t, Options{WebhookAllowPrivate: true}).as(model.RoleAdmin)
	rec = allowed.api(http.MethodPost, "/api/v1/webhooks", `{"url":"http://127.0.0.1:9/x","events":["incident.declared"]}`)
	assert.Equal(t, http.StatusCreated, rec.Code, "allowed by the flag")
}
