package review

// Source is a pluggable metric: the review shows each source's measure of
// the period beside the previous period's, with its definition. A metric
// whose data Debrief does not record yet says so instead of showing zero.
//
// To add one (change failure rate, once deploys are recorded), load its
// data into Input, implement Source and add it to DefaultSources: the
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
}

// DefaultSources are the pluggable metrics every report shows.
var DefaultSources = []Source{ChangeFailureRate{}}

// ChangeFailureRate is the share of deploys that led to an incident. Deploys
// are not recorded yet (a later issue), so it reports that.
type ChangeFailureRate struct{}

// Key implements Source.
func (ChangeFailureRate) Key() string { return "change_failure_rate" }

// Label implements Source.
func (ChangeFailureRate) Label() string { return "Change failure rate" }

// Definition implements Source.
func (ChangeFailureRate) Definition() string {
	return "deploys in the period that caused an incident ÷ all deploys in the period."
}

// Measure implements Source.
func (ChangeFailureRate) Measure(*Input, Period) Measurement {
	return Measurement{Display: "not recorded yet", Note: "Debrief does not record deploys yet."}
}
