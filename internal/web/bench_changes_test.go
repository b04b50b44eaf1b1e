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

// BenchmarkIncidentPageWithChanges is the incident page of a 200-entry
// incident without any recorded change, and with 5 000 changes recorded
// (50 of them to its services in the lane and among the suspects, the rest
// to other services): the changes issue's goal is ≤ 1.2× the page without.
func BenchmarkIncidentPageWithChanges(b *testing.B) {
	for _, n := range []int{0, 5000} {
		b.Run(fmt.Sprintf("changes=%d", n), func(b *testing.B) {
			start := time.Date(2026, 11, 20, 22, 30, 0, 0, time.UTC)
			now := start.Add(12 * time.Hour)
			st, _, _ := benchDB(b, store.WithClock(func() time.Time { return now }))
			id := seedIncident200(b, st, start)
			ctx := context.Background()
			for i := range n {
				svc := fmt.Sprintf("other-%d", i%100)
				if i%100 == 0 {
					svc = "payments-worker"
				}
				c := &model.Change{Service: svc, Kind: model.ChangeDeploy, Summary: fmt.Sprintf("deploy %d", i),
					Version: fmt.Sprintf("v1.%d", i), StartedAt: start.Add(-20 * time.Hour).Add(time.Duration(i) * 15 * time.Second)}
				if _, err := st.RecordChange(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
			srv, cred := benchServer(b, st)
			target := fmt.Sprintf("/incidents/%d", id)
			get := func() int {
				req := httptest.NewRequest(http.MethodGet, target, nil)
				req.AddCookie(cred.session)
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				return rec.Code
			}
			if code := get(); code != http.StatusOK {
				b.Fatalf("GET: %d", code)
			}
			for b.Loop() {
				get()
			}
		})
	}
}
