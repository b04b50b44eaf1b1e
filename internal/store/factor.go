package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// FactorCategories returns the categories of contributing factors in order.
func (s *Store) FactorCategories(ctx context.Context) ([]model.FactorCategory, error) {
	var cats []model.FactorCategory
	err := s.db.WithContext(ctx).Order("position").Find(&cats).Error
	return cats, translate(err)
}

// CreateFactorCategory adds a category.
func (s *Store) CreateFactorCategory(ctx context.Context, fc *model.FactorCategory) error {
	return categoryList.create(ctx, s, fc)
}

// UpdateFactorCategory changes the category called name; a new name
// carries over to every factor in it (ON UPDATE CASCADE).
func (s *Store) UpdateFactorCategory(ctx context.Context, name string, fc *model.FactorCategory) error {
	return categoryList.update(ctx, s, name, fc)
}

// DeleteFactorCategory removes an unused category; one that factors use
// is a conflict.
func (s *Store) DeleteFactorCategory(ctx context.Context, name string) error {
	return categoryList.remove(ctx, s, name)
}

// Factors returns an incident's contributing factors in order. An unknown
// incident is model.ErrNotFound.
func (s *Store) Factors(ctx context.Context, incidentID int64) ([]model.Factor, error) {
	db := s.db.WithContext(ctx)
	if err := incidentExists(db, incidentID); err != nil {
		return nil, err
	}
	var fs []model.Factor
	err := db.Where("incident_id = ?", incidentID).Order("position, id").Find(&fs).Error
	return fs, translate(err)
}

// Factor returns one contributing factor of an incident.
func (s *Store) Factor(ctx context.Context, incidentID, factorID int64) (*model.Factor, error) {
	return loadFactor(s.db.WithContext(ctx), incidentID, factorID)
}

func loadFactor(db *gorm.DB, incidentID, factorID int64) (*model.Factor, error) {
	var f model.Factor
	if err := db.Where("incident_id = ?", incidentID).First(&f, factorID).Error; err != nil {
		return nil, translate(err)
	}
	return &f, nil
}

// CreateFactor validates and stores a new contributing factor at the end
// of the incident's list; it fills f's ID, position, version and times.
func (s *Store) CreateFactor(ctx context.Context, f *model.Factor) error {
	return s.CreateFactorAt(ctx, f, nil)
}

// CreateFactorAt stores a new factor at position at (nil for the end), in
// one transaction.
func (s *Store) CreateFactorAt(ctx context.Context, f *model.Factor, at *int) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := s.createFactor(ctx, tx, f); err != nil {
			return err
		}
		if at == nil || *at >= f.Position {
			return nil
		}
		var ids []int64
		if err := tx.Model(&model.Factor{}).Where("incident_id = ?", f.IncidentID).Order("position, id").Pluck("id", &ids).Error; err != nil {
			return err
		}
		if _, err := reorder(tx, "contributing_factors", ids, f.ID, *at); err != nil {
			return err
		}
		f.Position = max(0, *at)
		return nil
	})
}

func (s *Store) createFactor(ctx context.Context, tx *gorm.DB, f *model.Factor) error {
	now := s.now()
	if err := incidentExists(tx, f.IncidentID); err != nil {
		return err
	}
	if err := checkCategory(tx, f.Category); err != nil {
		return err
	}
	var n int64
	if err := tx.Model(&model.Factor{}).Where("incident_id = ?", f.IncidentID).Count(&n).Error; err != nil {
		return err
	}
	if n >= model.MaxFactorsPerIncident {
		return model.FieldError("incident", fmt.Sprintf("an incident can have at most %d contributing factors", model.MaxFactorsPerIncident))
	}
	if f.IsTrigger {
		if err := checkOneTrigger(tx, f.IncidentID, 0); err != nil {
			return err
		}
	}
	f.ID, f.Version, f.Position, f.CreatedAt, f.UpdatedAt = 0, 1, int(n), now, now
	if err := tx.Create(f).Error; err != nil {
		return err
	}
	return audit(ctx, tx, now, model.AuditCreate, "factor", f.ID, &f.IncidentID, nil, f)
}

// UpdateFactor applies a patch to a factor. A stale version fails with a
// *model.ConflictError carrying the current factor.
func (s *Store) UpdateFactor(ctx context.Context, incidentID, factorID int64, p model.FactorPatch) (*model.Factor, error) {
	now := s.now()
	var out *model.Factor
	err := s.write(ctx, func(tx *gorm.DB) error {
		cur, err := loadFactor(tx, incidentID, factorID)
		if err != nil {
			return err
		}
		if p.Version != cur.Version {
			return staleVersion(fmt.Sprintf("contributing factor %d", factorID), p.Version, cur.Version, cur)
		}
		next := *cur
		changed, err := next.Apply(p)
		if err != nil {
			return err
		}
		if next.Category != cur.Category {
			if err := checkCategory(tx, next.Category); err != nil {
				return err
			}
		}
		if next.IsTrigger && !cur.IsTrigger {
			if err := checkOneTrigger(tx, incidentID, factorID); err != nil {
				return err
			}
		}
		if p.Position != nil {
			var ids []int64
			if err := tx.Model(&model.Factor{}).Where("incident_id = ?", incidentID).Order("position, id").Pluck("id", &ids).Error; err != nil {
				return err
			}
			moved, err := reorder(tx, "contributing_factors", ids, factorID, *p.Position)
			if err != nil {
				return err
			}
			changed = changed || moved
		}
		if !changed {
			out = cur
			return nil
		}
		next.Version, next.UpdatedAt = cur.Version+1, now
		res := tx.Model(&model.Factor{}).Where("id = ? AND version = ?", factorID, cur.Version).
			Select("title", "description", "category", "is_trigger", "version", "updated_at").Updates(&next)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return model.ErrConflict
		}
		if err := tx.Select("position").First(&next, factorID).Error; err != nil {
			return err
		}
		out = &next
		return audit(ctx, tx, now, model.AuditUpdate, "factor", factorID, &incidentID, cur, &next)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteFactor removes a factor. Its links to action items and why nodes
// go with it; the items and nodes stay. With version > 0 the delete is
// refused when the factor changed since.
func (s *Store) DeleteFactor(ctx context.Context, incidentID, factorID int64, version int) error {
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		cur, err := loadFactor(tx, incidentID, factorID)
		if err != nil {
			return err
		}
		if version > 0 && version != cur.Version {
			return staleVersion(fmt.Sprintf("contributing factor %d", factorID), version, cur.Version, cur)
		}
		if err := tx.Delete(&model.Factor{}, factorID).Error; err != nil {
			return err
		}
		var ids []int64
		if err := tx.Model(&model.Factor{}).Where("incident_id = ?", incidentID).Order("position, id").Pluck("id", &ids).Error; err != nil {
			return err
		}
		if err := renumber(tx, "contributing_factors", ids); err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditDelete, "factor", factorID, &incidentID, cur, nil)
	})
}

func incidentExists(db *gorm.DB, id int64) error {
	var n int64
	if err := db.Model(&model.Incident{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return model.ErrNotFound
	}
	return nil
}

func checkCategory(tx *gorm.DB, name string) error {
	var cats []model.FactorCategory
	if err := tx.Order("position").Find(&cats).Error; err != nil {
		return err
	}
	names := make([]string, len(cats))
	for i, c := range cats {
		if c.Name == name {
			return nil
		}
		names[i] = c.Name
	}
	return model.FieldError("category", fmt.Sprintf("unknown category %q; use one of %s", model.Truncate(name, 50), strings.Join(names, ", ")))
}

func checkOneTrigger(tx *gorm.DB, incidentID, except int64) error {
	var other model.Factor
	err := tx.Where("incident_id = ? AND is_trigger = 1 AND id <> ?", incidentID, except).Take(&other).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return model.FieldError("is_trigger", fmt.Sprintf("factor %d (%q) is already the trigger; an incident has at most one trigger, the other factors are latent conditions — unmark it first", other.ID, other.Title))
}

// reorder moves id to position pos (clamped) among ids, which are in their
// current order, and writes the new positions. It reports whether the
// order changed.
func reorder(tx *gorm.DB, table string, ids []int64, id int64, pos int) (bool, error) {
	from := -1
	for i, x := range ids {
		if x == id {
			from = i
		}
	}
	if from < 0 {
		return false, model.ErrNotFound
	}
	pos = max(0, min(pos, len(ids)-1))
	if pos == from {
		return false, renumber(tx, table, ids)
	}
	out := make([]int64, 0, len(ids))
	out = append(out, ids[:from]...)
	out = append(out, ids[from+1:]...)
	out = append(out[:pos], append([]int64{id}, out[pos:]...)...)
	return true, renumber(tx, table, out)
}

// renumber sets position = index for ids in table, writing only rows whose
// position differs.
func renumber(tx *gorm.DB, table string, ids []int64) error {
	for i, id := range ids {
		if err := tx.Exec("UPDATE "+table+" SET position = ? WHERE id = ? AND position <> ?", i, id, i).Error; err != nil {
			return err
		}
	}
	return nil
}
