package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// The rows of one generated incident, before ids are given out. References
// between them (a why's parent, an action item's factor) are indexes into
// the incident's own slices; -1 is none.
type incident struct {
	id                      int64
	doc                     *store.Document // with ids, once numbered
	title, summary, impact  string
	severity                string
	status                  model.Status
	started, detected       time.Time
	acked                   time.Time
	mitigated, resolved     *time.Time
	created, updated        time.Time
	services                []int // indexes into services
	tags                    []string
	roles                   []role
	timeline                []entry
	factors                 []factor
	whys                    []why
	actions                 []action
	pm                      *pmDraft
	commander, scribe       string
	responders              []string
	analysisAt, publishedAt time.Time
}

type role struct {
	id         int64
	role, name string
	position   int
}

type entry struct {
	id           int64
	at           time.Time
	kind         model.EntryKind
	body         string
	evidence     string
	author       string
	learnedLater bool
	created      time.Time
	updated      time.Time
	before       string // the body before an edit ("" when never edited)
}

type factor struct {
	id                    int64
	title, desc, category string
	trigger               bool
}

type why struct {
	id             int64
	parent, factor int
	text           string
	position       int
}

type action struct {
	id                     int64
	title, desc, owner     string
	due                    model.Date
	typ                    model.ActionType
	priority               model.Priority
	status                 model.ActionStatus
	closure, evidence, why string // why is the rationale of a won't-do
	tracker                string
	closed                 *time.Time
	version                int
	created, updated       time.Time
	factor, whyNode        int
}

type pmDraft struct {
	status      model.PostmortemStatus
	facilitator string
	version     int
	created     time.Time
	updated     time.Time
	sections    []section
	authors     []string
	reviewers   []string
	revisions   []time.Time // when each revision was published
	publishedBy string
	rendered    []revision // once rendered
}

// revision is a published snapshot as stored.
type revision struct {
	markdown, data string
}

type section struct {
	key       model.SectionKey
	body      string
	version   int
	updated   time.Time
	updatedBy string
}

// scale is what a generator needs to know of the database it writes to.
type scale struct {
	severities []model.Severity // most severe first
	sevPicker  picker
	categories map[string]bool
	fallback   string // the category for a factor whose own is not in the table
	entries    int    // Options.Entries
}

// severityShares are the shares of incidents per severity, most severe
// first: few SEV1, many SEV3 (a scale with more levels gets the rest in
// equal parts).
var severityShares = []float64{0.04, 0.16, 0.52, 0.28}

// build generates incident number i of n (0-based; incidents are spread
// over [begin, end) in that order, more of them recently).
func build(r *rand.Rand, sc *scale, i, n int, begin, end time.Time) *incident {
	// Growth: the archive's density rises over time, as teams adopt it.
	x := (float64(i) + r.Float64()) / float64(n)
	span := end.Sub(begin)
	start := begin.Add(time.Duration(math.Pow(x, 0.8) * float64(span))).Truncate(time.Second)

	m := &modes[modePicker.pick(r)]
	sevIdx := sc.sevPicker.pick(r)
	sev := sc.severities[sevIdx]
	inc := &incident{severity: sev.Name}
	gravity := 1 - float64(sevIdx)/float64(max(len(sc.severities)-1, 1)) // 1 for the most severe, 0 for the least

	// Services: 1–4, the first the most affected.
	nsvc := 1 + r.IntN(2) + r.IntN(2) + r.IntN(2)*r.IntN(2)
	for len(inc.services) < nsvc {
		k := servicePicker.pick(r)
		if !slices.Contains(inc.services, k) {
			inc.services = append(inc.services, k)
		}
	}
	dep := services[servicePicker.pick(r)]
	if nsvc > 1 {
		dep = services[inc.services[nsvc-1]]
	}
	team := teams[teamPicker.pick(r)]
	region := regions[regionPicker.pick(r)]
	s := &slots{
		r: r, svc: services[inc.services[0]], dep: dep,
		region: region, az: region + string(rune('a'+r.IntN(3))),
		err: oneOf(r, m.errs), code: oneOf(r, m.codes), cfg: oneOf(r, m.cfgs), alert: oneOf(r, m.alerts),
		metric: oneOf(r, m.metrics), seg: segments[segmentPicker.pick(r)], team: team,
		vendor: vendors[vendorPicker.pick(r)], flag: oneOf(r, flagNames), sev: sev.Name,
	}
	s.svc2 = s.svc
	if nsvc > 1 {
		s.svc2 = services[inc.services[1]]
	}
	s.slug = strings.ToLower(s.alert)
	s.flag = s.expand(s.flag)
	s.host = hostName(r, oneOf(r, m.hosts), region)
	s.host2 = hostName(r, oneOf(r, m.hosts), region)

	// People: a commander, a scribe, a comms lead for the graver ones, and
	// responders; people are drawn from the whole organisation with a skew
	// (some are on many incidents).
	used := map[string]bool{}
	who := func() string {
		for {
			p := person(personPicker.pick(r))
			if !used[p] {
				used[p] = true
				return p
			}
		}
	}
	inc.commander, inc.scribe = who(), who()
	inc.roles = append(inc.roles, role{role: "commander", name: inc.commander})
	if gravity >= 0.5 || r.IntN(3) == 0 {
		inc.roles = append(inc.roles, role{role: "comms_lead", name: who()})
	}
	inc.roles = append(inc.roles, role{role: "scribe", name: inc.scribe})
	nresp := 1 + r.IntN(2) + int(gravity*2.5*r.Float64())
	if sc.entries > 0 { // a big incident draws in many people over its days
		nresp += 6 + r.IntN(8)
	}
	for k := range nresp {
		p := who()
		inc.responders = append(inc.responders, p)
		inc.roles = append(inc.roles, role{role: "responder", name: p, position: k})
	}
	s.responders = append([]string{inc.commander}, inc.responders...)

	// Milestones: impact starts, is detected, acknowledged, mitigated and
	// resolved; graver incidents are found faster and last longer.
	if sc.entries > 0 { // a big incident: begun a few days ago, so its timeline spans them
		start = end.Add(-between(r, 60*time.Hour, 120*time.Hour)).Truncate(time.Second)
	}
	inc.started = start
	inc.detected = start.Add(logBetween(r, 30*time.Second, time.Duration(float64(40*time.Minute)*(1.2-gravity))))
	inc.acked = inc.detected.Add(logBetween(r, 20*time.Second, 15*time.Minute))
	if late := inc.acked.Sub(end.Add(-time.Minute)); late > 0 { // the newest incidents: everything so far is in the past
		start = start.Add(-late).Truncate(time.Second)
		inc.detected, inc.acked = inc.detected.Add(-late), inc.acked.Add(-late)
	}
	inc.detected, inc.acked = inc.detected.Truncate(time.Millisecond), inc.acked.Truncate(time.Millisecond)
	mitigated := inc.acked.Add(logBetween(r, 5*time.Minute, time.Duration(float64(6*time.Hour)*(0.4+gravity)))).Truncate(time.Millisecond)
	if sc.entries > 0 { // a big incident runs for days
		mitigated = inc.acked.Add(between(r, 48*time.Hour, 96*time.Hour)).Truncate(time.Millisecond)
	}
	resolved := mitigated.Add(logBetween(r, 2*time.Minute, 36*time.Hour)).Truncate(time.Millisecond)
	inc.created = inc.acked.Add(between(r, 10*time.Second, 4*time.Minute)).Truncate(time.Millisecond)
	inc.status = model.StatusResolved
	switch {
	case !resolved.Before(end) && !mitigated.Before(end):
		inc.status = oneOf(r, []model.Status{model.StatusInvestigating, model.StatusIdentified})
	case !resolved.Before(end):
		inc.status = model.StatusMonitoring
	}
	if inc.created.After(end) { // declared a moment ago
		inc.created = end
	}
	if inc.status == model.StatusResolved || inc.status == model.StatusMonitoring {
		inc.mitigated = &mitigated
	}
	if inc.status == model.StatusResolved {
		inc.resolved = &resolved
	}
	impactEnd := mitigated
	if inc.mitigated == nil {
		impactEnd = end
	}
	s.t0, s.t1 = start.Format("15:04"), impactEnd.Format("15:04")
	s.dur = human(impactEnd.Sub(start))

	// The story: what happened, what set it off and what stopped it.
	s.what = s.expand(oneOf(r, m.what))
	s.trigger = s.expand(oneOf(r, m.triggers))
	s.fix = s.expand(oneOf(r, m.fixes))
	inc.title = trimTo(s.expand(oneOf(r, m.titles)), 200)
	if r.IntN(5) == 0 {
		inc.title = trimTo(inc.title+" in "+region, 200)
	}
	inc.summary = capital(s.expand(oneOf(r, summaryTexts)))
	inc.impact = s.expand(oneOf(r, impactTexts))

	inc.tags = []string{m.tag, region}
	for range r.IntN(3) {
		if t := oneOf(r, tagPool); !slices.Contains(inc.tags, t) {
			inc.tags = append(inc.tags, t)
		}
	}
	if r.IntN(3) == 0 {
		inc.tags = append(inc.tags, "team-"+team)
	}
	slices.Sort(inc.tags)

	inc.timeline = buildTimeline(r, s, m, inc, gravity, sc.entries, end)
	inc.updated = inc.created
	if len(inc.timeline) > 0 {
		inc.updated = maxTime(inc.updated, inc.timeline[len(inc.timeline)-1].created)
	}

	// The analysis is written a few days after the incident is resolved
	// (or, for an open one, now and then while it runs).
	analysis := impactEnd.Add(logBetween(r, 2*time.Hour, 6*24*time.Hour))
	if analysis.After(end) {
		analysis = end.Add(-time.Duration(r.IntN(3600)) * time.Second)
	}
	inc.analysisAt = maxTime(analysis, inc.created).Truncate(time.Millisecond)
	buildFactors(r, s, m, inc, sc)
	buildWhys(r, s, m, inc)
	buildActions(r, s, m, inc, sev, end)
	buildPostmortem(r, s, m, inc, end)
	return inc
}

var flagNames = []string{
	"new_checkout_flow", "async_payments", "v2_pricing", "batch_webhooks", "edge_auth", "smart_retries",
	"lazy_cart", "fast_search", "grpc_transport", "regional_failover", "new_ranking_model", "pdf_v2",
	"unified_login", "one_click_reorder", "streaming_export", "dark_mode_api", "tenant_sharding_{n}",
}

// hostName makes a host name of a pattern: db-prod-17, k8s-node-eu-west-1-042.
func hostName(r *rand.Rand, prefix, region string) string {
	switch prefix {
	case "k8s-node-", "gke-pool-":
		return prefix + region + "-" + pad3(r.IntN(400))
	case "vm-", "hv-":
		return prefix + strconv.FormatUint(r.Uint64()>>40, 16)
	}
	return prefix + strconv.Itoa(1+r.IntN(64))
}

func pad3(n int) string {
	s := strconv.Itoa(n)
	return strings.Repeat("0", 3-len(s)) + s
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// entryKinds are the kinds of the free-form entries of a timeline, with
// their shares.
var (
	entryKinds  = []model.EntryKind{model.KindObservation, model.KindAction, model.KindCommunication, model.KindDecision, model.KindAlert, model.KindDeploy}
	entryPicker = newPicker([]float64{35, 22, 15, 10, 10, 8})
	entryTexts  = map[model.EntryKind][]string{
		model.KindObservation:   observationTexts,
		model.KindAction:        actionTexts,
		model.KindCommunication: commsTexts,
		model.KindDecision:      decisionTexts,
		model.KindAlert:         alertTexts,
		model.KindDeploy:        deployTexts,
	}
)

// buildTimeline writes the timeline of inc: its milestones and, unless
// entries is positive, a number of free-form entries growing with gravity.
func buildTimeline(r *rand.Rand, s *slots, m *mode, inc *incident, gravity float64, entries int, end time.Time) []entry {
	var es []entry
	author := inc.scribe
	live := func(at time.Time, kind model.EntryKind, body, by string) {
		at = at.Truncate(time.Millisecond)
		created := maxTime(at, inc.created).Add(between(r, 5*time.Second, 3*time.Minute)).Truncate(time.Millisecond)
		if created.After(end) {
			created = end
		}
		es = append(es, entry{at: at, kind: kind, body: body, author: by, created: created, updated: created})
	}
	// What the store writes on declaration: the declaration and the
	// milestones known then.
	live(inc.created, model.KindMilestone, "Incident declared: "+inc.severity+", status investigating.", author)
	live(inc.started, model.KindMilestone, model.MilestoneStarted.Label()+".", author)
	live(inc.detected, model.KindMilestone, model.MilestoneDetected.Label()+".", author)
	live(inc.acked, model.KindMilestone, model.MilestoneAcknowledged.Label()+".", author)
	for i := 1; i < 4; i++ { // the declaration entries are created with the incident
		es[i].created, es[i].updated = es[0].created, es[0].created
	}
	live(inc.detected, model.KindAlert, s.expand(oneOf(r, alertTexts)), author)

	// The trigger, often found only later.
	if r.IntN(3) > 0 {
		at := inc.started.Add(-between(r, time.Minute, 20*time.Minute))
		e := entry{at: at.Truncate(time.Millisecond), kind: model.KindDeploy, body: s.expand(oneOf(r, deployTexts)), author: author, learnedLater: true}
		e.created = inc.analysisAt
		if inc.resolved != nil {
			e.created = inc.resolved.Add(between(r, time.Hour, 48*time.Hour)).Truncate(time.Millisecond)
		}
		if e.created.After(end) {
			e.created = end
		}
		e.updated = e.created
		es = append(es, e)
	}

	impactEnd := end
	if inc.mitigated != nil {
		impactEnd = *inc.mitigated
	}
	n := 4 + r.IntN(12) + int(gravity*14*r.Float64())
	if entries > 0 {
		n = entries
	}
	window := impactEnd.Sub(inc.acked)
	identified := inc.acked.Add(time.Duration(float64(window) * (0.2 + 0.5*r.Float64())))
	for k := range n {
		at := inc.acked.Add(time.Duration(float64(window) * (float64(k) + r.Float64()) / float64(n)))
		if at.After(end) {
			at = end
		}
		kind := entryKinds[entryPicker.pick(r)]
		body := s.expand(oneOf(r, entryTexts[kind]))
		switch {
		case kind == model.KindObservation && r.IntN(3) == 0:
			body = s.expand(oneOf(r, m.symptoms))
		case kind == model.KindObservation && r.IntN(5) == 0:
			body = "Error: `" + s.expand(s.err) + "` (" + s.code + ")."
		}
		by := author
		if kind != model.KindCommunication && r.IntN(2) == 0 {
			by = oneOf(r, s.responders)
		}
		live(at, kind, body, by)
		last := &es[len(es)-1]
		if kind == model.KindObservation && r.IntN(4) == 0 {
			last.evidence = "https://grafana.example.com/d/" + s.svc + "/overview?from=" + strconv.FormatInt(at.UnixMilli()-3600000, 10)
		}
		if r.IntN(25) == 0 && last.created.Add(10*time.Minute).Before(end) {
			last.before = last.body
			last.body += " (corrected: " + s.expand("{n} hosts, not {n2}") + ")"
			last.updated = last.created.Add(between(r, time.Minute, 10*time.Minute))
		}
	}
	if identified.Before(impactEnd) && inc.status != model.StatusInvestigating {
		live(identified, model.KindMilestone, "Status changed: investigating → identified.", inc.commander)
	}
	if inc.mitigated != nil {
		live(*inc.mitigated, model.KindAction, s.fix, inc.commander)
		live(*inc.mitigated, model.KindMilestone, model.MilestoneMitigated.Label()+".", inc.commander)
		live(*inc.mitigated, model.KindMilestone, "Status changed: identified → monitoring.", inc.commander)
	}
	if inc.resolved != nil {
		live(*inc.resolved, model.KindCommunication, s.expand("Status page: *This incident has been resolved.*"), author)
		live(*inc.resolved, model.KindMilestone, model.MilestoneResolved.Label()+".", inc.commander)
		live(*inc.resolved, model.KindMilestone, "Status changed: monitoring → resolved.", inc.commander)
	}
	// The store keeps the order of creation among entries at the same
	// instant; the timeline is read by occurred_at, then id.
	slices.SortStableFunc(es, func(a, b entry) int { return a.created.Compare(b.created) })
	return es
}

// genericFactors fill up an incident's factors beyond its mode's.
var genericFactors = []factorT{
	{"monitoring gap", "Alert on {metric} did not page", "The alert existed but routed to a channel, not the pager."},
	{"runbook/documentation", "Runbook for {alert} out of date", "It referenced a dashboard and commands from before the migration to {region}."},
	{"communication", "Status page updated late", "The first public update went out {min} minutes after the incident was declared."},
	{"process", "Change made during a deploy freeze exception", "The exception process does not ask for a rollback plan."},
	{"testing gap", "Staging traffic unlike production", "Staging gets synthetic traffic only; {seg} behave differently."},
	{"process", "Handover between time zones lost context", "The incident crossed the {team} handover; notes were in a private chat."},
	{"dependency", "{dep} has no documented failure modes", ""},
	{"capacity", "No headroom for failover traffic in {region}", ""},
	{"hardware/infrastructure", "Hosts on an end-of-life instance type", ""},
	{"other", "Incident overlapped a planned maintenance of {dep}", ""},
}

func buildFactors(r *rand.Rand, s *slots, m *mode, inc *incident, sc *scale) {
	n := 2 + r.IntN(4)
	order := r.Perm(len(m.factors))
	for k := 0; k < n; k++ {
		var ft factorT
		if k < len(order) {
			ft = m.factors[order[k]]
		} else {
			ft = oneOf(r, genericFactors)
		}
		f := factor{title: trimTo(s.expand(ft.title), 200), desc: s.expand(ft.desc), category: ft.cat}
		if f.desc == "" {
			f.desc = s.expand(oneOf(r, factorDetails))
		}
		if !sc.categories[f.category] {
			f.category = sc.fallback
		}
		if slices.ContainsFunc(inc.factors, func(o factor) bool { return o.title == f.title }) {
			continue
		}
		inc.factors = append(inc.factors, f)
	}
	// Most incidents name a trigger; the rest are latent conditions only.
	if r.IntN(10) < 8 {
		t := factor{title: trimTo(capital(strings.TrimSuffix(s.trigger, ".")), 200), desc: s.expand(oneOf(r, factorDetails)), category: "change", trigger: true}
		if !sc.categories[t.category] {
			t.category = sc.fallback
		}
		inc.factors = append([]factor{t}, inc.factors...)
		if len(inc.factors) > 5 {
			inc.factors = inc.factors[:5]
		}
	}
}

var factorDetails = []string{
	"Seen in the logs of {host} from {t0} UTC.",
	"This had been true for months without causing an incident; the traffic of {seg} made it matter.",
	"The same condition appears in an earlier incident ({ticket}).",
	"Found by {person} while comparing {svc} and {svc2} dashboards.",
	"It made the {tech} on {svc} the bottleneck.",
	"Confirmed with {vendor} in case {ticket}.",
}

var genericWhys = []string{
	"The alert threshold was set when traffic was a tenth of today's.",
	"The dashboard showed averages, which hid the tail latency.",
	"The runbook step assumed a single region.",
	"Ownership of {svc} moved between teams last year.",
	"The safe option needed a manual approval that took {min} minutes.",
	"The {tech} behaviour is not covered by any test.",
	"The design review did not include a failure-mode section.",
	"Capacity planning uses last year's peak.",
	"The vendor's limits are not written down anywhere we look.",
	"The change looked identical to one that had been safe before.",
}

func buildWhys(r *rand.Rand, s *slots, m *mode, inc *incident) {
	target := 4 + r.IntN(7)
	add := func(parent, factor int, text string) int {
		pos := 0
		for _, w := range inc.whys {
			if w.parent == parent {
				pos++
			}
		}
		inc.whys = append(inc.whys, why{parent: parent, factor: factor, text: trimTo(text, 1000), position: pos})
		return len(inc.whys) - 1
	}
	// The first tree starts at the problem, or at the trigger when there
	// is one; its main branch is the mode's chain.
	var root int
	if len(inc.factors) > 0 && inc.factors[0].trigger && r.IntN(2) == 0 {
		root = add(-1, 0, inc.factors[0].title)
	} else {
		root = add(-1, -1, capital(s.expand(oneOf(r, whyRootTexts))))
	}
	chains := m.whys
	mainChain := r.IntN(len(chains))
	at, fork := root, -1
	for k, text := range chains[mainChain] {
		if len(inc.whys) >= target {
			break
		}
		at = add(at, -1, s.expand(text))
		if k == 0 {
			fork = at
		}
	}
	// The deepest answer is often promoted to a contributing factor.
	if len(inc.factors) > 1 && r.IntN(2) == 0 {
		inc.whys[at].factor = len(inc.factors) - 1
	}
	// A fork: a second answer to an early why.
	for i, chain := range chains {
		if len(inc.whys) >= target || i == mainChain {
			continue
		}
		at := root
		if fork >= 0 && r.IntN(2) == 0 {
			at = fork
		}
		for _, text := range chain[:min(len(chain), 2)] {
			if len(inc.whys) >= target {
				break
			}
			at = add(at, -1, s.expand(text))
		}
	}
	// A second tree for a latent condition, then generic answers until
	// the tree has its size.
	if len(inc.whys) < target && len(inc.factors) > 2 {
		k := 1 + r.IntN(len(inc.factors)-1)
		second := add(-1, k, inc.factors[k].title)
		add(second, -1, s.expand(oneOf(r, genericWhys)))
	}
	for len(inc.whys) < target {
		parent := r.IntN(len(inc.whys))
		add(parent, -1, s.expand(oneOf(r, genericWhys)))
	}
}

func buildActions(r *rand.Rand, s *slots, m *mode, inc *incident, sev model.Severity, end time.Time) {
	n := 2 + r.IntN(5)
	order := r.Perm(len(m.actions))
	created := inc.analysisAt
	weeks := sev.ActionDueWeeks
	if weeks <= 0 {
		weeks = model.DefaultActionDueWeeks
	}
	due := model.DateOf(created).AddDays(7 * weeks)
	age := end.Sub(created)
	for k := 0; k < n; k++ {
		var at actionT
		if k < len(order) {
			at = m.actions[order[k]]
		} else {
			at = oneOf(r, genericActions)
		}
		a := action{
			title: trimTo(s.expand(at.title), 200), desc: s.expand(at.desc), owner: oneOf(r, s.responders),
			typ: model.ActionType(at.typ), priority: model.Priorities[r.IntN(3)], status: model.ActionOpen,
			version: 1, created: created, updated: created, factor: -1, whyNode: -1,
			due: due.AddDays(r.IntN(15) - 7),
		}
		if slices.ContainsFunc(inc.actions, func(o action) bool { return o.title == a.title }) {
			continue
		}
		if a.typ == model.ActionPrevent && r.IntN(2) == 0 {
			a.priority = model.PriorityHigh
		}
		// The older the incident, the likelier its items are closed; some
		// stay open long past their due date.
		p := r.Float64()
		switch done := math.Min(0.8, age.Hours()/24/120); {
		case p < done:
			a.status = model.ActionDone
			a.closure = s.expand(oneOf(r, doneNotes))
			if r.IntN(3) == 0 {
				a.evidence = "https://git.example.com/" + s.team + "/" + s.svc + "/pull/" + strconv.Itoa(100+r.IntN(30000))
			}
		case p < done*1.15:
			a.status = model.ActionWontDo
			a.why = s.expand(oneOf(r, wontDoRationales))
		case p < done*1.15+0.2:
			a.status = model.ActionInProgress
		}
		if a.status.Closed() {
			closed := created.Add(logBetween(r, 24*time.Hour, 200*24*time.Hour))
			if closed.After(end) {
				closed = created.Add(time.Duration(r.Float64() * float64(end.Sub(created))))
			}
			closed = closed.Truncate(time.Millisecond)
			a.closed = &closed
			a.updated, a.version = closed, 2+r.IntN(2)
		} else if a.status == model.ActionInProgress {
			a.updated, a.version = created.Add(time.Duration(r.Float64()*float64(end.Sub(created)))).Truncate(time.Millisecond), 2
		}
		if r.IntN(5) < 3 {
			a.tracker = "https://jira.example.com/browse/" + s.expand("{ticket}")
		}
		if len(inc.factors) > 0 && r.IntN(5) < 4 {
			a.factor = r.IntN(len(inc.factors))
		}
		if r.IntN(5) < 2 {
			a.whyNode = r.IntN(len(inc.whys))
		}
		inc.actions = append(inc.actions, a)
	}
}

func buildPostmortem(r *rand.Rand, s *slots, m *mode, inc *incident, end time.Time) {
	if inc.resolved == nil {
		if r.IntN(3) == 0 {
			inc.pm = draft(r, s, m, inc, 1+r.IntN(2), end)
		}
		return
	}
	sinceResolved := end.Sub(*inc.resolved)
	p := r.IntN(100)
	switch {
	case sinceResolved < 7*24*time.Hour && p < 30:
		return // not started yet
	case sinceResolved < 7*24*time.Hour && p < 75, p < 4:
		inc.pm = draft(r, s, m, inc, 2+r.IntN(5), end)
	case sinceResolved < 7*24*time.Hour, p < 9:
		inc.pm = draft(r, s, m, inc, len(model.Sections), end)
		inc.pm.status = model.PostmortemInReview
		inc.pm.version++
	case p < 12:
		return // never written
	default:
		inc.pm = draft(r, s, m, inc, len(model.Sections), end)
		inc.pm.status = model.PostmortemPublished
		pub := inc.pm.updated.Add(logBetween(r, time.Hour, 10*24*time.Hour))
		if pub.After(end) {
			pub = end
		}
		inc.pm.revisions = []time.Time{pub.Truncate(time.Millisecond)}
		if r.IntN(12) == 0 && pub.Add(60*24*time.Hour).Before(end) { // corrected later
			inc.pm.revisions = append(inc.pm.revisions, pub.Add(logBetween(r, 24*time.Hour, 60*24*time.Hour)).Truncate(time.Millisecond))
		}
		inc.pm.publishedBy = inc.pm.facilitator
		inc.pm.updated = inc.pm.revisions[len(inc.pm.revisions)-1]
		inc.pm.version += 2 * len(inc.pm.revisions)
	}
	inc.updated = maxTime(inc.updated, inc.pm.updated)
}

// draft writes the first sections of the postmortem, in the template's
// order; the seeded summary and impact stay at version 0 unless edited.
// No edit is later than end: the analysis of a recent incident starts
// shortly before it, and its sections are written in the meantime.
func draft(r *rand.Rand, s *slots, m *mode, inc *incident, sections int, end time.Time) *pmDraft {
	at := inc.analysisAt
	pm := &pmDraft{status: model.PostmortemDraft, facilitator: person(personPicker.pick(r)), version: 1, created: at}
	pm.authors = []string{inc.scribe}
	if r.IntN(2) == 0 {
		pm.authors = append(pm.authors, inc.commander)
	}
	pm.reviewers = []string{person(personPicker.pick(r))}
	for slices.Contains(pm.authors, pm.reviewers[0]) {
		pm.reviewers[0] = person(personPicker.pick(r))
	}
	pm.version++ // the people were saved
	for k, sec := range model.Sections[:sections] {
		body := sectionBody(r, s, m, inc, sec.Key)
		if body == "" {
			continue
		}
		at = at.Add(between(r, time.Minute, 3*time.Hour)).Truncate(time.Millisecond)
		if at.After(end) {
			at = end
		}
		v := 1 + r.IntN(2)
		if k < 2 && r.IntN(3) == 0 { // the seeded text, left as it was
			v = 0
		} else {
			pm.version += v
		}
		pm.sections = append(pm.sections, section{key: sec.Key, body: body, version: v, updated: at, updatedBy: oneOf(r, pm.authors)})
	}
	pm.updated = at
	return pm
}

func sectionBody(r *rand.Rand, s *slots, m *mode, inc *incident, key model.SectionKey) string {
	switch key {
	case "summary":
		return inc.summary
	case "impact":
		return inc.impact
	case "trigger":
		return s.trigger
	case "resolution":
		return s.fix + " " + s.expand("Confirmed by {metric} returning to baseline at {t1} UTC.")
	case "detection":
		return s.expand("`{alert}` fired {min} minutes after impact started. ") + s.expand(oneOf(r, m.symptoms))
	case "went_well":
		return s.expand(oneOf(r, wentWellTexts))
	case "went_wrong":
		return s.expand(oneOf(r, wentWrongTexts)) + "\n- " + s.expand(oneOf(r, m.symptoms))
	case "got_lucky":
		if r.IntN(5) == 0 {
			return ""
		}
		return s.expand(oneOf(r, luckyTexts))
	case "lessons":
		return s.expand(oneOf(r, lessonTexts)) + " " + s.expand(oneOf(r, lessonTexts))
	case "supporting_info":
		if r.IntN(4) == 0 {
			return ""
		}
		return s.expand(oneOf(r, supportTexts))
	}
	return ""
}
