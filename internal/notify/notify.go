// Package notify delivers outgoing webhooks from the store's outbox: the
// JSON format signed the Standard Webhooks way, and Slack's incoming-webhook
// payload. Deliveries are at-least-once, in order per hook, retried with
// exponential backoff and jitter for 24 hours, over a client that refuses
// private addresses after resolving them (unless allowed).
package notify

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/debrief-dev/debrief/internal/model"
)

// NewSecret makes a webhook secret the Standard Webhooks way: "whsec_" and
// the base64 of 32 random bytes.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b), nil
}

// Body is what a delivery sends: for the json format the Standard Webhooks
// envelope {"type", "timestamp", "data"} (data gains the incident's "url");
// for slack an incoming-webhook message with text and blocks. It depends on
// the event only, so every attempt of a delivery sends the same bytes.
func Body(format string, d *model.Delivery, baseURL string) ([]byte, error) {
	var data map[string]any
	if err := json.Unmarshal([]byte(d.Data), &data); err != nil {
		return nil, fmt.Errorf("outbox event %d: %w", d.OutboxID, err)
	}
	link := ""
	if d.IncidentID != nil {
		link = fmt.Sprintf("%s/incidents/%d", strings.TrimRight(baseURL, "/"), *d.IncidentID)
		if d.Type == model.EventPostmortemPublished {
			link += "/postmortem"
		}
		data["url"] = link
	}
	if format == model.FormatSlack {
		return json.Marshal(slackMessage(d.Type, data, link))
	}
	return json.Marshal(map[string]any{"type": d.Type, "timestamp": model.FormatAPI(d.EventAt), "data": data})
}

// slackMessage is a short message: what happened, linked, with severity
// and status.
func slackMessage(typ string, data map[string]any, link string) map[string]any {
	str := func(k string) string { s, _ := data[k].(string); return s }
	var head string
	switch typ {
	case model.EventIncidentDeclared:
		head = "Incident declared"
	case model.EventIncidentUpdated:
		head = "Incident updated"
	case model.EventIncidentResolved:
		head = "Incident resolved"
	case model.EventPostmortemPublished:
		head = "Postmortem published"
	case model.EventChangeRecorded:
		head = "Change recorded"
	case model.EventActionItemOverdue, model.EventPostmortemOverdue:
		head = "Reminder"
	default:
		head = typ
	}
	var title, facts string
	switch typ {
	case model.EventActionItemOverdue, model.EventPostmortemOverdue:
		title = str("title") // a digest: no single incident to link
	case model.EventChangeRecorded:
		title = str("service") + ": " + str("summary")
		facts = strings.Join(nonEmpty(str("kind"), str("environment"), str("version"), str("author")), " · ")
	default:
		title = fmt.Sprintf("#%v %s", data["id"], str("title"))
		facts = strings.Join(nonEmpty(str("severity"), str("status")), " · ")
	}
	linked := slackEscape(title)
	if link != "" {
		linked = "<" + link + "|" + slackEscape(title) + ">"
	}
	text := fmt.Sprintf("%s: %s (%s)", head, title, facts)
	return map[string]any{
		"text": text,
		"blocks": []any{
			map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn",
				"text": fmt.Sprintf("*%s*: %s\n%s", head, linked, slackEscape(facts))}},
		},
	}
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// slackEscape escapes what Slack's mrkdwn treats as control characters.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// Sign returns the Standard Webhooks headers of a body: webhook-id,
// webhook-timestamp (Unix seconds) and webhook-signature ("v1,<base64
// HMAC-SHA256 of id.timestamp.body>"), from the official library.
func Sign(secret, msgID string, at time.Time, body []byte) (map[string]string, error) {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return nil, err
	}
	sig, err := wh.Sign(msgID, at, body)
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"webhook-id": msgID, "webhook-timestamp": fmt.Sprint(at.Unix()), "webhook-signature": sig,
	}, nil
}

// Backoff is how long to wait after the n-th failed attempt (n ≥ 1):
// 10 s doubling up to an hour, with ±20 % jitter so that many hooks failing
// together do not retry together.
func Backoff(n int) time.Duration {
	d := 10 * time.Second << min(n-1, 10)
	d = min(d, time.Hour)
	var b [1]byte
	_, _ = rand.Read(b[:])
	jitter := time.Duration(int64(d) * (int64(b[0]) - 128) / 128 / 5)
	return d + jitter
}

// RetryFor is how long an event is retried before it is marked failed.
const RetryFor = 24 * time.Hour

// nextAttempt decides what follows a failed attempt of a delivery created
// at created: another attempt, or giving up after RetryFor.
func nextAttempt(created, now time.Time, attempts int, backoff func(int) time.Duration) (time.Time, bool) {
	next := now.Add(backoff(attempts))
	if next.Sub(created) > RetryFor {
		return time.Time{}, true
	}
	return next, false
}
