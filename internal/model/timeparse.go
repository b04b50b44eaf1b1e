package model

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxFuture is how far ahead of now a recorded instant may lie (clock skew allowance).
const MaxFuture = 24 * time.Hour

// Messages are attached to a field name by the caller, so they read as a predicate.
var (
	errNoOffset         = errors.New("timestamp needs a UTC offset, e.g. 2026-11-22T14:32:05Z")
	errBadTimestamp     = errors.New("is not a valid timestamp; use RFC 3339 with an offset, e.g. 2026-11-22T14:32:05Z")
	errBeforeEpoch      = errors.New("must not be before 1970")
	errTooFarFuture     = errors.New("must not be more than 24 hours in the future")
	errRelativeFuture   = errors.New("relative times must be in the past, e.g. -5m")
	errRelativeTooLarge = errors.New("relative time is too large")
	errClockRange       = errors.New("is not a valid UTC clock time; hours must be 0-23, minutes and seconds 0-59")
	errQuickTime        = errors.New("use now, -5m, -1h30m, a UTC clock time like 14:32, or a timestamp with offset like 2026-11-22T14:32:05Z")
)

var epoch = time.Date(1970, time.January, 1, 0, 0, 0, 0, time.UTC)

// ParseTimestamp parses an RFC 3339 timestamp that carries an explicit offset
// ("Z" or "±hh:mm") and returns it in UTC, truncated to milliseconds.
// Fractional seconds of any length and a lower-case 't' or 'z' are accepted.
// An input without an offset is an error rather than a guess at a zone.
func ParseTimestamp(s string) (time.Time, error) {
	// The only letters RFC 3339 allows are T and Z, so upper-casing is safe.
	s = strings.ToUpper(s)

	// time.Parse falls back to a lenient parser (one-digit hours, comma
	// fractions), so check the exact shape first and let it check ranges.
	if rest, ok := matchDateTime(s, 'T'); ok {
		if rest == "Z" || validOffset(rest) {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return time.Time{}, errBadTimestamp
			}
			return t.UTC().Truncate(time.Millisecond), nil
		}
	}
	for _, sep := range []byte{'T', ' '} {
		if rest, ok := matchDateTime(s, sep); ok && rest == "" {
			if _, err := time.Parse("2006-01-02T15:04:05", strings.Replace(s, " ", "T", 1)); err == nil {
				return time.Time{}, errNoOffset
			}
		}
	}
	return time.Time{}, errBadTimestamp
}

// validOffset reports whether s is "+hh:mm" or "-hh:mm" within range; time.Parse's
// fallback parser would accept "+24:00" or "+05:60".
func validOffset(s string) bool {
	if !matchShape(s, "+dd:dd") && !matchShape(s, "-dd:dd") {
		return false
	}
	return s[1:3] <= "23" && s[4:6] <= "59"
}

// matchDateTime reports whether s starts with "yyyy-mm-dd<sep>hh:mm:ss" and an
// optional fraction, and returns what follows.
func matchDateTime(s string, sep byte) (rest string, ok bool) {
	const n = len("2006-01-02T15:04:05")
	if len(s) < n || s[10] != sep || !matchShape(s[:10], "dddd-dd-dd") || !matchShape(s[11:n], "dd:dd:dd") {
		return "", false
	}
	rest = s[n:]
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		for i < len(rest) && isDigit(rest[i]) {
			i++
		}
		if i == 1 {
			return "", false
		}
		rest = rest[i:]
	}
	return rest, true
}

// matchShape reports whether s matches shape, where 'd' stands for any digit
// and every other byte must match itself.
func matchShape(s, shape string) bool {
	if len(s) != len(shape) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if shape[i] == 'd' {
			if !isDigit(s[i]) {
				return false
			}
		} else if s[i] != shape[i] {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// CheckInstant rejects instants a real incident cannot have: anything before
// 1970 or more than MaxFuture after now.
func CheckInstant(t, now time.Time) error {
	if t.Before(epoch) {
		return errBeforeEpoch
	}
	if t.After(now.Add(MaxFuture)) {
		return errTooFarFuture
	}
	return nil
}

// ParseQuickTime resolves what a scribe types into the timeline's time box,
// relative to now (converted to UTC). It accepts "" or "now", a relative past
// time such as "-5m", "-1h30m" or "-1d2h", a UTC clock time such as "14:32" or
// "14:32:05" (yesterday's if today's would be more than a minute ahead of
// now), or an RFC 3339 timestamp with offset. The result is in UTC, truncated
// to milliseconds, and passes CheckInstant.
func ParseQuickTime(s string, now time.Time) (time.Time, error) {
	now = now.UTC()
	s = strings.ToLower(strings.TrimSpace(s))

	var t time.Time
	switch {
	case s == "" || s == "now":
		t = now
	case strings.HasPrefix(s, "-"):
		d, ok := parseRelative(s[1:])
		if !ok {
			return time.Time{}, errQuickTime
		}
		if d < 0 {
			return time.Time{}, errRelativeTooLarge
		}
		t = now.Add(-d)
	case isRelative(strings.TrimPrefix(s, "+")):
		return time.Time{}, errRelativeFuture
	case len(s) >= 5 && matchShape(s[:5], "dddd-"):
		var err error
		if t, err = ParseTimestamp(s); err != nil {
			return time.Time{}, err
		}
	case strings.Contains(s, ":"):
		var err error
		if t, err = parseClock(s, now); err != nil {
			return time.Time{}, err
		}
	default:
		return time.Time{}, errQuickTime
	}

	t = t.Truncate(time.Millisecond)
	if err := CheckInstant(t, now); err != nil {
		return time.Time{}, err
	}
	return t, nil
}

// isRelative reports whether s is a well-formed relative duration without
// its sign, so "5m" and "+5m" can be told apart from plain garbage.
func isRelative(s string) bool {
	_, ok := parseRelative(s)
	return ok
}

// relativeUnits lists the units in the only order they may appear, which
// also rules out repeats such as "5m5m".
var relativeUnits = []struct {
	name byte
	size time.Duration
}{
	{'d', 24 * time.Hour},
	{'h', time.Hour},
	{'m', time.Minute},
	{'s', time.Second},
}

// parseRelative parses an unsigned duration such as "1d2h" or "1h30m15s".
// time.ParseDuration has no day unit, hence the hand parser. ok is false for
// malformed input; a well-formed duration too large for time.Duration is
// returned as -1 with ok true.
func parseRelative(s string) (d time.Duration, ok bool) {
	if s == "" {
		return 0, false
	}
	next := 0 // index into relativeUnits of the smallest unit still allowed
	overflow := false
	for s != "" {
		i := 0
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == 0 || i == len(s) {
			return 0, false
		}
		digits, unit := s[:i], s[i]
		s = s[i+1:]

		u := next
		for u < len(relativeUnits) && relativeUnits[u].name != unit {
			u++
		}
		if u == len(relativeUnits) {
			return 0, false
		}
		next = u + 1
		if overflow {
			continue // keep validating the syntax
		}

		size := relativeUnits[u].size
		limit := (1<<63 - 1) / size
		var n time.Duration
		for _, c := range []byte(digits) {
			n = n*10 + time.Duration(c-'0')
			if n > limit {
				overflow = true
				break
			}
		}
		if !overflow && d > (1<<63-1)-n*size {
			overflow = true
		}
		if !overflow {
			d += n * size
		}
	}
	if overflow {
		return -1, true
	}
	return d, true
}

// parseClock resolves "hh:mm", "hh:mm:ss" or "hh:mm:ss.fff" as a UTC clock
// time today, or yesterday when today's would lie more than a minute after
// now: a scribe typing a clock time is recording something that happened.
func parseClock(s string, now time.Time) (time.Time, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 2 && len(parts) != 3 {
		return time.Time{}, errQuickTime
	}
	var frac string
	if len(parts) == 3 {
		var hasFrac bool
		parts[2], frac, hasFrac = strings.Cut(parts[2], ".")
		if hasFrac && frac == "" {
			return time.Time{}, errQuickTime
		}
	}
	var hms [3]int
	for i, p := range parts {
		if !(len(p) == 2 || i == 0 && len(p) == 1) || !matchShape(p, strings.Repeat("d", len(p))) {
			return time.Time{}, errQuickTime
		}
		hms[i] = int(p[0] - '0')
		if len(p) == 2 {
			hms[i] = hms[i]*10 + int(p[1]-'0')
		}
	}
	if !matchShape(frac, strings.Repeat("d", len(frac))) {
		return time.Time{}, errQuickTime
	}
	if hms[0] > 23 || hms[1] > 59 || hms[2] > 59 {
		return time.Time{}, errClockRange
	}
	nsec := 0
	for i := 0; i < 9; i++ {
		nsec *= 10
		if i < len(frac) {
			nsec += int(frac[i] - '0')
		}
	}

	y, m, d := now.Date()
	t := time.Date(y, m, d, hms[0], hms[1], hms[2], nsec, time.UTC)
	if t.Sub(now) > time.Minute {
		t = t.AddDate(0, 0, -1)
	}
	return t, nil
}

// FormatAPI renders t in UTC with milliseconds, the JSON API's only time format.
func FormatAPI(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// FormatAttr renders t in UTC for a <time datetime> attribute, with
// milliseconds only when they are non-zero.
func FormatAttr(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond() >= int(time.Millisecond) {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	return t.Format("2006-01-02T15:04:05Z")
}

// FormatHuman renders t in UTC for people, e.g. "2026-11-22 14:32:05 UTC".
func FormatHuman(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// FormatDuration renders d compactly for people, in at most two adjacent
// units, largest first: "45s", "12m 30s", "2h 5m", "3d 4h". Sub-second parts
// are dropped; a negative duration gets a "-" prefix.
func FormatDuration(d time.Duration) string {
	// Work in seconds so negating math.MinInt64 cannot overflow.
	return FormatSeconds(int64(d / time.Second))
}

// FormatSeconds is FormatDuration for a number of seconds.
func FormatSeconds(secs int64) string {
	sign := ""
	if secs < 0 {
		sign, secs = "-", -secs
	}
	if secs == 0 {
		return "0s"
	}
	units := []struct {
		name string
		secs int64
	}{{"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}}
	for i, u := range units {
		if secs < u.secs {
			continue
		}
		out := fmt.Sprintf("%s%d%s", sign, secs/u.secs, u.name)
		if i+1 < len(units) {
			next := units[i+1]
			if n := secs % u.secs / next.secs; n > 0 {
				out += fmt.Sprintf(" %d%s", n, next.name)
			}
		}
		return out
	}
	return "0s" // unreachable: secs >= 1 matches the seconds unit
}
