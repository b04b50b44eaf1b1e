package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
)

type categoriesPage struct {
	Categories []model.FactorCategory
	Errors     map[string]string
	Notice     string
	Form       model.FactorCategory
}

func (s *Server) categoryList(c echo.Context) error {
	cats, err := s.store.FactorCategories(c.Request().Context())
	if err != nil {
		return err
	}
	p := categoriesPage{Categories: cats, Notice: c.QueryParam("notice")}
	p.Form.Position = len(cats) + 1
	if n := len(cats); n > 0 {
		p.Form.Position = cats[n-1].Position + 1
	}
	return c.Render(http.StatusOK, "categories", s.pageData(c, p))
}

// categoryName reads the category named in the path. Names may hold a
// slash ("runbook/documentation"), sent escaped as %2F: the router then
// matches on the escaped path and hands the segment over still escaped.
func categoryName(c echo.Context) string {
	name := c.Param("category")
	if c.Request().URL.RawPath != "" {
		if u, err := url.PathUnescape(name); err == nil {
			name = u
		}
	}
	return name
}

// categorySave creates a category (no :category) or changes one: its
// name (carried over to every factor in it), description or order.
func (s *Server) categorySave(c echo.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	fc := model.FactorCategory{Name: c.FormValue("name"), Description: c.FormValue("description")}
	pos, err := strconv.Atoi(c.FormValue("position"))
	if err != nil {
		err = model.FieldError("position", "must be a whole number from 1 to 1000")
	} else {
		fc.Position = pos
		if name := categoryName(c); name != "" {
			err = s.store.UpdateFactorCategory(c.Request().Context(), name, &fc)
		} else {
			err = s.store.CreateFactorCategory(c.Request().Context(), &fc)
		}
	}
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		cats, cerr := s.store.FactorCategories(c.Request().Context())
		if cerr != nil {
			return cerr
		}
		return c.Render(http.StatusUnprocessableEntity, "categories", s.pageData(c, categoriesPage{Categories: cats, Errors: ve.Fields, Form: fc}))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/categories?notice="+url.QueryEscape("Saved "+fc.Name))
}

// categoryDelete removes an unused category; one in use is a 409.
func (s *Server) categoryDelete(c echo.Context) error {
	name := categoryName(c)
	if err := s.store.DeleteFactorCategory(c.Request().Context(), name); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/categories?notice="+url.QueryEscape("Deleted "+name))
}
