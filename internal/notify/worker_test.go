package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

var ctx = context.Background()

// receiver is a local webhook endpoint that verifies every request the
// way a Standard Webhooks library does and keeps the verified bodies.
type receiver struct {
	mu     sync.Mutex
	bodies []map[string]any
	ids    []string
	answer func(n int) int // status for the n-th request (from 1)
	n      atomic.Int64
	srv    *httptest.Server
}

func newReceiver(t *testing.T, secret string, answer func(n int) int) *receiver {
	r := &receiver{answer: answer}
	wh, err := standardwebhooks.NewWebhook(secret)
	require.NoError(t, err)
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := int(r.n.Add(1))
		body, _ := io.ReadAll(req.Body)
		if err := wh.Verify(body, req.Header); err != nil {
			t.Errorf("signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		status := http.StatusOK
		if r.answer != nil {
			status = r.answer(n)
		}
		if status < 300 {
			var m map[string]any
			require.NoError(t, json.Unmarshal(body, &m))
			r.mu.Lock()
			r.bodies = append(r.bodies, m)
			r.ids = append(r.ids, req.Header.Get("webhook-id"))
			r.mu.Unlock()
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "answer %d", status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) got() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.bodies...)
}

func testWorker(st *store.Store, now func() time.Time) *Worker {
	return &Worker{Store: st, BaseURL: "https://debrief.example.com", AllowPrivate: true, Timeout: 2 * time.Second,
		Backoff: func(int) time.Duration { return time.Second }, Now: now}
}

func TestSecretAndSignatureAreStandard(t *testing.T) {
	secret, err := NewSecret()
	require.NoError(t, err)
	assert.Regexp(t, `^whsec_[A-Za-z0-9+/]{43}=$`, secret)
	body := []byte(`{"type":"incident.declared"}`)
	h, err := Sign(secret, "msg_1_1", time.Now(), body)
	require.NoError(t, err)
	wh, err := standardwebhooks.NewWebhook(secret)
	require.NoError(t, err)
	hdr := http.Header{}
	for k, v := range h {
		hdr.Set(k, v)
	}
	assert.NoError(t, wh.Verify(body, hdr))
	assert.Error(t, wh.Verify(append(body, ' '), hdr))
}

func TestDeliversEventsSignedAndInOrder(t *testing.T) {
	st := store.OpenTest(t)
	secret, err := NewSecret()
	require.NoError(t, err)
	r2 := newReceiver(t, secret, nil)
	addHookWithSecret(t, st, r2.srv.URL, secret, model.EventIncidentDeclared, model.EventIncidentResolved, model.EventChangeRecorded)

	inc := &model.Incident{Title: "Checkout down", Severity: "SEV1", Services: []string{"checkout"}}
	require.NoError(t, st.CreateIncident(ctx, inc, "tester"))
	_, err = st.UpdateIncident(ctx, inc.ID, model.IncidentPatch{Status: ptr(model.StatusIdentified), Version: inc.Version})
	require.NoError(t, err) // incident.updated: not asked for
	cur, err := st.Incident(ctx, inc.ID)
	require.NoError(t, err)
	_, err = st.UpdateIncident(ctx, inc.ID, model.IncidentPatch{Status: ptr(model.StatusResolved), Version: cur.Version})
	require.NoError(t, err)
	_, err = st.RecordChange(ctx, &model.Change{Service: "checkout", Summary: "v2", StartedAt: st.Now().Add(-time.Minute)})
	require.NoError(t, err)

	testWorker(st, st.Now).Drain(ctx)
	got := r2.got()
	require.Len(t, got, 3)
	assert.Equal(t, "incident.declared", got[0]["type"])
	assert.Equal(t, "incident.resolved", got[1]["type"])
	assert.Equal(t, "change.recorded", got[2]["type"])
	data := got[0]["data"].(map[string]any)
	assert.Equal(t, "Checkout down", data["title"])
	assert.Equal(t, fmt.Sprintf("https://debrief.example.com/incidents/%d", inc.ID), data["url"])
	assert.Equal(t, "identified", got[1]["data"].(map[string]any)["previous"].(map[string]any)["status"])
}

func addHookWithSecret(t *testing.T, st *store.Store, url, secret string, events ...string) *model.Webhook {
	t.Helper()
	h := &model.Webhook{URL: url, Events: events, Format: model.FormatJSON, Secret: secret}
	require.NoError(t, h.Validate(true))
	require.NoError(t, st.CreateWebhook(ctx, h))
	return h
}

func ptr[T any](v T) *T { return &v }

// hookFor makes a receiver and a hook to it for incident.declared.
func hookFor(t *testing.T, st *store.Store, answer func(n int) int) (*receiver, *model.Webhook) {
	t.Helper()
	secret, err := NewSecret()
	require.NoError(t, err)
	r := newReceiver(t, secret, answer)
	return r, addHookWithSecret(t, st, r.srv.URL, secret, model.EventIncidentDeclared)
}

func declare(t *testing.T, st *store.Store, title string) *model.Incident {
	t.Helper()
	inc := &model.Incident{Title: title, Severity: "SEV2"}
	require.NoError(t, st.CreateIncident(ctx, inc, "tester"))
	return inc
}

func TestRetriedAfter500AndDeliveredOnce(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	st := store.OpenTest(t, store.WithClock(func() time.Time { return now }))
	r, h := hookFor(t, st, func(n int) int {
		if n == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	declare(t, st, "Flaky receiver")
	w := testWorker(st, func() time.Time { return now })
	w.Drain(ctx)
	assert.Empty(t, r.got(), "the first attempt failed")
	ds, err := st.Deliveries(ctx, h.ID, 0, 10)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, model.DeliveryPending, ds[0].Status)
	assert.Equal(t, 500, *ds[0].LastStatusCode)
	assert.Equal(t, "answer 500", ds[0].ResponseExcerpt)
	assert.True(t, ds[0].NextAttemptAt.After(now), "backed off")

	now = now.Add(time.Minute)
	w.Drain(ctx)
	w.Drain(ctx)
	require.Len(t, r.got(), 1, "delivered once")
	ds, _ = st.Deliveries(ctx, h.ID, 0, 10)
	assert.Equal(t, model.DeliveryDelivered, ds[0].Status)
	assert.Equal(t, 2, ds[0].Attempts)
	assert.Equal(t, int64(2), r.n.Load())
	assert.Equal(t, ds[0].MsgID, r.ids[0], "the same webhook-id on every attempt")
}

func TestGonePausesTheHookAndFailuresPauseAfter50(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	st := store.OpenTest(t, store.WithClock(func() time.Time { return now }))
	_, gone := hookFor(t, st, func(int) int { return http.StatusGone })
	_, broken := hookFor(t, st, func(int) int { return http.StatusBadGateway })
	declare(t, st, "x")
	w := testWorker(st, func() time.Time { return now })
	for range 60 {
		w.Drain(ctx)
		now = now.Add(2 * time.Second)
	}
	g, err := st.Webhook(ctx, gone.ID)
	require.NoError(t, err)
	assert.Contains(t, g.PausedReason, "410 Gone")
	b, err := st.Webhook(ctx, broken.ID)
	require.NoError(t, err)
	assert.Contains(t, b.PausedReason, "50 failed deliveries in a row (last: HTTP 502)")
	assert.Equal(t, 50, b.Failures)

	// Resumed: the queued event goes out.
	_, err = st.SetWebhookActive(ctx, broken.ID, true)
	require.NoError(t, err)
	b, _ = st.Webhook(ctx, broken.ID)
	assert.Empty(t, b.PausedReason)
	assert.Equal(t, 0, b.Failures)
}

func TestGivesUpAfter24Hours(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	st := store.OpenTest(t, store.WithClock(func() time.Time { return now }))
	_, h := hookFor(t, st, func(int) int { return http.StatusServiceUnavailable })
	declare(t, st, "x")
	w := testWorker(st, func() time.Time { return now })
	w.Backoff = Backoff
	for i := 0; i < 200; i++ {
		w.Drain(ctx)
		now = now.Add(30 * time.Minute)
	}
	ds, err := st.Deliveries(ctx, h.ID, 0, 10)
	require.NoError(t, err)
	assert.Equal(t, model.DeliveryFailed, ds[0].Status)
	assert.Less(t, ds[0].Attempts, 40, "exponential backoff, not a retry per poll")
	assert.WithinDuration(t, ds[0].CreatedAt.Add(RetryFor), *ds[0].LastAttemptAt, time.Hour+30*time.Minute)
}

func TestHangingReceiverBlocksOnlyItsHook(t *testing.T) {
	st := store.OpenTest(t)
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release)
	secret, _ := NewSecret()
	addHookWithSecret(t, st, hang.URL, secret, model.EventIncidentDeclared)
	fast, _ := hookFor(t, st, nil)
	declare(t, st, "x")
	w := testWorker(st, st.Now)
	w.Timeout = 500 * time.Millisecond
	start := time.Now()
	w.Round(ctx)
	require.Eventually(t, func() bool { return len(fast.got()) == 1 }, 2*time.Second, 10*time.Millisecond)
	assert.Less(t, time.Since(start), 450*time.Millisecond, "the fast hook did not wait for the hanging one")
	w.wg.Wait()
	assert.Less(t, time.Since(start), 3*time.Second, "the hanging attempt timed out")
}

func TestPrivateAddressesRefusedAtDelivery(t *testing.T) {
	st := store.OpenTest(t)
	r, h := hookFor(t, st, nil) // created with private addresses allowed…
	declare(t, st, "x")
	w := testWorker(st, st.Now)
	w.AllowPrivate = false // …but the server no longer allows them
	w.Drain(ctx)
	assert.Empty(t, r.got())
	ds, err := st.Deliveries(ctx, h.ID, 0, 10)
	require.NoError(t, err)
	assert.Contains(t, ds[0].LastError, "refused to connect to 127.0.0.1")

	// A redirect to a private address is refused the same way: every
	// connection, redirects included, goes through the checking dialer.
	redirect := httptest.NewServer(http.RedirectHandler(r.srv.URL, http.StatusTemporaryRedirect))
	defer redirect.Close()
	_, err = NewClient(false, time.Second).Post(redirect.URL, "application/json", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refused to connect")
}

func TestQueuedWhileDownThenDeliveredInOrder(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	st := store.OpenTest(t)
	secret, _ := NewSecret()
	r := newReceiver(t, secret, nil)
	addHookWithSecret(t, st, r.srv.URL, secret, model.EventIncidentUpdated)
	a, b := declare(t, st, "A"), declare(t, st, "B")
	sev := []string{"SEV1", "SEV2"}
	for i := range n {
		inc := a
		if i%2 == 1 {
			inc = b
		}
		cur, err := st.Incident(ctx, inc.ID)
		require.NoError(t, err)
		_, err = st.UpdateIncident(ctx, inc.ID, model.IncidentPatch{Severity: &sev[(i/2)%2], Version: cur.Version})
		require.NoError(t, err)
	}
	// The "server" restarts: the database is opened again and a new worker
	// finds the queue there.
	path := st.Path()
	require.NoError(t, st.Close())
	st, err := store.Open(path)
	require.NoError(t, err)
	defer st.Close()
	testWorker(st, st.Now).Drain(ctx)
	got := r.got()
	require.Len(t, got, n)
	last := map[float64]float64{}
	for _, m := range got {
		d := m["data"].(map[string]any)
		id, v := d["id"].(float64), d["version"].(float64)
		assert.Greater(t, v, last[id], "in order per incident")
		last[id] = v
	}
}

func TestSlackFormat(t *testing.T) {
	d := &model.Delivery{Type: model.EventIncidentDeclared, IncidentID: ptr(int64(7)), Data: `{"id":7,"title":"<b>DB</b> down","severity":"SEV1","status":"investigating"}`}
	body, err := Body(model.FormatSlack, d, "https://debrief.example.com/")
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	assert.Equal(t, "Incident declared: #7 <b>DB</b> down (SEV1 · investigating)", m["text"])
	blocks := m["blocks"].([]any)
	text := blocks[0].(map[string]any)["text"].(map[string]any)["text"].(string)
	assert.Equal(t, "*Incident declared*: <https://debrief.example.com/incidents/7|#7 &lt;b&gt;DB&lt;/b&gt; down>\nSEV1 · investigating", text)
}
