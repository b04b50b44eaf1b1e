package search

import (
	"strings"
	"unicode"
)

// stopwords are common English words that say nothing about a cause.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be because been
		before being below between both but by can could did do does doing down during each few for from further had
		has have having he her here hers him his how i if in into is it its itself just me more most my no nor not now
		of off on once only or other our ours out over own same she should so some such than that the their theirs
		them then there these they this those through to too under until up very was we were what when where which
		while who whom why will with would you your yours also did didn't does not were wasn't isn't weren't cannot
		into onto via per within without still yet however though although since whether every many much one two
		three new old get got make made use used using set being let lets again need needed needs`) {
		m[w] = true
	}
	return m
}()

// Keywords returns the distinct words of text that can tell one incident
// from another, folded as the index folds them (lower case, no
// diacritics), in order of first appearance: no stopwords, no words under
// three characters, no bare numbers.
func Keywords(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, sp := range spans(text) {
		w := fold(text[sp.start:sp.end])
		if seen[w] || stopwords[w] || len([]rune(w)) < 3 || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

// AnyWordIn returns the MATCH expression for a row with any of words in
// one of columns (names of the index's columns, not user input).
func AnyWordIn(columns []string, words []string) string {
	terms := make([]Term, len(words))
	for i, w := range words {
		terms[i] = Term{Kind: Word, Text: w}
	}
	var b strings.Builder
	b.WriteString("{")
	b.WriteString(strings.Join(columns, " "))
	b.WriteString("} : ")
	if len(terms) == 1 {
		b.WriteByte('(')
	}
	writeAny(&b, terms)
	if len(terms) == 1 {
		b.WriteByte(')')
	}
	return b.String()
}
