package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sseEvent is one event read off a raw text/event-stream.
type sseEvent struct {
	ID   string
	Type string
	Data string
}

func (e sseEvent) payload(t testing.TB) eventPayload {
	t.Helper()
	var p eventPayload
	require.NoError(t, json.Unmarshal([]byte(e.Data), &p), e.Data)
	return p
}

// sseStream reads events from a live response.
type sseStream struct {
	resp   *http.Response
	events chan sseEvent
	cancel context.CancelFunc
}

// openStream GETs path on the running server with the given headers and
// starts reading its events.
func openStream(t testing.TB, base, path string, headers ...string) (*sseStream, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	s := &sseStream{resp: resp, events: make(chan sseEvent, 1024), cancel: cancel}
	t.Cleanup(s.close)
	if resp.StatusCode != http.StatusOK {
		return s, resp
	}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Type != "" || ev.Data != "" {
					s.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"), strings.HasPrefix(line, "retry:"):
			case strings.HasPrefix(line, "id: "):
				ev.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.Type = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return s, resp
}

func (s *sseStream) close() {
	s.cancel()
	_ = s.resp.Body.Close()
}

// next returns the next event that is not presence, or fails after a
// few seconds.
func (s *sseStream) next(t testing.TB) sseEvent {
	t.Helper()
	for {
		select {
		case ev, ok := <-s.events:
			require.True(t, ok, "the stream ended")
			if ev.Type == "presence" {
				continue
			}
			return ev
		case <-time.After(5 * time.Second):
			t.Fatal("no event within 5 s")
		}
	}
}

// presence waits for a presence event naming want.
func (s *sseStream) presence(t testing.TB, want string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-s.events:
			require.True(t, ok, "the stream ended")
			if ev.Type == "presence" && strings.Contains(ev.Data, want) {
				return
			}
		case <-deadline:
			t.Fatalf("no presence event naming %q", want)
		}
	}
}

func (a *testApp) cookieHeader() string {
	return a.who.session.Name + "=" + a.who.session.Value
}

func TestEventStreamDeliversEveryChange(t *testing.T) {
	app := newTestApp(t)
	base := serve(t, app)
	app.createIncident(`{"title":"Checkout 5xx","severity":"SEV2"}`)
	viewer := app.as("viewer")
	s, resp := openStream(t, base, "/incidents/1/events", "Cookie", viewer.cookieHeader())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/event-stream; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	s.presence(t, "Test Viewer")
	ed, _ := openStream(t, base, "/incidents/1/events", "Cookie", app.cookieHeader())
	ed.presence(t, "Test Editor")

	entry := app.appendEntry(1, `{"occurred_at":"2026-11-22T14:00:00Z","kind":"action","body":"Rolled back <script>alert(1)</script> **v2.36.6**"}`)
	ev := s.next(t)
	assert.Equal(t, "entry", ev.Type)
	p := ev.payload(t)
	assert.Equal(t, "created", p.Action)
	assert.Equal(t, int64(1), p.IncidentID)
	assert.Equal(t, 1, p.Version)
	assert.Contains(t, p.HTML, fmt.Sprintf(`id="entry-%v"`, entry["id"]))
	assert.Contains(t, p.HTML, "<strong>v2.36.6</strong>")
	assert.NotContains(t, p.HTML, "<script>", "markup in the text arrives escaped")
	assert.NotContains(t, p.HTML, "/edit\">edit</a>", "a viewer's fragment has no edit link")
	rec, _ := p.Record.(map[string]any)
	assert.Equal(t, entry["body"], rec["body"], "the record is the API's JSON")
	assert.Equal(t, entry["occurred_at"], rec["occurred_at"])
	firstID, err := strconv.ParseInt(ev.ID, 10, 64)
	require.NoError(t, err)

	inc := app.getJSON("/api/v1/incidents/1")
	r := app.api(http.MethodPatch, "/api/v1/incidents/1", fmt.Sprintf(`{"status":"monitoring","version":%v}`, inc["version"]))
	require.Equal(t, http.StatusOK, r.Code, r.Body.String())
	var types []string
	last := firstID
	for len(types) < 3 {
		ev := s.next(t)
		id, err := strconv.ParseInt(ev.ID, 10, 64)
		require.NoError(t, err)
		assert.Greater(t, id, last, "ids strictly increase")
		last = id
		types = append(types, ev.Type)
		if ev.Type == "incident" {
			p := ev.payload(t)
			assert.Contains(t, p.HTML, `status-monitoring`)
			assert.NotContains(t, p.HTML, `/status"`, "a viewer gets no status buttons")
			rec, _ := p.Record.(map[string]any)
			assert.Equal(t, "monitoring", rec["status"])
		}
	}
	assert.Equal(t, []string{"entry", "entry", "incident"}, types)
	// An editor's fragment has the buttons, posting the new version; the
	// page fills in its own CSRF token.
	for ev := ed.next(t); ev.Type != "incident"; ev = ed.next(t) {
	}
	r = app.api(http.MethodPatch, "/api/v1/incidents/1", fmt.Sprintf(`{"severity":"SEV1","version":%v}`, app.getJSON("/api/v1/incidents/1")["version"]))
	require.Equal(t, http.StatusOK, r.Code, r.Body.String())
	for ev = ed.next(t); ev.Type != "incident"; ev = ed.next(t) {
	}
	p = ev.payload(t)
	assert.Contains(t, p.HTML, `action="/incidents/1/status"`)
	assert.Contains(t, p.HTML, fmt.Sprintf(`name="version" value="%d"`, p.Version))
	assert.Contains(t, p.HTML, `name="_csrf" value=""`)
	for ev := s.next(t); ev.Type != "incident"; ev = s.next(t) {
	}

	r = app.api(http.MethodPost, "/api/v1/incidents/1/factors", `{"title":"Config pushes skip the canary","category":"change"}`)
	require.Equal(t, http.StatusCreated, r.Code, r.Body.String())
	ev = s.next(t)
	assert.Equal(t, "analysis", ev.Type)
	assert.Contains(t, ev.payload(t).HTML, "Config pushes skip the canary")
}

// A reader that reconnects with Last-Event-ID gets what it missed, in
// order: an entry deleted meanwhile disappears.
func TestEventStreamResumesAfterLastEventID(t *testing.T) {
	app := newTestApp(t)
	base := serve(t, app)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	gone := app.appendEntry(1, `{"occurred_at":"2026-11-22T14:00:00Z","body":"to be deleted"}`)
	s, _ := openStream(t, base, "/incidents/1/events", "Cookie", app.cookieHeader())
	s.presence(t, "Test Editor")
	app.appendEntry(1, `{"occurred_at":"2026-11-22T14:01:00Z","body":"seen live"}`)
	seen := s.next(t)
	s.close()

	r := app.api(http.MethodDelete, fmt.Sprintf("/api/v1/incidents/1/timeline/%v?version=1", gone["id"]), "")
	require.Equal(t, http.StatusNoContent, r.Code, r.Body.String())
	app.appendEntry(1, `{"occurred_at":"2026-11-22T13:00:00Z","body":"back-dated while away"}`)

	s2, _ := openStream(t, base, "/incidents/1/events", "Cookie", app.cookieHeader(), "Last-Event-ID", seen.ID)
	del := s2.next(t)
	assert.Equal(t, "entry", del.Type)
	assert.Equal(t, "deleted", del.payload(t).Action)
	assert.Equal(t, gone["id"], float64(del.payload(t).EntityID))
	added := s2.next(t)
	assert.Contains(t, added.payload(t).HTML, "back-dated while away")

	// The page's own position works the same, as a query parameter.
	s3, _ := openStream(t, base, "/incidents/1/events?last_event_id="+seen.ID, "Cookie", app.cookieHeader())
	assert.Equal(t, del.ID, s3.next(t).ID)
}

func TestEventStreamRefusals(t *testing.T) {
	app := newTestApp(t)
	base := serve(t, app)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)

	_, resp := openStream(t, base, "/incidents/999/events", "Cookie", app.cookieHeader())
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "an incident that does not exist")
	_, resp = openStream(t, base, "/incidents/abc/events", "Cookie", app.cookieHeader())
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	_, resp = openStream(t, base, "/incidents/1/events")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "anonymous")
	assert.Contains(t, resp.Header.Get("Content-Type"), "application/json")
	_, resp = openStream(t, base, "/incidents/1/events", "Authorization", "Bearer not-a-token")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a bad token")

	// Scripts follow with a token.
	s, resp := openStream(t, base, "/incidents/1/events", "Authorization", "Bearer "+app.who.token)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	s.presence(t, "Test Editor")

	for _, last := range []string{"abc", "-1", "1e3", "99999999", "9223372036854775808"} {
		s, resp := openStream(t, base, "/incidents/1/events", "Cookie", app.cookieHeader(), "Last-Event-ID", last)
		require.Equal(t, http.StatusOK, resp.StatusCode, last)
		ev := s.next(t)
		assert.Equal(t, "reset", ev.Type, "Last-Event-ID %q", last)
	}
}

// Shutdown ends every stream, so the server does not wait on them.
func TestEventStreamEndsAtShutdown(t *testing.T) {
	app := newTestApp(t)
	base := serve(t, app)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	s, _ := openStream(t, base, "/incidents/1/events", "Cookie", app.cookieHeader())
	s.presence(t, "Test Editor")
	app.srv.CloseStreams()
	select {
	case _, ok := <-s.events:
		for ok {
			_, ok = <-s.events
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not end")
	}
}

// Many readers and writers on one incident: every reader that keeps up
// gets every event once, in increasing id order.
func TestEventStreamManyReadersAndWriters(t *testing.T) {
	const readers, writers, each = 40, 8, 5
	app := newTestApp(t)
	ts := httptest.NewServer(app.srv)
	t.Cleanup(ts.Close)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	streams := make([]*sseStream, readers)
	for i := range streams {
		streams[i], _ = openStream(t, ts.URL, "/incidents/1/events", "Cookie", app.cookieHeader())
	}
	for _, s := range streams {
		s.presence(t, "Test Editor")
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				rec := app.api(http.MethodPost, "/api/v1/incidents/1/timeline", fmt.Sprintf(`{"body":"w%d-%d"}`, w, i))
				assert.Equal(t, http.StatusCreated, rec.Code)
			}
		}()
	}
	wg.Wait()
	for _, s := range streams {
		seen := map[string]bool{}
		var last int64
		for len(seen) < writers*each {
			ev := s.next(t)
			id, _ := strconv.ParseInt(ev.ID, 10, 64)
			require.Greater(t, id, last)
			last = id
			body, _ := ev.payload(t).Record.(map[string]any)["body"].(string)
			require.False(t, seen[body], "%s twice", body)
			seen[body] = true
		}
	}
}

// Pages send an ETag and answer 304 while nothing changed.
func TestIncidentPageETag(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	rec := app.do(http.MethodGet, "/incidents/1", "", "")
	require.Equal(t, http.StatusOK, rec.Code)
	tag := rec.Header().Get("ETag")
	require.NotEmpty(t, tag)
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"), "signed-in pages are not kept by caches")

	again := app.do(http.MethodGet, "/incidents/1", "", "", "If-None-Match", tag)
	assert.Equal(t, http.StatusNotModified, again.Code)
	assert.Empty(t, again.Body.String())
	assert.Equal(t, tag, again.Header().Get("ETag"))
	weak := app.do(http.MethodGet, "/incidents/1", "", "", "If-None-Match", `"other", W/`+tag)
	assert.Equal(t, http.StatusNotModified, weak.Code)

	app.appendEntry(1, `{"body":"something changed"}`)
	changed := app.do(http.MethodGet, "/incidents/1", "", "", "If-None-Match", tag)
	require.Equal(t, http.StatusOK, changed.Code)
	assert.NotEqual(t, tag, changed.Header().Get("ETag"))
	assert.Contains(t, changed.Body.String(), "something changed")

	// Errors and non-pages carry none.
	missing := app.do(http.MethodGet, "/incidents/99", "", "")
	assert.Equal(t, http.StatusNotFound, missing.Code)
	assert.Empty(t, missing.Header().Get("ETag"))
	api := app.api(http.MethodGet, "/api/v1/incidents/1", "")
	assert.Empty(t, api.Header().Get("ETag"))
}
