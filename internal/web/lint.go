package web

import (
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
)

type lintRequest struct {
	Text   *string  `json:"text"`
	People []string `json:"people"`
}

// apiLint checks text for blame-shaped language (POST /api/v1/lint). It
// writes nothing, so viewers may call it.
func (s *Server) apiLint(c echo.Context) error {
	var req lintRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Text == nil {
		return model.FieldError("text", "is required")
	}
	if n := utf8.RuneCountInString(*req.Text); n > model.MaxMarkdownLen {
		return model.FieldError("text", fmt.Sprintf("must be at most %d characters (got %d)", model.MaxMarkdownLen, n))
	}
	if len(req.People) > model.MaxResponders+3 {
		return model.FieldError("people", fmt.Sprintf("at most %d names", model.MaxResponders+3))
	}
	return c.JSON(http.StatusOK, map[string][]lint.Finding{"findings": s.lint.Check(*req.Text, req.People)})
}
