// Package templates holds Debrief's html/template files: layouts/,
// partials/ and one file per page in pages/.
package templates

import "embed"

// FS holds every template.
//
//go:embed layouts partials pages
var FS embed.FS
