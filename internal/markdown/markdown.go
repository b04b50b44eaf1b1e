// Package markdown is Debrief's one Markdown renderer: GitHub-flavoured,
// hard line breaks, and safe — raw HTML and dangerous links are dropped
// (goldmark's default; never WithUnsafe). The store renders text with it
// when it is saved and keeps the HTML, so pages assemble stored fragments
// instead of rendering on every view.
package markdown

import (
	"bytes"
	"html"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// Version names the renderer's output. Raise it whenever a change here
// changes the HTML: stored fragments of an older version are rendered
// again (at start-up, and on read until then).
const Version = 1

var md = New()

// New returns a configured renderer (for callers that want their own).
func New() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithRendererOptions(gmhtml.WithHardWraps()),
	)
}

// Render turns untrusted Markdown into safe HTML.
func Render(src string) string {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return html.EscapeString(src)
	}
	return buf.String()
}
