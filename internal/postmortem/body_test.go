package postmortem

import (
	"strings"
	"testing"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	east "github.com/yuin/goldmark/extension/ast"
)

// splitCells splits one table row into the cells Parse reads from it,
// with goldmark's GFM tables as Parse does: under a header wide enough,
// the cells written (not the ones goldmark pads the row with).
func splitCells(line string) []string {
	const width = 64
	src := "|" + strings.Repeat(" h |", width) + "\n|" + strings.Repeat(" - |", width) + "\n" + line
	b := parseBody(strings.Split(src, "\n"), 0)
	tn, ok := b.root.FirstChild().(*east.Table)
	if !ok || tn.FirstChild() == nil || tn.FirstChild().NextSibling() == nil {
		return nil
	}
	var out []string
	for c := tn.FirstChild().NextSibling().FirstChild(); c != nil; c = c.NextSibling() {
		if c.Lines().Len() == 0 {
			break // padding
		}
		out = append(out, b.cellText(c))
	}
	return out
}

func TestParseRefusesNestingTooDeep(t *testing.T) {
	for _, prefix := range []string{">", "> ", "- ", "1. ", "> - "} {
		_, err := Parse([]byte("# Title\n\n## Summary\n\nok\n" + strings.Repeat(prefix, maxNesting+1) + "deep\n"))
		var pe *ParseError
		require.ErrorAs(t, err, &pe, "prefix %q", prefix)
		assert.Equal(t, 6, pe.Line)
		assert.Contains(t, pe.Msg, "more than 100 quotes or lists")
	}
	p, err := Parse([]byte("## Summary\n\n" + strings.Repeat("> ", maxNesting) + "deep enough\n"))
	require.NoError(t, err)
	assert.Contains(t, p.Sections["summary"], "deep enough")
}

// The parts of a document are the blocks goldmark sees: a heading, a
// table or a marker inside a code block or an HTML block is text.
func TestParseFindsBlocksAsGoldmarkDoes(t *testing.T) {
	src := "# Notes\n\n## Summary\n\n```\n## Impact\n| Time | Event |\n| --- | --- |\n| 2026-11-22T14:00:00Z | in a fence |\n```\n\n" +
		"<div>\n## Timeline\n</div>\n\n## Timeline\n\n| Time | Event |\n| --- | --- |\n| 2026-11-22T15:00:00Z | read |\n"
	p, err := Parse([]byte(src))
	require.NoError(t, err)
	assert.NotContains(t, p.Sections, model.SectionKey("impact"))
	assert.Contains(t, p.Sections["summary"], "## Impact")
	assert.Contains(t, p.Sections["summary"], "<div>\n## Timeline\n</div>")
	require.Len(t, p.Timeline, 1)
	assert.Equal(t, "read", p.Timeline[0].Body)

	marker := "---\ndebrief:\n  id: 7\n---\n\n# T\n\n## Summary\n<!-- debrief:section summary -->\n\n```\n## Impact\n<!-- debrief:section impact -->\n```\n"
	p, err = Parse([]byte(marker))
	require.NoError(t, err)
	assert.Equal(t, "```\n## Impact\n<!-- debrief:section impact -->\n```", p.Sections["summary"])
	assert.NotContains(t, p.Sections, model.SectionKey("impact"))
}
