package web

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

// Tests of the analysis API: contributing factors, whys trees and action
// items. Each top-level test builds one app and runs small subtests on it,
// each on an incident of its own (see analysisSuite).

// atT0 is handlerT0 as the API writes it.
const atT0 = "2026-11-22T14:32:05.123Z"

// ----- helpers -----

func factorsURL(incident int64) string { return fmt.Sprintf("/api/v1/incidents/%d/factors", incident) }
func whysURL(incident int64) string    { return fmt.Sprintf("/api/v1/incidents/%d/whys", incident) }
func actionsURL(incident int64) string { return fmt.Sprintf("/api/v1/incidents/%d/actions", incident) }

// itemURL is the URL of record id in a collection.
func itemURL(collection string, id int64) string { return fmt.Sprintf("%s/%d", collection, id) }

// analysisSuite shares one app between the subtests of a test, since
// building an app is most of a small test's time. Every subtest gets the
// app bound to its own t, the clock back at handlerT0 and a new incident,
// so none sees another's records.
type analysisSuite struct {
	t     *testing.T
	app   *testApp
	clock *testClock
}

// analysisCase is what one subtest works with.
type analysisCase struct {
	app   *testApp
	clock *testClock
	inc   int64 // SEV2 (items due in four weeks by default), on checkout, Alice in command
}

func newAnalysisSuite(t *testing.T) *analysisSuite {
	t.Helper()
	app, clock := newClockedApp(t)
	return &analysisSuite{t: t, app: app, clock: clock}
}

// run runs fn as a subtest on a new incident.
func (s *analysisSuite) run(name string, fn func(t *testing.T, tc analysisCase)) {
	s.t.Run(name, func(t *testing.T) {
		setClock(s.clock, handlerT0)
		app := s.app.on(t)
		fn(t, analysisCase{app: app, clock: s.clock, inc: app.analysisIncident("Checkout 500s", "SEV2", "checkout")})
	})
}

// on returns the app reporting to t.
func (a *testApp) on(t *testing.T) *testApp {
	b := *a
	b.t = t
	return &b
}

// analysisIncident declares an incident with Alice in command.
func (a *testApp) analysisIncident(title, severity, service string) int64 {
	a.t.Helper()
	return jsonID(a.t, a.createIncident(jsonBody(map[string]any{
		"title": title, "severity": severity, "services": []string{service}, "roles": map[string]any{"commander": "Alice"},
	})))
}

// jsonBody encodes v as a request body.
func jsonBody(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// created POSTs body to target, requires 201 and returns the record.
func (a *testApp) created(target, body string) map[string]any {
	a.t.Helper()
	rec := a.api(http.MethodPost, target, body)
	require.Equal(a.t, http.StatusCreated, rec.Code, "POST %s: %s", target, rec.Body.String())
	return decode(a.t, rec)
}

// patched PATCHes body to target, requires 200 and returns the record.
func (a *testApp) patched(target, body string) map[string]any {
	a.t.Helper()
	rec := a.api(http.MethodPatch, target, body)
	require.Equal(a.t, http.StatusOK, rec.Code, "PATCH %s: %s", target, rec.Body.String())
	return decode(a.t, rec)
}

// addFactor adds a latent-condition factor and returns its id.
func (a *testApp) addFactor(incident int64, title string) int64 {
	a.t.Helper()
	return jsonID(a.t, a.created(factorsURL(incident), jsonBody(map[string]any{"title": title, "category": "change"})))
}

// addWhy adds a why node under parent (0: a new root) and returns its id.
func (a *testApp) addWhy(incident int64, text string, parent int64) int64 {
	a.t.Helper()
	body := map[string]any{"text": text, "parent_id": nil}
	if parent != 0 {
		body["parent_id"] = parent
	}
	return jsonID(a.t, a.created(whysURL(incident), jsonBody(body)))
}

// actionBody is a valid new action item with extra JSON members appended
// (each after a comma).
func actionBody(extra string) string {
	m := map[string]any{"title": "Add a canary stage", "owner": "Bob", "due_date": "2026-12-01", "type": "prevent"}
	var more map[string]any // extra replaces a default: a key given twice is refused
	if err := json.Unmarshal([]byte("{"+strings.TrimPrefix(extra, ",")+"}"), &more); err != nil {
		panic(err)
	}
	maps.Copy(m, more)
	b, _ := json.Marshal(m)
	return string(b)
}

// addAction adds an action item and returns its id.
func (a *testApp) addAction(incident int64, extra string) int64 {
	a.t.Helper()
	return jsonID(a.t, a.created(actionsURL(incident), actionBody(extra)))
}

// storeWhy adds a node straight through the store, to build big trees fast.
func (a *testApp) storeWhy(incident int64, parent *int64) int64 {
	a.t.Helper()
	n := &model.WhyNode{IncidentID: incident, ParentID: parent, Text: "Because of the layer below"}
	require.NoError(a.t, a.store.CreateWhy(context.Background(), n, nil))
	return n.ID
}

// analysisState is an incident's factors, whys and action items as the
// API shows them, so a test can prove a refused request changed nothing.
func (a *testApp) analysisState(incident int64) string {
	a.t.Helper()
	var b strings.Builder
	for _, u := range []string{factorsURL(incident), whysURL(incident), actionsURL(incident)} {
		rec := a.api(http.MethodGet, u, "")
		require.Equal(a.t, http.StatusOK, rec.Code, rec.Body.String())
		b.WriteString(rec.Body.String())
	}
	return b.String()
}

// outline writes whys trees compactly by text: "A(B(C),D) E".
func outline(trees any) string {
	var parts []string
	for _, n := range trees.([]any) {
		node := n.(map[string]any)
		s := node["text"].(string)
		if kids := node["children"].([]any); len(kids) > 0 {
			s += "(" + strings.ReplaceAll(outline(kids), " ", ",") + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// int64s reads a JSON array of ids.
func int64s(t *testing.T, v any) []int64 {
	t.Helper()
	raw, ok := v.([]any)
	require.True(t, ok, "not an array: %#v", v)
	out := make([]int64, len(raw))
	for i, x := range raw {
		out[i] = int64(x.(float64))
	}
	return out
}

// listTitles returns the titles of the records in m[key].
func listTitles(t *testing.T, m map[string]any, key string) []string {
	t.Helper()
	raw, ok := m[key].([]any)
	require.True(t, ok, "no %s array in %v", key, m)
	out := []string{}
	for _, r := range raw {
		out = append(out, r.(map[string]any)["title"].(string))
	}
	return out
}

// findingRules lists the rules of a record's findings.
func findingRules(t *testing.T, m map[string]any) []string {
	t.Helper()
	raw, ok := m["findings"].([]any)
	require.True(t, ok, "no findings array in %v", m)
	out := []string{}
	for _, f := range raw {
		out = append(out, f.(map[string]any)["rule"].(string))
	}
	return out
}

// setClock moves the test clock to t.
func setClock(c *testClock, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// wantWhy is the API form of a why node created at handlerT0 and never
// changed, without a factor.
func wantWhy(inc, id int64, parent, text string, position, depth int, keepAsking bool, actionIDs, children string) string {
	return fmt.Sprintf(`{"id":%d,"incident_id":%d,"parent_id":%s,"factor_id":null,"text":%q,"position":%d,"depth":%d,
		"keep_asking_why":%t,"action_ids":%s,"findings":[],"children":%s,"created_at":%q,"updated_at":%q,"version":1}`,
		id, inc, parent, text, position, depth, keepAsking, actionIDs, children, atT0, atT0)
}

// ----- factor categories and contributing factors -----

func TestAPIFactors(t *testing.T) {
	t.Parallel()
	s := newAnalysisSuite(t)
	s.run("categories", testFactorCategories)
	s.run("empty lists are arrays", testEmptyAnalysisListsAreArrays)
	s.run("create, read, update, delete", testFactorCRUD)
	s.run("bad input", testFactorRejects)
	s.run("delete keeps linked items", testFactorDeleteKeepsLinkedItems)
}

func testFactorCategories(t *testing.T, tc analysisCase) {
	app := tc.app.as(model.RoleViewer)
	m := app.getJSON("/api/v1/factor-categories")
	cats, ok := m["categories"].([]any)
	require.True(t, ok, "categories is an array: %v", m)
	require.Len(t, cats, 12)
	assert.Equal(t, map[string]any{"name": "change", "description": "A deploy, rollout, migration or other change to a running system.", "position": float64(1)}, cats[0])
	names := make([]string, len(cats))
	for i, cat := range cats {
		names[i] = cat.(map[string]any)["name"].(string)
		assert.EqualValues(t, i+1, cat.(map[string]any)["position"])
	}
	assert.Equal(t, []string{"change", "configuration", "code defect", "capacity", "dependency", "monitoring gap", "testing gap",
		"process", "runbook/documentation", "communication", "hardware/infrastructure", "other"}, names)
}

func testEmptyAnalysisListsAreArrays(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	assert.JSONEq(t, `{"factors":[]}`, app.api(http.MethodGet, factorsURL(inc), "").Body.String())
	assert.JSONEq(t, `{"trees":[],"count":0}`, app.api(http.MethodGet, whysURL(inc), "").Body.String())
	assert.JSONEq(t, `{"actions":[]}`, app.api(http.MethodGet, actionsURL(inc), "").Body.String())
	assert.JSONEq(t, `{"actions":[],"total":0,"limit":50,"offset":0}`, app.api(http.MethodGet, fmt.Sprintf("/api/v1/actions?incident=%d", inc), "").Body.String())
}

func testFactorCRUD(t *testing.T, tc analysisCase) {
	app, clock, inc := tc.app, tc.clock, tc.inc
	rec := app.api(http.MethodPost, factorsURL(inc), `{"title":"Config rollout has  no canary stage",
		"description":"A bad value reaches **every** host at once.","category":"Change","is_trigger":true}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	id := jsonID(t, decode(t, rec))
	first := itemURL(factorsURL(inc), id)
	assert.Equal(t, first, rec.Header().Get("Location"))
	trigger := fmt.Sprintf(`{"id":%d,"incident_id":%d,"title":"Config rollout has no canary stage",
		"description":"A bad value reaches **every** host at once.","category":"change","is_trigger":true,"kind":"trigger",
		"position":0,"findings":[],"created_at":"2026-11-22T14:32:05.123Z","updated_at":"2026-11-22T14:32:05.123Z","version":1}`, id, inc)
	assert.JSONEq(t, trigger, rec.Body.String())
	assert.JSONEq(t, trigger, app.api(http.MethodGet, first, "").Body.String(), "GET returns what POST returned")

	latent := app.created(factorsURL(inc), `{"title":"Alert threshold too high"}`)
	second := itemURL(factorsURL(inc), jsonID(t, latent))
	assert.Equal(t, "other", latent["category"], "the default category")
	assert.Equal(t, false, latent["is_trigger"])
	assert.Equal(t, "latent", latent["kind"])
	assert.EqualValues(t, 1, latent["position"])
	assert.Equal(t, []string{"Config rollout has no canary stage", "Alert threshold too high"}, listTitles(t, app.getJSON(factorsURL(inc)), "factors"))

	clock.advance(time.Minute)
	moved := app.patched(second, `{"version":1,"position":0,"category":"monitoring gap","description":"Paged after 20 minutes."}`)
	assert.EqualValues(t, 0, moved["position"])
	assert.Equal(t, "monitoring gap", moved["category"])
	assert.Equal(t, "Paged after 20 minutes.", moved["description"])
	assert.Equal(t, "Alert threshold too high", moved["title"], "an absent field is untouched")
	assert.EqualValues(t, 2, moved["version"])
	assert.Equal(t, atT0, moved["created_at"])
	assert.Equal(t, "2026-11-22T14:33:05.123Z", moved["updated_at"])
	assert.Equal(t, moved, app.getJSON(second), "the change is stored")
	assert.Equal(t, []string{"Alert threshold too high", "Config rollout has no canary stage"}, listTitles(t, app.getJSON(factorsURL(inc)), "factors"))

	rec = app.api(http.MethodDelete, app.current(first), "")
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	assert.Empty(t, rec.Body.String())
	assertAPIError(t, app.api(http.MethodGet, first, ""), http.StatusNotFound)
	assert.Equal(t, []string{"Alert threshold too high"}, listTitles(t, app.getJSON(factorsURL(inc)), "factors"))
}

func testFactorRejects(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	app.created(factorsURL(inc), `{"title":"Config pushed to all hosts at once","is_trigger":true}`)
	latent := app.addFactor(inc, "No config validation")
	before := app.analysisState(inc)

	tests := []struct {
		name, method, target, body, field string
	}{
		{"no title", http.MethodPost, factorsURL(inc), `{"category":"change"}`, "title"},
		{"blank title", http.MethodPost, factorsURL(inc), `{"title":"   "}`, "title"},
		{"long title", http.MethodPost, factorsURL(inc), jsonBody(map[string]any{"title": strings.Repeat("x", 201)}), "title"},
		{"unknown category", http.MethodPost, factorsURL(inc), `{"title":"x","category":"astrology"}`, "category"},
		{"second trigger", http.MethodPost, factorsURL(inc), `{"title":"x","is_trigger":true}`, "is_trigger"},
		{"NUL in description", http.MethodPost, factorsURL(inc), `{"title":"x","description":"a\u0000b"}`, "description"},
		{"patch to blank title", http.MethodPatch, itemURL(factorsURL(inc), latent), `{"version":1,"title":""}`, "title"},
		{"patch to unknown category", http.MethodPatch, itemURL(factorsURL(inc), latent), `{"version":1,"category":"nope"}`, "category"},
		{"patch to second trigger", http.MethodPatch, itemURL(factorsURL(inc), latent), `{"version":1,"is_trigger":true}`, "is_trigger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertAPIError(t, app.api(tt.method, tt.target, tt.body), http.StatusUnprocessableEntity, tt.field)
			assert.Equal(t, before, app.analysisState(inc))
		})
	}
}

func testFactorDeleteKeepsLinkedItems(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	factor := app.addFactor(inc, "No canary stage")
	keep := app.addFactor(inc, "No config validation")
	why := app.addWhy(inc, "Because the config reached every host", 0)
	app.patched(itemURL(whysURL(inc), why), fmt.Sprintf(`{"version":1,"factor_id":%d}`, factor))
	action := app.addAction(inc, fmt.Sprintf(`,"factor_ids":[%d,%d],"why_ids":[%d]`, factor, keep, why))

	rec := app.api(http.MethodDelete, itemURL(factorsURL(inc), factor)+"?version=1", "")
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())

	item := app.getJSON(itemURL(actionsURL(inc), action))
	assert.Equal(t, []int64{keep}, int64s(t, item["factor_ids"]), "only the link goes")
	assert.Equal(t, []int64{why}, int64s(t, item["why_ids"]))
	node := app.getJSON(itemURL(whysURL(inc), why))
	assert.Nil(t, node["factor_id"], "the node stays, unlinked")
	assert.Equal(t, []int64{action}, int64s(t, node["action_ids"]))
	assert.Equal(t, []string{"No config validation"}, listTitles(t, app.getJSON(factorsURL(inc)), "factors"))
}

// ----- whys -----

func TestAPIWhys(t *testing.T) {
	t.Parallel()
	s := newAnalysisSuite(t)
	s.run("tree shape", testWhyTreeShape)
	s.run("a change answers the node in its tree", testWhyChangeAnswersNodeInTree)
	s.run("move", testWhyMove)
	s.run("bad moves and links", testWhyRejectsBadMoves)
	s.run("depth limit", testWhyDepthLimit)
	s.run("node limit", testWhyNodeLimit)
	s.run("delete removes the subtree", testWhyDeleteRemovesSubtree)
	s.run("promote", testWhyPromote)
	s.run("promote refused", testWhyPromoteRejects)
}

func testWhyTreeShape(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	rec := app.api(http.MethodPost, whysURL(inc), `{"text":"Checkout returned 500s","parent_id":null}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	root := jsonID(t, decode(t, rec))
	assert.Equal(t, itemURL(whysURL(inc), root), rec.Header().Get("Location"))
	assert.JSONEq(t, wantWhy(inc, root, "null", "Checkout returned 500s", 0, 0, true, "[]", "[]"), rec.Body.String())

	child := app.addWhy(inc, "Because the payments config was invalid", root)
	grand := app.addWhy(inc, "Because the rollout skipped validation", child)
	second := app.addWhy(inc, "Alerts fired late", 0)
	action := app.addAction(inc, fmt.Sprintf(`,"why_ids":[%d]`, grand))

	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	grandJSON := wantWhy(inc, grand, id(child), "Because the rollout skipped validation", 0, 2, true, "["+id(action)+"]", "[]")
	childJSON := wantWhy(inc, child, id(root), "Because the payments config was invalid", 0, 1, false, "[]", "["+grandJSON+"]")
	want := fmt.Sprintf(`{"count":4,"trees":[%s,%s]}`,
		wantWhy(inc, root, "null", "Checkout returned 500s", 0, 0, false, "[]", "["+childJSON+"]"),
		wantWhy(inc, second, "null", "Alerts fired late", 1, 0, true, "[]", "[]"))
	assert.JSONEq(t, want, app.api(http.MethodGet, whysURL(inc), "").Body.String())
	assert.JSONEq(t, childJSON, app.api(http.MethodGet, itemURL(whysURL(inc), child), "").Body.String(), "one node comes with its subtree")
}

// A node written alone is answered as it sits in its tree: its depth, its
// children and the hint, not those of a lone root.
func testWhyChangeAnswersNodeInTree(t *testing.T, tc analysisCase) {
	app, clock, inc := tc.app, tc.clock, tc.inc
	root := app.addWhy(inc, "Checkout returned 500s", 0)
	child := app.addWhy(inc, "Because the config was invalid", root)

	grand := app.created(whysURL(inc), fmt.Sprintf(`{"text":"Because nothing validated it","parent_id":%d}`, child))
	assert.EqualValues(t, 2, grand["depth"])
	assert.Equal(t, true, grand["keep_asking_why"], "two whys asked on this branch: keep asking")
	assert.Equal(t, grand, app.getJSON(itemURL(whysURL(inc), jsonID(t, grand))), "POST answers what GET shows")
	deepest := app.created(whysURL(inc), fmt.Sprintf(`{"text":"Because the schema is optional","parent_id":%d}`, jsonID(t, grand)))
	assert.EqualValues(t, 3, deepest["depth"])
	assert.Equal(t, false, deepest["keep_asking_why"], "three whys asked: the hint stops")

	clock.advance(time.Minute)
	edited := app.patched(itemURL(whysURL(inc), child), `{"version":1,"text":"Because the config had an unknown key"}`)
	assert.EqualValues(t, 1, edited["depth"])
	assert.Len(t, edited["children"], 1, "the node keeps its answers")
	assert.Equal(t, false, edited["keep_asking_why"])
	assert.Equal(t, edited, app.getJSON(itemURL(whysURL(inc), child)), "PATCH answers what GET shows")
}

func testWhyMove(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	a := app.addWhy(inc, "A", 0)
	b := app.addWhy(inc, "B", a)
	c := app.addWhy(inc, "C", b)
	d := app.addWhy(inc, "D", 0)
	tree := func() string { return outline(app.getJSON(whysURL(inc))["trees"]) }
	require.Equal(t, "A(B(C)) D", tree())

	n := app.patched(itemURL(whysURL(inc), c), `{"version":1,"parent_id":null}`)
	assert.Nil(t, n["parent_id"], "null makes the node a root")
	assert.EqualValues(t, 2, n["position"], "at the end of the roots")
	assert.EqualValues(t, 0, n["depth"])
	assert.Equal(t, "A(B) D C", tree())

	n = app.patched(itemURL(whysURL(inc), c), fmt.Sprintf(`{"version":2,"parent_id":%d,"position":0}`, a))
	assert.EqualValues(t, a, n["parent_id"])
	assert.Equal(t, "A(C,B) D", tree())

	n = app.patched(itemURL(whysURL(inc), b), `{"version":1,"text":"B2"}`)
	assert.EqualValues(t, a, n["parent_id"], "an absent parent_id leaves the node where it is")
	assert.Equal(t, "A(C,B2) D", tree())

	app.patched(itemURL(whysURL(inc), d), `{"version":1,"position":0}`)
	assert.Equal(t, "D A(C,B2)", tree())

	// Moving a node takes its answers along.
	app.patched(itemURL(whysURL(inc), a), fmt.Sprintf(`{"version":1,"parent_id":%d}`, d))
	assert.Equal(t, "D(A(C,B2))", tree())

	// A new node can be placed among its siblings.
	e := app.created(whysURL(inc), fmt.Sprintf(`{"text":"E","parent_id":%d,"position":0}`, a))
	assert.EqualValues(t, 0, e["position"])
	assert.Equal(t, "D(A(E,C,B2))", tree())
	assert.EqualValues(t, 5, app.getJSON(whysURL(inc))["count"])
}

func testWhyRejectsBadMoves(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	a := app.addWhy(inc, "A", 0)
	b := app.addWhy(inc, "B", a)
	c := app.addWhy(inc, "C", b)
	other := app.analysisIncident("Search slow", "SEV3", "search")
	x := app.addWhy(other, "X", 0)
	foreignFactor := app.addFactor(other, "Index too big")
	before, beforeOther := app.analysisState(inc), app.analysisState(other)

	node := func(id int64) string { return itemURL(whysURL(inc), id) }
	tests := []struct {
		name, method, target, body, field, reason string
	}{
		{"under itself", http.MethodPatch, node(a), fmt.Sprintf(`{"version":1,"parent_id":%d}`, a), "parent_id", "cycle"},
		{"under its child", http.MethodPatch, node(a), fmt.Sprintf(`{"version":1,"parent_id":%d}`, b), "parent_id", "cycle"},
		{"under its grandchild", http.MethodPatch, node(a), fmt.Sprintf(`{"version":1,"parent_id":%d}`, c), "parent_id", "cycle"},
		{"cycle and text together", http.MethodPatch, node(b), fmt.Sprintf(`{"version":1,"text":"B2","parent_id":%d}`, c), "parent_id", "cycle"},
		{"under a node of another incident", http.MethodPatch, node(b), fmt.Sprintf(`{"version":1,"parent_id":%d}`, x), "parent_id", "this incident"},
		{"under no node", http.MethodPatch, node(b), `{"version":1,"parent_id":999}`, "parent_id", "this incident"},
		{"factor of another incident", http.MethodPatch, node(b), fmt.Sprintf(`{"version":1,"factor_id":%d}`, foreignFactor), "factor_id", "this incident"},
		{"new node under another incident's", http.MethodPost, whysURL(inc), fmt.Sprintf(`{"text":"Y","parent_id":%d}`, x), "parent_id", "this incident"},
		{"new node with another incident's factor", http.MethodPost, whysURL(inc), fmt.Sprintf(`{"text":"Y","factor_id":%d}`, foreignFactor), "factor_id", "this incident"},
		{"zero parent", http.MethodPost, whysURL(inc), `{"text":"Y","parent_id":0}`, "parent_id", "positive"},
		{"no text", http.MethodPost, whysURL(inc), `{"parent_id":null}`, "text", "required"},
		{"blank text", http.MethodPatch, node(b), `{"version":1,"text":"  "}`, "text", "required"},
		{"long text", http.MethodPost, whysURL(inc), jsonBody(map[string]any{"text": strings.Repeat("x", model.MaxWhyTextLen+1)}), "text", "1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := assertAPIError(t, app.api(tt.method, tt.target, tt.body), http.StatusUnprocessableEntity, tt.field)
			assert.Contains(t, fieldReason(m, tt.field), tt.reason)
			assert.Equal(t, before, app.analysisState(inc), "the tree is unchanged")
			assert.Equal(t, beforeOther, app.analysisState(other))
		})
	}
}

func testWhyDepthLimit(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	chain := make([]int64, model.MaxWhyDepth)
	for i := range chain {
		var parent *int64
		if i > 0 {
			parent = &chain[i-1]
		}
		chain[i] = app.storeWhy(inc, parent)
	}
	r := app.addWhy(inc, "R", 0)
	s := app.addWhy(inc, "S", r)
	before := app.analysisState(inc)

	// A 21st level, by adding or by moving a two-level branch under level 19.
	rec := app.api(http.MethodPost, whysURL(inc), fmt.Sprintf(`{"text":"Too deep","parent_id":%d}`, chain[19]))
	m := assertAPIError(t, rec, http.StatusUnprocessableEntity, "parent_id")
	assert.Contains(t, fieldReason(m, "parent_id"), "at most 20 levels")
	rec = app.api(http.MethodPatch, itemURL(whysURL(inc), r), fmt.Sprintf(`{"version":1,"parent_id":%d}`, chain[18]))
	m = assertAPIError(t, rec, http.StatusUnprocessableEntity, "parent_id")
	assert.Contains(t, fieldReason(m, "parent_id"), "at most 20 levels")
	assert.Equal(t, before, app.analysisState(inc), "the trees are unchanged")

	// Level 20 itself is allowed.
	leaf := app.created(whysURL(inc), fmt.Sprintf(`{"text":"Deep enough","parent_id":%d}`, chain[18]))
	assert.EqualValues(t, 19, leaf["depth"])
	moved := app.patched(itemURL(whysURL(inc), r), fmt.Sprintf(`{"version":1,"parent_id":%d}`, chain[17]))
	assert.EqualValues(t, 18, moved["depth"])
	assert.EqualValues(t, 19, moved["children"].([]any)[0].(map[string]any)["depth"])
	assert.EqualValues(t, s, jsonID(t, moved["children"].([]any)[0].(map[string]any)))
}

func testWhyNodeLimit(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	root := app.storeWhy(inc, nil)
	for range model.MaxWhyNodes - 2 {
		app.storeWhy(inc, &root)
	}
	app.addWhy(inc, "The 500th", root)
	before := app.analysisState(inc)

	for _, parent := range []string{"null", strconv.FormatInt(root, 10)} {
		rec := app.api(http.MethodPost, whysURL(inc), `{"text":"The 501st","parent_id":`+parent+`}`)
		m := assertAPIError(t, rec, http.StatusUnprocessableEntity, "incident")
		assert.Contains(t, fieldReason(m, "incident"), "at most 500 why nodes")
	}
	assert.Equal(t, before, app.analysisState(inc))
	assert.EqualValues(t, 500, app.getJSON(whysURL(inc))["count"])

	// The limit is per incident.
	other := app.analysisIncident("Search slow", "SEV3", "search")
	app.addWhy(other, "Search timed out", 0)
}

func testWhyDeleteRemovesSubtree(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	a := app.addWhy(inc, "A", 0)
	b := app.addWhy(inc, "B", a)
	c := app.addWhy(inc, "C", b)
	app.addWhy(inc, "D", a)
	action := app.addAction(inc, fmt.Sprintf(`,"why_ids":[%d,%d]`, a, c))

	rec := app.api(http.MethodDelete, app.current(itemURL(whysURL(inc), b)), "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.JSONEq(t, `{"deleted":2}`, rec.Body.String())

	m := app.getJSON(whysURL(inc))
	assert.Equal(t, "A(D)", outline(m["trees"]))
	assert.EqualValues(t, 2, m["count"])
	d := m["trees"].([]any)[0].(map[string]any)["children"].([]any)[0].(map[string]any)
	assert.EqualValues(t, 0, d["position"], "the gap is closed")
	for _, id := range []int64{b, c} {
		assertAPIError(t, app.api(http.MethodGet, itemURL(whysURL(inc), id), ""), http.StatusNotFound)
	}
	item := app.getJSON(itemURL(actionsURL(inc), action))
	assert.Equal(t, []int64{a}, int64s(t, item["why_ids"]), "the action item stays, without the deleted link")
}

func testWhyPromote(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	root := app.addWhy(inc, "Checkout returned 500s", 0)
	why := app.addWhy(inc, "because the config loader accepts unknown keys\nSee the loader's docs.", root)
	action := app.addAction(inc, fmt.Sprintf(`,"why_ids":[%d]`, why))

	rec := app.api(http.MethodPost, itemURL(whysURL(inc), why)+"/promote", `{"version":1,"category":"configuration"}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	m := decode(t, rec)
	factor := m["factor"].(map[string]any)
	factorID := jsonID(t, factor)
	assert.Equal(t, itemURL(factorsURL(inc), factorID), rec.Header().Get("Location"))
	assert.Equal(t, "The config loader accepts unknown keys", factor["title"], "the first line, without its because")
	assert.Equal(t, "configuration", factor["category"])
	assert.Equal(t, "latent", factor["kind"])
	assert.EqualValues(t, 1, factor["version"])
	assert.Equal(t, factor, app.getJSON(itemURL(factorsURL(inc), factorID)))

	node := m["why"].(map[string]any)
	assert.EqualValues(t, factorID, node["factor_id"])
	assert.EqualValues(t, 2, node["version"])
	assert.EqualValues(t, 1, node["depth"])
	assert.Equal(t, []int64{action}, int64s(t, node["action_ids"]))
	assert.Equal(t, node, app.getJSON(itemURL(whysURL(inc), why)))

	// Unlinking the node keeps the factor.
	node = app.patched(itemURL(whysURL(inc), why), `{"version":2,"factor_id":null}`)
	assert.Nil(t, node["factor_id"])
	assert.Equal(t, factor, app.getJSON(itemURL(factorsURL(inc), factorID)))

	// A title and category of one's own; a text that starts beyond ASCII.
	other := app.addWhy(inc, "über-strict rate limits on the payments API", root)
	m = app.created(itemURL(whysURL(inc), other)+"/promote", `{"version":1,"title":"Rate limits","category":"dependency","is_trigger":true}`)
	assert.Equal(t, "Rate limits", m["factor"].(map[string]any)["title"])
	assert.Equal(t, "trigger", m["factor"].(map[string]any)["kind"])
	third := app.addWhy(inc, "élan of the release train", root)
	m = app.created(itemURL(whysURL(inc), third)+"/promote", `{"version":1}`)
	assert.Equal(t, "Élan of the release train", m["factor"].(map[string]any)["title"])
	assert.Equal(t, "other", m["factor"].(map[string]any)["category"])
}

func testWhyPromoteRejects(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	app.created(factorsURL(inc), `{"title":"Config pushed everywhere","is_trigger":true}`)
	why := app.addWhy(inc, "Because the loader accepts unknown keys", 0)
	app.patched(itemURL(whysURL(inc), why), `{"version":1,"text":"Because the loader accepts any key"}`)
	before := app.analysisState(inc)
	promote := itemURL(whysURL(inc), why) + "/promote"

	tests := []struct {
		name, body string
		status     int
		field      string
	}{
		{"no version", `{"category":"process"}`, http.StatusUnprocessableEntity, "version"},
		{"unknown category", `{"version":2,"category":"astrology"}`, http.StatusUnprocessableEntity, "category"},
		{"second trigger", `{"version":2,"is_trigger":true}`, http.StatusUnprocessableEntity, "is_trigger"},
		{"blank title", `{"version":2,"title":" "}`, http.StatusUnprocessableEntity, "title"},
		{"unknown field", `{"version":2,"parent_id":null}`, http.StatusUnprocessableEntity, "parent_id"},
		{"stale version", `{"version":1,"category":"process"}`, http.StatusConflict, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fields []string
			if tt.field != "" {
				fields = append(fields, tt.field)
			}
			m := assertAPIError(t, app.api(http.MethodPost, promote, tt.body), tt.status, fields...)
			if tt.status == http.StatusConflict {
				assert.Equal(t, app.getJSON(itemURL(whysURL(inc), why)), m["current"])
			}
			assert.Equal(t, before, app.analysisState(inc), "no factor is created and the node is unchanged")
		})
	}
}

// factorTitle makes the default title of a promoted why.
func TestFactorTitle(t *testing.T) {
	long := strings.Repeat("é", model.MaxTitleLen+5)
	tests := []struct{ text, want string }{
		{"The loader accepts unknown keys", "The loader accepts unknown keys"},
		{"because the loader accepts unknown keys", "The loader accepts unknown keys"},
		{"  Because  retries had no jitter\nmore detail", "Retries had no jitter"},
		{"becausewhy", "Becausewhy"},
		{"über-strict limits", "Über-strict limits"},
		{"ñandú", "Ñandú"},
		{"日本語のテキスト", "日本語のテキスト"},
		{long, "É" + strings.Repeat("é", model.MaxTitleLen-2) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := factorTitle(tt.text)
			assert.Equal(t, tt.want, got)
			f := model.Factor{Title: got, Category: "other"}
			assert.NoError(t, f.Validate(), "the title is a valid factor title")
		})
	}
}

// ----- action items -----

func TestAPIActions(t *testing.T) {
	t.Parallel()
	s := newAnalysisSuite(t)
	s.run("create, read, update, delete", testActionCRUD)
	s.run("defaults", testActionCreateDefaults)
	s.run("default due date per severity", testActionDueDateDefaultPerSeverity)
	s.run("bad new items", testActionCreateRejects)
	s.run("bad changes", testActionPatchRejects)
	s.run("sorted by due date then priority", testActionsSortedByDueDateThenPriority)
	s.run("overdue at the UTC day boundary", testActionOverdueAtUTCDayBoundary)
}

func testActionCRUD(t *testing.T, tc analysisCase) {
	app, clock, inc := tc.app, tc.clock, tc.inc
	factor := app.addFactor(inc, "No canary stage")
	why := app.addWhy(inc, "Because the config reached every host", 0)

	rec := app.api(http.MethodPost, actionsURL(inc), actionBody(fmt.Sprintf(`,"description":"Stage 1%% of hosts first.",
		"priority":"high","tracker_url":"https://tracker.example.com/T-1","factor_ids":[%d],"why_ids":[%d,%d]`, factor, why, why)))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	id := jsonID(t, decode(t, rec))
	url := itemURL(actionsURL(inc), id)
	assert.Equal(t, url, rec.Header().Get("Location"))
	want := fmt.Sprintf(`{"id":%d,"incident_id":%d,"incident":{"id":%d,"title":"Checkout 500s","severity":"SEV2","services":["checkout"]},
		"title":"Add a canary stage","description":"Stage 1%% of hosts first.","owner":"Bob","due_date":"2026-12-01",
		"overdue":false,"type":"prevent","priority":"high","status":"open","closure_note":"","evidence_url":"","rationale":"",
		"tracker_url":"https://tracker.example.com/T-1","closed_at":null,"factor_ids":[%d],"why_ids":[%d],"findings":[],
		"created_at":"2026-11-22T14:32:05.123Z","updated_at":"2026-11-22T14:32:05.123Z","version":1}`, id, inc, inc, factor, why)
	assert.JSONEq(t, want, rec.Body.String())
	assert.JSONEq(t, want, app.api(http.MethodGet, url, "").Body.String(), "GET returns what POST returned")
	list := app.getJSON(actionsURL(inc))["actions"].([]any)
	require.Len(t, list, 1)
	assert.NotContains(t, list[0], "incident", "an incident's own list does not repeat the incident")

	clock.advance(time.Minute)
	a := app.patched(url, `{"version":1,"status":"in_progress","owner":"Carol","factor_ids":[]}`)
	assert.Equal(t, "in_progress", a["status"])
	assert.Equal(t, "Carol", a["owner"])
	assert.Equal(t, []int64{}, int64s(t, a["factor_ids"]))
	assert.Equal(t, []int64{why}, int64s(t, a["why_ids"]), "absent links are kept")
	assert.EqualValues(t, 2, a["version"])
	assert.Equal(t, "2026-11-22T14:33:05.123Z", a["updated_at"])
	assert.Equal(t, a, app.getJSON(url))

	clock.advance(time.Minute)
	a = app.patched(url, `{"version":2,"status":"done","closure_note":"Canary stage live"}`)
	assert.Equal(t, "done", a["status"])
	assert.Equal(t, "2026-11-22T14:34:05.123Z", a["closed_at"])
	a = app.patched(url, `{"version":3,"status":"open"}`)
	assert.Nil(t, a["closed_at"], "re-opening clears the closing time")

	rec = app.api(http.MethodDelete, app.current(url), "")
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	assertAPIError(t, app.api(http.MethodGet, url, ""), http.StatusNotFound)
	assert.Equal(t, []any{}, app.getJSON(actionsURL(inc))["actions"])
	assert.Len(t, app.getJSON(factorsURL(inc))["factors"], 1, "deleting an item leaves what it was linked to")
	assert.EqualValues(t, 1, app.getJSON(whysURL(inc))["count"])
}

func testActionCreateDefaults(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	a := app.created(actionsURL(inc), `{"title":"Page the payments team","owner":"Bob","due_date":"2026-12-01","type":"detect"}`)
	assert.Equal(t, "medium", a["priority"])
	assert.Equal(t, "open", a["status"])
	assert.Equal(t, "", a["tracker_url"])
	assert.Equal(t, []any{}, a["factor_ids"])
	assert.Equal(t, []any{}, a["why_ids"])

	closed := app.created(actionsURL(inc), actionBody(`,"status":"done","evidence_url":"https://git.example.com/pr/7"`))
	assert.Equal(t, "done", closed["status"])
	assert.Equal(t, atT0, closed["closed_at"], "an item recorded as done is closed now")
	dropped := app.created(actionsURL(inc), actionBody(`,"status":"wont_do","rationale":"Replaced by the new deploy tool"`))
	assert.Equal(t, "wont_do", dropped["status"])
}

// The 422 for a missing due date names the default of the incident's
// severity, counted from today (UTC).
func testActionDueDateDefaultPerSeverity(t *testing.T, tc analysisCase) {
	app := tc.app
	tests := []struct{ severity, due string }{
		{"SEV1", "2026-12-06"},
		{"SEV2", "2026-12-20"},
		{"SEV3", "2027-01-17"},
		{"SEV4", "2027-02-14"},
	}
	for _, tt := range tests {
		t.Run(tt.severity, func(t *testing.T) {
			inc := app.analysisIncident("Outage "+tt.severity, tt.severity, "checkout")
			rec := app.api(http.MethodPost, actionsURL(inc), `{"title":"Fix","owner":"Bob","type":"prevent"}`)
			m := assertAPIError(t, rec, http.StatusUnprocessableEntity, "due_date")
			assert.Contains(t, fieldReason(m, "due_date"), "the default for this incident's severity is "+tt.due)
		})
	}
}

func testActionCreateRejects(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	other := app.analysisIncident("Search slow", "SEV3", "search")
	foreignFactor := app.addFactor(other, "Index too big")
	foreignWhy := app.addWhy(other, "Search timed out", 0)
	before, beforeOther := app.analysisState(inc), app.analysisState(other)

	tests := []struct{ name, body, field string }{
		{"no title", `{"owner":"Bob","due_date":"2026-12-01","type":"prevent"}`, "title"},
		{"no owner", `{"title":"Fix","due_date":"2026-12-01","type":"prevent"}`, "owner"},
		{"blank owner", actionBody(`,"owner":"   "`), "owner"},
		{"no due date", `{"title":"Fix","owner":"Bob","type":"prevent"}`, "due_date"},
		{"null due date", actionBody(`,"due_date":null`), "due_date"},
		{"empty due date", actionBody(`,"due_date":""`), "due_date"},
		{"impossible due date", actionBody(`,"due_date":"2026-02-30"`), "due_date"},
		{"due date with a time", actionBody(`,"due_date":"2026-12-01T00:00:00Z"`), "due_date"},
		{"due date in another format", actionBody(`,"due_date":"01/12/2026"`), "due_date"},
		{"no type", `{"title":"Fix","owner":"Bob","due_date":"2026-12-01"}`, "type"},
		{"unknown type", actionBody(`,"type":"fix"`), "type"},
		{"unknown priority", actionBody(`,"priority":"urgent"`), "priority"},
		{"unknown status", actionBody(`,"status":"closed"`), "status"},
		{"done without note or evidence", actionBody(`,"status":"done"`), "closure_note"},
		{"done with a blank note", actionBody(`,"status":"done","closure_note":"  "`), "closure_note"},
		{"won't do without rationale", actionBody(`,"status":"wont_do"`), "rationale"},
		{"javascript tracker", actionBody(`,"tracker_url":"javascript:alert(1)"`), "tracker_url"},
		{"ftp tracker", actionBody(`,"tracker_url":"ftp://x"`), "tracker_url"},
		{"scheme-relative tracker", actionBody(`,"tracker_url":"//evil"`), "tracker_url"},
		{"javascript evidence", actionBody(`,"status":"done","evidence_url":"javascript:alert(1)"`), "evidence_url"},
		{"factor of another incident", actionBody(fmt.Sprintf(`,"factor_ids":[%d]`, foreignFactor)), "factor_ids"},
		{"why of another incident", actionBody(fmt.Sprintf(`,"why_ids":[%d]`, foreignWhy)), "why_ids"},
		{"no such factor", actionBody(`,"factor_ids":[999]`), "factor_ids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertAPIError(t, app.api(http.MethodPost, actionsURL(inc), tt.body), http.StatusUnprocessableEntity, tt.field)
			assert.Equal(t, before, app.analysisState(inc))
			assert.Equal(t, beforeOther, app.analysisState(other))
		})
	}
}

func testActionPatchRejects(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	other := app.analysisIncident("Search slow", "SEV3", "search")
	foreignFactor := app.addFactor(other, "Index too big")
	open := itemURL(actionsURL(inc), app.addAction(inc, ""))
	done := itemURL(actionsURL(inc), app.addAction(inc, `,"status":"done","closure_note":"Shipped"`))
	before := app.analysisState(inc)

	tests := []struct{ name, target, body, field string }{
		{"done without note or evidence", open, `{"version":1,"status":"done"}`, "closure_note"},
		{"won't do without rationale", open, `{"version":1,"status":"wont_do"}`, "rationale"},
		{"done to won't do", done, `{"version":1,"status":"wont_do","rationale":"x"}`, "status"},
		{"clearing the note of a done item", done, `{"version":1,"closure_note":""}`, "closure_note"},
		{"clearing the owner", open, `{"version":1,"owner":""}`, "owner"},
		{"clearing the due date", open, `{"version":1,"due_date":""}`, "due_date"},
		{"bad due date", open, `{"version":1,"due_date":"2026-13-01"}`, "due_date"},
		{"javascript tracker", open, `{"version":1,"tracker_url":"javascript:alert(1)"}`, "tracker_url"},
		{"ftp tracker", open, `{"version":1,"tracker_url":"ftp://x"}`, "tracker_url"},
		{"scheme-relative tracker", open, `{"version":1,"tracker_url":"//evil"}`, "tracker_url"},
		{"factor of another incident", open, fmt.Sprintf(`{"version":1,"factor_ids":[%d]}`, foreignFactor), "factor_ids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertAPIError(t, app.api(http.MethodPatch, tt.target, tt.body), http.StatusUnprocessableEntity, tt.field)
			assert.Equal(t, before, app.analysisState(inc))
		})
	}
}

func testActionsSortedByDueDateThenPriority(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	for _, p := range []struct{ title, due, priority string }{
		{"Low", "2026-12-01", "low"},
		{"High 1", "2026-12-01", "high"},
		{"Medium", "2026-12-01", "medium"},
		{"Later high", "2026-12-02", "high"},
		{"Earlier low", "2026-11-30", "low"},
		{"High 2", "2026-12-01", "high"},
	} {
		app.created(actionsURL(inc), jsonBody(map[string]any{"title": p.title, "owner": "Bob", "due_date": p.due, "priority": p.priority, "type": "detect"}))
	}
	want := []string{"Earlier low", "High 1", "High 2", "Medium", "Low", "Later high"}
	assert.Equal(t, want, listTitles(t, app.getJSON(fmt.Sprintf("/api/v1/actions?incident=%d", inc)), "actions"))
	assert.Equal(t, want, listTitles(t, app.getJSON(actionsURL(inc)), "actions"), "an incident's own list too")
}

// A due date is a UTC day: the item is overdue from the first instant of
// the next day, not before.
func testActionOverdueAtUTCDayBoundary(t *testing.T, tc analysisCase) {
	app, clock, inc := tc.app, tc.clock, tc.inc
	open := itemURL(actionsURL(inc), app.addAction(inc, `,"due_date":"2026-11-22"`))
	done := itemURL(actionsURL(inc), app.addAction(inc, `,"due_date":"2026-11-22","status":"done","closure_note":"Shipped"`))

	tests := []struct {
		at      time.Time
		overdue bool
	}{
		{handlerT0, false},
		{time.Date(2026, time.November, 22, 23, 59, 59, 999_000_000, time.UTC), false},
		{time.Date(2026, time.November, 23, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, time.November, 23, 5, 0, 0, 0, time.FixedZone("UTC+8", 8*3600)), false}, // 2026-11-22T21:00Z
	}
	for _, tt := range tests {
		t.Run(tt.at.Format(time.RFC3339Nano), func(t *testing.T) {
			setClock(clock, tt.at)
			assert.Equal(t, tt.overdue, app.getJSON(open)["overdue"])
			assert.Equal(t, false, app.getJSON(done)["overdue"], "a closed item is never overdue")
			want := []string{}
			if tt.overdue {
				want = []string{"Add a canary stage"}
			}
			assert.Equal(t, want, listTitles(t, app.getJSON(fmt.Sprintf("/api/v1/actions?overdue=true&incident=%d", inc)), "actions"))
			list := app.getJSON(actionsURL(inc))["actions"].([]any)
			assert.Equal(t, tt.overdue, list[0].(map[string]any)["overdue"])
		})
	}
}

// ----- across the analysis -----

func TestAPIAnalysisText(t *testing.T) {
	t.Parallel()
	s := newAnalysisSuite(t)
	s.run("markup comes back verbatim", testAnalysisMarkupVerbatim)
	s.run("findings use the incident's roles", testAnalysisFindingsUseIncidentRoles)
}

func TestAPIAnalysisBadRequests(t *testing.T) {
	t.Parallel()
	s := newAnalysisSuite(t)
	s.run("hostile input is never a server error", testAnalysisHostileInputNeverServerError)
	s.run("wrong types and unknown fields", testAnalysisRejectsWrongTypesAndUnknownFields)
	s.run("malformed bodies", testAnalysisRejectsMalformedBodies)
	s.run("not found", testAnalysisNotFound)
}

func TestAPIAnalysisWrites(t *testing.T) {
	t.Parallel()
	s := newAnalysisSuite(t)
	s.run("version rules", testAnalysisVersionRules)
	s.run("viewers only read", testAnalysisViewerIsReadOnly)
	s.run("changes are audited", testAnalysisChangesAreAudited)
}

func testAnalysisFindingsUseIncidentRoles(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	blaming := "Alice deployed the bad config"
	f := app.created(factorsURL(inc), jsonBody(map[string]any{"title": blaming}))
	assert.Equal(t, []string{"person-as-cause"}, findingRules(t, f), "Alice is the commander")
	assert.Equal(t, "title", f["findings"].([]any)[0].(map[string]any)["field"])
	assert.Equal(t, f, app.getJSON(itemURL(factorsURL(inc), jsonID(t, f))))

	w := app.created(whysURL(inc), `{"text":"Root cause: human error"}`)
	assert.Equal(t, []string{"human-error"}, findingRules(t, w))
	assert.Equal(t, []string{"human-error"}, findingRules(t, app.getJSON(whysURL(inc))["trees"].([]any)[0].(map[string]any)))

	// Each finding names the text its span is in.
	a := app.created(actionsURL(inc), `{"title":"Stop human error","description":"Root cause: human error",
		"owner":"Bob","due_date":"2026-12-01","type":"process"}`)
	assert.Equal(t, []string{"human-error", "human-error"}, findingRules(t, a))
	where := func(f any) string {
		m := f.(map[string]any)
		return fmt.Sprintf("%s %v-%v", m["field"], m["start"], m["end"])
	}
	findings := a["findings"].([]any)
	assert.Equal(t, []string{"title 5-16", "description 12-23"}, []string{where(findings[0]), where(findings[1])})
	assert.Equal(t, "text 12-23", where(w["findings"].([]any)[0]))
	for _, item := range app.getJSON(fmt.Sprintf("/api/v1/actions?incident=%d", inc))["actions"].([]any) {
		assert.Equal(t, a["findings"], item.(map[string]any)["findings"], "the list across incidents too")
	}

	// Where nobody called Alice has a role, the name is not a person's.
	other := jsonID(t, app.createIncident(`{"title":"Search slow","severity":"SEV3"}`))
	f = app.created(factorsURL(other), jsonBody(map[string]any{"title": blaming}))
	assert.Equal(t, []string{}, findingRules(t, f))
}

func testAnalysisMarkupVerbatim(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	for _, s := range []string{xssScript, xssImg, `"><svg onload=alert(1)>`, `{{.}} ${7*7} ' OR 1=1 --`} {
		t.Run(s, func(t *testing.T) {
			rec := app.api(http.MethodPost, factorsURL(inc), jsonBody(map[string]any{"title": s, "description": s}))
			require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
			assert.Contains(t, rec.Header().Get("Content-Type"), "application/json")
			assert.NotContains(t, rec.Body.String(), "<", "markup is escaped inside the JSON strings")
			f := decode(t, rec)
			assert.Equal(t, s, f["title"])
			assert.Equal(t, s, f["description"])
			assert.Equal(t, f, app.getJSON(itemURL(factorsURL(inc), jsonID(t, f))))

			w := app.created(whysURL(inc), jsonBody(map[string]any{"text": s}))
			assert.Equal(t, s, w["text"])
			child := app.created(whysURL(inc), jsonBody(map[string]any{"text": s, "parent_id": jsonID(t, w)}))
			assert.Equal(t, s, child["text"])

			p := app.created(itemURL(whysURL(inc), jsonID(t, child))+"/promote", jsonBody(map[string]any{"version": 1, "title": s, "description": s}))
			assert.Equal(t, s, p["factor"].(map[string]any)["title"])

			a := app.created(actionsURL(inc), jsonBody(map[string]any{"title": s, "description": s, "owner": s, "due_date": "2026-12-01",
				"type": "process", "status": "done", "closure_note": s}))
			for _, field := range []string{"title", "description", "owner", "closure_note"} {
				assert.Equal(t, s, a[field], field)
			}
			a = app.patched(itemURL(actionsURL(inc), jsonID(t, a)), jsonBody(map[string]any{"version": 1, "status": "open"}))
			a = app.patched(itemURL(actionsURL(inc), jsonID(t, a)), jsonBody(map[string]any{"version": 2, "status": "wont_do", "rationale": s}))
			assert.Equal(t, s, a["rationale"])
			assert.Equal(t, a, app.getJSON(itemURL(actionsURL(inc), jsonID(t, a))))
		})
	}
	rec := app.api(http.MethodGet, whysURL(inc), "")
	assert.NotContains(t, rec.Body.String(), "<")
}

func testAnalysisHostileInputNeverServerError(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	f := itemURL(factorsURL(inc), app.addFactor(inc, "No canary"))
	why := app.addWhy(inc, "Checkout returned 500s", 0)
	w := itemURL(whysURL(inc), why)
	a := itemURL(actionsURL(inc), app.addAction(inc, ""))
	huge := "99999999999999999999"

	type req struct{ method, target, body string }
	reqs := []req{
		{"POST", factorsURL(inc), `{"title":"x","position":` + huge + `}`},
		{"POST", factorsURL(inc), `{"title":"x","position":-5}`},
		{"POST", factorsURL(inc), `{"title":"\ud800 lone surrogate","category":"CHANGE"}`},
		{"POST", factorsURL(inc), `{"title":"x","category":"` + strings.Repeat("c", 10_000) + `"}`},
		{"PATCH", f, `{"version":` + huge + `,"title":"x"}`},
		{"PATCH", f, `{"version":-1,"title":"x"}`},
		{"PATCH", f, `{"version":1,"position":2147483648}`},
		{"DELETE", f + "?version=" + huge, ""},
		{"DELETE", f + "?version=-1", ""},
		{"POST", whysURL(inc), `{"text":"x","parent_id":` + huge + `}`},
		{"POST", whysURL(inc), `{"text":"x","parent_id":-1}`},
		{"POST", whysURL(inc), `{"text":"x","parent_id":1e3}`},
		{"POST", whysURL(inc), `{"text":"x","parent_id":[1]}`},
		{"POST", whysURL(inc), `{"text":"x","parent_id":{"id":1}}`},
		{"POST", whysURL(inc), `{"text":"x","factor_id":true}`},
		{"POST", whysURL(inc), `{"text":"x","position":-99}`},
		{"POST", whysURL(inc), `{"text":"a\u0000b"}`},
		{"POST", whysURL(inc), `{"text":"` + strings.Repeat("é", 5000) + `"}`},
		{"PATCH", w, `{"version":1,"parent_id":` + strconv.FormatInt(why, 10) + `,"position":-1}`},
		{"PATCH", w, `{"version":1,"factor_id":` + huge + `}`},
		{"POST", w + "/promote", `{"version":1,"title":"` + strings.Repeat("x", 300) + `"}`},
		{"POST", actionsURL(inc), actionBody(`,"factor_ids":[` + huge + `]`)},
		{"POST", actionsURL(inc), actionBody(`,"factor_ids":[-1,0]`)},
		{"POST", actionsURL(inc), actionBody(`,"why_ids":null,"factor_ids":null`)},
		{"POST", actionsURL(inc), actionBody(`,"due_date":"0001-01-01"`)},
		{"POST", actionsURL(inc), actionBody(`,"due_date":"10000-01-01"`)},
		{"POST", actionsURL(inc), actionBody(`,"tracker_url":"https://` + strings.Repeat("a", 5000) + `.example.com"`)},
		{"POST", actionsURL(inc), actionBody(`,"tracker_url":"http://[::1"`)},
		{"POST", actionsURL(inc), actionBody(`,"status":"done","evidence_url":"https://x.example.com/<script>"`)},
		{"PATCH", a, `{"version":1,"status":""}`},
		{"PATCH", a, jsonBody(map[string]any{"version": 1, "type": xssScript, "priority": xssImg, "status": xssScript})},
		{"POST", factorsURL(inc), jsonBody(map[string]any{"title": "x", "category": xssScript})},
		{"GET", "/api/v1/actions?status=%3Cscript%3Ealert(1)%3C/script%3E&owner=%3Cimg%3E", ""},
		{"PATCH", a, `{"version":1,"type":null,"priority":null}`},
		{"PATCH", a, `{"version":1,"why_ids":[` + strconv.FormatInt(why, 10) + `,` + strconv.FormatInt(why, 10) + `]}`},
		{"DELETE", a + "?version=abc", ""},
		{"GET", "/api/v1/actions?limit=" + huge, ""},
		{"GET", "/api/v1/actions?offset=9223372036854775807", ""},
		{"GET", "/api/v1/actions?due_before=0001-01-01&due_after=9999-12-31", ""},
		{"GET", "/api/v1/actions?owner=%00&service=%27%20OR%201%3D1%20--", ""},
		{"GET", "/api/v1/actions?incident=" + huge, ""},
		{"GET", "/api/v1/actions?status=" + strings.Repeat("x", 5000), ""},
	}
	for _, r := range reqs {
		rec := app.api(r.method, r.target, r.body)
		assert.Less(t, rec.Code, 500, "%s %s %.80s: %s", r.method, r.target, r.body, rec.Body.String())
		assert.Contains(t, rec.Header().Get("Content-Type"), "application/json", "%s %s", r.method, r.target)
	}
}

func testAnalysisVersionRules(t *testing.T, tc analysisCase) {
	app, clock, inc := tc.app, tc.clock, tc.inc
	tests := []struct {
		name         string
		collection   string
		create       func() int64
		noop, change string // PATCH bodies without the version
		missing      string // a PATCH body without a version
		deleted      int    // the status of a delete
		deletedBody  string // and its body
	}{
		{"factor", factorsURL(inc), func() int64 { return app.addFactor(inc, "No canary") },
			`"title":"No  canary","category":"change"`, `"title":"No canary stage"`, `{"title":"x"}`, http.StatusNoContent, ""},
		{"why", whysURL(inc), func() int64 { return app.addWhy(inc, "Checkout failed", 0) },
			`"text":" Checkout failed ","parent_id":null`, `"text":"Checkout returned 500s"`, `{"text":"x"}`, http.StatusOK, `{"deleted":1}`},
		{"action", actionsURL(inc), func() int64 { return app.addAction(inc, "") },
			`"owner":"Bob","due_date":"2026-12-01","why_ids":[]`, `"owner":"Carol"`, `{"owner":"x"}`, http.StatusNoContent, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := itemURL(tt.collection, tt.create())
			created := app.getJSON(url)
			clock.advance(time.Minute)

			assertAPIError(t, app.api(http.MethodPatch, url, tt.missing), http.StatusUnprocessableEntity, "version")
			assert.Equal(t, created, app.getJSON(url))

			noop := app.patched(url, `{"version":1,`+tt.noop+`}`)
			assert.Equal(t, created, noop, "a change to nothing keeps the version and the time")

			changed := app.patched(url, `{"version":1,`+tt.change+`}`)
			assert.EqualValues(t, 2, changed["version"])

			m := assertAPIError(t, app.api(http.MethodPatch, url, `{"version":1,`+tt.noop+`}`), http.StatusConflict)
			assert.Contains(t, m["error"], "version 2")
			assert.Equal(t, changed, m["current"], "the conflict carries the record as GET shows it")
			m = assertAPIError(t, app.api(http.MethodDelete, url+"?version=1", ""), http.StatusConflict)
			assert.Equal(t, changed, m["current"])
			assertAPIError(t, app.api(http.MethodDelete, url+"?version=two", ""), http.StatusUnprocessableEntity, "version")
			assert.Equal(t, changed, app.getJSON(url), "nothing was written")

			rec := app.api(http.MethodDelete, url+"?version=2", "")
			require.Equal(t, tt.deleted, rec.Code, rec.Body.String())
			if tt.deletedBody != "" {
				assert.JSONEq(t, tt.deletedBody, rec.Body.String())
			}
			assertAPIError(t, app.api(http.MethodGet, url, ""), http.StatusNotFound)
		})
	}
}

func testAnalysisRejectsWrongTypesAndUnknownFields(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	f := itemURL(factorsURL(inc), app.addFactor(inc, "No canary"))
	w := itemURL(whysURL(inc), app.addWhy(inc, "Checkout returned 500s", 0))
	a := itemURL(actionsURL(inc), app.addAction(inc, ""))
	before := app.analysisState(inc)

	tests := []struct{ method, target, body, field string }{
		{"POST", factorsURL(inc), `{"title":"x","is_trigger":"yes"}`, "is_trigger"},
		{"POST", factorsURL(inc), `{"title":["x"]}`, "title"},
		{"POST", factorsURL(inc), `{"title":"x","colour":"red"}`, "colour"},
		{"PATCH", f, `{"version":"1","title":"x"}`, "version"},
		{"PATCH", f, `{"version":1,"position":"1"}`, "position"},
		{"POST", whysURL(inc), `{"text":"x","parent_id":"x"}`, "parent_id"},
		{"POST", whysURL(inc), `{"text":"x","parent_id":"1"}`, "parent_id"},
		{"POST", whysURL(inc), `{"text":"x","position":"1"}`, "position"},
		{"POST", whysURL(inc), `{"text":"x","factor_id":1.5}`, "factor_id"},
		{"POST", whysURL(inc), `{"text":42}`, "text"},
		{"POST", whysURL(inc), `{"text":"x","children":[]}`, "children"},
		{"PATCH", w, `{"version":1,"parent_id":"x"}`, "parent_id"},
		{"PATCH", w, `{"version":1,"depth":3}`, "depth"},
		{"POST", w + "/promote", `{"version":1,"category":7}`, "category"},
		{"POST", actionsURL(inc), actionBody(`,"factor_ids":"1"`), "factor_ids"},
		{"POST", actionsURL(inc), actionBody(`,"why_ids":["a"]`), "why_ids"},
		{"POST", actionsURL(inc), actionBody(`,"factor_ids":1`), "factor_ids"},
		{"POST", actionsURL(inc), `{"title":"Fix","owner":"Bob","due_date":20261201,"type":"prevent"}`, "due_date"},
		{"POST", actionsURL(inc), actionBody(`,"assignee":"Bob"`), "assignee"},
		{"POST", actionsURL(inc), actionBody(`,"overdue":true`), "overdue"},
		{"PATCH", a, `{"version":1,"closed_at":"2026-11-22T00:00:00Z"}`, "closed_at"},
		{"PATCH", a, `{"version":1,"owner":null}`, "owner"},
		{"PATCH", a, `{"version":1,"priority":1}`, "priority"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.body, func(t *testing.T) {
			m := assertAPIError(t, app.api(tt.method, tt.target, tt.body), http.StatusUnprocessableEntity, tt.field)
			assert.Len(t, m["fields"], 1, "only the wrong field is named: %v", m["fields"])
			assert.Equal(t, before, app.analysisState(inc))
		})
	}
}

func testAnalysisRejectsMalformedBodies(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	f := itemURL(factorsURL(inc), app.addFactor(inc, "No canary"))
	w := itemURL(whysURL(inc), app.addWhy(inc, "Checkout returned 500s", 0))
	a := itemURL(actionsURL(inc), app.addAction(inc, ""))
	before := app.analysisState(inc)
	targets := []struct{ method, target string }{
		{"POST", factorsURL(inc)},
		{"PATCH", f},
		{"POST", whysURL(inc)},
		{"PATCH", w},
		{"POST", w + "/promote"},
		{"POST", actionsURL(inc)},
		{"PATCH", a},
	}
	bodies := []struct {
		name, contentType, body string
		status                  int
	}{
		{"truncated", "application/json", `{"title":`, http.StatusBadRequest},
		{"not an object", "application/json", `["title"]`, http.StatusBadRequest},
		{"trailing data", "application/json", `{"version":1}{}`, http.StatusBadRequest},
		{"empty", "application/json", ` `, http.StatusBadRequest},
		{"form", "application/x-www-form-urlencoded", `title=x&version=1`, http.StatusUnsupportedMediaType},
		{"text", "text/plain", `{"version":1}`, http.StatusUnsupportedMediaType},
	}
	for _, tt := range targets {
		for _, b := range bodies {
			t.Run(tt.method+" "+tt.target+" "+b.name, func(t *testing.T) {
				assertAPIError(t, app.do(tt.method, tt.target, b.contentType, b.body), b.status)
			})
		}
	}
	assert.Equal(t, before, app.analysisState(inc))
}

func testAnalysisNotFound(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	f := app.addFactor(inc, "No canary")
	w := app.addWhy(inc, "Checkout returned 500s", 0)
	a := app.addAction(inc, "")
	other := app.analysisIncident("Search slow", "SEV3", "search")
	before := app.analysisState(inc)
	in := func(incident int64, format string, id int64) string {
		return fmt.Sprintf("/api/v1/incidents/%d/"+format, incident, id)
	}

	tests := []struct{ method, target, body string }{
		{"GET", "/api/v1/incidents/abc/factors", ""},
		{"GET", "/api/v1/incidents/999/factors", ""},
		{"POST", "/api/v1/incidents/999/factors", `{"title":"x"}`},
		{"GET", factorsURL(inc) + "/abc", ""},
		{"GET", factorsURL(inc) + "/0", ""},
		{"GET", factorsURL(inc) + "/-1", ""},
		{"GET", factorsURL(inc) + "/1.0", ""},
		{"GET", factorsURL(inc) + "/999", ""},
		{"GET", in(other, "factors/%d", f), ""},
		{"PATCH", in(other, "factors/%d", f), `{"version":1,"title":"x"}`},
		{"DELETE", in(other, "factors/%d?version=1", f), ""},
		{"GET", "/api/v1/incidents/abc/whys", ""},
		{"GET", "/api/v1/incidents/999/whys", ""},
		{"POST", "/api/v1/incidents/999/whys", `{"text":"x"}`},
		{"GET", whysURL(inc) + "/abc", ""},
		{"PATCH", whysURL(inc) + "/abc", `{"version":1,"text":"x"}`},
		{"POST", whysURL(inc) + "/abc/promote", `{"version":1}`},
		{"GET", in(other, "whys/%d", w), ""},
		{"PATCH", in(other, "whys/%d", w), `{"version":1,"text":"x"}`},
		{"DELETE", in(other, "whys/%d?version=1", w), ""},
		{"POST", in(other, "whys/%d/promote", w), `{"version":1}`},
		{"GET", "/api/v1/incidents/abc/actions", ""},
		{"GET", "/api/v1/incidents/999/actions", ""},
		{"POST", "/api/v1/incidents/999/actions", actionBody("")},
		{"GET", actionsURL(inc) + "/abc", ""},
		{"DELETE", actionsURL(inc) + "/1e1?version=1", ""},
		{"GET", in(other, "actions/%d", a), ""},
		{"PATCH", in(other, "actions/%d", a), `{"version":1,"owner":"x"}`},
		{"DELETE", in(other, "actions/%d?version=1", a), ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			assertAPIError(t, app.api(tt.method, tt.target, tt.body), http.StatusNotFound)
		})
	}
	assert.Equal(t, before, app.analysisState(inc))
	assert.Equal(t, `{"factors":[]}`+`{"count":0,"trees":[]}`+`{"actions":[]}`, strings.ReplaceAll(app.analysisState(other), "\n", ""))
}

func testAnalysisViewerIsReadOnly(t *testing.T, tc analysisCase) {
	app, inc := tc.app, tc.inc
	f := itemURL(factorsURL(inc), app.addFactor(inc, "No canary"))
	w := itemURL(whysURL(inc), app.addWhy(inc, "Checkout returned 500s", 0))
	a := itemURL(actionsURL(inc), app.addAction(inc, ""))
	before := app.analysisState(inc)
	viewer := app.as(model.RoleViewer)

	for _, target := range []string{"/api/v1/factor-categories", factorsURL(inc), f, whysURL(inc), w, actionsURL(inc), a, "/api/v1/actions"} {
		assert.Equal(t, http.StatusOK, viewer.api(http.MethodGet, target, "").Code, "GET %s", target)
	}
	writes := []struct{ method, target, body string }{
		{"POST", factorsURL(inc), `{"title":"x"}`},
		{"PATCH", f, `{"version":1,"title":"x"}`},
		{"DELETE", f, ""},
		{"POST", whysURL(inc), `{"text":"x"}`},
		{"PATCH", w, `{"version":1,"text":"x"}`},
		{"DELETE", w, ""},
		{"POST", w + "/promote", `{"version":1}`},
		{"POST", actionsURL(inc), actionBody("")},
		{"PATCH", a, `{"version":1,"owner":"x"}`},
		{"DELETE", a, ""},
	}
	for _, r := range writes {
		assertAPIError(t, viewer.api(r.method, r.target, r.body), http.StatusForbidden)
	}
	assert.Equal(t, before, app.analysisState(inc))
}

func testAnalysisChangesAreAudited(t *testing.T, tc analysisCase) {
	app, clock, inc := tc.app, tc.clock, tc.inc
	f := app.addFactor(inc, "No canary")
	clock.advance(time.Second)
	app.patched(itemURL(factorsURL(inc), f), `{"version":1,"title":"No canary stage"}`)
	w := app.addWhy(inc, "Checkout returned 500s", 0)
	a := app.addAction(inc, "")
	app.patched(itemURL(actionsURL(inc), a), `{"version":1,"status":"in_progress"}`)
	require.Equal(t, http.StatusOK, app.api(http.MethodDelete, app.current(itemURL(whysURL(inc), w)), "").Code)
	rec := app.as(model.RoleViewer).api(http.MethodGet, fmt.Sprintf("/api/v1/incidents/%d/history", inc), "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	type change struct {
		Action, Entity string
		ID             int64
	}
	var got []change
	var factorUpdate map[string]any
	for _, e := range decode(t, rec)["entries"].([]any) {
		entry := e.(map[string]any)
		if entry["entity"] == "incident" || entry["entity"] == "timeline_entry" {
			continue
		}
		got = append(got, change{entry["action"].(string), entry["entity"].(string), int64(entry["entity_id"].(float64))})
		assert.Equal(t, `editor@example.com via token "tests"`, entry["actor"])
		assert.EqualValues(t, inc, entry["incident_id"])
		if entry["entity"] == "factor" && entry["action"] == "update" {
			factorUpdate = entry
		}
	}
	assert.Equal(t, []change{
		{"delete", "why_node", w},
		{"update", "action_item", a},
		{"create", "action_item", a},
		{"create", "why_node", w},
		{"update", "factor", f},
		{"create", "factor", f},
	}, got, "newest first")
	require.NotNil(t, factorUpdate)
	assert.Equal(t, "2026-11-22T14:32:06.123Z", factorUpdate["at"])
	assert.NotNil(t, factorUpdate["before"])
	assert.NotNil(t, factorUpdate["after"])
	assert.Contains(t, fmt.Sprint(factorUpdate["before"]), "No canary")
	assert.Contains(t, fmt.Sprint(factorUpdate["after"]), "No canary stage")
}

// ----- action items across incidents -----

func TestAPIActionList(t *testing.T) {
	t.Parallel()
	app, _ := newClockedApp(t)
	l := newActionList(app)
	for _, tt := range []struct {
		name string
		fn   func(t *testing.T, l actionList)
	}{
		{"filters", testActionListFilters},
		{"item shape", testActionListItemShape},
		{"pagination", testActionListPagination},
		{"bad filters", testActionListRejectsBadQuery},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sub := l
			sub.app = l.app.on(t)
			tt.fn(t, sub)
		})
	}
}

// actionList is five action items over two incidents, made at handlerT0,
// which the list tests only read:
//
//	Capacity  search    Dan    2026-11-10  wont_do
//	Canary    checkout  Bob    2026-11-20  open         (overdue)
//	Runbook   checkout  Carol  2026-11-21  done
//	Alert     checkout  bob    2026-12-01  in_progress
//	Index     search    Carol  2026-12-15  open
type actionList struct {
	app              *testApp
	checkout, search int64
}

func newActionList(app *testApp) actionList {
	app.t.Helper()
	l := actionList{app: app, checkout: app.analysisIncident("Checkout 500s", "SEV2", "checkout"),
		search: app.analysisIncident("Search slow", "SEV3", "search")}
	add := func(incident int64, body map[string]any) {
		body["type"] = "prevent"
		app.created(actionsURL(incident), jsonBody(body))
	}
	add(l.checkout, map[string]any{"title": "Canary", "owner": "Bob", "due_date": "2026-11-20", "priority": "high"})
	add(l.checkout, map[string]any{"title": "Alert", "owner": "bob", "due_date": "2026-12-01", "status": "in_progress"})
	add(l.checkout, map[string]any{"title": "Runbook", "owner": "Carol", "due_date": "2026-11-21", "status": "done", "closure_note": "Written"})
	add(l.search, map[string]any{"title": "Index", "owner": "Carol", "due_date": "2026-12-15", "priority": "low"})
	add(l.search, map[string]any{"title": "Capacity", "owner": "Dan", "due_date": "2026-11-10", "status": "wont_do", "rationale": "Moved"})
	return l
}

func testActionListFilters(t *testing.T, l actionList) {
	app := l.app
	tests := []struct {
		query  string
		titles []string
	}{
		{"", []string{"Capacity", "Canary", "Runbook", "Alert", "Index"}},
		{"?status=all", []string{"Capacity", "Canary", "Runbook", "Alert", "Index"}},
		{"?status=active", []string{"Canary", "Alert", "Index"}},
		{"?status=open", []string{"Canary", "Index"}},
		{"?status=in_progress", []string{"Alert"}},
		{"?status=done", []string{"Runbook"}},
		{"?status=wont_do", []string{"Capacity"}},
		{"?owner=bob", []string{"Canary", "Alert"}},
		{"?owner=BOB", []string{"Canary", "Alert"}},
		{"?owner=Bo", []string{}},
		{"?overdue=true", []string{"Canary"}},
		{"?overdue=false", []string{"Capacity", "Canary", "Runbook", "Alert", "Index"}},
		{"?due_before=2026-11-21", []string{"Capacity", "Canary", "Runbook"}},
		{"?due_after=2026-12-01", []string{"Alert", "Index"}},
		{"?due_after=2026-11-20&due_before=2026-12-01", []string{"Canary", "Runbook", "Alert"}},
		{"?service=search", []string{"Capacity", "Index"}},
		{"?service=Checkout", []string{"Canary", "Runbook", "Alert"}},
		{"?service=billing", []string{}},
		{fmt.Sprintf("?incident=%d", l.search), []string{"Capacity", "Index"}},
		{"?incident=99", []string{}},
		{"?owner=carol&status=active", []string{"Index"}},
		{"?service=checkout&status=active&due_before=2026-11-30", []string{"Canary"}},
		{fmt.Sprintf("?owner=bob&overdue=true&incident=%d", l.checkout), []string{"Canary"}},
		{"?owner=dan&overdue=true", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			m := app.getJSON("/api/v1/actions" + tt.query)
			assert.Equal(t, tt.titles, listTitles(t, m, "actions"))
			assert.EqualValues(t, len(tt.titles), m["total"])
		})
	}
}

func testActionListItemShape(t *testing.T, l actionList) {
	app := l.app
	items := app.getJSON("/api/v1/actions?owner=bob")["actions"].([]any)
	require.Len(t, items, 2)
	canary := items[0].(map[string]any)
	assert.Equal(t, map[string]any{"id": float64(l.checkout), "title": "Checkout 500s", "severity": "SEV2", "services": []any{"checkout"}}, canary["incident"])
	assert.Equal(t, true, canary["overdue"])
	assert.Equal(t, "2026-11-20", canary["due_date"])
	assert.Equal(t, false, items[1].(map[string]any)["overdue"])
	assert.Equal(t, canary, app.getJSON(itemURL(actionsURL(l.checkout), jsonID(t, canary))), "the same shape as the item's own URL")

	search := app.getJSON(fmt.Sprintf("/api/v1/actions?incident=%d", l.search))["actions"].([]any)[0].(map[string]any)
	assert.Equal(t, "Search slow", search["incident"].(map[string]any)["title"])
	assert.Equal(t, false, search["overdue"], "a closed item is never overdue")
}

func testActionListPagination(t *testing.T, l actionList) {
	app := l.app
	tests := []struct {
		query         string
		titles        []string
		total         int
		limit, offset int
	}{
		{"?limit=2", []string{"Capacity", "Canary"}, 5, 2, 0},
		{"?limit=2&offset=2", []string{"Runbook", "Alert"}, 5, 2, 2},
		{"?limit=2&offset=4", []string{"Index"}, 5, 2, 4},
		{"?offset=10", []string{}, 5, 50, 10},
		{"?status=active&limit=1&offset=1", []string{"Alert"}, 3, 1, 1},
		{"?limit=200", []string{"Capacity", "Canary", "Runbook", "Alert", "Index"}, 5, 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			m := app.getJSON("/api/v1/actions" + tt.query)
			assert.Equal(t, tt.titles, listTitles(t, m, "actions"))
			assert.EqualValues(t, tt.total, m["total"])
			assert.EqualValues(t, tt.limit, m["limit"])
			assert.EqualValues(t, tt.offset, m["offset"])
		})
	}
}

func testActionListRejectsBadQuery(t *testing.T, l actionList) {
	app := l.app
	tests := []struct{ query, field string }{
		{"?status=nope", "status"},
		{"?status=Open", "status"},
		{"?status=won't do", "status"},
		{"?overdue=maybe", "overdue"},
		{"?due_before=2026-13-01", "due_before"},
		{"?due_before=2026-11-31", "due_before"},
		{"?due_after=yesterday", "due_after"},
		{"?due_after=2026-11-22T00:00:00Z", "due_after"},
		{"?incident=abc", "incident"},
		{"?incident=0", "incident"},
		{"?incident=-3", "incident"},
		{"?limit=0", "limit"},
		{"?limit=201", "limit"},
		{"?offset=-1", "offset"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			assertAPIError(t, app.api(http.MethodGet, "/api/v1/actions"+strings.ReplaceAll(tt.query, " ", "%20"), ""), http.StatusUnprocessableEntity, tt.field)
		})
	}
	m := assertAPIError(t, app.api(http.MethodGet, "/api/v1/actions?status=nope&overdue=maybe&limit=0", ""), http.StatusUnprocessableEntity, "status", "overdue", "limit")
	assert.Len(t, m["fields"], 3, "every bad filter is named at once")
}
