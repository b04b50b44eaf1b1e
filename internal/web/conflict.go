package web

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/debrief-dev/debrief/internal/model"
)

// changedBy says who last changed a record of an incident and when, for
// the inline message of a save that was refused as stale: "Alice Rao
// changed it at 2026-11-22 14:32:05 UTC". Empty when the log does not say.
func (s *Server) changedBy(ctx context.Context, incidentID int64, entity string, entityID int64) (string, *model.AuditEntry) {
	e, err := s.store.LastChange(ctx, incidentID, entity, entityID)
	if err != nil {
		return "", nil
	}
	who := e.Actor
	if e.ActorUserID != nil {
		if u, err := s.store.User(ctx, *e.ActorUserID); err == nil && u.Name != "" {
			who = u.Name
		}
	}
	if who == "" {
		who = "Someone"
	}
	return fmt.Sprintf("%s changed it at %s", who, model.FormatHuman(e.At)), e
}

// incidentConflict is the message shown when a change to incident id,
// made from a page that is now out of date, was not saved: what changed
// meanwhile and who changed it, and what the user tried.
func (s *Server) incidentConflict(ctx context.Context, id int64, tried string) string {
	who, e := s.changedBy(ctx, id, "incident", id)
	var msg strings.Builder
	msg.WriteString("the incident was changed by someone else after this page was loaded")
	if who != "" {
		msg.WriteString(": " + who)
		if what := incidentDiff(e); what != "" {
			msg.WriteString(" (" + what + ")")
		}
	}
	fmt.Fprintf(&msg, ". Your change (%s) was not applied; the page now shows the incident as it is — choose again.", tried)
	return msg.String()
}

// incidentDiff names the fields an audited incident update changed.
func incidentDiff(e *model.AuditEntry) string {
	if e == nil || e.Before == "" || e.After == "" {
		return ""
	}
	var a, b model.Incident
	if json.Unmarshal([]byte(e.Before), &a) != nil || json.Unmarshal([]byte(e.After), &b) != nil {
		return ""
	}
	var out []string
	if a.Status != b.Status {
		out = append(out, fmt.Sprintf("status %s → %s", a.Status, b.Status))
	}
	if a.Severity != b.Severity {
		out = append(out, fmt.Sprintf("severity %s → %s", a.Severity, b.Severity))
	}
	if a.Title != b.Title {
		out = append(out, "title")
	}
	if a.Summary != b.Summary || a.Impact != b.Impact {
		out = append(out, "summary or impact")
	}
	if a.Roles.Commander != b.Roles.Commander || a.Roles.CommsLead != b.Roles.CommsLead ||
		a.Roles.Scribe != b.Roles.Scribe || !slices.Equal(a.Roles.Responders, b.Roles.Responders) {
		out = append(out, "roles")
	}
	if !slices.Equal(a.Services, b.Services) || !slices.Equal(a.Tags, b.Tags) {
		out = append(out, "services or tags")
	}
	for _, m := range model.Milestones {
		ta, tb := a.MilestoneTime(m), b.MilestoneTime(m)
		if (ta == nil) != (tb == nil) || (ta != nil && !ta.Equal(*tb)) {
			out = append(out, strings.ToLower(m.Label()))
		}
	}
	return strings.Join(out, ", ")
}
