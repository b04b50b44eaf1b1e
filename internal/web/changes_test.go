package web

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"context"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/changes"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

const (
	githubSecret = "gh-webhook-secret"
	changesToken = "ci-changes-token-0123456789"
)

func newChangesApp(t *testing.T) *testApp {
	t.Helper()
	return newTestAppWith(t, Options{GitHubWebhookSecret: githubSecret, ChangesToken: changesToken})
}

func (a *testApp) countChanges() int {
	a.t.Helper()
	list, _, err := a.store.Changes(context.Background(), store.ChangeFilter{Limit: 200})
	require.NoError(a.t, err)
	return len(list)
}

func TestChangeAPIRecordsAndUpdatesByExternalID(t *testing.T) {
	app := newChangesApp(t)
	body := `{"service": "checkout", "kind": "deploy", "summary": "v2.36.6", "version": "v2.36.6", "author": "ci-bot",
	  "url": "https://ci.example.com/run/1", "started_at": "2026-11-20T10:00:00Z", "category": "normal",
	  "environment": "production", "external_id": "gh-deploy-991"}`
	rec := app.api(http.MethodPost, "/api/v1/changes", body)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	first := decode(t, rec)
	assert.Equal(t, "checkout", first["service"])
	assert.Equal(t, "2026-11-20T10:00:00.000Z", first["started_at"])
	assert.Equal(t, "api", first["source"])
	assert.Equal(t, fmt.Sprintf("/api/v1/changes/%v", first["id"]), rec.Header().Get("Location"))

	// The CI retries with the finish: the same change, updated.
	retry := strings.Replace(body, `"category"`, `"finished_at": "2026-11-20T10:03:00+01:00", "category"`, 1)
	retry = strings.Replace(retry, `"started_at": "2026-11-20T10:00:00Z"`, `"started_at": "2026-11-20T08:00:00Z"`, 1)
	rec = app.api(http.MethodPost, "/api/v1/changes", retry)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	again := decode(t, rec)
	assert.Equal(t, first["id"], again["id"])
	assert.Equal(t, "2026-11-20T09:03:00.000Z", again["finished_at"], "stored in UTC")
	assert.Equal(t, 1, app.countChanges())

	rec = app.api(http.MethodGet, fmt.Sprintf("/api/v1/changes/%v", first["id"]), "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "v2.36.6", decode(t, rec)["version"])
}

func TestChangeAPIBadInput(t *testing.T) {
	app := newChangesApp(t)
	cases := map[string]string{
		"finished_at": `{"service":"a","summary":"x","started_at":"2026-11-20T10:00:00Z","finished_at":"2026-11-20T09:00:00Z"}`,
		"kind":        `{"service":"a","summary":"x","kind":"rollout"}`,
		"category":    `{"service":"a","summary":"x","category":"yolo"}`,
		"started_at":  `{"service":"a","summary":"x","started_at":"2026-11-20T10:00:00"}`,
		"service":     `{"summary":"x"}`,
		"url":         `{"service":"a","summary":"x","url":"javascript:alert(1)"}`,
	}
	for field, body := range cases {
		t.Run(field, func(t *testing.T) {
			rec := app.api(http.MethodPost, "/api/v1/changes", body)
			require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
			assert.Contains(t, decode(t, rec)["fields"], field)
		})
	}
	rec := app.api(http.MethodPost, "/api/v1/changes", `{"service":"a","summary":"x","colour":"red"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, "unknown fields are refused")
	assert.Equal(t, 0, app.countChanges())
	assert.Equal(t, http.StatusForbidden, app.as(model.RoleViewer).api(http.MethodPost, "/api/v1/changes", `{"service":"a","summary":"x"}`).Code)

	for _, q := range []string{"kind=rollout", "from=yesterday", "from=2026-11-20T10:00:00Z&to=2026-11-20T09:00:00Z", "limit=0", "offset=-1"} {
		rec := app.api(http.MethodGet, "/api/v1/changes?"+q, "")
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, q)
	}
}

func TestChangeListFiltersAndPages(t *testing.T) {
	app := newChangesApp(t)
	base := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		for _, svc := range []string{"api", "web"} {
			rec := app.api(http.MethodPost, "/api/v1/changes", fmt.Sprintf(`{"service":%q,"summary":"change %d","kind":"config","started_at":%q}`,
				svc, i, model.FormatAPI(base.Add(time.Duration(i)*time.Hour))))
			require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		}
	}
	rec := app.api(http.MethodGet, "/api/v1/changes?service=api&limit=2", "")
	require.Equal(t, http.StatusOK, rec.Code)
	m := decode(t, rec)
	list := m["changes"].([]any)
	require.Len(t, list, 2)
	assert.Equal(t, "change 2", list[0].(map[string]any)["summary"], "newest first")
	assert.EqualValues(t, 2, m["next_offset"])

	rec = app.api(http.MethodGet, "/api/v1/changes?service=api&limit=2&offset=2", "")
	m = decode(t, rec)
	assert.Len(t, m["changes"], 1)
	assert.Nil(t, m["next_offset"])

	q := url.Values{"from": {"2026-11-20T01:00:00Z"}, "to": {"2026-11-20T02:00:00Z"}, "kind": {"config"}}
	rec = app.api(http.MethodGet, "/api/v1/changes?"+q.Encode(), "")
	assert.Len(t, decode(t, rec)["changes"], 2)
}

func TestSuspectChangesAndLinkingAsTrigger(t *testing.T) {
	app := newChangesApp(t)
	inc := app.createIncident(`{"title":"Checkout 500s","severity":"SEV1","services":["checkout"],"started_at":"2026-11-20T12:00:00Z"}`)
	id := inc["id"]
	post := func(svc, at, summary string) float64 {
		rec := app.api(http.MethodPost, "/api/v1/changes", fmt.Sprintf(`{"service":%q,"summary":%q,"started_at":%q}`, svc, summary, at))
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		return decode(t, rec)["id"].(float64)
	}
	other := post("search", "2026-11-20T11:50:00Z", "search index rebuild")
	own := post("checkout", "2026-11-20T11:00:00Z", "checkout v2.36.6")
	post("checkout", "2026-11-18T11:00:00Z", "old deploy")

	rec := app.api(http.MethodGet, fmt.Sprintf("/api/v1/incidents/%v/suspect-changes?window=24h", id), "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	m := decode(t, rec)
	list := m["changes"].([]any)
	require.Len(t, list, 2)
	first := list[0].(map[string]any)
	assert.Equal(t, own, first["id"], "the incident's own service first")
	assert.Equal(t, true, first["same_service"])
	assert.EqualValues(t, 3600, first["before_impact_seconds"])
	assert.Nil(t, first["linked"])
	assert.Equal(t, other, list[1].(map[string]any)["id"])
	assert.Equal(t, "2026-11-20T12:00:00.000Z", m["impact_started_at"])

	rec = app.api(http.MethodGet, fmt.Sprintf("/api/v1/incidents/%v/suspect-changes?window=7d", id), "")
	assert.Len(t, decode(t, rec)["changes"], 3)
	for _, w := range []string{"0s", "-1h", "31d", "forever", "1s"} {
		rec = app.api(http.MethodGet, fmt.Sprintf("/api/v1/incidents/%v/suspect-changes?window=%s", id, w), "")
		require.Equal(t, http.StatusUnprocessableEntity, rec.Code, w)
		assert.Contains(t, decode(t, rec)["fields"], "window")
	}
	assert.Equal(t, http.StatusNotFound, app.api(http.MethodGet, "/api/v1/incidents/99999/suspect-changes", "").Code)

	// One click (the form) links it as the trigger.
	rec = app.form(fmt.Sprintf("/incidents/%v/changes", id), url.Values{"change_id": {fmt.Sprint(int64(own))}, "relation": {"caused"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	rec = app.api(http.MethodGet, fmt.Sprintf("/api/v1/incidents/%v/factors", id), "")
	factors := decode(t, rec)["factors"].([]any)
	require.Len(t, factors, 1)
	f := factors[0].(map[string]any)
	assert.Equal(t, "change", f["category"])
	assert.Equal(t, true, f["is_trigger"])
	assert.Contains(t, f["title"], "checkout v2.36.6")

	rec = app.api(http.MethodPost, fmt.Sprintf("/api/v1/incidents/%v/changes", id), fmt.Sprintf(`{"change_id":%d,"relation":"related"}`, int64(other)))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	rec = app.api(http.MethodGet, fmt.Sprintf("/api/v1/incidents/%v/changes", id), "")
	links := decode(t, rec)["changes"].([]any)
	require.Len(t, links, 2)
	assert.Equal(t, "related", links[0].(map[string]any)["relation"])
	assert.Equal(t, "caused", links[1].(map[string]any)["relation"])

	rec = app.api(http.MethodGet, fmt.Sprintf("/api/v1/incidents/%v/suspect-changes", id), "")
	assert.Equal(t, "caused", decode(t, rec)["changes"].([]any)[0].(map[string]any)["linked"])

	// The page shows the suspects and the links.
	page := app.do(http.MethodGet, fmt.Sprintf("/incidents/%v", id), "", "")
	require.Equal(t, http.StatusOK, page.Code)
	assert.Contains(t, page.Body.String(), "checkout v2.36.6")
	assert.Contains(t, page.Body.String(), `id="changes"`)

	for _, body := range []string{`{"change_id":99999,"relation":"caused"}`, `{"change_id":1,"relation":"blamed"}`, `{"relation":"caused"}`, `{"change_id":"1","relation":"caused"}`} {
		rec = app.api(http.MethodPost, fmt.Sprintf("/api/v1/incidents/%v/changes", id), body)
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, body)
	}
	rec = app.api(http.MethodDelete, fmt.Sprintf("/api/v1/incidents/%v/changes/%d", id, int64(other)), "")
	assert.Equal(t, http.StatusNoContent, rec.Code)
	rec = app.api(http.MethodDelete, fmt.Sprintf("/api/v1/incidents/%v/changes/%d", id, int64(other)), "")
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

func githubDelivery(app *testApp, event, body, signature string) *http.Response {
	rec := app.as("").do(http.MethodPost, "/integrations/github", "application/json", body,
		"X-GitHub-Event", event, "X-Hub-Signature-256", signature)
	return rec.Result()
}

func sign(body string) string {
	return "sha256=" + hex.EncodeToString(changes.GitHubSignature(githubSecret, []byte(body)))
}

func TestGitHubWebhook(t *testing.T) {
	app := newChangesApp(t)
	body := `{"action":"created","deployment_status":{"id":5,"state":"success","environment":"production",
	  "target_url":"https://ci.example.com/run/9","created_at":"2026-11-20T10:04:00Z"},
	  "deployment":{"id":991,"sha":"4f2a9c1e8b7d6a5f4e3d","ref":"v2.36.6","environment":"production",
	  "creator":{"login":"ci-bot"},"created_at":"2026-11-20T10:00:00Z"},
	  "repository":{"name":"checkout","full_name":"acme/checkout","default_branch":"main"}}`

	for name, sig := range map[string]string{"missing": "", "wrong": sign(body + " "), "sha1": "sha1=abc"} {
		res := githubDelivery(app, "deployment_status", body, sig)
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode, name)
	}
	assert.Equal(t, 0, app.countChanges(), "nothing stored from an unsigned delivery")

	res := githubDelivery(app, "deployment_status", body, sign(body))
	require.Equal(t, http.StatusCreated, res.StatusCode)
	res = githubDelivery(app, "deployment_status", body, sign(body)) // GitHub redelivers
	require.Equal(t, http.StatusOK, res.StatusCode)
	list, _, err := app.store.Changes(context.Background(), store.ChangeFilter{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "github", list[0].Source)
	assert.Equal(t, "checkout", list[0].Service)

	for _, event := range []string{"issues", "star"} {
		res = githubDelivery(app, event, `{}`, sign(`{}`))
		assert.Equal(t, http.StatusAccepted, res.StatusCode, event)
	}
	pending := strings.Replace(body, `"state":"success"`, `"state":"in_progress"`, 1)
	assert.Equal(t, http.StatusAccepted, githubDelivery(app, "deployment_status", pending, sign(pending)).StatusCode)
	assert.Equal(t, http.StatusOK, githubDelivery(app, "ping", `{"zen":"x"}`, sign(`{"zen":"x"}`)).StatusCode)
	assert.Equal(t, http.StatusUnprocessableEntity, githubDelivery(app, "deployment_status", `{"deployment_status":{"state":"success"}}`, sign(`{"deployment_status":{"state":"success"}}`)).StatusCode)
	assert.Equal(t, 1, app.countChanges())

	// Without a configured secret the route does not exist.
	plain := newTestApp(t)
	assert.Equal(t, http.StatusNotFound, githubDelivery(plain, "deployment_status", body, sign(body)).StatusCode)
}

func TestGenericChangesWebhook(t *testing.T) {
	app := newChangesApp(t)
	body := `{"service":"checkout","summary":"flag on: new-cart","kind":"feature_flag","external_id":"ff-1"}`
	post := func(auth string) int {
		h := []string{}
		if auth != "" {
			h = append(h, "Authorization", auth)
		}
		return app.as("").do(http.MethodPost, "/integrations/changes", "application/json", body, h...).Code
	}
	assert.Equal(t, http.StatusUnauthorized, post(""))
	assert.Equal(t, http.StatusUnauthorized, post("Bearer wrong-token"))
	assert.Equal(t, http.StatusForbidden, post("Bearer "+app.ids[model.RoleViewer].token))
	assert.Equal(t, 0, app.countChanges())
	assert.Equal(t, http.StatusCreated, post("Bearer "+changesToken))
	assert.Equal(t, http.StatusOK, post("Bearer "+app.ids[model.RoleEditor].token), "an editor's token works too; same external_id updates")
	list, _, err := app.store.Changes(context.Background(), store.ChangeFilter{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "webhook", list[0].Source)
}

func TestChangeLaneInTheTimeline(t *testing.T) {
	app := newChangesApp(t)
	inc := app.createIncident(`{"title":"Cart errors","severity":"SEV2","services":["cart"],"started_at":"2026-11-20T12:00:00Z"}`)
	id := inc["id"]
	rec := app.api(http.MethodPost, fmt.Sprintf("/api/v1/incidents/%v/timeline", id), `{"body":"errors climb","occurred_at":"2026-11-20T12:05:00Z"}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	for _, c := range []string{`{"service":"cart","summary":"cart v7 rollout","started_at":"2026-11-20T11:55:00Z"}`,
		`{"service":"payments","summary":"not this incident's service","started_at":"2026-11-20T11:56:00Z"}`} {
		require.Equal(t, http.StatusCreated, app.api(http.MethodPost, "/api/v1/changes", c).Code)
	}
	page := app.do(http.MethodGet, fmt.Sprintf("/incidents/%v?order=oldest", id), "", "").Body.String()
	lane := strings.Index(page, `class="change-row"`)
	entry := strings.Index(page, "errors climb")
	require.Positive(t, lane, "the change is in the timeline")
	assert.Less(t, lane, entry, "oldest first: the 11:55 change above the 12:05 entry")
	timeline := page[strings.Index(page, `id="timeline"`):]
	timeline = timeline[:strings.Index(timeline, "</section>")]
	assert.NotContains(t, timeline, "not this incident", "only the incident's services in the lane")
	assert.Contains(t, page[strings.Index(page, `id="changes"`):], "not this incident", "but every service among the suspects")
	assert.Contains(t, page, "hide changes")

	page = app.do(http.MethodGet, fmt.Sprintf("/incidents/%v?changes=hide", id), "", "").Body.String()
	assert.NotContains(t, page, `class="change-row"`)
	assert.Contains(t, page, "show 1 change in the timeline")
}

func TestTimelineRowsInterleaveByTime(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 11, 20, 23, 58+m, 0, 0, time.UTC) }
	entries := []model.TimelineEntry{{ID: 1, OccurredAt: at(0)}, {ID: 2, OccurredAt: at(3)}}
	lane := []model.Change{{ID: 10, StartedAt: at(0)}, {ID: 11, StartedAt: at(1)}}
	rows := timelineRows(entries, lane, false)
	var got []string
	for _, r := range rows {
		switch {
		case r.Entry != nil:
			got = append(got, fmt.Sprintf("e%d", r.Entry.ID))
		case r.Change != nil:
			got = append(got, fmt.Sprintf("c%d", r.Change.ID))
		default:
			got = append(got, r.Date.Format("01-02"))
		}
	}
	assert.Equal(t, []string{"11-20", "e1", "c10", "c11", "11-21", "e2"}, got, "an entry before a change at the same instant; a date line per UTC day")
	rows = timelineRows(entries, lane, true)
	assert.Equal(t, int64(2), rows[1].Entry.ID, "newest first")
}

func TestPostmortemExportCarriesChangesAndBudget(t *testing.T) {
	app := newChangesApp(t)
	inc := app.createIncident(`{"title":"Checkout 500s","severity":"SEV1","services":["checkout"],"started_at":"2026-11-20T12:00:00Z","mitigated_at":"2026-11-20T13:30:00Z"}`)
	id := inc["id"]
	require.Less(t, app.api(http.MethodPut, "/api/v1/services/checkout", `{"slo_target":99.9}`).Code, 300)
	rec := app.api(http.MethodPost, "/api/v1/changes", `{"service":"checkout","summary":"Raise pool to 400","version":"cfg-2291","author":"dana","url":"https://ci.example.com/run/8812","started_at":"2026-11-20T11:50:00Z"}`)
	require.Equal(t, http.StatusCreated, rec.Code)
	ch := decode(t, rec)["id"]
	rec = app.api(http.MethodPost, fmt.Sprintf("/api/v1/incidents/%v/changes", id), fmt.Sprintf(`{"change_id":%v,"relation":"caused"}`, ch))
	require.Equal(t, http.StatusCreated, rec.Code)

	md := app.do(http.MethodGet, fmt.Sprintf("/incidents/%v/postmortem.md?draft=1", id), "", "").Body.String()
	if !strings.Contains(md, "Changes and error budget") {
		md = app.do(http.MethodGet, fmt.Sprintf("/incidents/%v/postmortem.md", id), "", "").Body.String()
	}
	for _, want := range []string{
		"## Changes and error budget", "<!-- debrief:changes -->",
		"| **caused** | 2026-11-20T11:50:00Z | checkout | [deploy: Raise pool to 400](https://ci.example.com/run/8812) | cfg-2291 | dana |",
		"this incident spent 90.0 min, 208% of it.",
		fmt.Sprintf(`changes: ['caused: checkout Raise pool to 400 cfg-2291 (change %v)']`, ch),
		"error_budget: ['checkout: 90.0 of 43.2 min (208%)']",
	} {
		assert.Contains(t, md, want)
	}
	// The block is the record's: importing the export changes nothing.
	rec = app.api(http.MethodPost, "/api/v1/import", jsonBody(map[string]any{"markdown": md}))
	require.Less(t, rec.Code, 300, rec.Body.String())
}
