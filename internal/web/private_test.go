package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// secretTitle and secretEntry are the private incident's words that must
// never reach a non-member.
const (
	secretTitle = "Quokka payroll leak"
	secretEntry = "Wombat ledger exported to a personal drive"
)

// privateWorld is a test app with an organisation incident and a private
// one that has everything an incident can have (timeline entry, factor,
// why, action item, published postmortem, chat token), a member (Mia, a
// viewer) and, as the app's default identity, an editor who is not one.
type privateWorld struct {
	*testApp
	member                                      *identity
	public, id                                  int64
	entryID, factorID, whyID, actionID, tokenID int64
}

func newPrivateWorld(t *testing.T, opts ...Options) *privateWorld {
	t.Helper()
	o := Options{}
	if len(opts) > 0 {
		o = opts[0]
	}
	app := newTestAppWith(t, o)
	w := &privateWorld{testApp: app}
	w.member = app.addUser("mia@example.com", "Mia Member", model.RoleViewer)
	ctx := context.Background()
	w.public = app.readyIncident("Checkout 5xx in eu-west-1")
	// Earlier than the organisation incident, so it is a similar one of it.
	w.id = app.readyIncidentAt(secretTitle, app.store.Now().Add(-2*time.Hour))
	app.pmPublish(w.id, "Payroll data left the building.", "Every employee's salary.")
	require.NoError(t, app.store.AppendTimeline(ctx, &model.TimelineEntry{
		IncidentID: w.id, OccurredAt: app.store.Now().Add(-30 * time.Minute), Kind: model.KindObservation, Body: secretEntry, Author: "Alice",
	}))
	w.whyID = app.addWhy(w.id, "Why could the ledger leave?", 0)
	rec := app.form(fmt.Sprintf("/incidents/%d/chat-tokens", w.id), url.Values{})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	entries, err := app.store.Timeline(ctx, w.id)
	require.NoError(t, err)
	w.entryID = entries[len(entries)-1].ID
	factors, err := app.store.Factors(ctx, w.id)
	require.NoError(t, err)
	w.factorID = factors[0].ID
	actions, err := app.store.IncidentActions(ctx, w.id)
	require.NoError(t, err)
	w.actionID = actions[0].ID
	tokens, err := app.store.ChatTokens(ctx, w.id)
	require.NoError(t, err)
	w.tokenID = tokens[0].ID

	inc := app.getJSON(fmt.Sprintf("/api/v1/incidents/%d", w.id))
	rec = app.api(http.MethodPatch, fmt.Sprintf("/api/v1/incidents/%d", w.id),
		fmt.Sprintf(`{"visibility":"private","members":["MIA@example.com"],"version":%v}`, inc["version"]))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	return w
}

// leaks reports which of the private incident's words body holds.
func leaks(body string) []string {
	var out []string
	for _, s := range []string{secretTitle, secretEntry, "Payroll data left the building"} {
		if strings.Contains(body, s) {
			out = append(out, s)
		}
	}
	return out
}

// readable is a response's body as text: a zip's files unpacked.
func readable(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	if rec.Header().Get("Content-Type") != "application/zip" {
		return rec.Body.String()
	}
	var b strings.Builder
	for name, body := range zipFiles(t, rec.Body.Bytes()) {
		b.WriteString(name + "\n" + body + "\n")
	}
	return b.String()
}

// TestPrivateIncidentAPI: visibility and members on POST and PATCH, their
// defaults, and the 422s of bad values.
func TestPrivateIncidentAPI(t *testing.T) {
	app := newTestApp(t)
	inc := app.createIncident(`{"title":"Checkout 5xx","severity":"SEV2"}`)
	assert.Equal(t, "organisation", inc["visibility"], "organisation by default")
	assert.Equal(t, []any{}, inc["members"])

	inc = app.createIncident(`{"title":"Laptop stolen","severity":"SEV2","visibility":"private","members":["Viewer@Example.com"]}`)
	assert.Equal(t, "private", inc["visibility"])
	assert.Equal(t, []any{"editor@example.com", "viewer@example.com"}, inc["members"], "its declarer is a member")
	id := int64(inc["id"].(float64))
	assert.Equal(t, http.StatusOK, app.as(model.RoleViewer).api(http.MethodGet, fmt.Sprintf("/api/v1/incidents/%d", id), "").Code, "a member")
	outsider := app.addUser("olga@example.com", "Olga Outsider", model.RoleEditor)
	rec := app.withToken(outsider.token).api(http.MethodGet, fmt.Sprintf("/api/v1/incidents/%d", id), "")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, http.StatusNotFound, app.withToken(outsider.token).api(http.MethodGet, "/api/v1/incidents/999", "").Code)

	for body, field := range map[string]string{
		`{"title":"x","severity":"SEV2","visibility":"secret"}`:                                   "visibility",
		`{"title":"x","severity":"SEV2","visibility":"private","members":["nobody@example.com"]}`: "members",
		`{"title":"x","severity":"SEV2","members":["not an email"]}`:                              "members",
		`{"title":"x","severity":"SEV2","members":[""]}`:                                          "members",
		`{"title":"x","severity":"SEV2","members":"viewer@example.com"}`:                          "members",
	} {
		rec := app.api(http.MethodPost, "/api/v1/incidents", body)
		require.Equal(t, http.StatusUnprocessableEntity, rec.Code, body)
		fields, _ := decode(t, rec)["fields"].(map[string]any)
		assert.Contains(t, fields, field, body)
	}

	admin := app.as(model.RoleAdmin)
	rec = admin.api(http.MethodPatch, fmt.Sprintf("/api/v1/incidents/%d", id), `{"visibility":"organisation","version":1}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "organisation", decode(t, rec)["visibility"])
	assert.Equal(t, http.StatusOK, app.api(http.MethodGet, fmt.Sprintf("/api/v1/incidents/%d", id), "").Code, "public again")
	entries, _, err := app.store.AuditLog(context.Background(), store.AuditFilter{IncidentID: id, Entity: "incident_access"})
	require.NoError(t, err)
	require.Len(t, entries, 2, "made private, then public again")
	assert.Contains(t, entries[0].Actor, "admin@example.com")
	assert.Contains(t, entries[0].After, `"organisation"`)
}

// TestPrivateIncidentForms: the declare and edit forms set visibility and
// members; an unknown member is shown beside the field.
func TestPrivateIncidentForms(t *testing.T) {
	app := newTestApp(t)
	body := app.page("/incidents/new")
	assert.Contains(t, body, `name="visibility"`)
	assert.Contains(t, body, `name="members"`)

	form := url.Values{"title": {"Badge cloned"}, "severity": {"SEV2"}, "visibility": {"private"},
		"members": {"viewer@example.com\nnobody@example.com"}}
	rec := app.form("/incidents", form)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assertFieldInvalid(t, rec.Body.String(), "members", "nobody@example.com")

	form.Set("members", "viewer@example.com, editor@example.com")
	rec = app.form("/incidents", form)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	body = app.page("/incidents/1")
	assert.Contains(t, body, `class="badge private"`)
	assert.Contains(t, body, "Private: only editor@example.com, viewer@example.com, the people in its roles and admins can see it.")
	assert.Contains(t, app.page("/incidents"), `class="badge private"`)

	edit := app.page("/incidents/1/edit")
	assert.Contains(t, edit, `<option value="private" selected>`)
	assert.Contains(t, edit, "editor@example.com, viewer@example.com")
	vals := editValues(app.getJSON("/api/v1/incidents/1"))
	vals.Set("visibility", "private")
	vals.Set("members", "editor@example.com")
	rec = app.form("/incidents/1/edit", vals)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, []any{"editor@example.com"}, app.getJSON("/api/v1/incidents/1")["members"])
	assert.Equal(t, http.StatusNotFound, app.as(model.RoleViewer).do(http.MethodGet, "/incidents/1", "", "").Code, "the viewer was taken off")
}

// TestPrivateIncidentAdminReadAudited: an admin who is not a member sees a
// private incident, and each read is in the audit log; a member's is not.
func TestPrivateIncidentAdminReadAudited(t *testing.T) {
	w := newPrivateWorld(t)
	ctx := context.Background()
	count := func() int {
		entries, _, err := w.store.AuditLog(ctx, store.AuditFilter{IncidentID: w.id, Entity: "incident"})
		require.NoError(t, err)
		n := 0
		for _, e := range entries {
			if e.Action == model.AuditRead {
				n++
			}
		}
		return n
	}
	member := w.withSession(w.member.session)
	member.who = w.member
	assert.Contains(t, member.page(fmt.Sprintf("/incidents/%d", w.id)), secretTitle)
	assert.Zero(t, count(), "a member's read is no event")
	admin := w.as(model.RoleAdmin)
	assert.Contains(t, admin.page(fmt.Sprintf("/incidents/%d", w.id)), secretTitle)
	assert.Equal(t, http.StatusOK, admin.api(http.MethodGet, fmt.Sprintf("/api/v1/incidents/%d/timeline", w.id), "").Code)
	assert.Equal(t, 2, count())
	assert.Contains(t, admin.page("/incidents"), secretTitle, "admins see it in lists")
}

// TestPrivateIncidentStreamEndsForRemovedMember: a member watching the
// live page is taken off the members; their event stream ends, and the
// change that took them off is not sent to them.
func TestPrivateIncidentStreamEndsForRemovedMember(t *testing.T) {
	w := newPrivateWorld(t)
	base := serve(t, w.testApp)
	member := w.withSession(w.member.session)
	member.who = w.member
	s, resp := openStream(t, base, fmt.Sprintf("/incidents/%d/events", w.id), "Cookie", member.cookieHeader())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	s.presence(t, "Mia Member")

	admin := w.as(model.RoleAdmin)
	inc := admin.getJSON(fmt.Sprintf("/api/v1/incidents/%d", w.id))
	rec := admin.api(http.MethodPatch, fmt.Sprintf("/api/v1/incidents/%d", w.id), fmt.Sprintf(`{"members":[],"version":%v}`, inc["version"]))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				// Reconnecting is refused too.
				_, again := openStream(t, base, fmt.Sprintf("/incidents/%d/events", w.id), "Cookie", member.cookieHeader())
				assert.Equal(t, http.StatusNotFound, again.StatusCode)
				return
			}
			assert.NotEqual(t, "incident", ev.Type, "the change that removed them is not sent to them")
		case <-deadline:
			t.Fatal("the removed member's stream is still open")
		}
	}
}

// TestPrivateIncidentChat: a chat channel stands for nobody, so a private
// incident is missing to it: linking to it and commands in a channel
// linked to it answer as for a missing incident.
func TestPrivateIncidentChat(t *testing.T) {
	w := newPrivateWorld(t, Options{SlackSigningSecret: slackSecret})
	r := slackReply(t, w.slack("/integrations/slack/commands", slackCommand(fmt.Sprintf("link %d", w.id)), 0, slackSecret))
	assert.Equal(t, fmt.Sprintf("There is no incident #%d.", w.id), r.Text)
	require.NoError(t, w.store.LinkChatChannel(context.Background(), "T0001", "C2147483705", w.id, "before it was private"))
	r = slackReply(t, w.slack("/integrations/slack/commands", slackCommand("note the ledger is back"), 0, slackSecret))
	assert.Contains(t, r.Text, "not linked to an incident")
	assert.NotContains(t, r.Text, secretTitle)
	entries, err := w.store.Timeline(context.Background(), w.id)
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotContains(t, e.Body, "the ledger is back")
	}
}

// TestPrivateIncidentOnlySearchHit: a search whose only hit is private
// finds nothing for a non-member, in its total and facets too; its member
// finds it.
func TestPrivateIncidentOnlySearchHit(t *testing.T) {
	w := newPrivateWorld(t)
	res := decode(t, w.api(http.MethodGet, "/api/v1/search?q=quokka", ""))
	assert.EqualValues(t, 0, res["total"])
	assert.Equal(t, []any{}, res["hits"])
	for facet, values := range res["facets"].(map[string]any) {
		assert.Empty(t, values, "facet %s", facet)
	}
	member := w.withToken(w.member.token)
	res = decode(t, member.api(http.MethodGet, "/api/v1/search?q=quokka", ""))
	assert.EqualValues(t, 1, res["total"])
	assert.NotEmpty(t, res["facets"].(map[string]any)["severity"])
}
