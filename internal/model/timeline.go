package model

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on timeline entries.
const (
	MaxEntryBodyLen = 10_000
	MaxURLLen       = 2048
)

// SystemAuthor is the author of entries Debrief writes itself.
const SystemAuthor = "Debrief"

// EntryKind classifies a timeline entry.
type EntryKind string

// The kinds of timeline entry.
const (
	KindObservation   EntryKind = "observation"
	KindAction        EntryKind = "action"
	KindDecision      EntryKind = "decision"
	KindCommunication EntryKind = "communication"
	KindAlert         EntryKind = "alert"
	KindDeploy        EntryKind = "deploy"
	KindMilestone     EntryKind = "milestone"
)

// EntryKinds lists every kind, most common first.
var EntryKinds = []EntryKind{KindObservation, KindAction, KindDecision, KindCommunication, KindAlert, KindDeploy, KindMilestone}

// Valid reports whether k is a known kind.
func (k EntryKind) Valid() bool {
	for _, v := range EntryKinds {
		if k == v {
			return true
		}
	}
	return false
}

// TimelineEntry is one line of an incident's timeline. OccurredAt is UTC
// with millisecond precision; entries are ordered by it, then by ID.
type TimelineEntry struct {
	ID           int64
	IncidentID   int64
	OccurredAt   time.Time
	Kind         EntryKind
	Body         string
	EvidenceURL  string
	Author       string
	LearnedLater bool
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time

	// BodyHTML is Body rendered by internal/markdown at version
	// RenderVersion when the entry was saved (the store keeps it current).
	BodyHTML      string `json:"-"`
	RenderVersion int    `json:"-"`

	// Revisions holds what the entry said before each edit, oldest first.
	Revisions []TimelineRevision `gorm:"foreignKey:EntryID" json:"-"`
}

// TimelineRevision is a replaced version of a timeline entry.
type TimelineRevision struct {
	ID           int64
	EntryID      int64
	Version      int
	OccurredAt   time.Time
	Kind         EntryKind
	Body         string
	EvidenceURL  string
	Author       string
	LearnedLater bool
	ReplacedAt   time.Time
}

// TableName keeps the table name readable.
func (TimelineRevision) TableName() string { return "timeline_entry_revisions" }

// Validate normalises and checks an entry.
func (e *TimelineEntry) Validate(now time.Time) error {
	v := NewValidationError()
	e.OccurredAt = e.OccurredAt.UTC().Truncate(time.Millisecond)
	if e.OccurredAt.IsZero() {
		v.Add("occurred_at", "is required")
	} else if err := CheckInstant(e.OccurredAt, now); err != nil {
		v.Add("occurred_at", err.Error())
	}
	if !e.Kind.Valid() {
		v.Add("kind", fmt.Sprintf("unknown kind %q; use one of %s", e.Kind, kindList()))
	}
	e.Body = strings.TrimSpace(e.Body)
	switch n := utf8.RuneCountInString(e.Body); {
	case !utf8.ValidString(e.Body):
		v.Add("body", "must be valid UTF-8 text")
	case hasNUL(e.Body):
		v.Add("body", errNUL)
	case n == 0:
		v.Add("body", "is required")
	case n > MaxEntryBodyLen:
		v.Add("body", fmt.Sprintf("must be at most %d characters (got %d)", MaxEntryBodyLen, n))
	}
	var err error
	if e.EvidenceURL, err = NormalizeURL(e.EvidenceURL); err != nil {
		v.Add("evidence_url", err.Error())
	}
	e.Author = collapseSpace(e.Author)
	if hasNUL(e.Author) {
		v.Add("author", errNUL)
	}
	if utf8.RuneCountInString(e.Author) > MaxNameLen {
		v.Add("author", fmt.Sprintf("must be at most %d characters", MaxNameLen))
	}
	return v.Err()
}

// NormalizeURL accepts an empty string or an absolute http(s) URL with a host.
func NormalizeURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) > MaxURLLen {
		return "", fmt.Errorf("must be at most %d characters", MaxURLLen)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("must be an http:// or https:// URL")
	}
	return u.String(), nil
}

// EntryPatch is a partial change to a timeline entry; Version is the
// version the change was based on.
type EntryPatch struct {
	OccurredAt   *time.Time
	Kind         *EntryKind
	Body         *string
	EvidenceURL  *string
	Author       *string
	LearnedLater *bool
	Version      int
}

// Apply changes e as p says and validates the result. It reports whether
// anything changed.
func (e *TimelineEntry) Apply(p EntryPatch, now time.Time) (bool, error) {
	before := *e
	if p.OccurredAt != nil {
		e.OccurredAt = *p.OccurredAt
	}
	if p.Kind != nil {
		e.Kind = *p.Kind
	}
	if p.Body != nil {
		e.Body = *p.Body
	}
	if p.EvidenceURL != nil {
		e.EvidenceURL = *p.EvidenceURL
	}
	if p.Author != nil {
		e.Author = *p.Author
	}
	if p.LearnedLater != nil {
		e.LearnedLater = *p.LearnedLater
	}
	if err := e.Validate(now); err != nil {
		return false, err
	}
	changed := !before.OccurredAt.Equal(e.OccurredAt) || before.Kind != e.Kind || before.Body != e.Body ||
		before.EvidenceURL != e.EvidenceURL || before.Author != e.Author || before.LearnedLater != e.LearnedLater
	return changed, nil
}

// Revision returns e as a revision replaced at the given instant.
func (e *TimelineEntry) Revision(replacedAt time.Time) TimelineRevision {
	return TimelineRevision{
		EntryID: e.ID, Version: e.Version, OccurredAt: e.OccurredAt, Kind: e.Kind, Body: e.Body,
		EvidenceURL: e.EvidenceURL, Author: e.Author, LearnedLater: e.LearnedLater, ReplacedAt: replacedAt,
	}
}

func kindList() string {
	names := make([]string, len(EntryKinds))
	for i, k := range EntryKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// ChatToken lets a chat tool or bot post to one incident's timeline
// through the generic chat webhook. Only its hash is kept.
type ChatToken struct {
	ID         int64
	IncidentID int64
	Hash       string `json:"-"`
	Prefix     string // the first characters, to tell tokens apart
	CreatedAt  time.Time
	CreatedBy  string
	RevokedAt  *time.Time
}

// TableName names the table.
func (ChatToken) TableName() string { return "chat_tokens" }
