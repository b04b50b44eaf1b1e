// Package web is Debrief's HTTP layer: the Echo instance, its routes,
// middleware, error mapping, page rendering and JSON API.
package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/yuin/goldmark"

	"github.com/debrief-dev/debrief/internal/auth"
	"github.com/debrief-dev/debrief/internal/events"
	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// MaxBodyBytes is the largest request body accepted (413 beyond).
const MaxBodyBytes = 1 << 20

// Login attempts allowed per address, and per address and account, in
// loginWindow. Failures per account (from anywhere) are never refused, only
// slowed down (loginDelay), so strangers cannot lock an owner out.
const (
	loginAttempts      = 10
	loginWindow        = time.Minute
	loginFailureWindow = 15 * time.Minute
)

// loginDelay is how long a sign-in to an account waits after n recent
// failures on it: nothing for the first few, then doubling up to 4 s.
func loginDelay(n int) time.Duration {
	if n < 3 {
		return 0
	}
	return min(250*time.Millisecond<<min(n-3, 10), 4*time.Second)
}

// Server holds what the handlers share.
type Server struct {
	store    *store.Store
	log      *slog.Logger
	opts     Options
	echo     *echo.Echo
	pages    *renderer
	md       goldmark.Markdown
	sessions *scs.SessionManager
	logins   *auth.Limiter // per address, and per address and account
	failures *auth.Limiter // failed sign-ins per account: slow down, never refuse
	pause    func(ctx context.Context, d time.Duration)
	lint     *lint.Checker
	now      func() time.Time
	table    []routeInfo
	openAPI  []byte // the API's OpenAPI document (openapi.go)
	// apiDocsData is the document as the page /docs/api shows it.
	apiDocsData apiDocsPage
	// exporting holds a token while a bulk export runs: one at a time.
	exporting chan struct{}

	// The live room: who is viewing each incident, the SSE frames of
	// recent events, and the signal that ends every stream at shutdown.
	presence        *events.Presence
	presenceMu      sync.Mutex
	presencePending map[int64]bool
	frames          *frameCache
	timelines       *timelineCache
	closing         chan struct{}
	closeOnce       sync.Once

	// Prometheus metrics (metrics.go): /metrics serves metricsHandler to
	// metricsAllow or the metrics token; routeKnown are the route
	// patterns a request may be labelled with.
	metrics        *Metrics
	metricsHandler http.Handler
	metricsAllow   []netip.Prefix
	routeKnown     map[string]bool
}

// New builds the HTTP handler over st. It parses every template up front
// and fails fast on a broken one.
func New(st *store.Store, log *slog.Logger, opts Options) (*Server, error) {
	if opts.SessionIdle == 0 {
		opts.SessionIdle = 12 * time.Hour
	}
	if opts.SessionLifetime == 0 {
		opts.SessionLifetime = 7 * 24 * time.Hour
	}
	s := &Server{store: st, log: log, opts: opts, md: newMarkdown(), now: st.Now,
		logins:   auth.NewLimiter(loginAttempts, loginWindow),
		failures: auth.NewLimiter(64, loginFailureWindow),
		pause: func(ctx context.Context, d time.Duration) {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		},
		presence: events.NewPresence(st.Now), presencePending: map[int64]bool{},
		frames: newFrameCache(1024), timelines: newTimelineCache(64), closing: make(chan struct{}),
		exporting: make(chan struct{}, 1)}
	r, err := newRenderer(s.funcs())
	if err != nil {
		return nil, err
	}
	s.pages = r
	if s.metrics = opts.Metrics; s.metrics == nil {
		s.metrics = NewMetrics()
	}
	if s.metricsAllow = opts.MetricsAllow; len(s.metricsAllow) == 0 {
		s.metricsAllow = DefaultMetricsAllow
	}
	if s.metricsHandler, err = newMetricsHandler(s.metrics, st, log); err != nil {
		return nil, err
	}
	if s.lint, err = lint.Default(); err != nil {
		return nil, err
	}
	if s.sessions, err = s.newSessions(); err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Renderer = r
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = ipExtractor(opts.TrustedProxies)
	s.echo = e
	s.routes()
	s.routeKnown = map[string]bool{}
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Name, "echo_route_not_found") && r.Method != echo.RouteNotFound {
			s.routeKnown[r.Path] = true
		}
	}
	if err := s.buildOpenAPI(); err != nil {
		return nil, err
	}
	return s, nil
}

// ipExtractor finds the client address used by the login limiter and the
// logs: the connection's peer, or, behind trusted proxies, the address they
// put in X-Forwarded-For (never one a client could forge).
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		if _, ipnet, err := net.ParseCIDR(p.String()); err == nil {
			opts = append(opts, echo.TrustIPRange(ipnet))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// routeInfo records the role each route needs (the authorization matrix).
type routeInfo struct {
	Method, Path string
	Role         model.Role // "" for public routes
}

// group registers routes that share one minimum role.
type group struct {
	s    *Server
	role model.Role
}

func (g group) add(method, path string, h echo.HandlerFunc) {
	var mw []echo.MiddlewareFunc
	if g.role != "" {
		mw = append(mw, g.s.require(g.role))
	}
	if incidentRoute(path) {
		mw = append(mw, g.s.incidentGate())
	}
	g.s.echo.Add(method, path, h, mw...)
	g.s.table = append(g.s.table, routeInfo{Method: method, Path: path, Role: g.role})
}

func (g group) GET(path string, h echo.HandlerFunc)    { g.add(http.MethodGet, path, h) }
func (g group) POST(path string, h echo.HandlerFunc)   { g.add(http.MethodPost, path, h) }
func (g group) PATCH(path string, h echo.HandlerFunc)  { g.add(http.MethodPatch, path, h) }
func (g group) DELETE(path string, h echo.HandlerFunc) { g.add(http.MethodDelete, path, h) }
func (g group) PUT(path string, h echo.HandlerFunc)    { g.add(http.MethodPut, path, h) }
