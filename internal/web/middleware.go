package web

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// recoverer turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recoverer() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					if r == http.ErrAbortHandler {
						panic(r)
					}
					err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
				}
			}()
			return next(c)
		}
	}
}

// requestID gives every request an id (kept from X-Request-Id when it is
// sane), echoed in the response and attached to every log line.
func (s *Server) requestID() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			id := c.Request().Header.Get(echo.HeaderXRequestID)
			if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < '!' || r > '~' }) {
				var b [8]byte
				_, _ = rand.Read(b[:])
				id = hex.EncodeToString(b[:])
			}
			c.Response().Header().Set(echo.HeaderXRequestID, id)
			c.Set("request_id", id)
			return next(c)
		}
	}
}

func (s *Server) requestLog() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		Skipper:     func(c echo.Context) bool { return strings.HasPrefix(c.Path(), "/static/") },
		HandleError: true, // so the logged status is the one the error handler writes
		LogLatency:  true, LogMethod: true, LogURIPath: true, LogStatus: true, LogRemoteIP: true, LogError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			attrs := []slog.Attr{
				slog.String("request_id", requestIDOf(c)),
				slog.String("method", v.Method),
				slog.String("path", v.URIPath),
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency),
				slog.String("remote_ip", v.RemoteIP),
			}
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
				if v.Error != nil {
					attrs = append(attrs, slog.String("error", v.Error.Error()))
				}
			}
			s.log.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	})
}

func requestIDOf(c echo.Context) string {
	id, _ := c.Get("request_id").(string)
	return id
}

// bodyLimitOf is the largest body a request may send: MaxBodyBytes, or
// MaxTranscriptBytes for a chat transcript.
func bodyLimitOf(c echo.Context) int64 {
	if strings.HasSuffix(c.Request().URL.Path, "/transcript") {
		return MaxTranscriptBytes
	}
	return MaxBodyBytes
}

func (s *Server) bodyLimit() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			limit := bodyLimitOf(c)
			if r.ContentLength > limit {
				return echo.ErrStatusRequestEntityTooLarge
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
			return next(c)
		}
	}
}

// contentSecurityPolicy allows no inline script or style and no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) securityHeaders() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "same-origin")
			if s.opts.SecureCookies {
				// Served over HTTPS: browsers must never fall back to HTTP.
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			if !strings.HasPrefix(c.Request().URL.Path, "/static/") {
				// Pages, API answers and exports hold what only signed-in
				// people may read: no cache, shared or private, keeps them.
				// (ETags still answer clients that ask with If-None-Match.)
				h.Set(echo.HeaderCacheControl, "no-store")
			}
			return next(c)
		}
	}
}

// scheme is how the client reached Debrief: https when the connection is
// TLS, or when a trusted proxy (--trusted-proxies) says so in
// X-Forwarded-Proto; nobody else is believed.
func (s *Server) scheme(c echo.Context) string {
	r := c.Request()
	if r.TLS != nil {
		return "https"
	}
	if s.trustedProxy(r) {
		if p := strings.ToLower(r.Header.Get("X-Forwarded-Proto")); p == "https" || p == "http" {
			return p
		}
	}
	return "http"
}

// host is the address the client used: the Host header, or a trusted
// proxy's X-Forwarded-Host.
func (s *Server) host(c echo.Context) string {
	r := c.Request()
	if s.trustedProxy(r) {
		if h := r.Header.Get("X-Forwarded-Host"); h != "" && !strings.ContainsAny(h, "/\\ @") {
			return h
		}
	}
	return r.Host
}

// staticHandler serves embedded assets with a short cache lifetime (the
// files change with each release and carry no fingerprint yet).
func staticHandler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age="+fmt.Sprint(int((time.Hour).Seconds())))
		files.ServeHTTP(w, r)
	})
}

// etag gives every HTML page an ETag (a hash of the page as sent) and
// answers 304 Not Modified when the browser already has that page: a
// reader who reloads an unchanged incident page gets no body. Pages are
// rendered into a buffer anyway (render.go), so hashing them costs one
// pass. Other responses (files, exports, event streams) pass through.
func etag() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Request().Method != http.MethodGet || isEventStream(c) {
				return next(c)
			}
			res := c.Response()
			w := &etagWriter{ResponseWriter: res.Writer, req: c.Request()}
			res.Writer = w
			err := next(c)
			res.Writer = w.ResponseWriter
			if ferr := w.finish(); err == nil {
				err = ferr
			}
			return err
		}
	}
}

// etagWriter holds back a 200 HTML page until it is complete.
type etagWriter struct {
	http.ResponseWriter
	req       *http.Request
	buffering bool
	decided   bool
	buf       bytes.Buffer
}

func (w *etagWriter) WriteHeader(code int) {
	if w.decided {
		return
	}
	w.decided = true
	ct := w.Header().Get(echo.HeaderContentType)
	if code == http.StatusOK && strings.HasPrefix(ct, echo.MIMETextHTML) && w.Header().Get("ETag") == "" {
		w.buffering = true
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *etagWriter) Write(b []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	if w.buffering {
		return w.buf.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *etagWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *etagWriter) finish() error {
	if !w.buffering {
		return nil
	}
	sum := sha256.Sum256(w.buf.Bytes())
	tag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
	h := w.Header()
	h.Set("ETag", tag)
	if h.Get(echo.HeaderCacheControl) == "" {
		// Signed-in pages: the browser may keep a copy but must ask first.
		h.Set(echo.HeaderCacheControl, "private, no-cache")
	}
	if etagMatches(w.req.Header.Get("If-None-Match"), tag) {
		h.Del(echo.HeaderContentType)
		h.Del(echo.HeaderContentLength)
		w.ResponseWriter.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.ResponseWriter.WriteHeader(http.StatusOK)
	_, err := w.ResponseWriter.Write(w.buf.Bytes())
	return err
}

// etagMatches reports whether an If-None-Match header names tag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func etagMatches(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == tag || t == "*" {
			return true
		}
	}
	return false
}
