package review

import (
	"cmp"
	"encoding/json"
	"net/url"
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
	// Items are the first ListLimit, the most severe first.
	Items      []IncidentRef `json:"items"`
	BySeverity []Count       `json:"by_severity"`
	// Total is how many there are; More how many are not listed, and
	// MoreURL where to see them all.
	Total   int    `json:"total"`
	More    int    `json:"more"`
	MoreURL string `json:"more_url"`
	// Stale is always zero: incidents are listed by severity, not age. It
	// is there so every list of the API has the same shape.
	Stale Stale `json:"stale"`
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

// PostmortemLists are the postmortems that need the meeting's attention:
// overdue (the oldest first, those overdue by more than StaleDays only
// counted), due soon (the soonest first), in review and published in the
// period.
type PostmortemLists struct {
	DueSoon   List[PostmortemRef]
	Overdue   List[PostmortemRef]
	InReview  List[PostmortemRef]
	Published List[PostmortemRef]
}

// MarshalJSON writes each list's items under its key, as the API always
// has, and the whole list (items, total, more_url, stale) under "lists".
func (l PostmortemLists) MarshalJSON() ([]byte, error) {
	type lists struct {
		DueSoon   List[PostmortemRef] `json:"due_soon"`
		Overdue   List[PostmortemRef] `json:"overdue"`
		InReview  List[PostmortemRef] `json:"in_review"`
		Published List[PostmortemRef] `json:"published"`
	}
	return json.Marshal(struct {
		DueSoon   []PostmortemRef `json:"due_soon"`
		Overdue   []PostmortemRef `json:"overdue"`
		InReview  []PostmortemRef `json:"in_review"`
		Published []PostmortemRef `json:"published"`
		Lists     lists           `json:"lists"`
	}{l.DueSoon.Items, l.Overdue.Items, l.InReview.Items, l.Published.Items, lists(l)})
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

// ActionLists are the action items that need the meeting's attention:
// overdue (the oldest first, grouped by owner in OverdueByOwner; those
// overdue by more than StaleDays only counted), due soon, closed in the
// period and without an owner.
type ActionLists struct {
	Overdue        List[ActionRef]
	OverdueByOwner []OwnerGroup
	DueSoon        List[ActionRef]
	Done           List[ActionRef]
	WontDo         List[ActionRef]
	NoOwner        List[ActionRef]
}

// MarshalJSON writes each list's items under its key, as the API always
// has, and the whole list (items, total, more_url, stale) under "lists".
func (l ActionLists) MarshalJSON() ([]byte, error) {
	type lists struct {
		Overdue List[ActionRef] `json:"overdue"`
		DueSoon List[ActionRef] `json:"due_soon"`
		Done    List[ActionRef] `json:"done"`
		WontDo  List[ActionRef] `json:"wont_do"`
		NoOwner List[ActionRef] `json:"no_owner"`
	}
	return json.Marshal(struct {
		Overdue        []ActionRef  `json:"overdue"`
		DueSoon        []ActionRef  `json:"due_soon"`
		Done           []ActionRef  `json:"done"`
		WontDo         []ActionRef  `json:"wont_do"`
		NoOwner        []ActionRef  `json:"no_owner"`
		OverdueByOwner []OwnerGroup `json:"overdue_by_owner"`
		Lists          lists        `json:"lists"`
	}{l.Overdue.Items, l.DueSoon.Items, l.Done.Items, l.WontDo.Items, l.NoOwner.Items, l.OverdueByOwner,
		lists{l.Overdue, l.DueSoon, l.Done, l.WontDo, l.NoOwner}})
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
//
// The late lists (postmortems and action items) are in.Lists as the store
// loaded them for NewQuery(p, now, opts); Build labels and links them.
func Build(in *Input, p Period, now time.Time, opts Options) *Report {
	q := NewQuery(p, now, opts)
	opts.PostmortemDue = q.PostmortemDue
	r := &Report{Period: p, Previous: p.Previous(), MinutesWeek: WeekOf(p.To), AsOf: q.AsOf}
	r.Week, _ = p.Week()
	r.PostmortemDue = int64(opts.PostmortemDue / time.Second)
	r.Severities = severityNames(in)
	r.Incidents = incidentLists(in, p, r.Severities)
	r.Postmortems = postmortemLists(in, q)
	r.Actions = actionLists(in)
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
		if inc.Hidden {
			continue
		}
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
	period := url.Values{"from": {p.From.String()}, "to": {p.To.String()}, "sort": {"oldest"}}
	out.Opened = capIncidents(incidentList(opened, sevs), "/search?"+period.Encode())
	out.Resolved = capIncidents(incidentList(resolved, sevs), "/incidents?status=resolved")
	out.StillOpen = capIncidents(incidentList(open, sevs), "/incidents?status=open")
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
