package review

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/debrief-dev/debrief/internal/model"
)

// ChartWeeks is how many ISO weeks the trend charts cover, ending with the
// week of the period's last day.
const ChartWeeks = 12

// TopN is how many factor categories and services the rankings show.
const TopN = 5

// SoonDays is what "due soon" means: within this many days.
const SoonDays = 7

// Options are the settings a report depends on.
type Options struct {
	// PostmortemDue is how long after resolution a postmortem is due
	// (model.DefaultPostmortemDue when zero).
	PostmortemDue time.Duration
	// Sources are the pluggable metrics; nil means DefaultSources.
	Sources []Source
}

// Report is the weekly review of one period. The page, the API and the
// Markdown minutes all render this one struct.
type Report struct {
	Period   Period `json:"period"`
	Previous Period `json:"previous_period"`
	// Week is the ISO week when the period is exactly one.
	Week string `json:"week,omitempty"`
	// MinutesWeek is the ISO week whose minutes go with the report: the
	// week of the period's last day.
	MinutesWeek string `json:"minutes_week"`
	// AsOf is the instant the "late" lists are taken at: the end of the
	// period, or now when that is earlier.
	AsOf time.Time `json:"as_of"`
	// PostmortemDue is how long after resolution a postmortem is due, in
	// seconds.
	PostmortemDue int64 `json:"postmortem_due_seconds"`
	// Severities names the scale in order (the charts' series).
	Severities []string `json:"severities"`

	Incidents   IncidentLists   `json:"incidents"`
	Postmortems PostmortemLists `json:"postmortems"`
	Actions     ActionLists     `json:"action_items"`
	Metrics     Metrics         `json:"metrics"`
	Weeks       []WeekBucket    `json:"weeks"`
}

// IncidentRef is one incident in a list.
type IncidentRef struct {
	ID         int64        `json:"id"`
	Title      string       `json:"title"`
	Severity   string       `json:"severity"`
	Status     model.Status `json:"status"`
	Services   []string     `json:"services"`
	Start      time.Time    `json:"start"`
	ResolvedAt *time.Time   `json:"resolved_at"`
}

// Count is a number under a name.
type Count struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// IncidentList is a list of incidents and how many there are of each
// severity (every level of the scale, zeros included).
type IncidentList struct {
	Items      []IncidentRef `json:"items"`
	BySeverity []Count       `json:"by_severity"`
}

// IncidentLists are the incidents of the period.
type IncidentLists struct {
	// Opened started in the period.
	Opened IncidentList `json:"opened"`
	// Resolved were resolved in the period.
	Resolved IncidentList `json:"resolved"`
	// StillOpen had started and were not resolved at the end of the period.
	StillOpen IncidentList `json:"still_open"`
}

// PostmortemRef is one postmortem in a list.
type PostmortemRef struct {
	IncidentID int64                  `json:"incident_id"`
	Title      string                 `json:"title"`
	Severity   string                 `json:"severity"`
	Status     model.PostmortemStatus `json:"status"`
	ResolvedAt *time.Time             `json:"resolved_at"`
	Due        *time.Time             `json:"due"`
	DueLabel   string                 `json:"due_label,omitempty"`
	Overdue    bool                   `json:"overdue"`
	// Revision is the revision published in the period (Published only).
	Revision    int        `json:"revision,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// PostmortemLists are the postmortems that need the meeting's attention.
type PostmortemLists struct {
	DueSoon   []PostmortemRef `json:"due_soon"`
	Overdue   []PostmortemRef `json:"overdue"`
	InReview  []PostmortemRef `json:"in_review"`
	Published []PostmortemRef `json:"published"`
}

// ActionRef is one action item in a list.
type ActionRef struct {
	ID            int64              `json:"id"`
	IncidentID    int64              `json:"incident_id"`
	IncidentTitle string             `json:"incident_title"`
	Title         string             `json:"title"`
	Owner         string             `json:"owner"`
	Due           model.Date         `json:"due_date"`
	Status        model.ActionStatus `json:"status"`
	Priority      model.Priority     `json:"priority"`
	Rationale     string             `json:"rationale,omitempty"`
	ClosedAt      *time.Time         `json:"closed_at"`
}

// ActionLists are the action items that need the meeting's attention.
type ActionLists struct {
	Overdue []ActionRef `json:"overdue"`
	DueSoon []ActionRef `json:"due_soon"`
	Done    []ActionRef `json:"done"`
	WontDo  []ActionRef `json:"wont_do"`
	NoOwner []ActionRef `json:"no_owner"`
}

// WeekBucket is one ISO week of the trend charts.
type WeekBucket struct {
	Week string     `json:"week"`
	From model.Date `json:"from"`
	// BySeverity counts incidents that started in the week, in the order
	// of Report.Severities.
	BySeverity []int `json:"by_severity"`
	// MTTR is over the incidents that started in the week.
	MTTR          Stat `json:"mttr"`
	ActionsOpened int  `json:"action_items_opened"`
	ActionsClosed int  `json:"action_items_closed"`
}

// Build computes the report of period p from in, at instant now. It is
// the one place the review's numbers come from.
func Build(in *Input, p Period, now time.Time, opts Options) *Report {
	now = now.UTC()
	r := &Report{Period: p, Previous: p.Previous(), MinutesWeek: WeekOf(p.To), AsOf: p.End()}
	r.Week, _ = p.Week()
	if opts.PostmortemDue <= 0 {
		opts.PostmortemDue = model.DefaultPostmortemDue
	}
	r.PostmortemDue = int64(opts.PostmortemDue / time.Second)
	if now.Before(r.AsOf) {
		r.AsOf = now
	}
	r.Severities = severityNames(in)
	r.Incidents = incidentLists(in, p, r.Severities)
	r.Postmortems = postmortemLists(in, p, r.AsOf, opts.PostmortemDue)
	r.Actions = actionLists(in, p, r.AsOf)
	r.Metrics = metrics(in, p, r.Previous, r.Severities, opts)
	r.Weeks = weeks(in, p, r.Severities)
	return r
}

// Window returns the instants the report looks at: from the start of the
// previous period or of the charts' first week, whichever is earlier, to
// the end of p. The store loads what happened in it.
func Window(p Period) (from, to time.Time) {
	from = p.Previous().Start()
	if cs := chartStart(p).Time(); cs.Before(from) {
		from = cs
	}
	return from, p.End()
}

func chartStart(p Period) model.Date { return MondayOf(p.To).AddDays(-7 * (ChartWeeks - 1)) }

// severityNames is the scale in order, then any level an incident names
// that the scale does not (sorted), so that nothing is dropped.
func severityNames(in *Input) []string {
	sevs := slices.Clone(in.Severities)
	slices.SortStableFunc(sevs, func(a, b model.Severity) int { return cmp.Compare(a.Position, b.Position) })
	names := make([]string, 0, len(sevs))
	for _, s := range sevs {
		names = append(names, s.Name)
	}
	var extra []string
	for _, inc := range in.Incidents {
		if !slices.Contains(names, inc.Severity) && !slices.Contains(extra, inc.Severity) {
			extra = append(extra, inc.Severity)
		}
	}
	slices.Sort(extra)
	return append(names, extra...)
}

func incidentLists(in *Input, p Period, sevs []string) IncidentLists {
	var out IncidentLists
	var opened, resolved, open []IncidentRef
	for i := range in.Incidents {
		inc := &in.Incidents[i]
		ref := IncidentRef{ID: inc.ID, Title: inc.Title, Severity: inc.Severity, Status: inc.Status,
			Services: nonNil(inc.Services), Start: inc.Start(), ResolvedAt: inc.ResolvedAt}
		if p.Contains(inc.Start()) {
			opened = append(opened, ref)
		}
		if inc.ResolvedAt != nil && p.Contains(*inc.ResolvedAt) {
			resolved = append(resolved, ref)
		}
		if inc.OpenAt(p.End()) {
			open = append(open, ref)
		}
	}
	out.Opened = incidentList(opened, sevs)
	out.Resolved = incidentList(resolved, sevs)
	out.StillOpen = incidentList(open, sevs)
	return out
}

// incidentList orders refs by severity, then start, and counts them per
// severity.
func incidentList(refs []IncidentRef, sevs []string) IncidentList {
	rank := func(s string) int { return slices.Index(sevs, s) }
	slices.SortFunc(refs, func(a, b IncidentRef) int {
		return cmp.Or(cmp.Compare(rank(a.Severity), rank(b.Severity)), a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
	})
	l := IncidentList{Items: nonNil(refs), BySeverity: make([]Count, len(sevs))}
	for i, s := range sevs {
		l.BySeverity[i].Name = s
	}
	for _, r := range refs {
		l.BySeverity[rank(r.Severity)].Count++
	}
	return l
}

func postmortemLists(in *Input, p Period, asOf time.Time, within time.Duration) PostmortemLists {
	out := PostmortemLists{DueSoon: []PostmortemRef{}, Overdue: []PostmortemRef{}, InReview: []PostmortemRef{}, Published: []PostmortemRef{}}
	soon := asOf.Add(SoonDays * 24 * time.Hour)
	for i := range in.Incidents {
		inc := &in.Incidents[i]
		status := inc.Postmortem
		if status == "" {
			status = model.PostmortemDraft
		}
		ref := PostmortemRef{IncidentID: inc.ID, Title: inc.Title, Severity: inc.Severity, Status: status, ResolvedAt: inc.ResolvedAt}
		if inc.ResolvedAt != nil && inc.ResolvedAt.Before(asOf) && !inc.publishedBy(asOf) {
			due := model.PostmortemDue(inc.ResolvedAt, within)
			ref.Due, ref.DueLabel = due, model.DueLabel(*due, asOf)
			switch {
			case asOf.After(*due):
				ref.Overdue = true
				out.Overdue = append(out.Overdue, ref)
			case due.Before(soon):
				out.DueSoon = append(out.DueSoon, ref)
			}
		}
		if status == model.PostmortemInReview {
			r := ref
			r.Due, r.DueLabel, r.Overdue = nil, "", false
			out.InReview = append(out.InReview, r)
		}
		for n, at := range inc.Published {
			if p.Contains(at) {
				r := ref
				r.Revision, r.PublishedAt = n+1, &inc.Published[n]
				if len(out.Published) > 0 && out.Published[len(out.Published)-1].IncidentID == inc.ID {
					out.Published[len(out.Published)-1] = r // the latest revision of the period
				} else {
					out.Published = append(out.Published, r)
				}
			}
		}
	}
	byDue := func(a, b PostmortemRef) int {
		return cmp.Or(a.Due.Compare(*b.Due), cmp.Compare(a.IncidentID, b.IncidentID))
	}
	slices.SortFunc(out.Overdue, byDue)
	slices.SortFunc(out.DueSoon, byDue)
	slices.SortFunc(out.InReview, func(a, b PostmortemRef) int { return cmp.Compare(a.IncidentID, b.IncidentID) })
	slices.SortFunc(out.Published, func(a, b PostmortemRef) int {
		return cmp.Or(a.PublishedAt.Compare(*b.PublishedAt), cmp.Compare(a.IncidentID, b.IncidentID))
	})
	return out
}

// placeholderOwners are owners that name nobody. Debrief refuses a blank
// owner, but nothing stops someone typing one of these.
var placeholderOwners = []string{"tbd", "tba", "tbc", "unassigned", "unowned", "none", "nobody", "no one", "noone",
	"n/a", "na", "unknown", "?", "??", "???", "-", "--", "—", "todo", "x"}

// Ownerless reports whether an owner names nobody: blank (which the
// application refuses, so only a database edited by hand has it) or a
// placeholder such as "TBD" or "unassigned".
func Ownerless(owner string) bool {
	o := strings.ToLower(strings.Join(strings.Fields(owner), " "))
	return o == "" || slices.Contains(placeholderOwners, o)
}

func actionLists(in *Input, p Period, asOf time.Time) ActionLists {
	out := ActionLists{Overdue: []ActionRef{}, DueSoon: []ActionRef{}, Done: []ActionRef{}, WontDo: []ActionRef{}, NoOwner: []ActionRef{}}
	today := model.DateOf(asOf)
	for i := range in.Actions {
		a := &in.Actions[i]
		ref := ActionRef{ID: a.ID, IncidentID: a.IncidentID, IncidentTitle: a.IncidentTitle, Title: a.Title, Owner: a.Owner,
			Due: a.Due, Status: a.Status, Priority: a.Priority, ClosedAt: a.ClosedAt}
		if a.openAt(asOf) {
			switch {
			case a.Due.Passed(asOf):
				out.Overdue = append(out.Overdue, ref)
			case a.Due.Before(today.AddDays(SoonDays)):
				out.DueSoon = append(out.DueSoon, ref)
			}
			if Ownerless(a.Owner) {
				out.NoOwner = append(out.NoOwner, ref)
			}
		}
		if a.ClosedAt != nil && p.Contains(*a.ClosedAt) {
			switch a.Status {
			case model.ActionDone:
				out.Done = append(out.Done, ref)
			case model.ActionWontDo:
				ref.Rationale = a.Rationale
				out.WontDo = append(out.WontDo, ref)
			}
		}
	}
	byDue := func(a, b ActionRef) int { return cmp.Or(a.Due.Time().Compare(b.Due.Time()), cmp.Compare(a.ID, b.ID)) }
	byClosed := func(a, b ActionRef) int { return cmp.Or(a.ClosedAt.Compare(*b.ClosedAt), cmp.Compare(a.ID, b.ID)) }
	slices.SortFunc(out.Overdue, byDue)
	slices.SortFunc(out.DueSoon, byDue)
	slices.SortFunc(out.NoOwner, byDue)
	slices.SortFunc(out.Done, byClosed)
	slices.SortFunc(out.WontDo, byClosed)
	return out
}

func weeks(in *Input, p Period, sevs []string) []WeekBucket {
	first := chartStart(p)
	out := make([]WeekBucket, ChartWeeks)
	mttr := make([][]int64, ChartWeeks)
	for i := range out {
		d := first.AddDays(7 * i)
		out[i] = WeekBucket{Week: WeekOf(d), From: d, BySeverity: make([]int, len(sevs))}
	}
	index := func(t time.Time) int {
		d := t.Sub(first.Time())
		if d < 0 {
			return -1
		}
		i := int(d / (7 * 24 * time.Hour))
		if i >= ChartWeeks {
			return -1
		}
		return i
	}
	for i := range in.Incidents {
		inc := &in.Incidents[i]
		w := index(inc.Start())
		if w < 0 {
			continue
		}
		out[w].BySeverity[slices.Index(sevs, inc.Severity)]++
		if d, ok := between(inc.StartedAt, inc.ResolvedAt); ok {
			mttr[w] = append(mttr[w], d)
		}
		out[w].MTTR.Of++
	}
	for i := range out {
		of := out[i].MTTR.Of
		out[i].MTTR = stat(mttr[i])
		out[i].MTTR.Of = of
	}
	for i := range in.Actions {
		a := &in.Actions[i]
		if w := index(a.CreatedAt); w >= 0 {
			out[w].ActionsOpened++
		}
		if a.ClosedAt != nil {
			if w := index(*a.ClosedAt); w >= 0 {
				out[w].ActionsClosed++
			}
		}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
