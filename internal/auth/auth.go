// Package auth holds Debrief's credential primitives: password hashing,
// API and setup token generation, and the login rate limiter.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Hasher hashes and checks passwords with bcrypt (golang.org/x/crypto).
type Hasher struct {
	Cost int
}

// DefaultHasher uses bcrypt's default cost, about 60 ms on a laptop core.
var DefaultHasher = Hasher{Cost: bcrypt.DefaultCost}

// dummies holds, per bcrypt cost, a hash that unknown accounts are checked
// against, so that a wrong email and a wrong password cost the same single
// bcrypt comparison (no user enumeration by timing).
var dummies sync.Map // int → []byte

// Hash returns the bcrypt hash of password.
func (h Hasher) Hash(password string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(password), h.cost())
	return string(b), err
}

// Check reports whether password matches hash. An empty hash (an account
// without a password) never matches, after the same amount of work.
func (h Hasher) Check(hash, password string) bool {
	if hash == "" {
		h.Waste(password)
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// Waste does the work of one Check, for unknown accounts.
func (h Hasher) Waste(password string) {
	_ = bcrypt.CompareHashAndPassword(h.dummy(), []byte(password))
}

func (h Hasher) dummy() []byte {
	if d, ok := dummies.Load(h.cost()); ok {
		return d.([]byte)
	}
	d, err := bcrypt.GenerateFromPassword([]byte("debrief-timing-equaliser"), h.cost())
	if err != nil {
		d, _ = bcrypt.GenerateFromPassword([]byte("debrief-timing-equaliser"), bcrypt.MinCost)
	}
	actual, _ := dummies.LoadOrStore(h.cost(), d)
	return actual.([]byte)
}

func (h Hasher) cost() int {
	if h.Cost == 0 {
		return bcrypt.DefaultCost
	}
	return h.Cost
}

// TokenPrefix starts every API token, so a leaked one is easy to recognise
// (and to scan for in repositories).
const TokenPrefix = "dbf_"

// NewToken returns a new API token secret and the SHA-256 hash to store.
func NewToken() (secret string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret), nil
}

// HashToken is the stored form of a token secret. A fast hash is right
// here: the secret has 256 bits of entropy, unlike a password.
func HashToken(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// ErrMalformedToken is returned for a string that cannot be a token.
var ErrMalformedToken = errors.New("malformed token")

// CheckTokenShape rejects strings that cannot be Debrief tokens before any
// database work.
func CheckTokenShape(secret string) error {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) != len(TokenPrefix)+43 {
		return ErrMalformedToken
	}
	return nil
}

// Equal compares two secrets or hashes in constant time.
func Equal(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// RandomString returns n random bytes, URL-safe base64 encoded (setup links).
func RandomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// FeedKeyPrefix starts every feed key. It differs from TokenPrefix, so a
// feed key is never taken for an API token (nor the other way round).
const FeedKeyPrefix = "dbfeed_"

// NewFeedKey returns a new feed key secret and the SHA-256 hash to store.
func NewFeedKey() (secret string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	secret = FeedKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret), nil
}

// CheckFeedKeyShape rejects strings that cannot be feed keys before any
// database work.
func CheckFeedKeyShape(secret string) error {
	if !strings.HasPrefix(secret, FeedKeyPrefix) || len(secret) != len(FeedKeyPrefix)+43 {
		return ErrMalformedToken
	}
	return nil
}
