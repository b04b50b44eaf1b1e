package web

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
)

// Tests of the postmortem pages (issue "Postmortems"): the reading view,
// the editor and its forms, the revisions, the Markdown and zip exports,
// and the postmortem badge on the incident page and list.

// ----- helpers -----

// pmPath is a page path of an incident's postmortem.
func pmPath(incident int64, rest string) string {
	return fmt.Sprintf("/incidents/%d/postmortem%s", incident, rest)
}

// article returns the rendered postmortem of a reading view.
func article(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<article class="postmortem markdown" id="postmortem">(.*?)</article>`).FindStringSubmatch(page)
	require.NotNil(t, m, "no postmortem article in %.300s", page)
	return m[1]
}

// sectionForm returns section key's part of the editor's one form.
func sectionForm(t *testing.T, page, key string) string {
	t.Helper()
	form := regexp.MustCompile(`(?s)<div id="section-` + key + `" class="pm-section.*?(?:<div id="section-|</form>)`).FindString(page)
	require.NotEmpty(t, form, "no form for section %s", key)
	return form
}

// formVersions lists the values of the hidden version inputs of a form
// (or of a section of the editor).
func formVersions(form string) []string {
	out := []string{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="version(?:_[a-z_]+)?" value="([^"]*)">`).FindAllStringSubmatch(form, -1) {
		out = append(out, m[1])
	}
	return out
}

// textarea returns the unescaped text of the textarea named id.
func textarea(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<textarea id="` + id + `"[^>]*>(.*?)</textarea>`).FindStringSubmatch(page)
	require.NotNil(t, m, "no textarea %s", id)
	return html.UnescapeString(m[1])
}

// pmBadgeOf returns the postmortem badge of an incident on a page.
func pmBadgeOf(t *testing.T, page string, incident int64) string {
	t.Helper()
	badge := regexp.MustCompile(`(?s)<a href="/incidents/` + fmt.Sprint(incident) + `/postmortem" class="pm-badge">.*?</a>`).FindString(page)
	require.NotEmpty(t, badge, "no postmortem badge for incident %d", incident)
	return badge
}

// assertRedirectTo checks a 303 to a path starting with prefix.
func assertRedirectTo(t *testing.T, rec *httptest.ResponseRecorder, prefix string) {
	t.Helper()
	res := rec.Result()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.True(t, strings.HasPrefix(res.Header.Get("Location"), prefix), "redirect to %s, want %s…", res.Header.Get("Location"), prefix)
}

// assertNoLiveMarkup checks that HTML holds no script, no event handler
// attribute and no javascript: link: raw HTML in Markdown stays text.
func assertNoLiveMarkup(t *testing.T, name, body string) {
	t.Helper()
	assert.NotContains(t, strings.ToLower(body), "<script", name)
	assert.NotRegexp(t, `(?i)<[a-z][^>]*\son[a-z]+\s*=`, body, "%s: an event handler attribute", name)
	assert.NotRegexp(t, `(?i)<[a-z][^>]*javascript:`, body, "%s: a javascript: URL", name)
	assert.NotContains(t, body, "<img src=x", name)
}

// ----- the reading view and the editor -----

func TestPostmortemPages(t *testing.T) {
	t.Parallel()
	s := newPMSuite(t)
	s.run("reading view", testPMReadingView)
	s.run("editor forms", testPMEditorForms)
	s.run("same section on the page", testPMPageConflict)
	s.run("gate and acknowledgement on the page", testPMPageGate)
	s.run("facilitator warning", testPMPageFacilitatorWarning)
	s.run("due labels", testPMDueLabels)
	s.run("markup stays text", testPMMarkupSafe)
	s.run("markdown export", testPMMarkdownExport)
	s.run("bad input", testPMPageBadInput)
	s.run("viewer", testPMPageViewer)
}

func testPMReadingView(t *testing.T, tc pmCase) {
	tc.app.pmWrite(tc.inc, map[string]string{"summary": "Checkout **failed** for 40 minutes."})
	page := tc.app.page(pmPath(tc.inc, ""))
	assert.Contains(t, page, `<span class="badge draft">Draft — not published</span>`, "nothing published: the draft")
	assert.Contains(t, page, "Not ready to publish: 1 thing to fix")
	assert.Contains(t, page, "the impact section is empty")
	body := article(t, page)
	assert.Contains(t, body, "<p>Checkout <strong>failed</strong> for 40 minutes.</p>", "the Markdown, rendered")
	assert.Contains(t, body, "<em>Postmortem, draft</em>")
	assert.NotContains(t, body, "debrief_id:", "no front matter")
	assert.Contains(t, page, fmt.Sprintf(`href="%s?draft=1">Markdown</a>`, pmPath(tc.inc, ".md")))

	tc.app.pmPublish(tc.inc, "Checkout **failed** for 40 minutes.", "12% of checkouts.")
	tc.clock.advance(time.Hour)
	tc.app.pmPost(tc.inc, "draft")
	tc.app.pmWrite(tc.inc, map[string]string{"summary": "A correction in progress."})

	page = tc.app.page(pmPath(tc.inc, ""))
	assert.Contains(t, page, `<span>Revision 1, published <time datetime="2026-11-22T14:32:05.123Z">`, "the latest revision, not the new draft")
	assert.Contains(t, article(t, page), "Checkout <strong>failed</strong>")
	assert.Contains(t, page, fmt.Sprintf(`href="%s?revision=1">Markdown</a>`, pmPath(tc.inc, ".md")))
	assert.Contains(t, page, fmt.Sprintf(`href="%s?draft=1">Current draft</a>`, pmPath(tc.inc, "")))
	assert.Contains(t, page, `<option value="1" selected>Revision 1</option>`)

	draft := tc.app.page(pmPath(tc.inc, "?draft=1"))
	assert.Contains(t, article(t, draft), "A correction in progress.")
	assert.Contains(t, draft, "Draft — not published")
	rev := tc.app.page(pmPath(tc.inc, "?revision=1"))
	assert.Equal(t, article(t, page), article(t, rev))

	for _, q := range []string{"?revision=x", "?revision=0", "?revision=-2"} {
		rec := tc.app.do(http.MethodGet, pmPath(tc.inc, q), "", "")
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, q)
		assert.Contains(t, rec.Body.String(), "must be a revision number from 1", q)
	}
	assert.Equal(t, http.StatusNotFound, tc.app.do(http.MethodGet, pmPath(tc.inc, "?revision=2"), "", "").Code)
}

func testPMEditorForms(t *testing.T, tc pmCase) {
	page := tc.app.page(pmPath(tc.inc, "/edit"))
	for _, s := range model.Sections {
		form := sectionForm(t, page, string(s.Key))
		assert.Equal(t, []string{"0"}, formVersions(form), s.Key)
		assert.Contains(t, form, fmt.Sprintf(`placeholder="%s"`, html.EscapeString(s.Hint)))
	}
	assert.Contains(t, page, "Publishing needs 2 more things:")
	assert.Contains(t, page, "Submit for review")

	rec := tc.app.form(pmPath(tc.inc, "/sections/summary"), url.Values{"version": {"0"}, "body": {"Checkout failed for 40 minutes."}})
	assertRedirectTo(t, rec, pmPath(tc.inc, "/edit?notice=Saved+Summary#section-summary"))
	rec = tc.app.form(pmPath(tc.inc, "/sections/impact"), url.Values{"version": {"0"}, "body": {"12% of checkouts."}})
	assertRedirectTo(t, rec, pmPath(tc.inc, "/edit?notice=Saved+Impact"))
	page = tc.app.page(pmPath(tc.inc, "/edit?notice=Saved+Impact"))
	assert.Contains(t, page, `<div class="flash ok" role="status">Saved Impact</div>`)
	assert.Equal(t, "Checkout failed for 40 minutes.", textarea(t, page, "body-summary"))
	assert.Equal(t, []string{"1"}, formVersions(sectionForm(t, page, "summary")))
	assert.Contains(t, page, "Ready to publish.")

	rec = tc.app.form(pmPath(tc.inc, "/people"), url.Values{"version": {fmt.Sprint(tc.app.pmGet(tc.inc)["version"])}, "facilitator": {"Zoe"}, "authors": {"Lena, Jin"}, "reviewers": {"Priya"}})
	assertRedirectTo(t, rec, pmPath(tc.inc, "/edit?notice=Saved+the+people#people"))
	pm := tc.app.pmGet(tc.inc)
	assert.Equal(t, []any{"Lena", "Jin"}, pm["authors"])
	assert.Equal(t, []any{"Priya"}, pm["reviewers"])

	rec = tc.app.form(pmPath(tc.inc, "/status"), url.Values{"version": {fmt.Sprint(pm["version"])}, "status": {"in_review"}})
	assertRedirectTo(t, rec, pmPath(tc.inc, "/edit?notice=Moved+to+in+review"))
	pm = tc.app.pmGet(tc.inc)
	assert.Equal(t, "in_review", pm["status"])
	page = tc.app.page(pmPath(tc.inc, "/edit"))
	assert.Contains(t, page, "Back to draft")
	assert.Contains(t, page, "Publish revision 1")

	rec = tc.app.form(pmPath(tc.inc, "/publish"), url.Values{"version": {fmt.Sprint(pm["version"])}})
	assertRedirectTo(t, rec, pmPath(tc.inc, "?revision=1"))
	page = tc.app.page(pmPath(tc.inc, "/edit"))
	assert.Contains(t, page, "Start a new draft (revision 2)")
	assert.Contains(t, sectionForm(t, page, "summary"), " readonly>", "a published revision is read only")
	assert.NotContains(t, sectionForm(t, page, "summary"), "<button", "and has no save button")

	// A stale form (the version before publishing) is refused, and the
	// editor says why.
	rec = tc.app.form(pmPath(tc.inc, "/status"), url.Values{"version": {fmt.Sprint(pm["version"])}, "status": {"draft"}})
	assert.Equal(t, http.StatusConflict, rec.Code)
	assert.Contains(t, rec.Body.String(), `<div class="flash error" role="alert">the postmortem was changed by someone else`)
}

func testPMPageConflict(t *testing.T, tc pmCase) {
	tc.app.pmWrite(tc.inc, map[string]string{"summary": "First draft."})
	// Both open the editor at version 1; the admin saves first.
	rec := tc.app.as(model.RoleAdmin).form(pmPath(tc.inc, "/sections/summary"), url.Values{"version": {"1"}, "body": {"Theirs: <b>bold</b> claims."}})
	assertRedirectTo(t, rec, pmPath(tc.inc, "/edit"))

	rec = tc.app.form(pmPath(tc.inc, "/sections/summary"), url.Values{"version": {"1"}, "body": {"Yours: a careful summary."}})
	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	page := rec.Body.String()
	form := sectionForm(t, page, "summary")
	assert.Contains(t, form, "Someone else saved this section meanwhile.")
	assert.Contains(t, form, `<pre class="theirs">Theirs: &lt;b&gt;bold&lt;/b&gt; claims.</pre>`, "their text, as text")
	assert.Contains(t, form, "by admin@example.com")
	assert.Equal(t, "Yours: a careful summary.", textarea(t, page, "body-summary"), "yours stays in the box")
	assert.Equal(t, []string{"2"}, formVersions(form), "one version, theirs, so the merge saves")
	assert.Contains(t, page, "someone else saved summary meanwhile")
	assert.Equal(t, "Theirs: <b>bold</b> claims.", pmSection(t, tc.app.pmGet(tc.inc), "summary")["body"], "nothing overwritten")

	// The merge, sent from that form, goes through.
	rec = tc.app.form(pmPath(tc.inc, "/sections/summary"), url.Values{"version": formVersions(form), "body": {"Merged."}})
	assertRedirectTo(t, rec, pmPath(tc.inc, "/edit"))
	assert.Equal(t, "Merged.", pmSection(t, tc.app.pmGet(tc.inc), "summary")["body"])
}

func testPMPageGate(t *testing.T, tc pmCase) {
	tc.app.pmWrite(tc.inc, map[string]string{"summary": "It was human error.", "impact": "Some."})
	v := fmt.Sprint(tc.app.pmGet(tc.inc)["version"])
	rec := tc.app.form(pmPath(tc.inc, "/publish"), url.Values{"version": {v}})
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	page := rec.Body.String()
	assert.Contains(t, page, `<div class="flash error" role="alert">cannot publish yet: 1 thing to fix</div>`)
	gate := regexp.MustCompile(`(?s)<div class="flash error" role="alert" id="gate">.*?</div>`).FindString(page)
	assert.Contains(t, gate, "Summary: “human error” is not acknowledged")

	fp := tc.app.pmGet(tc.inc)["findings"].([]any)[0].(map[string]any)["fingerprint"].(string)
	assert.Contains(t, page, fmt.Sprintf(`<input type="hidden" name="fingerprint" value="%s">`, html.EscapeString(fp)))
	rec = tc.app.form(pmPath(tc.inc, "/acknowledge"), url.Values{"fingerprint": {fp}, "reason": {""}})
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), "say briefly why the wording stays")
	rec = tc.app.form(pmPath(tc.inc, "/acknowledge"), url.Values{"fingerprint": {fp}, "reason": {"The customer's words, quoted."}})
	assertRedirectTo(t, rec, pmPath(tc.inc, "/edit?notice=Acknowledged#findings"))
	page = tc.app.page(pmPath(tc.inc, "/edit"))
	assert.Contains(t, page, "Acknowledged by editor@example.com: The customer&#39;s words, quoted.")
	assert.Contains(t, page, "Ready to publish.")
	rec = tc.app.form(pmPath(tc.inc, "/publish"), url.Values{"version": {v}})
	assertRedirectTo(t, rec, pmPath(tc.inc, "?revision=1"))
}

func testPMPageFacilitatorWarning(t *testing.T, tc pmCase) {
	rec := tc.app.form(pmPath(tc.inc, "/people"), url.Values{"version": {"0"}, "facilitator": {"Bob"}})
	assertRedirectTo(t, rec, pmPath(tc.inc, "/edit"))
	page := tc.app.page(pmPath(tc.inc, "/edit"))
	assert.Contains(t, page, `<p class="flash error" role="alert">Bob was responder in this incident: the people involved attend the review but should not run it.`)
	rec = tc.app.form(pmPath(tc.inc, "/people"), url.Values{"version": {fmt.Sprint(tc.app.pmGet(tc.inc)["version"])}, "facilitator": {"Zoe"}})
	assertRedirectTo(t, rec, pmPath(tc.inc, "/edit"))
	assert.NotContains(t, tc.app.page(pmPath(tc.inc, "/edit")), "should not run it")
}

func testPMDueLabels(t *testing.T, tc pmCase) {
	// Every page that shows the postmortem shows when it is due.
	due := func(inc int64, want, class string) {
		t.Helper()
		span := fmt.Sprintf(`<span class="%s">%s</span>`, class, want)
		assert.Contains(t, pmBadgeOf(t, tc.app.page(fmt.Sprintf("/incidents/%d", inc)), inc), span, "incident page")
		assert.Contains(t, pmBadgeOf(t, tc.app.page("/incidents"), inc), span, "incident list")
		assert.Contains(t, tc.app.page(pmPath(inc, "")), span, "postmortem")
		assert.Contains(t, tc.app.page(pmPath(inc, "/edit")), span, "editor")
	}
	now := tc.app.store.Now()
	due(tc.inc, "due in 2 d", "due")
	due(tc.app.readyIncidentAt("Resolved two days ago", now.Add(-47*time.Hour)), "due in 1 h", "due")
	due(tc.app.readyIncidentAt("Resolved before that", now.Add(-50*time.Hour)), "overdue by 2 h", "due overdue")

	tc.app.pmPublish(tc.inc, "Done.", "Some.")
	for name, page := range map[string]string{
		"incident page": pmBadgeOf(t, tc.app.page(fmt.Sprintf("/incidents/%d", tc.inc)), tc.inc),
		"incident list": pmBadgeOf(t, tc.app.page("/incidents"), tc.inc),
		"postmortem":    tc.app.page(pmPath(tc.inc, "")),
		"editor":        tc.app.page(pmPath(tc.inc, "/edit")),
	} {
		assert.NotContains(t, page, `class="due`, "%s: nothing due once published", name)
		assert.NotContains(t, page, "overdue by", name)
	}
	assert.Contains(t, pmBadgeOf(t, tc.app.page("/incidents"), tc.inc), `<span class="badge pm-published">published</span>`)
}

func testPMMarkupSafe(t *testing.T, tc pmCase) {
	const link = `[x](javascript:alert(1))`
	texts := map[string]string{
		"summary":    "Before " + xssScript + " after.",
		"impact":     xssImg,
		"trigger":    "A " + link + " link.",
		"resolution": "<script>\nalert(2)\n",     // an HTML block left open
		"detection":  "```\n" + xssScript + "\n", // a code fence left open
	}
	tc.app.pmWrite(tc.inc, texts)
	require.NoError(t, tc.app.store.CreateFactor(context.Background(), &model.Factor{
		IncidentID: tc.inc, Title: "Factor " + xssImg, Category: "other",
	}))

	md := tc.app.do(http.MethodGet, pmPath(tc.inc, ".md?draft=1"), "", "").Body.String()
	for key, text := range texts {
		assert.Contains(t, md, strings.TrimRight(text, "\n"), "the export keeps the Markdown of %s as written", key)
	}
	draft := tc.app.page(pmPath(tc.inc, "?draft=1"))
	body := article(t, draft)
	assertNoLiveMarkup(t, "draft view", body)
	assert.Contains(t, body, "<h2>Timeline</h2>", "nothing after an open block disappears")
	assert.Contains(t, body, "<code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code>", "in a code block it is text")
	assert.Contains(t, body, "Factor &lt;img src=x onerror=alert(1)&gt;", "a title is text")

	edit := tc.app.page(pmPath(tc.inc, "/edit"))
	assert.Equal(t, texts["summary"], textarea(t, edit, "body-summary"))
	assert.Equal(t, texts["impact"], textarea(t, edit, "body-impact"))
	assert.Contains(t, edit, "Before "+xssScriptEscaped+" after.")
	for _, p := range []string{xssScript, xssImg} {
		assert.NotContains(t, edit, p, "the editor shows %s as text", p)
	}

	tc.app.pmPublish(tc.inc, texts["summary"], texts["impact"])
	assertNoLiveMarkup(t, "published view", article(t, tc.app.page(pmPath(tc.inc, ""))))
	tc.app.pmPost(tc.inc, "draft")
	tc.app.pmPublish(tc.inc, "Changed: "+xssImg, "Changed: "+xssScript)
	diff := regexp.MustCompile(`(?s)<main>.*</main>`).FindString(tc.app.page(pmPath(tc.inc, "/revisions")))
	assertNoLiveMarkup(t, "revisions diff", diff)
	assert.Contains(t, diff, `<span class="diff-add">+ Changed: `+xssImgEscaped+`</span>`)
}

func testPMMarkdownExport(t *testing.T, tc pmCase) {
	get := func(q string) (int, string, http.Header) {
		rec := tc.app.do(http.MethodGet, pmPath(tc.inc, ".md"+q), "", "")
		return rec.Code, rec.Body.String(), rec.Header()
	}
	code, body, _ := get("")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, body, "this postmortem is not published yet; add ?draft=1 for the current draft")

	tc.app.pmWrite(tc.inc, map[string]string{"summary": "Draft summary.", "impact": "Some."})
	code, body, hdr := get("?draft=1")
	require.Equal(t, http.StatusOK, code, body)
	assert.Equal(t, "text/markdown; charset=utf-8", hdr.Get("Content-Type"))
	name := "2026-11-22-checkout-502s-markdown-export.md"
	assert.Equal(t, `inline; filename="`+name+`"`, hdr.Get("Content-Disposition"))
	assert.Contains(t, body, "\nrevision: 0\npublished_at: null\n")
	assert.Contains(t, body, "*Postmortem, draft*")
	assert.Contains(t, body, "Draft summary.")

	rev := tc.app.pmPublish(tc.inc, "Published summary.", "Some.")
	require.EqualValues(t, 1, rev["number"])
	r1 := tc.app.getJSON(pmURL(tc.inc, "/revisions/1"))["markdown"].(string)
	for _, q := range []string{"", "?revision=1"} {
		code, body, hdr = get(q)
		require.Equal(t, http.StatusOK, code, q)
		assert.Equal(t, r1, body, q)
		assert.Equal(t, "text/markdown; charset=utf-8", hdr.Get("Content-Type"), q)
		assert.Equal(t, `inline; filename="`+name+`"`, hdr.Get("Content-Disposition"), q)
	}
	cases := []struct {
		query string
		code  int
	}{
		{"?revision=abc", http.StatusUnprocessableEntity},
		{"?revision=0", http.StatusUnprocessableEntity},
		{"?revision=1.5", http.StatusUnprocessableEntity},
		{"?revision=2", http.StatusNotFound},
		{"?revision=99999999999999999999", http.StatusUnprocessableEntity},
	}
	for _, c := range cases {
		code, body, _ = get(c.query)
		assert.Equal(t, c.code, code, c.query)
		if c.code == http.StatusUnprocessableEntity {
			assert.Contains(t, body, "revision", c.query)
		}
	}
}

func testPMPageBadInput(t *testing.T, tc pmCase) {
	long := strings.Repeat("x", model.MaxMarkdownLen) + "y"
	rec := tc.app.form(pmPath(tc.inc, "/sections/summary"), url.Values{"version": {"0"}, "body": {long}})
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	page := rec.Body.String()
	assert.Contains(t, page, fmt.Sprintf("must be at most %d characters", model.MaxMarkdownLen))
	assert.True(t, textarea(t, page, "body-summary") == long, "the text typed is not lost")
	assert.Equal(t, []string{"0"}, formVersions(sectionForm(t, page, "summary")))

	cases := []struct {
		name, path string
		values     url.Values
		code       int
	}{
		{"no version", "/sections/summary", url.Values{"body": {"x"}}, http.StatusUnprocessableEntity},
		{"bad version", "/sections/summary", url.Values{"version": {"one"}, "body": {"x"}}, http.StatusUnprocessableEntity},
		{"unknown section", "/sections/root_cause", url.Values{"version": {"0"}, "body": {"x"}}, http.StatusNotFound},
		{"people without version", "/people", url.Values{"facilitator": {"Zoe"}}, http.StatusUnprocessableEntity},
		{"publish via status", "/status", url.Values{"version": {"0"}, "status": {"published"}}, http.StatusUnprocessableEntity},
		{"unknown status", "/status", url.Values{"version": {"0"}, "status": {"done"}}, http.StatusUnprocessableEntity},
		{"publish without version", "/publish", url.Values{}, http.StatusUnprocessableEntity},
		{"acknowledge nothing", "/acknowledge", url.Values{"reason": {"x"}}, http.StatusUnprocessableEntity},
	}
	before := tc.app.pmGet(tc.inc)
	for _, c := range cases {
		rec := tc.app.form(pmPath(tc.inc, c.path), c.values)
		assert.Equal(t, c.code, rec.Code, "%s: %s", c.name, rec.Body.String())
	}
	assert.Equal(t, before, tc.app.pmGet(tc.inc), "nothing written")

	missing := tc.inc + 1000
	for _, p := range []string{"/incidents/abc/postmortem", "/incidents/abc/postmortem.md", "/incidents/1x/postmortem/edit",
		"/incidents/abc/postmortem/revisions", pmPath(missing, ""), pmPath(missing, ".md?draft=1"), pmPath(missing, "/edit"),
		pmPath(missing, "/revisions")} {
		assert.Equal(t, http.StatusNotFound, tc.app.do(http.MethodGet, p, "", "").Code, p)
	}
	for _, p := range []string{"/incidents/abc/postmortem/sections/summary", "/incidents/abc/postmortem/publish",
		pmPath(missing, "/sections/summary"), pmPath(missing, "/publish"), pmPath(missing, "/people"), pmPath(missing, "/status")} {
		assert.Equal(t, http.StatusNotFound, tc.app.form(p, url.Values{"version": {"0"}, "body": {"x"}, "status": {"in_review"}}).Code, p)
	}
}

func testPMPageViewer(t *testing.T, tc pmCase) {
	viewer := tc.app.as(model.RoleViewer)
	page := viewer.page(pmPath(tc.inc, ""))
	assert.NotContains(t, page, pmPath(tc.inc, "/edit"), "no edit link for a viewer")
	assert.Equal(t, http.StatusForbidden, viewer.do(http.MethodGet, pmPath(tc.inc, "/edit"), "", "").Code)
	before := viewer.pmGet(tc.inc)
	for _, p := range []string{"/sections/summary", "/people", "/status", "/publish", "/acknowledge"} {
		rec := viewer.form(pmPath(tc.inc, p), url.Values{"version": {"0"}, "body": {"x"}, "status": {"in_review"}, "fingerprint": {"f"}, "reason": {"r"}})
		assert.Equal(t, http.StatusForbidden, rec.Code, p)
	}
	assert.Equal(t, before, viewer.pmGet(tc.inc), "nothing written")
	assert.Equal(t, http.StatusOK, viewer.do(http.MethodGet, pmPath(tc.inc, ".md?draft=1"), "", "").Code)
	assert.Equal(t, http.StatusOK, viewer.do(http.MethodGet, pmPath(tc.inc, "/revisions"), "", "").Code)
}

// ----- the bulk export -----

func TestExportZip(t *testing.T) {
	t.Parallel()
	app, clock := newClockedApp(t)
	get := func() []byte {
		t.Helper()
		rec := app.do(http.MethodGet, "/export.zip", "", "")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.Equal(t, "application/zip", rec.Header().Get("Content-Type"))
		assert.Equal(t, `attachment; filename="postmortems.zip"`, rec.Header().Get("Content-Disposition"))
		return rec.Body.Bytes()
	}

	empty := zipFiles(t, get())
	assert.Equal(t, map[string]string{"postmortems/index.md": "# Postmortems\n\nNothing published yet.\n"}, empty)

	db := app.readyIncidentAt("Database failover | slow", app.store.Now().Add(-24*time.Hour))
	app.pmPublish(db, "Failover took 9 minutes.", "Writes failed.")
	queue := app.readyIncident("Queue backlog")
	app.pmPublish(queue, "The queue backed up.", "Emails were late.")
	app.pmPost(queue, "draft")
	app.pmWrite(queue, map[string]string{"summary": "Not published: a correction."})
	app.pmPublish(queue, "The queue backed up for an hour.", "Emails were late.")
	app.readyIncident("Never written") // no postmortem published: not exported

	first := get()
	clock.advance(time.Hour)
	second := get()
	assert.Equal(t, first, second, "the same archive gives the same bytes")

	got := zipFiles(t, first)
	dbName, queueName := "postmortems/2026-11-21-database-failover-slow.md", "postmortems/2026-11-22-queue-backlog.md"
	names := []string{}
	for n := range got {
		names = append(names, n)
	}
	assert.ElementsMatch(t, []string{"postmortems/index.md", dbName, queueName}, names)
	assert.Equal(t, app.getJSON(pmURL(db, "/revisions/1"))["markdown"], got[dbName])
	assert.Equal(t, app.getJSON(pmURL(queue, "/revisions/2"))["markdown"], got[queueName], "the latest revision")
	assert.Equal(t, "# Postmortems\n\n| date | postmortem | severity | services |\n|---|---|---|---|\n"+
		"| 2026-11-22 | [Queue backlog](2026-11-22-queue-backlog.md) | SEV2 | checkout |\n"+
		"| 2026-11-21 | [Database failover \\| slow](2026-11-21-database-failover-slow.md) | SEV2 | checkout |\n",
		got["postmortems/index.md"], "newest first")

	assert.Equal(t, http.StatusOK, app.as(model.RoleViewer).do(http.MethodGet, "/export.zip", "", "").Code, "viewers may export")
	assert.Equal(t, http.StatusSeeOther, app.as("").do(http.MethodGet, "/export.zip", "", "").Code, "anonymous visitors sign in first")
}
