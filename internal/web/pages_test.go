package web

import (
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

// Escaped forms of the markup payloads, as html/template writes them.
const (
	xssScriptEscaped = `&lt;script&gt;alert(1)&lt;/script&gt;`
	xssImgEscaped    = `&lt;img src=x onerror=alert(1)&gt;`
)

// Messages of ParseQuickTime that the forms show.
const (
	msgQuickTime = "use now, -5m, -1h30m, a UTC clock time like 14:32, or a timestamp with offset like 2026-11-22T14:32:05Z"
	msgBefore70  = "must not be before 1970"
	msgFuture    = "must not be more than 24 hours in the future"
)

// page GETs an HTML page that must answer 200 and returns its body.
func (a *testApp) page(path string) string {
	a.t.Helper()
	rec := a.do(http.MethodGet, path, "", "")
	require.Equal(a.t, http.StatusOK, rec.Code, "GET %s: %s", path, rec.Body.String())
	assert.Contains(a.t, rec.Header().Get("Content-Type"), "text/html")
	return rec.Body.String()
}

// fieldBlock returns the form field (<div class="field...">) labelled for id.
func fieldBlock(t *testing.T, body, id string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)<div class="field[^"]*">\s*<label for="` + regexp.QuoteMeta(id) + `">.*?</div>`)
	block := re.FindString(body)
	require.NotEmpty(t, block, "no field %q in the page", id)
	return block
}

// assertFieldInvalid checks that the field is marked invalid and that the
// reason is shown: beside it where the form has room for one, else in the
// list of errors above the form.
func assertFieldInvalid(t *testing.T, body, id, reason string) {
	t.Helper()
	block := fieldBlock(t, body, id)
	assert.Contains(t, block, `<div class="field invalid">`, "field %s is marked invalid", id)
	if strings.Contains(block, `class="error"`) {
		assert.Contains(t, html.UnescapeString(block), reason, "reason beside field %s", id)
	} else {
		assert.Contains(t, html.UnescapeString(body), reason, "reason for field %s", id)
	}
}

// assertFieldValue checks that a field shows value (an input's value, a
// textarea's text or a select's chosen option).
func assertFieldValue(t *testing.T, body, id, value string) {
	t.Helper()
	block := html.UnescapeString(fieldBlock(t, body, id))
	switch {
	case strings.Contains(block, "<textarea"):
		assert.Regexp(t, `(?s)<textarea[^>]*>`+regexp.QuoteMeta(value)+`</textarea>`, block, "field %s", id)
	case strings.Contains(block, "<select"):
		assert.Contains(t, block, `<option value="`+value+`" selected>`, "field %s", id)
	default:
		assert.Contains(t, block, `value="`+value+`"`, "field %s", id)
	}
}

// atPreview returns the text beside the quick-entry time box.
func atPreview(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<span id="at-preview"[^>]*>(.*?)</span>\s*<div`).FindStringSubmatch(body)
	require.NotNil(t, m, "no time preview in the page")
	return html.UnescapeString(m[1])
}

// assertRedirect checks a 303 to location.
func assertRedirect(t *testing.T, rec *httptest.ResponseRecorder, location string) {
	t.Helper()
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, location, rec.Header().Get("Location"))
}

// editValues is the edit form of an incident as the page fills it.
func editValues(inc map[string]any) url.Values {
	strs := func(v any) string {
		var out []string
		for _, s := range v.([]any) {
			out = append(out, s.(string))
		}
		return strings.Join(out, ", ")
	}
	roles := inc["roles"].(map[string]any)
	v := url.Values{
		"version": {fmt.Sprint(inc["version"])}, "title": {inc["title"].(string)},
		"severity": {inc["severity"].(string)}, "status": {inc["status"].(string)},
		"summary": {inc["summary"].(string)}, "impact": {inc["impact"].(string)},
		"services": {strs(inc["services"])}, "tags": {strs(inc["tags"])},
		"commander": {roles["commander"].(string)}, "comms_lead": {roles["comms_lead"].(string)},
		"scribe": {roles["scribe"].(string)}, "responders": {strs(roles["responders"])},
	}
	for _, m := range model.Milestones {
		s, _ := inc[string(m)].(string)
		v.Set(string(m), s)
	}
	return v
}

// entryIDByBody finds a timeline entry of incident 1 by its text.
func (a *testApp) entryIDByBody(body string) int64 {
	a.t.Helper()
	for _, e := range a.timelineJSON(1) {
		if e["body"] == body {
			return jsonID(a.t, e)
		}
	}
	a.t.Fatalf("no entry %q", body)
	return 0
}

func TestDeclareForm(t *testing.T) {
	app, _ := newClockedApp(t)
	body := app.page("/incidents/new")
	assert.Contains(t, body, `<form method="post" action="/incidents"`)
	for _, id := range []string{"title", "severity", "status", "services", "tags", "summary", "impact", "commander", "started_at", "resolved_at"} {
		fieldBlock(t, body, id)
	}

	rec := app.form("/incidents", url.Values{"title": {"Checkout down"}, "severity": {"SEV1"}})
	// Declared: the page opens with focus in "What happened".
	assertRedirect(t, rec, "/incidents/1?declared=1")
	assert.Regexp(t, `<textarea id="body"[^>]*autofocus>`, app.page("/incidents/1?declared=1"))
	inc := app.getJSON("/api/v1/incidents/1")
	assert.Equal(t, "Checkout down", inc["title"])
	assert.Equal(t, "SEV1", inc["severity"])
	assert.Equal(t, "investigating", inc["status"])
	assert.Contains(t, app.page("/incidents/1"), "<h1>Checkout down</h1>")
}

func TestDeclareFormWithDetails(t *testing.T) {
	app, _ := newClockedApp(t)
	rec := app.form("/incidents", url.Values{
		"title": {"Payments failing"}, "severity": {"SEV2"}, "status": {"identified"},
		"services": {"payments-api, checkout"}, "tags": {"db, EU-West-1"}, "summary": {"Card payments **fail**"},
		"impact": {"10% of orders"}, "commander": {"Alice"}, "comms_lead": {"Bob"}, "scribe": {"Carol"},
		"responders": {"Dan, Eve"}, "started_at": {"-30m"}, "detected_at": {"14:10"},
		"acknowledged_at": {"2026-11-22T19:45:00+05:30"},
	})
	assertRedirect(t, rec, "/incidents/1?declared=1")
	inc := app.getJSON("/api/v1/incidents/1")
	assert.Equal(t, "identified", inc["status"])
	assert.Equal(t, []any{"checkout", "payments-api"}, inc["services"])
	assert.Equal(t, []any{"db", "eu-west-1"}, inc["tags"])
	assert.Equal(t, "Card payments **fail**", inc["summary"])
	assert.Equal(t, map[string]any{"commander": "Alice", "comms_lead": "Bob", "scribe": "Carol", "responders": []any{"Dan", "Eve"}}, inc["roles"])
	assert.Equal(t, "2026-11-22T14:02:05.123Z", inc["started_at"])
	assert.Equal(t, "2026-11-22T14:10:00.000Z", inc["detected_at"])
	assert.Equal(t, "2026-11-22T14:15:00.000Z", inc["acknowledged_at"])
}

func TestDeclareFormTitleLimit(t *testing.T) {
	app, _ := newClockedApp(t)
	assertRedirect(t, app.form("/incidents", url.Values{"title": {strings.Repeat("t", 200)}, "severity": {"SEV3"}}), "/incidents/1?declared=1")
}

func TestDeclareFormRejects(t *testing.T) {
	tests := []struct {
		name   string
		values url.Values // added to a valid declaration
		fields []string   // form field ids marked invalid
		reason string     // shown for the first field
	}{
		{"missing title", url.Values{"title": {""}}, []string{"title"}, "is required"},
		{"blank title", url.Values{"title": {"   "}}, []string{"title"}, "is required"},
		{"201-char title", url.Values{"title": {strings.Repeat("t", 201)}}, []string{"title"}, "must be at most 200 characters (got 201)"},
		{"unknown severity", url.Values{"severity": {"SEV9"}}, []string{"severity"}, `unknown severity "SEV9"`},
		{"missing severity", url.Values{"severity": {""}}, []string{"severity"}, "is required"},
		{"unknown status", url.Values{"status": {"closed"}}, []string{"status"}, `unknown status "closed"`},
		{"milestone without offset", url.Values{"started_at": {"2026-11-22T14:00:00"}}, []string{"started_at"}, msgNoOffset},
		{"garbage milestone", url.Values{"detected_at": {"yesterday"}}, []string{"detected_at"}, msgQuickTime},
		{"year 0001", url.Values{"started_at": {"0001-01-01T00:00:00Z"}}, []string{"started_at"}, msgBefore70},
		{"year 9999", url.Values{"started_at": {"9999-12-31T23:59:59Z"}}, []string{"started_at"}, msgFuture},
		{"relative future", url.Values{"started_at": {"+5m"}}, []string{"started_at"}, "relative times must be in the past"},
		{"detected before started", url.Values{"started_at": {"-5m"}, "detected_at": {"-10m"}},
			[]string{"detected_at", "started_at"}, "must not be before Impact started"},
		{"resolved before mitigated", url.Values{"status": {"resolved"}, "mitigated_at": {"-5m"}, "resolved_at": {"-10m"}},
			[]string{"resolved_at", "mitigated_at"}, "must not be before Mitigated"},
		{"script in tags", url.Values{"tags": {xssScript}}, []string{"tags"}, "may hold only letters"},
		{"img in services", url.Values{"services": {xssImg}}, []string{"services"}, "must not contain"},
		{"101-char commander", url.Values{"commander": {strings.Repeat("c", 101)}}, []string{"commander"}, "at most 100"},
		{"summary over the limit", url.Values{"summary": {strings.Repeat("s", model.MaxMarkdownLen+1)}}, []string{"summary"}, "at most 100000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, _ := newClockedApp(t)
			before := app.dbState()
			values := url.Values{"title": {"Search is slow"}, "severity": {"SEV3"}, "status": {"investigating"}, "scribe": {"Carol Example"}}
			for k, v := range tt.values {
				values[k] = v
			}
			rec := app.form("/incidents", values)

			require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
			body := rec.Body.String()
			assert.Contains(t, body, `<form method="post" action="/incidents"`, "the form is shown again")
			assertFieldInvalid(t, body, tt.fields[0], tt.reason)
			for _, f := range tt.fields[1:] {
				assert.Contains(t, fieldBlock(t, body, f), `<div class="field invalid">`, f)
			}
			// What the user typed is kept.
			assertFieldValue(t, body, "title", values.Get("title"))
			assertFieldValue(t, body, "scribe", "Carol Example")
			for k := range tt.values {
				if k != "severity" && k != "status" {
					assertFieldValue(t, body, k, values.Get(k))
				}
			}
			assert.Equal(t, before, app.dbState(), "nothing was written")
		})
	}
}

// TestDeclareFormErrorShowsWhereToFix: a declare error opens only the
// folded sections that hold an invalid field, puts the cursor in the
// first invalid field, and names fields by their labels.
func TestDeclareFormErrorShowsWhereToFix(t *testing.T) {
	sections := regexp.MustCompile(`<details( open)?>\s*<summary>([^<]+)</summary>`)
	openSections := func(body string) []string {
		var open []string
		for _, m := range sections.FindAllStringSubmatch(body, -1) {
			if m[1] != "" {
				open = append(open, m[2])
			}
		}
		return open
	}
	focused := regexp.MustCompile(`<(?:input|select|textarea) id="([^"]+)"[^>]*\bautofocus\b`)

	app, _ := newClockedApp(t)
	body := app.page("/incidents/new")
	assert.Empty(t, openSections(body), "a new form starts folded")
	assert.Equal(t, [][]string{{`<input id="title" name="title" value="" required maxlength="200" autofocus`, "title"}}, focused.FindAllStringSubmatch(body, -1))

	for _, tc := range []struct {
		name   string
		values url.Values
		open   []string
		focus  string
		errors []string // the list above the form
	}{
		{"title", url.Values{"title": {""}}, nil, "title", []string{"Title is required"}},
		{"milestones out of order", url.Values{"detected_at": {"14:20"}, "acknowledged_at": {"14:10"}},
			[]string{"Milestones (UTC)"}, "detected_at", []string{
				"Acknowledged must not be before Detected (2026-11-22 14:20:00 UTC)",
				"Detected must not be after Acknowledged (2026-11-22 14:10:00 UTC)"}},
		{"tags and commander", url.Values{"tags": {"a b"}, "commander": {strings.Repeat("c", 101)}},
			[]string{"Services and tags", "Roles"}, "tags", []string{"Incident commander must be at most 100 characters"}},
		{"summary", url.Values{"summary": {strings.Repeat("s", model.MaxMarkdownLen+1)}},
			[]string{"Summary and customer impact"}, "summary", []string{"Summary must be at most 100000 characters"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			values := url.Values{"title": {"Search is slow"}, "severity": {"SEV3"}, "status": {"investigating"}}
			for k, v := range tc.values {
				values[k] = v
			}
			rec := app.form("/incidents", values)
			require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
			body := rec.Body.String()
			assert.Equal(t, tc.open, openSections(body))
			got := focused.FindAllStringSubmatch(body, -1)
			if assert.Len(t, got, 1, "one field has the focus") {
				assert.Equal(t, tc.focus, got[0][1])
			}
			list := html.UnescapeString(body[strings.Index(body, "Please fix the fields"):strings.Index(body, `<form method="post" action="/incidents"`)])
			for _, e := range tc.errors {
				assert.Contains(t, list, "<li>"+e, "the error list")
			}
			assert.NotRegexp(t, `_at\b|roles\.|<code>`, list, "no internal names")
		})
	}
}

func TestEditForm(t *testing.T) {
	app, clock := newClockedApp(t)
	inc := app.createIncident(`{"title":"Slow search","severity":"SEV3","services":["search"],"started_at":"2026-11-22T14:00:00Z",
		"roles":{"commander":"Alice","responders":["Dan","Eve"]}}`)

	body := app.page("/incidents/1/edit")
	assert.Contains(t, body, `<form method="post" action="/incidents/1/edit"`)
	assert.Contains(t, body, `<input type="hidden" name="version" value="1">`)
	assertFieldValue(t, body, "title", "Slow search")
	assertFieldValue(t, body, "severity", "SEV3")
	assertFieldValue(t, body, "services", "search")
	assertFieldValue(t, body, "responders", "Dan, Eve")
	assertFieldValue(t, body, "started_at", "2026-11-22T14:00:00Z")

	clock.advance(time.Minute)
	values := editValues(inc)
	values.Set("title", "Search down")
	values.Set("severity", "SEV1")
	values.Set("services", "search, indexer")
	values.Set("detected_at", "14:05")
	values.Set("scribe", "Carol")
	assertRedirect(t, app.form("/incidents/1/edit", values), "/incidents/1")

	got := app.getJSON("/api/v1/incidents/1")
	assert.Equal(t, "Search down", got["title"])
	assert.Equal(t, "SEV1", got["severity"])
	assert.Equal(t, []any{"indexer", "search"}, got["services"])
	assert.Equal(t, "2026-11-22T14:00:00.000Z", got["started_at"], "an untouched milestone is kept")
	assert.Equal(t, "2026-11-22T14:05:00.000Z", got["detected_at"])
	assert.Equal(t, "Carol", got["roles"].(map[string]any)["scribe"])
	assert.EqualValues(t, 2, got["version"])
	entries := bodies(app.timelineJSON(1))
	assert.Contains(t, entries, "Severity changed: SEV3 → SEV1.")
	assert.Contains(t, entries, "Detected.")
}

func TestEditFormClearsMilestone(t *testing.T) {
	app, _ := newClockedApp(t)
	inc := app.createIncident(`{"title":"T","severity":"SEV3","started_at":"2026-11-22T14:00:00Z","detected_at":"2026-11-22T14:05:00Z"}`)
	values := editValues(inc)
	values.Set("detected_at", "")
	assertRedirect(t, app.form("/incidents/1/edit", values), "/incidents/1")
	assert.Nil(t, app.getJSON("/api/v1/incidents/1")["detected_at"])
}

func TestEditFormReopensResolved(t *testing.T) {
	app, _ := newClockedApp(t)
	inc := app.createIncident(`{"title":"T","severity":"SEV3","status":"resolved"}`)
	values := editValues(inc) // resolved_at stays filled in, as the page shows it
	require.NotEmpty(t, values.Get("resolved_at"))
	values.Set("status", "investigating")
	assertRedirect(t, app.form("/incidents/1/edit", values), "/incidents/1")
	got := app.getJSON("/api/v1/incidents/1")
	assert.Equal(t, "investigating", got["status"])
	assert.Nil(t, got["resolved_at"])
	assert.Contains(t, bodies(app.timelineJSON(1)), "Re-opened: resolved → investigating.")
}

func TestEditFormRejects(t *testing.T) {
	tests := []struct {
		name   string
		values url.Values
		fields []string
		reason string
	}{
		{"empty title", url.Values{"title": {""}}, []string{"title"}, "is required"},
		{"201-char title", url.Values{"title": {strings.Repeat("t", 201)}}, []string{"title"}, "must be at most 200"},
		{"unknown severity", url.Values{"severity": {"SEV0"}}, []string{"severity"}, `unknown severity "SEV0"`},
		{"unknown status", url.Values{"status": {"done"}}, []string{"status"}, `unknown status "done"`},
		{"milestone without offset", url.Values{"detected_at": {"2026-11-22 14:05:00"}}, []string{"detected_at"}, msgNoOffset},
		{"garbage milestone", url.Values{"detected_at": {"soon"}}, []string{"detected_at"}, msgQuickTime},
		{"year 0001", url.Values{"acknowledged_at": {"0001-01-01T00:00:00Z"}}, []string{"acknowledged_at"}, msgBefore70},
		{"year 9999", url.Values{"acknowledged_at": {"9999-01-01T00:00:00Z"}}, []string{"acknowledged_at"}, msgFuture},
		{"detected before started", url.Values{"detected_at": {"2026-11-22T13:00:00Z"}}, []string{"detected_at", "started_at"}, "must not be before Impact started"},
		{"resolved before mitigated", url.Values{"status": {"resolved"}, "mitigated_at": {"14:20"}, "resolved_at": {"14:10"}},
			[]string{"resolved_at", "mitigated_at"}, "must not be before Mitigated"},
		{"script in tags", url.Values{"tags": {xssScript}}, []string{"tags"}, "may hold only letters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, _ := newClockedApp(t)
			inc := app.createIncident(`{"title":"Slow search","severity":"SEV3","started_at":"2026-11-22T14:00:00Z","roles":{"scribe":"Carol"}}`)
			before := app.dbState()
			values := editValues(inc)
			values.Set("commander", "Typed by me")
			for k, v := range tt.values {
				values[k] = v
			}
			rec := app.form("/incidents/1/edit", values)

			require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
			body := rec.Body.String()
			assert.Contains(t, body, `<form method="post" action="/incidents/1/edit"`)
			assertFieldInvalid(t, body, tt.fields[0], tt.reason)
			for _, f := range tt.fields[1:] {
				assert.Contains(t, fieldBlock(t, body, f), `<div class="field invalid">`, f)
			}
			assertFieldValue(t, body, "commander", "Typed by me")
			for k := range tt.values {
				if k != "severity" && k != "status" {
					assertFieldValue(t, body, k, values.Get(k))
				}
			}
			assert.Contains(t, body, `<input type="hidden" name="version" value="1">`)
			assert.Equal(t, before, app.dbState(), "nothing was written")
		})
	}
}

func TestEditFormWithoutVersion(t *testing.T) {
	app, _ := newClockedApp(t)
	inc := app.createIncident(`{"title":"Slow search","severity":"SEV3"}`)
	before := app.dbState()
	values := editValues(inc)
	values.Del("version")
	values.Set("title", "Mine")
	rec := app.form("/incidents/1/edit", values)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "Version is required; reload the page and try again")
	assertFieldValue(t, rec.Body.String(), "title", "Mine")
	assert.Equal(t, before, app.dbState())
}

func TestEditFormStaleVersion(t *testing.T) {
	app, _ := newClockedApp(t)
	inc := app.createIncident(`{"title":"Original","severity":"SEV3"}`)
	rec := app.api(http.MethodPatch, "/api/v1/incidents/1", `{"version":1,"title":"Changed elsewhere","severity":"SEV2"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	before := app.dbState()

	values := editValues(inc) // as read at version 1
	values.Set("title", "My edit")
	values.Set("summary", "What I typed")
	rec = app.form("/incidents/1/edit", values)

	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	body := rec.Body.String()
	assert.Contains(t, body, "<strong>Not saved.</strong>")
	assert.Contains(t, body, "changed by someone else")
	assert.Contains(t, body, "<strong>Changed elsewhere</strong> · SEV2", "the current version is shown")
	assertFieldValue(t, body, "title", "My edit")
	assertFieldValue(t, body, "summary", "What I typed")
	assert.Contains(t, body, `<input type="hidden" name="version" value="2">`, "saving again applies over the current version")
	assert.Equal(t, before, app.dbState(), "never a silent overwrite")

	// Saving again, knowingly, works.
	values.Set("version", "2")
	assertRedirect(t, app.form("/incidents/1/edit", values), "/incidents/1")
	assert.Equal(t, "My edit", app.getJSON("/api/v1/incidents/1")["title"])
}

func TestStatusButtons(t *testing.T) {
	app, clock := newClockedApp(t)
	app.createIncident(`{"title":"Queue backlog","severity":"SEV2"}`)

	body := app.page("/incidents/1")
	for _, st := range []string{"identified", "monitoring", "resolved"} {
		assert.Regexp(t, `(?s)<form method="post" action="/incidents/1/status" class="inline-form">\s*`+
			`<input type="hidden" name="_csrf" value="[^"]+">\s*<input type="hidden" name="version" value="1">\s*<input type="hidden" name="status" value="`+st+`">`, body, st)
		assert.Contains(t, body, "Mark "+st+"</button>")
	}
	assert.NotContains(t, body, `name="status" value="investigating"`, "no button for the current status")

	clock.advance(5 * time.Minute)
	assertRedirect(t, app.form("/incidents/1/status", url.Values{"version": {"1"}, "status": {"monitoring"}}), "/incidents/1")
	inc := app.getJSON("/api/v1/incidents/1")
	assert.Equal(t, "monitoring", inc["status"])
	assert.Equal(t, "2026-11-22T14:37:05.123Z", inc["mitigated_at"])

	assertRedirect(t, app.form("/incidents/1/status", url.Values{"version": {"2"}, "status": {"resolved"}}), "/incidents/1")
	body = app.page("/incidents/1")
	assert.Contains(t, body, `<input type="hidden" name="status" value="investigating">`)
	assert.Contains(t, body, "Re-open</button>")
	assert.Equal(t, 1, strings.Count(body, `action="/incidents/1/status"`), "a resolved incident can only be re-opened")

	assertRedirect(t, app.form("/incidents/1/status", url.Values{"version": {"3"}, "status": {"investigating"}}), "/incidents/1")
	inc = app.getJSON("/api/v1/incidents/1")
	assert.Equal(t, "investigating", inc["status"])
	assert.Nil(t, inc["resolved_at"])
}

func TestStatusButtonRejects(t *testing.T) {
	tests := []struct {
		name   string
		values url.Values
		status int
		text   string
	}{
		{"resolved to monitoring", url.Values{"version": {"1"}, "status": {"monitoring"}}, 422, "a resolved incident can only be re-opened to investigating"},
		{"unknown status", url.Values{"version": {"1"}, "status": {"closed"}}, 422, `unknown status "closed"`},
		{"empty status", url.Values{"version": {"1"}, "status": {""}}, 422, "unknown status"},
		{"missing version", url.Values{"status": {"investigating"}}, 422, "is required; reload the page"},
		{"stale version", url.Values{"version": {"7"}, "status": {"investigating"}}, 409, "changed by someone else"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, _ := newClockedApp(t)
			app.createIncident(`{"title":"Queue backlog","severity":"SEV2","status":"resolved"}`)
			before := app.dbState()
			rec := app.form("/incidents/1/status", tt.values)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			assert.Contains(t, rec.Body.String(), "<html")
			assert.Contains(t, html.UnescapeString(rec.Body.String()), tt.text)
			assert.Equal(t, before, app.dbState(), "nothing was written")
		})
	}
}

func TestQuickEntryWithoutJavaScript(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	rec := app.form("/incidents/1/timeline", url.Values{
		"at": {"-5m"}, "kind": {"action"}, "body": {"Restarted **db-1**"}, "author": {"Alice"},
		"evidence_url": {"https://grafana.example/d/1"}, "learned_later": {"1"},
	})
	id := app.entryIDByBody("Restarted **db-1**")
	assertRedirect(t, rec, fmt.Sprintf("/incidents/1?added=%d#quick-entry", id))

	e := app.getJSON(fmt.Sprintf("/api/v1/incidents/1/timeline/%d", id))
	assert.Equal(t, "2026-11-22T14:27:05.123Z", e["occurred_at"])
	assert.Equal(t, "action", e["kind"])
	assert.Equal(t, "Alice", e["author"])
	assert.Equal(t, "https://grafana.example/d/1", e["evidence_url"])
	assert.Equal(t, true, e["learned_later"])

	body := app.page(fmt.Sprintf("/incidents/1?added=%d", id))
	assert.Contains(t, body, fmt.Sprintf(`id="entry-%d"`, id))
	assert.Contains(t, body, "<strong>db-1</strong>", "the body is Markdown")
	assert.Contains(t, body, `<time datetime="2026-11-22T14:27:05.123Z">2026-11-22 14:27:05 UTC</time>`)
	assert.Regexp(t, `<textarea id="body"[^>]*autofocus>`, body, "the box keeps focus for the next entry")

	// An empty time box means now.
	rec = app.form("/incidents/1/timeline", url.Values{"body": {"second"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	e = app.getJSON(fmt.Sprintf("/api/v1/incidents/1/timeline/%d", app.entryIDByBody("second")))
	assert.Equal(t, "2026-11-22T14:32:05.123Z", e["occurred_at"])
	assert.Equal(t, "observation", e["kind"])
}

func TestQuickEntryWithHTMX(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	rec := app.form("/incidents/1/timeline", url.Values{"at": {"14:30"}, "body": {"Paged the DB team"}}, "HX-Request", "true")

	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	body := strings.TrimSpace(rec.Body.String())
	assert.True(t, strings.HasPrefix(body, `<section id="timeline"`), "a timeline fragment: %.200s", body)
	assert.NotContains(t, body, "<html")
	assert.Contains(t, body, "Paged the DB team")
	assert.Contains(t, body, `<time datetime="2026-11-22T14:30:00Z">2026-11-22 14:30:00 UTC</time>`)
	assert.Contains(t, bodies(app.timelineJSON(1)), "Paged the DB team")
}

func TestQuickEntryInvalidWithHTMX(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	before := app.dbState()
	rec := app.form("/incidents/1/timeline", url.Values{"at": {"bogus"}, "body": {"keep what I typed"}, "author": {"Alice"}}, "HX-Request", "true")

	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	assert.Equal(t, "#quick-entry", rec.Header().Get("HX-Retarget"))
	assert.Equal(t, "outerHTML", rec.Header().Get("HX-Reswap"))
	body := strings.TrimSpace(rec.Body.String())
	assert.True(t, strings.HasPrefix(body, `<form id="quick-entry"`), "the form fragment: %.200s", body)
	assert.NotContains(t, body, "<html")
	assert.Contains(t, fieldBlock(t, body, "at"), `<div class="field invalid">`)
	assert.Contains(t, atPreview(t, body), msgQuickTime)
	assertFieldValue(t, body, "at", "bogus")
	assertFieldValue(t, body, "body", "keep what I typed")
	assertFieldValue(t, body, "author", "Alice")
	assert.Regexp(t, `<textarea id="body"[^>]*autofocus>`, body)
	assert.Equal(t, before, app.dbState(), "nothing was written")
}

func TestQuickEntryRejects(t *testing.T) {
	tests := []struct {
		name   string
		values url.Values // added to a valid entry
		field  string
		reason string
	}{
		{"unknown kind", url.Values{"kind": {"rumour"}}, "kind", `unknown kind "rumour"`},
		{"timestamp without offset", url.Values{"at": {"2026-11-22T14:32:05"}}, "at", msgNoOffset},
		{"garbage time", url.Values{"at": {"yesterday"}}, "at", msgQuickTime},
		{"clock out of range", url.Values{"at": {"25:61"}}, "at", "is not a valid UTC clock time"},
		{"year 0001", url.Values{"at": {"0001-01-01T00:00:00Z"}}, "at", msgBefore70},
		{"year 9999", url.Values{"at": {"9999-12-31T23:59:59Z"}}, "at", msgFuture},
		{"relative future", url.Values{"at": {"+5m"}}, "at", "relative times must be in the past"},
		{"javascript URL", url.Values{"evidence_url": {"javascript:alert(1)"}}, "evidence_url", "must be an http:// or https:// URL"},
		{"ftp URL", url.Values{"evidence_url": {"ftp://x"}}, "evidence_url", "must be an http:// or https:// URL"},
		{"empty body", url.Values{"body": {""}}, "body", "is required"},
		{"body over 10000", url.Values{"body": {strings.Repeat("b", 10_001)}}, "body", "must be at most 10000 characters (got 10001)"},
		{"101-char author", url.Values{"author": {strings.Repeat("a", 101)}}, "author", "must be at most 100 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, _ := newClockedApp(t)
			app.createIncident(`{"title":"T","severity":"SEV2"}`)
			before := app.dbState()
			values := url.Values{"at": {"-1m"}, "kind": {"action"}, "body": {"Failed over to db-2"}, "author": {"Alice"}}
			for k, v := range tt.values {
				values[k] = v
			}
			rec := app.form("/incidents/1/timeline", values)

			require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
			body := rec.Body.String()
			assert.Contains(t, body, "<html", "without htmx the whole page comes back")
			assertFieldInvalid(t, body, tt.field, tt.reason)
			if tt.field == "at" {
				assert.Contains(t, atPreview(t, body), tt.reason, "the reason is beside the time box")
			}
			for _, k := range []string{"at", "body", "author", "kind"} {
				if k != tt.field || k != "kind" { // a select cannot show an unknown kind
					assertFieldValue(t, body, k, values.Get(k))
				}
			}
			assert.Equal(t, before, app.dbState(), "nothing was written")
		})
	}
}

func TestQuickEntryBodyLimit(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	body := strings.Repeat("b", 10_000)
	rec := app.form("/incidents/1/timeline", url.Values{"body": {body}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Contains(t, bodies(app.timelineJSON(1)), body)
}

func TestTimePreview(t *testing.T) {
	app, _ := newClockedApp(t)
	tests := []struct{ at, want string }{
		{"-5m", `→ <time datetime="2026-11-22T14:27:05.123Z">2026-11-22 14:27:05 UTC</time>`},
		{"-1h30m", `→ <time datetime="2026-11-22T13:02:05.123Z">2026-11-22 13:02:05 UTC</time>`},
		{"", `now → <time datetime="2026-11-22T14:32:05.123Z">2026-11-22 14:32:05 UTC</time>`},
		{"now", `now → <time datetime="2026-11-22T14:32:05.123Z">2026-11-22 14:32:05 UTC</time>`},
		{"14:00", `→ <time datetime="2026-11-22T14:00:00Z">2026-11-22 14:00:00 UTC</time>`},
		{"20:00", `→ <time datetime="2026-11-21T20:00:00Z">2026-11-21 20:00:00 UTC</time>`},
		{"2026-11-22T20:00:00+05:30", `→ <time datetime="2026-11-22T14:30:00Z">2026-11-22 14:30:00 UTC</time>`},
		{"bogus", `<span class="error">` + html.EscapeString(msgQuickTime) + `</span>`},
		{"2026-11-22T14:32:05", `<span class="error">` + msgNoOffset + `</span>`},
		{"0001-01-01T00:00:00Z", `<span class="error">` + msgBefore70 + `</span>`},
		{"<script>", `<span class="error">` + html.EscapeString(msgQuickTime) + `</span>`},
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			rec := app.do(http.MethodGet, "/time-preview?at="+url.QueryEscape(tt.at), "", "")
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, tt.want, strings.TrimSpace(rec.Body.String()))
		})
	}
}

func TestTimelineDateSeparators(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	// 03:00 at +05:30 is still the 21st in UTC.
	app.appendEntry(1, `{"occurred_at":"2026-11-22T03:00:00+05:30","body":"late evening UTC"}`)
	app.appendEntry(1, `{"occurred_at":"2026-11-21T23:59:59.999Z","body":"last millisecond"}`)
	app.appendEntry(1, `{"occurred_at":"2026-11-22T00:00:00Z","body":"midnight UTC"}`)

	body := app.page("/incidents/1?order=oldest")
	assert.Equal(t, 2, strings.Count(body, `class="date-separator"`))
	positions := []int{
		strings.Index(body, `<li class="date-separator"><time datetime="2026-11-21">Sat 21 Nov 2026 (UTC)</time></li>`),
		strings.Index(body, "late evening UTC"),
		strings.Index(body, "last millisecond"),
		strings.Index(body, `<li class="date-separator"><time datetime="2026-11-22">Sun 22 Nov 2026 (UTC)</time></li>`),
		strings.Index(body, "midnight UTC"),
		strings.Index(body, "Incident declared"),
	}
	for i, p := range positions {
		require.GreaterOrEqual(t, p, 0, "item %d is on the page", i)
		if i > 0 {
			assert.Greater(t, p, positions[i-1], "item %d comes after item %d", i, i-1)
		}
	}

	// While the incident is open it shows newest first by default, each
	// day's separator above its entries.
	body = app.page("/incidents/1")
	positions = []int{
		strings.Index(body, `<li class="date-separator"><time datetime="2026-11-22">Sun 22 Nov 2026 (UTC)</time></li>`),
		strings.Index(body, "Incident declared"),
		strings.Index(body, "midnight UTC"),
		strings.Index(body, `<li class="date-separator"><time datetime="2026-11-21">Sat 21 Nov 2026 (UTC)</time></li>`),
		strings.Index(body, "last millisecond"),
		strings.Index(body, "late evening UTC"),
	}
	for i, p := range positions {
		require.GreaterOrEqual(t, p, 0, "newest first: item %d is on the page", i)
		if i > 0 {
			assert.Greater(t, p, positions[i-1], "newest first: item %d comes after item %d", i, i-1)
		}
	}
}

func TestEntryEditPage(t *testing.T) {
	app, clock := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	id := jsonID(t, app.appendEntry(1, `{"occurred_at":"2026-11-22T14:10:00Z","kind":"action","body":"first text","author":"Alice"}`))
	editURL := fmt.Sprintf("/incidents/1/timeline/%d/edit", id)

	body := app.page(editURL)
	assert.Contains(t, body, `<form method="post" action="`+editURL+`"`)
	assert.Contains(t, body, `<input type="hidden" name="version" value="1">`)
	assertFieldValue(t, body, "at", "2026-11-22T14:10:00Z")
	assertFieldValue(t, body, "kind", "action")
	assertFieldValue(t, body, "body", "first text")
	assertFieldValue(t, body, "author", "Alice")

	clock.advance(time.Minute)
	rec := app.form(editURL, url.Values{"version": {"1"}, "at": {"2026-11-22T14:11:00Z"}, "kind": {"decision"}, "body": {"second text"}, "author": {"Alice"}})
	assertRedirect(t, rec, fmt.Sprintf("/incidents/1#entry-%d", id))

	e := app.getJSON(fmt.Sprintf("/api/v1/incidents/1/timeline/%d", id))
	assert.Equal(t, "second text", e["body"])
	assert.Equal(t, "decision", e["kind"])
	assert.Equal(t, "2026-11-22T14:11:00.000Z", e["occurred_at"])
	assert.EqualValues(t, 2, e["version"])
	require.Len(t, e["revisions"], 1)
	assert.Equal(t, "first text", e["revisions"].([]any)[0].(map[string]any)["body"])

	// The history is visible on the entry, on both pages.
	for _, path := range []string{"/incidents/1", editURL} {
		body = app.page(path)
		assert.Contains(t, body, "first text", path)
		assert.Contains(t, body, `replaced <time datetime="2026-11-22T14:33:05.123Z">2026-11-22 14:33:05 UTC</time>`, path)
	}
	assert.Contains(t, app.page("/incidents/1"), "History (1 earlier version)")
}

func TestEntryEditRejects(t *testing.T) {
	tests := []struct {
		name   string
		values url.Values
		field  string
		reason string
	}{
		{"empty time", url.Values{"at": {""}}, "at", "is required"},
		{"time without offset", url.Values{"at": {"2026-11-22T14:10:00"}}, "at", msgNoOffset},
		{"garbage time", url.Values{"at": {"tea time"}}, "at", msgQuickTime},
		{"year 0001", url.Values{"at": {"0001-01-01T00:00:00Z"}}, "at", msgBefore70},
		{"year 9999", url.Values{"at": {"9999-12-31T23:59:59Z"}}, "at", msgFuture},
		{"unknown kind", url.Values{"kind": {"gossip"}}, "kind", `unknown kind "gossip"`},
		{"empty body", url.Values{"body": {" "}}, "body", "is required"},
		{"body over 10000", url.Values{"body": {strings.Repeat("b", 10_001)}}, "body", "must be at most 10000"},
		{"javascript URL", url.Values{"evidence_url": {"javascript:alert(1)"}}, "evidence_url", "must be an http:// or https:// URL"},
		{"ftp URL", url.Values{"evidence_url": {"ftp://x"}}, "evidence_url", "must be an http:// or https:// URL"},
		{"101-char author", url.Values{"author": {strings.Repeat("a", 101)}}, "author", "must be at most 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, _ := newClockedApp(t)
			app.createIncident(`{"title":"T","severity":"SEV2"}`)
			id := jsonID(t, app.appendEntry(1, `{"occurred_at":"2026-11-22T14:10:00Z","body":"original"}`))
			before := app.dbState()
			values := url.Values{"version": {"1"}, "at": {"2026-11-22T14:10:00Z"}, "kind": {"action"}, "body": {"my new text"}, "author": {"Alice"}}
			for k, v := range tt.values {
				values[k] = v
			}
			rec := app.form(fmt.Sprintf("/incidents/1/timeline/%d/edit", id), values)

			require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
			body := rec.Body.String()
			assertFieldInvalid(t, body, tt.field, tt.reason)
			for _, k := range []string{"at", "body", "author", "kind"} {
				if k != tt.field || k != "kind" { // a select cannot show an unknown kind
					assertFieldValue(t, body, k, values.Get(k))
				}
			}
			assert.Equal(t, before, app.dbState(), "nothing was written")
		})
	}
}

func TestEntryEditStaleVersion(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	id := jsonID(t, app.appendEntry(1, `{"occurred_at":"2026-11-22T14:10:00Z","body":"original"}`))
	rec := app.api(http.MethodPatch, fmt.Sprintf("/api/v1/incidents/1/timeline/%d", id), `{"version":1,"body":"changed **elsewhere**"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	before := app.dbState()

	rec = app.form(fmt.Sprintf("/incidents/1/timeline/%d/edit", id),
		url.Values{"version": {"1"}, "at": {"2026-11-22T14:10:00Z"}, "kind": {"observation"}, "body": {"my text"}})
	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	body := rec.Body.String()
	assert.Contains(t, body, "<strong>Not saved.</strong>")
	assert.Contains(t, body, "changed <strong>elsewhere</strong>", "the current text is shown")
	assertFieldValue(t, body, "body", "my text")
	assert.Contains(t, body, `<input type="hidden" name="version" value="2">`)
	assert.Equal(t, before, app.dbState(), "never a silent overwrite")
}

func TestEntryDelete(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	id := jsonID(t, app.appendEntry(1, `{"body":"to be deleted"}`))
	deleteURL := fmt.Sprintf("/incidents/1/timeline/%d/delete", id)
	assert.Contains(t, app.page(fmt.Sprintf("/incidents/1/timeline/%d/edit", id)), `<form method="post" action="`+deleteURL+`"`)

	rec := app.api(http.MethodPatch, fmt.Sprintf("/api/v1/incidents/1/timeline/%d", id), `{"version":1,"body":"edited meanwhile"}`)
	require.Equal(t, http.StatusOK, rec.Code)
	before := app.dbState()

	rec = app.form(deleteURL, url.Values{"version": {"1"}})
	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "changed by someone else")
	rec = app.form(deleteURL, url.Values{})
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "Version is required")
	assert.Equal(t, before, app.dbState(), "nothing was deleted")

	assertRedirect(t, app.form(deleteURL, url.Values{"version": {"2"}}), "/incidents/1#timeline")
	assert.NotContains(t, bodies(app.timelineJSON(1)), "edited meanwhile")
	assert.NotContains(t, app.page("/incidents/1"), "edited meanwhile")
	assert.Equal(t, http.StatusNotFound, app.do(http.MethodGet, fmt.Sprintf("/incidents/1/timeline/%d/edit", id), "", "").Code)
}

var (
	timeTagRE       = regexp.MustCompile(`<time[^>]*>[^<]*</time>`)
	timestampTagRE  = regexp.MustCompile(`^<time datetime="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z)">(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC</time>$`)
	dateSeparatorRE = regexp.MustCompile(`<li class="date-separator"><time datetime="\d{4}-\d\d-\d\d">[^<]*\(UTC\)</time></li>`)
)

// assertTimeTags checks every timestamp in a page is rendered the one way:
// <time datetime="…Z">YYYY-MM-DD HH:MM:SS UTC</time>, both naming the same
// instant. Date separators name a day, not an instant. It returns how many
// timestamps it saw.
func assertTimeTags(t *testing.T, body string) int {
	t.Helper()
	body = dateSeparatorRE.ReplaceAllString(body, "")
	tags := timeTagRE.FindAllString(body, -1)
	for _, tag := range tags {
		m := timestampTagRE.FindStringSubmatch(tag)
		if !assert.NotNil(t, m, "timestamp not in the house format: %s", tag) {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, m[1])
		require.NoError(t, err)
		assert.Equal(t, model.FormatHuman(at), m[2]+" UTC", tag)
	}
	return len(tags)
}

func TestEveryTimestampIsATimeTag(t *testing.T) {
	app, clock := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2","status":"resolved","started_at":"2026-11-21T22:00:00+05:30",
		"detected_at":"2026-11-21T16:35:00.5Z","acknowledged_at":"2026-11-21T16:40:00Z","mitigated_at":"2026-11-22T01:00:00-08:00"}`)
	id := jsonID(t, app.appendEntry(1, `{"occurred_at":"2026-11-21T17:00:00.042Z","body":"an entry"}`))
	clock.advance(time.Minute)
	rec := app.api(http.MethodPatch, fmt.Sprintf("/api/v1/incidents/1/timeline/%d", id), `{"version":1,"body":"an edited entry"}`)
	require.Equal(t, http.StatusOK, rec.Code)

	body := app.page("/incidents/1")
	// 5 milestones, the entries (declaration, 5 milestones, one edited with
	// its earlier version and when it was replaced).
	assert.GreaterOrEqual(t, assertTimeTags(t, body), 5+7+2)
	for _, want := range []string{
		`<time datetime="2026-11-21T16:30:00Z">2026-11-21 16:30:00 UTC</time>`,
		`<time datetime="2026-11-21T16:35:00.500Z">2026-11-21 16:35:00 UTC</time>`,
		`<time datetime="2026-11-22T09:00:00Z">2026-11-22 09:00:00 UTC</time>`,
		`<time datetime="2026-11-22T14:32:05.123Z">2026-11-22 14:32:05 UTC</time>`,
		`<time datetime="2026-11-21T17:00:00.042Z">2026-11-21 17:00:00 UTC</time>`,
	} {
		assert.Contains(t, body, want)
	}
	assert.Positive(t, assertTimeTags(t, app.page("/incidents")))
	assert.Positive(t, assertTimeTags(t, app.page(fmt.Sprintf("/incidents/1/timeline/%d/edit", id))))
}

func TestPagesShowMarkupAsText(t *testing.T) {
	tests := []struct{ payload, escaped, raw string }{
		{xssScript, xssScriptEscaped, "<script>alert(1)</script>"},
		{xssImg, xssImgEscaped, "<img src=x onerror"},
	}
	for _, tt := range tests {
		t.Run(tt.payload, func(t *testing.T) {
			t.Parallel()
			app, _ := newClockedApp(t)
			p := tt.payload
			// Incident 1 through the declare form, incident 2 through the API.
			rec := app.form("/incidents", url.Values{
				"title": {p}, "severity": {"SEV2"}, "summary": {p}, "impact": {p},
				"commander": {p}, "comms_lead": {p}, "scribe": {p}, "responders": {p},
			})
			assertRedirect(t, rec, "/incidents/1?declared=1")
			rec = app.form("/incidents/1/timeline", url.Values{"body": {p}, "author": {p}, "evidence_url": {"https://example.com/?q=" + p}})
			require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
			entryID := app.entryIDByBody(p)

			q := fmt.Sprintf("%q", p)
			app.createIncident(`{"title":` + q + `,"severity":"SEV2","summary":` + q + `,"impact":` + q +
				`,"roles":{"commander":` + q + `,"comms_lead":` + q + `,"scribe":` + q + `,"responders":[` + q + `]}}`)
			app.appendEntry(2, `{"body":`+q+`,"author":`+q+`}`)
			app.appendEntry(2, `{"body":"[click](javascript:alert(1))"}`)

			// The API keeps the text as typed.
			inc := app.getJSON("/api/v1/incidents/1")
			assert.Equal(t, p, inc["title"])
			assert.Equal(t, p, inc["summary"])
			assert.Equal(t, p, inc["roles"].(map[string]any)["commander"])

			pages := map[string]string{}
			for _, path := range []string{"/incidents", "/incidents/1", "/incidents/2", "/incidents/1/edit", "/incidents/2/edit",
				fmt.Sprintf("/incidents/1/timeline/%d/edit", entryID)} {
				pages[path] = app.page(path)
			}
			hx := app.form("/incidents/1/timeline", url.Values{"body": {"x"}}, "HX-Request", "true")
			require.Equal(t, http.StatusOK, hx.Code)
			pages["htmx timeline"] = hx.Body.String()
			bad := app.form("/incidents/1/timeline", url.Values{"at": {p}, "body": {p}, "author": {p}}, "HX-Request", "true")
			require.Equal(t, http.StatusUnprocessableEntity, bad.Code)
			pages["htmx quick entry error"] = bad.Body.String()
			bad = app.form("/incidents", url.Values{"title": {p}, "severity": {"SEV2"}, "services": {p}, "tags": {p}})
			require.Equal(t, http.StatusUnprocessableEntity, bad.Code)
			pages["declare form error"] = bad.Body.String()

			for name, body := range pages {
				assert.NotContains(t, body, tt.raw, "%s shows the markup as text", name)
				assert.NotContains(t, body, `href="javascript:`, name)
				assert.NotContains(t, body, "onerror=alert(1)>", name)
			}
			for _, name := range []string{"/incidents", "/incidents/1", "/incidents/2", "/incidents/1/edit", "declare form error"} {
				assert.Contains(t, pages[name], tt.escaped, "%s shows the title escaped", name)
			}
			for _, name := range []string{"/incidents/1", "/incidents/2"} {
				body := pages[name]
				assert.Contains(t, body, "<h1>"+tt.escaped+"</h1>")
				assert.Contains(t, body, "<dd>"+tt.escaped+"</dd>", "roles")
				assert.Contains(t, body, "<span>"+tt.escaped+"</span>", "author")
				assert.Contains(t, body, "<!-- raw HTML omitted -->", "Markdown drops raw HTML")
			}
			assert.Contains(t, pages["htmx quick entry error"], tt.escaped)
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	for _, path := range []string{"/incidents", "/incidents/1", "/incidents/new", "/incidents/999", "/api/v1/incidents"} {
		rec := app.do(http.MethodGet, path, "", "")
		csp := rec.Header().Get("Content-Security-Policy")
		assert.NotEmpty(t, csp, path)
		assert.NotContains(t, csp, "unsafe-inline", path)
		assert.NotContains(t, csp, "unsafe-eval", path)
		assert.Contains(t, csp, "script-src 'self'", path)
		assert.Contains(t, csp, "frame-ancestors 'none'", path)
		assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"), path)
		assert.Equal(t, "DENY", rec.Header().Get("X-Frame-Options"), path)
	}
	// No inline script or style on a page, which the policy would block.
	body := app.page("/incidents/1")
	assert.NotRegexp(t, `<script>|<script [^>]*>[^<]+</script>|<style|style="|onclick=|onload=`, body)
}

func TestPagesNotFound(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"One","severity":"SEV2"}`)
	app.createIncident(`{"title":"Two","severity":"SEV2"}`)
	e := jsonID(t, app.appendEntry(1, `{"body":"on incident 1"}`))
	before := app.dbState()
	edit := url.Values{"version": {"1"}, "title": {"x"}, "severity": {"SEV2"}, "status": {"investigating"}}
	entry := url.Values{"version": {"1"}, "at": {"now"}, "kind": {"action"}, "body": {"x"}}
	tests := []struct {
		method, path string
		values       url.Values
	}{
		{"GET", "/incidents/abc", nil},
		{"GET", "/incidents/1abc", nil},
		{"GET", "/incidents/0", nil},
		{"GET", "/incidents/-1", nil},
		{"GET", "/incidents/abc/edit", nil},
		{"POST", "/incidents/abc/edit", edit},
		{"POST", "/incidents/abc/status", url.Values{"version": {"1"}, "status": {"resolved"}}},
		{"POST", "/incidents/abc/timeline", entry},
		{"GET", "/incidents/1/timeline/x/edit", nil},
		{"POST", "/incidents/1/timeline/x/edit", entry},
		{"POST", "/incidents/1/timeline/x/delete", url.Values{"version": {"1"}}},
		{"GET", "/incidents/999", nil},
		{"GET", "/incidents/999/edit", nil},
		{"POST", "/incidents/999/edit", edit},
		{"POST", "/incidents/999/status", url.Values{"version": {"1"}, "status": {"resolved"}}},
		{"POST", "/incidents/999/timeline", entry},
		{"POST", "/incidents/999/timeline", url.Values{"body": {""}}},
		{"GET", "/incidents/1/timeline/999/edit", nil},
		{"POST", "/incidents/1/timeline/999/edit", entry},
		{"POST", "/incidents/1/timeline/999/delete", url.Values{"version": {"1"}}},
		{"GET", fmt.Sprintf("/incidents/2/timeline/%d/edit", e), nil},
		{"POST", fmt.Sprintf("/incidents/2/timeline/%d/edit", e), entry},
		{"POST", fmt.Sprintf("/incidents/2/timeline/%d/delete", e), url.Values{"version": {"1"}}},
		{"GET", "/no/such/page", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			for _, hx := range []bool{false, true} {
				var headers []string
				if hx {
					headers = []string{"HX-Request", "true"}
				}
				var rec *httptest.ResponseRecorder
				if tt.method == "GET" {
					rec = app.do(tt.method, tt.path, "", "", headers...)
				} else {
					rec = app.form(tt.path, tt.values, headers...)
				}
				require.Equal(t, http.StatusNotFound, rec.Code, "htmx=%v: %s", hx, rec.Body.String())
				assert.Contains(t, rec.Header().Get("Content-Type"), "text/html")
				assert.Contains(t, rec.Body.String(), "404")
			}
		})
	}
	assert.Equal(t, before, app.dbState(), "nothing was written")
}

func TestFormBodyTooLarge(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	e := jsonID(t, app.appendEntry(1, `{"body":"x"}`))
	before := app.dbState()
	big := url.Values{"version": {"1"}, "title": {"T"}, "severity": {"SEV2"}, "status": {"resolved"}, "body": {"x"},
		"summary": {strings.Repeat("s", MaxBodyBytes)}}.Encode()
	for _, path := range []string{"/incidents", "/incidents/1/edit", "/incidents/1/status", "/incidents/1/timeline",
		fmt.Sprintf("/incidents/1/timeline/%d/edit", e), fmt.Sprintf("/incidents/1/timeline/%d/delete", e)} {
		t.Run(path, func(t *testing.T) {
			rec := app.do(http.MethodPost, path, "application/x-www-form-urlencoded", big)
			assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, "with Content-Length")
			assert.Contains(t, rec.Body.String(), "larger than")
			rec = app.doChunked(http.MethodPost, path, "application/x-www-form-urlencoded", big)
			assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, "chunked")
			assert.Contains(t, rec.Body.String(), "larger than")
		})
	}
	assert.Equal(t, before, app.dbState(), "nothing was written")
}

func TestMalformedFormBody(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	before := app.dbState()
	for _, path := range []string{"/incidents", "/incidents/1/edit", "/incidents/1/timeline"} {
		rec := app.do(http.MethodPost, path, "application/x-www-form-urlencoded", "title=%zz&body=%zz")
		assert.Equal(t, http.StatusBadRequest, rec.Code, path)
		assert.Contains(t, rec.Body.String(), "malformed form data", path)
	}
	assert.Equal(t, before, app.dbState())
}

func TestIncidentListPage(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"Alpha outage","severity":"SEV1","services":["checkout"]}`)
	app.createIncident(`{"title":"Bravo fixed","severity":"SEV2","status":"resolved"}`)
	app.createIncident(`{"title":"Charlie slow","severity":"SEV3","services":["search"]}`)

	body := app.page("/incidents")
	a, b, c := strings.Index(body, "Alpha outage"), strings.Index(body, "Bravo fixed"), strings.Index(body, "Charlie slow")
	require.True(t, a > 0 && b > 0 && c > 0)
	assert.Less(t, c, a, "most recent open first")
	assert.Less(t, a, b, "resolved last")
	assert.Contains(t, body, "3 incidents")

	body = app.page("/incidents?status=open")
	assert.Contains(t, body, "Alpha outage")
	assert.NotContains(t, body, "Bravo fixed")
	assert.Contains(t, body, `<option value="open" selected>`)

	body = app.page("/incidents?service=search")
	assert.Contains(t, body, "Charlie slow")
	assert.NotContains(t, body, "Alpha outage")

	body = app.page("/incidents?severity=SEV2")
	assert.Contains(t, body, "Bravo fixed")
	assert.NotContains(t, body, "Charlie slow")

	for _, q := range []string{"?status=closed", "?severity=SEV9", "?page=0", "?page=x"} {
		rec := app.do(http.MethodGet, "/incidents"+q, "", "")
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, q)
		assert.Contains(t, rec.Body.String(), "<html", q)
	}
}
