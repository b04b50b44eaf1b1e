// Package postmortem assembles an incident's postmortem from its data:
// the publish gate, the Markdown export and its round-trip parser.
package postmortem

import (
	"fmt"
	"strings"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
)

// Finding is a blameless-language finding somewhere in a postmortem, with
// where it is and whether someone acknowledged it.
type Finding struct {
	lint.Finding
	Source      string         `json:"source"`      // "section:summary", "factor:3", "why:12", "action:7"
	Label       string         `json:"label"`       // where it is, for people: "Summary", "Contributing factor “…”"
	Fingerprint string         `json:"fingerprint"` // what an acknowledgement names
	Ack         *model.LintAck `json:"acknowledged,omitempty"`
}

// People are the names in an incident's roles: naming one of them as the
// cause of something is a finding.
func People(inc *model.Incident) []string {
	r := inc.Roles
	people := make([]string, 0, 3+len(r.Responders))
	for _, n := range append([]string{r.Commander, r.CommsLead, r.Scribe}, r.Responders...) {
		if n != "" {
			people = append(people, n)
		}
	}
	return people
}

// Fingerprint names a finding stably across edits elsewhere in the text:
// where it is, which rule, and the phrase.
func Fingerprint(source string, f lint.Finding) string {
	phrase := strings.ToLower(strings.Join(strings.Fields(f.Phrase), " "))
	if r := []rune(phrase); len(r) > 100 {
		phrase = string(r[:100])
	}
	return source + "|" + f.Rule + "|" + phrase
}

// Findings checks every text of the postmortem — narrative sections,
// contributing factors, why nodes and action items — in document order.
func Findings(doc *model.Document, c *lint.Checker) []Finding {
	people := People(doc.Incident)
	acks := make(map[string]*model.LintAck, len(doc.Acks))
	for i := range doc.Acks {
		acks[doc.Acks[i].Fingerprint] = &doc.Acks[i]
	}
	var out []Finding
	add := func(source, label string, texts ...string) {
		seen := map[string]bool{}
		for _, t := range texts {
			for _, f := range c.Check(t, people) {
				fp := Fingerprint(source, f)
				if seen[fp] {
					continue // one acknowledgement covers the same phrase twice in one place
				}
				seen[fp] = true
				out = append(out, Finding{Finding: f, Source: source, Label: label, Fingerprint: fp, Ack: acks[fp]})
			}
		}
	}
	for _, s := range model.Sections {
		add("section:"+string(s.Key), s.Title, doc.Postmortem.Body(s.Key))
	}
	for _, f := range doc.Factors {
		add(fmt.Sprintf("factor:%d", f.ID), fmt.Sprintf("Contributing factor “%s”", f.Title), f.Title, f.Description)
	}
	for _, r := range doc.Whys {
		r.Walk(func(n *model.WhyNode) {
			add(fmt.Sprintf("why:%d", n.ID), fmt.Sprintf("Why “%s”", short(n.Text)), n.Text)
		})
	}
	for _, a := range doc.Actions {
		add(fmt.Sprintf("action:%d", a.ID), fmt.Sprintf("Action item “%s”", a.Title), a.Title, a.Description)
	}
	return out
}

func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}

// Gate lists every reason the postmortem may not be published yet; none
// means it may. The checks: the incident is resolved; there is at least
// one contributing factor; every action item has an owner and a due date;
// summary, impact and timeline are not empty; every blameless-language
// finding is acknowledged.
func Gate(doc *model.Document, findings []Finding) []model.GateReason {
	var rs []model.GateReason
	add := func(code, format string, args ...any) {
		rs = append(rs, model.GateReason{Code: code, Message: fmt.Sprintf(format, args...)})
	}
	if doc.Incident.Status != model.StatusResolved {
		add("incident_open", "the incident is still %s: publish once it is resolved", doc.Incident.Status)
	}
	if len(doc.Factors) == 0 {
		add("no_factor", "add at least one contributing factor: there is never a single root cause, but there is always a first one to write down")
	}
	for _, a := range doc.Actions {
		if strings.TrimSpace(a.Owner) == "" {
			add("action_owner", "action item %d (“%s”) has no owner", a.ID, a.Title)
		}
		if a.Due.IsZero() {
			add("action_due", "action item %d (“%s”) has no due date", a.ID, a.Title)
		}
	}
	if strings.TrimSpace(doc.Postmortem.Body("summary")) == "" {
		add("empty_summary", "the summary is empty")
	}
	if strings.TrimSpace(doc.Postmortem.Body("impact")) == "" {
		add("empty_impact", "the impact section is empty: who was affected, for how long, how many")
	}
	written := 0
	for _, e := range doc.Timeline {
		if e.Kind != model.KindMilestone {
			written++
		}
	}
	if written == 0 {
		add("empty_timeline", "the timeline has no entries besides the automatic milestones")
	}
	for _, f := range findings {
		if f.Ack == nil {
			add("finding", "%s: “%s” is not acknowledged — %s", f.Label, f.Phrase, f.Reframe)
		}
	}
	return rs
}
