package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// handlerT0 is the instant handler tests start at. It has milliseconds, so
// every time the server stamps itself is predictable to the millisecond.
var handlerT0 = time.Date(2026, time.November, 22, 14, 32, 5, 123_000_000, time.UTC)

// The markup every text field is tried with.
const (
	xssScript = `<script>alert(1)</script>`
	xssImg    = `<img src=x onerror=alert(1)>`
)

// msgNoOffset is the one message for a timestamp without a UTC offset.
const msgNoOffset = "timestamp needs a UTC offset, e.g. 2026-11-22T14:32:05Z"

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newClockedApp is a test app whose clock starts at handlerT0.
func newClockedApp(t *testing.T) (*testApp, *testClock) {
	t.Helper()
	clock := &testClock{t: handlerT0}
	return newTestApp(t, store.WithClock(clock.now)), clock
}

// jsonID returns the "id" of a decoded record.
func jsonID(t *testing.T, m map[string]any) int64 {
	t.Helper()
	id, ok := m["id"].(float64)
	require.True(t, ok, "no numeric id in %v", m)
	return int64(id)
}

// getJSON GETs an API path that must answer 200 and decodes it.
func (a *testApp) getJSON(path string) map[string]any {
	a.t.Helper()
	rec := a.api(http.MethodGet, path, "")
	require.Equal(a.t, http.StatusOK, rec.Code, "GET %s: %s", path, rec.Body.String())
	return decode(a.t, rec)
}

// timelineJSON returns an incident's timeline entries through the API.
func (a *testApp) timelineJSON(incidentID int64) []map[string]any {
	a.t.Helper()
	m := a.getJSON(fmt.Sprintf("/api/v1/incidents/%d/timeline", incidentID))
	raw, ok := m["entries"].([]any)
	require.True(a.t, ok, "no entries array in %v", m)
	out := make([]map[string]any, len(raw))
	for i, e := range raw {
		out[i] = e.(map[string]any)
	}
	return out
}

// appendEntry adds a timeline entry through the API and returns it.
func (a *testApp) appendEntry(incidentID int64, body string) map[string]any {
	a.t.Helper()
	rec := a.api(http.MethodPost, fmt.Sprintf("/api/v1/incidents/%d/timeline", incidentID), body)
	require.Equal(a.t, http.StatusCreated, rec.Code, rec.Body.String())
	return decode(a.t, rec)
}

// dbState is everything stored, read straight from the store, so a test
// can prove a refused request wrote nothing.
func (a *testApp) dbState() string {
	a.t.Helper()
	ctx := context.Background()
	incs, total, err := a.store.Incidents(ctx, store.IncidentFilter{Limit: model.MaxPageSize})
	require.NoError(a.t, err)
	services, err := a.store.Services(ctx)
	require.NoError(a.t, err)
	timelines := make([][]model.TimelineEntry, len(incs))
	for i := range incs {
		timelines[i], err = a.store.Timeline(ctx, incs[i].ID)
		require.NoError(a.t, err)
	}
	b, err := json.Marshal(map[string]any{"total": total, "incidents": incs, "services": services, "timelines": timelines})
	require.NoError(a.t, err)
	return string(b)
}

// assertAPIError checks an error response: the status, the one error shape
// with a message, and each named field present with a reason. It returns
// the decoded body.
func assertAPIError(t *testing.T, rec *httptest.ResponseRecorder, status int, fields ...string) map[string]any {
	t.Helper()
	require.Equal(t, status, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Header().Get("Content-Type"), "application/json")
	m := decode(t, rec)
	msg, _ := m["error"].(string)
	assert.NotEmpty(t, msg, "error message")
	if len(fields) > 0 {
		fs, ok := m["fields"].(map[string]any)
		require.True(t, ok, "no fields object in %s", rec.Body.String())
		for _, f := range fields {
			reason, _ := fs[f].(string)
			assert.NotEmpty(t, reason, "fields.%s in %s", f, rec.Body.String())
		}
	}
	return m
}

// fieldReason returns fields[name] of a decoded error body.
func fieldReason(m map[string]any, name string) string {
	fs, _ := m["fields"].(map[string]any)
	s, _ := fs[name].(string)
	return s
}

// doChunked sends a body of unknown length, as a chunked upload does.
func (a *testApp) doChunked(method, target, contentType, body string) *httptest.ResponseRecorder {
	a.t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.ContentLength = -1
	req.TransferEncoding = []string{"chunked"}
	req.Header.Set("Content-Type", contentType)
	a.authorize(req)
	rec := httptest.NewRecorder()
	a.srv.ServeHTTP(rec, req)
	return rec
}

func bodies(entries []map[string]any) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i], _ = e["body"].(string)
	}
	return out
}

func TestAPIIncidentCreateReturnsEveryField(t *testing.T) {
	app, _ := newClockedApp(t)
	rec := app.api(http.MethodPost, "/api/v1/incidents", `{
		"title": "Checkout 500s in eu-west-1", "severity": "SEV2", "status": "identified",
		"summary": "Payments **failing** for card users", "impact": "About 10% of checkouts failed",
		"services": ["checkout", "payments-api"], "tags": ["db", "eu-west-1"],
		"roles": {"commander": "Alice", "comms_lead": "Bob", "scribe": "Carol", "responders": ["Dan", "Eve"]},
		"started_at": "2026-11-22T14:00:00Z", "detected_at": "2026-11-22T14:05:00.250Z",
		"acknowledged_at": "2026-11-22T19:40:00+05:30"}`)

	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Equal(t, "/api/v1/incidents/1", rec.Header().Get("Location"))
	want := `{
		"id": 1, "title": "Checkout 500s in eu-west-1", "severity": "SEV2", "status": "identified",
		"summary": "Payments **failing** for card users", "impact": "About 10% of checkouts failed",
		"services": ["checkout", "payments-api"], "tags": ["db", "eu-west-1"],
		"started_at": "2026-11-22T14:00:00.000Z", "detected_at": "2026-11-22T14:05:00.250Z",
		"acknowledged_at": "2026-11-22T14:10:00.000Z", "mitigated_at": null, "resolved_at": null,
		"durations_seconds": {"time_to_detect": 300, "time_to_acknowledge": 299, "time_to_mitigate": null, "time_to_resolve": null},
		"roles": {"commander": "Alice", "comms_lead": "Bob", "scribe": "Carol", "responders": ["Dan", "Eve"]},
		"visibility": "organisation", "members": [],
		"created_at": "2026-11-22T14:32:05.123Z", "updated_at": "2026-11-22T14:32:05.123Z", "version": 1}`
	assert.JSONEq(t, want, rec.Body.String())

	show := app.api(http.MethodGet, "/api/v1/incidents/1", "")
	require.Equal(t, http.StatusOK, show.Code)
	assert.JSONEq(t, want, show.Body.String(), "GET returns what POST returned")

	// The declaration and each given milestone are on the timeline, in time order.
	entries := app.timelineJSON(1)
	require.Len(t, entries, 4)
	for _, e := range entries {
		assert.Equal(t, "milestone", e["kind"])
	}
	assert.Equal(t, []string{"Impact started.", "Detected.", "Acknowledged.", "Incident declared: SEV2, status identified."}, bodies(entries))
	assert.Equal(t, "2026-11-22T14:00:00.000Z", entries[0]["occurred_at"])
	assert.Equal(t, "2026-11-22T14:32:05.123Z", entries[3]["occurred_at"])
}

func TestAPIIncidentCreateMinimal(t *testing.T) {
	app, _ := newClockedApp(t)
	inc := app.createIncident(`{"title":"Disk full on db-1","severity":"SEV3"}`)
	assert.Equal(t, "investigating", inc["status"])
	assert.Equal(t, []any{}, inc["services"])
	assert.Equal(t, []any{}, inc["tags"])
	assert.Equal(t, map[string]any{"commander": "", "comms_lead": "", "scribe": "", "responders": []any{}}, inc["roles"])
	for _, m := range model.Milestones {
		assert.Nil(t, inc[string(m)], string(m))
	}
	assert.EqualValues(t, 1, inc["version"])
}

func TestAPIIncidentList(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"A","severity":"SEV1","services":["checkout"]}`)
	app.createIncident(`{"title":"B","severity":"SEV2","status":"monitoring","services":["payments"]}`)
	app.createIncident(`{"title":"C","severity":"SEV1","status":"resolved","services":["checkout","payments"]}`)
	app.createIncident(`{"title":"D","severity":"SEV3","status":"identified"}`)

	// Open incidents first, then the most recent; all were declared at the
	// same instant, so the newest id comes first.
	tests := []struct {
		query  string
		titles []string
		total  int
		limit  int
		offset int
	}{
		{"", []string{"D", "B", "A", "C"}, 4, 50, 0},
		{"?status=open", []string{"D", "B", "A"}, 3, 50, 0},
		{"?status=resolved", []string{"C"}, 1, 50, 0},
		{"?status=monitoring", []string{"B"}, 1, 50, 0},
		{"?status=investigating", []string{"A"}, 1, 50, 0},
		{"?severity=SEV1", []string{"A", "C"}, 2, 50, 0},
		{"?severity=SEV4", []string{}, 0, 50, 0},
		{"?service=checkout", []string{"A", "C"}, 2, 50, 0},
		{"?service=payments&status=open", []string{"B"}, 1, 50, 0},
		{"?service=nope", []string{}, 0, 50, 0},
		{"?limit=2", []string{"D", "B"}, 4, 2, 0},
		{"?limit=2&offset=2", []string{"A", "C"}, 4, 2, 2},
		{"?limit=200&offset=3", []string{"C"}, 4, 200, 3},
		{"?offset=10", []string{}, 4, 50, 10},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			m := app.getJSON("/api/v1/incidents" + tt.query)
			incs, ok := m["incidents"].([]any)
			require.True(t, ok, "incidents is an array: %v", m)
			titles := []string{}
			for _, i := range incs {
				titles = append(titles, i.(map[string]any)["title"].(string))
			}
			assert.Equal(t, tt.titles, titles)
			assert.EqualValues(t, tt.total, m["total"])
			assert.EqualValues(t, tt.limit, m["limit"])
			assert.EqualValues(t, tt.offset, m["offset"])
		})
	}
}

func TestAPIIncidentListRejectsBadQuery(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"A","severity":"SEV1"}`)
	tests := []struct{ query, field string }{
		{"?status=closed", "status"},
		{"?severity=SEV9", "severity"},
		{"?limit=0", "limit"},
		{"?limit=201", "limit"},
		{"?limit=-1", "limit"},
		{"?limit=ten", "limit"},
		{"?limit=99999999999999999999", "limit"},
		{"?offset=-1", "offset"},
		{"?offset=x", "offset"},
		{"?offset=1.5", "offset"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := app.api(http.MethodGet, "/api/v1/incidents"+tt.query, "")
			assertAPIError(t, rec, http.StatusUnprocessableEntity, tt.field)
		})
	}
}

func TestAPIIncidentPatchFields(t *testing.T) {
	app, clock := newClockedApp(t)
	app.createIncident(`{"title":"Slow search","severity":"SEV3","tags":["old"]}`)
	clock.advance(time.Minute)

	rec := app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":1,
		"title":"Search down","severity":"SEV1","summary":"Index **corrupt**","impact":"No results",
		"services":["search"],"tags":["es","Index"],
		"roles":{"commander":"Alice","comms_lead":"","scribe":"Carol","responders":["Dan"]}}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	inc := decode(t, rec)
	assert.Equal(t, "Search down", inc["title"])
	assert.Equal(t, "SEV1", inc["severity"])
	assert.Equal(t, "Index **corrupt**", inc["summary"])
	assert.Equal(t, "No results", inc["impact"])
	assert.Equal(t, []any{"search"}, inc["services"])
	assert.Equal(t, []any{"es", "index"}, inc["tags"])
	assert.Equal(t, map[string]any{"commander": "Alice", "comms_lead": "", "scribe": "Carol", "responders": []any{"Dan"}}, inc["roles"])
	assert.EqualValues(t, 2, inc["version"])
	assert.Equal(t, "2026-11-22T14:32:05.123Z", inc["created_at"])
	assert.Equal(t, "2026-11-22T14:33:05.123Z", inc["updated_at"])

	assert.Equal(t, inc, app.getJSON("/api/v1/incidents/1"), "the change is stored")
	assert.Contains(t, bodies(app.timelineJSON(1)), "Severity changed: SEV3 → SEV1.")

	// A patch touches only what it names.
	rec = app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":2,"impact":""}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	inc = decode(t, rec)
	assert.Equal(t, "", inc["impact"])
	assert.Equal(t, "Search down", inc["title"])
	assert.Equal(t, []any{"search"}, inc["services"])
	assert.EqualValues(t, 3, inc["version"])
}

func TestAPIStatusChangesFillMilestones(t *testing.T) {
	app, clock := newClockedApp(t)
	app.createIncident(`{"title":"Queue backlog","severity":"SEV2","started_at":"2026-11-22T14:00:00Z"}`)

	clock.advance(10 * time.Minute) // 14:42:05.123
	inc := decode(t, app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":1,"status":"monitoring"}`))
	assert.Equal(t, "monitoring", inc["status"])
	assert.Equal(t, "2026-11-22T14:42:05.123Z", inc["mitigated_at"])
	assert.Nil(t, inc["resolved_at"])
	assert.EqualValues(t, 2525, inc["durations_seconds"].(map[string]any)["time_to_mitigate"])

	clock.advance(5 * time.Minute) // 14:47:05.123
	inc = decode(t, app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":2,"status":"resolved"}`))
	assert.Equal(t, "resolved", inc["status"])
	assert.Equal(t, "2026-11-22T14:42:05.123Z", inc["mitigated_at"], "mitigation is kept")
	assert.Equal(t, "2026-11-22T14:47:05.123Z", inc["resolved_at"])
	assert.EqualValues(t, 2825, inc["durations_seconds"].(map[string]any)["time_to_resolve"])

	entries := app.timelineJSON(1)
	got := map[string]string{}
	for _, e := range entries {
		assert.Equal(t, "milestone", e["kind"], e["body"])
		got[e["body"].(string)] = e["occurred_at"].(string)
	}
	assert.Equal(t, "2026-11-22T14:42:05.123Z", got["Status changed: investigating → monitoring."])
	assert.Equal(t, "2026-11-22T14:42:05.123Z", got["Mitigated."])
	assert.Equal(t, "2026-11-22T14:47:05.123Z", got["Status changed: monitoring → resolved."])
	assert.Equal(t, "2026-11-22T14:47:05.123Z", got["Resolved."])
}

func TestAPIStatusGivenMilestoneIsKept(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"Queue backlog","severity":"SEV2"}`)
	inc := decode(t, app.api(http.MethodPatch, "/api/v1/incidents/1",
		`{"version":1,"status":"resolved","mitigated_at":"2026-11-22T14:10:00Z","resolved_at":"2026-11-22T14:20:00+00:00"}`))
	assert.Equal(t, "2026-11-22T14:10:00.000Z", inc["mitigated_at"])
	assert.Equal(t, "2026-11-22T14:20:00.000Z", inc["resolved_at"])
}

func TestAPIReopenClearsResolved(t *testing.T) {
	app, clock := newClockedApp(t)
	app.createIncident(`{"title":"Queue backlog","severity":"SEV2","status":"resolved"}`)
	clock.advance(time.Hour)

	inc := decode(t, app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":1,"status":"investigating"}`))
	assert.Equal(t, "investigating", inc["status"])
	assert.Nil(t, inc["resolved_at"])
	assert.Equal(t, "2026-11-22T14:32:05.123Z", inc["mitigated_at"], "mitigation stays recorded")
	assert.Contains(t, bodies(app.timelineJSON(1)), "Re-opened: resolved → investigating.")
}

func TestAPIResolvedCannotMoveToMonitoring(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"Queue backlog","severity":"SEV2","status":"resolved"}`)
	before := app.dbState()

	for _, status := range []string{"monitoring", "identified"} {
		rec := app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":1,"status":"`+status+`"}`)
		m := assertAPIError(t, rec, http.StatusUnprocessableEntity, "status")
		assert.Contains(t, fieldReason(m, "status"), "re-opened to investigating")
	}
	assert.Equal(t, before, app.dbState())
}

func TestAPIPatchNullClearsMilestone(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2","started_at":"2026-11-22T14:00:00Z","detected_at":"2026-11-22T14:05:00Z"}`)

	inc := decode(t, app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":1,"detected_at":null}`))
	assert.Nil(t, inc["detected_at"])
	assert.Equal(t, "2026-11-22T14:00:00.000Z", inc["started_at"], "an absent milestone is untouched")
	assert.Nil(t, inc["durations_seconds"].(map[string]any)["time_to_detect"])
	assert.Nil(t, app.getJSON("/api/v1/incidents/1")["detected_at"])
	assert.Contains(t, bodies(app.timelineJSON(1)), "Detected time cleared (was 2026-11-22 14:05:00 UTC).")
}

func TestAPITimelineCRUD(t *testing.T) {
	app, clock := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)

	rec := app.api(http.MethodPost, "/api/v1/incidents/1/timeline", `{"occurred_at":"2026-11-22T14:10:00Z",
		"kind":"action","body":"Rolled back **v42**","evidence_url":"https://deploys.example/42",
		"author":"Alice","learned_later":true}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	e := decode(t, rec)
	id := jsonID(t, e)
	assert.Equal(t, fmt.Sprintf("/api/v1/incidents/1/timeline/%d", id), rec.Header().Get("Location"))
	want := fmt.Sprintf(`{"id":%d,"incident_id":1,"occurred_at":"2026-11-22T14:10:00.000Z","kind":"action",
		"body":"Rolled back **v42**","evidence_url":"https://deploys.example/42","author":"Alice","learned_later":true,
		"created_at":"2026-11-22T14:32:05.123Z","updated_at":"2026-11-22T14:32:05.123Z","version":1,"revisions":[]}`, id)
	assert.JSONEq(t, want, rec.Body.String())

	entryURL := fmt.Sprintf("/api/v1/incidents/1/timeline/%d", id)
	show := app.api(http.MethodGet, entryURL, "")
	require.Equal(t, http.StatusOK, show.Code)
	assert.JSONEq(t, want, show.Body.String())

	// Defaults: now and observation.
	d := app.appendEntry(1, `{"body":"Error rate normal"}`)
	assert.Equal(t, "2026-11-22T14:32:05.123Z", d["occurred_at"])
	assert.Equal(t, "observation", d["kind"])
	assert.Equal(t, false, d["learned_later"])

	clock.advance(time.Minute)
	rec = app.api(http.MethodPatch, entryURL, `{"version":1,"body":"Rolled back v42 to v41","kind":"decision","learned_later":false}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	e = decode(t, rec)
	assert.Equal(t, "Rolled back v42 to v41", e["body"])
	assert.Equal(t, "decision", e["kind"])
	assert.Equal(t, false, e["learned_later"])
	assert.Equal(t, "Alice", e["author"], "an absent field is untouched")
	assert.Equal(t, "2026-11-22T14:10:00.000Z", e["occurred_at"])
	assert.EqualValues(t, 2, e["version"])
	assert.Equal(t, "2026-11-22T14:33:05.123Z", e["updated_at"])
	assert.Equal(t, e, app.getJSON(entryURL), "the change is stored")

	rec = app.api(http.MethodDelete, entryURL+"?version=2", "")
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	assert.Empty(t, rec.Body.String())
	assert.Equal(t, http.StatusNotFound, app.api(http.MethodGet, entryURL, "").Code)
	assert.NotContains(t, bodies(app.timelineJSON(1)), "Rolled back v42 to v41")

	// Without ?version a delete is refused, as a PATCH without version is.
	dURL := fmt.Sprintf("/api/v1/incidents/1/timeline/%d", jsonID(t, d))
	assertAPIError(t, app.api(http.MethodDelete, dURL, ""), http.StatusUnprocessableEntity, "version")
	rec = app.api(http.MethodDelete, dURL+"?version=1", "")
	assert.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	assert.Equal(t, []string{"Incident declared: SEV2, status investigating."}, bodies(app.timelineJSON(1)))
}

func TestAPITimelineEditKeepsRevisions(t *testing.T) {
	app, clock := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	e := app.appendEntry(1, `{"occurred_at":"2026-11-22T14:00:00Z","body":"first text","author":"Alice"}`)
	url := fmt.Sprintf("/api/v1/incidents/1/timeline/%d", jsonID(t, e))

	clock.advance(time.Minute)
	rec := app.api(http.MethodPatch, url, `{"version":1,"body":"second text","occurred_at":"2026-11-22T14:01:00Z"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	clock.advance(time.Minute)
	rec = app.api(http.MethodPatch, url, `{"version":2,"body":"third text","author":"Bob"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	got := app.getJSON(url)
	assert.Equal(t, "third text", got["body"])
	assert.EqualValues(t, 3, got["version"])
	wantRevs := `[
		{"version":1,"occurred_at":"2026-11-22T14:00:00.000Z","kind":"observation","body":"first text","evidence_url":"","author":"Alice","learned_later":false,"replaced_at":"2026-11-22T14:33:05.123Z"},
		{"version":2,"occurred_at":"2026-11-22T14:01:00.000Z","kind":"observation","body":"second text","evidence_url":"","author":"Alice","learned_later":false,"replaced_at":"2026-11-22T14:34:05.123Z"}]`
	revs, err := json.Marshal(got["revisions"])
	require.NoError(t, err)
	assert.JSONEq(t, wantRevs, string(revs))

	// The timeline list carries the history too.
	for _, entry := range app.timelineJSON(1) {
		if entry["body"] == "third text" {
			revs, err := json.Marshal(entry["revisions"])
			require.NoError(t, err)
			assert.JSONEq(t, wantRevs, string(revs))
		}
	}

	// A patch that changes nothing adds no revision.
	rec = app.api(http.MethodPatch, url, `{"version":3,"body":"third text"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.EqualValues(t, 3, decode(t, rec)["version"])
	assert.Len(t, app.getJSON(url)["revisions"], 2)
}

func TestAPITimelineOrder(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	app.appendEntry(1, `{"occurred_at":"2026-11-22T14:10:00Z","body":"tie, created first"}`)
	app.appendEntry(1, `{"occurred_at":"2026-11-22T14:00:00Z","body":"earliest"}`)
	app.appendEntry(1, `{"occurred_at":"2026-11-22T19:40:00.000+05:30","body":"tie, created second"}`)
	app.appendEntry(1, `{"occurred_at":"2026-11-22T19:35:00.001+05:30","body":"14:05:00.001"}`)
	app.appendEntry(1, `{"occurred_at":"2026-11-22T14:05:00Z","body":"14:05:00.000"}`)
	app.appendEntry(1, `{"occurred_at":"2026-11-22T14:10:00Z","body":"tie, created third"}`)

	assert.Equal(t, []string{
		"earliest", "14:05:00.000", "14:05:00.001",
		"tie, created first", "tie, created second", "tie, created third",
		"Incident declared: SEV2, status investigating.",
	}, bodies(app.timelineJSON(1)))

	// An edit that moves an entry moves it in the list.
	var first map[string]any
	for _, e := range app.timelineJSON(1) {
		if e["body"] == "tie, created first" {
			first = e
		}
	}
	require.NotNil(t, first)
	rec := app.api(http.MethodPatch, fmt.Sprintf("/api/v1/incidents/1/timeline/%d", jsonID(t, first)),
		`{"version":1,"occurred_at":"2026-11-22T13:59:59.999Z"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "tie, created first", bodies(app.timelineJSON(1))[0])
}

func TestAPITimestampOutputIsUTC(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	tests := []struct{ in, want string }{
		{"2026-11-22T20:02:05+05:30", "2026-11-22T14:32:05.000Z"},
		{"2026-11-22T20:02:05.5+05:30", "2026-11-22T14:32:05.500Z"},
		{"2026-11-22T06:00:00-08:00", "2026-11-22T14:00:00.000Z"},
		{"2026-11-22T00:30:00+01:00", "2026-11-21T23:30:00.000Z"},
		{"2026-11-22T14:00:00.123456789Z", "2026-11-22T14:00:00.123Z"},
		{"2026-11-22t14:00:00z", "2026-11-22T14:00:00.000Z"},
		{"1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e := app.appendEntry(1, `{"occurred_at":"`+tt.in+`","body":"x"}`)
			assert.Equal(t, tt.want, e["occurred_at"])
			got := app.getJSON(fmt.Sprintf("/api/v1/incidents/1/timeline/%d", jsonID(t, e)))
			assert.Equal(t, tt.want, got["occurred_at"], "read back from the database")
			_, err := time.Parse("2006-01-02T15:04:05.000Z", got["occurred_at"].(string))
			assert.NoError(t, err)
		})
	}
	inc := app.createIncident(`{"title":"T","severity":"SEV2","started_at":"2026-11-22T20:02:05+05:30"}`)
	assert.Equal(t, "2026-11-22T14:32:05.000Z", inc["started_at"])
}

// badTimestamps are the JSON values every timestamp field refuses, with
// (part of) the reason.
var badTimestamps = []struct {
	name, value, reason string
}{
	{"no offset", `"2026-11-22T14:32:05"`, msgNoOffset},
	{"no offset, space", `"2026-11-22 14:32:05"`, msgNoOffset},
	{"no offset, fraction", `"2026-11-22T14:32:05.123"`, msgNoOffset},
	{"garbage", `"yesterday at noon"`, "is not a valid timestamp"},
	{"date only", `"2026-11-22"`, "is not a valid timestamp"},
	{"bad offset", `"2026-11-22T14:32:05+25:00"`, "is not a valid timestamp"},
	{"February 30", `"2026-02-30T14:32:05Z"`, "is not a valid timestamp"},
	{"empty", `""`, "is not a valid timestamp"},
	{"year 0001", `"0001-01-01T00:00:00Z"`, "must not be before 1970"},
	{"year 9999", `"9999-12-31T23:59:59Z"`, "must not be more than 24 hours in the future"},
	{"number", `1764000000`, "must be an RFC 3339 timestamp string or null"},
	{"object", `{}`, "must be an RFC 3339 timestamp string or null"},
	{"boolean", `true`, "must be an RFC 3339 timestamp string or null"},
}

func TestAPIRejectsBadTimestamps(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	e := app.appendEntry(1, `{"body":"x"}`)
	entryURL := fmt.Sprintf("/api/v1/incidents/1/timeline/%d", jsonID(t, e))
	before := app.dbState()

	for _, tt := range badTimestamps {
		t.Run(tt.name, func(t *testing.T) {
			for _, req := range []struct{ method, path, body, field string }{
				{http.MethodPost, "/api/v1/incidents/1/timeline", `{"body":"x","occurred_at":` + tt.value + `}`, "occurred_at"},
				{http.MethodPatch, entryURL, `{"version":1,"occurred_at":` + tt.value + `}`, "occurred_at"},
				{http.MethodPost, "/api/v1/incidents", `{"title":"T","severity":"SEV2","started_at":` + tt.value + `}`, "started_at"},
				{http.MethodPatch, "/api/v1/incidents/1", `{"version":1,"detected_at":` + tt.value + `}`, "detected_at"},
			} {
				rec := app.api(req.method, req.path, req.body)
				m := assertAPIError(t, rec, http.StatusUnprocessableEntity, req.field)
				if tt.reason == msgNoOffset {
					assert.Equal(t, msgNoOffset, fieldReason(m, req.field), "%s %s", req.method, req.path)
				} else {
					assert.Contains(t, fieldReason(m, req.field), tt.reason, "%s %s", req.method, req.path)
				}
			}
		})
	}
	assert.Equal(t, before, app.dbState(), "nothing was written")
}

func TestAPITimelineNullOccurredAt(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	e := app.appendEntry(1, `{"body":"x","occurred_at":null}`)
	assert.Equal(t, "2026-11-22T14:32:05.123Z", e["occurred_at"], "null means now on create")

	before := app.dbState()
	rec := app.api(http.MethodPatch, fmt.Sprintf("/api/v1/incidents/1/timeline/%d", jsonID(t, e)), `{"version":1,"occurred_at":null}`)
	assertAPIError(t, rec, http.StatusUnprocessableEntity, "occurred_at")
	assert.Equal(t, before, app.dbState())
}

func TestAPIIncidentTitleLimit(t *testing.T) {
	app, _ := newClockedApp(t)
	title := strings.Repeat("é", 200)
	inc := app.createIncident(`{"title":"` + title + `","severity":"SEV2"}`)
	assert.Equal(t, title, inc["title"], "200 characters (not bytes) are fine")
	rec := app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":1,"title":"`+strings.Repeat("x", 200)+`"}`)
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
}

func TestAPIIncidentCreateRejects(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name   string
		body   string
		fields []string
		reason string // expected in the first field's reason
	}{
		{"missing title", `{"severity":"SEV2"}`, []string{"title"}, "is required"},
		{"null title", `{"title":null,"severity":"SEV2"}`, []string{"title"}, "cannot be null"},
		{"blank title", `{"title":"  \t ","severity":"SEV2"}`, []string{"title"}, "is required"},
		{"201-char title", `{"title":"` + long(201) + `","severity":"SEV2"}`, []string{"title"}, "at most 200"},
		{"missing severity", `{"title":"T"}`, []string{"severity"}, "is required"},
		{"unknown severity", `{"title":"T","severity":"SEV9"}`, []string{"severity"}, `unknown severity "SEV9"`},
		{"lower-case severity", `{"title":"T","severity":"sev1"}`, []string{"severity"}, "unknown severity"},
		{"unknown status", `{"title":"T","severity":"SEV2","status":"closed"}`, []string{"status"}, `unknown status "closed"`},
		{"empty status", `{"title":"T","severity":"SEV2","status":""}`, []string{"status"}, "unknown status"},
		{"detected before started", `{"title":"T","severity":"SEV2","started_at":"2026-11-22T14:00:00Z","detected_at":"2026-11-22T13:59:59Z"}`,
			[]string{"detected_at", "started_at"}, "must not be before started_at"},
		{"acknowledged before detected", `{"title":"T","severity":"SEV2","detected_at":"2026-11-22T14:00:00Z","acknowledged_at":"2026-11-22T13:00:00Z"}`,
			[]string{"acknowledged_at", "detected_at"}, "must not be before detected_at"},
		{"mitigated before started", `{"title":"T","severity":"SEV2","started_at":"2026-11-22T14:00:00Z","mitigated_at":"2026-11-22T13:00:00Z"}`,
			[]string{"mitigated_at", "started_at"}, "must not be before started_at"},
		{"resolved before mitigated", `{"title":"T","severity":"SEV2","status":"resolved","mitigated_at":"2026-11-22T14:00:00Z","resolved_at":"2026-11-22T13:59:00Z"}`,
			[]string{"resolved_at", "mitigated_at"}, "must not be before mitigated_at"},
		{"resolved_at while open", `{"title":"T","severity":"SEV2","resolved_at":"2026-11-22T14:00:00Z"}`,
			[]string{"resolved_at", "status"}, "only be set when the status is resolved"},
		{"script in tags", `{"title":"T","severity":"SEV2","tags":["<script>alert(1)</script>"]}`, []string{"tags"}, "may hold only"},
		{"img in tags", `{"title":"T","severity":"SEV2","tags":["<img src=x onerror=alert(1)>"]}`, []string{"tags"}, "may hold only"},
		{"script in services", `{"title":"T","severity":"SEV2","services":["<script>alert(1)</script>"]}`, []string{"services"}, "must not contain"},
		{"img in services", `{"title":"T","severity":"SEV2","services":["<img src=x onerror=alert(1)>"]}`, []string{"services"}, "must not contain"},
		{"51-char tag", `{"title":"T","severity":"SEV2","tags":["` + long(51) + `"]}`, []string{"tags"}, "longer than 50"},
		{"101-char commander", `{"title":"T","severity":"SEV2","roles":{"commander":"` + long(101) + `"}}`, []string{"roles.commander"}, "at most 100"},
		{"101-char responder", `{"title":"T","severity":"SEV2","roles":{"responders":["` + long(101) + `"]}}`, []string{"roles.responders"}, "at most 100"},
		{"summary over the limit", `{"title":"T","severity":"SEV2","summary":"` + long(model.MaxMarkdownLen+1) + `"}`, []string{"summary"}, "at most 100000"},
		// SQLite's length() stops at NUL, so the schema's checks failed on it (a 500).
		{"NUL title", `{"title":"\u0000","severity":"SEV2"}`, []string{"title"}, "NUL"},
		{"NUL in summary", `{"title":"T","severity":"SEV2","summary":"a\u0000b"}`, []string{"summary"}, "NUL"},
		{"NUL commander", `{"title":"T","severity":"SEV2","roles":{"commander":"\u0000"}}`, []string{"roles.commander"}, "NUL"},
		{"NUL responder", `{"title":"T","severity":"SEV2","roles":{"responders":["\u0000x"]}}`, []string{"roles.responders"}, "NUL"},
		{"NUL service", `{"title":"T","severity":"SEV2","services":["\u0000"]}`, []string{"services"}, "NUL"},
		{"impact over the limit", `{"title":"T","severity":"SEV2","impact":"` + long(model.MaxMarkdownLen+1) + `"}`, []string{"impact"}, "at most 100000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, _ := newClockedApp(t)
			before := app.dbState()
			rec := app.api(http.MethodPost, "/api/v1/incidents", tt.body)
			m := assertAPIError(t, rec, http.StatusUnprocessableEntity, tt.fields...)
			assert.Contains(t, fieldReason(m, tt.fields[0]), tt.reason)
			assert.Empty(t, rec.Header().Get("Location"))
			assert.Equal(t, before, app.dbState(), "nothing was written")
		})
	}
}

func TestAPIIncidentPatchRejects(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		fields []string
	}{
		{"empty title", `{"version":1,"title":""}`, []string{"title"}},
		{"201-char title", `{"version":1,"title":"` + strings.Repeat("t", 201) + `"}`, []string{"title"}},
		{"unknown severity", `{"version":1,"severity":"SEV0"}`, []string{"severity"}},
		{"unknown status", `{"version":1,"status":"done"}`, []string{"status"}},
		{"detected before started", `{"version":1,"detected_at":"2026-11-22T13:00:00Z"}`, []string{"detected_at", "started_at"}},
		{"started after detected", `{"version":1,"started_at":"2026-11-22T14:20:00Z"}`, []string{"detected_at", "started_at"}},
		{"resolved before mitigated", `{"version":1,"status":"resolved","mitigated_at":"2026-11-22T14:20:00Z","resolved_at":"2026-11-22T14:15:00Z"}`, []string{"resolved_at", "mitigated_at"}},
		{"clear resolved_at while resolved", `{"version":1,"status":"resolved","resolved_at":null}`, []string{"resolved_at"}},
		{"script in tags", `{"version":1,"tags":["a","<script>alert(1)</script>"]}`, []string{"tags"}},
		{"img in services", `{"version":1,"services":["<img src=x onerror=alert(1)>"]}`, []string{"services"}},
		{"missing version", `{"title":"New"}`, []string{"version"}},
		{"null version", `{"title":"New","version":null}`, []string{"version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, _ := newClockedApp(t)
			app.createIncident(`{"title":"T","severity":"SEV2","started_at":"2026-11-22T14:00:00Z","detected_at":"2026-11-22T14:10:00Z","services":["db"]}`)
			before := app.dbState()
			rec := app.api(http.MethodPatch, "/api/v1/incidents/1", tt.body)
			assertAPIError(t, rec, http.StatusUnprocessableEntity, tt.fields...)
			assert.Equal(t, before, app.dbState(), "nothing was written")
		})
	}
}

func TestAPITimelineRejects(t *testing.T) {
	tests := []struct {
		name, fields  string // fields: the JSON members besides version
		field, reason string
	}{
		{"unknown kind", `"body":"x","kind":"rumour"`, "kind", `unknown kind "rumour"`},
		{"empty kind", `"body":"x","kind":""`, "kind", "unknown kind"},
		{"empty body", `"body":""`, "body", "is required"},
		{"blank body", `"body":" \n\t "`, "body", "is required"},
		{"body over 10000", `"body":"` + strings.Repeat("b", 10_001) + `"`, "body", "at most 10000"},
		{"javascript URL", `"body":"x","evidence_url":"javascript:alert(1)"`, "evidence_url", "http:// or https://"},
		{"JavaScript URL, mixed case", `"body":"x","evidence_url":"JavaScript:alert(1)"`, "evidence_url", "http:// or https://"},
		{"ftp URL", `"body":"x","evidence_url":"ftp://x"`, "evidence_url", "http:// or https://"},
		{"data URL", `"body":"x","evidence_url":"data:text/html,<script>alert(1)</script>"`, "evidence_url", "http:// or https://"},
		{"URL without host", `"body":"x","evidence_url":"https://"`, "evidence_url", "http:// or https://"},
		{"relative URL", `"body":"x","evidence_url":"/dashboards/1"`, "evidence_url", "http:// or https://"},
		{"NUL body", `"body":"\u0000"`, "body", "NUL"},
		{"NUL author", `"body":"x","author":"\u0000"`, "author", "NUL"},
		{"101-char author", `"body":"x","author":"` + strings.Repeat("a", 101) + `"`, "author", "at most 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, _ := newClockedApp(t)
			app.createIncident(`{"title":"T","severity":"SEV2"}`)
			e := app.appendEntry(1, `{"body":"original"}`)
			before := app.dbState()

			rec := app.api(http.MethodPost, "/api/v1/incidents/1/timeline", `{`+tt.fields+`}`)
			m := assertAPIError(t, rec, http.StatusUnprocessableEntity, tt.field)
			assert.Contains(t, fieldReason(m, tt.field), tt.reason, "POST")

			rec = app.api(http.MethodPatch, fmt.Sprintf("/api/v1/incidents/1/timeline/%d", jsonID(t, e)), `{"version":1,`+tt.fields+`}`)
			m = assertAPIError(t, rec, http.StatusUnprocessableEntity, tt.field)
			assert.Contains(t, fieldReason(m, tt.field), tt.reason, "PATCH")

			assert.Equal(t, before, app.dbState(), "nothing was written")
		})
	}
}

func TestAPITimelineLimitsAccepted(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	body := strings.Repeat("é", 10_000)
	e := app.appendEntry(1, `{"body":"`+body+`","author":"`+strings.Repeat("a", 100)+`","evidence_url":"http://grafana.example/d/1?from=now-1h"}`)
	assert.Equal(t, body, e["body"], "10 000 characters are fine")
	assert.Equal(t, "http://grafana.example/d/1?from=now-1h", e["evidence_url"])
}

func TestAPIStoresMarkupVerbatim(t *testing.T) {
	for _, payload := range []string{xssScript, xssImg} {
		t.Run(payload, func(t *testing.T) {
			t.Parallel()
			app, _ := newClockedApp(t)
			q, err := json.Marshal(payload)
			require.NoError(t, err)
			p := string(q)
			inc := app.createIncident(`{"title":` + p + `,"severity":"SEV2","summary":` + p + `,"impact":` + p + `,
				"roles":{"commander":` + p + `,"comms_lead":` + p + `,"scribe":` + p + `,"responders":[` + p + `]}}`)
			got := app.getJSON(fmt.Sprintf("/api/v1/incidents/%d", jsonID(t, inc)))
			for _, f := range []string{"title", "summary", "impact"} {
				assert.Equal(t, payload, got[f], f)
			}
			assert.Equal(t, map[string]any{"commander": payload, "comms_lead": payload, "scribe": payload, "responders": []any{payload}}, got["roles"])

			e := app.appendEntry(1, `{"body":`+p+`,"author":`+p+`}`)
			got = app.getJSON(fmt.Sprintf("/api/v1/incidents/1/timeline/%d", jsonID(t, e)))
			assert.Equal(t, payload, got["body"])
			assert.Equal(t, payload, got["author"])

			// JSON responses escape markup, so a sniffing browser cannot run it.
			rec := app.api(http.MethodGet, "/api/v1/incidents/1", "")
			assert.NotContains(t, rec.Body.String(), "<")
		})
	}
}

func TestAPINonNumericIDIsNotFound(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	app.appendEntry(1, `{"body":"x"}`)
	before := app.dbState()
	tests := []struct{ method, path, body string }{
		{http.MethodGet, "/api/v1/incidents/abc", ""},
		{http.MethodGet, "/api/v1/incidents/1abc", ""},
		{http.MethodGet, "/api/v1/incidents/-1", ""},
		{http.MethodGet, "/api/v1/incidents/0", ""},
		{http.MethodGet, "/api/v1/incidents/1.0", ""},
		{http.MethodGet, "/api/v1/incidents/99999999999999999999", ""},
		{http.MethodPatch, "/api/v1/incidents/abc", `{"version":1,"title":"x"}`},
		{http.MethodGet, "/api/v1/incidents/abc/timeline", ""},
		{http.MethodPost, "/api/v1/incidents/abc/timeline", `{"body":"x"}`},
		{http.MethodGet, "/api/v1/incidents/1/timeline/x", ""},
		{http.MethodPatch, "/api/v1/incidents/1/timeline/x", `{"version":1,"body":"y"}`},
		{http.MethodDelete, "/api/v1/incidents/1/timeline/x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := app.api(tt.method, tt.path, tt.body)
			m := assertAPIError(t, rec, http.StatusNotFound)
			assert.Equal(t, "not found", m["error"])
		})
	}
	// An unknown API path is a JSON 404 too, not an HTML page.
	assertAPIError(t, app.api(http.MethodGet, "/api/v1/nothing-here", ""), http.StatusNotFound)
	assert.Equal(t, before, app.dbState())
}

func TestAPIUnknownIDIsNotFound(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"One","severity":"SEV2"}`)
	app.createIncident(`{"title":"Two","severity":"SEV2"}`)
	e := jsonID(t, app.appendEntry(1, `{"body":"on incident 1"}`))
	before := app.dbState()
	tests := []struct{ method, path, body string }{
		{http.MethodGet, "/api/v1/incidents/999", ""},
		{http.MethodPatch, "/api/v1/incidents/999", `{"version":1,"title":"x"}`},
		{http.MethodGet, "/api/v1/incidents/999/timeline", ""},
		{http.MethodPost, "/api/v1/incidents/999/timeline", `{"body":"x"}`},
		{http.MethodGet, "/api/v1/incidents/1/timeline/999", ""},
		{http.MethodPatch, "/api/v1/incidents/1/timeline/999", `{"version":1,"body":"y"}`},
		{http.MethodDelete, "/api/v1/incidents/1/timeline/999?version=1", ""},
		{http.MethodGet, fmt.Sprintf("/api/v1/incidents/999/timeline/%d", e), ""},
		// An entry is only reachable through its own incident.
		{http.MethodGet, fmt.Sprintf("/api/v1/incidents/2/timeline/%d", e), ""},
		{http.MethodPatch, fmt.Sprintf("/api/v1/incidents/2/timeline/%d", e), `{"version":1,"body":"y"}`},
		{http.MethodDelete, fmt.Sprintf("/api/v1/incidents/2/timeline/%d?version=1", e), ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := app.api(tt.method, tt.path, tt.body)
			m := assertAPIError(t, rec, http.StatusNotFound)
			assert.Equal(t, "not found", m["error"])
		})
	}
	assert.Equal(t, before, app.dbState(), "nothing was written")
}

// TestAPIRejectsBadBodies sends each kind of broken body to every route
// that takes one.
func TestAPIRejectsBadBodies(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	e := jsonID(t, app.appendEntry(1, `{"body":"x"}`))
	before := app.dbState()

	routes := []struct {
		method, path string
		field        string // a string field of the body
	}{
		{http.MethodPost, "/api/v1/incidents", "title"},
		{http.MethodPatch, "/api/v1/incidents/1", "title"},
		{http.MethodPost, "/api/v1/incidents/1/timeline", "body"},
		{http.MethodPatch, fmt.Sprintf("/api/v1/incidents/1/timeline/%d", e), "body"},
	}
	big := `{"version":1,"title":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
	for _, r := range routes {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			tests := []struct {
				name        string
				contentType string
				body        string
				status      int
				field       string // the field the error must name
				message     string // part of the error message
			}{
				{"malformed", "application/json", `{"` + r.field + `":`, 400, "", "malformed JSON"},
				{"malformed, bad token", "application/json", `{"` + r.field + `": nope}`, 400, "", "malformed JSON"},
				{"single quotes", "application/json", `{'` + r.field + `': 'x'}`, 400, "", "malformed JSON"},
				{"empty", "application/json", "", 400, "", "empty"},
				{"whitespace", "application/json", " \n ", 400, "", "empty"},
				{"no content type, empty", "", "", 400, "", "empty"},
				{"array", "application/json", `[]`, 400, "", "JSON object"},
				{"array of objects", "application/json", `[{"` + r.field + `":"x"}]`, 400, "", "JSON object"},
				{"string", "application/json", `"x"`, 400, "", "JSON object"},
				{"null", "application/json", `null`, 422, "version", ""},
				{"two objects", "application/json", `{"version":1} {"version":1}`, 400, "", "malformed JSON"},
				{"trailing brace", "application/json", `{"version":1}}`, 400, "", "malformed JSON"},
				{"trailing bracket", "application/json", `{"version":1}]`, 400, "", "malformed JSON"},
				{"trailing garbage", "application/json", `{"version":1}x`, 400, "", "malformed JSON"},
				{"unknown field", "application/json", `{"version":1,"colour":"red"}`, 422, "colour", ""},
				{"wrong type", "application/json", `{"version":1,"` + r.field + `":5}`, 422, r.field, ""},
				{"wrong type, version", "application/json", `{"version":"1"}`, 422, "version", ""},
				{"text/plain", "text/plain", `{"version":1}`, 415, "", "application/json"},
				{"form", "application/x-www-form-urlencoded", `version=1`, 415, "", "application/json"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if tt.name == "null" && r.method == http.MethodPost {
						// null decodes to an empty request: the required fields are named.
						if r.field == "title" {
							tt.field = "title"
						} else {
							tt.status, tt.field = 422, "body"
						}
					}
					rec := app.do(r.method, r.path, tt.contentType, tt.body)
					var fields []string
					if tt.field != "" {
						fields = []string{tt.field}
					}
					m := assertAPIError(t, rec, tt.status, fields...)
					if tt.message != "" {
						assert.Contains(t, m["error"], tt.message)
					}
				})
			}
			t.Run("over 1 MiB", func(t *testing.T) {
				rec := app.api(r.method, r.path, big)
				m := assertAPIError(t, rec, http.StatusRequestEntityTooLarge)
				assert.Contains(t, m["error"], "larger than")
			})
			t.Run("over 1 MiB, chunked", func(t *testing.T) {
				rec := app.doChunked(r.method, r.path, "application/json", big)
				m := assertAPIError(t, rec, http.StatusRequestEntityTooLarge)
				assert.Contains(t, m["error"], "larger than")
			})
		})
	}
	assert.Equal(t, before, app.dbState(), "nothing was written")
}

func TestAPIBodyJustUnderLimitIsRead(t *testing.T) {
	app, _ := newClockedApp(t)
	// Padding with whitespace keeps the JSON valid at any size.
	body := `{"title":"Padded","severity":"SEV2"}`
	body += strings.Repeat(" ", MaxBodyBytes-len(body))
	require.Len(t, body, MaxBodyBytes)
	rec := app.doChunked(http.MethodPost, "/api/v1/incidents", "application/json", body)
	assert.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
}

func TestAPIContentTypeWithCharset(t *testing.T) {
	app, _ := newClockedApp(t)
	rec := app.do(http.MethodPost, "/api/v1/incidents", "application/json; charset=utf-8", `{"title":"T","severity":"SEV2"}`)
	assert.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
}

func TestAPIStaleIncidentVersionConflicts(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"Original","severity":"SEV2"}`)
	rec := app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":1,"title":"First writer"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	current := app.getJSON("/api/v1/incidents/1")
	before := app.dbState()

	for _, version := range []string{"0", "-1"} { // no record has such a version
		assertAPIError(t, app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":`+version+`,"title":"Second writer"}`),
			http.StatusUnprocessableEntity, "version")
	}
	for _, version := range []string{"1", "3"} {
		rec = app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":`+version+`,"title":"Second writer","status":"resolved"}`)
		m := assertAPIError(t, rec, http.StatusConflict)
		assert.Contains(t, m["error"], "changed by someone else")
		assert.Equal(t, current, m["current"], "the conflict carries the current incident")
	}
	assert.Equal(t, before, app.dbState(), "never a silent overwrite")
	assert.Equal(t, "First writer", app.getJSON("/api/v1/incidents/1")["title"])
}

func TestAPIStaleEntryVersionConflicts(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	e := app.appendEntry(1, `{"body":"original"}`)
	url := fmt.Sprintf("/api/v1/incidents/1/timeline/%d", jsonID(t, e))
	rec := app.api(http.MethodPatch, url, `{"version":1,"body":"first writer"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	current := app.getJSON(url)
	before := app.dbState()

	rec = app.api(http.MethodPatch, url, `{"version":1,"body":"second writer"}`)
	m := assertAPIError(t, rec, http.StatusConflict)
	assert.Equal(t, current, m["current"], "the conflict carries the current entry")

	rec = app.api(http.MethodDelete, url+"?version=1", "")
	m = assertAPIError(t, rec, http.StatusConflict)
	assert.Equal(t, current, m["current"])

	for _, v := range []string{"abc", "0", "-2", "1.5"} {
		rec = app.api(http.MethodDelete, url+"?version="+v, "")
		assertAPIError(t, rec, http.StatusUnprocessableEntity, "version")
	}

	rec = app.api(http.MethodPatch, url, `{"body":"no version"}`)
	assertAPIError(t, rec, http.StatusUnprocessableEntity, "version")

	assert.Equal(t, before, app.dbState(), "never a silent overwrite")
	assert.Equal(t, "first writer", app.getJSON(url)["body"])
}

func TestAPISeverities(t *testing.T) {
	app, _ := newClockedApp(t)
	m := app.getJSON("/api/v1/severities")
	sevs, ok := m["severities"].([]any)
	require.True(t, ok)
	var names []string
	for _, s := range sevs {
		sv := s.(map[string]any)
		names = append(names, sv["name"].(string))
		assert.NotEmpty(t, sv["description"])
	}
	assert.Equal(t, []string{"SEV1", "SEV2", "SEV3", "SEV4"}, names)
}

// TestHostileInputNeverServerError throws hostile input at every route; a
// 5xx anywhere is a bug (the error handler maps every expected failure).
func TestHostileInputNeverServerError(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2","started_at":"2026-11-22T14:00:00Z"}`)
	app.createIncident(`{"title":"Done","severity":"SEV2","status":"resolved"}`)
	e := jsonID(t, app.appendEntry(1, `{"body":"x"}`))
	entry := fmt.Sprintf("/api/v1/incidents/1/timeline/%d", e)
	entryPage := fmt.Sprintf("/incidents/1/timeline/%d", e)

	const (
		js   = "application/json"
		form = "application/x-www-form-urlencoded"
	)
	deep := strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000)
	var strs []string
	for _, s := range []string{
		"\x00", "a\x00b", "\u0000title", "\ufffd", "\u202egnp.exe", "\U0001F525 fire", "'; DROP TABLE incidents; --",
		"%s%n%x", "{{.}}", "../../etc/passwd", "\r\nSet-Cookie: x=1", xssScript, xssImg, `"><svg onload=alert(1)>`,
		"javascript:alert(1)", strings.Repeat("\u0301", 300),
	} {
		q, _ := json.Marshal(s)
		strs = append(strs, string(q))
	}
	type req struct{ method, path, ct, body string }
	var reqs []req
	for _, s := range strs {
		reqs = append(reqs,
			req{"POST", "/api/v1/incidents", js, `{"title":` + s + `,"severity":` + s + `}`},
			req{"POST", "/api/v1/incidents", js, `{"title":` + s + `,"severity":"SEV1","summary":` + s + `,"impact":` + s +
				`,"services":[` + s + `],"tags":[` + s + `],"roles":{"commander":` + s + `,"comms_lead":` + s + `,"scribe":` + s + `,"responders":[` + s + `]}}`},
			req{"POST", "/api/v1/incidents", js, `{"title":"ok","severity":"SEV1","roles":{"commander":` + s + `,"comms_lead":` + s + `,"scribe":` + s + `,"responders":[` + s + `]}}`},
			req{"POST", "/api/v1/incidents", js, `{"title":"ok","severity":"SEV1","services":[` + s + `]}`},
			req{"POST", "/api/v1/incidents", js, `{"title":"ok","severity":"SEV1","started_at":` + s + `}`},
			req{"PATCH", "/api/v1/incidents/1", js, `{"version":1,"title":` + s + `,"status":` + s + `}`},
			req{"POST", "/api/v1/incidents/1/timeline", js, `{"body":` + s + `,"author":` + s + `,"evidence_url":` + s + `,"kind":` + s + `}`},
			req{"POST", "/api/v1/incidents/1/timeline", js, `{"body":` + s + `,"author":` + s + `}`},
			req{"POST", "/api/v1/incidents/1/timeline", js, `{"body":"ok","evidence_url":"https://example.com/?q=` + strings.Trim(s, `"`) + `"}`},
			req{"PATCH", entry, js, `{"version":1,"body":` + s + `,"occurred_at":` + s + `}`},
			req{"POST", "/incidents", form, "title=" + urlQ(s) + "&severity=SEV1&services=" + urlQ(s) + "&commander=" + urlQ(s) + "&responders=" + urlQ(s)},
			req{"POST", "/incidents", form, "title=ok&severity=SEV1&started_at=" + urlQ(s) + "&summary=" + urlQ(s)},
			req{"POST", "/incidents/1/edit", form, "version=1&title=" + urlQ(s) + "&severity=SEV1&status=investigating&scribe=" + urlQ(s)},
			req{"POST", "/incidents/1/status", form, "version=1&status=" + urlQ(s)},
			req{"POST", "/incidents/1/timeline", form, "at=" + urlQ(s) + "&body=" + urlQ(s) + "&author=" + urlQ(s)},
			req{"POST", "/incidents/1/timeline", form, "at=now&body=" + urlQ(s) + "&author=" + urlQ(s) + "&kind=action"},
			req{"POST", entryPage + "/edit", form, "version=1&at=now&body=" + urlQ(s) + "&author=" + urlQ(s) + "&evidence_url=" + urlQ(s)},
			req{"GET", "/time-preview?at=" + urlQ(s), "", ""},
			req{"GET", "/incidents?status=" + urlQ(s) + "&severity=" + urlQ(s) + "&service=" + urlQ(s), "", ""},
			req{"GET", "/api/v1/incidents?service=" + urlQ(s), "", ""},
		)
	}
	reqs = append(reqs,
		// Raw bytes that are not UTF-8, which JSON cannot carry but forms can.
		req{"POST", "/incidents", form, "title=%80&severity=SEV1&commander=%80&services=%80"},
		req{"POST", "/incidents", form, "title=%ff%fe&severity=SEV1&summary=%c3%28&tags=%80"},
		req{"POST", "/incidents/1/timeline", form, "body=%80&author=%80"},
		req{"POST", "/incidents/1/timeline", form, "body=%e2%82&author=%e2%82"},
		req{"POST", entryPage + "/edit", form, "version=1&at=now&body=%80&author=%ff"},
		req{"POST", "/incidents", form, "title=%zz"},
		req{"POST", "/incidents", "multipart/form-data", "title=x"},
		req{"POST", "/incidents", "multipart/form-data; boundary=xyz", "--xyz\r\nbroken"},
		req{"POST", "/incidents", ";;;", "title=x"},
		req{"POST", "/api/v1/incidents", ";;;", `{}`},
		req{"POST", "/api/v1/incidents", js, deep},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","roles":` + deep + `}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","version":1e400}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","services":"checkout"}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","services":[1,2]}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","services":[null]}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","roles":{"responders":"a"}}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","roles":{"boss":"a"}}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","roles":[]}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","tags":["` + strings.Repeat("a,", 40) + `"]}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","started_at":"1969-12-31T23:59:59.999Z"}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","started_at":"2026-11-22T14:32:05.` + strings.Repeat("9", 500) + `Z"}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","started_at":"+2026-11-22T14:32:05Z"}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","started_at":"2026-11-22T24:00:00Z"}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","status":"resolved","resolved_at":null}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","severity":"SEV2","__proto__":{}}`},
		req{"POST", "/api/v1/incidents", js, `{"title":"T","title":"U","severity":"SEV2"}`},
		req{"POST", "/api/v1/incidents", js + "; charset=utf-16", `{"title":"T","severity":"SEV2"}`},
		req{"POST", "/api/v1/incidents", js, "\xef\xbb\xbf{\"title\":\"T\",\"severity\":\"SEV2\"}"},
		req{"PATCH", "/api/v1/incidents/1", js, `{"version":9223372036854775807,"title":"x"}`},
		req{"PATCH", "/api/v1/incidents/1", js, `{"version":9223372036854775808,"title":"x"}`},
		req{"PATCH", "/api/v1/incidents/1", js, `{"version":-9223372036854775808}`},
		req{"PATCH", "/api/v1/incidents/2", js, `{"version":1,"status":"monitoring"}`},
		req{"PATCH", "/api/v1/incidents/2", js, `{"version":1,"resolved_at":null}`},
		req{"PATCH", "/api/v1/incidents/1", js, `{"version":1,"started_at":"2026-11-23T14:32:05Z"}`},
		req{"POST", "/api/v1/incidents/1/timeline", js, `{"body":"x","learned_later":"yes"}`},
		req{"POST", "/api/v1/incidents/1/timeline", js, `{"body":"x","kind":null,"author":null,"evidence_url":null}`},
		req{"POST", "/api/v1/incidents/1/timeline", js, `{"body":"x","evidence_url":"http://[::1"}`},
		req{"POST", "/api/v1/incidents/1/timeline", js, `{"body":"x","evidence_url":"https://` + strings.Repeat("a", 3000) + `"}`},
		req{"POST", "/api/v1/incidents/1/timeline", js, `{"body":"x","occurred_at":"2026-11-22T14:32:05-23:59"}`},
		req{"PATCH", entry, js, `{"version":1,"kind":"milestone","learned_later":null}`},
		req{"DELETE", entry + "?version=99999999999999999999", "", ""},
		req{"DELETE", "/api/v1/incidents/1/timeline/9223372036854775807", "", ""},
		req{"GET", "/api/v1/incidents/9223372036854775807", "", ""},
		req{"GET", "/api/v1/incidents/9223372036854775807/timeline", "", ""},
		req{"GET", "/api/v1/incidents?limit=200&offset=9223372036854775807", "", ""},
		req{"GET", "/api/v1/incidents?limit=1e3", "", ""},
		req{"GET", "/api/v1/incidents?offset=99999999999999999999", "", ""},
		req{"GET", "/api/v1/incidents?status=open&status=resolved", "", ""},
		req{"GET", "/api/v1/incidents?status=%00", "", ""},
		req{"GET", "/incidents?page=0", "", ""},
		req{"GET", "/incidents?page=-1", "", ""},
		req{"GET", "/incidents?page=99999999999", "", ""},
		req{"GET", "/incidents?page=1000000", "", ""},
		req{"GET", "/incidents?status=bogus", "", ""},
		req{"GET", "/incidents/%00", "", ""},
		req{"GET", "/incidents/1%2F2", "", ""},
		req{"GET", "/incidents/..%2F..%2Fetc%2Fpasswd", "", ""},
		req{"GET", "/incidents/9223372036854775808/edit", "", ""},
		req{"GET", entryPage + "/edit?x=%zz", "", ""},
		req{"GET", "/time-preview?at=-99999999999999999999d", "", ""},
		req{"GET", "/time-preview?at=-106751d23h47m16s", "", ""},
		req{"GET", "/time-preview?at=-9223372036s", "", ""},
		req{"GET", "/time-preview?at=99:99:99.9999999999", "", ""},
		req{"GET", "/time-preview?at=%2B5m", "", ""},
		req{"GET", "/time-preview?at=0001-01-01T00:00:00Z", "", ""},
		req{"GET", "/time-preview?at=9999-12-31T23:59:59%2B14:00", "", ""},
		req{"GET", "/time-preview?at=" + strings.Repeat("9", 5000), "", ""},
		req{"GET", "/static/../../go.mod", "", ""},
		req{"GET", "/static/", "", ""},
		req{"GET", "/static/nope.js", "", ""},
		req{"HEAD", "/incidents/1", "", ""},
		req{"OPTIONS", "/api/v1/incidents", "", ""},
		req{"PUT", "/api/v1/incidents/1", js, `{}`},
		req{"DELETE", "/api/v1/incidents/1", "", ""},
		req{"TRACE", "/incidents", "", ""},
		req{"POST", "/incidents/1/status", form, "version=1&status=resolved&status=monitoring"},
		req{"POST", "/incidents/2/status", form, "version=1&status=monitoring"},
		req{"POST", "/incidents/1/status", form, "version=abc&status=identified"},
		req{"POST", "/incidents/1/timeline", form, "at=-99999999999999999999d&body=x"},
		req{"POST", "/incidents/1/timeline", form, "at=25:61&body=x"},
		req{"POST", "/incidents/1/timeline", form, "at=%2B5m&body=x"},
		req{"POST", "/incidents/1/timeline", form, "at=now&body=x&evidence_url=http://%5B::1"},
		req{"POST", entryPage + "/edit", form, "version=99999999999999999999&at=now&body=x"},
		req{"POST", entryPage + "/delete", form, "version=-1"},
		req{"POST", entryPage + "/delete", form, ""},
	)
	for _, r := range reqs {
		headers := []string{"HX-Request", "true"}
		for _, hx := range []bool{false, true} {
			var rec *httptest.ResponseRecorder
			if hx {
				rec = app.do(r.method, r.path, r.ct, r.body, headers...)
			} else {
				rec = app.do(r.method, r.path, r.ct, r.body)
			}
			assert.Less(t, rec.Code, 500, "%s %s (%s) htmx=%v\nbody: %.300q\nresponse: %.500s", r.method, r.path, r.ct, hx, r.body, rec.Body.String())
		}
	}
	// The server still answers.
	assert.Equal(t, http.StatusOK, app.api(http.MethodGet, "/healthz", "").Code)
}

// urlQ form-encodes the content of a JSON string literal.
func urlQ(jsonString string) string {
	var s string
	if err := json.Unmarshal([]byte(jsonString), &s); err != nil {
		s = jsonString
	}
	return url.QueryEscape(s)
}
