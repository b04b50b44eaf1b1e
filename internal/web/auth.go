package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/auth"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/oidc"
)

// Options are the server's security settings.
type Options struct {
	SecureCookies   bool
	SessionIdle     time.Duration
	SessionLifetime time.Duration
	AuthProxyHeader string
	TrustedProxies  []netip.Prefix
	Hasher          auth.Hasher
	// SetupToken, while no account exists, makes /setup/<token> create the
	// first admin. It stops working once any account exists.
	SetupToken string
	// PostmortemDue is how long after resolution a postmortem is due
	// (model.DefaultPostmortemDue when zero).
	PostmortemDue time.Duration
	// BaseURL is where people reach Debrief, for links in exports; when
	// empty, links are made from the request's host.
	BaseURL string
	// SlackSigningSecret verifies Slack's requests; without it the Slack
	// routes answer 404.
	SlackSigningSecret string
	// GitHubWebhookSecret verifies GitHub's deliveries to /integrations/github
	// (404 without it); ChangesToken lets CI record changes at
	// /integrations/changes without an account.
	GitHubWebhookSecret string
	ChangesToken        string
	// WebhookAllowPrivate lets outgoing webhooks name loopback, private and
	// link-local addresses (refused by default: SSRF).
	WebhookAllowPrivate bool
	// OIDC, when set, adds "Sign in with …" (single sign-on) to the login
	// page. OIDCOnly then hides the password form: only admins' accounts
	// (break-glass) still sign in with a password, at /login?break_glass=1.
	OIDC     *oidc.Client
	OIDCOnly bool
	// Metrics are the server's Prometheus metrics (NewMetrics when nil).
	// /metrics answers MetricsAllow (DefaultMetricsAllow, loopback, when
	// empty) and callers sending Authorization: Bearer MetricsToken.
	Metrics      *Metrics
	MetricsAllow []netip.Prefix
	MetricsToken string
}

// Session keys.
const (
	sessionUserID   = "user_id"
	sessionLastSeen = "last_seen" // unix seconds; refreshed at most once a minute
	sessionEpoch    = "epoch"     // the user's session epoch at sign-in (model.User.SessionEpoch)
	sessionCSRF     = "csrf"      // the session's CSRF token, new at every sign-in
)

// Context keys for the signed-in user.
const (
	ctxUser    = "user"
	ctxToken   = "token"
	ctxSession = "session" // true when the user was signed in by the session cookie
)

func (s *Server) newSessions() (*scs.SessionManager, error) {
	st, err := s.store.SessionStore()
	if err != nil {
		return nil, err
	}
	sm := scs.New()
	sm.Store = st
	sm.Lifetime = s.opts.SessionLifetime // absolute
	// The idle timeout is enforced by authenticate, not scs: scs would write
	// the session row on every request to extend it.
	sm.HashTokenInStore = true
	sm.Cookie.Name = "debrief_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = s.opts.SecureCookies
	sm.Cookie.Path = "/"
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.log.Error("session store", "error", err)
		if errors.Is(s.store.StorageFailure(err), model.ErrStorageUnavailable) {
			http.Error(w, model.ErrStorageUnavailable.Error(), http.StatusServiceUnavailable)
			return
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
	return sm, nil
}

// currentUser is the signed-in user of the request, or nil.
func currentUser(c echo.Context) *model.User {
	u, _ := c.Get(ctxUser).(*model.User)
	return u
}

// sessionMiddleware loads and saves the scs session for browser routes.
func (s *Server) sessionMiddleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skipsBrowserAuth(c) {
				return next(c)
			}
			var herr error
			h := s.sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c.SetRequest(r)
				c.Response().Writer = w
				herr = next(c)
				if herr != nil {
					// Write the error inside LoadAndSave so the session is
					// still saved before the response is committed.
					c.Error(herr)
				}
			}))
			h.ServeHTTP(c.Response().Writer, c.Request())
			return nil
		}
	}
}

// skipsBrowserAuth lists what runs without a session: the API (tokens),
// static files and the health check.
func skipsBrowserAuth(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, "/api/") || p == "/api" || strings.HasPrefix(p, "/static/") || p == "/healthz" || p == "/favicon.ico" ||
		p == "/metrics" || // its own check: an address or a token (metrics.go)
		strings.HasPrefix(p, "/integrations/") // signed or token-carrying requests from chat tools: no session, no CSRF
}

// authenticate finds who is asking: a trusted proxy's header, a session,
// or (on the API) a bearer token. It never refuses; require does.
func (s *Server) authenticate() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			var (
				u   *model.User
				tok *model.APIToken
				err error
			)
			switch {
			case strings.HasPrefix(c.Request().URL.Path, "/integrations/"):
				// Signed or token-carrying requests from chat tools and CI:
				// each handler checks its own credential (a CI token is not
				// an API token).
			case isFeed(c):
				// Feed readers: a feed key in the URL, a token, or a session.
				u, tok, err = s.feedUser(c)
			case isAPI(c), isEventStream(c) && c.Request().Header.Get(echo.HeaderAuthorization) != "":
				// Scripts follow an incident's events with a token too.
				u, tok, err = s.tokenUser(c)
			case skipsBrowserAuth(c):
				// No session is loaded here (static files, /favicon.ico, /api):
				// reading one would panic.
			default:
				u, err = s.browserUser(c)
			}
			if err != nil {
				return err
			}
			if u != nil {
				c.Set(ctxUser, u)
				actor := model.Actor{UserID: u.ID, Label: u.Email}
				if tok != nil {
					c.Set(ctxToken, tok)
					actor.TokenID = tok.ID
					actor.Label = fmt.Sprintf("%s via token %q", u.Email, tok.Name)
				}
				c.SetRequest(c.Request().WithContext(model.WithActor(c.Request().Context(), actor)))
			}
			return next(c)
		}
	}
}

// errAuth is a refused credential on the API (401).
type errAuth struct{ msg string }

func (e errAuth) Error() string { return e.msg }

// tokenUser resolves Authorization: Bearer on the API. No header is
// anonymous (require answers 401); a bad one is 401 at once.
func (s *Server) tokenUser(c echo.Context) (*model.User, *model.APIToken, error) {
	q := c.Request().URL.Query()
	for _, k := range []string{"access_token", "token", "api_key", "apikey"} {
		if q.Has(k) {
			return nil, nil, errAuth{"tokens are refused in the URL, where logs and browser history keep them; send Authorization: Bearer TOKEN"}
		}
	}
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if h == "" {
		return nil, nil, nil
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, nil, errAuth{"use Authorization: Bearer TOKEN"}
	}
	secret = strings.TrimSpace(secret)
	if auth.CheckTokenShape(secret) != nil {
		return nil, nil, errAuth{"invalid or revoked token"}
	}
	hash := auth.HashToken(secret)
	tok, err := s.store.TokenByHash(c.Request().Context(), hash)
	if errors.Is(err, model.ErrNotFound) || (err == nil && !auth.Equal(tok.Hash, hash)) {
		return nil, nil, errAuth{"invalid or revoked token"}
	}
	if err != nil {
		return nil, nil, err
	}
	if err := s.store.TouchToken(c.Request().Context(), tok); err != nil {
		s.log.Warn("record token use", "token_id", tok.ID, "error", err)
	}
	return tok.User, tok, nil
}

// browserUser resolves the proxy header (from trusted addresses only) or
// the session, enforcing the idle timeout and disabled accounts.
func (s *Server) browserUser(c echo.Context) (*model.User, error) {
	ctx := c.Request().Context()
	if s.opts.AuthProxyHeader != "" {
		if email := c.Request().Header.Get(s.opts.AuthProxyHeader); email != "" && s.trustedProxy(c.Request()) {
			return s.proxyUser(ctx, email)
		}
	}
	id := s.sessions.GetInt64(ctx, sessionUserID)
	if id == 0 {
		return nil, nil
	}
	now := s.now()
	last := time.Unix(s.sessions.GetInt64(ctx, sessionLastSeen), 0)
	if now.Sub(last) > s.opts.SessionIdle {
		return nil, s.sessions.Destroy(ctx)
	}
	u, err := s.store.User(ctx, id)
	if errors.Is(err, model.ErrNotFound) || (err == nil && u.Disabled) {
		return nil, s.sessions.Destroy(ctx) // disabling a user ends their sessions
	}
	if err != nil {
		return nil, err
	}
	// A password change or reset, or disabling, raised the epoch: every
	// session signed in before it has ended (enabling revives none).
	epoch := s.sessions.GetInt(ctx, sessionEpoch)
	if epoch == 0 {
		epoch = 1 // signed in before epochs existed
	}
	if epoch != u.SessionEpoch {
		return nil, s.sessions.Destroy(ctx)
	}
	if now.Sub(last) > time.Minute {
		s.sessions.Put(ctx, sessionLastSeen, now.Unix())
	}
	c.Set(ctxSession, true)
	return u, nil
}

func (s *Server) trustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// proxyUser finds the account for an email a trusted proxy vouched for,
// creating it as a viewer on first sight.
func (s *Server) proxyUser(ctx context.Context, raw string) (*model.User, error) {
	email, err := model.NormalizeEmail(raw)
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusForbidden, "the sign-in proxy sent an invalid email")
	}
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, model.ErrNotFound) {
		name := []rune(email[:strings.IndexByte(email, '@')])
		if len(name) > model.MaxNameLen {
			name = name[:model.MaxNameLen]
		}
		u = &model.User{Email: email, Name: string(name), Role: model.RoleViewer}
		err = s.store.CreateUser(model.WithActor(ctx, model.Actor{Label: "sign-in proxy"}), u)
		var ve *model.ValidationError
		if errors.As(err, &ve) && ve.Fields["email"] != "" && len(ve.Fields) == 1 {
			u, err = s.store.UserByEmail(ctx, email) // created meanwhile by a parallel request
		}
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, echo.NewHTTPError(http.StatusForbidden, "this account is disabled")
	}
	return u, nil
}

// signInFirst answers an anonymous request for something that needs an
// account.
func signInFirst(c echo.Context) error {
	if isAPI(c) || isEventStream(c) || isFeed(c) {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="debrief"`)
		return errAuth{"authentication required: send Authorization: Bearer TOKEN"}
	}
	login := "/login?next=" + url.QueryEscape(c.Request().URL.RequestURI())
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", login)
		return c.NoContent(http.StatusUnauthorized)
	}
	if c.Request().Method != http.MethodGet {
		return echo.NewHTTPError(http.StatusUnauthorized, "sign in first")
	}
	return c.Redirect(http.StatusSeeOther, login)
}

// require refuses requests below role: anonymous browser requests go to
// the login page (htmx gets HX-Redirect), anonymous API requests get 401,
// signed-in users without the role get 403.
func (s *Server) require(role model.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				return signInFirst(c)
			}
			if !u.Role.Allows(role) {
				return echo.NewHTTPError(http.StatusForbidden, fmt.Sprintf("this needs the %s role; you are %s", role, u.Role))
			}
			return next(c)
		}
	}
}
