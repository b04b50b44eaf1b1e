package transcript

import (
	"fmt"
	"strings"
	"time"
)

// civil is a calendar day without a zone.
type civil struct {
	y int
	m time.Month
	d int
}

// civilOf returns the day t falls on in loc.
func civilOf(t time.Time, loc *time.Location) civil {
	y, m, d := t.In(loc).Date()
	return civil{y, m, d}
}

// makeCivil returns the day y-m-d, or false when there is no such day.
func makeCivil(y int, m time.Month, d int) (civil, bool) {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 {
		return civil{}, false
	}
	t := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return civil{}, false
	}
	return civil{y, m, d}, true
}

func (c civil) next() civil {
	return civilOf(time.Date(c.y, c.m, c.d+1, 12, 0, 0, 0, time.UTC), time.UTC)
}

func (c civil) String() string { return fmt.Sprintf("%04d-%02d-%02d", c.y, c.m, c.d) }

func (c civil) weekday() time.Weekday {
	return time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC).Weekday()
}

// clock is a time of day as written.
type clock struct {
	h, m, s int
	ms      int  // milliseconds, when written
	ampm    byte // 0: 24-hour; 'a' or 'p': written with AM/PM; '?': bare 1-12 in a 12-hour transcript
}

func (c clock) String() string {
	if c.s != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", c.h, c.m, c.s)
	}
	return fmt.Sprintf("%02d:%02d", c.h, c.m)
}

// secs is the time of day in seconds, for order; h must be 24-hour.
func (c clock) secs() int { return c.h*3600 + c.m*60 + c.s }

// to24 converts a clock written with AM/PM.
func (c clock) to24() clock {
	switch c.ampm {
	case 'a':
		c.h %= 12
	case 'p':
		c.h = c.h%12 + 12
	}
	c.ampm = 0
	return c
}

// stamp is what a line says about when it was written.
type stamp struct {
	clock
	date      civil
	hasDate   bool
	offset    int // seconds east of UTC
	hasOffset bool
	dateErr   string // the line names a day that does not exist
}

// localCandidates returns every instant at which a wall clock in loc reads
// d at c, earliest first: none in a spring-forward gap, two in a fall-back
// overlap. time.Date picks one silently in both cases, so check its wall
// clock and try the offsets of the neighbouring zone periods too.
func localCandidates(d civil, c clock, loc *time.Location) []time.Time {
	ns := c.ms * int(time.Millisecond)
	t := time.Date(d.y, d.m, d.d, c.h, c.m, c.s, ns, loc)
	wall := time.Date(d.y, d.m, d.d, c.h, c.m, c.s, ns, time.UTC)
	var out []time.Time
	try := func(cand time.Time) {
		l := cand.In(loc)
		y, m, dd := l.Date()
		if y != d.y || m != d.m || dd != d.d || l.Hour() != c.h || l.Minute() != c.m || l.Second() != c.s {
			return
		}
		for _, o := range out {
			if o.Equal(cand) {
				return
			}
		}
		out = append(out, cand)
	}
	try(t)
	start, end := t.ZoneBounds()
	if !start.IsZero() {
		_, off := start.Add(-time.Second).In(loc).Zone()
		try(wall.Add(-time.Duration(off) * time.Second))
	}
	if !end.IsZero() {
		_, off := end.In(loc).Zone()
		try(wall.Add(-time.Duration(off) * time.Second))
	}
	if len(out) == 2 && out[1].Before(out[0]) {
		out[0], out[1] = out[1], out[0]
	}
	for i := range out {
		out[i] = out[i].UTC()
	}
	return out
}

// placement is how a message's time was read.
type placement struct {
	at        time.Time
	ambiguous bool
	note      string
	skip      string // non-empty: the time cannot be placed, and why
}

// dayState tracks the current day of a line-oriented transcript, so times
// written without a date land on the right one.
type dayState struct {
	loc         *time.Location
	date        civil
	known       bool
	unknownWhy  string
	lastClock   int // seconds of day of the previous message; -1 after a divider
	lastInstant time.Time
	lastDate    civil
}

func newDayState(opt Options) *dayState {
	// Date is a calendar day as written (time.Parse of "2026-03-08" is
	// midnight UTC, which is still March 7 in New York): take its own
	// Y-M-D. Now is an instant: take its day in Location.
	date := civilOf(opt.Now, opt.Location)
	if !opt.Date.IsZero() {
		y, m, d := opt.Date.Date()
		date = civil{y, m, d}
	}
	return &dayState{loc: opt.Location, date: date, known: true, lastClock: -1}
}

// setDate starts a new day (a divider or a dated line).
func (s *dayState) setDate(d civil) {
	s.date, s.known, s.unknownWhy, s.lastClock = d, true, "", -1
}

// forget marks the day unknown: a divider named a day that cannot be read,
// and guessing would put every following message on the wrong day.
func (s *dayState) forget(why string) {
	s.known, s.unknownWhy, s.lastClock = false, "the day is unknown: "+why, -1
}

// place reads a stamp: an offset wins; a written date is taken as is;
// otherwise the current day, rolled over when the clock goes backwards.
func (s *dayState) place(st stamp) placement {
	if st.dateErr != "" {
		return placement{skip: st.dateErr}
	}
	if st.hasOffset {
		t := time.Date(st.date.y, st.date.m, st.date.d, st.h, st.m, st.s, st.ms*int(time.Millisecond), time.FixedZone("", st.offset)).UTC()
		s.setDate(st.date)
		s.lastClock, s.lastInstant, s.lastDate = st.secs(), t, st.date
		return placement{at: t}
	}
	c := st.clock
	if st.hasDate {
		s.setDate(st.date)
		c = c.to24()
	} else if !s.known {
		return placement{skip: s.unknownWhy}
	}
	if c.ampm == '?' {
		if s.lastClock < 0 {
			return placement{skip: fmt.Sprintf("%s could be AM or PM and no message before it says which", c)}
		}
		c = s.pickHalf(c)
	}
	c = c.to24()
	date := s.date
	var note string
	if !st.hasDate && s.lastClock >= 0 && c.secs() < s.lastClock && !s.laterSameDay(date, c) {
		date = date.next()
		note = fmt.Sprintf("the clock went back from %s to %s, so this is read as %s", clockOfSecs(s.lastClock), c, date)
	}
	s.date, s.lastClock = date, c.secs()
	cands := localCandidates(date, c, s.loc)
	switch len(cands) {
	case 0:
		return placement{skip: fmt.Sprintf("%s does not exist on %s in %s (the clocks jumped forward)", c, date, s.loc)}
	case 1:
		s.lastInstant, s.lastDate = cands[0], date
		return placement{at: cands[0], note: note}
	}
	// Twice: the earlier, unless the message before was already past it on
	// this day (the transcript has moved into the repeated hour's second pass).
	pick, which, why := cands[0], "earlier", ""
	if !s.lastInstant.IsZero() && s.lastDate == date && cands[0].Before(s.lastInstant) && !cands[1].Before(s.lastInstant) {
		pick, which = cands[1], "later"
		why = fmt.Sprintf(" because the message before it was at %s", s.lastInstant.In(s.loc).Format("15:04 MST"))
	}
	s.lastInstant, s.lastDate = pick, date
	zone, _ := pick.In(s.loc).Zone()
	amb := fmt.Sprintf("%s happened twice on %s in %s; the %s (%s) was taken%s", c, date, s.loc, which, zone, why)
	return placement{at: pick, ambiguous: true, note: joinNotes(note, amb)}
}

// laterSameDay reports whether c on date has a reading after the previous
// message: a clock going back inside a fall-back overlap is the repeated
// hour, not the next day.
func (s *dayState) laterSameDay(date civil, c clock) bool {
	if s.lastInstant.IsZero() || s.lastDate != date {
		return false
	}
	for _, t := range localCandidates(date, c, s.loc) {
		if t.After(s.lastInstant) {
			return true
		}
	}
	return false
}

// pickHalf reads a bare 1-12 clock in a 12-hour transcript (Slack shows
// "10:43" under "10:42 PM"): the first reading not before the previous
// message, or the morning one when both are (the day rolls over).
func (s *dayState) pickHalf(c clock) clock {
	am, pm := c, c
	am.ampm, pm.ampm = 'a', 'p'
	am, pm = am.to24(), pm.to24()
	if am.secs() >= s.lastClock {
		return am
	}
	if pm.secs() >= s.lastClock {
		return pm
	}
	return am
}

func clockOfSecs(n int) string {
	return clock{h: n / 3600, m: n / 60 % 60, s: n % 60}.String()
}

func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// Month and weekday names as chat tools write them, full and short.
var (
	monthNames = map[string]time.Month{}
	dayNames   = map[string]time.Weekday{}
)

func init() {
	for m := time.January; m <= time.December; m++ {
		n := strings.ToLower(m.String())
		monthNames[n], monthNames[n[:3]] = m, m
	}
	monthNames["sept"] = time.September
	for d := time.Sunday; d <= time.Saturday; d++ {
		n := strings.ToLower(d.String())
		dayNames[n], dayNames[n[:3]] = d, d
	}
}
