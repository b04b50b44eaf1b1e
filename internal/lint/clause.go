package lint

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The clause checks find blame that is a grammatical shape rather than a
// phrase: a subject that is a person or a role ("the on-call", "an operator",
// "someone", "she", a name from the incident's roles) with a predicate of
// fault ("ignored", "was too busy to", "was responsible for the outage"), a
// blame noun that belongs to someone ("the engineer's mistake", "a mistake
// by the operator"), a judgement of a person ("sloppy", "junior" as the
// cause), and a counterfactual about a person ("if the reviewer had …").
//
// Like the person check, it is a heuristic over words, not a parser:
// subjects are found where a clause starts (see personScan.startsClause), a
// noun phrase is at most a determiner, three modifiers and a role noun, and
// words match by lemma (see lemmaIn). It stays quiet when the subject is a
// system ("the health check ignored the flag"), when the clause is negated
// ("nobody ignored the alert"), and inside code, links, and quoted alerts or
// log lines (see quiet.go).

// Rule ids of the clause checks.
const (
	ruleBlameNoun    = "blame-noun"
	ruleJudgement    = "judgement"
	ruleFaultVerb    = "fault-verb"
	ruleRoleAsCause  = "role-as-cause"
	ruleCounterfact  = "counterfactual"
	rulePersonAsCaus = "person-as-cause"
)

var clauseRules = map[string][2]string{ // id → why, reframe
	ruleBlameNoun: {
		"Calling it someone's mistake or fault files the incident under a person, and the conditions that made the mistake likely stay unexamined.",
		"What made this action look correct at the time, and what would have caught it before it mattered?",
	},
	ruleJudgement: {
		"A judgement of a person's care, effort or experience (sloppy, lazy, junior) explains nothing the system can change, and teaches people to hide their next slip.",
		"What did the situation ask of this person, and which support, training or guardrail was missing?",
	},
	ruleFaultVerb: {
		`"Ignored", "overlooked" or "skipped" with a person as subject turns a signal or step the system did not make stand out into a personal failing.`,
		"What competed for attention at that moment, and what made this signal or step easy to pass over?",
	},
	ruleCounterfact: {
		"Counterfactuals describe what did not happen; judged with hindsight, they hide why the actual choice made sense at the time.",
		"What did happen, and what pressure or signal made it look right at the time?",
	},
}

const roleWhy = "Naming a role (the developer, an operator, someone) as the cause still ends the story at a person, when anyone in that seat, with the same tools and signals, might well have done the same."

// clauseScan is the clause checks' state for one text.
type clauseScan struct {
	*personScan
	low    []string    // lower-cased token texts
	ent    []*lexEntry // their lexicon entries
	starts []int8      // memo of startsClause: 0 unknown, 1 yes, 2 no
	role   []int       // role[i]: the first token at or after i that is a role word
	out    []Finding
}

// isStart is startsClause, computed once a token.
func (c *clauseScan) isStart(i int) bool {
	if c.starts[i] == 0 {
		c.starts[i] = 2
		if c.startsClause(i) {
			c.starts[i] = 1
		}
	}
	return c.starts[i] == 1
}

// maySubject reports whether a person or role noun phrase can start at
// token i, cheaply, before the clause test: a pronoun, "had", a name, or a
// role word within the next four tokens.
func (c *clauseScan) maySubject(i int) bool {
	switch w := c.low[i]; {
	case c.role[i] <= i+4, personPronouns[w], w == "they", w == "had":
		return true
	}
	return c.nameAt(i) > 0
}

const noRole = 1 << 40 // beyond any token

func newClauseScan(s *personScan) *clauseScan {
	n := len(s.toks)
	c := &clauseScan{personScan: s, low: make([]string, n), ent: make([]*lexEntry, n), starts: make([]int8, n), role: make([]int, n+1)}
	for i, t := range s.toks {
		c.low[i] = lowerWord(t.text)
		c.ent[i] = entry(c.low[i])
	}
	c.role[n] = noRole
	for i := n - 1; i >= 0; i-- {
		c.role[i] = c.role[i+1]
		if c.ent[i][lexRole] != "" {
			c.role[i] = i
		}
	}
	return c
}

// nounPhrase is a subject: tokens start..end-1, its head, and whether it
// names a person or role.
type nounPhrase struct {
	start, end int
	junior     bool // an experience word modifies it ("a junior engineer")
	role       bool // a role noun or pronoun, not a name
	firstPers  bool // I, we, you: the narrator's own voice
	vague      bool // "they" with nothing to refer back to
}

// sp reports whether token i exists and only spaces stand before it.
func (c *clauseScan) sp(i int) bool { return i < len(c.toks) && onlySpace(c.gap(i)) }

// word returns token i lower-cased when sp(i), else "".
func (c *clauseScan) word(i int) string {
	if c.sp(i) {
		return c.low[i]
	}
	return ""
}

func isRoleWord(w string) bool {
	return entry(w)[lexRole] != "" && !isPossessive(w)
}

// nounPhraseAt parses a person or role noun phrase starting at token i.
func (c *clauseScan) nounPhraseAt(i int) (nounPhrase, bool) {
	w := c.low[i] // callers pass a token that exists
	switch {
	case personPronouns[w]:
		return nounPhrase{start: i, end: i + 1, role: true, firstPers: w == "i" || w == "we" || w == "you"}, true
	case w == "they":
		if r := c.theyRefers(i); r != referThing {
			return nounPhrase{start: i, end: i + 1, role: true, vague: r == referUnknown}, true
		}
		return nounPhrase{}, false
	}
	if n := c.nameAt(i); n > 0 {
		return nounPhrase{start: i, end: i + n}, true
	}
	k := i
	if npDeterminers[w] {
		k++
	}
	junior := false
	for m := 0; m < 4; m, k = m+1, k+1 {
		if k > i && !c.sp(k) {
			return nounPhrase{}, false
		}
		lw := c.low[k]
		if isRoleWord(lw) {
			for c.sp(k+1) && isRoleWord(c.low[k+1]) {
				k++ // "on-call engineer", "SRE team", "team member"
			}
			for _, w := range c.low[i:k] {
				if softwareModifiers[w] {
					return nounPhrase{}, false // "the Kubernetes operator"
				}
			}
			end := k + 1
			// "the engineer on call", "the SRE on duty", "the lead in charge"
			if postModifiers[c.word(end)+" "+c.word(end+1)] {
				end += 2
			}
			if c.sp(end) && c.ent[end][lexOwned] != "" {
				return nounPhrase{}, false // "human error", "operator mistake": a modifier, not a person
			}
			return nounPhrase{start: i, end: end, junior: junior, role: true}, true
		}
		if npStop[lw] || npDeterminers[lw] || entry(lw)[lexFault] != "" || strings.HasSuffix(lw, "ly") {
			return nounPhrase{}, false
		}
		if experienceWords[lw] {
			junior = true
		}
	}
	return nounPhrase{}, false
}

type referent int

const (
	referUnknown referent = iota
	referPerson
	referThing
)

// theyRefers tells what "they" at token i refers back to: the subject of the
// nearest clause before it, in this sentence or the one before. "The
// operators restarted all nodes. They …" is people; "the replicas restarted
// but they failed to rejoin" is things.
func (c *clauseScan) theyRefers(i int) referent {
	sentences := 0
	for k := i - 1; k >= 0 && k >= i-40; k-- {
		if strings.ContainsAny(c.gap(k+1), ".!?\n") {
			if sentences++; sentences > 1 {
				return referUnknown
			}
		}
		if !c.isStart(k) {
			continue
		}
		if c.low[k] == "they" {
			continue
		}
		if np, ok := c.nounPhraseAt(k); ok && !np.firstPers {
			return referPerson
		}
		if npDeterminers[c.low[k]] {
			return referThing
		}
	}
	return referUnknown
}

func (c *clauseScan) add(rule string, from, to int, reframe string) {
	start, end := c.toks[from].start, c.toks[to].end
	why, rf := clauseRules[rule][0], clauseRules[rule][1]
	if rule == ruleRoleAsCause || rule == rulePersonAsCaus {
		why, rf = roleWhy, reframe
		if rule == rulePersonAsCaus {
			why = personWhy
		}
	}
	c.out = append(c.out, Finding{Rule: rule, Phrase: c.text[start:end], Start: start, End: end, Why: why, Reframe: rf})
}

// subjectText is the noun phrase as a reframing question quotes it: "the
// developer", not "The developer".
func (c *clauseScan) subjectText(np nounPhrase) string {
	s := c.text[c.toks[np.start].start:c.toks[np.end-1].end]
	if np.role && c.low[np.start] != "i" {
		r, size := utf8.DecodeRuneInString(s)
		return string(unicode.ToLower(r)) + s[size:]
	}
	return s
}

// clauseReach is how many tokens on a clause may reach for a harm marker.
const clauseReach = 14

// postModifiers follow a role noun in its phrase: "the engineer on call".
var postModifiers = wordSet("on call", "on duty", "on shift", "in charge")

// clauseEnd returns the first token after i in another clause (at most clauseReach on).
func (c *clauseScan) clauseEnd(i int) int {
	k := i + 1
	for ; k < len(c.toks) && k <= i+clauseReach; k++ {
		if strings.ContainsAny(c.gap(k), ".!?;:\n()[]\"“”«»") {
			break
		}
	}
	return k
}

func (c *clauseScan) hasFault(from, to int) bool {
	for k := from; k < to; k++ {
		if entry(c.low[k])[lexFault] != "" {
			return true
		}
	}
	return false
}

func (c *clauseScan) hasIn(from, to int, set map[string]bool) bool {
	for k := from; k < to; k++ {
		if set[c.low[k]] {
			return true
		}
	}
	return false
}

func (c *clauseScan) findings() []Finding {
	for i := range c.toks {
		w := c.low[i]
		if c.maySubject(i) && c.isStart(i) {
			if np, ok := c.nounPhraseAt(i); ok {
				c.predicate(np)
			}
			if w == "had" {
				c.invertedCounterfactual(i)
			}
		}
		e := c.ent[i]
		switch {
		case e[lexConditional] == w:
			c.ifCounterfactual(i)
		case e[lexJudgement] == w:
			if !judgementTech[c.word(i+1)] {
				c.add(ruleJudgement, i, i, "")
			}
		case w == "by":
			c.passiveBy(i)
		default:
			c.blameNoun(i, e)
		}
	}
	return c.out
}

// predicate looks at what follows a person or role subject.
func (c *clauseScan) predicate(np nounPhrase) {
	j := np.end
	harmAdverb := false
	for c.sp(j) && (auxiliaries[c.low[j]] || isAdverb(c.low[j])) {
		if harmMarkers[c.low[j]] {
			harmAdverb = true // "accidentally deleted"
		}
		j++
	}
	if !c.sp(j) {
		return
	}
	w := c.low[j]
	switch {
	case isNegated(w, c.word(j+1)):
		c.negatedPredicate(np, j)
		return
	case copulas[w]:
		if np.junior && np.start > 0 && causeIntro[c.low[np.start-1]] {
			c.add(ruleJudgement, np.start, j, "") // "because a junior engineer was on call"
			return
		}
		c.copulaPredicate(np, j)
		return
	case modalHave[w]:
		// "could easily have stopped": the regexp rule takes "could have".
		k := j + 1
		for c.sp(k) && isAdverb(c.low[k]) {
			k++
		}
		if k > j+1 && c.word(k) == "have" {
			c.add(ruleCounterfact, j, k, "")
		}
		return
	case w == "made":
		// "made a mistake", "made a simple mistake", "made mistakes"
		for k := j + 1; k <= j+3 && c.sp(k); k++ {
			if c.ent[k][lexCompound] != "" {
				c.add(ruleBlameNoun, np.start, k, "")
				return
			}
		}
	}
	if v := entry(w)[lexFault]; v != "" {
		c.faultVerb(np, j, v)
		return
	}
	if !c.causal(w, j) || routineVerbs[w] || speechWords[w] {
		return
	}
	end := c.clauseEnd(j)
	switch {
	case np.vague:
		// "they" with no antecedent may be anything
	case np.junior:
		c.add(ruleJudgement, np.start, j, "")
	case !np.role || np.firstPers:
		// Names are the person check's; "we deployed a bad config" is the
		// narrator's voice, which a blameless postmortem is written in.
	case harmAdverb || c.hasIn(j+1, end, harmMarkers) ||
		((destructiveVerbs[w] || (dataVerbs[w] && c.hasIn(j+1, end, dataObjects)) || (guardVerbs[w] && c.hasIn(j+1, end, guardObjects))) &&
			!c.hasIn(j+1, end, plannedWords)):
		c.add(ruleRoleAsCause, np.start, j, reframe(w, c.subjectText(np)))
	}
}

func isNegated(w, next string) bool {
	if strings.HasSuffix(w, "n't") || strings.HasSuffix(w, "n’t") || w == "never" || w == "cannot" { // "would not": "would" is an auxiliary
		return true
	}
	return w == "not" || (w == "did" || w == "could" || w == "does" || w == "do") && next == "not"
}

// negatedPredicate: "didn't bother to", "couldn't be bothered"; "the junior
// on-call did not know …" (experience as the cause). Other negated verbs are
// not fault: "the on-call did not ignore the alert".
func (c *clauseScan) negatedPredicate(np nounPhrase, j int) {
	for k := j + 1; k <= j+3 && c.sp(k); k++ {
		if strings.HasPrefix(c.low[k], "bother") {
			c.add(ruleFaultVerb, np.start, k, "")
			return
		}
	}
	if np.junior {
		c.add(ruleJudgement, np.start, j, "")
	}
}

// copulaPredicate: "was too busy to", "was junior", "was responsible for the outage".
func (c *clauseScan) copulaPredicate(np nounPhrase, j int) {
	k := j + 1
	for c.sp(k) && k <= j+3 && (isAdverb(c.low[k]) || auxiliaries[c.low[k]] || c.low[k] == "so" || c.low[k] == "very" || c.low[k] == "frankly" || c.low[k] == "solely" || c.low[k] == "directly") {
		k++
	}
	if !c.sp(k) {
		return
	}
	w := c.low[k]
	switch {
	case w == "too" && c.sp(k+1) && c.word(k+2) == "to":
		c.add(ruleFaultVerb, np.start, k+2, "")
	case experienceWords[w] && np.role:
		c.add(ruleJudgement, np.start, k, "")
	case w == "responsible" && c.sp(k+1) && c.low[k+1] == "for":
		for m := k + 2; m < c.clauseEnd(k); m++ {
			if entry(c.low[m])[lexHarm] != "" {
				c.add(ruleBlameNoun, np.start, k+1, "")
				return
			}
		}
	}
}

// faultVerb: a person or role subject with "ignored", "overlooked",
// "messed up" … at token j (lemma v).
func (c *clauseScan) faultVerb(np nounPhrase, j int, v string) {
	end := j
	if upVerbs[v] {
		found := false
		for k := j + 1; k <= j+3 && c.sp(k); k++ {
			if c.low[k] == "up" {
				found, end = true, k
				break
			}
		}
		if !found {
			return
		}
	}
	if c.sp(j+1) && nothingWords[c.low[j+1]] {
		return // "ignored nothing"
	}
	if v == "miss" {
		k := j + 1
		for c.sp(k) && (npDeterminers[c.low[k]] || c.low[k] == "its" || c.low[k] == "monthly" || c.low[k] == "weekly" || c.low[k] == "latency" || c.low[k] == "availability") {
			k++
		}
		if k < len(c.toks) && missedObjects[c.low[k]] {
			return // "we missed our SLO"
		}
	}
	rule := ruleFaultVerb
	if !np.role {
		rule = rulePersonAsCaus // a name: keep the person check's id
	}
	c.add(rule, np.start, end, reframe(c.low[j], c.subjectText(np)))
}

// ifCounterfactual: "if (only) the on-call had (only) looked", at token i.
func (c *clauseScan) ifCounterfactual(i int) {
	k := i + 1
	if c.sp(k) && c.low[k] == "only" {
		k++
	}
	if !c.sp(k) {
		return
	}
	np, ok := c.nounPhraseAt(k)
	if !ok {
		return
	}
	if h := np.end; c.sp(h) && (c.low[h] == "had" || c.low[h] == "hadn't" || c.low[h] == "hadn’t") {
		c.add(ruleCounterfact, i, c.cfVerb(h), "")
	}
}

// invertedCounterfactual: "Had the reviewer read the diff, …", at token i.
func (c *clauseScan) invertedCounterfactual(i int) {
	if !c.sp(i + 1) {
		return
	}
	np, ok := c.nounPhraseAt(i + 1)
	if !ok || !c.sp(np.end) {
		return
	}
	v := c.low[np.end]
	if cfVerbsAfter[v] || strings.HasSuffix(v, "ed") || pastIrregular[v] || v == "read" || v == "known" {
		c.add(ruleCounterfact, i, c.cfVerb(np.end-1), "")
	}
}

// cfVerb returns the verb after the "had" at h ("had only looked" → looked).
func (c *clauseScan) cfVerb(h int) int {
	k := h + 1
	for c.sp(k) && cfVerbsAfter[c.low[k]] {
		k++
	}
	if c.sp(k) {
		return k
	}
	return h
}

// passiveBy: "caused by an operator", "was made by a junior developer", at the "by" of token i.
func (c *clauseScan) passiveBy(i int) {
	if i < 2 || !c.sp(i) || !c.sp(i+1) {
		return
	}
	verb := c.low[i-1]
	if !causeVerbs[verb] {
		return
	}
	b := "" // the word before the participle, when nothing else stands between
	if c.sp(i - 1) {
		b = c.low[i-2]
	}
	if !copulas[b] && b != "being" && !isAdverb(b) && verb != "caused" && verb != "triggered" && verb != "introduced" {
		return
	}
	np, ok := c.nounPhraseAt(i + 1)
	if !ok || np.firstPers {
		return
	}
	end := c.clauseEnd(i)
	switch {
	case np.junior:
		c.add(ruleJudgement, i-1, np.end-1, "")
	case verb == "caused" || verb == "triggered" || verb == "introduced" || verb == "broken" ||
		c.hasIn(np.end, end, harmMarkers) || c.hasFault(np.end, end):
		rule := ruleRoleAsCause
		if !np.role {
			rule = rulePersonAsCaus
		}
		c.add(rule, i-1, np.end-1, reframe(verb, c.subjectText(np)))
	}
}

// blameNoun looks at token i as a blame noun: always blame ("incompetence"),
// or owned ("the engineer's mistake", "an operator mistake", "the fault of
// the on-call", "a mistake by the reviewer").
func (c *clauseScan) blameNoun(i int, e *lexEntry) {
	w := c.low[i]
	if e[lexBlame] != "" {
		c.add(ruleBlameNoun, c.possessorStart(i), i, "")
		return
	}
	if e[lexOwned] == "" {
		return
	}
	if c.sp(i+1) && entry(c.low[i+1])[lexMetric] != "" {
		return // "operator error rate", "their error handling"
	}
	if p := c.possessorStart(i); p < i {
		c.add(ruleBlameNoun, p, i, "")
		return
	}
	// "an operator mistake", "engineer error": a singular role noun before.
	if compoundBlameNouns[w] && i > 0 && c.sp(i) {
		p := c.low[i-1]
		if isRoleWord(p) && entry(p)[lexRole] == p && (w != "error" || (p != "human" && p != "user" && p != "operator")) && (i < 2 || !softwareModifiers[c.low[i-2]]) {
			c.add(ruleBlameNoun, i-1, i, "")
			return
		}
	}
	// "a mistake by the operator", "the fault of the on-call", "the mistake was made by …"
	k := i + 1
	if copulas[c.word(k)] && c.word(k+1) == "made" {
		k += 2
	}
	if w := c.word(k); (w == "by" || w == "of") && c.sp(k+1) {
		if np, ok := c.nounPhraseAt(k + 1); ok && !np.firstPers {
			c.add(ruleBlameNoun, i, np.end-1, "")
		}
	}
}

// isName reports whether w is a one-word name from the incident's roles ("Dave" of "Dave's").
func (c *clauseScan) isName(w string) bool {
	for _, n := range c.names {
		if len(n) == 1 && strings.EqualFold(n[0], w) {
			return true
		}
	}
	return false
}

// possessorStart returns the token where "the engineer's (own) mistake"
// starts its possessor, or i when noun i has none.
func (c *clauseScan) possessorStart(i int) int {
	k := i - 1
	if k >= 1 && c.sp(k+1) && (c.low[k] == "own" || c.low[k] == "simple" || c.low[k] == "honest" || c.low[k] == "big" || c.low[k] == "careless") {
		k--
	}
	if k < 0 || !c.sp(k+1) {
		return i
	}
	p := c.low[k]
	switch {
	case possessivePronouns[p]:
		return k
	case isPossessive(p) && !notPossessors[p]:
		if c.low[i] != "error" && c.low[i] != "errors" {
			return k
		}
		if base := stripPossessive(p); isRoleWord(base) || base == "someone" || base == "somebody" || c.isName(stripPossessive(c.toks[k].text)) {
			return k
		}
	}
	return i
}
