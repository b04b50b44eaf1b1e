package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/auth"
	"github.com/debrief-dev/debrief/internal/model"
)

// loginFailed is the one message for a wrong email, a wrong password and a
// disabled account, so the form does not reveal which accounts exist.
const loginFailed = "Wrong email or password."

type loginPage struct {
	Email   string
	Next    string
	Error   string
	NoUsers bool
	Notice  string

	SSO          *ssoButton // nil without single sign-on
	PasswordForm bool       // false with --oidc-only
}

// safeNext keeps post-login redirects on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/incidents"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/incidents"
	}
	return next
}

func (s *Server) loginForm(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	n, err := s.store.UserCount(c.Request().Context())
	if err != nil {
		return err
	}
	p := loginPage{Next: c.QueryParam("next"), NoUsers: n == 0}
	s.loginOptions(c, &p)
	if c.QueryParam("signed_out") != "" {
		p.Notice = "You are signed out."
	}
	return c.Render(http.StatusOK, "login", s.pageData(c, p))
}

func (s *Server) login(c echo.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := loginPage{Email: c.FormValue("email"), Next: c.FormValue("next")}
	s.loginOptions(c, &p)
	email := strings.ToLower(strings.TrimSpace(p.Email))
	password := c.FormValue("password")
	ip := c.RealIP()
	if !s.logins.Allow("ip:"+ip, "ip-account:"+ip+"|"+email) {
		p.Error = "Too many sign-in attempts. Wait a minute and try again."
		return c.Render(http.StatusTooManyRequests, "login", s.pageData(c, p))
	}
	// Failures on this account from anywhere slow every attempt on it down,
	// but never refuse one: the owner's right password still signs in.
	if d := loginDelay(s.failures.Count("account:" + email)); d > 0 {
		s.pause(ctx, d)
	}
	u, err := s.store.UserByEmail(ctx, email)
	switch {
	case errors.Is(err, model.ErrNotFound):
		s.opts.Hasher.Waste(password) // same time as a wrong password
	case err != nil:
		return err
	}
	// The hash is checked before the disabled flag so both refusals take as long.
	// With --oidc-only, passwords are for break-glass admins alone.
	if u == nil || !s.opts.Hasher.Check(u.PasswordHash, password) || u.Disabled || (s.opts.OIDCOnly && u.Role != model.RoleAdmin) {
		s.failures.Add("account:" + email)
		p.Error = loginFailed
		return c.Render(http.StatusUnauthorized, "login", s.pageData(c, p))
	}
	if err := s.signIn(c, u); err != nil {
		return err
	}
	s.logins.Reset("ip-account:" + ip + "|" + email)
	s.failures.Reset("account:" + email)
	return c.Redirect(http.StatusSeeOther, safeNext(p.Next))
}

// signIn starts a session for u with a fresh session id (no fixation) and
// a fresh CSRF token: nothing seen before sign-in works after it.
func (s *Server) signIn(c echo.Context, u *model.User) error {
	ctx := c.Request().Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	if err := s.newSessionCSRF(c); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessionUserID, u.ID)
	s.sessions.Put(ctx, sessionLastSeen, s.now().Unix())
	s.sessions.Put(ctx, sessionEpoch, u.SessionEpoch)
	if err := s.store.RecordLogin(ctx, u.ID); err != nil {
		s.log.Warn("record login", "user_id", u.ID, "error", err)
	}
	s.log.Info("signed in", "request_id", requestIDOf(c), "user_id", u.ID)
	return nil
}

func (s *Server) logout(c echo.Context) error {
	if err := s.sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login?signed_out=1")
}

type setupPage struct {
	Token  string
	Email  string
	Name   string
	Errors map[string]string
}

// setupAllowed reports whether token opens the first-admin form: only
// while no account exists, and only with the token the server logged.
func (s *Server) setupAllowed(c echo.Context) error {
	token := c.Param("token")
	if s.opts.SetupToken == "" || !auth.Equal([]byte(token), []byte(s.opts.SetupToken)) {
		return model.ErrNotFound
	}
	n, err := s.store.UserCount(c.Request().Context())
	if err != nil {
		return err
	}
	if n > 0 {
		return model.ErrNotFound // the link stops working once an account exists
	}
	return nil
}

func (s *Server) setupForm(c echo.Context) error {
	if err := s.setupAllowed(c); err != nil {
		return err
	}
	return c.Render(http.StatusOK, "setup", s.pageData(c, setupPage{Token: c.Param("token")}))
}

func (s *Server) setup(c echo.Context) error {
	if err := s.setupAllowed(c); err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	p := setupPage{Token: c.Param("token"), Email: c.FormValue("email"), Name: c.FormValue("name")}
	password := c.FormValue("password")
	u := &model.User{Email: p.Email, Name: p.Name, Role: model.RoleAdmin}
	err := model.CheckPassword(password, p.Email, p.Name)
	if err == nil && password != c.FormValue("password_confirm") {
		err = model.FieldError("password_confirm", "does not match the password")
	}
	if err == nil {
		if u.PasswordHash, err = s.opts.Hasher.Hash(password); err != nil {
			return err
		}
		err = s.store.CreateFirstAdmin(c.Request().Context(), u)
	}
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		if verr := u.Validate(); verr != nil { // show every field's problem at once
			ve.Merge(verr)
		}
		p.Errors = ve.Fields
		return c.Render(http.StatusUnprocessableEntity, "setup", s.pageData(c, p))
	}
	if err != nil {
		return err
	}
	s.log.Info("first admin created; the setup link no longer works", "user_id", u.ID)
	if err := s.signIn(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/incidents")
}
