package lint

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The clause checks on sentences outside the corpus, with the rule and phrase
// each reports.
func TestClauseFires(t *testing.T) {
	c := newDefault(t)
	tests := []struct {
		text string
		want []hit
	}{
		{"The engineers ignored repeated warnings from the monitoring system.", []hit{{"fault-verb", "The engineers ignored"}}},
		{"Our SRE simply overlooked the certificate expiry.", []hit{{"fault-verb", "Our SRE simply overlooked"}}},
		{"The on-call person skipped the verification step.", []hit{{"fault-verb", "The on-call person skipped"}}},
		{"A tired engineer fat-fingered the replica count.", []hit{{"fault-verb", "A tired engineer fat-fingered"}}},
		{"The team lead ignored the concerns raised in review.", []hit{{"fault-verb", "The team lead ignored"}}},
		{"Developers had neglected the flaky test for months.", []hit{{"fault-verb", "Developers had neglected"}}},
		{"Operators kept skipping the pre-checks.", []hit{{"fault-verb", "Operators kept skipping"}}},
		{"The operators messed the config up badly.", []hit{{"fault-verb", "The operators messed the config up"}}},
		{"The person on call missed three pages.", []hit{{"fault-verb", "The person on call missed"}}},
		{"The on-call didn't bother checking the runbook.", []hit{{"fault-verb", "The on-call didn't bother"}}},
		{"She was too distracted to notice the disk alert.", []hit{{"fault-verb", "She was too distracted to"}}},
		{"The SREs botched the DNS cutover.", []hit{{"fault-verb", "The SREs botched"}}},
		{"The problem was caused by somebody running a migration by hand.", []hit{{"role-as-cause", "caused by somebody"}}},
		{"He deleted the wrong namespace.", []hit{{"role-as-cause", "He deleted"}}},
		{"The vendor's technician unplugged the wrong cable.", []hit{{"role-as-cause", "The vendor's technician unplugged"}}},
		{"The contractor wiped the disks on the wrong rack.", []hit{{"role-as-cause", "The contractor wiped"}}},
		{"Somebody had disabled the alert and never told anyone.", []hit{{"role-as-cause", "Somebody had disabled"}}},
		{"An engineer overrode the safety check and pushed anyway.", []hit{{"role-as-cause", "An engineer overrode"}}},
		{"The DBA dropped the orders table.", []hit{{"role-as-cause", "The DBA dropped"}}},
		{"The operators restarted all nodes at once. They caused a full outage.", []hit{{"role-as-cause", "They caused"}}},
		{"It was the ops team's oversight.", []hit{{"blame-noun", "team's oversight"}}},
		{"This was a classic engineer mistake.", []hit{{"blame-noun", "engineer mistake"}}},
		{"The team lead's mistake cost us four hours.", []hit{{"blame-noun", "lead's mistake"}}},
		{"It was an admin mistake, nothing more.", []hit{{"blame-noun", "admin mistake"}}},
		{"The intern was responsible for the data loss.", []hit{{"blame-noun", "The intern was responsible for"}}},
		{"A mistake by the release manager shipped the wrong artifact.", []hit{{"blame-noun", "mistake by the release manager"}}},
		{"The outage was the fault of the on-call engineer.", []hit{{"blame-noun", "fault of the on-call engineer"}}},
		{"The mistake was made by the engineer on call.", []hit{{"blame-noun", "mistake was made by the engineer on call"}}},
		{"The engineer made a mistake.", []hit{{"blame-noun", "The engineer made a mistake"}}},
		{"It was his own mistake.", []hit{{"blame-noun", "his own mistake"}}},
		{"It was the operator's error.", []hit{{"blame-noun", "operator's error"}}},
		{"The incompetence of the support team extended the outage.", []hit{{"blame-noun", "incompetence"}}},
		{"Our DBA was lazy about backups.", []hit{{"judgement", "lazy"}}},
		{"A sloppy review let the bug ship.", []hit{{"judgement", "sloppy"}}},
		{"The new engineer was inexperienced and restarted the wrong service.", []hit{{"judgement", "The new engineer was inexperienced"}}},
		{"The change was made by a junior developer.", []hit{{"judgement", "made by a junior developer"}}},
		{"A junior engineer ran the script.", []hit{{"judgement", "A junior engineer ran"}}},
		{"The junior on-call did not know how to fail over.", []hit{{"judgement", "The junior on-call did"}}},
		{"It failed because an inexperienced engineer was on call.", []hit{{"judgement", "an inexperienced engineer was"}}},
		{"If someone had just looked at the graph, we would have seen it.", []hit{{"counterfactual", "If someone had just looked"}}},
		{"If the on-call engineer had only checked Slack, we'd have caught it.", []hit{{"counterfactual", "If the on-call engineer had only checked"}}},
		{"If only the reviewer had looked, this would not have shipped.", []hit{{"counterfactual", "If only the reviewer had looked"}}},
		{"Had the reviewer read the diff, this would never have shipped.", []hit{{"counterfactual", "Had the reviewer read"}}},
		{"The release manager could easily have stopped the rollout.", []hit{{"counterfactual", "could easily have"}}},
		{"If they had followed the process, it would not have happened.", []hit{{"counterfactual", "If they had followed"}}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			assert.Equal(t, tc.want, hits(check(t, c, tc.text, nil)))
		})
	}
}

func TestClauseDoesNotFire(t *testing.T) {
	c := newDefault(t)
	for _, text := range []string{
		"The engineers investigated the slow queries.",
		"The team missed its latency SLO for the week.",
		"We missed our availability target.",
		"The on-call engineer ignored nothing; the page never arrived.",
		"The monitor ignored the flapping host after three retries.",
		"The developer on call was paged at 03:00.",
		"Alerts were skipped by the dedup logic.",
		"The runbook was written by the SRE team in 2021.",
		"Operators can override the rate limit with a flag.",
		"Someone asked whether the replica was healthy.",
		"The release manager approved the rollout at 09:00.",
		"The engineer deleted the stale feature flags as planned.",
		"The Kubernetes operator skipped the reconcile loop.",
		"If the queue had been partitioned, the backlog would have cleared.",
		"Had the queue been partitioned, the backlog would have cleared.",
		"The developers' dashboards showed a flat line.",
		"User error messages are now clearer.",
		"The operator error codes are documented.",
		"The team's mistake-proofing checklist is linked below.",
		"He joined the bridge and shared his screen.",
		"They restarted the pods after the config reload.",
		"A user uploaded a 4 GB file, which the importer could not handle.",
		"The DBA dropped the replica from the pool to rebuild it.",
		"The on-call engineer restarted the service and latency recovered.",
		"The developer pushed a fix at 11:20.",
		"An operator removed the node from rotation.",
		"Our on-call ignored nothing, but the alert was mislabelled.",
		"The configuration was reviewed by two engineers.",
		"The job was started by the scheduler at midnight.",
		"We made a decision to fail over at 14:10.",
		"The mistake in the config was a missing quote.",
		"The developer's pull request added a retry.",
		"We paired the junior engineer with a mentor.",
		"The junior engineer shadowed the on-call.",
		"The replicas restarted. They caused a brief spike.",
		"We deployed a bad config at 13:58.",
		"It was not the engineer's mistake.",
		"Nobody was sloppy here.",
		"The reviewer wasn't negligent.",
		"This is not about blaming the team.",
		"We switched to lazy loading.",
		"The store uses sloppy quorums.",
		"The user mistakes in the form are caught by validation.",
		"It was nobody's mistake.",
		"The operator error rate is flat.",
		"Their error handling swallowed the timeout.",
		"The mistake was in the config.",
	} {
		t.Run(text, func(t *testing.T) {
			assert.Empty(t, check(t, c, text, nil))
		})
	}
}

func TestClausePeople(t *testing.T) {
	c := newDefault(t)
	people := []string{"Dave", "Frank"}
	tests := []struct {
		text string
		want []hit
	}{
		{"If Dave had checked the flag, it would have been fine.", []hit{{"counterfactual", "If Dave had checked"}}},
		{"It was Frank's mistake.", []hit{{"blame-noun", "Frank's mistake"}}},
		{"The outage was caused by Dave.", []hit{{"person-as-cause", "caused by Dave"}}},
		{"Dave messed up the weights.", []hit{{"person-as-cause", "Dave messed up"}}},
		{"Dave was paged. He then deleted the wrong volume.", []hit{{"role-as-cause", "He then deleted"}}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			assert.Equal(t, tc.want, hits(check(t, c, tc.text, people)))
		})
	}
}

func TestClauseReframeNamesTheSubject(t *testing.T) {
	c := newDefault(t)
	got := c.Check("The developer pushed a broken config.", nil)
	require.Len(t, got, 1)
	assert.Equal(t, Finding{
		Rule: "role-as-cause", Phrase: "The developer pushed", Start: 0, End: 20, Why: roleWhy,
		Reframe: "What in the deploy path let this change through? Describe the system, not the developer.",
	}, got[0])

	got = c.Check("The on-call ignored the alert.", nil)
	require.Len(t, got, 1)
	assert.Equal(t, clauseRules[ruleFaultVerb], [2]string{got[0].Why, got[0].Reframe})

	for _, rule := range []string{ruleBlameNoun, ruleJudgement, ruleFaultVerb, ruleCounterfact} {
		assert.NotEmpty(t, clauseRules[rule][0], rule)
		assert.Contains(t, clauseRules[rule][1], "?", rule)
	}
}

// Code, links and quoted alerts are dropped; quoted speech is a quoted note.
func TestQuiet(t *testing.T) {
	c := newDefault(t)
	for _, text := range []string{
		"The `ignore_missing` flag made the importer skip rows; `forgot` too.",
		"Run ```\nthe engineer ignored it\n``` first.",
		"See [operator error handling](https://wiki.example.com/operator-error).",
		"See https://status.example.com/incidents/human-error-2024 for details.",
		"The alert read \"Operator failed to reconcile: human error\".",
		"The banner read “We made a mistake and are fixing it”.",
		"The log line said \"engineer forgot to set region\".",
		"The notification read: \"the on-call missed the page\".",
	} {
		t.Run(text, func(t *testing.T) {
			assert.Empty(t, check(t, c, text, nil))
		})
	}
	for _, text := range []string{
		"Learned later: Alice said \"I forgot to drain it\" at the time.",
		"Bob: \"my mistake, rolling back\"",
		"The on-call wrote in chat “I ignored it, it's always noisy”.",
	} {
		t.Run(text, func(t *testing.T) {
			got := check(t, c, text, []string{"Alice", "Bob"})
			require.NotEmpty(t, got)
			for _, f := range got {
				assert.True(t, f.Quoted, "%+v", f)
				assert.Equal(t, quotedWhy, f.Why)
				assert.Equal(t, quotedReframe, f.Reframe)
			}
			assert.False(t, blames(got))
		})
	}
	// A quote with no machine or speech words before it is the writer's own.
	got := check(t, c, `Calling it "human error" ends the search.`, nil)
	assert.Equal(t, []hit{{"human-error", "human error"}}, hits(got))
	assert.False(t, got[0].Quoted)
	// Unclosed quotes and code spans change nothing.
	assert.Equal(t, []hit{{"forgot", "forgot"}}, hits(check(t, c, "The alert read \"he forgot", nil)))
	assert.Equal(t, []hit{{"forgot", "forgot"}}, hits(check(t, c, "Run `x and he forgot", nil)))
}

func TestLemma(t *testing.T) {
	lex := wordSet("ignore", "skip", "mistake", "botch", "apply", "sre")
	for w, want := range map[string]string{
		"ignore": "ignore", "ignores": "ignore", "ignored": "ignore", "ignoring": "ignore",
		"skip": "skip", "skips": "skip", "skipped": "skip", "skipping": "skip",
		"mistakes": "mistake", "botched": "botch", "botches": "botch",
		"applies": "apply", "applied": "apply", "sres": "sre",
		"mistaken": "", "ignorance": "", "skipper": "", "s": "", "": "", "ed": "",
	} {
		assert.Equal(t, want, lemmaIn(w, lex), w)
	}
}
