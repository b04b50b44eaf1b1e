package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/markdown"
	"github.com/debrief-dev/debrief/internal/model"
)

// Timeline returns an incident's entries in timeline order (occurred_at,
// then creation order), each with its earlier versions. An unknown
// incident is model.ErrNotFound.
func (s *Store) Timeline(ctx context.Context, incidentID int64) ([]model.TimelineEntry, error) {
	db := s.db.WithContext(ctx)
	var entries []model.TimelineEntry
	err := db.Where("incident_id = ?", incidentID).Order("occurred_at, id").Find(&entries).Error
	if err != nil {
		return nil, translate(err)
	}
	if len(entries) == 0 {
		// Tell an empty timeline from a missing incident.
		var n int64
		if err := db.Model(&model.Incident{}).Where("id = ?", incidentID).Count(&n).Error; err != nil {
			return nil, translate(err)
		}
		if n == 0 {
			return nil, model.ErrNotFound
		}
		return entries, nil
	}
	var revs []model.TimelineRevision
	err = db.Where("entry_id IN (SELECT id FROM timeline_entries WHERE incident_id = ?)", incidentID).
		Order("entry_id, version").Find(&revs).Error
	if err != nil {
		return nil, translate(err)
	}
	if len(revs) > 0 {
		idx := make(map[int64]int, len(entries))
		for i := range entries {
			idx[entries[i].ID] = i
		}
		for _, r := range revs {
			if i, ok := idx[r.EntryID]; ok {
				entries[i].Revisions = append(entries[i].Revisions, r)
			}
		}
	}
	return entries, nil
}

// TimelineEntry returns one entry of an incident with its earlier versions.
func (s *Store) TimelineEntry(ctx context.Context, incidentID, entryID int64) (*model.TimelineEntry, error) {
	return loadEntry(s.db.WithContext(ctx), incidentID, entryID)
}

func loadEntry(db *gorm.DB, incidentID, entryID int64) (*model.TimelineEntry, error) {
	var e model.TimelineEntry
	err := db.Preload("Revisions", func(db *gorm.DB) *gorm.DB { return db.Order("version") }).
		Where("incident_id = ?", incidentID).First(&e, entryID).Error
	if err != nil {
		return nil, translate(err)
	}
	return &e, nil
}

// AppendTimeline validates and stores a new entry on an incident's
// timeline; it fills the entry's ID, version and timestamps.
func (s *Store) AppendTimeline(ctx context.Context, e *model.TimelineEntry) error {
	now := s.now()
	if err := e.Validate(now); err != nil {
		return err
	}
	e.ID, e.Version, e.CreatedAt, e.UpdatedAt, e.Revisions = 0, 1, now, now, nil
	render(e)
	if s.appender == nil {
		return errors.New("store: AppendTimeline before Migrate")
	}
	return s.appender.add(ctx, e, model.ActorFrom(ctx))
}

// UpdateTimelineEntry applies a patch to an entry, keeping the version it
// replaces. A stale version fails with a *model.ConflictError carrying the
// current entry.
func (s *Store) UpdateTimelineEntry(ctx context.Context, incidentID, entryID int64, p model.EntryPatch) (*model.TimelineEntry, error) {
	now := s.now()
	var out *model.TimelineEntry
	err := s.write(ctx, func(tx *gorm.DB) error {
		cur, err := loadEntry(tx, incidentID, entryID)
		if err != nil {
			return err
		}
		if p.Version != cur.Version {
			return staleVersion(fmt.Sprintf("timeline entry %d", entryID), p.Version, cur.Version, cur)
		}
		next := *cur
		changed, err := next.Apply(p, now)
		if err != nil {
			return err
		}
		if !changed {
			out = cur
			return nil
		}
		rev := cur.Revision(now)
		if err := tx.Create(&rev).Error; err != nil {
			return err
		}
		next.Version = cur.Version + 1
		next.UpdatedAt = now
		render(&next)
		res := tx.Model(&model.TimelineEntry{}).Where("id = ? AND version = ?", entryID, cur.Version).
			Select("occurred_at", "kind", "body", "evidence_url", "author", "learned_later", "version", "updated_at",
				"body_html", "render_version").
			Updates(&next)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return model.ErrConflict
		}
		next.Revisions = append(append([]model.TimelineRevision(nil), cur.Revisions...), rev)
		out = &next
		return audit(ctx, tx, now, model.AuditUpdate, "timeline_entry", entryID, &incidentID, cur, &next)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// render stores an entry's body as HTML, for a new or changed body.
func render(e *model.TimelineEntry) {
	e.BodyHTML, e.RenderVersion = markdown.Render(e.Body), markdown.Version
}

// renderAll renders entries whose body is new or changed.
func renderAll(entries []model.TimelineEntry) {
	for i := range entries {
		render(&entries[i])
	}
}

// RenderStale renders again, in batches, the stored HTML of entries made by
// an older renderer (or none: rows written by the generator or before
// migration 9). It returns how many it rendered; call it until 0.
func (s *Store) RenderStale(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = 500
	}
	var rows []struct {
		ID   int64
		Body string
	}
	err := s.db.WithContext(ctx).Model(&model.TimelineEntry{}).Select("id", "body").
		Where("render_version < ?", markdown.Version).Limit(batch).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return 0, translate(err)
	}
	// Render outside the write lock; write in one short transaction.
	htmls := make([]string, len(rows))
	for i, r := range rows {
		htmls[i] = markdown.Render(r.Body)
	}
	err = s.write(ctx, func(tx *gorm.DB) error {
		for i, r := range rows {
			// Only if the body is still the one rendered: an edit meanwhile
			// stored its own.
			err := tx.Exec("UPDATE timeline_entries SET body_html = ?, render_version = ? WHERE id = ? AND body = ? AND render_version < ?",
				htmls[i], markdown.Version, r.ID, r.Body, markdown.Version).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
	return len(rows), err
}

// DeleteTimelineEntry removes an entry. With version > 0 the delete is
// refused (*model.ConflictError) when the entry changed since.
func (s *Store) DeleteTimelineEntry(ctx context.Context, incidentID, entryID int64, version int) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		cur, err := loadEntry(tx, incidentID, entryID)
		if err != nil {
			return err
		}
		if version > 0 && version != cur.Version {
			return staleVersion(fmt.Sprintf("timeline entry %d", entryID), version, cur.Version, cur)
		}
		if err := tx.Delete(&model.TimelineEntry{}, entryID).Error; err != nil {
			return err
		}
		return audit(ctx, tx, s.now(), model.AuditDelete, "timeline_entry", entryID, &incidentID, cur, nil)
	})
}
