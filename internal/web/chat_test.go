package web

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/chat"
)

const slackSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// slackApp is a test app with Slack's signing secret configured.
func slackApp(t *testing.T) *testApp {
	t.Helper()
	return newTestAppWith(t, Options{SlackSigningSecret: slackSecret})
}

// slack posts a form to a Slack route, signed the way Slack signs: sign
// false leaves the signature off; ts 0 means now.
func (a *testApp) slack(path string, form url.Values, ts int64, secret string) *httptest.ResponseRecorder {
	a.t.Helper()
	body := form.Encode()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if ts == 0 {
		ts = time.Now().Unix()
	}
	if secret != "" {
		tsText := strconv.FormatInt(ts, 10)
		req.Header.Set("X-Slack-Request-Timestamp", tsText)
		req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(chat.SlackSignature(secret, tsText, []byte(body))))
	}
	rec := httptest.NewRecorder()
	a.srv.ServeHTTP(rec, req)
	return rec
}

func slackCommand(text string) url.Values {
	return url.Values{"team_id": {"T0001"}, "channel_id": {"C2147483705"}, "user_id": {"U2147483697"},
		"user_name": {"Priya Rao"}, "command": {"/incident"}, "text": {text}}
}

func slackReply(t *testing.T, rec *httptest.ResponseRecorder) chat.Reply {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var r chat.Reply
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &r), rec.Body.String())
	require.NotEmpty(t, r.Blocks)
	return r
}

func TestSlackCommands(t *testing.T) {
	app := slackApp(t)
	cmd := "/integrations/slack/commands"

	// A channel linked to no incident gets help, not an error.
	r := slackReply(t, app.slack(cmd, slackCommand("note checking the LB"), 0, slackSecret))
	assert.Equal(t, "ephemeral", r.ResponseType)
	assert.Contains(t, r.Text, "not linked to an incident")

	r = slackReply(t, app.slack(cmd, slackCommand("declare SEV2 Checkout 5xx in eu-west-1"), 0, slackSecret))
	assert.Equal(t, "in_channel", r.ResponseType)
	assert.Contains(t, r.Text, "#1 Checkout 5xx in eu-west-1")
	assert.Regexp(t, regexp.MustCompile(`<http://example\.com/incidents/1\|Open in Debrief>`), r.Text)
	inc := app.getJSON("/api/v1/incidents/1")
	assert.Equal(t, "SEV2", inc["severity"])

	long := strings.Repeat("Saw <https://grafana.example/d/1|the p99 panel> spike, cc <@U024BE7LH|bob> ", 50)
	r = slackReply(t, app.slack(cmd, slackCommand("note decision: fail over to eu-central-1. "+long), 0, slackSecret))
	assert.Contains(t, r.Text, "as decision")
	entries := app.timelineJSON(1)
	last := entries[len(entries)-1]
	assert.Equal(t, "decision", last["kind"])
	assert.Equal(t, "Priya Rao", last["author"])
	body := last["body"].(string)
	assert.True(t, strings.HasPrefix(body, "fail over to eu-central-1. Saw [the p99 panel](https://grafana.example/d/1) spike, cc @bob"), body)

	r = slackReply(t, app.slack(cmd, slackCommand("status mitigated"), 0, slackSecret))
	assert.Equal(t, "in_channel", r.ResponseType)
	assert.Equal(t, "monitoring", app.getJSON("/api/v1/incidents/1")["status"])
	r = slackReply(t, app.slack(cmd, slackCommand("status mitigated"), 0, slackSecret))
	assert.Contains(t, r.Text, "status monitoring", "the same status again is fine")
	slackReply(t, app.slack(cmd, slackCommand("sev SEV1"), 0, slackSecret))
	assert.Equal(t, "SEV1", app.getJSON("/api/v1/incidents/1")["severity"])
	r = slackReply(t, app.slack(cmd, slackCommand("sev SEV9"), 0, slackSecret))
	assert.Contains(t, r.Text, "Not changed")
	slackReply(t, app.slack(cmd, slackCommand("role commander <@U1|alice>"), 0, slackSecret))
	assert.Equal(t, "alice", app.getJSON("/api/v1/incidents/1")["roles"].(map[string]any)["commander"])

	// Linking another channel to an existing incident.
	other := slackCommand("link #1")
	other.Set("channel_id", "C999")
	r = slackReply(t, app.slack(cmd, other, 0, slackSecret))
	assert.Contains(t, r.Text, "now linked to *#1")
	r = slackReply(t, app.slack(cmd, slackCommand("link 999"), 0, slackSecret))
	assert.Contains(t, r.Text, "no incident #999")

	for _, text := range []string{"", "help", "frobnicate", "declare", "declare SEV2", "status sideways", "role king @x"} {
		r := slackReply(t, app.slack(cmd, slackCommand(text), 0, slackSecret))
		assert.Equal(t, "ephemeral", r.ResponseType, text)
	}
	// A note over an entry's limit is refused with the reason.
	r = slackReply(t, app.slack(cmd, slackCommand("note "+strings.Repeat("x", 10_001)), 0, slackSecret))
	assert.Contains(t, r.Text, "at most 10000")
}

// Requests that are not signed by Slack, or signed long ago, are refused
// and write nothing.
func TestSlackSignatureRefusals(t *testing.T) {
	app := slackApp(t)
	app.createIncident(`{"title":"T","severity":"SEV2"}`)
	before := app.dbState()
	cmd := "/integrations/slack/commands"
	tests := []struct {
		name string
		rec  *httptest.ResponseRecorder
	}{
		{"no signature", app.slack(cmd, slackCommand("declare SEV1 x"), 0, "")},
		{"wrong secret", app.slack(cmd, slackCommand("declare SEV1 x"), 0, "not-the-secret")},
		{"replayed (6 minutes old)", app.slack(cmd, slackCommand("declare SEV1 x"), time.Now().Add(-6*time.Minute).Unix(), slackSecret)},
		{"from the future", app.slack(cmd, slackCommand("declare SEV1 x"), time.Now().Add(6*time.Minute).Unix(), slackSecret)},
	}
	for _, tt := range tests {
		assert.Equal(t, http.StatusUnauthorized, tt.rec.Code, tt.name)
		assert.Contains(t, tt.rec.Header().Get("Content-Type"), "application/json", tt.name)
	}
	// A tampered body: signed, then changed.
	req := httptest.NewRequest(http.MethodPost, cmd, strings.NewReader(slackCommand("declare SEV1 y").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(chat.SlackSignature(slackSecret, ts, []byte(slackCommand("declare SEV1 x").Encode()))))
	rec := httptest.NewRecorder()
	app.srv.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, before, app.dbState(), "nothing was written")

	// Without a signing secret the routes do not exist.
	plain := newTestApp(t)
	assert.Equal(t, http.StatusNotFound, plain.slack(cmd, slackCommand("help"), 0, slackSecret).Code)
	assert.Equal(t, http.StatusNotFound, plain.slack("/integrations/slack/interactions", url.Values{}, 0, slackSecret).Code)
}

func TestSlackMessageAction(t *testing.T) {
	app := slackApp(t)
	slackReply(t, app.slack("/integrations/slack/commands", slackCommand("declare SEV3 Search slow"), 0, slackSecret))
	payload := `{"type":"message_action","callback_id":"add_to_timeline","team":{"id":"T0001"},"channel":{"id":"C2147483705"},
		"user":{"id":"U2147483697","name":"Priya Rao"},
		"message":{"type":"message","user":"U0G9QF9C6","ts":"1772963565.000200","text":"alert: p99 &gt; 2s on <https://grafana.example/d/2>",
		"user_profile":{"display_name":"Sam","real_name":"Sam Okafor"}}}`
	r := slackReply(t, app.slack("/integrations/slack/interactions", url.Values{"payload": {payload}}, 0, slackSecret))
	assert.Contains(t, r.Text, "as alert")
	entries := app.timelineJSON(1)
	var found map[string]any
	for _, e := range entries {
		if e["author"] == "Sam" {
			found = e
		}
	}
	require.NotNil(t, found, "the message is on the timeline")
	assert.Equal(t, "2026-03-08T09:52:45.000Z", found["occurred_at"], "at its original Slack time")
	assert.Equal(t, "p99 > 2s on https://grafana.example/d/2", found["body"])

	for _, bad := range []string{`not json`, `{"type":"message_action","team":{"id":"T0001"},"channel":{"id":"C2147483705"},"user":{"id":"U1"},"message":{"ts":"yesterday","text":"x"}}`} {
		rec := app.slack("/integrations/slack/interactions", url.Values{"payload": {bad}}, 0, slackSecret)
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, bad)
	}
}

func TestChatWebhook(t *testing.T) {
	app, _ := newClockedApp(t)
	app.createIncident(`{"title":"Queue backlog","severity":"SEV2"}`)
	rec := app.form("/incidents/1/chat-tokens", url.Values{})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	m := regexp.MustCompile(`/integrations/chat/(dbc_[A-Za-z0-9_-]+)`).FindStringSubmatch(rec.Body.String())
	require.NotNil(t, m, "the address is shown once")
	hook := "/integrations/chat/" + m[1]
	assert.Contains(t, app.page("/incidents/1"), m[1][:10]+"…", "the incident page lists it by prefix")
	assert.NotContains(t, app.page("/incidents/1"), m[1], "but never shows it again")

	anon := app.as("")
	// Mattermost's outgoing webhook form.
	rec = anon.form(hook, url.Values{"token": {"mm-token"}, "text": {"#debrief action: restarted the consumer"}, "trigger_word": {"#debrief"},
		"user_name": {"sam"}, "timestamp": {"1763821800000"}})
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	// JSON, as Rocket.Chat and bots send.
	rec = anon.api(http.MethodPost, hook, `{"text":"queue draining","user_name":"bot","timestamp":"2026-11-22T15:31:00+01:00"}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	entries := bodies(app.timelineJSON(1))
	assert.Contains(t, entries, "restarted the consumer")
	assert.Contains(t, entries, "queue draining")

	before := app.dbState()
	for name, r := range map[string]*httptest.ResponseRecorder{
		"unknown token": anon.api(http.MethodPost, "/integrations/chat/dbc_nope", `{"text":"x"}`),
		"not a token":   anon.api(http.MethodPost, "/integrations/chat/hello", `{"text":"x"}`),
		"empty text":    anon.api(http.MethodPost, hook, `{"text":"  "}`),
		"bad timestamp": anon.api(http.MethodPost, hook, `{"text":"x","timestamp":"yesterday"}`),
		"bad json":      anon.api(http.MethodPost, hook, `{"text":`),
	} {
		assert.GreaterOrEqual(t, r.Code, 400, name)
		assert.Less(t, r.Code, 500, name)
	}
	assert.Equal(t, before, app.dbState(), "nothing written by refused calls")

	// Revoked: refused from then on.
	tokens, err := app.store.ChatTokens(t.Context(), 1)
	require.NoError(t, err)
	require.Len(t, tokens, 1)
	rec = app.form(fmt.Sprintf("/incidents/1/chat-tokens/%d/revoke", tokens[0].ID), url.Values{})
	assertRedirect(t, rec, "/incidents/1#chat")
	assert.Equal(t, http.StatusNotFound, anon.api(http.MethodPost, hook, `{"text":"after revoke"}`).Code)
}
