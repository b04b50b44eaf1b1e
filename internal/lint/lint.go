// Package lint finds language that works against blameless analysis:
// "human error", counterfactuals ("should have"), "forgot", blame, and a
// person from the incident's roles named as the cause of an action.
//
// Findings are warnings shown while factors, whys and action items are edited,
// so false positives cost trust: every rule prefers missing an odd phrasing to
// firing on ordinary technical prose ("timeout error", "error budget",
// "a fault-tolerant design", "the job failed to start").
//
// The package is pure: no I/O, no globals besides DefaultRules and the shared
// Default checker compiled from them, and a Checker
// is safe for concurrent use.
package lint

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Finding is one phrase that works against blameless analysis.
type Finding struct {
	Rule    string `json:"rule"`    // stable id, e.g. "human-error", "counterfactual", "person-as-cause"
	Phrase  string `json:"phrase"`  // the text as written
	Start   int    `json:"start"`   // byte offset in the checked text
	End     int    `json:"end"`     // byte offset, exclusive
	Why     string `json:"why"`     // why it matters, one sentence, plain words
	Reframe string `json:"reframe"` // a reframing question, e.g. "What made this step easy to miss?"
	// Quoted marks words quoted from the time ("Bob wrote "I forgot to drain
	// it""): shown as a lower-key note, never counted as blame.
	Quoted bool `json:"quoted,omitempty"`
}

// Rule is one entry of the configurable word list.
//
// Patterns are RE2 regular expressions (package regexp), matched
// case-insensitively. What a caller writing patterns must know:
//
//   - A match must stand alone as words: the character before it and the one
//     after it may not be a letter, digit, combining mark or underscore, nor a
//     hyphen that joins another word. So "fault" matches neither "faulty" nor
//     "fault-tolerant", and "blame" does not match "blameless" or "no-blame".
//   - A group named "phrase", as in `(?P<phrase>failed\s+to)`, marks the part
//     reported as the finding; the rest of the match is context. RE2 has no
//     lookaround, and this stands in for it.
//   - A pattern starting with "!" is an exception: a finding of this rule that
//     overlaps an exception's match is dropped ("!fault\s+tolerance").
//   - Matching resumes in the middle of the text, so do not anchor with ^.
type Rule struct {
	ID       string
	Patterns []string
	Why      string
	Reframe  string
}

// Checker finds blame-shaped language. The zero value is not usable; use New.
type Checker struct {
	rules []compiledRule
}

type compiledRule struct {
	id, why, reframe string
	match, except    []pattern
}

type pattern struct {
	re       *regexp.Regexp // unanchored
	anchored *regexp.Regexp // the same, anchored at the start
	phrase   int            // index of the group named "phrase", or -1
	lits     literals       // shortcuts, see prefilter.go
}

// Boundaries are enforced inside the regular expression after the match
// (so that RE2 picks an alternative that ends on a word boundary) and by code
// before it (RE2 has no lookbehind). Group 1 is the caller's pattern.
const (
	wrapPrefix = `(?i)(`
	wrapSuffix = `)(?:$|[^\pL\pN\pM_\-]|-(?:$|[^\pL\pN\pM_]))`
)

// Default returns the Checker of DefaultRules, compiled once per process
// (a Checker never changes after New, so one is shared safely).
var Default = sync.OnceValues(func() (*Checker, error) { return New(nil) })

// New compiles rules (nil → DefaultRules). An invalid pattern is an error naming the rule.
func New(rules []Rule) (*Checker, error) {
	if rules == nil {
		rules = DefaultRules
	}
	c := &Checker{rules: make([]compiledRule, 0, len(rules))}
	seen := make(map[string]bool, len(rules))
	for i, r := range rules {
		if r.ID == "" {
			return nil, fmt.Errorf("lint: rule %d has no ID", i)
		}
		if seen[r.ID] {
			return nil, fmt.Errorf("lint: rule %q: duplicate ID", r.ID)
		}
		seen[r.ID] = true
		cr := compiledRule{id: r.ID, why: r.Why, reframe: r.Reframe}
		for _, src := range r.Patterns {
			except := len(src) > 0 && src[0] == '!'
			if except {
				src = src[1:]
			}
			p, err := compile(src)
			if err != nil {
				return nil, fmt.Errorf("lint: rule %q: pattern %q: %w", r.ID, src, err)
			}
			if except {
				cr.except = append(cr.except, p)
			} else {
				cr.match = append(cr.match, p)
			}
		}
		if len(cr.match) == 0 {
			return nil, fmt.Errorf("lint: rule %q has no patterns", r.ID)
		}
		c.rules = append(c.rules, cr)
	}
	return c, nil
}

func compile(src string) (pattern, error) {
	if src == "" {
		return pattern{}, errors.New("empty pattern")
	}
	// Compile alone first so the error message talks about the caller's text.
	if _, err := regexp.Compile(src); err != nil {
		return pattern{}, err
	}
	re, err := regexp.Compile(wrapPrefix + src + wrapSuffix)
	if err != nil {
		return pattern{}, err
	}
	if re.MatchString("") {
		return pattern{}, errors.New("matches empty text")
	}
	anchored, err := regexp.Compile(`^` + wrapPrefix + src + wrapSuffix)
	if err != nil {
		return pattern{}, err
	}
	return pattern{re: re, anchored: anchored, phrase: re.SubexpIndex("phrase"), lits: analyse(src)}, nil
}

// each calls fn with the span of the whole match and of the reported phrase
// for every word-bounded match of p in st, left to right.
func (p pattern) each(st scanText, fn func(ms, me, ps, pe int)) {
	if p.lits.prefixes == nil || !st.exact {
		p.scan(st.text, fn)
		return
	}
	// Try only where a prefix occurs; next[i] caches prefix i's next offset.
	text, prefixes := st.text, p.lits.prefixes
	next := make([]int, len(prefixes))
	for i := range next {
		next[i] = -2
	}
	for pos := 0; pos < len(text); {
		cand := -1
		for i, pre := range prefixes {
			if next[i] == -1 {
				continue
			}
			if next[i] < pos {
				j := strings.Index(st.lower[pos:], pre)
				if j < 0 {
					next[i] = -1
					continue
				}
				next[i] = pos + j
			}
			if cand < 0 || next[i] < cand {
				cand = next[i]
			}
		}
		if cand < 0 {
			return
		}
		if !boundaryBefore(text, cand) {
			pos = wordEnd(text, cand)
			continue
		}
		loc := p.anchored.FindStringSubmatchIndex(text[cand:])
		if loc == nil || loc[3] == 0 {
			pos = cand + 1 // prefixes are ASCII, so cand+1 starts a rune
			continue
		}
		pos = p.report(text, cand, loc, fn)
	}
}

// scan is each without shortcuts.
func (p pattern) scan(text string, fn func(ms, me, ps, pe int)) {
	for pos := 0; pos < len(text); {
		loc := p.re.FindStringSubmatchIndex(text[pos:])
		if loc == nil {
			return
		}
		ms, me := pos+loc[2], pos+loc[3]
		if me == ms || !boundaryBefore(text, ms) {
			// Try again after this word: a match starting inside it would be
			// mid-word too, but one starting later may still stand. Skipping
			// the whole word keeps a long word from costing quadratic time.
			if ms >= len(text) {
				return
			}
			pos = wordEnd(text, ms)
			continue
		}
		pos = p.report(text, pos, loc, fn)
	}
}

// report calls fn for the match loc found in text[base:] and returns its end.
func (p pattern) report(text string, base int, loc []int, fn func(ms, me, ps, pe int)) int {
	ms, me := base+loc[2], base+loc[3]
	ps, pe := ms, me
	if p.phrase > 0 && loc[2*p.phrase] >= 0 {
		ps, pe = base+loc[2*p.phrase], base+loc[2*p.phrase+1]
	}
	if pe > ps {
		fn(ms, me, ps, pe)
	}
	return me
}

// wordEnd returns the offset after the word that contains text[i], or after
// text[i] itself when it is not part of a word.
func wordEnd(text string, i int) int {
	_, size := utf8.DecodeRuneInString(text[i:])
	i += size
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			break
		}
		i += size
	}
	return i
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) // \pL \pN \pM _
}

// asciiWord is isWordRune for ASCII, by table: most text is ASCII.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for r := range t {
		t[r] = r == '_' || unicode.IsLetter(rune(r)) || unicode.IsNumber(rune(r))
	}
	return t
}()

// boundaryBefore reports whether a word may start at byte i of text.
func boundaryBefore(text string, i int) bool {
	if i == 0 {
		return true
	}
	r, size := utf8.DecodeLastRuneInString(text[:i])
	if isWordRune(r) {
		return false
	}
	if r == '-' && i-size > 0 {
		r, _ = utf8.DecodeLastRuneInString(text[:i-size])
		return !isWordRune(r)
	}
	return true
}

// Check returns the findings in text, ordered by Start. people are names from the incident's roles
// (commander, responders, …); a person named as the grammatical subject of a causal sentence is a finding
// ("Alice deployed the bad config" → rule "person-as-cause", Reframe like "What in the deploy path let this change through? Describe the system, not Alice.").
//
// Where findings overlap, only the longest is kept (the earlier rule on a tie),
// so "at fault" is reported once, not also as "fault". The result is never nil,
// so it encodes to JSON as [].
func (c *Checker) Check(text string, people []string) []Finding {
	return c.check(newScanText(text), people)
}

func (c *Checker) check(st scanText, people []string) []Finding {
	text := st.text
	var found []Finding
	for _, r := range c.rules {
		n := len(found)
		for _, p := range r.match {
			if !p.mayMatch(st) {
				continue
			}
			p.each(st, func(_, _, ps, pe int) {
				found = append(found, Finding{Rule: r.id, Phrase: text[ps:pe], Start: ps, End: pe, Why: r.why, Reframe: r.reframe})
			})
		}
		if len(found) == n || len(r.except) == 0 {
			continue
		}
		var ex exceptions
		for _, p := range r.except {
			if !p.mayMatch(st) {
				continue
			}
			p.each(st, func(ms, me, _, _ int) { ex = append(ex, [2]int{ms, me}) })
		}
		ex.prepare()
		kept := found[:n]
		for _, f := range found[n:] {
			if !ex.overlap(f.Start, f.End) {
				kept = append(kept, f)
			}
		}
		found = kept
	}
	ps := newPersonScan(text, people)
	found = append(found, ps.findings()...)
	cs := newClauseScan(ps)
	found = append(found, cs.findings()...)
	return resolve(settle(cs, found))
}

// exceptions are the spans of a rule's exception matches. After prepare they
// are sorted by start, and each span's end is raised to the furthest end so
// far, so overlap is one binary search.
type exceptions [][2]int

func (ex exceptions) prepare() {
	sort.Slice(ex, func(i, j int) bool { return ex[i][0] < ex[j][0] })
	for i := 1; i < len(ex); i++ {
		ex[i][1] = max(ex[i][1], ex[i-1][1])
	}
}

func (ex exceptions) overlap(start, end int) bool {
	n := sort.Search(len(ex), func(i int) bool { return ex[i][0] >= end }) // spans starting before end
	return n > 0 && ex[n-1][1] > start
}

// resolve orders findings by Start and keeps the longest of overlapping ones.
// found is in rule order, which the stable sort keeps for ties.
func resolve(found []Finding) []Finding {
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].Start != found[j].Start {
			return found[i].Start < found[j].Start
		}
		return found[i].End > found[j].End
	})
	out := make([]Finding, 0, len(found))
	for _, f := range found {
		if len(out) == 0 {
			out = append(out, f)
			continue
		}
		last := &out[len(out)-1]
		switch {
		case f.Start >= last.End:
			out = append(out, f)
		case f.End-f.Start > last.End-last.Start:
			*last = f
		}
	}
	return out
}
