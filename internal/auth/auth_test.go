package auth

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

func TestHasher(t *testing.T) {
	h := Hasher{Cost: bcrypt.MinCost}
	hash, err := h.Hash("correct horse battery")
	require.NoError(t, err)
	assert.True(t, h.Check(hash, "correct horse battery"))
	assert.False(t, h.Check(hash, "correct horse batterY"))
	assert.False(t, h.Check("", ""), "an account without a password never matches")
}

func TestTokens(t *testing.T) {
	a, ha, err := NewToken()
	require.NoError(t, err)
	b, hb, err := NewToken()
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	assert.NoError(t, CheckTokenShape(a))
	assert.True(t, Equal(ha, HashToken(a)))
	assert.False(t, Equal(ha, hb))
	for _, bad := range []string{"", "dbf_", "xyz_" + a[4:], a + "x", a[:len(a)-1]} {
		assert.ErrorIs(t, CheckTokenShape(bad), ErrMalformedToken, bad)
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	l := NewLimiter(10, time.Minute)
	l.Now = func() time.Time { return now }
	for i := range 10 {
		assert.True(t, l.Allow("ip:1", "acct:a"), "attempt %d", i+1)
	}
	assert.False(t, l.Allow("ip:1", "acct:a"), "the 11th attempt in a minute")
	assert.False(t, l.Allow("ip:2", "acct:a"), "another address cannot keep guessing the same account")
	assert.True(t, l.Allow("ip:3", "acct:b"))
	now = now.Add(61 * time.Second)
	assert.True(t, l.Allow("ip:1", "acct:a"), "the window slides")
	l.Reset("acct:a")
	assert.Empty(t, l.attempts["acct:a"])
}

// An unknown account must cost one bcrypt comparison, like a wrong
// password: the dummy hash is made once per cost, not on every check.
func TestWasteReusesTheDummyHash(t *testing.T) {
	h := Hasher{Cost: bcrypt.MinCost + 1}
	a := h.dummy()
	b := h.dummy()
	assert.Equal(t, &a[0], &b[0], "the same hash, not a new one per call")
	cost, err := bcrypt.Cost(a)
	require.NoError(t, err)
	assert.Equal(t, bcrypt.MinCost+1, cost, "as expensive as a real account's hash")
}
