package model

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rfc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAllowedDowntime(t *testing.T) {
	assert.Equal(t, 43.2, AllowedDowntime(99.9, 30*24*time.Hour).Minutes())
	assert.InDelta(t, 8.77, AllowedDowntime(99.9, 365*24*time.Hour+6*time.Hour).Hours(), 0.005)
	assert.InDelta(t, 4.32, AllowedDowntime(99.99, 30*24*time.Hour).Minutes(), 1e-9)
	rows := NinesTable(ptrF(99.9), 30)
	var found bool
	for _, r := range rows {
		if r.Current {
			found = true
			assert.Equal(t, "43.2 min", r.PerWindowText)
			assert.Equal(t, "8.77 h", r.PerYearText)
			assert.Equal(t, "99.9%", r.TargetText)
		}
	}
	assert.True(t, found)
	assert.Len(t, NinesTable(ptrF(99.8), 30), 7, "an unusual target gets its own row")
}

func ptrF(f float64) *float64 { return &f }

func TestErrorBudgetByHand(t *testing.T) {
	from, to := rfc("2026-11-01T00:00:00Z"), rfc("2026-12-01T00:00:00Z") // 30 days: 43 200 min
	outages := []Outage{
		{IncidentID: 1, Start: rfc("2026-10-31T23:50:00Z"), End: rfc("2026-11-01T00:10:00Z")}, // clipped: 10 min
		{IncidentID: 2, Start: rfc("2026-11-10T10:00:00Z"), End: rfc("2026-11-10T10:30:00Z")}, // 30 min
		{IncidentID: 3, Start: rfc("2026-11-10T10:20:00Z"), End: rfc("2026-11-10T10:50:00Z")}, // overlaps 2: +20 min
		{IncidentID: 4, Start: rfc("2026-11-30T23:00:00Z"), End: rfc("2026-11-30T23:59:00Z"), Open: true},
		{IncidentID: 5, Start: rfc("2026-12-02T00:00:00Z"), End: rfc("2026-12-03T00:00:00Z")}, // after the window
	}
	b := ComputeErrorBudget(99.9, from, to, outages)
	assert.Equal(t, 43200.0, b.WindowMinutes)
	assert.Equal(t, 43.2, b.BudgetMinutes)
	assert.Equal(t, 10.0+50+59, b.SpentMinutes, "overlap counted once")
	assert.Equal(t, 43.2-119, b.RemainingMinutes)
	assert.True(t, b.Exhausted())
	assert.Equal(t, []OutageMinutes{{1, 10, false, false}, {2, 30, false, false}, {3, 30, false, false}, {4, 59, true, false}}, b.Incidents)
	require.NotEmpty(t, b.Burn)
	assert.Equal(t, 43.2, b.Burn[0].Remaining)
	last := b.Burn[len(b.Burn)-1]
	assert.Equal(t, to, last.At)
	assert.Equal(t, b.RemainingMinutes, last.Remaining)
	for i := 1; i < len(b.Burn); i++ {
		assert.False(t, b.Burn[i].At.Before(b.Burn[i-1].At), "in time order")
		assert.LessOrEqual(t, b.Burn[i].Remaining, b.Burn[i-1].Remaining, "a budget only burns")
	}
}

func TestErrorBudgetAcrossAYearAndWithNothingSpent(t *testing.T) {
	from, to := rfc("2026-12-17T00:00:00Z"), rfc("2027-01-16T00:00:00Z")
	b := ComputeErrorBudget(99.5, from, to, []Outage{{IncidentID: 9, Start: rfc("2026-12-31T23:30:00Z"), End: rfc("2027-01-01T00:30:00Z")}})
	assert.Equal(t, 216.0, b.BudgetMinutes) // 0.5 % of 43 200
	assert.Equal(t, 60.0, b.SpentMinutes)
	assert.Equal(t, 156.0, b.RemainingMinutes)
	assert.InDelta(t, 27.8, b.SpentPercent(), 0.05)

	empty := ComputeErrorBudget(99.9, from, to, nil)
	assert.Equal(t, 0.0, empty.SpentMinutes)
	assert.Empty(t, empty.Incidents)
	assert.False(t, empty.Exhausted())
}

func TestOutageOf(t *testing.T) {
	now := rfc("2026-11-20T12:00:00Z")
	start, mit, res := rfc("2026-11-20T10:00:00Z"), rfc("2026-11-20T10:45:00Z"), rfc("2026-11-20T11:00:00Z")
	o, ok := OutageOf(&Incident{ID: 1, StartedAt: &start, MitigatedAt: &mit, ResolvedAt: &res}, now)
	require.True(t, ok)
	assert.Equal(t, mit, o.End)
	o, _ = OutageOf(&Incident{ID: 1, StartedAt: &start, ResolvedAt: &res}, now)
	assert.Equal(t, res, o.End, "resolved without a recorded mitigation")
	o, _ = OutageOf(&Incident{ID: 1, StartedAt: &start}, now)
	assert.Equal(t, now, o.End)
	assert.True(t, o.Open, "an unmitigated incident spends until now")
	_, ok = OutageOf(&Incident{ID: 1}, now)
	assert.False(t, ok)
}

func TestServiceValidate(t *testing.T) {
	for field, s := range map[string]Service{
		"slo_target":      {SLOTarget: ptrF(100)},
		"runbook_url":     {RunbookURL: "file:///etc/passwd"},
		"slo_window_days": {SLOWindowDays: 366},
	} {
		err := s.Validate()
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, field)
		assert.Contains(t, ve.Fields, field)
	}
	for _, bad := range []float64{0, -1, 100.5} {
		s := Service{SLOTarget: ptrF(bad)}
		assert.Error(t, s.Validate(), "%v", bad)
	}
	ok := Service{SLOTarget: ptrF(99.95)}
	require.NoError(t, ok.Validate())
	assert.Equal(t, DefaultSLOWindowDays, ok.SLOWindowDays)
}

func TestReliabilityOf(t *testing.T) {
	at := func(s string) *time.Time { v := rfc(s); return &v }
	incs := []Incident{
		{StartedAt: at("2026-09-10T00:00:00Z"), ResolvedAt: at("2026-09-10T02:00:00Z")},
		{StartedAt: at("2026-09-20T00:00:00Z"), ResolvedAt: at("2026-09-20T04:00:00Z")},
		{StartedAt: at("2026-11-09T00:00:00Z")}, // open: no MTTR
	}
	r := ReliabilityOf(incs, rfc("2026-09-01T00:00:00Z"), rfc("2026-11-30T00:00:00Z"))
	require.NotNil(t, r.MTBF)
	assert.Equal(t, 30*24*time.Hour, *r.MTBF, "60 days over two gaps")
	require.Len(t, r.Months, 3)
	assert.Equal(t, "2026-09", r.Months[0].Month)
	require.NotNil(t, r.Months[0].MTTR)
	assert.Equal(t, 3*time.Hour, *r.Months[0].MTTR)
	assert.Nil(t, r.Months[1].MTTR, "October had none")
	assert.Nil(t, r.Months[2].MTTR, "November's is still open")
	assert.Nil(t, ReliabilityOf(incs[:1], rfc("2026-09-01T00:00:00Z"), rfc("2026-09-30T00:00:00Z")).MTBF)
}

// FuzzErrorBudget: whatever the outages, the spent minutes never exceed the
// window, the budget only burns, and the remaining is budget − spent.
func FuzzErrorBudget(f *testing.F) {
	f.Add(99.9, int64(0), int64(60), int64(30), int64(90))
	f.Add(99.0, int64(-100), int64(10), int64(5), int64(50000))
	f.Add(50.0, int64(40000), int64(50000), int64(-5), int64(-1))
	f.Fuzz(func(t *testing.T, target float64, s1, e1, s2, e2 int64) {
		if target <= 0 || target >= 100 || target != target {
			return
		}
		from := rfc("2026-11-01T00:00:00Z")
		to := from.Add(30 * 24 * time.Hour)
		at := func(m int64) time.Time { return from.Add(time.Duration(m%100000) * time.Minute) }
		b := ComputeErrorBudget(target, from, to, []Outage{{IncidentID: 1, Start: at(s1), End: at(e1)}, {IncidentID: 2, Start: at(s2), End: at(e2)}})
		if b.SpentMinutes < 0 || b.SpentMinutes > b.WindowMinutes {
			t.Fatalf("spent %v of a %v-minute window", b.SpentMinutes, b.WindowMinutes)
		}
		if d := b.BudgetMinutes - b.SpentMinutes - b.RemainingMinutes; d > 0.11 || d < -0.11 {
			t.Fatalf("budget %v − spent %v ≠ remaining %v", b.BudgetMinutes, b.SpentMinutes, b.RemainingMinutes)
		}
		for i := 1; i < len(b.Burn); i++ {
			if b.Burn[i].Remaining > b.Burn[i-1].Remaining || b.Burn[i].At.Before(b.Burn[i-1].At) {
				t.Fatalf("burn-down goes back: %+v", b.Burn)
			}
		}
	})
}
