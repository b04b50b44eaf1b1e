package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/store"
)

// testApp is the real Echo instance over a migrated temp-file database.
type testApp struct {
	t     *testing.T
	srv   *Server
	store *store.Store
}

func newTestApp(t *testing.T, opts ...store.Option) *testApp {
	t.Helper()
	st := store.OpenTest(t, opts...)
	srv, err := New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	return &testApp{t: t, srv: srv, store: st}
}

// do sends a request with an optional body and content type.
func (a *testApp) do(method, target, contentType, body string, headers ...string) *httptest.ResponseRecorder {
	a.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.srv.ServeHTTP(rec, req)
	return rec
}

// api sends JSON (body may be "") to the API.
func (a *testApp) api(method, target, body string) *httptest.ResponseRecorder {
	a.t.Helper()
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return a.do(method, target, ct, body)
}

// form posts urlencoded form values like a browser without JavaScript.
func (a *testApp) form(target string, values url.Values, headers ...string) *httptest.ResponseRecorder {
	a.t.Helper()
	return a.do(http.MethodPost, target, "application/x-www-form-urlencoded", values.Encode(), headers...)
}

// decode unmarshals a JSON response body into a map.
func decode(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), "body: %s", rec.Body.String())
	return m
}

// createIncident declares an incident through the API and returns its JSON.
func (a *testApp) createIncident(body string) map[string]any {
	a.t.Helper()
	rec := a.api(http.MethodPost, "/api/v1/incidents", body)
	require.Equal(a.t, http.StatusCreated, rec.Code, rec.Body.String())
	return decode(a.t, rec)
}
