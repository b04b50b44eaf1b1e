package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

// routeRequest sends the request a walk makes of a route: a GET with the
// private incident named in the query too, an empty form or JSON object
// for a write, a version for a DELETE.
func (a *testApp) routeRequest(method, path string, private int64) *httptest.ResponseRecorder {
	a.t.Helper()
	switch {
	case method == http.MethodGet:
		q := url.Values{"q": {"quokka"}, "incident_id": {strconv.FormatInt(private, 10)}, "incident": {strconv.FormatInt(private, 10)}}
		return a.do(method, path+"?"+q.Encode(), "", "")
	case method == http.MethodDelete:
		return a.do(method, path+"?version=1", "", "")
	case strings.HasPrefix(path, "/api/"):
		return a.do(method, path, "application/json", "{}")
	}
	return a.do(method, path, "application/x-www-form-urlencoded", fmt.Sprintf("version=1&incident_id=%d&incident=%d", private, private))
}

// withoutRequestID blanks the request id, the one part of an error page
// that differs from request to request.
func withoutRequestID(rec *httptest.ResponseRecorder) string {
	body := rec.Body.String()
	if id := rec.Header().Get(echo.HeaderXRequestID); id != "" {
		body = strings.ReplaceAll(body, id, "…")
	}
	return body
}

// notAboutAnIncident are the routes with path parameters that do not name
// an incident: they are checked for leaks, not for a 404. Routes without
// parameters cannot name one in their path; the walk checks them for leaks
// too, with the private incident's id and a word of its title in the query.
var notAboutAnIncident = []string{
	"/static/*", "/setup/:token", "/integrations/chat/:token", "/settings/tokens/:tokenID/revoke", "/settings/feed-keys/:keyID/revoke",
	"/admin/users/:userID", "/admin/tokens/:tokenID/revoke", "/admin/severities/:name", "/admin/severities/:name/delete",
	"/admin/categories/:category", "/admin/categories/:category/delete",
	"/review/:week", "/review/:week/minutes", "/api/v1/review/:week/minutes",
	// Changes, services and webhooks: their pages name incidents only
	// through the viewer's lists (checked for leaks by the walk).
	"/api/v1/changes/:changeID", "/services/:service", "/api/v1/services/:service", "/api/v1/services/:service/error-budget",
	"/admin/webhooks/:webhookID", "/admin/webhooks/:webhookID/active", "/admin/webhooks/:webhookID/delete",
	"/admin/webhooks/:webhookID/deliveries/:deliveryID/redeliver", "/api/v1/webhooks/:webhookID",
	"/api/v1/webhooks/:webhookID/deliveries", "/api/v1/webhooks/:webhookID/deliveries/:deliveryID/redeliver",
}

// TestPrivateIncidentRouteWalk walks Echo's route table as an editor who
// is not a member of a private incident. Every route of an incident, with
// the private incident's id and its children's ids in its parameters,
// answers 404 (405 at most) with the same body as for an id that does not
// exist; no route at all mentions the private incident. A route added
// later is covered without changing this test, and a new route with a
// parameter that is not an incident's fails until it is listed above.
func TestPrivateIncidentRouteWalk(t *testing.T) {
	w := newPrivateWorld(t)
	year, week := w.store.Now().ISOWeek()
	params := map[string]string{
		"id": strconv.FormatInt(w.id, 10), "entryID": strconv.FormatInt(w.entryID, 10),
		"factorID": strconv.FormatInt(w.factorID, 10), "whyID": strconv.FormatInt(w.whyID, 10),
		"actionID": strconv.FormatInt(w.actionID, 10), "tokenID": strconv.FormatInt(w.tokenID, 10),
		"n": "1", "key": "summary",
		// Parameters of routes that are not an incident's.
		"token": "dbc_none", "userID": "999", "name": "SEV2", "category": "change",
		"week": fmt.Sprintf("%d-W%02d.md", year, week),
		// The private incident's service: its page lists incidents.
		"service": "checkout", "changeID": "1", "webhookID": "1", "deliveryID": "1", "keyID": "1",
	}
	fill := func(path string, p map[string]string) string {
		parts := strings.Split(path, "/")
		for i, part := range parts {
			if strings.HasPrefix(part, ":") {
				// A parameter may be followed by a fixed suffix (":whyID/diagram.svg"
				// is two parts; ":week" is whole).
				v, ok := p[part[1:]]
				require.True(t, ok, "no value for %s in %s: add one", part, path)
				parts[i] = v
			}
			if part == "*" {
				parts[i] = "css/app.css"
			}
		}
		return strings.Join(parts, "/")
	}
	missing := withParam(params, "id", "999999")
	nonMember := w.as(model.RoleEditor)
	var walked []string
	routes := w.srv.echo.Routes()
	slices.SortFunc(routes, func(a, b *echo.Route) int { return strings.Compare(a.Path+a.Method, b.Path+b.Method) })
	for _, r := range routes {
		if strings.HasPrefix(r.Name, "echo_route_not_found") || r.Method == "echo_route_not_found" {
			continue
		}
		if r.Method == http.MethodPost && r.Path == "/logout" {
			continue // would sign the walker out; it takes no incident
		}
		route := r.Method + " " + r.Path
		path := fill(r.Path, params)
		rec := nonMember.routeRequest(r.Method, path, w.id)
		body := readable(t, rec)
		assert.Empty(t, leaks(body), "%s (%s) mentions the private incident: %d %s", route, path, rec.Code, clipBody(body))
		assert.Less(t, rec.Code, 500, "%s: %s", route, clipBody(body))
		hasParam := strings.ContainsAny(r.Path, ":*")
		switch {
		case incidentRoute(r.Path):
			if assert.Contains(t, []int{http.StatusNotFound, http.StatusMethodNotAllowed}, rec.Code, "%s (%s) answers %d for a non-member: %s", route, path, rec.Code, clipBody(body)) {
				gone := nonMember.routeRequest(r.Method, fill(r.Path, missing), w.id)
				assert.Equal(t, gone.Code, rec.Code, "%s: a private id and a missing one answer alike", route)
				assert.Equal(t, withoutRequestID(gone), withoutRequestID(rec), "%s: a private id and a missing one give the same body", route)
			}
		case hasParam && r.Path != catchAllAPI:
			assert.Contains(t, notAboutAnIncident, r.Path, "%s has a parameter but is not an incident's route: "+
				"put it under /incidents/:id, or list it in notAboutAnIncident if it cannot name an incident", route)
		}
		if r.Method == http.MethodGet && incidentRoute(r.Path) && strings.Count(r.Path, ":") == 1 {
			// The organisation incident's pages (similar incidents, the
			// postmortem's links) must not lead to the private one either.
			rec := nonMember.routeRequest(r.Method, fill(r.Path, withParam(params, "id", strconv.FormatInt(w.public, 10))), w.id)
			assert.Empty(t, leaks(readable(t, rec)), "%s of the organisation incident mentions the private one", route)
			assert.Less(t, rec.Code, 500, route)
		}
		walked = append(walked, route)
	}
	t.Logf("walked %d routes:\n%s", len(walked), strings.Join(walked, "\n"))
	assert.Greater(t, len(walked), 100)

	// The walk is only worth something if the private incident is there
	// to be found: its member sees it where the non-member saw nothing.
	member := w.withSession(w.member.session)
	member.who = w.member
	for _, path := range []string{
		fmt.Sprintf("/incidents/%d", w.id), fmt.Sprintf("/incidents/%d/postmortem", w.id), "/incidents", "/search?q=quokka",
		"/actions?status=all", fmt.Sprintf("/review/%d-W%02d.md", year, week), "/api/v1/incidents", "/api/v1/search?q=quokka",
	} {
		rec := member.do(http.MethodGet, path, "", "")
		assert.Equal(t, http.StatusOK, rec.Code, path)
		assert.Contains(t, rec.Body.String(), "payroll leak", "the member sees it on %s", path)
	}
	rec := w.as(model.RoleAdmin).do(http.MethodGet, "/export.zip", "", "")
	assert.Contains(t, readable(t, rec), secretTitle, "an admin's export holds every incident")
}

// withParam returns a copy of m with key set to v.
func withParam(m map[string]string, key, v string) map[string]string {
	out := make(map[string]string, len(m))
	for k, x := range m {
		out[k] = x
	}
	out[key] = v
	return out
}

func clipBody(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
