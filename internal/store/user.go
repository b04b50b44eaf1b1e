package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// UserCount returns how many users exist (none: the first admin is still
// to be created through the setup link).
func (s *Store) UserCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&model.User{}).Count(&n).Error
	return n, translate(err)
}

// User returns one user.
func (s *Store) User(ctx context.Context, id int64) (*model.User, error) {
	var u model.User
	if err := s.db.WithContext(ctx).First(&u, id).Error; err != nil {
		return nil, translate(err)
	}
	return &u, nil
}

// UserByEmail returns the user with that email (case-insensitive).
func (s *Store) UserByEmail(ctx context.Context, email string) (*model.User, error) {
	var u model.User
	if err := s.db.WithContext(ctx).Where("email = ?", email).First(&u).Error; err != nil {
		return nil, translate(err)
	}
	return &u, nil
}

// Users returns every user, by name.
func (s *Store) Users(ctx context.Context) ([]model.User, error) {
	var us []model.User
	err := s.db.WithContext(ctx).Order("name COLLATE NOCASE, id").Find(&us).Error
	return us, translate(err)
}

// CreateUser validates and stores a user; PasswordHash must already be set
// (or empty for proxy-only accounts). A taken email is a 422 on email.
func (s *Store) CreateUser(ctx context.Context, u *model.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		return createUser(ctx, tx, u, now)
	})
}

func createUser(ctx context.Context, tx *gorm.DB, u *model.User, now time.Time) error {
	u.ID, u.Version, u.CreatedAt, u.UpdatedAt, u.SessionEpoch = 0, 1, now, now, 1
	if err := tx.Create(u).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return model.FieldError("email", "is already used by another account")
		}
		return err
	}
	return audit(ctx, tx, now, model.AuditCreate, "user", u.ID, nil, nil, u)
}

// CreateFirstAdmin creates u only while no user exists, atomically, so two
// people racing through the setup link cannot both become admin.
func (s *Store) CreateFirstAdmin(ctx context.Context, u *model.User) error {
	u.Role = model.RoleAdmin
	if err := u.Validate(); err != nil {
		return err
	}
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&model.User{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return &model.ConflictError{Message: "an account already exists; the setup link works only before the first one"}
		}
		return createUser(ctx, tx, u, now)
	})
}

// UserPatch changes a user; nil fields stay. Version is the version read.
type UserPatch struct {
	Name         *string
	Role         *model.Role
	Disabled     *bool
	PasswordHash *string
	Version      int
	// RevokeTokens revokes the user's API tokens with the change (an
	// admin's password reset: whoever knew the old password may have made
	// tokens).
	RevokeTokens bool
}

// UpdateUser applies p. Demoting or disabling the last active admin is
// refused, so an installation cannot lock itself out.
func (s *Store) UpdateUser(ctx context.Context, id int64, p UserPatch) (*model.User, error) {
	now := s.now()
	var out *model.User
	err := s.write(ctx, func(tx *gorm.DB) error {
		var cur model.User
		if err := tx.First(&cur, id).Error; err != nil {
			return err
		}
		if p.Version != cur.Version {
			return &model.ConflictError{Message: fmt.Sprintf("user %d was changed by someone else (you sent version %d, it is at %d)", id, p.Version, cur.Version), Current: &cur}
		}
		next := cur
		if p.Name != nil {
			next.Name = *p.Name
		}
		if p.Role != nil {
			next.Role = *p.Role
		}
		if p.Disabled != nil {
			next.Disabled = *p.Disabled
		}
		if p.PasswordHash != nil {
			next.PasswordHash = *p.PasswordHash
		}
		if err := next.Validate(); err != nil {
			return err
		}
		if cur.Role == model.RoleAdmin && !cur.Disabled && (next.Role != model.RoleAdmin || next.Disabled) {
			var admins int64
			if err := tx.Model(&model.User{}).Where("role = ? AND disabled = 0", model.RoleAdmin).Count(&admins).Error; err != nil {
				return err
			}
			if admins <= 1 {
				return model.FieldError("role", "this is the last active admin; make someone else admin first")
			}
		}
		next.Version, next.UpdatedAt = cur.Version+1, now
		if p.PasswordHash != nil || (next.Disabled && !cur.Disabled) {
			next.SessionEpoch = cur.SessionEpoch + 1 // every session of the user ends
		}
		res := tx.Model(&model.User{}).Where("id = ? AND version = ?", id, cur.Version).
			Select("name", "role", "disabled", "password_hash", "version", "updated_at", "session_epoch").Updates(&next)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return model.ErrConflict
		}
		if (next.Disabled && !cur.Disabled) || p.RevokeTokens {
			// A disabled user's tokens stop working with the account.
			if err := tx.Model(&model.APIToken{}).Where("user_id = ? AND revoked_at IS NULL", id).
				Update("revoked_at", now).Error; err != nil {
				return err
			}
		}
		out = &next
		return audit(ctx, tx, now, model.AuditUpdate, "user", id, nil, &cur, &next)
	})
	return out, err
}

// ChangePassword sets a user's own new password and ends their sessions
// (the caller keeps its own by signing it in again under the new epoch).
// It returns the user as changed.
func (s *Store) ChangePassword(ctx context.Context, id int64, hash string) (*model.User, error) {
	now := s.now()
	var out *model.User
	err := s.write(ctx, func(tx *gorm.DB) error {
		var cur model.User
		if err := tx.First(&cur, id).Error; err != nil {
			return err
		}
		next := cur
		next.PasswordHash, next.SessionEpoch, next.Version, next.UpdatedAt = hash, cur.SessionEpoch+1, cur.Version+1, now
		err := tx.Model(&model.User{}).Where("id = ?", id).
			Select("password_hash", "session_epoch", "version", "updated_at").Updates(&next).Error
		if err != nil {
			return err
		}
		out = &next
		return audit(ctx, tx, now, model.AuditUpdate, "user_password", id, nil, map[string]int{"version": cur.Version}, map[string]int{"version": next.Version})
	})
	return out, err
}

// RecordLogin stamps a user's last sign-in.
func (s *Store) RecordLogin(ctx context.Context, id int64) error {
	err := s.wdb.WithContext(ctx).Model(&model.User{}).Where("id = ?", id).
		UpdateColumn("last_login_at", s.now()).Error
	return translate(err)
}
