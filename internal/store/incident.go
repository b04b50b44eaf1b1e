package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/debrief-dev/debrief/internal/model"
)

// incidentColumns are the columns an update writes; listed so that zero
// values (an emptied summary, a cleared milestone) are written too.
var incidentColumns = []string{
	"title", "summary", "impact", "severity", "status",
	"started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at",
	"visibility", "version", "updated_at",
}

type serviceRow struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

func (serviceRow) TableName() string { return "services" }

type roleRow struct {
	ID         int64
	IncidentID int64
	Role       string
	Name       string
	Position   int
}

func (roleRow) TableName() string { return "incident_roles" }

// Severities returns the severity scale, most severe first.
func (s *Store) Severities(ctx context.Context) ([]model.Severity, error) {
	var sevs []model.Severity
	err := s.db.WithContext(ctx).Order("position").Find(&sevs).Error
	return sevs, translate(err)
}

// Services returns the names of every known service, alphabetically.
func (s *Store) Services(ctx context.Context) ([]string, error) {
	var names []string
	err := s.db.WithContext(ctx).Model(&serviceRow{}).Order("name COLLATE NOCASE").Pluck("name", &names).Error
	return names, translate(err)
}

// Incident returns one incident with its services, tags and roles.
func (s *Store) Incident(ctx context.Context, id int64) (*model.Incident, error) {
	return loadIncident(s.db.WithContext(ctx), id)
}

func loadIncident(db *gorm.DB, id int64) (*model.Incident, error) {
	var inc model.Incident
	if err := db.First(&inc, id).Error; err != nil {
		return nil, translate(err)
	}
	list := []model.Incident{inc}
	if err := loadAssociations(db, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// IncidentFilter selects incidents for the list page and the API.
type IncidentFilter struct {
	Status   string // a model.Status, "open", or empty for all
	Severity string
	Service  string
	Limit    int
	Offset   int
	// Viewer is who reads: the private incidents they may not see are
	// left out (of the page and of the total).
	Viewer model.Viewer
}

// MaxOffset bounds how deep a list can be paged: a page is read by walking
// its index from the first row, so a deeper page would cost more and more.
// Beyond it, a filter narrows the list.
const MaxOffset = 10_000

// checkOffset refuses an offset beyond MaxOffset, naming the field.
func checkOffset(offset int) error {
	if offset < 0 || offset > MaxOffset {
		return model.FieldError("offset", fmt.Sprintf("must be from 0 to %d; narrow the list with a filter to see older items", MaxOffset))
	}
	return nil
}

// incidentOrder is how the list sorts incidents: open ones first, then the
// most recent. The indexes of migration 00012 hold these expressions as
// written here. With a status filter ("open" or one status) the first term
// is the same for every row, and it is left out (incidentStatusOrder):
// SQLite does not see that, and would sort.
const (
	incidentOrder       = "status = 'resolved', COALESCE(started_at, created_at) DESC, id DESC"
	incidentStatusOrder = "COALESCE(started_at, created_at) DESC, id DESC"
)

// Incidents returns one page of incidents, open ones first and then the
// most recent, and the total count that match the filter. An offset beyond
// MaxOffset is a *model.ValidationError.
func (s *Store) Incidents(ctx context.Context, f IncidentFilter) ([]model.Incident, int64, error) {
	if err := checkOffset(f.Offset); err != nil {
		return nil, 0, err
	}
	db := s.db.WithContext(ctx)
	q := db.Model(&model.Incident{})
	if cond, arg := visibleTo("id", f.Viewer); cond != "1" {
		q = q.Where(cond, arg)
	}
	order := incidentOrder
	switch {
	case f.Status == "open":
		// Written as the indexed expression, so that incidents_list answers.
		q = q.Where("(status = 'resolved') = 0")
		order = incidentStatusOrder
	case f.Status != "":
		q = q.Where("status = ?", f.Status)
		order = incidentStatusOrder
	}
	if f.Severity != "" {
		q = q.Where("severity = ?", f.Severity)
	}
	if f.Service != "" {
		// The unary + keeps SQLite from reading each of the service's
		// incidents by rowid and sorting them: it walks the list's index
		// instead, which holds the order, and reads no row.
		q = q.Where("+id IN (SELECT incident_id FROM incident_services JOIN services ON services.id = service_id WHERE services.name = ?)", f.Service)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	if f.Limit <= 0 || f.Limit > model.MaxPageSize {
		f.Limit = model.DefaultPageSize
	}
	// The page's ids first, from an index alone; then those rows.
	var ids []int64
	if err := q.Order(order).Limit(f.Limit).Offset(f.Offset).Pluck("id", &ids).Error; err != nil {
		return nil, 0, translate(err)
	}
	incs, err := incidentsByID(db, ids)
	if err != nil {
		return nil, 0, err
	}
	return incs, total, nil
}

// incidentsByID loads the incidents of ids, in that order, with their
// associations.
func incidentsByID(db *gorm.DB, ids []int64) ([]model.Incident, error) {
	incs := make([]model.Incident, 0, len(ids))
	if len(ids) == 0 {
		return incs, nil
	}
	if err := db.Where("id IN ?", ids).Find(&incs).Error; err != nil {
		return nil, translate(err)
	}
	inOrder(incs, ids, func(inc model.Incident) int64 { return inc.ID })
	if err := loadAssociations(db, incs); err != nil {
		return nil, err
	}
	return incs, nil
}

// inOrder sorts rows, read by id, into the order of ids: a page's order.
func inOrder[T any](rows []T, ids []int64, id func(T) int64) {
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(rows, func(a, b T) int { return pos[id(a)] - pos[id(b)] })
}

// loadAssociations fills services, tags, roles and members of incs in four
// queries.
func loadAssociations(db *gorm.DB, incs []model.Incident) error {
	if len(incs) == 0 {
		return nil
	}
	ids := make([]int64, len(incs))
	byID := make(map[int64]*model.Incident, len(incs))
	for i := range incs {
		ids[i] = incs[i].ID
		byID[incs[i].ID] = &incs[i]
		incs[i].Services, incs[i].Tags = []string{}, []string{}
		incs[i].Roles = model.Roles{Responders: []string{}}
		incs[i].Members = []string{}
	}
	var svcs []struct {
		IncidentID int64
		Name       string
	}
	err := db.Table("incident_services").Select("incident_services.incident_id, services.name").
		Joins("JOIN services ON services.id = incident_services.service_id").
		Where("incident_services.incident_id IN ?", ids).Order("services.name COLLATE NOCASE").Scan(&svcs).Error
	if err != nil {
		return translate(err)
	}
	for _, r := range svcs {
		byID[r.IncidentID].Services = append(byID[r.IncidentID].Services, r.Name)
	}
	var tags []struct {
		IncidentID int64
		Tag        string
	}
	if err := db.Table("incident_tags").Where("incident_id IN ?", ids).Order("tag").Scan(&tags).Error; err != nil {
		return translate(err)
	}
	for _, r := range tags {
		byID[r.IncidentID].Tags = append(byID[r.IncidentID].Tags, r.Tag)
	}
	var roles []roleRow
	if err := db.Where("incident_id IN ?", ids).Order("incident_id, role, position, id").Find(&roles).Error; err != nil {
		return translate(err)
	}
	for _, r := range roles {
		rs := &byID[r.IncidentID].Roles
		switch r.Role {
		case "commander":
			rs.Commander = r.Name
		case "comms_lead":
			rs.CommsLead = r.Name
		case "scribe":
			rs.Scribe = r.Name
		case "responder":
			rs.Responders = append(rs.Responders, r.Name)
		}
	}
	var members []struct {
		IncidentID int64
		Email      string
	}
	err = db.Raw(`SELECT m.incident_id, u.email FROM incident_members m JOIN users u ON u.id = m.user_id
		WHERE m.incident_id IN ? ORDER BY u.email`, ids).Scan(&members).Error
	if err != nil {
		return translate(err)
	}
	for _, r := range members {
		byID[r.IncidentID].Members = append(byID[r.IncidentID].Members, r.Email)
	}
	return nil
}

// CreateIncident validates and stores a new incident with its services,
// tags and roles, and records the declaration on its timeline. It fills
// inc's ID, version and timestamps.
func (s *Store) CreateIncident(ctx context.Context, inc *model.Incident, author string) error {
	now := s.now()
	if inc.Status == "" {
		inc.Status = model.StatusInvestigating
	}
	// A status given at creation implies its milestones, as a change would.
	target := inc.Status
	inc.Status = model.StatusInvestigating
	status := target
	if _, err := inc.Apply(model.IncidentPatch{Status: &status}, now); err != nil {
		return err
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := checkSeverity(tx, inc.Severity); err != nil {
			return err
		}
		inc.ID, inc.Version = 0, 1
		inc.CreatedAt, inc.UpdatedAt = now, now
		if err := tx.Omit(clause.Associations).Create(inc).Error; err != nil {
			return err
		}
		if err := replaceAssociations(tx, inc, now); err != nil {
			return err
		}
		if err := insertEntries(tx, inc.ID, model.NewIncidentEntries(inc, now, author), now); err != nil {
			return err
		}
		if err := auditAccess(ctx, tx, now, nil, inc); err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditCreate, "incident", inc.ID, &inc.ID, nil, inc)
	})
}

// UpdateIncident applies a patch to an incident. A patch based on a stale
// version fails with a *model.ConflictError carrying the current incident.
func (s *Store) UpdateIncident(ctx context.Context, id int64, p model.IncidentPatch) (*model.Incident, error) {
	now := s.now()
	var out *model.Incident
	err := s.write(ctx, func(tx *gorm.DB) error {
		cur, err := loadIncident(tx, id)
		if err != nil {
			return err
		}
		if p.Version != cur.Version {
			if p.OnlyStatus() && p.Status != nil && *p.Status == cur.Status {
				// Two people pressed the same button: the incident already
				// is where the second one wanted it.
				out = cur
				return nil
			}
			return &model.ConflictError{
				Message: fmt.Sprintf("incident %d was changed by someone else (you sent version %d, it is now at version %d); reload and apply your change again", id, p.Version, cur.Version),
				Current: cur,
			}
		}
		next := *cur
		entries, err := next.Apply(p, now)
		if err != nil {
			return err
		}
		if len(entries) == 0 && next.SameContent(cur) {
			out = cur // nothing changed: no new version, no conflict for others
			return nil
		}
		if p.Severity != nil && next.Severity != cur.Severity {
			if err := checkSeverity(tx, next.Severity); err != nil {
				return err
			}
		}
		next.Version = cur.Version + 1
		next.UpdatedAt = now
		res := tx.Model(&model.Incident{}).Where("id = ? AND version = ?", id, cur.Version).
			Select(incidentColumns).Updates(&next)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return model.ErrConflict
		}
		if err := replaceAssociations(tx, &next, now); err != nil {
			return err
		}
		if err := insertEntries(tx, id, entries, now); err != nil {
			return err
		}
		out = &next
		if err := auditAccess(ctx, tx, now, cur, &next); err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditUpdate, "incident", id, &id, cur, &next)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteIncident removes an incident and everything recorded on it.
func (s *Store) DeleteIncident(ctx context.Context, id int64) error {
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		cur, err := loadIncident(tx, id)
		if err != nil {
			return err
		}
		if err := tx.Delete(&model.Incident{}, id).Error; err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditDelete, "incident", id, &id, cur, nil)
	})
}

// IncidentCount returns how many incidents exist.
func (s *Store) IncidentCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&model.Incident{}).Count(&n).Error
	return n, translate(err)
}

func checkSeverity(tx *gorm.DB, name string) error {
	var sevs []model.Severity
	if err := tx.Order("position").Find(&sevs).Error; err != nil {
		return err
	}
	names := make([]string, len(sevs))
	for i, sv := range sevs {
		if sv.Name == name {
			return nil
		}
		names[i] = sv.Name
	}
	return model.FieldError("severity", fmt.Sprintf("unknown severity %q; use one of %s", name, strings.Join(names, ", ")))
}

// replaceAssociations rewrites services, tags and roles of inc.
func replaceAssociations(tx *gorm.DB, inc *model.Incident, now time.Time) error {
	if err := tx.Exec("DELETE FROM incident_services WHERE incident_id = ?", inc.ID).Error; err != nil {
		return err
	}
	for _, name := range inc.Services {
		row := serviceRow{Name: name, CreatedAt: now}
		// Services are created on first use; an existing one (any case) is reused.
		if err := tx.Where("name = ?", name).Attrs(serviceRow{CreatedAt: now}).FirstOrCreate(&row).Error; err != nil {
			return err
		}
		if err := tx.Exec("INSERT OR IGNORE INTO incident_services (incident_id, service_id) VALUES (?, ?)", inc.ID, row.ID).Error; err != nil {
			return err
		}
	}
	if err := tx.Exec("DELETE FROM incident_tags WHERE incident_id = ?", inc.ID).Error; err != nil {
		return err
	}
	tags := append([]string(nil), inc.Tags...)
	sort.Strings(tags)
	for _, t := range tags {
		if err := tx.Exec("INSERT OR IGNORE INTO incident_tags (incident_id, tag) VALUES (?, ?)", inc.ID, t).Error; err != nil {
			return err
		}
	}
	if err := tx.Exec("DELETE FROM incident_roles WHERE incident_id = ?", inc.ID).Error; err != nil {
		return err
	}
	var rows []roleRow
	add := func(role, name string, pos int) {
		if name != "" {
			rows = append(rows, roleRow{IncidentID: inc.ID, Role: role, Name: name, Position: pos})
		}
	}
	add("commander", inc.Roles.Commander, 0)
	add("comms_lead", inc.Roles.CommsLead, 0)
	add("scribe", inc.Roles.Scribe, 0)
	for i, r := range inc.Roles.Responders {
		add("responder", r, i)
	}
	if len(rows) > 0 {
		if err := tx.Create(&rows).Error; err != nil {
			return err
		}
	}
	if inc.Visibility == "" {
		inc.Visibility = model.VisibilityOrganisation
	}
	if err := replaceMembers(tx, inc); err != nil {
		return err
	}
	// Re-read the canonical spelling of services (an existing one may differ in case).
	list := []model.Incident{*inc}
	if err := loadAssociations(tx, list); err != nil {
		return err
	}
	inc.Services, inc.Tags, inc.Roles, inc.Members = list[0].Services, list[0].Tags, list[0].Roles, list[0].Members
	return nil
}

func insertEntries(tx *gorm.DB, incidentID int64, entries []model.TimelineEntry, now time.Time) error {
	for i := range entries {
		e := &entries[i]
		e.IncidentID, e.Version, e.CreatedAt, e.UpdatedAt = incidentID, 1, now, now
		if err := e.Validate(now); err != nil {
			return err
		}
	}
	if len(entries) == 0 {
		return nil
	}
	renderAll(entries)
	err := tx.Omit("Revisions").Create(&entries).Error
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return model.ErrNotFound
	}
	if err != nil {
		return err
	}
	// Debrief's own entries (declaration, milestones) appear live too.
	actor := model.ActorFrom(tx.Statement.Context).Label
	for i := range entries {
		err := logEvent(tx, now, model.AuditCreate, "timeline_entry", entries[i].ID, incidentID, actor, snapshot(&entries[i]))
		if err != nil {
			return err
		}
	}
	return nil
}
