package postmortem

import (
	"regexp"
	"strings"

	"github.com/debrief-dev/debrief/internal/model"
)

var slugUnsafe = regexp.MustCompile(`[^a-z0-9]+`)

// Slug is a file-name-safe form of a title: lower case ASCII letters and
// digits joined by hyphens, at most 60 characters.
func Slug(title string) string {
	s := strings.Trim(slugUnsafe.ReplaceAllString(strings.ToLower(title), "-"), "-")
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	if s == "" {
		s = "incident"
	}
	return s
}

// FileName is the name of an incident's postmortem in an export:
// YYYY-MM-DD-<slug>.md, dated by when the impact started (else when the
// incident was declared), in UTC.
func FileName(inc *model.Incident) string {
	day := inc.CreatedAt
	if inc.StartedAt != nil {
		day = *inc.StartedAt
	}
	return day.UTC().Format("2006-01-02") + "-" + Slug(inc.Title) + ".md"
}
