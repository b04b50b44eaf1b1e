package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/auth"
)

// CSRF protection for browser requests comes in two layers:
//
//  1. Fetch metadata: a state-changing request that the browser marks
//     Sec-Fetch-Site cross-site, or same-site (a sibling subdomain, which
//     could also plant cookies), is refused outright.
//  2. A synchronizer token: a request of a signed-in session must carry the
//     token stored with that session, in the _csrf form field or the
//     X-CSRF-Token header (which htmx sends from <body hx-headers>). Every
//     sign-in (password, OIDC, setup link, password change) stores a new
//     one, so a token read or planted before sign-in is useless after it.
//
// Anonymous forms (sign-in, setup) and sign-in-proxy users have no session
// row to keep a token in: theirs is a double-submit cookie, debrief_csrf.
// The API (bearer tokens, no cookies: its routes load no session) and the
// chat integrations (signed requests) need neither.
const (
	csrfCookie = "debrief_csrf"
	csrfHeader = "X-CSRF-Token"
	csrfField  = "_csrf"
	ctxCSRF    = "csrf" // the token pages put into their forms
)

func errCSRFCrossSite() error {
	return echo.NewHTTPError(http.StatusForbidden, "cross-origin request refused (CSRF check failed)")
}

func errCSRFStale() error {
	return echo.NewHTTPError(http.StatusForbidden, "this form is stale or did not come from Debrief (CSRF check failed); reload the page and try again")
}

// csrf runs after authenticate: whether the session signed the user in
// decides which token the request must carry.
func (s *Server) csrf() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skipsBrowserAuth(c) {
				return next(c)
			}
			c.Response().Header().Add(echo.HeaderVary, echo.HeaderCookie)
			safe := safeMethod(c.Request().Method)
			if !safe {
				switch c.Request().Header.Get("Sec-Fetch-Site") {
				case "", "same-origin", "none": // no fetch metadata (older browsers), or our own page
				default:
					return errCSRFCrossSite()
				}
			}
			var err error
			if signedInBySession(c) {
				err = s.sessionCSRF(c, safe)
			} else {
				err = s.cookieCSRF(c, safe)
			}
			if err != nil {
				return err
			}
			return next(c)
		}
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

func signedInBySession(c echo.Context) bool {
	by, _ := c.Get(ctxSession).(bool)
	return by
}

// sessionCSRF checks a signed-in session's request against the token kept
// with the session.
func (s *Server) sessionCSRF(c echo.Context, safe bool) error {
	ctx := c.Request().Context()
	want := s.sessions.GetString(ctx, sessionCSRF)
	if !safe {
		c.Set(ctxCSRF, want) // the error page's sign-out form works
		ok, err := csrfSent(c, want)
		if err != nil {
			return err
		}
		if !ok {
			return errCSRFStale()
		}
	}
	if want == "" { // a session signed in before tokens were kept with sessions
		var err error
		if want, err = auth.RandomString(32); err != nil {
			return err
		}
		s.sessions.Put(ctx, sessionCSRF, want)
	}
	c.Set(ctxCSRF, want)
	return nil
}

// cookieCSRF checks an anonymous (or sign-in proxy) request: the token sent
// must equal the debrief_csrf cookie's.
func (s *Server) cookieCSRF(c echo.Context, safe bool) error {
	var want string
	if k, err := c.Cookie(csrfCookie); err == nil && csrfShape(k.Value) {
		want = k.Value
	}
	if !safe {
		ok, err := csrfSent(c, want)
		if err != nil {
			return err
		}
		if !ok {
			if currentUser(c) == nil && isHTMX(c) {
				// A page whose session has ended: nothing is done for an
				// anonymous htmx request, so it is sent to sign in again.
				return signInFirst(c)
			}
			return errCSRFStale()
		}
	}
	if want == "" {
		var err error
		if want, err = auth.RandomString(32); err != nil {
			return err
		}
		c.SetCookie(s.csrfCookie(want, 0))
	}
	c.Set(ctxCSRF, want)
	return nil
}

// csrfCookie is the pre-session token's cookie; a negative maxAge deletes
// it. It lasts as long as the browser session.
func (s *Server) csrfCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: csrfCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode}
}

// csrfShape accepts only values a token could have (ours are 43
// characters of URL-safe base64); anything else is replaced.
func csrfShape(v string) bool {
	return len(v) >= 20 && len(v) <= 100 && !strings.ContainsFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	})
}

// csrfSent reports whether the request carries want in the X-CSRF-Token
// header or in the _csrf field of its body (never the URL, which logs and
// Referer headers keep), compared in constant time.
func csrfSent(c echo.Context, want string) (bool, error) {
	if want == "" {
		return false, nil
	}
	if h := c.Request().Header.Get(csrfHeader); h != "" && auth.Equal([]byte(h), []byte(want)) {
		return true, nil
	}
	if err := parseBody(c); err != nil {
		return false, err
	}
	return auth.Equal([]byte(c.Request().PostForm.Get(csrfField)), []byte(want)), nil
}

// newSessionCSRF gives the session just signed in a new token (rotation at
// sign-in) and drops the pre-session cookie, which it no longer needs.
func (s *Server) newSessionCSRF(c echo.Context) error {
	tok, err := auth.RandomString(32)
	if err != nil {
		return err
	}
	s.sessions.Put(c.Request().Context(), sessionCSRF, tok)
	c.Set(ctxCSRF, tok)
	if _, err := c.Cookie(csrfCookie); err == nil {
		c.SetCookie(s.csrfCookie("", -1))
	}
	return nil
}

func csrfToken(c echo.Context) string {
	t, _ := c.Get(ctxCSRF).(string)
	return t
}
