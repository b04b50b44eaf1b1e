package web

import (
	"regexp"
	"strings"

	"github.com/debrief-dev/debrief/internal/model"
)

// Validation errors are keyed by the API's field names ("due_date",
// "roles.commander"), and their messages name other fields the same way
// ("must not be before detected_at"). The JSON API keeps them so; pages
// show the labels people see on the forms instead, through the functions
// below (the templates' fieldError and field).

// fieldLabels are the labels of the fields validation errors are keyed by,
// as the forms name them. A key missing here is shown humanised
// ("expires_in" → "Expires in").
var fieldLabels = func() map[string]string {
	labels := map[string]string{
		// incidents
		"title":            "Title",
		"severity":         "Severity",
		"status":           "Status",
		"services":         "Services affected",
		"tags":             "Tags",
		"summary":          "Summary",
		"impact":           "Customer impact",
		"roles.commander":  "Incident commander",
		"roles.comms_lead": "Communications lead",
		"roles.scribe":     "Scribe",
		"roles.responders": "Responders",
		"version":          "Version",
		// timeline
		"occurred_at":  "Time",
		"body":         "What happened",
		"kind":         "Kind",
		"author":       "By",
		"evidence_url": "Evidence link",
		// analysis and action items
		"category":     "Category",
		"is_trigger":   "Trigger",
		"description":  "Description",
		"text":         "Text",
		"factor_id":    "Contributing factor",
		"parent_id":    "Answers the why of",
		"owner":        "Owner",
		"due_date":     "Due date",
		"type":         "Type",
		"priority":     "Priority",
		"closure_note": "Closure note",
		"rationale":    "Rationale",
		"tracker_url":  "Tracker link",
		"factor_ids":   "Contributing factors",
		"why_ids":      "Whys",
		// postmortems and the review
		"facilitator": "Facilitator",
		"authors":     "Authors",
		"reviewers":   "Reviewers",
		"week":        "Week",
		"from":        "From",
		"to":          "To",
		"attendees":   "Attendees",
		// accounts and settings
		"email":            "Email",
		"name":             "Name",
		"role":             "Role",
		"password":         "Password",
		"password_confirm": "Password again",
		"expires_at":       "Expires",
		"action_due_weeks": "Action items due in weeks",
		"timezone":         "Time zone",
		"current_password": "Current password",
		"new_password":     "New password",
		"format":           "Format",
		"rows":             "Rows",
		"q":                "Words",
		"sort":             "Order",
		"file":             "Markdown file",
	}
	for _, m := range model.Milestones {
		labels[string(m)] = m.Label()
	}
	for _, s := range model.Sections {
		labels["sections."+string(s.Key)] = s.Title
	}
	return labels
}()

// fieldLabel is the label of the field called key.
func fieldLabel(key string) string {
	if l, ok := fieldLabels[key]; ok {
		return l
	}
	if note, ok := strings.CutPrefix(key, "notes."); ok {
		return "Notes on " + strings.ReplaceAll(note, "_", " ")
	}
	return humanize(key)
}

// humanize spells a key as words: "expires_in" → "Expires in".
func humanize(key string) string {
	s := strings.NewReplacer("_", " ", ".", " ").Replace(key)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fieldKey matches what may be another field's key inside a message:
// a word joined to another by "_" or "." (plain words such as "status"
// are left alone, since they are words of the sentence too).
var fieldKey = regexp.MustCompile(`\b[a-z][a-z0-9]*(?:[._][a-z0-9]+)+\b`)

// pageReason is a validation message as a page shows it beside its field:
// the keys of other fields it mentions become their labels. Quoted text
// (what the user typed) is left as it is.
func pageReason(reason string) string {
	parts := strings.Split(reason, `"`)
	for i := 0; i < len(parts); i += 2 { // outside quotes
		parts[i] = fieldKey.ReplaceAllStringFunc(parts[i], func(k string) string {
			if l, ok := fieldLabels[k]; ok {
				return l
			}
			return k
		})
	}
	return strings.Join(parts, `"`)
}

// predicates start a message that reads as a sentence after the field's
// label: "Due date is required", "Acknowledged must not be before
// Detected". Other messages follow a colon: "Impact started: use now, …".
var predicates = []string{"must ", "is ", "are ", "may ", "can ", "cannot ", "has ", "have ", "needs "}

// pageFieldError is one field's error in a list away from the field: the
// error page and the list above a form.
func pageFieldError(key, reason string) string {
	label, reason := fieldLabel(key), pageReason(reason)
	for _, p := range predicates {
		if strings.HasPrefix(reason, p) {
			return label + " " + reason
		}
	}
	return label + ": " + reason
}
