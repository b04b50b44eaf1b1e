package model

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
)

// Role is what a user may do. Each role includes the ones below it.
type Role string

// The roles, least to most powerful.
const (
	RoleViewer Role = "viewer" // reads and exports everything
	RoleEditor Role = "editor" // also creates and changes incidents and their analysis
	RoleAdmin  Role = "admin"  // also manages users, tokens and settings
)

// UserRoles lists every role, least powerful first.
var UserRoles = []Role{RoleViewer, RoleEditor, RoleAdmin}

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleEditor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// Allows reports whether r includes min.
func (r Role) Allows(min Role) bool { return r.Valid() && r.rank() >= min.rank() }

// Password length limits (bcrypt reads at most 72 bytes).
const (
	MinPasswordLen = 10
	MaxPasswordLen = 72
)

// User is a person who signs in to Debrief.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         Role
	PasswordHash string `json:"-"`
	Disabled     bool
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastLoginAt  *time.Time
	// SessionEpoch ends sessions: a session signed in under an older epoch
	// is refused. A password change or reset and disabling raise it.
	SessionEpoch int `json:"-"`
	// Reminders (the daily digest): off, and quiet hours in whole UTC
	// hours, from inclusive to exclusive (none when nil or equal).
	RemindersOff bool `json:"-"`
	QuietFrom    *int `json:"-"`
	QuietTo      *int `json:"-"`
}

// Quiet reports whether hour (0–23, UTC) is in u's quiet hours.
func (u *User) Quiet(hour int) bool {
	if u.QuietFrom == nil || u.QuietTo == nil || *u.QuietFrom == *u.QuietTo {
		return false
	}
	from, to := *u.QuietFrom, *u.QuietTo
	if from < to {
		return hour >= from && hour < to
	}
	return hour >= from || hour < to // over midnight
}

// NormalizeEmail lower-cases and checks an email address.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", fmt.Errorf("is required")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return "", fmt.Errorf("is not an email address")
	}
	return s, nil
}

// Validate normalises and checks a user's fields (not the password).
func (u *User) Validate() error {
	v := NewValidationError()
	var err error
	if u.Email, err = NormalizeEmail(u.Email); err != nil {
		v.Add("email", err.Error())
	}
	u.Name = collapseSpace(u.Name)
	switch n := utf8.RuneCountInString(u.Name); {
	case n == 0:
		v.Add("name", "is required")
	case n > MaxNameLen:
		v.Add("name", fmt.Sprintf("must be at most %d characters", MaxNameLen))
	case hasNUL(u.Name):
		v.Add("name", errNUL)
	}
	if !u.Role.Valid() {
		v.Add("role", fmt.Sprintf("unknown role %q; use viewer, editor or admin", u.Role))
	}
	return v.Err()
}

// MinPasswordScore is the least zxcvbn score (0–4) a password must reach:
// 3 is "safely unguessable" against an offline attack slowed by a good hash.
const MinPasswordScore = 3

// CheckPassword enforces the password rules on the field "password".
// userInputs (the account's email and name) count as known words.
func CheckPassword(pw string, userInputs ...string) error {
	return CheckPasswordField("password", pw, userInputs...)
}

// CheckPasswordField enforces the password rules: a length, no NUL, and
// not easy to guess. Strength is estimated with zxcvbn (dictionaries of
// common passwords, names and words, keyboard patterns, repeats,
// sequences and dates), so "aaaaaaaaaa" or "password12" are refused even
// though they are long enough.
func CheckPasswordField(field, pw string, userInputs ...string) error {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return FieldError(field, fmt.Sprintf("must be at least %d characters", MinPasswordLen))
	case len(pw) > MaxPasswordLen:
		return FieldError(field, fmt.Sprintf("must be at most %d bytes", MaxPasswordLen))
	case hasNUL(pw):
		return FieldError(field, errNUL)
	}
	// zxcvbn is slow on very long input, and long input is strong anyway.
	probe := pw
	if len(probe) > 100 {
		probe = probe[:100]
	}
	var inputs []string
	for _, in := range userInputs {
		if in != "" {
			inputs = append(inputs, in)
			if local, _, ok := strings.Cut(in, "@"); ok {
				inputs = append(inputs, local)
			}
		}
	}
	if r := zxcvbn.PasswordStrength(probe, inputs); r.Score < MinPasswordScore {
		return FieldError(field, "is too easy to guess (it is a common password, a word, a name or a pattern such as "+
			"repeated or sequential characters); a few unrelated words make a strong one")
	}
	return nil
}

// APIToken lets a program act as a user through the API. Only a hash of
// the secret is kept.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	Hash       []byte `json:"-"`
	Prefix     string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	ExpiresAt  *time.Time // nil: until revoked

	User *User `gorm:"foreignKey:UserID" json:"-"`
}

// TableName keeps the table name readable.
func (APIToken) TableName() string { return "api_tokens" }

// Validate normalises and checks a new token's label and end date.
func (t *APIToken) Validate(now time.Time) error {
	v := NewValidationError()
	t.Name = collapseSpace(t.Name)
	switch {
	case t.Name == "":
		v.Add("name", "is required")
	case utf8.RuneCountInString(t.Name) > MaxNameLen:
		v.Add("name", fmt.Sprintf("must be at most %d characters", MaxNameLen))
	case hasNUL(t.Name) || !utf8.ValidString(t.Name):
		v.Add("name", "must be text without NUL characters")
	}
	if t.ExpiresAt != nil && !t.ExpiresAt.After(now) {
		v.Add("expires_at", "must be in the future")
	}
	return v.Err()
}

// Actor is who makes a change: a signed-in user, or a user's token.
type Actor struct {
	UserID  int64
	TokenID int64
	Label   string // "alice@example.com", or "alice@example.com via token ci-bot"
}

type actorKey struct{}

// WithActor returns ctx carrying who acts; the store records it in the
// audit log.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns who acts in ctx; Debrief itself when nobody does.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Label: SystemAuthor}
}

// Audit actions.
const (
	AuditCreate = "create"
	AuditUpdate = "update"
	AuditDelete = "delete"
)

// AuditEntry is one line of the append-only audit log. Before and After are
// JSON snapshots of the record (empty for a create's before and a delete's
// after).
type AuditEntry struct {
	ID           int64
	At           time.Time
	ActorUserID  *int64
	ActorTokenID *int64
	Actor        string
	Action       string
	Entity       string
	EntityID     int64
	IncidentID   *int64
	Before       string
	After        string
}

// TableName keeps the table name readable.
func (AuditEntry) TableName() string { return "audit_log" }

// Viewer is who reads: the store shows a private incident only to its
// members and to admins. The zero Viewer sees organisation incidents only.
type Viewer struct {
	UserID int64
	Admin  bool
}

// ViewerOf is the viewer a signed-in user reads as (the zero Viewer for nil).
func ViewerOf(u *User) Viewer {
	if u == nil {
		return Viewer{}
	}
	return Viewer{UserID: u.ID, Admin: u.Role == RoleAdmin}
}

// AllIncidents is the viewer of admin tools (the CLI export): it sees
// every incident.
var AllIncidents = Viewer{Admin: true}

// AuditRead is the audit action of an admin's read of a private incident
// they are not a member of.
const AuditRead = "read"

// FeedKey lets a feed reader, which cannot send headers, read the Atom
// feeds as a user: it travels in the URL (?key=…), so it reads the feeds and
// nothing else. Only a hash of the secret is kept.
type FeedKey struct {
	ID         int64
	UserID     int64
	Name       string
	Hash       []byte `json:"-"`
	Prefix     string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time

	User *User `gorm:"foreignKey:UserID" json:"-"`
}

// TableName keeps the table name readable.
func (FeedKey) TableName() string { return "feed_keys" }

// MaxFeedKeys is how many live feed keys one user may hold.
const MaxFeedKeys = 20

// Validate normalises and checks a new feed key's label.
func (k *FeedKey) Validate() error {
	t := APIToken{Name: k.Name}
	err := t.Validate(time.Time{})
	k.Name = t.Name
	return err
}
