package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

type searchAPIResult struct {
	Total int `json:"total"`
	Hits  []struct {
		IncidentID  int64    `json:"incident_id"`
		Title       string   `json:"title"`
		TitleHTML   string   `json:"title_html"`
		Snippet     string   `json:"snippet_html"`
		SnippetPart string   `json:"snippet_part"`
		Matched     []string `json:"matched"`
		Services    []string `json:"services"`
		Score       float64  `json:"score"`
	} `json:"hits"`
	Facets store.Facets `json:"facets"`
}

func (a *testApp) search(query string) searchAPIResult {
	a.t.Helper()
	rec := a.api(http.MethodGet, "/api/v1/search?"+query, "")
	require.Equal(a.t, http.StatusOK, rec.Code, rec.Body.String())
	var r searchAPIResult
	require.NoError(a.t, json.Unmarshal(rec.Body.Bytes(), &r))
	return r
}

// TestSearchSurvivesAnyInput: whatever a person types is a search, never
// an FTS5 syntax error; only an overlong query is refused, with the field.
func TestSearchSurvivesAnyInput(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"Connection pool exhausted on payments-api","severity":"SEV2","summary":"NEAR the AND gate: a colon"}`)
	for _, q := range []string{
		`"`, `""`, `"""`, `AND(`, `AND`, `OR`, `NOT`, `*`, `**`, `-`, `--`, `-*`, `NEAR(`, `NEAR(a b, 2)`, `:`, `title:pool`,
		`{title}: pool`, `pool^`, `+pool`, `(pool`, `pool)`, `🔥`, `🔥 pool`, `انقطاع الخدمة`, `תקלה בשרת`, "\u202epool\u202c",
		``, `   `, `pool OR`, `OR pool`, `pool OR OR dns`, `-pool`, `"unclosed phrase`, `dead*`, `pay*-api`, `'; DROP TABLE incidents; --`,
		strings.Repeat("a ", 250), strings.Repeat("x", 500), `%`, `\`, `pool\"`, "pool\tdns", `€ ¥ £`, `NEAR/2`,
	} {
		rec := app.api(http.MethodGet, "/api/v1/search?q="+url.QueryEscape(q), "")
		assert.Equal(t, http.StatusOK, rec.Code, "API, q=%q: %s", q, rec.Body.String())
		rec = app.do(http.MethodGet, "/search?q="+url.QueryEscape(q), "", "")
		assert.Equal(t, http.StatusOK, rec.Code, "page, q=%q", q)
	}
	assert.Equal(t, 1, app.search("q="+url.QueryEscape(`"connection pool" -staging`)).Total)
	assert.Equal(t, 1, app.search("q="+url.QueryEscape(`NEAR(`)).Total, "NEAR is a word of the summary")
	assert.Equal(t, 1, app.search("q=").Total, "an empty query lists everything")

	long := strings.Repeat("é", 501)
	rec := app.api(http.MethodGet, "/api/v1/search?q="+url.QueryEscape(long), "")
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, decode(t, rec)["fields"], "q")
	rec = app.do(http.MethodGet, "/search?q="+url.QueryEscape(long), "", "")
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), "must be at most 500 characters")

	for query, field := range map[string]string{
		"sort=bogus": "sort", "limit=0": "limit", "limit=101": "limit", "limit=x": "limit", "offset=-1": "offset",
		"offset=20000": "offset", "from=2026-13-01": "from", "to=yesterday": "to", "from=2026-05-02&to=2026-05-01": "to",
		"status=bogus": "status", "severity=" + strings.Repeat("S", 30): "severity", "q=%FF": "q", "q=a%00b": "q",
	} {
		rec := app.api(http.MethodGet, "/api/v1/search?"+query, "")
		require.Equal(t, http.StatusUnprocessableEntity, rec.Code, query)
		assert.Contains(t, decode(t, rec)["fields"], field, query)
		rec = app.do(http.MethodGet, "/search?"+query, "", "")
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, "page: %s", query)
	}
}

// TestSearchSnippetsAreEscaped: what people wrote is text, never markup,
// in titles and snippets alike; only the <mark> around matches is HTML.
func TestSearchSnippetsAreEscaped(t *testing.T) {
	app := newTestApp(t)
	inc := app.createIncident(`{"title":"<script>alert(1)</script> pool","severity":"SEV2","summary":"x"}`)
	id := int64(inc["id"].(float64))
	rec := app.api(http.MethodPost, "/api/v1/incidents/"+strconv.FormatInt(id, 10)+"/timeline",
		`{"body":"The pool <img src=x onerror=alert(2)> & \"quotes\" ran dry"}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())

	r := app.search("q=pool")
	require.Len(t, r.Hits, 1)
	h := r.Hits[0]
	assert.Equal(t, "&lt;script&gt;alert(1)&lt;/script&gt; <mark>pool</mark>", h.TitleHTML)
	assert.Equal(t, "timeline", h.SnippetPart)
	assert.Equal(t, "The <mark>pool</mark> &lt;img src=x onerror=alert(2)&gt; &amp; &#34;quotes&#34; ran dry", h.Snippet)
	assert.Equal(t, []string{"title", "timeline"}, h.Matched)

	page := app.do(http.MethodGet, "/search?q=pool", "", "").Body.String()
	assert.NotContains(t, page, "<script>alert")
	assert.NotContains(t, page, "<img src=x")
	assert.Contains(t, page, "&lt;img src=x onerror=alert(2)&gt;")
	assert.Contains(t, page, "Matched in title, timeline")
}

// TestSearchAPIAndPage: ranking, every part kind, facets and filters over
// HTTP, and the page showing the same hits.
func TestSearchAPIAndPage(t *testing.T) {
	app := newTestApp(t)
	body := app.createIncident(`{"title":"Checkout slow","severity":"SEV3","services":["shop"],"summary":"A deadlock in the orders table."}`)
	title := app.createIncident(`{"title":"Deadlock in billing worker","severity":"SEV1","services":["billing","shop"],"tags":["db"]}`)
	r := app.search("q=deadlock")
	require.Equal(t, 2, r.Total)
	assert.Equal(t, title["id"], float64(r.Hits[0].IncidentID), "a title hit ranks above a body hit")
	assert.Equal(t, body["id"], float64(r.Hits[1].IncidentID))
	assert.Greater(t, r.Hits[0].Score, r.Hits[1].Score)
	assert.Equal(t, []store.FacetCount{{Value: "SEV1", Count: 1}, {Value: "SEV3", Count: 1}}, r.Facets.Severity)
	assert.Equal(t, []store.FacetCount{{Value: "shop", Count: 2}, {Value: "billing", Count: 1}}, r.Facets.Service)

	assert.Equal(t, 1, app.search("q=deadlock&severity=SEV1").Total)
	assert.Equal(t, 2, app.search("q=deadlock&severity=SEV1&severity=SEV3").Total)
	assert.Equal(t, 1, app.search("q=deadlock&service=billing").Total)
	assert.Equal(t, 1, app.search("q=deadlock&tag=db").Total)
	assert.Equal(t, 2, app.search("q=deadlock&status=investigating").Total)
	assert.Equal(t, 0, app.search("q=deadlock&status=resolved").Total)
	today := time.Now().UTC().Format("2006-01-02")
	assert.Equal(t, 2, app.search("q=deadlock&from="+today+"&to="+today).Total)
	assert.Equal(t, 0, app.search("q=deadlock&to=2001-01-01").Total)
	one := app.search("q=deadlock&limit=1&offset=1")
	assert.Equal(t, 2, one.Total)
	require.Len(t, one.Hits, 1)
	assert.Equal(t, body["id"], float64(one.Hits[0].IncidentID))
	assert.Equal(t, title["id"], float64(app.search("q=dead*&sort=newest").Hits[0].IncidentID))

	page := app.do(http.MethodGet, "/search?q=deadlock", "", "")
	require.Equal(t, http.StatusOK, page.Code)
	html := page.Body.String()
	assert.Contains(t, html, "<mark>Deadlock</mark> in billing worker")
	assert.Less(t, strings.Index(html, "billing worker"), strings.Index(html, "Checkout slow"), "the page keeps the ranking")
	assert.Contains(t, html, `href="/search?q=deadlock&amp;severity=SEV1"`, "facets narrow the search")
	assert.Contains(t, html, `value="deadlock"`, "the header box keeps the query")

	assert.Contains(t, app.do(http.MethodGet, "/search?q=zzzz", "", "").Body.String(), "No incident matches")
}

// TestArchiveListsPublishedPostmortemsByMonth: only published postmortems,
// under the month they were published, with their action items' state.
func TestArchiveListsPublishedPostmortemsByMonth(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	st := app.store
	publish := func(title string, at time.Time, services ...string) int64 {
		inc := &model.Incident{Title: title, Severity: "SEV2", Services: services}
		require.NoError(t, st.CreateIncident(ctx, inc, ""))
		_, err := st.At(at).Publish(ctx, inc.ID, 1, func(*store.Document, int, time.Time) (string, []byte, error) {
			return "# " + title + "\n", []byte("{}"), nil
		})
		require.NoError(t, err)
		return inc.ID
	}
	oct := publish("Disk full on the log collector", time.Date(2026, 10, 3, 9, 0, 0, 0, time.UTC), "logs")
	nov := publish("Certificate expired on the gateway", time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), "gateway")
	draft := &model.Incident{Title: "Still a draft", Severity: "SEV2"}
	require.NoError(t, st.CreateIncident(ctx, draft, ""))
	a := &model.ActionItem{IncidentID: nov, Title: "Alert on expiry", Owner: "Dana", Due: model.NewDate(2020, 1, 1), Type: model.ActionDetect}
	require.NoError(t, st.CreateAction(ctx, a))

	rec := app.do(http.MethodGet, "/archive", "", "")
	require.Equal(t, http.StatusOK, rec.Code)
	html := rec.Body.String()
	assert.NotContains(t, html, "Still a draft")
	novAt, octAt := strings.Index(html, "November 2026"), strings.Index(html, "October 2026")
	require.True(t, novAt > 0 && octAt > novAt, "months newest first")
	assert.Greater(t, strings.Index(html, "Certificate expired"), novAt)
	assert.Greater(t, strings.Index(html, "Disk full"), octAt)
	assert.Contains(t, html, "1 overdue")
	assert.Contains(t, html, "2 published postmortems")

	filtered := app.do(http.MethodGet, "/archive?service=logs", "", "").Body.String()
	assert.Contains(t, filtered, "Disk full")
	assert.NotContains(t, filtered, "Certificate expired")
	assert.Contains(t, app.do(http.MethodGet, "/archive?q=certificate", "", "").Body.String(), "<mark>Certificate</mark> expired")
	assert.Equal(t, http.StatusUnprocessableEntity, app.do(http.MethodGet, "/archive?sort=sideways", "", "").Code)
	_ = oct
}

// TestSimilarPastIncidents: the finder ranks earlier incidents by shared
// services, factor categories and analysis text, leaves out later ones and
// strangers, and shows each one's action items.
func TestSimilarPastIncidents(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	st := app.store
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	incident := func(title string, daysLater int, services []string, factor, category string) int64 {
		at := day.AddDate(0, 0, daysLater)
		inc := &model.Incident{Title: title, Severity: "SEV2", Services: services, StartedAt: &at}
		require.NoError(t, st.At(at).CreateIncident(ctx, inc, ""))
		if factor != "" {
			require.NoError(t, st.CreateFactor(ctx, &model.Factor{IncidentID: inc.ID, Title: factor, Category: category}))
		}
		return inc.ID
	}
	text := incident("Checkout errors", 0, []string{"payments-api"}, "Connection pool exhausted by slow queries", "capacity")
	service := incident("Refund delays", 1, []string{"payments-api"}, "Batch job scheduled at peak", "process")
	stranger := incident("Office wifi down", 2, []string{"wifi"}, "Access point firmware bug", "hardware/infrastructure")
	for i := 0; i < 8; i++ { // common words are not what makes incidents alike
		incident("Filler", 3, []string{"filler"}, "Something else entirely", "other")
	}
	x := incident("Payments failing", 10, []string{"payments-api", "db"}, "Connection pool exhausted again", "capacity")
	later := incident("Payments failing again", 20, []string{"payments-api"}, "Connection pool exhausted again", "capacity")
	require.NoError(t, st.CreateAction(ctx, &model.ActionItem{IncidentID: text, Title: "Raise the pool size", Owner: "Dana",
		Due: model.NewDate(2020, 1, 1), Type: model.ActionPrevent}))

	rec := app.api(http.MethodGet, "/api/v1/incidents/"+strconv.FormatInt(x, 10)+"/similar", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var got struct {
		Similar []store.SimilarIncident `json:"similar"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	require.Len(t, got.Similar, 2, "%+v", got.Similar)
	first, second := got.Similar[0], got.Similar[1]
	assert.Equal(t, text, first.IncidentID, "shared service, category and analysis text rank first")
	assert.True(t, first.SimilarAnalysis)
	assert.Equal(t, []string{"payments-api"}, first.SharedServices)
	assert.Equal(t, []string{"capacity"}, first.SharedCategories)
	assert.Equal(t, store.ActionCounts{Total: 1, Open: 1, Overdue: 1}, first.Actions)
	assert.Equal(t, service, second.IncidentID)
	assert.False(t, second.SimilarAnalysis)
	assert.Greater(t, first.Score, second.Score)
	for _, s := range got.Similar {
		assert.NotEqual(t, stranger, s.IncidentID)
		assert.NotEqual(t, later, s.IncidentID, "only earlier incidents")
	}

	page := app.do(http.MethodGet, "/incidents/"+strconv.FormatInt(x, 10), "", "").Body.String()
	assert.Contains(t, page, "Similar past incidents")
	assert.Contains(t, page, "Checkout errors")
	assert.Contains(t, page, "1 overdue")
	assert.Equal(t, http.StatusNotFound, app.api(http.MethodGet, "/api/v1/incidents/99999/similar", "").Code)
}
