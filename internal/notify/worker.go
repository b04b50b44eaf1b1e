package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// Worker delivers the outbox. Each hook is served by one goroutine at a
// time, which sends its due deliveries in order and stops at the first
// failure (a later event never overtakes an earlier one); different hooks
// are delivered in parallel, so a hook whose receiver hangs holds up only
// itself, for at most Timeout.
type Worker struct {
	Store        *store.Store
	BaseURL      string // links in the payloads
	AllowPrivate bool   // let hooks reach loopback, private and link-local addresses
	Timeout      time.Duration
	Poll         time.Duration // how often to look for due retries without a signal
	Backoff      func(attempt int) time.Duration
	Log          *slog.Logger
	Now          func() time.Time
	// OnFailure, when set, is called after each failed delivery attempt
	// (metrics); it must be quick and safe for concurrent use.
	OnFailure func()

	once   sync.Once
	client *http.Client
	mu     sync.Mutex
	busy   map[int64]bool
	wg     sync.WaitGroup
}

func (w *Worker) init() {
	w.once.Do(func() {
		if w.Timeout <= 0 {
			w.Timeout = 10 * time.Second
		}
		if w.Poll <= 0 {
			w.Poll = 2 * time.Second
		}
		if w.Backoff == nil {
			w.Backoff = Backoff
		}
		if w.Log == nil {
			w.Log = slog.New(slog.DiscardHandler)
		}
		if w.Now == nil {
			w.Now = func() time.Time { return time.Now().UTC() }
		}
		w.busy = map[int64]bool{}
		w.client = NewClient(w.AllowPrivate, w.Timeout)
	})
}

// NewClient is the HTTP client of deliveries: no proxy from the
// environment, at most 3 redirects, and every connection's address checked
// after resolution, so neither a name nor a redirect reaches a private
// address unless allowPrivate.
func NewClient(allowPrivate bool, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return err
		}
		if model.IsPrivateAddr(ap.Addr()) {
			return fmt.Errorf("refused to connect to %s: a loopback, private or link-local address (see --webhook-allow-private)", ap.Addr())
		}
		return nil
	}}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy: nil, DialContext: dialer.DialContext, MaxIdleConnsPerHost: 4,
			TLSHandshakeTimeout: 5 * time.Second, ResponseHeaderTimeout: timeout, IdleConnTimeout: 90 * time.Second,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("more than 3 redirects")
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return errors.New("redirect to a non-http URL")
			}
			return nil
		},
	}
}

// Run delivers until ctx ends, then waits for the deliveries in flight.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	defer w.wg.Wait()
	for {
		w.Round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-w.Store.OutboxSignal():
		case <-time.After(w.Poll):
		}
	}
}

// Round starts a goroutine for every hook with due deliveries that is not
// being served already.
func (w *Worker) Round(ctx context.Context) {
	w.init()
	queued, err := w.Store.DueDeliveries(ctx, w.Now())
	if err != nil {
		if ctx.Err() == nil {
			w.Log.Error("webhooks: read the outbox", "error", err)
		}
		return
	}
	for _, q := range queued {
		w.mu.Lock()
		if w.busy[q.Hook.ID] {
			w.mu.Unlock()
			continue
		}
		w.busy[q.Hook.ID] = true
		w.mu.Unlock()
		w.wg.Add(1)
		go func(q store.QueuedHook) {
			defer w.wg.Done()
			defer func() {
				w.mu.Lock()
				delete(w.busy, q.Hook.ID)
				w.mu.Unlock()
			}()
			w.serve(ctx, q)
		}(q)
	}
}

// Drain delivers until nothing is due (tests and benchmarks).
func (w *Worker) Drain(ctx context.Context) {
	w.init()
	for ctx.Err() == nil {
		queued, err := w.Store.DueDeliveries(ctx, w.Now())
		if err != nil || len(queued) == 0 {
			return
		}
		w.Round(ctx)
		w.wg.Wait()
	}
}

// serve sends a hook's due deliveries in order, stopping at the first that
// fails, and records the attempts.
func (w *Worker) serve(ctx context.Context, q store.QueuedHook) {
	var attempts []store.Attempt
	flush := func() {
		if err := w.Store.RecordAttempts(context.WithoutCancel(ctx), q.Hook.ID, attempts); err != nil {
			w.Log.Error("webhooks: record attempts", "webhook_id", q.Hook.ID, "error", err)
		}
		attempts = attempts[:0]
	}
	defer flush()
	for i := range q.Deliveries {
		d := &q.Deliveries[i]
		if ctx.Err() != nil || d.NextAttemptAt.After(w.Now()) {
			return
		}
		a := w.attempt(ctx, &q.Hook, d)
		attempts = append(attempts, a)
		if !a.Delivered {
			if w.OnFailure != nil {
				w.OnFailure()
			}
			w.Log.Warn("webhooks: delivery failed", "webhook_id", q.Hook.ID, "delivery_id", d.ID, "status", a.StatusCode, "error", a.Err)
			return
		}
		if len(attempts) == 50 {
			flush()
		}
	}
}

// attempt sends one delivery and says what follows.
func (w *Worker) attempt(ctx context.Context, h *model.Webhook, d *model.Delivery) store.Attempt {
	now := w.Now()
	a := store.Attempt{DeliveryID: d.ID, At: now}
	fail := func(msg string) store.Attempt {
		a.Err = msg
		a.Next, a.Failed = nextAttempt(d.CreatedAt, now, d.Attempts+1, w.Backoff)
		return a
	}
	body, err := Body(h.Format, d, w.BaseURL)
	if err != nil {
		a.Err, a.Failed = err.Error(), true
		return a
	}
	headers, err := Sign(h.Secret, d.MsgID, time.Now(), body) // the wall clock: receivers check it against theirs
	if err != nil {
		a.Err, a.Failed = "sign: "+err.Error(), true
		return a
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, strings.NewReader(string(body)))
	if err != nil {
		a.Err, a.Failed = err.Error(), true
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Debrief-Webhooks/1")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	res, err := w.client.Do(req)
	a.Latency = time.Since(start)
	if err != nil {
		return fail(cleanError(err, h.URL))
	}
	excerpt, _ := io.ReadAll(io.LimitReader(res.Body, 2048))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20)) // let the connection be reused
	res.Body.Close()
	a.StatusCode, a.Excerpt = res.StatusCode, excerptOf(excerpt)
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		a.Delivered = true
		return a
	case res.StatusCode == http.StatusGone:
		a.Gone = true
	}
	return fail(fmt.Sprintf("HTTP %d", res.StatusCode))
}

// cleanError keeps an error's reason without the URL's query (which may
// carry a receiver's token).
func cleanError(err error, rawURL string) string {
	msg := err.Error()
	if i := strings.Index(rawURL, "?"); i >= 0 {
		msg = strings.ReplaceAll(msg, rawURL, rawURL[:i]+"?…")
	}
	return msg
}

func excerptOf(b []byte) string {
	s := strings.ToValidUTF8(string(b), "")
	if utf8.RuneCountInString(s) > 500 {
		s = string([]rune(s)[:500]) + "…"
	}
	return s
}
