package model

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The events an outgoing webhook can ask for.
const (
	EventIncidentDeclared    = "incident.declared"
	EventIncidentUpdated     = "incident.updated" // status or severity changed
	EventIncidentResolved    = "incident.resolved"
	EventPostmortemPublished = "postmortem.published"
	EventActionItemOverdue   = "action_item.overdue"
	EventPostmortemOverdue   = "postmortem.overdue"
	EventChangeRecorded      = "change.recorded"
)

// WebhookEvents lists every event, in the order forms offer them.
var WebhookEvents = []string{
	EventIncidentDeclared, EventIncidentUpdated, EventIncidentResolved, EventPostmortemPublished,
	EventActionItemOverdue, EventPostmortemOverdue, EventChangeRecorded,
}

// Webhook formats: json is signed the Standard Webhooks way; slack is an
// incoming-webhook payload (also read by Mattermost and Rocket.Chat).
const (
	FormatJSON  = "json"
	FormatSlack = "slack"
)

// Webhook delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// WebhookMaxFailures is how many failed attempts in a row pause a hook.
const WebhookMaxFailures = 50

// Webhook is an outgoing webhook: where to send which events, how.
type Webhook struct {
	ID           int64
	URL          string
	Events       []string `gorm:"-"`
	EventList    string   `gorm:"column:events"` // ",a,b,": one LIKE finds a subscriber
	Format       string
	Secret       string `json:"-"` // never in the API or the audit log after creation
	Description  string
	Private      bool // also sends events of private incidents
	Active       bool
	PausedReason string
	Failures     int
	CreatedAt    time.Time
	CreatedBy    string
	UpdatedAt    time.Time
}

// TableName names the table plainly.
func (Webhook) TableName() string { return "webhooks" }

// Wants reports whether the hook asked for an event type.
func (w *Webhook) Wants(event string) bool { return slices.Contains(w.Events, event) }

// EncodeEvents stores Events in EventList; DecodeEvents reads them back.
func (w *Webhook) EncodeEvents() { w.EventList = "," + strings.Join(w.Events, ",") + "," }

// DecodeEvents reads EventList into Events.
func (w *Webhook) DecodeEvents() {
	w.Events = nil
	for _, e := range strings.Split(strings.Trim(w.EventList, ","), ",") {
		if e != "" {
			w.Events = append(w.Events, e)
		}
	}
}

// Validate normalises and checks a webhook. allowPrivate lets its URL name
// a loopback, private or link-local address (the server's
// --webhook-allow-private); names are checked again when delivering, after
// they are resolved.
func (w *Webhook) Validate(allowPrivate bool) error {
	v := NewValidationError()
	w.URL = strings.TrimSpace(w.URL)
	u, err := url.Parse(w.URL)
	switch {
	case w.URL == "":
		v.Add("url", "is required")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(w.URL) > MaxChangeURL:
		v.Add("url", "must be an http or https URL")
	case u.User != nil:
		v.Add("url", "must not carry a user name or password")
	case !allowPrivate && IsPrivateHost(u.Hostname()):
		v.Add("url", "points at a loopback, private or link-local address; start the server with --webhook-allow-private to allow that")
	}
	seen := map[string]bool{}
	var events []string
	for _, e := range w.Events {
		e = strings.TrimSpace(e)
		if !slices.Contains(WebhookEvents, e) {
			v.Add("events", fmt.Sprintf("unknown event %q; use any of %s", Truncate(e, 40), strings.Join(WebhookEvents, ", ")))
			continue
		}
		if !seen[e] {
			seen[e] = true
			events = append(events, e)
		}
	}
	if len(w.Events) == 0 {
		v.Add("events", "choose at least one event")
	}
	w.Events = events
	if w.Format == "" {
		w.Format = FormatJSON
	}
	if w.Format != FormatJSON && w.Format != FormatSlack {
		v.Add("format", `must be "json" or "slack"`)
	}
	checkShort(v, "description", &w.Description, 200)
	w.EncodeEvents()
	return v.Err()
}

// IsPrivateHost reports whether host (a name or an address) is one a
// server-side request must not reach unless allowed: loopback, private,
// link-local, unspecified, shared (CGNAT) or multicast addresses, and
// "localhost".
func IsPrivateHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(strings.Trim(h, "[]"))
	if err != nil {
		return false // a name: checked once resolved
	}
	return IsPrivateAddr(a)
}

var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// IsPrivateAddr reports whether an address is not a public unicast one.
func IsPrivateAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() || sharedSpace.Contains(a)
}

// Delivery is one event for one webhook, and how its delivery went.
type Delivery struct {
	ID              int64
	WebhookID       int64
	OutboxID        int64
	MsgID           string
	Status          string
	Attempts        int
	NextAttemptAt   time.Time
	LastAttemptAt   *time.Time
	LastStatusCode  *int
	LastError       string
	LastLatencyMS   *int64
	ResponseExcerpt string
	CreatedAt       time.Time
	DeliveredAt     *time.Time
	// From the outbox: the event.
	Type       string    `gorm:"->;-:migration"`
	IncidentID *int64    `gorm:"->;-:migration"`
	Data       string    `gorm:"->;-:migration"`
	EventAt    time.Time `gorm:"->;-:migration"`
}

// TableName names the table plainly.
func (Delivery) TableName() string { return "webhook_deliveries" }
