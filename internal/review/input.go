package review

import (
	"time"

	"github.com/debrief-dev/debrief/internal/model"
)

// Input is everything a report is computed from, as plain values: the
// store loads it (see store.ReviewInput) and Build never touches a
// database, so the numbers can be checked against hand-computed fixtures.
type Input struct {
	// Severities is the scale, most severe first.
	Severities []model.Severity
	// Incidents are those that matter to the period, the previous period
	// or the twelve weeks of charts, and those still open.
	Incidents []Incident
	// Actions are the action items created or closed since the earliest
	// day the report looks at (for the charts).
	Actions []Action
	// Lists are the late lists of postmortems and action items, bounded
	// (see Query).
	Lists Lists
	// PriorStarts is, per service, the last incident start before the
	// loaded window began (for the first gap of MTBF).
	PriorStarts map[string]time.Time
	// Changes counts the changes to production of the period and of the
	// previous one (the change failure rate).
	Changes map[Period]ChangeCounts
}

// Incident is what the review needs of an incident.
type Incident struct {
	ID             int64
	Title          string
	Severity       string
	Status         model.Status
	Services       []string
	StartedAt      *time.Time
	DetectedAt     *time.Time
	AcknowledgedAt *time.Time
	MitigatedAt    *time.Time
	ResolvedAt     *time.Time
	CreatedAt      time.Time
	// Categories lists the category of each contributing factor.
	Categories []string
	// Hidden is true when the report's reader may not see the incident (a
	// private one): it counts in the numbers, never in a list.
	Hidden bool
}

// Start is when the incident began: the start of impact when recorded,
// else when it was declared.
func (i *Incident) Start() time.Time {
	if i.StartedAt != nil {
		return *i.StartedAt
	}
	return i.CreatedAt
}

// OpenAt reports whether the incident had begun and was not yet resolved
// at instant t.
func (i *Incident) OpenAt(t time.Time) bool {
	return i.Start().Before(t) && (i.ResolvedAt == nil || !i.ResolvedAt.Before(t))
}

// Action is what the review needs of an action item.
type Action struct {
	ID            int64
	IncidentID    int64
	IncidentTitle string
	Title         string
	Owner         string
	Due           model.Date
	Status        model.ActionStatus
	Priority      model.Priority
	Rationale     string
	ClosedAt      *time.Time
	CreatedAt     time.Time
}
