package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// errorJSON is the one error shape of the JSON API.
type errorJSON struct {
	Error   string             `json:"error"`
	Fields  map[string]string  `json:"fields,omitempty"`
	Current any                `json:"current,omitempty"`
	Reasons []model.GateReason `json:"reasons,omitempty"`
}

type errorPage struct {
	Status  int
	Title   string
	Message string
	Fields  map[string]string
	Back    string // the incident the request was about, if any
}

// incidentOf is the page of the incident a path is about ("" if none), so
// an error there leads back to it rather than to the incident list.
func incidentOf(path string) string {
	rest, ok := strings.CutPrefix(path, "/incidents/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return ""
	}
	return "/incidents/" + id
}

// handleError is the only place errors become responses: model errors map
// to their statuses, anything unknown to a generic 500 whose cause is
// logged with the request id and never shown.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, body := s.classify(err, c)
	var ea errAuth
	if errors.As(err, &ea) && (isAPI(c) || isFeed(c)) && c.Response().Header().Get(echo.HeaderWWWAuthenticate) == "" {
		// RFC 6750: every 401 names the scheme; a refused token says why.
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="debrief", error="invalid_token"`)
	}
	if status >= 500 {
		s.log.Error("request failed", "request_id", requestIDOf(c), "method", c.Request().Method,
			"path", c.Request().URL.Path, "error", err)
	}
	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(status)
	case isAPI(c), isEventStream(c), isFeed(c):
		werr = c.JSON(status, body)
	default:
		msg := body.Error
		if len(body.Fields) > 0 { // listed below by their labels, not the API's keys
			msg = "This request has invalid input:"
		}
		werr = c.Render(status, "error", s.pageData(c, errorPage{
			Status: status, Title: http.StatusText(status), Message: msg, Fields: body.Fields,
			Back: incidentOf(c.Request().URL.Path),
		}))
		if werr != nil {
			werr = c.String(status, body.Error)
		}
	}
	if werr != nil {
		s.log.Error("write error response", "request_id", requestIDOf(c), "error", werr)
	}
}

func (s *Server) classify(err error, c echo.Context) (int, errorJSON) {
	var (
		ve *model.ValidationError
		ce *model.ConflictError
		he *echo.HTTPError
		mb *http.MaxBytesError
		ea errAuth
		ge *model.GateError
	)
	switch {
	case errors.As(err, &ge):
		return http.StatusUnprocessableEntity, errorJSON{Error: ge.Message, Reasons: ge.Reasons}
	case errors.As(err, &ea):
		return http.StatusUnauthorized, errorJSON{Error: ea.msg}
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity, errorJSON{Error: "invalid input: " + fieldSummary(ve.Fields), Fields: ve.Fields}
	case errors.As(err, &ce):
		var current any
		if ce.Current != nil && isAPI(c) {
			current = s.toJSON(c, ce.Current)
		}
		return http.StatusConflict, errorJSON{Error: ce.Error(), Current: current}
	case errors.Is(err, model.ErrConflict):
		return http.StatusConflict, errorJSON{Error: "the record was changed by someone else; reload and try again"}
	case errors.Is(err, model.ErrNotFound):
		return http.StatusNotFound, errorJSON{Error: "not found"}
	case errors.Is(err, model.ErrStorageUnavailable):
		// The write was rolled back whole: say so, and that it is the
		// server's state, not the request (the cause is in the log).
		return http.StatusServiceUnavailable, errorJSON{Error: model.ErrStorageUnavailable.Error()}
	case errors.As(err, &mb):
		return http.StatusRequestEntityTooLarge, errorJSON{Error: fmt.Sprintf("request body is larger than %d bytes", bodyLimitOf(c))}
	case errors.As(err, &he):
		if he.Code == http.StatusRequestEntityTooLarge {
			return he.Code, errorJSON{Error: fmt.Sprintf("request body is larger than %d bytes", bodyLimitOf(c))}
		}
		if he.Code >= 500 {
			return http.StatusInternalServerError, errorJSON{Error: "internal error; the request id is " + requestIDOf(c)}
		}
		msg := strings.ToLower(http.StatusText(he.Code))
		if m, ok := he.Message.(string); ok && he.Internal == nil {
			msg = m
		}
		return he.Code, errorJSON{Error: msg}
	}
	return http.StatusInternalServerError, errorJSON{Error: "internal error; the request id is " + requestIDOf(c)}
}

// toJSON renders a record carried by a conflict in its API shape.
func (s *Server) toJSON(c echo.Context, v any) any {
	// The findings on analysis records name people from the incident's roles.
	var people []string
	if id, err := pathID(c, "id"); err == nil {
		if inc, err := s.store.Incident(c.Request().Context(), id); err == nil {
			people = rolePeople(inc)
		}
	}
	switch r := v.(type) {
	case *model.Incident:
		return incidentToJSON(r)
	case *model.TimelineEntry:
		return entryToJSON(r)
	case *model.Factor:
		return s.factorToJSON(r, people)
	case *model.WhyNode:
		return s.whyToJSON(r, people)
	case *model.ActionItem:
		return s.actionToJSON(r, people, s.now())
	case *model.Postmortem:
		return postmortemToJSON(r, s.postmortemDue(r))
	case *store.PostmortemConflict:
		return postmortemConflictJSON(r)
	}
	return nil
}

func fieldSummary(fields map[string]string) string {
	err := (&model.ValidationError{Fields: fields}).Error()
	return strings.TrimPrefix(err, "invalid input: ")
}

// isEventStream reports whether c asks for an incident's live events
// (answered like the API when refused: an EventSource reads no pages).
func isEventStream(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, "/incidents/") && strings.HasSuffix(p, "/events")
}

func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == "/api/v1" || strings.HasPrefix(p, "/api/") || p == "/healthz" || strings.HasPrefix(p, "/integrations/")
}
