// Package remind sends the daily reminder digest: to every action-item
// owner, their overdue and due-this-week action items and the postmortems
// they owe past the due time, as webhook events (through the store's
// outbox) and, when an SMTP server is configured, as an email.
package remind

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// postmortemWindow is how far back overdue postmortems are chased: older
// ones are the archive's business, not a daily nudge.
const postmortemWindow = 90 * 24 * time.Hour

// Sender sends one email.
type Sender interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Reminder makes and sends the digests.
type Reminder struct {
	Store         *store.Store
	Mail          Sender // nil: no emails
	BaseURL       string
	PostmortemDue time.Duration
	Log           *slog.Logger
	// Every is how often Run looks for digests to send (15 minutes when
	// zero): a digest held back by quiet hours goes out at the first look
	// after them.
	Every time.Duration
}

// Run sends digests until ctx ends: at once, then every r.Every.
func (r *Reminder) Run(ctx context.Context) {
	every := r.Every
	if every <= 0 {
		every = 15 * time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := r.RunOnce(ctx); err != nil && ctx.Err() == nil {
			r.Log.Error("reminders", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// item is an action item or an overdue postmortem as a digest lists it.
type item struct {
	ActionID   int64  `json:"action_item_id,omitempty"`
	IncidentID int64  `json:"incident_id"`
	Incident   string `json:"incident_title"`
	Title      string `json:"title,omitempty"`
	Due        string `json:"due_date,omitempty"`
	ResolvedAt string `json:"resolved_at,omitempty"`
	DueAt      string `json:"due_at,omitempty"`
	URL        string `json:"url"`
	private    bool
}

type digest struct {
	key, owner                string // key: the account's email, or the owner's name
	user                      *model.User
	overdue, week, postmortem []item
}

// RunOnce sends today's digests that are not sent yet (and retries their
// unsent emails).
func (r *Reminder) RunOnce(ctx context.Context) error {
	now := r.Store.Now().UTC()
	day := model.DateOf(now)
	base := strings.TrimRight(r.BaseURL, "/")
	items, err := r.Store.ReminderItems(ctx, day.AddDays(7))
	if err != nil {
		return err
	}
	due := r.PostmortemDue
	if due <= 0 {
		due = model.DefaultPostmortemDue
	}
	pms, err := r.Store.OverduePostmortems(ctx, now.Add(-postmortemWindow), now.Add(-due))
	if err != nil {
		return err
	}
	// Owners are names (free text): an account whose name or email it is
	// gets one digest for all the spellings; anyone else one per name.
	var names []string
	seen := map[string]bool{}
	for _, it := range items {
		if k := strings.ToLower(strings.TrimSpace(it.Owner)); !seen[k] {
			seen[k] = true
			names = append(names, strings.TrimSpace(it.Owner))
		}
	}
	for _, p := range pms {
		for _, o := range p.Owners {
			if k := strings.ToLower(strings.TrimSpace(o)); !seen[k] {
				seen[k] = true
				names = append(names, strings.TrimSpace(o))
			}
		}
	}
	users, err := r.Store.ReminderUsers(ctx, names)
	if err != nil {
		return err
	}
	digests := map[string]*digest{}
	get := func(owner string) *digest {
		owner = strings.TrimSpace(owner)
		k := strings.ToLower(owner)
		u := users[k]
		if u != nil {
			k, owner = u.Email, u.Name // the digest's key: the account
		}
		if digests[k] == nil {
			digests[k] = &digest{key: k, owner: owner, user: u}
		}
		return digests[k]
	}
	for _, it := range items {
		d := get(it.Owner)
		x := item{ActionID: it.ActionID, IncidentID: it.IncidentID, Incident: it.IncidentTitle, Title: it.Title,
			Due: it.Due.String(), URL: fmt.Sprintf("%s/incidents/%d/actions/%d/edit", base, it.IncidentID, it.ActionID), private: it.Private}
		if it.Due.Before(day) {
			d.overdue = append(d.overdue, x)
		} else {
			d.week = append(d.week, x)
		}
	}
	for _, p := range pms {
		added := map[*digest]bool{}
		for _, owner := range p.Owners {
			d := get(owner)
			if added[d] {
				continue
			}
			added[d] = true
			d.postmortem = append(d.postmortem, item{IncidentID: p.IncidentID, Incident: p.Title,
				ResolvedAt: p.ResolvedAt.UTC().Format(time.RFC3339), DueAt: p.ResolvedAt.Add(due).UTC().Format(time.RFC3339),
				URL: fmt.Sprintf("%s/incidents/%d/postmortem", base, p.IncidentID), private: p.Private})
		}
	}
	keys := make([]string, 0, len(digests))
	for k := range digests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d := digests[k]
		if u := d.user; u != nil && (u.RemindersOff || u.Quiet(now.Hour())) {
			continue // opted out; or later, after the quiet hours
		}
		rec, err := r.digestRecord(ctx, d, day)
		if err != nil {
			return err
		}
		if _, err := r.Store.RecordDigest(ctx, rec); err != nil {
			return err
		}
	}
	return r.sendPending(ctx, day)
}

// public keeps the items of organisation incidents: webhook events go to
// every hook, and a private incident's name is for its members only.
func public(items []item) []item {
	var out []item
	for _, it := range items {
		if !it.private {
			out = append(out, it)
		}
	}
	return out
}

// visible keeps the items of incidents u may see.
func (r *Reminder) visible(ctx context.Context, u *model.User, items []item) ([]item, error) {
	var out []item
	for _, it := range items {
		if it.private {
			if _, err := r.Store.Access(ctx, model.ViewerOf(u), it.IncidentID); err != nil {
				if errors.Is(err, model.ErrNotFound) {
					continue
				}
				return nil, err
			}
		}
		out = append(out, it)
	}
	return out, nil
}

func (r *Reminder) digestRecord(ctx context.Context, d *digest, day model.Date) (store.Digest, error) {
	u := d.user
	rec := store.Digest{Owner: d.key, Day: day}
	var email any
	if u != nil {
		rec.UserID, email = &u.ID, u.Email
	}
	overdue, week, pms := public(d.overdue), public(d.week), public(d.postmortem)
	if len(overdue)+len(week) > 0 {
		rec.Events = append(rec.Events, store.DigestEvent{Type: model.EventActionItemOverdue, Data: map[string]any{
			"owner": d.owner, "user_email": email, "day": day.String(),
			"title":   fmt.Sprintf("Action items of %s: %d overdue, %d due this week", d.owner, len(overdue), len(week)),
			"overdue": nonNil(overdue), "due_this_week": nonNil(week),
		}})
	}
	if len(pms) > 0 {
		rec.Events = append(rec.Events, store.DigestEvent{Type: model.EventPostmortemOverdue, Data: map[string]any{
			"owner": d.owner, "user_email": email, "day": day.String(),
			"title":       fmt.Sprintf("Postmortems %s owes: %d overdue", d.owner, len(pms)),
			"postmortems": pms,
		}})
	}
	if u == nil || r.Mail == nil {
		return rec, nil
	}
	var err error
	if overdue, err = r.visible(ctx, u, d.overdue); err != nil {
		return rec, err
	}
	if week, err = r.visible(ctx, u, d.week); err != nil {
		return rec, err
	}
	if pms, err = r.visible(ctx, u, d.postmortem); err != nil {
		return rec, err
	}
	if len(overdue)+len(week)+len(pms) == 0 {
		return rec, nil
	}
	rec.Email = u.Email
	rec.Subject = fmt.Sprintf("Debrief: %d overdue, %d due this week, %d postmortems overdue", len(overdue), len(week), len(pms))
	rec.Body = emailBody(u.Name, day, overdue, week, pms)
	return rec, nil
}

func nonNil(items []item) []item {
	if items == nil {
		return []item{}
	}
	return items
}

func emailBody(name string, day model.Date, overdue, week, pms []item) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\nyour Debrief reminders for %s:\n", name, day)
	section := func(head string, items []item, line func(item) string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s\n", head)
		for _, it := range items {
			fmt.Fprintf(&b, "- %s\n  %s\n", line(it), it.URL)
		}
	}
	action := func(it item) string { return fmt.Sprintf("%s (due %s; incident: %s)", it.Title, it.Due, it.Incident) }
	section("Overdue action items:", overdue, action)
	section("Action items due this week:", week, action)
	section("Overdue postmortems:", pms, func(it item) string {
		return fmt.Sprintf("%s (resolved %s, due %s)", it.Incident, it.ResolvedAt, it.DueAt)
	})
	b.WriteString("\nYou can switch these reminders off, or set quiet hours, on your settings page.\n")
	return b.String()
}

// sendPending sends the day's unsent emails, marking each once sent; one
// that fails is tried again at the next run.
func (r *Reminder) sendPending(ctx context.Context, day model.Date) error {
	if r.Mail == nil {
		return nil
	}
	pending, err := r.Store.PendingEmails(ctx, day)
	if err != nil {
		return err
	}
	for _, p := range pending {
		if err := r.Mail.Send(ctx, p.Email, p.Subject, p.Body); err != nil {
			r.Log.Warn("send reminder email", "owner", p.Owner, "error", err)
			continue
		}
		if err := r.Store.MarkEmailed(ctx, p.Owner, p.Day); err != nil {
			return err
		}
	}
	return nil
}

// Mailer sends email over SMTP with go-mail.
type Mailer struct {
	from string
	host string
	opts []mail.Option
}

// NewMailer reads an SMTP URL: smtp://[user:password@]host[:port] (STARTTLS
// when the server offers it; port 587 by default) or smtps://… (TLS from
// the start; port 465), and the sender's address.
func NewMailer(raw, from string) (*Mailer, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" || (u.Scheme != "smtp" && u.Scheme != "smtps") {
		return nil, fmt.Errorf("smtp url: want smtp://[user:password@]host[:port] or smtps://…")
	}
	m := &Mailer{from: from, host: u.Hostname(), opts: []mail.Option{mail.WithTimeout(30 * time.Second)}}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
		m.opts = append(m.opts, mail.WithSSL())
	} else {
		m.opts = append(m.opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("smtp url: bad port %q", p)
		}
	}
	m.opts = append(m.opts, mail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pw, _ := u.User.Password()
		m.opts = append(m.opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(u.User.Username()), mail.WithPassword(pw))
	}
	if from == "" {
		m.from = "debrief@" + m.host
	}
	return m, nil
}

// Send sends one plain-text email.
func (m *Mailer) Send(ctx context.Context, to, subject, body string) error {
	msg := mail.NewMsg()
	if err := msg.From(m.from); err != nil {
		return err
	}
	if err := msg.To(to); err != nil {
		return err
	}
	msg.Subject(subject)
	msg.SetBodyString(mail.TypeTextPlain, body)
	c, err := mail.NewClient(m.host, m.opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}
