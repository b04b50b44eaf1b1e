package web

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/debrief-dev/debrief/internal/store"
)

// DefaultMetricsAllow is who may read /metrics without a token: loopback.
var DefaultMetricsAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// opsCacheFor is how long the counts read from the database for a scrape
// are reused, so that a storm of scrapes costs SQLite one query set.
const opsCacheFor = 15 * time.Second

// unmatchedRoute labels requests no route matched: the raw path is the
// client's to choose and must never become a label.
const unmatchedRoute = "unmatched"

// Metrics are Debrief's Prometheus metrics, in a registry of their own
// (no package globals: tests run many servers in one process). The store
// reports group commits to it (store.WithObserver) and the webhook worker
// its failures (DeliveryFailed); the server adds what it counts itself and
// what is read at scrape time.
type Metrics struct {
	reg              *prometheus.Registry
	requests         *prometheus.CounterVec
	latency          *prometheus.HistogramVec
	appendBatch      prometheus.Histogram
	appendCommit     prometheus.Histogram
	appendFailures   prometheus.Counter
	sseConnections   prometheus.Gauge
	sseDropped       prometheus.Counter
	deliveryFailures prometheus.Counter
	runtimeOnce      sync.Once
}

// NewMetrics makes the metrics and their registry. The Go runtime and
// process collectors join it at the first scrape: making them costs more
// than the rest together (tests make many servers that are never scraped).
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "debrief_http_requests_total",
			Help: "HTTP requests by method, route pattern and status class.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "debrief_http_request_duration_seconds",
			Help:    "HTTP request latency by method, route pattern and status class (event streams are left out: they last as long as their reader).",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route", "status"}),
		appendBatch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "debrief_timeline_append_batch_size",
			Help:    "Timeline entries committed together by one group commit.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 8), // 1 … 128, the largest batch
		}),
		appendCommit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "debrief_timeline_append_commit_seconds",
			Help:    "Time of one group commit of timeline entries, from taking the write lock to the durable commit.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14), // 0.5 ms … 4 s
		}),
		appendFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "debrief_timeline_append_commit_failures_total",
			Help: "Group commits of timeline entries that failed.",
		}),
		sseConnections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "debrief_sse_connections",
			Help: "Open live-event streams (Server-Sent Events).",
		}),
		sseDropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "debrief_sse_dropped_readers_total",
			Help: "Live-event readers cut off for reading too slowly (they catch up from the log when they reconnect).",
		}),
		deliveryFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "debrief_webhook_delivery_failures_total",
			Help: "Webhook delivery attempts that failed (each is retried with backoff).",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.appendBatch, m.appendCommit, m.appendFailures,
		m.sseConnections, m.sseDropped, m.deliveryFailures)
	return m
}

// withRuntime adds the Go runtime and process collectors, once.
func (m *Metrics) withRuntime() {
	m.runtimeOnce.Do(func() {
		m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	})
}

// AppendBatch implements store.Observer.
func (m *Metrics) AppendBatch(n int, d time.Duration, err error) {
	if err != nil {
		m.appendFailures.Inc()
		return
	}
	m.appendBatch.Observe(float64(n))
	m.appendCommit.Observe(d.Seconds())
}

// DeliveryFailed counts a failed webhook delivery attempt (notify.Worker's
// OnFailure).
func (m *Metrics) DeliveryFailed() { m.deliveryFailures.Inc() }

var statusClasses = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

func statusClass(code int) string {
	if code < 100 || code > 599 {
		return "5xx" // nothing written, or nonsense: count it with the failures
	}
	return statusClasses[code/100-1]
}

// methodLabel keeps the method label to the methods the routes use.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// observe counts every request and times it, labelled with the route
// pattern that matched (c.Path(), e.g. /incidents/:id), never the path.
func (s *Server) observe() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // writes the status; the error handler does nothing twice
			}
			route := c.Path()
			if !s.routeKnown[route] {
				route = unmatchedRoute
			}
			method, status := methodLabel(c.Request().Method), statusClass(c.Response().Status)
			s.metrics.requests.WithLabelValues(method, route, status).Inc()
			if route != "/incidents/:id/events" {
				s.metrics.latency.WithLabelValues(method, route, status).Observe(time.Since(start).Seconds())
			}
			return err
		}
	}
}

// metricsShow is GET /metrics: public to the session layer, guarded by its
// own check. It answers the addresses of --metrics-allow, or a caller with
// Authorization: Bearer --metrics-token; anyone else gets 403.
func (s *Server) metricsShow(c echo.Context) error {
	if !s.metricsAllowed(c.Request(), c.RealIP()) {
		return echo.NewHTTPError(http.StatusForbidden, "metrics are served only to --metrics-allow addresses or with the --metrics-token bearer token")
	}
	s.metrics.withRuntime()
	s.metricsHandler.ServeHTTP(c.Response(), c.Request())
	return nil
}

func (s *Server) metricsAllowed(r *http.Request, realIP string) bool {
	if tok := s.opts.MetricsToken; tok != "" {
		scheme, secret, ok := strings.Cut(r.Header.Get(echo.HeaderAuthorization), " ")
		if ok && strings.EqualFold(scheme, "Bearer") &&
			subtle.ConstantTimeCompare([]byte(strings.TrimSpace(secret)), []byte(tok)) == 1 {
			return true
		}
	}
	if len(s.opts.TrustedProxies) == 0 {
		// A reverse proxy on this host makes every visitor look like
		// loopback: a forwarded request is not the proxy's own.
		for _, h := range []string{echo.HeaderXForwardedFor, echo.HeaderXRealIP, "Forwarded"} {
			if r.Header.Get(h) != "" {
				return false
			}
		}
	}
	addr, err := netip.ParseAddr(realIP)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, p := range s.metricsAllow {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// storeCollector reads, at scrape time, what the database holds: file
// sizes (a stat each), and the counts (cached for opsCacheFor).
type storeCollector struct {
	st  *store.Store
	log *slog.Logger

	mu     sync.Mutex
	at     time.Time
	counts store.OpsCounts
	ok     bool

	dbBytes, walBytes, unavailable, pending, overdue, open *prometheus.Desc
}

func newStoreCollector(st *store.Store, log *slog.Logger) *storeCollector {
	return &storeCollector{st: st, log: log,
		dbBytes:     prometheus.NewDesc("debrief_sqlite_file_bytes", "Size of the SQLite database file.", nil, nil),
		walBytes:    prometheus.NewDesc("debrief_sqlite_wal_bytes", "Size of the SQLite write-ahead log.", nil, nil),
		unavailable: prometheus.NewDesc("debrief_storage_unavailable", "1 while writes fail for want of storage (disk full, read-only, I/O error), within the last 30 s.", nil, nil),
		pending:     prometheus.NewDesc("debrief_webhook_outbox_pending", "Webhook deliveries waiting in the outbox.", nil, nil),
		overdue:     prometheus.NewDesc("debrief_overdue_action_items", "Action items open or in progress past their due date.", nil, nil),
		open:        prometheus.NewDesc("debrief_open_incidents", "Incidents not resolved, by severity.", []string{"severity"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (sc *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{sc.dbBytes, sc.walBytes, sc.unavailable, sc.pending, sc.overdue, sc.open} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (sc *storeCollector) Collect(ch chan<- prometheus.Metric) {
	db, wal := sc.st.FileSizes()
	ch <- prometheus.MustNewConstMetric(sc.dbBytes, prometheus.GaugeValue, float64(db))
	ch <- prometheus.MustNewConstMetric(sc.walBytes, prometheus.GaugeValue, float64(wal))
	down := 0.0
	if sc.st.WriteHealth() != nil {
		down = 1
	}
	ch <- prometheus.MustNewConstMetric(sc.unavailable, prometheus.GaugeValue, down)

	counts, ok := sc.opsCounts()
	if !ok {
		return
	}
	ch <- prometheus.MustNewConstMetric(sc.pending, prometheus.GaugeValue, float64(counts.PendingDeliveries))
	ch <- prometheus.MustNewConstMetric(sc.overdue, prometheus.GaugeValue, float64(counts.OverdueActions))
	for sev, n := range counts.OpenIncidents {
		ch <- prometheus.MustNewConstMetric(sc.open, prometheus.GaugeValue, float64(n), sev)
	}
}

// opsCounts are the store's counts, read at most once per opsCacheFor;
// concurrent scrapes wait for the one reading.
func (sc *storeCollector) opsCounts() (store.OpsCounts, bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if !sc.at.IsZero() && time.Since(sc.at) < opsCacheFor {
		return sc.counts, sc.ok
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := sc.st.OpsCounts(ctx)
	if err != nil {
		sc.log.Error("metrics: count open incidents, overdue actions and pending deliveries", "error", err)
	}
	sc.at, sc.counts, sc.ok = time.Now(), counts, err == nil
	return sc.counts, sc.ok
}

// newMetricsHandler serves m's registry, with the server's store gauges.
func newMetricsHandler(m *Metrics, st *store.Store, log *slog.Logger) (http.Handler, error) {
	if err := m.reg.Register(newStoreCollector(st, log)); err != nil {
		return nil, err
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, MaxRequestsInFlight: 4}), nil
}
