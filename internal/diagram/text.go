package diagram

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// clean makes user text safe to carry in XML 1.0 and collapses its white
// space: invalid UTF-8 becomes U+FFFD, tabs and line breaks become spaces,
// and the characters XML 1.0 forbids (most C0 controls, U+FFFE, U+FFFF) are
// dropped, along with the C1 controls, which no one means to type. Without
// this an SVG holding "\x00" would not parse at all.
func clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // ranging over a string yields U+FFFD for invalid bytes
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r < 0x20, r >= 0x7f && r <= 0x9f, r == 0xfffe, r == 0xffff:
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// isClean reports whether clean would return s unchanged, as it does for
// most text, so that most text costs no copy.
func isClean(s string) bool {
	if !utf8.ValidString(s) || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") || strings.Contains(s, "  ") {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r >= 0x7f && r <= 0x9f || r == 0xfffe || r == 0xffff || r != ' ' && unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// truncate shortens s to at most n runes, marking a cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

// wrap breaks clean text (see clean) into lines at most limit wide, in
// thousandths of an em (see runeWidth), between words, cutting a word
// that is wider than a line. Past maxLines the last line ends in "…";
// callers keep the full text in a <title>. An empty text is one empty
// line. Lines are substrings of text.
func wrap(text string, limit, maxLines int) []string {
	var lines []string
	start, end, used := 0, 0, 0 // the current line is text[start:end]
	for i := 0; i <= len(text); {
		j := strings.IndexByte(text[i:], ' ')
		if j < 0 {
			j = len(text) - i
		}
		word := text[i : i+j]
		switch w := width(word); {
		case end > start && used+space+w <= limit:
			end, used = i+j, used+space+w
		case w <= limit:
			if end > start {
				lines = append(lines, text[start:end])
			}
			start, end, used = i, i+j, w
		default:
			if end > start {
				lines = append(lines, text[start:end])
			}
			var rest string
			lines, rest = cut(word, limit, lines)
			start, end, used = i+j-len(rest), i+j, width(rest)
		}
		i += j + 1
	}
	if end > start || len(lines) == 0 {
		lines = append(lines, text[start:end])
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		last := []rune(lines[maxLines-1])
		for len(last) > 0 && width(string(last))+ellipsis > limit {
			last = last[:len(last)-1]
		}
		lines[maxLines-1] = strings.TrimRight(string(last), " ") + "…"
	}
	return lines
}

// cut breaks a word wider than limit into pieces that fit, appending all
// but the last to lines and returning the last. It cuts only between
// runes, never before a zero-width rune (a combining accent, a variation
// selector) nor after a zero-width joiner, so a letter keeps its accents
// and an emoji sequence stays whole.
func cut(word string, limit int, lines []string) ([]string, string) {
	start, used := 0, 0
	var prev rune
	for i, r := range word {
		w := runeWidth(r)
		if used+w > limit && i > start && w > 0 && prev != zwj {
			lines = append(lines, word[start:i])
			start, used = i, 0
		}
		used += w
		prev = r
	}
	return lines, word[start:]
}

// width estimates how wide s is drawn, in thousandths of an em.
func width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

const (
	zwj      = '\u200d' // zero-width joiner, as in 👩‍💻
	space    = 278      // width of ' '
	ellipsis = 1000     // width of '…'
)

// runeWidth estimates the advance of r in thousandths of an em: exact for
// ASCII in Helvetica (and Arial), 0 for marks and format characters that
// join the rune before them, 1000 for CJK, 1250 for emoji, 600 for the
// rest. It errs wide: text that overflows a box is worse than a line
// that ends early.
func runeWidth(r rune) int {
	switch {
	case r >= ' ' && r <= '~':
		return int(asciiWidths[r-' '])
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf),
		r >= 0xfe00 && r <= 0xfe0f,   // variation selectors
		r >= 0x1f3fb && r <= 0x1f3ff: // skin tone modifiers
		return 0
	}
	for _, rg := range wideRanges {
		if r >= rg.lo && r <= rg.hi {
			return rg.width
		}
	}
	return 600
}

// Advances of ' ' to '~' in Helvetica, which Arial and Liberation Sans
// share, in thousandths of an em.
var asciiWidths = [95]int16{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, //  !"#$%&'()*+,-./
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0-9 :;<=>?
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @A-O
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P-Z [\]^_
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `a-o
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p-z {|}~
}

var wideRanges = [...]struct {
	lo, hi rune
	width  int
}{
	{0x1100, 0x115f, 1000},   // Hangul Jamo
	{0x2600, 0x27bf, 1250},   // symbols and dingbats, mostly drawn as emoji
	{0x2e80, 0x303e, 1000},   // CJK radicals and punctuation
	{0x3041, 0x33ff, 1000},   // kana, CJK symbols
	{0x3400, 0x4dbf, 1000},   // CJK extension A
	{0x4e00, 0x9fff, 1000},   // CJK unified ideographs
	{0xa000, 0xa4cf, 1000},   // Yi
	{0xac00, 0xd7a3, 1000},   // Hangul syllables
	{0xf900, 0xfaff, 1000},   // CJK compatibility ideographs
	{0xfe30, 0xfe4f, 1000},   // CJK compatibility forms
	{0xff00, 0xff60, 1000},   // fullwidth forms
	{0xffe0, 0xffe6, 1000},   // fullwidth signs
	{0x1f000, 0x1faff, 1250}, // emoji and pictographs
	{0x20000, 0x3fffd, 1000}, // CJK extensions B and later
}
