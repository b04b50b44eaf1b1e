package lint

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Boundaries of the clause analysis, each pinned by a sentence on either
// side (written for the mutants gremlins found alive).
func TestClauseBoundaries(t *testing.T) {
	c := newDefault(t)
	filler := func(n int) string { return strings.Repeat("word ", n) }
	tests := []struct {
		name, text string
		want       []hit
	}{
		{"three modifiers before the role", "The tired new night engineer ignored the alert.", []hit{{"fault-verb", "The tired new night engineer ignored"}}},
		{"four modifiers are not a subject", "The very tired new night engineer ignored the alert.", nil},
		{"on duty", "The SRE on duty skipped the check.", []hit{{"fault-verb", "The SRE on duty skipped"}}},
		{"on shift", "The engineer on shift missed the page.", []hit{{"fault-verb", "The engineer on shift missed"}}},
		{"in charge", "The lead in charge ignored the warning.", []hit{{"fault-verb", "The lead in charge ignored"}}},
		{"on call at the end", "Blame the engineer on call", []hit{{"blame", "Blame"}}},
		{"text ends inside an if clause", "It would have held if the new", nil},
		{"text ends after if the", "It would have held if the", nil},
		{"text ends after a role", "It held if the engineer", nil},
		{"harm marker at the end of the reach", "The developer pushed " + filler(13) + "bad", []hit{{"role-as-cause", "The developer pushed"}}},
		{"harm marker beyond the reach", "The developer pushed " + filler(14) + "bad", nil},
		{"they two sentences on is vague", "The operators restarted all nodes. Then it rained. They caused an outage.", nil},
		{"they one sentence on", "The operators restarted all nodes. Then they caused an outage.", []hit{{"role-as-cause", "they caused"}}},
		{"passive agent who skipped", "The script was run by an engineer who skipped the dry run.", []hit{{"role-as-cause", "run by an engineer"}}},
		{"passive agent, harm at the end", "The config was changed by the intern without review", []hit{{"role-as-cause", "changed by the intern"}}},
		{"passive agent, no harm", "The config was changed by the intern at noon", nil},
		{"junior subject first in the text", "Junior engineers were on call.", nil},
		{"junior subject after because", "It broke because junior engineers were on call.", []hit{{"judgement", "junior engineers were"}}},
		{"could have, impact", "The engineer could have caused data loss.", nil},
		{"could have with an adverb", "The engineer could probably have stopped it.", []hit{{"counterfactual", "could probably have"}}},
		{"made a mistake two words on", "The engineer made a simple mistake.", []hit{{"blame-noun", "The engineer made a simple mistake"}}},
		{"made a mistake too far on: a harmful action", "The engineer made a really simple mistake.", []hit{{"role-as-cause", "The engineer made"}}},
		{"made a plural mistake", "The engineers made mistakes.", []hit{{"blame-noun", "The engineers made mistakes"}}},
		{"did not bother", "The engineer did not bother to check.", []hit{{"fault-verb", "The engineer did not bother"}}},
		{"could not be bothered", "The engineer could not be bothered.", []hit{{"fault-verb", "The engineer could not be bothered"}}},
		{"would not bother", "The engineer would not bother with it.", []hit{{"fault-verb", "The engineer would not bother"}}},
		{"does not bother", "The engineer does not bother with reviews.", []hit{{"fault-verb", "The engineer does not bother"}}},
		{"do not bother", "The engineers do not bother with reviews.", []hit{{"fault-verb", "The engineers do not bother"}}},
		{"never bothered", "The engineer never bothered to check.", []hit{{"fault-verb", "The engineer never bothered"}}},
		{"cannot be bothered", "The engineers cannot be bothered.", []hit{{"fault-verb", "The engineers cannot be bothered"}}},
		{"bother four words on", "The engineer did not really ever bother.", nil},
		{"did not ignore", "The on-call did not ignore the alert.", nil},
		{"did ignore", "The on-call did ignore the alert.", nil},
		{"responsible for a harm", "The intern was solely responsible for the outage.", []hit{{"blame-noun", "The intern was solely responsible for"}}},
		{"three adverbs before responsible", "The intern was clearly so directly responsible for the outage.", []hit{{"blame-noun", "The intern was clearly so directly responsible for"}}},
		{"four adverbs before responsible", "The intern was very clearly so directly responsible for the outage.", nil},
		{"responsible for work", "The team was responsible for the runbook.", nil},
		{"responsible alone", "The team was responsible.", nil},
		{"responsible to", "The team was responsible to the outage review board.", nil},
		{"too busy, no to", "The on-call was too busy.", nil},
		{"too busy at the end", "The on-call was too busy", nil},
		{"junior copula needs a role", "The build was junior.", nil},
		{"ends after the copula", "The engineer was", nil},
		{"up too far on", "The operators messed the whole config up.", nil},
		{"missed at the end", "The reviewer missed the", []hit{{"fault-verb", "The reviewer missed"}}},
		{"missed the SLO", "The reviewer missed the SLO.", nil},
		{"if only at the end", "It held if only", nil},
		{"if at the end", "It held if", nil},
		{"hadn't", "If the operator hadn't disabled the alert, we would have known.", []hit{{"counterfactual", "If the operator hadn't disabled"}}},
		{"hadn’t", "If the operator hadn’t disabled the alert, we would have known.", []hit{{"counterfactual", "If the operator hadn’t disabled"}}},
		{"if a role has", "If the operator has access, it works.", nil},
		{"had at the end", "Had", nil},
		{"had a role at the end", "Had the engineer", nil},
		{"had a role known", "Had the engineer known, it would have held.", []hit{{"counterfactual", "Had the engineer known"}}},
		{"had a role been", "Had the engineer been told, it would have held.", []hit{{"counterfactual", "Had the engineer been told"}}},
		{"had a role a noun", "Had the engineer access, it would have held.", nil},
		{"had a thing", "Had the cache been warm, it would have held.", nil},
		{"if someone had at the end", "It held if someone had", []hit{{"counterfactual", "if someone had"}}},
		{"if, three modifiers", "If the tired new night engineer had looked, it would have held.", []hit{{"counterfactual", "If the tired new night engineer had looked"}}},
		{"if, four modifiers", "If the very tired new night engineer had looked, it would have held.", nil},
		{"they, antecedent 40 tokens back", "The engineers restarted " + filler(36) + "and they caused an outage.", []hit{{"role-as-cause", "they caused"}}},
		{"they, antecedent 41 tokens back", "The engineers restarted " + filler(37) + "and they caused an outage.", nil},
		{"they ends the text", "The operators restarted all nodes. Then they", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := check(t, c, tc.text, nil)
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, hits(got))
		})
	}
}

func TestQuietEdges(t *testing.T) {
	c := newDefault(t)
	tests := []struct {
		name, text string
		want       []hit
		quoted     bool
	}{
		{"guillemets after an alert", "The alert read «human error detected».", nil, false},
		{"brackets without a link", "[draft] human error", []hit{{"human-error", "human error"}}, false},
		{"a link without its closing paren", "[x](http human error", []hit{{"human-error", "human error"}}, false},
		{"a link text across lines", "[x\n](y) human error", []hit{{"human-error", "human error"}}, false},
		{"a link and text after it", "[human error](https://x.example) and human error", []hit{{"human-error", "human error"}}, false},
		{"a quote across lines is no quote", "The alert read \"x\nhuman error\"", []hit{{"human-error", "human error"}}, false},
		{"a url ends at a quote", "https://x.example/\"human error\"", []hit{{"human-error", "human error"}}, false},
		{"www", "See www.example.com/human-error today", nil, false},
		{"double backticks", "Run ``human error`` twice", nil, false},
		{"a role before a colon", "The on-call: \"I forgot to drain it\"", []hit{{"forgot", "forgot"}}, true},
		{"a pronoun before a colon", "She: \"I forgot to drain it\"", []hit{{"forgot", "forgot"}}, true},
		{"a colon after a thing", "Summary: \"I forgot to drain it\"", []hit{{"forgot", "forgot"}}, false},
		{"speech in the sentence before", "Bob said it was fine. Then \"forgot\" appeared.", []hit{{"forgot", "forgot"}}, false},
		{"no one", "No one ignored the alert.", nil, false},
		{"negation after the finding", "The engineer ignored the alert and no one noticed.", []hit{{"fault-verb", "The engineer ignored"}}, false},
		{"negation out of scope", "Nobody knew, but the engineer ignored the alert.", []hit{{"fault-verb", "the engineer ignored"}}, false},
		{"negation in the sentence before", "It was not late. The engineer ignored the alert.", []hit{{"fault-verb", "The engineer ignored"}}, false},
		{"negated fault", "It was not my fault.", nil, false},
		{"negated careless", "Nobody was careless.", nil, false},
		{"negation does not reach other rules", "We did not say it should have been caught.", []hit{{"counterfactual", "should have"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := check(t, c, tc.text, []string{"Bob"})
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, hits(got))
			for _, f := range got {
				assert.Equal(t, tc.quoted, f.Quoted, f.Phrase)
			}
		})
	}
}

func TestBlameNounsAndAgents(t *testing.T) {
	c := newDefault(t)
	people := []string{"Dave"}
	tests := []struct {
		name, text string
		want       []hit
	}{
		{"by at the start", "By the engineer on call.", nil},
		{"caused by human error", "The outage was caused by human error.", []hit{{"human-error", "human error"}}},
		{"caused by operator error", "It was caused by operator error.", []hit{{"human-error", "operator error"}}},
		{"caused by an engineer mistake", "It was caused by an engineer mistake.", []hit{{"blame-noun", "engineer mistake"}}},
		{"by third in the text", "Outage caused by an operator.", []hit{{"role-as-cause", "caused by an operator"}}},
		{"caused by after a comma", "It broke, caused by an operator.", []hit{{"role-as-cause", "caused by an operator"}}},
		{"pushed by after a comma", "It was, pushed by an engineer without review.", nil},
		{"engineer error", "It was engineer error.", []hit{{"blame-noun", "engineer error"}}},
		{"software operator mistake first", "Kubernetes operator mistake.", nil},
		{"his own mistake first", "His own mistake.", []hit{{"blame-noun", "His own mistake"}}},
		{"own, mistake", "It was his own, mistake", nil},
		{"a thing's errors", "It was the parser's errors.", nil},
		{"a role's errors", "It was the operator's errors.", []hit{{"blame-noun", "operator's errors"}}},
		{"caused by needs no copula", "An outage caused by an operator.", []hit{{"role-as-cause", "caused by an operator"}}},
		{"triggered by", "It was triggered by the release manager.", []hit{{"role-as-cause", "triggered by the release manager"}}},
		{"introduced by", "The regression was introduced by a developer.", []hit{{"role-as-cause", "introduced by a developer"}}},
		{"broken by", "The build was broken by the intern.", []hit{{"role-as-cause", "broken by the intern"}}},
		{"deployed by, no copula", "A change deployed by the engineer without review.", nil},
		{"being pushed by", "It failed, being pushed by an engineer without review.", []hit{{"role-as-cause", "pushed by an engineer"}}},
		{"adverb before the participle", "It was quickly pushed by an engineer without review.", []hit{{"role-as-cause", "pushed by an engineer"}}},
		{"by you", "It was caused by you.", nil},
		{"reviewed by", "It was reviewed by an engineer without comment.", nil},
		{"by a name", "It was triggered by Dave.", []hit{{"person-as-cause", "triggered by Dave"}}},
		{"honest mistake", "It was the operator's honest mistake.", []hit{{"blame-noun", "operator's honest mistake"}}},
		{"big mistake", "It was her big mistake.", []hit{{"blame-noun", "her big mistake"}}},
		{"careless mistake", "It was the engineer's careless mistake.", []hit{{"blame-noun", "engineer's careless mistake"}}},
		{"his error", "It was his error.", []hit{{"blame-noun", "his error"}}},
		{"its error", "It was its error.", nil},
		{"a thing's error", "It was the parser's error.", nil},
		{"someone's error", "It was someone's error.", []hit{{"blame-noun", "someone's error"}}},
		{"a name's error", "It was Dave's error.", []hit{{"blame-noun", "Dave's error"}}},
		{"an unknown name's error", "It was Carol's error.", nil},
		{"everyone's mistake", "It was everyone's mistake.", nil},
		{"human mistake", "It was a human mistake.", []hit{{"blame-noun", "human mistake"}}},
		{"plural role before a mistake", "It was an engineers mistake.", nil},
		{"software operator mistake", "It was a Kubernetes operator mistake.", nil},
		{"engineer error rate", "The engineer error rate is flat.", nil},
		{"possessive error rate", "The operator's error rate is flat.", nil},
		{"mistake of a role", "It was a mistake of the engineer.", []hit{{"blame-noun", "mistake of the engineer"}}},
		{"mistake by you", "It was a mistake by you.", nil},
		{"mistake of a thing", "It was a mistake of the config.", nil},
		{"mistake by at the end", "It was a mistake by", nil},
		{"always blame", "The sloppiness of the rollout hurt.", []hit{{"blame-noun", "sloppiness"}}},
		{"always blame, owned", "Their laziness hurt.", []hit{{"blame-noun", "Their laziness"}}},
		{"judgement at the end", "It was lazy", []hit{{"judgement", "lazy"}}},
		{"lazy loading", "It was lazy loading", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := check(t, c, tc.text, people)
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, hits(got))
		})
	}
}

func TestWordForms(t *testing.T) {
	for w, want := range map[string]string{"AZaz@[`{": "azaz@[`{", "on-call": "on-call", "ÉCOLE": "école", "": ""} {
		assert.Equal(t, want, lowerWord(w), w)
	}
	for w, want := range map[string]bool{"engineer's": true, "engineer’s": true, "engineers'": true, "engineers’": true, "engineers": false, "'s": true, "s": false} {
		assert.Equal(t, want, isPossessive(w), w)
	}
	for w, want := range map[string]string{"engineer's": "engineer", "engineer’s": "engineer", "engineers'": "engineers", "engineers’": "engineers", "engineer": "engineer"} {
		assert.Equal(t, want, stripPossessive(w), w)
	}
	tests := []struct {
		lex      []string
		w, lemma string
	}{
		{[]string{"go"}, "goes", "go"},          // a two-letter base
		{[]string{"x"}, "xs", ""},               // a one-letter base is too short
		{[]string{"bare"}, "bars", ""},          // -s never restores an e
		{[]string{"bare"}, "bard", ""},          // nor does -d
		{[]string{"bare"}, "bared", "bare"},     // -ed does
		{[]string{"bare"}, "baring", "bare"},    // and -ing
		{[]string{"lie"}, "lied", "lie"},        // -d
		{[]string{"skip"}, "skipps", ""},        // only -ed and -ing double a consonant
		{[]string{"skip"}, "skipted", ""},       // and only a doubled one
		{[]string{"skip"}, "skipping", "skip"},  //
		{[]string{"apply"}, "applies", "apply"}, //
		{[]string{"apply"}, "applied", "apply"}, //
		{[]string{"apply"}, "applys", "apply"},  //
		{[]string{"y"}, "ies", "y"},             //
		{[]string{"mistake"}, "mistaken", ""},   //
		{[]string{"fat-finger"}, "fat-fingered", "fat-finger"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.lemma, lemmaIn(tc.w, wordSet(tc.lex...)), "%s in %v", tc.w, tc.lex)
	}
	// forms is lemmaIn for every lexicon, precomputed.
	for li, lex := range lexicons {
		for l := range *lex {
			for _, f := range []string{l, l + "s", l + "ed", l + "ing"} {
				if want := lemmaIn(f, *lex); want != "" {
					assert.Equal(t, want, entry(f)[li], "%s in lexicon %d", f, li)
				}
			}
		}
	}
	assert.Equal(t, "ignore", entry("ignored")[lexFault])
	assert.Equal(t, "skip", entry("skipping")[lexFault])
	assert.Equal(t, "engineer", entry("engineers")[lexRole])
	assert.Equal(t, "", entry("ignorance")[lexFault])
	assert.Equal(t, &noEntry, entry("xyzzy"))
}

func TestQuietSpans(t *testing.T) {
	c := newDefault(t)
	tests := []struct {
		name, text string
		want       []hit
	}{
		{"backticks inside a double-backtick span", "Run ``human `error` here`` and human error", []hit{{"human-error", "human error"}}},
		{"an unclosed fence", "Run ``human error` here", []hit{{"human-error", "human error"}}},
		{"a url in parentheses", "(https://x.example/human-error) human error", []hit{{"human-error", "human error"}}},
		{"a url in angle brackets", "<https://x.example/human-error> human error", []hit{{"human-error", "human error"}}},
		{"an unclosed curly quote", "The alert read “human error", []hit{{"human-error", "human error"}}},
		{"an unclosed guillemet", "The alert read «human error", []hit{{"human-error", "human error"}}},
		{"machine word eight tokens back", "The alert a b c d e f read \"human error\"", nil},
		{"machine word nine tokens back", "The alert a b c d e f g read2 \"human error\"", []hit{{"human-error", "human error"}}},
		{"a quote right at the start", "\"human error\" was the title.", []hit{{"human-error", "human error"}}},
		{"two quotes", "The alert read \"human error\" and we said \"human error\".", []hit{{"human-error", "human error"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := check(t, c, tc.text, nil)
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, hits(got))
		})
	}
}

// A phrase group after another capturing group, and a phrase group that
// matched nothing, in a caller's rule.
func TestPhraseGroupEdges(t *testing.T) {
	c, err := New([]Rule{
		{ID: "second-group", Patterns: []string{`(this|that)\s+(?P<phrase>just)\s+needed`}, Why: "w", Reframe: "r"},
		{ID: "empty-phrase", Patterns: []string{`zap(?P<phrase>q?)`}, Why: "w", Reframe: "r"},
	})
	assert.NoError(t, err)
	assert.Equal(t, []hit{{"second-group", "just"}}, hits(check(t, c, "Honestly that just needed a restart.", nil)))
	assert.Empty(t, check(t, c, "zap it", nil), "an empty phrase is no finding")
	assert.Equal(t, []hit{{"empty-phrase", "q"}}, hits(check(t, c, "zapq", nil)))
}

func TestScanEdges(t *testing.T) {
	c := newDefault(t)
	// U+0080 is the first rune past ASCII: not a word rune.
	assert.Equal(t, []hit{{"forgot", "forgot"}}, hits(check(t, c, "x\u0080forgot", nil)))
	// A double hyphen before a word is no joiner.
	assert.Equal(t, []hit{{"forgot", "forgot"}}, hits(check(t, c, "x --forgot", nil)))
	assert.Empty(t, check(t, c, "x-forgot", nil))

	// An exception that starts where a finding ends does not overlap it.
	r, err := New([]Rule{{ID: "touch", Patterns: []string{`foo;`, `!\s+bar`}, Why: "w", Reframe: "r"}})
	assert.NoError(t, err)
	assert.Equal(t, []hit{{"touch", "foo;"}}, hits(check(t, r, "foo; bar", nil)))
	assert.Empty(t, check(t, r, "foo;bar", nil))
}

func TestPersonScanEdges(t *testing.T) {
	words := func(s string) []string {
		var out []string
		for _, t := range tokenize(s) {
			out = append(out, t.text)
		}
		return out
	}
	assert.Equal(t, []string{"Alice", "x"}, words("Alice' x"))
	assert.Equal(t, []string{"O'Brien", "on-call", "x"}, words("O'Brien on-call- x"))
	assert.Equal(t, []string{"rock'n", "roll"}, words("rock'n roll"))

	c := newDefault(t)
	alice := []string{"Alice Smith"}
	tests := []struct {
		name, text string
		want       []hit
	}{
		{"a colon right before the name", "Status x:Alice deployed it.", nil},
		{"six lead-ins after a break", "Ok. then later next finally first afterwards Alice deployed it.", []hit{{"person-as-cause", "Alice deployed"}}},
		{"seven lead-ins after a break", "Ok. then later next finally first afterwards meanwhile Alice deployed it.", nil},
		{"a plain word before the name", "Ok Alice deployed it.", nil},
		{"a full name cut by the end", "Paged Alice", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := check(t, c, tc.text, alice)
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, hits(got))
		})
	}
}

// Clause starts, adverbs and verbs of the person check at the end of a text
// and at the edges of its word lists.
func TestPersonCheckEdges(t *testing.T) {
	c := newDefault(t)
	people := []string{"Alice Smith", "Bob"}
	tests := []struct {
		name, text string
		want       []hit
	}{
		{"a name alone", "Alice", nil},
		{"a name and an adverb", "Alice quickly", nil},
		{"a name and and", "Alice and", nil},
		{"full name and a name", "Alice Smith and Bob deployed it.", []hit{{"person-as-cause", "Alice Smith and Bob deployed"}}},
		{"a four-letter -ly word is no adverb", "Alice only deployed it.", nil},
		{"a five-letter -ly word is", "Alice oddly deployed it.", []hit{{"person-as-cause", "Alice oddly deployed"}}},
		{"a four-letter -ed verb", "Alice used the old config.", []hit{{"person-as-cause", "Alice used"}}},
		{"a three-letter -ed word", "Alice bed the old config.", nil},
		{"decided to at the end", "Bob decided to", []hit{{"person-as-cause", "Bob decided"}}},
		{"a determiner at the end", "Alice opened the", []hit{{"person-as-cause", "Alice opened"}}},
		{"opened the incident", "Alice opened the incident.", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := check(t, c, tc.text, people)
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, hits(got))
		})
	}
}
