package lint

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hit is an expected finding: rule id and phrase as written.
type hit struct{ rule, phrase string }

func hits(fs []Finding) []hit {
	out := make([]hit, len(fs))
	for i, f := range fs {
		out[i] = hit{f.Rule, f.Phrase}
	}
	return out
}

func newDefault(t testing.TB) *Checker {
	t.Helper()
	c, err := New(nil)
	require.NoError(t, err)
	return c
}

// check runs c.Check, asserts the invariants, and asserts that the
// prefiltered scan (prefilter.go) finds exactly what a full scan finds.
func check(t testing.TB, c *Checker, text string, people []string) []Finding {
	t.Helper()
	got := c.Check(text, people)
	checkInvariants(t, text, got)
	full := c.check(scanText{text: text, lower: text, exact: false}, people)
	require.Equal(t, full, got, "prefiltered and full scans disagree")
	return got
}

// checkInvariants holds for every result of Check, whatever the text.
func checkInvariants(t testing.TB, text string, fs []Finding) {
	t.Helper()
	require.NotNil(t, fs)
	for i, f := range fs {
		require.True(t, 0 <= f.Start && f.Start < f.End && f.End <= len(text), "span %d..%d of %d bytes", f.Start, f.End, len(text))
		require.Equal(t, text[f.Start:f.End], f.Phrase)
		require.NotEmpty(t, f.Rule)
		require.NotEmpty(t, f.Why)
		require.NotEmpty(t, f.Reframe)
		if i > 0 {
			require.LessOrEqual(t, fs[i-1].End, f.Start, "findings overlap or are out of order")
		}
	}
}

var alice = []string{"Alice"}

// Sentences that must fire, with the rule ids and phrases they fire with.
var mustFire = []struct {
	text   string
	people []string
	want   []hit
}{
	{"The root cause was human error.", nil, []hit{{"human-error", "human error"}}},
	{"Root cause: Human-error during the manual failover.", nil, []hit{{"human-error", "Human-error"}}},
	{"This was operator error during the failover.", nil, []hit{{"human-error", "operator error"}}},
	{"Human errors like this will keep happening.", nil, []hit{{"human-error", "Human errors"}}},
	{"Support closed the ticket as user error.", nil, []hit{{"user-error", "user error"}}},
	{"We did not have enough time to test the migration.", nil, []hit{{"time-pressure", "did not have enough time"}}},
	{"There was not enough time to run the full suite.", nil, []hit{{"time-pressure", "not enough time"}}},
	{"The on-call didn’t have time to read the runbook.", nil, []hit{{"time-pressure", "didn’t have time"}}},
	{"We ran out of time before the change freeze.", nil, []hit{{"time-pressure", "ran out of time"}}},
	{"We should have checked the replica lag first.", nil, []hit{{"counterfactual", "should have"}}},
	{"The reviewer could have caught this in review.", nil, []hit{{"counterfactual", "could have"}}},
	{"We should've known better.", nil, []hit{{"counterfactual", "should've"}}},
	{"In hindsight we could’ve rolled back sooner.", nil, []hit{{"counterfactual", "could’ve"}}},
	{"Someone should have been watching the queue.", nil, []hit{{"counterfactual", "should have"}}},
	{"We shouldn't have deployed on a Friday.", nil, []hit{{"counterfactual", "shouldn't have"}}},
	{"We didn't roll back, as we should have.", nil, []hit{{"counterfactual", "should have"}}},
	{"The canary should have been caught by the smoke test.", nil, []hit{{"counterfactual", "should have"}}},
	{"The on-call engineer failed to escalate.", nil, []hit{{"failed-to", "failed to"}}},
	{"We failed to notice the disk filling up.", nil, []hit{{"failed-to", "failed to"}}},
	{"I completely failed to read the second alert.", nil, []hit{{"failed-to", "failed to"}}},
	{"He forgot to drain the node first.", nil, []hit{{"forgot", "forgot"}}},
	{"The cleanup step had been forgotten in the runbook.", nil, []hit{{"forgot", "forgotten"}}},
	{"It was a careless change to the firewall rules.", nil, []hit{{"careless", "careless"}}},
	{"Carelessness during the cut-over caused the gap.", nil, []hit{{"careless", "Carelessness"}}},
	{"The review was negligent.", nil, []hit{{"negligence", "negligent"}}},
	{"Leaving the port open was negligence.", nil, []hit{{"negligence", "negligence"}}},
	{"The deploy team was at fault.", nil, []hit{{"fault", "at fault"}}},
	{"It was my fault, I pushed without a review.", nil, []hit{{"fault", "my fault"}}},
	{"Honestly, it was the vendor's fault.", nil, []hit{{"fault", "vendor's fault"}}},
	{"Whose fault was it?", nil, []hit{{"fault", "Whose fault"}}},
	{"The fault lies with the release process owners.", nil, []hit{{"fault", "The fault lies with"}}},
	{"Management blamed the database team.", nil, []hit{{"blame", "blamed"}}},
	{"Nobody wants to take the blame for this.", nil, []hit{{"blame", "blame"}}},
	{"The outage was blamed on the intern.", nil, []hit{{"blame", "blamed"}}},
	{"Alice deployed the bad config.", alice, []hit{{"person-as-cause", "Alice deployed"}}},
	{"Then Bob ran the migration against production.", []string{"Bob"}, []hit{{"person-as-cause", "Bob ran"}}},
	{"14:02 UTC Carol Diaz accidentally deleted the bucket.", []string{"Carol Diaz"}, []hit{{"person-as-cause", "Carol Diaz accidentally deleted"}}},
	{"At 14:05, carol restarted the primary.", []string{"Carol Diaz"}, []hit{{"person-as-cause", "carol restarted"}}},
	{"Will merged the PR without tests.", []string{"Will Turner"}, []hit{{"person-as-cause", "Will merged"}}},
	{"Alice and Bob pushed the hotfix together.", []string{"Alice", "Bob"}, []hit{{"person-as-cause", "Alice and Bob pushed"}}},
	{"The cache expired because Dave changed the TTL.", []string{"Dave"}, []hit{{"person-as-cause", "Dave changed"}}},
	{"- 14:10 Alice rolled out v2.3 to every region.", alice, []hit{{"person-as-cause", "Alice rolled"}}},
	{"Bob decided to skip the canary.", []string{"Bob"}, []hit{{"person-as-cause", "Bob decided"}}},
	{"Bob blamed himself for the outage.", []string{"Bob"}, []hit{{"blame", "blamed"}}},
	{
		"Human error: Dave forgot the flag and we failed to notice.", []string{"Dave"},
		[]hit{{"human-error", "Human error"}, {"person-as-cause", "Dave forgot"}, {"failed-to", "failed to"}},
	},
	{
		"We should have seen it; it was careless and, frankly, operator error.", nil,
		[]hit{{"counterfactual", "should have"}, {"careless", "careless"}, {"human-error", "operator error"}},
	},
}

// Realistic incident sentences that must not fire.
var mustNotFire = []struct {
	text   string
	people []string
}{
	{"The client logged a timeout error after 30 seconds.", nil},
	{"We burned 40% of the monthly error budget in an hour.", nil},
	{"The queue is a fault-tolerant design with three replicas.", nil},
	{"Fault tolerance for the scheduler is on the roadmap.", nil},
	{"This is a blameless postmortem.", nil},
	{"The user error rate metric spiked to 4%.", nil},
	{"User errors spiked after the release.", nil},
	{"The operator error logs showed a CRD version mismatch.", nil},
	{"The job failed to start because the image was missing.", nil},
	{"The pod failed to connect to the database for six minutes.", nil},
	{"The replicas restarted but they failed to rejoin the cluster.", nil},
	{"Segmentation fault in the worker after the upgrade.", nil},
	{"A page fault storm slowed the host to a crawl.", nil},
	{"We ran fault injection tests in staging last quarter.", nil},
	{"The fault domain for the cluster is a single rack.", nil},
	{"The fault was with the load balancer's health check.", nil},
	{"The RAID controller reported a faulty disk; the disk faulted twice overnight.", nil},
	{"It was nobody's fault.", nil},
	{"Nobody was at fault.", nil},
	{"The operator failed to reconcile the CRD after the upgrade.", nil},
	{"The Kubernetes operator error was a CRD version mismatch.", nil},
	{"Bob decided to roll back at 14:09.", []string{"Bob"}},
	{"Each service should have an owner and a runbook.", nil},
	{"The runbook should have dedicated sections for failover.", nil},
	{"Every alert should have linked dashboards and at least two responders.", nil},
	{"Running git blame showed the change came from a refactor.", nil},
	{"The goal of this review is not to assign blame.", nil},
	{"We want a blame-free culture where nobody is to blame.", nil},
	{"We initially blamed DNS, as one does.", nil},
	{"Add a confirmation prompt to reduce the chance of human error.", nil},
	{"We are adding human-error-proofing to the deploy tool.", nil},
	{"The manual process is prone to human error.", nil},
	{"The forgot password page returned 500s for an hour.", nil},
	{"It could have been much worse.", nil},
	{"Nobody could have known the cache was stale.", nil},
	{"Not enough time series were retained to see the trend.", nil},
	{"Careful review caught the second issue before it shipped.", nil},
	{"The error rate dropped after the rollback.", nil},
	{"The alert fired at 14:02 and the on-call acknowledged it.", nil},
	{"Alice noticed the alert and paged Bob.", []string{"Alice", "Bob"}},
	{"Bob escalated to the database team at 14:07.", []string{"Bob"}},
	{"Carol rolled back the deploy at 14:10.", []string{"Carol"}},
	{"Alice failed over to the secondary region.", alice},
	{"Erin opened an incident and started a bridge.", []string{"Erin"}},
	{"Alice's deploy went out at 13:58.", alice},
	{"The config Alice deployed contained a typo.", alice},
	{"Alice was paged at 03:12 and joined at 03:15.", alice},
	{"We will deploy the fix tomorrow.", []string{"Will Turner"}},
	{"Will deployed the fix.", nil},
	{"Will deployed the fix.", []string{"Bob"}},
}

func TestCorpusFires(t *testing.T) {
	c := newDefault(t)
	for _, tc := range mustFire {
		t.Run(tc.text, func(t *testing.T) {
			got := check(t, c, tc.text, tc.people)
			assert.Equal(t, tc.want, hits(got))
		})
	}
}

func TestCorpusDoesNotFire(t *testing.T) {
	c := newDefault(t)
	for _, tc := range mustNotFire {
		t.Run(tc.text, func(t *testing.T) {
			got := check(t, c, tc.text, tc.people)
			assert.Empty(t, got)
		})
	}
}

func TestCorpusSize(t *testing.T) {
	assert.GreaterOrEqual(t, len(mustFire), 20)
	assert.GreaterOrEqual(t, len(mustNotFire), 20)
	assert.GreaterOrEqual(t, len(mustFire)+len(mustNotFire), 40)
}

// Every default rule must be exercised by the corpus.
func TestCorpusCoversEveryRule(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range mustFire {
		for _, h := range tc.want {
			covered[h.rule] = true
		}
	}
	for _, r := range DefaultRules {
		assert.True(t, covered[r.ID], "no corpus sentence fires %q", r.ID)
	}
	assert.True(t, covered["person-as-cause"])
}

func TestFindingFields(t *testing.T) {
	c := newDefault(t)
	text := "Alice deployed the bad config."
	got := c.Check(text, alice)
	require.Len(t, got, 1)
	f := got[0]
	assert.Equal(t, Finding{
		Rule:    "person-as-cause",
		Phrase:  "Alice deployed",
		Start:   0,
		End:     14,
		Why:     personWhy,
		Reframe: "What in the deploy path let this change through? Describe the system, not Alice.",
	}, f)

	b, err := json.Marshal(f)
	require.NoError(t, err)
	assert.JSONEq(t, `{"rule":"person-as-cause","phrase":"Alice deployed","start":0,"end":14,
		"why":"`+personWhy+`","reframe":"What in the deploy path let this change through? Describe the system, not Alice."}`, string(b))
}

func TestNoFindingsEncodesAsEmptyList(t *testing.T) {
	c := newDefault(t)
	for _, text := range []string{"", "All systems nominal."} {
		b, err := json.Marshal(c.Check(text, nil))
		require.NoError(t, err)
		assert.Equal(t, "[]", string(b))
	}
}

func TestOrderedByStart(t *testing.T) {
	c := newDefault(t)
	text := "Blame aside, we should have paged sooner; Bob forgot the flag, the team was at fault, and it was human error."
	got := check(t, c, text, []string{"Bob"})
	assert.Equal(t, []hit{
		{"blame", "Blame"},
		{"counterfactual", "should have"},
		{"person-as-cause", "Bob forgot"},
		{"fault", "at fault"},
		{"human-error", "human error"},
	}, hits(got))
	assert.True(t, sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Start < got[j].Start }))
}

func TestOverlapKeepsLongest(t *testing.T) {
	c := newDefault(t)
	tests := []struct {
		text   string
		people []string
		want   []hit
	}{
		// "Alice forgot" (person) contains "forgot" (word list).
		{"Alice forgot to renew the certificate.", alice, []hit{{"person-as-cause", "Alice forgot"}}},
		// "did not have time" outranks the person heuristic's "Alice did".
		{"Alice did not have time to test it.", alice, []hit{{"time-pressure", "did not have time"}}},
		// "Alice's fault" is one finding, not also "fault" or a person.
		{"It was Alice's fault.", alice, []hit{{"fault", "Alice's fault"}}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			got := check(t, c, tc.text, tc.people)
			assert.Equal(t, tc.want, hits(got))
		})
	}
}

func TestWordBoundaries(t *testing.T) {
	c := newDefault(t)
	for _, text := range []string{
		"unforgotten", "blameless", "no-blame retro", "faulty", "faults", "fault-tolerant",
		"self-blame", "carelessly_named_var", "human_error_total", "superhuman error",
		"forgotténs", "blame\u0301",
	} {
		t.Run(text, func(t *testing.T) {
			assert.Empty(t, check(t, c, text, nil))
		})
	}
	// Punctuation, quotes and line ends are boundaries.
	for _, text := range []string{`"forgot"`, "(forgot)", "forgot\n", "—forgot—", "x/forgot", "FORGOT!"} {
		t.Run(text, func(t *testing.T) {
			got := check(t, c, text, nil)
			assert.Equal(t, []hit{{"forgot", strings.Trim(text, "\"()\n—/x!")}}, hits(got))
		})
	}
}

func TestUnicodeOffsets(t *testing.T) {
	c := newDefault(t)
	tests := []struct {
		text   string
		people []string
		want   []hit
	}{
		{"🔥🔥 Alice deployed the config 🚀 and it was human error 🙈", alice,
			[]hit{{"person-as-cause", "Alice deployed"}, {"human-error", "human error"}}},
		{"José forgot the café’s failover step.", []string{"José Álvarez"}, []hit{{"person-as-cause", "José forgot"}}},
		{"ZOË DEPLOYED THE HOTFIX.", []string{"Zoë"}, []hit{{"person-as-cause", "ZOË DEPLOYED"}}},
		{"המערכת נפלה — human error — ולא היה מספיק זמן", nil, []hit{{"human-error", "human error"}}},
		{"Ünïcödé prose, then: we should have paged the DBA.", nil, []hit{{"counterfactual", "should have"}}},
		{"日本語のテキスト blamed 日本語", nil, []hit{{"blame", "blamed"}}},
		{"İstanbul team: not enough time", nil, []hit{{"time-pressure", "not enough time"}}},
		{"bad \xff\xfe bytes, human error \xc3", nil, []hit{{"human-error", "human error"}}},
		// (?i) matches the long s and the Kelvin sign against ASCII letters.
		{"It was careleſs.", nil, []hit{{"careless", "careleſs"}}},
		{"ſhould have checked it.", nil, []hit{{"counterfactual", "ſhould have"}}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			got := check(t, c, tc.text, tc.people)
			assert.Equal(t, tc.want, hits(got))
		})
	}
}

func TestPersonAsCause(t *testing.T) {
	c := newDefault(t)
	tests := []struct {
		name   string
		text   string
		people []string
		want   []hit
	}{
		{"no people, no finding", "Alice deployed the bad config.", nil, nil},
		{"name not in people", "Alice deployed the bad config.", []string{"Bob"}, nil},
		{"case-insensitive name", "ALICE deployed the bad config.", []string{"alice"}, []hit{{"person-as-cause", "ALICE deployed"}}},
		{"first name of First Last", "Alice deployed it.", []string{"Alice Smith"}, []hit{{"person-as-cause", "Alice deployed"}}},
		{"full name preferred", "Alice Smith deployed it.", []string{"Alice Smith"}, []hit{{"person-as-cause", "Alice Smith deployed"}}},
		{"last name alone is not matched", "Smith deployed it.", []string{"Alice Smith"}, nil},
		{"Will in people", "Will restarted the primary.", []string{"Will"}, []hit{{"person-as-cause", "Will restarted"}}},
		{"will as a modal", "We will restart the primary.", []string{"Will"}, nil},
		{"name inside a word", "Alicej deployed it.", alice, nil},
		{"second sentence", "The alert fired. Alice then pushed a fix.", alice, []hit{{"person-as-cause", "Alice then pushed"}}},
		{"after a conjunction", "The lag grew and Alice restarted the replica.", alice, []hit{{"person-as-cause", "Alice restarted"}}},
		{"after a bracketed timestamp", "[14:02] Alice merged #412.", alice, []hit{{"person-as-cause", "Alice merged"}}},
		{"markdown bullet", "* Alice set max_connections to 10", alice, []hit{{"person-as-cause", "Alice set"}}},
		{"irregular past", "Alice wrote the migration.", alice, []hit{{"person-as-cause", "Alice wrote"}}},
		{"object position", "Bob paged Alice.", alice, nil},
		{"passive", "Alice was asked to deploy.", alice, nil},
		{"present tense", "Alice deploys on Tuesdays.", alice, nil},
		{"rolled back is mitigation", "Alice rolled back at 14:10.", alice, nil},
		{"updated the status page", "Alice updated the status page.", alice, nil},
		{"mitigated", "Alice mitigated by scaling out.", alice, nil},
		{"resolved", "Alice resolved the incident at 15:00.", alice, nil},
		{"mid-sentence name", "We asked Alice deployed-state questions.", alice, nil},
		{"people with blanks and punctuation", "Alice deployed it.", []string{"", "  ", "—", "Alice"}, []hit{{"person-as-cause", "Alice deployed"}}},
		{"O'Brien", "O'Brien deleted the index.", []string{"Pat O'Brien", "O'Brien"}, []hit{{"person-as-cause", "O'Brien deleted"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := check(t, c, tc.text, tc.people)
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, hits(got))
		})
	}
}

func TestPersonReframe(t *testing.T) {
	c := newDefault(t)
	tests := []struct{ text, want string }{
		{"Alice deployed it.", "What in the deploy path let this change through? Describe the system, not Alice."},
		{"Alice forgot the flag.", "What made this step easy to miss? Describe the system, not Alice."},
		{"Alice merged it.", "What in the review and merge path let this change through? Describe the system, not Alice."},
		{"Alice deleted the bucket.", "Which safeguard should stand between a destructive action and production? Describe the system, not Alice."},
		{"Alice ran the script.", "What in the tooling made running this look safe at the time? Describe the system, not Alice."},
		{"Alice and Bob changed the TTL.", "What in the system made this step possible, or made it look right at the time? Describe the system, not Alice and Bob."},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			got := c.Check(tc.text, []string{"Alice", "Bob"})
			require.Len(t, got, 1)
			assert.Equal(t, tc.want, got[0].Reframe)
		})
	}
}

func TestNewCustomRules(t *testing.T) {
	rules := []Rule{{
		ID:       "root-cause",
		Patterns: []string{`(?:the\s+)?root\s+cause`, `!root\s+cause\s+analysis`},
		Why:      "There is rarely a single cause.",
		Reframe:  "Which contributing factors lined up?",
	}}
	c, err := New(rules)
	require.NoError(t, err)

	text := "The root cause was human error; see the root cause analysis."
	got := check(t, c, text, nil)
	assert.Equal(t, []hit{{"root-cause", "The root cause"}}, hits(got), "a replacement list drops the defaults")
	assert.Equal(t, "Which contributing factors lined up?", got[0].Reframe)

	c, err = New(append(append([]Rule{}, DefaultRules...), rules...))
	require.NoError(t, err)
	assert.Equal(t, []hit{{"root-cause", "The root cause"}, {"human-error", "human error"}}, hits(c.Check(text, nil)))

	// An empty list keeps only the person check.
	c, err = New([]Rule{})
	require.NoError(t, err)
	assert.Equal(t, []hit{{"person-as-cause", "Alice deployed"}}, hits(c.Check("Alice deployed; human error.", alice)))
}

func TestNewPhraseGroup(t *testing.T) {
	c, err := New([]Rule{{ID: "just", Patterns: []string{`(?:it|this)\s+(?P<phrase>just)\s+needed`}, Why: "w", Reframe: "r"}})
	require.NoError(t, err)
	text := "Honestly this just needed a restart."
	got := check(t, c, text, nil)
	assert.Equal(t, []hit{{"just", "just"}}, hits(got))
}

func TestLiteralAnalysis(t *testing.T) {
	tests := []struct {
		pattern            string
		required, prefixes []string
	}{
		{`human[\s-]+errors?`, []string{"human"}, []string{"human"}},
		{`blam(?:e|ed|es|ing)`, []string{"blam"}, []string{"blame", "blaming"}},
		{`(?:my|his|her)\s+fault`, []string{"fault"}, []string{"my", "his", "her"}},
		{`(?:the\s+)?root\s+cause`, []string{"cause"}, []string{"the", "root"}},
		{`\pL+['’]s\s+fault`, []string{"fault"}, nil},
		{`(?:a|the)\s+x`, nil, []string{"a", "the"}},
		{`x*yz`, []string{"yz"}, []string{"x", "yz"}},
		{`café`, nil, nil}, // non-ASCII literals are not searched for
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			lits := analyse(tc.pattern)
			assert.Equal(t, tc.required, lits.required, "required")
			assert.Equal(t, tc.prefixes, lits.prefixes, "prefixes")
		})
	}
	assert.Equal(t, "\u212a\u017f", foldsToASCII, "the Kelvin sign and the long s")
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name  string
		rules []Rule
		want  string
	}{
		{"invalid pattern", []Rule{{ID: "broken", Patterns: []string{`human (error`}}}, `rule "broken": pattern "human (error"`},
		{"invalid exception", []Rule{{ID: "broken", Patterns: []string{`x`, `!(`}}}, `rule "broken": pattern "("`},
		{"empty pattern", []Rule{{ID: "empty", Patterns: []string{""}}}, `rule "empty"`},
		{"matches empty text", []Rule{{ID: "star", Patterns: []string{`a*`}}}, `rule "star": pattern "a*": matches empty text`},
		{"no patterns", []Rule{{ID: "none"}}, `rule "none" has no patterns`},
		{"only exceptions", []Rule{{ID: "exc", Patterns: []string{"!x"}}}, `rule "exc" has no patterns`},
		{"no id", []Rule{{Patterns: []string{"x"}}}, "rule 0 has no ID"},
		{"duplicate id", []Rule{{ID: "d", Patterns: []string{"x"}}, {ID: "d", Patterns: []string{"y"}}}, `rule "d": duplicate ID`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.rules)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestDefaultRulesDocumented(t *testing.T) {
	for _, r := range DefaultRules {
		assert.NotEmpty(t, r.Why, r.ID)
		assert.True(t, strings.HasSuffix(r.Why, "."), "%s: Why is one sentence", r.ID)
		assert.True(t, strings.HasSuffix(r.Reframe, "?"), "%s: Reframe is a question", r.ID)
	}
}

func TestRepeatedAndAdjacent(t *testing.T) {
	c := newDefault(t)
	text := "forgot forgot,forgot.blame blame"
	got := check(t, c, text, nil)
	assert.Equal(t, []hit{{"forgot", "forgot"}, {"forgot", "forgot"}, {"forgot", "forgot"}, {"blame", "blame"}, {"blame", "blame"}}, hits(got))
}

func TestConcurrentUse(t *testing.T) {
	c := newDefault(t)
	done := make(chan []Finding)
	for range 8 {
		go func() { done <- c.Check(benchText, benchPeople) }()
	}
	first := <-done
	for range 7 {
		assert.Equal(t, first, <-done)
	}
}

func FuzzCheck(f *testing.F) {
	for _, tc := range mustFire {
		f.Add(tc.text, strings.Join(tc.people, ","))
	}
	for _, tc := range mustNotFire {
		f.Add(tc.text, strings.Join(tc.people, ","))
	}
	for _, s := range []string{"", "🔥", "\xff", "a\u0301", "Alice-", "-Alice deployed", "İı", "shouldn’t’ve been", "careleſs \u212a"} {
		f.Add(s, "Alice,İ")
	}
	c := newDefault(f)
	f.Fuzz(func(t *testing.T, text, people string) {
		got := check(t, c, text, strings.Split(people, ","))
		for _, g := range got {
			require.True(t, utf8.ValidString(g.Phrase) || !utf8.ValidString(text))
		}
	})
}

var benchPeople = []string{"Alice Smith", "Bob Jones", "Carol Diaz", "Will Turner"}

// benchText is a ~2 KB incident narrative with a few findings in it.
var benchText = strings.Repeat("At 13:58 UTC Alice Smith deployed release 2024.11.3 to the payments cluster. "+
	"The canary looked healthy, so the rollout continued to every region. At 14:02 the p99 latency alert fired "+
	"and Bob acknowledged the page, then escalated to the database team. The connection pool was exhausted "+
	"because the new config set max_connections to 10 instead of 100. We should have caught this in review, "+
	"but the diff was large and the reviewer did not have enough time. Carol rolled back at 14:10 and error "+
	"rates recovered within two minutes; the error budget burn was 12%. It was not human error in any useful "+
	"sense: the config schema accepted a value that no production service can run with. ", 3)

// BenchmarkCheck is one 10 000-character postmortem section (benchSection).
func BenchmarkCheck(b *testing.B) {
	c := newDefault(b)
	b.SetBytes(int64(len(benchSection)))
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		c.Check(benchSection, benchPeople)
	}
	if cpu > 0 {
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	}
}

// Adversarial inputs must stay near-linear: a quadratic scan would make these
// run for minutes. (No timing is asserted; a hang fails the test run.)
func TestLargeInputs(t *testing.T) {
	c := newDefault(t)
	for name, text := range map[string]string{
		"long word before a possessive": "1" + strings.Repeat("x", 200_000) + "'s fault",
		"many exceptions":               strings.Repeat("git blame ", 50_000),
		"many findings":                 strings.Repeat("forgot ", 50_000),
		"many names":                    strings.Repeat("Alice and ", 50_000) + "Alice deployed",
		"mid-word candidates":           strings.Repeat("xforgot", 50_000),
	} {
		t.Run(name, func(t *testing.T) {
			checkInvariants(t, text, c.Check(text, alice))
		})
	}
}

func TestDefaultIsSharedAndWorks(t *testing.T) {
	a, err := Default()
	require.NoError(t, err)
	b, err := Default()
	require.NoError(t, err)
	assert.Same(t, a, b, "compiled once per process")
	assert.NotEmpty(t, a.Check("It was human error.", nil))
}
