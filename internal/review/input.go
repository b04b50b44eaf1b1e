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
	// or the twelve weeks of charts, plus any whose postmortem is still
	// outstanding or in review.
	Incidents []Incident
	// Actions are the action items open at some point since the earliest
	// day the report looks at, or created or closed since then.
	Actions []Action
	// PriorStarts is, per service, the last incident start before the
	// loaded window began (for the first gap of MTBF).
	PriorStarts map[string]time.Time
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
	// Postmortem is where its postmortem stands ("" when nobody has
	// started one: a draft).
	Postmortem model.PostmortemStatus
	// Published lists when each revision was published, oldest first.
	Published []time.Time
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

// publishedBy reports whether a revision of the postmortem was published
// before t.
func (i *Incident) publishedBy(t time.Time) bool {
	return len(i.Published) > 0 && i.Published[0].Before(t)
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

// openAt reports whether the item existed and was not closed at t. (An item
// closed and re-opened since counts as open from its creation: only the
// latest closing is recorded.)
func (a *Action) openAt(t time.Time) bool {
	return a.CreatedAt.Before(t) && (a.ClosedAt == nil || !a.ClosedAt.Before(t))
}
