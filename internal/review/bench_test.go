package review

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/debrief-dev/debrief/internal/model"
)

// BenchmarkBuild computes the report of a week from two years of a busy
// team's history (about 620 incidents and 1,250 action items), without
// the database: the cost of the numbers alone.
//
//	go test -tags sqlite_fts5 -run '^$' -bench Build ./internal/review/
func BenchmarkBuild(b *testing.B) {
	now := at("2026-11-25 12:00")
	rng := rand.New(rand.NewPCG(7, 47))
	in := &Input{Severities: fixture().Severities, PriorStarts: map[string]time.Time{}}
	services := []string{"checkout", "payments-api", "search", "indexer", "auth", "gateway", "queue", "db", "cdn", "mail", "billing", "web"}
	categories := []string{"change", "configuration", "code defect", "capacity", "dependency", "monitoring gap"}
	first := now.AddDate(0, 0, -7*104)
	for i := range 624 {
		start := first.Add(time.Duration(rng.Int64N(int64(now.Sub(first)))))
		det := start.Add(time.Duration(1+rng.IntN(30)) * time.Minute)
		res := det.Add(time.Duration(rng.IntN(48*60)) * time.Minute)
		inc := Incident{ID: int64(i + 1), Title: fmt.Sprint("Incident ", i), Severity: fmt.Sprintf("SEV%d", 1+rng.IntN(4)),
			Status: model.StatusResolved, StartedAt: &start, DetectedAt: &det, ResolvedAt: &res, CreatedAt: det,
			Services: []string{services[rng.IntN(len(services))]}, Categories: []string{categories[rng.IntN(len(categories))]}}
		in.Incidents = append(in.Incidents, inc)
		for a := range 2 {
			created := det.Add(24 * time.Hour)
			act := Action{ID: int64(2*i + a + 1), IncidentID: inc.ID, Title: "An action item", Owner: "Ana",
				Due: model.DateOf(created).AddDays(30), Status: model.ActionOpen, CreatedAt: created}
			if rng.IntN(2) == 0 {
				closed := created.Add(20 * 24 * time.Hour)
				act.Status, act.ClosedAt = model.ActionDone, &closed
			}
			in.Actions = append(in.Actions, act)
		}
	}
	p, err := ParseWeek("2026-W47")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r := Build(in, p, now, Options{})
		_ = IncidentsChart(r) + MTTRChart(r) + ActionsChart(r)
	}
}
