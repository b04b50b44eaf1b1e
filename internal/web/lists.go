package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
)

// The admin lists (model.ListKind), the severity scale and the factor
// categories: one handler set and one page ("list") for both.

// adminList is an admin list's kind and its store methods.
type adminList struct {
	kind  model.ListKind
	param string // the path parameter naming an entry
	all   func(context.Context) ([]model.ListEntry, error)
	// save adds e (name "") or changes the entry called name, and returns
	// e as the store normalised it.
	save func(ctx context.Context, name string, e model.ListEntry) (model.ListEntry, error)
	del  func(ctx context.Context, name string) error
	// blank is the add form of a list of entries.
	blank func([]model.ListEntry) model.ListEntry
}

func (s *Server) severityAdmin() *adminList {
	return &adminList{
		kind: model.SeverityList, param: "name",
		all: func(ctx context.Context) ([]model.ListEntry, error) {
			sevs, err := s.store.Severities(ctx)
			out := make([]model.ListEntry, len(sevs))
			for i, sv := range sevs {
				out[i] = model.ListEntry{Name: sv.Name, Description: sv.Description, Position: sv.Position, ActionDueWeeks: sv.ActionDueWeeks}
			}
			return out, err
		},
		save: func(ctx context.Context, name string, e model.ListEntry) (model.ListEntry, error) {
			sv := model.Severity{Name: e.Name, Description: e.Description, Position: e.Position, ActionDueWeeks: e.ActionDueWeeks}
			var err error
			if name != "" {
				err = s.store.UpdateSeverity(ctx, name, &sv)
			} else {
				err = s.store.CreateSeverity(ctx, &sv)
			}
			return model.ListEntry{Name: sv.Name, Description: sv.Description, Position: sv.Position, ActionDueWeeks: sv.ActionDueWeeks}, err
		},
		del: s.store.DeleteSeverity,
		blank: func(sevs []model.ListEntry) model.ListEntry {
			return model.ListEntry{Position: len(sevs) + 1, ActionDueWeeks: model.DefaultActionDueWeeks}
		},
	}
}

func (s *Server) categoryAdmin() *adminList {
	return &adminList{
		kind: model.CategoryList, param: "category",
		all: func(ctx context.Context) ([]model.ListEntry, error) {
			cats, err := s.store.FactorCategories(ctx)
			out := make([]model.ListEntry, len(cats))
			for i, fc := range cats {
				out[i] = model.ListEntry{Name: fc.Name, Description: fc.Description, Position: fc.Position}
			}
			return out, err
		},
		save: func(ctx context.Context, name string, e model.ListEntry) (model.ListEntry, error) {
			fc := model.FactorCategory{Name: e.Name, Description: e.Description, Position: e.Position}
			var err error
			if name != "" {
				err = s.store.UpdateFactorCategory(ctx, name, &fc)
			} else {
				err = s.store.CreateFactorCategory(ctx, &fc)
			}
			return model.ListEntry{Name: fc.Name, Description: fc.Description, Position: fc.Position}, err
		},
		del: s.store.DeleteFactorCategory,
		blank: func(cats []model.ListEntry) model.ListEntry {
			e := model.ListEntry{Position: len(cats) + 1}
			if n := len(cats); n > 0 {
				e.Position = cats[n-1].Position + 1
			}
			return e
		},
	}
}

// listPage is the page of an admin list.
type listPage struct {
	Kind    model.ListKind
	Entries []model.ListEntry
	Errors  map[string]string
	Notice  string
	Form    model.ListEntry
}

func (s *Server) severityList(c echo.Context) error   { return s.listShow(c, s.severityAdmin()) }
func (s *Server) severitySave(c echo.Context) error   { return s.listSave(c, s.severityAdmin()) }
func (s *Server) severityDelete(c echo.Context) error { return s.listDelete(c, s.severityAdmin()) }
func (s *Server) categoryList(c echo.Context) error   { return s.listShow(c, s.categoryAdmin()) }
func (s *Server) categorySave(c echo.Context) error   { return s.listSave(c, s.categoryAdmin()) }
func (s *Server) categoryDelete(c echo.Context) error { return s.listDelete(c, s.categoryAdmin()) }

func (s *Server) listShow(c echo.Context, l *adminList) error {
	entries, err := l.all(c.Request().Context())
	if err != nil {
		return err
	}
	p := listPage{Kind: l.kind, Entries: entries, Notice: c.QueryParam("notice"), Form: l.blank(entries)}
	return c.Render(http.StatusOK, "list", s.pageData(c, p))
}

// entryName reads the entry named in the path. Names may hold a slash
// ("runbook/documentation"), sent escaped as %2F: the router then
// matches on the escaped path and hands the segment over still escaped.
func (l *adminList) entryName(c echo.Context) string {
	name := c.Param(l.param)
	if c.Request().URL.RawPath != "" {
		if u, err := url.PathUnescape(name); err == nil {
			name = u
		}
	}
	return name
}

// readEntry reads the add or change form of an entry.
func (l *adminList) readEntry(c echo.Context) (model.ListEntry, error) {
	e := model.ListEntry{Name: c.FormValue("name"), Description: c.FormValue("description")}
	pos, err := strconv.Atoi(c.FormValue("position"))
	if err != nil {
		return e, model.FieldError("position", "must be a whole number from 1 to 1000")
	}
	e.Position = pos
	if w := c.FormValue("action_due_weeks"); l.kind.DueWeeks && w != "" {
		if e.ActionDueWeeks, err = strconv.Atoi(w); err != nil || e.ActionDueWeeks < 1 {
			return e, model.FieldError("action_due_weeks", "must be a whole number of weeks from 1 to 104")
		}
	}
	return e, nil
}

// listSave adds an entry (no name in the path) or changes one: its name
// (carried over to everything that uses it), description or order.
func (s *Server) listSave(c echo.Context, l *adminList) error {
	if err := parseForm(c); err != nil {
		return err
	}
	e, err := l.readEntry(c)
	if err == nil {
		e, err = l.save(c.Request().Context(), l.entryName(c), e)
	}
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		entries, lerr := l.all(c.Request().Context())
		if lerr != nil {
			return lerr
		}
		return s.rerender(c, ve, "list", func(fields map[string]string, _ *model.ConflictError) any {
			return listPage{Kind: l.kind, Entries: entries, Errors: fields, Form: e}
		})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/"+l.kind.Path+"?notice="+url.QueryEscape("Saved "+e.Name))
}

// listDelete removes an unused entry; one in use is a 409.
func (s *Server) listDelete(c echo.Context, l *adminList) error {
	name := l.entryName(c)
	if err := l.del(c.Request().Context(), name); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/"+l.kind.Path+"?notice="+url.QueryEscape("Deleted "+name))
}
