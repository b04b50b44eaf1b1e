package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// seedAnalysis gives an incident a realistic, large analysis: 10 factors,
// whys trees of 60 nodes that fork, 20 action items linked to both.
func seedAnalysis(b *testing.B, st *store.Store, id int64) {
	b.Helper()
	ctx := context.Background()
	var factors []int64
	for i := range 10 {
		f := &model.Factor{IncidentID: id, Title: fmt.Sprintf("Latent condition %d: retries without a budget", i), Category: "configuration",
			Description: "The client retries **three times** with no jitter, so a slow dependency sees `4x` the load."}
		if err := st.CreateFactor(ctx, f); err != nil {
			b.Fatal(err)
		}
		factors = append(factors, f.ID)
	}
	var whys []int64
	for i := range 60 {
		n := &model.WhyNode{IncidentID: id, Text: fmt.Sprintf("Because step %d of the rollout had no canary and nobody was paged", i)}
		if i > 0 {
			parent := whys[(i-1)/2] // a binary tree: every node forks
			n.ParentID = &parent
		}
		if i%7 == 3 {
			n.FactorID = &factors[i%len(factors)]
		}
		if err := st.CreateWhy(ctx, n, nil); err != nil {
			b.Fatal(err)
		}
		whys = append(whys, n.ID)
	}
	for i := range 20 {
		a := &model.ActionItem{IncidentID: id, Title: fmt.Sprintf("Add a retry budget to client %d", i), Owner: "Jin Park",
			Due: model.DateOf(st.Now()).AddDays(i - 5), Type: model.ActionPrevent,
			FactorIDs: []int64{factors[i%len(factors)]}, WhyIDs: []int64{whys[i*3]}}
		if err := st.CreateAction(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalysisPages measures the incident page with 200 timeline
// entries and a large analysis (10 factors, 60 whys with SVG, 20 action
// items, lint on every text), and the postmortem view and Markdown export
// of the same incident.
func BenchmarkAnalysisPages(b *testing.B) {
	start := time.Date(2026, 11, 20, 22, 30, 0, 0, time.UTC)
	now := start.Add(12 * time.Hour)
	st, _, _ := benchDB(b, store.WithClock(func() time.Time { return now }))
	id := seedIncident200(b, st, start)
	seedAnalysis(b, st, id)
	srv, cred := benchServer(b, st)
	for _, page := range []struct{ name, path string }{
		{"incident_page", "/incidents/%d"},
		{"postmortem_view", "/incidents/%d/postmortem"},
		{"markdown_export", "/incidents/%d/postmortem.md?draft=1"},
	} {
		target := fmt.Sprintf(page.path, id)
		b.Run(page.name, func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, target, nil)
				req.AddCookie(cred.session)
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: status %d: %.300s", target, rec.Code, rec.Body.String())
				}
				size = rec.Body.Len()
			}
			reportRate(b, "req/s")
			b.ReportMetric(float64(size)/1024, "KiB/page")
		})
	}
}
