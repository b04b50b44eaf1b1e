package events

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLocalDeliversInOrderToItsIncidentOnly(t *testing.T) {
	b := NewLocal(8)
	a1, a2, other := b.Subscribe(1), b.Subscribe(1), b.Subscribe(2)
	defer a1.Close()
	defer a2.Close()
	defer other.Close()
	b.Publish(Event{ID: 1, IncidentID: 1}, Event{ID: 2, IncidentID: 2}, Event{ID: 3, IncidentID: 1})
	for _, s := range []*Subscription{a1, a2} {
		assert.Equal(t, int64(1), (<-s.C).ID)
		assert.Equal(t, int64(3), (<-s.C).ID)
	}
	assert.Equal(t, int64(2), (<-other.C).ID)
	assert.Equal(t, 2, b.Subscribers(1))
	a1.Close()
	a1.Close() // twice is fine
	assert.Equal(t, 1, b.Subscribers(1))
}

// A reader that does not keep up is dropped, never waited for, and never
// gets an event past the one it missed.
func TestLocalDropsASlowReaderWithoutAGap(t *testing.T) {
	b := NewLocal(2)
	slow, fast := b.Subscribe(1), b.Subscribe(1)
	defer slow.Close()
	defer fast.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for id := int64(1); id <= 5; id++ {
			b.Publish(Event{ID: id, IncidentID: 1})
			<-fast.C // fast keeps up
		}
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Publish waited for a slow reader")
	}
	select {
	case <-slow.Dropped():
	default:
		t.Fatal("the slow reader was not dropped")
	}
	var got []int64
	for len(slow.C) > 0 {
		got = append(got, (<-slow.C).ID)
	}
	assert.Equal(t, []int64{1, 2}, got, "what it holds is contiguous")
	assert.Equal(t, 1, b.Subscribers(1))
	select {
	case <-fast.Dropped():
		t.Fatal("the fast reader was dropped")
	default:
	}
}

func TestPresenceListsViewersForAMinute(t *testing.T) {
	now := time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)
	p := NewPresence(func() time.Time { return now })
	leaveA := p.Join(1, "alice")
	leaveB := p.Join(1, "Bob")
	leaveB2 := p.Join(1, "Bob") // a second tab
	p.Join(2, "carol")
	assert.Equal(t, []string{"alice", "Bob"}, p.Names(1))
	leaveB()
	leaveB()
	leaveA()
	now = now.Add(30 * time.Second)
	assert.Equal(t, []string{"alice", "Bob"}, p.Names(1), "left less than a minute ago, or still in another tab")
	now = now.Add(31 * time.Second)
	assert.Equal(t, []string{"Bob"}, p.Names(1))
	leaveB2()
	now = now.Add(2 * time.Minute)
	require.Empty(t, p.Names(1))
	assert.Equal(t, []string{"carol"}, p.Names(2))
}
