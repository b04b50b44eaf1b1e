package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
)

type severitiesPage struct {
	Severities []model.Severity
	Errors     map[string]string
	Notice     string
	Form       model.Severity
}

func (s *Server) severityList(c echo.Context) error {
	sevs, err := s.store.Severities(c.Request().Context())
	if err != nil {
		return err
	}
	p := severitiesPage{Severities: sevs, Notice: c.QueryParam("notice")}
	p.Form.Position = len(sevs) + 1
	p.Form.ActionDueWeeks = model.DefaultActionDueWeeks
	return c.Render(http.StatusOK, "severities", s.pageData(c, p))
}

func readSeverity(c echo.Context) (model.Severity, error) {
	sv := model.Severity{Name: c.FormValue("name"), Description: c.FormValue("description")}
	pos, err := strconv.Atoi(c.FormValue("position"))
	if err != nil {
		return sv, model.FieldError("position", "must be a whole number from 1 to 1000")
	}
	sv.Position = pos
	if w := c.FormValue("action_due_weeks"); w != "" {
		if sv.ActionDueWeeks, err = strconv.Atoi(w); err != nil || sv.ActionDueWeeks < 1 {
			return sv, model.FieldError("action_due_weeks", "must be a whole number of weeks from 1 to 104")
		}
	}
	return sv, nil
}

// severitySave creates a level (no :name) or changes one (with :name).
func (s *Server) severitySave(c echo.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	sv, err := readSeverity(c)
	if err == nil {
		if name := c.Param("name"); name != "" {
			err = s.store.UpdateSeverity(c.Request().Context(), name, &sv)
		} else {
			err = s.store.CreateSeverity(c.Request().Context(), &sv)
		}
	}
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		sevs, serr := s.store.Severities(c.Request().Context())
		if serr != nil {
			return serr
		}
		return c.Render(http.StatusUnprocessableEntity, "severities", s.pageData(c, severitiesPage{Severities: sevs, Errors: ve.Fields, Form: sv}))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/severities?notice="+url.QueryEscape("Saved "+sv.Name))
}

func (s *Server) severityDelete(c echo.Context) error {
	if err := s.store.DeleteSeverity(c.Request().Context(), c.Param("name")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/severities?notice="+url.QueryEscape("Deleted "+c.Param("name")))
}
