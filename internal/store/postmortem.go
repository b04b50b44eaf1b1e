package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// Document is model.Document, by its name in the store.
type Document = model.Document

// Document loads an incident's postmortem document.
func (s *Store) Document(ctx context.Context, incidentID int64) (*Document, error) {
	var doc *Document
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		doc, err = loadDocument(tx, incidentID)
		return err
	})
	return doc, translate(err)
}

func loadDocument(tx *gorm.DB, incidentID int64) (*Document, error) {
	inc, err := loadIncident(tx, incidentID)
	if err != nil {
		return nil, err
	}
	d := &Document{Incident: inc}
	if err := tx.Where("name = ?", inc.Severity).Take(&d.Severity).Error; err != nil {
		return nil, translate(err)
	}
	if d.Postmortem, err = loadPostmortem(tx, inc); err != nil {
		return nil, err
	}
	if err := tx.Where("incident_id = ?", incidentID).Order("occurred_at, id").Find(&d.Timeline).Error; err != nil {
		return nil, err
	}
	if err := tx.Where("incident_id = ?", incidentID).Order("position, id").Find(&d.Factors).Error; err != nil {
		return nil, err
	}
	nodes, err := loadWhys(tx, incidentID)
	if err != nil {
		return nil, err
	}
	d.Whys = model.BuildWhyTrees(nodes)
	if err := tx.Where("incident_id = ?", incidentID).Order(actionOrder).Find(&d.Actions).Error; err != nil {
		return nil, err
	}
	if err := loadActionDetails(tx, d.Actions); err != nil {
		return nil, err
	}
	nodeByID := make(map[int64]*model.WhyNode, len(nodes))
	for _, r := range d.Whys {
		r.Walk(func(n *model.WhyNode) { nodeByID[n.ID] = n })
	}
	for _, a := range d.Actions {
		for _, w := range a.WhyIDs {
			if n, ok := nodeByID[w]; ok {
				n.ActionIDs = append(n.ActionIDs, a.ID)
			}
		}
	}
	if err := tx.Where("incident_id = ?", incidentID).Order("fingerprint").Find(&d.Acks).Error; err != nil {
		return nil, err
	}
	if d.Changes, err = incidentChanges(tx, incidentID); err != nil {
		return nil, err
	}
	var svcs []model.Service
	if err := tx.Where("id IN (SELECT service_id FROM incident_services WHERE incident_id = ?) AND slo_target IS NOT NULL", incidentID).
		Order("name COLLATE NOCASE").Find(&svcs).Error; err != nil {
		return nil, err
	}
	d.Budgets = model.IncidentBudgets(inc, svcs, time.Now())
	return d, nil
}

// loadPostmortem returns the incident's postmortem; one not yet saved is
// a draft at version 0 whose summary and impact start from the incident's.
func loadPostmortem(tx *gorm.DB, inc *model.Incident) (*model.Postmortem, error) {
	var pm model.Postmortem
	err := tx.Where("incident_id = ?", inc.ID).Take(&pm).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		pm = model.Postmortem{IncidentID: inc.ID, Status: model.PostmortemDraft}
		pm.Sections = map[model.SectionKey]model.PostmortemSection{
			"summary": {IncidentID: inc.ID, Key: "summary", Body: inc.Summary},
			"impact":  {IncidentID: inc.ID, Key: "impact", Body: inc.Impact},
		}
		pm.Authors, pm.Reviewers = []string{}, []string{}
		pm.ResolvedAt = inc.ResolvedAt
		return &pm, nil
	case err != nil:
		return nil, err
	}
	var secs []model.PostmortemSection
	if err := tx.Where("incident_id = ?", inc.ID).Find(&secs).Error; err != nil {
		return nil, err
	}
	pm.Sections = make(map[model.SectionKey]model.PostmortemSection, len(secs))
	for _, s := range secs {
		pm.Sections[s.Key] = s
	}
	var people []struct {
		Role string
		Name string
	}
	if err := tx.Table("postmortem_people").Where("incident_id = ?", inc.ID).Order("role, position").Scan(&people).Error; err != nil {
		return nil, err
	}
	pm.Authors, pm.Reviewers = []string{}, []string{}
	for _, p := range people {
		if p.Role == "author" {
			pm.Authors = append(pm.Authors, p.Name)
		} else {
			pm.Reviewers = append(pm.Reviewers, p.Name)
		}
	}
	var n int64
	if err := tx.Model(&model.PostmortemRevision{}).Where("incident_id = ?", inc.ID).Count(&n).Error; err != nil {
		return nil, err
	}
	pm.Revisions = int(n)
	pm.ResolvedAt = inc.ResolvedAt
	return &pm, nil
}

// ensurePostmortem creates the postmortem row (and its seeded sections)
// on the first change and returns the current postmortem.
func (s *Store) ensurePostmortem(tx *gorm.DB, incidentID int64) (*model.Incident, *model.Postmortem, error) {
	inc, err := loadIncident(tx, incidentID)
	if err != nil {
		return nil, nil, err
	}
	pm, err := loadPostmortem(tx, inc)
	if err != nil {
		return nil, nil, err
	}
	if pm.Version > 0 {
		return inc, pm, nil
	}
	now := s.now()
	pm.Version, pm.CreatedAt, pm.UpdatedAt = 1, now, now
	if err := tx.Omit("Sections", "Authors", "Reviewers", "Revisions").Create(pm).Error; err != nil {
		return nil, nil, err
	}
	for key, sec := range pm.Sections {
		if sec.Body == "" {
			delete(pm.Sections, key)
			continue
		}
		// The seeded text stays at version 0, the version everyone read
		// it at, so that saving it is not a clash.
		sec.UpdatedAt = now
		if err := tx.Create(&sec).Error; err != nil {
			return nil, nil, err
		}
		pm.Sections[key] = sec
	}
	return inc, pm, nil
}

// sameVersion reports whether a change based on version sent applies to a
// postmortem now at version cur. A postmortem nobody has written reads as
// version 0 and is stored at version 1, unchanged, by the first change
// (every change then moves it on), so 0 and 1 are the same state.
func sameVersion(sent, cur int) bool {
	return sent == cur || (sent == 0 && cur == 1)
}

// Postmortem returns an incident's postmortem (a version-0 draft when
// nobody has written any of it yet).
func (s *Store) Postmortem(ctx context.Context, incidentID int64) (*model.Postmortem, error) {
	db := s.db.WithContext(ctx)
	inc, err := loadIncident(db, incidentID)
	if err != nil {
		return nil, err
	}
	pm, err := loadPostmortem(db, inc)
	return pm, translate(err)
}

// SectionConflict is model.SectionConflict, by its name in the store.
type SectionConflict = model.SectionConflict

// PostmortemConflict is model.PostmortemConflict, by its name in the store.
type PostmortemConflict = model.PostmortemConflict

// SectionEdit is model.SectionEdit, by its name in the store.
type SectionEdit = model.SectionEdit

// PostmortemEdit is model.PostmortemEdit, by its name in the store.
type PostmortemEdit = model.PostmortemEdit

// SavePostmortem writes sections and people in one transaction. A section
// based on a stale version fails the whole save with a
// *model.ConflictError carrying a *PostmortemConflict (both texts of every
// clash); nothing is written then. A published postmortem is not edited in
// place: start a new draft first.
func (s *Store) SavePostmortem(ctx context.Context, incidentID int64, edit PostmortemEdit) (*model.Postmortem, error) {
	v := model.NewValidationError()
	keys := make([]model.SectionKey, 0, len(edit.Sections))
	for key, se := range edit.Sections {
		if _, ok := model.SectionByKey(string(key)); !ok {
			v.Add("sections", fmt.Sprintf("unknown section %q", key))
			continue
		}
		model.CheckSectionBody(v, "sections."+string(key), &se.Body)
		edit.Sections[key] = se
		keys = append(keys, key)
	}
	slices.Sort(keys)
	if edit.People != nil {
		v.Merge(edit.People.Normalize())
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 && edit.People == nil {
		return s.Postmortem(ctx, incidentID) // nothing to write: store nothing
	}
	now := s.now()
	by := model.ActorFrom(ctx).Label
	var out *model.Postmortem
	err := s.write(ctx, func(tx *gorm.DB) error {
		inc, pm, err := s.ensurePostmortem(tx, incidentID)
		if err != nil {
			return err
		}
		if pm.Status == model.PostmortemPublished {
			return &model.ConflictError{Message: fmt.Sprintf("revision %d is published and never changes; start a new draft to correct it", pm.Revisions), Current: pm}
		}
		var clashes []SectionConflict
		for _, key := range keys {
			if cur := pm.Sections[key]; cur.Version != edit.Sections[key].Version {
				clashes = append(clashes, SectionConflict{Key: key, Current: cur, Yours: edit.Sections[key].Body})
			}
		}
		if edit.People != nil && !sameVersion(edit.People.Version, pm.Version) {
			return staleVersion("the postmortem", edit.People.Version, pm.Version, pm)
		}
		if len(clashes) > 0 {
			names := make([]string, len(clashes))
			for i, c := range clashes {
				names[i] = string(c.Key)
			}
			return &model.ConflictError{
				Message: fmt.Sprintf("someone else saved %s meanwhile; both texts are attached — merge them and save again", strings.Join(names, ", ")),
				Current: &PostmortemConflict{Sections: clashes},
			}
		}
		before := *pm
		changed := false
		for _, key := range keys {
			cur, exists := pm.Sections[key]
			body := edit.Sections[key].Body
			if exists && cur.Body == body {
				continue
			}
			next := model.PostmortemSection{IncidentID: incidentID, Key: key, Body: body, Version: cur.Version + 1, UpdatedAt: now, UpdatedBy: by}
			if exists {
				res := tx.Model(&model.PostmortemSection{}).Where("incident_id = ? AND key = ? AND version = ?", incidentID, key, cur.Version).
					Updates(map[string]any{"body": body, "version": next.Version, "updated_at": now, "updated_by": by})
				if res.Error != nil {
					return res.Error
				}
				if res.RowsAffected != 1 {
					return model.ErrConflict
				}
			} else if err := tx.Create(&next).Error; err != nil {
				return err
			}
			changed = true
		}
		if pp := edit.People; pp != nil && (pm.Facilitator != pp.Facilitator || !slices.Equal(pm.Authors, pp.Authors) || !slices.Equal(pm.Reviewers, pp.Reviewers)) {
			if err := writePeople(tx, incidentID, pp); err != nil {
				return err
			}
			changed = true
		}
		if !changed {
			out = pm
			return nil
		}
		if err := tx.Exec("UPDATE postmortems SET version = version + 1, updated_at = ? WHERE incident_id = ?", now, incidentID).Error; err != nil {
			return err
		}
		if out, err = loadPostmortem(tx, inc); err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditUpdate, "postmortem", incidentID, &incidentID, &before, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func writePeople(tx *gorm.DB, incidentID int64, pp *model.PostmortemPeople) error {
	if err := tx.Exec("UPDATE postmortems SET facilitator = ? WHERE incident_id = ?", pp.Facilitator, incidentID).Error; err != nil {
		return err
	}
	if err := tx.Exec("DELETE FROM postmortem_people WHERE incident_id = ?", incidentID).Error; err != nil {
		return err
	}
	for _, role := range []string{"author", "reviewer"} {
		names := pp.Authors
		if role == "reviewer" {
			names = pp.Reviewers
		}
		for i, n := range names {
			if err := tx.Exec("INSERT INTO postmortem_people (incident_id, role, name, position) VALUES (?, ?, ?, ?)", incidentID, role, n, i).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// SetPostmortemStatus moves a postmortem between draft and in review, or
// starts a new draft of a published one. Publishing goes through Publish.
func (s *Store) SetPostmortemStatus(ctx context.Context, incidentID int64, to model.PostmortemStatus, version int) (*model.Postmortem, error) {
	if to != model.PostmortemDraft && to != model.PostmortemInReview {
		return nil, model.FieldError("status", "must be draft or in_review; publish through the publish action")
	}
	now := s.now()
	var out *model.Postmortem
	err := s.write(ctx, func(tx *gorm.DB) error {
		inc, pm, err := s.ensurePostmortem(tx, incidentID)
		if err != nil {
			return err
		}
		if !sameVersion(version, pm.Version) {
			return staleVersion("the postmortem", version, pm.Version, pm)
		}
		if pm.Status == to {
			out = pm
			return nil
		}
		if to == model.PostmortemInReview && pm.Status != model.PostmortemDraft {
			return model.FieldError("status", "only a draft can be submitted for review")
		}
		before := *pm
		if err := tx.Exec("UPDATE postmortems SET status = ?, version = version + 1, updated_at = ? WHERE incident_id = ?", to, now, incidentID).Error; err != nil {
			return err
		}
		if out, err = loadPostmortem(tx, inc); err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditUpdate, "postmortem", incidentID, &incidentID, &before, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Snapshot is model.PublishFunc, by its name in the store.
type Snapshot = model.PublishFunc

// Publish checks and publishes the postmortem as its next revision, in one
// transaction: the gate and the snapshot see the same state, and of two
// publishes at once exactly one succeeds (the other is a stale version).
func (s *Store) Publish(ctx context.Context, incidentID int64, version int, snap Snapshot) (*model.PostmortemRevision, error) {
	now := s.now()
	var out *model.PostmortemRevision
	err := s.write(ctx, func(tx *gorm.DB) error {
		if _, _, err := s.ensurePostmortem(tx, incidentID); err != nil {
			return err
		}
		doc, err := loadDocument(tx, incidentID)
		if err != nil {
			return err
		}
		pm := doc.Postmortem
		if !sameVersion(version, pm.Version) {
			return staleVersion("the postmortem", version, pm.Version, pm)
		}
		if pm.Status == model.PostmortemPublished {
			return &model.ConflictError{Message: fmt.Sprintf("revision %d is already published; start a new draft to correct it", pm.Revisions), Current: pm}
		}
		// The snapshot is the postmortem as published, not as it was a
		// moment before (in review, one revision fewer).
		number := pm.Revisions + 1
		pm.Status, pm.Revisions = model.PostmortemPublished, number
		md, data, err := snap(doc, number, now)
		if err != nil {
			return err
		}
		rev := &model.PostmortemRevision{
			IncidentID: incidentID, Number: number, Markdown: md, Data: string(data),
			PublishedAt: now, PublishedBy: model.ActorFrom(ctx).Label,
		}
		if err := tx.Create(rev).Error; err != nil {
			return err
		}
		if err := tx.Exec("UPDATE postmortems SET status = ?, version = version + 1, updated_at = ? WHERE incident_id = ?",
			model.PostmortemPublished, now, incidentID).Error; err != nil {
			return err
		}
		out = rev
		return audit(ctx, tx, now, model.AuditCreate, "postmortem_revision", rev.ID, &incidentID, nil,
			map[string]any{"number": rev.Number, "published_at": now})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Revisions lists an incident's published revisions, oldest first, without
// their content.
func (s *Store) Revisions(ctx context.Context, incidentID int64) ([]model.PostmortemRevision, error) {
	db := s.db.WithContext(ctx)
	if err := incidentExists(db, incidentID); err != nil {
		return nil, err
	}
	var revs []model.PostmortemRevision
	err := db.Select("id", "incident_id", "number", "published_at", "published_by").
		Where("incident_id = ?", incidentID).Order("number").Find(&revs).Error
	return revs, translate(err)
}

// Revision returns one published revision with its content.
func (s *Store) Revision(ctx context.Context, incidentID int64, number int) (*model.PostmortemRevision, error) {
	var rev model.PostmortemRevision
	err := s.db.WithContext(ctx).Where("incident_id = ? AND number = ?", incidentID, number).Take(&rev).Error
	if err != nil {
		return nil, translate(err)
	}
	return &rev, nil
}

// AcknowledgeFinding records that a blameless-language finding was read
// and is kept, with the reason.
func (s *Store) AcknowledgeFinding(ctx context.Context, ack *model.LintAck) error {
	v := model.NewValidationError()
	model.CheckAck(v, ack)
	if err := v.Err(); err != nil {
		return err
	}
	now := s.now()
	ack.At, ack.ByName = now, model.ActorFrom(ctx).Label
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := incidentExists(tx, ack.IncidentID); err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM lint_acknowledgements WHERE incident_id = ? AND fingerprint = ?", ack.IncidentID, ack.Fingerprint).Error; err != nil {
			return err
		}
		if err := tx.Create(ack).Error; err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditCreate, "lint_ack", ack.IncidentID, &ack.IncidentID, nil, ack)
	})
}

// Published is model.Published, by its name in the store.
type Published = model.Published

// PublishedEntry is model.PublishedEntry, by its name in the store.
type PublishedEntry = model.PublishedEntry

// PublishedBatch returns up to limit published postmortems whose incident
// id is above afterID, by incident id: the bulk export walks the archive
// with it, a batch at a time, passing the last id it got. Only the
// incidents v may see are in it.
func (s *Store) PublishedBatch(ctx context.Context, v model.Viewer, afterID int64, limit int) ([]PublishedEntry, error) {
	db := s.db.WithContext(ctx)
	vis, viewer := visibleTo("r.incident_id", v)
	var rows []struct {
		ID          int64
		Title       string
		Severity    string
		StartedAt   *time.Time
		CreatedAt   time.Time
		PublishedAt time.Time
	}
	err := db.Raw(`SELECT i.id, i.title, i.severity, i.started_at, i.created_at, r.published_at
		FROM postmortem_revisions r JOIN incidents i ON i.id = r.incident_id
		WHERE r.incident_id > @after AND `+vis+`
		  AND r.number = (SELECT MAX(number) FROM postmortem_revisions m WHERE m.incident_id = r.incident_id)
		ORDER BY r.incident_id LIMIT @limit`, viewer, sql.Named("after", afterID), sql.Named("limit", limit)).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]PublishedEntry, len(rows))
	ids := make([]int64, len(rows))
	byID := make(map[int64]*model.Incident, len(rows))
	for i, r := range rows {
		out[i] = PublishedEntry{PublishedAt: r.PublishedAt, Incident: model.Incident{
			ID: r.ID, Title: r.Title, Severity: r.Severity, StartedAt: r.StartedAt, CreatedAt: r.CreatedAt, Services: []string{},
		}}
		ids[i] = r.ID
		byID[r.ID] = &out[i].Incident
	}
	// The same query and order as loadAssociations, over one batch.
	var svcs []struct {
		IncidentID int64
		Name       string
	}
	err = db.Table("incident_services").Select("incident_services.incident_id, services.name").
		Joins("JOIN services ON services.id = incident_services.service_id").
		Where("incident_services.incident_id IN ?", ids).Order("services.name COLLATE NOCASE").Scan(&svcs).Error
	if err != nil {
		return nil, translate(err)
	}
	for _, r := range svcs {
		byID[r.IncidentID].Services = append(byID[r.IncidentID].Services, r.Name)
	}
	return out, nil
}

// LatestMarkdown returns the Markdown of the latest published revision of
// each incident in ids that has one. ids is a chunk the caller bounds
// (the bulk export asks for at most a few hundred at a time).
func (s *Store) LatestMarkdown(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		IncidentID int64
		Markdown   string
	}
	err := s.db.WithContext(ctx).Raw(`SELECT r.incident_id, r.markdown FROM postmortem_revisions r
		WHERE r.incident_id IN ?
		  AND r.number = (SELECT MAX(number) FROM postmortem_revisions m WHERE m.incident_id = r.incident_id)`, ids).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	for _, r := range rows {
		out[r.IncidentID] = r.Markdown
	}
	return out, nil
}

// PostmortemState is where an incident's postmortem stands, for lists.
type PostmortemState struct {
	Status    model.PostmortemStatus
	Revisions int
}

// PostmortemStates returns the postmortem state of each incident in ids
// that has one stored; the others have not been started (a draft).
func (s *Store) PostmortemStates(ctx context.Context, ids []int64) (map[int64]PostmortemState, error) {
	out := make(map[int64]PostmortemState, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		IncidentID int64
		Status     string
		Revisions  int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT p.incident_id, p.status,
		(SELECT COUNT(*) FROM postmortem_revisions r WHERE r.incident_id = p.incident_id) AS revisions
		FROM postmortems p WHERE p.incident_id IN ?`, ids).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	for _, r := range rows {
		out[r.IncidentID] = PostmortemState{Status: model.PostmortemStatus(r.Status), Revisions: r.Revisions}
	}
	return out, nil
}
