package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

// apiSpec is the document and a router over its operations.
type apiSpec struct {
	doc    *openapi3.T
	router routers.Router
}

var (
	specOnce sync.Once
	spec     *apiSpec
	specErr  error
)

// loadSpec fetches GET /api/v1/openapi.json from app and loads it with
// kin-openapi: the document must be valid OpenAPI.
func loadSpec(t testing.TB, app *testApp) *apiSpec {
	t.Helper()
	specOnce.Do(func() {
		// Straight to the server: do() validates through loadSpec.
		req := httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil)
		req.Header.Set("Authorization", "Bearer "+app.ids[model.RoleViewer].token)
		rec := httptest.NewRecorder()
		app.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			specErr = assert.AnError
			return
		}
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(rec.Body.Bytes())
		if err != nil {
			specErr = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			specErr = err
			return
		}
		router, err := legacy.NewRouter(doc)
		if err != nil {
			specErr = err
			return
		}
		spec = &apiSpec{doc: doc, router: router}
	})
	require.NoError(t, specErr, "the OpenAPI document must load and validate")
	return spec
}

// checkAPI validates a response of the API against the document: its
// status must be documented for the operation and its body must match
// the schema. Requests to no operation (the catch-all's 404) are skipped.
// kin-openapi v0.153 takes the document as 3.1: a schema using 3.1's
// keywords (type lists such as ["string", "null"]) is checked by its JSON
// Schema 2020-12 validator, the others by its 3.0 validator, which is why
// "any value" is spelled out as every type (anyJSON). It costs about 0.6×
// the run time of the API-heavy tests (measured: 27 s → 44 s).
func (a *testApp) checkAPI(req *http.Request, rec *httptest.ResponseRecorder) {
	a.t.Helper()
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return
	}
	sp := loadSpec(a.t, a)
	// The router matches on the request as the client sent it.
	r := req.Clone(context.Background())
	r.Body = http.NoBody
	route, params, err := sp.router.FindRoute(r)
	if err != nil {
		return // not an operation: the catch-all answers it
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if ct := rec.Header().Get("Content-Type"); rec.Body.Len() > 0 && !strings.HasPrefix(ct, "application/json") {
		in.Options.ExcludeResponseBody = true // a download (the backup): its status and type only
		if r := route.Operation.Responses.Status(rec.Code); r != nil && r.Value != nil {
			assert.NotNil(a.t, r.Value.Content.Get(ct), "%s %s → %d: %s is not in the OpenAPI document", req.Method, req.URL, rec.Code, ct)
		}
	}
	err = openapi3filter.ValidateResponse(context.Background(), in)
	assert.NoError(a.t, err, "%s %s → %d does not match the OpenAPI document\nbody: %s", req.Method, req.URL, rec.Code, truncate(rec.Body.String(), 2000))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// TestOpenAPICoversEveryRoute walks the route table: every /api/v1 route
// has its operation in the document, and the document lists no operation
// the server does not serve.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	app := newTestApp(t)
	rec := app.as(model.RoleViewer).api(http.MethodGet, "/api/v1/openapi.json", "")
	require.Equal(t, http.StatusOK, rec.Code)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
	assert.Equal(t, "3.1.0", doc.OpenAPI)

	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range app.srv.echo.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		p, _ := openAPIPath(r.Path)
		served[r.Method+" "+p] = true
	}
	for _, r := range app.srv.table {
		if strings.HasPrefix(r.Path, "/api/v1/") {
			p, _ := openAPIPath(r.Path)
			assert.True(t, served[r.Method+" "+p], "%s %s is in the table but not served", r.Method, r.Path)
		}
	}
	require.Greater(t, len(served), 60)
	for key := range served {
		assert.True(t, documented[key], "%s is served but missing from the OpenAPI document (apiOps in openapi.go)", key)
	}
	for key := range documented {
		assert.True(t, served[key], "%s is in the OpenAPI document but no route serves it", key)
	}
	seen := map[string]bool{}
	for _, op := range apiOps {
		key := op.method + " " + op.path
		assert.False(t, seen[key], "%s is in apiOps twice", key)
		seen[key] = true
	}
}

// TestOpenAPIDocument loads the document with kin-openapi (which checks
// it against OpenAPI 3.1's rules), checks the error shape is described,
// and that anonymous callers cannot read it.
func TestOpenAPIDocument(t *testing.T) {
	app := newTestApp(t)
	sp := loadSpec(t, app)
	assert.True(t, sp.doc.IsOpenAPI31OrLater())
	errSchema := sp.doc.Components.Schemas["Error"]
	require.NotNil(t, errSchema)
	assert.Equal(t, []string{"error"}, errSchema.Value.Required)
	assert.Contains(t, errSchema.Value.Properties, "fields")
	for _, st := range []string{"401", "403", "404", "409", "413", "415", "422", "429"} {
		n, err := strconv.Atoi(st)
		require.NoError(t, err)
		assert.Contains(t, sp.doc.Components.Responses, errorName(n), st)
	}
	// Every operation answers 401 and documents a success.
	for path, item := range sp.doc.Paths.Map() {
		for method, op := range item.Operations() {
			assert.NotNil(t, op.Responses.Value("401"), "%s %s", method, path)
			assert.NotEmpty(t, op.Tags, "%s %s", method, path)
		}
	}
	rec := app.as("").api(http.MethodGet, "/api/v1/openapi.json", "")
	assert.Equal(t, http.StatusUnauthorized, rec.Code)

	// A response that does not match is caught: the validator is not a
	// rubber stamp.
	req := httptest.NewRequest(http.MethodGet, "/api/v1/incidents/1", nil)
	route, params, err := sp.router.FindRoute(req)
	require.NoError(t, err)
	for _, body := range []string{`{"id": "one"}`, `{}`, `[]`} {
		err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
		})
		assert.Error(t, err, body)
	}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 http.StatusTeapot, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"error":"x"}`)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
	})
	assert.Error(t, err, "an undocumented status")
}

// TestAPIDocsPage renders the document for people: every operation under
// its tag with its fields, no script, and a sign-in first.
func TestAPIDocsPage(t *testing.T) {
	app := newTestApp(t)
	rec := app.as(model.RoleViewer).do(http.MethodGet, "/docs/api", "", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	body := rec.Body.String()
	assert.NotContains(t, body, "<script>", "no inline script (the layout's are files)")
	assert.NotContains(t, body, "swagger")
	for _, op := range apiOps {
		p, _ := openAPIPath(op.path)
		assert.Contains(t, body, `<span class="api-method">`+op.method+`</span> <code>`+p+`</code>`)
		assert.Contains(t, body, `id="`+operationID(op)+`"`)
	}
	for _, t2 := range tagInfo {
		assert.Contains(t, body, `<h2>`+t2.name+`</h2>`)
	}
	// Fields of a component and of a request, and a link to a component.
	for _, want := range []string{`id="schema-Incident"`, `<code>durations_seconds</code>`, `<code>evidence_url</code>`,
		`<a href="#schema-Entry">Entry</a>`, `<code>learned_later</code>`, `id="error-422"`} {
		assert.Contains(t, body, want)
	}
	rec = app.as("").do(http.MethodGet, "/docs/api", "", "")
	assert.Equal(t, http.StatusSeeOther, rec.Code)
}

// TestOpenAPIResponsesAreStrict checks that the validator catches a field
// the document does not name and a missing one, on a real response.
func TestOpenAPIResponsesAreStrict(t *testing.T) {
	app := newTestApp(t)
	sp := loadSpec(t, app)
	inc := app.createIncident(`{"title": "Checkout down", "severity": "SEV2"}`)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/incidents/1", nil)
	route, params, err := sp.router.FindRoute(req)
	require.NoError(t, err)
	check := func(v map[string]any) error {
		raw, err := json.Marshal(v)
		require.NoError(t, err)
		return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(raw)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
		})
	}
	require.NoError(t, check(inc))
	inc["extra"] = 1
	assert.Error(t, check(inc), "a field the document does not name")
	delete(inc, "extra")
	delete(inc, "version")
	assert.Error(t, check(inc), "a missing field")
	inc["version"] = 1
	inc["started_at"] = nil
	assert.NoError(t, check(inc), "a nullable time")
	inc["title"] = nil
	assert.Error(t, check(inc), "a null string")
}
