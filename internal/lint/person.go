package lint

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The person-as-cause check is a heuristic, not a parser. A name from the
// incident's roles is a finding when
//
//   - it starts a sentence or clause: after . ! ? ; , : a bracket, a dash, a
//     bullet or a line break, or after a conjunction ("and", "but", "because",
//     "when", "that" …), with only lead-in words or a timestamp in between
//     ("Then Bob ran", "14:02 UTC Alice deployed", "At 14:02, Alice …");
//   - it is followed, after at most one adverb ("accidentally", "then"), by a
//     past-tense verb: a word ending in -ed (not -eed) or an irregular past
//     from pastIrregular;
//   - the verb is not in nonCausal (noticing, paging, escalating, mitigating,
//     reverting, "rolled back", "failed over" …), does not lead to a response
//     ("decided to roll back"), and its object is not a coordination artefact
//     ("opened an incident", "updated the status page").
//
// "Alice's deploy broke" is not a finding (a possessive is not the subject),
// nor is "the config Alice deployed" or "Alice was paged". A name that is
// also a common word ("Will", "May") fires only when it is in people.
const personWhy = "Naming a person as the cause stops the analysis at them, when anyone in the same seat, with the same tools and signals, might well have done the same."

var (
	// leadIns may stand between a clause boundary and its subject.
	leadIns = wordSet("then", "later", "next", "finally", "first", "afterwards", "afterward",
		"meanwhile", "subsequently", "eventually", "also", "unfortunately", "at", "around", "about",
		"approximately", "approx", "utc", "gmt", "am", "pm", "today", "yesterday", "earlier", "shortly",
		"soon", "immediately", "min", "mins", "minute", "minutes", "second", "seconds", "hour", "hours")

	// clauseWords start a new clause, so a name right after one is its subject.
	clauseWords = wordSet("and", "but", "so", "or", "because", "when", "whenever", "after", "before",
		"while", "since", "as", "once", "until", "that", "if", "where", "whereupon")

	adverbs = wordSet("then", "also", "again", "just", "still", "later", "once", "manually", "quickly")

	// pastIrregular are causal pasts that do not end in -ed ("deployed",
	// "merged", "restarted" … are caught by the suffix).
	pastIrregular = wordSet("ran", "made", "broke", "forgot", "sent", "took", "did", "set", "put",
		"wrote", "cut", "shut", "hit", "began", "brought", "built", "chose", "drove", "gave", "got",
		"kept", "left", "let", "lost", "overrode", "overwrote", "rebuilt", "reset", "rewrote", "spun",
		"threw", "tore", "undid", "misread", "mistook", "upset", "split", "spent", "hid", "froze",
		"drew", "sped")

	// nonCausal verbs describe detection, response and communication.
	nonCausal = wordSet("noticed", "saw", "paged", "escalated", "acknowledged", "acked", "mitigated",
		"investigated", "restored", "resolved", "joined", "asked", "said", "confirmed", "reported",
		"found", "identified", "observed", "detected", "discovered", "diagnosed", "debugged",
		"triaged", "alerted", "notified", "called", "messaged", "posted", "replied", "responded",
		"checked", "verified", "validated", "monitored", "watched", "coordinated", "communicated",
		"led", "declared", "tried", "attempted", "suggested", "proposed", "recommended", "explained",
		"looked", "searched", "reviewed", "helped", "pinged", "recovered", "fixed", "repaired",
		"reverted", "learned", "learnt", "realized", "realised", "recognized", "recognised", "knew",
		"received", "assumed", "believed", "thought", "expected", "waited", "agreed", "handed",
		"wondered", "shared", "summarized", "summarised", "documented", "tracked", "answered",
		"blamed") // "Bob blamed himself" is left to the blame rule

	// responseAfterTo: "decided to roll back", "chose to escalate" are response too.
	responseAfterTo = wordSet("roll", "escalate", "page", "investigate", "mitigate", "restore",
		"revert", "fail", "wait", "check", "monitor", "ask", "notify", "declare", "drain", "pause")

	// nonCausalParticle: "rolled back", "failed over", "took over" are response, "rolled out" is not.
	nonCausalParticle = map[string]string{"rolled": "back", "failed": "over", "took": "over", "stepped": "in", "signed": "off"}

	// coordination objects: "opened an incident", "started a bridge", "updated the status page".
	coordination = wordSet("incident", "ticket", "bridge", "channel", "call", "thread", "issue",
		"status", "statuspage", "postmortem", "timeline", "doc", "docs", "document", "investigation",
		"war", "zoom", "slack", "meeting", "sev", "sev1", "sev2", "sev3", "sev4", "page")

	determiners = wordSet("a", "an", "the", "this", "that", "our", "their", "his", "her", "its", "my", "new")

	missVerbs   = wordSet("forgot", "failed", "missed", "skipped", "overlooked", "ignored", "neglected", "omitted", "misread", "mistook")
	deployVerbs = wordSet("deployed", "pushed", "shipped", "released", "rolled", "promoted", "published")
	mergeVerbs  = wordSet("merged", "approved", "committed")
	deleteVerbs = wordSet("deleted", "dropped", "removed", "truncated", "wiped", "purged", "destroyed", "killed", "terminated", "erased")
	runVerbs    = wordSet("ran", "executed", "typed", "invoked", "launched", "started", "applied", "triggered")
)

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// token is a word of text: letters, digits and marks, with inner apostrophes
// and hyphens ("O'Brien", "Jean-Luc", "on-call", "Alice's").
type token struct {
	start, end int
	text       string
}

func isJoiner(r rune) bool { return r == '\'' || r == '’' || r == '-' }

func tokenize(s string) []token {
	toks := make([]token, 0, len(s)/6+1) // English averages a word every 5–6 bytes
	start := -1
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		case start >= 0 && isJoiner(r) && i+size < len(s):
			if next, _ := utf8.DecodeRuneInString(s[i+size:]); !isWordRune(next) {
				toks = append(toks, token{start, i, s[start:i]})
				start = -1
			}
		case start >= 0:
			toks = append(toks, token{start, i, s[start:i]})
			start = -1
		}
		i += size
	}
	if start >= 0 {
		toks = append(toks, token{start, len(s), s[start:]})
	}
	return toks
}

// names returns the people's names as token lists, longest first: each full
// name and, for "First Last", the first name alone.
func names(people []string) [][]string {
	var out [][]string
	seen := map[string]bool{}
	add := func(words []string) {
		key := strings.ToLower(strings.Join(words, " "))
		if !seen[key] {
			seen[key] = true
			out = append(out, words)
		}
	}
	for _, p := range people {
		toks := tokenize(p)
		if len(toks) == 0 {
			continue
		}
		words := make([]string, len(toks))
		for i, t := range toks {
			words[i] = t.text
		}
		add(words)
		if len(words) > 1 {
			add(words[:1])
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

func onlySpace(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// breaks reports whether the text between two words ends a clause.
func breaks(gap string) bool {
	for i, r := range gap {
		switch r {
		case '.', '!', '?', ';', ',', '(', ')', '[', ']', '{', '}', '"', '“', '”', '«', '»',
			'\n', '\r', '|', '*', '•', '-', '–', '—', '>', '#':
			return true
		case ':':
			// "Note: Alice" breaks; the colon in "14:02" sits between two words.
			if i+1 < len(gap) {
				return true
			}
		}
	}
	return false
}

func hasDigit(s string) bool {
	return strings.IndexFunc(s, unicode.IsDigit) >= 0
}

// personScan is the person check's state for one text.
type personScan struct {
	text  string
	toks  []token
	names [][]string
}

func (s *personScan) gap(i int) string { // text between token i-1 and token i
	start := 0
	if i > 0 {
		start = s.toks[i-1].end
	}
	return s.text[start:s.toks[i].start]
}

func (s *personScan) lower(i int) string { return strings.ToLower(s.toks[i].text) }

// nameAt returns how many tokens from i spell a name, or 0.
func (s *personScan) nameAt(i int) int {
next:
	for _, n := range s.names {
		if i+len(n) > len(s.toks) {
			continue
		}
		for k, w := range n {
			if !strings.EqualFold(s.toks[i+k].text, w) || (k > 0 && !onlySpace(s.gap(i+k))) {
				continue next
			}
		}
		return len(n)
	}
	return 0
}

// startsClause reports whether token i stands where a subject can.
func (s *personScan) startsClause(i int) bool {
	for k := i - 1; k >= i-7; k-- {
		if breaks(s.gap(k+1)) || k < 0 {
			return true
		}
		w := s.lower(k)
		switch {
		case clauseWords[w]:
			return true
		case leadIns[w] || hasDigit(w):
		default:
			return false
		}
	}
	return false
}

func newPersonScan(text string, people []string) *personScan {
	return &personScan{text: text, names: names(people), toks: tokenize(text)}
}

// findings are the person-as-cause findings of the names in s.
func (s *personScan) findings() []Finding {
	if len(s.names) == 0 {
		return nil
	}
	text := s.text
	var out []Finding
	next := 0 // tokens before next belong to a subject already checked
	for i := range s.toks {
		if i < next {
			continue
		}
		n := s.nameAt(i)
		if n == 0 || !s.startsClause(i) {
			continue
		}
		j := i + n // first token after the subject
		// "Alice and Bob deployed", "Alice & Bob deployed"
		for j < len(s.toks) {
			if g := strings.TrimSpace(s.gap(j)); g == "&" {
				if m := s.nameAt(j); m > 0 {
					j += m
					continue
				}
			} else if g == "" && s.lower(j) == "and" && j+1 < len(s.toks) && onlySpace(s.gap(j+1)) {
				if m := s.nameAt(j + 1); m > 0 {
					j += 1 + m
					continue
				}
			}
			break
		}
		next = j // "Bob" in "Alice and Bob" would only repeat a shorter finding
		subject := text[s.toks[i].start:s.toks[j-1].end]
		if j < len(s.toks) && onlySpace(s.gap(j)) && isAdverb(s.lower(j)) && j+1 < len(s.toks) && onlySpace(s.gap(j+1)) {
			j++
		}
		if j >= len(s.toks) || !onlySpace(s.gap(j)) {
			continue
		}
		verb := s.lower(j)
		if !s.causal(verb, j) {
			continue
		}
		start, end := s.toks[i].start, s.toks[j].end
		out = append(out, Finding{
			Rule:    "person-as-cause",
			Phrase:  text[start:end],
			Start:   start,
			End:     end,
			Why:     personWhy,
			Reframe: reframe(verb, subject),
		})
	}
	return out
}

func isAdverb(w string) bool {
	return adverbs[w] || (strings.HasSuffix(w, "ly") && utf8.RuneCountInString(w) > 4)
}

// causal reports whether verb (token j) describes an action that could cause harm.
func (s *personScan) causal(verb string, j int) bool {
	if nonCausal[verb] {
		return false
	}
	if !pastIrregular[verb] && !(strings.HasSuffix(verb, "ed") && !strings.HasSuffix(verb, "eed") && utf8.RuneCountInString(verb) >= 4) {
		return false
	}
	k := j + 1
	if k < len(s.toks) && onlySpace(s.gap(k)) {
		if p, ok := nonCausalParticle[verb]; ok && s.lower(k) == p {
			return false
		}
		if s.lower(k) == "to" && k+1 < len(s.toks) && onlySpace(s.gap(k+1)) && responseAfterTo[s.lower(k+1)] {
			return false
		}
		for k < len(s.toks)-1 && determiners[s.lower(k)] && onlySpace(s.gap(k+1)) {
			k++
		}
		if coordination[s.lower(k)] {
			return false
		}
	}
	return true
}

func reframe(verb, subject string) string {
	var q string
	switch {
	case missVerbs[verb]:
		q = "What made this step easy to miss?"
	case deployVerbs[verb]:
		q = "What in the deploy path let this change through?"
	case mergeVerbs[verb]:
		q = "What in the review and merge path let this change through?"
	case deleteVerbs[verb]:
		q = "Which safeguard should stand between a destructive action and production?"
	case runVerbs[verb]:
		q = "What in the tooling made running this look safe at the time?"
	default:
		q = "What in the system made this step possible, or made it look right at the time?"
	}
	return fmt.Sprintf("%s Describe the system, not %s.", q, subject)
}
