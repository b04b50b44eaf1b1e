package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

func TestServiceAPIAndErrorBudget(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	app := newTestApp(t, store.WithClock(func() time.Time { return now }))
	rec := app.api(http.MethodPut, "/api/v1/services/checkout", `{"owner_team":"Team Checkout","tier":"1","slo_target":99.9,"runbook_url":"https://wiki.example.com/checkout"}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	svc := decode(t, rec)
	assert.EqualValues(t, 30, svc["slo_window_days"])
	assert.EqualValues(t, 1, svc["version"])

	for _, body := range []string{`{"slo_target":100}`, `{"slo_target":0}`, `{"slo_target":-3}`, `{"slo_window_days":400}`, `{"runbook_url":"ftp://x"}`} {
		rec = app.api(http.MethodPut, "/api/v1/services/checkout", body)
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, body)
	}
	rec = app.api(http.MethodPut, "/api/v1/services/checkout", `{"owner_team":"x","slo_target":99.9,"version":7}`)
	assert.Equal(t, http.StatusConflict, rec.Code, "a stale version")

	// Two overlapping incidents (10:00–10:30 and 10:20–10:50: 50 min once),
	// one that started before the window (clipped) and one still open.
	for _, inc := range []string{
		`{"title":"A","severity":"SEV2","services":["checkout"],"started_at":"2026-11-10T10:00:00Z","mitigated_at":"2026-11-10T10:30:00Z"}`,
		`{"title":"B","severity":"SEV2","services":["Checkout"],"started_at":"2026-11-10T10:20:00Z","mitigated_at":"2026-11-10T10:50:00Z"}`,
		`{"title":"C","severity":"SEV2","services":["checkout"],"started_at":"2026-10-31T11:50:00Z","mitigated_at":"2026-10-31T12:10:00Z"}`,
		`{"title":"D","severity":"SEV1","services":["checkout"],"started_at":"2026-11-30T11:30:00Z"}`,
		`{"title":"E","severity":"SEV1","services":["search"],"started_at":"2026-11-30T11:30:00Z"}`,
	} {
		app.createIncident(inc)
	}
	rec = app.api(http.MethodGet, "/api/v1/services/checkout/error-budget", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	b := decode(t, rec)
	assert.EqualValues(t, 43200, b["window_minutes"])
	assert.EqualValues(t, 43.2, b["budget_minutes"])
	assert.EqualValues(t, 10+50+30, b["spent_minutes"], "C clipped to 10 min, A and B once, D open for 30 min")
	assert.EqualValues(t, 43.2-90, b["remaining_minutes"])
	assert.Len(t, b["incidents"], 4)
	assert.Equal(t, "2026-10-31T12:00:00.000Z", b["from"])

	rec = app.api(http.MethodGet, "/api/v1/services/checkout/error-budget?from=2026-11-10&to=2026-11-11", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.EqualValues(t, 50, decode(t, rec)["spent_minutes"])
	for _, q := range []string{"from=2026-11-11&to=2026-11-10", "from=yesterday", "from=2020-01-01&to=2026-11-01", "to=2026-11-10T10:00:00"} {
		rec = app.api(http.MethodGet, "/api/v1/services/checkout/error-budget?"+q, "")
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, q)
	}
	assert.Equal(t, http.StatusUnprocessableEntity, app.api(http.MethodGet, "/api/v1/services/search/error-budget", "").Code, "no SLO target")
	assert.Equal(t, http.StatusNotFound, app.api(http.MethodGet, "/api/v1/services/nope/error-budget", "").Code)

	list := decode(t, app.api(http.MethodGet, "/api/v1/services", ""))["services"].([]any)
	assert.Len(t, list, 2)

	// The page: budget, chart, nines, incidents.
	page := app.do(http.MethodGet, "/services/checkout", "", "")
	require.Equal(t, http.StatusOK, page.Code)
	body := page.Body.String()
	for _, want := range []string{"-46.8 min left", "of 43.2 min", `class="burn-chart burn-out"`, "43.2 min", "8.77 h", "Team Checkout", "#1 A"} {
		assert.Contains(t, body, want)
	}
	assert.Equal(t, http.StatusOK, app.do(http.MethodGet, "/services", "", "").Code)
}

func TestServicePageEditAndRename(t *testing.T) {
	app := newTestApp(t)
	app.createIncident(`{"title":"Cart down","severity":"SEV2","services":["cart"]}`)
	form := url.Values{"version": {"1"}, "name": {"basket"}, "owner_team": {"Team Cart"}, "slo_target": {"99.95"}, "slo_window_days": {"28"}}
	rec := app.form("/services/cart", form)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "/services/basket", rec.Header().Get("Location"))
	page := app.do(http.MethodGet, "/services/basket", "", "").Body.String()
	assert.Contains(t, page, "Cart down", "its incidents followed the rename")
	assert.Contains(t, page, "99.95%")

	form.Set("slo_target", "100")
	form.Set("version", "2")
	rec = app.form("/services/basket", form)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), "above 0 and below 100")
	assert.Contains(t, rec.Body.String(), `value="100"`, "the typed value is kept")

	form.Set("slo_target", "99.9")
	form.Set("version", "1")
	rec = app.form("/services/basket", form)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.True(t, strings.Contains(rec.Body.String(), "changed this service meanwhile"), "a stale form")
	assert.Equal(t, http.StatusForbidden, app.as("viewer").form("/services/basket", form).Code)
	assert.Equal(t, http.StatusNotFound, app.do(http.MethodGet, "/services/"+url.PathEscape("no such"), "", "").Code)
}
