package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/events"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// The live stream's timings.
const (
	heartbeatEvery  = 15 * time.Second      // a comment line keeps proxies and the reader awake
	streamWriteWait = 10 * time.Second      // a reader that takes longer to accept a write is dropped
	presenceDelay   = time.Second           // presence changes are coalesced for this long
	streamLinger    = 20 * time.Millisecond // events this close together go out in one write
	backlogPage     = 500                   // events read from the log per query on reconnect
)

// eventPayload is the JSON in an event's data: line.
type eventPayload struct {
	Type       string   `json:"type"`
	IncidentID int64    `json:"incident_id"`
	Version    int      `json:"version"`
	Action     string   `json:"action,omitempty"`
	Entity     string   `json:"entity,omitempty"`
	EntityID   int64    `json:"entity_id,omitempty"`
	Actor      string   `json:"actor,omitempty"`
	At         string   `json:"at,omitempty"`
	HTML       string   `json:"html,omitempty"`
	Record     any      `json:"record,omitempty"`
	Names      []string `json:"names,omitempty"`
}

// lastEventID reads where a reader wants the stream to resume: the
// Last-Event-ID header an EventSource sends when it reconnects, else the
// page's last_event_id parameter (the position the page was rendered at).
// No position is -1: from now on. A position that is not a whole number
// asks for a reset.
func lastEventID(c echo.Context) (after int64, reset bool) {
	raw := c.Request().Header.Get("Last-Event-ID")
	if raw == "" {
		raw = c.QueryParam("last_event_id")
	}
	if raw == "" {
		return -1, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil || n < 0 {
		return 0, true
	}
	return n, false
}

// incidentEvents is GET /incidents/{id}/events: the incident's committed
// changes as Server-Sent Events, each once, in order, with its id. A
// reader that reconnects with Last-Event-ID first gets what it missed from
// the event log; one whose position the log no longer covers gets a
// "reset" event and should reload.
func (s *Server) incidentEvents(c echo.Context) error {
	inc, err := s.pathIncident(c)
	if err != nil {
		return err // 404 before the stream starts
	}
	ctx, id := c.Request().Context(), inc.ID
	after, reset := lastEventID(c)
	// Subscribe before reading the log, so nothing falls in between.
	sub := s.store.Broker().Subscribe(id)
	defer sub.Close()
	s.metrics.sseConnections.Inc()
	defer s.metrics.sseConnections.Dec()

	u := currentUser(c)
	edit := u.Role.Allows(model.RoleEditor)
	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w.Writer)
	var buf bytes.Buffer
	send := func() error {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteWait))
		_, err := w.Write(buf.Bytes())
		buf.Reset()
		if err == nil {
			err = rc.Flush()
		}
		return err
	}
	buf.WriteString("retry: 2000\n\n")
	if reset {
		writeReset(&buf, id)
		return ignoreStreamErr(send())
	}
	if err := send(); err != nil {
		return nil
	}

	leave := s.presence.Join(id, u.Name)
	s.presenceChanged(id)
	defer func() {
		leave()
		s.presenceChanged(id)
	}()

	last := after
	if after >= 0 {
		for {
			evs, err := s.store.EventsSince(ctx, id, last, backlogPage)
			if errors.Is(err, store.ErrEventsGone) {
				writeReset(&buf, id)
				return ignoreStreamErr(send())
			}
			if err != nil {
				s.log.Warn("event stream: read the log", "incident_id", id, "error", err)
				return nil // the stream has started: the reader reconnects
			}
			for _, ev := range evs {
				buf.Write(s.eventFrame(ctx, ev, edit))
				last = ev.ID
			}
			if len(evs) > 0 {
				if err := send(); err != nil {
					return nil
				}
			}
			if len(evs) < backlogPage {
				break
			}
		}
	}
	s.writePresence(&buf, id)
	if err := send(); err != nil {
		return nil
	}

	beat := time.NewTicker(heartbeatEvery)
	defer beat.Stop()
	viewer := viewerOf(c)
	gone := false // the reader lost access to the incident: the stream ends
	add := func(ev events.Event) {
		switch {
		case gone:
		case ev.Entity == "incident" && ev.Type != events.TypePresence && ev.Action != events.ActionDeleted &&
			!s.stillVisible(ctx, viewer, id):
			// The incident was made private, or the reader was taken off
			// its members or roles: they get nothing more of it. (A
			// deletion still reaches everyone who was watching.)
			gone = true
		case ev.Type == events.TypePresence:
			s.writePresence(&buf, id)
		case ev.ID <= last:
			// already sent from the log
		default:
			buf.Write(s.eventFrame(ctx, ev, edit))
			last = ev.ID
		}
	}
	for {
		select {
		case ev := <-sub.C:
			if add(ev); gone {
				return nil
			}
			// Gather what follows within streamLinger into one write: during a
			// busy incident hundreds of readers each take one write for a
			// burst instead of one per event.
			linger := time.NewTimer(streamLinger)
		gather:
			for buf.Len() < 64<<10 {
				select {
				case ev := <-sub.C:
					if add(ev); gone {
						linger.Stop()
						return nil
					}
				case <-linger.C:
					break gather
				case <-ctx.Done():
					linger.Stop()
					return nil
				}
			}
			linger.Stop()
			if buf.Len() == 0 {
				continue
			}
		case <-beat.C:
			buf.WriteString(": ping\n\n")
			s.writePresence(&buf, id) // viewers who left over a minute ago drop off
		case <-sub.Dropped():
			s.metrics.sseDropped.Inc()
			return nil // too slow: it catches up from the log when it reconnects
		case <-s.closing:
			return nil
		case <-ctx.Done():
			return nil
		}
		if err := send(); err != nil {
			return nil
		}
	}
}

func ignoreStreamErr(error) error { return nil }

// stillVisible reports whether v may still see incident id; a failed check
// counts as no (the reader reconnects and is checked again).
func (s *Server) stillVisible(ctx context.Context, v model.Viewer, id int64) bool {
	_, err := s.store.Access(ctx, v, id)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		s.log.Warn("event stream: check access", "incident_id", id, "error", err)
	}
	return err == nil
}

func writeReset(buf *bytes.Buffer, incidentID int64) {
	b, _ := json.Marshal(eventPayload{Type: events.TypeReset, IncidentID: incidentID})
	fmt.Fprintf(buf, "event: %s\ndata: %s\n\n", events.TypeReset, b)
}

func (s *Server) writePresence(buf *bytes.Buffer, incidentID int64) {
	b, _ := json.Marshal(eventPayload{Type: events.TypePresence, IncidentID: incidentID, Names: s.presence.Names(incidentID)})
	fmt.Fprintf(buf, "event: %s\ndata: %s\n\n", events.TypePresence, b)
}

// presenceChanged tells the incident's readers, at most once per
// presenceDelay, to send their viewer a new "who is here" list.
func (s *Server) presenceChanged(incidentID int64) {
	s.presenceMu.Lock()
	defer s.presenceMu.Unlock()
	if s.presencePending[incidentID] {
		return
	}
	s.presencePending[incidentID] = true
	time.AfterFunc(presenceDelay, func() {
		s.presenceMu.Lock()
		delete(s.presencePending, incidentID)
		s.presenceMu.Unlock()
		s.store.Broker().Publish(events.Event{IncidentID: incidentID, Type: events.TypePresence})
	})
}

// CloseStreams ends every event stream (at shutdown: streams never end by
// themselves, and the server waits for open requests).
func (s *Server) CloseStreams() { s.closeOnce.Do(func() { close(s.closing) }) }

// eventFrame is an event as an SSE frame. Frames are built once per event
// and role (the html differs for editors) and shared by every reader.
func (s *Server) eventFrame(ctx context.Context, ev events.Event, edit bool) []byte {
	return s.frames.get(frameKey{id: ev.ID, edit: edit}, func() []byte {
		p := eventPayload{
			Type: ev.Type, IncidentID: ev.IncidentID, Version: ev.Version, Action: ev.Action, Entity: ev.Entity,
			EntityID: ev.EntityID, Actor: ev.Actor, At: model.FormatAPI(ev.At),
		}
		var err error
		p.Record, p.HTML, err = s.eventRecord(ctx, ev, edit)
		if err != nil {
			s.log.Warn("event stream: render an event", "event_id", ev.ID, "error", err)
		}
		b, _ := json.Marshal(p)
		return []byte(fmt.Sprintf("id: %d\nevent: %s\ndata: %s\n\n", ev.ID, ev.Type, b))
	})
}

// eventRecord turns an event's stored record into the API's JSON for it
// and, where the page shows it, a fragment of the page.
func (s *Server) eventRecord(ctx context.Context, ev events.Event, edit bool) (any, string, error) {
	deleted := ev.Action == events.ActionDeleted
	switch ev.Entity {
	case "timeline_entry":
		var e model.TimelineEntry
		if err := json.Unmarshal(ev.Record, &e); err != nil {
			return nil, "", err
		}
		if deleted {
			return entryToJSON(&e), "", nil
		}
		html, err := s.fragment("incident#entry", map[string]any{"E": &e, "Edit": edit, "New": true})
		return entryToJSON(&e), html, err
	case "incident":
		var inc model.Incident
		if err := json.Unmarshal(ev.Record, &inc); err != nil {
			return nil, "", err
		}
		if deleted {
			return incidentToJSON(&inc), "", nil
		}
		html, err := s.incidentLive(ctx, &inc, edit)
		return incidentToJSON(&inc), html, err
	case "factor", "why_node", "action_item":
		rec, err := s.analysisRecord(ev)
		if err != nil {
			return nil, "", err
		}
		html, err := s.analysisLive(ctx, ev.IncidentID, edit)
		return rec, html, err
	}
	return json.RawMessage(ev.Record), "", nil
}

func (s *Server) analysisRecord(ev events.Event) (any, error) {
	switch ev.Entity {
	case "factor":
		var f model.Factor
		if err := json.Unmarshal(ev.Record, &f); err != nil {
			return nil, err
		}
		return s.factorToJSON(&f, nil), nil
	case "why_node":
		var n model.WhyNode
		if err := json.Unmarshal(ev.Record, &n); err != nil {
			return nil, err
		}
		return s.whyToJSON(&n, nil), nil
	default:
		var a model.ActionItem
		if err := json.Unmarshal(ev.Record, &a); err != nil {
			return nil, err
		}
		return s.actionToJSON(&a, nil, s.now()), nil
	}
}

// fragmentView is the view a live fragment renders with: no CSRF token
// (app.js fills in the page's own) and a user of the reader's role.
func fragmentView(edit bool, page any) view {
	role := model.RoleViewer
	if edit {
		role = model.RoleEditor
	}
	return view{User: &model.User{Role: role}, Page: page}
}

func (s *Server) fragment(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := s.pages.Render(&b, name, data, nil); err != nil {
		return "", err
	}
	return b.String(), nil
}

// incidentLive renders the incident's header, milestones and roles as an
// "incident" event shows them.
func (s *Server) incidentLive(ctx context.Context, inc *model.Incident, edit bool) (string, error) {
	p := &incidentPage{Incident: inc, Durations: inc.Durations()}
	sevs, err := s.store.Severities(ctx)
	if err != nil {
		return "", err
	}
	for _, sv := range sevs {
		if sv.Name == inc.Severity {
			p.Severity = sv
		}
	}
	p.Transitions = transitions(inc.Status)
	return s.fragment("incident#incident_live", fragmentView(edit, p))
}

// analysisLive renders the incident's analysis as it is now.
func (s *Server) analysisLive(ctx context.Context, incidentID int64, edit bool) (string, error) {
	inc, err := s.store.Incident(ctx, incidentID)
	if err != nil {
		return "", err
	}
	p := &incidentPage{Incident: inc}
	if p.Analysis, err = s.loadAnalysis(ctx, inc); err != nil {
		return "", err
	}
	return s.fragment("incident#analysis", fragmentView(edit, p))
}

// transitions are the statuses an incident in st can be moved to.
func transitions(st model.Status) []model.Status {
	var out []model.Status
	for _, to := range model.Statuses {
		if to != st && model.CanTransition(st, to) {
			out = append(out, to)
		}
	}
	return out
}

type frameKey struct {
	id   int64
	edit bool
}

// frameCache keeps the frames of recent events, so that 500 readers of an
// incident render each event once, not 500 times.
type frameCache struct {
	mu    sync.Mutex
	m     map[frameKey]*frameEntry
	order []frameKey // oldest first, for eviction
	max   int
}

type frameEntry struct {
	once  sync.Once
	frame []byte
}

func newFrameCache(max int) *frameCache {
	return &frameCache{m: map[frameKey]*frameEntry{}, max: max}
}

func (fc *frameCache) get(k frameKey, build func() []byte) []byte {
	fc.mu.Lock()
	e := fc.m[k]
	if e == nil {
		e = &frameEntry{}
		fc.m[k] = e
		fc.order = append(fc.order, k)
		if len(fc.order) > fc.max {
			delete(fc.m, fc.order[0])
			fc.order = fc.order[1:]
		}
	}
	fc.mu.Unlock()
	e.once.Do(func() { e.frame = build() })
	return e.frame
}

// timelineKey names one rendering of an incident's timeline: the incident
// as of an event (every change to its entries is one), in one order, with
// or without edit links.
type timelineKey struct {
	incident, lastEvent int64
	order               string
	edit                bool
	changes             string // the change lane shown (store.LaneState), or "hidden"
}

// timelineCache keeps recent renderings of timelines, so that thirty
// people reloading a busy incident page render its timeline once per
// change instead of once each. It holds at most max renderings.
type timelineCache struct {
	mu    sync.Mutex
	m     map[timelineKey]template.HTML
	order []timelineKey
	max   int
}

func newTimelineCache(max int) *timelineCache {
	return &timelineCache{m: map[timelineKey]template.HTML{}, max: max}
}

func (tc *timelineCache) get(k timelineKey) (template.HTML, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	h, ok := tc.m[k]
	return h, ok
}

func (tc *timelineCache) put(k timelineKey, h template.HTML) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if _, ok := tc.m[k]; ok {
		return
	}
	tc.m[k] = h
	tc.order = append(tc.order, k)
	if len(tc.order) > tc.max {
		delete(tc.m, tc.order[0])
		tc.order = tc.order[1:]
	}
}
