package web

// Tests of the weekly review (issue 7): the page and the API show the
// same numbers, bad periods are a 422 with the field and the reason, and
// the minutes of a week round-trip through the page, the API and the
// Markdown export with optimistic versioning and an audit-log row.

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/review"
	"github.com/debrief-dev/debrief/internal/store"
)

// reviewClock is Wednesday of 2026-W48, so 2026-W47 is the week before.
var reviewClock = time.Date(2026, time.November, 25, 12, 0, 0, 0, time.UTC)

func rtime(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return &t
}

// reviewIncident stores an incident with its milestones ("2026-11-16
// 10:00", "" for none), declared when its impact started.
func (a *testApp) reviewIncident(title, severity string, services []string, started, detected, acked, mitigated, resolved string) int64 {
	a.t.Helper()
	inc := &model.Incident{Title: title, Severity: severity, Status: model.StatusInvestigating, Services: services,
		StartedAt: rtime(started), DetectedAt: rtime(detected), AcknowledgedAt: rtime(acked), MitigatedAt: rtime(mitigated), ResolvedAt: rtime(resolved)}
	if resolved != "" {
		inc.Status = model.StatusResolved
	}
	declared := a.store.Now()
	if started != "" {
		declared = *rtime(started)
	}
	at := declared
	if resolved != "" {
		at = *rtime(resolved) // the store checks milestones are not in its future
	}
	require.NoError(a.t, a.store.At(at).CreateIncident(context.Background(), inc, ""))
	return inc.ID
}

// reviewFixture is three incidents of 2026-W47 and one of the week before.
func (a *testApp) reviewFixture() {
	a.t.Helper()
	a.reviewIncident("Checkout 502s", "SEV1", []string{"checkout"}, "2026-11-16 10:00", "2026-11-16 10:10", "2026-11-16 10:15", "2026-11-16 11:00", "2026-11-16 12:00")
	a.reviewIncident("Search slow", "SEV2", []string{"search", "checkout"}, "2026-11-18 00:00", "2026-11-18 00:30", "", "", "2026-11-19 00:00")
	a.reviewIncident("Queue backlog", "SEV2", []string{"queue"}, "2026-11-22 23:00", "", "", "", "")
	a.reviewIncident("Login errors", "SEV3", []string{"auth"}, "2026-11-10 08:00", "", "", "", "2026-11-10 09:30")
}

var metricCell = regexp.MustCompile(`data-metric="([^"]+)"[^>]*>([^<]*)<`)

// pageMetrics reads every cell the page marks with data-metric.
func pageMetrics(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range metricCell.FindAllStringSubmatch(body, -1) {
		out[html.UnescapeString(m[1])] = strings.TrimSpace(html.UnescapeString(m[2]))
	}
	require.NotEmpty(t, out)
	return out
}

func secsOf(v any) *int64 {
	f, ok := v.(float64)
	if !ok {
		return nil
	}
	n := int64(f)
	return &n
}

// TestReviewPageAndAPIAgree checks that every number of the page's metrics
// table is the API's number, as one report renders both.
func TestReviewPageAndAPIAgree(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return reviewClock }))
	app.reviewFixture()
	viewer := app.as(model.RoleViewer)

	rec := viewer.do(http.MethodGet, "/review?week=2026-W47", "", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	cells := pageMetrics(t, rec.Body.String())
	rec = viewer.api(http.MethodGet, "/api/v1/review?week=2026-W47", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	body := decode(t, rec)
	assert.Equal(t, "2026-W47", body["week"])
	assert.Equal(t, map[string]any{"from": "2026-11-16", "to": "2026-11-22"}, body["period"])

	metrics := body["metrics"].(map[string]any)
	total := metrics["total"].(map[string]any)
	assert.Equal(t, "3", cells["incidents.current"])
	assert.Equal(t, fmt.Sprint(total["current"]), cells["incidents.current"])
	assert.Equal(t, fmt.Sprint(total["previous"]), cells["incidents.previous"])
	assert.Equal(t, "+2", cells["incidents.delta"])
	for _, s := range metrics["by_severity"].([]any) {
		row := s.(map[string]any)
		assert.Equal(t, fmt.Sprint(row["current"]), cells["severity."+row["name"].(string)+".current"], row["name"])
		assert.Equal(t, fmt.Sprint(row["previous"]), cells["severity."+row["name"].(string)+".previous"], row["name"])
	}
	durations := metrics["durations"].([]any)
	require.Len(t, durations, 4)
	for _, d := range durations {
		row := d.(map[string]any)
		key := row["key"].(string)
		cur, prev := row["current"].(map[string]any), row["previous"].(map[string]any)
		assert.Equal(t, review.FormatSeconds(secsOf(cur["mean_seconds"])), cells[key+".mean.current"], key)
		assert.Equal(t, review.FormatSeconds(secsOf(cur["median_seconds"])), cells[key+".median.current"], key)
		assert.Equal(t, review.FormatSeconds(secsOf(prev["mean_seconds"])), cells[key+".mean.previous"], key)
		assert.Equal(t, review.FormatDeltaSeconds(secsOf(row["delta_mean_seconds"])), cells[key+".mean.delta"], key)
		assert.Equal(t, fmt.Sprintf("%v of %v", cur["count"], cur["of"]), cells[key+".used"], key)
	}
	// Checked by hand: 2 h and 24 h; the queue backlog is not resolved.
	assert.Equal(t, "13h", cells["mttr.mean.current"])
	assert.Equal(t, "2 of 3", cells["mttr.used"])
	assert.Equal(t, "1h 30m", cells["mttr.mean.previous"])
	assert.Equal(t, "—", cells["mtta.mean.previous"], "no incident of the week before was acknowledged")
	for _, row := range metrics["mtbf"].([]any) {
		m := row.(map[string]any)
		cur := m["current"].(map[string]any)
		assert.Equal(t, fmt.Sprintf("%s (%v)", review.FormatSeconds(secsOf(cur["mean_seconds"])), cur["count"]), cells["mtbf."+m["service"].(string)+".current"])
		assert.Equal(t, review.FormatDeltaSeconds(secsOf(m["delta_mean_seconds"])), cells["mtbf."+m["service"].(string)+".delta"], "MTBF change")
	}
	assert.Equal(t, "1d 14h (1)", cells["mtbf.checkout.current"], "16 Nov 10:00 → 18 Nov 00:00")
	assert.Equal(t, "not recorded yet", cells["change_failure_rate.current"])
	assert.Equal(t, fmt.Sprint(len(body["incidents"].(map[string]any)["still_open"].(map[string]any)["items"].([]any))), cells["still_open"])
	assert.Equal(t, "1", cells["still_open"])
	assert.NotContains(t, rec.Body.String(), "NaN")
}

// TestReviewBadPeriods: each bad period is a 422 that names the field and
// says why, on the page (shown again with the form) and in the API.
func TestReviewBadPeriods(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return reviewClock }))
	viewer := app.as(model.RoleViewer)
	for _, tc := range []struct{ query, field, reason string }{
		{"week=2026-W54", "week", "2026 has ISO weeks 01 to 53"},
		{"week=2025-W53", "week", "2025 has ISO weeks 01 to 52"},
		{"week=2026-47", "week", "YYYY-Www"},
		{"week=" + url.QueryEscape("<script>"), "week", "YYYY-Www"},
		{"week=2026-W47&from=2026-11-01", "week", "not both"},
		{"from=2026-11-10&to=2026-11-09", "from", "on or before to"},
		{"from=2019-01-01&to=2026-01-01", "to", "at most 5 years"},
		{"from=2026-02-30&to=2026-03-01", "from", "YYYY-MM-DD"},
		{"from=2026-11-01&to=yesterday", "to", "YYYY-MM-DD"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			rec := viewer.do(http.MethodGet, "/review?"+tc.query, "", "")
			require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
			page := html.UnescapeString(rec.Body.String())
			assert.Contains(t, page, "<li>"+fieldLabel(tc.field), "the page names the field by its label")
			assert.Contains(t, page, tc.reason)
			assert.Contains(t, page, `action="/review"`, "the form is shown again")
			assert.NotContains(t, rec.Body.String(), "<script>")

			rec = viewer.api(http.MethodGet, "/api/v1/review?"+tc.query, "")
			require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
			body := decode(t, rec)
			assert.Contains(t, body["error"], tc.field)
			assert.Contains(t, body["fields"].(map[string]any)[tc.field], tc.reason)
		})
	}
	// A week in the path that does not exist is not found.
	for _, path := range []string{"/review/2026-W54.md", "/review/2025-W53.md", "/review/2026-W47.txt", "/review/latest", "/review/2026-W47.md.md"} {
		assert.Equal(t, http.StatusNotFound, viewer.do(http.MethodGet, path, "", "").Code, path)
	}
	rec := viewer.do(http.MethodGet, "/review/2026-W53", "", "")
	assert.Equal(t, http.StatusFound, rec.Code, "2026 has a week 53")
	assert.Equal(t, "/review?week=2026-W53", rec.Header().Get("Location"))
	assert.Equal(t, http.StatusNotFound, app.form("/review/2026-W54/minutes", url.Values{"version": {"0"}}).Code)
}

// TestReviewEmptyAndOddPeriods: a period without incidents shows "—"
// rather than a number; the default page (the last seven days) keeps its
// notes as the current ISO week's minutes, so a meeting run from /review
// records them; any other period that is not an ISO week keeps no minutes
// of its own and links to the week of its last day.
func TestReviewEmptyAndOddPeriods(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return reviewClock }))
	rec := app.do(http.MethodGet, "/review", "", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	cells := pageMetrics(t, rec.Body.String())
	assert.Equal(t, "0", cells["incidents.current"])
	assert.Equal(t, "—", cells["mttr.mean.current"])
	assert.Equal(t, "—", cells["mttr.median.delta"])
	assert.Equal(t, "0 of 0", cells["mttr.used"])
	assert.NotContains(t, rec.Body.String(), "NaN")
	assert.Contains(t, rec.Body.String(), "saved as the minutes of 2026-W48", "the default period ends on Wednesday of W48")
	assert.Contains(t, rec.Body.String(), `action="/review/2026-W48/minutes"`)
	saved := app.form("/review/2026-W48/minutes", url.Values{"version": {"0"}, "back": {"default"}, "present": {"1"},
		"attendees": {"Dana, Sam"}, "notes_actions": {"Sam owns the pool alerts"}, "section": {"actions"}})
	require.Equal(t, http.StatusSeeOther, saved.Code, saved.Body.String())
	assert.Equal(t, "/review?present=1&saved=1#section-actions", saved.Header().Get("Location"), "back to the default page, in meeting mode")
	page := app.do(http.MethodGet, "/review?present=1&saved=1", "", "").Body.String()
	assert.Contains(t, page, "Sam owns the pool alerts")
	assert.Contains(t, app.do(http.MethodGet, "/review?week=2026-W48", "", "").Body.String(), "Sam owns the pool alerts", "the same minutes as the week's page")

	rec = app.do(http.MethodGet, "/review?from=2026-11-10&to=2026-11-25", "", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "Minutes are kept per ISO week")
	assert.Contains(t, rec.Body.String(), `href="/review?week=2026-W48"`)
	assert.NotContains(t, rec.Body.String(), `id="minutes-form"`)

	rec = app.do(http.MethodGet, "/review?week=2026-W53&present=1", "", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "Weekly review 2026-W53")
	assert.Contains(t, rec.Body.String(), `class="review present"`)
	assert.Contains(t, rec.Body.String(), `href="/review?present=1&amp;week=2027-W01" rel="next"`, "across the year boundary")
	assert.Contains(t, rec.Body.String(), `id="minutes-form"`)
}

// TestReviewMinutesRoundTrip saves a week's minutes from the page, reads
// them back in the page, the API and the Markdown export, and refuses a
// save based on a stale version with a 409 that keeps what was typed.
func TestReviewMinutesRoundTrip(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return reviewClock }))
	app.reviewFixture()

	rec := app.form("/review/2026-W47/minutes", url.Values{
		"version": {"0"}, "attendees": {"Ana\nBo\nCy\nana"}, "present": {"1"}, "section": {"actions"},
		"notes_incidents": {"Checkout 502s: follow up in the checkout sync."},
		"notes_actions":   {"Decided: Bo owns the canary work."},
	})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "/review?week=2026-W47&present=1&saved=1#section-actions", rec.Header().Get("Location"))

	viewer := app.as(model.RoleViewer)
	page := viewer.do(http.MethodGet, "/review?week=2026-W47", "", "").Body.String()
	assert.Contains(t, page, "Ana, Bo, Cy", "attendees, de-duplicated ignoring case")
	assert.Contains(t, page, `<div class="notes-text">Decided: Bo owns the canary work.</div>`)
	assert.NotContains(t, page, `id="minutes-form"`, "viewers read the minutes")

	rec = viewer.api(http.MethodGet, "/api/v1/review/2026-W47/minutes", "")
	require.Equal(t, http.StatusOK, rec.Code)
	m := decode(t, rec)
	assert.Equal(t, float64(1), m["version"])
	assert.Equal(t, []any{"Ana", "Bo", "Cy"}, m["attendees"])
	assert.Equal(t, "editor@example.com", m["updated_by"])

	rec = viewer.do(http.MethodGet, "/review/2026-W47.md", "", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/markdown; charset=utf-8", rec.Header().Get("Content-Type"))
	md := rec.Body.String()
	assert.True(t, strings.HasPrefix(md, "# Weekly review 2026-W47\n"), md)
	assert.Contains(t, md, "Attendees: Ana, Bo, Cy.")
	assert.Contains(t, md, "### Decisions and notes\n\nDecided: Bo owns the canary work.\n")
	assert.Contains(t, md, "| MTTR mean | 13h | 1h 30m | +11h 30m | 2 of 3 (before: 1 of 1) |")
	assert.Contains(t, md, "| SEV2 incidents | 2 | 0 | +2 | |")
	assert.Contains(t, md, "(http://example.com/incidents/1)", "links from the request's host")

	// A second editor saved in between: the stale save is refused and the
	// page keeps what was typed.
	rec = app.form("/review/2026-W47/minutes", url.Values{"version": {"0"}, "notes_metrics": {"My late note"}, "notes_actions": {"Decided: Cy owns it."}})
	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	page = rec.Body.String()
	assert.Contains(t, page, "they are now at version 1")
	assert.Contains(t, page, ">My late note</textarea>", "what was typed is kept")
	assert.Contains(t, page, "<pre>Decided: Bo owns the canary work.</pre>", "what was saved meanwhile is shown where it differs")
	assert.Contains(t, page, "<pre>Checkout 502s: follow up in the checkout sync.</pre>", "a box left blank differs too")
	assert.NotContains(t, page, "Saved meanwhile:</strong><pre></pre>", "nothing is shown where nothing was saved")
	assert.Contains(t, page, `<input type="hidden" name="version" value="1">`, "the merged text saves on the next try")
	rec = app.api(http.MethodPut, "/api/v1/review/2026-W47/minutes", `{"version":0,"attendees":["Ana"],"notes":{}}`)
	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())

	// The current version saves, through the API too; a save that changes
	// nothing keeps the version.
	rec = app.api(http.MethodPut, "/api/v1/review/2026-W47/minutes", `{"version":1,"attendees":["Ana","Bo"],"notes":{"trends":"Watch MTTR."}}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, float64(2), decode(t, rec)["version"])
	rec = app.api(http.MethodPut, "/api/v1/review/2026-W47/minutes", `{"version":2,"attendees":["Ana","Bo"],"notes":{"trends":"Watch MTTR."}}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, float64(2), decode(t, rec)["version"])
	assert.NotContains(t, viewer.do(http.MethodGet, "/review/2026-W47.md", "", "").Body.String(), "canary", "the API save replaced the notes")

	// Bad minutes are a 422 naming the field.
	rec = app.form("/review/2026-W47/minutes", url.Values{"version": {"2"}, "notes_trends": {strings.Repeat("x", review.MaxNoteLen+1)}})
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), fieldLabel("notes.trends"))
	rec = app.form("/review/2026-W47/minutes", url.Values{"notes_trends": {"no version"}})
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), "Version is required")
	rec = app.api(http.MethodPut, "/api/v1/review/2026-W47/minutes", `{"version":2,"notes":{"lunch":"pizza"}}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, decode(t, rec)["fields"].(map[string]any)["notes"], "there is no section")
	rec = app.api(http.MethodPut, "/api/v1/review/2026-W47/minutes", `{"attendees":[]}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, decode(t, rec)["fields"], "version")

	// Every save is in the audit log.
	entries, n, err := app.store.AuditLog(context.Background(), store.AuditFilter{Entity: "review_minutes"})
	require.NoError(t, err)
	require.Equal(t, int64(2), n, "created, then updated once; the no-op and refused saves wrote nothing")
	assert.Equal(t, model.AuditUpdate, entries[0].Action)
	assert.Equal(t, int64(202647), entries[0].EntityID)
	assert.Contains(t, entries[0].Before, "canary")
	assert.Contains(t, entries[0].After, "Watch MTTR.")
}

// TestReviewWeekPathIsCanonical: a week in the path is spelled one way;
// anything else (padded, lower case) is a 404, not another week's row.
func TestReviewWeekPathIsCanonical(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return reviewClock }))
	for _, path := range []string{"/review/%202026-W47.md", "/review/2026-w47.md", "/review/%0A2026-W47", "/api/v1/review/%202026-W47/minutes"} {
		assert.Equal(t, http.StatusNotFound, app.do(http.MethodGet, path, "", "").Code, path)
	}
	assert.Equal(t, http.StatusOK, app.do(http.MethodGet, "/review/2026-W47.md", "", "").Code)
}

// TestReviewListsCapped: with more overdue action items than a list shows,
// the page, the API and the minutes each list the ten most overdue of the
// last 90 days, say how many more there are and link the full list, count
// the stale ones apart, and keep every total exact. The API keeps each
// list's items under its old key.
func TestReviewListsCapped(t *testing.T) {
	app := newTestApp(t, store.WithClock(func() time.Time { return reviewClock }))
	app.reviewFixture()
	id := app.reviewIncident("Disk full", "SEV2", []string{"db"}, "2026-01-05 08:00", "", "", "", "2026-01-05 10:00")
	owners := []string{"Ana", "Bo", "Cy"}
	for i := range 20 {
		due := model.DateOf(reviewClock).AddDays(-1 - 5*i) // 1 to 96 days overdue: 2 stale
		a := &model.ActionItem{IncidentID: id, Title: fmt.Sprintf("Fix %02d", i), Owner: owners[i%3], Due: due, Type: model.ActionPrevent}
		require.NoError(t, app.store.At(due.Time().AddDate(0, 0, -7)).CreateAction(context.Background(), a))
	}
	viewer := app.as(model.RoleViewer)

	rec := viewer.api(http.MethodGet, "/api/v1/review", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	body := decode(t, rec)
	acts := body["action_items"].(map[string]any)
	overdue := acts["lists"].(map[string]any)["overdue"].(map[string]any)
	assert.Len(t, overdue["items"], 10)
	assert.Len(t, acts["overdue"], 10, "the old key keeps the items")
	assert.EqualValues(t, 20, overdue["total"])
	assert.EqualValues(t, 8, overdue["more"], "20 = 10 listed + 8 more + 2 stale")
	assert.Equal(t, "/actions?overdue=1", overdue["more_url"])
	assert.Equal(t, map[string]any{"count": float64(2), "url": "/actions?overdue=1"}, overdue["stale"])
	assert.Len(t, acts["overdue_by_owner"], 3)
	pm := body["postmortems"].(map[string]any)["lists"].(map[string]any)["overdue"].(map[string]any)
	assert.Equal(t, map[string]any{"count": float64(1), "url": "/incidents?status=resolved"}, pm["stale"], "Disk full: resolved in January")
	opened := body["incidents"].(map[string]any)["opened"].(map[string]any)
	for _, k := range []string{"items", "by_severity", "total", "more", "more_url", "stale"} {
		assert.Contains(t, opened, k)
	}

	rec = viewer.do(http.MethodGet, "/review?present=1", "", "")
	require.Equal(t, http.StatusOK, rec.Code)
	page := rec.Body.String()
	assert.Contains(t, page, `data-stale="2"`)
	assert.Contains(t, page, `<a href="/actions?overdue=1" data-more="8">8 more</a>`)
	assert.Contains(t, page, `<strong data-metric="actions_overdue">20</strong>`, "the total is exact")
	assert.Equal(t, 10, strings.Count(page, `<span class="due">due `), "ten overdue items listed")
	assert.Contains(t, page, `href="/actions?overdue=1&amp;owner=Ana"`)

	rec = viewer.do(http.MethodGet, "/review/2026-W48.md", "", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), "And 8 more: [the full list](http://example.com/actions?overdue=1).")
	assert.Contains(t, rec.Body.String(), "Stale (overdue by more than 90 days): 2 items, not listed: [the full list](http://example.com/actions?overdue=1).")
}
