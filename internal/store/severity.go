package store

import (
	"context"

	"github.com/debrief-dev/debrief/internal/model"
)

// CreateSeverity adds a level to the severity scale.
func (s *Store) CreateSeverity(ctx context.Context, sv *model.Severity) error {
	if sv.ActionDueWeeks == 0 {
		sv.ActionDueWeeks = model.DefaultActionDueWeeks
	}
	return severityList.create(ctx, s, sv)
}

// UpdateSeverity changes the level called name; a new name carries over to
// every incident of that severity (ON UPDATE CASCADE). An ActionDueWeeks
// of 0 keeps the level's.
func (s *Store) UpdateSeverity(ctx context.Context, name string, sv *model.Severity) error {
	return severityList.update(ctx, s, name, sv)
}

// DeleteSeverity removes an unused level; one that incidents use is a
// conflict (change those incidents first).
func (s *Store) DeleteSeverity(ctx context.Context, name string) error {
	return severityList.remove(ctx, s, name)
}
