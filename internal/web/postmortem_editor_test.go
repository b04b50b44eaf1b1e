package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
)

// editorForm is the one form of the editor as a browser would send it:
// every section, as loaded, with changes applied.
func editorForm(t *testing.T, app *testApp, inc int64, changes map[string]string) url.Values {
	t.Helper()
	pm := app.pmGet(inc)
	form := url.Values{}
	for _, s := range model.Sections {
		k := string(s.Key)
		sec := pmSection(t, pm, k)
		body, _ := sec["body"].(string)
		form.Set("version_"+k, fmt.Sprint(sec["version"]))
		form.Set("loaded_"+k, postmortem.TextHash(body))
		if c, ok := changes[k]; ok {
			body = c
		}
		form.Set("body_"+k, body)
	}
	return form
}

func TestPostmortemEditorSavesEveryChangedSection(t *testing.T) {
	app, _ := newClockedApp(t)
	inc := app.readyIncident("Checkout 502s")

	form := editorForm(t, app, inc, map[string]string{"summary": "Checkout failed for 40 minutes.", "impact": "12% of checkouts."})
	rec := app.form(pmPath(inc, "/sections"), form)
	assertRedirectTo(t, rec, pmPath(inc, "/edit?notice=Saved+2+sections#sections"))
	pm := app.pmGet(inc)
	assert.Equal(t, "Checkout failed for 40 minutes.", pmSection(t, pm, "summary")["body"])
	assert.Equal(t, "12% of checkouts.", pmSection(t, pm, "impact")["body"])
	assert.Equal(t, float64(0), pmSection(t, pm, "lessons")["version"], "untouched sections are not written")

	// Nothing changed: nothing written.
	rec = app.form(pmPath(inc, "/sections"), editorForm(t, app, inc, nil))
	assertRedirectTo(t, rec, pmPath(inc, "/edit?notice=Nothing+changed"))
}

// A clash in one section loses nothing: the others are saved, the clashing
// one shows both texts; a section the writer did not touch never clashes.
func TestPostmortemEditorConflictKeepsTheRest(t *testing.T) {
	app, _ := newClockedApp(t)
	inc := app.readyIncident("Checkout 502s")
	app.pmWrite(inc, map[string]string{"summary": "First draft.", "lessons": "Old lessons."})
	stale := editorForm(t, app, inc, map[string]string{"summary": "Mine: a careful summary.", "impact": "Mine: 12% of checkouts."})
	// Meanwhile someone else saves summary and lessons.
	app.as(model.RoleAdmin).pmWrite(inc, map[string]string{"summary": "Theirs: <b>bold</b>.", "lessons": "Their lessons."})

	rec := app.form(pmPath(inc, "/sections"), stale)
	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	page := rec.Body.String()
	assert.Contains(t, page, "1 section saved; 1 changed by someone else meanwhile")
	form := sectionForm(t, page, "summary")
	assert.Contains(t, form, `<pre class="theirs">Theirs: &lt;b&gt;bold&lt;/b&gt;.</pre>`)
	assert.Equal(t, "Mine: a careful summary.", textarea(t, page, "body-summary"), "what I typed is still in the box")
	pm := app.pmGet(inc)
	assert.Equal(t, "Mine: 12% of checkouts.", pmSection(t, pm, "impact")["body"], "the other section was saved")
	assert.Equal(t, "Theirs: <b>bold</b>.", pmSection(t, pm, "summary")["body"], "nothing overwritten")
	assert.Equal(t, "Their lessons.", pmSection(t, pm, "lessons")["body"], "an untouched stale section is left alone")
	assert.Equal(t, "Their lessons.", textarea(t, page, "body-lessons"))

	// Saving the re-rendered form again is a knowing merge.
	merge := url.Values{}
	for _, s := range model.Sections {
		k := string(s.Key)
		merge.Set("body_"+k, textarea(t, page, "body-"+k))
		merge.Set("version_"+k, hiddenValue(t, page, "version_"+k))
		merge.Set("loaded_"+k, hiddenValue(t, page, "loaded_"+k))
	}
	merge.Set("body_summary", "Merged: theirs and mine.")
	rec = app.form(pmPath(inc, "/sections"), merge)
	assertRedirectTo(t, rec, pmPath(inc, "/edit?notice=Saved+1+section"))
	assert.Equal(t, "Merged: theirs and mine.", pmSection(t, app.pmGet(inc), "summary")["body"])
}

func TestPostmortemEditorBadInputKeepsText(t *testing.T) {
	app, _ := newClockedApp(t)
	inc := app.readyIncident("Checkout 502s")
	long := strings.Repeat("x", model.MaxMarkdownLen) + "y"
	rec := app.form(pmPath(inc, "/sections"), editorForm(t, app, inc, map[string]string{"summary": long, "impact": "12%."}))
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	page := rec.Body.String()
	assert.True(t, textarea(t, page, "body-summary") == long, "the text typed is not lost")
	assert.Contains(t, sectionForm(t, page, "summary"), "at most")
	assert.Equal(t, "12%.", pmSection(t, app.pmGet(inc), "impact")["body"])

	for name, form := range map[string]url.Values{
		"no version":  {"body_summary": {"x"}},
		"bad version": {"body_summary": {"x"}, "version_summary": {"-1"}},
	} {
		rec := app.form(pmPath(inc, "/sections"), form)
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, name)
	}
}

func TestPostmortemPreview(t *testing.T) {
	app, _ := newClockedApp(t)
	inc := app.readyIncident("Checkout 502s")
	rec := app.form(pmPath(inc, "/preview"), url.Values{"key": {"summary"}, "body_summary": {"**Checkout** <script>alert(1)</script> | a | b |"}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "<strong>Checkout</strong>")
	assert.NotContains(t, rec.Body.String(), "<script>")
	rec = app.form(pmPath(inc, "/preview"), url.Values{"key": {"nope"}, "body_nope": {"x"}})
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
}

// hiddenValue reads a hidden input's value off a page.
func hiddenValue(t *testing.T, page, name string) string {
	t.Helper()
	i := strings.Index(page, `name="`+name+`" value="`)
	require.GreaterOrEqual(t, i, 0, "no hidden %s", name)
	rest := page[i+len(`name="`+name+`" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}
