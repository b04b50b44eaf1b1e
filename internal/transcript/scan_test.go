package transcript

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestScanClock(t *testing.T) {
	cases := []struct {
		in       string
		ampm     bool
		ok       bool
		want     clock
		wantRest string
	}{
		{"0:00", false, true, clock{}, ""},
		{"9:05 rest", false, true, clock{h: 9, m: 5}, " rest"},
		{"23:59:59", false, true, clock{h: 23, m: 59, s: 59}, ""},
		{"24:00", false, false, clock{}, ""},
		{"23:60", false, false, clock{}, ""},
		{"23:59:60", false, false, clock{}, ""},
		{"10:42:05.123456", false, true, clock{h: 10, m: 42, s: 5, ms: 123}, ""},
		{"10:42:05,5", false, true, clock{h: 10, m: 42, s: 5, ms: 500}, ""},
		{"10:42:05.", false, true, clock{h: 10, m: 42, s: 5}, "."},
		{"10:4", false, false, clock{}, ""},
		{"10:425", false, false, clock{}, ""},
		{"10:42:5", false, false, clock{}, ""},
		{"10:42:055", false, false, clock{}, ""},
		{"10:427", false, false, clock{}, ""},
		{"100:42", false, false, clock{}, ""},
		{":42", false, false, clock{}, ""},
		{"10", false, false, clock{}, ""},
		{"10-42", false, false, clock{}, ""},
		{"10:42 AM", true, true, clock{h: 10, m: 42, ampm: 'a'}, ""},
		{"10:42pm", true, true, clock{h: 10, m: 42, ampm: 'p'}, ""},
		{"12:00 PM]", true, true, clock{h: 12, ampm: 'p'}, "]"},
		{"1:00 Pm x", true, true, clock{h: 1, ampm: 'p'}, " x"},
		{"10:42 Amy", true, true, clock{h: 10, m: 42}, " Amy"},
		{"10:42 A", true, true, clock{h: 10, m: 42}, " A"},
		{"10:42 xm", true, true, clock{h: 10, m: 42}, " xm"},
		{"10:42 AM", false, true, clock{h: 10, m: 42}, " AM"},
		{"0:30 AM", true, false, clock{}, ""},
		{"13:00 PM", true, false, clock{}, ""},
		{"12:59 AM", true, true, clock{h: 12, m: 59, ampm: 'a'}, ""},
	}
	for _, tc := range cases {
		c, rest, ok := scanClock(tc.in, tc.ampm)
		assert.Equal(t, tc.ok, ok, tc.in)
		if tc.ok {
			assert.Equal(t, tc.want, c, tc.in)
			assert.Equal(t, tc.wantRest, rest, tc.in)
		} else {
			assert.Equal(t, tc.in, rest, "nothing consumed: %s", tc.in)
		}
	}
}

func TestClockConversions(t *testing.T) {
	cases := []struct {
		in   clock
		want int
	}{
		{clock{h: 12, m: 5, ampm: 'a'}, 5 * 60},
		{clock{h: 1, ampm: 'a'}, 3600},
		{clock{h: 12, ampm: 'p'}, 12 * 3600},
		{clock{h: 11, m: 59, s: 30, ampm: 'p'}, 23*3600 + 59*60 + 30},
		{clock{h: 7, m: 1, s: 2}, 7*3600 + 62},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, tc.in.to24().secs(), "%+v", tc.in)
		assert.Equal(t, byte(0), tc.in.to24().ampm)
	}
	assert.Equal(t, "07:01:02", clock{h: 7, m: 1, s: 2}.String())
	assert.Equal(t, "07:01", clock{h: 7, m: 1}.String())
	assert.Equal(t, "23:59:59", clockOfSecs(86399))
}

func TestMakeCivil(t *testing.T) {
	cases := []struct {
		y    int
		m    time.Month
		d    int
		want bool
	}{
		{2026, 1, 1, true}, {2026, 12, 31, true}, {1, 1, 1, true}, {9999, 12, 31, true},
		{2028, 2, 29, true}, {2026, 2, 29, false}, {2026, 4, 31, false},
		{0, 1, 1, false}, {10000, 1, 1, false}, {2026, 0, 1, false}, {2026, 13, 1, false},
		{2026, 1, 0, false}, {2026, 1, 32, false},
	}
	for _, tc := range cases {
		d, ok := makeCivil(tc.y, tc.m, tc.d)
		assert.Equal(t, tc.want, ok, "%d-%d-%d", tc.y, tc.m, tc.d)
		if ok {
			assert.Equal(t, civil{tc.y, tc.m, tc.d}, d)
		}
	}
	assert.Equal(t, civil{2027, 1, 1}, civil{2026, 12, 31}.next())
	assert.Equal(t, civil{2028, 2, 29}, civil{2028, 2, 28}.next())
	assert.Equal(t, "0999-03-08", civil{999, 3, 8}.String())
	assert.Equal(t, time.Sunday, civil{2026, 3, 8}.weekday())
}

func TestScanDates(t *testing.T) {
	iso := []struct {
		in, rest, bad string
		ok            bool
		want          civil
	}{
		{"2026-03-08 x", " x", "", true, civil{2026, 3, 8}},
		{"2026-02-30", "", "2026-02-30 is not a valid date", true, civil{}},
		{"2026-3-08", "", "", false, civil{}},
		{"2026-03-8", "", "", false, civil{}},
		{"2026-03-081", "", "", false, civil{}},
		{"202-03-08x", "", "", false, civil{}},
		{"2026/03/08", "", "", false, civil{}},
		{"2026-03", "", "", false, civil{}},
	}
	for _, tc := range iso {
		d, rest, bad, ok := scanISODate(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.bad, bad, tc.in)
		if ok && bad == "" {
			assert.Equal(t, tc.want, d, tc.in)
			assert.Equal(t, tc.rest, rest, tc.in)
		}
	}
	dmy := []struct {
		in, rest, bad string
		ok            bool
		want          civil
	}{
		{"08/03/2026 10:42", " 10:42", "", true, civil{2026, 3, 8}},
		{"8/3/2026", "", "", true, civil{2026, 3, 8}},
		{"31.12.2026", "", "", true, civil{2026, 12, 31}},
		{"03/13/2026", "", "03/13/2026 is not a valid date (read as day/month/year)", true, civil{}},
		{"08/03.2026", "", "", false, civil{}},
		{"008/03/2026", "", "", false, civil{}},
		{"08/003/2026", "", "", false, civil{}},
		{"08/03/26", "", "", false, civil{}},
		{"08/03/20266", "", "", false, civil{}},
		{"/03/2026", "", "", false, civil{}},
		{"08//2026", "", "", false, civil{}},
		{"08", "", "", false, civil{}},
		{"08/03", "", "", false, civil{}},
	}
	for _, tc := range dmy {
		d, rest, bad, ok := scanDMY(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.bad, bad, tc.in)
		if ok && bad == "" {
			assert.Equal(t, tc.want, d, tc.in)
			assert.Equal(t, tc.rest, rest, tc.in)
		}
	}
}

func TestScanOffset(t *testing.T) {
	cases := []struct {
		in   string
		ok   bool
		secs int
		rest string
	}{
		{"Z", true, 0, ""},
		{"z rest", true, 0, " rest"},
		{"Zulu", false, 0, ""},
		{"+01:00", true, 3600, ""},
		{"-05:30 x", true, -(5*3600 + 30*60), " x"},
		{"+0530", true, 5*3600 + 30*60, ""},
		{"+01", true, 3600, ""},
		{"-23:59", true, -(23*3600 + 59*60), ""},
		{"+24:00", false, 0, ""},
		{"+01:60", false, 0, ""},
		{"+1", false, 0, ""},
		{"+013", false, 0, ""},
		{"+01:0", false, 0, ""},
		{"+01x", false, 0, ""},
		{"01:00", false, 0, ""},
		{"", false, 0, ""},
	}
	for _, tc := range cases {
		secs, rest, ok := scanOffset(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
		if tc.ok {
			assert.Equal(t, tc.secs, secs, tc.in)
			assert.Equal(t, tc.rest, rest, tc.in)
		}
	}
}

func TestSplitTrailingStamp(t *testing.T) {
	cases := []struct {
		in, head string
		dmy, ok  bool
		st       stamp
	}{
		{"Alice Rao  10:42 AM", "Alice Rao", false, true, stamp{clock: clock{h: 10, m: 42, ampm: 'a'}}},
		{"Alice Rao [10:42 PM]", "Alice Rao", false, true, stamp{clock: clock{h: 10, m: 42, ampm: 'p'}}},
		{"Alice Rao 10:42", "Alice Rao", false, true, stamp{clock: clock{h: 10, m: 42}}},
		{"Alice Rao, 08/03/2026 10:42", "Alice Rao", true, true, stamp{clock: clock{h: 10, m: 42}, date: civil{2026, 3, 8}, hasDate: true}},
		{"Alice Rao, 08/03/2026 10:42", "Alice Rao, 08/03/2026", false, true, stamp{clock: clock{h: 10, m: 42}}},
		{"AM", "", false, false, stamp{}},
		{"10:42", "", false, false, stamp{}},
		{"10:42 AM", "", false, false, stamp{}},
		{"Alice 10:42x", "", false, false, stamp{}},
		{"08/03/2026 10:42", "08/03/2026", true, true, stamp{clock: clock{h: 10, m: 42}}},
	}
	for _, tc := range cases {
		head, st, ok := splitTrailingStamp(tc.in, tc.dmy)
		assert.Equal(t, tc.ok, ok, tc.in)
		if tc.ok {
			assert.Equal(t, tc.head, head, tc.in)
			assert.Equal(t, tc.st, st, tc.in)
		}
	}
}

func TestLooksLikeName(t *testing.T) {
	yes := []string{"Alice", "alice", "alice.rao", "@alice", "Alice Rao", "José de la Cruz", "Bob O'Neil",
		"R2 D2", "A B C D E", strings.Repeat("a", 64)}
	no := []string{"", "Alice.", "A B C D E F", "Deploy at", "the Team", "Rolling back now", "ok, thanks", "-alice", "Alice Rao: hi",
		strings.Repeat("a", 65), "Alice loooong Rao", "Dan Okafor (SRE)"}
	for _, s := range yes {
		assert.True(t, looksLikeName(s), s)
	}
	for _, s := range no {
		assert.False(t, looksLikeName(s), s)
	}
}

func TestSlackLineHelpers(t *testing.T) {
	for _, s := range []string{":+1: 3", "👍 2", "👍 2  🎉 1", ":white_check_mark::skin-tone-2: 12", "❤️ 1", "👩‍💻 4"} {
		assert.True(t, isReactionLine(s), s)
	}
	for _, s := range []string{":+1:", "3", ":+1: x", "ok 3", ":+1: 3 :eyes:", ":Bad: 1", "::", "é 2", ":+1: 12345", "👍👍👍👍👍👍👍👍👍👍👍 1"} {
		assert.False(t, isReactionLine(s), s)
	}
	for in, want := range map[string]int{"8": 8, "8th": 8, "1st": 1, "22nd": 22, "23RD": 23} {
		n, ok := ordinal(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, n, in)
	}
	for _, in := range []string{"", "th", "123", "8x", "8thh"} {
		_, ok := ordinal(in)
		assert.False(t, ok, in)
	}
	for in, want := range map[string]string{
		"joined #inc.": ReasonJoinLeave, "Alice Rao joined #inc": ReasonJoinLeave, "left #inc": ReasonJoinLeave,
		"joined #inc along with 3 others.": ReasonJoinLeave, "Bob was added to #inc by Alice.": ReasonJoinLeave,
		"was removed from #inc": ReasonJoinLeave, "has joined the channel": ReasonJoinLeave,
		"set the channel topic: x": ReasonChannelEvent, "Alice renamed the channel from a to b": ReasonChannelEvent,
		"I joined #inc to help": "", "rejoined #inc": "", "joined #": "", "we have set the channel topic": ReasonChannelEvent,
		"preset the channel topic": "", "hello": "",
	} {
		assert.Equal(t, want, slackNoise(in), in)
	}
	for in, want := range map[string][2]any{"Grafana APP": {"Grafana", true}, "Grafana BOT": {"Grafana", true}, "APP": {"APP", false}, "Alice": {"Alice", false}} {
		name, bot := slackName(in)
		assert.Equal(t, want[0], name, in)
		assert.Equal(t, want[1], bot, in)
	}
}

func TestParseSlackTS(t *testing.T) {
	cases := []struct {
		in   string
		ok   bool
		want time.Time
	}{
		{"1741430520.000200", true, time.Unix(1741430520, 0).UTC()},
		{"1741430520.123999", true, time.Unix(1741430520, 123_000_000).UTC()},
		{"1741430520.5", true, time.Unix(1741430520, 500_000_000).UTC()},
		{"1741430520", true, time.Unix(1741430520, 0).UTC()},
		{"99999999999", true, time.Unix(99999999999, 0).UTC()},
		{"999999999999", false, time.Time{}},
		{"", false, time.Time{}},
		{".5", false, time.Time{}},
		{"17414x0520", false, time.Time{}},
		{"1741430520.12x", false, time.Time{}},
		{"-1", false, time.Time{}},
	}
	for _, tc := range cases {
		got, ok := parseSlackTS(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestCleaning(t *testing.T) {
	assert.Equal(t, "bold red plain", stripIRCFormatting("\x02bold\x02 \x0304red\x03 \x0304,12plain"))
	assert.Equal(t, ",", stripIRCFormatting("\x031,"), "a comma without a background colour stays")
	assert.Equal(t, "35 done", stripIRCFormatting("\x031235 done"), "colours have at most two digits")
	assert.Equal(t, ",x", stripIRCFormatting("\x03,x"), "a comma needs a foreground colour first")
	assert.Equal(t, "x", stripIRCFormatting("\x0f\x11\x16\x1d\x1e\x1fx"))
	assert.Equal(t, "a\n\n  b", cleanBody("\n\n a\x07 \n\n  b  \n\n"[2:]))
	assert.Equal(t, "Alice Rao", cleanAuthor(" Alice\x00  Rao\n"))
	for in, want := range map[string]string{"done (edited)": "done", "done (EDITED) \n": "done", "(edited)": "", "(edited) x": "(edited) x", "ed": "ed"} {
		assert.Equal(t, want, removeEdited(in), in)
	}
	assert.Equal(t, "ok", truncateText("  ok  "))
	assert.Equal(t, strings.Repeat("é", maxSkippedText), truncateText(strings.Repeat("é", maxSkippedText)))
}

func TestCheckTextControlThreshold(t *testing.T) {
	// A quarter of control characters is tolerated; more is binary.
	assert.Equal(t, "", checkText("\x01abc"))
	assert.NotEqual(t, "", checkText("\x01\x01abc"))
	assert.Equal(t, "", checkText("\t\n\rx"))
	assert.Equal(t, "", checkText(strings.Repeat("x", MaxBytes)))
}
