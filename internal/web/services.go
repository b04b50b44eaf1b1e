package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// The service catalogue: /services, /services/{name} and its API, with each
// service's incidents, reliability, open action items, recent changes and
// error budget.

// reliabilityMonths is how far back the service page's MTTR trend goes.
const reliabilityMonths = 6

type serviceJSON struct {
	Name          string   `json:"name"`
	OwnerTeam     string   `json:"owner_team"`
	Tier          string   `json:"tier"`
	Description   string   `json:"description"`
	RunbookURL    string   `json:"runbook_url"`
	SLOTarget     *float64 `json:"slo_target"`
	SLOWindowDays int      `json:"slo_window_days"`
	Version       int      `json:"version"`
	CreatedAt     string   `json:"created_at"`
	UpdatedAt     *string  `json:"updated_at"`
}

func serviceToJSON(s *model.Service) serviceJSON {
	return serviceJSON{Name: s.Name, OwnerTeam: s.OwnerTeam, Tier: s.Tier, Description: s.Description, RunbookURL: s.RunbookURL,
		SLOTarget: s.SLOTarget, SLOWindowDays: s.SLOWindowDays, Version: s.Version, CreatedAt: model.FormatAPI(s.CreatedAt), UpdatedAt: apiTime(s.UpdatedAt)}
}

// pathService reads the service a route's :name names (path-unescaped).
func (s *Server) pathService(c echo.Context) (*model.Service, error) {
	name, err := url.PathUnescape(c.Param("service"))
	if err != nil || model.ValidServiceName(name) != nil {
		return nil, model.ErrNotFound
	}
	return s.store.Service(c.Request().Context(), name)
}

// apiServiceList is GET /api/v1/services.
func (s *Server) apiServiceList(c echo.Context) error {
	limit, offset, err := pagination(c)
	if err != nil {
		return err
	}
	list, more, err := s.store.ServiceList(c.Request().Context(), limit, offset)
	if err != nil {
		return err
	}
	out := make([]serviceJSON, len(list))
	for i := range list {
		out[i] = serviceToJSON(&list[i])
	}
	var next *int
	if more {
		n := offset + len(list)
		next = &n
	}
	return c.JSON(http.StatusOK, map[string]any{"services": out, "limit": limit, "offset": offset, "next_offset": next})
}

// apiServiceShow is GET /api/v1/services/{name}.
func (s *Server) apiServiceShow(c echo.Context) error {
	svc, err := s.pathService(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, serviceToJSON(svc))
}

type serviceRequest struct {
	Name          *string  `json:"name"`
	OwnerTeam     string   `json:"owner_team"`
	Tier          string   `json:"tier"`
	Description   string   `json:"description"`
	RunbookURL    string   `json:"runbook_url"`
	SLOTarget     *float64 `json:"slo_target"`
	SLOWindowDays int      `json:"slo_window_days"`
	Version       *int     `json:"version"`
}

// apiServiceSave is PUT /api/v1/services/{name}: the whole entry (a field
// left out is emptied); "name" renames; "version" guards against a stale
// write. 201 when the service is new.
func (s *Server) apiServiceSave(c echo.Context) error {
	name, err := url.PathUnescape(c.Param("service"))
	if err != nil {
		return model.ErrNotFound
	}
	if err := model.ValidServiceName(name); err != nil {
		return err
	}
	var req serviceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	svc := &model.Service{OwnerTeam: req.OwnerTeam, Tier: req.Tier, Description: req.Description, RunbookURL: req.RunbookURL,
		SLOTarget: req.SLOTarget, SLOWindowDays: req.SLOWindowDays}
	if req.Name != nil {
		svc.Name = *req.Name
	}
	created, err := s.store.SaveService(c.Request().Context(), name, svc, req.Version)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, serviceToJSON(svc))
}

// budgetWindow reads from and to (RFC 3339 with an offset, or a UTC date)
// for an error budget; by default the SLO's rolling window up to now.
func budgetWindow(c echo.Context, svc *model.Service, now time.Time) (from, to time.Time, err error) {
	v := model.NewValidationError()
	to = now
	read := func(name string) (time.Time, bool) {
		q := c.QueryParam(name)
		if q == "" {
			return time.Time{}, false
		}
		if d, derr := model.ParseDate(q); derr == nil {
			return d.Time(), true
		}
		t, terr := model.ParseTimestamp(q)
		if terr != nil {
			v.Add(name, "must be a date (YYYY-MM-DD, UTC) or an RFC 3339 timestamp with an offset")
			return time.Time{}, false
		}
		return t.UTC(), true
	}
	if t, ok := read("to"); ok {
		to = t
	}
	from = to.Add(-time.Duration(svc.SLOWindowDays) * 24 * time.Hour)
	if t, ok := read("from"); ok {
		from = t
	}
	if err := v.Err(); err != nil {
		return from, to, err
	}
	switch {
	case !to.After(from):
		v.Add("to", "must be after from")
	case to.Sub(from) > model.MaxBudgetWindow:
		v.Add("from", "the window must be at most 400 days")
	}
	return from, to, v.Err()
}

// errorBudget computes a service's budget over [from, to).
func (s *Server) errorBudget(ctx context.Context, v model.Viewer, svc *model.Service, from, to time.Time) (*model.ErrorBudget, error) {
	if svc.SLOTarget == nil {
		return nil, model.FieldError("slo_target", fmt.Sprintf("service %q has no SLO target: set one first", svc.Name))
	}
	outages, err := s.store.ServiceOutages(ctx, v, svc.ID, from, to)
	if err != nil {
		return nil, err
	}
	b := model.ComputeErrorBudget(*svc.SLOTarget, from, to, outages)
	return &b, nil
}

// apiErrorBudget is GET /api/v1/services/{name}/error-budget?from=&to=.
func (s *Server) apiErrorBudget(c echo.Context) error {
	svc, err := s.pathService(c)
	if err != nil {
		return err
	}
	from, to, err := budgetWindow(c, svc, s.now())
	if err != nil {
		return err
	}
	b, err := s.errorBudget(c.Request().Context(), viewerOf(c), svc, from, to)
	if err != nil {
		return err
	}
	incs := make([]map[string]any, len(b.Incidents))
	for i, o := range b.Incidents {
		var id any = o.IncidentID
		if o.Hidden {
			id = nil // a private incident: counted, not named
		}
		incs[i] = map[string]any{"id": id, "minutes": o.Minutes, "open": o.Open}
	}
	return c.JSON(http.StatusOK, map[string]any{
		"service": svc.Name, "slo_target": b.Target, "from": model.FormatAPI(b.From), "to": model.FormatAPI(b.To),
		"window_minutes": b.WindowMinutes, "budget_minutes": b.BudgetMinutes, "spent_minutes": b.SpentMinutes,
		"remaining_minutes": b.RemainingMinutes, "incidents": incs,
	})
}

type servicesPage struct {
	Services []model.Service
	More     bool
	Next     int
}

// serviceList is GET /services.
func (s *Server) serviceList(c echo.Context) error {
	offset := 0
	if q := c.QueryParam("offset"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 0 || n > store.MaxOffset {
			return model.FieldError("offset", fmt.Sprintf("must be from 0 to %d", store.MaxOffset))
		}
		offset = n
	}
	list, more, err := s.store.ServiceList(c.Request().Context(), model.MaxPageSize, offset)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "services", s.pageData(c, servicesPage{Services: list, More: more, Next: offset + len(list)}))
}

type servicePage struct {
	Service     *model.Service
	Form        serviceForm
	Errors      map[string]string
	Incidents   []model.Incident
	Reliability model.Reliability
	Actions     []model.ActionItem
	ActionTotal int64
	MoreActions bool
	Changes     []model.Change
	Budget      *model.ErrorBudget
	BurnChart   template.HTML
	Nines       []model.NinesRow
}

type serviceForm struct {
	Name, OwnerTeam, Tier, Description, RunbookURL, SLOTarget, SLOWindowDays string
	Version                                                                  int
}

func serviceFormOf(svc *model.Service) serviceForm {
	f := serviceForm{Name: svc.Name, OwnerTeam: svc.OwnerTeam, Tier: svc.Tier, Description: svc.Description,
		RunbookURL: svc.RunbookURL, SLOWindowDays: strconv.Itoa(svc.SLOWindowDays), Version: svc.Version}
	if svc.SLOTarget != nil {
		f.SLOTarget = strconv.FormatFloat(*svc.SLOTarget, 'f', -1, 64)
	}
	return f
}

// servicePageData loads what a service's page shows.
func (s *Server) servicePageData(ctx context.Context, v model.Viewer, svc *model.Service) (*servicePage, error) {
	ctx = context.WithoutCancel(ctx)
	now := s.now()
	p := &servicePage{Service: svc, Form: serviceFormOf(svc), Nines: model.NinesTable(svc.SLOTarget, svc.SLOWindowDays)}
	var err error
	if p.Incidents, _, err = s.store.Incidents(ctx, store.IncidentFilter{Service: svc.Name, Limit: 20, Viewer: v}); err != nil {
		return nil, err
	}
	since := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1-reliabilityMonths, 0)
	recent, err := s.store.ServiceIncidentsSince(ctx, svc.ID, since, 2000)
	if err != nil {
		return nil, err
	}
	p.Reliability = model.ReliabilityOf(recent, since, now)
	if p.Actions, p.ActionTotal, err = s.store.Actions(ctx, store.ActionFilter{Service: svc.Name, Status: store.ActionActive, Limit: 20, Viewer: v}); err != nil {
		return nil, err
	}
	p.MoreActions = p.ActionTotal > int64(len(p.Actions))
	if p.Changes, _, err = s.store.Changes(ctx, store.ChangeFilter{Service: svc.Name, Limit: 20}); err != nil {
		return nil, err
	}
	if svc.SLOTarget != nil {
		from := now.Add(-time.Duration(svc.SLOWindowDays) * 24 * time.Hour)
		if p.Budget, err = s.errorBudget(ctx, v, svc, from, now); err != nil {
			return nil, err
		}
		p.BurnChart = burnChart(p.Budget)
	}
	return p, nil
}

// serviceShow is GET /services/{name}.
func (s *Server) serviceShow(c echo.Context) error {
	svc, err := s.pathService(c)
	if err != nil {
		return err
	}
	p, err := s.servicePageData(c.Request().Context(), viewerOf(c), svc)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "service", s.pageData(c, p))
}

// serviceUpdate is POST /services/{name}: the page's edit form.
func (s *Server) serviceUpdate(c echo.Context) error {
	svc, err := s.pathService(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	f := serviceForm{Name: strings.TrimSpace(c.FormValue("name")), OwnerTeam: c.FormValue("owner_team"), Tier: c.FormValue("tier"),
		Description: c.FormValue("description"), RunbookURL: c.FormValue("runbook_url"),
		SLOTarget: strings.TrimSpace(c.FormValue("slo_target")), SLOWindowDays: strings.TrimSpace(c.FormValue("slo_window_days"))}
	v := model.NewValidationError()
	in := &model.Service{Name: f.Name, OwnerTeam: f.OwnerTeam, Tier: f.Tier, Description: f.Description, RunbookURL: f.RunbookURL}
	if f.SLOTarget != "" {
		t, err := strconv.ParseFloat(strings.TrimSuffix(f.SLOTarget, "%"), 64)
		if err != nil {
			v.Add("slo_target", "must be a percentage such as 99.9")
		}
		in.SLOTarget = &t
	}
	if f.SLOWindowDays != "" {
		n, err := strconv.Atoi(f.SLOWindowDays)
		if err != nil || n < 1 {
			v.Add("slo_window_days", "must be a whole number of days")
			n = model.DefaultSLOWindowDays
		}
		in.SLOWindowDays = n
	}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil {
		v.Add("version", "is missing: reload the page")
	}
	f.Version = version
	if err := v.Err(); err == nil {
		_, err = s.store.SaveService(c.Request().Context(), svc.Name, in, &version)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/services/"+url.PathEscape(in.Name))
		}
		conflict := errors.Is(err, model.ErrConflict)
		if !conflict && !v.Merge(err) {
			return err
		}
		if conflict {
			v.Add("version", "someone changed this service meanwhile: your text is below, the page shows theirs")
		}
	}
	p, err := s.servicePageData(c.Request().Context(), viewerOf(c), svc)
	if err != nil {
		return err
	}
	p.Form, p.Errors = f, v.Fields
	p.Form.Version = svc.Version
	return c.Render(http.StatusUnprocessableEntity, "service", s.pageData(c, p))
}

// burnChart draws the remaining budget over the window as an SVG line:
// the budget at the top, zero as a rule, below it the overspend.
func burnChart(b *model.ErrorBudget) template.HTML {
	const w, h, pad = 600.0, 160.0, 8.0
	lo, hi := 0.0, b.BudgetMinutes
	for _, p := range b.Burn {
		lo = min(lo, p.Remaining)
	}
	if hi <= lo {
		hi = lo + 1
	}
	span := b.To.Sub(b.From).Seconds()
	x := func(t time.Time) float64 { return pad + (w-2*pad)*t.Sub(b.From).Seconds()/span }
	y := func(v float64) float64 { return pad + (h-2*pad)*(hi-v)/(hi-lo) }
	var pts strings.Builder
	for _, p := range b.Burn {
		fmt.Fprintf(&pts, "%.1f,%.1f ", x(p.At), y(p.Remaining))
	}
	class := "burn-ok"
	if b.Exhausted() {
		class = "burn-out"
	}
	svg := fmt.Sprintf(`<svg class="burn-chart %s" viewBox="0 0 %.0f %.0f" role="img" aria-label="Error budget remaining over the window: %.1f of %.1f minutes left">`+
		`<line class="zero" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`+
		`<text x="%.1f" y="%.1f">%.1f min</text><text x="%.1f" y="%.1f">0</text>`+
		`<polyline points="%s"/></svg>`,
		class, w, h, b.RemainingMinutes, b.BudgetMinutes, pad, w-pad, y(0), y(0),
		pad+2, y(hi)+12, b.BudgetMinutes, pad+2, y(0)-3, strings.TrimSpace(pts.String()))
	return template.HTML(svg) //nolint:gosec // numbers only
}
