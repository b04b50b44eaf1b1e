// Package migrations holds Debrief's versioned schema changes (goose format),
// embedded into the binary and applied at start-up.
package migrations

import "embed"

// FS holds the *.sql migration files at its root.
//
//go:embed *.sql
var FS embed.FS
