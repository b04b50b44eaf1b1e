// Package search turns what a person types into the archive search box into
// a Query, and a Query into an SQLite FTS5 MATCH expression. Raw input never
// reaches MATCH unparsed: the operators come from Parse, and every word or
// phrase the person typed goes into the expression as a quoted FTS5 string,
// where nothing is syntax, so no input can be an FTS5 syntax error.
//
// The query language is the one people know from web and code search:
//
//	outage dns          both words (whitespace means AND)
//	"connection pool"   the words next to each other, in this order
//	dead*               a word that starts with "dead" (deadlock, deadline, ...)
//	-staging            no row that has the word staging
//	-"load test"        no row that has the phrase
//	dns OR tls          either word; OR binds tighter than AND, so
//	                    dns OR tls expired = (dns OR tls) AND expired
//
// The details, in the order Parse applies them:
//
//   - Terms are separated by whitespace (unicode.IsSpace).
//   - A term that starts with " is a phrase that runs to the next " or, when
//     there is none, to the end of the input. A " anywhere else is
//     punctuation.
//   - A term that starts with - is an exclusion: -word, -"a phrase",
//     -prefix*. Only the first - counts (--x excludes x). A - on its own is
//     ignored.
//   - OR, in upper case, unquoted and not excluded, joins the terms just
//     before and after it into one group that matches when any of them does.
//     An OR that does not stand between two included terms (a OR, OR b,
//     a OR -b) is ignored, and so is a run of ORs beyond the first. Lower-case
//     or, and "OR" in quotes, are the word or.
//   - A word that ends in * is a prefix, if the character before the * is a
//     letter, digit or mark (dead*, payments-a*); otherwise the * is
//     punctuation, and a bare * or -* is ignored.
//   - A term's text goes to FTS5 as typed, in quotes, so the table's
//     unicode61 tokenizer splits it into tokens exactly as it split the rows:
//     letters and digits make tokens; punctuation, symbols, emoji and joiners
//     separate them. A word with several tokens is therefore a phrase of
//     them: payments-api finds the text "payments-api" (and "payments api"),
//     and title:foo searches the phrase "title foo". FTS5 operators typed by
//     a person (AND, NOT, NEAR, NEAR(, ^, :, +, parentheses, braces) are
//     plain words or punctuation, never syntax.
//   - A term with no letter or digit (🔥, ***, --, :) is dropped, as if it
//     had not been typed, before OR groups are formed.
//   - Only the first MaxTerms terms, included or excluded, are used; the
//     rest are ignored, so a long query cannot build a long expression.
//
// Case and diacritics are left as typed: the FTS5 table's tokenizer
// (unicode61 remove_diacritics 2) folds the query as it folded the rows.
package search

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/debrief-dev/debrief/internal/model"
)

// MaxQueryLen is the longest query accepted, in characters.
const MaxQueryLen = 500

// MaxTerms is how many terms of a query are used; later ones are ignored.
const MaxTerms = 32

// Kind is what a Term matches.
type Kind uint8

const (
	// Word matches one word.
	Word Kind = iota
	// Phrase matches its words next to each other, in order.
	Phrase
	// Prefix matches like Word or Phrase, except that its last word only
	// has to start a word of the row.
	Prefix
)

func (k Kind) String() string {
	switch k {
	case Word:
		return "word"
	case Phrase:
		return "phrase"
	case Prefix:
		return "prefix"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Term is one thing to match.
type Term struct {
	Kind Kind
	// Text is the term as typed, without the quotes or - around it or the *
	// that makes it a prefix. It has at least one letter or digit.
	Text string
}

// Group matches when any of its terms does. A term typed without OR beside
// it is a group of one.
type Group []Term

// Query is a parsed search: a row is a hit when it matches every group and
// none of the excluded terms.
type Query struct {
	Groups   []Group
	Excluded []Term
}

// Parse reads what a person typed. It never fails on content: anything is
// a query, possibly an empty one. It fails only when s is longer than
// MaxQueryLen characters, is not valid UTF-8, or contains a NUL, with a
// *model.ValidationError on the field "q".
func Parse(s string) (Query, error) {
	switch {
	case !utf8.ValidString(s):
		return Query{}, model.FieldError("q", "must be valid UTF-8 text")
	case strings.IndexByte(s, 0) >= 0:
		return Query{}, model.FieldError("q", "must not contain NUL characters")
	case utf8.RuneCountInString(s) > MaxQueryLen:
		return Query{}, model.FieldError("q", "must be at most 500 characters")
	}

	var q Query
	terms := 0
	joinable := false // the last term kept was included, so an OR can follow it
	sawOR := false    // an OR since the last term
	for _, it := range lex(s) {
		if it.or {
			sawOR = true
			continue
		}
		if terms == MaxTerms {
			break
		}
		terms++
		switch {
		case it.excluded:
			q.Excluded = append(q.Excluded, it.term)
			joinable = false
		case sawOR && joinable:
			last := len(q.Groups) - 1
			q.Groups[last] = append(q.Groups[last], it.term)
		default:
			q.Groups = append(q.Groups, Group{it.term})
			joinable = true
		}
		sawOR = false
	}
	return q, nil
}

// Empty reports whether the query has nothing to search for. Callers then
// list nothing or everything, their choice.
func (q Query) Empty() bool {
	return len(q.Groups) == 0 && len(q.Excluded) == 0
}

// MATCH returns the FTS5 MATCH expression for q, to be passed as a bound
// parameter. Every term is an FTS5 string ("..." with " doubled), a prefix is
// "..."*, a group of several terms is parenthesised with OR, groups are
// joined with AND and exclusions follow NOT:
//
//	(("dns" OR "tls") AND "expired") NOT ("staging" OR "load test")
//
// ok is false when q is empty or has only exclusions, which FTS5 cannot
// evaluate on their own; the caller then shows no hits, or handles it.
func (q Query) MATCH() (expr string, ok bool) {
	if len(q.Groups) == 0 {
		return "", false
	}
	var b strings.Builder
	if len(q.Groups) > 1 && len(q.Excluded) > 0 {
		b.WriteByte('(')
	}
	for i, g := range q.Groups {
		if i > 0 {
			b.WriteString(" AND ")
		}
		writeAny(&b, g)
	}
	if len(q.Groups) > 1 && len(q.Excluded) > 0 {
		b.WriteByte(')')
	}
	if len(q.Excluded) > 0 {
		b.WriteString(" NOT ")
		writeAny(&b, q.Excluded)
	}
	return b.String(), true
}

// Highlights returns the plain words of the included terms, each once
// (compared without case), in the order typed, for highlighting snippets
// outside FTS5. The last word of a Prefix term is the start of a word.
func (q Query) Highlights() []string {
	var hs []string
	seen := map[string]bool{}
	for _, g := range q.Groups {
		for _, t := range g {
			for _, w := range words(t.Text) {
				if k := strings.ToLower(w); !seen[k] {
					seen[k] = true
					hs = append(hs, w)
				}
			}
		}
	}
	return hs
}

// writeAny writes terms as one operand: a single term, or (t1 OR t2 ...).
func writeAny(b *strings.Builder, terms []Term) {
	if len(terms) == 1 {
		writeTerm(b, terms[0])
		return
	}
	b.WriteByte('(')
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" OR ")
		}
		writeTerm(b, t)
	}
	b.WriteByte(')')
}

func writeTerm(b *strings.Builder, t Term) {
	b.WriteByte('"')
	b.WriteString(strings.ReplaceAll(t.Text, `"`, `""`))
	b.WriteByte('"')
	if t.Kind == Prefix {
		b.WriteByte('*')
	}
}

// item is one lexed term, or an OR.
type item struct {
	term     Term
	excluded bool
	or       bool
}

// lex splits s into items, dropping terms that have no word.
func lex(s string) []item {
	var items []item
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		excluded := r == '-'
		if excluded {
			i++
			if i == len(s) {
				break
			}
			if r, _ = utf8.DecodeRuneInString(s[i:]); unicode.IsSpace(r) {
				continue
			}
		}
		if r == '"' {
			start := i + 1
			end := strings.IndexByte(s[start:], '"')
			if end < 0 {
				end = len(s) - start // an unclosed phrase runs to the end
			}
			text := s[start : start+end]
			i = start + end + 1 // past the closing quote, or the end
			if t, ok := phrase(text); ok {
				items = append(items, item{term: t, excluded: excluded})
			}
			continue
		}
		word := s[i:]
		if end := strings.IndexFunc(word, unicode.IsSpace); end >= 0 {
			word = word[:end]
		}
		i += len(word)
		if word == "OR" && !excluded {
			items = append(items, item{or: true})
			continue
		}
		if t, ok := bareWord(word); ok {
			items = append(items, item{term: t, excluded: excluded})
		}
	}
	return items
}

// phrase is the term for the text between quotes.
func phrase(text string) (Term, bool) {
	switch len(words(text)) {
	case 0:
		return Term{}, false
	case 1:
		return Term{Kind: Word, Text: text}, true
	}
	return Term{Kind: Phrase, Text: text}, true
}

// bareWord is the term for an unquoted word: a word, a phrase when it has
// punctuation between words, or a prefix when it ends in * after a letter,
// digit or mark.
func bareWord(word string) (Term, bool) {
	base := strings.TrimRight(word, "*")
	last, _ := utf8.DecodeLastRuneInString(base)
	if len(base) == len(word) || !inWord(last) {
		return phrase(word)
	}
	t, ok := phrase(base)
	if ok {
		t.Kind = Prefix
	}
	return t, ok
}

// words splits s into words about as FTS5's unicode61 tokenizer does: a
// word starts at a letter or digit and runs over letters, digits and marks.
// It decides only which terms are dropped, their Kind and Highlights; the
// tokens that are searched are FTS5's own. (unicode61 also ends a token at
// most marks, and keeps code points that are unassigned in its older Unicode
// tables, such as newer emoji, as token characters.)
func words(s string) []string {
	sps := spans(s)
	ws := make([]string, len(sps))
	for i, sp := range sps {
		ws[i] = s[sp.start:sp.end]
	}
	return ws
}

// oldMarks are letters in Go's Unicode tables that were spacing marks in
// older ones, and still are to unicode61, so that on their own they make no
// token: a term of only these would be an FTS5 phrase that matches nothing.
var oldMarks = &unicode.RangeTable{R16: []unicode.Range16{
	{Lo: 0x19B0, Hi: 0x19C0, Stride: 1}, // New Tai Lue vowel signs
	{Lo: 0x19C8, Hi: 0x19C9, Stride: 1}, // New Tai Lue tone marks
	{Lo: 0x1CF2, Hi: 0x1CF3, Stride: 1}, // Vedic signs ardhavisarga, rotated ardhavisarga
}}

// inWord reports whether r can be part of a word (see words).
func inWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}
