package model

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Date is a calendar day (a due date), without a time or a zone. A day
// "has passed" once it has ended in UTC, the zone every instant is in.
type Date struct {
	t time.Time // midnight UTC; zero for no date
}

// NewDate returns the day y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf returns the UTC day an instant falls on.
func DateOf(t time.Time) Date {
	u := t.UTC()
	return NewDate(u.Year(), u.Month(), u.Day())
}

// ParseDate reads a day written as YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("must be a date written as YYYY-MM-DD (got %q)", Truncate(s, 40))
	}
	if t.Year() < 1970 || t.Year() > 9999 {
		return Date{}, fmt.Errorf("must be a date between 1970 and 9999")
	}
	return Date{t}, nil
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// String is YYYY-MM-DD, or "" for no date.
func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return d.t }

// End returns the instant d ends: midnight UTC of the next day.
func (d Date) End() time.Time { return d.t.AddDate(0, 0, 1) }

// AddDays returns the day n days after d.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }

// Passed reports whether d has ended at instant now (in UTC).
func (d Date) Passed(now time.Time) bool { return !d.IsZero() && !now.Before(d.End()) }

// DaysUntil returns how many days from now's UTC day to d (negative once past).
// It counts in seconds, not time.Duration, which saturates after 292 years.
func (d Date) DaysUntil(now time.Time) int {
	return int((d.t.Unix() - DateOf(now).t.Unix()) / 86400)
}

// Value stores a date as YYYY-MM-DD text.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a date stored as text (or as a time by older drivers).
func (d *Date) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d = Date{}
		return nil
	case string:
		p, err := ParseDate(x)
		if err != nil {
			return err
		}
		*d = p
		return nil
	case []byte:
		return d.Scan(string(x))
	case time.Time:
		*d = DateOf(x)
		return nil
	}
	return fmt.Errorf("cannot read a date from %T", v)
}

// MarshalJSON writes "YYYY-MM-DD", or null for no date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("must be a date written as YYYY-MM-DD")
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}
