package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/auth"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/oidc"
)

// Session keys of a single sign-on in progress: set by oidcLogin, taken
// (and so usable once) by oidcCallback.
const (
	sessionOIDCState    = "oidc_state"
	sessionOIDCNonce    = "oidc_nonce"
	sessionOIDCVerifier = "oidc_verifier"
	sessionOIDCNext     = "oidc_next"
	sessionOIDCStarted  = "oidc_started"
)

// oidcFlowTTL is how long a sign-in may take at the provider.
const oidcFlowTTL = 10 * time.Minute

// Messages of a refused single sign-on. The reason is logged, not shown.
const (
	oidcUnavailable = "Single sign-on is unavailable right now: the identity provider did not answer. Try again in a moment."
	oidcFailed      = "Single sign-on failed. Try again."
	oidcNotAllowed  = "Your identity provider signed you in, but this account may not use Debrief (disabled, unverified email, or a domain that is not allowed)."
	oidcExpired     = "This sign-in expired or was started in another window. Try again."
	oidcDeclined    = "The identity provider did not sign you in."
)

// ssoButton is the "Sign in with …" button of the login page.
type ssoButton struct {
	Name        string // the provider's host
	Unavailable bool   // the last discovery failed
}

// loginOptions fills what the login page shows besides the password form:
// the single sign-on button, and the password form itself unless
// --oidc-only hides it (?break_glass=1 shows it to admins' accounts, the
// only ones it then signs in).
func (s *Server) loginOptions(c echo.Context, p *loginPage) {
	p.PasswordForm = !s.opts.OIDCOnly || c.QueryParam("break_glass") != "" || c.Request().Method == http.MethodPost
	if s.opts.OIDC == nil {
		return
	}
	p.SSO = &ssoButton{Name: s.opts.OIDC.Name(), Unavailable: s.opts.OIDC.Unavailable()}
}

func (s *Server) oidcCallbackURL(c echo.Context) string {
	return s.baseURL(c) + "/auth/oidc/callback"
}

// oidcLogin sends the browser to the provider, keeping state, nonce and
// the PKCE verifier in the session.
func (s *Server) oidcLogin(c echo.Context) error {
	if s.opts.OIDC == nil {
		return echo.ErrNotFound
	}
	next := safeNext(c.QueryParam("next"))
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	ctx := c.Request().Context()
	f := oidc.NewFlow()
	target, err := s.opts.OIDC.AuthURL(ctx, f, s.oidcCallbackURL(c))
	if err != nil {
		s.log.Warn("oidc: discovery failed", "request_id", requestIDOf(c), "error", err)
		return s.oidcRefuse(c, http.StatusServiceUnavailable, oidcUnavailable, next)
	}
	s.sessions.Put(ctx, sessionOIDCState, f.State)
	s.sessions.Put(ctx, sessionOIDCNonce, f.Nonce)
	s.sessions.Put(ctx, sessionOIDCVerifier, f.Verifier)
	s.sessions.Put(ctx, sessionOIDCNext, next)
	s.sessions.Put(ctx, sessionOIDCStarted, s.now().Unix())
	return c.Redirect(http.StatusFound, target)
}

// oidcCallback is where the provider sends the browser back: the state is
// checked and spent, the code exchanged, the ID token verified, and the
// account found or created and signed in.
func (s *Server) oidcCallback(c echo.Context) error {
	if s.opts.OIDC == nil {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	// Taken before anything else, so a replayed callback finds nothing.
	f := oidc.Flow{
		State:    s.sessions.PopString(ctx, sessionOIDCState),
		Nonce:    s.sessions.PopString(ctx, sessionOIDCNonce),
		Verifier: s.sessions.PopString(ctx, sessionOIDCVerifier),
	}
	next := safeNext(s.sessions.PopString(ctx, sessionOIDCNext))
	started, _ := s.sessions.Pop(ctx, sessionOIDCStarted).(int64)
	q := c.QueryParams()
	rid := requestIDOf(c)
	if f.State == "" || !auth.Equal([]byte(q.Get("state")), []byte(f.State)) || s.now().Sub(time.Unix(started, 0)) > oidcFlowTTL {
		s.log.Warn("oidc: callback without a matching sign-in", "request_id", rid)
		return s.oidcRefuse(c, http.StatusBadRequest, oidcExpired, next)
	}
	if e := q.Get("error"); e != "" {
		s.log.Warn("oidc: provider refused", "request_id", rid, "error", e, "description", q.Get("error_description"))
		return s.oidcRefuse(c, http.StatusUnauthorized, oidcDeclined, next)
	}
	id, err := s.opts.OIDC.Exchange(ctx, f, q.Get("code"), s.oidcCallbackURL(c))
	if err == nil {
		var u *model.User
		u, err = oidc.SignIn(ctx, s.store, id)
		if kept, ok := errors.AsType[*oidc.RoleKeptError](err); ok {
			s.log.Warn("oidc: role not changed", "request_id", rid, "error", kept)
			u, err = kept.User, nil
		}
		if err == nil {
			if err := s.signIn(c, u); err != nil {
				return err
			}
			s.log.Info("oidc: signed in", "request_id", rid, "user_id", u.ID, "subject", id.Subject, "role", u.Role)
			return c.Redirect(http.StatusSeeOther, next)
		}
	}
	s.log.Warn("oidc: sign-in refused", "request_id", rid, "error", err)
	switch {
	case errors.Is(err, oidc.ErrUnavailable):
		return s.oidcRefuse(c, http.StatusServiceUnavailable, oidcUnavailable, next)
	case errors.Is(err, oidc.ErrNotAllowed):
		return s.oidcRefuse(c, http.StatusForbidden, oidcNotAllowed, next)
	case errors.Is(err, oidc.ErrRefused):
		return s.oidcRefuse(c, http.StatusUnauthorized, oidcFailed, next)
	}
	return err
}

// oidcRefuse shows the login page with msg.
func (s *Server) oidcRefuse(c echo.Context, status int, msg, next string) error {
	p := loginPage{Error: msg}
	if next != "/incidents" {
		p.Next = next
	}
	s.loginOptions(c, &p)
	return c.Render(status, "login", s.pageData(c, p))
}
