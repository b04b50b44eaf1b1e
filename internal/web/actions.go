package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// actionForm is what the action item form posts, kept as typed.
type actionForm struct {
	Title, Description, Owner, Due      string
	Type, Priority, Status              string
	ClosureNote, EvidenceURL, Rationale string
	TrackerURL                          string
	FactorIDs, WhyIDs                   []int64
	Version                             int
}

func actionFormFrom(a *model.ActionItem) actionForm {
	return actionForm{
		Title: a.Title, Description: a.Description, Owner: a.Owner, Due: a.Due.String(),
		Type: string(a.Type), Priority: string(a.Priority), Status: string(a.Status),
		ClosureNote: a.ClosureNote, EvidenceURL: a.EvidenceURL, Rationale: a.Rationale, TrackerURL: a.TrackerURL,
		FactorIDs: a.FactorIDs, WhyIDs: a.WhyIDs, Version: a.Version,
	}
}

// readActionForm reads the posted form; malformed link ids are reported
// in v.
func readActionForm(c echo.Context, v *model.ValidationError) actionForm {
	f := actionForm{
		Title: c.FormValue("title"), Description: c.FormValue("description"), Owner: c.FormValue("owner"),
		Due: strings.TrimSpace(c.FormValue("due_date")), Type: c.FormValue("type"), Priority: c.FormValue("priority"),
		Status: c.FormValue("status"), ClosureNote: c.FormValue("closure_note"), EvidenceURL: c.FormValue("evidence_url"),
		Rationale: c.FormValue("rationale"), TrackerURL: c.FormValue("tracker_url"),
	}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	f.FactorIDs = formIDs(c, v, "factor_ids")
	f.WhyIDs = formIDs(c, v, "why_ids")
	return f
}

func formIDs(c echo.Context, v *model.ValidationError, field string) []int64 {
	ids := []int64{}
	for _, raw := range c.Request().PostForm[field] {
		id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil || id <= 0 {
			v.Add(field, fmt.Sprintf("%q is not an id", truncateText(raw, 20)))
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// due parses the due date, reporting a missing or malformed one in v.
func (f actionForm) due(v *model.ValidationError) model.Date {
	if f.Due == "" {
		v.Add("due_date", "is required (YYYY-MM-DD): every action item needs a date")
		return model.Date{}
	}
	d, err := model.ParseDate(f.Due)
	if err != nil {
		v.Add("due_date", err.Error())
	}
	return d
}

func (f actionForm) item(incidentID int64, v *model.ValidationError) *model.ActionItem {
	return &model.ActionItem{
		IncidentID: incidentID, Title: f.Title, Description: f.Description, Owner: f.Owner, Due: f.due(v),
		Type: model.ActionType(f.Type), Priority: model.Priority(f.Priority), Status: model.ActionStatus(f.Status),
		ClosureNote: f.ClosureNote, EvidenceURL: f.EvidenceURL, Rationale: f.Rationale, TrackerURL: f.TrackerURL,
		FactorIDs: f.FactorIDs, WhyIDs: f.WhyIDs,
	}
}

func (f actionForm) patch(v *model.ValidationError) model.ActionPatch {
	due := f.due(v)
	typ, prio, st := model.ActionType(f.Type), model.Priority(f.Priority), model.ActionStatus(f.Status)
	return model.ActionPatch{
		Title: &f.Title, Description: &f.Description, Owner: &f.Owner, Due: &due, Type: &typ, Priority: &prio,
		Status: &st, ClosureNote: &f.ClosureNote, EvidenceURL: &f.EvidenceURL, Rationale: &f.Rationale,
		TrackerURL: &f.TrackerURL, FactorIDs: &f.FactorIDs, WhyIDs: &f.WhyIDs, Version: f.Version,
	}
}

// HasFactor and HasWhy tell the form's checkboxes what is linked.
func (f actionForm) HasFactor(id int64) bool { return slices.Contains(f.FactorIDs, id) }

// HasWhy reports whether why node id is linked.
func (f actionForm) HasWhy(id int64) bool { return slices.Contains(f.WhyIDs, id) }

type actionEditPage struct {
	Incident   *model.Incident
	Action     *model.ActionItem // nil for a new item; as stored now otherwise
	Form       actionForm
	Factors    []model.Factor
	Whys       []whyOption
	People     []string // accounts, offered as owners
	RolePeople []string // the incident's roles, for the blameless lint
	DueNote    string
	Errors     map[string]string
	Conflict   string
}

func (s *Server) actionPage(c echo.Context, actionID int64) (*actionEditPage, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	inc, err := s.store.Incident(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &actionEditPage{Incident: inc, RolePeople: rolePeople(inc)}
	if actionID != 0 {
		if p.Action, err = s.store.Action(ctx, id, actionID); err != nil {
			return nil, err
		}
		p.Form = actionFormFrom(p.Action)
	}
	if p.Factors, err = s.store.Factors(ctx, id); err != nil {
		return nil, err
	}
	roots, err := s.store.Whys(ctx, id)
	if err != nil {
		return nil, err
	}
	p.Whys = whyOptions(roots, 0)
	if p.People, err = s.people(c); err != nil {
		return nil, err
	}
	return p, nil
}

// newActionPage is the form of a new item: due after the severity's
// default time, linked to the why or factor it was started from.
func (s *Server) newActionPage(c echo.Context) (*actionEditPage, error) {
	p, err := s.actionPage(c, 0)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	due, err := s.store.DefaultActionDue(ctx, p.Incident.ID)
	if err != nil {
		return nil, err
	}
	sevs, err := s.store.Severities(ctx)
	if err != nil {
		return nil, err
	}
	weeks := model.DefaultActionDueWeeks
	for _, sv := range sevs {
		if sv.Name == p.Incident.Severity && sv.ActionDueWeeks > 0 {
			weeks = sv.ActionDueWeeks
		}
	}
	unit := "weeks"
	if weeks == 1 {
		unit = "week"
	}
	p.DueNote = fmt.Sprintf("default for %s: %d %s (%s)", p.Incident.Severity, weeks, unit, due)
	p.Form = actionForm{
		Due: due.String(), Type: string(model.ActionPrevent), Priority: string(model.PriorityMedium),
		Status: string(model.ActionOpen), FactorIDs: []int64{}, WhyIDs: []int64{},
	}
	return p, nil
}

func (s *Server) actionNew(c echo.Context) error {
	p, err := s.newActionPage(c)
	if err != nil {
		return err
	}
	for field, param := range map[string]string{"why_ids": "why", "factor_ids": "factor"} {
		raw := c.QueryParam(param)
		if raw == "" {
			continue
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return model.FieldError(param, "must be the id of a record of this incident")
		}
		if field == "why_ids" {
			p.Form.WhyIDs = append(p.Form.WhyIDs, id)
		} else {
			p.Form.FactorIDs = append(p.Form.FactorIDs, id)
		}
	}
	return c.Render(http.StatusOK, "action_edit", s.pageData(c, p))
}

func (s *Server) actionCreate(c echo.Context) error {
	p, err := s.newActionPage(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	v := model.NewValidationError()
	f := readActionForm(c, v)
	a := f.item(p.Incident.ID, v)
	v.Merge(a.Validate())
	if err = v.Err(); err == nil {
		err = s.store.CreateAction(c.Request().Context(), a)
	}
	if err != nil {
		return s.rerender(c, err, "action_edit", func(fields map[string]string, _ *model.ConflictError) any {
			p.Form, p.Errors = f, fields
			return p
		})
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d#action-%d", p.Incident.ID, a.ID))
}

func (s *Server) editActionPage(c echo.Context) (*actionEditPage, error) {
	actionID, err := pathID(c, "actionID")
	if err != nil {
		return nil, err
	}
	return s.actionPage(c, actionID)
}

func (s *Server) actionEdit(c echo.Context) error {
	p, err := s.editActionPage(c)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "action_edit", s.pageData(c, p))
}

// actionUpdate saves the edit page, status changes included: done needs a
// closure note or evidence, won't do a rationale.
func (s *Server) actionUpdate(c echo.Context) error {
	p, err := s.editActionPage(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	v := model.NewValidationError()
	f := readActionForm(c, v)
	patch := f.patch(v)
	if v.Err() != nil {
		// Check the rest too, so every mistake shows at once.
		trial := *p.Action
		if patch.Due.IsZero() {
			patch.Due = &p.Action.Due
		}
		_, aerr := trial.Apply(patch, s.now())
		v.Merge(aerr)
	}
	if err = v.Err(); err == nil {
		_, err = s.store.UpdateAction(c.Request().Context(), p.Incident.ID, p.Action.ID, patch)
	}
	if err == nil {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d#action-%d", p.Incident.ID, p.Action.ID))
	}
	return s.rerender(c, err, "action_edit", func(fields map[string]string, ce *model.ConflictError) any {
		p.Form, p.Errors = f, fields
		if ce != nil {
			if cur, ok := ce.Current.(*model.ActionItem); ok {
				p.Action = cur
				f.Version = cur.Version
			}
			p.Form, p.Conflict = f, ce.Error()
		}
		return p
	})
}

func (s *Server) actionDelete(c echo.Context) error {
	p, err := s.editActionPage(c)
	if err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteAction(c.Request().Context(), p.Incident.ID, p.Action.ID, version); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d#actions", p.Incident.ID))
}

// actionListForm is the filter form of /actions, kept as typed.
type actionListForm struct {
	Owner, Status, Incident, Service string
	Mine, Overdue, Week              bool
}

// Filtered reports whether any filter narrows the default list.
func (f actionListForm) Filtered() bool {
	return f.Owner != "" || f.Status != store.ActionActive || f.Incident != "" || f.Service != "" || f.Mine || f.Overdue || f.Week
}

type actionListPage struct {
	Items    []model.ActionItem
	Total    int64
	Form     actionListForm
	Me       string
	WeekEnd  model.Date
	Services []string
	People   []string
	Now      time.Time
	From, To int
	PrevURL  string
	NextURL  string
}

func queryBool(c echo.Context, v *model.ValidationError, name string) bool {
	switch strings.ToLower(strings.TrimSpace(c.QueryParam(name))) {
	case "", "0", "false", "off", "no":
		return false
	case "1", "true", "on", "yes":
		return true
	}
	v.Add(name, "must be 1 or empty")
	return false
}

// comingSunday is the last day of now's week (Monday to Sunday, UTC).
func comingSunday(now time.Time) model.Date {
	today := model.DateOf(now)
	return today.AddDays((7 - int(now.UTC().Weekday())) % 7)
}

// actionListFilter reads the filters of /actions: owner (or mine, the
// signed-in user), status (active by default, all, or one status), overdue,
// week (due by the coming Sunday), incident and service.
func (s *Server) actionListFilter(c echo.Context, me string) (actionListForm, store.ActionFilter, error) {
	v := model.NewValidationError()
	f := actionListForm{
		Owner: strings.TrimSpace(c.QueryParam("owner")), Status: strings.TrimSpace(c.QueryParam("status")),
		Incident: strings.TrimSpace(c.QueryParam("incident")), Service: strings.TrimSpace(c.QueryParam("service")),
	}
	f.Mine, f.Overdue, f.Week = queryBool(c, v, "mine"), queryBool(c, v, "overdue"), queryBool(c, v, "week")
	af := store.ActionFilter{Owner: f.Owner, Service: f.Service, Overdue: f.Overdue}
	if f.Mine {
		af.Owner = me
	}
	if len([]rune(af.Owner)) > model.MaxNameLen {
		v.Add("owner", fmt.Sprintf("must be at most %d characters", model.MaxNameLen))
	}
	if f.Status == "" {
		f.Status = store.ActionActive // the page lists what is still to do unless asked
	}
	af.Status = actionStatusFilter(v, f.Status)
	if f.Incident != "" {
		id, err := strconv.ParseInt(strings.TrimPrefix(f.Incident, "#"), 10, 64)
		if err != nil || id <= 0 {
			v.Add("incident", "must be an incident number")
		}
		af.IncidentID = id
	}
	if f.Week {
		af.DueBefore = comingSunday(s.now())
	}
	return f, af, v.Err()
}

// actionList shows action items across incidents by due date (GET /actions).
func (s *Server) actionList(c echo.Context) error {
	ctx := c.Request().Context()
	me := defaultAuthor(c)
	form, filter, err := s.actionListFilter(c, me)
	if err != nil {
		return err
	}
	if filter.Limit, filter.Offset, err = pagination(c); err != nil {
		return err
	}
	filter.Viewer = viewerOf(c)
	items, total, err := s.store.Actions(ctx, filter)
	if err != nil {
		return err
	}
	services, err := s.store.Services(ctx)
	if err != nil {
		return err
	}
	people, err := s.people(c)
	if err != nil {
		return err
	}
	now := s.now()
	p := actionListPage{
		Items: items, Total: total, Form: form, Me: me, WeekEnd: comingSunday(now), Services: services,
		People: people, Now: now, From: filter.Offset + 1, To: filter.Offset + len(items),
	}
	pageURL := func(offset int) string {
		q := url.Values{}
		for k, v := range map[string]string{"owner": form.Owner, "incident": form.Incident, "service": form.Service} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if form.Status != store.ActionActive {
			q.Set("status", form.Status)
		}
		for k, on := range map[string]bool{"mine": form.Mine, "overdue": form.Overdue, "week": form.Week} {
			if on {
				q.Set(k, "1")
			}
		}
		if filter.Limit != model.DefaultPageSize {
			q.Set("limit", strconv.Itoa(filter.Limit))
		}
		q.Set("offset", strconv.Itoa(offset))
		return "/actions?" + q.Encode()
	}
	if filter.Offset > 0 {
		p.PrevURL = pageURL(max(0, filter.Offset-filter.Limit))
	}
	if int64(filter.Offset+len(items)) < total {
		p.NextURL = pageURL(filter.Offset + filter.Limit)
	}
	return c.Render(http.StatusOK, "actions", s.pageData(c, p))
}
