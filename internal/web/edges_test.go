package web

import (
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Invalid UTF-8 is refused with a 422 naming the field, whatever carries
// it: a form, a multipart form, a query string or a JSON body.
func TestInvalidUTF8IsRefusedNamingTheField(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2","services":["db"]}`)
	before := app.dbState()

	rec := app.do(http.MethodPost, "/incidents", "application/x-www-form-urlencoded", "title=bad%ff%fe&severity=SEV1")
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "Title", "the page names the field by its label")

	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("severity", "SEV1"))
	require.NoError(t, mw.WriteField("title", "bad\xff\xfe"))
	require.NoError(t, mw.Close())
	rec = app.do(http.MethodPost, "/incidents", mw.FormDataContentType(), buf.String())
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())

	assertAPIError(t, app.api(http.MethodPatch, "/api/v1/incidents/1", "{\"version\":1,\"title\":\"bad\xff\xfe\"}"),
		http.StatusUnprocessableEntity, "title")
	assertAPIError(t, app.api(http.MethodPost, "/api/v1/incidents", "{\"title\":\"ok\",\"severity\":\"SEV1\",\"services\":[\"a\",\"b\xff\"]}"),
		http.StatusUnprocessableEntity, "services")
	assertAPIError(t, app.api(http.MethodPost, "/api/v1/incidents", "{\"title\":\"ok\",\"severity\":\"SEV1\",\"ti\xfftle\":\"x\"}"),
		http.StatusUnprocessableEntity, "body")
	assertAPIError(t, app.api(http.MethodGet, "/api/v1/search?q=bad%ff", ""), http.StatusUnprocessableEntity, "q")
	assertAPIError(t, app.api(http.MethodPatch, "/api/v1/incidents/1?x=%fe", `{"version":1,"title":"ok"}`),
		http.StatusUnprocessableEntity, "x")

	assert.Equal(t, before, app.dbState(), "nothing was stored")
}

// A DELETE without ?version= is refused as a PATCH without version is: a
// stale client must not delete what someone has just edited.
func TestAPIDeleteRequiresVersion(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	require.Equal(t, http.StatusCreated, app.api(http.MethodPost, "/api/v1/incidents/1/timeline", `{"body":"note"}`).Code)
	factor := app.api(http.MethodPost, "/api/v1/incidents/1/factors", `{"title":"F","category":"process"}`)
	require.Equal(t, http.StatusCreated, factor.Code, factor.Body.String())
	why := app.api(http.MethodPost, "/api/v1/incidents/1/whys", `{"text":"Why?"}`)
	require.Equal(t, http.StatusCreated, why.Code, why.Body.String())
	action := app.api(http.MethodPost, "/api/v1/incidents/1/actions", `{"title":"Fix it","owner":"Ann","type":"process","due_date":"2026-12-20"}`)
	require.Equal(t, http.StatusCreated, action.Code, action.Body.String())
	entries := app.timelineJSON(1)
	paths := []string{
		fmt.Sprintf("/api/v1/incidents/1/timeline/%d", jsonID(t, entries[len(entries)-1])),
		fmt.Sprintf("/api/v1/incidents/1/factors/%d", jsonID(t, decode(t, factor))),
		fmt.Sprintf("/api/v1/incidents/1/whys/%d", jsonID(t, decode(t, why))),
		fmt.Sprintf("/api/v1/incidents/1/actions/%d", jsonID(t, decode(t, action))),
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			assertAPIError(t, app.api(http.MethodDelete, p, ""), http.StatusUnprocessableEntity, "version")
			assertAPIError(t, app.api(http.MethodDelete, p+"?version=0", ""), http.StatusUnprocessableEntity, "version")
			assert.Equal(t, http.StatusOK, app.api(http.MethodGet, p, "").Code, "still there")
			assert.Equal(t, http.StatusConflict, app.api(http.MethodDelete, p+"?version=9", "").Code)
			rec := app.api(http.MethodDelete, p+"?version=1", "")
			assert.Less(t, rec.Code, 300, rec.Body.String())
			assert.Equal(t, http.StatusNotFound, app.api(http.MethodGet, p, "").Code, "deleted")
		})
	}
}

// current returns url with ?version= set to the record's version now, for
// a DELETE that means to remove what it last read.
func (a *testApp) current(url string) string {
	a.t.Helper()
	return fmt.Sprintf("%s?version=%v", url, a.getJSON(url)["version"])
}

// Each ambiguous input gets a clear 4xx, never a silent choice.
func TestAmbiguousInputIsRefused(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"duplicate key", "PATCH", "/api/v1/incidents/1", `{"version":1,"title":"a","title":"b"}`, 422, "title"},
		{"duplicate nested key", "PATCH", "/api/v1/incidents/1", `{"version":1,"roles":{"scribe":"a","scribe":"b"}}`, 422, "scribe"},
		{"null title", "PATCH", "/api/v1/incidents/1", `{"version":1,"title":null}`, 422, "title"},
		{"null services", "PATCH", "/api/v1/incidents/1", `{"version":1,"services":null}`, 422, "services"},
		{"null in services", "PATCH", "/api/v1/incidents/1", `{"version":1,"services":[null]}`, 422, "services"},
		{"empty service", "PATCH", "/api/v1/incidents/1", `{"version":1,"services":["db",""]}`, 422, "services"},
		{"empty service on create", "POST", "/api/v1/incidents", `{"title":"x","severity":"SEV2","services":[" "]}`, 422, "services"},
		{"null tag on create", "POST", "/api/v1/incidents", `{"title":"x","severity":"SEV2","tags":[null]}`, 422, "tags"},
		{"version 0", "PATCH", "/api/v1/incidents/1", `{"version":0,"title":"a"}`, 422, "version"},
		{"negative version", "PATCH", "/api/v1/incidents/1", `{"version":-1,"title":"a"}`, 422, "version"},
		{"entry version 0", "PATCH", "/api/v1/incidents/1/timeline/1", `{"version":0,"body":"a"}`, 422, "version"},
		{"id with a plus", "GET", "/api/v1/incidents/+1", "", 404, ""},
		{"id with a leading zero", "GET", "/api/v1/incidents/01", "", 404, ""},
		{"entry id with a leading zero", "GET", "/api/v1/incidents/1/timeline/01", "", 404, ""},
		{"week past 9999", "GET", "/api/v1/review?week=9999-W52", "", 422, "week"},
		{"week page past 9999", "GET", "/review?week=9999-W52", "", 422, ""},
		{"week minutes past 9999", "GET", "/review/9999-W52.md", "", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, _ := newClockedApp(t)
			app.createIncident(`{"title":"T","severity":"SEV2","services":["db"]}`)
			before := app.dbState()
			var rec *httptest.ResponseRecorder
			if strings.HasPrefix(tt.path, "/api/") {
				rec = app.api(tt.method, tt.path, tt.body)
			} else {
				rec = app.do(tt.method, tt.path, "", "")
			}
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.field != "" {
				assertAPIError(t, rec, tt.status, tt.field)
			}
			assert.Equal(t, before, app.dbState(), "nothing was written")
		})
	}
	assert.Contains(t, decode(t, newTestApp(t).api("POST", "/api/v1/incidents", `{"title":"a","title":"b","severity":"SEV2"}`))["error"],
		"title: duplicate field")
}
