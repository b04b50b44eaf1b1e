package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// The service catalogue: the services incidents and changes name, with
// their owner, tier, runbook and SLO.

// MaxOutages bounds the incidents an error budget reads (a window of a year
// of a service's incidents).
const MaxOutages = 10_000

// Service returns the catalogue entry of a service, by name in any case.
func (s *Store) Service(ctx context.Context, name string) (*model.Service, error) {
	var svc model.Service
	if err := s.db.WithContext(ctx).Where("name = ?", name).Take(&svc).Error; err != nil {
		return nil, translate(err)
	}
	return &svc, nil
}

// ServiceList returns a page of the catalogue, by name; more says whether
// another page follows.
func (s *Store) ServiceList(ctx context.Context, limit, offset int) (list []model.Service, more bool, err error) {
	if err := checkOffset(offset); err != nil {
		return nil, false, err
	}
	if limit <= 0 || limit > model.MaxPageSize {
		limit = model.MaxPageSize
	}
	if err := s.db.WithContext(ctx).Order("name COLLATE NOCASE").Limit(limit + 1).Offset(offset).Find(&list).Error; err != nil {
		return nil, false, translate(err)
	}
	if len(list) > limit {
		list, more = list[:limit], true
	}
	return list, more, nil
}

// SaveService writes the catalogue entry of the named service, adding the
// service if it is new (created). in.Name, when set and different, renames
// it: its incidents and changes follow, since they point at the entry. A
// version, when given, must be the entry's current one (else a
// *model.ConflictError with the entry as it is).
func (s *Store) SaveService(ctx context.Context, name string, in *model.Service, version *int) (created bool, err error) {
	if err := model.ValidServiceName(name); err != nil {
		return false, err
	}
	if in.Name == "" {
		in.Name = name
	}
	if err := model.ValidServiceName(in.Name); err != nil {
		return false, err
	}
	if err := in.Validate(); err != nil {
		return false, err
	}
	err = s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		var cur model.Service
		err := tx.Where("name = ?", name).Take(&cur).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			if version != nil && *version != 0 {
				return model.FieldError("version", "the service does not exist yet: send version 0 or none")
			}
			created = true
			in.ID, in.Version, in.CreatedAt, in.UpdatedAt = 0, 1, now, &now
			if err := tx.Create(in).Error; err != nil {
				return err
			}
			return audit(ctx, tx, now, model.AuditCreate, "service", in.ID, nil, nil, in)
		case err != nil:
			return err
		}
		if version != nil && *version != cur.Version {
			return &model.ConflictError{Message: fmt.Sprintf("service %q was changed meanwhile (version %d, not %d)", cur.Name, cur.Version, *version), Current: cur}
		}
		if in.Name != cur.Name {
			var other int64
			if err := tx.Model(&model.Service{}).Where("name = ? AND id <> ?", in.Name, cur.ID).Count(&other).Error; err != nil {
				return err
			}
			if other > 0 {
				return model.FieldError("name", fmt.Sprintf("a service named %q exists already", in.Name))
			}
		}
		in.ID, in.CreatedAt, in.Version, in.UpdatedAt = cur.ID, cur.CreatedAt, cur.Version+1, &now
		res := tx.Model(&model.Service{}).Where("id = ? AND version = ?", cur.ID, cur.Version).
			Select("name", "owner_team", "tier", "description", "runbook_url", "slo_target", "slo_window_days", "version", "updated_at").
			Updates(in)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return model.ErrConflict
		}
		// A renamed service's incidents are re-indexed by a trigger (migration 6).
		return audit(ctx, tx, now, model.AuditUpdate, "service", in.ID, nil, cur, in)
	})
	return created, err
}

// ServiceOutages returns the outages of a service's incidents that overlap
// [from, to) as of now: those with a known start of impact before to whose
// mitigation (or resolution) is after from or still to come.
//
// The private incidents v may not see are counted (their minutes spend the
// budget like any other) but not named: Hidden, without an id.
func (s *Store) ServiceOutages(ctx context.Context, v model.Viewer, serviceID int64, from, to time.Time) ([]model.Outage, error) {
	var incs []model.Incident
	err := s.db.WithContext(context.WithoutCancel(ctx)).
		Where("id IN (SELECT incident_id FROM incident_services WHERE service_id = ?)", serviceID).
		Where("started_at IS NOT NULL AND started_at < ?", to.UTC()).
		Where("(mitigated_at IS NULL AND resolved_at IS NULL) OR COALESCE(mitigated_at, resolved_at) > ?", from.UTC()).
		Order("started_at").Limit(MaxOutages).Find(&incs).Error
	if err != nil {
		return nil, translate(err)
	}
	hidden, err := hiddenSet(ctx, s.db, v)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]model.Outage, 0, len(incs))
	for i := range incs {
		if o, ok := model.OutageOf(&incs[i], now); ok {
			if hidden[o.IncidentID] {
				o.Hidden, o.IncidentID = true, 0
			}
			out = append(out, o)
		}
	}
	return out, nil
}

// ServiceIncidentsSince returns a service's incidents that started since a
// time, oldest first, at most limit (for MTBF and the MTTR trend).
func (s *Store) ServiceIncidentsSince(ctx context.Context, serviceID int64, since time.Time, limit int) ([]model.Incident, error) {
	var incs []model.Incident
	err := s.db.WithContext(context.WithoutCancel(ctx)).
		Where("id IN (SELECT incident_id FROM incident_services WHERE service_id = ?)", serviceID).
		Where("started_at >= ?", since.UTC()).Order("started_at").Limit(limit).Find(&incs).Error
	return incs, translate(err)
}
