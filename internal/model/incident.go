package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on incident fields, shared by forms, the API and the database checks.
const (
	MaxTitleLen     = 200
	MaxMarkdownLen  = 100_000
	MaxNameLen      = 100
	MaxTagLen       = 50
	MaxServices     = 30
	MaxTags         = 30
	MaxResponders   = 50
	MaxMembers      = 200
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Status is where an incident stands in its response.
type Status string

// The statuses, in the order an incident normally moves through them.
const (
	StatusInvestigating Status = "investigating"
	StatusIdentified    Status = "identified"
	StatusMonitoring    Status = "monitoring"
	StatusResolved      Status = "resolved"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusInvestigating, StatusIdentified, StatusMonitoring, StatusResolved}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Open reports whether the incident is still being worked on.
func (s Status) Open() bool { return s != StatusResolved }

// CanTransition reports whether an incident may move from one status to
// another. Open incidents may move freely (a fix that did not hold sends
// "monitoring" back to "investigating"); a resolved incident can only be
// re-opened, to investigating.
func CanTransition(from, to Status) bool {
	if from == to {
		return true
	}
	if from == StatusResolved {
		return to == StatusInvestigating
	}
	return to.Valid()
}

// Severity is one level of the (editable) severity scale.
type Severity struct {
	Name        string `gorm:"primaryKey"`
	Description string
	Position    int
	// ActionDueWeeks is how long an action item of an incident of this
	// severity has by default.
	ActionDueWeeks int
}

// Validate normalises and checks a level of the scale.
func (sv *Severity) Validate() error {
	v := NewValidationError()
	sv.Name = strings.TrimSpace(sv.Name)
	switch n := utf8.RuneCountInString(sv.Name); {
	case n == 0:
		v.Add("name", "is required")
	case n > SeverityList.MaxName:
		v.Add("name", fmt.Sprintf("must be at most %d characters", SeverityList.MaxName))
	case strings.ContainsFunc(sv.Name, func(r rune) bool {
		return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z')
	}):
		v.Add("name", "may hold only letters, digits, - and _")
	}
	sv.Description = strings.TrimSpace(sv.Description)
	checkListEntry(v, sv.Description, sv.Position)
	// 0 means "not given": a new level gets the default, a change keeps
	// the level's current value (the store fills it in).
	if sv.ActionDueWeeks < 0 || sv.ActionDueWeeks > 104 {
		v.Add("action_due_weeks", "must be a whole number of weeks from 1 to 104")
	}
	return v.Err()
}

// Milestone names one of an incident's key instants; the value is the
// column and JSON field name.
type Milestone string

// The milestones, in their natural order.
const (
	MilestoneStarted      Milestone = "started_at"
	MilestoneDetected     Milestone = "detected_at"
	MilestoneAcknowledged Milestone = "acknowledged_at"
	MilestoneMitigated    Milestone = "mitigated_at"
	MilestoneResolved     Milestone = "resolved_at"
)

// Milestones lists every milestone in natural order.
var Milestones = []Milestone{MilestoneStarted, MilestoneDetected, MilestoneAcknowledged, MilestoneMitigated, MilestoneResolved}

// Label is the milestone's name for people.
func (m Milestone) Label() string {
	switch m {
	case MilestoneStarted:
		return "Impact started"
	case MilestoneDetected:
		return "Detected"
	case MilestoneAcknowledged:
		return "Acknowledged"
	case MilestoneMitigated:
		return "Mitigated"
	case MilestoneResolved:
		return "Resolved"
	}
	return string(m)
}

// milestoneOrder lists the pairs (earlier, later) that must not be inverted.
var milestoneOrder = [][2]Milestone{
	{MilestoneStarted, MilestoneDetected},
	{MilestoneDetected, MilestoneAcknowledged},
	{MilestoneStarted, MilestoneAcknowledged},
	{MilestoneStarted, MilestoneMitigated},
	{MilestoneMitigated, MilestoneResolved},
	{MilestoneStarted, MilestoneResolved},
}

// Roles are the people in named roles on an incident (free text for now).
type Roles struct {
	Commander  string   `json:"commander"`
	CommsLead  string   `json:"comms_lead"`
	Scribe     string   `json:"scribe"`
	Responders []string `json:"responders"`
}

// Visibility says who may see an incident.
type Visibility string

// The visibilities. An organisation incident is open to every signed-in
// person, as blameless practice asks; a private one (a security incident,
// one about a customer or an employee) only to its members, the people in
// its roles and admins. To anyone else it does not exist.
const (
	VisibilityOrganisation Visibility = "organisation"
	VisibilityPrivate      Visibility = "private"
)

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool { return v == VisibilityOrganisation || v == VisibilityPrivate }

// Incident is the record of one incident. Services, tags and roles live in
// their own tables and are loaded by the store.
type Incident struct {
	ID             int64
	Title          string
	Summary        string
	Impact         string
	Severity       string
	Status         Status
	StartedAt      *time.Time
	DetectedAt     *time.Time
	AcknowledgedAt *time.Time
	MitigatedAt    *time.Time
	ResolvedAt     *time.Time
	Visibility     Visibility `gorm:"default:organisation"`
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time

	Services []string `gorm:"-"`
	Tags     []string `gorm:"-"`
	Roles    Roles    `gorm:"-"`
	// Members are the emails of the users given access to the incident
	// while it is private (its roles have access without being listed).
	Members []string `gorm:"-"`
}

// Private reports whether only members (and admins) may see inc.
func (inc *Incident) Private() bool { return inc.Visibility == VisibilityPrivate }

// MilestoneTime returns the instant of m, or nil when it is not recorded.
func (inc *Incident) MilestoneTime(m Milestone) *time.Time {
	switch m {
	case MilestoneStarted:
		return inc.StartedAt
	case MilestoneDetected:
		return inc.DetectedAt
	case MilestoneAcknowledged:
		return inc.AcknowledgedAt
	case MilestoneMitigated:
		return inc.MitigatedAt
	case MilestoneResolved:
		return inc.ResolvedAt
	}
	return nil
}

// SetMilestone records (or, with nil, clears) the instant of m.
func (inc *Incident) SetMilestone(m Milestone, t *time.Time) {
	if t != nil {
		u := t.UTC()
		t = &u
	}
	switch m {
	case MilestoneStarted:
		inc.StartedAt = t
	case MilestoneDetected:
		inc.DetectedAt = t
	case MilestoneAcknowledged:
		inc.AcknowledgedAt = t
	case MilestoneMitigated:
		inc.MitigatedAt = t
	case MilestoneResolved:
		inc.ResolvedAt = t
	}
}

// SameContent reports whether inc and o record the same incident facts
// (ignoring id, version and timestamps), so a save that changes nothing
// can leave the version alone instead of causing needless conflicts.
func (inc *Incident) SameContent(o *Incident) bool {
	if inc.Title != o.Title || inc.Summary != o.Summary || inc.Impact != o.Impact ||
		inc.Severity != o.Severity || inc.Status != o.Status ||
		inc.Roles.Commander != o.Roles.Commander || inc.Roles.CommsLead != o.Roles.CommsLead ||
		inc.Roles.Scribe != o.Roles.Scribe || !slices.Equal(inc.Roles.Responders, o.Roles.Responders) ||
		!sameSet(inc.Services, o.Services) || !sameSet(inc.Tags, o.Tags) ||
		!inc.SameAccess(o) {
		return false
	}
	for _, m := range Milestones {
		a, b := inc.MilestoneTime(m), o.MilestoneTime(m)
		if (a == nil) != (b == nil) || (a != nil && !a.Equal(*b)) {
			return false
		}
	}
	return true
}

// SameAccess reports whether inc and o give access to the same people.
func (inc *Incident) SameAccess(o *Incident) bool {
	return inc.Visibility == o.Visibility && sameSet(inc.Members, o.Members)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	for i := range x {
		x[i] = strings.ToLower(x[i])
	}
	for i := range y {
		y[i] = strings.ToLower(y[i])
	}
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// DurationFact is one of the derived response durations.
type DurationFact struct {
	Label      string
	Definition string
	Value      *time.Duration
}

// Durations returns time to detect, acknowledge, mitigate and resolve. A
// duration whose milestones are missing has a nil Value.
func (inc *Incident) Durations() []DurationFact {
	between := func(from, to *time.Time) *time.Duration {
		if from == nil || to == nil {
			return nil
		}
		d := to.Sub(*from)
		return &d
	}
	return []DurationFact{
		{"Time to detect", "detected − started", between(inc.StartedAt, inc.DetectedAt)},
		{"Time to acknowledge", "acknowledged − detected", between(inc.DetectedAt, inc.AcknowledgedAt)},
		{"Time to mitigate", "mitigated − started", between(inc.StartedAt, inc.MitigatedAt)},
		{"Time to resolve", "resolved − started", between(inc.StartedAt, inc.ResolvedAt)},
	}
}

// Validate checks every field of inc and the order of its milestones; it
// does not know the severity scale (the store checks that).
func (inc *Incident) Validate(now time.Time) error {
	v := NewValidationError()
	inc.Title = collapseSpace(inc.Title)
	switch n := utf8.RuneCountInString(inc.Title); {
	case hasNUL(inc.Title):
		v.Add("title", errNUL)
	case n == 0:
		v.Add("title", "is required")
	case n > MaxTitleLen:
		v.Add("title", fmt.Sprintf("must be at most %d characters (got %d)", MaxTitleLen, n))
	}
	checkMarkdown(v, "summary", inc.Summary)
	checkMarkdown(v, "impact", inc.Impact)
	if strings.TrimSpace(inc.Severity) == "" {
		v.Add("severity", "is required")
	}
	if !inc.Status.Valid() {
		v.Add("status", fmt.Sprintf("unknown status %q; use one of %s", inc.Status, statusList()))
	}
	var err error
	if inc.Services, err = NormalizeServices(inc.Services); err != nil {
		v.Add("services", err.Error())
	}
	if inc.Tags, err = NormalizeTags(inc.Tags); err != nil {
		v.Add("tags", err.Error())
	}
	inc.Roles.normalize(v)
	if inc.Visibility == "" {
		inc.Visibility = VisibilityOrganisation
	}
	if !inc.Visibility.Valid() {
		v.Add("visibility", fmt.Sprintf("unknown visibility %q; use organisation or private", inc.Visibility))
	}
	if inc.Members, err = NormalizeMembers(inc.Members); err != nil {
		v.Add("members", err.Error())
	}
	for _, m := range Milestones {
		if t := inc.MilestoneTime(m); t != nil {
			if err := CheckInstant(*t, now); err != nil {
				v.Add(string(m), err.Error())
			}
		}
	}
	if len(v.Fields) == 0 {
		checkMilestoneOrder(v, inc)
		switch {
		case inc.Status == StatusResolved && inc.ResolvedAt == nil:
			v.Add("resolved_at", "is required while the status is resolved")
		case inc.Status != StatusResolved && inc.ResolvedAt != nil:
			v.Add("resolved_at", "can only be set when the status is resolved")
			v.Add("status", "must be resolved when resolved_at is set")
		}
	}
	return v.Err()
}

func checkMilestoneOrder(v *ValidationError, inc *Incident) {
	for _, pair := range milestoneOrder {
		early, late := inc.MilestoneTime(pair[0]), inc.MilestoneTime(pair[1])
		if early == nil || late == nil || !late.Before(*early) {
			continue
		}
		v.Add(string(pair[1]), fmt.Sprintf("must not be before %s (%s)", pair[0], FormatHuman(*early)))
		v.Add(string(pair[0]), fmt.Sprintf("must not be after %s (%s)", pair[1], FormatHuman(*late)))
	}
}

func checkMarkdown(v *ValidationError, field, s string) {
	if n := utf8.RuneCountInString(s); n > MaxMarkdownLen {
		v.Add(field, fmt.Sprintf("must be at most %d characters (got %d)", MaxMarkdownLen, n))
	}
	if !utf8.ValidString(s) {
		v.Add(field, "must be valid UTF-8 text")
	}
	if hasNUL(s) {
		v.Add(field, errNUL)
	}
}

// errNUL refuses the NUL character: SQLite's length() stops at it, so the
// schema's length checks would fail on it and the write would be a 500.
const errNUL = "must not contain NUL characters"

func hasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }

func statusList() string {
	names := make([]string, len(Statuses))
	for i, s := range Statuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

func (r *Roles) normalize(v *ValidationError) {
	one := func(field string, s *string) {
		*s = collapseSpace(*s)
		if hasNUL(*s) {
			v.Add(field, errNUL)
		}
		if n := utf8.RuneCountInString(*s); n > MaxNameLen {
			v.Add(field, fmt.Sprintf("must be at most %d characters", MaxNameLen))
		}
	}
	one("roles.commander", &r.Commander)
	one("roles.comms_lead", &r.CommsLead)
	one("roles.scribe", &r.Scribe)
	out := make([]string, 0, len(r.Responders))
	seen := map[string]bool{}
	for _, name := range r.Responders {
		name = collapseSpace(name)
		key := strings.ToLower(name)
		if name == "" || seen[key] {
			continue
		}
		seen[key] = true
		if hasNUL(name) {
			v.Add("roles.responders", errNUL)
		}
		if utf8.RuneCountInString(name) > MaxNameLen {
			v.Add("roles.responders", fmt.Sprintf("each name must be at most %d characters", MaxNameLen))
		}
		out = append(out, name)
	}
	if len(out) > MaxResponders {
		v.Add("roles.responders", fmt.Sprintf("at most %d responders", MaxResponders))
	}
	r.Responders = out
}

// NormalizeMembers lower-cases, de-duplicates and checks the members'
// email addresses (whether each one has an account is the store's to say).
func NormalizeMembers(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, m := range in {
		if strings.TrimSpace(m) == "" {
			continue
		}
		email, err := NormalizeEmail(m)
		if err != nil {
			return nil, fmt.Errorf("%q %s", Truncate(strings.TrimSpace(m), 60), err.Error())
		}
		if !slices.Contains(out, email) {
			out = append(out, email)
		}
	}
	if len(out) > MaxMembers {
		return nil, fmt.Errorf("at most %d members", MaxMembers)
	}
	slices.Sort(out)
	return out, nil
}

// SplitMembers splits a form's members field: emails separated by commas,
// semicolons, spaces or new lines.
func SplitMembers(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) })
}

// NormalizeServices trims, de-duplicates (case-insensitively, first spelling
// wins) and checks service names.
func NormalizeServices(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, s := range in {
		s = collapseSpace(s)
		if s == "" || seen[strings.ToLower(s)] {
			continue
		}
		seen[strings.ToLower(s)] = true
		if utf8.RuneCountInString(s) > MaxNameLen {
			return nil, fmt.Errorf("service name %q is longer than %d characters", Truncate(s, 20), MaxNameLen)
		}
		if hasNUL(s) {
			return nil, fmt.Errorf("service name %q %s", Truncate(s, 40), errNUL)
		}
		if strings.ContainsAny(s, ",<>\"") {
			return nil, fmt.Errorf("service name %q must not contain , < > or \"", Truncate(s, 40))
		}
		out = append(out, s)
	}
	if len(out) > MaxServices {
		return nil, fmt.Errorf("at most %d services", MaxServices)
	}
	return out, nil
}

// NormalizeTags lower-cases, de-duplicates and checks tags: letters, digits
// and - _ . : / only.
func NormalizeTags(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		t = strings.TrimPrefix(t, "#")
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		if utf8.RuneCountInString(t) > MaxTagLen {
			return nil, fmt.Errorf("tag %q is longer than %d characters", Truncate(t, 20), MaxTagLen)
		}
		for _, r := range t {
			if !(r == '-' || r == '_' || r == '.' || r == ':' || r == '/' || isLetterOrDigit(r)) {
				return nil, fmt.Errorf("tag %q may hold only letters, digits and - _ . : /", Truncate(t, 40))
			}
		}
		out = append(out, t)
	}
	if len(out) > MaxTags {
		return nil, fmt.Errorf("at most %d tags", MaxTags)
	}
	return out, nil
}

// SplitList splits a comma-separated form value into its items.
func SplitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// RolesPatch changes some of an incident's roles; nil fields stay as they
// are, so a bot that sets the commander leaves the rest of the team alone.
type RolesPatch struct {
	Commander  *string   `json:"commander"`
	CommsLead  *string   `json:"comms_lead"`
	Scribe     *string   `json:"scribe"`
	Responders *[]string `json:"responders"`
}

// FullRoles is a patch that sets every role to r (an edit form sends all).
func FullRoles(r Roles) *RolesPatch {
	return &RolesPatch{Commander: &r.Commander, CommsLead: &r.CommsLead, Scribe: &r.Scribe, Responders: &r.Responders}
}

// Roles returns the roles the patch sets, with "" for the ones it leaves out.
func (p RolesPatch) Roles() Roles { return p.apply(Roles{}) }

func (p RolesPatch) apply(r Roles) Roles {
	if p.Commander != nil {
		r.Commander = *p.Commander
	}
	if p.CommsLead != nil {
		r.CommsLead = *p.CommsLead
	}
	if p.Scribe != nil {
		r.Scribe = *p.Scribe
	}
	if p.Responders != nil {
		r.Responders = append([]string(nil), *p.Responders...)
	}
	return r
}

// IncidentPatch is a partial change to an incident. Nil fields are left as
// they are; Milestones holds only the milestones to change (a nil value
// clears one). Version must be the version the change was based on.
type IncidentPatch struct {
	Title      *string
	Summary    *string
	Impact     *string
	Severity   *string
	Status     *Status
	Services   *[]string
	Tags       *[]string
	Roles      *RolesPatch
	Visibility *Visibility
	Members    *[]string
	Milestones map[Milestone]*time.Time
	Version    int
	Author     string
}

// OnlyStatus reports whether the patch changes nothing but the status.
func (p IncidentPatch) OnlyStatus() bool {
	return p.Title == nil && p.Summary == nil && p.Impact == nil && p.Severity == nil &&
		p.Services == nil && p.Tags == nil && p.Roles == nil && p.Visibility == nil && p.Members == nil &&
		len(p.Milestones) == 0
}

// Apply changes inc as p says, fills the milestones a status change implies,
// validates the result and returns the milestone timeline entries that
// record what changed. inc is left changed even when an error is returned;
// callers work on a copy.
func (inc *Incident) Apply(p IncidentPatch, now time.Time) ([]TimelineEntry, error) {
	now = now.UTC().Truncate(time.Millisecond)
	before := *inc
	if p.Title != nil {
		inc.Title = *p.Title
	}
	if p.Summary != nil {
		inc.Summary = *p.Summary
	}
	if p.Impact != nil {
		inc.Impact = *p.Impact
	}
	if p.Severity != nil {
		inc.Severity = strings.TrimSpace(*p.Severity)
	}
	if p.Services != nil {
		inc.Services = *p.Services
	}
	if p.Tags != nil {
		inc.Tags = *p.Tags
	}
	if p.Roles != nil {
		inc.Roles = p.Roles.apply(inc.Roles)
	}
	if p.Visibility != nil {
		inc.Visibility = *p.Visibility
	}
	if p.Members != nil {
		inc.Members = append([]string(nil), *p.Members...)
	}
	for m, t := range p.Milestones {
		inc.SetMilestone(m, t)
	}
	if p.Status != nil && *p.Status != inc.Status {
		to := *p.Status
		if !to.Valid() {
			return nil, FieldError("status", fmt.Sprintf("unknown status %q; use one of %s", to, statusList()))
		}
		if !CanTransition(inc.Status, to) {
			return nil, FieldError("status", fmt.Sprintf("cannot move from %s to %s; a resolved incident can only be re-opened to investigating", inc.Status, to))
		}
		_, mitigatedGiven := p.Milestones[MilestoneMitigated]
		_, resolvedGiven := p.Milestones[MilestoneResolved]
		switch to {
		case StatusMonitoring:
			if inc.MitigatedAt == nil && !mitigatedGiven {
				inc.SetMilestone(MilestoneMitigated, &now)
			}
		case StatusResolved:
			if inc.ResolvedAt == nil && !resolvedGiven {
				inc.SetMilestone(MilestoneResolved, &now)
			}
			if inc.MitigatedAt == nil && !mitigatedGiven {
				// Resolution implies mitigation; without this the time to
				// mitigate would be missing for every incident fixed outright.
				inc.SetMilestone(MilestoneMitigated, inc.ResolvedAt)
			}
		default:
			if inc.Status == StatusResolved && !resolvedGiven {
				inc.ResolvedAt = nil // re-opened
			}
		}
		inc.Status = to
	}
	if err := inc.Validate(now); err != nil {
		return nil, err
	}
	return changeEntries(&before, inc, now, p.Author), nil
}

// NewIncidentEntries returns the milestone entries that record a newly
// declared incident: the declaration itself and each milestone given.
func NewIncidentEntries(inc *Incident, now time.Time, author string) []TimelineEntry {
	now = now.UTC().Truncate(time.Millisecond)
	entries := []TimelineEntry{milestoneEntry(now, author,
		fmt.Sprintf("Incident declared: %s, status %s.", inc.Severity, inc.Status))}
	for _, m := range Milestones {
		if t := inc.MilestoneTime(m); t != nil {
			entries = append(entries, milestoneEntry(*t, author, m.Label()+"."))
		}
	}
	return entries
}

func changeEntries(before, after *Incident, now time.Time, author string) []TimelineEntry {
	var entries []TimelineEntry
	if before.Status != after.Status {
		verb := "Status changed"
		if before.Status == StatusResolved {
			verb = "Re-opened"
		}
		entries = append(entries, milestoneEntry(now, author,
			fmt.Sprintf("%s: %s → %s.", verb, before.Status, after.Status)))
	}
	if before.Severity != after.Severity {
		entries = append(entries, milestoneEntry(now, author,
			fmt.Sprintf("Severity changed: %s → %s.", before.Severity, after.Severity)))
	}
	for _, m := range Milestones {
		old, cur := before.MilestoneTime(m), after.MilestoneTime(m)
		switch {
		case old == nil && cur == nil:
		case old == nil:
			entries = append(entries, milestoneEntry(*cur, author, m.Label()+"."))
		case cur == nil:
			entries = append(entries, milestoneEntry(now, author,
				fmt.Sprintf("%s time cleared (was %s).", m.Label(), FormatHuman(*old))))
		case !old.Equal(*cur):
			entries = append(entries, milestoneEntry(*cur, author,
				fmt.Sprintf("%s (time corrected from %s).", m.Label(), FormatHuman(*old))))
		}
	}
	return entries
}

func milestoneEntry(at time.Time, author, body string) TimelineEntry {
	if author == "" {
		author = SystemAuthor
	}
	return TimelineEntry{OccurredAt: at.UTC(), Kind: KindMilestone, Body: body, Author: author}
}

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// Truncate cuts s to n runes, marking a cut with "…" (for messages that
// quote what was sent).
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func isLetterOrDigit(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
