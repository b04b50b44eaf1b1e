package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/debrief-dev/debrief/internal/model"
)

// memberOf is true when the user @viewer is a member of the incident
// alias.id: listed in incident_members, or named (by name or email) in one
// of its roles.
func memberOf(alias string) string {
	return `(EXISTS (SELECT 1 FROM incident_members m WHERE m.incident_id = ` + alias + `.id AND m.user_id = @viewer)
		OR EXISTS (SELECT 1 FROM incident_roles r JOIN users u ON u.id = @viewer
			WHERE r.incident_id = ` + alias + `.id AND (r.name = u.name COLLATE NOCASE OR r.name = u.email COLLATE NOCASE)))`
}

// hiddenIncidents is the one definition of who may see what: a subquery of
// the ids of the incidents v may not see (private ones v is not a member
// of), with the named parameter @viewer; "" when v sees every incident.
// Lists filter with "id NOT IN (hidden)": the few private incidents come
// from the index incidents_visibility, and a list's own index still gives
// its page, since it holds every id.
func hiddenIncidents(v model.Viewer) string {
	if v.Admin {
		return ""
	}
	return `SELECT p.id FROM incidents p WHERE p.visibility = 'private' AND NOT ` + memberOf("p")
}

// visibleTo returns a condition on the incident id column col that keeps
// only the incidents v may see ("1" for admins), and its argument.
func visibleTo(col string, v model.Viewer) (string, sql.NamedArg) {
	arg := sql.Named("viewer", v.UserID)
	h := hiddenIncidents(v)
	if h == "" {
		return "1", arg
	}
	return col + " NOT IN (" + h + ")", arg
}

// hiddenSet returns the ids of the incidents v may not see (nil for
// admins), for the searches that filter in memory.
func hiddenSet(ctx context.Context, db *gorm.DB, v model.Viewer) (map[int64]bool, error) {
	h := hiddenIncidents(v)
	if h == "" {
		return nil, nil
	}
	var ids []int64
	if err := db.WithContext(ctx).Raw(h, sql.Named("viewer", v.UserID)).Scan(&ids).Error; err != nil {
		return nil, translate(err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// Access is what a viewer may know of one incident they may see.
type Access struct {
	Private bool
	Member  bool
}

// Access checks that v may see incident id: model.ErrNotFound when there
// is no such incident or it is private and v is neither a member nor an
// admin (the same answer, so a guessed id tells nothing).
func (s *Store) Access(ctx context.Context, v model.Viewer, id int64) (Access, error) {
	return access(s.db.WithContext(ctx), v, id)
}

func access(db *gorm.DB, v model.Viewer, id int64) (Access, error) {
	var rows []struct {
		Visibility string
		Member     bool
	}
	err := db.Raw(`SELECT i.visibility, `+memberOf("i")+` AS member FROM incidents i WHERE i.id = @id`,
		sql.Named("viewer", v.UserID), sql.Named("id", id)).Scan(&rows).Error
	if err != nil {
		return Access{}, translate(err)
	}
	if len(rows) == 0 {
		return Access{}, model.ErrNotFound
	}
	a := Access{Private: rows[0].Visibility == string(model.VisibilityPrivate), Member: rows[0].Member}
	if a.Private && !a.Member && !v.Admin {
		return Access{}, model.ErrNotFound
	}
	return a, nil
}

// VisibleIncident returns incident id if v may see it; model.ErrNotFound
// otherwise.
func (s *Store) VisibleIncident(ctx context.Context, v model.Viewer, id int64) (*model.Incident, error) {
	if _, err := s.Access(ctx, v, id); err != nil {
		return nil, err
	}
	return s.Incident(ctx, id)
}

// AuditRead records in the audit log that the acting admin read a private
// incident they are not a member of. It is no change, so no live event.
func (s *Store) AuditRead(ctx context.Context, incidentID int64, what string) error {
	now := s.now()
	return s.write(ctx, func(tx *gorm.DB) error {
		actor := model.ActorFrom(ctx)
		e := model.AuditEntry{At: now, Actor: actor.Label, Action: model.AuditRead, Entity: "incident",
			EntityID: incidentID, IncidentID: &incidentID, After: snapshot(map[string]string{"read": what})}
		if actor.UserID != 0 {
			e.ActorUserID = &actor.UserID
		}
		if actor.TokenID != 0 {
			e.ActorTokenID = &actor.TokenID
		}
		return tx.Create(&e).Error
	})
}

// replaceMembers rewrites the members of inc from their emails; an email
// without an account is a 422 naming members.
func replaceMembers(tx *gorm.DB, inc *model.Incident) error {
	var users []struct {
		ID    int64
		Email string
	}
	if len(inc.Members) > 0 {
		if err := tx.Raw("SELECT id, email FROM users WHERE email IN ?", inc.Members).Scan(&users).Error; err != nil {
			return err
		}
	}
	var unknown []string
	for _, email := range inc.Members {
		if !slices.ContainsFunc(users, func(u struct {
			ID    int64
			Email string
		}) bool {
			return strings.EqualFold(u.Email, email)
		}) {
			unknown = append(unknown, email)
		}
	}
	if len(unknown) > 0 {
		return model.FieldError("members", fmt.Sprintf("no user has the email %s; add the account first, or leave the address out",
			strings.Join(unknown, ", ")))
	}
	if err := tx.Exec("DELETE FROM incident_members WHERE incident_id = ?", inc.ID).Error; err != nil {
		return err
	}
	for _, u := range users {
		if err := tx.Exec("INSERT OR IGNORE INTO incident_members (incident_id, user_id) VALUES (?, ?)", inc.ID, u.ID).Error; err != nil {
			return err
		}
	}
	return nil
}

// accessSnapshot is what the audit log keeps of a change of who may see
// an incident.
type accessSnapshot struct {
	Visibility model.Visibility `json:"visibility"`
	Members    []string         `json:"members"`
}

// auditAccess records a change of visibility or members as its own audit
// line, so that "who made this private, who added whom" is one filter away.
func auditAccess(ctx context.Context, tx *gorm.DB, now time.Time, before, after *model.Incident) error {
	var b any
	action := model.AuditCreate
	if before != nil {
		if before.SameAccess(after) {
			return nil
		}
		b, action = accessSnapshot{before.Visibility, before.Members}, model.AuditUpdate
	} else if !after.Private() && len(after.Members) == 0 {
		return nil
	}
	actor := model.ActorFrom(ctx)
	id := after.ID
	e := model.AuditEntry{At: now, Actor: actor.Label, Action: action, Entity: "incident_access", EntityID: id,
		IncidentID: &id, Before: snapshot(b), After: snapshot(accessSnapshot{after.Visibility, after.Members})}
	if actor.UserID != 0 {
		e.ActorUserID = &actor.UserID
	}
	if actor.TokenID != 0 {
		e.ActorTokenID = &actor.TokenID
	}
	return tx.Create(&e).Error
}
