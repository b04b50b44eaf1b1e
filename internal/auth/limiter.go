package auth

import (
	"sync"
	"time"
)

// Limiter allows at most Max attempts per key in a sliding Window (and
// counts attempts per key, for slowing down what it does not refuse).
type Limiter struct {
	Max    int
	Window time.Duration
	Now    func() time.Time

	mu       sync.Mutex
	attempts map[string][]time.Time
	sweeps   int
}

// NewLimiter allows max attempts per key per window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, Now: time.Now, attempts: map[string][]time.Time{}}
}

// Allow records an attempt for every key and reports whether all of them
// are still within the limit.
func (l *Limiter) Allow(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	ok := true
	for _, k := range keys {
		recent := l.recent(k, now)
		if len(recent) >= l.Max {
			ok = false
		}
		l.attempts[k] = append(recent, now)
	}
	if l.sweeps++; l.sweeps%1024 == 0 {
		for k := range l.attempts {
			if len(l.recent(k, now)) == 0 {
				delete(l.attempts, k)
			}
		}
	}
	return ok
}

// Count is how many attempts key made in the window (recording none).
func (l *Limiter) Count(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(key, l.Now()))
}

// Add records an attempt for key without checking the limit (counting
// failures, say).
func (l *Limiter) Add(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.attempts[key] = append(l.recent(key, l.Now()), l.Now())
}

// Reset forgets a key's attempts (after a successful login).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.attempts, key)
}

func (l *Limiter) recent(key string, now time.Time) []time.Time {
	ts := l.attempts[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.Window {
		i++
	}
	ts = ts[i:]
	if len(ts) > l.Max { // keep memory bounded under a flood
		ts = ts[len(ts)-l.Max:]
	}
	return ts
}
