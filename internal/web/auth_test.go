package web

// Tests of accounts, roles and security (issue 3): the authorization matrix
// over every route, CSRF, sign-in and its rate limits, sessions, API
// tokens, sign-in through a trusted proxy, the setup link, the audit log
// and the security headers. Every bad input of the issue has a test here.

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/auth"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// anyone is every identity the matrix tries, anonymous first.
var anyone = []model.Role{"", model.RoleViewer, model.RoleEditor, model.RoleAdmin}

// publicRoutes are the only routes anonymous users may reach.
var publicRoutes = []string{
	"GET /static/*", "GET /favicon.ico", "GET /healthz",
	"GET /login", "POST /login", "POST /logout",
	"GET /setup/:token", "POST /setup/:token",
	"GET /auth/oidc/login", "GET /auth/oidc/callback", // single sign-on
	// The chat bridge: signed by Slack, or carrying the incident's token.
	"POST /integrations/slack/commands", "POST /integrations/slack/interactions", "POST /integrations/chat/:token",
	// Changes from CI: signed by GitHub, or carrying a token (changes_test.go).
	"POST /integrations/github", "POST /integrations/changes",
	// Prometheus: no session, but its own check (metrics_test.go).
	"GET /metrics",
}

// ownCheck are public routes guarded by a check of their own rather than
// the session, and what the matrix's requests (from 192.0.2.1, without
// their credential) get: metrics_test.go shows who gets through.
var ownCheck = map[string]int{
	"GET /metrics": http.StatusForbidden, // only --metrics-allow addresses or the metrics token
}

// catchAllAPI is the one route outside the table: unknown API paths answer
// JSON 404 to viewers and up (401 to anonymous callers).
const catchAllAPI = "/api/*"

// authFixture holds fresh records for one request of the matrix, so that
// every allowed request can succeed whatever ran before it.
type authFixture struct {
	incident, entry, token, user int64
	factor, why, action          int64
	change                       int64  // a recorded change, linked to the incident
	service                      string // the change's service, at its first version
	webhook, delivery            int64  // a webhook and its delivery of the incident's declaration
	feedKey                      int64  // a feed key of the owner's
	severity                     string // an unused level of the scale
	category                     string // an unused factor category
}

// newAuthFixture creates an incident with one timeline entry, an API token
// owned by owner, and a viewer account, all straight through the store.
func (a *testApp) newAuthFixture(owner *model.User) authFixture {
	a.t.Helper()
	ctx := context.Background()
	// A webhook of its own (there may be at most 100: the oldest but the
	// first fixture's go), which gets a delivery of the incident below.
	hooks, err := a.store.Webhooks(ctx)
	require.NoError(a.t, err)
	for i := 1; len(hooks)-i >= 90; i++ {
		require.NoError(a.t, a.store.DeleteWebhook(ctx, hooks[i].ID))
	}
	hook := &model.Webhook{URL: "https://hooks.example.com/matrix", Events: []string{model.EventIncidentDeclared}, Format: model.FormatJSON, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	require.NoError(a.t, hook.Validate(false))
	require.NoError(a.t, a.store.CreateWebhook(ctx, hook))
	inc := &model.Incident{Title: "Matrix incident", Severity: "SEV2", Status: model.StatusInvestigating}
	require.NoError(a.t, a.store.CreateIncident(ctx, inc, ""))
	e := &model.TimelineEntry{IncidentID: inc.ID, OccurredAt: a.store.Now(), Kind: model.KindObservation, Body: "matrix entry"}
	require.NoError(a.t, a.store.AppendTimeline(ctx, e))
	deliveries, err := a.store.Deliveries(ctx, hook.ID, 0, 1)
	require.NoError(a.t, err)
	require.NotEmpty(a.t, deliveries)
	secret, hash, err := auth.NewToken()
	require.NoError(a.t, err)
	tok := &model.APIToken{UserID: owner.ID, Name: "matrix", Hash: hash, Prefix: secret[:10]}
	require.NoError(a.t, a.store.CreateToken(ctx, tok))
	// One live feed key of the owner's at a time (a user holds at most
	// model.MaxFeedKeys).
	keys, err := a.store.FeedKeys(ctx, owner.ID)
	require.NoError(a.t, err)
	for _, k := range keys {
		if k.RevokedAt == nil {
			require.NoError(a.t, a.store.RevokeFeedKey(ctx, k.ID, owner.ID))
		}
	}
	_, keyHash, err := auth.NewFeedKey()
	require.NoError(a.t, err)
	key := &model.FeedKey{UserID: owner.ID, Name: "matrix", Hash: keyHash, Prefix: "dbfeed_matrix"}
	require.NoError(a.t, a.store.CreateFeedKey(ctx, key))
	u := &model.User{Email: fmt.Sprintf("matrix-%d@example.com", inc.ID), Name: "Matrix User", Role: model.RoleViewer}
	require.NoError(a.t, a.store.CreateUser(ctx, u))
	sev := &model.Severity{Name: fmt.Sprintf("MX%d", inc.ID), Position: 10 + int(inc.ID)}
	require.NoError(a.t, a.store.CreateSeverity(ctx, sev))
	cat := &model.FactorCategory{Name: fmt.Sprintf("matrix/%d", inc.ID), Position: 12 + 2*int(inc.ID)}
	require.NoError(a.t, a.store.CreateFactorCategory(ctx, cat))
	fac := &model.Factor{IncidentID: inc.ID, Title: "Matrix factor", Category: "other"}
	require.NoError(a.t, a.store.CreateFactor(ctx, fac))
	why := &model.WhyNode{IncidentID: inc.ID, Text: "Matrix problem"}
	require.NoError(a.t, a.store.CreateWhy(ctx, why, nil))
	act := &model.ActionItem{IncidentID: inc.ID, Title: "Matrix action", Owner: "Matrix User", Due: model.DateOf(a.store.Now()).AddDays(7), Type: model.ActionPrevent}
	require.NoError(a.t, a.store.CreateAction(ctx, act))
	ch := &model.Change{Service: fmt.Sprintf("matrix-%d", inc.ID), Summary: "Matrix deploy", StartedAt: a.store.Now().Add(-time.Hour)}
	_, err = a.store.RecordChange(ctx, ch)
	require.NoError(a.t, err)
	_, err = a.store.LinkChange(ctx, inc.ID, ch.ID, model.RelationRelated)
	require.NoError(a.t, err)
	// A published revision 1 and a new draft, so every postmortem route has
	// something to act on.
	_, err = a.store.Publish(ctx, inc.ID, 1, func(*store.Document, int, time.Time) (string, []byte, error) {
		return "# Matrix incident\n", []byte("{}"), nil
	})
	require.NoError(a.t, err)
	pm, err := a.store.Postmortem(ctx, inc.ID)
	require.NoError(a.t, err)
	_, err = a.store.SetPostmortemStatus(ctx, inc.ID, model.PostmortemDraft, pm.Version)
	require.NoError(a.t, err)
	return authFixture{incident: inc.ID, entry: e.ID, token: tok.ID, user: u.ID, severity: sev.Name,
		factor: fac.ID, why: why.ID, action: act.ID, category: cat.Name, change: ch.ID, service: ch.Service,
		webhook: hook.ID, delivery: deliveries[0].ID, feedKey: key.ID}
}

// fillPath puts the fixture's ids into a route's path parameters.
func fillPath(t *testing.T, path string, f authFixture) string {
	t.Helper()
	segs := strings.Split(path, "/")
	for i, s := range segs {
		switch s {
		case ":id":
			segs[i] = strconv.FormatInt(f.incident, 10)
		case ":entryID":
			segs[i] = strconv.FormatInt(f.entry, 10)
		case ":tokenID":
			segs[i] = strconv.FormatInt(f.token, 10)
		case ":keyID":
			segs[i] = strconv.FormatInt(f.feedKey, 10)
		case ":userID":
			segs[i] = strconv.FormatInt(f.user, 10)
		case ":n":
			segs[i] = "1"
		case ":key":
			segs[i] = "summary"
		case ":factorID":
			segs[i] = strconv.FormatInt(f.factor, 10)
		case ":whyID":
			segs[i] = strconv.FormatInt(f.why, 10)
		case ":actionID":
			segs[i] = strconv.FormatInt(f.action, 10)
		case ":service":
			segs[i] = url.PathEscape(f.service)
		case ":webhookID":
			segs[i] = strconv.FormatInt(f.webhook, 10)
		case ":deliveryID":
			segs[i] = strconv.FormatInt(f.delivery, 10)
		case ":changeID":
			segs[i] = strconv.FormatInt(f.change, 10)
		case ":token":
			segs[i] = "not-the-setup-token"
		case ":name":
			segs[i] = f.severity
		case ":category":
			segs[i] = url.PathEscape(f.category)
		case ":week":
			// A week of its own per fixture, so every allowed save of the
			// minutes is a first save (version 0).
			segs[i] = fmt.Sprintf("%04d-W%02d", 2000+f.incident/52, f.incident%52+1)
		case "*":
			segs[i] = "css/app.css"
		default:
			require.False(t, strings.HasPrefix(s, ":"), "route %s has a parameter %s the matrix does not know; add it to fillPath", path, s)
		}
	}
	return strings.Join(segs, "/")
}

// routeBodies is a minimal valid body for each mutating route (form values
// for pages, JSON for the API), given that route's fresh fixture.
var routeBodies = map[string]func(f authFixture) string{
	"POST /settings/tokens":                        func(authFixture) string { return "name=matrix" },
	"POST /settings/tokens/:tokenID/revoke":        func(authFixture) string { return "" },
	"POST /settings/feed-keys":                     func(authFixture) string { return "name=matrix+reader" },
	"POST /settings/reminders":                     func(authFixture) string { return "reminders=on&quiet_from=22&quiet_to=7" },
	"POST /settings/feed-keys/:keyID/revoke":       func(authFixture) string { return "" },
	"POST /incidents":                              func(authFixture) string { return "title=Matrix&severity=SEV2" },
	"POST /incidents/:id/edit":                     func(authFixture) string { return "version=1&title=Matrix+edited&severity=SEV2&status=investigating" },
	"POST /incidents/:id/status":                   func(authFixture) string { return "version=1&status=identified" },
	"POST /incidents/:id/timeline":                 func(authFixture) string { return "body=From+the+matrix" },
	"POST /incidents/:id/timeline/:entryID/edit":   func(authFixture) string { return "version=1&at=now&body=Edited" },
	"POST /incidents/:id/timeline/:entryID/delete": func(authFixture) string { return "version=1" },
	"POST /admin/users": func(f authFixture) string {
		return fmt.Sprintf("email=new-%d%%40example.com&name=New&role=viewer&password=%s", f.incident, url.QueryEscape(testPassword))
	},
	"POST /admin/users/:userID":          func(authFixture) string { return "version=1&name=Renamed" },
	"POST /admin/tokens/:tokenID/revoke": func(authFixture) string { return "" },
	"POST /admin/severities": func(f authFixture) string {
		return fmt.Sprintf("name=NEW%d&position=%d", f.incident, 500+f.incident)
	},
	"POST /admin/severities/:name": func(f authFixture) string {
		return fmt.Sprintf("name=%s&description=edited&position=%d", f.severity, 10+f.incident)
	},
	"POST /admin/severities/:name/delete": func(authFixture) string { return "" },
	"POST /admin/categories": func(f authFixture) string {
		return fmt.Sprintf("name=new-%d&position=%d", f.incident, 13+2*f.incident)
	},
	"POST /admin/categories/:category": func(f authFixture) string {
		return fmt.Sprintf("name=%s&description=edited&position=%d", url.QueryEscape(f.category), 12+2*f.incident)
	},
	"POST /admin/categories/:category/delete":      func(authFixture) string { return "" },
	"POST /lint-preview":                           func(authFixture) string { return "text=The+operator+forgot+the+flag" },
	"POST /incidents/:id/factors":                  func(authFixture) string { return "title=Matrix+factor+2&category=change" },
	"POST /incidents/:id/factors/:factorID/edit":   func(authFixture) string { return "version=1&title=Edited&category=other" },
	"POST /incidents/:id/factors/:factorID/move":   func(authFixture) string { return "version=1&direction=down" },
	"POST /incidents/:id/factors/:factorID/delete": func(authFixture) string { return "version=1" },
	"POST /incidents/:id/whys":                     func(f authFixture) string { return fmt.Sprintf("text=because&parent_id=%d", f.why) },
	"POST /incidents/:id/whys/:whyID/edit":         func(authFixture) string { return "version=1&text=Edited" },
	"POST /incidents/:id/whys/:whyID/move":         func(authFixture) string { return "version=1&direction=down" },
	"POST /incidents/:id/whys/:whyID/promote":      func(authFixture) string { return "version=1&title=Promoted&category=process" },
	"POST /incidents/:id/whys/:whyID/delete":       func(authFixture) string { return "version=1" },
	"POST /incidents/:id/actions": func(authFixture) string {
		return "title=Matrix+action+2&owner=Matrix+User&due_date=2030-01-01&type=detect"
	},
	"POST /incidents/:id/actions/:actionID/edit": func(authFixture) string {
		return "version=1&title=Matrix+action&owner=Matrix+User&due_date=2030-01-01&type=prevent&priority=medium&status=in_progress"
	},
	"POST /incidents/:id/actions/:actionID/delete":   func(authFixture) string { return "version=1" },
	"POST /api/v1/incidents":                         func(authFixture) string { return `{"title":"Matrix","severity":"SEV2"}` },
	"PATCH /api/v1/incidents/:id":                    func(authFixture) string { return `{"version":1,"title":"Matrix edited"}` },
	"POST /api/v1/incidents/:id/timeline":            func(authFixture) string { return `{"body":"From the matrix"}` },
	"PATCH /api/v1/incidents/:id/timeline/:entryID":  func(authFixture) string { return `{"version":1,"body":"Edited"}` },
	"DELETE /api/v1/incidents/:id/timeline/:entryID": func(authFixture) string { return "" },
	"POST /api/v1/incidents/:id/factors":             func(authFixture) string { return `{"title":"Matrix factor 2","category":"change"}` },
	"PATCH /api/v1/incidents/:id/factors/:factorID":  func(authFixture) string { return `{"version":1,"title":"Edited"}` },
	"DELETE /api/v1/incidents/:id/factors/:factorID": func(authFixture) string { return "" },
	"POST /api/v1/incidents/:id/whys":                func(f authFixture) string { return fmt.Sprintf(`{"text":"because","parent_id":%d}`, f.why) },
	"PATCH /api/v1/incidents/:id/whys/:whyID":        func(authFixture) string { return `{"version":1,"text":"Edited"}` },
	"DELETE /api/v1/incidents/:id/whys/:whyID":       func(authFixture) string { return "" },
	"POST /api/v1/incidents/:id/whys/:whyID/promote": func(authFixture) string { return `{"version":1,"category":"process"}` },
	"POST /api/v1/incidents/:id/actions": func(authFixture) string {
		return `{"title":"Matrix action 2","owner":"Matrix User","due_date":"2030-01-01","type":"detect"}`
	},
	"PATCH /api/v1/incidents/:id/actions/:actionID":  func(authFixture) string { return `{"version":1,"status":"in_progress"}` },
	"DELETE /api/v1/incidents/:id/actions/:actionID": func(authFixture) string { return "" },
	"POST /incidents/:id/postmortem/sections/:key":   func(authFixture) string { return "version=0&body=Matrix+summary" },
	"POST /incidents/:id/postmortem/people":          func(authFixture) string { return "version=3&facilitator=Dana" },
	"POST /incidents/:id/postmortem/status":          func(authFixture) string { return "version=3&status=in_review" },
	"POST /incidents/:id/postmortem/publish":         func(authFixture) string { return "version=3" },
	"POST /incidents/:id/postmortem/acknowledge":     func(authFixture) string { return "fingerprint=x&reason=kept" },
	"POST /incidents/:id/changes":                    func(f authFixture) string { return fmt.Sprintf("change_id=%d&relation=caused", f.change) },
	"POST /incidents/:id/changes/:changeID/unlink":   func(authFixture) string { return "" },
	"POST /services/:service":                        func(f authFixture) string { return "version=1&owner_team=Matrix&name=" + url.QueryEscape(f.service) },
	"PUT /api/v1/services/:service":                  func(authFixture) string { return `{"owner_team":"Matrix","version":1}` },
	"POST /admin/webhooks": func(authFixture) string {
		return "url=https%3A%2F%2Fhooks.example.com%2Fform&events=incident.declared&format=json"
	},
	"POST /admin/webhooks/:webhookID/active":                           func(authFixture) string { return "active=1" },
	"POST /admin/webhooks/:webhookID/delete":                           func(authFixture) string { return "" },
	"POST /admin/webhooks/:webhookID/deliveries/:deliveryID/redeliver": func(authFixture) string { return "" },
	"POST /api/v1/webhooks": func(authFixture) string {
		return `{"url":"https://hooks.example.com/api","events":["incident.declared"]}`
	},
	"PATCH /api/v1/webhooks/:webhookID":                                 func(authFixture) string { return `{"active":true}` },
	"DELETE /api/v1/webhooks/:webhookID":                                func(authFixture) string { return "" },
	"POST /api/v1/webhooks/:webhookID/deliveries/:deliveryID/redeliver": func(authFixture) string { return "" },
	"POST /api/v1/admin/backup":                                         func(authFixture) string { return "" },
	"POST /api/v1/changes": func(authFixture) string {
		return `{"service":"matrix","summary":"Matrix config change","kind":"config"}`
	},
	"POST /api/v1/incidents/:id/changes":                     func(f authFixture) string { return fmt.Sprintf(`{"change_id":%d,"relation":"caused"}`, f.change) },
	"DELETE /api/v1/incidents/:id/changes/:changeID":         func(authFixture) string { return "" },
	"POST /api/v1/import":                                    func(authFixture) string { return `{"markdown":"# Imported incident\n\n## Summary\n\nA summary.\n"}` },
	"PUT /api/v1/incidents/:id/postmortem":                   func(authFixture) string { return `{"sections":{"impact":{"body":"Some","version":0}}}` },
	"POST /api/v1/incidents/:id/postmortem/submit":           func(authFixture) string { return `{"version":3}` },
	"POST /api/v1/incidents/:id/postmortem/draft":            func(authFixture) string { return `{"version":3}` },
	"POST /api/v1/incidents/:id/postmortem/publish":          func(authFixture) string { return `{"version":3}` },
	"POST /api/v1/incidents/:id/postmortem/acknowledgements": func(authFixture) string { return `{"fingerprint":"x","reason":"kept"}` },
	"POST /review/:week/minutes":                             func(authFixture) string { return "version=0&attendees=Matrix+User&notes_incidents=Matrix" },
	"PUT /api/v1/review/:week/minutes": func(authFixture) string {
		return `{"version":0,"attendees":["Matrix User"],"notes":{"incidents":"Matrix"}}`
	},
}

// allowedStatus is what an allowed request answers when it is not a 2xx
// or 3xx: no setup link is configured in the matrix.
var allowedStatus = map[string]int{
	"GET /setup/:token": http.StatusNotFound,
	// Single sign-on is not configured in the matrix (see oidc_test.go).
	"GET /auth/oidc/login":    http.StatusNotFound,
	"GET /auth/oidc/callback": http.StatusNotFound,
	// The fixture's service has no SLO target: no budget to compute.
	"GET /api/v1/services/:service/error-budget": http.StatusUnprocessableEntity,
	// A form without a file: the page says to choose one.
	"POST /import": http.StatusUnprocessableEntity,
	// The fixture's postmortem has no finding to acknowledge.
	"POST /incidents/:id/postmortem/acknowledge":             http.StatusUnprocessableEntity,
	"POST /api/v1/incidents/:id/postmortem/acknowledgements": http.StatusUnprocessableEntity,
	// The fixture's incident is open, so the publish gate refuses it.
	"POST /incidents/:id/postmortem/publish":        http.StatusUnprocessableEntity,
	"POST /api/v1/incidents/:id/postmortem/publish": http.StatusUnprocessableEntity,
}

// routeRequest builds the request of route r for fixture f: a body where
// the route takes one, as JSON on the API and as a form elsewhere.
func routeRequest(t *testing.T, r routeInfo, f authFixture) (target, contentType, body string, known bool) {
	t.Helper()
	target = fillPath(t, r.Path, f)
	mk, known := routeBodies[r.Method+" "+r.Path]
	if r.Method == http.MethodGet {
		return target, "", "", true
	}
	if r.Method == http.MethodDelete {
		target += "?version=1" // every fixture record is at its first version
	}
	if known {
		body = mk(f)
	}
	if strings.HasPrefix(r.Path, "/api/") {
		if body != "" {
			contentType = "application/json"
		}
	} else {
		contentType = "application/x-www-form-urlencoded"
	}
	return target, contentType, body, known
}

func roleName(r model.Role) string {
	if r == "" {
		return "anonymous"
	}
	return string(r)
}

// TestAuthorizationMatrix sends every route as anonymous, viewer, editor
// and admin: anonymous callers are sent to sign in (pages) or get a 401
// (API), roles below the route's get a 403, the rest get through.
func TestAuthorizationMatrix(t *testing.T) {
	app := newTestApp(t)
	base := app.newAuthFixture(app.ids[model.RoleEditor].user)
	public := map[string]bool{}
	for _, p := range publicRoutes {
		public[p] = true
	}
	require.NotEmpty(t, app.srv.table)
	for _, r := range app.srv.table {
		key := r.Method + " " + r.Path
		if r.Role == "" {
			assert.True(t, public[key], "%s is public but only %v may be", key, publicRoutes)
			if r.Method != http.MethodGet {
				continue // sign-in, sign-out and setup have tests of their own below
			}
		} else {
			assert.False(t, public[key], "%s must be public", key)
		}
		for _, who := range anyone {
			t.Run(key+" as "+roleName(who), func(t *testing.T) {
				as := app.as(who)
				as.t = t
				f := base
				if r.Method != http.MethodGet && (who != "" && who.Allows(r.Role)) {
					f = as.newAuthFixture(app.ids[who].user) // an allowed change consumes its records
				}
				target, ct, body, known := routeRequest(t, r, f)
				rec := as.do(r.Method, target, ct, body)
				// The event stream and the feeds answer like the API: an
				// EventSource, a script or a feed reader reads no login page.
				isAPI := strings.HasPrefix(r.Path, "/api/") || strings.HasSuffix(r.Path, "/events") || strings.HasSuffix(r.Path, ".atom")
				switch want, guarded := ownCheck[key]; {
				case guarded:
					assert.Equal(t, want, rec.Code, rec.Body.String())
				case r.Role == "" || (who != "" && who.Allows(r.Role)):
					assert.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, rec.Code, rec.Body.String())
					assert.Less(t, rec.Code, 500, rec.Body.String())
					if want, ok := allowedStatus[key]; ok {
						assert.Equal(t, want, rec.Code, rec.Body.String())
					} else if known {
						assert.Less(t, rec.Code, 400, "an allowed request with a valid body succeeds: %s", rec.Body.String())
					}
				case who == "" && isAPI:
					require.Equal(t, http.StatusUnauthorized, rec.Code, rec.Body.String())
					assert.Contains(t, rec.Header().Get("Content-Type"), "application/json")
					assert.NotEmpty(t, decode(t, rec)["error"])
					assert.True(t, strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer "), "WWW-Authenticate: %q", rec.Header().Get("WWW-Authenticate"))
				case who == "" && r.Method == http.MethodGet:
					require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
					assert.Equal(t, "/login?next="+url.QueryEscape(target), rec.Header().Get("Location"))
				case who == "":
					assert.Equal(t, http.StatusUnauthorized, rec.Code, rec.Body.String())
				case isAPI:
					require.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
					assert.Contains(t, rec.Header().Get("Content-Type"), "application/json")
					assert.Contains(t, decode(t, rec)["error"], string(r.Role))
				default:
					require.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
					assert.Contains(t, rec.Header().Get("Content-Type"), "text/html")
					assert.Contains(t, rec.Body.String(), "Forbidden")
				}
			})
		}
	}
}

// TestUnknownAPIPaths checks the API's catch-all: it hides the API's shape
// from anonymous callers and answers JSON 404 to the others.
func TestUnknownAPIPaths(t *testing.T) {
	app := newTestApp(t)
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		rec := app.as("").api(method, "/api/v1/nothing-here", "")
		assert.Equal(t, http.StatusUnauthorized, rec.Code, "%s as anonymous", method)
		rec = app.as(model.RoleViewer).api(method, "/api/v1/nothing-here", "")
		assert.Equal(t, http.StatusNotFound, rec.Code, "%s as viewer", method)
		assert.Contains(t, rec.Header().Get("Content-Type"), "application/json")
	}
}

// TestPathsOutsideSessionsNeverFail covers the paths that skip the session
// middleware but are not API paths: they must not reach code that needs a
// loaded session.
func TestPathsOutsideSessionsNeverFail(t *testing.T) {
	app := newTestApp(t)
	for _, path := range []string{"/favicon.ico", "/api", "/static/css/app.css", "/static/nope.css", "/healthz", "/metrics"} {
		for _, who := range anyone {
			rec := app.as(who).do(http.MethodGet, path, "", "")
			assert.Less(t, rec.Code, 500, "GET %s as %s: %s", path, roleName(who), rec.Body.String())
		}
	}
	assert.Equal(t, http.StatusMovedPermanently, app.as("").do(http.MethodGet, "/favicon.ico", "", "").Code)
}

// TestRouteTableIsComplete makes sure no route bypasses the table (and so
// the authorization matrix): every route Echo serves was declared through
// a group with its role.
func TestRouteTableIsComplete(t *testing.T) {
	app := newTestApp(t)
	declared := map[string]bool{}
	for _, r := range app.srv.table {
		key := r.Method + " " + r.Path
		assert.False(t, declared[key], "%s declared twice", key)
		declared[key] = true
	}
	served := map[string]bool{}
	for _, r := range app.srv.echo.Routes() {
		if r.Method == "echo_route_not_found" || strings.HasPrefix(r.Name, "echo_route_not_found") {
			continue
		}
		key := r.Method + " " + r.Path
		served[key] = true
		if r.Path == catchAllAPI {
			continue // tested by TestUnknownAPIPaths
		}
		assert.True(t, declared[key], "%s is served but not declared through a route group in routes.go", key)
	}
	for key := range declared {
		assert.True(t, served[key], "%s is in the table but Echo does not serve it", key)
	}
}

// dbSnapshot dumps every table that holds the record, accounts and the
// audit log, leaving out the two columns a read may stamp (a token's last
// use and a user's last sign-in). Sessions are not part of it.
func dbSnapshot(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	skip := map[string]bool{"last_used_at": true, "last_login_at": true}
	out := map[string][]string{}
	for _, table := range []string{"incidents", "incident_services", "incident_tags", "incident_roles", "services",
		"severities", "timeline_entries", "timeline_entry_revisions", "users", "api_tokens", "audit_log",
		"factor_categories", "contributing_factors", "why_nodes", "action_items", "action_item_factors", "action_item_whys",
		"review_minutes", "review_notes"} {
		rows, err := db.Query("SELECT * FROM " + table)
		require.NoError(t, err, table)
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			var b strings.Builder
			for i, c := range cols {
				if !skip[c] {
					fmt.Fprintf(&b, "%s=%v;", c, vals[i])
				}
			}
			out[table] = append(out[table], b.String())
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
		slices.Sort(out[table])
	}
	return out
}

// readDB opens the test database read-only through a connection of its
// own, with the store's pragmas.
func readDB(t *testing.T, st *store.Store) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", store.DSN(st.Path(), false)+"&_query_only=true")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestViewerMutationsRefused sends every route that needs more than the
// viewer role, except reads, as a viewer: each is 403 and writes nothing.
func TestViewerMutationsRefused(t *testing.T) {
	app := newTestApp(t)
	f := app.newAuthFixture(app.ids[model.RoleEditor].user)
	db := readDB(t, app.store)
	viewer := app.as(model.RoleViewer)
	start := dbSnapshot(t, db)
	n := 0
	for _, r := range app.srv.table {
		if r.Method == http.MethodGet || r.Role == "" || r.Role == model.RoleViewer {
			continue
		}
		n++
		target, ct, body, _ := routeRequest(t, r, f)
		rec := viewer.do(r.Method, target, ct, body)
		assert.Equal(t, http.StatusForbidden, rec.Code, "%s %s: %s", r.Method, target, rec.Body.String())
		assert.Equal(t, start, dbSnapshot(t, db), "%s %s wrote to the database", r.Method, target)
	}
	assert.GreaterOrEqual(t, n, 14, "every mutating route of editors and admins was tried")
	// The same through the API with a viewer's token on every API mutation,
	// with bodies that would otherwise be valid.
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/api/v1/incidents", `{"title":"Viewer","severity":"SEV2"}`},
		{http.MethodPatch, fmt.Sprintf("/api/v1/incidents/%d", f.incident), `{"version":1,"title":"Viewer"}`},
		{http.MethodPost, fmt.Sprintf("/api/v1/incidents/%d/timeline", f.incident), `{"body":"Viewer"}`},
		{http.MethodPatch, fmt.Sprintf("/api/v1/incidents/%d/timeline/%d", f.incident, f.entry), `{"version":1,"body":"Viewer"}`},
		{http.MethodDelete, fmt.Sprintf("/api/v1/incidents/%d/timeline/%d", f.incident, f.entry), ""},
	} {
		assertAPIError(t, viewer.api(c.method, c.path, c.body), http.StatusForbidden)
	}
	assert.Equal(t, start, dbSnapshot(t, db))
}

// formRequest is a urlencoded POST carrying no credentials at all.
func formRequest(target string, v url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// send serves req as it is.
func (a *testApp) send(req *http.Request) *httptest.ResponseRecorder {
	a.t.Helper()
	rec := httptest.NewRecorder()
	a.srv.ServeHTTP(rec, req)
	return rec
}

// withSession acts with the given session cookie (and no API token).
func (a *testApp) withSession(c *http.Cookie) *testApp {
	b := *a
	b.who = &identity{session: c}
	return &b
}

// withToken acts with the given API token (and no session).
func (a *testApp) withToken(secret string) *testApp {
	b := *a
	b.who = &identity{token: secret}
	return &b
}

// responseCookie returns the named cookie a response sets (nil if none).
func responseCookie(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// assertSignedOut checks that cookie no longer signs anyone in.
func assertSignedOut(t *testing.T, app *testApp, cookie *http.Cookie) {
	t.Helper()
	rec := app.withSession(cookie).do(http.MethodGet, "/settings", "", "")
	assert.Equal(t, http.StatusSeeOther, rec.Code, "the old session must not sign in: %s", rec.Body.String())
	assert.Equal(t, "/login?next=%2Fsettings", rec.Header().Get("Location"))
}

// assertSignedInAs checks that cookie signs in as email.
func assertSignedInAs(t *testing.T, app *testApp, cookie *http.Cookie, email string) {
	t.Helper()
	rec := app.withSession(cookie).do(http.MethodGet, "/settings", "", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "("+email+")")
}

func TestCSRFForgedPostsRefused(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	db := readDB(t, app.store)
	start := dbSnapshot(t, db)
	editor, admin := app.ids[model.RoleEditor], app.ids[model.RoleAdmin]
	for _, c := range []struct {
		name   string
		target string
		values url.Values
		who    *identity
		// csrfCookie: a browser that visited Debrief before sends its CSRF
		// cookie along with the forged post; the attacker cannot read it.
		csrfCookie bool
		field      string // a _csrf value the attacker guesses
	}{
		{name: "declare", target: "/incidents", values: url.Values{"title": {"Forged"}, "severity": {"SEV2"}}, who: editor},
		{name: "quick entry", target: "/incidents/1/timeline", values: url.Values{"body": {"Forged"}}, who: editor},
		{name: "sign out", target: "/logout", who: editor},
		{name: "new user", target: "/admin/users", values: url.Values{"email": {"evil@example.com"}, "name": {"Evil"}, "role": {"admin"}, "password": {testPassword}}, who: admin},
		{name: "quick entry with the CSRF cookie", target: "/incidents/1/timeline", values: url.Values{"body": {"Forged"}}, who: editor, csrfCookie: true},
		{name: "quick entry with a guessed token", target: "/incidents/1/timeline", values: url.Values{"body": {"Forged"}}, who: editor, csrfCookie: true, field: "guessed-token-0123456789abcdef01"},
		{name: "sign in", target: "/login", values: url.Values{"email": {"viewer@example.com"}, "password": {testPassword}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := url.Values{}
			for k, vs := range c.values {
				v[k] = vs
			}
			if c.field != "" {
				v.Set("_csrf", c.field)
			}
			req := formRequest(c.target, v)
			req.Header.Set("Origin", "https://evil.example")
			if c.who != nil {
				req.AddCookie(c.who.session)
			}
			if c.csrfCookie {
				req.AddCookie(&http.Cookie{Name: "debrief_csrf", Value: testCSRF})
			}
			rec := app.send(req)
			assert.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
			assert.Contains(t, rec.Body.String(), "CSRF")
			assert.Nil(t, responseCookie(rec, "debrief_session"), "a refused request changes no session")
			assert.Equal(t, start, dbSnapshot(t, db), "nothing written")
		})
	}
	// The forged sign-out did not end the session.
	assertSignedInAs(t, app, editor.session, "editor@example.com")
}

func TestCSRFFetchMetadata(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	db := readDB(t, app.store)
	editor := app.as(model.RoleEditor)
	entries := func() int { return len(app.timelineJSON(1)) }
	before := entries()

	// A cross-site post is refused even with the session's token.
	rec := editor.form("/incidents/1/timeline", url.Values{"body": {"Cross-site"}}, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
	// A same-site (another subdomain) post without a token falls back to the
	// token, and fails.
	start := dbSnapshot(t, db)
	req := formRequest("/incidents/1/timeline", url.Values{"body": {"Same-site"}})
	req.AddCookie(app.ids[model.RoleEditor].session)
	req.Header.Set("Sec-Fetch-Site", "same-site")
	assert.Equal(t, http.StatusForbidden, app.send(req).Code)
	assert.Equal(t, start, dbSnapshot(t, db))
	assert.Equal(t, before, entries())

	// A modern browser's own same-origin post still carries the session's
	// token: fetch metadata adds a check, it replaces none.
	req = formRequest("/incidents/1/timeline", url.Values{"body": {"Same-origin"}})
	req.AddCookie(app.ids[model.RoleEditor].session)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusForbidden, app.send(req).Code)
	assert.Equal(t, before, entries())
	rec = editor.form("/incidents/1/timeline", url.Values{"body": {"Same-origin"}}, "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, before+1, entries())
}

func TestCSRFTokenInPages(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	session := app.ids[model.RoleEditor].session
	token := app.sessionCSRF(session)
	require.NotEmpty(t, token, "a session gets its token at sign-in")
	entries := len(app.timelineJSON(1))

	// A signed-in page carries the session's token in its forms and in the
	// header htmx sends, and sets no pre-session cookie.
	req := httptest.NewRequest(http.MethodGet, "/incidents/1", nil)
	req.AddCookie(session)
	rec := app.send(req)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Nil(t, responseCookie(rec, "debrief_csrf"))
	body := rec.Body.String()
	assert.Contains(t, body, `<input type="hidden" name="_csrf" value="`+token+`">`)
	assert.Contains(t, body, `<body hx-headers='{"X-CSRF-Token": "`+token+`"}'>`)

	// That token works as a form field (no JavaScript) and as the header (htmx).
	for i, how := range []string{"field", "header"} {
		v := url.Values{"body": {"Entry by " + how}}
		if how == "field" {
			v.Set("_csrf", token)
		}
		req := formRequest("/incidents/1/timeline", v)
		req.AddCookie(session)
		if how == "header" {
			req.Header.Set("X-CSRF-Token", token)
		}
		rec := app.send(req)
		assert.Equal(t, http.StatusSeeOther, rec.Code, "%s: %s", how, rec.Body.String())
		assert.Len(t, app.timelineJSON(1), entries+i+1)
	}

	// An anonymous page (sign-in) gets a pre-session token in a cookie, and
	// carries the same one.
	rec = app.send(httptest.NewRequest(http.MethodGet, "/login", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	cookie := responseCookie(rec, "debrief_csrf")
	require.NotNil(t, cookie, "a CSRF cookie is set")
	require.NotEmpty(t, cookie.Value)
	assert.True(t, cookie.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, cookie.SameSite)
	assert.Contains(t, rec.Body.String(), `<input type="hidden" name="_csrf" value="`+cookie.Value+`">`)
}

// loginFrom posts the sign-in form from a client address, with a valid
// CSRF token and any cookies given.
func (a *testApp) loginFrom(remote, email, password, next string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	a.t.Helper()
	v := url.Values{"email": {email}, "password": {password}}
	if next != "" {
		v.Set("next", next)
	}
	req := formRequest("/login", v)
	req.RemoteAddr = remote
	req.AddCookie(&http.Cookie{Name: "debrief_csrf", Value: testCSRF})
	req.Header.Set("X-CSRF-Token", testCSRF)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return a.send(req)
}

// loginError returns the error message a sign-in page shows.
func loginError(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`<div class="flash error" role="alert">([^<]*)</div>`).FindStringSubmatch(body)
	require.NotNil(t, m, "no error on the sign-in page")
	return html.UnescapeString(m[1])
}

func TestLoginFailuresLookAlike(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	gone := app.addUser("gone@example.com", "Gone", model.RoleEditor)
	_, err := app.store.UpdateUser(ctx, gone.user.ID, store.UserPatch{Disabled: new(true), Version: gone.user.Version})
	require.NoError(t, err)

	for i, c := range []struct{ name, email, password string }{
		{"wrong password", "editor@example.com", testPassword + "!"},
		{"unknown email", "nobody@example.com", testPassword},
		{"disabled user with the right password", "gone@example.com", testPassword},
		{"empty", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := app.loginFrom(fmt.Sprintf("198.51.100.%d:4000", i+1), c.email, c.password, "")
			require.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Equal(t, "Wrong email or password.", loginError(t, rec.Body.String()))
			assert.Nil(t, responseCookie(rec, "debrief_session"), "no session for a failed sign-in")
		})
	}
}

func TestLoginRotatesSession(t *testing.T) {
	app := newTestApp(t)
	// A session someone planted (here: the viewer's, whose CSRF token the
	// planter knows) before the editor signs in.
	planted := app.ids[model.RoleViewer].session
	plantedCSRF := app.sessionCSRF(planted)
	req := formRequest("/login", url.Values{"email": {"editor@example.com"}, "password": {testPassword}, "_csrf": {plantedCSRF}})
	req.RemoteAddr = "198.51.100.20:4000"
	req.AddCookie(planted)
	rec := app.send(req)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	fresh := responseCookie(rec, "debrief_session")
	require.NotNil(t, fresh)
	assert.NotEqual(t, planted.Value, fresh.Value, "the session id changes at sign-in")
	assert.NotEqual(t, plantedCSRF, app.sessionCSRF(fresh), "and so does the CSRF token")
	assert.True(t, fresh.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, fresh.SameSite)
	assert.Equal(t, "/", fresh.Path)
	assert.False(t, fresh.Secure, "not Secure without TLS or --secure-cookies")
	assertSignedOut(t, app, planted)
	assertSignedInAs(t, app, fresh, "editor@example.com")

	// A second sign-in is a second, different session; the first one stays.
	again := app.login("editor@example.com", testPassword)
	require.NotNil(t, again)
	assert.NotEqual(t, fresh.Value, again.Value)
	assertSignedInAs(t, app, fresh, "editor@example.com")
}

func TestSessionCookieSecureFlag(t *testing.T) {
	app := newTestAppWith(t, Options{SecureCookies: true})
	c := app.ids[model.RoleViewer].session
	assert.True(t, c.Secure)
	assert.True(t, c.HttpOnly)
	rec := app.as(model.RoleViewer).do(http.MethodGet, "/incidents", "", "")
	require.Equal(t, http.StatusOK, rec.Code)
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	app := newTestApp(t)
	const addr = "198.51.100.30:4000"
	for i := range loginAttempts { // a different account each time: only the address adds up
		rec := app.loginFrom(addr, fmt.Sprintf("guess%d@example.com", i), "wrong password", "")
		require.Equal(t, http.StatusUnauthorized, rec.Code, "attempt %d", i+1)
	}
	rec := app.loginFrom(addr, "editor@example.com", testPassword, "")
	assert.Equal(t, http.StatusTooManyRequests, rec.Code, "the 11th sign-in in a minute, even with the right password")
	assert.Contains(t, rec.Body.String(), "Too many sign-in attempts")
	assert.Nil(t, responseCookie(rec, "debrief_session"))
	// The address is limited whatever account it tries next.
	rec = app.loginFrom(addr, "viewer@example.com", testPassword, "")
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	// Other addresses are not.
	rec = app.loginFrom("198.51.100.31:4000", "admin@example.com", testPassword, "")
	assert.Equal(t, http.StatusSeeOther, rec.Code)
}

// TestLoginFailuresPerAccountSlowDownButNeverLockOut: many addresses
// guessing one account make every sign-in to it slower, but never refuse
// the owner's right password (strangers cannot lock an account out).
func TestLoginFailuresPerAccountSlowDownButNeverLockOut(t *testing.T) {
	app := newTestApp(t)
	var waits []time.Duration
	app.srv.pause = func(_ context.Context, d time.Duration) { waits = append(waits, d) }
	for i := range 2 * loginAttempts {
		rec := app.loginFrom(fmt.Sprintf("203.0.113.%d:4000", i+1), "Viewer@Example.com", "wrong password", "")
		require.Equal(t, http.StatusUnauthorized, rec.Code, "attempt %d", i+1)
	}
	require.NotEmpty(t, waits, "failures slow the account down")
	assert.Equal(t, 4*time.Second, waits[len(waits)-1], "up to a few seconds")
	for i := 1; i < len(waits); i++ {
		assert.GreaterOrEqual(t, waits[i], waits[i-1])
	}
	waits = nil
	rec := app.loginFrom("198.51.100.7:4000", "viewer@example.com", testPassword, "")
	assert.Equal(t, http.StatusSeeOther, rec.Code, "the owner's right password signs in")
	assert.NotNil(t, responseCookie(rec, "debrief_session"))
	assert.NotEmpty(t, waits, "after a delay")
	// A success forgets the failures.
	waits = nil
	rec = app.loginFrom("198.51.100.7:4000", "viewer@example.com", testPassword, "")
	assert.Equal(t, http.StatusSeeOther, rec.Code)
	assert.Empty(t, waits)
}

// One address that keeps failing is refused; another address signs in to
// the same account meanwhile.
func TestLoginLimitByAddressAndAccount(t *testing.T) {
	app := newTestApp(t)
	app.srv.pause = func(context.Context, time.Duration) {}
	const attacker, owner = "203.0.113.66:4000", "198.51.100.8:4000"
	for i := range loginAttempts {
		rec := app.loginFrom(attacker, "editor@example.com", "wrong password", "")
		require.Equal(t, http.StatusUnauthorized, rec.Code, "attempt %d", i+1)
	}
	assert.Equal(t, http.StatusTooManyRequests, app.loginFrom(attacker, "editor@example.com", testPassword, "").Code,
		"the failing address is refused, even with the right password")
	assert.Equal(t, http.StatusSeeOther, app.loginFrom(owner, "editor@example.com", testPassword, "").Code,
		"while the owner's address signs in")
	body := app.loginFrom(owner, "nobody@example.com", "wrong password", "").Body.String()
	assert.Contains(t, body, loginFailed, "one message for every failure")
}

// TestLoginRateLimitBehindProxies: behind a trusted proxy each client has
// its own address (from X-Forwarded-For); anyone else cannot dodge the
// limit by sending that header.
func TestLoginRateLimitBehindProxies(t *testing.T) {
	app := newTestAppWith(t, Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	attempt := func(remote, forwardedFor, email, password string) int {
		t.Helper()
		req := formRequest("/login", url.Values{"email": {email}, "password": {password}})
		req.RemoteAddr = remote
		req.Header.Set("X-Forwarded-For", forwardedFor)
		req.AddCookie(&http.Cookie{Name: "debrief_csrf", Value: testCSRF})
		req.Header.Set("X-CSRF-Token", testCSRF)
		return app.send(req).Code
	}
	for i := range loginAttempts {
		code := attempt("192.0.2.50:4000", fmt.Sprintf("198.51.100.%d", i+1), fmt.Sprintf("guess%d@example.com", i), "wrong password")
		require.Equal(t, http.StatusUnauthorized, code, "attempt %d", i+1)
	}
	assert.Equal(t, http.StatusTooManyRequests, attempt("192.0.2.50:4000", "198.51.100.99", "editor@example.com", testPassword),
		"a forged X-Forwarded-For from an untrusted address does not reset the limit")

	for i := range loginAttempts {
		code := attempt("10.0.0.1:4000", "203.0.113.1", fmt.Sprintf("guess%d@example.com", i), "wrong password")
		require.Equal(t, http.StatusUnauthorized, code, "attempt %d", i+1)
	}
	assert.Equal(t, http.StatusTooManyRequests, attempt("10.0.0.1:4000", "203.0.113.1", "editor@example.com", testPassword),
		"one client behind the proxy is limited")
	assert.Equal(t, http.StatusSeeOther, attempt("10.0.0.1:4000", "203.0.113.2", "editor@example.com", testPassword),
		"other clients behind the same proxy are not")
}

func TestLoginRefusesOpenRedirect(t *testing.T) {
	app := newTestApp(t)
	for i, c := range []struct{ next, want string }{
		{"", "/incidents"},
		{"/incidents/7?tab=timeline", "/incidents/7?tab=timeline"},
		{"//evil.example", "/incidents"},
		{"https://evil.example", "/incidents"},
		{"https://evil.example/incidents", "/incidents"},
		{`/\evil.example`, "/incidents"},
		{`\\evil.example`, "/incidents"},
		{"javascript:alert(1)", "/incidents"},
		{"evil.example", "/incidents"},
		{"/incidents\r\nSet-Cookie: a=b", "/incidents"},
	} {
		rec := app.loginFrom(fmt.Sprintf("198.51.100.%d:4000", 50+i), "editor@example.com", testPassword, c.next)
		require.Equal(t, http.StatusSeeOther, rec.Code, "next=%q", c.next)
		assert.Equal(t, c.want, rec.Header().Get("Location"), "next=%q", c.next)
	}
	// next is echoed into the form, escaped.
	page := app.as("").page("/login?next=" + url.QueryEscape(`"><script>alert(1)</script>`))
	assert.NotContains(t, page, "<script>alert(1)")
	// The sign-in page itself, for someone already signed in.
	rec := app.as(model.RoleEditor).do(http.MethodGet, "/login?next="+url.QueryEscape("//evil.example"), "", "")
	assert.Equal(t, http.StatusSeeOther, rec.Code)
	assert.Equal(t, "/incidents", rec.Header().Get("Location"))
}

func TestLogoutEndsSession(t *testing.T) {
	app := newTestApp(t)
	editor := app.as(model.RoleEditor)
	session := app.ids[model.RoleEditor].session
	rec := editor.form("/logout", url.Values{})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "/login?signed_out=1", rec.Header().Get("Location"))
	if c := responseCookie(rec, "debrief_session"); assert.NotNil(t, c, "the cookie is cleared") {
		assert.True(t, c.MaxAge < 0 || c.Value == "", "cleared: %v", c)
	}
	rec = editor.do(http.MethodGet, "/incidents", "", "")
	assert.Equal(t, http.StatusSeeOther, rec.Code)
	assert.Equal(t, "/login?next=%2Fincidents", rec.Header().Get("Location"))
	assertSignedOut(t, app, session)
	// htmx requests are told where to go instead of getting the login page.
	rec = editor.do(http.MethodPost, "/incidents/1/timeline", "application/x-www-form-urlencoded", "body=x", "HX-Request", "true")
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.True(t, strings.HasPrefix(rec.Header().Get("HX-Redirect"), "/login?next="), rec.Header().Get("HX-Redirect"))
	// Signing out does not revoke API tokens.
	assert.Equal(t, http.StatusOK, editor.api(http.MethodGet, "/api/v1/incidents", "").Code)
}

func TestSessionIdleTimeout(t *testing.T) {
	clock := &testClock{t: handlerT0}
	app := newTestAppWith(t, Options{SessionIdle: time.Hour}, store.WithClock(clock.now))
	viewer := app.as(model.RoleViewer)
	ok := func(msg string) {
		t.Helper()
		rec := viewer.do(http.MethodGet, "/incidents", "", "")
		assert.Equal(t, http.StatusOK, rec.Code, msg)
	}
	clock.advance(50 * time.Minute)
	ok("50 minutes idle")
	clock.advance(50 * time.Minute)
	ok("activity keeps the session: 100 minutes after sign-in, 50 idle")
	clock.advance(2 * time.Hour)
	rec := viewer.do(http.MethodGet, "/incidents", "", "")
	assert.Equal(t, http.StatusSeeOther, rec.Code, "2 hours idle")
	assert.Equal(t, "/login?next=%2Fincidents", rec.Header().Get("Location"))
	clock.advance(-2 * time.Hour)
	assertSignedOut(t, app, app.ids[model.RoleViewer].session) // ended, not just refused for now
	// A fresh sign-in works again.
	c := app.loginFrom("198.51.100.60:4000", "viewer@example.com", testPassword, "")
	require.Equal(t, http.StatusSeeOther, c.Code)
	assertSignedInAs(t, app, responseCookie(c, "debrief_session"), "viewer@example.com")
}

func TestSessionAbsoluteLifetime(t *testing.T) {
	app := newTestAppWith(t, Options{SessionLifetime: 1500 * time.Millisecond})
	signedIn := time.Now()
	c := app.login("viewer@example.com", testPassword)
	require.NotNil(t, c)
	assertSignedInAs(t, app, c, "viewer@example.com")
	time.Sleep(time.Until(signedIn.Add(1600 * time.Millisecond)))
	assertSignedOut(t, app, c)
}

func TestDisablingUserEndsSessionsAndTokens(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	editor := app.ids[model.RoleEditor]
	admin := app.as(model.RoleAdmin)
	require.Equal(t, http.StatusOK, app.as(model.RoleEditor).api(http.MethodGet, "/api/v1/incidents", "").Code)

	rec := admin.form(fmt.Sprintf("/admin/users/%d", editor.user.ID), url.Values{"disabled": {"true"}, "version": {"1"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assertSignedOut(t, app, editor.session)
	assertAPIError(t, app.as(model.RoleEditor).api(http.MethodGet, "/api/v1/incidents", ""), http.StatusUnauthorized)
	ts, err := app.store.Tokens(ctx, editor.user.ID)
	require.NoError(t, err)
	for _, tok := range ts {
		assert.NotNil(t, tok.RevokedAt, "token %s revoked with the account", tok.Name)
	}

	// Enabling the account again brings back neither the session nor the tokens.
	rec = admin.form(fmt.Sprintf("/admin/users/%d", editor.user.ID), url.Values{"disabled": {"false"}, "version": {"2"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assertSignedOut(t, app, editor.session)
	assertAPIError(t, app.as(model.RoleEditor).api(http.MethodGet, "/api/v1/incidents", ""), http.StatusUnauthorized)
	assert.NotNil(t, app.login("editor@example.com", testPassword), "the password works again")
}

func TestLastAdminCannotBeDemotedOrDisabled(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	admin := app.ids[model.RoleAdmin]
	path := fmt.Sprintf("/admin/users/%d", admin.user.ID)
	for _, v := range []url.Values{
		{"role": {"editor"}, "version": {"1"}},
		{"role": {"viewer"}, "version": {"1"}},
		{"disabled": {"true"}, "version": {"1"}},
	} {
		rec := app.as(model.RoleAdmin).form(path, v)
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, "%v: %s", v, rec.Body.String())
		assert.Contains(t, html.UnescapeString(rec.Body.String()), "last active admin")
	}
	u, err := app.store.User(ctx, admin.user.ID)
	require.NoError(t, err)
	assert.Equal(t, model.RoleAdmin, u.Role)
	assert.False(t, u.Disabled)
	assert.Equal(t, 1, u.Version)

	// With a second active admin, the first may step down.
	second := app.addUser("admin2@example.com", "Second Admin", model.RoleAdmin)
	rec := app.as(model.RoleAdmin).form(path, url.Values{"role": {"editor"}, "version": {"1"}})
	assert.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	rec = app.withSession(second.session).form(fmt.Sprintf("/admin/users/%d", second.user.ID), url.Values{"disabled": {"true"}, "version": {"1"}})
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, "now the second is the last one")
}

func TestAPITokenRefusals(t *testing.T) {
	app := newTestApp(t)
	valid := app.ids[model.RoleEditor].token
	unknown, _, err := auth.NewToken()
	require.NoError(t, err)
	basic := base64.StdEncoding.EncodeToString([]byte("editor@example.com:" + testPassword))
	for _, c := range []struct{ name, target, authorization string }{
		{"missing", "/api/v1/incidents", ""},
		{"malformed", "/api/v1/incidents", "Bearer not-a-token"},
		{"empty bearer", "/api/v1/incidents", "Bearer "},
		{"truncated", "/api/v1/incidents", "Bearer " + valid[:len(valid)-1]},
		{"unknown", "/api/v1/incidents", "Bearer " + unknown},
		{"basic with a password", "/api/v1/incidents", "Basic " + basic},
		{"another scheme", "/api/v1/incidents", "Token " + valid},
		{"access_token in the query, even with a valid header", "/api/v1/incidents?access_token=" + valid, "Bearer " + valid},
		{"token in the query, even with a valid header", "/api/v1/incidents?token=" + valid, "Bearer " + valid},
		{"token in the query alone", "/api/v1/severities?token=" + valid, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, c.target, nil)
			if c.authorization != "" {
				req.Header.Set("Authorization", c.authorization)
			}
			rec := app.send(req)
			m := assertAPIError(t, rec, http.StatusUnauthorized)
			assert.NotContains(t, m["error"], valid, "the secret is not echoed")
			assert.True(t, strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer "), "WWW-Authenticate: %q", rec.Header().Get("WWW-Authenticate"))
		})
	}
	// The scheme is case-insensitive, as HTTP says.
	req := httptest.NewRequest(http.MethodGet, "/api/v1/incidents", nil)
	req.Header.Set("Authorization", "bearer "+valid)
	assert.Equal(t, http.StatusOK, app.send(req).Code)
}

func TestAPITokenRevokedOnSettings(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	editor := app.ids[model.RoleEditor]
	ts, err := app.store.Tokens(ctx, editor.user.ID)
	require.NoError(t, err)
	require.Len(t, ts, 1)
	require.Equal(t, http.StatusOK, app.as(model.RoleEditor).api(http.MethodGet, "/api/v1/incidents", "").Code)

	rec := app.as(model.RoleEditor).form(fmt.Sprintf("/settings/tokens/%d/revoke", ts[0].ID), url.Values{})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "/settings", rec.Header().Get("Location"))
	assertAPIError(t, app.as(model.RoleEditor).api(http.MethodGet, "/api/v1/incidents", ""), http.StatusUnauthorized)
	assert.Contains(t, app.as(model.RoleEditor).page("/settings"), "revoked")
	// Revoking twice is harmless; the session is untouched.
	rec = app.as(model.RoleEditor).form(fmt.Sprintf("/settings/tokens/%d/revoke", ts[0].ID), url.Values{})
	assert.Equal(t, http.StatusSeeOther, rec.Code)
}

func TestAPITokenOfDisabledUser(t *testing.T) {
	app := newTestApp(t)
	editor := app.ids[model.RoleEditor]
	require.Equal(t, http.StatusOK, app.as(model.RoleEditor).api(http.MethodGet, "/api/v1/incidents", "").Code)
	// Disabled behind the application's back (no token revocation): the
	// token must still stop working with the account.
	db, err := sql.Open("sqlite3", store.DSN(app.store.Path(), true))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec("UPDATE users SET disabled = 1 WHERE id = ?", editor.user.ID)
	require.NoError(t, err)
	assertAPIError(t, app.as(model.RoleEditor).api(http.MethodGet, "/api/v1/incidents", ""), http.StatusUnauthorized)
	assertSignedOut(t, app, editor.session)
}

func TestAPITokenCarriesCurrentRole(t *testing.T) {
	app := newTestApp(t)
	viewer := app.as(model.RoleViewer)
	m := assertAPIError(t, viewer.api(http.MethodPost, "/api/v1/incidents", `{"title":"T","severity":"SEV2"}`), http.StatusForbidden)
	assert.Contains(t, m["error"], "editor")

	// Demoting the editor takes effect on their token at once.
	editor := app.ids[model.RoleEditor]
	rec := app.as(model.RoleAdmin).form(fmt.Sprintf("/admin/users/%d", editor.user.ID), url.Values{"role": {"viewer"}, "version": {"1"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assertAPIError(t, app.as(model.RoleEditor).api(http.MethodPost, "/api/v1/incidents", `{"title":"T","severity":"SEV2"}`), http.StatusForbidden)
	assert.Equal(t, http.StatusOK, app.as(model.RoleEditor).api(http.MethodGet, "/api/v1/incidents", "").Code)
}

// tokenSecret matches a whole API token secret.
var tokenSecret = regexp.MustCompile(`dbf_[A-Za-z0-9_-]{43}`)

func TestTokenCreatedOnSettingsIsShownOnce(t *testing.T) {
	app := newTestApp(t)
	viewer := app.as(model.RoleViewer)
	rec := viewer.form("/settings/tokens", url.Values{"name": {"  ci   bot "}})
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Header().Get("Cache-Control"), "no-store")
	secrets := tokenSecret.FindAllString(rec.Body.String(), -1)
	require.Len(t, secrets, 1, "the secret is shown exactly once")
	secret := secrets[0]
	assert.Equal(t, 1, strings.Count(rec.Body.String(), secret[:len(secret)-4]), "nor is it anywhere else in part")

	// Afterwards only its prefix is shown, and the database keeps a hash.
	page := viewer.page("/settings")
	assert.NotContains(t, page, secret)
	assert.Empty(t, tokenSecret.FindAllString(page, -1))
	assert.Contains(t, page, "<code>"+secret[:10]+"…</code>")
	assert.Contains(t, page, "ci bot")
	for table, rows := range dbSnapshot(t, readDB(t, app.store)) {
		for _, row := range rows {
			assert.NotContains(t, row, secret, "the secret is not stored in %s", table)
		}
	}
	// The token acts as the viewer on the API.
	withToken := app.withToken(secret)
	assert.Equal(t, http.StatusOK, withToken.api(http.MethodGet, "/api/v1/incidents", "").Code)
	assertAPIError(t, withToken.api(http.MethodPost, "/api/v1/incidents", `{"title":"T","severity":"SEV2"}`), http.StatusForbidden)

	// A token needs a name.
	rec = viewer.form("/settings/tokens", url.Values{"name": {"   "}})
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Empty(t, tokenSecret.FindAllString(rec.Body.String(), -1))
}

func TestTokenRevokeOnlyOwnUnlessAdmin(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	editor := app.ids[model.RoleEditor]
	ts, err := app.store.Tokens(ctx, editor.user.ID)
	require.NoError(t, err)
	require.Len(t, ts, 1)
	id := ts[0].ID
	db := readDB(t, app.store)
	start := dbSnapshot(t, db)

	for _, who := range []model.Role{model.RoleViewer, model.RoleAdmin} {
		rec := app.as(who).form(fmt.Sprintf("/settings/tokens/%d/revoke", id), url.Values{})
		assert.Equal(t, http.StatusNotFound, rec.Code, "%s revoking another's token on /settings", who)
	}
	assert.Equal(t, start, dbSnapshot(t, db))
	assert.Equal(t, http.StatusOK, app.as(model.RoleEditor).api(http.MethodGet, "/api/v1/incidents", "").Code)

	// The admin page lists everyone's tokens and revokes any.
	page := app.as(model.RoleAdmin).page("/admin/tokens")
	assert.Contains(t, page, "editor@example.com")
	assert.Contains(t, page, fmt.Sprintf(`action="/admin/tokens/%d/revoke"`, id))
	rec := app.as(model.RoleAdmin).form(fmt.Sprintf("/admin/tokens/%d/revoke", id), url.Values{})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assertAPIError(t, app.as(model.RoleEditor).api(http.MethodGet, "/api/v1/incidents", ""), http.StatusUnauthorized)
	assert.Equal(t, http.StatusNotFound, app.as(model.RoleAdmin).form("/admin/tokens/99999/revoke", url.Values{}).Code)
}

func TestTokenLastUsedIsRecorded(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	editor := app.ids[model.RoleEditor]
	ts, err := app.store.Tokens(ctx, editor.user.ID)
	require.NoError(t, err)
	require.Len(t, ts, 1)
	assert.Nil(t, ts[0].LastUsedAt, "never used yet")
	before := time.Now().Add(-time.Second)
	require.Equal(t, http.StatusOK, app.as(model.RoleEditor).api(http.MethodGet, "/api/v1/incidents", "").Code)
	ts, err = app.store.Tokens(ctx, editor.user.ID)
	require.NoError(t, err)
	require.NotNil(t, ts[0].LastUsedAt)
	assert.WithinRange(t, *ts[0].LastUsedAt, before, time.Now().Add(time.Second))
}

// TestCredentialsStayInTheirLane: a token does not sign in to pages, and a
// session cookie does not authenticate the API (which has no CSRF check).
func TestCredentialsStayInTheirLane(t *testing.T) {
	app := newTestApp(t)
	editor := app.ids[model.RoleEditor]
	req := httptest.NewRequest(http.MethodGet, "/incidents", nil)
	req.Header.Set("Authorization", "Bearer "+editor.token)
	rec := app.send(req)
	assert.Equal(t, http.StatusSeeOther, rec.Code)

	req = httptest.NewRequest(http.MethodPost, "/api/v1/incidents", strings.NewReader(`{"title":"T","severity":"SEV2"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(editor.session)
	rec = app.send(req)
	assertAPIError(t, rec, http.StatusUnauthorized)
	n, err := app.store.IncidentCount(context.Background())
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestProxySignIn(t *testing.T) {
	app := newTestAppWith(t, Options{
		AuthProxyHeader: "X-Forwarded-Email",
		TrustedProxies:  []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
	})
	ctx := context.Background()
	via := func(t *testing.T, remote, method, target, email string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, target, nil)
		req.RemoteAddr = remote
		req.Header.Set("X-Forwarded-Email", email)
		req.AddCookie(&http.Cookie{Name: "debrief_csrf", Value: testCSRF})
		req.Header.Set("X-CSRF-Token", testCSRF)
		return app.send(req)
	}
	users := func(t *testing.T) int64 {
		t.Helper()
		n, err := app.store.UserCount(ctx)
		require.NoError(t, err)
		return n
	}

	t.Run("new email from a trusted proxy is provisioned as viewer", func(t *testing.T) {
		rec := via(t, "10.1.2.3:5555", http.MethodGet, "/incidents", "New.Person@Example.com")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.Contains(t, rec.Body.String(), "new.person@example.com")
		u, err := app.store.UserByEmail(ctx, "new.person@example.com")
		require.NoError(t, err)
		assert.Equal(t, model.RoleViewer, u.Role)
		assert.Empty(t, u.PasswordHash, "no password: the account signs in only through the proxy")
		// The second visit finds the same account.
		n := users(t)
		assert.Equal(t, http.StatusOK, via(t, "10.9.9.9:1", http.MethodGet, "/incidents", "new.person@example.com").Code)
		assert.Equal(t, n, users(t))
		// Viewers cannot change the record, through the proxy either.
		rec = via(t, "10.1.2.3:5555", http.MethodPost, "/incidents", "new.person@example.com")
		assert.Equal(t, http.StatusForbidden, rec.Code)
	})
	t.Run("IPv4-mapped address of a trusted proxy", func(t *testing.T) {
		assert.Equal(t, http.StatusOK, via(t, "[::ffff:10.1.2.3]:5555", http.MethodGet, "/incidents", "viewer@example.com").Code)
	})
	t.Run("existing user keeps their role", func(t *testing.T) {
		rec := via(t, "10.1.2.3:5555", http.MethodGet, "/incidents/new", "editor@example.com")
		assert.Equal(t, http.StatusOK, rec.Code)
	})
	for _, remote := range []string{"192.0.2.9:1234", "[2001:db8::1]:443", "11.0.0.1:80"} {
		t.Run("untrusted address "+remote, func(t *testing.T) {
			n := users(t)
			rec := via(t, remote, http.MethodGet, "/incidents", "admin@example.com")
			assert.Equal(t, http.StatusSeeOther, rec.Code, "treated as anonymous")
			assert.Equal(t, "/login?next=%2Fincidents", rec.Header().Get("Location"))
			rec = via(t, remote, http.MethodGet, "/incidents", "stranger@example.com")
			assert.Equal(t, http.StatusSeeOther, rec.Code)
			assert.Equal(t, n, users(t), "nobody provisioned")
		})
	}
	t.Run("invalid email", func(t *testing.T) {
		n := users(t)
		for _, bad := range []string{"not-an-email", "a@b", "Alice <alice@example.com>", "alice@example.com, admin@example.com"} {
			rec := via(t, "10.1.2.3:5555", http.MethodGet, "/incidents", bad)
			assert.Equal(t, http.StatusForbidden, rec.Code, bad)
		}
		assert.Equal(t, n, users(t))
	})
	t.Run("disabled user", func(t *testing.T) {
		u := app.ids[model.RoleEditor].user
		_, err := app.store.UpdateUser(ctx, u.ID, store.UserPatch{Disabled: new(true), Version: u.Version})
		require.NoError(t, err)
		rec := via(t, "10.1.2.3:5555", http.MethodGet, "/incidents", "editor@example.com")
		assert.Equal(t, http.StatusForbidden, rec.Code)
	})
	t.Run("the API ignores the header", func(t *testing.T) {
		rec := via(t, "10.1.2.3:5555", http.MethodGet, "/api/v1/incidents", "admin@example.com")
		assertAPIError(t, rec, http.StatusUnauthorized)
	})
}

// newSetupApp is a server on an empty database (no account yet) whose
// setup link token is token.
func newSetupApp(t *testing.T, token string) *testApp {
	t.Helper()
	st := store.OpenTest(t)
	return &testApp{t: t, srv: testServer(t, st, Options{SetupToken: token}), store: st, ids: map[model.Role]*identity{}}
}

func TestSetupLink(t *testing.T) {
	app := newSetupApp(t, "tok")
	ctx := context.Background()
	const notice = "No account exists yet"
	count := func() int64 {
		n, err := app.store.UserCount(ctx)
		require.NoError(t, err)
		return n
	}
	setup := func(path, email, password, confirm string) *httptest.ResponseRecorder {
		return app.form(path, url.Values{"email": {email}, "name": {"First Admin"}, "password": {password}, "password_confirm": {confirm}})
	}

	assert.Contains(t, app.page("/login"), notice)
	for _, path := range []string{"/setup/wrong", "/setup/to", "/setup/tokk", "/setup/TOK", "/setup/"} {
		assert.Equal(t, http.StatusNotFound, app.do(http.MethodGet, path, "", "").Code, path)
	}
	assert.Contains(t, app.page("/setup/tok"), `action="/setup/tok"`)

	rec := setup("/setup/tok", "first@example.com", testPassword, testPassword+"x")
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, "passwords differ")
	assert.Contains(t, rec.Body.String(), "does not match")
	rec = setup("/setup/tok", "first@example.com", "short", "short")
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, "password too short")
	rec = setup("/setup/tok", "not-an-email", testPassword, testPassword)
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, "bad email")
	assert.Equal(t, http.StatusNotFound, setup("/setup/wrong", "first@example.com", testPassword, testPassword).Code)
	assert.Zero(t, count())

	rec = setup("/setup/tok", "First@Example.com", testPassword, testPassword)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "/incidents", rec.Header().Get("Location"))
	session := responseCookie(rec, "debrief_session")
	require.NotNil(t, session, "signed in at once")
	u, err := app.store.UserByEmail(ctx, "first@example.com")
	require.NoError(t, err)
	assert.Equal(t, model.RoleAdmin, u.Role)
	assert.Equal(t, http.StatusOK, app.withSession(session).do(http.MethodGet, "/admin/users", "", "").Code)

	// The link stops working, and the sign-in page stops pointing at it.
	assert.Equal(t, http.StatusNotFound, app.do(http.MethodGet, "/setup/tok", "", "").Code)
	assert.Equal(t, http.StatusNotFound, setup("/setup/tok", "second@example.com", testPassword, testPassword).Code)
	assert.Equal(t, int64(1), count())
	assert.NotContains(t, app.page("/login"), notice)
	assert.NotNil(t, app.login("first@example.com", testPassword))
}

func TestSetupLinkNeedsAToken(t *testing.T) {
	app := newSetupApp(t, "")
	assert.Contains(t, app.page("/login"), "No account exists yet")
	for _, path := range []string{"/setup/", "/setup/x", "/setup/tok"} {
		assert.Equal(t, http.StatusNotFound, app.do(http.MethodGet, path, "", "").Code, path)
		rec := app.form(path, url.Values{"email": {"a@example.com"}, "name": {"A"}, "password": {testPassword}, "password_confirm": {testPassword}})
		assert.Equal(t, http.StatusNotFound, rec.Code, path)
	}
}

// latestAudit returns the newest audit entry.
func (a *testApp) latestAudit() model.AuditEntry {
	a.t.Helper()
	es, _, err := a.store.AuditLog(context.Background(), store.AuditFilter{Limit: 1})
	require.NoError(a.t, err)
	require.Len(a.t, es, 1)
	return es[0]
}

// assertNoSecrets checks that a snapshot keeps no password or token hash.
func assertNoSecrets(t *testing.T, what, snapshot string) {
	t.Helper()
	if snapshot == "" {
		return
	}
	var v any
	require.NoError(t, json.Unmarshal([]byte(snapshot), &v), "%s: %s", what, snapshot)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				switch strings.ToLower(strings.ReplaceAll(k, "_", "")) {
				case "passwordhash", "hash", "password", "secret":
					t.Errorf("%s has a %q key: %s", what, k, snapshot)
				}
				walk(val)
			}
		case []any:
			for _, val := range x {
				walk(val)
			}
		}
	}
	walk(v)
	assert.NotContains(t, snapshot, "$2a$", what)
}

func TestAuditLogRecordsChanges(t *testing.T) {
	app, _ := newClockedApp(t)
	ctx := context.Background()
	editorToken := func() int64 {
		ts, err := app.store.Tokens(ctx, app.ids[model.RoleEditor].user.ID)
		require.NoError(t, err)
		return ts[len(ts)-1].ID
	}()
	const viaToken = `editor@example.com via token "tests"`
	editor, admin, viewer := app.as(model.RoleEditor), app.as(model.RoleAdmin), app.as(model.RoleViewer)
	actorUser := map[string]int64{viaToken: app.ids[model.RoleEditor].user.ID}
	for _, id := range app.ids {
		actorUser[id.user.Email] = id.user.ID
	}
	var apiEntry, formEntry, newUser, newToken int64

	for _, c := range []struct {
		name           string
		do             func() *httptest.ResponseRecorder
		action, entity string
		actor          string
		incident       int64 // 0: not about an incident
		before, after  bool
		then           func(e model.AuditEntry)
	}{
		{name: "API declares", do: func() *httptest.ResponseRecorder {
			return editor.api(http.MethodPost, "/api/v1/incidents", `{"title":"Audit me","severity":"SEV2"}`)
		}, action: "create", entity: "incident", actor: viaToken, incident: 1, after: true},
		{name: "API edits", do: func() *httptest.ResponseRecorder {
			return editor.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":1,"title":"Audited"}`)
		}, action: "update", entity: "incident", actor: viaToken, incident: 1, before: true, after: true,
			then: func(e model.AuditEntry) {
				assert.Contains(t, e.Before, "Audit me")
				assert.Contains(t, e.After, "Audited")
			}},
		{name: "API appends", do: func() *httptest.ResponseRecorder {
			return editor.api(http.MethodPost, "/api/v1/incidents/1/timeline", `{"body":"API entry"}`)
		}, action: "create", entity: "timeline_entry", actor: viaToken, incident: 1, after: true,
			then: func(e model.AuditEntry) { apiEntry = e.EntityID; assert.Contains(t, e.After, "API entry") }},
		{name: "API edits an entry", do: func() *httptest.ResponseRecorder {
			return editor.api(http.MethodPatch, fmt.Sprintf("/api/v1/incidents/1/timeline/%d", apiEntry), `{"version":1,"body":"API entry, edited"}`)
		}, action: "update", entity: "timeline_entry", actor: viaToken, incident: 1, before: true, after: true},
		{name: "API deletes an entry", do: func() *httptest.ResponseRecorder {
			return editor.api(http.MethodDelete, fmt.Sprintf("/api/v1/incidents/1/timeline/%d?version=2", apiEntry), "")
		}, action: "delete", entity: "timeline_entry", actor: viaToken, incident: 1, before: true,
			then: func(e model.AuditEntry) { assert.Equal(t, apiEntry, e.EntityID) }},
		{name: "form declares", do: func() *httptest.ResponseRecorder {
			return editor.form("/incidents", url.Values{"title": {"Form incident"}, "severity": {"SEV3"}})
		}, action: "create", entity: "incident", actor: "editor@example.com", incident: 2, after: true},
		{name: "form changes status", do: func() *httptest.ResponseRecorder {
			return editor.form("/incidents/2/status", url.Values{"status": {"identified"}, "version": {"1"}})
		}, action: "update", entity: "incident", actor: "editor@example.com", incident: 2, before: true, after: true},
		{name: "form appends", do: func() *httptest.ResponseRecorder {
			return editor.form("/incidents/2/timeline", url.Values{"body": {"Form entry"}})
		}, action: "create", entity: "timeline_entry", actor: "editor@example.com", incident: 2, after: true,
			then: func(e model.AuditEntry) { formEntry = e.EntityID }},
		{name: "form edits an entry", do: func() *httptest.ResponseRecorder {
			return editor.form(fmt.Sprintf("/incidents/2/timeline/%d/edit", formEntry), url.Values{"at": {"now"}, "body": {"Form entry, edited"}, "version": {"1"}})
		}, action: "update", entity: "timeline_entry", actor: "editor@example.com", incident: 2, before: true, after: true},
		{name: "form deletes an entry", do: func() *httptest.ResponseRecorder {
			return editor.form(fmt.Sprintf("/incidents/2/timeline/%d/delete", formEntry), url.Values{"version": {"2"}})
		}, action: "delete", entity: "timeline_entry", actor: "editor@example.com", incident: 2, before: true},
		{name: "admin creates a user", do: func() *httptest.ResponseRecorder {
			return admin.form("/admin/users", url.Values{"email": {"new@example.com"}, "name": {"New"}, "role": {"editor"}, "password": {testPassword}})
		}, action: "create", entity: "user", actor: "admin@example.com", after: true,
			then: func(e model.AuditEntry) { newUser = e.EntityID }},
		{name: "admin changes a user", do: func() *httptest.ResponseRecorder {
			return admin.form(fmt.Sprintf("/admin/users/%d", newUser), url.Values{"role": {"viewer"}, "password": {testPassword + "2"}, "version": {"1"}})
		}, action: "update", entity: "user", actor: "admin@example.com", before: true, after: true},
		{name: "viewer creates a token", do: func() *httptest.ResponseRecorder {
			return viewer.form("/settings/tokens", url.Values{"name": {"chatops"}})
		}, action: "create", entity: "api_token", actor: "viewer@example.com", after: true,
			then: func(e model.AuditEntry) { newToken = e.EntityID }},
		{name: "viewer revokes it", do: func() *httptest.ResponseRecorder {
			return viewer.form(fmt.Sprintf("/settings/tokens/%d/revoke", newToken), url.Values{})
		}, action: "update", entity: "api_token", actor: "viewer@example.com", before: true, after: true},
	} {
		rec := c.do()
		require.Less(t, rec.Code, 400, "%s: %s", c.name, rec.Body.String())
		e := app.latestAudit()
		assert.Equal(t, c.action, e.Action, c.name)
		assert.Equal(t, c.entity, e.Entity, c.name)
		assert.Equal(t, c.actor, e.Actor, c.name)
		assert.Equal(t, handlerT0, e.At.UTC(), "%s: stamped with the store's clock, UTC", c.name)
		if c.incident != 0 {
			if assert.NotNil(t, e.IncidentID, c.name) {
				assert.Equal(t, c.incident, *e.IncidentID, c.name)
			}
		} else {
			assert.Nil(t, e.IncidentID, c.name)
		}
		if assert.NotNil(t, e.ActorUserID, c.name) {
			assert.Equal(t, actorUser[c.actor], *e.ActorUserID, c.name)
		}
		if c.actor == viaToken {
			if assert.NotNil(t, e.ActorTokenID, c.name) {
				assert.Equal(t, editorToken, *e.ActorTokenID, c.name)
			}
		} else {
			assert.Nil(t, e.ActorTokenID, c.name)
		}
		assert.Equal(t, c.before, e.Before != "", "%s: before %q", c.name, e.Before)
		assert.Equal(t, c.after, e.After != "", "%s: after %q", c.name, e.After)
		for _, s := range []string{e.Before, e.After} {
			if s != "" {
				assert.True(t, json.Valid([]byte(s)), "%s: %s", c.name, s)
			}
		}
		if c.then != nil {
			c.then(e)
		}
	}

	all, total, err := app.store.AuditLog(ctx, store.AuditFilter{Limit: 500})
	require.NoError(t, err)
	require.Equal(t, int64(len(all)), total)
	for _, e := range all {
		assertNoSecrets(t, fmt.Sprintf("audit %d before (%s %s)", e.ID, e.Action, e.Entity), e.Before)
		assertNoSecrets(t, fmt.Sprintf("audit %d after (%s %s)", e.ID, e.Action, e.Entity), e.After)
	}

	// The history of incident 1, on its page (for viewers) and on the API.
	page := viewer.page("/incidents/1/history")
	assert.Contains(t, page, html.EscapeString(viaToken))
	assert.NotContains(t, page, "Form incident", "only incident 1's history")
	m := viewer.getJSON("/api/v1/incidents/1/history")
	assert.EqualValues(t, 5, m["total"])
	entries := m["entries"].([]any)
	require.Len(t, entries, 5)
	var got []string
	for _, raw := range entries {
		e := raw.(map[string]any)
		got = append(got, e["action"].(string)+" "+e["entity"].(string))
		assert.Equal(t, viaToken, e["actor"])
		assert.Equal(t, "2026-11-22T14:32:05.123Z", e["at"])
	}
	assert.Equal(t, []string{"delete timeline_entry", "update timeline_entry", "create timeline_entry", "update incident", "create incident"}, got, "newest first")
	first := entries[len(entries)-1].(map[string]any)
	assert.Nil(t, first["before"])
	assert.IsType(t, map[string]any{}, first["after"], "snapshots are JSON objects, not strings")
	assertAPIError(t, viewer.api(http.MethodGet, "/api/v1/incidents/99/history", ""), http.StatusNotFound)
	assert.Equal(t, http.StatusNotFound, viewer.do(http.MethodGet, "/incidents/99/history", "", "").Code)

	// The whole log is for admins.
	page = admin.page("/admin/audit")
	assert.Contains(t, page, "user #"+strconv.FormatInt(newUser, 10))
	assert.Contains(t, page, "api_token #"+strconv.FormatInt(newToken, 10))
	assert.Equal(t, http.StatusForbidden, editor.do(http.MethodGet, "/admin/audit", "", "").Code)
	assert.Equal(t, http.StatusForbidden, viewer.do(http.MethodGet, "/admin/audit", "", "").Code)
	assert.Equal(t, http.StatusSeeOther, app.as("").do(http.MethodGet, "/admin/audit", "", "").Code)
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	db, err := sql.Open("sqlite3", store.DSN(app.store.Path(), true))
	require.NoError(t, err)
	defer db.Close()
	var before int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM audit_log").Scan(&before))
	require.Positive(t, before)
	for _, q := range []string{
		"UPDATE audit_log SET actor = 'someone else'",
		"UPDATE audit_log SET after = NULL WHERE entity = 'incident'",
		"DELETE FROM audit_log",
		"DELETE FROM audit_log WHERE id = 1",
	} {
		_, err := db.Exec(q)
		if assert.Error(t, err, q) {
			assert.Contains(t, err.Error(), "append-only", q)
		}
	}
	var after int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM audit_log").Scan(&after))
	assert.Equal(t, before, after)
	var actor string
	require.NoError(t, db.QueryRow("SELECT actor FROM audit_log WHERE entity = 'incident'").Scan(&actor))
	assert.Equal(t, `editor@example.com via token "tests"`, actor)
}

func TestLoginPageSecurityHeaders(t *testing.T) {
	app := newTestApp(t)
	for _, c := range []struct {
		name string
		rec  *httptest.ResponseRecorder
	}{
		{"login page", app.as("").do(http.MethodGet, "/login", "", "")},
		{"failed sign-in", app.loginFrom("198.51.100.70:4000", "editor@example.com", "wrong", "")},
		{"API 401", app.as("").api(http.MethodGet, "/api/v1/incidents", "")},
		{"static file", app.as("").do(http.MethodGet, "/static/css/app.css", "", "")},
	} {
		h := c.rec.Header()
		csp := h.Get("Content-Security-Policy")
		require.NotEmpty(t, csp, c.name)
		assert.NotContains(t, csp, "unsafe-inline", c.name)
		assert.NotContains(t, csp, "unsafe-eval", c.name)
		assert.Contains(t, csp, "frame-ancestors 'none'", c.name)
		assert.Contains(t, csp, "script-src 'self'", c.name)
		assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), c.name)
		assert.NotEmpty(t, h.Get("Referrer-Policy"), c.name)
		assert.NotContains(t, []string{"unsafe-url", "no-referrer-when-downgrade"}, h.Get("Referrer-Policy"), c.name)
	}
	body := app.as("").page("/login")
	assert.NotRegexp(t, `<script>|<script [^>]*>[^<]+</script>|<style|style="|onclick=|onload=`, body, "nothing inline the policy would block")
}
