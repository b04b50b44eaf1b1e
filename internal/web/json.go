package web

import (
	"time"

	"github.com/debrief-dev/debrief/internal/model"
)

// The API's response shapes: explicit structs, so nothing internal leaks
// and every time is UTC with Z.

type incidentJSON struct {
	ID             int64             `json:"id"`
	Title          string            `json:"title"`
	Severity       string            `json:"severity"`
	Status         model.Status      `json:"status"`
	Summary        string            `json:"summary"`
	Impact         string            `json:"impact"`
	Services       []string          `json:"services"`
	Tags           []string          `json:"tags"`
	StartedAt      *string           `json:"started_at"`
	DetectedAt     *string           `json:"detected_at"`
	AcknowledgedAt *string           `json:"acknowledged_at"`
	MitigatedAt    *string           `json:"mitigated_at"`
	ResolvedAt     *string           `json:"resolved_at"`
	Durations      map[string]*int64 `json:"durations_seconds"`
	Roles          model.Roles       `json:"roles"`
	Visibility     model.Visibility  `json:"visibility"`
	Members        []string          `json:"members"`
	CreatedAt      string            `json:"created_at"`
	UpdatedAt      string            `json:"updated_at"`
	Version        int               `json:"version"`
}

func apiTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := model.FormatAPI(*t)
	return &s
}

func incidentToJSON(inc *model.Incident) incidentJSON {
	seconds := func(d *time.Duration) *int64 {
		if d == nil {
			return nil
		}
		n := int64(d.Seconds())
		return &n
	}
	ds := inc.Durations()
	roles := inc.Roles
	if roles.Responders == nil {
		roles.Responders = []string{}
	}
	out := incidentJSON{
		ID: inc.ID, Title: inc.Title, Severity: inc.Severity, Status: inc.Status,
		Summary: inc.Summary, Impact: inc.Impact, Services: inc.Services, Tags: inc.Tags,
		StartedAt: apiTime(inc.StartedAt), DetectedAt: apiTime(inc.DetectedAt),
		AcknowledgedAt: apiTime(inc.AcknowledgedAt), MitigatedAt: apiTime(inc.MitigatedAt),
		ResolvedAt: apiTime(inc.ResolvedAt),
		Durations: map[string]*int64{
			"time_to_detect":      seconds(ds[0].Value),
			"time_to_acknowledge": seconds(ds[1].Value),
			"time_to_mitigate":    seconds(ds[2].Value),
			"time_to_resolve":     seconds(ds[3].Value),
		},
		Roles: roles, Visibility: inc.Visibility, Members: inc.Members,
		CreatedAt: model.FormatAPI(inc.CreatedAt), UpdatedAt: model.FormatAPI(inc.UpdatedAt),
		Version: inc.Version,
	}
	if out.Visibility == "" {
		out.Visibility = model.VisibilityOrganisation
	}
	if out.Members == nil {
		out.Members = []string{}
	}
	if out.Services == nil {
		out.Services = []string{}
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	return out
}

type revisionJSON struct {
	Version      int             `json:"version"`
	OccurredAt   string          `json:"occurred_at"`
	Kind         model.EntryKind `json:"kind"`
	Body         string          `json:"body"`
	EvidenceURL  string          `json:"evidence_url"`
	Author       string          `json:"author"`
	LearnedLater bool            `json:"learned_later"`
	ReplacedAt   string          `json:"replaced_at"`
}

type entryJSON struct {
	ID           int64           `json:"id"`
	IncidentID   int64           `json:"incident_id"`
	OccurredAt   string          `json:"occurred_at"`
	Kind         model.EntryKind `json:"kind"`
	Body         string          `json:"body"`
	EvidenceURL  string          `json:"evidence_url"`
	Author       string          `json:"author"`
	LearnedLater bool            `json:"learned_later"`
	CreatedAt    string          `json:"created_at"`
	UpdatedAt    string          `json:"updated_at"`
	Version      int             `json:"version"`
	Revisions    []revisionJSON  `json:"revisions"`
}

func entryToJSON(e *model.TimelineEntry) entryJSON {
	out := entryJSON{
		ID: e.ID, IncidentID: e.IncidentID, OccurredAt: model.FormatAPI(e.OccurredAt), Kind: e.Kind,
		Body: e.Body, EvidenceURL: e.EvidenceURL, Author: e.Author, LearnedLater: e.LearnedLater,
		CreatedAt: model.FormatAPI(e.CreatedAt), UpdatedAt: model.FormatAPI(e.UpdatedAt), Version: e.Version,
		Revisions: make([]revisionJSON, 0, len(e.Revisions)),
	}
	for _, r := range e.Revisions {
		out.Revisions = append(out.Revisions, revisionJSON{
			Version: r.Version, OccurredAt: model.FormatAPI(r.OccurredAt), Kind: r.Kind, Body: r.Body,
			EvidenceURL: r.EvidenceURL, Author: r.Author, LearnedLater: r.LearnedLater,
			ReplacedAt: model.FormatAPI(r.ReplacedAt),
		})
	}
	return out
}
