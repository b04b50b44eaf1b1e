package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// ActionActive selects items that are neither done nor won't do.
const ActionActive = "active"

// ActionFilter selects action items across incidents. Zero fields do not
// filter. Dates are inclusive days.
type ActionFilter struct {
	IncidentID int64
	Owner      string // exact name, any case
	Status     string // a model.ActionStatus, ActionActive, or empty
	Overdue    bool   // due date passed (UTC) and not closed
	DueBefore  model.Date
	DueAfter   model.Date
	Service    string
	Limit      int
	Offset     int
	// Viewer is who reads: the items of private incidents they may not
	// see are left out.
	Viewer model.Viewer
}

// actionOrder is how action items are always listed: by due date, the
// highest priority first on the same day, then oldest first. The indexes of
// migration 00012 hold this expression as written here.
const actionOrder = "action_items.due_date, CASE action_items.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, action_items.id"

// actionActiveSQL selects the items still to do. It is written out, not
// bound, because it must match the expression of action_items_active_list
// for SQLite to use that index.
const actionActiveSQL = "(action_items.status IN ('open', 'in_progress')) = 1"

// Actions returns one page of action items across incidents, with their
// links and incident facts, and how many match.
//
// An offset beyond MaxOffset is a *model.ValidationError.
func (s *Store) Actions(ctx context.Context, f ActionFilter) ([]model.ActionItem, int64, error) {
	if err := checkOffset(f.Offset); err != nil {
		return nil, 0, err
	}
	db := s.db.WithContext(ctx)
	q := db.Model(&model.ActionItem{})
	if h := hiddenIncidents(f.Viewer); h != "" {
		// By the item's id, which every list index holds, so the page
		// still comes from an index alone.
		q = q.Where("action_items.id NOT IN (SELECT h.id FROM action_items h WHERE h.incident_id IN ("+h+"))",
			sql.Named("viewer", f.Viewer.UserID))
	}
	if f.IncidentID != 0 {
		q = q.Where("action_items.incident_id = ?", f.IncidentID)
	}
	if f.Owner != "" {
		q = q.Where("action_items.owner = ? COLLATE NOCASE", f.Owner)
	}
	switch {
	case f.Status == ActionActive:
		q = q.Where(actionActiveSQL)
	case f.Status != "":
		q = q.Where("action_items.status = ?", f.Status)
	}
	if f.Overdue {
		today := model.DateOf(s.now())
		q = q.Where(actionActiveSQL+" AND action_items.due_date < ?", today.String())
	}
	if !f.DueBefore.IsZero() {
		q = q.Where("action_items.due_date <= ?", f.DueBefore.String())
	}
	if !f.DueAfter.IsZero() {
		q = q.Where("action_items.due_date >= ?", f.DueAfter.String())
	}
	if f.Service != "" {
		q = q.Where("action_items.incident_id IN (SELECT incident_id FROM incident_services JOIN services ON services.id = service_id WHERE services.name = ? COLLATE NOCASE)", f.Service)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	if f.Limit <= 0 || f.Limit > model.MaxPageSize {
		f.Limit = model.MaxPageSize
	}
	// The page's ids first, from an index alone; then those rows.
	var ids []int64
	if err := q.Order(actionOrder).Limit(f.Limit).Offset(f.Offset).Pluck("action_items.id", &ids).Error; err != nil {
		return nil, 0, translate(err)
	}
	items := make([]model.ActionItem, 0, len(ids))
	if len(ids) > 0 {
		if err := db.Where("id IN ?", ids).Find(&items).Error; err != nil {
			return nil, 0, translate(err)
		}
	}
	inOrder(items, ids, func(a model.ActionItem) int64 { return a.ID })
	if err := loadActionDetails(db, items); err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// IncidentActions returns every action item of an incident, in order. An
// unknown incident is model.ErrNotFound.
func (s *Store) IncidentActions(ctx context.Context, incidentID int64) ([]model.ActionItem, error) {
	db := s.db.WithContext(ctx)
	if err := incidentExists(db, incidentID); err != nil {
		return nil, err
	}
	var items []model.ActionItem
	if err := db.Where("incident_id = ?", incidentID).Order(actionOrder).Find(&items).Error; err != nil {
		return nil, translate(err)
	}
	if err := loadActionDetails(db, items); err != nil {
		return nil, err
	}
	return items, nil
}

// Action returns one action item of an incident with its links.
func (s *Store) Action(ctx context.Context, incidentID, actionID int64) (*model.ActionItem, error) {
	return loadAction(s.db.WithContext(ctx), incidentID, actionID)
}

func loadAction(db *gorm.DB, incidentID, actionID int64) (*model.ActionItem, error) {
	var a model.ActionItem
	if err := db.Where("incident_id = ?", incidentID).First(&a, actionID).Error; err != nil {
		return nil, translate(err)
	}
	list := []model.ActionItem{a}
	if err := loadActionDetails(db, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// loadActionDetails fills links and incident facts of items in four queries.
func loadActionDetails(db *gorm.DB, items []model.ActionItem) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]int64, len(items))
	byID := make(map[int64]*model.ActionItem, len(items))
	incIDs := make([]int64, 0, len(items))
	for i := range items {
		a := &items[i]
		ids[i] = a.ID
		byID[a.ID] = a
		a.FactorIDs, a.WhyIDs, a.IncidentServices = []int64{}, []int64{}, []string{}
		if !slices.Contains(incIDs, a.IncidentID) {
			incIDs = append(incIDs, a.IncidentID)
		}
	}
	var links []struct {
		ActionID int64
		OtherID  int64
	}
	if err := db.Raw("SELECT action_id, factor_id AS other_id FROM action_item_factors WHERE action_id IN ? ORDER BY action_id, factor_id", ids).Scan(&links).Error; err != nil {
		return translate(err)
	}
	for _, l := range links {
		byID[l.ActionID].FactorIDs = append(byID[l.ActionID].FactorIDs, l.OtherID)
	}
	links = links[:0]
	if err := db.Raw("SELECT action_id, why_id AS other_id FROM action_item_whys WHERE action_id IN ? ORDER BY action_id, why_id", ids).Scan(&links).Error; err != nil {
		return translate(err)
	}
	for _, l := range links {
		byID[l.ActionID].WhyIDs = append(byID[l.ActionID].WhyIDs, l.OtherID)
	}
	var incs []struct {
		ID       int64
		Title    string
		Severity string
	}
	if err := db.Table("incidents").Select("id, title, severity").Where("id IN ?", incIDs).Scan(&incs).Error; err != nil {
		return translate(err)
	}
	var svcs []struct {
		IncidentID int64
		Name       string
	}
	err := db.Table("incident_services").Select("incident_services.incident_id, services.name").
		Joins("JOIN services ON services.id = incident_services.service_id").
		Where("incident_services.incident_id IN ?", incIDs).Order("services.name COLLATE NOCASE").Scan(&svcs).Error
	if err != nil {
		return translate(err)
	}
	for i := range items {
		a := &items[i]
		for _, inc := range incs {
			if inc.ID == a.IncidentID {
				a.IncidentTitle, a.IncidentSeverity = inc.Title, inc.Severity
			}
		}
		for _, sv := range svcs {
			if sv.IncidentID == a.IncidentID {
				a.IncidentServices = append(a.IncidentServices, sv.Name)
			}
		}
	}
	return nil
}

// DefaultActionDue is the due date a new action item of an incident gets
// when none is given, from its severity's setting.
func (s *Store) DefaultActionDue(ctx context.Context, incidentID int64) (model.Date, error) {
	db := s.db.WithContext(ctx)
	var sv model.Severity
	err := db.Where("name = (SELECT severity FROM incidents WHERE id = ?)", incidentID).First(&sv).Error
	if err != nil {
		return model.Date{}, translate(err)
	}
	return model.DefaultDue(sv, s.now()), nil
}

// CreateAction validates and stores a new action item with its links;
// it fills a's ID, version and times.
func (s *Store) CreateAction(ctx context.Context, a *model.ActionItem) error {
	now := s.now()
	if err := a.Validate(); err != nil {
		return err
	}
	a.SetClosed(model.ActionOpen, now)
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := incidentExists(tx, a.IncidentID); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&model.ActionItem{}).Where("incident_id = ?", a.IncidentID).Count(&n).Error; err != nil {
			return err
		}
		if n >= model.MaxActionsPerIncident {
			return model.FieldError("incident", fmt.Sprintf("an incident can have at most %d action items", model.MaxActionsPerIncident))
		}
		factors, whys, err := checkLinks(tx, a.IncidentID, a.FactorIDs, a.WhyIDs)
		if err != nil {
			return err
		}
		a.ID, a.Version, a.CreatedAt, a.UpdatedAt = 0, 1, now, now
		if err := tx.Create(a).Error; err != nil {
			return err
		}
		if err := writeLinks(tx, a.ID, factors, whys); err != nil {
			return err
		}
		a.FactorIDs, a.WhyIDs = factors, whys
		return audit(ctx, tx, now, model.AuditCreate, "action_item", a.ID, &a.IncidentID, nil, a)
	})
}

// UpdateAction applies a patch to an action item. A stale version fails
// with a *model.ConflictError carrying the current item.
func (s *Store) UpdateAction(ctx context.Context, incidentID, actionID int64, p model.ActionPatch) (*model.ActionItem, error) {
	now := s.now()
	var out *model.ActionItem
	err := s.write(ctx, func(tx *gorm.DB) error {
		cur, err := loadAction(tx, incidentID, actionID)
		if err != nil {
			return err
		}
		if p.Version != cur.Version {
			return staleVersion(fmt.Sprintf("action item %d", actionID), p.Version, cur.Version, cur)
		}
		next := *cur
		changed, err := next.Apply(p, now)
		if err != nil {
			return err
		}
		factors, whys := cur.FactorIDs, cur.WhyIDs
		if p.FactorIDs != nil {
			factors = *p.FactorIDs
		}
		if p.WhyIDs != nil {
			whys = *p.WhyIDs
		}
		factors, whys, err = checkLinks(tx, incidentID, factors, whys)
		if err != nil {
			return err
		}
		linksChanged := !slices.Equal(factors, cur.FactorIDs) || !slices.Equal(whys, cur.WhyIDs)
		if !changed && !linksChanged {
			out = cur
			return nil
		}
		next.Version, next.UpdatedAt = cur.Version+1, now
		res := tx.Model(&model.ActionItem{}).Where("id = ? AND version = ?", actionID, cur.Version).
			Select("title", "description", "owner", "due_date", "type", "priority", "status", "closure_note",
				"evidence_url", "rationale", "tracker_url", "closed_at", "version", "updated_at").Updates(&next)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return model.ErrConflict
		}
		if linksChanged {
			if err := tx.Exec("DELETE FROM action_item_factors WHERE action_id = ?", actionID).Error; err != nil {
				return err
			}
			if err := tx.Exec("DELETE FROM action_item_whys WHERE action_id = ?", actionID).Error; err != nil {
				return err
			}
			if err := writeLinks(tx, actionID, factors, whys); err != nil {
				return err
			}
		}
		next.FactorIDs, next.WhyIDs = factors, whys
		out = &next
		return audit(ctx, tx, now, model.AuditUpdate, "action_item", actionID, &incidentID, cur, &next)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteAction removes an action item and its links. With version > 0 the
// delete is refused when the item changed since.
func (s *Store) DeleteAction(ctx context.Context, incidentID, actionID int64, version int) error {
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		cur, err := loadAction(tx, incidentID, actionID)
		if err != nil {
			return err
		}
		if version > 0 && version != cur.Version {
			return staleVersion(fmt.Sprintf("action item %d", actionID), version, cur.Version, cur)
		}
		if err := tx.Delete(&model.ActionItem{}, actionID).Error; err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditDelete, "action_item", actionID, &incidentID, cur, nil)
	})
}

// checkLinks sorts and de-duplicates link ids and checks that each names a
// factor or why node of this incident.
func checkLinks(tx *gorm.DB, incidentID int64, factors, whys []int64) ([]int64, []int64, error) {
	factors, whys = sortedIDs(factors), sortedIDs(whys)
	v := model.NewValidationError()
	if len(factors) > model.MaxFactorsPerIncident {
		v.Add("factor_ids", fmt.Sprintf("at most %d factors (an incident has no more)", model.MaxFactorsPerIncident))
	}
	if len(whys) > model.MaxWhyNodes {
		v.Add("why_ids", fmt.Sprintf("at most %d why nodes (an incident has no more)", model.MaxWhyNodes))
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	check := func(field, table, what string, ids []int64) error {
		if len(ids) == 0 {
			return nil
		}
		var found []int64
		if err := tx.Table(table).Where("incident_id = ? AND id IN ?", incidentID, ids).Pluck("id", &found).Error; err != nil {
			return err
		}
		var missing []string
		for _, id := range ids {
			if !slices.Contains(found, id) {
				missing = append(missing, fmt.Sprint(id))
			}
		}
		if len(missing) > 0 {
			v.Add(field, fmt.Sprintf("there is no %s %s in this incident", what, strings.Join(missing, ", ")))
		}
		return nil
	}
	if err := check("factor_ids", "contributing_factors", "contributing factor", factors); err != nil {
		return nil, nil, err
	}
	if err := check("why_ids", "why_nodes", "why node", whys); err != nil {
		return nil, nil, err
	}
	return factors, whys, v.Err()
}

func sortedIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []int64{}
	}
	return out
}

func writeLinks(tx *gorm.DB, actionID int64, factors, whys []int64) error {
	for _, id := range factors {
		if err := tx.Exec("INSERT INTO action_item_factors (action_id, factor_id) VALUES (?, ?)", actionID, id).Error; err != nil {
			return err
		}
	}
	for _, id := range whys {
		if err := tx.Exec("INSERT INTO action_item_whys (action_id, why_id) VALUES (?, ?)", actionID, id).Error; err != nil {
			return err
		}
	}
	return nil
}
