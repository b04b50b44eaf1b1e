package lint

import "strings"

// Word forms. The new checks match words by lemma, so one entry covers
// "ignore", "ignores", "ignored", "ignoring" and "mistake", "mistakes". A
// stemmer (Porter or Snowball) was tried on paper and left out: its stems are
// not words ("neglig" for both "negligible" and "negligence", "ignor"), so the
// lists could no longer be read as English, and the vocabulary here is a few
// dozen words whose inflections follow four suffix rules.

// lemmaIn returns the entry of lex that w is an inflected form of, or "".
// w must be lower case. It tries w itself, then w without -s, -es, -ed, -d,
// -ing, with -ies/-ied read as -y, a final e restored ("ignor" → "ignore")
// and a doubled consonant undone ("skipp" → "skip").
func lemmaIn(w string, lex map[string]bool) string {
	if lex[w] {
		return w
	}
	if base, ok := strings.CutSuffix(w, "ies"); ok && lex[base+"y"] {
		return base + "y"
	}
	if base, ok := strings.CutSuffix(w, "ied"); ok && lex[base+"y"] {
		return base + "y"
	}
	for _, suf := range [...]string{"s", "es", "ed", "d", "ing"} {
		base, ok := strings.CutSuffix(w, suf)
		if !ok || len(base) < 2 {
			continue
		}
		if lex[base] {
			return base
		}
		if suf != "s" && suf != "d" && lex[base+"e"] {
			return base + "e"
		}
		if n := len(base); (suf == "ed" || suf == "ing") && base[n-1] == base[n-2] && lex[base[:n-1]] {
			return base[:n-1]
		}
	}
	return ""
}

// forms maps every inflected form of a lexicon entry to the entry, per
// lexicon, so a token costs one map access instead of a dozen. It is the
// inverse of lemmaIn, checked against it as it is built.
var forms = func() map[string]*lexEntry {
	m := map[string]*lexEntry{}
	for li, lex := range lexicons {
		for l := range *lex {
			n := len(l)
			cands := []string{l, l + "s", l + "es", l + "ed", l + "d", l + "ing", l + l[n-1:] + "ed", l + l[n-1:] + "ing"}
			if l[n-1] == 'e' {
				cands = append(cands, l[:n-1]+"ed", l[:n-1]+"ing")
			}
			if l[n-1] == 'y' {
				cands = append(cands, l[:n-1]+"ies", l[:n-1]+"ied")
			}
			for _, f := range cands {
				if lemmaIn(f, *lex) != l {
					continue
				}
				e := m[f]
				if e == nil {
					e = &lexEntry{}
					m[f] = e
				}
				e[li] = l
			}
		}
	}
	return m
}()

// lexEntry holds a word's lemma in each of lexicons ("" where it is none).
type lexEntry [nLex]string

const (
	lexRole = iota
	lexFault
	lexBlame
	lexOwned
	lexCompound
	lexMetric
	lexHarm
	lexJudgement
	lexConditional
	nLex
)

var lexicons = [nLex]*map[string]bool{&roleNouns, &faultVerbs, &blameNouns, &ownedBlameNouns, &compoundBlameNouns,
	&metricNouns, &harmNouns, &judgementWords, &conditionals}

var noEntry lexEntry

// entry returns w's lemmas; w must be lower case.
func entry(w string) *lexEntry {
	if e := forms[w]; e != nil {
		return e
	}
	return &noEntry
}

// The lexicons are lemmas (base forms, lower case).
var (
	// roleNouns head a noun phrase that names a person or a group of people
	// by their role. "user" and "customer" are here too: blaming the people a
	// system serves is the same move.
	roleNouns = wordSet("engineer", "developer", "dev", "operator", "sre", "admin", "administrator",
		"sysadmin", "dba", "on-call", "oncall", "on-caller", "contractor", "manager", "reviewer", "author",
		"intern", "employee", "responder", "technician", "user", "customer", "team", "teammate", "hire",
		"commander", "maintainer", "committer", "approver", "deployer", "person", "people", "staff",
		"folk", "folks", "crew", "squad", "member", "programmer", "coder", "human", "analyst", "ops",
		"lead", "owner", "oncaller")

	// softwareModifiers make a role noun name software: "the Kubernetes
	// operator", "the CRD operator".
	softwareModifiers = wordSet("kubernetes", "k8s", "crd", "custom", "postgres", "mysql", "redis", "kafka", "helm", "database", "db")

	// personPronouns are always people; "they" is a person only when it
	// refers back to one (see theyIsPerson).
	personPronouns = wordSet("i", "we", "you", "he", "she", "someone", "somebody")

	// faultVerbs with a person as subject judge how they did their work.
	// "mess", "screw" and "mix" count only with "up"; "bother" only negated.
	faultVerbs = wordSet("ignore", "neglect", "overlook", "skip", "miss", "botch", "disregard", "bungle",
		"fumble", "mistype", "misconfigure", "fat-finger", "misread", "mishandle", "misjudge", "mess", "screw", "mix")
	upVerbs = wordSet("mess", "screw", "mix")

	// missedObjects are targets, not signals: "we missed the SLO" is a report.
	missedObjects = wordSet("slo", "slos", "sla", "slas", "target", "targets", "objective", "objectives",
		"goal", "goals", "budget", "deadline", "deadlines", "quarter", "forecast")

	// judgementWords judge a person wherever they appear. "careless" and
	// "negligent" keep their own rules.
	judgementWords = wordSet("sloppy", "sloppily", "lazy", "incompetent", "incompetently", "reckless",
		"recklessly", "inattentive", "inattentively", "clueless", "irresponsible", "irresponsibly")

	// judgementTech are the technical compounds of a judgement word: "lazy
	// loading", "sloppy quorum".
	judgementTech = wordSet("load", "loading", "loaded", "loads", "evaluation", "init", "initialization",
		"initialisation", "instantiation", "iterator", "iterators", "deletion", "allocation", "binding",
		"bindings", "import", "imports", "mode", "fetch", "fetching", "quorum", "quorums", "val", "static")

	// experienceWords make experience the cause when they modify the subject
	// of a causal clause: "a junior engineer ran …", "the engineer was junior".
	experienceWords = wordSet("junior", "inexperienced", "untrained", "unqualified", "green", "novice")

	// blameNouns are blame whoever they belong to.
	blameNouns = wordSet("incompetence", "laziness", "sloppiness", "inattention", "inattentiveness",
		"recklessness", "blunder", "screw-up", "screwup", "fuck-up", "cock-up")

	// ownedBlameNouns are blame when they belong to someone ("the engineer's
	// mistake", "a mistake by the operator", "an operator mistake"), and
	// ordinary words otherwise ("a mistake in the config").
	ownedBlameNouns = wordSet("mistake", "oversight", "error", "fault", "slip", "lapse", "blunder",
		"carelessness", "negligence", "misjudgement", "misjudgment")

	// compoundBlameNouns follow a role noun: "an operator mistake", "engineer
	// error" ("human error" and "user error" keep their own rules).
	compoundBlameNouns = wordSet("mistake", "error", "blunder", "oversight", "slip")

	// metricNouns after "engineer error" make it telemetry: "the operator
	// error rate".
	metricNouns = wordSet("rate", "ratio", "count", "counter", "budget", "metric", "percent", "percentage",
		"log", "message", "code", "response", "page", "handling", "spike", "dashboard", "alert", "panel",
		"graph", "slo", "sli", "class", "type", "category", "state", "total")

	// harmNouns are what a person can be "responsible for".
	harmNouns = wordSet("outage", "failure", "incident", "loss", "breach", "downtime", "disruption",
		"degradation", "problem", "bug", "regression", "error", "mistake", "leak", "crash", "exposure")

	possessivePronouns = wordSet("my", "your", "his", "her", "their", "our", "whose")
	notPossessors      = wordSet("nobody's", "nobody’s", "anyone's", "anyone’s", "anybody's", "anybody’s",
		"no-one's", "no-one’s", "noone's", "noone’s", "everyone's", "everyone’s")

	// npDeterminers may open a subject noun phrase.
	npDeterminers = wordSet("the", "a", "an", "our", "their", "one", "another", "that", "this", "his",
		"her", "my", "your", "some", "two", "three", "several", "both", "each", "all", "these", "those")

	// npStop never stands inside a noun phrase before its head.
	npStop = wordSet("and", "or", "but", "was", "were", "is", "are", "be", "been", "had", "has", "have",
		"did", "do", "does", "not", "to", "of", "in", "on", "at", "by", "for", "with", "from", "that",
		"which", "who", "it", "if", "then", "when", "because", "could", "should", "would", "will", "can",
		"may", "might", "must", "as", "so", "than")

	// auxiliaries and adverbs may stand between a subject and its verb.
	auxiliaries = wordSet("had", "has", "have", "been", "kept", "keep", "keeps", "would", "also",
		"then", "just", "simply", "clearly", "again", "still", "once", "already", "later", "first",
		"apparently", "obviously", "probably", "repeatedly", "completely", "totally", "basically",
		"accidentally", "mistakenly", "inadvertently", "somehow", "unfortunately", "initially")

	copulas = wordSet("was", "were", "is", "are", "been", "be", "seemed", "seems", "got", "became")

	// harmMarkers in a clause make an ordinary action harmful: "pushed a bad
	// config", "ran the script against production", "changed it without review".
	harmMarkers = wordSet("bad", "wrong", "broken", "broke", "faulty", "buggy", "untested", "unreviewed",
		"incorrect", "invalid", "typo", "malformed", "without", "instead", "mistakenly", "accidentally",
		"inadvertently", "mistake", "accident", "worse", "outage", "regression", "down", "production", "prod",
		"crashed", "corrupted", "caused", "deleted", "wiped", "dropped", "truncated", "destroyed", "erased",
		"purged", "overwrote", "overwritten", "killed", "unapproved", "unannounced")

	// destructiveVerbs are harmful whatever follows: "someone deleted the
	// bucket". ("removed" and "killed" are everyday work, so they need a marker.)
	destructiveVerbs = wordSet("deleted", "truncated", "wiped", "purged", "destroyed",
		"erased", "overwrote", "corrupted", "broke", "crashed", "caused", "misconfigured")

	// dataVerbs are destructive when their object holds data: "dropped the
	// orders table", not "dropped the replica from the pool".
	dataVerbs   = wordSet("dropped", "removed", "killed", "reset", "reformatted", "formatted")
	dataObjects = wordSet("table", "tables", "database", "databases", "db", "index", "indexes", "indices",
		"schema", "bucket", "buckets", "volume", "volumes", "namespace", "data", "keys", "records", "rows",
		"zone", "backups", "backup", "disk", "disks", "collection", "topic", "queue")

	// guardVerbs are harmful when their object is a safeguard: "disabled the
	// alert", "bypassed the safety check".
	guardVerbs   = wordSet("disabled", "bypassed", "overrode", "overrid", "circumvented", "deactivated")
	guardObjects = wordSet("alert", "alerts", "alarm", "alarms", "monitor", "monitoring", "check", "checks",
		"safeguard", "safeguards", "protection", "guard", "guardrail", "guardrails", "validation", "lock",
		"approval", "review", "freeze", "limit", "limits")

	// nothingWords as an object negate a fault verb: "ignored nothing".
	nothingWords = wordSet("nothing", "none", "nobody", "no")

	// causeVerbs take the agent in a passive: "caused by an operator".
	causeVerbs = wordSet("caused", "triggered", "introduced", "made", "done", "created", "started",
		"deployed", "pushed", "shipped", "run", "executed", "committed", "merged", "written", "broken",
		"deleted", "dropped", "changed", "misconfigured")

	// plannedWords excuse a destructive verb: "deleted the tables as planned".
	plannedWords = wordSet("planned", "intended", "designed", "expected", "scheduled", "agreed")

	// routineVerbs are everyday work of someone learning the job.
	routineVerbs = wordSet("shadowed", "paired", "joined", "learned", "learnt", "watched", "asked", "started")

	negators = wordSet("not", "never", "no", "nobody", "none", "neither", "nor", "nothing",
		"no-one", "noone")

	// negationScope ends the reach of a negation ("did not test and ignored").
	negationScope = wordSet("and", "but", "so", "because", "then", "while", "although", "though")

	conditionals = wordSet("if", "unless")

	// causeIntro opens a clause that gives a cause.
	causeIntro = wordSet("because", "since", "as", "cause")

	cfVerbsAfter = wordSet("only", "just", "simply", "not", "never", "actually", "bothered", "been")

	modalHave = wordSet("could", "should")

	speechWords = wordSet("say", "said", "says", "saying", "write", "wrote", "written", "writes", "tell",
		"told", "ask", "asked", "reply", "replied", "post", "posted", "message", "messaged", "comment",
		"commented", "recall", "recalled", "admit", "admitted", "type", "typed", "note", "noted",
		"explain", "explained", "shout", "shouted", "joke", "joked", "add", "added", "apologise",
		"apologised", "apologize", "apologized", "put")

	// machineWords before a quote make it an alert, log line or message.
	machineWords = wordSet("alert", "alarm", "log", "logs", "logged", "line", "message", "error",
		"warning", "output", "text", "title", "banner", "notification", "page", "pager", "printed",
		"prints", "read", "reads", "returned", "returns", "emitted", "showed", "shows", "displayed",
		"exception", "stderr", "stdout", "console", "cli", "response", "body", "subject", "string",
		"label", "event", "status", "dashboard", "metric", "panel", "prompt", "toast", "popup", "dialog")
)

// lowerWord lower-cases ASCII letters only, without allocating when there is
// nothing to change. The lexicons are ASCII, and non-ASCII case folding would
// not change whether a word is in them.
func lowerWord(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func isPossessive(w string) bool {
	return strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s") || strings.HasSuffix(w, "s'") || strings.HasSuffix(w, "s’")
}

// stripPossessive turns "engineer's", "engineers'" into "engineer", "engineers".
func stripPossessive(w string) string {
	for _, suf := range [...]string{"'s", "’s", "'", "’"} {
		if base, ok := strings.CutSuffix(w, suf); ok {
			return base
		}
	}
	return w
}
