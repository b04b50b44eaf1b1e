package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/debrief-dev/debrief/internal/model"
)

// MaxBatchEntries bounds how many timeline entries one batch adds (a
// pasted transcript).
const MaxBatchEntries = 20_000

// entryKey is what makes two timeline entries the same message: a chat
// message imported twice (same author, time and text) is added once.
type entryKey struct {
	author string
	at     int64 // Unix milliseconds
	body   string
}

func keyOf(e *model.TimelineEntry) entryKey {
	return entryKey{author: e.Author, at: e.OccurredAt.UnixMilli(), body: e.Body}
}

// AppendTimelineBatch adds entries to an incident's timeline in one
// transaction: all or nothing. Entries already on the timeline (or twice in
// the batch) with the same author, time and text are not added again; their
// indexes in entries come back in dups. The new entries' IDs are filled in.
// A bad entry fails the whole batch with a *model.ValidationError naming
// entries[i].field.
func (s *Store) AppendTimelineBatch(ctx context.Context, incidentID int64, entries []model.TimelineEntry) (created []int64, dups []int, err error) {
	if len(entries) == 0 {
		return nil, nil, model.FieldError("entries", "is empty: nothing to add")
	}
	if len(entries) > MaxBatchEntries {
		return nil, nil, model.FieldError("entries", fmt.Sprintf("has %d entries; at most %d at once", len(entries), MaxBatchEntries))
	}
	now := s.now()
	v := model.NewValidationError()
	lo, hi := entries[0].OccurredAt, entries[0].OccurredAt
	for i := range entries {
		e := &entries[i]
		e.IncidentID, e.ID, e.Version, e.CreatedAt, e.UpdatedAt, e.Revisions = incidentID, 0, 1, now, now, nil
		if err := e.Validate(now); err != nil {
			if ve, ok := err.(*model.ValidationError); ok {
				for f, msg := range ve.Fields {
					v.Add(fmt.Sprintf("entries[%d].%s", i, f), msg)
				}
			} else {
				return nil, nil, err
			}
		}
		lo, hi = minTime(lo, e.OccurredAt), maxTime(hi, e.OccurredAt)
		render(e)
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	err = s.write(ctx, func(tx *gorm.DB) error {
		created, dups = created[:0], dups[:0]
		if _, err := loadIncident(tx, incidentID); err != nil {
			return err
		}
		seen, err := existingKeys(tx, incidentID, lo, hi)
		if err != nil {
			return err
		}
		for i := range entries {
			e := &entries[i]
			k := keyOf(e)
			if seen[k] {
				dups = append(dups, i)
				continue
			}
			seen[k] = true
			if err := tx.Omit("Revisions").Create(e).Error; err != nil {
				return err
			}
			if err := audit(ctx, tx, now, model.AuditCreate, "timeline_entry", e.ID, &incidentID, nil, e); err != nil {
				return err
			}
			created = append(created, e.ID)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return created, dups, nil
}

// existingKeys are the entries an incident's timeline holds between lo and
// hi: the index on (incident_id, occurred_at) bounds the read to that span.
func existingKeys(db *gorm.DB, incidentID int64, lo, hi time.Time) (map[entryKey]bool, error) {
	var existing []model.TimelineEntry
	err := db.Select("author", "occurred_at", "body").
		Where("incident_id = ? AND occurred_at BETWEEN ? AND ?", incidentID, lo, hi).Find(&existing).Error
	if err != nil {
		return nil, err
	}
	seen := make(map[entryKey]bool, len(existing))
	for i := range existing {
		seen[keyOf(&existing[i])] = true
	}
	return seen, nil
}

// DuplicateEntries reports which of entries an incident's timeline already
// holds (same author, time and text), by index: a preview shows them
// before anything is added.
func (s *Store) DuplicateEntries(ctx context.Context, incidentID int64, entries []model.TimelineEntry) ([]int, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	lo, hi := entries[0].OccurredAt, entries[0].OccurredAt
	for i := range entries {
		lo, hi = minTime(lo, entries[i].OccurredAt), maxTime(hi, entries[i].OccurredAt)
	}
	seen, err := existingKeys(s.db.WithContext(ctx), incidentID, lo, hi)
	if err != nil {
		return nil, translate(err)
	}
	var dups []int
	for i := range entries {
		k := keyOf(&entries[i])
		if seen[k] {
			dups = append(dups, i)
		}
		seen[k] = true
	}
	return dups, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// chatChannel is a row of chat_channels.
type chatChannel struct {
	TeamID     string `gorm:"primaryKey"`
	ChannelID  string `gorm:"primaryKey"`
	IncidentID int64
	LinkedAt   time.Time
	LinkedBy   string
}

func (chatChannel) TableName() string { return "chat_channels" }

// LinkChatChannel links a chat channel (a Slack team and channel) to an
// incident, replacing an earlier link of that channel.
func (s *Store) LinkChatChannel(ctx context.Context, team, channel string, incidentID int64, by string) error {
	if team == "" || channel == "" {
		return model.FieldError("channel_id", "is required")
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		if _, err := loadIncident(tx, incidentID); err != nil {
			return err
		}
		row := chatChannel{TeamID: team, ChannelID: channel, IncidentID: incidentID, LinkedAt: s.now(), LinkedBy: by}
		return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
	})
}

// ChatChannelIncident is the incident a chat channel is linked to, or
// model.ErrNotFound.
func (s *Store) ChatChannelIncident(ctx context.Context, team, channel string) (int64, error) {
	var row chatChannel
	err := s.db.WithContext(ctx).Where("team_id = ? AND channel_id = ?", team, channel).Take(&row).Error
	if err != nil {
		return 0, translate(err)
	}
	return row.IncidentID, nil
}

// CreateChatToken stores a generic chat webhook token (its hash) for an
// incident.
func (s *Store) CreateChatToken(ctx context.Context, t *model.ChatToken) error {
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		if _, err := loadIncident(tx, t.IncidentID); err != nil {
			return err
		}
		t.ID, t.CreatedAt, t.RevokedAt = 0, now, nil
		if err := tx.Create(t).Error; err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditCreate, "chat_token", t.ID, nil, nil, t)
	})
}

// ChatTokens lists an incident's chat webhook tokens, newest first.
func (s *Store) ChatTokens(ctx context.Context, incidentID int64) ([]model.ChatToken, error) {
	var out []model.ChatToken
	err := s.db.WithContext(ctx).Where("incident_id = ?", incidentID).Order("id DESC").Limit(100).Find(&out).Error
	return out, translate(err)
}

// RevokeChatToken revokes one of an incident's chat webhook tokens.
func (s *Store) RevokeChatToken(ctx context.Context, incidentID, tokenID int64) error {
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		var t model.ChatToken
		if err := tx.Where("incident_id = ?", incidentID).Take(&t, tokenID).Error; err != nil {
			return err
		}
		if t.RevokedAt != nil {
			return nil
		}
		before := t
		t.RevokedAt = &now
		if err := tx.Model(&t).Update("revoked_at", now).Error; err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditUpdate, "chat_token", t.ID, nil, &before, &t)
	})
}

// ChatTokenByHash is the live (not revoked) chat webhook token with this
// hash, or model.ErrNotFound.
func (s *Store) ChatTokenByHash(ctx context.Context, hash string) (*model.ChatToken, error) {
	var t model.ChatToken
	err := s.db.WithContext(ctx).Where("hash = ? AND revoked_at IS NULL", hash).Take(&t).Error
	if err != nil {
		return nil, translate(err)
	}
	return &t, nil
}
