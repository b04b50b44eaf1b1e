package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// Bounds of the change reads: every list is a page.
const (
	MaxSuspects         = 50
	MaxLinkedChanges    = 200
	MaxLaneChanges      = 200
	laneLookBack        = 24 * time.Hour
	changeSelectColumns = "changes.*, services.name AS service"
)

// changeRow reads a change with its service's canonical name.
type changeRow struct {
	model.Change
	ServiceName string `gorm:"column:service"`
}

func (r changeRow) change() model.Change {
	c := r.Change
	c.Service = r.ServiceName
	return c
}

func changesOf(rows []changeRow) []model.Change {
	out := make([]model.Change, len(rows))
	for i := range rows {
		out[i] = rows[i].change()
	}
	return out
}

func changeQuery(db *gorm.DB) *gorm.DB {
	return db.Table("changes").Select(changeSelectColumns).Joins("JOIN services ON services.id = changes.service_id")
}

// serviceID returns the id of the named service (case-insensitively),
// adding it to the catalogue if it is new, and its canonical spelling.
func serviceID(tx *gorm.DB, name string, now time.Time) (int64, string, error) {
	row := serviceRow{Name: name, CreatedAt: now}
	if err := tx.Where("name = ?", name).Attrs(serviceRow{CreatedAt: now}).FirstOrCreate(&row).Error; err != nil {
		return 0, "", err
	}
	return row.ID, row.Name, nil
}

// RecordChange validates and stores a change. A change whose external_id
// was recorded before updates that one (a CI retry, or a deploy's later
// status) instead of adding another; created says which happened.
func (s *Store) RecordChange(ctx context.Context, c *model.Change) (created bool, err error) {
	now := s.now()
	if err := c.Validate(now); err != nil {
		return false, err
	}
	err = s.write(ctx, func(tx *gorm.DB) error {
		id, name, err := serviceID(tx, c.Service, now)
		if err != nil {
			return err
		}
		c.ServiceID, c.Service = id, name
		var before *model.Change
		if c.ExternalID != nil {
			var old changeRow
			err := changeQuery(tx).Where("changes.external_id = ?", *c.ExternalID).Take(&old).Error
			switch {
			case err == nil:
				b := old.change()
				before = &b
			case !errors.Is(err, gorm.ErrRecordNotFound):
				return err
			}
		}
		c.UpdatedAt = now
		if before == nil {
			created = true
			c.ID, c.CreatedAt = 0, now
			if err := tx.Create(c).Error; err != nil {
				return err
			}
			if err := audit(ctx, tx, now, model.AuditCreate, "change", c.ID, nil, nil, c); err != nil {
				return err
			}
			return enqueue(ctx, tx, now, model.EventChangeRecorded, nil, changeEventData(c))
		}
		c.ID, c.CreatedAt = before.ID, before.CreatedAt
		if err := tx.Model(&model.Change{}).Where("id = ?", c.ID).Select("*").Omit("id", "created_at").Updates(c).Error; err != nil {
			return err
		}
		if err := markDirty(tx, "change_id = ?", c.ID); err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditUpdate, "change", c.ID, nil, before, c)
	})
	return created, err
}

// Change returns one change.
func (s *Store) Change(ctx context.Context, id int64) (*model.Change, error) {
	var r changeRow
	if err := changeQuery(s.db.WithContext(ctx)).Where("changes.id = ?", id).Take(&r).Error; err != nil {
		return nil, translate(err)
	}
	c := r.change()
	return &c, nil
}

// ChangeFilter selects changes for the list: every field is optional.
type ChangeFilter struct {
	Service  string
	Kind     model.ChangeKind
	From, To *time.Time // started_at in [From, To)
	Limit    int
	Offset   int
}

// Changes lists changes newest first, one page of them; more reports
// whether another page follows. The page is read through an index on
// started_at (per service when one is asked for).
func (s *Store) Changes(ctx context.Context, f ChangeFilter) (list []model.Change, more bool, err error) {
	if f.Limit <= 0 || f.Limit > model.MaxPageSize {
		f.Limit = model.DefaultPageSize
	}
	if f.Offset < 0 || f.Offset > MaxOffset {
		return nil, false, model.FieldError("offset", fmt.Sprintf("must be from 0 to %d", MaxOffset))
	}
	q := changeQuery(s.db.WithContext(context.WithoutCancel(ctx)))
	if f.Service != "" {
		q = q.Where("changes.service_id = (SELECT id FROM services WHERE name = ?)", f.Service)
	}
	if f.Kind != "" {
		q = q.Where("changes.kind = ?", f.Kind)
	}
	if f.From != nil {
		q = q.Where("changes.started_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("changes.started_at < ?", f.To.UTC())
	}
	var rows []changeRow
	if err := q.Order("changes.started_at DESC, changes.id DESC").Limit(f.Limit + 1).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, false, translate(err)
	}
	if len(rows) > f.Limit {
		rows, more = rows[:f.Limit], true
	}
	return changesOf(rows), more, nil
}

// incidentServiceIDs returns the ids of an incident's services.
func incidentServiceIDs(db *gorm.DB, incidentID int64) ([]int64, error) {
	var ids []int64
	err := db.Table("incident_services").Where("incident_id = ?", incidentID).Pluck("service_id", &ids).Error
	return ids, err
}

// SuspectChanges returns the changes that began within window before the
// incident's impact started (or it was declared): to the incident's
// services first, then to any other, each group newest first, at most
// MaxSuspects in all. Each says how long before impact it began and
// whether it is already linked to the incident.
func (s *Store) SuspectChanges(ctx context.Context, inc *model.Incident, window time.Duration, limit int) ([]model.SuspectChange, error) {
	if limit <= 0 || limit > MaxSuspects {
		limit = MaxSuspects
	}
	db := s.db.WithContext(context.WithoutCancel(ctx))
	impact := inc.ImpactStart().UTC()
	from := impact.Add(-window)
	svc, err := incidentServiceIDs(db, inc.ID)
	if err != nil {
		return nil, translate(err)
	}
	inWindow := func() *gorm.DB {
		return changeQuery(db).Where("changes.started_at >= ? AND changes.started_at <= ?", from, impact).
			Order("changes.started_at DESC, changes.id DESC").Limit(limit)
	}
	var own, other []changeRow
	if len(svc) > 0 {
		// One indexed range per service, merged by the ORDER BY.
		if err := inWindow().Where("changes.service_id IN ?", svc).Find(&own).Error; err != nil {
			return nil, translate(err)
		}
		if len(own) < limit {
			if err := inWindow().Where("changes.service_id NOT IN ?", svc).Limit(limit - len(own)).Find(&other).Error; err != nil {
				return nil, translate(err)
			}
		}
	} else if err := inWindow().Find(&other).Error; err != nil {
		return nil, translate(err)
	}
	linked, err := linkRelations(db, inc.ID)
	if err != nil {
		return nil, err
	}
	out := make([]model.SuspectChange, 0, len(own)+len(other))
	for i, group := range [][]changeRow{own, other} {
		for _, r := range group {
			c := r.change()
			out = append(out, model.SuspectChange{Change: c, SameService: i == 0, Before: impact.Sub(c.StartedAt), Relation: linked[c.ID]})
		}
	}
	return out, nil
}

func linkRelations(db *gorm.DB, incidentID int64) (map[int64]model.ChangeRelation, error) {
	var rows []struct {
		ChangeID int64
		Relation model.ChangeRelation
	}
	if err := db.Table("incident_changes").Select("change_id, relation").Where("incident_id = ?", incidentID).
		Limit(MaxLinkedChanges).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	m := make(map[int64]model.ChangeRelation, len(rows))
	for _, r := range rows {
		m[r.ChangeID] = r.Relation
	}
	return m, nil
}

// ChangesAround returns the changes the incident page lays beside its
// timeline: changes to the incident's services (to every service if it
// has none) from a day before impact until it was resolved (or now),
// oldest first, at most MaxLaneChanges (the latest ones if there are more).
func (s *Store) ChangesAround(ctx context.Context, inc *model.Incident) ([]model.Change, error) {
	db := s.db.WithContext(context.WithoutCancel(ctx))
	q, err := s.laneQuery(db, inc)
	if err != nil {
		return nil, err
	}
	var rows []changeRow
	if err := q.Order("changes.started_at DESC, changes.id DESC").Limit(MaxLaneChanges).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	return changesOf(rows), nil
}

// laneQuery selects the changes of an incident's lane (see ChangesAround).
func (s *Store) laneQuery(db *gorm.DB, inc *model.Incident) (*gorm.DB, error) {
	from := inc.ImpactStart().UTC().Add(-laneLookBack)
	to := s.now()
	if inc.ResolvedAt != nil {
		to = inc.ResolvedAt.UTC()
	}
	svc, err := incidentServiceIDs(db, inc.ID)
	if err != nil {
		return nil, translate(err)
	}
	q := changeQuery(db).Where("changes.started_at >= ? AND changes.started_at <= ?", from, to)
	if len(svc) > 0 {
		q = q.Where("changes.service_id IN ?", svc)
	}
	return q, nil
}

// LaneState says how many changes the incident's lane has and a key that
// changes whenever one of them is recorded, updated or leaves the lane
// (for the page's cache), with one aggregate over the lane's index range
// instead of reading the rows.
func (s *Store) LaneState(ctx context.Context, inc *model.Incident) (n int, key string, err error) {
	db := s.db.WithContext(context.WithoutCancel(ctx))
	q, err := s.laneQuery(db, inc)
	if err != nil {
		return 0, "", err
	}
	var agg struct {
		N    int
		Sum  int64
		Last string
	}
	if err := q.Select("count(*) AS n, COALESCE(sum(changes.id), 0) AS sum, COALESCE(max(changes.updated_at), '') AS last").Scan(&agg).Error; err != nil {
		return 0, "", translate(err)
	}
	return min(agg.N, MaxLaneChanges), fmt.Sprintf("%d/%d/%s", agg.N, agg.Sum, agg.Last), nil
}

type linkRow struct {
	IncidentID int64
	ChangeID   int64
	Relation   model.ChangeRelation
	FactorID   *int64
	LinkedAt   time.Time
	LinkedBy   string
}

func (linkRow) TableName() string { return "incident_changes" }

// IncidentChanges returns the changes linked to an incident, newest first.
func (s *Store) IncidentChanges(ctx context.Context, incidentID int64) ([]model.ChangeLink, error) {
	return incidentChanges(s.db.WithContext(context.WithoutCancel(ctx)), incidentID)
}

func incidentChanges(db *gorm.DB, incidentID int64) ([]model.ChangeLink, error) {
	var rows []struct {
		model.Change
		ServiceName string `gorm:"column:service"`
		Relation    model.ChangeRelation
		FactorID    *int64
		LinkedAt    time.Time
		LinkedBy    string
	}
	err := db.Table("incident_changes").
		Select(changeSelectColumns+", incident_changes.relation, incident_changes.factor_id, incident_changes.linked_at, incident_changes.linked_by").
		Joins("JOIN changes ON changes.id = incident_changes.change_id").
		Joins("JOIN services ON services.id = changes.service_id").
		Where("incident_changes.incident_id = ?", incidentID).
		Order("changes.started_at DESC, changes.id DESC").Limit(MaxLinkedChanges).Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]model.ChangeLink, len(rows))
	for i, r := range rows {
		c := r.Change
		c.Service = r.ServiceName
		out[i] = model.ChangeLink{Change: c, Relation: r.Relation, FactorID: r.FactorID, LinkedAt: r.LinkedAt, LinkedBy: r.LinkedBy}
	}
	return out, nil
}

// LinkChange links a change to an incident. A "caused" link also adds a
// contributing factor of category "change" describing it (the incident's
// trigger unless it already has one), so the analysis starts from it.
// Linking again with another relation changes the relation (a factor once
// added stays: the analysis owns it); with the same one it changes nothing.
func (s *Store) LinkChange(ctx context.Context, incidentID, changeID int64, rel model.ChangeRelation) (*model.ChangeLink, error) {
	if err := model.ValidRelation(rel); err != nil {
		return nil, err
	}
	var link *model.ChangeLink
	err := s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		if err := incidentExists(tx, incidentID); err != nil {
			return err
		}
		var cr changeRow
		if err := changeQuery(tx).Where("changes.id = ?", changeID).Take(&cr).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return model.FieldError("change_id", fmt.Sprintf("no change with id %d", changeID))
			}
			return err
		}
		c := cr.change()
		var row linkRow
		err := tx.Where("incident_id = ? AND change_id = ?", incidentID, changeID).Take(&row).Error
		exists := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if exists && row.Relation == rel {
			link = &model.ChangeLink{Change: c, Relation: row.Relation, FactorID: row.FactorID, LinkedAt: row.LinkedAt, LinkedBy: row.LinkedBy}
			return nil
		}
		if !exists {
			var n int64
			if err := tx.Model(&linkRow{}).Where("incident_id = ?", incidentID).Count(&n).Error; err != nil {
				return err
			}
			if n >= MaxLinkedChanges {
				return model.FieldError("change_id", fmt.Sprintf("an incident can have at most %d linked changes", MaxLinkedChanges))
			}
		}
		before := row
		row = linkRow{IncidentID: incidentID, ChangeID: changeID, Relation: rel, FactorID: row.FactorID, LinkedAt: now, LinkedBy: model.ActorFrom(ctx).Label}
		if rel == model.RelationCaused && row.FactorID == nil {
			f, err := s.changeFactor(ctx, tx, incidentID, &c)
			if err != nil {
				return err
			}
			row.FactorID = &f.ID
		}
		var werr error
		if exists {
			werr = tx.Model(&linkRow{}).Where("incident_id = ? AND change_id = ?", incidentID, changeID).
				Updates(map[string]any{"relation": row.Relation, "factor_id": row.FactorID, "linked_at": row.LinkedAt, "linked_by": row.LinkedBy}).Error
		} else {
			werr = tx.Create(&row).Error
		}
		if werr != nil {
			return werr
		}
		if err := markDirty(tx, "incident_id = ? AND change_id = ?", incidentID, changeID); err != nil {
			return err
		}
		link = &model.ChangeLink{Change: c, Relation: row.Relation, FactorID: row.FactorID, LinkedAt: row.LinkedAt, LinkedBy: row.LinkedBy}
		if exists {
			return audit(ctx, tx, now, model.AuditUpdate, "change_link", changeID, &incidentID, before, row)
		}
		return audit(ctx, tx, now, model.AuditCreate, "change_link", changeID, &incidentID, nil, row)
	})
	if err != nil {
		return nil, err
	}
	return link, nil
}

// changeFactor adds the contributing factor a "caused" link stands for.
func (s *Store) changeFactor(ctx context.Context, tx *gorm.DB, incidentID int64, c *model.Change) (*model.Factor, error) {
	title := c.Summary
	if c.Version != "" && !strings.Contains(title, c.Version) {
		title += " (" + c.Version + ")"
	}
	var d strings.Builder
	fmt.Fprintf(&d, "A %s to %s in %s began at %s", strings.ReplaceAll(string(c.Kind), "_", " "), c.Service, c.Environment, model.FormatHuman(c.StartedAt))
	if c.Author != "" {
		fmt.Fprintf(&d, ", by %s", c.Author)
	}
	d.WriteString(".")
	if c.URL != "" {
		fmt.Fprintf(&d, " [Change record](%s).", c.URL)
	}
	d.WriteString(" What let this change reach production and fail there?")
	f := &model.Factor{IncidentID: incidentID, Title: "Change: " + model.Truncate(title, 190), Description: d.String(), Category: "change"}
	var triggers int64
	if err := tx.Model(&model.Factor{}).Where("incident_id = ? AND is_trigger = 1", incidentID).Count(&triggers).Error; err != nil {
		return nil, err
	}
	f.IsTrigger = triggers == 0
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if err := s.createFactor(ctx, tx, f); err != nil {
		return nil, err
	}
	return f, nil
}

// UnlinkChange removes a change's link to an incident (its factor, if any,
// stays: the analysis owns it).
func (s *Store) UnlinkChange(ctx context.Context, incidentID, changeID int64) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		var row linkRow
		if err := tx.Where("incident_id = ? AND change_id = ?", incidentID, changeID).Take(&row).Error; err != nil {
			return err
		}
		if err := markDirty(tx, "incident_id = ? AND change_id = ?", incidentID, changeID); err != nil {
			return err
		}
		if err := tx.Where("incident_id = ? AND change_id = ?", incidentID, changeID).Delete(&linkRow{}).Error; err != nil {
			return err
		}
		return audit(ctx, tx, s.now(), model.AuditDelete, "change_link", changeID, &incidentID, row, nil)
	})
}
