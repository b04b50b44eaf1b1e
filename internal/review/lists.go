package review

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/debrief-dev/debrief/internal/model"
)

// ListLimit is how many items each list of the review shows: the most
// urgent ones, so that a section fits one screen of a meeting. The rest are
// counted and linked.
const ListLimit = 10

// StaleDays is how long past due an item is stale: overdue postmortems
// and action items older than this are counted and linked, not listed, so
// the meeting sees what it can still act on.
const StaleDays = 90

// Query is what the store needs to load the review of a period: the
// period, the instant its late lists are taken at and the bounds derived
// from it. NewQuery makes it; the store applies the bounds in SQL (with a
// LIMIT and a COUNT per list), so the review never loads every overdue
// item of an archive.
type Query struct {
	Period Period
	// AsOf is the end of the period, or now when that is earlier.
	AsOf time.Time
	// Now is when the report is made: when AsOf is now, "published by
	// AsOf" is "published at all", which an index answers.
	Now           time.Time
	PostmortemDue time.Duration
	// Limit is how many items a list holds (ListLimit).
	Limit int
	// Viewer is who reads the report: the private incidents they may not
	// see count in its numbers but are left out of its lists.
	Viewer model.Viewer
}

// NewQuery returns the query of period p made at now.
func NewQuery(p Period, now time.Time, opts Options) Query {
	now = now.UTC()
	q := Query{Period: p, AsOf: p.End(), Now: now, PostmortemDue: opts.PostmortemDue, Limit: ListLimit}
	if q.PostmortemDue <= 0 {
		q.PostmortemDue = model.DefaultPostmortemDue
	}
	if now.Before(q.AsOf) {
		q.AsOf = now
	}
	return q
}

// Today is the day the late lists are taken on: an action item due before
// it is overdue.
func (q Query) Today() model.Date { return model.DateOf(q.AsOf) }

// ActionsSoonBefore is the first day that is not "due soon".
func (q Query) ActionsSoonBefore() model.Date { return q.Today().AddDays(SoonDays) }

// ActionsStaleBefore is the first due date that is not stale: an item due
// before it is overdue by more than StaleDays.
func (q Query) ActionsStaleBefore() model.Date { return q.Today().AddDays(-StaleDays) }

// PostmortemsOverdueBefore is the resolution time before which a
// postmortem not published by AsOf is overdue (its due time has passed).
func (q Query) PostmortemsOverdueBefore() time.Time { return q.AsOf.Add(-q.PostmortemDue) }

// PostmortemsSoonBefore is the resolution time before which a postmortem
// is due within SoonDays.
func (q Query) PostmortemsSoonBefore() time.Time {
	return q.AsOf.Add(SoonDays*24*time.Hour - q.PostmortemDue)
}

// PostmortemsStaleBefore is the resolution time before which an overdue
// postmortem is overdue by more than StaleDays.
func (q Query) PostmortemsStaleBefore() time.Time {
	return q.PostmortemsOverdueBefore().Add(-StaleDays * 24 * time.Hour)
}

// AsOfIsNow reports whether the lists are taken now (the period has not
// ended), when "published by AsOf" is the same as "published".
func (q Query) AsOfIsNow() bool { return !q.AsOf.Before(q.Now) }

// Placeholders are the owners Ownerless treats as nobody, for the store's
// query of the list without an owner ("" included).
func Placeholders() []string { return append([]string{""}, placeholderOwners...) }

// Stale is how many items of a list are overdue by more than StaleDays,
// and where to see them.
type Stale struct {
	Count int    `json:"count"`
	URL   string `json:"url"`
}

// List is one list of the review: at most ListLimit of the most urgent
// items, how many there are in all (exact), how many are neither listed
// nor stale, the full list's address, and the stale items.
type List[T any] struct {
	Items   []T    `json:"items"`
	Total   int    `json:"total"`
	More    int    `json:"more"`
	MoreURL string `json:"more_url"`
	Stale   Stale  `json:"stale"`
}

// OwnerGroup is the overdue action items of one owner among those listed,
// with how many items that owner has overdue in all.
type OwnerGroup struct {
	Owner string      `json:"owner"`
	Total int         `json:"total"`
	URL   string      `json:"url"`
	Items []ActionRef `json:"items"`
}

// Lists are the late and recent lists as the store loads them: each
// list's items (at most Query.Limit, in order), its total and its stale
// count. Build adds the labels and the links.
type Lists struct {
	PostmortemsOverdue   List[PostmortemRef]
	PostmortemsDueSoon   List[PostmortemRef]
	PostmortemsInReview  List[PostmortemRef]
	PostmortemsPublished List[PostmortemRef]
	ActionsOverdue       List[ActionRef]
	ActionsDueSoon       List[ActionRef]
	ActionsDone          List[ActionRef]
	ActionsWontDo        List[ActionRef]
	ActionsNoOwner       List[ActionRef]
	// OwnersOverdue is, for each owner of a listed overdue item (in lower
	// case), how many items they have overdue in all.
	OwnersOverdue map[string]int
}

// finish completes a list loaded by the store: the count of items neither
// listed nor stale and the links.
func finish[T any](l List[T], moreURL, staleURL string) List[T] {
	l.Items = nonNil(l.Items)
	l.More = max(0, l.Total-l.Stale.Count-len(l.Items))
	l.MoreURL = moreURL
	if l.Stale.Count > 0 {
		l.Stale.URL = staleURL
	}
	return l
}

// capIncidents keeps the first ListLimit incidents of an ordered list.
func capIncidents(l IncidentList, moreURL string) IncidentList {
	l.Total = len(l.Items)
	if len(l.Items) > ListLimit {
		l.Items = l.Items[:ListLimit]
	}
	l.More = l.Total - len(l.Items)
	l.MoreURL = moreURL
	return l
}

// actionsURL is the address of /actions with filters.
func actionsURL(kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	if len(q) == 0 {
		return "/actions"
	}
	return "/actions?" + q.Encode()
}

func postmortemLists(in *Input, q Query) PostmortemLists {
	l := in.Lists
	// label sets each item's status, and its due time where the list is
	// of postmortems still owed.
	label := func(list List[PostmortemRef], owed bool) List[PostmortemRef] {
		list.Items = slices.Clone(list.Items)
		for i := range list.Items {
			r := &list.Items[i]
			if r.Status == "" {
				r.Status = model.PostmortemDraft
			}
			if owed && r.ResolvedAt != nil {
				r.Due = model.PostmortemDue(r.ResolvedAt, q.PostmortemDue)
				r.DueLabel = model.DueLabel(*r.Due, q.AsOf)
				r.Overdue = q.AsOf.After(*r.Due)
			}
		}
		return list
	}
	// The incident pages show each postmortem's state and due date; the
	// resolved incidents are where an unpublished one is found.
	resolved := "/incidents?status=resolved"
	return PostmortemLists{
		Overdue:   finish(label(l.PostmortemsOverdue, true), resolved, resolved),
		DueSoon:   finish(label(l.PostmortemsDueSoon, true), resolved, ""),
		InReview:  finish(label(l.PostmortemsInReview, false), resolved, ""),
		Published: finish(label(l.PostmortemsPublished, false), "/archive", ""),
	}
}

func actionLists(in *Input) ActionLists {
	l := in.Lists
	overdue := actionsURL("overdue", "1")
	out := ActionLists{
		// /actions lists the oldest due first, so the stale items lead it.
		Overdue: finish(l.ActionsOverdue, overdue, overdue),
		DueSoon: finish(l.ActionsDueSoon, actionsURL(), ""),
		Done:    finish(l.ActionsDone, actionsURL("status", string(model.ActionDone)), ""),
		WontDo:  finish(l.ActionsWontDo, actionsURL("status", string(model.ActionWontDo)), ""),
		NoOwner: finish(l.ActionsNoOwner, actionsURL(), ""),
	}
	out.OverdueByOwner = groupByOwner(out.Overdue.Items, l.OwnersOverdue)
	return out
}

// groupByOwner groups the listed overdue items by owner (any case), the
// owner of the oldest item first, keeping the items' order in each group.
func groupByOwner(items []ActionRef, totals map[string]int) []OwnerGroup {
	out := []OwnerGroup{}
	at := map[string]int{}
	for _, a := range items {
		key := strings.ToLower(a.Owner)
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, OwnerGroup{Owner: a.Owner, Total: totals[key], URL: actionsURL("overdue", "1", "owner", a.Owner)})
		}
		out[i].Items = append(out[i].Items, a)
	}
	for i := range out {
		out[i].Total = max(out[i].Total, len(out[i].Items))
	}
	return out
}
