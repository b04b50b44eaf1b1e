package review

import (
	"cmp"
	"slices"
	"time"

	"github.com/debrief-dev/debrief/internal/model"
)

// Stat summarises durations in whole seconds. Mean and Median are nil
// when no incident had both milestones; Count is how many did, Of how many
// incidents were looked at.
type Stat struct {
	Count  int    `json:"count"`
	Of     int    `json:"of"`
	Mean   *int64 `json:"mean_seconds"`
	Median *int64 `json:"median_seconds"`
}

// stat is the mean and median of durations in seconds. Sums are in
// seconds, so even centuries of incidents cannot overflow.
func stat(secs []int64) Stat {
	s := Stat{Count: len(secs), Of: len(secs)}
	if len(secs) == 0 {
		return s
	}
	sorted := slices.Clone(secs)
	slices.Sort(sorted)
	var sum int64
	for _, v := range sorted {
		sum += v
	}
	mean := sum / int64(len(sorted))
	mid := len(sorted) / 2
	median := sorted[mid]
	if len(sorted)%2 == 0 {
		median = sorted[mid-1] + (sorted[mid]-sorted[mid-1])/2
	}
	s.Mean, s.Median = &mean, &median
	return s
}

// between is to − from in whole seconds, when both are recorded and in
// order (the model refuses milestones out of order; a row edited by hand
// that has them reversed is left out rather than counted as negative).
func between(from, to *time.Time) (int64, bool) {
	if from == nil || to == nil || to.Before(*from) {
		return 0, false
	}
	return int64(to.Sub(*from) / time.Second), true
}

// DurationDef defines one of the response-time metrics.
type DurationDef struct {
	Key        string
	Label      string
	Definition string
	From, To   model.Milestone
}

// Durations are the response-time metrics, in the order of a response.
var Durations = []DurationDef{
	{"mttd", "MTTD", "Mean time to detect: detected − impact started.", model.MilestoneStarted, model.MilestoneDetected},
	{"mtta", "MTTA", "Mean time to acknowledge: acknowledged − detected.", model.MilestoneDetected, model.MilestoneAcknowledged},
	{"mttm", "MTTM", "Mean time to mitigate: mitigated − impact started.", model.MilestoneStarted, model.MilestoneMitigated},
	{"mttr", "MTTR", "Mean time to resolve: resolved − impact started.", model.MilestoneStarted, model.MilestoneResolved},
}

func (d DurationDef) of(inc *Incident) (int64, bool) {
	return between(milestone(inc, d.From), milestone(inc, d.To))
}

func milestone(inc *Incident, m model.Milestone) *time.Time {
	switch m {
	case model.MilestoneStarted:
		return inc.StartedAt
	case model.MilestoneDetected:
		return inc.DetectedAt
	case model.MilestoneAcknowledged:
		return inc.AcknowledgedAt
	case model.MilestoneMitigated:
		return inc.MitigatedAt
	case model.MilestoneResolved:
		return inc.ResolvedAt
	}
	return nil
}

// Metrics compare the period with the previous one.
type Metrics struct {
	// Total and Severity count the incidents that started in each period.
	Total     CountRow      `json:"total"`
	Severity  []CountRow    `json:"by_severity"`
	Durations []DurationRow `json:"durations"`
	MTBF      []MTBFRow     `json:"mtbf"`
	// Categories counts, per factor category, the incidents that started
	// in the period with at least one contributing factor of it.
	Categories []CountRow `json:"factor_categories"`
	// Services counts the incidents that started in the period per service.
	Services []CountRow `json:"services"`
	// Extra are the pluggable metrics (Sources).
	Extra []ExtraRow `json:"extra"`
}

// CountRow is a count in the period, in the previous period, and the change.
type CountRow struct {
	Name     string `json:"name"`
	Current  int    `json:"current"`
	Previous int    `json:"previous"`
	Delta    int    `json:"delta"`
}

// DurationRow is a response-time metric in both periods.
type DurationRow struct {
	Key        string `json:"key"`
	Label      string `json:"label"`
	Definition string `json:"definition"`
	Current    Stat   `json:"current"`
	Previous   Stat   `json:"previous"`
	// DeltaMean and DeltaMedian are current − previous, in seconds; nil
	// when either side has no value.
	DeltaMean   *int64 `json:"delta_mean_seconds"`
	DeltaMedian *int64 `json:"delta_median_seconds"`
}

// MTBFRow is a service's mean time between failures in both periods.
type MTBFRow struct {
	Service  string `json:"service"`
	Current  Stat   `json:"current"`
	Previous Stat   `json:"previous"`
	// Incidents is how many of the service's incidents started in the
	// period.
	Incidents int `json:"incidents"`
	// DeltaMean is current − previous mean gap, in seconds; nil when either
	// side has no gap. A shorter MTBF is worse.
	DeltaMean *int64 `json:"delta_mean_seconds"`
}

// ExtraRow is a pluggable metric in both periods.
type ExtraRow struct {
	Key        string      `json:"key"`
	Label      string      `json:"label"`
	Definition string      `json:"definition"`
	Current    Measurement `json:"current"`
	Previous   Measurement `json:"previous"`
}

func metrics(in *Input, cur, prev Period, sevs []string, opts Options) Metrics {
	var m Metrics
	started := func(p Period) []*Incident {
		var out []*Incident
		for i := range in.Incidents {
			if p.Contains(in.Incidents[i].Start()) {
				out = append(out, &in.Incidents[i])
			}
		}
		return out
	}
	a, b := started(cur), started(prev)
	m.Total = countRow("all", len(a), len(b))

	sevCount := func(incs []*Incident) map[string]int {
		c := map[string]int{}
		for _, inc := range incs {
			c[inc.Severity]++
		}
		return c
	}
	ca, cb := sevCount(a), sevCount(b)
	for _, s := range sevs {
		m.Severity = append(m.Severity, countRow(s, ca[s], cb[s]))
	}

	for _, d := range Durations {
		row := DurationRow{Key: d.Key, Label: d.Label, Definition: d.Definition,
			Current: durationStat(d, a), Previous: durationStat(d, b)}
		row.DeltaMean = delta(row.Current.Mean, row.Previous.Mean)
		row.DeltaMedian = delta(row.Current.Median, row.Previous.Median)
		m.Durations = append(m.Durations, row)
	}

	m.MTBF = mtbf(in, cur, prev)
	m.Categories = ranking(a, b, func(inc *Incident) []string { return inc.Categories })
	m.Services = ranking(a, b, func(inc *Incident) []string { return inc.Services })

	sources := opts.Sources
	if sources == nil {
		sources = DefaultSources
	}
	for _, s := range sources {
		m.Extra = append(m.Extra, ExtraRow{Key: s.Key(), Label: s.Label(), Definition: s.Definition(),
			Current: s.Measure(in, cur), Previous: s.Measure(in, prev)})
	}
	return m
}

func countRow(name string, cur, prev int) CountRow {
	return CountRow{Name: name, Current: cur, Previous: prev, Delta: cur - prev}
}

func durationStat(d DurationDef, incs []*Incident) Stat {
	var secs []int64
	for _, inc := range incs {
		if v, ok := d.of(inc); ok {
			secs = append(secs, v)
		}
	}
	s := stat(secs)
	s.Of = len(incs)
	return s
}

func delta(cur, prev *int64) *int64 {
	if cur == nil || prev == nil {
		return nil
	}
	d := *cur - *prev
	return &d
}

// mtbf is, per service, the mean gap between consecutive incident starts
// where the later start falls in the period (the earlier may be before
// it). A service needs two incidents for a gap.
func mtbf(in *Input, cur, prev Period) []MTBFRow {
	starts := map[string][]time.Time{}
	for svc, t := range in.PriorStarts {
		starts[svc] = append(starts[svc], t)
	}
	for i := range in.Incidents {
		inc := &in.Incidents[i]
		for _, svc := range inc.Services {
			starts[svc] = append(starts[svc], inc.Start())
		}
	}
	rows := []MTBFRow{} // [] in the API, never null
	for svc, ts := range starts {
		slices.SortFunc(ts, time.Time.Compare)
		gaps := func(p Period) Stat {
			var secs []int64
			for i := 1; i < len(ts); i++ {
				if p.Contains(ts[i]) {
					secs = append(secs, int64(ts[i].Sub(ts[i-1])/time.Second))
				}
			}
			return stat(secs)
		}
		row := MTBFRow{Service: svc, Current: gaps(cur), Previous: gaps(prev)}
		row.DeltaMean = delta(row.Current.Mean, row.Previous.Mean)
		for _, t := range ts {
			if cur.Contains(t) {
				row.Incidents++
			}
		}
		if row.Incidents > 0 || row.Previous.Count > 0 || slices.ContainsFunc(ts, prev.Contains) {
			rows = append(rows, row)
		}
	}
	// Most incidents first, then the shortest time between them.
	slices.SortFunc(rows, func(a, b MTBFRow) int {
		return cmp.Or(cmp.Compare(b.Incidents, a.Incidents), cmpStat(a.Current.Mean, b.Current.Mean), cmp.Compare(a.Service, b.Service))
	})
	return rows
}

// cmpStat orders values with nil (no value) last.
func cmpStat(a, b *int64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return cmp.Compare(*a, *b)
}

// ranking counts the incidents of each name keys gives (each incident
// once per name) in both periods, and returns the TopN names of the
// period, most first; names seen only in the previous period follow while
// room remains.
func ranking(cur, prev []*Incident, keys func(*Incident) []string) []CountRow {
	count := func(incs []*Incident) map[string]int {
		c := map[string]int{}
		for _, inc := range incs {
			seen := map[string]bool{}
			for _, k := range keys(inc) {
				if !seen[k] {
					seen[k] = true
					c[k]++
				}
			}
		}
		return c
	}
	ca, cb := count(cur), count(prev)
	rows := []CountRow{}
	for k := range ca {
		rows = append(rows, countRow(k, ca[k], cb[k]))
	}
	for k := range cb {
		if _, ok := ca[k]; !ok {
			rows = append(rows, countRow(k, 0, cb[k]))
		}
	}
	slices.SortFunc(rows, func(a, b CountRow) int {
		return cmp.Or(cmp.Compare(b.Current, a.Current), cmp.Compare(b.Previous, a.Previous), cmp.Compare(a.Name, b.Name))
	})
	if len(rows) > TopN {
		rows = rows[:TopN]
	}
	return rows
}
