package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/review"
)

// ReviewInput loads what the review of q.Period needs, in a bounded number
// of queries whatever the size of the archive: the severity scale; every
// incident that started, was resolved or was open in the report's window
// (see review.Window), with its services and factor categories; the action
// items created or closed in the window; each service's last incident start
// before the window; and the late lists (reviewLists), each its first
// q.Limit items and its counts.
func (s *Store) ReviewInput(ctx context.Context, q review.Query) (*review.Input, error) {
	db := s.db.WithContext(ctx)
	from, to := review.Window(q.Period)
	in := &review.Input{PriorStarts: map[string]time.Time{}}
	if err := db.Order("position").Find(&in.Severities).Error; err != nil {
		return nil, translate(err)
	}

	var incs []struct {
		ID             int64
		Title          string
		Severity       string
		Status         string
		StartedAt      *time.Time
		DetectedAt     *time.Time
		AcknowledgedAt *time.Time
		MitigatedAt    *time.Time
		ResolvedAt     *time.Time
		CreatedAt      time.Time
	}
	err := db.Raw(`SELECT i.id, i.title, i.severity, i.status, i.started_at, i.detected_at, i.acknowledged_at,
			i.mitigated_at, i.resolved_at, i.created_at
		FROM incidents i
		WHERE COALESCE(i.started_at, i.created_at) < @to
		  AND i.id IN (SELECT id FROM incidents WHERE started_at >= @from AND started_at < @to
		    UNION ALL SELECT id FROM incidents WHERE started_at IS NULL AND created_at >= @from AND created_at < @to
		    UNION ALL SELECT id FROM incidents WHERE resolved_at IS NULL
		    UNION ALL SELECT id FROM incidents WHERE resolved_at >= @from)
		ORDER BY i.id`, map[string]any{"from": from, "to": to}).Scan(&incs).Error
	if err != nil {
		return nil, translate(err)
	}
	hidden, err := hiddenSet(ctx, s.db, q.Viewer)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(incs))
	byID := make(map[int64]*review.Incident, len(incs))
	in.Incidents = make([]review.Incident, len(incs))
	for i, r := range incs {
		ids[i] = r.ID
		in.Incidents[i] = review.Incident{ID: r.ID, Title: r.Title, Severity: r.Severity, Status: model.Status(r.Status),
			StartedAt: r.StartedAt, DetectedAt: r.DetectedAt, AcknowledgedAt: r.AcknowledgedAt, MitigatedAt: r.MitigatedAt,
			ResolvedAt: r.ResolvedAt, CreatedAt: r.CreatedAt, Hidden: hidden[r.ID]}
		if hidden[r.ID] {
			in.Incidents[i].Title = "" // numbers only
		}
		byID[r.ID] = &in.Incidents[i]
	}
	if len(ids) > 0 {
		var svcs []struct {
			IncidentID int64
			Name       string
		}
		err := db.Raw(`SELECT x.incident_id, s.name FROM incident_services x JOIN services s ON s.id = x.service_id
			WHERE x.incident_id IN ? ORDER BY s.name COLLATE NOCASE`, ids).Scan(&svcs).Error
		if err != nil {
			return nil, translate(err)
		}
		for _, r := range svcs {
			byID[r.IncidentID].Services = append(byID[r.IncidentID].Services, r.Name)
		}
		var cats []struct {
			IncidentID int64
			Category   string
		}
		if err := db.Raw(`SELECT incident_id, category FROM contributing_factors WHERE incident_id IN ? ORDER BY incident_id, position`, ids).Scan(&cats).Error; err != nil {
			return nil, translate(err)
		}
		for _, r := range cats {
			byID[r.IncidentID].Categories = append(byID[r.IncidentID].Categories, r.Category)
		}
	}

	var acts []struct {
		ID            int64
		IncidentID    int64
		IncidentTitle string
		Title         string
		Owner         string
		DueDate       model.Date
		Status        string
		Priority      string
		Rationale     string
		ClosedAt      *time.Time
		CreatedAt     time.Time
	}
	err = db.Raw(`SELECT a.id, a.incident_id, i.title AS incident_title, a.title, a.owner, a.due_date, a.status,
			a.priority, a.rationale, a.closed_at, a.created_at
		FROM action_items a JOIN incidents i ON i.id = a.incident_id
		WHERE a.created_at < @to AND (a.created_at >= @from OR a.closed_at >= @from)
		ORDER BY a.id`, map[string]any{"from": from, "to": to}).Scan(&acts).Error
	if err != nil {
		return nil, translate(err)
	}
	in.Actions = make([]review.Action, len(acts))
	for i, a := range acts {
		if hidden[a.IncidentID] {
			a.IncidentTitle, a.Title = "", "" // counted in the charts only
		}
		in.Actions[i] = review.Action{ID: a.ID, IncidentID: a.IncidentID, IncidentTitle: a.IncidentTitle, Title: a.Title,
			Owner: a.Owner, Due: a.DueDate, Status: model.ActionStatus(a.Status), Priority: model.Priority(a.Priority),
			Rationale: a.Rationale, ClosedAt: a.ClosedAt, CreatedAt: a.CreatedAt}
	}

	// MAX over an expression loses the column type, so the start comes back
	// as the text SQLite stored.
	var prior []struct {
		Name  string
		Start string
	}
	err = db.Raw(`SELECT s.name, MAX(COALESCE(i.started_at, i.created_at)) AS start
		FROM incident_services x JOIN services s ON s.id = x.service_id JOIN incidents i ON i.id = x.incident_id
		WHERE COALESCE(i.started_at, i.created_at) < ? GROUP BY s.id`, from).Scan(&prior).Error
	if err != nil {
		return nil, translate(err)
	}
	for _, r := range prior {
		t, err := parseStoredTime(r.Start)
		if err != nil {
			return nil, fmt.Errorf("last incident start of service %q: %w", r.Name, err)
		}
		in.PriorStarts[r.Name] = t
	}
	if in.Lists, err = reviewLists(db, q); err != nil {
		return nil, err
	}
	in.Changes = map[review.Period]review.ChangeCounts{}
	for _, p := range []review.Period{q.Period, q.Period.Previous()} {
		cc, err := changeCounts(db, p.Start(), p.End())
		if err != nil {
			return nil, err
		}
		in.Changes[p] = cc
	}
	return in, nil
}

// changeCounts counts, per service, the changes to production that began
// in [from, to) and those of them linked to an incident as its cause: one
// range of the started_at index, grouped.
func changeCounts(db *gorm.DB, from, to time.Time) (review.ChangeCounts, error) {
	var rows []struct {
		Service string
		Total   int
		Caused  int
	}
	err := db.Raw(`SELECT s.name AS service, COUNT(*) AS total,
			SUM(EXISTS (SELECT 1 FROM incident_changes x WHERE x.change_id = c.id AND x.relation = 'caused')) AS caused
		FROM changes c JOIN services s ON s.id = c.service_id
		WHERE c.started_at >= ? AND c.started_at < ? AND c.environment IN ('production', 'prod', 'live')
		GROUP BY s.id ORDER BY total DESC, s.name COLLATE NOCASE`, from, to).Scan(&rows).Error
	if err != nil {
		return review.ChangeCounts{}, translate(err)
	}
	cc := review.ChangeCounts{Services: make([]review.ServiceChanges, len(rows))}
	for i, r := range rows {
		cc.Services[i] = review.ServiceChanges{Service: r.Service, Total: r.Total, Caused: r.Caused}
	}
	return cc, nil
}

// storedTimeLayouts are the ways the SQLite driver writes a time.
var storedTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	time.RFC3339Nano,
}

func parseStoredTime(s string) (time.Time, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "Z")
	for _, l := range storedTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read the time %q", s)
}

type minutesRow struct {
	Week      string
	Attendees string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string
}

func (minutesRow) TableName() string { return "review_minutes" }

type noteRow struct {
	Week    string
	Section string
	Body    string
}

func (noteRow) TableName() string { return "review_notes" }

// Minutes returns the minutes of an ISO week ("2026-W47"); minutes nobody
// has saved come back empty, at version 0.
func (s *Store) Minutes(ctx context.Context, week string) (*review.Minutes, error) {
	return loadMinutes(s.db.WithContext(ctx), week)
}

func loadMinutes(db *gorm.DB, week string) (*review.Minutes, error) {
	m := &review.Minutes{Week: week, Attendees: []string{}, Notes: map[string]string{}}
	var rows []minutesRow
	if err := db.Where("week = ?", week).Limit(1).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return m, nil
	}
	r := rows[0]
	m.Version, m.UpdatedBy = r.Version, r.UpdatedBy
	at := r.UpdatedAt.UTC()
	m.UpdatedAt = &at
	if r.Attendees != "" {
		m.Attendees = strings.Split(r.Attendees, "\n")
	}
	var notes []noteRow
	if err := db.Where("week = ?", week).Find(&notes).Error; err != nil {
		return nil, translate(err)
	}
	for _, n := range notes {
		m.Notes[n.Section] = n.Body
	}
	return m, nil
}

// SaveMinutes validates and stores the minutes of m.Week, replacing the
// attendees and every section's notes. m.Version is the version the edit
// was based on (0 for minutes not saved before); a stale one fails with a
// *model.ConflictError carrying the minutes as they are. A save that
// changes nothing keeps the version. The change and its audit-log row
// commit together.
func (s *Store) SaveMinutes(ctx context.Context, m *review.Minutes) (*review.Minutes, error) {
	if err := m.Normalize(); err != nil {
		return nil, err
	}
	if len(strings.Join(m.Attendees, "\n")) > review.MaxAttendeesLen {
		return nil, model.FieldError("attendees", "the list is too long")
	}
	now := s.now()
	by := model.ActorFrom(ctx).Label
	var out *review.Minutes
	err := s.write(ctx, func(tx *gorm.DB) error {
		cur, err := loadMinutes(tx, m.Week)
		if err != nil {
			return err
		}
		if m.Version != cur.Version {
			return staleVersion("the minutes of "+m.Week, m.Version, cur.Version, cur)
		}
		if cur.Version > 0 && m.SameContent(cur) {
			out = cur
			return nil
		}
		row := minutesRow{Week: m.Week, Attendees: strings.Join(m.Attendees, "\n"), Version: cur.Version + 1,
			CreatedAt: now, UpdatedAt: now, UpdatedBy: by}
		action := model.AuditUpdate
		if cur.Version == 0 {
			action = model.AuditCreate
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		} else {
			res := tx.Model(&minutesRow{}).Where("week = ? AND version = ?", m.Week, cur.Version).
				Updates(map[string]any{"attendees": row.Attendees, "version": row.Version, "updated_at": now, "updated_by": by})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return model.ErrConflict
			}
			if err := tx.Where("week = ?", m.Week).Delete(&noteRow{}).Error; err != nil {
				return err
			}
		}
		for _, key := range review.SectionKeys() {
			if body := m.Notes[key]; body != "" {
				if err := tx.Create(&noteRow{Week: m.Week, Section: key, Body: body}).Error; err != nil {
					return err
				}
			}
		}
		next := &review.Minutes{Week: m.Week, Attendees: m.Attendees, Notes: m.Notes, Version: row.Version, UpdatedAt: &now, UpdatedBy: by}
		var before any
		if cur.Version > 0 {
			before = cur
		}
		out = next
		return audit(ctx, tx, now, action, "review_minutes", review.WeekNumber(m.Week), nil, before, next)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Statuses of an action item that is still to do, and of a closed one.
var (
	actionsActive = []string{string(model.ActionOpen), string(model.ActionInProgress)}
	actionsClosed = []string{string(model.ActionDone), string(model.ActionWontDo)}
)

// reviewLists loads the late lists of the review of q, each with a LIMIT
// and a COUNT, so that the cost and the size of the answer do not grow with
// the archive. Each condition is written so an index answers it:
// incidents_resolved_at for the postmortems, action_items_due (status,
// due_date), action_items_closed_at and action_items_owner for the action
// items (see TestReviewListsUseIndexes).
func reviewLists(db *gorm.DB, q review.Query) (review.Lists, error) {
	var out review.Lists
	limit := q.Limit
	if limit <= 0 {
		limit = review.ListLimit
	}
	args := map[string]any{
		"asof": q.AsOf, "limit": limit,
		"from": q.Period.Start(), "to": q.Period.End(),
		"overdue": q.PostmortemsOverdueBefore(), "pm_stale": q.PostmortemsStaleBefore(), "pm_soon": q.PostmortemsSoonBefore(),
		"today": q.Today().String(), "soon": q.ActionsSoonBefore().String(), "stale": q.ActionsStaleBefore().String(),
		"active": actionsActive, "closed": actionsClosed, "placeholders": review.Placeholders(),
		"in_review": string(model.PostmortemInReview), "viewer": q.Viewer.UserID,
	}
	// visible keeps the rows of the incidents the reader may see: the
	// lists leave out the others, their counts too.
	visible := func(col string) string {
		if h := hiddenIncidents(q.Viewer); h != "" {
			return ` AND ` + col + ` NOT IN (` + h + `)`
		}
		return ""
	}

	// A postmortem is outstanding at AsOf while no revision was published
	// before it. When AsOf is now, any revision will do, which the unique
	// index (incident_id, number) answers without reading the revision.
	published := `EXISTS (SELECT 1 FROM postmortem_revisions r WHERE r.incident_id = i.id AND r.published_at < @asof)`
	if q.AsOfIsNow() {
		published = `EXISTS (SELECT 1 FROM postmortem_revisions r WHERE r.incident_id = i.id)`
	}
	outstanding := `i.resolved_at < @asof AND NOT ` + published + visible("i.id")
	const pmCols = `SELECT i.id AS incident_id, i.title, i.severity, COALESCE(p.status, '') AS status, i.resolved_at
		FROM incidents i LEFT JOIN postmortems p ON p.incident_id = i.id`
	pm := func(dst *review.List[review.PostmortemRef], where, order string) error {
		return reviewList(db, dst, pmCols+` WHERE `+where+` ORDER BY `+order+` LIMIT @limit`, args)
	}
	count := func(dst *int, sql string) error {
		return translate(db.Raw(sql, args).Scan(dst).Error)
	}

	// Overdue: the oldest first, the stale ones counted only.
	if err := pm(&out.PostmortemsOverdue, `i.resolved_at >= @pm_stale AND i.resolved_at < @overdue AND `+outstanding, `i.resolved_at, i.id`); err != nil {
		return out, err
	}
	if err := count(&out.PostmortemsOverdue.Total, `SELECT COUNT(*) FROM incidents i WHERE i.resolved_at < @overdue AND `+outstanding); err != nil {
		return out, err
	}
	if err := count(&out.PostmortemsOverdue.Stale.Count, `SELECT COUNT(*) FROM incidents i WHERE i.resolved_at < @pm_stale AND `+outstanding); err != nil {
		return out, err
	}
	// Due soon: the soonest first.
	soon := `i.resolved_at >= @overdue AND i.resolved_at < @pm_soon AND ` + outstanding
	if err := pm(&out.PostmortemsDueSoon, soon, `i.resolved_at, i.id`); err != nil {
		return out, err
	}
	if err := count(&out.PostmortemsDueSoon.Total, `SELECT COUNT(*) FROM incidents i WHERE `+soon); err != nil {
		return out, err
	}
	// In review now, by incident.
	if err := pm(&out.PostmortemsInReview, `p.status = @in_review`+visible("p.incident_id"), `p.incident_id`); err != nil {
		return out, err
	}
	if err := count(&out.PostmortemsInReview.Total, `SELECT COUNT(*) FROM postmortems WHERE status = @in_review`+visible("incident_id")); err != nil {
		return out, err
	}
	// Published in the period: the latest revision of the period of each
	// incident, in order of publication.
	err := reviewList(db, &out.PostmortemsPublished, `SELECT i.id AS incident_id, i.title, i.severity,
			COALESCE(p.status, '') AS status, i.resolved_at, r.number AS revision, r.published_at
		FROM postmortem_revisions r JOIN incidents i ON i.id = r.incident_id LEFT JOIN postmortems p ON p.incident_id = i.id
		WHERE r.published_at >= @from AND r.published_at < @to
		  AND NOT EXISTS (SELECT 1 FROM postmortem_revisions l WHERE l.incident_id = r.incident_id AND l.number > r.number
		    AND l.published_at >= @from AND l.published_at < @to)`+visible("r.incident_id")+`
		ORDER BY r.published_at, i.id LIMIT @limit`, args)
	if err != nil {
		return out, err
	}
	if err := count(&out.PostmortemsPublished.Total, `SELECT COUNT(DISTINCT incident_id) FROM postmortem_revisions
		WHERE published_at >= @from AND published_at < @to`+visible("incident_id")); err != nil {
		return out, err
	}

	// An action item is open at AsOf if it was created before and is still
	// to do, or was closed only since. The two halves use different
	// indexes: (status, due_date) and closed_at.
	openAt := func(cond string) string {
		cond += visible("a.incident_id")
		return `(a.status IN @active AND (a.closed_at IS NULL OR a.closed_at >= @asof) AND a.created_at < @asof AND ` + cond + `)
		  OR (a.status IN @closed AND a.closed_at >= @asof AND a.created_at < @asof AND ` + cond + `)`
	}
	const actCols = `SELECT a.id, a.incident_id, i.title AS incident_title, a.title, a.owner, a.due_date AS due, a.status,
			a.priority, a.rationale, a.closed_at
		FROM action_items a JOIN incidents i ON i.id = a.incident_id`
	act := func(dst *review.List[review.ActionRef], where, order string) error {
		return reviewList(db, dst, actCols+` WHERE `+where+` ORDER BY `+order+` LIMIT @limit`, args)
	}
	overdue := openAt(`a.due_date < @today`)
	if err := act(&out.ActionsOverdue, openAt(`a.due_date >= @stale AND a.due_date < @today`), `a.due_date, a.id`); err != nil {
		return out, err
	}
	if err := count(&out.ActionsOverdue.Total, `SELECT COUNT(*) FROM action_items a WHERE `+overdue); err != nil {
		return out, err
	}
	if err := count(&out.ActionsOverdue.Stale.Count, `SELECT COUNT(*) FROM action_items a WHERE `+openAt(`a.due_date < @stale`)); err != nil {
		return out, err
	}
	if owners := ownersOf(out.ActionsOverdue.Items); len(owners) > 0 {
		var rows []struct {
			Owner string
			N     int
		}
		args["owners"] = owners
		err := db.Raw(`SELECT a.owner, COUNT(*) AS n FROM action_items a
			WHERE a.owner COLLATE NOCASE IN @owners AND (`+overdue+`) GROUP BY a.owner COLLATE NOCASE`, args).Scan(&rows).Error
		if err != nil {
			return out, translate(err)
		}
		out.OwnersOverdue = make(map[string]int, len(rows))
		for _, r := range rows {
			out.OwnersOverdue[strings.ToLower(r.Owner)] += r.N
		}
	}
	dueSoon := openAt(`a.due_date >= @today AND a.due_date < @soon`)
	if err := act(&out.ActionsDueSoon, dueSoon, `a.due_date, a.id`); err != nil {
		return out, err
	}
	if err := count(&out.ActionsDueSoon.Total, `SELECT COUNT(*) FROM action_items a WHERE `+dueSoon); err != nil {
		return out, err
	}
	for st, dst := range map[model.ActionStatus]*review.List[review.ActionRef]{model.ActionDone: &out.ActionsDone, model.ActionWontDo: &out.ActionsWontDo} {
		args["status"] = string(st)
		// The unary + keeps SQLite on the index of closed_at: the period
		// is a short range of it, while a status holds half the archive.
		closed := `a.closed_at >= @from AND a.closed_at < @to AND +a.status = @status` + visible("a.incident_id")
		if err := act(dst, closed, `a.closed_at, a.id`); err != nil {
			return out, err
		}
		if err := count(&dst.Total, `SELECT COUNT(*) FROM action_items a WHERE `+closed); err != nil {
			return out, err
		}
	}
	// Without an owner: the owner's index finds the few placeholders (the
	// unary + keeps SQLite off the status index, which holds every open item).
	noOwner := `a.owner COLLATE NOCASE IN @placeholders AND a.created_at < @asof
		AND ((+a.status IN @active AND (a.closed_at IS NULL OR a.closed_at >= @asof)) OR (+a.status IN @closed AND a.closed_at >= @asof))` +
		visible("a.incident_id")
	if err := act(&out.ActionsNoOwner, noOwner, `a.due_date, a.id`); err != nil {
		return out, err
	}
	if err := count(&out.ActionsNoOwner.Total, `SELECT COUNT(*) FROM action_items a WHERE `+noOwner); err != nil {
		return out, err
	}
	return out, nil
}

// reviewList runs a list's query into dst.Items.
func reviewList[T any](db *gorm.DB, dst *review.List[T], sql string, args map[string]any) error {
	dst.Items = []T{}
	return translate(db.Raw(sql, args).Scan(&dst.Items).Error)
}

// ownersOf is the owners of items, each once in any case.
func ownersOf(items []review.ActionRef) []string {
	var out []string
	for _, a := range items {
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, a.Owner) }) {
			out = append(out, a.Owner)
		}
	}
	return out
}
