package review

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/debrief-dev/debrief/internal/model"
)

// Limits on minutes, shared by forms, the API and the database checks.
const (
	MaxNoteLen      = 10_000
	MaxAttendees    = 50
	MaxAttendeesLen = 6_000 // the stored list, one name a line
)

// Section is one part of the review, a screen in meeting mode, with its own
// notes in the minutes.
type Section struct {
	Key   string
	Title string
	Hint  string // what the notes are for, shown as the placeholder
}

// Sections are the parts of the review, in meeting order.
var Sections = []Section{
	{"incidents", "Incidents", "What broke, and anything the team wants to follow up."},
	{"postmortems", "Postmortems", "Who will finish which postmortem, and by when."},
	{"actions", "Action items", "Decisions on slipping, ownerless or declined items."},
	{"metrics", "Metrics", "What the numbers say, and what the team decided about it."},
	{"trends", "Trends", "Whether we are getting better; anything to watch next week."},
}

// SectionKeys lists the keys of Sections.
func SectionKeys() []string {
	keys := make([]string, len(Sections))
	for i, s := range Sections {
		keys[i] = s.Key
	}
	return keys
}

// Minutes are the record of one week's review meeting: who attended and the
// notes (decisions) of each section.
type Minutes struct {
	Week      string            `json:"week"`
	Attendees []string          `json:"attendees"`
	Notes     map[string]string `json:"notes"`
	// Version is 0 for minutes nobody has saved yet.
	Version   int        `json:"version"`
	UpdatedAt *time.Time `json:"updated_at"`
	UpdatedBy string     `json:"updated_by"`
}

// Note returns the notes of section key ("" when none).
func (m *Minutes) Note(key string) string { return m.Notes[key] }

// Empty reports whether the minutes hold nothing.
func (m *Minutes) Empty() bool {
	if len(m.Attendees) > 0 {
		return false
	}
	for _, n := range m.Notes {
		if n != "" {
			return false
		}
	}
	return true
}

// SplitAttendees reads an attendee list typed one name a line or, on a
// single line, separated by commas or semicolons. With several lines only
// line breaks separate, so a saved name such as "Rao, Priya" (shown one a
// line) stays one person.
func SplitAttendees(s string) []string {
	if strings.ContainsAny(strings.TrimSpace(s), "\r\n") {
		return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	}
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' })
}

// Normalize trims and checks the minutes: a week that exists, at most
// MaxAttendees distinct names of at most model.MaxNameLen characters, and
// notes of known sections of at most MaxNoteLen characters.
func (m *Minutes) Normalize() error {
	v := model.NewValidationError()
	if _, err := ParseWeek(m.Week); err != nil {
		v.Add("week", err.Error())
	}
	m.Week = strings.TrimSpace(m.Week)
	names := []string{}
	seen := map[string]bool{}
	for _, n := range m.Attendees {
		n = strings.Join(strings.Fields(n), " ")
		if n == "" || seen[strings.ToLower(n)] {
			continue
		}
		if !utf8.ValidString(n) || strings.ContainsRune(n, 0) || utf8.RuneCountInString(n) > model.MaxNameLen {
			v.Add("attendees", fmt.Sprintf("each name must be plain text of at most %d characters", model.MaxNameLen))
			continue
		}
		seen[strings.ToLower(n)] = true
		names = append(names, n)
	}
	if len(names) > MaxAttendees {
		v.Add("attendees", fmt.Sprintf("at most %d names", MaxAttendees))
	}
	m.Attendees = names
	notes := map[string]string{}
	for key, body := range m.Notes {
		if !validSection(key) {
			v.Add("notes", fmt.Sprintf("there is no section %q; use one of %s", model.Truncate(key, 30), strings.Join(SectionKeys(), ", ")))
			continue
		}
		body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
		switch {
		case !utf8.ValidString(body) || strings.ContainsRune(body, 0):
			v.Add("notes."+key, "must be plain text")
		case utf8.RuneCountInString(body) > MaxNoteLen:
			v.Add("notes."+key, fmt.Sprintf("must be at most %d characters (it has %d)", MaxNoteLen, utf8.RuneCountInString(body)))
		}
		if body != "" {
			notes[key] = body
		}
	}
	m.Notes = notes
	return v.Err()
}

func validSection(key string) bool {
	for _, s := range Sections {
		if s.Key == key {
			return true
		}
	}
	return false
}

// SameContent reports whether m and o record the same attendees and notes.
func (m *Minutes) SameContent(o *Minutes) bool {
	if strings.Join(m.Attendees, "\n") != strings.Join(o.Attendees, "\n") || len(m.Notes) != len(o.Notes) {
		return false
	}
	for k, v := range m.Notes {
		if o.Notes[k] != v {
			return false
		}
	}
	return true
}

// WeekNumber is the week as a number (2026-W47 is 202647), the id the
// audit log keeps minutes under.
func WeekNumber(week string) int64 {
	n, _ := strconv.ParseInt(strings.Replace(week, "-W", "", 1), 10, 64)
	return n
}
