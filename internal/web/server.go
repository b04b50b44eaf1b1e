// Package web is Debrief's HTTP layer: the Echo instance, its routes,
// middleware, error mapping, page rendering and JSON API.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yuin/goldmark"

	"github.com/debrief-dev/debrief/internal/store"
)

// MaxBodyBytes is the largest request body accepted (413 beyond).
const MaxBodyBytes = 1 << 20

// Server holds what the handlers share.
type Server struct {
	store *store.Store
	log   *slog.Logger
	echo  *echo.Echo
	pages *renderer
	md    goldmark.Markdown
	now   func() time.Time
}

// New builds the HTTP handler over st. It parses every template up front
// and fails fast on a broken one.
func New(st *store.Store, log *slog.Logger) (*Server, error) {
	s := &Server{store: st, log: log, md: newMarkdown(), now: st.Now}
	r, err := newRenderer(s.funcs())
	if err != nil {
		return nil, err
	}
	s.pages = r
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Renderer = r
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = echo.ExtractIPDirect()
	s.echo = e
	s.routes()
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }
