// Package web holds Debrief's static assets, embedded into the binary.
package web

import "embed"

// FS holds css/, js/ and img/.
//
//go:embed css js img
var FS embed.FS
