package model

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the service catalogue.
const (
	DefaultSLOWindowDays = 30
	MaxSLOWindowDays     = 365
	// MaxBudgetWindow bounds an error budget asked for with from and to.
	MaxBudgetWindow = 400 * 24 * time.Hour
)

// Service is an entry of the service catalogue: the services incidents and
// changes name, with who owns them and the availability they promise.
type Service struct {
	ID            int64
	Name          string
	OwnerTeam     string
	Tier          string
	Description   string
	RunbookURL    string
	SLOTarget     *float64 // availability in percent, e.g. 99.9; nil: no SLO
	SLOWindowDays int      // the rolling window the target is over
	Version       int
	CreatedAt     time.Time
	UpdatedAt     *time.Time
}

// TableName names the table plainly.
func (Service) TableName() string { return "services" }

// Validate normalises and checks a catalogue entry (not its name, which
// the store keeps as the catalogue's spelling).
func (s *Service) Validate() error {
	v := NewValidationError()
	checkShort(v, "owner_team", &s.OwnerTeam, 100)
	checkShort(v, "tier", &s.Tier, 50)
	checkText(v, "description", &s.Description, 5000)
	s.RunbookURL = strings.TrimSpace(s.RunbookURL)
	if s.RunbookURL != "" {
		u, err := url.Parse(s.RunbookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s.RunbookURL) > MaxChangeURL {
			v.Add("runbook_url", "must be an http or https URL")
		}
	}
	if s.SLOTarget != nil {
		t := *s.SLOTarget
		if math.IsNaN(t) || t <= 0 || t >= 100 {
			v.Add("slo_target", "must be a percentage above 0 and below 100, such as 99.9")
		}
	}
	if s.SLOWindowDays == 0 {
		s.SLOWindowDays = DefaultSLOWindowDays
	}
	if s.SLOWindowDays < 1 || s.SLOWindowDays > MaxSLOWindowDays {
		v.Add("slo_window_days", fmt.Sprintf("must be from 1 to %d days", MaxSLOWindowDays))
	}
	return v.Err()
}

// AllowedDowntime is the unavailability a target allows over a window:
// 99.9 % over 30 days is 43.2 minutes, over a year 8.77 hours.
func AllowedDowntime(target float64, window time.Duration) time.Duration {
	ms := math.Round(float64(window/time.Millisecond) * (100 - target) / 100)
	return time.Duration(ms) * time.Millisecond
}

// Outage is the time an incident of a service spent its error budget:
// from impact started to mitigated (resolved when mitigation was not
// recorded), or to now while it is neither (Open).
type Outage struct {
	IncidentID int64
	Start, End time.Time
	Open       bool
	Hidden     bool // a private incident the reader may not see: counted, not named
}

// OutageOf returns the outage of an incident as of now; ok is false when
// it has no known start of impact.
func OutageOf(inc *Incident, now time.Time) (o Outage, ok bool) {
	if inc.StartedAt == nil {
		return o, false
	}
	o = Outage{IncidentID: inc.ID, Start: inc.StartedAt.UTC(), End: now.UTC(), Open: true}
	switch {
	case inc.MitigatedAt != nil:
		o.End, o.Open = inc.MitigatedAt.UTC(), false
	case inc.ResolvedAt != nil:
		o.End, o.Open = inc.ResolvedAt.UTC(), false
	}
	if o.End.Before(o.Start) {
		o.End = o.Start
	}
	return o, true
}

// ErrorBudget is a service's budget of unavailability over a window, and
// what its incidents spent of it.
type ErrorBudget struct {
	Target           float64
	From, To         time.Time
	WindowMinutes    float64
	BudgetMinutes    float64
	SpentMinutes     float64 // overlapping incidents counted once
	RemainingMinutes float64 // negative once the budget is exhausted
	Incidents        []OutageMinutes
	Burn             []BurnPoint // the remaining budget over the window
}

// OutageMinutes is what one incident spent within the window (its own
// minutes: where incidents overlap, each shows the whole of its own).
type OutageMinutes struct {
	IncidentID int64
	Minutes    float64
	Open       bool
	Hidden     bool // counted, not named (see Outage)
}

// BurnPoint is the remaining budget at an instant.
type BurnPoint struct {
	At        time.Time
	Remaining float64
}

// Exhausted reports whether the budget is spent.
func (b *ErrorBudget) Exhausted() bool { return b.RemainingMinutes < 0 }

// SpentPercent is the share of the budget spent.
func (b *ErrorBudget) SpentPercent() float64 {
	if b.BudgetMinutes == 0 {
		return 0
	}
	return 100 * b.SpentMinutes / b.BudgetMinutes
}

// ComputeErrorBudget spends a target's budget over [from, to) with the
// outages, each clipped to the window; where outages overlap the time is
// spent once. Minutes are rounded to a tenth.
func ComputeErrorBudget(target float64, from, to time.Time, outages []Outage) ErrorBudget {
	from, to = from.UTC(), to.UTC()
	window := to.Sub(from)
	b := ErrorBudget{Target: target, From: from, To: to, WindowMinutes: round1(window.Minutes()),
		BudgetMinutes: round1(AllowedDowntime(target, window).Minutes())}
	type span struct{ s, e time.Time }
	var spans []span
	for _, o := range outages {
		s, e := maxTime(o.Start, from), minTime(o.End, to)
		if !e.After(s) {
			continue
		}
		om := OutageMinutes{IncidentID: o.IncidentID, Minutes: round1(e.Sub(s).Minutes()), Open: o.Open, Hidden: o.Hidden}
		if o.Hidden {
			om.IncidentID = 0
		}
		b.Incidents = append(b.Incidents, om)
		spans = append(spans, span{s, e})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].s.Before(spans[j].s) })
	var spent time.Duration
	remaining := AllowedDowntime(target, window).Minutes()
	b.Burn = append(b.Burn, BurnPoint{At: from, Remaining: round1(remaining)})
	for i := 0; i < len(spans); {
		cur := spans[i]
		for i++; i < len(spans) && !spans[i].s.After(cur.e); i++ {
			cur.e = maxTime(cur.e, spans[i].e)
		}
		d := cur.e.Sub(cur.s)
		spent += d
		b.Burn = append(b.Burn, BurnPoint{At: cur.s, Remaining: round1(remaining)})
		remaining -= d.Minutes()
		b.Burn = append(b.Burn, BurnPoint{At: cur.e, Remaining: round1(remaining)})
	}
	b.Burn = append(b.Burn, BurnPoint{At: to, Remaining: round1(remaining)})
	b.SpentMinutes = round1(spent.Minutes())
	b.RemainingMinutes = round1(b.BudgetMinutes - spent.Minutes())
	return b
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// NinesRow is one line of the table of allowed downtime per target.
type NinesRow struct {
	Target        float64
	PerWindow     time.Duration
	PerYear       time.Duration
	Current       bool
	WindowDays    int
	TargetText    string
	PerWindowText string
	PerYearText   string
}

// NinesTable lists the downtime the usual targets (and the service's own)
// allow per window and per year.
func NinesTable(target *float64, windowDays int) []NinesRow {
	targets := []float64{99, 99.5, 99.9, 99.95, 99.99, 99.999}
	if target != nil && !containsFloat(targets, *target) {
		targets = append(targets, *target)
		sort.Float64s(targets)
	}
	window := time.Duration(windowDays) * 24 * time.Hour
	rows := make([]NinesRow, len(targets))
	for i, t := range targets {
		pw, py := AllowedDowntime(t, window), AllowedDowntime(t, 365*24*time.Hour+6*time.Hour)
		rows[i] = NinesRow{Target: t, PerWindow: pw, PerYear: py, Current: target != nil && *target == t, WindowDays: windowDays,
			TargetText: trimFloat(t) + "%", PerWindowText: humanDowntime(pw), PerYearText: humanDowntime(py)}
	}
	return rows
}

func containsFloat(xs []float64, x float64) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func trimFloat(x float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", x), "0"), ".")
}

// humanDowntime writes a downtime the way SLO tables do: "43.2 min",
// "8.77 h", "26.3 s".
func humanDowntime(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%.2f d", d.Hours()/24)
	case d >= time.Hour:
		return fmt.Sprintf("%.2f h", d.Hours())
	case d >= time.Minute:
		return fmt.Sprintf("%.1f min", d.Minutes())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// ValidServiceName checks a service name from a path.
func ValidServiceName(name string) error {
	n := utf8.RuneCountInString(name)
	if !utf8.ValidString(name) || hasNUL(name) || n == 0 || n > 100 || strings.TrimSpace(name) != name {
		return FieldError("name", "must be a service name of 1 to 100 characters")
	}
	return nil
}

// Reliability is a service's record over recent incidents: the mean time
// between their starts and the mean time to resolve, per calendar month.
type Reliability struct {
	Incidents int
	MTBF      *time.Duration // nil with fewer than two incidents
	Months    []MonthMTTR    // oldest first, every month of the span
}

// MonthMTTR is the mean time to resolve of the incidents that started in a
// month (UTC) and are resolved.
type MonthMTTR struct {
	Month    string // "2026-11"
	Resolved int
	MTTR     *time.Duration
}

// ReliabilityOf computes a service's reliability from its incidents (in
// order of start) over the months from since to now.
func ReliabilityOf(incs []Incident, since, now time.Time) Reliability {
	r := Reliability{Incidents: len(incs)}
	var starts []time.Time
	for i := range incs {
		if incs[i].StartedAt != nil {
			starts = append(starts, incs[i].StartedAt.UTC())
		}
	}
	if len(starts) > 1 {
		m := starts[len(starts)-1].Sub(starts[0]) / time.Duration(len(starts)-1)
		r.MTBF = &m
	}
	sums := map[string]time.Duration{}
	counts := map[string]int{}
	for i := range incs {
		inc := &incs[i]
		if inc.StartedAt == nil || inc.ResolvedAt == nil {
			continue
		}
		k := inc.StartedAt.UTC().Format("2006-01")
		sums[k] += inc.ResolvedAt.Sub(*inc.StartedAt)
		counts[k]++
	}
	for m := time.Date(since.Year(), since.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(now); m = m.AddDate(0, 1, 0) {
		k := m.Format("2006-01")
		row := MonthMTTR{Month: k, Resolved: counts[k]}
		if n := counts[k]; n > 0 {
			d := (sums[k] / time.Duration(n)).Round(time.Second)
			row.MTTR = &d
		}
		r.Months = append(r.Months, row)
	}
	return r
}

// IncidentBudget is what one incident spent of a service's error budget:
// its outage (impact started to mitigated) against the budget of the SLO's
// window.
type IncidentBudget struct {
	Service       string
	Target        float64
	WindowDays    int
	Minutes       float64
	BudgetMinutes float64
	Open          bool // not mitigated yet: spent until now
}

// Percent is the share of the window's budget the incident spent.
func (b IncidentBudget) Percent() float64 {
	if b.BudgetMinutes == 0 {
		return 0
	}
	return 100 * b.Minutes / b.BudgetMinutes
}

// IncidentBudgets is what inc spent (as of now) of the budget of each of
// its services that has an SLO target.
func IncidentBudgets(inc *Incident, services []Service, now time.Time) []IncidentBudget {
	o, ok := OutageOf(inc, now)
	if !ok {
		return nil
	}
	var out []IncidentBudget
	for _, s := range services {
		if s.SLOTarget == nil {
			continue
		}
		window := time.Duration(s.SLOWindowDays) * 24 * time.Hour
		out = append(out, IncidentBudget{Service: s.Name, Target: *s.SLOTarget, WindowDays: s.SLOWindowDays,
			Minutes: round1(o.End.Sub(o.Start).Minutes()), BudgetMinutes: round1(AllowedDowntime(*s.SLOTarget, window).Minutes()), Open: o.Open})
	}
	return out
}
