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

type factorJSON = postmortem.FactorJSON

type whyJSON = postmortem.WhyJSON

type actionIncidentJSON = postmortem.ActionIncidentJSON

type actionJSON = postmortem.ActionJSON

// findings checks text against the blameless rules; never nil, so the
// JSON is always a list.
func (s *Server) findings(people []string, texts ...string) []lint.Finding {
	return postmortem.TextFindings(s.lint, people, texts...)
}

// findingJSON is a finding with the field it was found in: a record has
// more than one text, and a finding's span is an offset into one of them.
type findingJSON = postmortem.FieldFinding

// fieldFindings checks each field's text (pairs of name, text) against the
// blameless rules; never nil, so the JSON is always a list.
func (s *Server) fieldFindings(people []string, fieldTexts ...string) []findingJSON {
	return postmortem.FieldFindings(s.lint, people, fieldTexts...)
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
	return postmortem.FactorToJSON(s.lint, f, people)
}

func (s *Server) whyToJSON(n *model.WhyNode, people []string) whyJSON {
	return postmortem.WhyToJSON(s.lint, n, people)
}

func (s *Server) actionToJSON(a *model.ActionItem, people []string, now time.Time) actionJSON {
	return postmortem.ActionToJSON(s.lint, a, people, now)
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
