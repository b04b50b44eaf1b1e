package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// Import is model.Import, by its name in the store.
type Import = model.Import

// ImportFactor is model.ImportFactor, by its name in the store.
type ImportFactor = model.ImportFactor

// ImportReport is model.ImportReport, by its name in the store.
type ImportReport = model.ImportReport

// ImportConflict is model.ImportConflict, by its name in the store.
type ImportConflict = model.ImportConflict

// ApplyImport applies a file in one transaction: every change or none.
// Parts edited in the file are updated by their stable ids; a part that
// also changed in Debrief since the export is a conflict (409) and nothing
// is written. Ids that are not this incident's are a 422.
func (s *Store) ApplyImport(ctx context.Context, imp *Import) (*ImportReport, error) {
	rep := &ImportReport{IncidentID: imp.IncidentID, Changes: []string{}, Notes: []string{}}
	err := s.write(ctx, func(tx *gorm.DB) error {
		if imp.IncidentID == 0 {
			return s.importNew(ctx, tx, imp, rep)
		}
		return s.importInto(ctx, tx, imp, rep)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// importNew creates a draft incident from a file in another shape.
func (s *Store) importNew(ctx context.Context, tx *gorm.DB, imp *Import, rep *ImportReport) error {
	inc := imp.NewIncident
	if inc == nil {
		return model.FieldError("file", "nothing to import")
	}
	now := s.now()
	v := model.NewValidationError()
	if err := checkSeverity(tx, inc.Severity); err != nil {
		var sevs []model.Severity
		if err := tx.Order("position DESC").Limit(1).Find(&sevs).Error; err != nil {
			return err
		}
		if len(sevs) == 0 {
			return model.FieldError("severity", "the severity scale is empty")
		}
		if inc.Severity != "" {
			rep.Notes = append(rep.Notes, fmt.Sprintf("severity %q is not on the scale; used %s", inc.Severity, sevs[0].Name))
		}
		inc.Severity = sevs[0].Name
	}
	// Best effort: the status follows the resolved milestone, and
	// milestones that do not hold together are left out with a note.
	inc.Status = model.StatusInvestigating
	if inc.ResolvedAt != nil {
		inc.Status = model.StatusResolved
	}
	if err := inc.Validate(now); err != nil {
		inc.StartedAt, inc.DetectedAt, inc.AcknowledgedAt, inc.MitigatedAt, inc.ResolvedAt = nil, nil, nil, nil, nil
		inc.Status = model.StatusInvestigating
		if err2 := inc.Validate(now); err2 != nil {
			v.Merge(err2)
			return v
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf("milestones left out: %v", err))
	}
	inc.ID, inc.Version, inc.CreatedAt, inc.UpdatedAt = 0, 1, now, now
	if err := tx.Omit("Services", "Tags", "Roles").Create(inc).Error; err != nil {
		return err
	}
	if err := replaceAssociations(tx, inc, now); err != nil {
		return err
	}
	rep.IncidentID, rep.Created = inc.ID, true
	rep.Changes = append(rep.Changes, fmt.Sprintf("created incident %d %q as %s", inc.ID, inc.Title, inc.Severity))
	if err := audit(ctx, tx, now, model.AuditCreate, "incident", inc.ID, &inc.ID, nil, inc); err != nil {
		return err
	}
	for i := range imp.Timeline {
		e := imp.Timeline[i]
		e.IncidentID, e.Version, e.CreatedAt, e.UpdatedAt = inc.ID, 1, now, now
		if err := e.Validate(now); err != nil {
			rep.Notes = append(rep.Notes, fmt.Sprintf("timeline row at %s skipped: %v", model.FormatHuman(e.OccurredAt), err))
			continue
		}
		render(&e)
		if err := tx.Omit("Revisions").Create(&e).Error; err != nil {
			return err
		}
	}
	if n := len(imp.Timeline); n > 0 {
		rep.Changes = append(rep.Changes, fmt.Sprintf("timeline: %d entries", n))
	}
	return s.importParts(ctx, tx, inc.ID, imp, rep, true)
}

// importInto applies an edited export to the incident it came from.
func (s *Store) importInto(ctx context.Context, tx *gorm.DB, imp *Import, rep *ImportReport) error {
	if _, err := access(tx, imp.Viewer, imp.IncidentID); err != nil {
		return model.FieldError("debrief_id", fmt.Sprintf("incident %d does not exist (it may have been deleted); remove debrief_id from the front matter to import the file as a new incident", imp.IncidentID))
	}
	return s.importParts(ctx, tx, imp.IncidentID, imp, rep, false)
}

// importParts applies sections, people, factors and action items.
func (s *Store) importParts(ctx context.Context, tx *gorm.DB, id int64, imp *Import, rep *ImportReport, fresh bool) error {
	now := s.now()
	inc, err := loadIncident(tx, id)
	if err != nil {
		return err
	}
	pm, err := loadPostmortem(tx, inc) // stored only if the import writes to it
	if err != nil {
		return err
	}
	var conflicts []string
	v := model.NewValidationError()
	version := func(key string) (int, bool) {
		n, ok := imp.Versions[key]
		return n, ok
	}

	// Sections.
	keys := make([]model.SectionKey, 0, len(imp.Sections))
	for k := range imp.Sections {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	type sectionWrite struct {
		key    model.SectionKey
		body   string
		cur    model.PostmortemSection
		exists bool
	}
	var sections []sectionWrite
	for _, key := range keys {
		body := imp.Sections[key]
		model.CheckSectionBody(v, "sections."+string(key), &body)
		cur, exists := pm.Sections[key]
		if cur.Body == body {
			continue
		}
		if n, ok := version("section." + string(key)); ok && exists && n != cur.Version && !fresh {
			conflicts = append(conflicts, fmt.Sprintf("section %s (exported at version %d, now at %d)", key, n, cur.Version))
			continue
		}
		sections = append(sections, sectionWrite{key, body, cur, exists})
	}

	// Factors.
	var factors []model.Factor
	if err := tx.Where("incident_id = ?", id).Order("position, id").Find(&factors).Error; err != nil {
		return err
	}
	byFactor := map[int64]*model.Factor{}
	for i := range factors {
		byFactor[factors[i].ID] = &factors[i]
	}
	for _, f := range imp.Factors {
		if f.ID == 0 {
			nf := &model.Factor{IncidentID: id, Title: f.Title, Description: f.Description, Category: f.Category, IsTrigger: f.IsTrigger}
			if nf.Category == "" || checkCategory(tx, nf.Category) != nil {
				fb, err := fallbackCategory(tx)
				if err != nil {
					return err
				}
				if nf.Category != "" {
					rep.Notes = append(rep.Notes, fmt.Sprintf("factor %q: category %q is unknown; used %s", nf.Title, nf.Category, fb))
				}
				nf.Category = fb
			}
			if nf.IsTrigger && checkOneTrigger(tx, id, 0) != nil {
				nf.IsTrigger = false
				rep.Notes = append(rep.Notes, fmt.Sprintf("factor %q: the incident already has a trigger; imported as a latent condition", nf.Title))
			}
			if err := nf.Validate(); err != nil {
				rep.Notes = append(rep.Notes, fmt.Sprintf("factor %q skipped: %v", f.Title, err))
				continue
			}
			if err := s.createFactor(ctx, tx, nf); err != nil {
				return err
			}
			rep.Changes = append(rep.Changes, fmt.Sprintf("added contributing factor %q", nf.Title))
			continue
		}
		cur, ok := byFactor[f.ID]
		if !ok {
			v.Add("factors", fmt.Sprintf("factor %d is not a contributing factor of incident %d", f.ID, id))
			continue
		}
		next := *cur
		changed, err := next.Apply(model.FactorPatch{Title: &f.Title, Description: &f.Description})
		if err != nil {
			v.Add(fmt.Sprintf("factors.%d", f.ID), err.Error())
			continue
		}
		if !changed {
			continue
		}
		if n, ok := version(fmt.Sprintf("factor.%d", f.ID)); ok && n != cur.Version {
			conflicts = append(conflicts, fmt.Sprintf("contributing factor %d (exported at version %d, now at %d)", f.ID, n, cur.Version))
			continue
		}
		next.Version, next.UpdatedAt = cur.Version+1, now
		if err := tx.Model(&model.Factor{}).Where("id = ?", f.ID).Select("title", "description", "version", "updated_at").Updates(&next).Error; err != nil {
			return err
		}
		if err := audit(ctx, tx, now, model.AuditUpdate, "factor", f.ID, &id, cur, &next); err != nil {
			return err
		}
		rep.Changes = append(rep.Changes, fmt.Sprintf("updated contributing factor %d %q", f.ID, next.Title))
	}

	// Action items.
	var actions []model.ActionItem
	if err := tx.Where("incident_id = ?", id).Find(&actions).Error; err != nil {
		return err
	}
	byAction := map[int64]*model.ActionItem{}
	for i := range actions {
		byAction[actions[i].ID] = &actions[i]
	}
	added := 0
	for _, a := range imp.Actions {
		if a.ID == 0 {
			added++
		}
	}
	if len(actions)+added > model.MaxActionsPerIncident {
		return model.FieldError("actions", fmt.Sprintf("an incident can have at most %d action items; the file would make it %d", model.MaxActionsPerIncident, len(actions)+added))
	}
	for _, a := range imp.Actions {
		if a.ID == 0 {
			na := a
			na.IncidentID, na.Version, na.CreatedAt, na.UpdatedAt = id, 1, now, now
			na.FactorIDs, na.WhyIDs = nil, nil
			if err := na.Validate(); err != nil {
				if fresh {
					rep.Notes = append(rep.Notes, fmt.Sprintf("action item %q skipped: %v", a.Title, err))
				} else {
					v.Add("actions", fmt.Sprintf("new action item %q: %v", a.Title, err))
				}
				continue
			}
			na.SetClosed(model.ActionOpen, now)
			if err := tx.Create(&na).Error; err != nil {
				return err
			}
			if err := audit(ctx, tx, now, model.AuditCreate, "action_item", na.ID, &id, nil, &na); err != nil {
				return err
			}
			rep.Changes = append(rep.Changes, fmt.Sprintf("added action item %d %q", na.ID, na.Title))
			continue
		}
		cur, ok := byAction[a.ID]
		if !ok {
			v.Add("actions", fmt.Sprintf("A%d is not an action item of incident %d", a.ID, id))
			continue
		}
		next := *cur
		p := importPatch(a)
		changed, err := next.Apply(p, now)
		if err != nil {
			if ve, ok := err.(*model.ValidationError); ok {
				for f, r := range ve.Fields {
					v.Add(fmt.Sprintf("actions.A%d.%s", a.ID, f), r)
				}
				continue
			}
			return err
		}
		if !changed {
			continue
		}
		if n, ok := version(fmt.Sprintf("action.%d", a.ID)); ok && n != cur.Version {
			conflicts = append(conflicts, fmt.Sprintf("action item A%d (exported at version %d, now at %d)", a.ID, n, cur.Version))
			continue
		}
		next.Version, next.UpdatedAt = cur.Version+1, now
		res := tx.Model(&model.ActionItem{}).Where("id = ? AND version = ?", a.ID, cur.Version).
			Select("title", "description", "owner", "due_date", "type", "priority", "status", "closure_note",
				"evidence_url", "rationale", "tracker_url", "closed_at", "version", "updated_at").Updates(&next)
		if res.Error != nil {
			return res.Error
		}
		if err := audit(ctx, tx, now, model.AuditUpdate, "action_item", a.ID, &id, cur, &next); err != nil {
			return err
		}
		rep.Changes = append(rep.Changes, fmt.Sprintf("updated action item A%d %q", a.ID, next.Title))
	}

	if err := v.Err(); err != nil {
		return err
	}
	if len(conflicts) > 0 {
		return &model.ConflictError{
			Message: "changed in Debrief since the file was exported: " + strings.Join(conflicts, "; ") +
				". Export again, re-apply your edits, and import that file",
			Current: &ImportConflict{Parts: conflicts},
		}
	}

	// Sections and people last: they need the postmortem to be a draft.
	peopleChanged := false
	if imp.People != nil {
		if err := imp.People.Normalize(); err != nil {
			return err
		}
		peopleChanged = imp.People.Facilitator != pm.Facilitator ||
			!slices.Equal(imp.People.Authors, pm.Authors) || !slices.Equal(imp.People.Reviewers, pm.Reviewers)
		if n, ok := version("postmortem"); peopleChanged && ok && !fresh && !sameVersion(n, pm.Version) {
			return &model.ConflictError{
				Message: fmt.Sprintf("the facilitator, authors or reviewers changed in Debrief since the file was exported (exported at version %d, now at %d). Export again, re-apply your edits, and import that file", n, pm.Version),
				Current: &ImportConflict{Parts: []string{"people"}},
			}
		}
	}
	if len(sections) > 0 || peopleChanged {
		_, stored, err := s.ensurePostmortem(tx, id)
		if err != nil {
			return err
		}
		if pm.Status == model.PostmortemPublished {
			if err := tx.Exec("UPDATE postmortems SET status = ? WHERE incident_id = ?", model.PostmortemDraft, id).Error; err != nil {
				return err
			}
			rep.Changes = append(rep.Changes, fmt.Sprintf("started a new draft (to publish as revision %d)", pm.Revisions+1))
		}
		by := model.ActorFrom(ctx).Label
		for _, sw := range sections {
			// The rows as stored now (a first write stores the text copied
			// from the incident at version 0).
			sw.cur, sw.exists = stored.Sections[sw.key]
			next := model.PostmortemSection{IncidentID: id, Key: sw.key, Body: sw.body, Version: sw.cur.Version + 1, UpdatedAt: now, UpdatedBy: by}
			if sw.exists {
				err = tx.Model(&model.PostmortemSection{}).Where("incident_id = ? AND key = ? AND version = ?", id, sw.key, sw.cur.Version).
					Updates(map[string]any{"body": sw.body, "version": next.Version, "updated_at": now, "updated_by": by}).Error
			} else {
				err = tx.Create(&next).Error
			}
			if err != nil {
				return err
			}
			rep.Changes = append(rep.Changes, "updated section "+string(sw.key))
		}
		if peopleChanged {
			if err := writePeople(tx, id, imp.People); err != nil {
				return err
			}
			rep.Changes = append(rep.Changes, "updated facilitator, authors and reviewers")
		}
		if err := tx.Exec("UPDATE postmortems SET version = version + 1, updated_at = ? WHERE incident_id = ?", now, id).Error; err != nil {
			return err
		}
		after, err := loadPostmortem(tx, inc)
		if err != nil {
			return err
		}
		if err := audit(ctx, tx, now, model.AuditUpdate, "postmortem", id, &id, pm, after); err != nil {
			return err
		}
	}
	return nil
}

// importPatch is the change an imported action row makes to an existing
// item: only the cells that hold something. A blank cell, or a column a
// wiki dropped, leaves the field as it is (clear a field in Debrief).
func importPatch(a model.ActionItem) model.ActionPatch {
	var p model.ActionPatch
	str := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	p.Title, p.Description, p.Owner = str(a.Title), str(a.Description), str(a.Owner)
	p.ClosureNote, p.EvidenceURL, p.Rationale, p.TrackerURL = str(a.ClosureNote), str(a.EvidenceURL), str(a.Rationale), str(a.TrackerURL)
	if !a.Due.IsZero() {
		p.Due = &a.Due
	}
	if a.Type != "" {
		p.Type = &a.Type
	}
	if a.Priority != "" {
		p.Priority = &a.Priority
	}
	if a.Status != "" {
		p.Status = &a.Status
	}
	return p
}

// fallbackCategory is the category a factor gets when its own is unknown:
// "other" while it exists, else the last one of the table.
func fallbackCategory(tx *gorm.DB) (string, error) {
	var cats []model.FactorCategory
	if err := tx.Order("position").Find(&cats).Error; err != nil {
		return "", err
	}
	for _, c := range cats {
		if c.Name == "other" {
			return c.Name, nil
		}
	}
	if len(cats) == 0 {
		return "", model.FieldError("category", "the category table is empty")
	}
	return cats[len(cats)-1].Name, nil
}
