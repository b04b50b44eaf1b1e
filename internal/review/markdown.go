package review

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/debrief-dev/debrief/internal/model"
)

// Markdown renders the minutes of a review: the facts and metrics of the
// report as tables and lists, and under each section the notes (the
// decisions) taken in the meeting. Links to incidents start with baseURL
// (relative links when it is empty).
func Markdown(r *Report, m *Minutes, baseURL string) []byte {
	w := &mdWriter{base: strings.TrimRight(baseURL, "/")}
	title := "Weekly review " + r.MinutesWeek
	if r.Week == "" {
		title = "Review " + r.Period.String()
	}
	w.line("# " + title)
	w.line("")
	w.line(fmt.Sprintf("Period: %s (UTC), compared with %s. Lists of what is late are as of %s.",
		r.Period, r.Previous, model.FormatHuman(r.AsOf)))
	w.line("")
	if len(m.Attendees) > 0 {
		names := make([]string, len(m.Attendees))
		for i, n := range m.Attendees {
			names[i] = esc(n)
		}
		w.line("Attendees: " + strings.Join(names, ", ") + ".")
	} else {
		w.line("Attendees: none recorded.")
	}
	if m.UpdatedAt != nil {
		w.line("")
		w.line(fmt.Sprintf("Minutes saved %s by %s (version %d).", model.FormatHuman(*m.UpdatedAt), esc(orSomeone(m.UpdatedBy)), m.Version))
	}

	w.section("Incidents")
	w.line("| Severity | Opened | Resolved | Still open |")
	w.line("|---|---:|---:|---:|")
	in := r.Incidents
	for i, s := range r.Severities {
		w.line(fmt.Sprintf("| %s | %d | %d | %d |", esc(s), in.Opened.BySeverity[i].Count, in.Resolved.BySeverity[i].Count, in.StillOpen.BySeverity[i].Count))
	}
	w.line(fmt.Sprintf("| **All** | %d | %d | %d |", in.Opened.Total, in.Resolved.Total, in.StillOpen.Total))
	w.incidents("Opened", in.Opened)
	w.incidents("Resolved", in.Resolved)
	w.incidents("Still open", in.StillOpen)
	w.notes(m, "incidents")

	w.section("Postmortems")
	pm := r.Postmortems
	w.postmortems("Overdue", pm.Overdue, func(p PostmortemRef) string { return p.DueLabel })
	w.postmortems("Due soon", pm.DueSoon, func(p PostmortemRef) string { return p.DueLabel })
	w.postmortems("In review, awaiting sign-off", pm.InReview, func(PostmortemRef) string { return "in review" })
	w.postmortems("Published in the period", pm.Published, func(p PostmortemRef) string {
		return fmt.Sprintf("revision %d, %s", p.Revision, model.FormatHuman(*p.PublishedAt))
	})
	w.notes(m, "postmortems")

	w.section("Action items")
	a := r.Actions
	w.overdueActions(a)
	w.actions("Due in the next 7 days", a.DueSoon, func(x ActionRef) string { return "due " + x.Due.String() })
	w.actions("Done in the period", a.Done, func(x ActionRef) string { return "done " + model.FormatHuman(*x.ClosedAt) })
	w.actions("Won't do (decided in the period)", a.WontDo, func(x ActionRef) string { return "rationale: " + x.Rationale })
	w.actions("Without an owner", a.NoOwner, func(x ActionRef) string { return "owner “" + x.Owner + "”" })
	w.notes(m, "actions")

	w.section("Metrics")
	mt := r.Metrics
	w.line("Incidents that started in each period, and the response times of those incidents.")
	w.line("")
	w.line("| Metric | This period | Previous period | Change | Incidents used |")
	w.line("|---|---:|---:|---:|---:|")
	w.line(fmt.Sprintf("| Incidents | %d | %d | %s | |", mt.Total.Current, mt.Total.Previous, FormatDelta(mt.Total.Delta)))
	for _, c := range mt.Severity {
		w.line(fmt.Sprintf("| %s incidents | %d | %d | %s | |", esc(c.Name), c.Current, c.Previous, FormatDelta(c.Delta)))
	}
	for _, d := range mt.Durations {
		used := d.Current.Used() + " (before: " + d.Previous.Used() + ")"
		w.line(fmt.Sprintf("| %s mean | %s | %s | %s | %s |", d.Label, d.Current.MeanText(), d.Previous.MeanText(), d.DeltaMeanText(), used))
		w.line(fmt.Sprintf("| %s median | %s | %s | %s | %s |", d.Label, d.Current.MedianText(), d.Previous.MedianText(), d.DeltaMedianText(), used))
	}
	for _, x := range mt.Extra {
		w.line(fmt.Sprintf("| %s | %s | %s | %s | %s |", esc(x.Label), esc(x.Current.Display), esc(x.Previous.Display), None, esc(x.Current.Note)))
		for _, part := range x.Current.Parts {
			w.line(fmt.Sprintf("| %s: %s | %s | | | |", esc(x.Label), esc(part.Name), esc(part.Display)))
		}
	}
	w.line("")
	w.line("### MTBF per service")
	w.line("")
	if len(mt.MTBF) == 0 {
		w.line("No service had an incident in either period.")
	} else {
		w.line("| Service | Incidents | MTBF (gaps) | Previous period | Change |")
		w.line("|---|---:|---:|---:|---:|")
		for _, s := range mt.MTBF {
			w.line(fmt.Sprintf("| %s | %d | %s (%d) | %s (%d) | %s |", esc(s.Service), s.Incidents, FormatSeconds(s.Current.Mean), s.Current.Count,
				FormatSeconds(s.Previous.Mean), s.Previous.Count, s.DeltaMeanText()))
		}
	}
	w.ranking("Top factor categories", "Category", mt.Categories)
	w.ranking("Services with most incidents", "Service", mt.Services)
	w.notes(m, "metrics")

	w.section("Trends")
	w.line("| Week | Incidents | MTTR mean | MTTR median | Action items opened | Closed |")
	w.line("|---|---:|---:|---:|---:|---:|")
	for _, wk := range r.Weeks {
		total := 0
		for _, n := range wk.BySeverity {
			total += n
		}
		w.line(fmt.Sprintf("| %s | %d | %s | %s | %d | %d |", wk.Week, total, FormatSeconds(wk.MTTR.Mean), FormatSeconds(wk.MTTR.Median), wk.ActionsOpened, wk.ActionsClosed))
	}
	w.notes(m, "trends")

	w.section("Definitions")
	for _, d := range Definitions(r) {
		w.line("- **" + d.Term + "**: " + d.Text)
	}
	return []byte(w.b.String())
}

// Definition explains one metric or list of the review.
type Definition struct {
	Term string
	Text string
}

// Definitions are the footnotes of the page and the minutes (the README
// says the same).
func Definitions(r *Report) []Definition {
	defs := []Definition{
		{"Start", "an incident starts when its impact started; when that is not recorded, when it was declared. All times are UTC and a period runs from 00:00 on its first day to 24:00 on its last."},
		{"Opened, resolved, still open", "incidents that started in the period; that were resolved in it; that had started and were not resolved at its end."},
		{"Which incidents the metrics count", "incident counts and the response times (MTTD, MTTA, MTTM, MTTR) are over the incidents that started in the period, so an incident counts in one period only. Durations use recorded milestones only: an incident that lacks either milestone of a duration (an open incident has no resolution; one declared without an impact start has no start) is left out of that duration, and the count used is shown (“3 of 5”)."},
	}
	for _, d := range Durations {
		defs = append(defs, Definition{d.Label, d.Definition + " Shown as the mean and the median (the middle value, or the mean of the two middle values)."})
	}
	defs = append(defs,
		Definition{"MTBF", "mean time between failures of a service: the mean gap between consecutive incident starts of the service, over the gaps that end in the period (the earlier start may be before it). A service needs two incidents for a gap; the number of gaps is shown."},
		Definition{"Top factor categories", "per contributing-factor category, how many of the incidents that started in the period have at least one factor of it."},
		Definition{"Services with most incidents", "per service, how many incidents that started in the period affected it."},
		Definition{"Late lists", "postmortems and action items that are overdue or due soon are taken as of the end of the period, or now when that is earlier. A postmortem is due " + formatSecs(r.PostmortemDue) + " after its incident is resolved (the server's --postmortem-due) and stops being due once a revision is published; “due soon” is within 7 days. An action item is overdue once its due date has passed in UTC and it is neither done nor won't do."},
		Definition{"Action items closed", "done or won't do, by when the item was closed (only the latest closing is recorded)."},
		Definition{"Without an owner", "Debrief refuses an action item without an owner, so this lists open items whose owner is a placeholder such as “TBD”, “unassigned” or “?”."},
	)
	for _, s := range DefaultSources {
		defs = append(defs, Definition{s.Label(), s.Definition() + " “Not recorded yet” when no change was recorded in the period."})
	}
	return defs
}

type mdWriter struct {
	b    strings.Builder
	base string
}

func (w *mdWriter) line(s string) {
	if s == "" && (w.b.Len() == 0 || strings.HasSuffix(w.b.String(), "\n\n")) {
		return // one blank line between blocks
	}
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

func (w *mdWriter) section(title string) {
	w.line("")
	w.line("## " + title)
	w.line("")
}

func (w *mdWriter) link(id int64, title string) string {
	return fmt.Sprintf("[#%d %s](%s/incidents/%d)", id, esc(title), w.base, id)
}

func (w *mdWriter) heading(title string, n int) bool {
	w.line("")
	w.line("### " + title + " (" + strconv.Itoa(n) + ")")
	w.line("")
	if n == 0 {
		w.line("None.")
		return false
	}
	return true
}

// rest says what a capped list leaves out: "and N more" and the stale
// items, each with a link to the full list.
func (w *mdWriter) rest(more int, moreURL string, stale Stale) {
	if more > 0 {
		w.line("")
		w.line(fmt.Sprintf("And %d more: [the full list](%s%s).", more, w.base, moreURL))
	}
	if stale.Count > 0 {
		w.line("")
		w.line(fmt.Sprintf("Stale (overdue by more than %d days): %s, not listed: [the full list](%s%s).", StaleDays, items(stale.Count), w.base, stale.URL))
	}
}

func items(n int) string {
	if n == 1 {
		return "1 item"
	}
	return strconv.Itoa(n) + " items"
}

func (w *mdWriter) incidents(title string, l IncidentList) {
	if !w.heading(title, l.Total) {
		return
	}
	defer w.rest(l.More, l.MoreURL, l.Stale)
	for _, i := range l.Items {
		extra := "started " + model.FormatHuman(i.Start)
		if i.ResolvedAt != nil {
			extra += ", resolved " + model.FormatHuman(*i.ResolvedAt)
		}
		w.line(fmt.Sprintf("- %s %s — %s", esc(i.Severity), w.link(i.ID, i.Title), extra))
	}
}

func (w *mdWriter) postmortems(title string, l List[PostmortemRef], detail func(PostmortemRef) string) {
	if !w.heading(title, l.Total) {
		return
	}
	defer w.rest(l.More, l.MoreURL, l.Stale)
	for _, p := range l.Items {
		w.line(fmt.Sprintf("- %s %s — %s", esc(p.Severity), w.link(p.IncidentID, p.Title), esc(detail(p))))
	}
}

func (w *mdWriter) actions(title string, l List[ActionRef], detail func(ActionRef) string) {
	if !w.heading(title, l.Total) {
		return
	}
	defer w.rest(l.More, l.MoreURL, l.Stale)
	for _, a := range l.Items {
		w.action(a, title == "Done in the period" || strings.HasPrefix(title, "Won't do"), detail(a))
	}
}

func (w *mdWriter) action(a ActionRef, closedList bool, detail string) {
	status := a.Status.Label()
	if a.ClosedAt != nil && a.Status.Closed() && !closedList {
		status = "since closed: " + status // open at the time the list is taken
	}
	w.line(fmt.Sprintf("- %s (owner %s, %s) — %s — from %s", esc(a.Title), esc(a.Owner), status, esc(detail), w.link(a.IncidentID, a.IncidentTitle)))
}

// overdueActions lists the most overdue action items grouped by owner,
// each owner with how many items they have overdue in all.
func (w *mdWriter) overdueActions(a ActionLists) {
	l := a.Overdue
	if !w.heading("Overdue", l.Total) {
		return
	}
	if len(l.Items) > 0 {
		w.line(fmt.Sprintf("The %d most overdue of the last %d days, by owner:", len(l.Items), StaleDays))
	}
	for _, g := range a.OverdueByOwner {
		w.line("")
		w.line(fmt.Sprintf("**%s** (%d overdue: [all](%s%s))", esc(g.Owner), g.Total, w.base, g.URL))
		w.line("")
		for _, x := range g.Items {
			w.action(x, false, "due "+x.Due.String())
		}
	}
	w.rest(l.More, l.MoreURL, l.Stale)
}

func (w *mdWriter) ranking(title, what string, rows []CountRow) {
	w.line("")
	w.line("### " + title)
	w.line("")
	if len(rows) == 0 {
		w.line("None in either period.")
		return
	}
	w.line("| " + what + " | This period | Previous period | Change |")
	w.line("|---|---:|---:|---:|")
	for _, c := range rows {
		w.line(fmt.Sprintf("| %s | %d | %d | %s |", esc(c.Name), c.Current, c.Previous, FormatDelta(c.Delta)))
	}
}

func (w *mdWriter) notes(m *Minutes, key string) {
	w.line("")
	w.line("### Decisions and notes")
	w.line("")
	if n := m.Note(key); n != "" {
		w.line(n)
	} else {
		w.line("None recorded.")
	}
}

func orSomeone(s string) string {
	if s == "" {
		return "someone"
	}
	return s
}

// esc makes plain text (a title, a name) literal inside a line of Markdown
// or a table cell.
func esc(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>#|~!", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
