package review

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/debrief-dev/debrief/internal/model"
)

// None is what the review shows where there is no value: a period without
// incidents has no mean, and "—" says so where 0 or NaN would mislead.
const None = "—"

// FormatSeconds writes a duration in seconds the way the review shows it:
// "3d 4h", "1h 5m", "45m", "12s", or None for no value. It works in seconds
// so that no duration can overflow.
func FormatSeconds(secs *int64) string {
	if secs == nil {
		return None
	}
	return formatSecs(*secs)
}

// formatSecs is model.FormatSeconds with a typographic minus sign.
func formatSecs(secs int64) string {
	if secs < 0 {
		return "−" + model.FormatSeconds(-secs)
	}
	return model.FormatSeconds(secs)
}

// FormatDeltaSeconds writes a change of duration with its sign: "+1h 5m",
// "−30m", "±0", or None.
func FormatDeltaSeconds(secs *int64) string {
	switch {
	case secs == nil:
		return None
	case *secs == 0:
		return "±0"
	case *secs > 0:
		return "+" + formatSecs(*secs)
	}
	return formatSecs(*secs)
}

// FormatDelta writes a change of count with its sign: "+2", "−1", "±0".
func FormatDelta(n int) string {
	switch {
	case n == 0:
		return "±0"
	case n > 0:
		return "+" + strconv.Itoa(n)
	}
	return "−" + strconv.Itoa(-n)
}

// Trend classifies a change where more is worse (incidents, time to
// resolve): "worse", "better" or "same"; "" when there is nothing to
// compare.
func Trend(delta *int64) string {
	switch {
	case delta == nil:
		return ""
	case *delta > 0:
		return "worse"
	case *delta < 0:
		return "better"
	}
	return "same"
}

// DeltaMeanText is the change of the mean gap as the review shows it.
func (m MTBFRow) DeltaMeanText() string { return FormatDeltaSeconds(m.DeltaMean) }

// TrendMean classifies the change of the mean gap: longer between
// incidents is better.
func (m MTBFRow) TrendMean() string {
	if m.DeltaMean == nil {
		return ""
	}
	d := -*m.DeltaMean
	return Trend(&d)
}

// CountTrend is Trend for a change of count.
func CountTrend(delta int) string {
	d := int64(delta)
	return Trend(&d)
}

// Used writes how many incidents a duration was computed over: "3 of 5".
func (s Stat) Used() string { return fmt.Sprintf("%d of %d", s.Count, s.Of) }

// MeanText is the mean as the review shows it.
func (s Stat) MeanText() string { return FormatSeconds(s.Mean) }

// MedianText is the median as the review shows it.
func (s Stat) MedianText() string { return FormatSeconds(s.Median) }

// DeltaMeanText is the change of the mean as the review shows it.
func (d DurationRow) DeltaMeanText() string { return FormatDeltaSeconds(d.DeltaMean) }

// DeltaMedianText is the change of the median as the review shows it.
func (d DurationRow) DeltaMedianText() string { return FormatDeltaSeconds(d.DeltaMedian) }

// TrendMean classifies the change of the mean (longer is worse).
func (d DurationRow) TrendMean() string { return Trend(d.DeltaMean) }

// TrendMedian classifies the change of the median (longer is worse).
func (d DurationRow) TrendMedian() string { return Trend(d.DeltaMedian) }

// DeltaText is the change as the review shows it.
func (c CountRow) DeltaText() string { return FormatDelta(c.Delta) }

// Trend classifies the change (more incidents is worse).
func (c CountRow) Trend() string { return CountTrend(c.Delta) }

// Total is how many incidents started in the week.
func (w WeekBucket) Total() int {
	n := 0
	for _, c := range w.BySeverity {
		n += c
	}
	return n
}

// ID is the definition's anchor on the page ("def-" + ID).
func (d Definition) ID() string { return slug(d.Term) }

// Anchor is the anchor of the metric's definition on the page.
func (x ExtraRow) Anchor() string { return slug(x.Label) }

// slug is s in lower case with every run of other characters than letters
// and digits made one hyphen: "Opened, resolved" is "opened-resolved".
func slug(s string) string {
	var b []byte
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && len(b) > 0 {
				b = append(b, '-')
			}
			b = append(b, byte(r))
			dash = false
			continue
		}
		dash = true
	}
	return string(b)
}
