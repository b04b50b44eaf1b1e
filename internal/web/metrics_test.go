package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/notify"
	"github.com/debrief-dev/debrief/internal/store"
)

// scrape GETs /metrics from remote (host:port) with headers (name, value…).
func scrape(srv *Server, remote string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = remote
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

// metricValue finds one sample of the text format ("" when absent), e.g.
// metricValue(body, `debrief_open_incidents{severity="SEV1"}`).
func metricValue(body, series string) string {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

func TestMetricsAccess(t *testing.T) {
	app := newTestAppWith(t, Options{MetricsToken: "s3cret-metrics-token"})
	for _, tc := range []struct {
		name    string
		remote  string
		headers []string
		want    int
	}{
		{"loopback", "127.0.0.1:40000", nil, http.StatusOK},
		{"loopback IPv6", "[::1]:40000", nil, http.StatusOK},
		{"a disallowed address", "192.0.2.10:40000", nil, http.StatusForbidden},
		{"a disallowed address with the token", "192.0.2.10:40000", []string{"Authorization", "Bearer s3cret-metrics-token"}, http.StatusOK},
		{"a wrong token", "192.0.2.10:40000", []string{"Authorization", "Bearer s3cret-metrics-tokeN"}, http.StatusForbidden},
		{"the token as another scheme", "192.0.2.10:40000", []string{"Authorization", "Basic s3cret-metrics-token"}, http.StatusForbidden},
		// A reverse proxy on this host: its visitors all come from loopback.
		{"forwarded through an untrusted proxy", "127.0.0.1:40000", []string{"X-Forwarded-For", "198.51.100.7"}, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := scrape(app.srv, tc.remote, tc.headers...)
			require.Equal(t, tc.want, rec.Code, rec.Body.String())
			if tc.want == http.StatusOK {
				assert.Contains(t, rec.Header().Get("Content-Type"), "text/plain")
				assert.Contains(t, rec.Body.String(), "go_goroutines ")
				assert.Contains(t, rec.Body.String(), "process_resident_memory_bytes ")
				assert.Contains(t, rec.Body.String(), "debrief_sqlite_file_bytes ")
			} else {
				assert.NotContains(t, rec.Body.String(), "go_goroutines")
				assert.Empty(t, rec.Result().Cookies(), "no session is started for /metrics")
			}
		})
	}

	// --metrics-allow replaces loopback; behind a trusted proxy the
	// forwarded address is the one checked.
	other := newTestAppWith(t, Options{MetricsAllow: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	assert.Equal(t, http.StatusOK, scrape(other.srv, "10.1.2.3:5000").Code)
	assert.Equal(t, http.StatusForbidden, scrape(other.srv, "127.0.0.1:5000").Code)
	assert.Equal(t, http.StatusOK, scrape(other.srv, "127.0.0.1:5000", "X-Forwarded-For", "10.1.9.9").Code)
	assert.Equal(t, http.StatusForbidden, scrape(other.srv, "127.0.0.1:5000", "X-Forwarded-For", "192.0.2.10").Code)
}

// TestMetricsRouteLabels: requests are labelled by the route that matched,
// never by the path the client chose.
func TestMetricsRouteLabels(t *testing.T) {
	app := newTestApp(t)
	viewer := app.as(model.RoleViewer)
	viewer.do(http.MethodGet, "/incidents/12345", "", "")
	viewer.do(http.MethodGet, "/incidents/12345", "", "")
	viewer.do(http.MethodGet, "/no/such/page-98765", "", "")
	viewer.do("BREW", "/incidents/12345", "", "")
	app.as(model.RoleEditor).createIncident(`{"title":"Checkout down","severity":"SEV1"}`)

	body := scrape(app.srv, "127.0.0.1:1").Body.String()
	assert.Equal(t, "2", metricValue(body, `debrief_http_requests_total{method="GET",route="/incidents/:id",status="4xx"}`), body)
	assert.Equal(t, "1", metricValue(body, `debrief_http_requests_total{method="GET",route="unmatched",status="4xx"}`))
	assert.Equal(t, "1", metricValue(body, `debrief_http_requests_total{method="POST",route="/api/v1/incidents",status="2xx"}`))
	assert.Equal(t, "1", metricValue(body, `debrief_http_request_duration_seconds_count{method="POST",route="/api/v1/incidents",status="2xx"}`))
	assert.Contains(t, body, `method="other"`, "an unknown method is one label")
	for _, raw := range []string{"12345", "98765", "BREW"} {
		assert.NotContains(t, body, raw, "a raw path or method never becomes a label")
	}
}

// TestMetricsFromTheStore: group commits, the store's counts and file
// sizes, SSE connections and webhook failures reach the scrape.
func TestMetricsFromTheStore(t *testing.T) {
	m := NewMetrics()
	app := newTestAppWith(t, Options{Metrics: m}, store.WithObserver(m))
	editor := app.as(model.RoleEditor)
	inc := editor.createIncident(`{"title":"Checkout down","severity":"SEV1"}`)
	editor.createIncident(`{"title":"Search slow","severity":"SEV3"}`)
	id := jsonID(t, inc)
	for i := range 3 {
		rec := editor.api(http.MethodPost, fmt.Sprintf("/api/v1/incidents/%d/timeline", id),
			fmt.Sprintf(`{"occurred_at":"2026-11-22T14:1%d:00Z","kind":"action","body":"step %d"}`, i, i))
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	}

	// A webhook whose receiver fails: one pending delivery, one failure.
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer receiver.Close()
	secret, err := notify.NewSecret()
	require.NoError(t, err)
	hook := &model.Webhook{URL: receiver.URL, Events: []string{model.EventIncidentDeclared}, Format: model.FormatJSON, Secret: secret}
	require.NoError(t, hook.Validate(true))
	require.NoError(t, app.store.CreateWebhook(context.Background(), hook))
	editor.createIncident(`{"title":"Queue backlog","severity":"SEV2"}`)
	w := &notify.Worker{Store: app.store, AllowPrivate: true, OnFailure: m.DeliveryFailed}
	w.Drain(context.Background())

	var n int
	body := scrape(app.srv, "127.0.0.1:1").Body.String()
	assert.Equal(t, "1", metricValue(body, `debrief_open_incidents{severity="SEV1"}`), body)
	assert.Equal(t, "1", metricValue(body, `debrief_open_incidents{severity="SEV3"}`))
	assert.Equal(t, "0", metricValue(body, `debrief_overdue_action_items`))
	assert.Equal(t, "1", metricValue(body, `debrief_webhook_outbox_pending`))
	assert.Equal(t, "1", metricValue(body, `debrief_webhook_delivery_failures_total`))
	assert.Equal(t, "0", metricValue(body, `debrief_storage_unavailable`))
	n, err = strconv.Atoi(metricValue(body, `debrief_timeline_append_batch_size_sum`))
	require.NoError(t, err, body)
	assert.GreaterOrEqual(t, n, 3, "every appended entry was in a reported batch")
	assert.Regexp(t, regexp.MustCompile(`debrief_timeline_append_commit_seconds_count [1-9]`), body)
	size, err := strconv.ParseFloat(metricValue(body, `debrief_sqlite_file_bytes`), 64)
	require.NoError(t, err)
	assert.Positive(t, size)
	assert.NotEmpty(t, metricValue(body, `debrief_sqlite_wal_bytes`))

	// The counts are cached: a new incident shows in the next scrape
	// after 15 s, not at once (a scrape storm costs SQLite nothing).
	editor.createIncident(`{"title":"Another","severity":"SEV1"}`)
	body = scrape(app.srv, "127.0.0.1:1").Body.String()
	assert.Equal(t, "1", metricValue(body, `debrief_open_incidents{severity="SEV1"}`))

	// An open live stream is counted while it lasts.
	done := make(chan struct{})
	go func() {
		defer close(done)
		app.as(model.RoleViewer).do(http.MethodGet, fmt.Sprintf("/incidents/%d/events", id), "", "")
	}()
	assert.Eventually(t, func() bool { return testutil.ToFloat64(m.sseConnections) == 1 }, 2*time.Second, 5*time.Millisecond)
	<-done
	assert.Zero(t, testutil.ToFloat64(m.sseConnections))
}

// TestStorageUnavailable: while the database refuses writes (as a full
// disk or a read-only file does), pages and the API answer 503 saying
// nothing was saved, /healthz is unhealthy, and both recover by themselves.
func TestStorageUnavailable(t *testing.T) {
	app, clock := newClockedApp(t)
	editor := app.as(model.RoleEditor)
	inc := editor.createIncident(`{"title":"Checkout down","severity":"SEV1"}`)
	id := jsonID(t, inc)
	require.Equal(t, http.StatusOK, app.as("").do(http.MethodGet, "/healthz", "", "").Code)

	require.NoError(t, app.store.SetQueryOnly(context.Background(), true))
	msg := "storage is full/read-only — nothing was saved"
	for name, rec := range map[string]*httptest.ResponseRecorder{
		"API create": editor.api(http.MethodPost, "/api/v1/incidents", `{"title":"Lost","severity":"SEV2"}`),
		"API append (group commit)": editor.api(http.MethodPost, fmt.Sprintf("/api/v1/incidents/%d/timeline", id),
			`{"occurred_at":"2026-11-22T14:10:00Z","kind":"action","body":"lost"}`),
		"API update": editor.api(http.MethodPatch, fmt.Sprintf("/api/v1/incidents/%d", id), `{"title":"Renamed","version":1}`),
	} {
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "%s: %s", name, rec.Body.String())
		assert.Equal(t, msg, decode(t, rec)["error"], name)
	}
	rec := editor.form("/incidents", url.Values{"title": {"Lost too"}, "severity": {"SEV2"}})
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "storage is full/read-only — nothing was saved")
	rec = editor.form(fmt.Sprintf("/incidents/%d/timeline", id), url.Values{"body": {"lost"}, "occurred_at": {"2026-11-22T14:10:00Z"}, "kind": {"action"}})
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())

	health := app.as("").do(http.MethodGet, "/healthz", "", "")
	assert.Equal(t, http.StatusServiceUnavailable, health.Code)
	assert.Equal(t, "unavailable", decode(t, health)["status"])
	assert.Contains(t, decode(t, health)["reason"], "read-only")
	assert.Equal(t, "1", metricValue(scrape(app.srv, "127.0.0.1:1").Body.String(), "debrief_storage_unavailable"))
	// Reads go on.
	assert.Equal(t, http.StatusOK, app.as(model.RoleViewer).do(http.MethodGet, fmt.Sprintf("/incidents/%d", id), "", "").Code)

	// Space returns: writes work at once, nothing of the failed ones is
	// there, and /healthz is well again 30 s after the last failure.
	require.NoError(t, app.store.SetQueryOnly(context.Background(), false))
	editor.createIncident(`{"title":"Saved","severity":"SEV2"}`)
	list := editor.getJSON("/api/v1/incidents")
	assert.NotContains(t, fmt.Sprint(list), "Lost")
	clock.advance(31 * time.Second)
	assert.Equal(t, http.StatusOK, app.as("").do(http.MethodGet, "/healthz", "", "").Code)
}
