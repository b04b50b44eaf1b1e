package lint

// Building blocks of DefaultRules. They are plain strings so that a deployment
// replacing a rule can read exactly what the default does.
const (
	// errorNouns follow "user error" and friends when they name a metric or a
	// log, not a judgement: "the user error rate", "operator error logs".
	errorNouns = `(?:rates?|ratios?|counts?|counters?|budgets?|metrics?|percent(?:ages?)?|logs?|messages?|codes?|responses?|pages?|handling|spikes?|dashboards?|alerts?|panels?|graphs?|slos?|slis?|class(?:es)?|types?|categor(?:y|ies)|states?)`

	// designAgainst precedes "human error" when the sentence is about making
	// the system tolerate mistakes, which is the framing we want to encourage.
	designAgainst = `(?:reduc(?:e|es|ed|ing)|prevent(?:s|ed|ing)?|minimi[sz](?:e|es|ed|ing)|avoid(?:s|ed|ing)?|eliminat(?:e|es|ed|ing)|(?:guard|protect)(?:s|ed|ing)?\s+against|toleran(?:t|ce)\s+(?:of|to)|tolerat(?:e|es|ing)|(?:resilient|resistant|robust|prone|susceptible|vulnerable)\s+to|proof\s+against)\s+(?:the\s+)?(?:(?:chances?|risk|likelihood|possibility|impact|scope|room)\s+(?:of|for)\s+)?`

	// personSubject is who can "fail to" do something. "they" and "it" are
	// left out on purpose: in incident prose they usually mean pods or hosts
	// ("the replicas restarted but they failed to rejoin"). Named people are
	// covered by the person-as-cause check.
	personSubject = `(?:i|we|you|he|she|someone|somebody|(?:(?:the|our|their|an?)\s+)?(?:on-?call(?:ers?)?(?:\s+(?:engineers?|persons?|responders?|sres?))?|engineers?|operators?|developers?|devs?|sres?|admins?|administrators?|reviewers?|authors?|responders?|team|incident\s+commander))`

	// Counterfactuals are "should/could have" + past participle: "should have
	// checked the logs", "should have been caught". "Should have" + noun is a
	// recommendation ("each service should have an owner") and is not a
	// finding. Nor is "should have" + adjective + noun ("…should have dedicated
	// runbooks"), so a participle counts only when the next word shows it is a
	// verb (the, it, back, earlier …) or the clause ends. "could not have" and
	// "nobody could have known" are left out: they exonerate. So is impact
	// ("could have been worse", "could have caused data loss").
	cfModal     = `(?P<phrase>(?:should|could)(?:\s+have|['’]ve)|should(?:n['’]t|\s+not)\s+have|shouldn['’]t['’]ve)`
	cfAdverb    = `(?:\s+(?:not|never|already|also|just|really|probably|clearly|obviously|simply|easily|definitely|at\s+least))?`
	cfEnd       = `\s*(?:[.,;:!?)\]—–]|$)`
	cfFollow    = `\s+(?:the|a|an|this|that|these|those|it|its|them|him|her|us|me|our|their|his|my|your|someone|somebody|anyone|anybody|everyone|something|anything|to|in|on|at|for|with|by|from|into|via|using|as|before|after|during|earlier|sooner|first|again|back|up|out|down|off|over|more|better|about|what|how|why|whether|if|when|and|or|than)`
	participle  = `(?:\pL*[^\P{L}eE]ed|been|known|seen|done|gone|had|made|taken|given|written|shown|driven|chosen|broken|forgotten|gotten|got|hidden|caught|taught|brought|thought|sought|found|kept|left|lost|paid|put|run|sent|set|spent|told|understood|built|held|heard|felt|led|let|cut|hit|shut|begun|become|come|thrown|drawn|grown|undone|rewritten|overridden|frozen|proven|spoken|read)`
	couldImpact = `could(?:\s+have|['’]ve)\s+(?:been\s+(?:(?:much|far|a\s+lot|even|significantly)\s+)?(?:worse|larger|longer|bigger|catastrophic|severe)|affected|impacted|caused|exposed|led|resulted|escalated|spread|cascaded|corrupted|lost)`

	faultCompound = `fault[\s-]+(?:toleran\w*|injection|injector|domains?|isolation|detection|codes?|lights?|leds?|handl\w*|lines?|zones?|trees?|models?|counters?|status|conditions?)`
)

// DefaultRules is the built-in list (exported so a deployment can extend or replace it).
//
// Decisions worth knowing, each pinned by a test:
//   - "user error" fires only in the singular and not before a metric word
//     ("user errors spiked", "the user error rate" are telemetry).
//   - "human error" and "operator error" skip metric words after them ("error
//     rate", "error logs"), design talk before them ("reduce the chance of",
//     "prone to"), "human-error-proofing", and a Kubernetes operator.
//   - "failed to" fires only after a person-like subject (we, I, you, he,
//     she, someone, the on-call, the engineer, the operator …): "the job
//     failed to start" describes a system. "they" is left out (it is usually
//     pods or hosts), and so is "the operator failed to reconcile".
//   - "fault" fires only as blame: "at fault", "my/their/Alice's fault", "the
//     fault lies with". "faulty", "faults", "faulted", "fault-tolerant",
//     "page fault", "fault injection", "nobody's fault" and "nobody was at
//     fault" do not.
//   - "blame" skips "blameless", "blame-free", "git blame", "no blame", "not to
//     assign blame", "nobody is to blame" and "we initially blamed DNS".
//   - "forgot" skips "forgot password" flows; "forget" is left alone because
//     action items say "so we don't forget".
//   - Counterfactuals fire whatever the subject ("the alert should have
//     fired earlier" too): they describe what did not happen.
//   - Time pressure fires whatever the subject: a drain that "did not have
//     time" raises the same question about who set the budget.
var DefaultRules = []Rule{
	{
		ID: "human-error",
		Patterns: []string{
			`(?:human|operator)[\s-]+errors?`,
			`!(?:human|operator)[\s-]+errors?[\s-]+(?:` + errorNouns + `|proof\w*|resistan\w*|toleran\w*|prevention)`,
			`!(?:kubernetes|k8s|crd|custom)\s+operator[\s-]+errors?`, // the software kind of operator
			`!` + designAgainst + `(?:human|operator)[\s-]+errors?`,
		},
		Why:     `"Human error" is where an investigation should start, not where it ends: it stops the search for what made the mistake easy to make.`,
		Reframe: "Which safeguard was absent, and what made this action easy to get wrong?",
	},
	{
		ID: "user-error",
		Patterns: []string{
			`user[\s-]+error`,
			`!user[\s-]+error[\s-]+` + errorNouns,
			`!` + designAgainst + `user[\s-]+error`,
		},
		Why:     `"User error" puts the cause on the people the system serves, when the interface or API let the mistake happen.`,
		Reframe: "What in the interface or API made this mistake possible, or easy?",
	},
	{
		ID: "time-pressure",
		Patterns: []string{
			`(?:not\s+enough|(?:did\s+not|didn['’]t)\s+have(?:\s+(?:enough|the|much|any))?|(?:had|have|has)\s+no|(?:ran|run|running|runs)\s+out\s+of|lack(?:ed|ing|s)?(?:\s+of)?)\s+time`,
			`!time\s+(?:series|stamps?|zones?|sync\w*)`, // "not enough time series" is about metrics
		},
		Why:     "Lack of time is a condition to explain, not a cause: stopping there hides what created the pressure.",
		Reframe: "What created the time pressure, and what would have made the safe path the quick one?",
	},
	{
		ID: "counterfactual",
		Patterns: []string{
			cfModal + `(?:` + cfAdverb + `\s+(?:been|` + participle + `(?:` + cfFollow + `|` + cfEnd + `))|` + cfEnd + `)`,
			`!` + couldImpact,
			`!(?:nobody|no[\s-]?one|none\s+of\s+us)\s+could(?:\s+have|['’]ve)`,
		},
		Why:     "Counterfactuals describe what did not happen; judged with hindsight, they hide why the actual choice made sense at the time.",
		Reframe: "What did happen, and what pressure or signal made it look right at the time?",
	},
	{
		ID: "failed-to",
		Patterns: []string{
			personSubject + `(?:\s+(?:\pL+ly|also|then|again|still|just|never|once\s+again))?\s+(?P<phrase>failed\s+to)`,
			`!operators?\s+failed\s+to\s+reconcile`, // a Kubernetes operator
		},
		Why:     `"Failed to" frames a gap as a person's failure instead of asking what the situation gave them to work with.`,
		Reframe: "What did the tools, alerts or runbook offer to make this step succeed?",
	},
	{
		ID: "forgot",
		Patterns: []string{
			`forgot(?:ten)?`,
			`!forgot(?:ten)?\s+(?:password|passwords|username|login|pin)`,
		},
		Why:     `"Forgot" puts the cause in someone's memory, which no action item can fix.`,
		Reframe: "What made this step easy to miss, and what could remind or enforce it?",
	},
	{
		ID:       "careless",
		Patterns: []string{`careless(?:ly|ness)?`},
		Why:      `"Careless" judges a person's character and explains nothing about the work.`,
		Reframe:  "What made the risky action look safe, or the safe action costly?",
	},
	{
		ID:       "negligence",
		Patterns: []string{`negligen(?:t|tly|ce)`},
		Why:      `"Negligent" is a legal and moral verdict; it invites defence instead of candour.`,
		Reframe:  "Which safeguard was absent, and why did the gap stay invisible?",
	},
	{
		ID: "fault",
		Patterns: []string{
			`at\s+fault`,
			`(?:my|your|his|her|their|our|whose)\s+fault`,
			`\pL[\pL\pN\pM_\-]*['’]s\s+fault`,
			`(?:the\s+)?fault\s+(?:lies|lay|rests|rested)\s+(?:(?:entirely|squarely|solely)\s+)?with`,
			`!(?:nobody|no[\s-]?one|anyone|anybody)['’]s\s+fault`,
			`!(?:nobody|no[\s-]?one)\s+(?:is|was|were)\s+at\s+fault`,
			`!` + faultCompound,
		},
		Why:     "Assigning fault answers who, and stops the analysis before it reaches how.",
		Reframe: "Which conditions had to line up for this to happen?",
	},
	{
		ID: "blame",
		Patterns: []string{
			`blam(?:e|ed|es|ing)`,
			`!(?:git|svn|hg|cvs)\s+blam(?:e|ed|es|ing)`,
			`!(?:no|without|zero|beyond|free\s+(?:of|from))\s+blame`,
			`!not\s+about\s+blam(?:e|ing)`,
			`!(?:not|never|without|no|avoid(?:s|ed|ing)?)\s+(?:to\s+)?(?:assign(?:s|ed|ing)?|apportion(?:s|ed|ing)?|lay(?:s|ing)?|plac(?:e|es|ed|ing)|point(?:s|ed|ing)?|avoid(?:s|ed|ing)?)\s+(?:the\s+)?blame`,
			`!(?:nobody|no[\s-]?one)\s+(?:(?:is|was|were|to\s+be)\s+)?to\s+blame`,
			`!blame\s+(?:culture|game)`,
			`!(?:initially|originally|first|at\s+first|wrongly|mistakenly|incorrectly)\s+blamed`,
		},
		Why:     "Blame makes people hide what they know, and the next incident needs that knowledge.",
		Reframe: "What would someone else in the same seat, with the same information, have done?",
	},
}
