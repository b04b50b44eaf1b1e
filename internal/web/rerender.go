package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
)

// rerender shows a form page again after err when the page can say what
// went wrong: a *model.ValidationError (422, the messages beside the
// fields) or a *model.ConflictError (409, both versions). show puts them
// into the page and returns its data; exactly one of fields and ce is
// set. Any other error (and nil) is returned as it is, for the caller or
// the error handler.
func (s *Server) rerender(c echo.Context, err error, page string, show func(fields map[string]string, ce *model.ConflictError) any) error {
	var (
		ve *model.ValidationError
		ce *model.ConflictError
	)
	switch {
	case errors.As(err, &ve):
		return c.Render(http.StatusUnprocessableEntity, page, s.pageData(c, show(ve.Fields, nil)))
	case errors.As(err, &ce):
		return c.Render(http.StatusConflict, page, s.pageData(c, show(nil, ce)))
	}
	return err
}
