package model

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// ChangeKind says what sort of change was made to a running system.
type ChangeKind string

// The kinds of change Debrief records.
const (
	ChangeDeploy         ChangeKind = "deploy"
	ChangeConfig         ChangeKind = "config"
	ChangeFeatureFlag    ChangeKind = "feature_flag"
	ChangeInfrastructure ChangeKind = "infrastructure"
	ChangeDatabase       ChangeKind = "database"
	ChangeOther          ChangeKind = "other"
)

// ChangeKinds lists every kind, in the order forms offer them.
var ChangeKinds = []ChangeKind{ChangeDeploy, ChangeConfig, ChangeFeatureFlag, ChangeInfrastructure, ChangeDatabase, ChangeOther}

// ChangeCategory is the change-management class of a change (ITIL's three).
type ChangeCategory string

// The change categories: pre-approved routine changes, reviewed ones, and
// those rushed through to fix something.
const (
	ChangeStandard  ChangeCategory = "standard"
	ChangeNormal    ChangeCategory = "normal"
	ChangeEmergency ChangeCategory = "emergency"
)

// ChangeCategories lists every category.
var ChangeCategories = []ChangeCategory{ChangeStandard, ChangeNormal, ChangeEmergency}

// ChangeRelation is how a change is linked to an incident.
type ChangeRelation string

// A change caused the incident (it becomes its trigger factor) or is
// related to it (worth reading, not a cause).
const (
	RelationCaused  ChangeRelation = "caused"
	RelationRelated ChangeRelation = "related"
)

// Limits of a change's fields.
const (
	MaxChangeSummary   = 500
	MaxChangeShortText = 200
	MaxChangeURL       = 2000
	// MaxSuspectWindow bounds how far before impact suspects are looked for.
	MaxSuspectWindow = 30 * 24 * time.Hour
	// DefaultSuspectWindow is the window when none is asked for.
	DefaultSuspectWindow = 24 * time.Hour
)

// Change is one recorded change to a service: a deploy, a configuration or
// feature-flag change, an infrastructure or database change.
type Change struct {
	ID          int64
	Service     string `gorm:"-"` // its canonical spelling, from the services table
	ServiceID   int64
	Kind        ChangeKind
	Category    ChangeCategory
	Environment string
	Summary     string
	Version     string
	Author      string
	URL         string
	Status      string // "success" or "failure" (a failed deploy is still a change)
	Source      string // api, cli, github, webhook
	ExternalID  *string
	StartedAt   time.Time
	FinishedAt  *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName names the table plainly.
func (Change) TableName() string { return "changes" }

// IsProduction reports whether the change went to production (the
// environment the change failure rate counts).
func (c *Change) IsProduction() bool {
	switch strings.ToLower(c.Environment) {
	case "production", "prod", "live":
		return true
	}
	return false
}

// Validate normalises a change and checks it against now (the server's
// clock): times must be real instants, finished not before started.
func (c *Change) Validate(now time.Time) error {
	v := NewValidationError()
	c.Service = collapseSpace(c.Service)
	switch n := utf8.RuneCountInString(c.Service); {
	case !utf8.ValidString(c.Service) || hasNUL(c.Service):
		v.Add("service", "must be valid UTF-8 text")
	case n == 0:
		v.Add("service", "is required: the service the change was made to")
	case n > 100:
		v.Add("service", "must be at most 100 characters")
	}
	if c.Kind == "" {
		c.Kind = ChangeDeploy
	}
	if !oneOf(c.Kind, ChangeKinds) {
		v.Add("kind", fmt.Sprintf("unknown kind %q; use one of %s", Truncate(string(c.Kind), 40), joinValues(ChangeKinds)))
	}
	if c.Category == "" {
		c.Category = ChangeNormal
	}
	if !oneOf(c.Category, ChangeCategories) {
		v.Add("category", fmt.Sprintf("unknown category %q; use one of %s", Truncate(string(c.Category), 40), joinValues(ChangeCategories)))
	}
	c.Environment = strings.ToLower(collapseSpace(c.Environment))
	if c.Environment == "" {
		c.Environment = "production"
	}
	checkShort(v, "environment", &c.Environment, 50)
	c.Summary = collapseSpace(c.Summary)
	switch n := utf8.RuneCountInString(c.Summary); {
	case !utf8.ValidString(c.Summary) || hasNUL(c.Summary):
		v.Add("summary", "must be valid UTF-8 text")
	case n == 0:
		v.Add("summary", "is required: what changed, in a line")
	case n > MaxChangeSummary:
		v.Add("summary", fmt.Sprintf("must be at most %d characters", MaxChangeSummary))
	}
	checkShort(v, "version", &c.Version, MaxChangeShortText)
	checkShort(v, "author", &c.Author, MaxChangeShortText)
	c.URL = strings.TrimSpace(c.URL)
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		switch {
		case len(c.URL) > MaxChangeURL:
			v.Add("url", fmt.Sprintf("must be at most %d characters", MaxChangeURL))
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			v.Add("url", "must be an http or https URL")
		}
	}
	if c.Status == "" {
		c.Status = "success"
	}
	if c.Status != "success" && c.Status != "failure" {
		v.Add("status", `must be "success" or "failure"`)
	}
	if c.ExternalID != nil {
		id := strings.TrimSpace(*c.ExternalID)
		switch {
		case id == "":
			c.ExternalID = nil
		case !utf8.ValidString(id) || hasNUL(id) || utf8.RuneCountInString(id) > MaxChangeShortText:
			v.Add("external_id", fmt.Sprintf("must be text of at most %d characters", MaxChangeShortText))
		default:
			c.ExternalID = &id
		}
	}
	if c.StartedAt.IsZero() {
		v.Add("started_at", "is required: when the change began (RFC 3339 with an offset)")
	} else if err := CheckInstant(c.StartedAt, now); err != nil {
		v.Add("started_at", err.Error())
	}
	c.StartedAt = c.StartedAt.UTC().Truncate(time.Millisecond)
	if c.FinishedAt != nil {
		t := c.FinishedAt.UTC().Truncate(time.Millisecond)
		c.FinishedAt = &t
		if err := CheckInstant(t, now); err != nil {
			v.Add("finished_at", err.Error())
		} else if !c.StartedAt.IsZero() && t.Before(c.StartedAt) {
			v.Add("finished_at", "must not be before started_at")
		}
	}
	return v.Err()
}

func checkShort(v *ValidationError, field string, s *string, limit int) {
	*s = collapseSpace(*s)
	switch {
	case !utf8.ValidString(*s) || hasNUL(*s):
		v.Add(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(*s) > limit:
		v.Add(field, fmt.Sprintf("must be at most %d characters", limit))
	}
}

// ValidRelation checks a link's relation.
func ValidRelation(r ChangeRelation) error {
	if r != RelationCaused && r != RelationRelated {
		return FieldError("relation", `must be "caused" or "related"`)
	}
	return nil
}

// ChangeLink is a change linked to an incident.
type ChangeLink struct {
	Change
	Relation ChangeRelation
	FactorID *int64 // the factor a "caused" link created
	LinkedAt time.Time
	LinkedBy string
}

// SuspectChange is a change that began shortly before an incident's impact.
type SuspectChange struct {
	Change
	SameService bool          // to one of the incident's services
	Before      time.Duration // from the change's start to impact
	Relation    ChangeRelation
}

// ImpactStart is the instant suspects are looked for before: when impact
// started, or when the incident was declared if that is not known.
func (inc *Incident) ImpactStart() time.Time {
	if inc.StartedAt != nil {
		return *inc.StartedAt
	}
	return inc.CreatedAt
}

// BeforeText is how long before impact the change began, for people.
func (s SuspectChange) BeforeText() string { return FormatDuration(s.Before) }
