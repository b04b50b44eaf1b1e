package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// CreateSeverity adds a level to the severity scale.
func (s *Store) CreateSeverity(ctx context.Context, sv *model.Severity) error {
	if err := sv.Validate(); err != nil {
		return err
	}
	if sv.ActionDueWeeks == 0 {
		sv.ActionDueWeeks = model.DefaultActionDueWeeks
	}
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(sv).Error; err != nil {
			return severityConflict(err)
		}
		return audit(ctx, tx, now, model.AuditCreate, "severity", 0, nil, nil, sv)
	})
}

// UpdateSeverity changes the level called name; a new name carries over to
// every incident of that severity (ON UPDATE CASCADE).
func (s *Store) UpdateSeverity(ctx context.Context, name string, sv *model.Severity) error {
	if err := sv.Validate(); err != nil {
		return err
	}
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		var cur model.Severity
		if err := tx.Where("name = ?", name).First(&cur).Error; err != nil {
			return err
		}
		if sv.ActionDueWeeks == 0 {
			sv.ActionDueWeeks = cur.ActionDueWeeks
		}
		err := tx.Model(&model.Severity{}).Where("name = ?", name).
			Updates(map[string]any{"name": sv.Name, "description": sv.Description, "position": sv.Position, "action_due_weeks": sv.ActionDueWeeks}).Error
		if err != nil {
			return severityConflict(err)
		}
		return audit(ctx, tx, now, model.AuditUpdate, "severity", 0, nil, &cur, sv)
	})
}

// DeleteSeverity removes an unused level; one that incidents use is a
// conflict (change those incidents first).
func (s *Store) DeleteSeverity(ctx context.Context, name string) error {
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		var cur model.Severity
		if err := tx.Where("name = ?", name).First(&cur).Error; err != nil {
			return err
		}
		var used int64
		if err := tx.Model(&model.Incident{}).Where("severity = ?", name).Count(&used).Error; err != nil {
			return err
		}
		if used > 0 {
			return &model.ConflictError{Message: fmt.Sprintf("%d incidents have severity %s; change them first", used, name)}
		}
		var total int64
		if err := tx.Model(&model.Severity{}).Count(&total).Error; err != nil {
			return err
		}
		if total <= 1 {
			return &model.ConflictError{Message: "the scale needs at least one severity"}
		}
		if err := tx.Where("name = ?", name).Delete(&model.Severity{}).Error; err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditDelete, "severity", 0, nil, &cur, nil)
	})
}

func severityConflict(err error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) || strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return model.FieldError("name", "another severity already has this name or position")
	}
	return err
}
