package web

// Tests of the analysis pages (issue "Analysis as data"): contributing
// factors, whys trees and action items on the incident page, the action
// item form, /actions, the whys diagram, the live blameless lint and the
// factor categories admin page. Every bad input of the issue has a test.

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// pageClock is the server's clock in these tests: a Wednesday, so
// "due this week" runs to Sunday 22 November.
var pageClock = time.Date(2026, time.November, 18, 10, 0, 0, 0, time.UTC)

// hxRequest is the header htmx sends with every request.
var hxRequest = []string{"HX-Request", "true"}

// analysisPageFixture is an incident with a full analysis: a trigger and a
// latent condition, a problem-statement tree (root → child → grandchild,
// and a second child), and an action item linked to a factor and a why.
type analysisPageFixture struct {
	incident                       int64
	trigger, latent                *model.Factor
	root, child, grandchild, other *model.WhyNode
	action                         *model.ActionItem
}

func newAnalysisPageApp(t *testing.T) *testApp {
	t.Helper()
	return newTestApp(t, store.WithClock(func() time.Time { return pageClock }))
}

// seedAnalysis builds the fixture straight through the store.
func (a *testApp) seedAnalysis(title string) analysisPageFixture {
	a.t.Helper()
	ctx := context.Background()
	inc := &model.Incident{
		Title: title, Severity: "SEV2", Status: model.StatusInvestigating, Services: []string{"checkout"},
		Roles: model.Roles{Commander: "Dana Reyes", Responders: []string{"Sam Okafor"}},
	}
	require.NoError(a.t, a.store.CreateIncident(ctx, inc, ""))
	f := analysisPageFixture{incident: inc.ID}
	f.trigger = &model.Factor{IncidentID: inc.ID, Title: "Config pushed to every region at once", Category: "change", IsTrigger: true,
		Description: "The rollout tool has **no** canary stage."}
	require.NoError(a.t, a.store.CreateFactor(ctx, f.trigger))
	f.latent = &model.Factor{IncidentID: inc.ID, Title: "No alert on config errors", Category: "monitoring gap"}
	require.NoError(a.t, a.store.CreateFactor(ctx, f.latent))
	f.root = &model.WhyNode{IncidentID: inc.ID, Text: "Checkout returned 502s for 40 minutes"}
	require.NoError(a.t, a.store.CreateWhy(ctx, f.root, nil))
	f.child = &model.WhyNode{IncidentID: inc.ID, ParentID: &f.root.ID, Text: "Every gateway loaded the bad config"}
	require.NoError(a.t, a.store.CreateWhy(ctx, f.child, nil))
	f.grandchild = &model.WhyNode{IncidentID: inc.ID, ParentID: &f.child.ID, Text: "The rollout has no canary stage", FactorID: &f.trigger.ID}
	require.NoError(a.t, a.store.CreateWhy(ctx, f.grandchild, nil))
	f.other = &model.WhyNode{IncidentID: inc.ID, ParentID: &f.root.ID, Text: "Nobody was paged for 25 minutes"}
	require.NoError(a.t, a.store.CreateWhy(ctx, f.other, nil))
	f.action = &model.ActionItem{
		IncidentID: inc.ID, Title: "Add a canary stage to config rollouts", Owner: "Sam Okafor",
		Due: model.NewDate(2026, time.November, 10), Type: model.ActionPrevent, Priority: model.PriorityHigh,
		TrackerURL: "https://tracker.example/OPS-42", FactorIDs: []int64{f.trigger.ID}, WhyIDs: []int64{f.grandchild.ID},
	}
	require.NoError(a.t, a.store.CreateAction(ctx, f.action))
	return f
}

func (f analysisPageFixture) path(format string, args ...any) string {
	return fmt.Sprintf("/incidents/%d", f.incident) + fmt.Sprintf(format, args...)
}

// htmlSection returns the HTML of the element with id, up to the next
// element of the same tag at the same place (good enough for <li>
// items without nested lists of the same tag).
func htmlSection(t *testing.T, body, tag, id string) string {
	t.Helper()
	start := strings.Index(body, fmt.Sprintf(`<%s id="%s"`, tag, id))
	require.GreaterOrEqual(t, start, 0, "no <%s id=%q>", tag, id)
	rest := body[start+1:]
	end := strings.Index(rest, "<"+tag+" ")
	if end < 0 {
		return body[start:]
	}
	return body[start : start+1+end]
}

// assertAnalysisFragment checks an htmx answer: the analysis area alone.
func assertAnalysisFragment(t *testing.T, rec *httptest.ResponseRecorder, status int) string {
	t.Helper()
	require.Equal(t, status, rec.Code, rec.Body.String())
	body := rec.Body.String()
	assert.True(t, strings.HasPrefix(strings.TrimSpace(body), `<div id="analysis"`), "starts with #analysis: %.200s", body)
	assert.NotContains(t, body, "<html")
	return body
}

func TestIncidentPageShowsAnalysis(t *testing.T) {
	app := newAnalysisPageApp(t)
	f := app.seedAnalysis("Checkout 502s")
	body := app.page(f.path(""))

	// Factors: in order, with category, kind, Markdown and linked actions.
	factors := htmlSection(t, body, "section", "factors")
	trig := htmlSection(t, factors, "li", fmt.Sprintf("factor-%d", f.trigger.ID))
	assert.Contains(t, trig, "Config pushed to every region at once")
	assert.Contains(t, trig, `<span class="badge category">change</span>`)
	assert.Contains(t, trig, `<span class="badge trigger">trigger</span>`)
	assert.Contains(t, trig, "<strong>no</strong> canary stage", "description is Markdown")
	assert.Contains(t, trig, fmt.Sprintf(`<a href="#action-%d">Add a canary stage to config rollouts</a>`, f.action.ID))
	latent := htmlSection(t, factors, "li", fmt.Sprintf("factor-%d", f.latent.ID))
	assert.Contains(t, latent, `<span class="badge latent">latent condition</span>`)
	assert.Contains(t, latent, `<span class="badge category">monitoring gap</span>`)
	assert.Less(t, strings.Index(factors, "Config pushed"), strings.Index(factors, "No alert on config"))
	assert.NotContains(t, trig, `value="up"`, "the first factor cannot move up")
	assert.Contains(t, latent, `value="up"`)
	assert.NotContains(t, latent, `value="down"`, "the last factor cannot move down")

	// Whys: an indented tree, nested lists in tree order.
	whys := htmlSection(t, body, "section", "whys")
	re := regexp.MustCompile(`(?s)<ul class="why-list">\s*<li id="why-(\d+)".*?<ul>\s*<li id="why-(\d+)".*?<ul>\s*<li id="why-(\d+)".*?</ul>\s*</li>\s*<li id="why-(\d+)"`)
	m := re.FindStringSubmatch(whys)
	require.NotNil(t, m, "nested tree in %s", whys)
	assert.Equal(t, []string{fmt.Sprint(f.root.ID), fmt.Sprint(f.child.ID), fmt.Sprint(f.grandchild.ID), fmt.Sprint(f.other.ID)}, m[1:])
	grand := htmlSection(t, whys, "li", fmt.Sprintf("why-%d", f.grandchild.ID))
	assert.Contains(t, grand, fmt.Sprintf(`<a class="badge category" href="#factor-%d">factor: Config pushed to every region at once</a>`, f.trigger.ID))
	assert.Contains(t, grand, "1 action item")
	assert.Contains(t, grand, "keep asking why?", "a leaf above the hint depth")
	assert.NotContains(t, htmlSection(t, whys, "li", fmt.Sprintf("why-%d", f.child.ID)), "keep asking why?", "not on a node with answers")
	other := htmlSection(t, whys, "li", fmt.Sprintf("why-%d", f.other.ID))
	assert.Contains(t, other, `<span class="why-hint">keep asking why?</span>`)
	assert.Contains(t, other, fmt.Sprintf(`href="/incidents/%d/actions/new?why=%d"`, f.incident, f.other.ID))
	assert.Contains(t, other, fmt.Sprintf(`action="/incidents/%d/whys/%d/promote"`, f.incident, f.other.ID))
	rootItem := htmlSection(t, whys, "li", fmt.Sprintf("why-%d", f.root.ID))
	assert.Contains(t, rootItem, `data-confirm="Delete this why and the 3 answers below it?"`)
	assert.Contains(t, htmlSection(t, whys, "li", fmt.Sprintf("why-%d", f.child.ID)), `data-confirm="Delete this why and the 1 answer below it?"`)

	// The diagram inline, one box per node, with its link.
	fig := whys[strings.Index(whys, `<figure class="why-diagram">`):]
	assert.Contains(t, fig, `<svg xmlns="http://www.w3.org/2000/svg"`)
	assert.Equal(t, 4, strings.Count(fig, fmt.Sprintf(`<g id="why-tree-%d-`, f.root.ID)), "a box per node")
	assert.Contains(t, fig, fmt.Sprintf(`<a href="/incidents/%d/whys/%d/diagram.svg" class="no-print">Open diagram</a>`, f.incident, f.root.ID))

	// Action items: owner, due with the overdue badge, status, links.
	actions := htmlSection(t, body, "section", "actions")
	row := htmlSection(t, actions, "tr", fmt.Sprintf("action-%d", f.action.ID))
	assert.Contains(t, row, "Sam Okafor")
	assert.Contains(t, row, `<span class="due">2026-11-10</span> <span class="badge overdue">overdue</span>`)
	assert.Contains(t, row, `<span class="badge action-open">open</span>`)
	assert.Contains(t, row, `<a href="https://tracker.example/OPS-42" rel="noopener noreferrer nofollow" target="_blank" class="tracker">tracker</a>`)
	assert.Contains(t, row, fmt.Sprintf(`href="#factor-%d"`, f.trigger.ID))
	assert.Contains(t, row, fmt.Sprintf(`href="#why-%d"`, f.grandchild.ID))

	// An open incident shows its timeline first, with the in-page nav.
	assert.Less(t, strings.Index(body, `id="timeline-heading"`), strings.Index(body, `<div id="analysis"`))
	assert.Contains(t, body, `<nav class="page-nav" aria-label="On this page"><a href="#timeline-heading">Timeline</a>`)
}

func TestResolvedIncidentShowsAnalysisFirst(t *testing.T) {
	app := newAnalysisPageApp(t)
	f := app.seedAnalysis("Resolved one")
	status := model.StatusResolved
	_, err := app.store.UpdateIncident(context.Background(), f.incident, model.IncidentPatch{Status: &status, Version: 1})
	require.NoError(t, err)
	body := app.page(f.path(""))
	assert.Less(t, strings.Index(body, `<div id="analysis"`), strings.Index(body, `id="timeline-heading"`))
	assert.Contains(t, body, `<nav class="page-nav" aria-label="On this page"><a href="#factors">Contributing factors</a>`)
}

func TestViewerSeesAnalysisWithoutControls(t *testing.T) {
	app := newAnalysisPageApp(t)
	f := app.seedAnalysis("Read only")
	body := app.as(model.RoleViewer).page(f.path(""))
	assert.Contains(t, body, "Config pushed to every region at once")
	assert.Contains(t, body, "keep asking why?")
	assert.NotContains(t, body, `class="item-controls"`)
	assert.NotContains(t, body, "Add a contributing factor")
	assert.NotContains(t, body, "/actions/new")
}

func TestBlamelessLintOnSavedItems(t *testing.T) {
	app := newAnalysisPageApp(t)
	f := app.seedAnalysis("Lint")
	ctx := context.Background()
	fac := &model.Factor{IncidentID: f.incident, Title: "Human error during the deploy", Category: "process"}
	require.NoError(t, app.store.CreateFactor(ctx, fac))
	why := &model.WhyNode{IncidentID: f.incident, ParentID: &f.other.ID, Text: "Dana Reyes forgot to check the pager"}
	require.NoError(t, app.store.CreateWhy(ctx, why, nil))
	act := &model.ActionItem{IncidentID: f.incident, Title: "Remind the operator that they should have checked", Owner: "Dana Reyes",
		Due: model.NewDate(2026, time.December, 1), Type: model.ActionProcess}
	require.NoError(t, app.store.CreateAction(ctx, act))

	body := app.page(f.path(""))
	for _, c := range []struct{ tag, id, phrase string }{
		{"li", fmt.Sprintf("factor-%d", fac.ID), "Human error"},
		{"li", fmt.Sprintf("why-%d", why.ID), "forgot"},
		{"tr", fmt.Sprintf("action-%d", act.ID), "should have"},
	} {
		item := htmlSection(t, body, c.tag, c.id)
		assert.Contains(t, item, `<details class="lint">`, c.id)
		assert.Regexp(t, "<q>[^<]*"+c.phrase+"</q>", item, c.id)
		assert.Regexp(t, `<em>[^<]+\?</em>`, item, "%s: a reframing question", c.id)
	}
	assert.NotContains(t, htmlSection(t, body, "li", fmt.Sprintf("factor-%d", f.latent.ID)), `class="lint"`, "clean text has no notes")
}

func TestLintPreview(t *testing.T) {
	app := newAnalysisPageApp(t)
	f := app.seedAnalysis("Preview")
	viewer := app.as(model.RoleViewer) // reads only, so viewers may call it

	rec := viewer.form("/lint-preview", url.Values{"text": {"Sam Okafor broke the config"}, "incident_id": {fmt.Sprint(f.incident)}}, hxRequest...)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "<q>Sam Okafor broke</q>", "a person of the incident's roles as the cause")
	assert.NotContains(t, rec.Body.String(), "<html")

	// The factor and action forms send their own fields.
	rec = viewer.form("/lint-preview", url.Values{"title": {"Human error"}, "description": {"They should have known"}, "_csrf": {"x"}})
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), "<q>Human error</q>")
	assert.Contains(t, rec.Body.String(), "<q>should have</q>")

	rec = viewer.form("/lint-preview", url.Values{"text": {"The cache evicted hot keys under load"}})
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Empty(t, strings.TrimSpace(rec.Body.String()), "no findings, no markup")

	rec = viewer.form("/lint-preview", url.Values{"text": {strings.Repeat("a", model.MaxMarkdownLen+1)}}, hxRequest...)
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), "too long")

	assert.Equal(t, http.StatusUnprocessableEntity, viewer.form("/lint-preview", url.Values{"text": {"x"}, "incident_id": {"abc"}}).Code)
	assert.Equal(t, http.StatusNotFound, viewer.form("/lint-preview", url.Values{"text": {"x"}, "incident_id": {"999"}}).Code)
}

func TestFactorForms(t *testing.T) {
	app := newAnalysisPageApp(t)
	f := app.seedAnalysis("Factors")

	// Plain post: 303 back to the new factor.
	rec := app.form(f.path("/factors"), url.Values{"title": {"Stale runbook"}, "category": {"runbook/documentation"}, "description": {"Step 4 was wrong"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Regexp(t, fmt.Sprintf(`^/incidents/%d#factor-\d+$`, f.incident), rec.Header().Get("Location"))

	// htmx: the analysis area, with the new factor in it.
	body := assertAnalysisFragment(t, app.form(f.path("/factors"), url.Values{"title": {"Shared database"}, "category": {"capacity"}}, hxRequest...), http.StatusOK)
	assert.Contains(t, body, "Shared database")
	factors, err := app.store.Factors(context.Background(), f.incident)
	require.NoError(t, err)
	require.Len(t, factors, 4)

	// A missing title or category, an unknown category: 422 beside the
	// fields, the input kept, the form open.
	for _, hdr := range [][]string{nil, hxRequest} {
		rec := app.form(f.path("/factors"), url.Values{"title": {" "}, "category": {""}, "description": {"kept text"}}, hdr...)
		require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
		body := rec.Body.String()
		assert.Equal(t, hdr == nil, strings.Contains(body, "<html"), "whole page without htmx, fragment with")
		assertFieldInvalid(t, body, "factor-new-title", "is required")
		assertFieldInvalid(t, body, "factor-new-category", "is required")
		assertFieldValue(t, body, "factor-new-description", "kept text")
		assert.Contains(t, body, `<details class="add-form" open><summary>Add a contributing factor</summary>`)
	}
	rec = app.form(f.path("/factors"), url.Values{"title": {"Kept title"}, "category": {"vibes"}}, hxRequest...)
	body = assertAnalysisFragment(t, rec, http.StatusUnprocessableEntity)
	assertFieldInvalid(t, body, "factor-new-category", `unknown category "vibes"`)
	assertFieldValue(t, body, "factor-new-title", "Kept title")

	// At most one trigger: the store's 422 shows beside the checkbox.
	rec = app.form(f.path("/factors"), url.Values{"title": {"Second trigger"}, "category": {"change"}, "is_trigger": {"1"}}, hxRequest...)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, html.UnescapeString(rec.Body.String()), "is already the trigger")
	assert.Contains(t, rec.Body.String(), `<div class="field invalid">`+"\n    "+`<label class="checkbox" for="factor-new-is_trigger"><input type="checkbox" id="factor-new-is_trigger" name="is_trigger" value="1" checked>`)

	// Edit: saved; a stale version is a 409 that keeps the typed text.
	edit := f.path("/factors/%d/edit", f.latent.ID)
	rec = app.form(edit, url.Values{"version": {"1"}, "title": {"No alert on config load errors"}, "category": {"monitoring gap"}})
	assertRedirect(t, rec, f.path("#factor-%d", f.latent.ID))
	rec = app.form(edit, url.Values{"version": {"1"}, "title": {"My stale edit"}, "category": {"monitoring gap"}}, hxRequest...)
	body = assertAnalysisFragment(t, rec, http.StatusConflict)
	assert.Contains(t, body, "was changed by someone else")
	assertFieldValue(t, body, fmt.Sprintf("factor-%d-title", f.latent.ID), "My stale edit")
	assert.Contains(t, body, `<input type="hidden" name="version" value="2">`, "saving again is a knowing overwrite")

	// Move: the latent condition goes up.
	rec = app.form(f.path("/factors/%d/move", f.latent.ID), url.Values{"version": {"2"}, "direction": {"up"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	factors, err = app.store.Factors(context.Background(), f.incident)
	require.NoError(t, err)
	assert.Equal(t, f.latent.ID, factors[0].ID)
	assert.Equal(t, http.StatusUnprocessableEntity, app.form(f.path("/factors/%d/move", f.latent.ID), url.Values{"version": {"3"}, "direction": {"sideways"}}).Code)

	// Delete: the factor goes, its action items stay (unlinked).
	rec = app.form(f.path("/factors/%d/delete", f.trigger.ID), url.Values{"version": {"1"}}, hxRequest...)
	body = assertAnalysisFragment(t, rec, http.StatusOK)
	assert.NotContains(t, body, `id="factor-`+fmt.Sprint(f.trigger.ID)+`"`)
	a, err := app.store.Action(context.Background(), f.incident, f.action.ID)
	require.NoError(t, err)
	assert.Empty(t, a.FactorIDs)
	assert.Contains(t, body, "Add a canary stage to config rollouts")
	assert.Equal(t, http.StatusNotFound, app.form(f.path("/factors/%d/delete", f.trigger.ID), url.Values{"version": {"1"}}).Code)
}

func TestWhyForms(t *testing.T) {
	app := newAnalysisPageApp(t)
	f := app.seedAnalysis("Whys")
	ctx := context.Background()

	// A child ("because…") of the second child: plain post → 303.
	rec := app.form(f.path("/whys"), url.Values{"parent_id": {fmt.Sprint(f.other.ID)}, "text": {"The alert routed to an old rotation"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Regexp(t, fmt.Sprintf(`^/incidents/%d#why-\d+$`, f.incident), rec.Header().Get("Location"))

	// A sibling right after the first child, through htmx.
	body := assertAnalysisFragment(t, app.form(f.path("/whys"), url.Values{"sibling_of": {fmt.Sprint(f.child.ID)}, "text": {"Config validation passed the bad file"}}, hxRequest...), http.StatusOK)
	assert.Contains(t, body, "Config validation passed the bad file")
	roots, err := app.store.Whys(ctx, f.incident)
	require.NoError(t, err)
	require.Len(t, roots, 1)
	var texts []string
	for _, c := range roots[0].Children {
		texts = append(texts, c.Text)
	}
	assert.Equal(t, []string{"Every gateway loaded the bad config", "Config validation passed the bad file", "Nobody was paged for 25 minutes"}, texts)

	// A new tree for a factor; its text defaults to the factor's title.
	rec = app.form(f.path("/whys"), url.Values{"factor_id": {fmt.Sprint(f.latent.ID)}, "text": {""}}, hxRequest...)
	body = assertAnalysisFragment(t, rec, http.StatusOK)
	assert.Contains(t, html.UnescapeString(body), "Why did “")
	roots, err = app.store.Whys(ctx, f.incident)
	require.NoError(t, err)
	require.Len(t, roots, 2)
	assert.Equal(t, "No alert on config errors", roots[1].Text)

	// Empty text: 422 with the form open and the reason beside the field.
	key := fmt.Sprintf("why-child-%d", f.child.ID)
	for _, hdr := range [][]string{nil, hxRequest} {
		rec = app.form(f.path("/whys"), url.Values{"parent_id": {fmt.Sprint(f.child.ID)}, "text": {"  "}}, hdr...)
		require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
		assertFieldInvalid(t, rec.Body.String(), key+"-text", "is required")
		assert.Contains(t, rec.Body.String(), `<details class="item-form" open><summary>because…</summary>`)
	}

	// A parent or factor of another incident is a 422, shown on the page.
	g := app.seedAnalysis("Another incident")
	rec = app.form(f.path("/whys"), url.Values{"parent_id": {fmt.Sprint(g.root.ID)}, "text": {"crafted"}}, hxRequest...)
	body = assertAnalysisFragment(t, rec, http.StatusUnprocessableEntity)
	assert.Contains(t, body, fmt.Sprintf("there is no why node %d in this incident", g.root.ID))
	rec = app.form(f.path("/whys"), url.Values{"factor_id": {fmt.Sprint(g.trigger.ID)}, "text": {"crafted"}})
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), fmt.Sprintf("there is no contributing factor %d in this incident", g.trigger.ID))
	rec = app.form(f.path("/whys"), url.Values{"parent_id": {"abc"}, "text": {"crafted"}})
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	rec = app.form(f.path("/whys"), url.Values{"sibling_of": {fmt.Sprint(g.child.ID)}, "text": {"crafted"}})
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)

	// Move the first child down; a stale move is a 409.
	rec = app.form(f.path("/whys/%d/move", f.child.ID), url.Values{"version": {"1"}, "direction": {"down"}}, hxRequest...)
	assertAnalysisFragment(t, rec, http.StatusOK)
	moved, err := app.store.WhyNode(ctx, f.incident, f.child.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, moved.Position)
	rec = app.form(f.path("/whys/%d/move", f.child.ID), url.Values{"version": {"1"}, "direction": {"down"}}, hxRequest...)
	body = assertAnalysisFragment(t, rec, http.StatusConflict)
	assert.Contains(t, body, "was changed by someone else")

	// Promote a why to a contributing factor.
	rec = app.form(f.path("/whys/%d/promote", f.other.ID), url.Values{"version": {"1"}, "title": {"Paging goes to an old rotation"}, "category": {"process"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	promoted, err := app.store.WhyNode(ctx, f.incident, f.other.ID)
	require.NoError(t, err)
	require.NotNil(t, promoted.FactorID)
	fac, err := app.store.Factor(ctx, f.incident, *promoted.FactorID)
	require.NoError(t, err)
	assert.Equal(t, "Paging goes to an old rotation", fac.Title)
	rec = app.form(f.path("/whys/%d/promote", f.root.ID), url.Values{"version": {"1"}, "title": {"x"}, "category": {""}}, hxRequest...)
	body = assertAnalysisFragment(t, rec, http.StatusUnprocessableEntity)
	assertFieldInvalid(t, body, fmt.Sprintf("promote-%d-category", f.root.ID), "is required")
	assert.Contains(t, body, `<details class="item-form" open><summary>promote to contributing factor</summary>`)

	// Delete takes the answers below along.
	rec = app.form(f.path("/whys/%d/delete", f.child.ID), url.Values{"version": {"2"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	_, err = app.store.WhyNode(ctx, f.incident, f.grandchild.ID)
	assert.ErrorIs(t, err, model.ErrNotFound)
}

func TestWhyEditPage(t *testing.T) {
	app := newAnalysisPageApp(t)
	f := app.seedAnalysis("Edit whys")
	ctx := context.Background()
	edit := f.path("/whys/%d/edit", f.child.ID)

	// The parent select leaves out the node and its answers.
	body := app.page(edit)
	parents := fieldBlock(t, body, "parent_id")
	assert.Contains(t, parents, `<option value="">none (make it a root)</option>`)
	assert.Contains(t, parents, fmt.Sprintf(`<option value="%d" selected>`, f.root.ID))
	assert.Contains(t, parents, fmt.Sprintf(`<option value="%d">`, f.other.ID))
	assert.NotContains(t, parents, fmt.Sprintf(`value="%d"`, f.child.ID))
	assert.NotContains(t, parents, fmt.Sprintf(`value="%d"`, f.grandchild.ID))
	assert.Contains(t, body, `data-confirm="Delete this why and the 1 answer below it?"`)

	// A cycle from a crafted post: 422 on the page, text kept.
	rec := app.form(edit, url.Values{"version": {"1"}, "text": {"my edit"}, "parent_id": {fmt.Sprint(f.grandchild.ID)}})
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	assertFieldInvalid(t, rec.Body.String(), "parent_id", "cycle")
	assertFieldValue(t, rec.Body.String(), "text", "my edit")
	// A parent or factor of another incident: 422.
	g := app.seedAnalysis("Elsewhere")
	rec = app.form(edit, url.Values{"version": {"1"}, "text": {"x"}, "parent_id": {fmt.Sprint(g.root.ID)}})
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assertFieldInvalid(t, rec.Body.String(), "parent_id", "there is no why node")
	rec = app.form(edit, url.Values{"version": {"1"}, "text": {"x"}, "parent_id": {fmt.Sprint(f.root.ID)}, "factor_id": {fmt.Sprint(g.trigger.ID)}})
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assertFieldInvalid(t, rec.Body.String(), "factor_id", "there is no contributing factor")
	rec = app.form(edit, url.Values{"version": {"1"}, "text": {"x"}, "parent_id": {"x1"}})
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)

	// A move under the other branch, with a new factor link.
	rec = app.form(edit, url.Values{"version": {"1"}, "text": {"Every gateway loaded it"}, "parent_id": {fmt.Sprint(f.other.ID)}, "factor_id": {fmt.Sprint(f.latent.ID)}})
	assertRedirect(t, rec, f.path("#why-%d", f.child.ID))
	n, err := app.store.WhyNode(ctx, f.incident, f.child.ID)
	require.NoError(t, err)
	assert.Equal(t, f.other.ID, *n.ParentID)
	assert.Equal(t, f.latent.ID, *n.FactorID)

	// Stale: 409 showing the current text, keeping the typed one.
	rec = app.form(edit, url.Values{"version": {"1"}, "text": {"stale text"}, "parent_id": {fmt.Sprint(f.root.ID)}})
	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), `<blockquote class="current-text">Every gateway loaded it</blockquote>`)
	assertFieldValue(t, rec.Body.String(), "text", "stale text")
	assert.Contains(t, rec.Body.String(), `<input type="hidden" name="version" value="2">`)

	// Making it a root.
	rec = app.form(edit, url.Values{"version": {"2"}, "text": {"Gateways load config without checks"}, "parent_id": {""}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	roots, err := app.store.Whys(ctx, f.incident)
	require.NoError(t, err)
	assert.Len(t, roots, 2)
}

func TestWhyDiagram(t *testing.T) {
	app := newAnalysisPageApp(t)
	f := app.seedAnalysis("Diagram")
	viewer := app.as(model.RoleViewer)
	rec := viewer.do(http.MethodGet, f.path("/whys/%d/diagram.svg", f.root.ID), "", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "image/svg+xml", rec.Header().Get("Content-Type"))
	assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
	assert.True(t, strings.HasPrefix(rec.Body.String(), `<svg xmlns="http://www.w3.org/2000/svg"`))
	for _, n := range []*model.WhyNode{f.root, f.child, f.grandchild, f.other} {
		assert.Contains(t, rec.Body.String(), fmt.Sprintf(`<g id="why-tree-%d-%d">`, f.root.ID, n.ID))
	}
	assert.Contains(t, rec.Body.String(), "factor: Config pushed")

	g := app.seedAnalysis("Other")
	for _, path := range []string{
		f.path("/whys/%d/diagram.svg", f.child.ID),                   // not a root
		f.path("/whys/%d/diagram.svg", g.root.ID),                    // another incident's root
		f.path("/whys/999/diagram.svg"),                              // unknown
		f.path("/whys/abc/diagram.svg"),                              // not a number
		fmt.Sprintf("/incidents/999/whys/%d/diagram.svg", f.root.ID), // unknown incident
	} {
		assert.Equal(t, http.StatusNotFound, viewer.do(http.MethodGet, path, "", "").Code, path)
	}
}

func TestActionForm(t *testing.T) {
	app := newAnalysisPageApp(t)
	f := app.seedAnalysis("Actions")
	ctx := context.Background()

	// New, started from a why and a factor: linked, due by the severity.
	body := app.page(f.path("/actions/new?why=%d&factor=%d", f.other.ID, f.latent.ID))
	assertFieldValue(t, body, "due_date", "2026-12-16")
	assert.Contains(t, body, "default for SEV2: 4 weeks")
	assert.Contains(t, body, fmt.Sprintf(`name="why_ids" value="%d" checked>`, f.other.ID))
	assert.Contains(t, body, fmt.Sprintf(`name="factor_ids" value="%d" checked>`, f.latent.ID))
	assert.NotContains(t, body, fmt.Sprintf(`name="why_ids" value="%d" checked>`, f.root.ID))
	assert.Contains(t, body, `<input id="owner" name="owner" value="" maxlength="100" required list="people"`)
	assert.Equal(t, http.StatusUnprocessableEntity, app.do(http.MethodGet, f.path("/actions/new?why=abc"), "", "").Code)

	valid := func() url.Values {
		return url.Values{
			"title": {"Page the current rotation"}, "owner": {"Sam Okafor"}, "due_date": {"2026-12-16"},
			"type": {"detect"}, "priority": {"high"}, "status": {"open"},
			"why_ids": {fmt.Sprint(f.other.ID)}, "factor_ids": {fmt.Sprint(f.latent.ID)},
		}
	}
	bad := []struct {
		name   string
		change func(url.Values)
		fields map[string]string
	}{
		{"no owner", func(v url.Values) { v.Set("owner", " ") }, map[string]string{"owner": "every action item needs one person who owns it"}},
		{"no due date", func(v url.Values) { v.Set("due_date", "") }, map[string]string{"due_date": "is required"}},
		{"owner and due date", func(v url.Values) { v.Set("owner", ""); v.Del("due_date") }, map[string]string{"owner": "is required", "due_date": "is required"}},
		{"bad due date", func(v url.Values) { v.Set("due_date", "next friday") }, map[string]string{"due_date": "YYYY-MM-DD"}},
		{"done without a closure note", func(v url.Values) { v.Set("status", "done") }, map[string]string{"closure_note": "is required to mark an item done"}},
		{"won't do without a rationale", func(v url.Values) { v.Set("status", "wont_do") }, map[string]string{"rationale": "is required"}},
		{"javascript tracker", func(v url.Values) { v.Set("tracker_url", "javascript:alert(1)") }, map[string]string{"tracker_url": "must be an http:// or https:// URL"}},
		{"unknown type", func(v url.Values) { v.Set("type", "blame") }, map[string]string{"type": "unknown type"}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			v := valid()
			c.change(v)
			rec := app.form(f.path("/actions"), v)
			require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
			body := rec.Body.String()
			for field, reason := range c.fields {
				assertFieldInvalid(t, body, field, reason)
			}
			assertFieldValue(t, body, "title", "Page the current rotation")
			assert.Contains(t, body, fmt.Sprintf(`name="why_ids" value="%d" checked>`, f.other.ID), "links kept")
		})
	}
	// The typed due date is kept when the owner is missing.
	v := valid()
	v.Set("owner", "")
	v.Set("due_date", "2027-01-05")
	assertFieldValue(t, app.form(f.path("/actions"), v).Body.String(), "due_date", "2027-01-05")

	// Links to another incident's why or factor: 422.
	g := app.seedAnalysis("Other incident")
	v = valid()
	v.Set("why_ids", fmt.Sprint(g.root.ID))
	rec := app.form(f.path("/actions"), v)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), fmt.Sprintf("there is no why node %d in this incident", g.root.ID))
	v = valid()
	v.Set("factor_ids", fmt.Sprint(g.trigger.ID))
	assert.Equal(t, http.StatusUnprocessableEntity, app.form(f.path("/actions"), v).Code)
	v = valid()
	v.Set("factor_ids", "one")
	assert.Equal(t, http.StatusUnprocessableEntity, app.form(f.path("/actions"), v).Code)

	// Saved: back to the incident, listed with its links.
	rec = app.form(f.path("/actions"), valid())
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	items, err := app.store.IncidentActions(ctx, f.incident)
	require.NoError(t, err)
	require.Len(t, items, 2)
	created := items[1]
	assert.Equal(t, f.path("#action-%d", created.ID), rec.Header().Get("Location"))
	assert.Equal(t, []int64{f.other.ID}, created.WhyIDs)
	row := htmlSection(t, app.page(f.path("")), "tr", fmt.Sprintf("action-%d", created.ID))
	assert.Contains(t, row, fmt.Sprintf(`<a href="#why-%d" class="link-why">why: Nobody was paged for 25 minutes</a>`, f.other.ID))

	// Edit: status changes go through here; done needs a closure note.
	edit := f.path("/actions/%d/edit", created.ID)
	body = app.page(edit)
	assertFieldValue(t, body, "owner", "Sam Okafor")
	assertFieldValue(t, body, "status", "open")
	v = valid()
	v.Set("version", "1")
	v.Set("status", "done")
	rec = app.form(edit, v)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assertFieldInvalid(t, rec.Body.String(), "closure_note", "is required to mark an item done")
	v.Set("due_date", "")
	rec = app.form(edit, v)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assertFieldInvalid(t, rec.Body.String(), "due_date", "is required")
	assertFieldInvalid(t, rec.Body.String(), "closure_note", "is required") // every mistake at once
	v.Set("due_date", "2026-12-16")
	v.Set("closure_note", "Paging now follows the rotation in the on-call tool")
	assertRedirect(t, app.form(edit, v), f.path("#action-%d", created.ID))
	done, err := app.store.Action(ctx, f.incident, created.ID)
	require.NoError(t, err)
	assert.Equal(t, model.ActionDone, done.Status)
	assert.NotNil(t, done.ClosedAt)

	// A stale save: 409, typed input kept, current shown.
	v.Set("title", "My stale title")
	rec = app.form(edit, v)
	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "was changed by someone else")
	assertFieldValue(t, rec.Body.String(), "title", "My stale title")
	assert.Contains(t, rec.Body.String(), `<input type="hidden" name="version" value="2">`)

	// Delete.
	rec = app.form(f.path("/actions/%d/delete", created.ID), url.Values{"version": {"2"}})
	assertRedirect(t, rec, f.path("#actions"))
	_, err = app.store.Action(ctx, f.incident, created.ID)
	assert.ErrorIs(t, err, model.ErrNotFound)
}

func TestAnalysisUnknownIDs(t *testing.T) {
	app := newAnalysisPageApp(t)
	f := app.seedAnalysis("Ids")
	g := app.seedAnalysis("Other")
	v := url.Values{"version": {"1"}, "title": {"t"}, "category": {"change"}, "text": {"t"}, "direction": {"up"}}
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, f.path("/whys/999/edit")},
		{http.MethodGet, f.path("/whys/abc/edit")},
		{http.MethodGet, f.path("/whys/%d/edit", g.root.ID)},
		{http.MethodGet, "/incidents/999/whys/1/edit"},
		{http.MethodGet, "/incidents/abc/actions/new"},
		{http.MethodGet, "/incidents/999/actions/new"},
		{http.MethodGet, f.path("/actions/999/edit")},
		{http.MethodGet, f.path("/actions/x/edit")},
		{http.MethodGet, f.path("/actions/%d/edit", g.action.ID)},
		{http.MethodPost, "/incidents/999/factors"},
		{http.MethodPost, f.path("/factors/999/edit")},
		{http.MethodPost, f.path("/factors/abc/move")},
		{http.MethodPost, f.path("/factors/%d/delete", g.trigger.ID)},
		{http.MethodPost, "/incidents/999/whys"},
		{http.MethodPost, f.path("/whys/999/move")},
		{http.MethodPost, f.path("/whys/%d/promote", g.other.ID)},
		{http.MethodPost, f.path("/whys/0/delete")},
		{http.MethodPost, f.path("/whys/999/edit")},
		{http.MethodPost, "/incidents/999/actions"},
		{http.MethodPost, f.path("/actions/999/edit")},
		{http.MethodPost, f.path("/actions/-1/delete")},
	} {
		var rec *httptest.ResponseRecorder
		if c.method == http.MethodGet {
			rec = app.do(c.method, c.path, "", "")
		} else {
			rec = app.form(c.path, v)
		}
		assert.Equal(t, http.StatusNotFound, rec.Code, "%s %s: %s", c.method, c.path, rec.Body.String())
	}
}

func TestAnalysisRendersMarkupAsText(t *testing.T) {
	app := newAnalysisPageApp(t)
	payloads := []string{`<script>alert(1)</script>`, `<img src=x onerror=alert(1)>`, `"><svg onload=alert(1)>`}
	ctx := context.Background()
	f := app.seedAnalysis("XSS")
	var whyIDs []int64
	for i, p := range payloads {
		fac := &model.Factor{IncidentID: f.incident, Title: "factor " + p, Description: "desc " + p, Category: "other"}
		require.NoError(t, app.store.CreateFactor(ctx, fac))
		why := &model.WhyNode{IncidentID: f.incident, ParentID: &f.root.ID, Text: "why " + p, FactorID: &fac.ID}
		require.NoError(t, app.store.CreateWhy(ctx, why, nil))
		whyIDs = append(whyIDs, why.ID)
		// Through the form, as a person would type them.
		rec := app.form(f.path("/actions"), url.Values{
			"title": {"action " + p}, "owner": {fmt.Sprintf("owner%d %s", i, p)}, "description": {"text " + p},
			"due_date": {"2026-11-01"}, "type": {"prevent"}, "why_ids": {fmt.Sprint(why.ID)},
		})
		require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	}
	pages := map[string]string{
		"incident page": app.page(f.path("")),
		"fragment":      app.form(f.path("/whys"), url.Values{"parent_id": {fmt.Sprint(f.root.ID)}, "text": {payloads[0]}}, hxRequest...).Body.String(),
		"diagram":       app.do(http.MethodGet, f.path("/whys/%d/diagram.svg", f.root.ID), "", "").Body.String(),
		"actions":       app.page("/actions"),
		"why edit":      app.page(f.path("/whys/%d/edit", whyIDs[0])),
		"action edit":   app.page(f.path("/actions/%d/edit", f.action.ID+1)),
		"action new":    app.page(f.path("/actions/new")),
		"lint preview":  app.form("/lint-preview", url.Values{"text": {"human error " + payloads[1]}}).Body.String(),
	}
	for name, body := range pages {
		for _, p := range payloads {
			assert.NotContains(t, body, p, "%s shows %s unescaped", name, p)
		}
		assert.NotContains(t, body, "<svg onload", name)
		assert.NotContains(t, body, "<img src=x", name)
	}
	for name, body := range map[string]string{"incident page": pages["incident page"], "actions": pages["actions"]} {
		assert.Contains(t, body, "action "+xssScriptEscaped, name)
		assert.Contains(t, body, xssImgEscaped, name)
		assert.Contains(t, body, `&#34;&gt;&lt;svg onload=alert(1)&gt;`, name)
	}
	assert.Contains(t, pages["incident page"], "why "+xssScriptEscaped)
	assert.Contains(t, pages["incident page"], "factor "+xssScriptEscaped)
	assert.Contains(t, pages["diagram"], "Why 1: why "+xssScriptEscaped)
}

func TestActionList(t *testing.T) {
	app := newAnalysisPageApp(t)
	ctx := context.Background()
	f := app.seedAnalysis("Listed")
	g := app.seedAnalysis("Elsewhere")
	me := app.who.user.Name
	add := func(incident int64, title, owner string, due model.Date, status model.ActionStatus) *model.ActionItem {
		a := &model.ActionItem{IncidentID: incident, Title: title, Owner: owner, Due: due, Type: model.ActionDetect, Status: status}
		if status == model.ActionDone {
			a.ClosureNote = "done"
		}
		require.NoError(t, app.store.CreateAction(ctx, a))
		return a
	}
	add(f.incident, "Mine due Friday", me, model.NewDate(2026, time.November, 20), model.ActionInProgress)
	add(g.incident, "Mine next month", strings.ToUpper(me), model.NewDate(2026, time.December, 20), model.ActionOpen)
	add(g.incident, "Closed long ago", me, model.NewDate(2026, time.October, 1), model.ActionDone)
	_, err := app.store.UpdateIncident(ctx, g.incident, model.IncidentPatch{Services: &[]string{"payments"}, Version: 1})
	require.NoError(t, err)

	titles := func(body string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<a href="/incidents/\d+#action-\d+">([^<]+)</a>`).FindAllStringSubmatch(body, -1) {
			out = append(out, html.UnescapeString(m[1]))
		}
		return out
	}
	cases := []struct {
		query string
		want  []string
	}{
		// Active by default, by due date across incidents.
		{"", []string{"Add a canary stage to config rollouts", "Add a canary stage to config rollouts", "Mine due Friday", "Mine next month"}},
		{"?status=all", []string{"Closed long ago", "Add a canary stage to config rollouts", "Add a canary stage to config rollouts", "Mine due Friday", "Mine next month"}},
		{"?status=done", []string{"Closed long ago"}},
		{"?status=in_progress", []string{"Mine due Friday"}},
		{"?mine=1", []string{"Mine due Friday", "Mine next month"}},
		{"?owner=" + url.QueryEscape(strings.ToLower(me)) + "&status=all", []string{"Closed long ago", "Mine due Friday", "Mine next month"}},
		{"?overdue=1", []string{"Add a canary stage to config rollouts", "Add a canary stage to config rollouts"}},
		{"?week=1&mine=1", []string{"Mine due Friday"}},
		{fmt.Sprintf("?incident=%d", g.incident), []string{"Add a canary stage to config rollouts", "Mine next month"}},
		{"?service=payments&status=all", []string{"Closed long ago", "Add a canary stage to config rollouts", "Mine next month"}},
		{"?owner=nobody", nil},
	}
	for _, c := range cases {
		body := app.page("/actions" + c.query) // as the editor, whose are "mine"
		assert.Equal(t, c.want, titles(body), c.query)
	}

	body := app.page("/actions")
	row := htmlSection(t, body, "tr", fmt.Sprintf("action-%d", f.action.ID))
	assert.Contains(t, row, `<span class="badge overdue">overdue</span>`)
	assert.Contains(t, row, fmt.Sprintf(`<a href="/incidents/%d">#%d Listed</a> <span class="badge sev-SEV2">SEV2</span>`, f.incident, f.incident))
	assert.Contains(t, row, `<span class="service">checkout</span>`)
	assert.Contains(t, body, `<a href="/actions" aria-current="page">Action items</a>`)
	assert.Contains(t, app.page("/actions?owner=nobody"), "No action items match these filters.")

	// Pagination keeps the filters.
	body = app.page("/actions?status=all&limit=2")
	assert.Len(t, titles(body), 2)
	assert.Contains(t, body, `href="/actions?limit=2&amp;offset=2&amp;status=all" rel="next"`)
	body = app.page("/actions?status=all&limit=2&offset=4")
	assert.Equal(t, []string{"Mine next month"}, titles(body))
	assert.Contains(t, body, `rel="prev"`)

	for _, q := range []string{"?status=blocked", "?incident=abc", "?incident=-3", "?overdue=maybe", "?limit=0", "?offset=-1", "?owner=" + strings.Repeat("x", 101)} {
		rec := app.do(http.MethodGet, "/actions"+q, "", "")
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, q)
		assert.Contains(t, rec.Body.String(), "invalid input", q)
	}
}

func TestFactorCategoriesAdmin(t *testing.T) {
	app := newTestApp(t).as(model.RoleAdmin)
	body := app.page("/admin/categories")
	assert.Contains(t, body, `action="/admin/categories/runbook%2Fdocumentation"`)
	assert.Contains(t, body, `<a href="/admin/categories">Factor categories</a>`)

	rec := app.form("/admin/categories", url.Values{"name": {"Security"}, "position": {"20"}, "description": {"Access and secrets"}})
	assertRedirect(t, rec, "/admin/categories?notice=Saved+security")
	for _, bad := range []url.Values{
		{"name": {"security"}, "position": {"21"}}, // taken name
		{"name": {""}, "position": {"22"}},         // empty
		{"name": {"x"}, "position": {"1"}},         // taken position
		{"name": {"x"}, "position": {"many"}},      // not a number
	} {
		rec := app.form("/admin/categories", bad)
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, "%v", bad)
		assert.Contains(t, rec.Body.String(), `class="flash error"`)
	}

	// Rename a category with a slash in its name; factors follow.
	inc := app.createIncident(`{"title":"Categorised","severity":"SEV3"}`)
	fac := &model.Factor{IncidentID: int64(inc["id"].(float64)), Title: "Runbook step wrong", Category: "runbook/documentation"}
	require.NoError(t, app.store.CreateFactor(context.Background(), fac))
	rec = app.form("/admin/categories/runbook%2Fdocumentation", url.Values{"name": {"runbooks"}, "position": {"9"}})
	assertRedirect(t, rec, "/admin/categories?notice=Saved+runbooks")
	got, err := app.store.Factor(context.Background(), fac.IncidentID, fac.ID)
	require.NoError(t, err)
	assert.Equal(t, "runbooks", got.Category)

	// In use: 409; unused: deleted; gone: 404.
	assert.Equal(t, http.StatusConflict, app.form("/admin/categories/runbooks/delete", nil).Code)
	assertRedirect(t, app.form("/admin/categories/code%20defect/delete", nil), "/admin/categories?notice=Deleted+code+defect")
	assert.Equal(t, http.StatusNotFound, app.form("/admin/categories/code%20defect/delete", nil).Code)
	assert.Equal(t, http.StatusNotFound, app.form("/admin/categories/nothing", url.Values{"name": {"x"}, "position": {"50"}}).Code)
	assert.Equal(t, http.StatusForbidden, app.as(model.RoleEditor).form("/admin/categories", url.Values{"name": {"e"}, "position": {"60"}}).Code)
}
