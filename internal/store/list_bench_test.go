package store

import (
	"context"
	"os"
	"testing"
)

// BenchmarkLists times the list queries of /incidents and /actions on a
// generated database: DEBRIEF_BENCH_DB=/tmp/x.db after
// `debrief demo --history 10000 --db /tmp/x.db`.
func BenchmarkLists(b *testing.B) {
	path := os.Getenv("DEBRIEF_BENCH_DB")
	if path == "" {
		b.Skip("set DEBRIEF_BENCH_DB to a database made by debrief demo --history N")
	}
	st, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for _, tc := range incidentListCases {
		b.Run("incidents/"+tc.name, func(b *testing.B) {
			f := tc.f
			f.Limit = 50
			for b.Loop() {
				if _, _, err := st.Incidents(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, tc := range actionListCases {
		b.Run("actions/"+tc.name, func(b *testing.B) {
			f := tc.f
			f.Limit = 50
			for b.Loop() {
				if _, _, err := st.Actions(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
