package review

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// at reads "2026-11-16 10:00" or "2026-11-16 10:00:05" as UTC.
func at(s string) time.Time {
	layout := "2006-01-02 15:04"
	if strings.Count(s, ":") == 2 {
		layout = "2006-01-02 15:04:05"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func atp(s string) *time.Time {
	t := at(s)
	return &t
}

// fixture is a hand-built week, 2026-W47 (Mon 16 – Sun 22 November), with
// the week before, each number of which is worked out in the comments.
func fixture() *Input {
	in := fixture0()
	in.Lists = lists47()
	return in
}

func fixture0() *Input {
	return &Input{
		Severities: []model.Severity{{Name: "SEV1", Position: 1}, {Name: "SEV2", Position: 2}, {Name: "SEV3", Position: 3}, {Name: "SEV4", Position: 4}},
		Incidents: []Incident{
			// A: every milestone. TTD 10m, TTA 5m, TTM 1h, TTR 2h.
			{ID: 1, Title: "A", Severity: "SEV1", Status: model.StatusResolved, Services: []string{"api"},
				StartedAt: atp("2026-11-16 10:00"), DetectedAt: atp("2026-11-16 10:10"), AcknowledgedAt: atp("2026-11-16 10:15"),
				MitigatedAt: atp("2026-11-16 11:00"), ResolvedAt: atp("2026-11-16 12:00"), CreatedAt: at("2026-11-16 10:12"),
				Categories: []string{"change", "monitoring gap", "change"}},
			// B: no acknowledgement, no mitigation. TTD 30m, TTR 1d. In
			// review, never published: due 48 h after resolution.
			{ID: 2, Title: "B", Severity: "SEV2", Status: model.StatusResolved, Services: []string{"api", "db"},
				StartedAt: atp("2026-11-18 00:00"), DetectedAt: atp("2026-11-18 00:30"), ResolvedAt: atp("2026-11-19 00:00"),
				CreatedAt: at("2026-11-18 00:31"), Categories: []string{"change"}},
			// C: started in the last second of the week, still open.
			{ID: 3, Title: "C", Severity: "SEV2", Status: model.StatusInvestigating, Services: []string{"db"},
				StartedAt: atp("2026-11-22 23:59:59"), CreatedAt: at("2026-11-23 00:05")},
			// D: started on the first instant after the week: not in it.
			{ID: 4, Title: "D", Severity: "SEV3", Status: model.StatusInvestigating, Services: []string{"web"},
				StartedAt: atp("2026-11-23 00:00"), CreatedAt: at("2026-11-23 00:01")},
			// E: the week before, resolved in the week: TTR 7d.
			{ID: 5, Title: "E", Severity: "SEV1", Status: model.StatusResolved, Services: []string{"api"},
				StartedAt: atp("2026-11-10 08:00"), ResolvedAt: atp("2026-11-17 08:00"), CreatedAt: at("2026-11-10 08:30")},
			// F: the week before, no services, no start recorded (it counts
			// from its declaration): TTR and TTD need a start, so none.
			// Revision 2 was published in the week.
			{ID: 6, Title: "F", Severity: "SEV3", Status: model.StatusResolved,
				DetectedAt: atp("2026-11-12 12:20"), ResolvedAt: atp("2026-11-12 13:00"), CreatedAt: at("2026-11-12 12:00"),
				Categories: []string{"process"}},
			// G: resolved on Sunday evening: its postmortem is due Tuesday.
			{ID: 7, Title: "G", Severity: "SEV2", Status: model.StatusResolved, Services: []string{"web"},
				StartedAt: atp("2026-11-21 12:00"), ResolvedAt: atp("2026-11-22 20:00"), CreatedAt: at("2026-11-21 12:30"),
				Categories: []string{"capacity"}},
			// H: opened in October, still open.
			{ID: 8, Title: "H", Severity: "SEV4", Status: model.StatusMonitoring, Services: []string{"api"},
				StartedAt: atp("2026-10-01 00:00"), CreatedAt: at("2026-10-01 00:10")},
		},
		Actions: []Action{
			{ID: 1, IncidentID: 1, IncidentTitle: "A", Title: "a1", Owner: "Ana", Due: date("2026-11-20"), Status: model.ActionOpen, CreatedAt: at("2026-11-16 13:00")},
			// Due on the report's "today" (the day after the week): due soon, not overdue.
			{ID: 2, IncidentID: 1, IncidentTitle: "A", Title: "a2", Owner: "TBD", Due: date("2026-11-23"), Status: model.ActionInProgress, CreatedAt: at("2026-11-16 13:00")},
			// Due in exactly 7 days: outside "the next 7 days".
			{ID: 3, IncidentID: 2, IncidentTitle: "B", Title: "a3", Owner: "Bo", Due: date("2026-11-30"), Status: model.ActionOpen, CreatedAt: at("2026-11-17 09:00")},
			{ID: 4, IncidentID: 5, IncidentTitle: "E", Title: "a4", Owner: "Cy", Due: date("2026-12-01"), Status: model.ActionDone, ClosedAt: atp("2026-11-18 10:00"), CreatedAt: at("2026-11-10 09:00")},
			{ID: 5, IncidentID: 5, IncidentTitle: "E", Title: "a5", Owner: "Cy", Due: date("2026-12-01"), Status: model.ActionWontDo, Rationale: "Superseded by the platform migration.",
				ClosedAt: atp("2026-11-20 10:00"), CreatedAt: at("2026-11-11 09:00")},
			// Closed after the week: at its end it was open and overdue.
			{ID: 6, IncidentID: 6, IncidentTitle: "F", Title: "a6", Owner: "Di", Due: date("2026-11-19"), Status: model.ActionDone, ClosedAt: atp("2026-11-24 10:00"), CreatedAt: at("2026-11-12 09:00")},
			// Created after the week: it did not exist yet.
			{ID: 7, IncidentID: 3, IncidentTitle: "C", Title: "a7", Owner: "unassigned", Due: date("2026-11-20"), Status: model.ActionOpen, CreatedAt: at("2026-11-25 09:00")},
		},
		PriorStarts: map[string]time.Time{"api": at("2026-06-01 00:00")},
	}
}

// lists47 are the late lists of 2026-W47 as the store loads them from the
// fixture (the store's tests check the queries): E's postmortem was due
// 19 Nov 08:00, B's (in review) 21 Nov 00:00, G's is due Tuesday; A and F
// (revision 2) were published in the week; a6 was closed only after the
// week, a2 is due on the day after it and owned by "TBD".
func lists47() Lists {
	pm := func(id int64, title, sev string, st model.PostmortemStatus, resolved string) PostmortemRef {
		return PostmortemRef{IncidentID: id, Title: title, Severity: sev, Status: st, ResolvedAt: atp(resolved)}
	}
	published := func(r PostmortemRef, n int, at string) PostmortemRef {
		r.Revision, r.PublishedAt = n, atp(at)
		return r
	}
	in := fixture0()
	act := func(id int64) ActionRef {
		a := in.Actions[id-1]
		return ActionRef{ID: a.ID, IncidentID: a.IncidentID, IncidentTitle: a.IncidentTitle, Title: a.Title, Owner: a.Owner,
			Due: a.Due, Status: a.Status, Priority: a.Priority, Rationale: a.Rationale, ClosedAt: a.ClosedAt}
	}
	b := pm(2, "B", "SEV2", model.PostmortemInReview, "2026-11-19 00:00")
	return Lists{
		PostmortemsOverdue:   List[PostmortemRef]{Items: []PostmortemRef{pm(5, "E", "SEV1", "", "2026-11-17 08:00"), b}, Total: 2},
		PostmortemsDueSoon:   List[PostmortemRef]{Items: []PostmortemRef{pm(7, "G", "SEV2", "", "2026-11-22 20:00")}, Total: 1},
		PostmortemsInReview:  List[PostmortemRef]{Items: []PostmortemRef{b}, Total: 1},
		PostmortemsPublished: List[PostmortemRef]{Items: []PostmortemRef{published(pm(1, "A", "SEV1", model.PostmortemPublished, "2026-11-16 12:00"), 1, "2026-11-18 09:00"), published(pm(6, "F", "SEV3", model.PostmortemPublished, "2026-11-12 13:00"), 2, "2026-11-20 10:00")}, Total: 2},
		ActionsOverdue:       List[ActionRef]{Items: []ActionRef{act(6), act(1)}, Total: 2},
		ActionsDueSoon:       List[ActionRef]{Items: []ActionRef{act(2)}, Total: 1},
		ActionsDone:          List[ActionRef]{Items: []ActionRef{act(4)}, Total: 1},
		ActionsWontDo:        List[ActionRef]{Items: []ActionRef{act(5)}, Total: 1},
		ActionsNoOwner:       List[ActionRef]{Items: []ActionRef{act(2)}, Total: 1},
		OwnersOverdue:        map[string]int{"di": 1, "ana": 3},
	}
}

func week47(t *testing.T) *Report {
	t.Helper()
	p, err := ParseWeek("2026-W47")
	require.NoError(t, err)
	return Build(fixture(), p, at("2026-11-25 12:00"), Options{})
}

func ids[T any](items []T, id func(T) int64) []int64 {
	out := []int64{}
	for _, x := range items {
		out = append(out, id(x))
	}
	return out
}

func incidentIDs(l IncidentList) []int64 {
	return ids(l.Items, func(r IncidentRef) int64 { return r.ID })
}
func pmIDs(l []PostmortemRef) []int64 {
	return ids(l, func(r PostmortemRef) int64 { return r.IncidentID })
}
func actionIDs(l []ActionRef) []int64 { return ids(l, func(r ActionRef) int64 { return r.ID }) }

func secs(s *int64) int64 {
	if s == nil {
		return -1
	}
	return *s
}

func TestBuildLists(t *testing.T) {
	r := week47(t)
	assert.Equal(t, "2026-W47", r.Week)
	assert.Equal(t, "2026-W47", r.MinutesWeek)
	assert.Equal(t, at("2026-11-23 00:00"), r.AsOf, "a past week is taken at its end")
	assert.Equal(t, []string{"SEV1", "SEV2", "SEV3", "SEV4"}, r.Severities)

	// By severity, then start.
	assert.Equal(t, []int64{1, 2, 7, 3}, incidentIDs(r.Incidents.Opened))
	assert.Equal(t, []int64{5, 1, 2, 7}, incidentIDs(r.Incidents.Resolved), "E started the week before")
	assert.Equal(t, []int64{3, 8}, incidentIDs(r.Incidents.StillOpen), "D started after the week")
	assert.Equal(t, []Count{{"SEV1", 1}, {"SEV2", 3}, {"SEV3", 0}, {"SEV4", 0}}, r.Incidents.Opened.BySeverity)
	assert.Equal(t, []Count{{"SEV1", 0}, {"SEV2", 1}, {"SEV3", 0}, {"SEV4", 1}}, r.Incidents.StillOpen.BySeverity)

	assert.Equal(t, 4, r.Incidents.Opened.Total)
	assert.Equal(t, 0, r.Incidents.Opened.More)
	assert.Equal(t, "/search?from=2026-11-16&sort=oldest&to=2026-11-22", r.Incidents.Opened.MoreURL)

	// The late lists come from the store; Build labels and links them.
	pm := r.Postmortems
	assert.Equal(t, []int64{5, 2}, pmIDs(pm.Overdue.Items), "E due 19 Nov 08:00, B due 21 Nov 00:00")
	assert.Equal(t, "overdue by 2 d", pm.Overdue.Items[1].DueLabel)
	assert.True(t, pm.Overdue.Items[1].Overdue)
	assert.Equal(t, model.PostmortemDraft, pm.Overdue.Items[0].Status, "no postmortem started: a draft")
	assert.Equal(t, []int64{7}, pmIDs(pm.DueSoon.Items))
	assert.Equal(t, "due in 44 h", pm.DueSoon.Items[0].DueLabel)
	assert.False(t, pm.DueSoon.Items[0].Overdue)
	assert.Equal(t, []int64{2}, pmIDs(pm.InReview.Items))
	assert.Empty(t, pm.InReview.Items[0].DueLabel)
	assert.Equal(t, []int64{1, 6}, pmIDs(pm.Published.Items))
	assert.Empty(t, pm.Published.Items[1].DueLabel)

	a := r.Actions
	assert.Equal(t, []int64{6, 1}, actionIDs(a.Overdue.Items))
	assert.Equal(t, []OwnerGroup{
		{Owner: "Di", Total: 1, URL: "/actions?overdue=1&owner=Di", Items: a.Overdue.Items[:1]},
		{Owner: "Ana", Total: 3, URL: "/actions?overdue=1&owner=Ana", Items: a.Overdue.Items[1:]},
	}, a.OverdueByOwner, "grouped by owner, the owner of the oldest first, with each owner's total")
	assert.Equal(t, "/actions?overdue=1", a.Overdue.MoreURL)
	assert.Equal(t, Stale{}, a.Overdue.Stale, "no link without stale items")
	assert.Equal(t, []int64{5}, actionIDs(a.WontDo.Items))
	assert.Equal(t, "Superseded by the platform migration.", a.WontDo.Items[0].Rationale)
}

// TestBuildCapsLists: Build says how many items a list leaves out, links
// the full list and the stale items, and keeps totals exact.
func TestBuildCapsLists(t *testing.T) {
	in := fixture()
	in.Lists.PostmortemsOverdue.Total, in.Lists.PostmortemsOverdue.Stale.Count = 75, 62
	p, err := ParseWeek("2026-W47")
	require.NoError(t, err)
	r := Build(in, p, at("2026-11-25 12:00"), Options{})
	l := r.Postmortems.Overdue
	assert.Equal(t, 75, l.Total)
	assert.Equal(t, 11, l.More, "75 − 62 stale − 2 listed")
	assert.Equal(t, Stale{Count: 62, URL: "/incidents?status=resolved"}, l.Stale)
	md := string(Markdown(r, &Minutes{Week: "2026-W47"}, ""))
	assert.Contains(t, md, "### Overdue (75)")
	assert.Contains(t, md, "And 11 more: [the full list](/incidents?status=resolved).")
	assert.Contains(t, md, "Stale (overdue by more than 90 days): 62 items, not listed: [the full list](/incidents?status=resolved).")

	var many []Incident
	for i := range 25 {
		start := at("2026-11-17 10:00").Add(time.Duration(i) * time.Minute)
		many = append(many, Incident{ID: int64(100 + i), Title: "Flap", Severity: "SEV3", Status: model.StatusInvestigating, StartedAt: &start, CreatedAt: start})
	}
	in.Incidents = append(in.Incidents, many...)
	r = Build(in, p, at("2026-11-25 12:00"), Options{})
	assert.Len(t, r.Incidents.Opened.Items, ListLimit)
	assert.Equal(t, 29, r.Incidents.Opened.Total)
	assert.Equal(t, 19, r.Incidents.Opened.More)
	assert.Equal(t, 29, r.Incidents.Opened.BySeverity[0].Count+r.Incidents.Opened.BySeverity[1].Count+r.Incidents.Opened.BySeverity[2].Count)
	assert.Equal(t, 29, r.Metrics.Total.Current, "the metrics count every incident")
}

func TestBuildLatePostmortemsAsOfNow(t *testing.T) {
	// The default period ends today: the late lists are taken now.
	in := fixture()
	now := at("2026-11-25 12:00")
	p, err := ParsePeriod("", "", "", model.DateOf(now))
	require.NoError(t, err)
	r := Build(in, p, now, Options{PostmortemDue: 72 * time.Hour})
	assert.Equal(t, now, r.AsOf)
	assert.Equal(t, "due in 8 h", r.Postmortems.DueSoon.Items[0].DueLabel, "G is due 25 Nov 20:00")
	assert.Equal(t, int64(72*3600), r.PostmortemDue)
	q := NewQuery(p, now, Options{PostmortemDue: 72 * time.Hour})
	assert.True(t, q.AsOfIsNow())
	assert.Equal(t, at("2026-11-22 12:00"), q.PostmortemsOverdueBefore())
	assert.Equal(t, at("2026-08-24 12:00"), q.PostmortemsStaleBefore())
	assert.Equal(t, at("2026-11-29 12:00"), q.PostmortemsSoonBefore())
	assert.Equal(t, "2026-08-27", q.ActionsStaleBefore().String(), "due 90 days before today")
	assert.Equal(t, "2026-12-02", q.ActionsSoonBefore().String())
}

func TestBuildMetrics(t *testing.T) {
	m := week47(t).Metrics
	assert.Equal(t, CountRow{"all", 4, 2, 2}, m.Total, "A, B, C, G against E, F")
	assert.Equal(t, []CountRow{{"SEV1", 1, 1, 0}, {"SEV2", 3, 0, 3}, {"SEV3", 0, 1, -1}, {"SEV4", 0, 0, 0}}, m.Severity)

	byKey := map[string]DurationRow{}
	for _, d := range m.Durations {
		byKey[d.Key] = d
	}
	require.Len(t, byKey, 4)
	mttr := byKey["mttr"]
	// 2h, 24h and 32h; C is not resolved.
	assert.Equal(t, 3, mttr.Current.Count)
	assert.Equal(t, 4, mttr.Current.Of)
	assert.Equal(t, int64(69600), secs(mttr.Current.Mean), "(7200 + 86400 + 115200) / 3")
	assert.Equal(t, int64(86400), secs(mttr.Current.Median))
	// E's 7 days; F has no recorded start.
	assert.Equal(t, 1, mttr.Previous.Count)
	assert.Equal(t, 2, mttr.Previous.Of)
	assert.Equal(t, int64(604800), secs(mttr.Previous.Mean))
	assert.Equal(t, int64(69600-604800), secs(mttr.DeltaMean))
	assert.Equal(t, "−6d 4h", mttr.DeltaMeanText())
	assert.Equal(t, "better", mttr.TrendMean())
	assert.Equal(t, "19h 20m", mttr.Current.MeanText())
	assert.Equal(t, "3 of 4", mttr.Current.Used())

	mttd := byKey["mttd"]
	assert.Equal(t, 2, mttd.Current.Count, "A and B")
	assert.Equal(t, int64(1200), secs(mttd.Current.Mean), "(600 + 1800) / 2")
	assert.Equal(t, int64(1200), secs(mttd.Current.Median), "the mean of the two middle values")
	assert.Equal(t, 0, mttd.Previous.Count, "F's detection has no start to count from")
	assert.Nil(t, mttd.DeltaMean)
	assert.Equal(t, None, mttd.DeltaMeanText())
	assert.Equal(t, None, mttd.Previous.MeanText())

	mtta := byKey["mtta"]
	assert.Equal(t, int64(300), secs(mtta.Current.Mean))
	assert.Equal(t, "1 of 4", mtta.Current.Used())
	assert.Equal(t, int64(3600), secs(byKey["mttm"].Current.Median))

	require.Len(t, m.MTBF, 3)
	api, db, web := m.MTBF[0], m.MTBF[1], m.MTBF[2]
	assert.Equal(t, "api", api.Service)
	assert.Equal(t, 2, api.Incidents)
	// Gaps ending in the week: 10 Nov 08:00 → 16 Nov 10:00 (6d 2h) and
	// → 18 Nov 00:00 (1d 14h).
	assert.Equal(t, 2, api.Current.Count)
	assert.Equal(t, int64((525600+136800)/2), secs(api.Current.Mean))
	// The week before: 1 Oct → 10 Nov 08:00.
	assert.Equal(t, int64(40*86400+8*3600), secs(api.Previous.Mean))
	assert.Equal(t, "db", db.Service)
	assert.Equal(t, int64(4*86400+86399), secs(db.Current.Mean), "18 Nov 00:00 → 22 Nov 23:59:59")
	assert.Equal(t, "web", web.Service)
	assert.Equal(t, 1, web.Incidents)
	assert.Nil(t, web.Current.Mean, "one incident has no gap")

	assert.Equal(t, []CountRow{{"change", 2, 0, 2}, {"capacity", 1, 0, 1}, {"monitoring gap", 1, 0, 1}, {"process", 0, 1, -1}}, m.Categories,
		"A counts once for change although it has two change factors")
	assert.Equal(t, []CountRow{{"api", 2, 1, 1}, {"db", 2, 0, 2}, {"web", 1, 0, 1}}, m.Services)

	require.Len(t, m.Extra, 1)
	assert.Equal(t, "change_failure_rate", m.Extra[0].Key)
	assert.False(t, m.Extra[0].Current.Recorded)
	assert.Equal(t, "not recorded yet", m.Extra[0].Current.Display)
}

func TestBuildWeeks(t *testing.T) {
	r := week47(t)
	require.Len(t, r.Weeks, ChartWeeks)
	assert.Equal(t, "2026-W36", r.Weeks[0].Week)
	assert.Equal(t, "2026-08-31", r.Weeks[0].From.String())
	last, prev := r.Weeks[11], r.Weeks[10]
	assert.Equal(t, "2026-W47", last.Week)
	assert.Equal(t, []int{1, 3, 0, 0}, last.BySeverity, "D is in W48")
	assert.Equal(t, int64(69600), secs(last.MTTR.Mean), "the same incidents as the week's MTTR")
	assert.Equal(t, "3 of 4", last.MTTR.Used())
	assert.Equal(t, 3, last.ActionsOpened)
	assert.Equal(t, 2, last.ActionsClosed, "a4 done and a5 won't do; a6 closed in W48")
	assert.Equal(t, []int{1, 0, 1, 0}, prev.BySeverity)
	assert.Equal(t, 3, prev.ActionsOpened)
	assert.Equal(t, []int{0, 0, 0, 1}, r.Weeks[4].BySeverity, "H in W40")
	assert.Equal(t, "0 of 1", r.Weeks[4].MTTR.Used())
	assert.Nil(t, r.Weeks[4].MTTR.Mean, "H is still open")
}

// A period without a single incident or action item shows "—" where a
// mean would be, and its charts hold no NaN.
func TestBuildEmptyPeriod(t *testing.T) {
	in := &Input{Severities: fixture().Severities}
	p, err := ParseWeek("2026-W47")
	require.NoError(t, err)
	r := Build(in, p, at("2026-11-25 12:00"), Options{})
	assert.Equal(t, 0, r.Metrics.Total.Current)
	for _, d := range r.Metrics.Durations {
		assert.Equal(t, None, d.Current.MeanText(), d.Key)
		assert.Equal(t, None, d.Current.MedianText(), d.Key)
		assert.Equal(t, None, d.DeltaMeanText(), d.Key)
		assert.Equal(t, "0 of 0", d.Current.Used())
	}
	assert.Empty(t, r.Metrics.MTBF)
	assert.Empty(t, r.Metrics.Categories)
	assert.NotNil(t, r.Incidents.Opened.Items, "an empty list, not null, in the API")
	md := string(Markdown(r, &Minutes{Week: "2026-W47"}, ""))
	for _, out := range []string{IncidentsChart(r), MTTRChart(r), ActionsChart(r), md} {
		assert.NotContains(t, out, "NaN")
		assert.NotContains(t, out, "Inf")
	}
	assert.Contains(t, md, "| MTTR mean | — | — | — | 0 of 0 (before: 0 of 0) |")
}

func TestOwnerless(t *testing.T) {
	for owner, want := range map[string]bool{
		"":            true,
		"   ":         true,
		"TBD":         true,
		" Unassigned": true,
		"n/a":         true,
		"?":           true,
		"Ana":         false,
		"Tbd Smith":   false,
		"nobody's":    false,
	} {
		assert.Equal(t, want, Ownerless(owner), "%q", owner)
	}
}

func TestFormat(t *testing.T) {
	v := func(n int64) *int64 { return &n }
	assert.Equal(t, None, FormatSeconds(nil))
	assert.Equal(t, "0s", FormatSeconds(v(0)))
	assert.Equal(t, "45s", FormatSeconds(v(45)))
	assert.Equal(t, "1h 5m", FormatSeconds(v(3900)))
	assert.Equal(t, "3d 12h", FormatSeconds(v(304200)))
	assert.Equal(t, "+1h", FormatDeltaSeconds(v(3600)))
	assert.Equal(t, "−30m", FormatDeltaSeconds(v(-1800)))
	assert.Equal(t, "±0", FormatDeltaSeconds(v(0)))
	assert.Equal(t, "+2", FormatDelta(2))
	assert.Equal(t, "−1", FormatDelta(-1))
	// Centuries in seconds still format (time.Duration would overflow).
	assert.Equal(t, "36500d", FormatSeconds(v(36500*86400)))
}

// Charts are compared with golden files; run go test ./internal/review
// -update to rewrite them, and review the diff.
func TestChartsGolden(t *testing.T) {
	r := week47(t)
	empty := Build(&Input{Severities: fixture().Severities}, r.Period, at("2026-11-25 12:00"), Options{})
	for name, got := range map[string]string{
		"incidents.svg":       IncidentsChart(r),
		"mttr.svg":            MTTRChart(r),
		"actions.svg":         ActionsChart(r),
		"incidents_empty.svg": IncidentsChart(empty),
		"mttr_empty.svg":      MTTRChart(empty),
	} {
		t.Run(name, func(t *testing.T) {
			assert.Contains(t, got, `role="img"`)
			assert.Contains(t, got, `<title id="chart-`)
			assert.Contains(t, got, `<desc id="chart-`)
			assert.NotContains(t, got, "NaN")
			golden(t, name, got)
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/review -update to create it")
	assert.Equal(t, string(want), got, "run go test ./internal/review -update and review the diff")
}

func TestMarkdownGolden(t *testing.T) {
	r := week47(t)
	saved := at("2026-11-23 09:30")
	m := &Minutes{Week: "2026-W47", Attendees: []string{"Ana", "Bo | the *lead*"}, Version: 3, UpdatedAt: &saved, UpdatedBy: "ana@example.com",
		Notes: map[string]string{"actions": "Decided: a2 gets an owner by Friday (Bo).", "trends": "MTTR is down; watch db."}}
	got := string(Markdown(r, m, "https://debrief.example.com"))
	assert.Contains(t, got, "Attendees: Ana, Bo \\| the \\*lead\\*.")
	assert.Contains(t, got, "Decided: a2 gets an owner by Friday (Bo).")
	assert.Contains(t, got, "[#5 E](https://debrief.example.com/incidents/5)")
	golden(t, "minutes.md", got)
}

func TestChangeFailureRateByHand(t *testing.T) {
	p := Period{From: mustDay(t, "2026-11-16"), To: mustDay(t, "2026-11-22")}
	in := &Input{Changes: map[Period]ChangeCounts{
		p:            {Services: []ServiceChanges{{"checkout", 10, 1}, {"api", 5, 0}}},
		p.Previous(): {},
	}}
	m := ChangeFailureRate{}.Measure(in, p)
	require.True(t, m.Recorded)
	require.NotNil(t, m.Value)
	assert.InDelta(t, 100.0/15, *m.Value, 1e-9)
	assert.Equal(t, "6.7% (1 of 15)", m.Display)
	require.Len(t, m.Parts, 2)
	assert.Equal(t, Part{Name: "checkout", Value: ptrTo(10.0), Display: "10.0% (1 of 10)"}, m.Parts[0])
	assert.Equal(t, "0.0% (0 of 5)", m.Parts[1].Display)

	prev := ChangeFailureRate{}.Measure(in, p.Previous())
	assert.False(t, prev.Recorded, "no change in the period: not recorded, not 0 %")
	assert.Equal(t, "not recorded yet", prev.Display)
	assert.Nil(t, prev.Value)
	assert.False(t, ChangeFailureRate{}.Measure(&Input{}, p).Recorded)

	many := ChangeCounts{}
	for i := range 15 {
		many.Services = append(many.Services, ServiceChanges{Service: fmt.Sprint("s", i), Total: 1})
	}
	in.Changes[p] = many
	assert.Len(t, ChangeFailureRate{}.Measure(in, p).Parts, MaxRateParts)
}

func ptrTo[T any](v T) *T { return &v }

func mustDay(t *testing.T, s string) model.Date {
	t.Helper()
	d, err := model.ParseDate(s)
	require.NoError(t, err)
	return d
}
