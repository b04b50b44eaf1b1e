package web

// Benchmarks behind the figures in issue 13's closing note (make bench):
//
//	go test -tags sqlite_fts5 -run '^$' -bench 'LiveFanout|IncidentPageVsStatic' -benchtime 3000x ./internal/web/
//
// BenchmarkLiveFanout: 64 clients append timeline entries over loopback
// HTTP while 0 or 500 readers follow the incident's event stream; compare
// the two entries/s figures. Latency is from the store's publish (right
// after commit) to a reader reading the event's id off its stream.
//
// BenchmarkIncidentPageVsStatic: 16 clients fetch an incident page with
// 200 entries, the same bytes as a static file served by the same code as
// /static, and the page again with If-None-Match (304).

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/debrief-dev/debrief/internal/events"
	"github.com/debrief-dev/debrief/internal/store"
)

// stampBroker records when each event was published (just after its
// commit), for delivery latency.
type stampBroker struct {
	events.Broker
	at sync.Map // event id → time.Time
}

func (s *stampBroker) Publish(evs ...events.Event) {
	now := time.Now()
	for _, ev := range evs {
		if ev.ID != 0 {
			s.at.Store(ev.ID, now)
		}
	}
	s.Broker.Publish(evs...)
}

// timedReaders of the readers parse every event and time its delivery.
const timedReaders = 20

// countIDs reads an event stream until it has seen want "id: " lines (or
// the stream ends) and returns how many it saw.
func countIDs(r io.Reader, want int64) int64 {
	var (
		n    int64
		buf  = make([]byte, 64<<10)
		tail []byte // the end of the previous read, for a marker split across reads
	)
	marker := []byte("\nid: ")
	for n < want {
		k, err := r.Read(buf)
		if k > 0 {
			chunk := append(tail, buf[:k]...)
			n += int64(bytes.Count(chunk, marker))
			keep := min(len(chunk), len(marker)-1)
			tail = append(tail[:0], chunk[len(chunk)-keep:]...)
		}
		if err != nil {
			break
		}
	}
	return n
}

func BenchmarkLiveFanout(b *testing.B) {
	for _, readers := range []int{0, 500} {
		b.Run(fmt.Sprintf("readers_%d", readers), func(b *testing.B) {
			broker := &stampBroker{Broker: events.NewLocal(0)}
			st, _, incID := benchDB(b, store.WithBroker(broker))
			srv, cred := benchServer(b, st)
			ts := httptest.NewServer(srv)
			defer ts.Close()
			defer srv.CloseStreams()

			// Readers: each counts the events it reads and their latency.
			var (
				mu        sync.Mutex
				latencies []time.Duration
				ready     sync.WaitGroup
				done      sync.WaitGroup
				dropped   atomic.Int64
			)
			start, _ := st.LastEventID(b.Context(), incID)
			counts := make([]int64, readers)
			rt := &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: readers + 1}
			defer rt.CloseIdleConnections()
			for r := range readers {
				ready.Add(1)
				done.Add(1)
				go func() {
					defer done.Done()
					req, _ := http.NewRequestWithContext(b.Context(), http.MethodGet,
						fmt.Sprintf("%s/incidents/%d/events?last_event_id=%d", ts.URL, incID, start), nil)
					req.AddCookie(cred.session)
					resp, err := rt.RoundTrip(req)
					if err != nil {
						ready.Done()
						b.Errorf("reader %d: %v", r, err)
						return
					}
					defer resp.Body.Close()
					ready.Done()
					if r >= timedReaders {
						// The rest only count ids, cheaply: the client shares the
						// machine's two cores with the server being measured.
						counts[r] = countIDs(resp.Body, int64(b.N))
						if counts[r] < int64(b.N) {
							dropped.Add(1)
						}
						return
					}
					sc := bufio.NewScanner(resp.Body)
					sc.Buffer(make([]byte, 64<<10), 1<<20)
					var mine []time.Duration
					last := int64(-1)
					for sc.Scan() {
						line := sc.Bytes()
						if !bytes.HasPrefix(line, []byte("id: ")) {
							continue
						}
						id, _ := strconv.ParseInt(string(line[4:]), 10, 64)
						if id <= last {
							b.Errorf("reader %d: id %d after %d", r, id, last)
						}
						last = id
						if at, ok := broker.at.Load(id); ok {
							mine = append(mine, time.Since(at.(time.Time)))
						}
						counts[r]++
						if counts[r] == int64(b.N) {
							break
						}
					}
					if counts[r] < int64(b.N) {
						dropped.Add(1)
					}
					mu.Lock()
					latencies = append(latencies, mine...)
					mu.Unlock()
				}()
			}
			ready.Wait()

			occurred := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
			body := fmt.Appendf(nil, `{"occurred_at":%q,"kind":"observation","body":%q,"author":"bench"}`,
				occurred.Format(time.RFC3339Nano), benchBody)
			wt := &http.Transport{MaxIdleConnsPerHost: appendClients}
			defer wt.CloseIdleConnections()
			client := &http.Client{Transport: wt, Timeout: time.Minute}
			post := func() (int64, error) {
				req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/incidents/%d/timeline", ts.URL, incID), bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", cred.token)
				resp, err := client.Do(req)
				if err != nil {
					return 0, err
				}
				defer resp.Body.Close()
				_, _ = io.Copy(io.Discard, resp.Body)
				if resp.StatusCode != http.StatusCreated {
					return 0, fmt.Errorf("status %d", resp.StatusCode)
				}
				return entryIDFromLocation(resp.Header.Get("Location"))
			}
			b.ResetTimer()
			_, failed, firstErr := runClients(b.N, appendClients, post)
			b.StopTimer()
			if failed > 0 {
				b.Fatalf("%d appends failed; first: %v", failed, firstErr)
			}
			reportRate(b, "entries/s")
			waitReaders := make(chan struct{})
			go func() { done.Wait(); close(waitReaders) }()
			select {
			case <-waitReaders:
			case <-time.After(time.Minute):
				b.Fatalf("readers did not get every event within a minute")
			}
			if readers == 0 {
				return
			}
			b.ReportMetric(float64(dropped.Load()), "readers_short")
			if len(latencies) > 0 {
				slices.Sort(latencies)
				p := func(q float64) float64 {
					return float64(latencies[int(q*float64(len(latencies)-1))].Microseconds()) / 1000
				}
				b.ReportMetric(p(0.5), "p50_ms")
				b.ReportMetric(p(0.99), "p99_ms")
			}
		})
	}
}

func BenchmarkIncidentPageVsStatic(b *testing.B) {
	start := time.Date(2026, 11, 20, 22, 30, 0, 0, time.UTC)
	now := start.Add(12 * time.Hour)
	st, _, _ := benchDB(b, store.WithClock(func() time.Time { return now }))
	id := seedIncident200(b, st, start)
	srv, cred := benchServer(b, st)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	target := ts.URL + fmt.Sprintf("/incidents/%d", id)

	const clients = 16
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	fetch := func(url string, cookie bool, header ...string) (int, []byte, http.Header, error) {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return 0, nil, nil, err
		}
		if cookie {
			// A browser that has been here before: its session and its
			// CSRF cookie (without it every page carries a new token).
			req.AddCookie(cred.session)
			req.AddCookie(&http.Cookie{Name: "debrief_csrf", Value: testCSRF})
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, body, resp.Header, err
	}
	code, page, h, err := fetch(target, true)
	if err != nil || code != http.StatusOK {
		b.Fatalf("GET page: %d %v", code, err)
	}
	tag := h.Get("ETag")
	if code, _, _, _ := fetch(target, true, "If-None-Match", tag); code != http.StatusNotModified {
		b.Fatalf("unchanged page: status %d, want 304", code)
	}
	// The same bytes as a static file, through the handler /static uses.
	static := httptest.NewServer(staticHandler(fstest.MapFS{"page.html": {Data: page}}))
	defer static.Close()

	run := func(b *testing.B, url string, cookie bool, want int, header ...string) {
		b.SetBytes(int64(len(page)))
		b.ResetTimer()
		_, failed, firstErr := runClients(b.N, clients, func() (int64, error) {
			code, _, _, err := fetch(url, cookie, header...)
			if err == nil && code != want {
				err = fmt.Errorf("status %d", code)
			}
			return 0, err
		})
		b.StopTimer()
		if failed > 0 {
			b.Fatalf("%d of %d failed; first: %v", failed, b.N, firstErr)
		}
		reportRate(b, "req/s")
	}
	b.Run("page_16_clients", func(b *testing.B) { run(b, target, true, http.StatusOK) })
	b.Run("static_16_clients", func(b *testing.B) { run(b, static.URL+"/page.html", false, http.StatusOK) })
	b.Run("page_304_16_clients", func(b *testing.B) {
		run(b, target, true, http.StatusNotModified, "If-None-Match", tag)
	})
}
