package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/debrief-dev/debrief/internal/auth"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// testCSRF is the pre-session (double-submit) CSRF token anonymous test
// requests carry (cookie and header), as a browser without Sec-Fetch-Site
// support would. Signed-in requests carry their session's token instead.
const testCSRF = "test-csrf-token-0123456789abcdef"

// testPassword is every test account's password.
const testPassword = "correct horse battery staple"

// identity is one signed-in test user: a session cookie for pages and an
// API token for /api/v1.
type identity struct {
	user    *model.User
	token   string
	session *http.Cookie
}

// testApp is the real Echo instance over a migrated temp-file database,
// with a viewer, an editor and an admin signed in. Requests go out as the
// current identity (the editor unless as() says otherwise).
type testApp struct {
	t     *testing.T
	srv   *Server
	store *store.Store
	ids   map[model.Role]*identity
	who   *identity // nil: anonymous
}

func testServer(t testing.TB, st *store.Store, opts Options) *Server {
	t.Helper()
	opts.Hasher = auth.Hasher{Cost: bcrypt.MinCost}
	srv, err := New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	require.NoError(t, err)
	return srv
}

func newTestApp(t *testing.T, opts ...store.Option) *testApp {
	t.Helper()
	return newTestAppWith(t, Options{}, opts...)
}

func newTestAppWith(t *testing.T, o Options, opts ...store.Option) *testApp {
	t.Helper()
	st := store.OpenTest(t, opts...)
	app := &testApp{t: t, srv: testServer(t, st, o), store: st, ids: map[model.Role]*identity{}}
	for _, role := range model.UserRoles {
		app.ids[role] = app.addUser(string(role)+"@example.com", "Test "+strings.ToUpper(string(role[:1]))+string(role[1:]), role)
	}
	app.who = app.ids[model.RoleEditor]
	return app
}

// addUser creates a user with a token and a signed-in session.
func (a *testApp) addUser(email, name string, role model.Role) *identity {
	a.t.Helper()
	ctx := context.Background()
	hash, err := a.srv.opts.Hasher.Hash(testPassword)
	require.NoError(a.t, err)
	u := &model.User{Email: email, Name: name, Role: role, PasswordHash: hash}
	require.NoError(a.t, a.store.CreateUser(ctx, u))
	secret, tokenHash, err := auth.NewToken()
	require.NoError(a.t, err)
	require.NoError(a.t, a.store.CreateToken(ctx, &model.APIToken{UserID: u.ID, Name: "tests", Hash: tokenHash, Prefix: secret[:10]}))
	id := &identity{user: u, token: secret}
	id.session = a.login(email, testPassword)
	require.NotNil(a.t, id.session, "sign in as %s", email)
	return id
}

// login signs in through the login form and returns the session cookie
// (nil when refused).
func (a *testApp) login(email, password string) *http.Cookie {
	a.t.Helper()
	rec := a.as("").form("/login", url.Values{"email": {email}, "password": {password}})
	for _, c := range rec.Result().Cookies() {
		if c.Name == "debrief_session" && c.Value != "" && c.MaxAge >= 0 {
			return c
		}
	}
	return nil
}

// as returns the app acting as the user of role ("" for anonymous).
func (a *testApp) as(role model.Role) *testApp {
	b := *a
	b.who = a.ids[role]
	return &b
}

// do sends a request with an optional body and content type as the current
// identity: a bearer token on the API, the session cookie elsewhere, and
// the CSRF token on every request.
func (a *testApp) do(method, target, contentType, body string, headers ...string) *httptest.ResponseRecorder {
	a.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if strings.HasSuffix(req.URL.Path, "/events") {
		// An event stream ends only when its reader goes: this one reads
		// for a moment.
		ctx, cancel := context.WithTimeout(req.Context(), 300*time.Millisecond)
		defer cancel()
		req = req.WithContext(ctx)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	a.authorize(req)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.srv.ServeHTTP(rec, req)
	if checkResponses {
		a.checkAPI(req, rec)
	}
	return rec
}

// checkResponses validates every response of the API the tests get
// against the OpenAPI document (openapi_test.go).
const checkResponses = true

// authorize adds the current identity's credentials and the CSRF token:
// the session's own, or the pre-session one without a live session.
func (a *testApp) authorize(req *http.Request) {
	req.AddCookie(&http.Cookie{Name: "debrief_csrf", Value: testCSRF})
	req.Header.Set("X-CSRF-Token", testCSRF)
	if a.who == nil {
		return
	}
	if strings.HasPrefix(req.URL.Path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+a.who.token)
	} else if a.who.session != nil {
		req.AddCookie(a.who.session)
		if !safeMethod(req.Method) {
			if tok := a.sessionCSRF(a.who.session); tok != "" {
				req.Header.Set("X-CSRF-Token", tok)
			}
		}
	}
}

// sessionCSRF reads the CSRF token kept with the session of cookie, as the
// pages of that session carry it ("" when the session has ended or has none).
func (a *testApp) sessionCSRF(cookie *http.Cookie) string {
	a.t.Helper()
	ctx, err := a.srv.sessions.Load(context.Background(), cookie.Value)
	if err != nil {
		return "" // a closed store, say: the request will tell
	}
	return a.srv.sessions.GetString(ctx, sessionCSRF)
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
