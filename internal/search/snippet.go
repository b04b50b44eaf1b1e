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

// match reports whether the word w matches a needle. ASCII words, most of
// what people write, are compared without allocating.
func (h *Highlighter) match(w string) bool {
	if isASCII(w) {
		for _, n := range h.words {
			if len(w) == len(n.text) && asciiEqualFold(w, n.text) ||
				n.prefix && len(w) > len(n.text) && asciiEqualFold(w[:len(n.text)], n.text) {
				return true
			}
		}
		return false
	}
	f := fold(w)
	for _, n := range h.words {
		if f == n.text || n.prefix && strings.HasPrefix(f, n.text) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiEqualFold compares an ASCII word with a folded (lower-case) needle.
func asciiEqualFold(w, lower string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// span is a word's byte range in a text.
type span struct{ start, end int }

// asciiWord marks the ASCII bytes that are letters or digits.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// eachWord calls yield with the byte range of every word of s, split as
// words splits them (a word starts at a letter or digit and runs over
// letters, digits and marks), until yield returns false.
func eachWord(s string, yield func(start, end int) bool) {
	start := -1
	for i := 0; i < len(s); {
		c := s[i]
		var letter, mark bool
		size := 1
		if c < utf8.RuneSelf {
			letter = asciiWord[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			letter = (unicode.IsLetter(r) || unicode.IsNumber(r)) && !unicode.Is(oldMarks, r)
			mark = !letter && (unicode.IsMark(r) || unicode.Is(oldMarks, r))
		}
		switch {
		case letter:
			if start < 0 {
				start = i
			}
		case mark && start >= 0:
		default:
			if start >= 0 {
				if !yield(start, i) {
					return
				}
				start = -1
			}
		}
		i += size
	}
	if start >= 0 {
		yield(start, len(s))
	}
}

// spans returns the words of s.
func spans(s string) []span {
	var out []span
	eachWord(s, func(start, end int) bool {
		out = append(out, span{start, end})
		return true
	})
	return out
}

// Count returns how many words of text match.
func (h *Highlighter) Count(text string) int {
	if h.Empty() {
		return 0
	}
	n := 0
	eachWord(text, func(start, end int) bool {
		if h.match(text[start:end]) {
			n++
		}
		return true
	})
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

// Has reports whether any word of text matches, as Count(text) > 0 does.
// For ASCII needles it looks for the needle's bytes first (a fast byte
// search) and checks word edges only where they occur, so ASCII text
// without the words, the usual case, is never split into words.
func (h *Highlighter) Has(text string) bool {
	for _, n := range h.words {
		if !isASCII(n.text) || n.text == "" {
			return h.Count(text) > 0 // folding may change lengths: split into words
		}
	}
	for _, n := range h.words {
		if hasASCIIWord(text, n) {
			return true
		}
	}
	// A word with diacritics or marks may fold to a needle ("Café" is
	// cafe): where there are any, split into words after all.
	return !isASCII(text) && h.Count(text) > 0
}

// hasASCIIWord reports whether text holds the ASCII needle n as a word (or,
// for a prefix, at the start of one), ignoring ASCII case. Word edges are
// those of eachWord: a letter, digit or mark next to the needle continues
// the word.
func hasASCIIWord(text string, n needle) bool {
	first := n.text[0]
	upper := first
	if 'a' <= first && first <= 'z' {
		upper -= 'a' - 'A'
	}
	for i := 0; i+len(n.text) <= len(text); {
		j := indexEither(text[i:], first, upper)
		if j < 0 {
			return false
		}
		at := i + j
		end := at + len(n.text)
		if end <= len(text) && asciiEqualFold(text[at:end], n.text) && !wordBefore(text, at) && (n.prefix || !wordAfter(text, end)) {
			return true
		}
		i = at + 1
	}
	return false
}

// indexEither is the first index of a or b in s, or -1.
func indexEither(s string, a, b byte) int {
	i := strings.IndexByte(s, a)
	if a == b {
		return i
	}
	j := strings.IndexByte(s, b)
	switch {
	case i < 0:
		return j
	case j < 0 || i < j:
		return i
	}
	return j
}

// wordBefore reports whether the word that starts at byte i began earlier:
// the character before it is a letter or digit, or marks that follow one.
func wordBefore(s string, i int) bool {
	for i > 0 {
		if c := s[i-1]; c < utf8.RuneSelf {
			return asciiWord[c]
		}
		r, size := utf8.DecodeLastRuneInString(s[:i])
		switch {
		case (unicode.IsLetter(r) || unicode.IsNumber(r)) && !unicode.Is(oldMarks, r):
			return true
		case unicode.IsMark(r) || unicode.Is(oldMarks, r):
			i -= size // a mark continues a word only after a letter
		default:
			return false
		}
	}
	return false
}

// wordAfter reports whether the character at byte i continues a word.
func wordAfter(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	if c := s[i]; c < utf8.RuneSelf {
		return asciiWord[c]
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) || unicode.Is(oldMarks, r)
}
