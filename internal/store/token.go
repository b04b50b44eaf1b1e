package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// CreateToken stores a new API token (its hash) for a user.
func (s *Store) CreateToken(ctx context.Context, t *model.APIToken) error {
	now := s.now()
	if err := t.Validate(now); err != nil {
		return err
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		var u model.User
		if err := tx.First(&u, t.UserID).Error; err != nil {
			return err
		}
		if u.Disabled {
			return model.FieldError("user", "is disabled")
		}
		t.ID, t.CreatedAt, t.LastUsedAt, t.RevokedAt = 0, now, nil, nil
		if err := tx.Omit("User").Create(t).Error; err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditCreate, "api_token", t.ID, nil, nil, t)
	})
}

// TokenByHash returns the live token with that hash and its user; revoked
// and expired tokens and tokens of disabled users are model.ErrNotFound.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*model.APIToken, error) {
	var t model.APIToken
	err := s.db.WithContext(ctx).Preload("User").
		Where("hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", hash, s.now()).First(&t).Error
	if err != nil {
		return nil, translate(err)
	}
	if t.User == nil || t.User.Disabled {
		return nil, model.ErrNotFound
	}
	return &t, nil
}

// tokenTouchEvery limits how often last-used is written (a busy bot must
// not turn every read into a write).
const tokenTouchEvery = time.Minute

// TouchToken records that a token was used, at most once a minute.
func (s *Store) TouchToken(ctx context.Context, t *model.APIToken) error {
	now := s.now()
	if t.LastUsedAt != nil && now.Sub(*t.LastUsedAt) < tokenTouchEvery {
		return nil
	}
	err := s.wdb.WithContext(ctx).Model(&model.APIToken{}).Where("id = ?", t.ID).UpdateColumn("last_used_at", now).Error
	return translate(err)
}

// Tokens returns a user's tokens (userID 0: everyone's), newest first.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]model.APIToken, error) {
	q := s.db.WithContext(ctx).Preload("User").Order("id DESC")
	if userID != 0 {
		q = q.Where("user_id = ?", userID)
	}
	var ts []model.APIToken
	return ts, translate(q.Find(&ts).Error)
}

// RevokeToken revokes a token. With userID != 0 only that user's token can
// be revoked (others are model.ErrNotFound).
func (s *Store) RevokeToken(ctx context.Context, id, userID int64) error {
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		var t model.APIToken
		q := tx.Where("id = ?", id)
		if userID != 0 {
			q = q.Where("user_id = ?", userID)
		}
		if err := q.First(&t).Error; err != nil {
			return err
		}
		if t.RevokedAt != nil {
			return nil
		}
		before := t
		t.RevokedAt = &now
		if err := tx.Model(&model.APIToken{}).Where("id = ?", id).UpdateColumn("revoked_at", now).Error; err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditUpdate, "api_token", id, nil, &before, &t)
	})
}
