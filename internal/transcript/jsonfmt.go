package transcript

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/debrief-dev/debrief/internal/model"
)

// JSON formats carry their own instants (Slack ts, Mattermost create_at,
// Zulip timestamp), so Options.Location and Options.Date do not apply.

// detectJSON names the JSON format text is in, or FormatAuto when it is not
// JSON. It looks at the first message only; parsing reports the rest.
func detectJSON(text string) string {
	t := strings.TrimSpace(text)
	if t == "" {
		return FormatAuto
	}
	switch t[0] {
	case '[':
		dec := json.NewDecoder(strings.NewReader(t))
		if _, err := dec.Token(); err != nil {
			return FormatAuto
		}
		if !dec.More() {
			if _, err := dec.Token(); err == nil && !dec.More() {
				return FormatSlackExport // "[]": an empty export
			}
			return FormatAuto
		}
		var first map[string]json.RawMessage
		if err := dec.Decode(&first); err != nil {
			return FormatAuto
		}
		return jsonMessageFormat(first)
	case '{':
		line, _, _ := strings.Cut(t, "\n")
		var first map[string]json.RawMessage
		if json.Unmarshal([]byte(line), &first) == nil {
			if _, ok := first["type"]; ok {
				return FormatMattermost // bulk export JSONL
			}
		}
		var obj struct {
			Messages []map[string]json.RawMessage `json:"messages"`
		}
		if json.Unmarshal([]byte(t), &obj) != nil || obj.Messages == nil {
			return FormatAuto
		}
		if len(obj.Messages) == 0 {
			return FormatSlackExport
		}
		return jsonMessageFormat(obj.Messages[0])
	}
	return FormatAuto
}

func jsonMessageFormat(m map[string]json.RawMessage) string {
	if _, ok := m["ts"]; ok {
		return FormatSlackExport
	}
	for _, k := range []string{"sender_full_name", "timestamp", "content", "type"} {
		if _, ok := m[k]; ok {
			return FormatMattermost
		}
	}
	return FormatAuto
}

// jsonArray returns the messages of a JSON array, or of an object's
// "messages" array (API responses), checking the count.
func jsonArray(text, what string) ([]json.RawMessage, error) {
	t := strings.TrimSpace(text)
	var msgs []json.RawMessage
	var err error
	if strings.HasPrefix(t, "{") {
		var obj struct {
			Messages []json.RawMessage `json:"messages"`
		}
		err = json.Unmarshal([]byte(t), &obj)
		if err == nil && obj.Messages == nil {
			return nil, model.FieldError("text", fmt.Sprintf("is not a %s: the object has no \"messages\" array", what))
		}
		msgs = obj.Messages
	} else {
		err = json.Unmarshal([]byte(t), &msgs)
	}
	if err != nil {
		return nil, model.FieldError("text", fmt.Sprintf("is not a %s: %v", what, err))
	}
	if len(msgs) > MaxLines {
		return nil, model.FieldError("text", fmt.Sprintf("has more than %d messages (got %d)", MaxLines, len(msgs)))
	}
	return msgs, nil
}

type slackProfile struct {
	RealName    string `json:"real_name"`
	DisplayName string `json:"display_name"`
	Name        string `json:"name"`
}

func (p *slackProfile) name() string {
	if p == nil {
		return ""
	}
	for _, n := range []string{p.RealName, p.DisplayName, p.Name} {
		if n = strings.TrimSpace(n); n != "" {
			return n
		}
	}
	return ""
}

type slackMessage struct {
	Type        string        `json:"type"`
	Subtype     string        `json:"subtype"`
	TS          flexString    `json:"ts"`
	User        string        `json:"user"`
	Username    string        `json:"username"`
	BotID       string        `json:"bot_id"`
	Text        string        `json:"text"`
	UserProfile *slackProfile `json:"user_profile"`
	BotProfile  *struct {
		Name string `json:"name"`
	} `json:"bot_profile"`
	Attachments []struct {
		Fallback string `json:"fallback"`
		Pretext  string `json:"pretext"`
		Title    string `json:"title"`
		Text     string `json:"text"`
	} `json:"attachments"`
}

// flexString takes a JSON string or number as its text (ts is a string in
// exports, but some tools write it as a number).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	*f = flexString(b)
	return nil
}

// slackSkipSubtypes are message subtypes that are not things people said.
var slackSkipSubtypes = map[string]string{
	"channel_join": ReasonJoinLeave, "channel_leave": ReasonJoinLeave,
	"group_join": ReasonJoinLeave, "group_leave": ReasonJoinLeave,
	"channel_topic": ReasonChannelEvent, "channel_purpose": ReasonChannelEvent, "channel_name": ReasonChannelEvent,
	"channel_archive": ReasonChannelEvent, "channel_unarchive": ReasonChannelEvent,
	"group_topic": ReasonChannelEvent, "group_purpose": ReasonChannelEvent, "group_name": ReasonChannelEvent,
	"pinned_item": ReasonChannelEvent, "unpinned_item": ReasonChannelEvent,
	"bot_add": ReasonChannelEvent, "bot_remove": ReasonChannelEvent,
	"message_changed": "edit event", "message_deleted": "delete event", "message_replied": "thread event",
	"tombstone": "deleted message",
}

// parseSlackExport reads a Slack channel export: one day's JSON array of
// messages (or an API response's {"messages": [...]}).
func parseSlackExport(text string) (*Result, error) {
	raws, err := jsonArray(text, "Slack export (a JSON array of messages)")
	if err != nil {
		return nil, err
	}
	res := &Result{Format: FormatSlackExport}
	msgs := make([]slackMessage, len(raws))
	bad := make([]error, len(raws))
	names := map[string]string{}
	for i, raw := range raws {
		if bad[i] = json.Unmarshal(raw, &msgs[i]); bad[i] != nil {
			continue
		}
		if m := &msgs[i]; m.User != "" && m.UserProfile.name() != "" {
			names[m.User] = m.UserProfile.name()
		}
	}
	for i := range msgs {
		m := &msgs[i]
		skip := func(reason string) {
			res.Skipped = append(res.Skipped, Skipped{Line: i + 1, Text: truncateText(m.Text), Reason: reason})
		}
		if bad[i] != nil {
			res.Skipped = append(res.Skipped, Skipped{Line: i + 1, Text: truncateText(string(raws[i])), Reason: "not a Slack message: " + bad[i].Error()})
			continue
		}
		if m.Type != "" && m.Type != "message" {
			skip(fmt.Sprintf("not a message (type %q)", m.Type))
			continue
		}
		if r, ok := slackSkipSubtypes[m.Subtype]; ok {
			skip(r)
			continue
		}
		at, ok := parseSlackTS(string(m.TS))
		if !ok {
			skip(fmt.Sprintf("no valid ts (got %q)", truncateText(string(m.TS))))
			continue
		}
		bot := m.Subtype == "bot_message" || m.BotID != ""
		author := m.UserProfile.name()
		if bot && author == "" {
			author = m.Username
			if author == "" && m.BotProfile != nil {
				author = m.BotProfile.Name
			}
		}
		if author == "" {
			author = names[m.User]
		}
		if author == "" {
			author = m.User
		}
		if author == "" {
			author = m.BotID
		}
		if strings.TrimSpace(author) == "" {
			skip("no author")
			continue
		}
		body := m.Text
		if strings.TrimSpace(body) == "" {
			// Alerts from bots often put everything in attachments.
			body = ""
			for _, a := range m.Attachments {
				for _, t := range []string{a.Fallback, a.Pretext, a.Title, a.Text} {
					if strings.TrimSpace(t) != "" {
						body = t
						break
					}
				}
				if body != "" {
					break
				}
			}
		}
		kind := KindObservation
		if bot {
			kind = KindAlert
		}
		e, reason := finish(Entry{OccurredAt: at, Author: author, Line: i + 1}, slackText(body, names), kind)
		if reason != "" {
			skip(reason)
			continue
		}
		res.Entries = append(res.Entries, e)
	}
	return res, nil
}

// parseSlackTS reads "1741430520.000200" (seconds.micros) to the millisecond.
func parseSlackTS(s string) (time.Time, bool) {
	sec, frac, _ := strings.Cut(s, ".")
	if sec == "" || len(sec) > 11 || digitsUpTo(sec, 12) != len(sec) || digitsUpTo(frac, 10) != len(frac) {
		return time.Time{}, false
	}
	ms := atoi((frac + "000")[:3])
	return time.Unix(int64(atoi(sec)), int64(ms)*int64(time.Millisecond)).UTC(), true
}

// Mattermost bulk export lines and Zulip messages.
type mattermostLine struct {
	Type       string          `json:"type"`
	Post       *mattermostPost `json:"post"`
	DirectPost *mattermostPost `json:"direct_post"`
}

type mattermostPost struct {
	User     string           `json:"user"`
	Message  string           `json:"message"`
	CreateAt int64            `json:"create_at"`
	Type     string           `json:"type"`
	Replies  []mattermostPost `json:"replies"`
}

type zulipMessage struct {
	SenderFullName string  `json:"sender_full_name"`
	SenderEmail    string  `json:"sender_email"`
	Content        string  `json:"content"`
	Timestamp      float64 `json:"timestamp"`
}

// parseMattermost reads a Mattermost bulk export (JSON lines) or Zulip
// messages (a JSON array, or an API response's {"messages": [...]}).
func parseMattermost(text string) (*Result, error) {
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "[") {
		return parseZulip(t)
	}
	if strings.HasPrefix(t, "{") {
		var probe struct {
			Messages json.RawMessage `json:"messages"`
		}
		if json.Unmarshal([]byte(t), &probe) == nil && probe.Messages != nil {
			return parseZulip(t)
		}
	}
	lines := strings.Split(text, "\n")
	if len(lines) > MaxLines {
		return nil, model.FieldError("text", fmt.Sprintf("has more than %d lines (got %d)", MaxLines, len(lines)))
	}
	res := &Result{Format: FormatMattermost}
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		skip := func(text, reason string) {
			res.Skipped = append(res.Skipped, Skipped{Line: i + 1, Text: truncateText(text), Reason: reason})
		}
		var l mattermostLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			skip(line, "not a Mattermost export line: "+err.Error())
			continue
		}
		post := l.Post
		if post == nil {
			post = l.DirectPost
		}
		if post == nil {
			skip(line, fmt.Sprintf("export metadata, not a post (type %q)", l.Type))
			continue
		}
		for _, p := range append([]mattermostPost{*post}, post.Replies...) {
			if strings.HasPrefix(p.Type, "system_") {
				reason := "system message"
				if strings.Contains(p.Type, "join") || strings.Contains(p.Type, "leave") {
					reason = ReasonJoinLeave
				}
				skip(p.Message, reason)
				continue
			}
			if p.CreateAt <= 0 {
				skip(p.Message, "no create_at time")
				continue
			}
			if strings.TrimSpace(p.User) == "" {
				skip(p.Message, "no author")
				continue
			}
			e, reason := finish(Entry{OccurredAt: time.UnixMilli(p.CreateAt).UTC(), Author: p.User, Line: i + 1}, p.Message, KindObservation)
			if reason != "" {
				skip(p.Message, reason)
				continue
			}
			res.Entries = append(res.Entries, e)
		}
	}
	return res, nil
}

func parseZulip(text string) (*Result, error) {
	raws, err := jsonArray(text, "Zulip or Mattermost export")
	if err != nil {
		return nil, err
	}
	res := &Result{Format: FormatMattermost}
	for i, raw := range raws {
		var m zulipMessage
		skip := func(text, reason string) {
			res.Skipped = append(res.Skipped, Skipped{Line: i + 1, Text: truncateText(text), Reason: reason})
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			skip(string(raw), "not a Zulip message: "+err.Error())
			continue
		}
		if m.Timestamp <= 0 || m.Timestamp > 253402300799 {
			skip(m.Content, "no valid timestamp")
			continue
		}
		author := m.SenderFullName
		if strings.TrimSpace(author) == "" {
			author = m.SenderEmail
		}
		if strings.TrimSpace(author) == "" {
			skip(m.Content, "no author")
			continue
		}
		sec := int64(m.Timestamp)
		ms := int64((m.Timestamp - float64(sec)) * 1000)
		at := time.Unix(sec, ms*int64(time.Millisecond)).UTC()
		body := m.Content
		if looksLikeHTML(body) {
			body = htmlText(body)
		}
		e, reason := finish(Entry{OccurredAt: at, Author: author, Line: i + 1}, body, KindObservation)
		if reason != "" {
			skip(m.Content, reason)
			continue
		}
		res.Entries = append(res.Entries, e)
	}
	return res, nil
}
