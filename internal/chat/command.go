package chat

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// Request is one use of the /incident command or of the message action,
// as the chat tool sent it.
type Request struct {
	TeamID, ChannelID string
	UserID, UserName  string // UserName: the display name, kept as the entry's author
	Text              string // after "/incident"
	BaseURL           string // for links back to Debrief
}

// Reply is what the command answers in the channel, in Slack's shape.
type Reply struct {
	ResponseType string  `json:"response_type"` // "ephemeral" (only the user) or "in_channel"
	Text         string  `json:"text"`
	Blocks       []Block `json:"blocks,omitempty"`
}

// Block is a Slack section block of mrkdwn text.
type Block struct {
	Type string    `json:"type"`
	Text BlockText `json:"text"`
}

// BlockText is a block's text.
type BlockText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func reply(inChannel bool, text string) Reply {
	r := Reply{ResponseType: "ephemeral", Text: text,
		Blocks: []Block{{Type: "section", Text: BlockText{Type: "mrkdwn", Text: text}}}}
	if inChannel {
		r.ResponseType = "in_channel"
	}
	return r
}

// Usage lists the commands.
const Usage = "Debrief commands:\n" +
	"• `/incident declare SEV2 Checkout 5xx in eu-west-1` — declare an incident and link this channel to it\n" +
	"• `/incident note <text>` — add to the timeline (start with `decision:`, `action:`, `alert:`, `deploy:` or `comms:` to set the kind)\n" +
	"• `/incident status investigating|identified|monitoring|mitigated|resolved`\n" +
	"• `/incident sev SEV1`\n" +
	"• `/incident role commander|comms|scribe|responder @name`\n" +
	"• `/incident link <id>` — link this channel to an existing incident"

// maxNote is the longest note a command adds (a timeline entry's limit).
const maxNote = 10_000

// Bridge runs chat commands against the store.
type Bridge struct {
	Store *store.Store
	Now   func() time.Time
}

// actor is who acts for a chat user, in the audit log.
func (r Request) actor() model.Actor {
	return model.Actor{Label: fmt.Sprintf("slack:%s/%s (%s)", r.TeamID, r.UserID, r.UserName)}
}

// Command runs one /incident command. Problems a user can fix (an unknown
// severity, an unlinked channel) are answered, not returned as errors.
func (b *Bridge) Command(ctx context.Context, r Request) (Reply, error) {
	ctx = model.WithActor(ctx, r.actor())
	verb, rest, _ := strings.Cut(strings.TrimSpace(r.Text), " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(verb) {
	case "declare":
		return b.declare(ctx, r, rest)
	case "link":
		return b.link(ctx, r, rest)
	case "note":
		return b.withIncident(ctx, r, func(id int64) (Reply, error) { return b.note(ctx, r, id, rest, time.Time{}) })
	case "status":
		return b.withIncident(ctx, r, func(id int64) (Reply, error) { return b.status(ctx, id, rest) })
	case "sev", "severity":
		return b.withIncident(ctx, r, func(id int64) (Reply, error) { return b.severity(ctx, id, rest) })
	case "role":
		return b.withIncident(ctx, r, func(id int64) (Reply, error) { return b.role(ctx, id, rest) })
	case "", "help":
		return reply(false, Usage), nil
	}
	return reply(false, fmt.Sprintf("I don't know `%s`.\n%s", clip(verb, 40), Usage)), nil
}

// AddMessage is the message action: the message lands on the timeline of
// the channel's incident at its original Slack time.
func (b *Bridge) AddMessage(ctx context.Context, r Request, author, text string, at time.Time) (Reply, error) {
	ctx = model.WithActor(ctx, r.actor())
	return b.withIncident(ctx, r, func(id int64) (Reply, error) {
		req := r
		req.UserName = author
		return b.note(ctx, req, id, text, at)
	})
}

func (b *Bridge) withIncident(ctx context.Context, r Request, fn func(int64) (Reply, error)) (Reply, error) {
	id, err := b.Store.ChatChannelIncident(ctx, r.TeamID, r.ChannelID)
	if err == nil {
		// Chat users map to no Debrief account, so a channel stands for
		// nobody in particular: a private incident is not there for it.
		_, err = b.Store.Access(ctx, model.Viewer{}, id)
	}
	if errors.Is(err, model.ErrNotFound) {
		return reply(false, "This channel is not linked to an incident yet. Declare one with "+
			"`/incident declare SEV2 <title>`, or link an existing one with `/incident link <id>`."), nil
	}
	if err != nil {
		return Reply{}, err
	}
	return fn(id)
}

var sevPrefix = regexp.MustCompile(`^(?i)(sev\d+|p\d)\b`)

func (b *Bridge) declare(ctx context.Context, r Request, rest string) (Reply, error) {
	sev := sevPrefix.FindString(rest)
	title := strings.TrimSpace(rest[len(sev):])
	if sev == "" || title == "" {
		return reply(false, "Usage: `/incident declare SEV2 Checkout 5xx in eu-west-1` (a severity, then a title)."), nil
	}
	inc := &model.Incident{Title: title, Severity: strings.ToUpper(sev)}
	err := b.Store.CreateIncident(ctx, inc, r.UserName)
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		return reply(false, "Not declared: "+fieldText(ve)), nil
	}
	if err != nil {
		return Reply{}, err
	}
	if err := b.Store.LinkChatChannel(ctx, r.TeamID, r.ChannelID, inc.ID, r.UserName); err != nil {
		return Reply{}, err
	}
	return reply(true, fmt.Sprintf(":rotating_light: %s declared *#%d %s* (%s). This channel is linked: `/incident note …` adds to its timeline. <%s|Open in Debrief>",
		slackEscape(r.UserName), inc.ID, slackEscape(inc.Title), inc.Severity, incidentURL(r.BaseURL, inc.ID))), nil
}

func (b *Bridge) link(ctx context.Context, r Request, rest string) (Reply, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(rest), "#"), 10, 64)
	if err != nil || id <= 0 {
		return reply(false, "Usage: `/incident link 42` (the incident's number)."), nil
	}
	inc, err := b.Store.VisibleIncident(ctx, model.Viewer{}, id) // a private one is missing to a channel
	if errors.Is(err, model.ErrNotFound) {
		return reply(false, fmt.Sprintf("There is no incident #%d.", id)), nil
	}
	if err != nil {
		return Reply{}, err
	}
	if err := b.Store.LinkChatChannel(ctx, r.TeamID, r.ChannelID, id, r.UserName); err != nil {
		return Reply{}, err
	}
	return reply(true, fmt.Sprintf("This channel is now linked to *#%d %s*. <%s|Open in Debrief>",
		id, slackEscape(inc.Title), incidentURL(r.BaseURL, id))), nil
}

func (b *Bridge) note(ctx context.Context, r Request, id int64, text string, at time.Time) (Reply, error) {
	body := SlackText(text, nil)
	kind, body := GuessKind(body)
	if strings.TrimSpace(body) == "" {
		return reply(false, "Usage: `/incident note <text>`."), nil
	}
	if utf8.RuneCountInString(body) > maxNote {
		return reply(false, fmt.Sprintf("That note has %d characters; a timeline entry holds at most %d.", utf8.RuneCountInString(body), maxNote)), nil
	}
	if at.IsZero() {
		at = b.Now()
	}
	e := &model.TimelineEntry{IncidentID: id, OccurredAt: at.UTC().Truncate(time.Millisecond), Kind: kind, Body: body, Author: r.UserName}
	err := b.Store.AppendTimeline(ctx, e)
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		return reply(false, "Not added: "+fieldText(ve)), nil
	}
	if err != nil {
		return Reply{}, err
	}
	return reply(false, fmt.Sprintf("Added to the timeline of #%d as %s at %s.", id, kind, model.FormatHuman(e.OccurredAt))), nil
}

// statusWords maps what people type to statuses.
var statusWords = map[string]model.Status{
	"investigating": model.StatusInvestigating, "identified": model.StatusIdentified,
	"monitoring": model.StatusMonitoring, "mitigated": model.StatusMonitoring,
	"resolved": model.StatusResolved, "fixed": model.StatusResolved,
}

func (b *Bridge) status(ctx context.Context, id int64, rest string) (Reply, error) {
	st, ok := statusWords[strings.ToLower(strings.TrimSpace(rest))]
	if !ok {
		return reply(false, "Usage: `/incident status investigating|identified|monitoring|mitigated|resolved`."), nil
	}
	return b.update(ctx, id, model.IncidentPatch{Status: &st}, "status "+string(st))
}

func (b *Bridge) severity(ctx context.Context, id int64, rest string) (Reply, error) {
	sev := strings.ToUpper(strings.TrimSpace(rest))
	if sev == "" {
		return reply(false, "Usage: `/incident sev SEV1`."), nil
	}
	return b.update(ctx, id, model.IncidentPatch{Severity: &sev}, "severity "+sev)
}

var roleWords = map[string]string{
	"commander": "commander", "ic": "commander", "incident-commander": "commander",
	"comms": "comms_lead", "comms_lead": "comms_lead", "communications": "comms_lead",
	"scribe": "scribe", "responder": "responder",
}

func (b *Bridge) role(ctx context.Context, id int64, rest string) (Reply, error) {
	word, who, _ := strings.Cut(strings.TrimSpace(rest), " ")
	who = strings.TrimPrefix(SlackText(strings.TrimSpace(who), nil), "@")
	role, ok := roleWords[strings.ToLower(word)]
	if !ok || who == "" {
		return reply(false, "Usage: `/incident role commander|comms|scribe|responder @name`."), nil
	}
	var p model.RolesPatch
	switch role {
	case "commander":
		p.Commander = &who
	case "comms_lead":
		p.CommsLead = &who
	case "scribe":
		p.Scribe = &who
	case "responder":
		inc, err := b.Store.Incident(ctx, id)
		if err != nil {
			return Reply{}, err
		}
		rs := append(append([]string(nil), inc.Roles.Responders...), who)
		p.Responders = &rs
	}
	return b.update(ctx, id, model.IncidentPatch{Roles: &p}, strings.ReplaceAll(role, "_", " ")+" "+who)
}

// update applies a patch to the incident as it is now, trying again if
// someone else changed it in between.
func (b *Bridge) update(ctx context.Context, id int64, p model.IncidentPatch, what string) (Reply, error) {
	for try := 0; ; try++ {
		inc, err := b.Store.Incident(ctx, id)
		if err != nil {
			return Reply{}, err
		}
		p.Version = inc.Version
		_, err = b.Store.UpdateIncident(ctx, id, p)
		var (
			ve *model.ValidationError
			ce *model.ConflictError
		)
		switch {
		case err == nil:
			return reply(true, fmt.Sprintf("#%d %s: %s.", id, slackEscape(inc.Title), slackEscape(what))), nil
		case errors.As(err, &ve):
			return reply(false, "Not changed: "+fieldText(ve)), nil
		case errors.As(err, &ce) && try < 3:
			continue
		default:
			return Reply{}, err
		}
	}
}

// kindPrefixes are the leading words that set an entry's kind.
var kindPrefixes = map[string]model.EntryKind{
	"decision": model.KindDecision, "decided": model.KindDecision,
	"action": model.KindAction, "did": model.KindAction,
	"alert": model.KindAlert, "deploy": model.KindDeploy, "deployed": model.KindDeploy,
	"comms": model.KindCommunication, "communication": model.KindCommunication, "update": model.KindCommunication,
	"observation": model.KindObservation, "fyi": model.KindObservation,
}

// GuessKind reads a leading "decision:", "action:", "alert:", "deploy:" or
// "comms:" off text: the kind it names and the rest. Anything else is an
// observation, with the text as it is.
func GuessKind(text string) (model.EntryKind, string) {
	t := strings.TrimSpace(text)
	word, rest, ok := strings.Cut(t, ":")
	if ok && len(word) <= 14 {
		if k, known := kindPrefixes[strings.ToLower(strings.TrimSpace(word))]; known {
			return k, strings.TrimSpace(rest)
		}
	}
	return model.KindObservation, t
}

var (
	slackLink    = regexp.MustCompile(`<((?:https?|mailto):[^|>\s]+)(?:\|([^>]*))?>`)
	slackUser    = regexp.MustCompile(`<@([A-Z0-9]+)(?:\|([^>]*))?>`)
	slackChannel = regexp.MustCompile(`<#([A-Z0-9]+)(?:\|([^>]*))?>`)
	slackSpecial = regexp.MustCompile(`<!(here|channel|everyone)(?:\|[^>]*)?>`)
)

// SlackText turns Slack's message markup into Markdown text: <@U123>
// becomes @name (from names, else @U123), <https://x|label> a Markdown
// link, <!here> @here, and &amp; &lt; &gt; the characters.
func SlackText(s string, names map[string]string) string {
	s = slackUser.ReplaceAllStringFunc(s, func(m string) string {
		sm := slackUser.FindStringSubmatch(m)
		if sm[2] != "" {
			return "@" + sm[2]
		}
		if n := names[sm[1]]; n != "" {
			return "@" + n
		}
		return "@" + sm[1]
	})
	s = slackChannel.ReplaceAllStringFunc(s, func(m string) string {
		sm := slackChannel.FindStringSubmatch(m)
		if sm[2] != "" {
			return "#" + sm[2]
		}
		return "#" + sm[1]
	})
	s = slackSpecial.ReplaceAllString(s, "@$1")
	s = slackLink.ReplaceAllStringFunc(s, func(m string) string {
		sm := slackLink.FindStringSubmatch(m)
		if sm[2] == "" || sm[2] == sm[1] {
			return sm[1]
		}
		return "[" + strings.ReplaceAll(sm[2], "]", "\\]") + "](" + sm[1] + ")"
	})
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

// slackEscape escapes text for Slack's mrkdwn (&, < and > only).
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func incidentURL(base string, id int64) string {
	return fmt.Sprintf("%s/incidents/%d", strings.TrimRight(base, "/"), id)
}

func fieldText(ve *model.ValidationError) string {
	parts := make([]string, 0, len(ve.Fields))
	for f, msg := range ve.Fields {
		parts = append(parts, f+" "+msg)
	}
	slices.Sort(parts)
	return slackEscape(strings.Join(parts, "; "))
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
