package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

// Tests of the postmortem API (issue "Postmortems"): the document, the
// review workflow, the publish gate, revisions and concurrent edits. Each
// top-level test builds one app and runs its subtests on it, each on an
// incident of its own (see pmSuite).

// ----- helpers, shared with the page and browser tests -----

// pmURL is an API path of an incident's postmortem.
func pmURL(incident int64, rest string) string {
	return fmt.Sprintf("/api/v1/incidents/%d/postmortem%s", incident, rest)
}

// pmSuite shares one app between the subtests of a test; every subtest
// gets the clock back at handlerT0 and a new resolved incident.
type pmSuite struct {
	t     *testing.T
	app   *testApp
	clock *testClock
}

// pmCase is what one subtest works with.
type pmCase struct {
	app   *testApp
	clock *testClock
	inc   int64 // resolved at handlerT0, ready to publish once summary and impact are written
}

func newPMSuite(t *testing.T) *pmSuite {
	t.Helper()
	app, clock := newClockedApp(t)
	return &pmSuite{t: t, app: app, clock: clock}
}

func (s *pmSuite) run(name string, fn func(t *testing.T, tc pmCase)) {
	s.t.Run(name, func(t *testing.T) {
		setClock(s.clock, handlerT0)
		app := s.app.on(t)
		fn(t, pmCase{app: app, clock: s.clock, inc: app.readyIncident("Checkout 502s: " + name)})
	})
}

// readyIncident stores an incident resolved now with everything the
// publish gate asks for except the summary and the impact: a written
// timeline entry, a contributing factor and an action item with an owner
// and a due date. Alice was in command and Bob responded.
func (a *testApp) readyIncident(title string) int64 {
	a.t.Helper()
	return a.readyIncidentAt(title, a.store.Now())
}

// readyIncidentAt is readyIncident for an incident resolved at resolved,
// an hour after its impact started. (Moving the clock instead would sign
// the test users out.)
func (a *testApp) readyIncidentAt(title string, resolved time.Time) int64 {
	a.t.Helper()
	ctx := context.Background()
	now := a.store.Now()
	started := resolved.Add(-time.Hour)
	inc := &model.Incident{
		Title: title, Severity: "SEV2", Status: model.StatusResolved, Services: []string{"checkout"},
		Roles:     model.Roles{Commander: "Alice", Responders: []string{"Bob"}},
		StartedAt: &started, ResolvedAt: &resolved,
	}
	require.NoError(a.t, a.store.CreateIncident(ctx, inc, ""))
	require.NoError(a.t, a.store.AppendTimeline(ctx, &model.TimelineEntry{
		IncidentID: inc.ID, OccurredAt: started.Add(5 * time.Minute), Kind: model.KindDeploy, Body: "Config pushed to every gateway", Author: "Alice",
	}))
	require.NoError(a.t, a.store.CreateFactor(ctx, &model.Factor{
		IncidentID: inc.ID, Title: "Config rollouts have no canary stage", Category: "change", IsTrigger: true,
	}))
	require.NoError(a.t, a.store.CreateAction(ctx, &model.ActionItem{
		IncidentID: inc.ID, Title: "Add a canary stage to config rollouts", Owner: "Bob",
		Due: model.DateOf(now).AddDays(14), Type: model.ActionPrevent,
	}))
	return inc.ID
}

// pmGet returns the postmortem as the API shows it.
func (a *testApp) pmGet(incident int64) map[string]any {
	a.t.Helper()
	return a.getJSON(pmURL(incident, ""))
}

// pmSection returns section key of a postmortem's JSON.
func pmSection(t *testing.T, pm map[string]any, key string) map[string]any {
	t.Helper()
	secs, ok := pm["sections"].([]any)
	require.True(t, ok, "no sections array in %v", pm)
	for _, s := range secs {
		if sec := s.(map[string]any); sec["key"] == key {
			return sec
		}
	}
	require.Failf(t, "no section", "%q in %v", key, pm)
	return nil
}

// intOf reads a JSON number as an int.
func intOf(t *testing.T, v any) int {
	t.Helper()
	f, ok := v.(float64)
	require.True(t, ok, "not a number: %#v", v)
	return int(f)
}

// pmWrite saves sections, each based on the version the API shows now,
// and returns the postmortem.
func (a *testApp) pmWrite(incident int64, bodies map[string]string) map[string]any {
	a.t.Helper()
	cur := a.pmGet(incident)
	secs := map[string]any{}
	for key, body := range bodies {
		secs[key] = map[string]any{"body": body, "version": pmSection(a.t, cur, key)["version"]}
	}
	rec := a.api(http.MethodPut, pmURL(incident, ""), jsonBody(map[string]any{"sections": secs}))
	require.Equal(a.t, http.StatusOK, rec.Code, rec.Body.String())
	return decode(a.t, rec)
}

// pmPost POSTs {"version": <current>} to submit, draft or publish.
func (a *testApp) pmPost(incident int64, action string) *httptest.ResponseRecorder {
	a.t.Helper()
	v := a.pmGet(incident)["version"]
	return a.api(http.MethodPost, pmURL(incident, "/"+action), jsonBody(map[string]any{"version": v}))
}

// pmPublish writes the summary and impact and publishes, requiring 201.
func (a *testApp) pmPublish(incident int64, summary, impact string) map[string]any {
	a.t.Helper()
	a.pmWrite(incident, map[string]string{"summary": summary, "impact": impact})
	rec := a.pmPost(incident, "publish")
	require.Equal(a.t, http.StatusCreated, rec.Code, rec.Body.String())
	return decode(a.t, rec)
}

// reasonCodes lists the codes of gate reasons (publish_blockers or reasons).
func reasonCodes(t *testing.T, v any) []string {
	t.Helper()
	raw, ok := v.([]any)
	require.True(t, ok, "not an array of reasons: %#v", v)
	out := []string{}
	for _, r := range raw {
		m := r.(map[string]any)
		assert.NotEmpty(t, m["message"], "reason %v has a message", m)
		out = append(out, m["code"].(string))
	}
	return out
}

// ----- the workflow -----

func TestAPIPostmortemWorkflow(t *testing.T) {
	t.Parallel()
	app, clock := newClockedApp(t)
	inc := app.readyIncident("Checkout 502s in eu-west-1")
	app.addWhy(inc, "Checkout returned 502s", 0)

	pm := app.pmGet(inc)
	assert.Equal(t, "draft", pm["status"])
	assert.EqualValues(t, 0, pm["version"], "nothing stored yet")
	assert.EqualValues(t, 0, pm["revisions"])
	assert.Equal(t, "2026-11-24T14:32:05.123Z", pm["due_at"], "48 h after resolution")
	assert.Equal(t, "due in 2 d", pm["due_label"])
	assert.Equal(t, false, pm["can_publish"])
	assert.Equal(t, []string{"empty_summary", "empty_impact"}, reasonCodes(t, pm["publish_blockers"]))
	var keys []string
	for _, s := range pm["sections"].([]any) {
		keys = append(keys, s.(map[string]any)["key"].(string))
	}
	assert.Equal(t, []string{"summary", "impact", "trigger", "resolution", "detection", "went_well", "went_wrong", "got_lucky", "lessons", "supporting_info"},
		keys, "every section, in the template's order")

	pm = app.pmWrite(inc, map[string]string{"summary": "Checkout returned 502s for 40 minutes.", "impact": "About 12% of checkouts failed."})
	summary := pmSection(t, pm, "summary")
	assert.Equal(t, "Checkout returned 502s for 40 minutes.", summary["body"])
	assert.EqualValues(t, 1, summary["version"])
	assert.Equal(t, "editor@example.com via token \"tests\"", summary["updated_by"])
	assert.Equal(t, true, pm["can_publish"])
	assert.Equal(t, []any{}, pm["publish_blockers"])

	rec := app.pmPost(inc, "submit")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "in_review", decode(t, rec)["status"])

	rec = app.pmPost(inc, "publish")
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Equal(t, pmURL(inc, "/revisions/1"), rec.Header().Get("Location"))
	assert.JSONEq(t, `{"number":1,"published_at":"2026-11-22T14:32:05.123Z","published_by":"editor@example.com via token \"tests\""}`, rec.Body.String())
	pm = app.pmGet(inc)
	assert.Equal(t, "published", pm["status"])
	assert.EqualValues(t, 1, pm["revisions"])
	assert.Nil(t, pm["due_at"], "nothing is due once published")
	assert.Equal(t, "", pm["due_label"])

	list := app.api(http.MethodGet, pmURL(inc, "/revisions"), "")
	require.Equal(t, http.StatusOK, list.Code)
	assert.JSONEq(t, `{"revisions":[{"number":1,"published_at":"2026-11-22T14:32:05.123Z","published_by":"editor@example.com via token \"tests\""}]}`, list.Body.String())

	rev1 := app.api(http.MethodGet, pmURL(inc, "/revisions/1"), "")
	require.Equal(t, http.StatusOK, rev1.Code, rev1.Body.String())
	r1 := decode(t, rev1)
	md1 := r1["markdown"].(string)
	assert.True(t, strings.HasPrefix(md1, "---\ntitle: Checkout 502s in eu-west-1\n"), "front matter first: %.100s", md1)
	assert.Contains(t, md1, "\npostmortem_status: published\n", "a published revision says so")
	assert.Contains(t, md1, "\nrevision: 1\npublished_at: 2026-11-22T14:32:05Z\n")
	assert.Contains(t, md1, "*Postmortem, revision 1, published 2026-11-22T14:32:05Z*")
	assert.Contains(t, md1, "## Summary\n<!-- debrief:section summary -->\n\nCheckout returned 502s for 40 minutes.\n")
	assert.Contains(t, md1, "| Config pushed to every gateway |")
	assert.Contains(t, md1, "Add a canary stage to config rollouts")

	// The data is the document in the API's own shapes, as it was.
	data := r1["data"].(map[string]any)
	assert.Equal(t, app.getJSON(fmt.Sprintf("/api/v1/incidents/%d", inc)), data["incident"])
	assert.Equal(t, app.getJSON(factorsURL(inc))["factors"], data["factors"])
	assert.Equal(t, app.getJSON(whysURL(inc))["trees"], data["whys"])
	assert.Len(t, data["whys"], 1)
	timeline := make([]any, 0)
	for _, e := range app.timelineJSON(inc) {
		timeline = append(timeline, e)
	}
	assert.Equal(t, timeline, data["timeline"])
	actions := data["actions"].([]any)
	require.Len(t, actions, 1)
	assert.Equal(t, "Add a canary stage to config rollouts", actions[0].(map[string]any)["title"])
	assert.NotContains(t, actions[0], "incident", "the revision is the incident's own")
	snap := data["postmortem"].(map[string]any)
	assert.Equal(t, "published", snap["status"])
	assert.Equal(t, "Checkout returned 502s for 40 minutes.", pmSection(t, snap, "summary")["body"])

	// The export is revision 1, byte for byte.
	md := app.do(http.MethodGet, fmt.Sprintf("/incidents/%d/postmortem.md", inc), "", "")
	require.Equal(t, http.StatusOK, md.Code, md.Body.String())
	assert.Equal(t, md1, md.Body.String())

	// A published revision is not edited in place…
	rec = app.api(http.MethodPut, pmURL(inc, ""), `{"sections":{"summary":{"body":"Sneaky fix.","version":1}}}`)
	body := assertAPIError(t, rec, http.StatusConflict)
	assert.Contains(t, body["error"], "start a new draft")
	rec = app.api(http.MethodPost, pmURL(inc, "/publish"), jsonBody(map[string]any{"version": pm["version"]}))
	assertAPIError(t, rec, http.StatusConflict)

	// …but corrected through a new draft that publishes as revision 2.
	clock.advance(time.Hour)
	rec = app.pmPost(inc, "draft")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	pm = decode(t, rec)
	assert.Equal(t, "draft", pm["status"])
	assert.EqualValues(t, 1, pm["revisions"])
	assert.Nil(t, pm["due_at"], "a correction is not due")
	app.pmWrite(inc, map[string]string{"summary": "Checkout returned 502s for 45 minutes."})
	rec = app.pmPost(inc, "publish")
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.EqualValues(t, 2, decode(t, rec)["number"])
	assert.Equal(t, pmURL(inc, "/revisions/2"), rec.Header().Get("Location"))

	again := app.api(http.MethodGet, pmURL(inc, "/revisions/1"), "")
	assert.Equal(t, rev1.Body.String(), again.Body.String(), "revision 1 never changes")
	r2 := app.getJSON(pmURL(inc, "/revisions/2"))
	assert.Contains(t, r2["markdown"], "Checkout returned 502s for 45 minutes.")
	assert.Contains(t, r2["markdown"], "published 2026-11-22T15:32:05Z")
	list = app.api(http.MethodGet, pmURL(inc, "/revisions"), "")
	assert.Len(t, decode(t, list)["revisions"], 2)

	md = app.do(http.MethodGet, fmt.Sprintf("/incidents/%d/postmortem.md", inc), "", "")
	assert.Equal(t, r2["markdown"], md.Body.String(), "the export is the latest revision")
	md = app.do(http.MethodGet, fmt.Sprintf("/incidents/%d/postmortem.md?revision=1", inc), "", "")
	assert.Equal(t, md1, md.Body.String())

	// The revisions page shows what changed between them.
	page := app.page(fmt.Sprintf("/incidents/%d/postmortem/revisions", inc))
	assert.Contains(t, page, `<span class="diff-del">- Checkout returned 502s for 40 minutes.</span>`)
	assert.Contains(t, page, `<span class="diff-add">+ Checkout returned 502s for 45 minutes.</span>`)
	assert.Contains(t, page, `<span class="diff-add">+ published_at: 2026-11-22T15:32:05Z</span>`)
	assert.NotContains(t, page, `<span class="diff-del">- Config pushed`, "unchanged lines are context, not changes")
	same := app.page(fmt.Sprintf("/incidents/%d/postmortem/revisions?from=2&to=2", inc))
	assert.Contains(t, same, "Revisions 2 and 2 are identical.")
	rec = app.do(http.MethodGet, fmt.Sprintf("/incidents/%d/postmortem/revisions?from=3&to=x", inc), "", "")
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), "must be a revision number from 1 to 2")
}

// ----- the publish gate -----

func TestAPIPostmortemPublishGate(t *testing.T) {
	t.Parallel()
	app, _ := newClockedApp(t)
	ctx := context.Background()
	inc := &model.Incident{Title: "Queue backlog", Severity: "SEV3", Roles: model.Roles{Commander: "Alice"}}
	require.NoError(t, app.store.CreateIncident(ctx, inc, ""))
	pm := app.pmWrite(inc.ID, map[string]string{"trigger": "The outage was caused by human error."})

	all := []string{"incident_open", "no_factor", "empty_summary", "empty_impact", "empty_timeline", "finding"}
	assert.Equal(t, all, reasonCodes(t, pm["publish_blockers"]))
	findings := pm["findings"].([]any)
	require.Len(t, findings, 1)
	finding := findings[0].(map[string]any)
	assert.Equal(t, "section:trigger", finding["source"])
	assert.Equal(t, "Trigger", finding["label"])
	assert.Equal(t, "human error", finding["phrase"])
	assert.Nil(t, finding["acknowledged"])

	rec := app.pmPost(inc.ID, "publish")
	body := assertAPIError(t, rec, http.StatusUnprocessableEntity)
	assert.Equal(t, all, reasonCodes(t, body["reasons"]), "every reason at once")
	assert.Contains(t, body["error"], "6 things to fix")
	assert.Equal(t, pm["publish_blockers"], body["reasons"], "the same reasons the postmortem shows")
	assert.Empty(t, decode(t, app.api(http.MethodGet, pmURL(inc.ID, "/revisions"), ""))["revisions"], "nothing published")

	// An acknowledgement needs a reason…
	rec = app.api(http.MethodPost, pmURL(inc.ID, "/acknowledgements"), jsonBody(map[string]any{"fingerprint": finding["fingerprint"], "reason": "  "}))
	assertAPIError(t, rec, http.StatusUnprocessableEntity, "reason")
	rec = app.api(http.MethodPost, pmURL(inc.ID, "/acknowledgements"), `{"reason":"x"}`)
	assertAPIError(t, rec, http.StatusUnprocessableEntity, "fingerprint")

	// …and clears the finding, keeping the reason.
	const why = "Quoted from the customer's report, not our judgement."
	rec = app.api(http.MethodPost, pmURL(inc.ID, "/acknowledgements"), jsonBody(map[string]any{"fingerprint": finding["fingerprint"], "reason": why}))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	pm = decode(t, rec)
	assert.Equal(t, all[:5], reasonCodes(t, pm["publish_blockers"]))
	ack := pm["findings"].([]any)[0].(map[string]any)["acknowledged"]
	assert.Equal(t, map[string]any{"reason": why, "by": "editor@example.com via token \"tests\"", "at": atT0}, ack)

	page := app.page(fmt.Sprintf("/incidents/%d/postmortem/edit", inc.ID))
	assert.Contains(t, page, "Acknowledged by editor@example.com via token &#34;tests&#34;: Quoted from the customer&#39;s report, not our judgement.")
}

// ----- concurrent edits -----

func TestAPIPostmortemConcurrency(t *testing.T) {
	t.Parallel()
	s := newPMSuite(t)
	s.run("same section", testPMSameSectionConflict)
	s.run("different sections", testPMDifferentSections)
	s.run("stale people", testPMStalePeople)
	s.run("first save of text from the incident", testPMFirstSaveOfSeededText)
	s.run("publish twice at once", testPMPublishRace)
}

func testPMSameSectionConflict(t *testing.T, tc pmCase) {
	editor, admin := tc.app, tc.app.as(model.RoleAdmin)
	editor.pmWrite(tc.inc, map[string]string{"summary": "First draft."})
	// Both read version 1; the editor saves first.
	rec := editor.api(http.MethodPut, pmURL(tc.inc, ""), `{"sections":{"summary":{"body":"Theirs: the editor's text.","version":1}}}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	before := editor.pmGet(tc.inc)

	rec = admin.api(http.MethodPut, pmURL(tc.inc, ""),
		`{"sections":{"summary":{"body":"Yours: the admin's text.","version":1},"impact":{"body":"Written alongside.","version":0}}}`)
	body := assertAPIError(t, rec, http.StatusConflict)
	assert.Contains(t, body["error"], "someone else saved summary meanwhile")
	clashes := body["current"].(map[string]any)["sections"].([]any)
	require.Len(t, clashes, 1, "only the section that clashed")
	clash := clashes[0].(map[string]any)
	assert.Equal(t, "summary", clash["section"])
	assert.Equal(t, "Theirs: the editor's text.", clash["current"].(map[string]any)["body"])
	assert.EqualValues(t, 2, clash["current"].(map[string]any)["version"])
	assert.Equal(t, "Yours: the admin's text.", clash["yours"])
	assert.Equal(t, before, editor.pmGet(tc.inc), "nothing written, not even the section that did not clash")

	// Saved again on the current version, the merge goes through.
	rec = admin.api(http.MethodPut, pmURL(tc.inc, ""), `{"sections":{"summary":{"body":"Merged.","version":2}}}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "Merged.", pmSection(t, decode(t, rec), "summary")["body"])
}

func testPMDifferentSections(t *testing.T, tc pmCase) {
	a := tc.app.api(http.MethodPut, pmURL(tc.inc, ""), `{"sections":{"summary":{"body":"Summary by one.","version":0}}}`)
	require.Equal(t, http.StatusOK, a.Code, a.Body.String())
	b := tc.app.as(model.RoleAdmin).api(http.MethodPut, pmURL(tc.inc, ""), `{"sections":{"impact":{"body":"Impact by another.","version":0}}}`)
	require.Equal(t, http.StatusOK, b.Code, b.Body.String())
	pm := decode(t, b)
	assert.Equal(t, "Summary by one.", pmSection(t, pm, "summary")["body"])
	assert.Equal(t, "Impact by another.", pmSection(t, pm, "impact")["body"])
}

func testPMStalePeople(t *testing.T, tc pmCase) {
	pm := tc.app.pmGet(tc.inc)
	v := intOf(t, pm["version"])
	rec := tc.app.api(http.MethodPut, pmURL(tc.inc, ""), jsonBody(map[string]any{"facilitator": "Zoe", "authors": []string{"Lena"}, "version": v}))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	// A second person still holding the version they read first.
	rec = tc.app.as(model.RoleAdmin).api(http.MethodPut, pmURL(tc.inc, ""), jsonBody(map[string]any{"facilitator": "Yuri", "version": v}))
	assertAPIError(t, rec, http.StatusConflict)
	assert.Equal(t, "Zoe", tc.app.pmGet(tc.inc)["facilitator"], "the first save stands")
}

// testPMFirstSaveOfSeededText: a postmortem nobody wrote yet starts from
// the incident's summary and impact at version 0; saving those, or moving
// the postmortem, on that version 0 is not a clash.
func testPMFirstSaveOfSeededText(t *testing.T, tc pmCase) {
	ctx := context.Background()
	seeded := func() int64 {
		inc := &model.Incident{Title: "Seeded", Severity: "SEV2", Summary: "From the incident.", Impact: "Some checkouts failed."}
		require.NoError(t, tc.app.store.CreateIncident(ctx, inc, ""))
		return inc.ID
	}

	inc := seeded()
	pm := tc.app.pmGet(inc)
	assert.EqualValues(t, 0, pm["version"])
	assert.Equal(t, map[string]any{"body": "From the incident.", "version": 0.0}, map[string]any{
		"body": pmSection(t, pm, "summary")["body"], "version": pmSection(t, pm, "summary")["version"]})
	rec := tc.app.api(http.MethodPut, pmURL(inc, ""), `{"sections":{"summary":{"body":"Rewritten.","version":0}}}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	pm = decode(t, rec)
	assert.Equal(t, "Rewritten.", pmSection(t, pm, "summary")["body"])
	assert.Equal(t, "Some checkouts failed.", pmSection(t, pm, "impact")["body"])
	// A second person who read the seeded text still clashes.
	rec = tc.app.api(http.MethodPut, pmURL(inc, ""), `{"sections":{"summary":{"body":"Also rewritten.","version":0}}}`)
	assertAPIError(t, rec, http.StatusConflict)

	inc = seeded()
	rec = tc.app.api(http.MethodPost, pmURL(inc, "/submit"), `{"version":0}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "in_review", decode(t, rec)["status"])
	rec = tc.app.api(http.MethodPost, pmURL(inc, "/draft"), `{"version":0}`)
	assertAPIError(t, rec, http.StatusConflict)

	inc = seeded()
	rec = tc.app.api(http.MethodPut, pmURL(inc, ""), `{"facilitator":"Zoe","version":0}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rec = tc.app.api(http.MethodPut, pmURL(inc, ""), `{"facilitator":"Yuri","version":0}`)
	assertAPIError(t, rec, http.StatusConflict)
}

func testPMPublishRace(t *testing.T, tc pmCase) {
	tc.app.pmWrite(tc.inc, map[string]string{"summary": "Once.", "impact": "Some."})
	body := jsonBody(map[string]any{"version": tc.app.pmGet(tc.inc)["version"]})
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			codes[i] = tc.app.api(http.MethodPost, pmURL(tc.inc, "/publish"), body).Code
		})
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	assert.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusConflict: n - 1}, count)
	assert.Len(t, decode(t, tc.app.api(http.MethodGet, pmURL(tc.inc, "/revisions"), ""))["revisions"], 1)
}

// ----- people, due dates -----

func TestAPIPostmortemPeopleAndDue(t *testing.T) {
	t.Parallel()
	s := newPMSuite(t)
	s.run("facilitator warning", testPMFacilitatorWarning)
	s.run("due label", testPMDueLabel)
}

func testPMFacilitatorWarning(t *testing.T, tc pmCase) {
	cases := []struct {
		facilitator string
		want        string // in the warning; "" for none
	}{
		{"alice", "alice was incident commander in this incident"},
		{"Bob", "Bob was responder in this incident"},
		{"Zoe", ""},
		{"", ""},
	}
	for _, c := range cases {
		v := tc.app.pmGet(tc.inc)["version"]
		rec := tc.app.api(http.MethodPut, pmURL(tc.inc, ""), jsonBody(map[string]any{"facilitator": c.facilitator, "version": v}))
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		pm := decode(t, rec)
		assert.Equal(t, c.facilitator, pm["facilitator"])
		if c.want == "" {
			assert.Equal(t, "", pm["facilitator_warning"], c.facilitator)
			continue
		}
		assert.Contains(t, pm["facilitator_warning"], c.want)
		assert.Contains(t, pm["facilitator_warning"], "should not run it")
	}
}

func testPMDueLabel(t *testing.T, tc pmCase) {
	steps := []struct {
		advance time.Duration
		label   string
	}{
		{0, "due in 2 d"},
		{47 * time.Hour, "due in 1 h"},
		{50 * time.Minute, "due in 10 min"},
		{3 * time.Hour, "overdue by 2 h"},
		{72 * time.Hour, "overdue by 3 d"},
	}
	for _, s := range steps {
		tc.clock.advance(s.advance)
		pm := tc.app.pmGet(tc.inc)
		assert.Equal(t, s.label, pm["due_label"])
		assert.Equal(t, "2026-11-24T14:32:05.123Z", pm["due_at"])
	}
	tc.app.pmPublish(tc.inc, "Done.", "Some.")
	pm := tc.app.pmGet(tc.inc)
	assert.Nil(t, pm["due_at"])
	assert.Equal(t, "", pm["due_label"])

	open := jsonID(t, tc.app.createIncident(`{"title":"Still open","severity":"SEV3"}`))
	pm = tc.app.pmGet(open)
	assert.Nil(t, pm["due_at"], "nothing is due while the incident is open")
	assert.Equal(t, "", pm["due_label"])
}

// ----- bad input -----

func TestAPIPostmortemBadInput(t *testing.T) {
	t.Parallel()
	s := newPMSuite(t)
	s.run("rejects", testPMRejects)
	s.run("not found", testPMNotFound)
	s.run("viewer is read-only", testPMViewerReadOnly)
}

func testPMRejects(t *testing.T, tc pmCase) {
	long := strings.Repeat("x", model.MaxMarkdownLen+1)
	cases := []struct {
		name, method, path, body string
		field                    string // named in fields
		status                   int
	}{
		{"unknown section", http.MethodPut, "", `{"sections":{"root_cause":{"body":"x","version":0}}}`, "sections.root_cause", 422},
		{"section without version", http.MethodPut, "", `{"sections":{"summary":{"body":"x"}}}`, "sections.summary.version", 422},
		{"section without body", http.MethodPut, "", `{"sections":{"summary":{"version":0}}}`, "sections.summary.body", 422},
		{"body not a string", http.MethodPut, "", `{"sections":{"summary":{"body":5,"version":0}}}`, "sections.summary.body", 422},
		{"version not a number", http.MethodPut, "", `{"sections":{"summary":{"body":"x","version":"1"}}}`, "sections.summary.version", 422},
		{"sections not an object", http.MethodPut, "", `{"sections":["summary"]}`, "sections", 422},
		{"over-long body", http.MethodPut, "", jsonBody(map[string]any{"sections": map[string]any{"summary": map[string]any{"body": long, "version": 0}}}), "sections.summary", 422},
		{"NUL in body", http.MethodPut, "", `{"sections":{"summary":{"body":"a\u0000b","version":0}}}`, "sections.summary", 422},
		{"unknown field", http.MethodPut, "", `{"sections":{},"title":"x"}`, "title", 422},
		{"people without version", http.MethodPut, "", `{"facilitator":"Zoe"}`, "version", 422},
		{"facilitator not a string", http.MethodPut, "", `{"facilitator":1,"version":0}`, "facilitator", 422},
		{"authors not an array", http.MethodPut, "", `{"authors":"Lena","version":0}`, "authors", 422},
		{"over-long name", http.MethodPut, "", jsonBody(map[string]any{"reviewers": []string{strings.Repeat("n", 101)}, "version": 0}), "reviewers", 422},
		{"publish without version", http.MethodPost, "/publish", `{}`, "version", 422},
		{"publish version not a number", http.MethodPost, "/publish", `{"version":"1"}`, "version", 422},
		{"submit without version", http.MethodPost, "/submit", `{}`, "version", 422},
		{"draft with unknown field", http.MethodPost, "/draft", `{"version":0,"status":"published"}`, "status", 422},
		{"fingerprint not a string", http.MethodPost, "/acknowledgements", `{"fingerprint":1,"reason":"x"}`, "fingerprint", 422},
		{"over-long reason", http.MethodPost, "/acknowledgements", jsonBody(map[string]any{"fingerprint": "f", "reason": strings.Repeat("r", 501)}), "reason", 422},
		{"malformed JSON", http.MethodPut, "", `{"sections":`, "", 400},
		{"empty body", http.MethodPost, "/publish", ``, "", 400},
	}
	before := tc.app.pmGet(tc.inc)
	for _, c := range cases {
		rec := tc.app.api(c.method, pmURL(tc.inc, c.path), c.body)
		if c.field == "" {
			assertAPIError(t, rec, c.status)
			continue
		}
		body := assertAPIError(t, rec, c.status, c.field)
		assert.Len(t, body["fields"], 1, "%s: only %s named: %v", c.name, c.field, body["fields"])
	}
	assert.Equal(t, before, tc.app.pmGet(tc.inc), "nothing written")

	rec := tc.app.api(http.MethodPut, pmURL(tc.inc, ""), `{"sections":{"summary":{"body":"x","version":0}}}`)
	require.Equal(t, http.StatusOK, rec.Code, "the same request, well formed, is accepted: %s", rec.Body.String())
	rec = tc.app.api(http.MethodPost, pmURL(tc.inc, "/publish"), `{"version":1}`)
	assertAPIError(t, rec, http.StatusConflict)
}

func testPMNotFound(t *testing.T, tc pmCase) {
	tc.app.pmPublish(tc.inc, "Done.", "Some.")
	missing := tc.inc + 1000
	cases := []struct{ method, path, body string }{
		{http.MethodGet, "/api/v1/incidents/abc/postmortem", ""},
		{http.MethodGet, "/api/v1/incidents/0/postmortem", ""},
		{http.MethodGet, pmURL(missing, ""), ""},
		{http.MethodPut, "/api/v1/incidents/1x/postmortem", `{"sections":{}}`},
		{http.MethodPut, pmURL(missing, ""), `{"sections":{"summary":{"body":"x","version":0}}}`},
		{http.MethodPost, "/api/v1/incidents/abc/postmortem/publish", `{"version":1}`},
		{http.MethodPost, pmURL(missing, "/publish"), `{"version":1}`},
		{http.MethodPost, pmURL(missing, "/submit"), `{"version":0}`},
		{http.MethodPost, pmURL(missing, "/acknowledgements"), `{"fingerprint":"f","reason":"r"}`},
		{http.MethodGet, pmURL(missing, "/revisions"), ""},
		{http.MethodGet, "/api/v1/incidents/abc/postmortem/revisions", ""},
		{http.MethodGet, pmURL(tc.inc, "/revisions/abc"), ""},
		{http.MethodGet, pmURL(tc.inc, "/revisions/0"), ""},
		{http.MethodGet, pmURL(tc.inc, "/revisions/-1"), ""},
		{http.MethodGet, pmURL(tc.inc, "/revisions/2"), ""},
		{http.MethodGet, pmURL(missing, "/revisions/1"), ""},
	}
	for _, c := range cases {
		rec := tc.app.api(c.method, c.path, c.body)
		assert.Equal(t, http.StatusNotFound, rec.Code, "%s %s: %s", c.method, c.path, rec.Body.String())
		assert.Contains(t, rec.Header().Get("Content-Type"), "application/json", c.path)
	}
}

func testPMViewerReadOnly(t *testing.T, tc pmCase) {
	viewer := tc.app.as(model.RoleViewer)
	before := viewer.pmGet(tc.inc)
	writes := []struct{ method, path, body string }{
		{http.MethodPut, "", `{"sections":{"summary":{"body":"x","version":0}}}`},
		{http.MethodPost, "/submit", `{"version":0}`},
		{http.MethodPost, "/draft", `{"version":0}`},
		{http.MethodPost, "/publish", `{"version":0}`},
		{http.MethodPost, "/acknowledgements", `{"fingerprint":"f","reason":"r"}`},
	}
	for _, w := range writes {
		rec := viewer.api(w.method, pmURL(tc.inc, w.path), w.body)
		assertAPIError(t, rec, http.StatusForbidden)
	}
	assert.Equal(t, before, viewer.pmGet(tc.inc), "nothing written")
	rec := viewer.api(http.MethodGet, pmURL(tc.inc, "/revisions"), "")
	assert.Equal(t, http.StatusOK, rec.Code)
}

func TestAPIAcknowledgeOnlyCurrentFindings(t *testing.T) {
	s := newPMSuite(t)
	s.run("a fingerprint of no current finding is refused", func(t *testing.T, tc pmCase) {
		app := tc.app.as(model.RoleEditor)
		path := fmt.Sprintf("/api/v1/incidents/%d/postmortem/acknowledgements", tc.inc)
		rec := app.api(http.MethodPost, path, `{"fingerprint":"section:summary|blame|made up","reason":"x"}`)
		require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
		assert.Contains(t, decode(t, rec)["fields"], "fingerprint")
		doc, err := app.store.Document(context.Background(), tc.inc)
		require.NoError(t, err)
		assert.Empty(t, doc.Acks, "nothing stored")
	})
}
