// Package chat is the chat bridge's logic: Slack's request signing, the
// /incident slash command and the "Add to Debrief timeline" message
// action, and the generic chat webhook. The web layer parses requests and
// renders replies; what a command does is decided here.
package chat

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SlackMaxSkew is how far a Slack request's timestamp may be from now:
// older requests are refused as possible replays.
const SlackMaxSkew = 5 * time.Minute

// ErrUnsigned is a request whose Slack signature is missing, malformed,
// wrong or too old.
var ErrUnsigned = errors.New("slack request signature missing, invalid or expired")

// VerifySlack checks a request the way Slack signs them: X-Slack-Signature
// is "v0=" and the hex HMAC-SHA256, keyed with the app's signing secret, of
// "v0:{X-Slack-Request-Timestamp}:{raw body}"; the timestamp must be within
// SlackMaxSkew of now. The comparison takes constant time.
func VerifySlack(secret string, h http.Header, body []byte, now time.Time) error {
	if secret == "" {
		return ErrUnsigned
	}
	tsText := h.Get("X-Slack-Request-Timestamp")
	sig := h.Get("X-Slack-Signature")
	if tsText == "" || sig == "" {
		return ErrUnsigned
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return ErrUnsigned
	}
	if d := now.Sub(time.Unix(ts, 0)); d > SlackMaxSkew || d < -SlackMaxSkew {
		return ErrUnsigned
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if !ok {
		return ErrUnsigned
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return ErrUnsigned
	}
	if !hmac.Equal(got, SlackSignature(secret, tsText, body)) {
		return ErrUnsigned
	}
	return nil
}

// SlackSignature is the HMAC Slack sends for a timestamp and body (tests
// and tools sign with it).
func SlackSignature(secret, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return mac.Sum(nil)
}
