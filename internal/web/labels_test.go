package web

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPageFieldError(t *testing.T) {
	for _, tc := range []struct{ key, reason, want string }{
		{"due_date", "is required", "Due date is required"},
		{"acknowledged_at", "must not be before detected_at (2026-11-22 14:10:00 UTC)",
			"Acknowledged must not be before Detected (2026-11-22 14:10:00 UTC)"},
		{"detected_at", "must not be after acknowledged_at (2026-11-22 14:05:00 UTC)",
			"Detected must not be after Acknowledged (2026-11-22 14:05:00 UTC)"},
		{"started_at", "use now, -5m, -1h30m, a UTC clock time like 14:32",
			"Impact started: use now, -5m, -1h30m, a UTC clock time like 14:32"},
		{"resolved_at", "can only be set when the status is resolved", "Resolved can only be set when the status is resolved"},
		{"status", "must be resolved when resolved_at is set", "Status must be resolved when Resolved is set"},
		{"roles.commander", "must be at most 100 characters", "Incident commander must be at most 100 characters"},
		{"sections.went_well", "must be at most 100000 characters", "What went well must be at most 100000 characters"},
		{"notes.trends", "must be plain text", "Notes on trends must be plain text"},
		{"expires_in", "must be positive", "Expires in must be positive"},
		// What the user typed is quoted and stays as typed.
		{"severity", `unknown severity "due_date"`, `Severity: unknown severity "due_date"`},
		// A word that is also a key (status) is left alone in the text.
		{"status", `unknown status "closed"; use one of investigating, identified`, `Status: unknown status "closed"; use one of investigating, identified`},
	} {
		assert.Equal(t, tc.want, pageFieldError(tc.key, tc.reason), tc.key)
	}
	// Beside its field the label is already shown: only the keys in the text change.
	assert.Equal(t, "must not be before Detected (14:10)", pageReason("must not be before detected_at (14:10)"))
	assert.Equal(t, "", pageReason(""))
}
