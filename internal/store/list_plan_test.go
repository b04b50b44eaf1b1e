package store

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/debrief-dev/debrief/internal/model"
)

// listCases are the list queries of /incidents and /actions: the default
// sort, each filter the pages offer, and a deep page.
var (
	incidentListCases = []struct {
		name string
		f    IncidentFilter
	}{
		{"default", IncidentFilter{}},
		{"open", IncidentFilter{Status: "open"}},
		{"status", IncidentFilter{Status: string(model.StatusResolved)}},
		{"severity", IncidentFilter{Severity: "SEV2"}},
		{"severity+open", IncidentFilter{Severity: "SEV1", Status: "open"}},
		{"service", IncidentFilter{Service: "payments-api"}},
		{"page100", IncidentFilter{Offset: 99 * 50}},
		// A reader who is not an admin: private incidents they may not see
		// are left out, by id, so the same indexes answer.
		{"default+viewer", IncidentFilter{Viewer: model.Viewer{UserID: 7}}},
		{"open+viewer", IncidentFilter{Status: "open", Viewer: model.Viewer{UserID: 7}}},
		{"service+viewer", IncidentFilter{Service: "payments-api", Viewer: model.Viewer{UserID: 7}}},
	}
	actionListCases = []struct {
		name string
		f    ActionFilter
	}{
		{"default", ActionFilter{Status: ActionActive}},
		{"all", ActionFilter{}},
		{"status", ActionFilter{Status: string(model.ActionDone)}},
		{"overdue", ActionFilter{Overdue: true}},
		{"week", ActionFilter{Status: ActionActive, DueBefore: model.NewDate(2026, 12, 13)}},
		{"owner", ActionFilter{Status: ActionActive, Owner: "Priya Nair"}},
		{"incident", ActionFilter{Status: ActionActive, IncidentID: 2}},
		{"service", ActionFilter{Status: ActionActive, Service: "payments-api"}},
		{"page100", ActionFilter{Status: ActionActive, Offset: 99 * 50}},
		{"default+viewer", ActionFilter{Status: ActionActive, Viewer: model.Viewer{UserID: 7}}},
		{"owner+viewer", ActionFilter{Status: ActionActive, Owner: "Priya Nair", Viewer: model.Viewer{UserID: 7}}},
	}
)

// TestListsUseIndexes runs EXPLAIN QUERY PLAN on every statement of the
// list queries of /incidents and /actions, for the default sort and each
// filter the pages offer: none may SCAN incidents or action_items (a scan
// of a covering index is an index walk, stopped by the LIMIT), the page of
// ids must come from an index alone, and the default sort must not sort it
// in a temporary b-tree (the rows of that page and their links may be). With DEBRIEF_BENCH_DB set, the plans are checked on
// that generated database too, where the planner has real sizes to weigh.
func TestListsUseIndexes(t *testing.T) {
	now := time.Date(2026, time.December, 8, 12, 0, 0, 0, time.UTC)
	stores := map[string]*Store{"empty": OpenTest(t, WithClock(func() time.Time { return now }))}
	if path := os.Getenv("DEBRIEF_BENCH_DB"); path != "" {
		st, err := Open(path, WithClock(func() time.Time { return now }))
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		stores["generated"] = st
	}
	for name, st := range stores {
		log := &sqlLog{Interface: logger.Discard}
		st.db = st.db.Session(&gorm.Session{Logger: log})
		check := func(t *testing.T, list string, isDefault bool, run func() error) {
			log.stmts = nil
			require.NoError(t, run())
			require.GreaterOrEqual(t, len(log.stmts), 2, "a count and a page")
			for i, sql := range log.stmts {
				plan := queryPlan(t, st, sql)
				text := strings.Join(plan, "\n")
				for _, step := range plan {
					for _, table := range []string{"incidents", "action_items"} {
						if (strings.HasPrefix(step, "SCAN "+table+" ") || step == "SCAN "+table) && !strings.Contains(step, "COVERING INDEX") {
							t.Errorf("%s scans %s:\n%s\n%s", list, table, sql, text)
						}
					}
					if isDefault && i == 1 && strings.Contains(step, "TEMP B-TREE") && strings.Contains(step, "ORDER BY") {
						t.Errorf("%s sorts in a temporary b-tree:\n%s\n%s", list, sql, text)
					}
				}
				if i <= 1 {
					t.Logf("%s, %s: %s", list, []string{"count", "page"}[i], strings.ReplaceAll(text, "\n", "; "))
				}
				if strings.HasSuffix(list, "+viewer") && i <= 1 {
					assert.Contains(t, text, "COVERING INDEX incidents_visibility", "%s: the private incidents come from their index", list)
				}
				if i == 1 { // the page of ids
					assert.Contains(t, text, "COVERING INDEX", "%s: the page of ids comes from an index alone:\n%s\n%s", list, sql, text)
				}
			}
		}
		t.Run(name, func(t *testing.T) {
			for _, tc := range incidentListCases {
				check(t, "incidents "+tc.name, strings.HasPrefix(tc.name, "default"), func() error {
					_, _, err := st.Incidents(context.Background(), tc.f)
					return err
				})
			}
			for _, tc := range actionListCases {
				check(t, "actions "+tc.name, strings.HasPrefix(tc.name, "default"), func() error {
					_, _, err := st.Actions(context.Background(), tc.f)
					return err
				})
			}
		})
	}
}

func queryPlan(t *testing.T, st *Store, sql string) []string {
	t.Helper()
	rows, err := st.db.Session(&gorm.Session{Logger: logger.Discard}).Raw("EXPLAIN QUERY PLAN " + sql).Rows()
	require.NoError(t, err, sql)
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
		plan = append(plan, detail)
	}
	require.NoError(t, rows.Err())
	return plan
}

// TestListOffsetIsBounded: a page deeper than MaxOffset is refused, naming
// the field, rather than walking ever more of an index.
func TestListOffsetIsBounded(t *testing.T) {
	st := OpenTest(t)
	ctx := context.Background()
	_, _, err := st.Incidents(ctx, IncidentFilter{Offset: MaxOffset})
	require.NoError(t, err)
	_, _, err = st.Actions(ctx, ActionFilter{Offset: MaxOffset})
	require.NoError(t, err)
	for _, err := range []error{
		func() error { _, _, err := st.Incidents(ctx, IncidentFilter{Offset: MaxOffset + 1}); return err }(),
		func() error { _, _, err := st.Actions(ctx, ActionFilter{Offset: MaxOffset + 1}); return err }(),
		func() error { _, _, err := st.Actions(ctx, ActionFilter{Offset: -1}); return err }(),
	} {
		var v *model.ValidationError
		require.ErrorAs(t, err, &v)
		assert.Contains(t, v.Fields, "offset")
	}
}

// TestListsMatchPlainQueries: the lists read through their indexes give
// the same rows, in the same order, with the same totals, as the plain
// queries they replace read without any index (NOT INDEXED), ties and
// incidents without a start time included.
func TestListsMatchPlainQueries(t *testing.T) {
	now := time.Date(2026, time.December, 8, 12, 0, 0, 0, time.UTC)
	st := OpenTest(t, WithClock(func() time.Time { return now }))
	ctx := context.Background()
	statuses := []model.Status{model.StatusInvestigating, model.StatusMonitoring, model.StatusResolved, model.StatusResolved}
	priorities := []model.Priority{model.PriorityLow, model.PriorityHigh, model.PriorityMedium}
	for i := range 40 {
		inc := &model.Incident{Title: "incident", Severity: []string{"SEV1", "SEV2", "SEV3"}[i%3],
			Status: statuses[i%4], Services: []string{[]string{"checkout", "payments-api"}[i%2]}}
		if i%5 != 0 { // the others are sorted by when they were declared
			started := now.Add(-time.Duration(6+i%7) * time.Hour) // ties
			inc.StartedAt = &started
		}
		require.NoError(t, st.At(now.Add(-time.Duration(i%6)*time.Hour)).CreateIncident(ctx, inc, ""))
		for k := range 3 {
			a := &model.ActionItem{IncidentID: inc.ID, Title: "fix", Owner: []string{"Ana", "ana", "Bo"}[(i+k)%3],
				Due: model.DateOf(now).AddDays((i+k)%4 - 2), Type: model.ActionPrevent, Priority: priorities[(i*k)%3]}
			require.NoError(t, st.CreateAction(ctx, a))
			if (i+k)%4 == 0 {
				done, note := model.ActionDone, "done"
				_, err := st.UpdateAction(ctx, inc.ID, a.ID, model.ActionPatch{Status: &done, ClosureNote: &note, Version: a.Version})
				require.NoError(t, err)
			}
		}
	}
	plain := func(query string, args ...any) []int64 {
		var ids []int64
		require.NoError(t, st.db.Raw(query, args...).Scan(&ids).Error)
		return ids
	}
	const incidents = `SELECT id FROM incidents NOT INDEXED WHERE %s
		ORDER BY status = 'resolved', COALESCE(started_at, created_at) DESC, id DESC`
	bySvc := `id IN (SELECT incident_id FROM incident_services JOIN services ON services.id = service_id WHERE services.name = 'checkout')`
	for _, tc := range []struct {
		f     IncidentFilter
		where string
	}{
		{IncidentFilter{}, "1"},
		{IncidentFilter{Status: "open"}, "status <> 'resolved'"},
		{IncidentFilter{Status: "resolved"}, "status = 'resolved'"},
		{IncidentFilter{Severity: "SEV2"}, "severity = 'SEV2'"},
		{IncidentFilter{Severity: "SEV1", Status: "open"}, "severity = 'SEV1' AND status <> 'resolved'"},
		{IncidentFilter{Service: "checkout"}, bySvc},
	} {
		want := plain(strings.ReplaceAll(incidents, "%s", tc.where))
		for _, page := range [][2]int{{200, 0}, {7, 5}} {
			f := tc.f
			f.Limit, f.Offset = page[0], page[1]
			list, total, err := st.Incidents(ctx, f)
			require.NoError(t, err)
			got := make([]int64, len(list))
			for i, inc := range list {
				got[i] = inc.ID
			}
			assert.Equal(t, want[min(f.Offset, len(want)):min(f.Offset+f.Limit, len(want))], got, "%+v", f)
			assert.EqualValues(t, len(want), total, "%+v", f)
		}
	}
	const actions = `SELECT id FROM action_items NOT INDEXED WHERE %s
		ORDER BY due_date, CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, id`
	active := "status IN ('open', 'in_progress')"
	for _, tc := range []struct {
		f     ActionFilter
		where string
	}{
		{ActionFilter{Status: ActionActive}, active},
		{ActionFilter{}, "1"},
		{ActionFilter{Status: "done"}, "status = 'done'"},
		{ActionFilter{Overdue: true}, active + " AND due_date < '2026-12-08'"},
		{ActionFilter{Status: ActionActive, Owner: "ANA"}, active + " AND owner = 'ANA' COLLATE NOCASE"},
		{ActionFilter{Status: ActionActive, IncidentID: 2}, active + " AND incident_id = 2"},
		{ActionFilter{Status: ActionActive, Service: "checkout"}, active + " AND incident_" + bySvc},
		{ActionFilter{DueBefore: model.DateOf(now), DueAfter: model.DateOf(now).AddDays(-1)}, "due_date BETWEEN '2026-12-07' AND '2026-12-08'"},
	} {
		want := plain(strings.ReplaceAll(actions, "%s", tc.where))
		require.NotEmpty(t, want, tc.where)
		for _, page := range [][2]int{{200, 0}, {7, 5}} {
			f := tc.f
			f.Limit, f.Offset = page[0], page[1]
			items, total, err := st.Actions(ctx, f)
			require.NoError(t, err)
			got := make([]int64, len(items))
			for i, a := range items {
				got[i] = a.ID
			}
			assert.Equal(t, want[min(f.Offset, len(want)):min(f.Offset+f.Limit, len(want))], got, "%+v", f)
			assert.EqualValues(t, len(want), total, "%+v", f)
		}
	}
}
