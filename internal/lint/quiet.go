package lint

import (
	"sort"
	"strings"
)

// Where the words are not the writer's own, findings are dropped or marked:
//
//   - code spans and fenced code blocks (`kubectl delete …`), URLs and
//     Markdown links ([operator error handling](https://…)) are dropped;
//   - a quote introduced as machine output — an alert, log line, message or
//     banner ("the alert read "operator failed to reconcile"") — is dropped;
//   - a quote of what someone said at the time ("Bob wrote in chat "I forgot
//     to drain it"", typical of a learned-later timeline entry) is kept as a
//     lower-key note: Quoted is set and Why/Reframe say so. It is evidence of
//     what people believed then, not the analysis blaming anyone.
//
// And a finding of a judging rule is dropped when its clause is negated
// before it: "nobody was careless", "it was not the engineer's mistake".

const (
	quotedWhy     = "Quoted from the time: a record of what someone said then, worth keeping as evidence; it is not counted as blame in the analysis."
	quotedReframe = "What did this person see at the time that made this feel like the explanation?"
)

// negatable are the rules a preceding negation cancels.
var negatable = wordSet(ruleBlameNoun, ruleJudgement, ruleFaultVerb, "careless", "negligence", "fault")

// pairedQuotes are the quotes that open and close differently.
var pairedQuotes = map[string]string{"“": "”", "«": "»"}

type span struct{ start, end int }

type spans []span // sorted by start, not overlapping

func (ss spans) contains(start, end int) bool {
	n := sort.Search(len(ss), func(i int) bool { return ss[i].start >= end })
	return n > 0 && ss[n-1].end > start
}

// quietSpans returns the spans whose findings are dropped (code, links,
// machine quotes) and those whose findings are marked as quoted speech.
func quietSpans(s *clauseScan) (drop, speech spans) {
	text := s.text
	var all []span
	var kinds []bool // true: speech
	addSpan := func(a, b int, isSpeech bool) {
		all = append(all, span{a, b})
		kinds = append(kinds, isSpeech)
	}
	lastQuote := 0 // where the previous quote ended: words before it introduce that one
	for i := 0; i < len(text); {
		switch {
		case text[i] == '`':
			n := run(text, i, '`')
			fence := strings.Repeat("`", n)
			j := strings.Index(text[i+n:], fence)
			if j < 0 {
				i += n
				continue
			}
			addSpan(i, i+n+j+n, false)
			i += n + j + n
		case strings.HasPrefix(text[i:], "http://") || strings.HasPrefix(text[i:], "https://") || strings.HasPrefix(text[i:], "www."):
			j := i
			for j < len(text) && text[j] > ' ' && text[j] != ')' && text[j] != '>' && text[j] != '"' {
				j++
			}
			addSpan(i, j, false)
			i = j
		case text[i] == '[':
			// [text](url): the link text is a title, not prose.
			j := strings.IndexAny(text[i+1:], "]\n")
			if j < 0 || text[i+1+j] != ']' || !strings.HasPrefix(text[i+2+j:], "(") {
				i++
				continue
			}
			k := strings.IndexAny(text[i+2+j:], ")\n")
			if k < 0 || text[i+2+j+k] != ')' {
				i++
				continue
			}
			addSpan(i, i+2+j+k+1, false)
			i += 2 + j + k + 1
		case text[i] == '"' || strings.HasPrefix(text[i:], "“") || strings.HasPrefix(text[i:], "«"):
			open, closeQ := `"`, `"`
			for o, cl := range pairedQuotes {
				if strings.HasPrefix(text[i:], o) {
					open, closeQ = o, cl
				}
			}
			j := strings.Index(text[i+len(open):], closeQ)
			if nl := strings.IndexByte(text[i+len(open):], '\n'); j < 0 || (nl >= 0 && nl < j) {
				i += len(open)
				continue
			}
			end := i + len(open) + j + len(closeQ)
			switch s.quoteKind(i, lastQuote) {
			case quoteMachine:
				addSpan(i, end, false)
			case quoteSpeech:
				addSpan(i, end, true)
			}
			i, lastQuote = end, end
		default:
			i++
		}
	}
	for k, sp := range all { // already sorted and disjoint: the scan moves forward
		if kinds[k] {
			speech = append(speech, sp)
		} else {
			drop = append(drop, sp)
		}
	}
	return drop, speech
}

func run(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

type quoteKind int

const (
	quotePlain quoteKind = iota
	quoteMachine
	quoteSpeech
)

// quoteKind classifies the quote opening at byte offset at by the words
// before it in its sentence, after the previous quote (which ended at from):
// machine words win over speech words ("the log line said …" is a log line).
func (s *clauseScan) quoteKind(at, from int) quoteKind {
	// The tokens before the quote, nearest first, back to the sentence start.
	i := sort.Search(len(s.toks), func(i int) bool { return s.toks[i].start >= at })
	kind := quotePlain
	colon := strings.HasSuffix(strings.TrimSpace(s.text[max(0, at-3):at]), ":")
	for k := i - 1; k >= 0 && k >= i-8 && s.toks[k].start >= from; k-- {
		w := s.low[k]
		switch {
		case machineWords[w]:
			return quoteMachine
		case speechWords[w]:
			kind = quoteSpeech
		case k == i-1 && colon && (isRoleWord(w) || personPronouns[w] || w == "they" || s.nameAt(k) > 0):
			kind = quoteSpeech // "Bob: "I forgot""
		}
		if strings.ContainsAny(s.gap(k), ".!?\n") {
			break
		}
	}
	return kind
}

// negated reports whether the finding starting at token i follows a negation
// in its clause: "nobody ignored", "it was not the engineer's mistake".
func (s *clauseScan) negated(i int) bool {
	for k := i - 1; k >= 0 && k >= i-12; k-- {
		if strings.ContainsAny(s.gap(k+1), ".!?;:\n") {
			return false
		}
		w := s.low[k]
		switch {
		case negators[w] || strings.HasSuffix(w, "n't") || strings.HasSuffix(w, "n’t"):
			return true
		case w == "one" && k > 0 && s.low[k-1] == "no" && s.sp(k):
			return true
		case negationScope[w]:
			return false
		}
	}
	return false
}

// settle drops findings in code, links and machine quotes and in negated
// clauses, and marks those in quoted speech.
func settle(s *clauseScan, found []Finding) []Finding {
	if len(found) == 0 {
		return found
	}
	drop, speech := quietSpans(s)
	kept := found[:0]
	for _, f := range found {
		if drop.contains(f.Start, f.End) {
			continue
		}
		if negatable[f.Rule] {
			i := sort.Search(len(s.toks), func(i int) bool { return s.toks[i].end > f.Start })
			if i < len(s.toks) && s.negated(i) {
				continue
			}
		}
		if speech.contains(f.Start, f.End) {
			f.Quoted, f.Why, f.Reframe = true, quotedWhy, quotedReframe
		}
		kept = append(kept, f)
	}
	return kept
}
