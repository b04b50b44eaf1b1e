package remind

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// smtpServer is a tiny SMTP server on loopback (net/textproto): enough of
// RFC 5321 for a client to send mail, which it keeps.
type smtpServer struct {
	addr string
	mu   sync.Mutex
	mail []received
}

type received struct {
	from string
	to   []string
	data string
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	s := &smtpServer{addr: ln.Addr().String()}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpServer) serve(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	tc := textproto.NewConn(conn)
	_ = tc.PrintfLine("220 fake ESMTP")
	var cur received
	for {
		line, err := tc.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			_ = tc.PrintfLine("250-fake greets you")
			_ = tc.PrintfLine("250 8BITMIME")
		case "MAIL":
			cur = received{from: arg}
			_ = tc.PrintfLine("250 OK")
		case "RCPT":
			cur.to = append(cur.to, arg)
			_ = tc.PrintfLine("250 OK")
		case "DATA":
			_ = tc.PrintfLine("354 go ahead")
			b, err := io.ReadAll(tc.DotReader())
			if err != nil {
				return
			}
			cur.data = string(b)
			s.mu.Lock()
			s.mail = append(s.mail, cur)
			s.mu.Unlock()
			_ = tc.PrintfLine("250 queued")
		case "QUIT":
			_ = tc.PrintfLine("221 bye")
			return
		default: // NOOP, RSET
			_ = tc.PrintfLine("250 OK")
		}
	}
}

func (s *smtpServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.mail...)
}

type world struct {
	st    *store.Store
	clock *time.Time
	r     *Reminder
	smtp  *smtpServer
	hook  int64
	bob   *model.User
}

func newWorld(t *testing.T) *world {
	t.Helper()
	clock := time.Date(2026, time.December, 8, 9, 0, 0, 0, time.UTC)
	w := &world{clock: &clock}
	w.st = store.OpenTest(t, store.WithClock(func() time.Time { return *w.clock }))
	ctx := context.Background()
	w.smtp = startSMTP(t)
	m, err := NewMailer("smtp://"+w.smtp.addr, "debrief@example.com")
	require.NoError(t, err)
	w.r = &Reminder{Store: w.st, Mail: m, BaseURL: "https://debrief.example.com", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	hook := &model.Webhook{URL: "https://hooks.example.com/r", Events: []string{model.EventActionItemOverdue, model.EventPostmortemOverdue},
		Format: model.FormatJSON, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	require.NoError(t, hook.Validate(false))
	require.NoError(t, w.st.CreateWebhook(ctx, hook))
	w.hook = hook.ID
	w.bob = &model.User{Email: "bob@example.com", Name: "Bob Builder", Role: model.RoleEditor}
	require.NoError(t, w.st.CreateUser(ctx, w.bob))
	return w
}

func (w *world) incident(t *testing.T, title string, resolved *time.Time, private bool, commander ...string) int64 {
	t.Helper()
	inc := &model.Incident{Title: title, Severity: "SEV2", Status: model.StatusInvestigating}
	if len(commander) > 0 {
		inc.Roles.Commander = commander[0]
	}
	if resolved != nil {
		inc.Status, inc.ResolvedAt = model.StatusResolved, resolved
	}
	if private {
		inc.Visibility = model.VisibilityPrivate
	}
	require.NoError(t, w.st.CreateIncident(context.Background(), inc, ""))
	return inc.ID
}

func (w *world) action(t *testing.T, incident int64, title, owner string, dueIn int) {
	t.Helper()
	a := &model.ActionItem{IncidentID: incident, Title: title, Owner: owner, Due: model.DateOf(*w.clock).AddDays(dueIn), Type: model.ActionPrevent}
	require.NoError(t, w.st.CreateAction(context.Background(), a))
}

// events returns the hook's events, oldest first, decoded.
func (w *world) events(t *testing.T) []map[string]any {
	t.Helper()
	ds, err := w.st.Deliveries(context.Background(), w.hook, 0, 100)
	require.NoError(t, err)
	var out []map[string]any
	for i := len(ds) - 1; i >= 0; i-- {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(ds[i].Data), &m))
		m["type"] = ds[i].Type
		out = append(out, m)
	}
	return out
}

func TestDigest(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	inc := w.incident(t, "Checkout 5xx", nil, false)
	w.action(t, inc, "Add a canary", "bob builder", -2) // overdue; owner by name, any case
	w.action(t, inc, "Alert on queue depth", "bob@example.com", 3)
	w.action(t, inc, "Later work", "Bob Builder", 30) // not yet
	w.action(t, inc, "Write the runbook", "Carol Contractor", -1)
	secret := w.incident(t, "Payroll leak", nil, true)
	w.action(t, secret, "Rotate the payroll keys", "Bob Builder", -1)
	resolved := w.clock.Add(-72 * time.Hour)
	w.incident(t, "Search outage", &resolved, false, "Bob Builder") // its commander owes the postmortem

	require.NoError(t, w.r.RunOnce(ctx))

	evs := w.events(t)
	require.Len(t, evs, 3, "%v", evs)
	byOwner := map[string][]map[string]any{}
	for _, e := range evs {
		byOwner[e["owner"].(string)] = append(byOwner[e["owner"].(string)], e)
	}
	require.Len(t, byOwner["Carol Contractor"], 1)
	carol := byOwner["Carol Contractor"][0]
	assert.Equal(t, model.EventActionItemOverdue, carol["type"])
	assert.Nil(t, carol["user_email"], "no account: listed, not emailed")
	assert.Len(t, carol["overdue"], 1)

	bob := byOwner["Bob Builder"]
	require.Len(t, bob, 2, "one owner, whatever the case or name/email: %v", byOwner)
	assert.Equal(t, model.EventActionItemOverdue, bob[0]["type"])
	assert.Equal(t, "bob@example.com", bob[0]["user_email"])
	assert.Len(t, bob[0]["overdue"], 1, "the private incident's item is not in a webhook event")
	assert.Len(t, bob[0]["due_this_week"], 1)
	assert.Equal(t, model.EventPostmortemOverdue, bob[1]["type"])
	pms := bob[1]["postmortems"].([]any)
	require.Len(t, pms, 1)
	assert.Equal(t, "Search outage", pms[0].(map[string]any)["incident_title"])
	raw, _ := json.Marshal(evs)
	assert.NotContains(t, string(raw), "Payroll")

	// One email, to Bob's account; the private item is not his to see.
	mail := w.smtp.received()
	require.Len(t, mail, 1)
	assert.Contains(t, mail[0].to[0], "bob@example.com")
	assert.Contains(t, mail[0].data, "Add a canary")
	assert.Contains(t, mail[0].data, "Alert on queue depth")
	assert.Contains(t, mail[0].data, "Search outage")
	assert.Contains(t, mail[0].data, "https://debrief.example.com/incidents/")
	assert.NotContains(t, mail[0].data, "Later work")
	assert.NotContains(t, mail[0].data, "Payroll")

	// Idempotent per day: a second run (a restart) sends nothing.
	require.NoError(t, w.r.RunOnce(ctx))
	assert.Len(t, w.events(t), 3)
	assert.Len(t, w.smtp.received(), 1)

	// The next day, again.
	*w.clock = w.clock.Add(24 * time.Hour)
	require.NoError(t, w.r.RunOnce(ctx))
	assert.Len(t, w.events(t), 6)
	assert.Len(t, w.smtp.received(), 2)
}

func TestDigestOptOutAndQuietHours(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	inc := w.incident(t, "Checkout 5xx", nil, false)
	w.action(t, inc, "Add a canary", "Bob Builder", -2)
	from, to := 8, 10
	require.NoError(t, w.st.SetReminderPrefs(ctx, w.bob.ID, false, &from, &to))
	require.NoError(t, w.r.RunOnce(ctx)) // 09:00 UTC: quiet
	assert.Empty(t, w.events(t))
	assert.Empty(t, w.smtp.received())
	*w.clock = w.clock.Add(time.Hour) // 10:00: the quiet hours are over
	require.NoError(t, w.r.RunOnce(ctx))
	assert.Len(t, w.events(t), 1)
	assert.Len(t, w.smtp.received(), 1)

	*w.clock = w.clock.Add(24 * time.Hour)
	require.NoError(t, w.st.SetReminderPrefs(ctx, w.bob.ID, true, nil, nil))
	require.NoError(t, w.r.RunOnce(ctx))
	assert.Len(t, w.events(t), 1, "opted out: nothing")
	assert.Len(t, w.smtp.received(), 1)
}

func TestDigestEmailRetried(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	inc := w.incident(t, "Checkout 5xx", nil, false)
	w.action(t, inc, "Add a canary", "Bob Builder", -2)
	good := w.r.Mail
	down, err := NewMailer("smtp://127.0.0.1:1", "debrief@example.com") // nothing listens there
	require.NoError(t, err)
	w.r.Mail = down
	require.NoError(t, w.r.RunOnce(ctx))
	assert.Len(t, w.events(t), 1, "the webhook event is queued whatever the mail server does")
	w.r.Mail = good
	require.NoError(t, w.r.RunOnce(ctx))
	assert.Len(t, w.events(t), 1)
	assert.Len(t, w.smtp.received(), 1, "the unsent email goes out at the next run")
}

func TestNewMailerRefusesBadURLs(t *testing.T) {
	for _, raw := range []string{"", "http://mail.example.com", "smtp://", "smtp://mail.example.com:99999", "mail.example.com:25"} {
		_, err := NewMailer(raw, "")
		assert.Error(t, err, raw)
	}
	m, err := NewMailer("smtps://u:p@mail.example.com", "")
	require.NoError(t, err)
	assert.Equal(t, "debrief@mail.example.com", m.from)
	assert.Equal(t, fmt.Sprint("mail.example.com"), m.host)
}
