package model

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
	}{
		{"2026-11-22", NewDate(2026, time.November, 22)},
		{"  2026-11-22\n", NewDate(2026, time.November, 22)},
		{"2028-02-29", NewDate(2028, time.February, 29)},
		{"1970-01-01", NewDate(1970, time.January, 1)},
		{"9999-12-31", NewDate(9999, time.December, 31)},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDate(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.want.String(), got.String())
			assert.Equal(t, time.UTC, got.Time().Location())
		})
	}
}

func TestParseDateErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"   ",
		"2026-11-31",           // no such day
		"2026-02-29",           // not a leap year
		"2026-13-01",           // no such month
		"2026-1-5",             // digits missing
		"22/11/2026",           // another order
		"2026-11-22T00:00:00Z", // an instant, not a day
		"2026-11-22 extra",
		"1969-12-31", // before 1970
		"0000-01-01",
		"+2026-11-22",
		"2026\x00-11-22",
		"tomorrow",
	} {
		t.Run(in, func(t *testing.T) {
			d, err := ParseDate(in)
			assert.Error(t, err)
			assert.True(t, d.IsZero())
		})
	}
}

func TestDateBasics(t *testing.T) {
	d := NewDate(2026, time.November, 22)
	assert.Equal(t, "2026-11-22", d.String())
	assert.Equal(t, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), d.Time())
	assert.Equal(t, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), d.End())
	assert.Equal(t, NewDate(2026, time.December, 6), d.AddDays(14))
	assert.Equal(t, NewDate(2027, time.January, 3), NewDate(2026, time.December, 27).AddDays(7), "across a year")
	assert.Equal(t, NewDate(2028, time.March, 1), NewDate(2028, time.February, 28).AddDays(2), "across a leap day")
	assert.True(t, d.Before(d.AddDays(1)))
	assert.False(t, d.Before(d))
	assert.False(t, d.IsZero())

	var zero Date
	assert.True(t, zero.IsZero())
	assert.Equal(t, "", zero.String())
	assert.False(t, zero.Passed(time.Now()), "no date never passes")
}

func TestDateOfUsesTheUTCDay(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	honolulu := time.FixedZone("HST", -10*3600)
	tests := []struct {
		name string
		at   time.Time
		want Date
	}{
		{"UTC midnight", time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), NewDate(2026, 11, 22)},
		{"last instant of a UTC day", time.Date(2026, 11, 22, 23, 59, 59, 999_999_999, time.UTC), NewDate(2026, 11, 22)},
		{"Tokyo morning is the UTC day before", time.Date(2026, 11, 23, 8, 0, 0, 0, tokyo), NewDate(2026, 11, 22)},
		{"Honolulu evening is the UTC day after", time.Date(2026, 11, 22, 20, 0, 0, 0, honolulu), NewDate(2026, 11, 23)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, DateOf(tc.at))
		})
	}
}

func TestDatePassed(t *testing.T) {
	due := NewDate(2026, time.November, 22)
	tests := []struct {
		now    string
		passed bool
	}{
		{"2026-11-21T12:00:00Z", false},
		{"2026-11-22T00:00:00Z", false},
		{"2026-11-22T23:59:59.999Z", false},
		{"2026-11-23T00:00:00Z", true},
		{"2026-11-23T00:30:00+02:00", false}, // 22:30 UTC on the 22nd
		{"2026-11-22T19:00:00-05:00", true},  // 00:00 UTC on the 23rd
		{"2027-01-01T00:00:00Z", true},
	}
	for _, tc := range tests {
		t.Run(tc.now, func(t *testing.T) {
			assert.Equal(t, tc.passed, due.Passed(*at(tc.now)))
		})
	}
}

func TestDateDaysUntil(t *testing.T) {
	due := NewDate(2026, time.November, 22)
	tests := []struct {
		now  time.Time
		want int
	}{
		{time.Date(2026, 11, 22, 23, 59, 0, 0, time.UTC), 0},
		{time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), 1},
		{time.Date(2026, 11, 21, 23, 59, 0, 0, time.UTC), 1},
		{time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), -1},
		{time.Date(2026, 11, 23, 0, 30, 0, 0, time.FixedZone("", 2*3600)), 0},
		{time.Date(2025, 11, 22, 12, 0, 0, 0, time.UTC), 365},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, due.DaysUntil(tc.now), tc.now.String())
	}
	// Far beyond the range of a time.Duration (about 292 years).
	far := NewDate(9999, time.December, 31)
	from := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, 2_932_896, far.DaysUntil(from))
	assert.Equal(t, -2_932_896, NewDate(1970, time.January, 1).DaysUntil(far.Time()))
}

func TestDateJSON(t *testing.T) {
	type item struct {
		Due Date `json:"due"`
	}
	b, err := json.Marshal(item{Due: NewDate(2026, time.November, 22)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"due":"2026-11-22"}`, string(b))

	b, err = json.Marshal(item{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"due":null}`, string(b))

	var got item
	require.NoError(t, json.Unmarshal([]byte(`{"due":"2026-11-22"}`), &got))
	assert.Equal(t, NewDate(2026, time.November, 22), got.Due)

	got = item{Due: NewDate(2026, time.November, 22)}
	require.NoError(t, json.Unmarshal([]byte(`{"due":null}`), &got))
	assert.True(t, got.Due.IsZero())

	for _, in := range []string{`{"due":"2026-11-31"}`, `{"due":20261122}`, `{"due":""}`, `{"due":"22.11.2026"}`, `{"due":true}`} {
		assert.Error(t, json.Unmarshal([]byte(in), &got), in)
	}
}

func TestDateValueScanRoundTrip(t *testing.T) {
	d := NewDate(2026, time.November, 22)
	v, err := d.Value()
	require.NoError(t, err)
	assert.Equal(t, "2026-11-22", v)

	var back Date
	require.NoError(t, back.Scan(v))
	assert.Equal(t, d, back)

	require.NoError(t, back.Scan([]byte("2027-01-05")))
	assert.Equal(t, NewDate(2027, time.January, 5), back)

	// A driver that hands back a time gets the UTC day of that instant.
	require.NoError(t, back.Scan(time.Date(2026, 11, 23, 1, 0, 0, 0, time.FixedZone("", 2*3600))))
	assert.Equal(t, NewDate(2026, time.November, 22), back)

	require.NoError(t, back.Scan(nil))
	assert.True(t, back.IsZero())

	var zero Date
	v, err = zero.Value()
	require.NoError(t, err)
	assert.Nil(t, v)
}

func TestDateScanErrors(t *testing.T) {
	for _, in := range []any{"not a date", []byte("2026-02-30"), int64(20261122), 3.5, true} {
		var d Date
		assert.Error(t, d.Scan(in), "%#v", in)
	}
}
