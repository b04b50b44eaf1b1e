package web

import (
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"

	assets "github.com/debrief-dev/debrief/web"
)

// routes is the whole route table.
func (s *Server) routes() {
	e := s.echo
	e.Pre(s.recoverer())
	e.Use(s.requestID(), s.requestLog(), s.bodyLimit(), securityHeaders())

	static, _ := fs.Sub(assets.FS, ".")
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", staticHandler(static))))
	e.GET("/favicon.ico", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/static/img/favicon.svg") })
	e.GET("/healthz", s.healthz)

	e.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/incidents") })
	e.GET("/incidents", s.incidentList)
	e.GET("/incidents/new", s.incidentNew)
	e.POST("/incidents", s.incidentCreate)
	e.GET("/incidents/:id", s.incidentShow)
	e.GET("/incidents/:id/edit", s.incidentEdit)
	e.POST("/incidents/:id/edit", s.incidentUpdate)
	e.POST("/incidents/:id/status", s.incidentStatus)
	e.POST("/incidents/:id/timeline", s.timelineAppend)
	e.GET("/incidents/:id/timeline/:entryID/edit", s.timelineEdit)
	e.POST("/incidents/:id/timeline/:entryID/edit", s.timelineUpdate)
	e.POST("/incidents/:id/timeline/:entryID/delete", s.timelineDelete)
	e.GET("/time-preview", s.timePreview)

	api := e.Group("/api/v1")
	api.GET("/severities", s.apiSeverities)
	api.GET("/incidents", s.apiIncidentList)
	api.POST("/incidents", s.apiIncidentCreate)
	api.GET("/incidents/:id", s.apiIncidentShow)
	api.PATCH("/incidents/:id", s.apiIncidentUpdate)
	api.GET("/incidents/:id/timeline", s.apiTimelineList)
	api.POST("/incidents/:id/timeline", s.apiTimelineAppend)
	api.GET("/incidents/:id/timeline/:entryID", s.apiTimelineShow)
	api.PATCH("/incidents/:id/timeline/:entryID", s.apiTimelineUpdate)
	api.DELETE("/incidents/:id/timeline/:entryID", s.apiTimelineDelete)
	api.Any("/*", func(echo.Context) error { return echo.ErrNotFound })
}
