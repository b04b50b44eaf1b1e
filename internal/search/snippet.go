package search

import (
	"html/template"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/debrief-dev/debrief/internal/model"
)

// Highlighter finds a query's words in text and marks them, outside FTS5:
// the index is contentless, so FTS5's snippet() has no text to work on.
// It folds case and diacritics as the index's tokenizer does (unicode61
// remove_diacritics 2), so "cafe" marks "Café". A phrase marks each of its
// words wherever it occurs, and the last word of a prefix term marks the
// words it starts; excluded terms mark nothing.
type Highlighter struct {
	words []needle
}

type needle struct {
	text   string // folded
	prefix bool
}

// NewHighlighter returns the highlighter of q's included terms.
func NewHighlighter(q Query) *Highlighter {
	h := &Highlighter{}
	seen := map[needle]bool{}
	for _, g := range q.Groups {
		for _, t := range g {
			ws := words(t.Text)
			for i, w := range ws {
				n := needle{text: fold(w), prefix: t.Kind == Prefix && i == len(ws)-1}
				if n.text != "" && !seen[n] {
					seen[n] = true
					h.words = append(h.words, n)
				}
			}
		}
	}
	return h
}

// Empty reports whether there is nothing to mark.
func (h *Highlighter) Empty() bool { return len(h.words) == 0 }

var stripMarks = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// fold lowers case and removes diacritics.
func fold(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	out, _, err := transform.String(stripMarks, w)
	if err != nil {
		out = w
	}
	return strings.ToLower(out)
}

// match reports which needle, if any, the word w matches.
func (h *Highlighter) match(w string) bool {
	f := fold(w)
	for _, n := range h.words {
		if f == n.text || n.prefix && strings.HasPrefix(f, n.text) {
			return true
		}
	}
	return false
}

// span is a word's byte range in a text.
type span struct{ start, end int }

// spans returns the words of s, split as words splits them.
func spans(s string) []span {
	var out []span
	start := -1
	for i, r := range s {
		switch {
		case (unicode.IsLetter(r) || unicode.IsNumber(r)) && !unicode.Is(oldMarks, r):
			if start < 0 {
				start = i
			}
		case (unicode.IsMark(r) || unicode.Is(oldMarks, r)) && start >= 0:
		default:
			if start >= 0 {
				out = append(out, span{start, i})
				start = -1
			}
		}
	}
	if start >= 0 {
		out = append(out, span{start, len(s)})
	}
	return out
}

// Count returns how many words of text match.
func (h *Highlighter) Count(text string) int {
	if h.Empty() {
		return 0
	}
	n := 0
	for _, sp := range spans(text) {
		if h.match(text[sp.start:sp.end]) {
			n++
		}
	}
	return n
}

// Mark returns all of text, escaped, with matched words in <mark>.
func (h *Highlighter) Mark(text string) template.HTML {
	return h.excerpt(text, spans(text), 0, -1, false)
}

// Snippet returns an escaped excerpt of text of about size words around
// the densest run of matches, with matched words in <mark> and an ellipsis
// where text was cut. The excerpt stays within one line (a timeline entry,
// a factor, a why), the line with the most matches. Without matches it is
// the start of text.
func (h *Highlighter) Snippet(text string, size int) template.HTML {
	if size <= 0 {
		size = 30
	}
	line, bestCount := text, -1
	if strings.ContainsAny(text, "\r\n") {
		for l := range strings.Lines(text) {
			l = strings.TrimRight(l, "\r\n")
			if strings.TrimSpace(l) == "" {
				continue
			}
			if n := h.Count(l); n > bestCount {
				line, bestCount = l, n
			}
		}
	}
	sps := spans(line)
	if len(sps) == 0 {
		return template.HTML(template.HTMLEscapeString(flatten(model.Truncate(line, 300))))
	}
	// The window of size words with the most matches; the earliest wins.
	hit := make([]bool, len(sps))
	for i, sp := range sps {
		hit[i] = !h.Empty() && h.match(line[sp.start:sp.end])
	}
	best, bestAt, cur := -1, 0, 0
	for i := range sps {
		if hit[i] {
			cur++
		}
		if i >= size && hit[i-size] {
			cur--
		}
		if start := max(0, i-size+1); cur > best {
			best, bestAt = cur, start
		}
	}
	// Start a few words before the first match of the window, for context.
	first := bestAt
	for first < len(sps) && first < bestAt+size && !hit[first] {
		first++
	}
	if first == len(sps) || first == bestAt+size {
		first = bestAt
	}
	from := max(0, first-5)
	to := min(len(sps), from+size)
	return h.excerpt(line, sps, from, to, true)
}

// excerpt escapes text from word from to word to (-1: the end), marking
// matched words; cut adds ellipses where text goes on beyond the excerpt.
func (h *Highlighter) excerpt(text string, sps []span, from, to int, cut bool) template.HTML {
	if to < 0 {
		to = len(sps)
	}
	var b strings.Builder
	begin, end := 0, len(text)
	if cut {
		if from > 0 {
			begin = sps[from].start
			b.WriteString("… ")
		}
		if to < len(sps) {
			end = sps[to-1].end
		}
	}
	pos := begin
	for _, sp := range sps[from:to] {
		if sp.end > end {
			break
		}
		if h.Empty() || !h.match(text[sp.start:sp.end]) {
			continue
		}
		b.WriteString(template.HTMLEscapeString(flatten(text[pos:sp.start])))
		b.WriteString("<mark>")
		b.WriteString(template.HTMLEscapeString(text[sp.start:sp.end]))
		b.WriteString("</mark>")
		pos = sp.end
	}
	b.WriteString(template.HTMLEscapeString(flatten(text[pos:end])))
	if cut && end < len(text) {
		b.WriteString(" …")
	}
	return template.HTML(b.String()) // #nosec G203 -- every piece of text above is escaped
}

// flatten turns line breaks into a separator, for one-line excerpts.
func flatten(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\n", " · ")
}
