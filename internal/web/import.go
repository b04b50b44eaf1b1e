package web

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
	"github.com/debrief-dev/debrief/internal/store"
)

// Round-trip import: a postmortem exported as Markdown, edited in a wiki,
// comes back and updates narrative sections and action items by their
// stable ids; a Markdown file in another shape becomes a new draft
// incident. One transaction per file.

// readUpload reads the file of an import: the request body itself
// (text/markdown, text/plain, application/octet-stream), the "file"
// field of a multipart form, or {"markdown": "..."} as JSON. The body limit makes a large upload a 413.
func readUpload(c echo.Context) ([]byte, error) {
	r := c.Request()
	ct, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	var src io.Reader = r.Body
	switch ct {
	case "text/markdown", "text/x-markdown", "text/plain", "application/octet-stream", "":
	case echo.MIMEApplicationJSON:
		var req struct {
			Markdown *string `json:"markdown"`
		}
		if err := decodeJSON(c, &req); err != nil {
			return nil, err
		}
		if req.Markdown == nil || *req.Markdown == "" {
			return nil, model.FieldError("markdown", "is required: the Markdown file's text")
		}
		return []byte(*req.Markdown), nil
	case echo.MIMEApplicationForm:
		return nil, model.FieldError("file", "choose a Markdown file to import")
	case echo.MIMEMultipartForm:
		if err := parseForm(c); err != nil {
			return nil, err
		}
		f, _, err := r.FormFile("file")
		if err != nil {
			return nil, model.FieldError("file", "choose a Markdown file to import")
		}
		defer f.Close()
		src = f
	default:
		return nil, echo.NewHTTPError(http.StatusUnsupportedMediaType, "send the Markdown file as the body (text/markdown), as the file field of a multipart form, or as {\"markdown\": \"...\"}")
	}
	b, err := io.ReadAll(src)
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return nil, echo.ErrStatusRequestEntityTooLarge
	}
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "could not read the upload")
	}
	if len(b) == 0 {
		return nil, model.FieldError("file", "is empty")
	}
	return b, nil
}

// apiImport applies one Markdown file: 200 with what changed, 201 when it
// created a new incident, 409 when Debrief changed meanwhile, 422 when the
// file does not parse or names ids that are not the incident's.
func (s *Server) apiImport(c echo.Context) error {
	src, err := readUpload(c)
	if err != nil {
		return err
	}
	rep, err := postmortem.Import(c.Request().Context(), s.store, viewerOf(c), src)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if rep.Created {
		status = http.StatusCreated
	}
	return c.JSON(status, rep)
}

type importPage struct {
	Report *store.ImportReport
	Errors map[string]string
	Error  string
}

func (s *Server) importForm(c echo.Context) error {
	return c.Render(http.StatusOK, "import", s.pageData(c, importPage{}))
}

// importUpload is the page version of the import: the report, or the
// reason the file was refused, on the same page.
func (s *Server) importUpload(c echo.Context) error {
	src, err := readUpload(c)
	var rep *store.ImportReport
	if err == nil {
		rep, err = postmortem.Import(c.Request().Context(), s.store, viewerOf(c), src)
	}
	if err == nil {
		return c.Render(http.StatusOK, "import", s.pageData(c, importPage{Report: rep}))
	}
	return s.rerender(c, err, "import", func(fields map[string]string, ce *model.ConflictError) any {
		if ce != nil {
			return importPage{Error: ce.Error()}
		}
		return importPage{Errors: fields}
	})
}
