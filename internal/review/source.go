package review

import "fmt"

// Source is a pluggable metric: the review shows each source's measure of
// the period beside the previous period's, with its definition. A metric
// whose data Debrief does not record yet says so instead of showing zero.
//
// To add one, load its data into Input, implement Source and add it to DefaultSources: the
// page, the API and the Markdown minutes pick it up.
type Source interface {
	// Key is the metric's stable name in the API ("change_failure_rate").
	Key() string
	// Label is its name for people.
	Label() string
	// Definition says exactly what is counted, for the footnotes.
	Definition() string
	// Measure computes the metric of period p.
	Measure(in *Input, p Period) Measurement
}

// Measurement is one value of a pluggable metric.
type Measurement struct {
	// Recorded is false while Debrief does not record what the metric needs.
	Recorded bool `json:"recorded"`
	// Value is the number (nil when there is none, such as a rate of no
	// events); Unit says what it counts ("%", "deploys").
	Value *float64 `json:"value"`
	Unit  string   `json:"unit,omitempty"`
	// Display is the value as the page shows it.
	Display string `json:"display"`
	// Note explains a missing value.
	Note string `json:"note,omitempty"`
	// Parts break the value down (per service), largest first.
	Parts []Part `json:"parts,omitempty"`
}

// Part is one part of a measurement's breakdown.
type Part struct {
	Name    string   `json:"name"`
	Value   *float64 `json:"value"`
	Display string   `json:"display"`
}

// DefaultSources are the pluggable metrics every report shows.
var DefaultSources = []Source{ChangeFailureRate{}}

// ChangeCounts are the changes to production that began in a period, per
// service (most changes first): all of them, and those linked to an
// incident as its cause.
type ChangeCounts struct {
	Services []ServiceChanges
}

// ServiceChanges counts one service's changes in a period.
type ServiceChanges struct {
	Service string
	Total   int
	Caused  int
}

// ChangeFailureRate is the share of changes to production in the period
// that caused an incident (DORA's change failure rate), overall and per
// service.
type ChangeFailureRate struct{}

// Key implements Source.
func (ChangeFailureRate) Key() string { return "change_failure_rate" }

// Label implements Source.
func (ChangeFailureRate) Label() string { return "Change failure rate" }

// Definition implements Source.
func (ChangeFailureRate) Definition() string {
	return "changes to production that began in the period and are linked to an incident as its cause ÷ all changes to production that began in the period (deploys, config, feature flags, infrastructure and database changes), overall and per service."
}

// MaxRateParts is how many services the rate is broken down into (those
// with the most changes).
const MaxRateParts = 10

// Measure implements Source.
func (ChangeFailureRate) Measure(in *Input, p Period) Measurement {
	cc, ok := in.Changes[p]
	total, caused := 0, 0
	for _, s := range cc.Services {
		total += s.Total
		caused += s.Caused
	}
	if !ok || total == 0 {
		return Measurement{Display: "not recorded yet", Note: "No change to production was recorded in this period."}
	}
	m := Measurement{Recorded: true, Unit: "%"}
	m.Value, m.Display = rate(caused, total)
	for i, s := range cc.Services {
		if i == MaxRateParts {
			break
		}
		v, d := rate(s.Caused, s.Total)
		m.Parts = append(m.Parts, Part{Name: s.Service, Value: v, Display: d})
	}
	return m
}

func rate(caused, total int) (*float64, string) {
	v := 100 * float64(caused) / float64(total)
	return &v, fmt.Sprintf("%.1f%% (%d of %d)", v, caused, total)
}
