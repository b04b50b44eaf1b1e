package model

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// PostmortemStatus is where a postmortem stands in its review.
type PostmortemStatus string

// The postmortem statuses: written, reviewed, then published. A published
// postmortem is corrected through a new draft that publishes as the next
// revision.
const (
	PostmortemDraft     PostmortemStatus = "draft"
	PostmortemInReview  PostmortemStatus = "in_review"
	PostmortemPublished PostmortemStatus = "published"
)

// Label is the status as people say it.
func (s PostmortemStatus) Label() string {
	if s == PostmortemInReview {
		return "in review"
	}
	return string(s)
}

// DefaultPostmortemDue is how long after resolution a postmortem is due.
const DefaultPostmortemDue = 48 * time.Hour

// SectionKey names a narrative section of a postmortem.
type SectionKey string

// Section describes one narrative section.
type Section struct {
	Key   SectionKey
	Title string
	Hint  string // what to write, shown as the placeholder
}

// Sections lists the narrative sections in the order of the Google SRE
// book's postmortem template (the structured parts — factors, whys,
// action items, timeline — are placed among them when rendered).
var Sections = []Section{
	{"summary", "Summary", "What happened, in two or three sentences a reader outside the team understands."},
	{"impact", "Impact", "Who was affected and how: customers, duration, numbers (requests, orders, revenue)."},
	{"trigger", "Trigger", "What set the incident off: the change or event, not a person."},
	{"resolution", "Resolution", "What stopped the impact and how it was confirmed."},
	{"detection", "Detection", "How and when we found out; what would have told us sooner."},
	{"went_well", "What went well", "Tools, habits and decisions that helped."},
	{"went_wrong", "What went wrong", "Where the system, the tools or the process made the response harder."},
	{"got_lucky", "Where we got lucky", "Near misses: what could have made it worse and did not."},
	{"lessons", "Lessons learned", "What we know now that we did not know before."},
	{"supporting_info", "Supporting information", "Links to dashboards, documents, chat logs."},
}

// SectionByKey returns the section called key.
func SectionByKey(key string) (Section, bool) {
	for _, s := range Sections {
		if string(s.Key) == key {
			return s, true
		}
	}
	return Section{}, false
}

// PostmortemSection is the text of one section, with its own version so
// two people can write different sections at once.
type PostmortemSection struct {
	IncidentID int64
	Key        SectionKey
	Body       string
	Version    int
	UpdatedAt  time.Time
	UpdatedBy  string
}

// TableName names the table plainly.
func (PostmortemSection) TableName() string { return "postmortem_sections" }

// Postmortem is the document of an incident: narrative sections, the
// people who write and review it, and its review status.
type Postmortem struct {
	IncidentID  int64
	Status      PostmortemStatus
	Facilitator string
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time

	Sections  map[SectionKey]PostmortemSection `gorm:"-"`
	Authors   []string                         `gorm:"-"`
	Reviewers []string                         `gorm:"-"`
	// Revisions is how many revisions were published.
	Revisions int `gorm:"-"`
	// ResolvedAt is when the incident was resolved (nil while open): the
	// postmortem is due a fixed time after it.
	ResolvedAt *time.Time `gorm:"-"`
}

// Due returns when the postmortem is due, given how long after resolution
// that is; nil while the incident is open and once a revision is published.
func (p *Postmortem) Due(within time.Duration) *time.Time {
	if p.Revisions > 0 {
		return nil
	}
	return PostmortemDue(p.ResolvedAt, within)
}

// Body returns the text of section key ("" when empty).
func (p *Postmortem) Body(key SectionKey) string { return p.Sections[key].Body }

// PostmortemPeople is a change to who writes and reviews a postmortem.
type PostmortemPeople struct {
	Facilitator string
	Authors     []string
	Reviewers   []string
	Version     int
}

// Normalize trims and checks the names.
func (pp *PostmortemPeople) Normalize() error {
	v := NewValidationError()
	pp.Facilitator = collapseSpace(pp.Facilitator)
	if utf8.RuneCountInString(pp.Facilitator) > MaxNameLen || hasNUL(pp.Facilitator) {
		v.Add("facilitator", fmt.Sprintf("must be a name of at most %d characters", MaxNameLen))
	}
	list := func(field string, names []string) []string {
		out := []string{}
		seen := map[string]bool{}
		for _, n := range names {
			n = collapseSpace(n)
			if n == "" || seen[strings.ToLower(n)] {
				continue
			}
			if utf8.RuneCountInString(n) > MaxNameLen || hasNUL(n) {
				v.Add(field, fmt.Sprintf("each name must be at most %d characters", MaxNameLen))
				continue
			}
			seen[strings.ToLower(n)] = true
			out = append(out, n)
		}
		if len(out) > 20 {
			v.Add(field, "at most 20 names")
		}
		return out
	}
	pp.Authors = list("authors", pp.Authors)
	pp.Reviewers = list("reviewers", pp.Reviewers)
	return v.Err()
}

// FacilitatorWarning is the warning shown when the facilitator was also
// involved in the response: the people involved attend the review but
// should not run it. Empty when there is nothing to say.
func FacilitatorWarning(facilitator string, roles Roles) string {
	if facilitator == "" {
		return ""
	}
	var involved []string
	if strings.EqualFold(facilitator, roles.Commander) {
		involved = append(involved, "incident commander")
	}
	if strings.EqualFold(facilitator, roles.CommsLead) {
		involved = append(involved, "communications lead")
	}
	if strings.EqualFold(facilitator, roles.Scribe) {
		involved = append(involved, "scribe")
	}
	for _, r := range roles.Responders {
		if strings.EqualFold(facilitator, r) {
			involved = append(involved, "responder")
			break
		}
	}
	if len(involved) == 0 {
		return ""
	}
	return fmt.Sprintf("%s was %s in this incident: the people involved attend the review but should not run it. Ask someone who was not involved to facilitate.",
		facilitator, strings.Join(involved, " and "))
}

// PostmortemDue returns when the postmortem of an incident resolved at
// resolvedAt is due, or nil while the incident is open.
func PostmortemDue(resolvedAt *time.Time, within time.Duration) *time.Time {
	if resolvedAt == nil {
		return nil
	}
	if within <= 0 {
		within = DefaultPostmortemDue
	}
	t := resolvedAt.Add(within)
	return &t
}

// DueLabel says when something due at due is due, relative to now: "due
// in 5 h", "due in 2 d", "overdue by 3 h".
func DueLabel(due, now time.Time) string {
	d := due.Sub(now)
	if d >= 0 {
		return "due in " + roughDuration(d)
	}
	return "overdue by " + roughDuration(-d)
}

func roughDuration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", max(1, int(d/time.Minute)))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return fmt.Sprintf("%d d", int(d/(24*time.Hour)))
}

// LintAck records that a blameless-language finding was read and kept,
// and why.
type LintAck struct {
	IncidentID  int64
	Fingerprint string
	Reason      string
	ByName      string
	At          time.Time
}

// TableName names the table plainly.
func (LintAck) TableName() string { return "lint_acknowledgements" }

// PostmortemRevision is an immutable published snapshot.
type PostmortemRevision struct {
	ID          int64
	IncidentID  int64
	Number      int
	Markdown    string
	Data        string // the structured snapshot, JSON
	PublishedAt time.Time
	PublishedBy string
}

// TableName names the table plainly.
func (PostmortemRevision) TableName() string { return "postmortem_revisions" }

// CheckSectionBody trims and checks the text of a section.
func CheckSectionBody(v *ValidationError, field string, body *string) {
	checkText(v, field, body, MaxMarkdownLen)
}

// CheckAck trims and checks an acknowledgement.
func CheckAck(v *ValidationError, a *LintAck) {
	a.Fingerprint = strings.TrimSpace(a.Fingerprint)
	if a.Fingerprint == "" || utf8.RuneCountInString(a.Fingerprint) > 300 || hasNUL(a.Fingerprint) {
		v.Add("fingerprint", "is required: the finding to acknowledge")
	}
	a.Reason = collapseSpace(a.Reason)
	switch n := utf8.RuneCountInString(a.Reason); {
	case n == 0:
		v.Add("reason", "is required: say briefly why the wording stays")
	case n > 500 || hasNUL(a.Reason):
		v.Add("reason", "must be at most 500 characters of text")
	}
}
