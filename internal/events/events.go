// Package events fans committed changes out to the people watching an
// incident. The store writes each change's event to its log table in the
// change's own transaction and hands it to a Broker only after the commit,
// so a rolled-back change never notifies anyone. Readers that miss events
// (a dropped connection, a slow reader cut off) read them back from the
// log; the Broker only carries what happens while they are connected.
//
// Local is the in-process Broker. Nothing may assume a single process: a
// cross-replica Broker (PostgreSQL LISTEN/NOTIFY) implements the same
// interface.
package events

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"
)

// Event types, as the live page and the SSE stream name them.
const (
	TypeEntry      = "entry"      // a timeline entry created, edited or deleted
	TypeIncident   = "incident"   // status, severity, milestones, roles, title, summary
	TypeAnalysis   = "analysis"   // a contributing factor, why or action item
	TypePostmortem = "postmortem" // a section saved, the status changed, a revision published
	TypePresence   = "presence"   // who is looking at the incident (not logged)
	TypeReset      = "reset"      // the reader missed more than the log keeps: reload
)

// Actions on a record.
const (
	ActionCreated = "created"
	ActionUpdated = "updated"
	ActionDeleted = "deleted"
)

// Event is one committed change to an incident.
type Event struct {
	// ID increases strictly with every event (across incidents too), so it
	// increases monotonically per incident; it is the SSE id.
	ID         int64
	IncidentID int64
	Type       string
	Action     string
	Entity     string // timeline_entry, incident, factor, why_node, action_item, postmortem, ...
	EntityID   int64
	Version    int // the record's version after the change (before it, for a delete)
	Actor      string
	At         time.Time
	// Record is the record as stored (model JSON): after the change, or as
	// it was for a delete.
	Record json.RawMessage
}

// TypeOf maps an audited entity to its event type ("" when changes to it
// are not incident events).
func TypeOf(entity string) string {
	switch entity {
	case "timeline_entry":
		return TypeEntry
	case "incident":
		return TypeIncident
	case "factor", "why_node", "action_item":
		return TypeAnalysis
	case "postmortem", "postmortem_revision", "lint_ack":
		return TypePostmortem
	}
	return ""
}

// Broker delivers committed events to the subscribers of their incident.
type Broker interface {
	// Publish delivers events in the order given, which must be the order
	// of their ids. It never blocks on a subscriber.
	Publish(evs ...Event)
	// Subscribe follows one incident until the subscription is closed.
	Subscribe(incidentID int64) *Subscription
}

// DefaultBuffer is how many undelivered events a subscriber may hold
// before it is dropped (it then catches up from the log on reconnect).
const DefaultBuffer = 512

// Subscription is one reader of one incident's events.
type Subscription struct {
	C          <-chan Event
	c          chan Event
	dropped    chan struct{}
	incidentID int64
	unsub      func(*Subscription)
	once       sync.Once
	failed     atomic.Bool // a send found the buffer full: send nothing more
}

// Dropped is closed when the subscriber fell too far behind and no more
// events will be sent on C; the reader should end its stream.
func (s *Subscription) Dropped() <-chan struct{} { return s.dropped }

// Close ends the subscription; it is safe to call more than once.
func (s *Subscription) Close() { s.once.Do(func() { s.unsub(s) }) }

// Local is the in-process Broker.
type Local struct {
	buffer int
	mu     sync.RWMutex
	subs   map[int64]map[*Subscription]struct{}
}

// NewLocal returns an in-process Broker whose subscribers may hold buffer
// undelivered events (DefaultBuffer when buffer <= 0).
func NewLocal(buffer int) *Local {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	return &Local{buffer: buffer, subs: map[int64]map[*Subscription]struct{}{}}
}

// Subscribe implements Broker.
func (l *Local) Subscribe(incidentID int64) *Subscription {
	c := make(chan Event, l.buffer)
	s := &Subscription{C: c, c: c, dropped: make(chan struct{}), incidentID: incidentID, unsub: l.remove}
	l.mu.Lock()
	m := l.subs[incidentID]
	if m == nil {
		m = map[*Subscription]struct{}{}
		l.subs[incidentID] = m
	}
	m[s] = struct{}{}
	l.mu.Unlock()
	return s
}

func (l *Local) remove(s *Subscription) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.detach(s)
}

// detach forgets s; the caller holds l.mu for writing.
func (l *Local) detach(s *Subscription) {
	m := l.subs[s.incidentID]
	if _, ok := m[s]; !ok {
		return
	}
	delete(m, s)
	if len(m) == 0 {
		delete(l.subs, s.incidentID)
	}
}

// Publish implements Broker. A subscriber whose buffer is full is dropped
// rather than waited for: writers never wait for slow readers.
func (l *Local) Publish(evs ...Event) {
	var slow []*Subscription
	l.mu.RLock()
	for _, ev := range evs {
		for s := range l.subs[ev.IncidentID] {
			if s.failed.Load() {
				continue // never deliver past a gap
			}
			select {
			case s.c <- ev:
			default:
				s.failed.Store(true)
				slow = append(slow, s)
			}
		}
	}
	l.mu.RUnlock()
	if len(slow) == 0 {
		return
	}
	l.mu.Lock()
	for _, s := range slow {
		if _, ok := l.subs[s.incidentID][s]; ok {
			l.detach(s)
			close(s.dropped)
		}
	}
	l.mu.Unlock()
}

// Subscribers is how many readers follow incidentID (tests, metrics).
func (l *Local) Subscribers(incidentID int64) int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.subs[incidentID])
}
