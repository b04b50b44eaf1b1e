package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/changes"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// Changes: deploys and other changes recorded by CI, scripts and people,
// the suspects before an incident's impact, and their links to incidents.

type changeJSON struct {
	ID          int64   `json:"id"`
	Service     string  `json:"service"`
	Kind        string  `json:"kind"`
	Category    string  `json:"category"`
	Environment string  `json:"environment"`
	Summary     string  `json:"summary"`
	Version     string  `json:"version"`
	Author      string  `json:"author"`
	URL         string  `json:"url"`
	Status      string  `json:"status"`
	Source      string  `json:"source"`
	ExternalID  *string `json:"external_id"`
	StartedAt   string  `json:"started_at"`
	FinishedAt  *string `json:"finished_at"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

func changeToJSON(c *model.Change) changeJSON {
	return changeJSON{
		ID: c.ID, Service: c.Service, Kind: string(c.Kind), Category: string(c.Category), Environment: c.Environment,
		Summary: c.Summary, Version: c.Version, Author: c.Author, URL: c.URL, Status: c.Status, Source: c.Source,
		ExternalID: c.ExternalID, StartedAt: model.FormatAPI(c.StartedAt), FinishedAt: apiTime(c.FinishedAt),
		CreatedAt: model.FormatAPI(c.CreatedAt), UpdatedAt: model.FormatAPI(c.UpdatedAt),
	}
}

// changeRequest is the body of POST /api/v1/changes and of the generic
// CI webhook.
type changeRequest struct {
	Service     string  `json:"service"`
	Kind        string  `json:"kind"`
	Category    string  `json:"category"`
	Environment string  `json:"environment"`
	Summary     string  `json:"summary"`
	Version     string  `json:"version"`
	Author      string  `json:"author"`
	URL         string  `json:"url"`
	Status      string  `json:"status"`
	ExternalID  *string `json:"external_id"`
	StartedAt   optTime `json:"started_at"`
	FinishedAt  optTime `json:"finished_at"`
}

// change builds the change a request describes; started_at defaults to
// now (a script recording a deploy as it starts).
func (r *changeRequest) change(now time.Time, source string) (*model.Change, error) {
	v := model.NewValidationError()
	c := &model.Change{
		Service: r.Service, Kind: model.ChangeKind(r.Kind), Category: model.ChangeCategory(r.Category),
		Environment: r.Environment, Summary: r.Summary, Version: r.Version, Author: r.Author, URL: r.URL,
		Status: r.Status, ExternalID: r.ExternalID, Source: source, StartedAt: now,
	}
	if r.StartedAt.Set {
		if t, ok := r.StartedAt.parse(v, "started_at", now); ok {
			if t == nil {
				v.Add("started_at", "must be a timestamp (leave it out for now)")
			} else {
				c.StartedAt = *t
			}
		}
	}
	if r.FinishedAt.Set {
		if t, ok := r.FinishedAt.parse(v, "finished_at", now); ok {
			c.FinishedAt = t
		}
	}
	if err := v.Err(); err != nil {
		v.Merge(c.Validate(now))
		return nil, v
	}
	return c, nil
}

// recordChange stores a change and answers 201 (new) or 200 (an
// external_id seen before: updated).
func (s *Server) recordChange(c echo.Context, ch *model.Change) error {
	created, err := s.store.RecordChange(c.Request().Context(), ch)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/changes/%d", ch.ID))
	}
	return c.JSON(status, changeToJSON(ch))
}

// apiChangeCreate is POST /api/v1/changes.
func (s *Server) apiChangeCreate(c echo.Context) error {
	var req changeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch, err := req.change(s.now(), "api")
	if err != nil {
		return err
	}
	return s.recordChange(c, ch)
}

// changeFilter reads the list's query: service, kind, from, to (RFC 3339
// with an offset), limit and offset.
func changeFilter(c echo.Context) (store.ChangeFilter, error) {
	v := model.NewValidationError()
	f := store.ChangeFilter{Service: strings.TrimSpace(c.QueryParam("service"))}
	if k := c.QueryParam("kind"); k != "" {
		f.Kind = model.ChangeKind(k)
		valid := false
		for _, known := range model.ChangeKinds {
			valid = valid || known == f.Kind
		}
		if !valid {
			v.Add("kind", "unknown kind; use one of deploy, config, feature_flag, infrastructure, database, other")
		}
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if q := c.QueryParam(p.name); q != "" {
			t, err := model.ParseTimestamp(q)
			if err != nil {
				v.Add(p.name, err.Error())
				continue
			}
			*p.dst = &t
		}
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		v.Add("to", "must be after from")
	}
	limit, offset, err := pagination(c)
	if err != nil {
		v.Merge(err)
	}
	f.Limit, f.Offset = limit, offset
	return f, v.Err()
}

// apiChangeList is GET /api/v1/changes: newest first, one page.
func (s *Server) apiChangeList(c echo.Context) error {
	f, err := changeFilter(c)
	if err != nil {
		return err
	}
	list, more, err := s.store.Changes(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]changeJSON, len(list))
	for i := range list {
		out[i] = changeToJSON(&list[i])
	}
	var next *int
	if more {
		n := f.Offset + len(list)
		next = &n
	}
	return c.JSON(http.StatusOK, map[string]any{"changes": out, "limit": f.Limit, "offset": f.Offset, "next_offset": next})
}

// apiChangeShow is GET /api/v1/changes/{id}.
func (s *Server) apiChangeShow(c echo.Context) error {
	id, err := pathID(c, "changeID")
	if err != nil {
		return err
	}
	ch, err := s.store.Change(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, changeToJSON(ch))
}

// parseWindow reads a look-back window: a Go duration ("24h", "90m") or
// whole days ("7d"), from a minute to model.MaxSuspectWindow.
func parseWindow(s string) (time.Duration, error) {
	if s == "" {
		return model.DefaultSuspectWindow, nil
	}
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
		if n > 1000 {
			d = model.MaxSuspectWindow + 1
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d < time.Minute || d > model.MaxSuspectWindow {
		return 0, model.FieldError("window", `must be a duration from 1m to 30d, such as "24h", "90m" or "7d"`)
	}
	return d, nil
}

type suspectJSON struct {
	changeJSON
	SameService   bool    `json:"same_service"`
	BeforeSeconds int64   `json:"before_impact_seconds"`
	Before        string  `json:"before_impact"`
	Linked        *string `json:"linked"` // "caused", "related" or null
}

// apiSuspectChanges is GET /api/v1/incidents/{id}/suspect-changes?window=24h.
func (s *Server) apiSuspectChanges(c echo.Context) error {
	inc, err := s.pathIncident(c)
	if err != nil {
		return err
	}
	window, err := parseWindow(c.QueryParam("window"))
	if err != nil {
		return err
	}
	list, err := s.store.SuspectChanges(c.Request().Context(), inc, window, 0)
	if err != nil {
		return err
	}
	out := make([]suspectJSON, len(list))
	for i := range list {
		out[i] = suspectToJSON(&list[i])
	}
	return c.JSON(http.StatusOK, map[string]any{
		"impact_started_at": model.FormatAPI(inc.ImpactStart()), "window_seconds": int64(window.Seconds()), "changes": out,
	})
}

func suspectToJSON(sc *model.SuspectChange) suspectJSON {
	out := suspectJSON{changeJSON: changeToJSON(&sc.Change), SameService: sc.SameService,
		BeforeSeconds: int64(sc.Before.Seconds()), Before: model.FormatDuration(sc.Before)}
	if sc.Relation != "" {
		r := string(sc.Relation)
		out.Linked = &r
	}
	return out
}

type changeLinkJSON struct {
	changeJSON
	Relation string `json:"relation"`
	FactorID *int64 `json:"factor_id"`
	LinkedAt string `json:"linked_at"`
	LinkedBy string `json:"linked_by"`
}

func linkToJSON(l *model.ChangeLink) changeLinkJSON {
	return changeLinkJSON{changeJSON: changeToJSON(&l.Change), Relation: string(l.Relation), FactorID: l.FactorID,
		LinkedAt: model.FormatAPI(l.LinkedAt), LinkedBy: l.LinkedBy}
}

// apiIncidentChanges is GET /api/v1/incidents/{id}/changes: the changes
// linked to the incident.
func (s *Server) apiIncidentChanges(c echo.Context) error {
	inc, err := s.pathIncident(c)
	if err != nil {
		return err
	}
	links, err := s.store.IncidentChanges(c.Request().Context(), inc.ID)
	if err != nil {
		return err
	}
	out := make([]changeLinkJSON, len(links))
	for i := range links {
		out[i] = linkToJSON(&links[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"changes": out})
}

type linkRequest struct {
	ChangeID optID  `json:"change_id"`
	Relation string `json:"relation"`
}

// apiChangeLink is POST /api/v1/incidents/{id}/changes {"change_id",
// "relation": "caused"|"related"}.
func (s *Server) apiChangeLink(c echo.Context) error {
	inc, err := s.pathIncident(c)
	if err != nil {
		return err
	}
	var req linkRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v := model.NewValidationError()
	id, _ := req.ChangeID.parse(v, "change_id")
	if id == nil {
		v.Add("change_id", "is required: the id of a recorded change")
	}
	v.Merge(model.ValidRelation(model.ChangeRelation(req.Relation)))
	if err := v.Err(); err != nil {
		return err
	}
	link, err := s.store.LinkChange(c.Request().Context(), inc.ID, *id, model.ChangeRelation(req.Relation))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, linkToJSON(link))
}

// apiChangeUnlink is DELETE /api/v1/incidents/{id}/changes/{changeID}.
func (s *Server) apiChangeUnlink(c echo.Context) error {
	if _, err := s.unlinkChange(c); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// unlinkChange removes the link the path names (:id, :changeID) and
// returns the incident's id.
func (s *Server) unlinkChange(c echo.Context) (int64, error) {
	inc, err := s.pathIncident(c)
	if err != nil {
		return 0, err
	}
	changeID, err := pathID(c, "changeID")
	if err != nil {
		return 0, err
	}
	return inc.ID, s.store.UnlinkChange(c.Request().Context(), inc.ID, changeID)
}

// changeLinkForm is POST /incidents/{id}/changes (the page's "Caused it"
// and "Related" buttons).
func (s *Server) changeLinkForm(c echo.Context) error {
	inc, err := s.pathIncident(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.FormValue("change_id"), 10, 64)
	if err != nil || id <= 0 || c.FormValue("change_id") != strconv.FormatInt(id, 10) {
		return model.FieldError("change_id", "must be the id of a recorded change")
	}
	if _, err := s.store.LinkChange(c.Request().Context(), inc.ID, id, model.ChangeRelation(c.FormValue("relation"))); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d#changes", inc.ID))
}

// changeUnlinkForm is POST /incidents/{id}/changes/{changeID}/unlink.
func (s *Server) changeUnlinkForm(c echo.Context) error {
	id, err := s.unlinkChange(c)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d#changes", id))
}

// rawBody reads a webhook's body, reporting an oversized one as 413.
func rawBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request().Body)
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return nil, echo.ErrStatusRequestEntityTooLarge
	}
	return body, err
}

// githubWebhook is POST /integrations/github: GitHub's deployment_status
// and push events, signed with the configured secret (404 without one).
func (s *Server) githubWebhook(c echo.Context) error {
	if s.opts.GitHubWebhookSecret == "" {
		return model.ErrNotFound
	}
	body, err := rawBody(c)
	if err != nil {
		return err
	}
	h := c.Request().Header
	if err := changes.VerifyGitHub(s.opts.GitHubWebhookSecret, h.Get("X-Hub-Signature-256"), body); err != nil {
		return errAuth{err.Error()}
	}
	event := h.Get("X-GitHub-Event")
	if event == "ping" {
		return c.JSON(http.StatusOK, map[string]any{"ok": true})
	}
	ch, err := changes.FromGitHub(event, body)
	var ig *changes.Ignored
	if errors.As(err, &ig) {
		return c.JSON(http.StatusAccepted, map[string]any{"ignored": ig.Reason})
	}
	if err != nil {
		return err
	}
	ctx := model.WithActor(c.Request().Context(), model.Actor{Label: "GitHub webhook"})
	c.SetRequest(c.Request().WithContext(ctx))
	return s.recordChange(c, ch)
}

// changesWebhook is POST /integrations/changes: the generic JSON of POST
// /api/v1/changes from CI, with Authorization: Bearer and either the
// configured changes token (it can record changes and nothing else) or an
// editor's API token.
func (s *Server) changesWebhook(c echo.Context) error {
	bearer, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	if !ok || bearer == "" {
		return errAuth{"send Authorization: Bearer with the changes token or an editor's API token"}
	}
	actor := model.Actor{Label: "CI (changes token)"}
	if s.opts.ChangesToken == "" || subtle.ConstantTimeCompare([]byte(bearer), []byte(s.opts.ChangesToken)) != 1 {
		u, tok, err := s.tokenUser(c)
		if err != nil {
			return err
		}
		if u == nil {
			return errAuth{"unknown token"}
		}
		if !u.Role.Allows(model.RoleEditor) {
			return echo.NewHTTPError(http.StatusForbidden, "recording changes needs an editor's token")
		}
		actor = model.Actor{UserID: u.ID, TokenID: tok.ID, Label: fmt.Sprintf("%s via token %q", u.Email, tok.Name)}
	}
	c.SetRequest(c.Request().WithContext(model.WithActor(c.Request().Context(), actor)))
	var req changeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch, err := req.change(s.now(), "webhook")
	if err != nil {
		return err
	}
	return s.recordChange(c, ch)
}
