package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/review"
)

// ReviewInput loads what the review of period p needs, in seven queries
// whatever the number of incidents: the severity scale; every incident
// that started before the end of p and that started, was resolved or was
// open in the report's window (see review.Window), or whose postmortem is
// still outstanding, in review or was published in the window; their
// services, factor categories and published revisions; the action items
// open at some point in the window; and each service's last incident start
// before the window.
func (s *Store) ReviewInput(ctx context.Context, p review.Period) (*review.Input, error) {
	db := s.db.WithContext(ctx)
	from, to := review.Window(p)
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
		Postmortem     string
	}
	err := db.Raw(`SELECT i.id, i.title, i.severity, i.status, i.started_at, i.detected_at, i.acknowledged_at,
			i.mitigated_at, i.resolved_at, i.created_at, COALESCE(p.status, '') AS postmortem
		FROM incidents i LEFT JOIN postmortems p ON p.incident_id = i.id
		WHERE COALESCE(i.started_at, i.created_at) < @to
		  AND (COALESCE(i.started_at, i.created_at) >= @from
		    OR i.resolved_at IS NULL OR i.resolved_at >= @from
		    OR p.status = 'in_review'
		    OR NOT EXISTS (SELECT 1 FROM postmortem_revisions r WHERE r.incident_id = i.id AND r.published_at < @to)
		    OR EXISTS (SELECT 1 FROM postmortem_revisions r WHERE r.incident_id = i.id AND r.published_at >= @from))
		ORDER BY i.id`, map[string]any{"from": from, "to": to}).Scan(&incs).Error
	if err != nil {
		return nil, translate(err)
	}
	ids := make([]int64, len(incs))
	byID := make(map[int64]*review.Incident, len(incs))
	in.Incidents = make([]review.Incident, len(incs))
	for i, r := range incs {
		ids[i] = r.ID
		in.Incidents[i] = review.Incident{ID: r.ID, Title: r.Title, Severity: r.Severity, Status: model.Status(r.Status),
			StartedAt: r.StartedAt, DetectedAt: r.DetectedAt, AcknowledgedAt: r.AcknowledgedAt, MitigatedAt: r.MitigatedAt,
			ResolvedAt: r.ResolvedAt, CreatedAt: r.CreatedAt, Postmortem: model.PostmortemStatus(r.Postmortem)}
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
		var revs []struct {
			IncidentID  int64
			PublishedAt time.Time
		}
		if err := db.Raw(`SELECT incident_id, published_at FROM postmortem_revisions WHERE incident_id IN ? ORDER BY incident_id, number`, ids).Scan(&revs).Error; err != nil {
			return nil, translate(err)
		}
		for _, r := range revs {
			byID[r.IncidentID].Published = append(byID[r.IncidentID].Published, r.PublishedAt.UTC())
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
		WHERE a.created_at < @to AND (a.closed_at IS NULL OR a.closed_at >= @from OR a.created_at >= @from)
		ORDER BY a.id`, map[string]any{"from": from, "to": to}).Scan(&acts).Error
	if err != nil {
		return nil, translate(err)
	}
	in.Actions = make([]review.Action, len(acts))
	for i, a := range acts {
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
	return in, nil
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
