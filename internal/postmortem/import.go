package postmortem

import (
	"context"
	"fmt"
	"strings"

	"github.com/debrief-dev/debrief/internal/model"
)

// ToImport turns a parsed file into what the store applies: changes to
// the incident it was exported from, or, for a file in another shape, a
// new draft incident with what was understood.
func ToImport(p *Parsed) *model.Import {
	imp := &model.Import{
		IncidentID: p.DebriefID,
		Sections:   p.Sections,
		Versions:   p.Versions,
	}
	if p.DebriefID != 0 {
		imp.People = &model.PostmortemPeople{Facilitator: p.Facilitator, Authors: p.Authors, Reviewers: p.Reviewers}
	} else {
		title := p.Title
		if strings.TrimSpace(title) == "" {
			title = "Imported postmortem"
		}
		imp.NewIncident = &model.Incident{
			Title: title, Severity: p.Severity, Services: p.Services, Tags: p.Tags,
			StartedAt: p.StartedAt, DetectedAt: p.DetectedAt, AcknowledgedAt: p.AcknowledgedAt,
			MitigatedAt: p.MitigatedAt, ResolvedAt: p.ResolvedAt,
		}
		if p.Status.Valid() {
			imp.NewIncident.Status = p.Status
		}
		for _, e := range p.Timeline {
			kind := e.Kind
			if !kind.Valid() {
				kind = model.KindObservation
			}
			imp.Timeline = append(imp.Timeline, model.TimelineEntry{
				OccurredAt: e.OccurredAt, Kind: kind, Body: e.Body, Author: e.Author,
				LearnedLater: e.LearnedLater, EvidenceURL: e.EvidenceURL,
			})
		}
		if p.FactorsText != "" && len(p.Factors) == 0 {
			imp.Factors = append(imp.Factors, model.ImportFactor{Title: "Root causes (imported)", Description: p.FactorsText})
		}
	}
	// A file without debrief_id makes a new incident: ids it carries (an
	// export whose debrief_id was removed) name nothing of that incident.
	newIncident := p.DebriefID == 0
	id := func(id int64) int64 {
		if newIncident {
			return 0
		}
		return id
	}
	for _, f := range p.Factors {
		imp.Factors = append(imp.Factors, model.ImportFactor{ID: id(f.ID), Title: f.Title, Description: f.Description, Category: f.Category, IsTrigger: f.IsTrigger})
	}
	for _, a := range p.Actions {
		imp.Actions = append(imp.Actions, model.ActionItem{
			ID: id(a.ID), Title: a.Title, Description: a.Description, Owner: a.Owner, Due: a.Due, Type: a.Type,
			Priority: a.Priority, Status: a.Status, ClosureNote: a.ClosureNote, EvidenceURL: a.EvidenceURL,
			Rationale: a.Rationale, TrackerURL: a.TrackerURL,
		})
	}
	for i := range imp.Actions {
		if imp.Actions[i].Type == "" {
			imp.Actions[i].Type = model.ActionPrevent
		}
	}
	return imp
}

// Importer is what Import needs of the store; *store.Store is one.
type Importer interface {
	// ApplyImport applies a file in one transaction: every change or none.
	ApplyImport(ctx context.Context, imp *model.Import) (*model.ImportReport, error)
}

// Import parses one file and applies it in one transaction, returning what
// changed and what was understood. A file that does not parse is a
// *model.ValidationError on "file" naming the line. A file of a private
// incident v may not see is refused as a file of a missing one.
func Import(ctx context.Context, st Importer, v model.Viewer, src []byte) (*model.ImportReport, error) {
	p, err := Parse(src)
	if err != nil {
		return nil, model.FieldError("file", err.Error())
	}
	imp := ToImport(p)
	imp.Viewer = v
	rep, err := st.ApplyImport(ctx, imp)
	if err != nil {
		return nil, err
	}
	rep.Notes = append(rep.Notes, p.Notes...)
	if p.DebriefID != 0 && (p.HasWhys || p.HasTimeline) {
		rep.Notes = append(rep.Notes, "the whys and the timeline are read but not imported: change them in Debrief")
	}
	if len(rep.Changes) == 0 {
		rep.Notes = append(rep.Notes, "nothing changed: the file matches Debrief")
	}
	if p.DebriefID == 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the file had no debrief_id: imported as a new draft incident %d", rep.IncidentID))
	}
	return rep, nil
}
