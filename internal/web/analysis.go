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
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/diagram"
	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
)

// analysisPage is the analysis area of an incident page: contributing
// factors, whys trees and action items. Failed is the one form whose save
// was refused, re-rendered open with the typed input and its errors.
type analysisPage struct {
	Factors      []model.Factor
	FactorTitles map[int64]string
	Categories   []model.FactorCategory
	Roots        []*model.WhyNode
	WhyTexts     map[int64]string
	Diagrams     map[int64]template.HTML
	Actions      []model.ActionItem
	People       []string // the incident's roles, for the blameless lint
	Now          time.Time
	Failed       *failedForm
}

// failedForm is a form of the analysis area that was refused. Key names
// the form ("factor-new", "factor-12", "why-child-7", "promote-7"; an
// item's buttons are "factor-12-item"), or "analysis" when the form is
// not on the page, so that its errors show at the top of the area.
type failedForm struct {
	Key      string
	Values   url.Values
	Errors   map[string]string
	Conflict string
}

func (s *Server) loadAnalysis(ctx context.Context, inc *model.Incident) (*analysisPage, error) {
	factors, err := s.store.Factors(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	roots, err := s.store.Whys(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	actions, err := s.store.IncidentActions(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	cats, err := s.store.FactorCategories(ctx)
	if err != nil {
		return nil, err
	}
	a := &analysisPage{
		Factors: factors, FactorTitles: factorTitles(factors), Categories: cats, Roots: roots,
		WhyTexts: map[int64]string{}, Diagrams: map[int64]template.HTML{}, Actions: actions,
		People: rolePeople(inc), Now: s.now(),
	}
	for _, r := range roots {
		r.Walk(func(n *model.WhyNode) { a.WhyTexts[n.ID] = n.Text })
		svg := diagram.Whys(r, diagram.Options{IDPrefix: fmt.Sprintf("why-tree-%d", r.ID), Factors: a.FactorTitles})
		a.Diagrams[r.ID] = template.HTML(svg) //nolint:gosec // package diagram escapes every text it draws
	}
	return a, nil
}

func factorTitles(fs []model.Factor) map[int64]string {
	m := make(map[int64]string, len(fs))
	for _, f := range fs {
		m[f.ID] = f.Title
	}
	return m
}

// fail records a refused form. A key that names no form on the page
// becomes "analysis", so its errors are still shown.
func (a *analysisPage) fail(f *failedForm) {
	if !a.hasForm(f.Key) {
		f.Key = "analysis"
	}
	a.Failed = f
}

func (a *analysisPage) hasForm(key string) bool {
	if key == "factor-new" || key == "why-new" {
		return true
	}
	kind, rest, _ := strings.Cut(key, "-")
	rest = strings.TrimPrefix(strings.TrimPrefix(rest, "child-"), "sibling-")
	rest = strings.TrimSuffix(rest, "-item")
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		return false
	}
	switch kind {
	case "factor":
		_, ok := a.FactorTitles[id]
		return ok
	case "why", "promote":
		_, ok := a.WhyTexts[id]
		return ok
	}
	return false
}

// Open reports whether the form key is the one that failed (its
// <details> opens).
func (a *analysisPage) Open(key string) bool { return a.Failed != nil && a.Failed.Key == key }

// Val is what the form key shows in field: the typed value after a
// refused save, else def.
func (a *analysisPage) Val(key, field, def string) string {
	if a.Open(key) {
		if vs, ok := a.Failed.Values[field]; ok && len(vs) > 0 {
			return vs[0]
		}
	}
	return def
}

// Checked is Val for a checkbox.
func (a *analysisPage) Checked(key, field string, def bool) bool {
	if a.Open(key) {
		return a.Failed.Values.Get(field) != ""
	}
	return def
}

// Errs are the field errors of the form key (nil unless it failed).
func (a *analysisPage) Errs(key string) map[string]string {
	if a.Open(key) {
		return a.Failed.Errors
	}
	return nil
}

// Err is the error of one field of the form key.
func (a *analysisPage) Err(key, field string) string { return a.Errs(key)[field] }

// Conflict is the message of a stale save of the form key.
func (a *analysisPage) Conflict(key string) string {
	if a.Open(key) {
		return a.Failed.Conflict
	}
	return ""
}

// NewFactor is the blank factor the add form starts from.
func (a *analysisPage) NewFactor() *model.Factor { return &model.Factor{} }

// FactorTitle is the title of the factor a node links to.
func (a *analysisPage) FactorTitle(id *int64) string {
	if id == nil {
		return ""
	}
	if t, ok := a.FactorTitles[*id]; ok {
		return t
	}
	return fmt.Sprintf("#%d", *id)
}

// FactorRef is the id of the factor a node links to, for an anchor.
func (a *analysisPage) FactorRef(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

// FactorActions are the action items linked to factor id.
func (a *analysisPage) FactorActions(id int64) []*model.ActionItem {
	var out []*model.ActionItem
	for i := range a.Actions {
		for _, f := range a.Actions[i].FactorIDs {
			if f == id {
				out = append(out, &a.Actions[i])
			}
		}
	}
	return out
}

// FreeFactors are the factors without a whys tree of their own, offered
// when starting a new tree.
func (a *analysisPage) FreeFactors() []model.Factor {
	used := map[int64]bool{}
	for _, r := range a.Roots {
		if r.FactorID != nil {
			used[*r.FactorID] = true
		}
	}
	var out []model.Factor
	for _, f := range a.Factors {
		if !used[f.ID] {
			out = append(out, f)
		}
	}
	return out
}

// analysisDone answers a change to the analysis: the area as a fragment
// for htmx, a redirect back to anchor otherwise.
func (s *Server) analysisDone(c echo.Context, id int64, anchor string) error {
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d#%s", id, anchor))
	}
	data, err := s.incidentPageData(c, id, false)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "incident#analysis", s.pageData(c, data))
}

// analysisResult answers a save of the form key: done when err is nil; a
// validation error (422) or a stale version (409) re-renders the page, or
// just the area for htmx, with the form open, the input kept and the
// reasons beside the fields. Other errors are returned.
func (s *Server) analysisResult(c echo.Context, id int64, key, anchor string, err error) error {
	if err == nil {
		return s.analysisDone(c, id, anchor)
	}
	var (
		ve *model.ValidationError
		ce *model.ConflictError
	)
	f := &failedForm{Key: key, Values: url.Values{}}
	for k, vs := range c.Request().PostForm {
		f.Values[k] = vs
	}
	status := http.StatusUnprocessableEntity
	switch {
	case errors.As(err, &ve):
		f.Errors = ve.Fields
	case errors.As(err, &ce):
		// Saving again is a knowing overwrite of the version shown now.
		status, f.Conflict = http.StatusConflict, ce.Error()
		switch cur := ce.Current.(type) {
		case *model.Factor:
			f.Values.Set("version", strconv.Itoa(cur.Version))
		case *model.WhyNode:
			f.Values.Set("version", strconv.Itoa(cur.Version))
		}
	default:
		return err
	}
	data, derr := s.incidentPageData(c, id, false)
	if derr != nil {
		return derr
	}
	data.Analysis.fail(f)
	if isHTMX(c) {
		return c.Render(status, "incident#analysis", s.pageData(c, data))
	}
	return c.Render(status, "incident", s.pageData(c, data))
}

// formID reads an optional id from a form field: empty is nil, anything
// but a positive whole number a 422 on that field.
func formID(c echo.Context, field string) (*int64, error) {
	raw := strings.TrimSpace(c.FormValue(field))
	if raw == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil, model.FieldError(field, "must be the id of a record of this incident")
	}
	return &id, nil
}

// formMove reads the version and direction of a move up/down button and
// returns the new position of an item now at pos.
func formMove(c echo.Context, pos int) (version, to int, err error) {
	if version, err = formVersion(c); err != nil {
		return 0, 0, err
	}
	switch c.FormValue("direction") {
	case "up":
		return version, pos - 1, nil
	case "down":
		return version, pos + 1, nil
	}
	return 0, 0, model.FieldError("direction", "must be up or down")
}

// factorPath reads the incident and factor ids of a factor route.
func factorPath(c echo.Context) (id, factorID int64, err error) {
	if id, err = pathID(c, "id"); err != nil {
		return 0, 0, err
	}
	factorID, err = pathID(c, "factorID")
	return id, factorID, err
}

// whyPath reads the incident and node ids of a why route.
func whyPath(c echo.Context) (id, whyID int64, err error) {
	if id, err = pathID(c, "id"); err != nil {
		return 0, 0, err
	}
	whyID, err = pathID(c, "whyID")
	return id, whyID, err
}

func (s *Server) factorCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	f := &model.Factor{
		IncidentID: id, Title: c.FormValue("title"), Description: c.FormValue("description"),
		Category: c.FormValue("category"), IsTrigger: c.FormValue("is_trigger") != "",
	}
	err = s.store.CreateFactor(c.Request().Context(), f)
	return s.analysisResult(c, id, "factor-new", fmt.Sprintf("factor-%d", f.ID), err)
}

func (s *Server) factorUpdate(c echo.Context) error {
	id, factorID, err := factorPath(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	title, desc, cat := c.FormValue("title"), c.FormValue("description"), c.FormValue("category")
	trigger := c.FormValue("is_trigger") != ""
	p := model.FactorPatch{Title: &title, Description: &desc, Category: &cat, IsTrigger: &trigger}
	p.Version, err = formVersion(c)
	if err == nil {
		_, err = s.store.UpdateFactor(c.Request().Context(), id, factorID, p)
	}
	return s.analysisResult(c, id, fmt.Sprintf("factor-%d", factorID), fmt.Sprintf("factor-%d", factorID), err)
}

func (s *Server) factorMove(c echo.Context) error {
	id, factorID, err := factorPath(c)
	if err != nil {
		return err
	}
	cur, err := s.store.Factor(c.Request().Context(), id, factorID)
	if err != nil {
		return err
	}
	version, to, err := formMove(c, cur.Position)
	if err == nil {
		_, err = s.store.UpdateFactor(c.Request().Context(), id, factorID, model.FactorPatch{Position: &to, Version: version})
	}
	return s.analysisResult(c, id, fmt.Sprintf("factor-%d-item", factorID), fmt.Sprintf("factor-%d", factorID), err)
}

// factorDelete removes a factor; its action items stay, unlinked.
func (s *Server) factorDelete(c echo.Context) error {
	id, factorID, err := factorPath(c)
	if err != nil {
		return err
	}
	version, err := formVersion(c)
	if err == nil {
		err = s.store.DeleteFactor(c.Request().Context(), id, factorID, version)
	}
	return s.analysisResult(c, id, fmt.Sprintf("factor-%d-item", factorID), "factors", err)
}

// whyCreate adds a node: a new root (a problem statement, or the tree of
// a factor), a child of parent_id, or a sibling right after sibling_of.
func (s *Server) whyCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	n := &model.WhyNode{IncidentID: id, Text: c.FormValue("text")}
	key := "why-new"
	var at *int
	err = func() error {
		sibling, err := formID(c, "sibling_of")
		if err != nil {
			return err
		}
		if sibling != nil {
			key = fmt.Sprintf("why-sibling-%d", *sibling)
			sib, err := s.store.WhyNode(ctx, id, *sibling)
			if errors.Is(err, model.ErrNotFound) {
				return model.FieldError("sibling_of", fmt.Sprintf("there is no why node %d in this incident", *sibling))
			} else if err != nil {
				return err
			}
			pos := sib.Position + 1
			n.ParentID, at = sib.ParentID, &pos
		} else {
			if n.ParentID, err = formID(c, "parent_id"); err != nil {
				return err
			}
			if n.ParentID != nil {
				key = fmt.Sprintf("why-child-%d", *n.ParentID)
			}
		}
		if n.FactorID, err = formID(c, "factor_id"); err != nil {
			return err
		}
		if n.FactorID != nil && strings.TrimSpace(n.Text) == "" {
			// A factor's tree starts from the factor itself.
			f, err := s.store.Factor(ctx, id, *n.FactorID)
			if err != nil && !errors.Is(err, model.ErrNotFound) {
				return err
			}
			if f != nil {
				n.Text = f.Title
			}
		}
		return s.store.CreateWhy(ctx, n, at)
	}()
	return s.analysisResult(c, id, key, fmt.Sprintf("why-%d", n.ID), err)
}

func (s *Server) whyMove(c echo.Context) error {
	id, whyID, err := whyPath(c)
	if err != nil {
		return err
	}
	cur, err := s.store.WhyNode(c.Request().Context(), id, whyID)
	if err != nil {
		return err
	}
	version, to, err := formMove(c, cur.Position)
	if err == nil {
		_, err = s.store.UpdateWhy(c.Request().Context(), id, whyID, model.WhyPatch{Position: &to, Version: version})
	}
	return s.analysisResult(c, id, fmt.Sprintf("why-%d-item", whyID), fmt.Sprintf("why-%d", whyID), err)
}

// whyDelete removes a node and every answer below it.
func (s *Server) whyDelete(c echo.Context) error {
	id, whyID, err := whyPath(c)
	if err != nil {
		return err
	}
	version, err := formVersion(c)
	if err == nil {
		_, err = s.store.DeleteWhy(c.Request().Context(), id, whyID, version)
	}
	return s.analysisResult(c, id, fmt.Sprintf("why-%d-item", whyID), "whys", err)
}

// whyPromote turns a node into a new contributing factor linked to it.
func (s *Server) whyPromote(c echo.Context) error {
	id, whyID, err := whyPath(c)
	if err != nil {
		return err
	}
	version, err := formVersion(c)
	if err == nil {
		f := &model.Factor{
			Title: c.FormValue("title"), Category: c.FormValue("category"),
			IsTrigger: c.FormValue("is_trigger") != "",
		}
		_, err = s.store.PromoteWhy(c.Request().Context(), id, whyID, version, f)
	}
	return s.analysisResult(c, id, fmt.Sprintf("promote-%d", whyID), fmt.Sprintf("why-%d", whyID), err)
}

// whyOption is a node offered in a select or a list of checkboxes,
// indented by its depth.
type whyOption struct {
	ID    int64
	Text  string
	Depth int
}

// Indent is the option's text indented by its depth, for a <select> or a
// list of checkboxes.
func (o whyOption) Indent() string {
	if o.Depth == 0 {
		return truncateText(o.Text, 80)
	}
	return strings.Repeat("\u00a0\u00a0\u00a0", o.Depth-1) + "↳ " + truncateText(o.Text, 80)
}

func truncateText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// whyOptions flattens trees depth first, leaving out skip and everything
// below it.
func whyOptions(roots []*model.WhyNode, skip int64) []whyOption {
	var out []whyOption
	var walk func(n *model.WhyNode)
	walk = func(n *model.WhyNode) {
		if n.ID == skip {
			return
		}
		out = append(out, whyOption{ID: n.ID, Text: n.Text, Depth: n.Depth})
		for _, c := range n.Children {
			walk(c)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return out
}

func findWhy(roots []*model.WhyNode, id int64) *model.WhyNode {
	var found *model.WhyNode
	for _, r := range roots {
		r.Walk(func(n *model.WhyNode) {
			if n.ID == id {
				found = n
			}
		})
	}
	return found
}

// whyForm is what the why edit page posts; ids are kept as typed.
type whyForm struct {
	Text, ParentID, FactorID string
	Version                  int
}

type whyEditPage struct {
	Incident *model.Incident
	Node     *model.WhyNode // as stored now, with its subtree
	Form     whyForm
	Parents  []whyOption // every node but this one and its answers
	Factors  []model.Factor
	People   []string
	Errors   map[string]string
	Conflict string
}

func idString(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

func (s *Server) whyPage(c echo.Context) (*whyEditPage, error) {
	id, whyID, err := whyPath(c)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	inc, err := s.store.Incident(ctx, id)
	if err != nil {
		return nil, err
	}
	roots, err := s.store.Whys(ctx, id)
	if err != nil {
		return nil, err
	}
	node := findWhy(roots, whyID)
	if node == nil {
		return nil, model.ErrNotFound
	}
	factors, err := s.store.Factors(ctx, id)
	if err != nil {
		return nil, err
	}
	return &whyEditPage{
		Incident: inc, Node: node, Parents: whyOptions(roots, whyID), Factors: factors, People: rolePeople(inc),
		Form: whyForm{Text: node.Text, ParentID: idString(node.ParentID), FactorID: idString(node.FactorID), Version: node.Version},
	}, nil
}

func (s *Server) whyEdit(c echo.Context) error {
	data, err := s.whyPage(c)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "why_edit", s.pageData(c, data))
}

// whyUpdate saves the edit page: text, parent (a move, maybe to the top
// level) and linked factor.
func (s *Server) whyUpdate(c echo.Context) error {
	data, err := s.whyPage(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	f := whyForm{Text: c.FormValue("text"), ParentID: c.FormValue("parent_id"), FactorID: c.FormValue("factor_id")}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	p := model.WhyPatch{Text: &f.Text, SetParent: true, SetFactor: true, Version: f.Version}
	v := model.NewValidationError()
	if p.ParentID, err = formID(c, "parent_id"); err != nil {
		v.Merge(err)
	}
	if p.FactorID, err = formID(c, "factor_id"); err != nil {
		v.Merge(err)
	}
	err = v.Err()
	if err == nil {
		_, err = s.store.UpdateWhy(c.Request().Context(), data.Incident.ID, data.Node.ID, p)
	}
	if err == nil {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d#why-%d", data.Incident.ID, data.Node.ID))
	}
	return s.rerender(c, err, "why_edit", func(fields map[string]string, ce *model.ConflictError) any {
		data.Form, data.Errors = f, fields
		if ce != nil {
			if cur, ok := ce.Current.(*model.WhyNode); ok {
				f.Version = cur.Version
				data.Node.Text, data.Node.ParentID, data.Node.FactorID = cur.Text, cur.ParentID, cur.FactorID
			}
			data.Form, data.Conflict = f, ce.Error()
		}
		return data
	})
}

// whyDiagram serves the SVG diagram of one whys tree; id must be a root.
func (s *Server) whyDiagram(c echo.Context) error {
	id, whyID, err := whyPath(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	roots, err := s.store.Whys(ctx, id)
	if err != nil {
		return err
	}
	for _, r := range roots {
		if r.ID != whyID {
			continue
		}
		factors, err := s.store.Factors(ctx, id)
		if err != nil {
			return err
		}
		prefix := fmt.Sprintf("why-tree-%d", r.ID)
		svg := diagram.Whys(r, diagram.Options{IDPrefix: prefix, Factors: factorTitles(factors)})
		c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`inline; filename="incident-%d-%s.svg"`, id, prefix))
		return c.Blob(http.StatusOK, "image/svg+xml", svg)
	}
	return model.ErrNotFound
}

type lintPreview struct {
	Findings []lint.Finding
	Error    string
}

// lintPreview checks text being typed into an analysis form (POST
// /lint-preview) and answers the warnings as a fragment. It reads the
// field text, or the title and description of a factor or action item
// form; incident_id names the incident whose roles count as people. It
// writes nothing, so viewers may call it.
func (s *Server) lintPreview(c echo.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	texts := []string{c.FormValue("text"), c.FormValue("title"), c.FormValue("description")}
	for _, t := range texts {
		if n := utf8.RuneCountInString(t); n > model.MaxMarkdownLen {
			msg := fmt.Sprintf("The text is too long to check (%d characters; at most %d).", n, model.MaxMarkdownLen)
			return c.Render(http.StatusUnprocessableEntity, "incident#lint_preview", lintPreview{Error: msg})
		}
	}
	var people []string
	incID, err := formID(c, "incident_id")
	if err != nil {
		return err
	}
	if incID != nil {
		inc, err := s.store.VisibleIncident(c.Request().Context(), viewerOf(c), *incID)
		if err != nil {
			return err
		}
		people = rolePeople(inc)
	}
	return c.Render(http.StatusOK, "incident#lint_preview", lintPreview{Findings: s.findings(people, texts...)})
}
