package transcript

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Small hand-written scanners for the times and dates chat tools write. Each
// returns what it read and the rest of the string, or false without
// consuming anything.

// scanClock reads H:MM or HH:MM, then optional :SS and .fff; with ampm, an
// optional " AM"/"PM" that must end a word.
func scanClock(s string, ampm bool) (clock, string, bool) {
	var c clock
	n := digitsUpTo(s, 2)
	if n == 0 || n >= len(s) || s[n] != ':' {
		return c, s, false
	}
	c.h = atoi(s[:n])
	rest := s[n+1:]
	if digitsUpTo(rest, 3) != 2 {
		return c, s, false
	}
	c.m = atoi(rest[:2])
	rest = rest[2:]
	if len(rest) > 0 && rest[0] == ':' {
		if digitsUpTo(rest[1:], 3) != 2 {
			return c, s, false
		}
		c.s = atoi(rest[1:3])
		rest = rest[3:]
		if len(rest) > 1 && (rest[0] == '.' || rest[0] == ',') && isDigit(rest[1]) {
			k := 1
			for k < len(rest) && isDigit(rest[k]) {
				k++
			}
			frac := (rest[1:k] + "000")[:3]
			c.ms = atoi(frac)
			rest = rest[k:]
		}
	}
	if len(rest) > 0 && isDigit(rest[0]) {
		return c, s, false
	}
	if ampm {
		r := strings.TrimPrefix(rest, " ")
		if len(r) >= 2 && (r[1] == 'm' || r[1] == 'M') && (len(r) == 2 || !isWordByte(r[2])) {
			switch r[0] {
			case 'a', 'A':
				c.ampm, rest = 'a', r[2:]
			case 'p', 'P':
				c.ampm, rest = 'p', r[2:]
			}
		}
	}
	if c.ampm != 0 {
		if c.h < 1 || c.h > 12 {
			return c, s, false
		}
	} else if c.h > 23 {
		return c, s, false
	}
	if c.m > 59 || c.s > 59 {
		return c, s, false
	}
	return c, rest, true
}

func isWordByte(c byte) bool {
	return c >= 0x80 || c == '_' || isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// scanISODate reads YYYY-MM-DD. A well-shaped but impossible day (2026-02-30)
// is read, with ok true and bad set, so the line can be skipped with a reason.
func scanISODate(s string) (d civil, rest string, bad string, ok bool) {
	if len(s) < 10 || digitsUpTo(s, 4) != 4 || s[4] != '-' || digitsUpTo(s[5:], 2) != 2 || s[7] != '-' || digitsUpTo(s[8:], 3) != 2 {
		return d, s, "", false
	}
	y, m, dd := atoi(s[:4]), time.Month(atoi(s[5:7])), atoi(s[8:10])
	d, valid := makeCivil(y, m, dd)
	if !valid {
		bad = fmt.Sprintf("%s is not a valid date", s[:10])
	}
	return d, s[10:], bad, true
}

// scanDMY reads D/M/YYYY (or with dots), day first as Teams writes it in
// most locales. It does not guess at month-first: 03/13/2026 is a bad date.
func scanDMY(s string) (d civil, rest string, bad string, ok bool) {
	a := digitsUpTo(s, 3)
	if a == 0 || a > 2 || a >= len(s) || (s[a] != '/' && s[a] != '.') {
		return d, s, "", false
	}
	sep := s[a]
	r := s[a+1:]
	b := digitsUpTo(r, 3)
	if b == 0 || b > 2 || b >= len(r) || r[b] != sep {
		return d, s, "", false
	}
	r2 := r[b+1:]
	if digitsUpTo(r2, 5) != 4 {
		return d, s, "", false
	}
	dd, m, y := atoi(s[:a]), time.Month(atoi(r[:b])), atoi(r2[:4])
	d, valid := makeCivil(y, m, dd)
	if !valid {
		bad = fmt.Sprintf("%s is not a valid date (read as day/month/year)", s[:a+1+b+1+4])
	}
	return d, r2[4:], bad, true
}

// scanOffset reads Z, ±HH:MM, ±HHMM or ±HH right after a time.
func scanOffset(s string) (secs int, rest string, ok bool) {
	if len(s) > 0 && (s[0] == 'Z' || s[0] == 'z') && (len(s) == 1 || !isWordByte(s[1])) {
		return 0, s[1:], true
	}
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') || digitsUpTo(s[1:], 2) != 2 {
		return 0, s, false
	}
	h, m, r := atoi(s[1:3]), 0, s[3:]
	switch {
	case len(r) >= 3 && r[0] == ':' && digitsUpTo(r[1:], 3) == 2:
		m, r = atoi(r[1:3]), r[3:]
	case digitsUpTo(r, 3) == 2:
		m, r = atoi(r[:2]), r[2:]
	case digitsUpTo(r, 1) == 1 || (len(r) > 0 && r[0] == ':'):
		return 0, s, false
	}
	if h > 23 || m > 59 || (len(r) > 0 && isWordByte(r[0])) {
		return 0, s, false
	}
	secs = h*3600 + m*60
	if s[0] == '-' {
		secs = -secs
	}
	return secs, r, true
}

// scanLeadingStamp reads the time a log line starts with: an optional '[',
// then an ISO date and time (with 'T' or a space, optional offset) or a bare
// clock, then the matching ']'. The rest must start with a space or tab.
func scanLeadingStamp(s string, ampm bool) (stamp, string, bool) {
	var st stamp
	r := s
	bracket := strings.HasPrefix(r, "[")
	if bracket {
		r = r[1:]
	}
	if d, after, bad, ok := scanISODate(r); ok && len(after) > 1 && (after[0] == 'T' || after[0] == 't' || after[0] == ' ') {
		c, after2, ok := scanClock(after[1:], false)
		if !ok {
			return st, s, false
		}
		st.clock, st.date, st.hasDate, st.dateErr = c, d, true, bad
		r = after2
		if off, after3, ok := scanOffset(r); ok {
			st.offset, st.hasOffset, r = off, true, after3
		}
	} else {
		c, after, ok := scanClock(r, ampm)
		if !ok {
			return st, s, false
		}
		st.clock, r = c, after
	}
	if bracket {
		if !strings.HasPrefix(r, "]") {
			return st, s, false
		}
		r = r[1:]
	}
	if r != "" && r[0] != ' ' && r[0] != '\t' {
		return st, s, false
	}
	return st, strings.TrimLeft(r, " \t"), true
}

// splitTrailingStamp reads a header line that ends with a time: "Alice Rao
// 10:42 AM", "Alice Rao  [10:42]", "Alice Rao, 08/03/2026 10:42" (dmy only
// when allowed). It returns the text before the time.
func splitTrailingStamp(s string, dmy bool) (head string, st stamp, ok bool) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return "", st, false
	}
	n := len(f)
	timeText := f[n-1]
	if isAMPM(strings.Trim(timeText, "[]")) && n >= 3 {
		timeText = f[n-2] + " " + timeText
		n--
	}
	n--
	timeText = strings.TrimSuffix(strings.TrimPrefix(timeText, "["), "]")
	c, rest, ok := scanClock(timeText, true)
	if !ok || rest != "" {
		return "", st, false
	}
	st.clock = c
	if dmy && n >= 2 {
		dateText := strings.TrimPrefix(strings.TrimSuffix(f[n-1], ","), "[")
		if d, rest, bad, ok := scanDMY(dateText); ok && rest == "" {
			st.date, st.hasDate, st.dateErr = d, true, bad
			n--
		}
	}
	head = strings.TrimSuffix(strings.Join(f[:n], " "), ",")
	return head, st, head != ""
}

func isAMPM(s string) bool {
	return strings.EqualFold(s, "am") || strings.EqualFold(s, "pm")
}

// looksLikeName reports whether s could be a person's or bot's display name
// on a header line: at most five words, each starting with a letter, digit
// or '@'; several words must be capitalised, apart from short particles
// inside ("José de la Cruz"); no sentence punctuation.
func looksLikeName(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 64 || strings.HasSuffix(s, ".") {
		return false
	}
	words := strings.Fields(s)
	if len(words) > 5 {
		return false
	}
	for i, w := range words {
		first, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsLetter(first) && !unicode.IsDigit(first) && first != '@' {
			return false
		}
		for _, r := range w {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(".-_'’@()", r) {
				return false
			}
		}
		if len(words) > 1 && !unicode.IsUpper(first) && !unicode.IsDigit(first) {
			if i == 0 || i == len(words)-1 || len(w) > 3 {
				return false
			}
		}
	}
	return true
}
