// Package review builds the weekly review: what broke, which postmortems
// are late, which action items are slipping and whether things are getting
// better. Everything here is pure: the store loads an Input, Build turns it
// into one Report, and the page, the API and the Markdown minutes all
// render that Report.
package review

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/debrief-dev/debrief/internal/model"
)

// MaxPeriodYears bounds a period: a longer range is refused rather than
// loaded.
const MaxPeriodYears = 5

// DefaultDays is the length of the default period: the last seven days,
// today (UTC) included.
const DefaultDays = 7

// Period is a range of whole UTC days, both ends included.
type Period struct {
	From model.Date `json:"from"`
	To   model.Date `json:"to"`
}

// Start is the first instant of the period (midnight UTC of From).
func (p Period) Start() time.Time { return p.From.Time() }

// End is the instant just after the period (midnight UTC after To).
func (p Period) End() time.Time { return p.To.End() }

// Contains reports whether t falls in the period.
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start()) && t.Before(p.End())
}

// Days is how many days the period covers.
func (p Period) Days() int { return p.To.DaysUntil(p.From.Time()) + 1 }

// Previous is the period of equal length that ends the day before p starts.
func (p Period) Previous() Period {
	n := p.Days()
	return Period{From: p.From.AddDays(-n), To: p.From.AddDays(-1)}
}

// Week returns the ISO week ("2026-W47") when the period is exactly one
// ISO week, Monday to Sunday.
func (p Period) Week() (string, bool) {
	if p.From.Time().Weekday() != time.Monday || p.Days() != 7 {
		return "", false
	}
	return WeekOf(p.From), true
}

// String is "2026-11-16 – 2026-11-22".
func (p Period) String() string { return p.From.String() + " – " + p.To.String() }

// WeekOf names the ISO week that d falls in: "2026-W47".
func WeekOf(d model.Date) string {
	y, w := d.Time().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// WeeksIn returns how many ISO weeks year has (52 or 53): 28 December
// always falls in the year's last week.
func WeeksIn(year int) int {
	_, w := time.Date(year, time.December, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

// weekMonday returns the Monday that starts ISO week w of year: week 1 is
// the week holding 4 January.
func weekMonday(year, w int) model.Date {
	jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, time.UTC)
	offset := (int(jan4.Weekday()) + 6) % 7 // days since Monday
	return model.DateOf(jan4.AddDate(0, 0, -offset+7*(w-1)))
}

// MondayOf returns the Monday of d's ISO week.
func MondayOf(d model.Date) model.Date {
	return d.AddDays(-((int(d.Time().Weekday()) + 6) % 7))
}

var weekShape = regexp.MustCompile(`^([0-9]{4})-W([0-9]{2})$`)

// ParseWeek reads an ISO week written as 2026-W47 and returns its period,
// Monday to Sunday.
func ParseWeek(s string) (Period, error) {
	s = strings.TrimSpace(s)
	m := weekShape.FindStringSubmatch(s)
	if m == nil {
		return Period{}, fmt.Errorf("must be an ISO week written as YYYY-Www, like 2026-W47 (got %q)", model.Truncate(s, 20))
	}
	year, _ := strconv.Atoi(m[1])
	w, _ := strconv.Atoi(m[2])
	if year < 1970 {
		return Period{}, fmt.Errorf("must be a week from 1970 on")
	}
	if n := WeeksIn(year); w < 1 || w > n {
		return Period{}, fmt.Errorf("%d has ISO weeks 01 to %02d, so %s does not exist", year, n, s)
	}
	mon := weekMonday(year, w)
	if year == 9999 && w == WeeksIn(year) { // it ends in the year 10000, which no date here can name
		return Period{}, fmt.Errorf("must be a week that ends by 9999-12-31")
	}
	return Period{From: mon, To: mon.AddDays(6)}, nil
}

// ParsePeriod reads the period of a request: week (an ISO week), or from
// and to (dates, both included), or neither for the last DefaultDays days
// ending today. A from without a to runs until today; a to without a from
// covers the DefaultDays days ending on it. Problems come back as a
// *model.ValidationError naming the field.
func ParsePeriod(week, from, to string, today model.Date) (Period, error) {
	week, from, to = strings.TrimSpace(week), strings.TrimSpace(from), strings.TrimSpace(to)
	v := model.NewValidationError()
	if week != "" {
		if from != "" || to != "" {
			v.Add("week", "give either a week or from and to, not both")
			return Period{}, v
		}
		p, err := ParseWeek(week)
		if err != nil {
			v.Add("week", err.Error())
			return Period{}, v
		}
		return p, nil
	}
	if from == "" && to == "" {
		return Period{From: today.AddDays(-(DefaultDays - 1)), To: today}, nil
	}
	var p Period
	var err error
	if from != "" {
		if p.From, err = model.ParseDate(from); err != nil {
			v.Add("from", err.Error())
		}
	}
	if to != "" {
		if p.To, err = model.ParseDate(to); err != nil {
			v.Add("to", err.Error())
		}
	}
	if err := v.Err(); err != nil {
		return Period{}, err
	}
	switch {
	case from == "":
		p.From = p.To.AddDays(-(DefaultDays - 1))
	case to == "":
		p.To = today
		if p.To.Before(p.From) {
			v.Add("from", fmt.Sprintf("is after today (%s); give a to date as well", today))
			return Period{}, v
		}
	}
	if p.To.Before(p.From) {
		v.Add("from", fmt.Sprintf("must be on or before to (%s is after %s)", p.From, p.To))
		return Period{}, v
	}
	if !p.To.Before(model.DateOf(p.From.Time().AddDate(MaxPeriodYears, 0, 0))) {
		v.Add("to", fmt.Sprintf("the period may cover at most %d years", MaxPeriodYears))
		return Period{}, v
	}
	return p, nil
}
