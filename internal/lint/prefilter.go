package lint

import (
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Go's regexp has no DFA, and with (?i) it loses its literal-prefix fast path,
// so scanning a page with every pattern costs ~25 ns a byte each. Two exact
// shortcuts, both worked out from the pattern's syntax tree:
//
//   - required: strings one of which occurs in every match ("human" for
//     `human[\s-]+errors?`). A pattern is skipped when none occurs.
//   - prefixes: strings one of which starts every match ("should", "could").
//     Only positions where one occurs are tried, with an anchored regexp.
//
// Both search an ASCII-lower-cased copy of the text, which has the same byte
// offsets. (?i) also matches two non-ASCII runes against ASCII letters, the
// Kelvin sign and the long s; a text holding one of them is scanned in full.
// FuzzCheck compares both paths.

// foldsToASCII lists the non-ASCII runes that case-fold to an ASCII letter.
var foldsToASCII = func() string {
	var b strings.Builder
	for r := 'a'; r <= 'z'; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f >= utf8.RuneSelf {
				b.WriteRune(f)
			}
		}
	}
	return b.String()
}()

// scanText is a text prepared for pattern.each.
type scanText struct {
	text  string
	lower string // ASCII letters lower-cased, same offsets as text
	exact bool   // lower can be trusted for case-insensitive literal search
}

func newScanText(text string) scanText {
	b := []byte(text)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return scanText{text: text, lower: string(b), exact: !strings.ContainsAny(text, foldsToASCII)}
}

// literals are the shortcuts of one pattern; nil fields mean "no shortcut".
type literals struct {
	required []string
	prefixes []string
}

const maxLiterals = 64

func analyse(src string) literals {
	re, err := syntax.Parse(`(?i)`+src, syntax.Perl)
	if err != nil {
		return literals{}
	}
	// A one-letter prefix ("i" in `(?:i|we)\s+failed`) still pays: most of
	// its occurrences are inside words and are skipped a word at a time.
	return literals{required: useful(required(re), 2), prefixes: useful(prefixes(re), 1)}
}

// useful drops a set with a string shorter than minLen.
func useful(lits []string, minLen int) []string {
	if len(lits) == 0 || len(lits) > maxLiterals {
		return nil
	}
	for _, l := range lits {
		if len(l) < minLen {
			return nil
		}
	}
	return lits
}

func literal(re *syntax.Regexp) []string {
	s := string(re.Rune)
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return nil
		}
	}
	return []string{strings.ToLower(s)}
}

func required(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return literal(re)
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		var best []string
		for _, sub := range re.Sub {
			if r := useful(required(sub), 2); r != nil && (best == nil || shortest(r) > shortest(best)) {
				best = r
			}
		}
		return best
	case syntax.OpAlternate:
		return union(re.Sub, required)
	}
	return nil
}

func prefixes(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return literal(re)
	case syntax.OpCapture, syntax.OpPlus:
		return prefixes(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return prefixes(re.Sub[0])
		}
	case syntax.OpConcat:
		return concatPrefixes(re.Sub)
	case syntax.OpAlternate:
		return union(re.Sub, prefixes)
	}
	return nil
}

func concatPrefixes(subs []*syntax.Regexp) []string {
	if len(subs) == 0 {
		return nil
	}
	first, rest := subs[0], subs[1:]
	switch first.Op {
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
		return concatPrefixes(rest) // zero width
	case syntax.OpQuest, syntax.OpStar:
		return merge(prefixes(first.Sub[0]), concatPrefixes(rest))
	case syntax.OpRepeat:
		if first.Min == 0 {
			return merge(prefixes(first.Sub[0]), concatPrefixes(rest))
		}
	case syntax.OpLiteral:
		// Extend "h" + (is|er) to "his", "her": short prefixes filter poorly.
		lit := literal(first)
		if lit == nil {
			return nil
		}
		more := concatPrefixes(rest)
		if more == nil || len(more) > maxLiterals {
			return lit
		}
		out := make([]string, len(more))
		for i, m := range more {
			out[i] = lit[0] + m
		}
		return out
	}
	return prefixes(first)
}

func merge(a, b []string) []string {
	if a == nil || b == nil {
		return nil
	}
	return append(append([]string{}, a...), b...)
}

func union(subs []*syntax.Regexp, f func(*syntax.Regexp) []string) []string {
	var all []string
	for _, sub := range subs {
		r := f(sub)
		if r == nil || len(all)+len(r) > maxLiterals {
			return nil
		}
		all = append(all, r...)
	}
	return all
}

func shortest(lits []string) int {
	n := -1
	for _, l := range lits {
		if n < 0 || len(l) < n {
			n = len(l)
		}
	}
	return n
}

// mayMatch reports whether p can match st at all.
func (p pattern) mayMatch(st scanText) bool {
	if p.lits.required == nil || !st.exact {
		return true
	}
	for _, l := range p.lits.required {
		if strings.Contains(st.lower, l) {
			return true
		}
	}
	return false
}
