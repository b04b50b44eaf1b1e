package web

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
)

// The API shapes of the analysis: factors, whys trees and action items.
// Each carries the blameless-language findings on its text, so a client
// can show the same warnings the pages do.

type factorJSON struct {
	ID          int64         `json:"id"`
	IncidentID  int64         `json:"incident_id"`
	Title       string        `json:"title"`
	Description string        `json:"description"`
	Category    string        `json:"category"`
	IsTrigger   bool          `json:"is_trigger"`
	Kind        string        `json:"kind"`
	Position    int           `json:"position"`
	Findings    []findingJSON `json:"findings"`
	CreatedAt   string        `json:"created_at"`
	UpdatedAt   string        `json:"updated_at"`
	Version     int           `json:"version"`
}

type whyJSON struct {
	ID         int64         `json:"id"`
	IncidentID int64         `json:"incident_id"`
	ParentID   *int64        `json:"parent_id"`
	FactorID   *int64        `json:"factor_id"`
	Text       string        `json:"text"`
	Position   int           `json:"position"`
	Depth      int           `json:"depth"`
	KeepAsking bool          `json:"keep_asking_why"`
	ActionIDs  []int64       `json:"action_ids"`
	Findings   []findingJSON `json:"findings"`
	Children   []whyJSON     `json:"children"`
	CreatedAt  string        `json:"created_at"`
	UpdatedAt  string        `json:"updated_at"`
	Version    int           `json:"version"`
}

type actionIncidentJSON struct {
	ID       int64    `json:"id"`
	Title    string   `json:"title"`
	Severity string   `json:"severity"`
	Services []string `json:"services"`
}

type actionJSON struct {
	ID          int64               `json:"id"`
	IncidentID  int64               `json:"incident_id"`
	Incident    *actionIncidentJSON `json:"incident,omitempty"`
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
	Findings    []findingJSON       `json:"findings"`
	CreatedAt   string              `json:"created_at"`
	UpdatedAt   string              `json:"updated_at"`
	Version     int                 `json:"version"`
}

// findings checks text against the blameless rules; never nil, so the
// JSON is always a list.
func (s *Server) findings(people []string, texts ...string) []lint.Finding {
	out := []lint.Finding{}
	for _, t := range texts {
		if t != "" {
			out = append(out, s.lint.Check(t, people)...)
		}
	}
	return out
}

// findingJSON is a finding with the field it was found in: a record has
// more than one text, and a finding's span is an offset into one of them.
type findingJSON struct {
	Field string `json:"field"`
	lint.Finding
}

// fieldFindings checks each field's text (pairs of name, text) against the
// blameless rules; never nil, so the JSON is always a list.
func (s *Server) fieldFindings(people []string, fieldTexts ...string) []findingJSON {
	out := []findingJSON{}
	for i := 0; i+1 < len(fieldTexts); i += 2 {
		for _, f := range s.findings(people, fieldTexts[i+1]) {
			out = append(out, findingJSON{Field: fieldTexts[i], Finding: f})
		}
	}
	return out
}

// rolePeople are the names in an incident's roles: a sentence naming one
// of them as the cause of something is a blameless-language finding.
func rolePeople(inc *model.Incident) []string {
	if inc == nil {
		return nil
	}
	return postmortem.People(inc)
}

func (s *Server) factorToJSON(f *model.Factor, people []string) factorJSON {
	kind := "latent"
	if f.IsTrigger {
		kind = "trigger"
	}
	return factorJSON{
		ID: f.ID, IncidentID: f.IncidentID, Title: f.Title, Description: f.Description, Category: f.Category,
		IsTrigger: f.IsTrigger, Kind: kind, Position: f.Position, Findings: s.fieldFindings(people, "title", f.Title, "description", f.Description),
		CreatedAt: model.FormatAPI(f.CreatedAt), UpdatedAt: model.FormatAPI(f.UpdatedAt), Version: f.Version,
	}
}

func (s *Server) whyToJSON(n *model.WhyNode, people []string) whyJSON {
	out := whyJSON{
		ID: n.ID, IncidentID: n.IncidentID, ParentID: n.ParentID, FactorID: n.FactorID, Text: n.Text,
		Position: n.Position, Depth: n.Depth, KeepAsking: n.NeedsWhy(), ActionIDs: n.ActionIDs,
		Findings: s.fieldFindings(people, "text", n.Text), Children: make([]whyJSON, 0, len(n.Children)),
		CreatedAt: model.FormatAPI(n.CreatedAt), UpdatedAt: model.FormatAPI(n.UpdatedAt), Version: n.Version,
	}
	if out.ActionIDs == nil {
		out.ActionIDs = []int64{}
	}
	for _, c := range n.Children {
		out.Children = append(out.Children, s.whyToJSON(c, people))
	}
	return out
}

func (s *Server) actionToJSON(a *model.ActionItem, people []string, now time.Time) actionJSON {
	out := actionJSON{
		ID: a.ID, IncidentID: a.IncidentID, Title: a.Title, Description: a.Description, Owner: a.Owner,
		DueDate: a.Due, Overdue: a.Overdue(now), Type: a.Type, Priority: a.Priority, Status: a.Status,
		ClosureNote: a.ClosureNote, EvidenceURL: a.EvidenceURL, Rationale: a.Rationale, TrackerURL: a.TrackerURL,
		ClosedAt: apiTime(a.ClosedAt), FactorIDs: a.FactorIDs, WhyIDs: a.WhyIDs,
		Findings:  s.fieldFindings(people, "title", a.Title, "description", a.Description),
		CreatedAt: model.FormatAPI(a.CreatedAt), UpdatedAt: model.FormatAPI(a.UpdatedAt), Version: a.Version,
	}
	if out.FactorIDs == nil {
		out.FactorIDs = []int64{}
	}
	if out.WhyIDs == nil {
		out.WhyIDs = []int64{}
	}
	if a.IncidentTitle != "" {
		out.Incident = &actionIncidentJSON{ID: a.IncidentID, Title: a.IncidentTitle, Severity: a.IncidentSeverity, Services: a.IncidentServices}
	}
	return out
}

// optID is a JSON id field that tells "absent" from "null" from a value,
// so PATCH can move a why node to the top level or unlink its factor. It
// never fails to decode: the value is checked later, naming the field.
type optID struct {
	Set bool
	Raw json.RawMessage
}

// UnmarshalJSON records the raw value.
func (o *optID) UnmarshalJSON(b []byte) error {
	o.Set = true
	o.Raw = append(o.Raw[:0], b...)
	return nil
}

// parse returns (nil, true) for null or absent and (&id, true) for a
// positive integer; otherwise it records the reason under field.
func (o optID) parse(v *model.ValidationError, field string) (*int64, bool) {
	if !o.Set || string(o.Raw) == "null" {
		return nil, true
	}
	var id int64
	if err := json.Unmarshal(o.Raw, &id); err != nil || id <= 0 {
		v.Add(field, "must be a positive integer id or null")
		return nil, false
	}
	return &id, true
}

// str reads the field as a string: nil when absent; "" for null (which
// the callers refuse as a missing value).
func (o optID) str(v *model.ValidationError, field string) *string {
	if !o.Set {
		return nil
	}
	s := ""
	if string(o.Raw) != "null" {
		if err := json.Unmarshal(o.Raw, &s); err != nil {
			v.Add(field, "must be a string")
			return &s
		}
	}
	return &s
}

// parseDue reads a due date field: required, YYYY-MM-DD.
func parseDue(v *model.ValidationError, raw *string, def model.Date) *model.Date {
	if raw == nil {
		v.Add("due_date", fmt.Sprintf("is required (YYYY-MM-DD); the default for this incident's severity is %s", def))
		return nil
	}
	if *raw == "" {
		v.Add("due_date", "is required (YYYY-MM-DD)")
		return nil
	}
	d, err := model.ParseDate(*raw)
	if err != nil {
		v.Add("due_date", err.Error())
		return nil
	}
	return &d
}
