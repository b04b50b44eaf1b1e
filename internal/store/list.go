package store

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// The one implementation of the admin lists (model.ListKind): the
// severity scale and the factor categories.

// list is an admin list's table: entries of type T (a *T validates
// itself), whose names the rows of usedBy hold in column usedCol.
type list[T any, P interface {
	*T
	Validate() error
}] struct {
	kind    model.ListKind
	usedBy  any
	usedCol string
	// columns are the columns an update writes; it may fill in what the
	// new entry left out from the current one.
	columns func(cur, next P) map[string]any
}

var (
	severityList = list[model.Severity, *model.Severity]{
		kind: model.SeverityList, usedBy: &model.Incident{}, usedCol: "severity",
		columns: func(cur, sv *model.Severity) map[string]any {
			if sv.ActionDueWeeks == 0 {
				sv.ActionDueWeeks = cur.ActionDueWeeks
			}
			return map[string]any{"name": sv.Name, "description": sv.Description, "position": sv.Position, "action_due_weeks": sv.ActionDueWeeks}
		},
	}
	categoryList = list[model.FactorCategory, *model.FactorCategory]{
		kind: model.CategoryList, usedBy: &model.Factor{}, usedCol: "category",
		columns: func(_, fc *model.FactorCategory) map[string]any {
			return map[string]any{"name": fc.Name, "description": fc.Description, "position": fc.Position}
		},
	}
)

func (l list[T, P]) create(ctx context.Context, s *Store, e P) error {
	if err := e.Validate(); err != nil {
		return err
	}
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(e).Error; err != nil {
			return l.conflict(err)
		}
		return audit(ctx, tx, now, model.AuditCreate, l.kind.Record, 0, nil, nil, e)
	})
}

// update changes the entry called name; a new name carries over to every
// row that uses it (ON UPDATE CASCADE).
func (l list[T, P]) update(ctx context.Context, s *Store, name string, e P) error {
	if err := e.Validate(); err != nil {
		return err
	}
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		cur := P(new(T))
		if err := tx.Where("name = ?", name).First(cur).Error; err != nil {
			return err
		}
		if err := tx.Model(P(new(T))).Where("name = ?", name).Updates(l.columns(cur, e)).Error; err != nil {
			return l.conflict(err)
		}
		return audit(ctx, tx, now, model.AuditUpdate, l.kind.Record, 0, nil, cur, e)
	})
}

// remove deletes an unused entry; one in use, or the last one, is a
// conflict.
func (l list[T, P]) remove(ctx context.Context, s *Store, name string) error {
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		cur := P(new(T))
		if err := tx.Where("name = ?", name).First(cur).Error; err != nil {
			return err
		}
		var used int64
		if err := tx.Model(l.usedBy).Where(l.usedCol+" = ?", name).Count(&used).Error; err != nil {
			return err
		}
		if used > 0 {
			return &model.ConflictError{Message: l.kind.InUse(used, name)}
		}
		var total int64
		if err := tx.Model(P(new(T))).Count(&total).Error; err != nil {
			return err
		}
		if total <= 1 {
			return &model.ConflictError{Message: l.kind.Last}
		}
		if err := tx.Where("name = ?", name).Delete(P(new(T))).Error; err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditDelete, l.kind.Record, 0, nil, cur, nil)
	})
}

func (l list[T, P]) conflict(err error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) || strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return model.FieldError("name", l.kind.Duplicate)
	}
	return err
}
