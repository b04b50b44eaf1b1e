package model

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on the analysis of an incident.
const (
	MaxFactorsPerIncident = 100
	MaxWhyTextLen         = 1000
	MaxWhyDepth           = 20  // levels, a root being level 1
	MaxWhyNodes           = 500 // per incident
	MaxActionsPerIncident = 200
	MaxActionTextLen      = 10_000
	// WhyHintDepth is the depth a branch should reach before the gentle
	// "keep asking why?" hint stops (five is the classic depth).
	WhyHintDepth          = 3
	DefaultActionDueWeeks = 8
)

// FactorCategory is one entry of the (editable) set of contributing-factor
// categories.
type FactorCategory struct {
	Name        string `gorm:"primaryKey"`
	Description string
	Position    int
}

// Validate normalises and checks a category.
func (fc *FactorCategory) Validate() error {
	v := NewValidationError()
	// Checked before ToLower, which would turn invalid bytes into U+FFFD.
	valid := utf8.ValidString(fc.Name)
	fc.Name = strings.ToLower(collapseSpace(fc.Name))
	switch n := utf8.RuneCountInString(fc.Name); {
	case !valid || hasNUL(fc.Name):
		v.Add("name", "must be plain text")
	case n == 0:
		v.Add("name", "is required")
	case n > CategoryList.MaxName:
		v.Add("name", fmt.Sprintf("must be at most %d characters", CategoryList.MaxName))
	}
	fc.Description = strings.TrimSpace(fc.Description)
	checkListEntry(v, fc.Description, fc.Position)
	return v.Err()
}

// Factor is a contributing factor of an incident: the trigger, or one of
// the latent conditions that let it become an incident.
type Factor struct {
	ID          int64
	IncidentID  int64
	Title       string
	Description string
	Category    string
	IsTrigger   bool
	Position    int
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName names the table plainly.
func (Factor) TableName() string { return "contributing_factors" }

// Validate normalises and checks a factor (the category's existence is
// checked by the store).
func (f *Factor) Validate() error {
	v := NewValidationError()
	checkTitle(v, "title", &f.Title)
	checkText(v, "description", &f.Description, MaxMarkdownLen)
	f.Category = strings.ToLower(collapseSpace(f.Category))
	if f.Category == "" {
		v.Add("category", "is required")
	}
	return v.Err()
}

// FactorPatch is a partial change to a factor; Version is the version the
// change was based on. Position moves the factor among the incident's.
type FactorPatch struct {
	Title       *string
	Description *string
	Category    *string
	IsTrigger   *bool
	Position    *int
	Version     int
}

// Apply changes f as p says (except Position, which the store applies)
// and validates the result. It reports whether anything changed.
func (f *Factor) Apply(p FactorPatch) (bool, error) {
	before := *f
	if p.Title != nil {
		f.Title = *p.Title
	}
	if p.Description != nil {
		f.Description = *p.Description
	}
	if p.Category != nil {
		f.Category = *p.Category
	}
	if p.IsTrigger != nil {
		f.IsTrigger = *p.IsTrigger
	}
	if err := f.Validate(); err != nil {
		return false, err
	}
	return before.Title != f.Title || before.Description != f.Description || before.Category != f.Category ||
		before.IsTrigger != f.IsTrigger, nil
}

// Kind is "trigger" or "latent condition", as people say it.
func (f *Factor) Kind() string {
	if f.IsTrigger {
		return "trigger"
	}
	return "latent condition"
}

// WhyNode is one answer in a whys tree. A root (no parent) states the
// problem, or stands for the contributing factor FactorID; any other node
// answers "why?" for its parent, and a FactorID on it means it was
// promoted to (or linked with) that factor.
type WhyNode struct {
	ID         int64
	IncidentID int64
	ParentID   *int64
	FactorID   *int64
	Text       string
	Position   int
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time

	// Filled when a tree is built: the node's level (a root is 0), its
	// children in order, and the action items linked to it.
	Depth     int        `gorm:"-" json:"-"`
	Children  []*WhyNode `gorm:"-" json:"-"`
	ActionIDs []int64    `gorm:"-" json:"-"`
}

// Validate normalises and checks a node's text.
func (n *WhyNode) Validate() error {
	v := NewValidationError()
	n.Text = strings.TrimSpace(n.Text)
	switch l := utf8.RuneCountInString(n.Text); {
	case !utf8.ValidString(n.Text):
		v.Add("text", "must be valid UTF-8 text")
	case hasNUL(n.Text):
		v.Add("text", errNUL)
	case l == 0:
		v.Add("text", "is required")
	case l > MaxWhyTextLen:
		v.Add("text", fmt.Sprintf("must be at most %d characters (got %d)", MaxWhyTextLen, l))
	}
	return v.Err()
}

// IsRoot reports whether n starts a tree.
func (n *WhyNode) IsRoot() bool { return n.ParentID == nil }

// NeedsWhy reports whether the branch ends too early: a leaf above the
// hint depth gets a gentle "keep asking why?" (never a rule).
func (n *WhyNode) NeedsWhy() bool { return len(n.Children) == 0 && n.Depth < WhyHintDepth }

// Height is the number of levels in n's subtree, n included.
func (n *WhyNode) Height() int {
	h := 0
	for _, c := range n.Children {
		h = max(h, c.Height())
	}
	return h + 1
}

// Size is the number of nodes in n's subtree, n included.
func (n *WhyNode) Size() int {
	s := 1
	for _, c := range n.Children {
		s += c.Size()
	}
	return s
}

// Walk calls fn for n and every node below it, depth first, in order.
func (n *WhyNode) Walk(fn func(*WhyNode)) {
	fn(n)
	for _, c := range n.Children {
		c.Walk(fn)
	}
}

// WhyPatch is a partial change to a node. SetParent with a nil ParentID
// makes the node a root; SetFactor with a nil FactorID unlinks its factor.
type WhyPatch struct {
	Text      *string
	SetParent bool
	ParentID  *int64
	SetFactor bool
	FactorID  *int64
	Position  *int
	Version   int
}

// BuildWhyTrees links flat nodes (ordered by parent, then position) into
// trees and returns the roots in order, with depths set. A node whose
// parent is missing is treated as a root rather than lost.
func BuildWhyTrees(nodes []WhyNode) []*WhyNode {
	byID := make(map[int64]*WhyNode, len(nodes))
	for i := range nodes {
		nodes[i].Children = nil
		byID[nodes[i].ID] = &nodes[i]
	}
	var roots []*WhyNode
	for i := range nodes {
		n := &nodes[i]
		if n.ParentID != nil {
			if p, ok := byID[*n.ParentID]; ok && p != n {
				p.Children = append(p.Children, n)
				continue
			}
		}
		roots = append(roots, n)
	}
	sortNodes(roots)
	var depth func(n *WhyNode, d int, seen map[int64]bool)
	seen := map[int64]bool{}
	depth = func(n *WhyNode, d int, seen map[int64]bool) {
		if seen[n.ID] {
			n.Children = nil // a cycle cannot be stored, but never loop on one
			return
		}
		seen[n.ID] = true
		n.Depth = d
		sortNodes(n.Children)
		for _, c := range n.Children {
			depth(c, d+1, seen)
		}
	}
	for _, r := range roots {
		depth(r, 0, seen)
	}
	return roots
}

func sortNodes(ns []*WhyNode) {
	// Insertion sort: sibling lists are short and usually already ordered.
	for i := 1; i < len(ns); i++ {
		for j := i; j > 0 && less(ns[j], ns[j-1]); j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
}

func less(a, b *WhyNode) bool {
	if a.Position != b.Position {
		return a.Position < b.Position
	}
	return a.ID < b.ID
}

// ActionType says what an action item does about the incident.
type ActionType string

// The action item types.
const (
	ActionPrevent  ActionType = "prevent"
	ActionMitigate ActionType = "mitigate"
	ActionDetect   ActionType = "detect"
	ActionProcess  ActionType = "process"
)

// ActionTypes lists every type.
var ActionTypes = []ActionType{ActionPrevent, ActionMitigate, ActionDetect, ActionProcess}

// Priority orders action items within the same due date.
type Priority string

// The priorities, highest first.
const (
	PriorityHigh   Priority = "high"
	PriorityMedium Priority = "medium"
	PriorityLow    Priority = "low"
)

// Priorities lists every priority, highest first.
var Priorities = []Priority{PriorityHigh, PriorityMedium, PriorityLow}

// ActionStatus is where an action item stands.
type ActionStatus string

// The action statuses.
const (
	ActionOpen       ActionStatus = "open"
	ActionInProgress ActionStatus = "in_progress"
	ActionDone       ActionStatus = "done"
	ActionWontDo     ActionStatus = "wont_do"
)

// ActionStatuses lists every status in workflow order.
var ActionStatuses = []ActionStatus{ActionOpen, ActionInProgress, ActionDone, ActionWontDo}

// Closed reports whether no more work is expected on the item.
func (s ActionStatus) Closed() bool { return s == ActionDone || s == ActionWontDo }

// Label is the status as people write it.
func (s ActionStatus) Label() string {
	switch s {
	case ActionInProgress:
		return "in progress"
	case ActionWontDo:
		return "won't do"
	}
	return string(s)
}

// CanMoveTo reports whether an item may move from s to t: open → in
// progress → done | won't do, any open item may be closed directly, and a
// closed item can be re-opened.
func (s ActionStatus) CanMoveTo(t ActionStatus) bool {
	if s == t {
		return true
	}
	switch s {
	case ActionOpen:
		return t == ActionInProgress || t.Closed()
	case ActionInProgress:
		return t == ActionOpen || t.Closed()
	case ActionDone, ActionWontDo:
		return t == ActionOpen || t == ActionInProgress
	}
	return false
}

// ActionItem is a piece of follow-up work. Every item has an owner and a
// due date; done needs a closure note or evidence, won't do a rationale.
type ActionItem struct {
	ID          int64
	IncidentID  int64
	Title       string
	Description string
	Owner       string
	Due         Date `gorm:"column:due_date"`
	Type        ActionType
	Priority    Priority
	Status      ActionStatus
	ClosureNote string
	EvidenceURL string
	Rationale   string
	TrackerURL  string
	ClosedAt    *time.Time
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time

	// Links, filled by the store.
	FactorIDs []int64 `gorm:"-"`
	WhyIDs    []int64 `gorm:"-"`
	// Incident facts for lists across incidents, filled by the store.
	IncidentTitle    string   `gorm:"-"`
	IncidentSeverity string   `gorm:"-"`
	IncidentServices []string `gorm:"-"`
}

// TableName names the table plainly.
func (ActionItem) TableName() string { return "action_items" }

// Overdue reports whether the due date has passed (in UTC) and the item is
// not closed.
func (a *ActionItem) Overdue(now time.Time) bool { return !a.Status.Closed() && a.Due.Passed(now) }

// DefaultDue is the due date an action item gets when none is given: the
// severity's weeks after today (UTC).
func DefaultDue(sv Severity, now time.Time) Date {
	weeks := sv.ActionDueWeeks
	if weeks <= 0 {
		weeks = DefaultActionDueWeeks
	}
	return DateOf(now).AddDays(7 * weeks)
}

// Validate normalises and checks an item (links are checked by the store).
func (a *ActionItem) Validate() error {
	v := NewValidationError()
	checkTitle(v, "title", &a.Title)
	checkText(v, "description", &a.Description, MaxActionTextLen)
	a.Owner = collapseSpace(a.Owner)
	switch n := utf8.RuneCountInString(a.Owner); {
	case !utf8.ValidString(a.Owner) || hasNUL(a.Owner):
		v.Add("owner", "must be plain text")
	case n == 0:
		v.Add("owner", "is required: every action item needs one person who owns it")
	case n > MaxNameLen:
		v.Add("owner", fmt.Sprintf("must be at most %d characters", MaxNameLen))
	}
	if a.Due.IsZero() {
		v.Add("due_date", "is required (YYYY-MM-DD)")
	}
	if a.Type == "" {
		v.Add("type", "is required; use one of "+joinValues(ActionTypes))
	} else if !oneOf(a.Type, ActionTypes) {
		v.Add("type", fmt.Sprintf("unknown type %q; use one of %s", Truncate(string(a.Type), 30), joinValues(ActionTypes)))
	}
	if a.Priority == "" {
		a.Priority = PriorityMedium
	}
	if !oneOf(a.Priority, Priorities) {
		v.Add("priority", fmt.Sprintf("unknown priority %q; use one of %s", Truncate(string(a.Priority), 30), joinValues(Priorities)))
	}
	if a.Status == "" {
		a.Status = ActionOpen
	}
	if !oneOf(a.Status, ActionStatuses) {
		v.Add("status", fmt.Sprintf("unknown status %q; use one of %s", Truncate(string(a.Status), 30), joinValues(ActionStatuses)))
	}
	checkText(v, "closure_note", &a.ClosureNote, MaxActionTextLen)
	checkText(v, "rationale", &a.Rationale, MaxActionTextLen)
	// A bad URL stays as typed, so a form shown again keeps it.
	if u, err := NormalizeURL(a.EvidenceURL); err != nil {
		v.Add("evidence_url", err.Error())
	} else {
		a.EvidenceURL = u
	}
	if u, err := NormalizeURL(a.TrackerURL); err != nil {
		v.Add("tracker_url", err.Error())
	} else {
		a.TrackerURL = u
	}
	switch a.Status {
	case ActionDone:
		if a.ClosureNote == "" && a.EvidenceURL == "" && v.Fields["evidence_url"] == "" {
			v.Add("closure_note", "is required to mark an item done: say what was done, or give an evidence link")
		}
	case ActionWontDo:
		if a.Rationale == "" {
			v.Add("rationale", "is required to decide not to do an item: say why, so the review can see the decision")
		}
	}
	return v.Err()
}

// ActionPatch is a partial change to an action item; Version is the
// version it was based on. Links replace the item's links when set.
type ActionPatch struct {
	Title       *string
	Description *string
	Owner       *string
	Due         *Date
	Type        *ActionType
	Priority    *Priority
	Status      *ActionStatus
	ClosureNote *string
	EvidenceURL *string
	Rationale   *string
	TrackerURL  *string
	FactorIDs   *[]int64
	WhyIDs      *[]int64
	Version     int
}

// Apply changes a as p says, checks the status move and validates the
// result; closing sets ClosedAt, re-opening clears it. It reports whether
// any field (links aside) changed.
func (a *ActionItem) Apply(p ActionPatch, now time.Time) (bool, error) {
	before := *a
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&a.Title, p.Title)
	set(&a.Description, p.Description)
	set(&a.Owner, p.Owner)
	set(&a.ClosureNote, p.ClosureNote)
	set(&a.EvidenceURL, p.EvidenceURL)
	set(&a.Rationale, p.Rationale)
	set(&a.TrackerURL, p.TrackerURL)
	if p.Due != nil {
		a.Due = *p.Due
	}
	if p.Type != nil {
		a.Type = *p.Type
	}
	if p.Priority != nil {
		a.Priority = *p.Priority
	}
	if p.Status != nil {
		if oneOf(*p.Status, ActionStatuses) && !before.Status.CanMoveTo(*p.Status) {
			return false, FieldError("status", fmt.Sprintf("cannot move from %s to %s", before.Status.Label(), p.Status.Label()))
		}
		a.Status = *p.Status
	}
	if err := a.Validate(); err != nil {
		return false, err
	}
	a.SetClosed(before.Status, now)
	changed := before.Title != a.Title || before.Description != a.Description || before.Owner != a.Owner ||
		before.Due != a.Due || before.Type != a.Type || before.Priority != a.Priority || before.Status != a.Status ||
		before.ClosureNote != a.ClosureNote || before.EvidenceURL != a.EvidenceURL ||
		before.Rationale != a.Rationale || before.TrackerURL != a.TrackerURL
	return changed, nil
}

// SetClosed keeps ClosedAt in step with a status change from prev.
func (a *ActionItem) SetClosed(prev ActionStatus, now time.Time) {
	switch {
	case a.Status.Closed() && (!prev.Closed() || a.ClosedAt == nil):
		t := now.UTC()
		a.ClosedAt = &t
	case !a.Status.Closed():
		a.ClosedAt = nil
	}
}

func checkTitle(v *ValidationError, field string, s *string) {
	*s = collapseSpace(*s)
	switch n := utf8.RuneCountInString(*s); {
	case !utf8.ValidString(*s) || hasNUL(*s):
		v.Add(field, "must be plain text")
	case n == 0:
		v.Add(field, "is required")
	case n > MaxTitleLen:
		v.Add(field, fmt.Sprintf("must be at most %d characters (got %d)", MaxTitleLen, n))
	}
}

func checkText(v *ValidationError, field string, s *string, limit int) {
	*s = strings.TrimSpace(*s)
	switch n := utf8.RuneCountInString(*s); {
	case !utf8.ValidString(*s):
		v.Add(field, "must be valid UTF-8 text")
	case hasNUL(*s):
		v.Add(field, errNUL)
	case n > limit:
		v.Add(field, fmt.Sprintf("must be at most %d characters (got %d)", limit, n))
	}
}

func oneOf[T ~string](x T, set []T) bool {
	for _, s := range set {
		if x == s {
			return true
		}
	}
	return false
}

func joinValues[T ~string](set []T) string {
	names := make([]string, len(set))
	for i, s := range set {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// Valid reports whether s is a known status.
func (s ActionStatus) Valid() bool { return oneOf(s, ActionStatuses) }
