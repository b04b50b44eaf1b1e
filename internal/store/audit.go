package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// audit appends one line to the audit log inside the caller's transaction,
// so a change and its record commit together or not at all.
func audit(ctx context.Context, tx *gorm.DB, at time.Time, action, entity string, id int64, incidentID *int64, before, after any) error {
	actor := model.ActorFrom(ctx)
	e := model.AuditEntry{
		At: at, Actor: actor.Label, Action: action, Entity: entity, EntityID: id, IncidentID: incidentID,
		Before: snapshot(before), After: snapshot(after),
	}
	if actor.UserID != 0 {
		e.ActorUserID = &actor.UserID
	}
	if actor.TokenID != 0 {
		e.ActorTokenID = &actor.TokenID
	}
	if err := tx.Create(&e).Error; err != nil {
		return err
	}
	if incidentID == nil {
		return nil
	}
	record := e.After
	if action == model.AuditDelete || record == "" {
		record = e.Before
	}
	if err := logEvent(tx, at, action, entity, id, *incidentID, actor.Label, record); err != nil {
		return err
	}
	return notifyAudit(ctx, tx, at, action, entity, incidentID, before, after)
}

func snapshot(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	IncidentID int64
	Entity     string
	Limit      int
	Offset     int
}

// AuditLog returns audit entries, newest first, and how many match.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]model.AuditEntry, int64, error) {
	q := s.db.WithContext(ctx).Model(&model.AuditEntry{})
	if f.IncidentID != 0 {
		q = q.Where("incident_id = ?", f.IncidentID)
	}
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var out []model.AuditEntry
	err := q.Order("id DESC").Limit(f.Limit).Offset(f.Offset).Find(&out).Error
	return out, total, translate(err)
}

// LastChange is the newest audit entry of one record of an incident (who
// changed it last, and how), or model.ErrNotFound.
func (s *Store) LastChange(ctx context.Context, incidentID int64, entity string, entityID int64) (*model.AuditEntry, error) {
	var e model.AuditEntry
	err := s.db.WithContext(ctx).Where("incident_id = ? AND entity = ? AND entity_id = ?", incidentID, entity, entityID).
		Order("id DESC").Limit(1).Find(&e).Error
	if err != nil {
		return nil, translate(err)
	}
	if e.ID == 0 {
		return nil, model.ErrNotFound
	}
	return &e, nil
}
