package web

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/auth"
	"github.com/debrief-dev/debrief/internal/chat"
	"github.com/debrief-dev/debrief/internal/model"
)

// chatTokenPrefix starts every generic chat webhook token.
const chatTokenPrefix = "dbc_"

func (s *Server) bridge() *chat.Bridge { return &chat.Bridge{Store: s.store, Now: s.now} }

// slackBody reads a Slack request's raw body and checks its signature.
// Without a signing secret the Slack routes do not exist (404).
func (s *Server) slackBody(c echo.Context) (url.Values, error) {
	if s.opts.SlackSigningSecret == "" {
		return nil, model.ErrNotFound
	}
	body, err := rawBody(c)
	if err != nil {
		return nil, err
	}
	if err := chat.VerifySlack(s.opts.SlackSigningSecret, c.Request().Header, body, time.Now()); err != nil {
		return nil, errAuth{err.Error()}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, model.FieldError("body", "is not a form")
	}
	return form, validUTF8(form)
}

// slackCommand is POST /integrations/slack/commands: the /incident slash
// command. It answers in Slack's JSON within Slack's 3 s.
func (s *Server) slackCommand(c echo.Context) error {
	form, err := s.slackBody(c)
	if err != nil {
		return err
	}
	r := chat.Request{
		TeamID: form.Get("team_id"), ChannelID: form.Get("channel_id"),
		UserID: form.Get("user_id"), UserName: form.Get("user_name"), Text: form.Get("text"),
		BaseURL: s.baseURL(c),
	}
	if err := checkSlackIDs(r); err != nil {
		return err
	}
	out, err := s.bridge().Command(c.Request().Context(), r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func checkSlackIDs(r chat.Request) error {
	v := model.NewValidationError()
	for field, val := range map[string]string{"team_id": r.TeamID, "channel_id": r.ChannelID, "user_id": r.UserID} {
		if val == "" || len(val) > 64 {
			v.Add(field, "is required (at most 64 characters)")
		}
	}
	return v.Err()
}

// slackPayload is the part of an interaction payload the message action
// reads.
type slackPayload struct {
	Type       string `json:"type"`
	CallbackID string `json:"callback_id"`
	Team       struct {
		ID string `json:"id"`
	} `json:"team"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	User struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
	} `json:"user"`
	Message struct {
		Text        string `json:"text"`
		TS          string `json:"ts"`
		User        string `json:"user"`
		Username    string `json:"username"`
		UserProfile struct {
			DisplayName string `json:"display_name"`
			RealName    string `json:"real_name"`
		} `json:"user_profile"`
	} `json:"message"`
}

// slackInteraction is POST /integrations/slack/interactions: the "Add to
// Debrief timeline" message action adds the message at its Slack time.
func (s *Server) slackInteraction(c echo.Context) error {
	form, err := s.slackBody(c)
	if err != nil {
		return err
	}
	var p slackPayload
	if err := json.Unmarshal([]byte(form.Get("payload")), &p); err != nil {
		return model.FieldError("payload", "is not a Slack interaction payload")
	}
	if p.Type != "message_action" {
		return c.JSON(http.StatusOK, chat.Reply{ResponseType: "ephemeral", Text: "Debrief only handles the \"Add to Debrief timeline\" message action."})
	}
	at, err := slackTS(p.Message.TS)
	if err != nil {
		return err
	}
	author := firstNonEmpty(p.Message.UserProfile.DisplayName, p.Message.UserProfile.RealName, p.Message.Username, p.Message.User)
	r := chat.Request{TeamID: p.Team.ID, ChannelID: p.Channel.ID, UserID: p.User.ID,
		UserName: firstNonEmpty(p.User.Name, p.User.Username), BaseURL: s.baseURL(c)}
	if err := checkSlackIDs(r); err != nil {
		return err
	}
	out, err := s.bridge().AddMessage(c.Request().Context(), r, author, p.Message.Text, at)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// slackTS reads a Slack message timestamp ("1741430520.000200": seconds
// and microseconds since the epoch).
func slackTS(ts string) (time.Time, error) {
	sec, frac, _ := strings.Cut(ts, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || n <= 0 || len(frac) > 6 {
		return time.Time{}, model.FieldError("message.ts", "is not a Slack timestamp")
	}
	var us int64
	if frac != "" {
		us, err = strconv.ParseInt((frac + "000000")[:6], 10, 64)
		if err != nil {
			return time.Time{}, model.FieldError("message.ts", "is not a Slack timestamp")
		}
	}
	return time.Unix(n, us*1000).UTC().Truncate(time.Millisecond), nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// chatWebhook is POST /integrations/chat/{token}: a chat tool's outgoing
// webhook (Mattermost, Rocket.Chat: form or JSON with text, user_name and
// timestamp) adds the message to the token's incident.
func (s *Server) chatWebhook(c echo.Context) error {
	secret := c.Param("token")
	if !strings.HasPrefix(secret, chatTokenPrefix) || len(secret) > 100 {
		return model.ErrNotFound
	}
	ctx := c.Request().Context()
	tok, err := s.store.ChatTokenByHash(ctx, hex.EncodeToString(auth.HashToken(secret)))
	if err != nil {
		return err // revoked or unknown: 404
	}
	var in struct {
		Text        string          `json:"text"`
		UserName    string          `json:"user_name"`
		Timestamp   json.RawMessage `json:"timestamp"`
		TriggerWord string          `json:"trigger_word"`
	}
	ct, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if ct == echo.MIMEApplicationJSON {
		// Chat tools send many more fields (channel, team, token…): only
		// these are read, the rest ignored.
		body, err := io.ReadAll(c.Request().Body)
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		if err == nil {
			if _, err := checkJSON(body); err != nil {
				return err
			}
		}
		if err != nil || json.Unmarshal(body, &in) != nil {
			return model.FieldError("body", "is not a JSON object with text, user_name and timestamp")
		}
	} else {
		if err := parseForm(c); err != nil {
			return err
		}
		in.Text, in.UserName, in.TriggerWord = c.FormValue("text"), c.FormValue("user_name"), c.FormValue("trigger_word")
		if ts := c.FormValue("timestamp"); ts != "" {
			in.Timestamp = json.RawMessage(strconv.Quote(ts))
		}
	}
	at, err := webhookTime(in.Timestamp, s.now())
	if err != nil {
		return err
	}
	text := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(in.Text), in.TriggerWord))
	kind, body := chat.GuessKind(text)
	e := &model.TimelineEntry{IncidentID: tok.IncidentID, OccurredAt: at, Kind: kind, Body: body, Author: strings.TrimSpace(in.UserName)}
	actx := model.WithActor(ctx, model.Actor{Label: fmt.Sprintf("chat webhook %s… (%s)", tok.Prefix, e.Author)})
	if err := s.store.AppendTimeline(actx, e); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": e.ID, "incident_id": e.IncidentID, "occurred_at": model.FormatAPI(e.OccurredAt)})
}

// webhookTime reads a chat webhook's timestamp: epoch seconds or
// milliseconds (a number or a string of digits), or RFC 3339 with an
// offset; none means now.
func webhookTime(raw json.RawMessage, now time.Time) (time.Time, error) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "" || s == "null" {
		return now, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		if n > 1e12 {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	t, err := model.ParseTimestamp(s)
	if err != nil {
		return time.Time{}, model.FieldError("timestamp", "must be epoch seconds or milliseconds, or a timestamp with an offset")
	}
	return t, nil
}

// chatTokenPage shows a new chat webhook address, once.
type chatTokenPage struct {
	Incident *model.Incident
	URL      string
}

// chatTokenCreate makes a generic chat webhook address for the incident
// and shows it once; only its hash is kept.
func (s *Server) chatTokenCreate(c echo.Context) error {
	inc, err := s.pathIncident(c)
	if err != nil {
		return err
	}
	ctx, id := c.Request().Context(), inc.ID
	rnd, err := auth.RandomString(32)
	if err != nil {
		return err
	}
	secret := chatTokenPrefix + rnd
	t := &model.ChatToken{IncidentID: id, Hash: hex.EncodeToString(auth.HashToken(secret)), Prefix: secret[:len(chatTokenPrefix)+6], CreatedBy: defaultAuthor(c)}
	if err := s.store.CreateChatToken(ctx, t); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.Render(http.StatusOK, "chat_token", s.pageData(c, chatTokenPage{Incident: inc, URL: s.baseURL(c) + "/integrations/chat/" + secret}))
}

func (s *Server) chatTokenRevoke(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	tokenID, err := pathID(c, "tokenID")
	if err != nil {
		return err
	}
	if err := s.store.RevokeChatToken(c.Request().Context(), id, tokenID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/incidents/%d#chat", id))
}
