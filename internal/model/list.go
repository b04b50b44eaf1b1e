package model

import (
	"fmt"
	"unicode/utf8"
)

// An admin list is an ordered set of named entries an admin edits: the
// severity scale and the factor categories. Both are a name, a
// description and a position (a severity has an action items' due time
// too), renamed everywhere at once, and deletable only when unused. A
// ListKind says in one place how each is named and checked; the store's
// helper, the one handler set and the one template read it.
type ListKind struct {
	Path        string // under /admin/: "severities", "categories"
	Title       string // "Severities"
	Noun        string // "severity": one entry
	Record      string // the audit log's record name
	Intro       string // what the list is for, above it
	AddHeading  string // "Add a level"
	Placeholder string // an example name
	MaxName     int    // characters
	DueWeeks    bool   // entries carry ActionDueWeeks (severities)
	// Duplicate is the error on "name" for a name or position taken.
	Duplicate string
	// InUse is the 409 of deleting an entry n records use.
	InUse func(n int64, name string) string
	// Last is the 409 of deleting the only entry.
	Last string
}

// SeverityList is the severity scale.
var SeverityList = ListKind{
	Path: "severities", Title: "Severities", Noun: "severity", Record: "severity",
	Intro: "The scale incidents are declared with, most severe first. Renaming a level renames it on every incident; " +
		"a level in use cannot be deleted. Action items due in is the default due date of a new action item of an incident at that level.",
	AddHeading: "Add a level", Placeholder: "SEV0", MaxName: 20, DueWeeks: true,
	Duplicate: "another severity already has this name or position",
	InUse: func(n int64, name string) string {
		return fmt.Sprintf("%d incidents have severity %s; change them first", n, name)
	},
	Last: "the scale needs at least one severity",
}

// CategoryList is the contributing factors' categories.
var CategoryList = ListKind{
	Path: "categories", Title: "Factor categories", Noun: "category", Record: "factor_category",
	Intro: "The categories a contributing factor is filed under, in the order the pickers show them. " +
		"Renaming a category renames it on every factor; a category in use cannot be deleted.",
	AddHeading: "Add a category", Placeholder: "security", MaxName: 50,
	Duplicate: "another category already has this name or position",
	InUse: func(n int64, name string) string {
		return fmt.Sprintf("%d contributing factors are in category %q; move them first", n, name)
	},
	Last: "at least one category is needed",
}

// ListEntry is an entry of an admin list as its page shows and edits it.
type ListEntry struct {
	Name           string
	Description    string
	Position       int
	ActionDueWeeks int // severities only
}

// checkListEntry checks what every admin list's entries share: the
// description and the position.
func checkListEntry(v *ValidationError, description string, position int) {
	if utf8.RuneCountInString(description) > 500 || hasNUL(description) {
		v.Add("description", "must be at most 500 characters of text")
	}
	if position < 1 || position > 1000 {
		v.Add("position", "must be a whole number from 1 to 1000")
	}
}
