package events

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// PresenceWindow is how long a viewer stays listed after their last
// connection ended.
const PresenceWindow = time.Minute

// Presence knows who is looking at each incident: everyone connected now,
// and whoever left less than PresenceWindow ago. It is per process; with
// several replicas each lists the viewers connected to it.
type Presence struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[int64]map[string]*viewer
}

type viewer struct {
	conns int
	left  time.Time
}

// NewPresence returns an empty Presence reading the clock now (nil: the
// wall clock).
func NewPresence(now func() time.Time) *Presence {
	if now == nil {
		now = time.Now
	}
	return &Presence{now: now, m: map[int64]map[string]*viewer{}}
}

// Join records name as viewing incidentID until the returned leave is
// called (once; later calls do nothing).
func (p *Presence) Join(incidentID int64, name string) (leave func()) {
	p.mu.Lock()
	vs := p.m[incidentID]
	if vs == nil {
		vs = map[string]*viewer{}
		p.m[incidentID] = vs
	}
	v := vs[name]
	if v == nil {
		v = &viewer{}
		vs[name] = v
	}
	v.conns++
	p.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			v.conns--
			v.left = p.now()
			p.mu.Unlock()
		})
	}
}

// Names lists who is viewing incidentID, alphabetically, and forgets
// viewers who left more than PresenceWindow ago.
func (p *Presence) Names(incidentID int64) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	vs := p.m[incidentID]
	names := make([]string, 0, len(vs))
	for name, v := range vs {
		if v.conns <= 0 && now.Sub(v.left) > PresenceWindow {
			delete(vs, name)
			continue
		}
		names = append(names, name)
	}
	if len(vs) == 0 {
		delete(p.m, incidentID)
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return names
}
