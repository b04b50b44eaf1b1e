package model

import (
	"math"
	"testing"
	"time"
	_ "time/tzdata" // so America/New_York loads on any machine

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	msgNoOffset     = "timestamp needs a UTC offset, e.g. 2026-11-22T14:32:05Z"
	msgBadTimestamp = "is not a valid timestamp; use RFC 3339 with an offset, e.g. 2026-11-22T14:32:05Z"
	msgBefore1970   = "must not be before 1970"
	msgFuture       = "must not be more than 24 hours in the future"
	msgPast         = "relative times must be in the past, e.g. -5m"
	msgQuick        = "use now, -5m, -1h30m, a UTC clock time like 14:32, or a timestamp with offset like 2026-11-22T14:32:05Z"
)

func utc(year int, month time.Month, day, hour, min, sec, nsec int) time.Time {
	return time.Date(year, month, day, hour, min, sec, nsec, time.UTC)
}

func newYork(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	return loc
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-11-22T14:32:05Z", utc(2026, 11, 22, 14, 32, 5, 0)},
		{"2026-11-22t14:32:05z", utc(2026, 11, 22, 14, 32, 5, 0)},
		{"2026-11-22T14:32:05+00:00", utc(2026, 11, 22, 14, 32, 5, 0)},
		{"2026-11-22T14:32:05-00:00", utc(2026, 11, 22, 14, 32, 5, 0)},
		{"2026-11-22T20:02:05+05:30", utc(2026, 11, 22, 14, 32, 5, 0)},
		{"2026-11-22T06:32:05-08:00", utc(2026, 11, 22, 14, 32, 5, 0)},
		{"2026-11-22T00:30:00+01:00", utc(2026, 11, 21, 23, 30, 0, 0)},
		{"2026-11-22T14:32:05.1Z", utc(2026, 11, 22, 14, 32, 5, 100_000_000)},
		{"2026-11-22T14:32:05.25Z", utc(2026, 11, 22, 14, 32, 5, 250_000_000)},
		{"2026-11-22T14:32:05.123Z", utc(2026, 11, 22, 14, 32, 5, 123_000_000)},
		{"2026-11-22T14:32:05.123999Z", utc(2026, 11, 22, 14, 32, 5, 123_000_000)},
		{"2026-11-22T14:32:05.999999999Z", utc(2026, 11, 22, 14, 32, 5, 999_000_000)},
		{"2026-11-22T14:32:05.12345678912345Z", utc(2026, 11, 22, 14, 32, 5, 123_000_000)},
		{"2026-11-22T14:32:05.0009+05:30", utc(2026, 11, 22, 9, 2, 5, 0)},
		{"2028-02-29T00:00:00Z", utc(2028, 2, 29, 0, 0, 0, 0)},
		{"0001-01-01T00:00:00Z", utc(1, 1, 1, 0, 0, 0, 0)},
		{"9999-12-31T23:59:59Z", utc(9999, 12, 31, 23, 59, 59, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTimestamp(tt.in)
			require.NoError(t, err)
			assert.Equal(t, time.UTC, got.Location())
			assert.True(t, tt.want.Equal(got), "got %s, want %s", got, tt.want)
			assert.Equal(t, got, got.Truncate(time.Millisecond))
		})
	}
}

func TestParseTimestampErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
	}{
		{"2026-11-22T14:32:05", msgNoOffset},
		{"2026-11-22 14:32:05", msgNoOffset},
		{"2026-11-22t14:32:05", msgNoOffset},
		{"2026-11-22T14:32:05.250", msgNoOffset},
		{"2026-11-22 14:32:05.250", msgNoOffset},
		{"", msgBadTimestamp},
		{"garbage", msgBadTimestamp},
		{"now", msgBadTimestamp},
		{"2026-11-22", msgBadTimestamp},
		{"2026-11-22T14:32Z", msgBadTimestamp},
		{"2026-13-01T00:00:00Z", msgBadTimestamp},
		{"2026-13-01T00:00:00", msgBadTimestamp},
		{"2026-00-01T00:00:00Z", msgBadTimestamp},
		{"2026-02-29T00:00:00Z", msgBadTimestamp},
		{"2026-04-31T00:00:00Z", msgBadTimestamp},
		{"2026-11-22T24:00:00Z", msgBadTimestamp},
		{"2026-11-22T14:60:00Z", msgBadTimestamp},
		{"2026-11-22T14:32:60Z", msgBadTimestamp},
		{"2026-11-22T4:32:05Z", msgBadTimestamp},
		{"2026-11-22T14:32:05,250Z", msgBadTimestamp},
		{"2026-11-22T14:32:05.Z", msgBadTimestamp},
		{"2026-11-22T14:32:05+0530", msgBadTimestamp},
		{"2026-11-22T14:32:05+05", msgBadTimestamp},
		{"2026-11-22T14:32:05+24:00", msgBadTimestamp},
		{"2026-11-22T14:32:05+05:60", msgBadTimestamp},
		{"2026-11-22T14:32:05-99:00", msgBadTimestamp},
		{"2026-11-22T14:32:05 +05:30", msgBadTimestamp},
		{"2026-11-22T14:32:05ZZ", msgBadTimestamp},
		{"2026-11-22T14:32:05Z ", msgBadTimestamp},
		{" 2026-11-22T14:32:05Z", msgBadTimestamp},
		{"2026-11-22T14:32:05UTC", msgBadTimestamp},
		{"2026-11-22X14:32:05Z", msgBadTimestamp},
		{"2026-11-22 14:32:05Z", msgBadTimestamp},
		{"+2026-11-22T14:32:05Z", msgBadTimestamp},
		{"20261-11-22T14:32:05Z", msgBadTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTimestamp(tt.in)
			assert.EqualError(t, err, tt.wantErr)
			assert.True(t, got.IsZero())
		})
	}
}

func TestParseTimestampRoundTrip(t *testing.T) {
	tests := []struct {
		in   string
		zone *time.Location
	}{
		{"2026-11-22T20:02:05.123+05:30", time.FixedZone("IST", 5*3600+30*60)},
		{"2026-11-22T06:32:05.123-08:00", time.FixedZone("PST", -8*3600)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTimestamp(tt.in)
			require.NoError(t, err)
			assert.Equal(t, time.UTC, got.Location())
			assert.Equal(t, "2026-11-22T14:32:05.123Z", FormatAPI(got))

			// The instant is the one the writer meant in their own zone.
			assert.Equal(t, tt.in, got.In(tt.zone).Format("2006-01-02T15:04:05.000Z07:00"))

			again, err := ParseTimestamp(FormatAPI(got))
			require.NoError(t, err)
			assert.Equal(t, got, again)
			assert.Equal(t, time.UTC, again.Location())
		})
	}
}

func TestParseTimestampDST(t *testing.T) {
	ny := newYork(t)
	parse := func(s string) time.Time {
		t.Helper()
		got, err := ParseTimestamp(s)
		require.NoError(t, err)
		require.Equal(t, time.UTC, got.Location())
		return got
	}

	t.Run("spring forward", func(t *testing.T) {
		// 2026-03-08 02:00 EST jumps to 03:00 EDT: the wall clock skips an hour, the instants do not.
		before := parse("2026-03-08T01:59:59-05:00")
		after := parse("2026-03-08T03:00:00-04:00")
		assert.Equal(t, time.Second, after.Sub(before))
		assert.Equal(t, utc(2026, 3, 8, 6, 59, 59, 0), before)
		assert.Equal(t, utc(2026, 3, 8, 7, 0, 0, 0), after)
		assert.True(t, time.Date(2026, 3, 8, 1, 59, 59, 0, ny).Equal(before))
		assert.True(t, time.Date(2026, 3, 8, 3, 0, 0, 0, ny).Equal(after))
	})

	t.Run("fall back", func(t *testing.T) {
		// 2026-11-01 01:30 happens twice in New York; the offset says which.
		first := parse("2026-11-01T01:30:00-04:00")
		second := parse("2026-11-01T01:30:00-05:00")
		assert.Equal(t, time.Hour, second.Sub(first))
		assert.Equal(t, utc(2026, 11, 1, 5, 30, 0, 0), first)
		assert.Equal(t, utc(2026, 11, 1, 6, 30, 0, 0), second)
		assert.Equal(t, "2026-11-01T01:30:00-04:00", first.In(ny).Format(time.RFC3339))
		assert.Equal(t, "2026-11-01T01:30:00-05:00", second.In(ny).Format(time.RFC3339))
	})

	t.Run("india half-hour offset", func(t *testing.T) {
		got := parse("2026-03-08T12:30:00+05:30")
		assert.Equal(t, utc(2026, 3, 8, 7, 0, 0, 0), got)
	})
}

func TestCheckInstant(t *testing.T) {
	now := utc(2026, 11, 22, 14, 32, 5, 0)
	tests := []struct {
		name    string
		t       time.Time
		wantErr string
	}{
		{"now", now, ""},
		{"epoch", utc(1970, 1, 1, 0, 0, 0, 0), ""},
		{"just before epoch", utc(1969, 12, 31, 23, 59, 59, 999_999_999), msgBefore1970},
		{"year 0001", utc(1, 1, 1, 0, 0, 0, 0), msgBefore1970},
		{"zero time", time.Time{}, msgBefore1970},
		{"max future", now.Add(MaxFuture), ""},
		{"just past max future", now.Add(MaxFuture + time.Nanosecond), msgFuture},
		{"year 9999", utc(9999, 12, 31, 23, 59, 59, 0), msgFuture},
		{"other zone same instant", now.Add(MaxFuture).In(time.FixedZone("", -8*3600)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckInstant(tt.t, now)
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tt.wantErr)
			}
		})
	}
}

func TestParseQuickTime(t *testing.T) {
	now := utc(2026, 11, 22, 15, 0, 0, 250_000_000)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"", now},
		{"   ", now},
		{"now", now},
		{"NOW", now},
		{"  Now\t", now},
		{"-5m", now.Add(-5 * time.Minute)},
		{" -5m ", now.Add(-5 * time.Minute)},
		{"-5M", now.Add(-5 * time.Minute)},
		{"-90s", now.Add(-90 * time.Second)},
		{"-90m", now.Add(-90 * time.Minute)},
		{"-2h", now.Add(-2 * time.Hour)},
		{"-1h30m", now.Add(-90 * time.Minute)},
		{"-1h30m15s", now.Add(-(90*time.Minute + 15*time.Second))},
		{"-1h15s", now.Add(-(time.Hour + 15*time.Second))},
		{"-1d", now.Add(-24 * time.Hour)},
		{"-1d2h", now.Add(-26 * time.Hour)},
		{"-1D2H", now.Add(-26 * time.Hour)},
		{"-1d2h3m4s", now.Add(-(26*time.Hour + 3*time.Minute + 4*time.Second))},
		{"-0m", now},
		{"-005m", now.Add(-5 * time.Minute)},
		{"-100000h", now.Add(-100000 * time.Hour)},
		{"14:32", utc(2026, 11, 22, 14, 32, 0, 0)},
		{"14:32:05", utc(2026, 11, 22, 14, 32, 5, 0)},
		{"14:32:05.250", utc(2026, 11, 22, 14, 32, 5, 250_000_000)},
		{"14:32:05.2", utc(2026, 11, 22, 14, 32, 5, 200_000_000)},
		{"14:32:05.2509999999", utc(2026, 11, 22, 14, 32, 5, 250_000_000)},
		{"9:05", utc(2026, 11, 22, 9, 5, 0, 0)},
		{"09:05", utc(2026, 11, 22, 9, 5, 0, 0)},
		{"00:00", utc(2026, 11, 22, 0, 0, 0, 0)},
		{"15:01", utc(2026, 11, 22, 15, 1, 0, 0)},
		{"15:01:00.250", utc(2026, 11, 22, 15, 1, 0, 250_000_000)},
		{"15:01:00.251", utc(2026, 11, 21, 15, 1, 0, 251_000_000)},
		{"16:00", utc(2026, 11, 21, 16, 0, 0, 0)},
		{"23:59:59", utc(2026, 11, 21, 23, 59, 59, 0)},
		{" 14:32 ", utc(2026, 11, 22, 14, 32, 0, 0)},
		{"2026-11-22T14:32:05Z", utc(2026, 11, 22, 14, 32, 5, 0)},
		{"2026-11-22t14:32:05.123456z", utc(2026, 11, 22, 14, 32, 5, 123_000_000)},
		{"2026-11-22T20:02:05+05:30", utc(2026, 11, 22, 14, 32, 5, 0)},
		{"2026-11-23T15:00:00.250Z", now.Add(MaxFuture)},
		{"1970-01-01T00:00:00Z", utc(1970, 1, 1, 0, 0, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseQuickTime(tt.in, now)
			require.NoError(t, err)
			assert.Equal(t, time.UTC, got.Location())
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseQuickTimeErrors(t *testing.T) {
	now := utc(2026, 11, 22, 15, 0, 0, 0)
	const msgClock = "is not a valid UTC clock time; hours must be 0-23, minutes and seconds 0-59"
	tests := []struct {
		in      string
		wantErr string
	}{
		// Relative times in the future.
		{"+5m", msgPast},
		{"5m", msgPast},
		{"1h30m", msgPast},
		{"+1d", msgPast},
		{" 5M ", msgPast},

		// Malformed relative times.
		{"-", msgQuick},
		{"-m", msgQuick},
		{"-5", msgQuick},
		{"-5x", msgQuick},
		{"--5m", msgQuick},
		{"-+5m", msgQuick},
		{"-5m5m", msgQuick},
		{"-5m1h", msgQuick},
		{"-1s1d", msgQuick},
		{"-1h-5m", msgQuick},
		{"-5 m", msgQuick},
		{"- 5m", msgQuick},
		{"-1.5h", msgQuick},
		{"-5mm", msgQuick},
		{"-1w", msgQuick},
		{"-5ms", msgQuick},
		{"-1h30", msgQuick},
		{"+", msgQuick},
		{"+x", msgQuick},

		// Relative times too large to represent, or before 1970.
		{"-99999999999h", "relative time is too large"},
		{"-99999999999999999999999999s", "relative time is too large"},
		{"-106752d", "relative time is too large"},
		{"-106751d23h47m16s", msgBefore1970},
		{"-21000d", msgBefore1970},

		// Clock times.
		{"24:00", msgClock},
		{"14:60", msgClock},
		{"14:32:60", msgClock},
		{"99:99:99", msgClock},
		{"14:3", msgQuick},
		{"14:", msgQuick},
		{":32", msgQuick},
		{"123:00", msgQuick},
		{"14:32:05.", msgQuick},
		{"14:32.5", msgQuick},
		{"14:32:05.x", msgQuick},
		{"14:32:05:00", msgQuick},
		{"14:32z", msgQuick},
		{"14:32 utc", msgQuick},
		{"+14:32", msgQuick},
		{"14 : 32", msgQuick},
		{"١٤:٣٢", msgQuick},

		// Timestamps.
		{"2026-11-22T14:32:05", msgNoOffset},
		{"2026-11-22 14:32:05", msgNoOffset},
		{"2026-13-01T00:00:00Z", msgBadTimestamp},
		{"2026-11-22", msgBadTimestamp},
		{"0001-01-01T00:00:00Z", msgBefore1970},
		{"1969-12-31T23:59:59.999Z", msgBefore1970},
		{"9999-12-31T23:59:59Z", msgFuture},
		{"2026-11-23T15:00:00.001Z", msgFuture},

		// Anything else.
		{"yesterday", msgQuick},
		{"garbage", msgQuick},
		{"now now", msgQuick},
		{"14", msgQuick},
		{"1432", msgQuick},
		{"nowx", msgQuick},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseQuickTime(tt.in, now)
			assert.EqualError(t, err, tt.wantErr)
			assert.True(t, got.IsZero())
		})
	}
}

func TestParseQuickTimeNonUTCNow(t *testing.T) {
	ny := newYork(t)
	tests := []struct {
		name string
		now  time.Time
		in   string
		want time.Time
	}{
		// 09:00 EST is 14:00 UTC. Read as New York time, 13:30 would be 18:30Z, in the future.
		{"earlier UTC clock is today", time.Date(2026, 11, 22, 9, 0, 0, 0, ny), "13:30", utc(2026, 11, 22, 13, 30, 0, 0)},
		{"later UTC clock is yesterday", time.Date(2026, 11, 22, 9, 0, 0, 0, ny), "14:30", utc(2026, 11, 21, 14, 30, 0, 0)},
		// 21:00 EST on the 22nd is already the 23rd in UTC, so "today" is the UTC date.
		{"UTC date differs from local date", time.Date(2026, 11, 22, 21, 0, 0, 0, ny), "01:00", utc(2026, 11, 23, 1, 0, 0, 0)},
		{"now is returned in UTC", time.Date(2026, 11, 22, 21, 0, 0, 123_456_789, ny), "now", utc(2026, 11, 23, 2, 0, 0, 123_000_000)},
		{"relative is returned in UTC", time.Date(2026, 11, 22, 21, 0, 0, 0, ny), "-1d", utc(2026, 11, 22, 2, 0, 0, 0)},
		// Across spring forward: 24 hours, not one calendar day in New York.
		{"relative days are 24 hours", time.Date(2026, 3, 8, 12, 0, 0, 0, ny), "-1d", utc(2026, 3, 7, 16, 0, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQuickTime(tt.in, tt.now)
			require.NoError(t, err)
			assert.Equal(t, time.UTC, got.Location())
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseQuickTimeYesterdayBoundary(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
		in   string
		want time.Time
	}{
		{"exactly now", utc(2026, 11, 22, 14, 32, 5, 0), "14:32:05", utc(2026, 11, 22, 14, 32, 5, 0)},
		{"now+60s is today", utc(2026, 11, 22, 14, 31, 5, 0), "14:32:05", utc(2026, 11, 22, 14, 32, 5, 0)},
		{"now+61s is yesterday", utc(2026, 11, 22, 14, 31, 4, 0), "14:32:05", utc(2026, 11, 21, 14, 32, 5, 0)},
		{"now+60.001s is yesterday", utc(2026, 11, 22, 14, 31, 5, 0), "14:32:05.001", utc(2026, 11, 21, 14, 32, 5, 1_000_000)},
		{"just after midnight", utc(2026, 11, 22, 0, 0, 30, 0), "00:01:30", utc(2026, 11, 22, 0, 1, 30, 0)},
		{"just after midnight, late clock", utc(2026, 11, 22, 0, 0, 30, 0), "23:59", utc(2026, 11, 21, 23, 59, 0, 0)},
		{"yesterday across a month", utc(2026, 12, 1, 0, 0, 0, 0), "12:00", utc(2026, 11, 30, 12, 0, 0, 0)},
		{"yesterday across a year", utc(2027, 1, 1, 0, 0, 0, 0), "12:00", utc(2026, 12, 31, 12, 0, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQuickTime(tt.in, tt.now)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseQuickTimeTruncatesMilliseconds(t *testing.T) {
	now := utc(2026, 11, 22, 15, 0, 0, 987_654_321)
	for _, in := range []string{"now", "-5m", "14:32:05.123456789", "2026-11-22T14:32:05.123456789Z"} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseQuickTime(in, now)
			require.NoError(t, err)
			assert.Equal(t, 0, got.Nanosecond()%int(time.Millisecond), "got %s", got)
		})
	}
}

func TestFormatAPI(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+30*60)
	tests := []struct {
		t    time.Time
		want string
	}{
		{utc(2026, 11, 22, 14, 32, 5, 0), "2026-11-22T14:32:05.000Z"},
		{utc(2026, 11, 22, 14, 32, 5, 123_000_000), "2026-11-22T14:32:05.123Z"},
		{utc(2026, 11, 22, 14, 32, 5, 123_999_999), "2026-11-22T14:32:05.123Z"},
		{utc(2026, 11, 22, 14, 32, 5, 1_000_000), "2026-11-22T14:32:05.001Z"},
		{time.Date(2026, 11, 22, 20, 2, 5, 500_000_000, ist), "2026-11-22T14:32:05.500Z"},
		{time.Date(2026, 1, 1, 1, 0, 0, 0, ist), "2025-12-31T19:30:00.000Z"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, FormatAPI(tt.t))
		})
	}
}

func TestFormatAttr(t *testing.T) {
	pst := time.FixedZone("PST", -8*3600)
	tests := []struct {
		t    time.Time
		want string
	}{
		{utc(2026, 11, 22, 14, 32, 5, 0), "2026-11-22T14:32:05Z"},
		{utc(2026, 11, 22, 14, 32, 5, 999_999), "2026-11-22T14:32:05Z"},
		{utc(2026, 11, 22, 14, 32, 5, 1_000_000), "2026-11-22T14:32:05.001Z"},
		{utc(2026, 11, 22, 14, 32, 5, 120_000_000), "2026-11-22T14:32:05.120Z"},
		{utc(2026, 11, 22, 14, 32, 5, 123_456_789), "2026-11-22T14:32:05.123Z"},
		{time.Date(2026, 11, 22, 6, 32, 5, 0, pst), "2026-11-22T14:32:05Z"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, FormatAttr(tt.t))
		})
	}
}

func TestFormatHuman(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{utc(2026, 11, 22, 14, 32, 5, 0), "2026-11-22 14:32:05 UTC"},
		{utc(2026, 11, 22, 14, 32, 5, 999_000_000), "2026-11-22 14:32:05 UTC"},
		{time.Date(2026, 11, 22, 20, 2, 5, 0, time.FixedZone("IST", 5*3600+30*60)), "2026-11-22 14:32:05 UTC"},
		{time.Date(2026, 11, 22, 21, 0, 0, 0, newYork(t)), "2026-11-23 02:00:00 UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, FormatHuman(tt.t))
		})
	}
}

func TestFormatDuration(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{500 * time.Millisecond, "0s"},
		{time.Second, "1s"},
		{45 * time.Second, "45s"},
		{59*time.Second + 999*time.Millisecond, "59s"},
		{time.Minute, "1m"},
		{12 * time.Minute, "12m"},
		{12*time.Minute + 30*time.Second, "12m 30s"},
		{time.Hour, "1h"},
		{2*time.Hour + 5*time.Minute, "2h 5m"},
		{2*time.Hour + 5*time.Minute + 30*time.Second, "2h 5m"},
		{2*time.Hour + 30*time.Second, "2h"},
		{26 * time.Hour, "1d 2h"},
		{3*day + 4*time.Hour, "3d 4h"},
		{3*day + 4*time.Hour + 59*time.Minute, "3d 4h"},
		{3*day + 5*time.Minute, "3d"},
		{400 * day, "400d"},
		{-45 * time.Second, "-45s"},
		{-(12*time.Minute + 30*time.Second), "-12m 30s"},
		{-(3*day + 4*time.Hour), "-3d 4h"},
		{-500 * time.Millisecond, "0s"},
		{math.MaxInt64, "106751d 23h"},
		{math.MinInt64, "-106751d 23h"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, FormatDuration(tt.d))
		})
	}
}

func FuzzParseQuickTime(f *testing.F) {
	for _, seed := range []string{
		"", "now", " NOW ", "-5m", "-90s", "-1h30m", "-2h", "-1h30m15s", "-1d", "-1d2h",
		"+5m", "5m", "-", "-m", "-5x", "--5m", "-5m5m", "-99999999999h", "-106751d23h47m16s",
		"14:32", "14:32:05", "14:32:05.250", "9:05", "24:00", "14:60", "14:32:05.",
		"2026-11-22T14:32:05Z", "2026-11-22t14:32:05.123456789z", "2026-11-22T20:02:05+05:30",
		"2026-11-22T14:32:05", "2026-11-22 14:32:05", "2026-13-01T00:00:00Z",
		"0001-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "garbage",
	} {
		f.Add(seed)
	}
	loc := time.FixedZone("", -5*3600)
	now := time.Date(2026, 11, 22, 9, 0, 0, 123_456_789, loc)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseQuickTime(s, now)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseQuickTime(%q): empty error message", s)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseQuickTime(%q) = %s, not in UTC", s, got)
		}
		if !got.Equal(got.Truncate(time.Millisecond)) {
			t.Fatalf("ParseQuickTime(%q) = %s, not truncated to milliseconds", s, got)
		}
		if err := CheckInstant(got, now); err != nil {
			t.Fatalf("ParseQuickTime(%q) = %s, which fails CheckInstant: %v", s, got, err)
		}
	})
}
