package store

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// CreateFeedKey stores a new feed key (its hash) for a user; a user holds
// at most model.MaxFeedKeys live keys.
func (s *Store) CreateFeedKey(ctx context.Context, k *model.FeedKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		var u model.User
		if err := tx.First(&u, k.UserID).Error; err != nil {
			return err
		}
		if u.Disabled {
			return model.FieldError("user", "is disabled")
		}
		var live int64
		if err := tx.Model(&model.FeedKey{}).Where("user_id = ? AND revoked_at IS NULL", k.UserID).Count(&live).Error; err != nil {
			return err
		}
		if live >= model.MaxFeedKeys {
			return model.FieldError("name", "you already have the most feed keys one may hold; revoke one first")
		}
		k.ID, k.CreatedAt, k.LastUsedAt, k.RevokedAt = 0, now, nil, nil
		if err := tx.Omit("User").Create(k).Error; err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditCreate, "feed_key", k.ID, nil, nil, k)
	})
}

// FeedKeyByHash returns the live feed key with that hash and its user;
// revoked keys and keys of disabled users are model.ErrNotFound.
func (s *Store) FeedKeyByHash(ctx context.Context, hash []byte) (*model.FeedKey, error) {
	var k model.FeedKey
	err := s.db.WithContext(ctx).Preload("User").Where("hash = ? AND revoked_at IS NULL", hash).First(&k).Error
	if err != nil {
		return nil, translate(err)
	}
	if k.User == nil || k.User.Disabled {
		return nil, model.ErrNotFound
	}
	return &k, nil
}

// TouchFeedKey records that a key was used, at most once a minute (feed
// readers poll).
func (s *Store) TouchFeedKey(ctx context.Context, k *model.FeedKey) error {
	now := s.now()
	if k.LastUsedAt != nil && now.Sub(*k.LastUsedAt) < tokenTouchEvery {
		return nil
	}
	err := s.wdb.WithContext(ctx).Model(&model.FeedKey{}).Where("id = ?", k.ID).UpdateColumn("last_used_at", now).Error
	return translate(err)
}

// maxFeedKeyList bounds the settings page's list (live and revoked keys).
const maxFeedKeyList = 100

// FeedKeys returns a user's feed keys, newest first (the latest 100).
func (s *Store) FeedKeys(ctx context.Context, userID int64) ([]model.FeedKey, error) {
	var ks []model.FeedKey
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("id DESC").Limit(maxFeedKeyList).Find(&ks).Error
	return ks, translate(err)
}

// RevokeFeedKey revokes one of the user's feed keys (another user's key is
// model.ErrNotFound). Revoking a revoked key changes nothing.
func (s *Store) RevokeFeedKey(ctx context.Context, id, userID int64) error {
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		var k model.FeedKey
		if err := tx.Where("id = ? AND user_id = ?", id, userID).First(&k).Error; err != nil {
			return err
		}
		if k.RevokedAt != nil {
			return nil
		}
		before := k
		k.RevokedAt = &now
		if err := tx.Model(&model.FeedKey{}).Where("id = ?", id).UpdateColumn("revoked_at", now).Error; err != nil {
			return err
		}
		return audit(ctx, tx, now, model.AuditUpdate, "feed_key", id, nil, &before, &k)
	})
}

// FeedPostmortem is a published postmortem in the archive feed: its
// incident and its latest revision.
type FeedPostmortem struct {
	IncidentID       int64
	Title            string
	Severity         string
	CreatedAt        time.Time // the incident's declaration
	Number           int       // the latest revision
	Markdown         string
	PublishedAt      time.Time // of the latest revision
	PublishedBy      string
	FirstPublishedAt time.Time
}

// ArchiveFeed returns the limit most recently published postmortems that v
// may see, newest publication first. It reads postmortem_revisions by
// postmortem_revisions_published_at, newest first, and stops at limit.
func (s *Store) ArchiveFeed(ctx context.Context, v model.Viewer, limit int) ([]FeedPostmortem, error) {
	vis, viewer := visibleTo("r.incident_id", v)
	var rows []FeedPostmortem
	err := s.db.WithContext(ctx).Raw(`SELECT i.id AS incident_id, i.title, i.severity, i.created_at,
			r.number, r.markdown, r.published_at, r.published_by,
			(SELECT f.published_at FROM postmortem_revisions f WHERE f.incident_id = r.incident_id AND f.number = 1) AS first_published_at
		FROM postmortem_revisions r JOIN incidents i ON i.id = r.incident_id
		WHERE `+vis+`
		  AND r.number = (SELECT MAX(m.number) FROM postmortem_revisions m WHERE m.incident_id = r.incident_id)
		ORDER BY r.published_at DESC, r.id DESC LIMIT @limit`, viewer, sql.Named("limit", limit)).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	for i := range rows {
		if rows[i].FirstPublishedAt.IsZero() {
			rows[i].FirstPublishedAt = rows[i].PublishedAt
		}
	}
	return rows, nil
}

// Incident feed events.
const (
	FeedDeclared = "declared"
	FeedResolved = "resolved"
)

// FeedIncident is a declaration or a resolution in the incidents feed.
type FeedIncident struct {
	IncidentID int64
	Kind       string // FeedDeclared or FeedResolved
	At         time.Time
	Title      string
	Severity   string
	Status     model.Status
	Summary    string
	CreatedAt  time.Time
}

// IncidentFeed returns the limit newest declarations and resolutions of the
// incidents v may see, newest first. Each half reads its own index
// (incidents_created_at, incidents_resolved_at) newest first and stops at
// limit; the two are merged here.
func (s *Store) IncidentFeed(ctx context.Context, v model.Viewer, limit int) ([]FeedIncident, error) {
	vis, viewer := visibleTo("i.id", v)
	db := s.db.WithContext(ctx)
	var declared, resolved []FeedIncident
	const cols = `i.id AS incident_id, i.title, i.severity, i.status, i.summary, i.created_at, `
	err := db.Raw(`SELECT `+cols+`i.created_at AS at FROM incidents i
		WHERE `+vis+` ORDER BY i.created_at DESC, i.id DESC LIMIT @limit`, viewer, sql.Named("limit", limit)).Scan(&declared).Error
	if err != nil {
		return nil, translate(err)
	}
	err = db.Raw(`SELECT `+cols+`i.resolved_at AS at FROM incidents i
		WHERE i.resolved_at IS NOT NULL AND `+vis+` ORDER BY i.resolved_at DESC, i.id DESC LIMIT @limit`, viewer, sql.Named("limit", limit)).Scan(&resolved).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]FeedIncident, 0, min(limit, len(declared)+len(resolved)))
	for len(out) < limit && (len(declared) > 0 || len(resolved) > 0) {
		// Newest first; at the same instant a resolution comes before the
		// declaration it follows.
		if len(declared) == 0 || (len(resolved) > 0 && !resolved[0].At.Before(declared[0].At)) {
			resolved[0].Kind = FeedResolved
			out, resolved = append(out, resolved[0]), resolved[1:]
			continue
		}
		declared[0].Kind = FeedDeclared
		out, declared = append(out, declared[0]), declared[1:]
	}
	return out, nil
}
