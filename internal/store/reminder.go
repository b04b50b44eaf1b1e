package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// MaxReminderRows bounds each read of the daily digest (action items due
// within a week, overdue postmortems): a digest names the most urgent
// first and stops there.
const MaxReminderRows = 5000

// ReminderItem is an action item in a digest.
type ReminderItem struct {
	ActionID      int64
	IncidentID    int64
	IncidentTitle string
	Title         string
	Owner         string
	Due           model.Date
	Private       bool
}

// ReminderItems returns the active action items with an owner due before
// until (overdue ones included), soonest (then most urgent) first, at most
// MaxReminderRows.
// It reads action_items_active_list in order.
func (s *Store) ReminderItems(ctx context.Context, until model.Date) ([]ReminderItem, error) {
	var rows []ReminderItem
	err := s.db.WithContext(ctx).Raw(`SELECT action_items.id AS action_id, action_items.incident_id, i.title AS incident_title,
			action_items.title, action_items.owner, action_items.due_date AS due, i.visibility = 'private' AS private
		FROM action_items JOIN incidents i ON i.id = action_items.incident_id
		WHERE `+actionActiveSQL+` AND action_items.due_date < @until AND action_items.owner <> ''
		ORDER BY `+actionOrder+` LIMIT @limit`,
		sql.Named("until", until), sql.Named("limit", MaxReminderRows)).Scan(&rows).Error
	return rows, translate(err)
}

// OverduePostmortem is an unpublished postmortem past its due time, with
// the people who owe it: its facilitator and authors, else the incident's
// commanders.
type OverduePostmortem struct {
	IncidentID int64
	Title      string
	ResolvedAt time.Time
	Private    bool
	Owners     []string `gorm:"-"`
}

// OverduePostmortems returns the incidents resolved between since and
// before (now minus the due time) whose postmortem has no published
// revision, most recently resolved first, at most MaxReminderRows. It
// reads incidents_resolved_at over that window only (the unary + keeps
// SQLite from reading every resolved incident by incidents_status instead).
func (s *Store) OverduePostmortems(ctx context.Context, since, before time.Time) ([]OverduePostmortem, error) {
	db := s.db.WithContext(ctx)
	var rows []OverduePostmortem
	err := db.Raw(`SELECT i.id AS incident_id, i.title, i.resolved_at, i.visibility = 'private' AS private
		FROM incidents i
		WHERE i.resolved_at >= @since AND i.resolved_at < @before AND +i.status = 'resolved'
		  AND NOT EXISTS (SELECT 1 FROM postmortem_revisions r WHERE r.incident_id = i.id)
		ORDER BY i.resolved_at DESC LIMIT @limit`,
		sql.Named("since", since), sql.Named("before", before), sql.Named("limit", MaxReminderRows)).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return rows, translate(err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.IncidentID
	}
	var people []struct {
		IncidentID int64
		Name       string
		Kind       string
	}
	err = db.Raw(`SELECT incident_id, facilitator AS name, 'owner' AS kind FROM postmortems WHERE incident_id IN @ids AND facilitator <> ''
		UNION ALL SELECT incident_id, name, 'owner' FROM postmortem_people WHERE incident_id IN @ids AND role = 'author'
		UNION ALL SELECT incident_id, name, 'commander' FROM incident_roles WHERE incident_id IN @ids AND role = 'commander'`,
		sql.Named("ids", ids)).Scan(&people).Error
	if err != nil {
		return nil, translate(err)
	}
	owners, commanders := map[int64][]string{}, map[int64][]string{}
	for _, p := range people {
		if p.Kind == "owner" {
			owners[p.IncidentID] = appendFold(owners[p.IncidentID], p.Name)
		} else {
			commanders[p.IncidentID] = appendFold(commanders[p.IncidentID], p.Name)
		}
	}
	for i := range rows {
		rows[i].Owners = owners[rows[i].IncidentID]
		if len(rows[i].Owners) == 0 {
			rows[i].Owners = commanders[rows[i].IncidentID]
		}
	}
	return rows, nil
}

// appendFold appends name unless it is there already (ignoring case).
func appendFold(names []string, name string) []string {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return names
		}
	}
	return append(names, name)
}

// ReminderUsers returns the enabled accounts whose name or email is one of
// names (ignoring case), keyed by the lower-cased name asked for. A name
// two accounts share goes to neither: a reminder must not reach the wrong
// person.
func (s *Store) ReminderUsers(ctx context.Context, names []string) (map[string]*model.User, error) {
	out := map[string]*model.User{}
	for start := 0; start < len(names); start += 500 {
		chunk := names[start:min(start+500, len(names))]
		lower := make([]string, len(chunk))
		for i, n := range chunk {
			lower[i] = strings.ToLower(n)
		}
		var us []model.User
		err := s.db.WithContext(ctx).Where("disabled = 0 AND (lower(name) IN ? OR email IN ?)", lower, lower).Find(&us).Error
		if err != nil {
			return nil, translate(err)
		}
		taken := map[string]int{}
		for i := range us {
			for _, k := range []string{strings.ToLower(us[i].Name), us[i].Email} {
				taken[k]++
				out[k] = &us[i]
			}
		}
		for k, n := range taken {
			if n > 1 {
				delete(out, k)
			}
		}
	}
	return out, nil
}

// SetReminderPrefs saves a user's own reminder settings.
func (s *Store) SetReminderPrefs(ctx context.Context, userID int64, off bool, quietFrom, quietTo *int) error {
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		var before model.User
		if err := tx.First(&before, userID).Error; err != nil {
			return err
		}
		after := before
		after.RemindersOff, after.QuietFrom, after.QuietTo = off, quietFrom, quietTo
		err := tx.Model(&model.User{}).Where("id = ?", userID).
			Updates(map[string]any{"reminders_off": off, "quiet_from": quietFrom, "quiet_to": quietTo}).Error
		if err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditUpdate, "user", userID, nil,
			map[string]any{"reminders_off": before.RemindersOff, "quiet_from": before.QuietFrom, "quiet_to": before.QuietTo},
			map[string]any{"reminders_off": off, "quiet_from": quietFrom, "quiet_to": quietTo})
	})
}

// Digest is one owner's digest of one UTC day.
type Digest struct {
	Owner   string
	Day     model.Date
	UserID  *int64
	Email   string // "" when no email is to be sent
	Subject string
	Body    string
	// Events are the webhook events the digest sends (type → data).
	Events []DigestEvent
}

// DigestEvent is a webhook event of a digest.
type DigestEvent struct {
	Type string
	Data any
}

// RecordDigest records that d is sent and queues its webhook events, in one
// transaction. It reports false, and queues nothing, when the owner's
// digest of that day was recorded before (a restart sends nothing twice).
func (s *Store) RecordDigest(ctx context.Context, d Digest) (bool, error) {
	now := s.now()
	recorded := false
	err := s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO reminder_digests
			(owner, day, user_id, email, subject, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (owner, day) DO NOTHING`, d.Owner, d.Day, d.UserID, d.Email, d.Subject, d.Body, now)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		recorded = true
		for _, e := range d.Events {
			if err := enqueue(ctx, tx, now, e.Type, nil, e.Data); err != nil {
				return err
			}
		}
		return nil
	})
	return recorded, err
}

// PendingEmail is a digest whose email is not sent yet.
type PendingEmail struct {
	Owner, Email, Subject, Body string
	Day                         model.Date
}

// PendingEmails returns the digests of day whose email is not sent yet.
func (s *Store) PendingEmails(ctx context.Context, day model.Date) ([]PendingEmail, error) {
	var rows []PendingEmail
	err := s.db.WithContext(ctx).Raw(`SELECT owner, email, subject, body, day FROM reminder_digests
		WHERE day = ? AND emailed_at IS NULL AND email <> '' ORDER BY owner LIMIT ?`, day, MaxReminderRows).Scan(&rows).Error
	return rows, translate(err)
}

// MarkEmailed records that the email of owner's digest of day was sent.
func (s *Store) MarkEmailed(ctx context.Context, owner string, day model.Date) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE reminder_digests SET emailed_at = ? WHERE owner = ? AND day = ?`, s.now(), owner, day).Error
	})
}
