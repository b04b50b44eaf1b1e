package web

import (
	"errors"
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

// incidentForm is what the declare and edit forms post. Milestones are
// typed like the timeline's time box (now, -5m, 14:32, or a timestamp).
type incidentForm struct {
	Title, Severity, Status, Summary, Impact string
	Services, Tags                           string
	Commander, CommsLead, Scribe, Responders string
	Visibility, Members                      string
	Milestones                               map[model.Milestone]string
	Version                                  int
}

func incidentFormFrom(inc *model.Incident) incidentForm {
	f := incidentForm{
		Title: inc.Title, Severity: inc.Severity, Status: string(inc.Status), Summary: inc.Summary,
		Impact: inc.Impact, Services: strings.Join(inc.Services, ", "), Tags: strings.Join(inc.Tags, ", "),
		Commander: inc.Roles.Commander, CommsLead: inc.Roles.CommsLead, Scribe: inc.Roles.Scribe,
		Responders: strings.Join(inc.Roles.Responders, ", "), Milestones: map[model.Milestone]string{},
		Visibility: string(inc.Visibility), Members: strings.Join(inc.Members, ", "),
		Version: inc.Version,
	}
	for _, m := range model.Milestones {
		if t := inc.MilestoneTime(m); t != nil {
			f.Milestones[m] = model.FormatAttr(*t)
		}
	}
	return f
}

func readIncidentForm(c echo.Context) incidentForm {
	f := incidentForm{
		Title: c.FormValue("title"), Severity: c.FormValue("severity"), Status: c.FormValue("status"),
		Summary: c.FormValue("summary"), Impact: c.FormValue("impact"),
		Services: c.FormValue("services"), Tags: c.FormValue("tags"),
		Commander: c.FormValue("commander"), CommsLead: c.FormValue("comms_lead"), Scribe: c.FormValue("scribe"),
		Responders: c.FormValue("responders"), Milestones: map[model.Milestone]string{},
		Visibility: c.FormValue("visibility"), Members: c.FormValue("members"),
	}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	for _, m := range model.Milestones {
		f.Milestones[m] = c.FormValue(string(m))
	}
	return f
}

func (f incidentForm) roles() model.Roles {
	return model.Roles{Commander: f.Commander, CommsLead: f.CommsLead, Scribe: f.Scribe, Responders: model.SplitList(f.Responders)}
}

// incident builds a new incident from the declare form.
func (f incidentForm) incident(now time.Time) (*model.Incident, error) {
	v := model.NewValidationError()
	inc := &model.Incident{
		Title: f.Title, Severity: f.Severity, Status: model.Status(f.Status), Summary: f.Summary, Impact: f.Impact,
		Services: model.SplitList(f.Services), Tags: model.SplitList(f.Tags),
		Roles: f.roles(), Visibility: model.Visibility(f.Visibility), Members: model.SplitMembers(f.Members),
	}
	for _, m := range model.Milestones {
		inc.SetMilestone(m, quickTime(v, string(m), f.Milestones[m], now))
	}
	return inc, v.Err()
}

// patch turns the edit form into a patch against cur. The form sends every
// field; a milestone is only part of the patch when it differs from cur, so
// that an empty box still lets a status change fill it.
func (f incidentForm) patch(cur *model.Incident, now time.Time) (model.IncidentPatch, error) {
	v := model.NewValidationError()
	status := model.Status(f.Status)
	services, tags := model.SplitList(f.Services), model.SplitList(f.Tags)
	roles := f.roles()
	p := model.IncidentPatch{
		Title: &f.Title, Summary: &f.Summary, Impact: &f.Impact, Severity: &f.Severity, Status: &status,
		Services: &services, Tags: &tags, Roles: model.FullRoles(roles), Milestones: map[model.Milestone]*time.Time{},
		Version: f.Version,
	}
	if f.Visibility != "" { // a form without the field leaves who may see it alone
		vis, members := model.Visibility(f.Visibility), model.SplitMembers(f.Members)
		p.Visibility, p.Members = &vis, &members
	}
	if f.Version <= 0 {
		v.Add("version", "is required; reload the page and try again")
	}
	for _, m := range model.Milestones {
		t := quickTime(v, string(m), f.Milestones[m], now)
		if _, bad := v.Fields[string(m)]; bad {
			continue
		}
		old := cur.MilestoneTime(m)
		if (old == nil) != (t == nil) || (old != nil && !old.Equal(*t)) {
			p.Milestones[m] = t
		}
	}
	return p, v.Err()
}

type incidentFormPage struct {
	Incident   *model.Incident // nil while declaring
	Form       incidentForm
	Errors     map[string]string
	Severities []model.Severity
	People     []string // names to pick roles from; free text stays allowed
	Conflict   string
	Current    *model.Incident
}

// incidentFields are the error keys of the incident form's fields, in the
// order the form shows them.
var incidentFields = func() []string {
	keys := []string{"title", "severity", "status", "services", "tags", "summary", "impact",
		"roles.commander", "roles.comms_lead", "roles.scribe", "roles.responders", "visibility", "members"}
	for _, m := range model.Milestones {
		keys = append(keys, string(m))
	}
	return keys
}()

// Focus is the key of the field the form puts the cursor in: the first
// invalid one, so a declare error shows what to fix; else the title.
func (p incidentFormPage) Focus() string {
	for _, k := range incidentFields {
		if _, ok := p.Errors[k]; ok {
			return k
		}
	}
	return "title"
}

// Open reports whether a folding section of the form, holding the fields
// keys, starts open: always while editing, and while declaring when one
// of them is invalid (the rest stay folded, so the error is near the top).
func (p incidentFormPage) Open(keys ...string) bool {
	if p.Incident != nil {
		return true
	}
	for _, k := range keys {
		if _, ok := p.Errors[k]; ok {
			return true
		}
	}
	return false
}

// people lists the names of active accounts, for role and author pickers.
func (s *Server) people(c echo.Context) ([]string, error) {
	us, err := s.store.Users(c.Request().Context())
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(us))
	for _, u := range us {
		if !u.Disabled {
			names = append(names, u.Name)
		}
	}
	return names, nil
}

type incidentListPage struct {
	Incidents  []model.Incident
	Total      int64
	Filter     store.IncidentFilter
	Severities []model.Severity
	Services   []string
	Page       int
	Pages      int
	PrevURL    string
	NextURL    string
	Postmortem map[int64]pmBadge
}

const listPageSize = 50

// listFilter reads and checks the list filters shared by page and API
// against the severity scale sevs.
func listFilter(c echo.Context, sevs []model.Severity) (store.IncidentFilter, error) {
	f := store.IncidentFilter{
		Status:   strings.TrimSpace(c.QueryParam("status")),
		Severity: strings.TrimSpace(c.QueryParam("severity")),
		Service:  strings.TrimSpace(c.QueryParam("service")),
	}
	if f.Status != "" && f.Status != "open" && !model.Status(f.Status).Valid() {
		return f, model.FieldError("status", fmt.Sprintf("unknown status %q; use open or one of investigating, identified, monitoring, resolved", f.Status))
	}
	if f.Severity != "" && !hasSeverity(sevs, f.Severity) {
		return f, model.FieldError("severity", fmt.Sprintf("unknown severity %q", f.Severity))
	}
	return f, nil
}

func hasSeverity(sevs []model.Severity, name string) bool {
	for _, s := range sevs {
		if s.Name == name {
			return true
		}
	}
	return false
}

func (s *Server) incidentList(c echo.Context) error {
	ctx := c.Request().Context()
	sevs, err := s.store.Severities(ctx)
	if err != nil {
		return err
	}
	f, err := listFilter(c, sevs)
	if err != nil {
		return err
	}
	page := 1
	if p := c.QueryParam("page"); p != "" {
		maxPage := store.MaxOffset/listPageSize + 1
		if page, err = strconv.Atoi(p); err != nil || page < 1 || page > maxPage {
			return model.FieldError("page", fmt.Sprintf("must be a whole number from 1 to %d; narrow the list with a filter to see older incidents", maxPage))
		}
	}
	f.Limit, f.Offset = listPageSize, (page-1)*listPageSize
	f.Viewer = viewerOf(c)
	incs, total, err := s.store.Incidents(ctx, f)
	if err != nil {
		return err
	}
	services, err := s.store.Services(ctx)
	if err != nil {
		return err
	}
	data := incidentListPage{
		Incidents: incs, Total: total, Filter: f, Severities: sevs, Services: services,
		Page: page, Pages: int((total + listPageSize - 1) / listPageSize),
	}
	if data.Postmortem, err = s.pmBadges(c.Request().Context(), incs); err != nil {
		return err
	}
	pageURL := func(n int) string {
		q := url.Values{}
		for k, v := range map[string]string{"status": f.Status, "severity": f.Severity, "service": f.Service} {
			if v != "" {
				q.Set(k, v)
			}
		}
		q.Set("page", strconv.Itoa(n))
		return "/incidents?" + q.Encode()
	}
	if page > 1 {
		data.PrevURL = pageURL(page - 1)
	}
	if page < data.Pages {
		data.NextURL = pageURL(page + 1)
	}
	return c.Render(http.StatusOK, "incidents", s.pageData(c, data))
}

func (s *Server) incidentNew(c echo.Context) error {
	sevs, err := s.store.Severities(c.Request().Context())
	if err != nil {
		return err
	}
	form := incidentForm{Status: string(model.StatusInvestigating), Milestones: map[model.Milestone]string{}}
	if len(sevs) > 0 {
		form.Severity = sevs[len(sevs)/2].Name // a middle severity; the declarer picks deliberately
	}
	people, err := s.people(c)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "incident_new", s.pageData(c, incidentFormPage{Form: form, Severities: sevs, People: people}))
}

func (s *Server) incidentCreate(c echo.Context) error {
	ctx := c.Request().Context()
	if err := parseForm(c); err != nil {
		return err
	}
	form := readIncidentForm(c)
	if form.Status == "" {
		form.Status = string(model.StatusInvestigating)
	}
	inc, err := form.incident(s.now())
	if err == nil {
		declarerJoins(c, inc)
		err = s.store.CreateIncident(ctx, inc, defaultAuthor(c))
	}
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		sevs, serr := s.store.Severities(ctx)
		if serr != nil {
			return serr
		}
		people, perr := s.people(c)
		if perr != nil {
			return perr
		}
		return c.Render(http.StatusUnprocessableEntity, "incident_new", s.pageData(c, incidentFormPage{Form: form, Errors: ve.Fields, Severities: sevs, People: people}))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d?declared=1", inc.ID))
}

func (s *Server) incidentShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	data, err := s.incidentPageData(c, id, c.QueryParam("added") != "")
	if err != nil {
		return err
	}
	// After declaring (?declared=1) or adding an entry without JavaScript
	// (?added=ID), focus lands in "What happened"; the added entry is
	// confirmed in place.
	data.Focus = c.QueryParam("added") != "" || c.QueryParam("declared") != ""
	if added, err := strconv.ParseInt(c.QueryParam("added"), 10, 64); err == nil {
		for _, r := range data.Rows {
			if r.Entry != nil && r.Entry.ID == added {
				data.Saved = r.Entry
			}
		}
	}
	if data.Similar, err = s.similarPanel(c, id); err != nil {
		return err
	}
	return c.Render(http.StatusOK, "incident", s.pageData(c, data))
}

func (s *Server) incidentEdit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	inc, err := s.store.Incident(ctx, id)
	if err != nil {
		return err
	}
	sevs, err := s.store.Severities(ctx)
	if err != nil {
		return err
	}
	people, err := s.people(c)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "incident_edit", s.pageData(c, incidentFormPage{Incident: inc, Form: incidentFormFrom(inc), Severities: sevs, People: people}))
}

func (s *Server) incidentUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := parseForm(c); err != nil {
		return err
	}
	cur, err := s.store.Incident(ctx, id)
	if err != nil {
		return err
	}
	form := readIncidentForm(c)
	p, err := form.patch(cur, s.now())
	p.Author = defaultAuthor(c)
	if err == nil {
		_, err = s.store.UpdateIncident(ctx, id, p)
	}
	var (
		ve *model.ValidationError
		ce *model.ConflictError
	)
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d", id))
	case errors.As(err, &ve), errors.As(err, &ce):
		sevs, serr := s.store.Severities(ctx)
		if serr != nil {
			return serr
		}
		people, perr := s.people(c)
		if perr != nil {
			return perr
		}
		data := incidentFormPage{Incident: cur, Form: form, Severities: sevs, People: people}
		status := http.StatusUnprocessableEntity
		if ve != nil {
			data.Errors = ve.Fields
		} else {
			// Keep what the user typed, show what changed meanwhile, and let
			// them save again knowingly against the current version.
			status = http.StatusConflict
			current, _ := ce.Current.(*model.Incident)
			data.Conflict, data.Current, data.Incident = ce.Error(), current, current
			if current != nil {
				data.Form.Version = current.Version
			}
		}
		return c.Render(status, "incident_edit", s.pageData(c, data))
	}
	return err
}

// incidentStatus moves an incident to another status from the buttons on
// its page.
func (s *Server) incidentStatus(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	status := model.Status(c.FormValue("status"))
	_, err = s.store.UpdateIncident(c.Request().Context(), id, model.IncidentPatch{Status: &status, Version: version, Author: defaultAuthor(c)})
	var ce *model.ConflictError
	if errors.As(err, &ce) {
		// A stale button: show the incident as it is now, say what changed
		// and who changed it, and let them choose again.
		data, derr := s.incidentPageData(c, id, false)
		if derr != nil {
			return derr
		}
		data.Conflict = s.incidentConflict(c.Request().Context(), id, "mark "+string(status))
		return c.Render(http.StatusConflict, "incident", s.pageData(c, data))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d", id))
}

// declarerJoins makes whoever declares a private incident one of its
// members, so that declaring one does not lock its declarer out.
func declarerJoins(c echo.Context, inc *model.Incident) {
	if u := currentUser(c); u != nil && inc.Visibility == model.VisibilityPrivate &&
		!slices.ContainsFunc(inc.Members, func(m string) bool { return strings.EqualFold(m, u.Email) }) {
		inc.Members = append(inc.Members, u.Email)
	}
}

// incidentRequest is the JSON body of POST and PATCH /api/v1/incidents.
// Pointers tell an absent field from an empty one.
type incidentRequest struct {
	Title          *string           `json:"title"`
	Severity       *string           `json:"severity"`
	Status         *string           `json:"status"`
	Summary        *string           `json:"summary"`
	Impact         *string           `json:"impact"`
	Services       *[]string         `json:"services"`
	Tags           *[]string         `json:"tags"`
	Roles          *model.RolesPatch `json:"roles"`
	Visibility     *string           `json:"visibility"`
	Members        *[]string         `json:"members"`
	StartedAt      optTime           `json:"started_at"`
	DetectedAt     optTime           `json:"detected_at"`
	AcknowledgedAt optTime           `json:"acknowledged_at"`
	MitigatedAt    optTime           `json:"mitigated_at"`
	ResolvedAt     optTime           `json:"resolved_at"`
	Version        *int              `json:"version"`
}

func (r *incidentRequest) milestones(v *model.ValidationError, now time.Time) map[model.Milestone]*time.Time {
	out := map[model.Milestone]*time.Time{}
	for m, o := range map[model.Milestone]optTime{
		model.MilestoneStarted: r.StartedAt, model.MilestoneDetected: r.DetectedAt,
		model.MilestoneAcknowledged: r.AcknowledgedAt, model.MilestoneMitigated: r.MitigatedAt,
		model.MilestoneResolved: r.ResolvedAt,
	} {
		if !o.Set {
			continue
		}
		if t, ok := o.parse(v, string(m), now); ok {
			out[m] = t
		}
	}
	return out
}

func (r *incidentRequest) patch(now time.Time) (model.IncidentPatch, error) {
	v := model.NewValidationError()
	p := model.IncidentPatch{
		Title: r.Title, Summary: r.Summary, Impact: r.Impact, Severity: r.Severity,
		Services: r.Services, Tags: r.Tags, Roles: r.Roles, Milestones: r.milestones(v, now),
	}
	if r.Status != nil {
		st := model.Status(*r.Status)
		p.Status = &st
	}
	if r.Visibility != nil {
		vis := model.Visibility(*r.Visibility)
		p.Visibility = &vis
	}
	p.Members = r.Members
	labelsGiven(v, "members", r.Members)
	p.Version = recordVersion(v, r.Version)
	labelsGiven(v, "services", r.Services)
	labelsGiven(v, "tags", r.Tags)
	return p, v.Err()
}

// labelsGiven refuses a blank or null entry in a services or tags array:
// the API says exactly what to store, so nothing is dropped silently.
func labelsGiven(v *model.ValidationError, field string, labels *[]string) {
	if labels != nil && slices.ContainsFunc(*labels, func(s string) bool { return strings.TrimSpace(s) == "" }) {
		v.Add(field, "must not contain an empty name or null")
	}
}

func (r *incidentRequest) incident(now time.Time) (*model.Incident, error) {
	v := model.NewValidationError()
	labelsGiven(v, "services", r.Services)
	labelsGiven(v, "tags", r.Tags)
	inc := &model.Incident{Status: model.StatusInvestigating}
	if r.Title == nil {
		v.Add("title", "is required")
	} else {
		inc.Title = *r.Title
	}
	if r.Severity == nil {
		v.Add("severity", "is required")
	} else {
		inc.Severity = *r.Severity
	}
	if r.Status != nil {
		inc.Status = model.Status(*r.Status)
		if !inc.Status.Valid() {
			v.Add("status", fmt.Sprintf("unknown status %q", *r.Status))
		}
	}
	if r.Summary != nil {
		inc.Summary = *r.Summary
	}
	if r.Impact != nil {
		inc.Impact = *r.Impact
	}
	if r.Services != nil {
		inc.Services = *r.Services
	}
	if r.Tags != nil {
		inc.Tags = *r.Tags
	}
	if r.Roles != nil {
		inc.Roles = r.Roles.Roles()
	}
	if r.Visibility != nil {
		inc.Visibility = model.Visibility(*r.Visibility)
	}
	if r.Members != nil {
		labelsGiven(v, "members", r.Members)
		inc.Members = *r.Members
	}
	for m, t := range r.milestones(v, now) {
		inc.SetMilestone(m, t)
	}
	return inc, v.Err()
}

type incidentListJSON struct {
	Incidents []incidentJSON `json:"incidents"`
	Total     int64          `json:"total"`
	Limit     int            `json:"limit"`
	Offset    int            `json:"offset"`
}

func (s *Server) apiIncidentList(c echo.Context) error {
	sevs, err := s.store.Severities(c.Request().Context())
	if err != nil {
		return err
	}
	f, err := listFilter(c, sevs)
	if err != nil {
		return err
	}
	if f.Limit, f.Offset, err = pagination(c); err != nil {
		return err
	}
	f.Viewer = viewerOf(c)
	incs, total, err := s.store.Incidents(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := incidentListJSON{Incidents: make([]incidentJSON, 0, len(incs)), Total: total, Limit: f.Limit, Offset: f.Offset}
	for i := range incs {
		out.Incidents = append(out.Incidents, incidentToJSON(&incs[i]))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiIncidentCreate(c echo.Context) error {
	var req incidentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	inc, err := req.incident(s.now())
	if err != nil {
		return err
	}
	declarerJoins(c, inc)
	if err := s.store.CreateIncident(c.Request().Context(), inc, defaultAuthor(c)); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/incidents/%d", inc.ID))
	return c.JSON(http.StatusCreated, incidentToJSON(inc))
}

func (s *Server) apiIncidentShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	inc, err := s.store.Incident(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, incidentToJSON(inc))
}

func (s *Server) apiIncidentUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req incidentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := req.patch(s.now())
	if err != nil {
		return err
	}
	p.Author = defaultAuthor(c)
	inc, err := s.store.UpdateIncident(c.Request().Context(), id, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, incidentToJSON(inc))
}

type severityJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (s *Server) apiSeverities(c echo.Context) error {
	sevs, err := s.store.Severities(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]severityJSON, len(sevs))
	for i, sv := range sevs {
		out[i] = severityJSON{Name: sv.Name, Description: sv.Description}
	}
	return c.JSON(http.StatusOK, map[string]any{"severities": out})
}

// healthz answers 200 only when the database answers a query and no write
// failed for want of storage in the last 30 s (it recovers by itself).
func (s *Server) healthz(c echo.Context) error {
	ctx, cancel := contextWithTimeout(c, 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("health check failed", "error", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	if err := s.store.WriteHealth(); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}
