package review

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

func date(s string) model.Date {
	d, err := model.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestWeeksIn(t *testing.T) {
	// 2026 starts on a Thursday, so it has 53 ISO weeks; 2025 has 52.
	assert.Equal(t, 53, WeeksIn(2026))
	assert.Equal(t, 52, WeeksIn(2025))
	assert.Equal(t, 53, WeeksIn(2020))
	assert.Equal(t, 52, WeeksIn(2027))
}

func TestParseWeek(t *testing.T) {
	for _, tc := range []struct{ week, from, to string }{
		{"2026-W47", "2026-11-16", "2026-11-22"},
		// Week 1 holds 4 January, so it can start in December…
		{"2026-W01", "2025-12-29", "2026-01-04"},
		// …and week 53 of 2026 ends in 2027.
		{"2026-W53", "2026-12-28", "2027-01-03"},
		{"2027-W01", "2027-01-04", "2027-01-10"},
		{" 2020-W53 ", "2020-12-28", "2021-01-03"},
	} {
		p, err := ParseWeek(tc.week)
		require.NoError(t, err, tc.week)
		assert.Equal(t, tc.from, p.From.String(), tc.week)
		assert.Equal(t, tc.to, p.To.String(), tc.week)
		w, ok := p.Week()
		assert.True(t, ok)
		assert.Equal(t, WeekOf(p.To), w, "the week names itself back")
	}
}

func TestParsePeriod(t *testing.T) {
	today := date("2026-11-25")
	for _, tc := range []struct {
		name           string
		week, from, to string
		wantFrom       string
		wantTo         string
		field, reason  string // the 422, when the period is refused
	}{
		{name: "default: the last 7 days", wantFrom: "2026-11-19", wantTo: "2026-11-25"},
		{name: "a week", week: "2026-W47", wantFrom: "2026-11-16", wantTo: "2026-11-22"},
		{name: "week 53 of 2026", week: "2026-W53", wantFrom: "2026-12-28", wantTo: "2027-01-03"},
		{name: "from and to, inclusive", from: "2026-11-01", to: "2026-11-01", wantFrom: "2026-11-01", wantTo: "2026-11-01"},
		{name: "from alone runs to today", from: "2026-11-01", wantFrom: "2026-11-01", wantTo: "2026-11-25"},
		{name: "to alone is the 7 days ending on it", to: "2026-01-03", wantFrom: "2025-12-28", wantTo: "2026-01-03"},
		{name: "exactly 5 years", from: "2020-01-01", to: "2024-12-31", wantFrom: "2020-01-01", wantTo: "2024-12-31"},

		{name: "week 54 does not exist", week: "2026-W54", field: "week", reason: "2026 has ISO weeks 01 to 53"},
		{name: "2025 has 52 weeks", week: "2025-W53", field: "week", reason: "2025 has ISO weeks 01 to 52"},
		{name: "week 0", week: "2026-W00", field: "week", reason: "ISO weeks 01 to 53"},
		{name: "no W", week: "2026-47", field: "week", reason: "YYYY-Www"},
		{name: "one digit", week: "2026-W7", field: "week", reason: "YYYY-Www"},
		{name: "lower case w", week: "2026-w47", field: "week", reason: "YYYY-Www"},
		{name: "words", week: "last week", field: "week", reason: "YYYY-Www"},
		{name: "week with from", week: "2026-W47", from: "2026-11-01", field: "week", reason: "not both"},
		{name: "week with to", week: "2026-W47", to: "2026-11-01", field: "week", reason: "not both"},
		{name: "from after to", from: "2026-11-10", to: "2026-11-09", field: "from", reason: "on or before to"},
		{name: "from alone after today", from: "2026-12-01", field: "from", reason: "after today"},
		{name: "over 5 years", from: "2020-01-01", to: "2025-01-01", field: "to", reason: "at most 5 years"},
		{name: "malformed from", from: "2026-13-01", to: "2026-11-01", field: "from", reason: "YYYY-MM-DD"},
		{name: "malformed to", from: "2026-11-01", to: "11/20/2026", field: "to", reason: "YYYY-MM-DD"},
		{name: "a time is not a date", from: "2026-11-01T00:00:00Z", field: "from", reason: "YYYY-MM-DD"},
		{name: "before 1970", from: "1969-12-31", to: "1970-01-02", field: "from", reason: "between 1970 and 9999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePeriod(tc.week, tc.from, tc.to, today)
			if tc.field == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.wantFrom, p.From.String())
				assert.Equal(t, tc.wantTo, p.To.String())
				return
			}
			var ve *model.ValidationError
			require.True(t, errors.As(err, &ve), "a *model.ValidationError, got %v", err)
			assert.Contains(t, ve.Fields[tc.field], tc.reason, "fields: %v", ve.Fields)
		})
	}
}

func TestPeriodPrevious(t *testing.T) {
	w1, err := ParseWeek("2026-W01")
	require.NoError(t, err)
	prev := w1.Previous()
	assert.Equal(t, "2025-12-22", prev.From.String(), "the year boundary: week 52 of 2025")
	assert.Equal(t, "2025-12-28", prev.To.String())
	w, ok := prev.Week()
	assert.True(t, ok)
	assert.Equal(t, "2025-W52", w)

	p := Period{From: date("2026-02-27"), To: date("2026-03-02")} // across the end of February
	assert.Equal(t, 4, p.Days())
	assert.Equal(t, Period{From: date("2026-02-23"), To: date("2026-02-26")}, p.Previous())
	_, ok = p.Week()
	assert.False(t, ok, "not an ISO week")
	assert.Equal(t, "2026-W10", WeekOf(p.To), "the minutes of a period are its last day's week")
}
