package postmortem

import (
	"time"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
)

// The structured half of a published revision, and the API shapes it is
// made of. The live API (internal/web) answers with the same types, so a
// revision reads like the live API did when it was published; a revision
// written by internal/synth goes through NewSnapshot too.

// Snapshot is the Data of a published revision. The fields are in the
// order of their keys.
type Snapshot struct {
	Actions    []ActionJSON   `json:"actions"`
	Factors    []FactorJSON   `json:"factors"`
	Incident   IncidentJSON   `json:"incident"`
	Postmortem PostmortemJSON `json:"postmortem"`
	Timeline   []EntryJSON    `json:"timeline"`
	Whys       []WhyJSON      `json:"whys"`
}

// NewSnapshot is doc as published at at, with the blameless-language
// findings c finds in its texts.
func NewSnapshot(doc *model.Document, c *lint.Checker, at time.Time) Snapshot {
	people := People(doc.Incident)
	out := Snapshot{
		Incident: IncidentToJSON(doc.Incident), Postmortem: PostmortemToJSON(doc.Postmortem, nil),
		Factors: make([]FactorJSON, len(doc.Factors)), Whys: make([]WhyJSON, len(doc.Whys)),
		Actions: make([]ActionJSON, len(doc.Actions)), Timeline: make([]EntryJSON, len(doc.Timeline)),
	}
	for i := range doc.Factors {
		out.Factors[i] = FactorToJSON(c, &doc.Factors[i], people)
	}
	for i, r := range doc.Whys {
		out.Whys[i] = WhyToJSON(c, r, people)
	}
	for i := range doc.Actions {
		out.Actions[i] = ActionToJSON(c, &doc.Actions[i], people, at)
		out.Actions[i].Incident = nil
	}
	for i := range doc.Timeline {
		out.Timeline[i] = EntryToJSON(&doc.Timeline[i])
	}
	return out
}

// APITime is t as the API writes times (UTC with Z); nil for nil.
func APITime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := model.FormatAPI(*t)
	return &s
}

// IncidentJSON is an incident in the API.
type IncidentJSON struct {
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

// IncidentToJSON is inc in the API's shape.
func IncidentToJSON(inc *model.Incident) IncidentJSON {
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
	out := IncidentJSON{
		ID: inc.ID, Title: inc.Title, Severity: inc.Severity, Status: inc.Status,
		Summary: inc.Summary, Impact: inc.Impact, Services: inc.Services, Tags: inc.Tags,
		StartedAt: APITime(inc.StartedAt), DetectedAt: APITime(inc.DetectedAt),
		AcknowledgedAt: APITime(inc.AcknowledgedAt), MitigatedAt: APITime(inc.MitigatedAt),
		ResolvedAt: APITime(inc.ResolvedAt),
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

// EntryRevisionJSON is an earlier version of a timeline entry.
type EntryRevisionJSON struct {
	Version      int             `json:"version"`
	OccurredAt   string          `json:"occurred_at"`
	Kind         model.EntryKind `json:"kind"`
	Body         string          `json:"body"`
	EvidenceURL  string          `json:"evidence_url"`
	Author       string          `json:"author"`
	LearnedLater bool            `json:"learned_later"`
	ReplacedAt   string          `json:"replaced_at"`
}

// EntryJSON is a timeline entry in the API.
type EntryJSON struct {
	ID           int64               `json:"id"`
	IncidentID   int64               `json:"incident_id"`
	OccurredAt   string              `json:"occurred_at"`
	Kind         model.EntryKind     `json:"kind"`
	Body         string              `json:"body"`
	EvidenceURL  string              `json:"evidence_url"`
	Author       string              `json:"author"`
	LearnedLater bool                `json:"learned_later"`
	CreatedAt    string              `json:"created_at"`
	UpdatedAt    string              `json:"updated_at"`
	Version      int                 `json:"version"`
	Revisions    []EntryRevisionJSON `json:"revisions"`
}

// EntryToJSON is e in the API's shape.
func EntryToJSON(e *model.TimelineEntry) EntryJSON {
	out := EntryJSON{
		ID: e.ID, IncidentID: e.IncidentID, OccurredAt: model.FormatAPI(e.OccurredAt), Kind: e.Kind,
		Body: e.Body, EvidenceURL: e.EvidenceURL, Author: e.Author, LearnedLater: e.LearnedLater,
		CreatedAt: model.FormatAPI(e.CreatedAt), UpdatedAt: model.FormatAPI(e.UpdatedAt), Version: e.Version,
		Revisions: make([]EntryRevisionJSON, 0, len(e.Revisions)),
	}
	for _, r := range e.Revisions {
		out.Revisions = append(out.Revisions, EntryRevisionJSON{
			Version: r.Version, OccurredAt: model.FormatAPI(r.OccurredAt), Kind: r.Kind, Body: r.Body,
			EvidenceURL: r.EvidenceURL, Author: r.Author, LearnedLater: r.LearnedLater,
			ReplacedAt: model.FormatAPI(r.ReplacedAt),
		})
	}
	return out
}

// SectionJSON is a narrative section of a postmortem in the API.
type SectionJSON struct {
	Key       model.SectionKey `json:"key"`
	Title     string           `json:"title"`
	Body      string           `json:"body"`
	Version   int              `json:"version"`
	UpdatedAt *string          `json:"updated_at"`
	UpdatedBy string           `json:"updated_by"`
}

// PostmortemJSON is a postmortem in the API.
type PostmortemJSON struct {
	IncidentID  int64                  `json:"incident_id"`
	Status      model.PostmortemStatus `json:"status"`
	Facilitator string                 `json:"facilitator"`
	Authors     []string               `json:"authors"`
	Reviewers   []string               `json:"reviewers"`
	Sections    []SectionJSON          `json:"sections"`
	Revisions   int                    `json:"revisions"`
	DueAt       *string                `json:"due_at"`
	Version     int                    `json:"version"`
}

// SectionToJSON is the section key of a postmortem in the API's shape.
func SectionToJSON(key model.SectionKey, sec model.PostmortemSection) SectionJSON {
	info, _ := model.SectionByKey(string(key))
	out := SectionJSON{Key: key, Title: info.Title, Body: sec.Body, Version: sec.Version, UpdatedBy: sec.UpdatedBy}
	if !sec.UpdatedAt.IsZero() {
		out.UpdatedAt = APITime(&sec.UpdatedAt)
	}
	return out
}

// PostmortemToJSON is pm in the API's shape, due when due (nil: none).
func PostmortemToJSON(pm *model.Postmortem, due *time.Time) PostmortemJSON {
	out := PostmortemJSON{
		IncidentID: pm.IncidentID, Status: pm.Status, Facilitator: pm.Facilitator, Authors: pm.Authors,
		Reviewers: pm.Reviewers, Revisions: pm.Revisions, DueAt: APITime(due), Version: pm.Version,
		Sections: make([]SectionJSON, 0, len(model.Sections)),
	}
	if out.Authors == nil {
		out.Authors = []string{}
	}
	if out.Reviewers == nil {
		out.Reviewers = []string{}
	}
	for _, s := range model.Sections {
		out.Sections = append(out.Sections, SectionToJSON(s.Key, pm.Sections[s.Key]))
	}
	return out
}

// FieldFinding is a blameless-language finding with the field it was
// found in: a record has more than one text, and a finding's span is an
// offset into one of them.
type FieldFinding struct {
	Field string `json:"field"`
	lint.Finding
}

// TextFindings checks texts against the blameless rules; never nil, so
// the JSON is always a list.
func TextFindings(c *lint.Checker, people []string, texts ...string) []lint.Finding {
	out := []lint.Finding{}
	for _, t := range texts {
		if t != "" {
			out = append(out, c.Check(t, people)...)
		}
	}
	return out
}

// FieldFindings checks each field's text (pairs of name, text) against
// the blameless rules; never nil, so the JSON is always a list.
func FieldFindings(c *lint.Checker, people []string, fieldTexts ...string) []FieldFinding {
	out := []FieldFinding{}
	for i := 0; i+1 < len(fieldTexts); i += 2 {
		for _, f := range TextFindings(c, people, fieldTexts[i+1]) {
			out = append(out, FieldFinding{Field: fieldTexts[i], Finding: f})
		}
	}
	return out
}

// FactorJSON is a contributing factor in the API.
type FactorJSON struct {
	ID          int64          `json:"id"`
	IncidentID  int64          `json:"incident_id"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Category    string         `json:"category"`
	IsTrigger   bool           `json:"is_trigger"`
	Kind        string         `json:"kind"`
	Position    int            `json:"position"`
	Findings    []FieldFinding `json:"findings"`
	CreatedAt   string         `json:"created_at"`
	UpdatedAt   string         `json:"updated_at"`
	Version     int            `json:"version"`
}

// WhyJSON is a why node, with its subtree, in the API.
type WhyJSON struct {
	ID         int64          `json:"id"`
	IncidentID int64          `json:"incident_id"`
	ParentID   *int64         `json:"parent_id"`
	FactorID   *int64         `json:"factor_id"`
	Text       string         `json:"text"`
	Position   int            `json:"position"`
	Depth      int            `json:"depth"`
	KeepAsking bool           `json:"keep_asking_why"`
	ActionIDs  []int64        `json:"action_ids"`
	Findings   []FieldFinding `json:"findings"`
	Children   []WhyJSON      `json:"children"`
	CreatedAt  string         `json:"created_at"`
	UpdatedAt  string         `json:"updated_at"`
	Version    int            `json:"version"`
}

// ActionIncidentJSON is what a list of action items across incidents
// shows of each one's incident.
type ActionIncidentJSON struct {
	ID       int64    `json:"id"`
	Title    string   `json:"title"`
	Severity string   `json:"severity"`
	Services []string `json:"services"`
}

// ActionJSON is an action item in the API.
type ActionJSON struct {
	ID          int64               `json:"id"`
	IncidentID  int64               `json:"incident_id"`
	Incident    *ActionIncidentJSON `json:"incident,omitempty"`
	Title       string              `json:"title"`
	Description string              `json:"description"`
	Owner       string              `json:"owner"`
	DueDate     model.Date          `json:"due_date"`
	Overdue     bool                `json:"overdue"`
	Type        model.ActionType    `json:"type"`
	Priority    model.Priority      `json:"priority"`
	Status      model.ActionStatus  `json:"status"`
	ClosureNote string              `json:"closure_note"`
	EvidenceURL string              `json:"evidence_url"`
	Rationale   string              `json:"rationale"`
	TrackerURL  string              `json:"tracker_url"`
	ClosedAt    *string             `json:"closed_at"`
	FactorIDs   []int64             `json:"factor_ids"`
	WhyIDs      []int64             `json:"why_ids"`
	Findings    []FieldFinding      `json:"findings"`
	CreatedAt   string              `json:"created_at"`
	UpdatedAt   string              `json:"updated_at"`
	Version     int                 `json:"version"`
}

// FactorToJSON is f in the API's shape, with c's findings in its texts.
func FactorToJSON(c *lint.Checker, f *model.Factor, people []string) FactorJSON {
	kind := "latent"
	if f.IsTrigger {
		kind = "trigger"
	}
	return FactorJSON{
		ID: f.ID, IncidentID: f.IncidentID, Title: f.Title, Description: f.Description, Category: f.Category,
		IsTrigger: f.IsTrigger, Kind: kind, Position: f.Position, Findings: FieldFindings(c, people, "title", f.Title, "description", f.Description),
		CreatedAt: model.FormatAPI(f.CreatedAt), UpdatedAt: model.FormatAPI(f.UpdatedAt), Version: f.Version,
	}
}

// WhyToJSON is n and its subtree in the API's shape, with c's findings.
func WhyToJSON(c *lint.Checker, n *model.WhyNode, people []string) WhyJSON {
	out := WhyJSON{
		ID: n.ID, IncidentID: n.IncidentID, ParentID: n.ParentID, FactorID: n.FactorID, Text: n.Text,
		Position: n.Position, Depth: n.Depth, KeepAsking: n.NeedsWhy(), ActionIDs: n.ActionIDs,
		Findings: FieldFindings(c, people, "text", n.Text), Children: make([]WhyJSON, 0, len(n.Children)),
		CreatedAt: model.FormatAPI(n.CreatedAt), UpdatedAt: model.FormatAPI(n.UpdatedAt), Version: n.Version,
	}
	if out.ActionIDs == nil {
		out.ActionIDs = []int64{}
	}
	for _, ch := range n.Children {
		out.Children = append(out.Children, WhyToJSON(c, ch, people))
	}
	return out
}

// ActionToJSON is a in the API's shape as of now, with c's findings.
func ActionToJSON(c *lint.Checker, a *model.ActionItem, people []string, now time.Time) ActionJSON {
	out := ActionJSON{
		ID: a.ID, IncidentID: a.IncidentID, Title: a.Title, Description: a.Description, Owner: a.Owner,
		DueDate: a.Due, Overdue: a.Overdue(now), Type: a.Type, Priority: a.Priority, Status: a.Status,
		ClosureNote: a.ClosureNote, EvidenceURL: a.EvidenceURL, Rationale: a.Rationale, TrackerURL: a.TrackerURL,
		ClosedAt: APITime(a.ClosedAt), FactorIDs: a.FactorIDs, WhyIDs: a.WhyIDs,
		Findings:  FieldFindings(c, people, "title", a.Title, "description", a.Description),
		CreatedAt: model.FormatAPI(a.CreatedAt), UpdatedAt: model.FormatAPI(a.UpdatedAt), Version: a.Version,
	}
	if out.FactorIDs == nil {
		out.FactorIDs = []int64{}
	}
	if out.WhyIDs == nil {
		out.WhyIDs = []int64{}
	}
	if a.IncidentTitle != "" {
		out.Incident = &ActionIncidentJSON{ID: a.IncidentID, Title: a.IncidentTitle, Severity: a.IncidentSeverity, Services: a.IncidentServices}
	}
	return out
}
