package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/store"
)

// BenchmarkMetricsMiddleware measures what counting and timing a request
// costs: the same route through Echo without and with the observe
// middleware (make bench; the README quotes the figures).
func BenchmarkMetricsMiddleware(b *testing.B) {
	st := store.OpenTest(b)
	srv := testServer(b, st, Options{})
	for _, tc := range []struct {
		name string
		mw   []echo.MiddlewareFunc
	}{
		{"without", nil},
		{"with", []echo.MiddlewareFunc{srv.observe()}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := echo.New()
			e.Use(tc.mw...)
			e.GET("/incidents/:id", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
			srv.routeKnown["/incidents/:id"] = true
			req := httptest.NewRequest(http.MethodGet, "/incidents/12345", nil)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				if rec.Code != http.StatusNoContent {
					b.Fatal(rec.Code)
				}
			}
		})
	}
	// The whole stack, for scale: the health check (one SELECT 1).
	b.Run("healthz", func(b *testing.B) {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatal(rec.Code)
			}
		}
	})
}
