package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// The analysis API: contributing factors, whys trees and action items of
// an incident, and action items across incidents. Same error shape and
// version rule as the rest of /api/v1.

type factorRequest struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
	Category    *string `json:"category"`
	IsTrigger   *bool   `json:"is_trigger"`
	Position    *int    `json:"position"`
	Version     *int    `json:"version"`
}

type whyRequest struct {
	Text     *string `json:"text"`
	ParentID optID   `json:"parent_id"`
	FactorID optID   `json:"factor_id"`
	Position *int    `json:"position"`
	Version  *int    `json:"version"`
}

type promoteRequest struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
	Category    *string `json:"category"`
	IsTrigger   *bool   `json:"is_trigger"`
	Version     *int    `json:"version"`
}

type actionRequest struct {
	Title       *string  `json:"title"`
	Description *string  `json:"description"`
	Owner       *string  `json:"owner"`
	DueDate     optID    `json:"due_date"` // raw: absent, null or a string, told apart
	Type        *string  `json:"type"`
	Priority    *string  `json:"priority"`
	Status      *string  `json:"status"`
	ClosureNote *string  `json:"closure_note"`
	EvidenceURL *string  `json:"evidence_url"`
	Rationale   *string  `json:"rationale"`
	TrackerURL  *string  `json:"tracker_url"`
	FactorIDs   *[]int64 `json:"factor_ids"`
	WhyIDs      *[]int64 `json:"why_ids"`
	Version     *int     `json:"version"`
}

// checkPosition refuses a negative position (one past the end is taken
// as the end).
func checkPosition(pos *int) error {
	if pos != nil && *pos < 0 {
		return model.FieldError("position", "must be 0 (first) or more")
	}
	return nil
}

// requireVersion records a missing version, which every change needs.
func requireVersion(v *model.ValidationError, version *int) int {
	if version == nil {
		v.Add("version", "is required: send the version you last read, so a concurrent change is not overwritten")
		return 0
	}
	return *version
}

// recordVersion is requireVersion for a record that starts at version 1
// (a postmortem section or the minutes start at 0): 0 or less is refused.
func recordVersion(v *model.ValidationError, version *int) int {
	if version != nil && *version <= 0 {
		v.Add("version", "must be a positive whole number")
	}
	return requireVersion(v, version)
}

// queryVersion reads the ?version= a DELETE requires, as PATCH does: a
// stale client must not delete what someone has just edited.
func queryVersion(c echo.Context) (int, error) {
	raw := c.QueryParam("version")
	if raw == "" {
		return 0, model.FieldError("version", "is required (the version you last read, as ?version=)")
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v <= 0 {
		return 0, model.FieldError("version", "must be a positive whole number")
	}
	return v, nil
}

// subPath reads the incident id and a second id from the path.
func subPath(c echo.Context, name string) (id, sub int64, err error) {
	if id, err = pathID(c, "id"); err != nil {
		return 0, 0, err
	}
	sub, err = pathID(c, name)
	return id, sub, err
}

// incidentPeople loads the incident (404 if missing) and the names in its
// roles, for the blameless-language findings.
func (s *Server) incidentPeople(c echo.Context, id int64) ([]string, error) {
	inc, err := s.store.Incident(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	return rolePeople(inc), nil
}

// ----- contributing factors -----

func (s *Server) apiFactorList(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	people, err := s.incidentPeople(c, id)
	if err != nil {
		return err
	}
	fs, err := s.store.Factors(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := make([]factorJSON, len(fs))
	for i := range fs {
		out[i] = s.factorToJSON(&fs[i], people)
	}
	return c.JSON(http.StatusOK, map[string]any{"factors": out})
}

func (s *Server) apiFactorCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req factorRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	people, err := s.incidentPeople(c, id)
	if err != nil {
		return err
	}
	f := &model.Factor{IncidentID: id, Category: "other"}
	setString(&f.Title, req.Title)
	setString(&f.Description, req.Description)
	setString(&f.Category, req.Category)
	if req.IsTrigger != nil {
		f.IsTrigger = *req.IsTrigger
	}
	ctx := c.Request().Context()
	if err := checkPosition(req.Position); err != nil {
		return err
	}
	if err := s.store.CreateFactorAt(ctx, f, req.Position); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/incidents/%d/factors/%d", id, f.ID))
	return c.JSON(http.StatusCreated, s.factorToJSON(f, people))
}

func (s *Server) apiFactorShow(c echo.Context) error {
	id, factorID, err := subPath(c, "factorID")
	if err != nil {
		return err
	}
	people, err := s.incidentPeople(c, id)
	if err != nil {
		return err
	}
	f, err := s.store.Factor(c.Request().Context(), id, factorID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.factorToJSON(f, people))
}

func (s *Server) apiFactorUpdate(c echo.Context) error {
	id, factorID, err := subPath(c, "factorID")
	if err != nil {
		return err
	}
	var req factorRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v := model.NewValidationError()
	p := model.FactorPatch{Title: req.Title, Description: req.Description, Category: req.Category,
		IsTrigger: req.IsTrigger, Position: req.Position, Version: recordVersion(v, req.Version)}
	v.Merge(checkPosition(req.Position))
	if err := v.Err(); err != nil {
		return err
	}
	people, err := s.incidentPeople(c, id)
	if err != nil {
		return err
	}
	f, err := s.store.UpdateFactor(c.Request().Context(), id, factorID, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.factorToJSON(f, people))
}

// apiFactorDelete deletes a factor; its links go, the linked action items
// and why nodes stay. ?version=N refuses (409) a factor changed since.
func (s *Server) apiFactorDelete(c echo.Context) error {
	id, factorID, err := subPath(c, "factorID")
	if err != nil {
		return err
	}
	version, err := queryVersion(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteFactor(c.Request().Context(), id, factorID, version); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// ----- whys -----

func (s *Server) apiWhyList(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	people, err := s.incidentPeople(c, id)
	if err != nil {
		return err
	}
	roots, err := s.store.Whys(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := make([]whyJSON, len(roots))
	count := 0
	for i, r := range roots {
		out[i] = s.whyToJSON(r, people)
		count += r.Size()
	}
	return c.JSON(http.StatusOK, map[string]any{"trees": out, "count": count})
}

// apiWhyShow returns one node with its subtree.
func (s *Server) apiWhyShow(c echo.Context) error {
	id, whyID, err := subPath(c, "whyID")
	if err != nil {
		return err
	}
	people, err := s.incidentPeople(c, id)
	if err != nil {
		return err
	}
	n, err := s.whyInTree(c.Request().Context(), id, whyID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.whyToJSON(n, people))
}

// whyInTree returns a node as it sits in its incident's trees: with its
// depth, children and linked action items, which a node loaded or written
// alone lacks. Every answer about one node goes through it, so POST, PATCH,
// promote, a conflict's current and GET show a node the same way.
func (s *Server) whyInTree(ctx context.Context, incidentID, whyID int64) (*model.WhyNode, error) {
	roots, err := s.store.Whys(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	var found *model.WhyNode
	for _, r := range roots {
		r.Walk(func(n *model.WhyNode) {
			if n.ID == whyID {
				found = n
			}
		})
	}
	if found == nil {
		return nil, model.ErrNotFound
	}
	return found, nil
}

// whyConflict puts the node a conflict carries into its tree, so the 409's
// current has the shape GET returns.
func (s *Server) whyConflict(ctx context.Context, incidentID int64, err error) error {
	var ce *model.ConflictError
	if !errors.As(err, &ce) {
		return err
	}
	if n, ok := ce.Current.(*model.WhyNode); ok {
		if full, ferr := s.whyInTree(ctx, incidentID, n.ID); ferr == nil {
			ce.Current = full
		}
	}
	return err
}

func (s *Server) apiWhyCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req whyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v := model.NewValidationError()
	n := &model.WhyNode{IncidentID: id}
	setString(&n.Text, req.Text)
	n.ParentID, _ = req.ParentID.parse(v, "parent_id")
	n.FactorID, _ = req.FactorID.parse(v, "factor_id")
	v.Merge(checkPosition(req.Position))
	if err := v.Err(); err != nil {
		v.Merge(n.Validate())
		return v
	}
	people, err := s.incidentPeople(c, id)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.store.CreateWhy(ctx, n, req.Position); err != nil {
		return err
	}
	if n, err = s.whyInTree(ctx, id, n.ID); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/incidents/%d/whys/%d", id, n.ID))
	return c.JSON(http.StatusCreated, s.whyToJSON(n, people))
}

func (s *Server) apiWhyUpdate(c echo.Context) error {
	id, whyID, err := subPath(c, "whyID")
	if err != nil {
		return err
	}
	var req whyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v := model.NewValidationError()
	p := model.WhyPatch{Text: req.Text, Position: req.Position, Version: recordVersion(v, req.Version)}
	v.Merge(checkPosition(req.Position))
	p.SetParent, p.SetFactor = req.ParentID.Set, req.FactorID.Set
	p.ParentID, _ = req.ParentID.parse(v, "parent_id")
	p.FactorID, _ = req.FactorID.parse(v, "factor_id")
	if err := v.Err(); err != nil {
		return err
	}
	people, err := s.incidentPeople(c, id)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.store.UpdateWhy(ctx, id, whyID, p); err != nil {
		return s.whyConflict(ctx, id, err)
	}
	n, err := s.whyInTree(ctx, id, whyID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.whyToJSON(n, people))
}

// apiWhyPromote turns a why node into a new contributing factor linked to
// it; the factor's title defaults to the node's text.
func (s *Server) apiWhyPromote(c echo.Context) error {
	id, whyID, err := subPath(c, "whyID")
	if err != nil {
		return err
	}
	var req promoteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v := model.NewValidationError()
	version := recordVersion(v, req.Version)
	if err := v.Err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	people, err := s.incidentPeople(c, id)
	if err != nil {
		return err
	}
	cur, err := s.store.WhyNode(ctx, id, whyID)
	if err != nil {
		return err
	}
	f := &model.Factor{Title: factorTitle(cur.Text), Category: "other"}
	setString(&f.Title, req.Title)
	setString(&f.Description, req.Description)
	setString(&f.Category, req.Category)
	if req.IsTrigger != nil {
		f.IsTrigger = *req.IsTrigger
	}
	if _, err := s.store.PromoteWhy(ctx, id, whyID, version, f); err != nil {
		return s.whyConflict(ctx, id, err)
	}
	n, err := s.whyInTree(ctx, id, whyID)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/incidents/%d/factors/%d", id, f.ID))
	return c.JSON(http.StatusCreated, map[string]any{"why": s.whyToJSON(n, people), "factor": s.factorToJSON(f, people)})
}

// factorTitle makes a factor title from a why's text: the first line,
// without a leading "because", cut to the title limit.
func factorTitle(text string) string {
	t, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	if l := strings.ToLower(t); strings.HasPrefix(l, "because ") {
		t = strings.TrimSpace(t[len("because "):])
	}
	if r := []rune(t); len(r) > model.MaxTitleLen {
		t = string(r[:model.MaxTitleLen-1]) + "…"
	}
	// Upper-case the first letter, not the first byte: a byte of a
	// multi-byte letter ("über", "élan") is not text on its own.
	if r, size := utf8.DecodeRuneInString(t); size > 0 {
		t = string(unicode.ToUpper(r)) + t[size:]
	}
	return t
}

// apiWhyDelete deletes a node and its subtree, answering how many nodes
// went. ?version=N refuses (409) a node changed since.
func (s *Server) apiWhyDelete(c echo.Context) error {
	id, whyID, err := subPath(c, "whyID")
	if err != nil {
		return err
	}
	version, err := queryVersion(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	n, err := s.store.DeleteWhy(ctx, id, whyID, version)
	if err != nil {
		return s.whyConflict(ctx, id, err)
	}
	return c.JSON(http.StatusOK, map[string]int{"deleted": n})
}

// ----- action items -----

func (s *Server) apiIncidentActions(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	people, err := s.incidentPeople(c, id)
	if err != nil {
		return err
	}
	items, err := s.store.IncidentActions(c.Request().Context(), id)
	if err != nil {
		return err
	}
	now := s.now()
	out := make([]actionJSON, len(items))
	for i := range items {
		out[i] = s.actionToJSON(&items[i], people, now)
		out[i].Incident = nil
	}
	return c.JSON(http.StatusOK, map[string]any{"actions": out})
}

func (r *actionRequest) patch(v *model.ValidationError) model.ActionPatch {
	p := model.ActionPatch{
		Title: r.Title, Description: r.Description, Owner: r.Owner, ClosureNote: r.ClosureNote,
		EvidenceURL: r.EvidenceURL, Rationale: r.Rationale, TrackerURL: r.TrackerURL,
		FactorIDs: r.FactorIDs, WhyIDs: r.WhyIDs,
	}
	if r.Type != nil {
		t := model.ActionType(*r.Type)
		p.Type = &t
	}
	if r.Priority != nil {
		pr := model.Priority(*r.Priority)
		p.Priority = &pr
	}
	if r.Status != nil {
		st := model.ActionStatus(*r.Status)
		p.Status = &st
	}
	if r.DueDate.Set {
		p.Due = parseDue(v, r.DueDate.str(v, "due_date"), model.Date{})
	}
	return p
}

func (s *Server) apiActionCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req actionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	people, err := s.incidentPeople(c, id)
	if err != nil {
		return err
	}
	def, err := s.store.DefaultActionDue(ctx, id)
	if err != nil {
		return err
	}
	v := model.NewValidationError()
	a := &model.ActionItem{IncidentID: id}
	if due := parseDue(v, req.DueDate.str(v, "due_date"), def); due != nil {
		a.Due = *due
	}
	req.DueDate = optID{}
	status := model.ActionOpen
	if req.Status != nil {
		status = model.ActionStatus(*req.Status)
		req.Status = nil
	}
	if _, err := a.Apply(req.patch(v), s.now()); err != nil && !v.Merge(err) {
		return err
	}
	// A new item may be recorded as already closed, with its note.
	a.Status = status
	if err := a.Validate(); err != nil && !v.Merge(err) {
		return err
	}
	if err := v.Err(); err != nil {
		return err
	}
	if req.FactorIDs != nil {
		a.FactorIDs = *req.FactorIDs
	}
	if req.WhyIDs != nil {
		a.WhyIDs = *req.WhyIDs
	}
	if err := s.store.CreateAction(ctx, a); err != nil {
		return err
	}
	// Answer the stored item, with its incident's facts, as GET does.
	if a, err = s.store.Action(ctx, id, a.ID); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/incidents/%d/actions/%d", id, a.ID))
	return c.JSON(http.StatusCreated, s.actionToJSON(a, people, s.now()))
}

func (s *Server) apiActionShow(c echo.Context) error {
	id, actionID, err := subPath(c, "actionID")
	if err != nil {
		return err
	}
	people, err := s.incidentPeople(c, id)
	if err != nil {
		return err
	}
	a, err := s.store.Action(c.Request().Context(), id, actionID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.actionToJSON(a, people, s.now()))
}

func (s *Server) apiActionUpdate(c echo.Context) error {
	id, actionID, err := subPath(c, "actionID")
	if err != nil {
		return err
	}
	var req actionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v := model.NewValidationError()
	p := req.patch(v)
	p.Version = recordVersion(v, req.Version)
	if err := v.Err(); err != nil {
		return err
	}
	people, err := s.incidentPeople(c, id)
	if err != nil {
		return err
	}
	a, err := s.store.UpdateAction(c.Request().Context(), id, actionID, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.actionToJSON(a, people, s.now()))
}

func (s *Server) apiActionDelete(c echo.Context) error {
	id, actionID, err := subPath(c, "actionID")
	if err != nil {
		return err
	}
	version, err := queryVersion(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteAction(c.Request().Context(), id, actionID, version); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// actionStatusFilter reads a status filter of the action item lists:
// "all" (no filter), store.ActionActive, or one status.
func actionStatusFilter(v *model.ValidationError, st string) string {
	switch {
	case st == "all":
		return ""
	case st == store.ActionActive || model.ActionStatus(st).Valid():
		return st
	}
	v.Add("status", fmt.Sprintf("unknown status %q; use active, all, open, in_progress, done or wont_do", model.Truncate(st, 30)))
	return ""
}

// actionFilter reads the filters of the action item lists (page and API):
// owner, status (active, or one status), overdue, due_before, due_after,
// service, incident, limit, offset.
func actionFilter(c echo.Context) (store.ActionFilter, error) {
	v := model.NewValidationError()
	f := store.ActionFilter{Owner: strings.TrimSpace(c.QueryParam("owner")), Service: strings.TrimSpace(c.QueryParam("service"))}
	if st := c.QueryParam("status"); st != "" {
		f.Status = actionStatusFilter(v, st)
	}
	switch o := c.QueryParam("overdue"); o {
	case "", "false", "0":
	case "true", "1", "on":
		f.Overdue = true
	default:
		v.Add("overdue", "must be true or false")
	}
	date := func(field string, dst *model.Date) {
		if raw := c.QueryParam(field); raw != "" {
			d, err := model.ParseDate(raw)
			if err != nil {
				v.Add(field, err.Error())
			}
			*dst = d
		}
	}
	date("due_before", &f.DueBefore)
	date("due_after", &f.DueAfter)
	if raw := c.QueryParam("incident"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			v.Add("incident", "must be an incident id")
		}
		f.IncidentID = id
	}
	var err error
	f.Limit, f.Offset, err = pagination(c)
	if !v.Merge(err) {
		return f, err
	}
	return f, v.Err()
}

// apiActionList lists action items across incidents, by due date.
func (s *Server) apiActionList(c echo.Context) error {
	f, err := actionFilter(c)
	if err != nil {
		return err
	}
	f.Viewer = viewerOf(c)
	items, total, err := s.store.Actions(c.Request().Context(), f)
	if err != nil {
		return err
	}
	now := s.now()
	out := make([]actionJSON, len(items))
	for i := range items {
		out[i] = s.actionToJSON(&items[i], nil, now)
	}
	return c.JSON(http.StatusOK, map[string]any{"actions": out, "total": total, "limit": f.Limit, "offset": f.Offset})
}

// apiFactorCategories lists the categories a factor can have.
func (s *Server) apiFactorCategories(c echo.Context) error {
	cats, err := s.store.FactorCategories(c.Request().Context())
	if err != nil {
		return err
	}
	type catJSON struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Position    int    `json:"position"`
	}
	out := make([]catJSON, len(cats))
	for i, fc := range cats {
		out[i] = catJSON{fc.Name, fc.Description, fc.Position}
	}
	return c.JSON(http.StatusOK, map[string]any{"categories": out})
}

func setString(dst *string, src *string) {
	if src != nil {
		*dst = *src
	}
}
