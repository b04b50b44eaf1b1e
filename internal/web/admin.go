package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/auth"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

type usersPage struct {
	Users  []model.User
	Form   struct{ Email, Name, Role string }
	Errors map[string]string
	Notice string
}

func (s *Server) usersPageData(c echo.Context) (*usersPage, error) {
	us, err := s.store.Users(c.Request().Context())
	if err != nil {
		return nil, err
	}
	p := &usersPage{Users: us}
	p.Form.Role = string(model.RoleEditor)
	return p, nil
}

func (s *Server) userList(c echo.Context) error {
	p, err := s.usersPageData(c)
	if err != nil {
		return err
	}
	p.Notice = c.QueryParam("notice")
	return c.Render(http.StatusOK, "users", s.pageData(c, p))
}

// userCreate adds an account with a first password the admin hands over.
func (s *Server) userCreate(c echo.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	u := &model.User{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: model.Role(c.FormValue("role"))}
	password := c.FormValue("password")
	v := model.NewValidationError()
	v.Merge(u.Validate())
	v.Merge(model.CheckPassword(password, u.Email, u.Name))
	err := v.Err()
	if err == nil {
		if u.PasswordHash, err = s.opts.Hasher.Hash(password); err != nil {
			return err
		}
		err = s.store.CreateUser(c.Request().Context(), u)
	}
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		p, perr := s.usersPageData(c)
		if perr != nil {
			return perr
		}
		p.Form.Email, p.Form.Name, p.Form.Role = c.FormValue("email"), c.FormValue("name"), c.FormValue("role")
		p.Errors = ve.Fields
		return c.Render(http.StatusUnprocessableEntity, "users", s.pageData(c, p))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?notice="+url.QueryEscape("Created "+u.Email))
}

// userUpdate changes one user's role, name, disabled flag or password.
func (s *Server) userUpdate(c echo.Context) error {
	id, err := pathID(c, "userID")
	if err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	p := store.UserPatch{Version: version}
	if r := c.FormValue("role"); r != "" {
		role := model.Role(r)
		p.Role = &role
	}
	if n := c.FormValue("name"); n != "" {
		p.Name = &n
	}
	switch c.FormValue("disabled") {
	case "true":
		t := true
		p.Disabled = &t
	case "false":
		f := false
		p.Disabled = &f
	}
	if pw := c.FormValue("password"); pw != "" {
		cur, err := s.store.User(c.Request().Context(), id)
		if err != nil {
			return err
		}
		if err := model.CheckPassword(pw, cur.Email, cur.Name); err != nil {
			return err
		}
		hash, err := s.opts.Hasher.Hash(pw)
		if err != nil {
			return err
		}
		// A reset ends every session of the user and revokes their tokens:
		// whoever knew the old password may hold either.
		p.PasswordHash, p.RevokeTokens = &hash, true
	}
	u, err := s.store.UpdateUser(c.Request().Context(), id, p)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?notice="+url.QueryEscape("Saved "+u.Email))
}

type tokensPage struct {
	Notice   string
	Tokens   []model.APIToken
	NewToken string // shown once, right after creation
	All      bool   // the admin view of everyone's tokens
	Errors   map[string]string
	Name     string

	// The settings page's feed keys (feeds.go).
	FeedKeys    []model.FeedKey
	NewFeedKey  string // shown once, in the feed URLs, right after creation
	FeedBase    string // Debrief's address, for the feed URLs
	FeedErrors  map[string]string
	FeedKeyName string
}

func (s *Server) settings(c echo.Context) error {
	p := tokensPage{Notice: c.QueryParam("notice")}
	if err := s.settingsLists(c, &p); err != nil {
		return err
	}
	return c.Render(http.StatusOK, "settings", s.pageData(c, p))
}

// settingsLists fills the settings page's lists: the user's API tokens and
// feed keys.
func (s *Server) settingsLists(c echo.Context, p *tokensPage) error {
	ctx, u := c.Request().Context(), currentUser(c)
	var err error
	if p.Tokens, err = s.store.Tokens(ctx, u.ID); err != nil {
		return err
	}
	if p.FeedKeys, err = s.store.FeedKeys(ctx, u.ID); err != nil {
		return err
	}
	p.FeedBase = strings.TrimRight(s.baseURL(c), "/")
	return nil
}

// passwordChange is POST /settings/password: a signed-in user changes
// their own password (current_password, new_password). Their other
// sessions end; this one carries on under the new password.
func (s *Server) passwordChange(c echo.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u := currentUser(c)
	if u.ID == 0 {
		return echo.NewHTTPError(http.StatusForbidden, "this account's password is managed by the sign-in proxy")
	}
	current, next := c.FormValue("current_password"), c.FormValue("new_password")
	v := model.NewValidationError()
	if !s.opts.Hasher.Check(u.PasswordHash, current) {
		v.Add("current_password", "is not your current password")
	}
	v.Merge(model.CheckPasswordField("new_password", next, u.Email, u.Name))
	if next != "" && next == current {
		v.Add("new_password", "is the same as the current password")
	}
	if err := v.Err(); err != nil {
		p := tokensPage{Errors: v.Fields}
		if err := s.settingsLists(c, &p); err != nil {
			return err
		}
		return c.Render(http.StatusUnprocessableEntity, "settings", s.pageData(c, p))
	}
	hash, err := s.opts.Hasher.Hash(next)
	if err != nil {
		return err
	}
	changed, err := s.store.ChangePassword(ctx, u.ID, hash)
	if err != nil {
		return err
	}
	// This session continues under a new id and the new epoch.
	if err := s.signIn(c, changed); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings?notice="+url.QueryEscape("Password changed. Your other sessions have ended; your API tokens still work."))
}

// tokenCreate makes an API token for the signed-in user, carrying their
// role. The secret is shown once; only its hash is kept.
func (s *Server) tokenCreate(c echo.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	u := currentUser(c)
	secret, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	t := &model.APIToken{UserID: u.ID, Name: c.FormValue("name"), Hash: hash, Prefix: secret[:len(auth.TokenPrefix)+6]}
	switch days := c.FormValue("expires_days"); days {
	case "", "never":
	default:
		n, perr := strconv.Atoi(days)
		if perr != nil || n < 1 || n > 3650 {
			return model.FieldError("expires_days", "must be never or a number of days from 1 to 3650")
		}
		at := s.now().Add(time.Duration(n) * 24 * time.Hour)
		t.ExpiresAt = &at
	}
	err = s.store.CreateToken(c.Request().Context(), t)
	p := tokensPage{Name: c.FormValue("name")}
	var ve *model.ValidationError
	status := http.StatusCreated
	switch {
	case errors.As(err, &ve):
		p.Errors, status = ve.Fields, http.StatusUnprocessableEntity
	case err != nil:
		return err
	default:
		p.NewToken, p.Name = secret, ""
	}
	if err := s.settingsLists(c, &p); err != nil {
		return err
	}
	// Rendered, not redirected: the secret must not travel in a URL.
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Render(status, "settings", s.pageData(c, p))
}

func (s *Server) tokenRevoke(c echo.Context) error {
	id, err := pathID(c, "tokenID")
	if err != nil {
		return err
	}
	if err := s.store.RevokeToken(c.Request().Context(), id, currentUser(c).ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings")
}

func (s *Server) tokenListAll(c echo.Context) error {
	ts, err := s.store.Tokens(c.Request().Context(), 0)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "tokens", s.pageData(c, tokensPage{Tokens: ts, All: true}))
}

func (s *Server) tokenRevokeAny(c echo.Context) error {
	id, err := pathID(c, "tokenID")
	if err != nil {
		return err
	}
	if err := s.store.RevokeToken(c.Request().Context(), id, 0); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/tokens")
}

type auditPage struct {
	Entries  []model.AuditEntry
	Total    int64
	Incident *model.Incident
	Page     int
	NextURL  string
	PrevURL  string
}

const auditPageSize = 100

func (s *Server) auditPageData(c echo.Context, incidentID int64, base string) (*auditPage, error) {
	page := 1
	if p := c.QueryParam("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			return nil, model.FieldError("page", "must be a whole number of 1 or more")
		}
		page = n
	}
	entries, total, err := s.store.AuditLog(c.Request().Context(), store.AuditFilter{
		IncidentID: incidentID, Limit: auditPageSize, Offset: (page - 1) * auditPageSize,
	})
	if err != nil {
		return nil, err
	}
	p := &auditPage{Entries: entries, Total: total, Page: page}
	if page > 1 {
		p.PrevURL = fmt.Sprintf("%s?page=%d", base, page-1)
	}
	if int64(page*auditPageSize) < total {
		p.NextURL = fmt.Sprintf("%s?page=%d", base, page+1)
	}
	return p, nil
}

func (s *Server) auditList(c echo.Context) error {
	p, err := s.auditPageData(c, 0, "/admin/audit")
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "audit", s.pageData(c, p))
}

// incidentHistory is the audit log of one incident, for every reader.
func (s *Server) incidentHistory(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	inc, err := s.store.Incident(c.Request().Context(), id)
	if err != nil {
		return err
	}
	p, err := s.auditPageData(c, id, fmt.Sprintf("/incidents/%d/history", id))
	if err != nil {
		return err
	}
	p.Incident = inc
	return c.Render(http.StatusOK, "audit", s.pageData(c, p))
}

type auditJSON struct {
	ID         int64           `json:"id"`
	At         string          `json:"at"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	Entity     string          `json:"entity"`
	EntityID   int64           `json:"entity_id"`
	IncidentID *int64          `json:"incident_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
}

func (s *Server) apiIncidentHistory(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.store.Incident(c.Request().Context(), id); err != nil {
		return err
	}
	limit, offset, err := pagination(c)
	if err != nil {
		return err
	}
	entries, total, err := s.store.AuditLog(c.Request().Context(), store.AuditFilter{IncidentID: id, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	out := make([]auditJSON, len(entries))
	for i, e := range entries {
		out[i] = auditJSON{ID: e.ID, At: model.FormatAPI(e.At), Actor: e.Actor, Action: e.Action, Entity: e.Entity,
			EntityID: e.EntityID, IncidentID: e.IncidentID, Before: rawJSON(e.Before), After: rawJSON(e.After)}
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": out, "total": total, "limit": limit, "offset": offset})
}

// rawJSON embeds a stored snapshot as JSON (null when there is none).
func rawJSON(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return nil
	}
	return json.RawMessage(s)
}
