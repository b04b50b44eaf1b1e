package transcript

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Slack desktop copy-paste looks like:
//
//	Today
//	Alice Rao  10:42 AM
//	checkout 5xx are climbing (edited)
//	:eyes: 2
//	10:43
//	second message from Alice, no name line
//	Bob Stone
//	10:44 AM
//	newer Slack puts the time on its own line
//
// A name line is a header when a time ends it, or when the next non-blank
// line is a bare time. A bare time after a message starts a new message by
// the same person.

func slackLine(p *lineParser, i int, s string) (match, bool) {
	if m, ok := slackDivider(p, s); ok {
		return m, true
	}
	if strings.EqualFold(s, "new") || strings.EqualFold(s, "new messages") {
		return match{kind: mNoise, reason: "divider"}, true
	}
	if isReactionLine(s) {
		return match{kind: mReaction}, true
	}
	if r := slackNoise(s); r != "" {
		return match{kind: mNoise, reason: r}, true
	}
	if st, ok := bareTime(s); ok {
		if st.ampm == 0 && p.twelveHour && st.h >= 1 && st.h <= 12 {
			st.ampm = '?'
		}
		return match{kind: mBareTime, st: st, cont: true}, true
	}
	if head, st, ok := splitTrailingStamp(s, false); ok {
		if name, bot := slackName(head); p.isName(name) {
			return match{kind: mMessage, st: st, author: name, bot: bot, cont: true}, true
		}
	}
	if name, bot := slackName(s); p.isName(name) {
		if j := p.nextNonBlank(i); j > 0 {
			if st, ok := bareTime(strings.TrimSpace(p.lines[j])); ok && p.nameLineStarts(name) {
				return match{kind: mMessage, st: st, author: name, bot: bot, cont: true, extra: j - i}, true
			}
		}
	}
	return match{}, false
}

func (p *lineParser) isName(s string) bool { return p.known[s] || looksLikeName(s) }

// nameLineStarts decides whether a line above a bare time is a new author
// or the last line of the message being read ("ok" above "10:43" is text).
// It is a name when no message is open, when that person has spoken before,
// or when it is several capitalised words (looksLikeName checked the case).
func (p *lineParser) nameLineStarts(name string) bool {
	return p.cur == nil || p.known[name] || len(strings.Fields(name)) > 1
}

// nextNonBlank returns the index of the next non-blank line within two lines, or -1.
func (p *lineParser) nextNonBlank(i int) int {
	for j := i + 1; j < len(p.lines) && j <= i+2; j++ {
		if strings.TrimSpace(p.lines[j]) != "" {
			return j
		}
	}
	return -1
}

// slackName strips the "APP"/"BOT" badge Slack shows after a bot's name.
func slackName(s string) (name string, bot bool) {
	for _, badge := range []string{" APP", " BOT"} {
		if strings.HasSuffix(s, badge) && len(s) > len(badge) {
			return strings.TrimSpace(s[:len(s)-len(badge)]), true
		}
	}
	return s, false
}

// bareTime reads a line that is only a time: "10:43", "10:43 AM", "[10:43]".
func bareTime(s string) (stamp, bool) {
	t := s
	if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
		t = t[1 : len(t)-1]
	}
	c, rest, ok := scanClock(t, true)
	if !ok || rest != "" {
		return stamp{}, false
	}
	return stamp{clock: c}, true
}

// slackDivider reads "Today", "Yesterday", "Sunday, March 8th",
// "March 8th, 2026" and "Sunday, March 8th, 2026".
func slackDivider(p *lineParser, s string) (match, bool) {
	loc := p.opt.Location
	today := civilOf(p.opt.Now, loc)
	switch strings.ToLower(strings.Trim(s, " -—")) {
	case "today":
		return match{kind: mDate, date: today}, true
	case "yesterday":
		return match{kind: mDate, date: civilOf(time.Date(today.y, today.m, today.d-1, 12, 0, 0, 0, time.UTC), time.UTC)}, true
	}
	f := strings.Fields(strings.ToLower(strings.ReplaceAll(s, ",", " , ")))
	// [weekday ,] month day [, year]
	var wd time.Weekday
	hasWD := false
	if len(f) >= 2 && f[1] == "," {
		d, ok := dayNames[f[0]]
		if !ok {
			return match{}, false
		}
		wd, hasWD, f = d, true, f[2:]
	}
	if len(f) < 2 {
		return match{}, false
	}
	month, ok := monthNames[f[0]]
	if !ok {
		return match{}, false
	}
	day, ok := ordinal(f[1])
	if !ok {
		return match{}, false
	}
	f = f[2:]
	year, hasYear := 0, false
	switch {
	case len(f) == 0:
	case len(f) == 2 && f[0] == "," && len(f[1]) == 4 && digitsUpTo(f[1], 4) == 4:
		year, hasYear = atoi(f[1]), true
	default:
		return match{}, false
	}
	// Slack leaves out the year for this year's days.
	years := []int{year}
	if !hasYear {
		years = []int{today.y, today.y - 1}
	}
	for _, y := range years {
		d, ok := makeCivil(y, month, day)
		if !ok {
			continue
		}
		if !hasYear && time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC).After(time.Date(today.y, today.m, today.d, 0, 0, 0, 0, time.UTC)) {
			continue
		}
		if hasWD && d.weekday() != wd {
			continue
		}
		return match{kind: mDate, date: d}, true
	}
	why := fmt.Sprintf("the day divider %q names no day this tool can place", s)
	if hasWD {
		why = fmt.Sprintf("the day divider %q does not match its weekday (or names a day in the future)", s)
	}
	return match{kind: mDate, reason: why}, true
}

// ordinal reads "8", "8th", "1st", "22nd", "23rd".
func ordinal(s string) (int, bool) {
	n := digitsUpTo(s, 3)
	if n == 0 || n > 2 {
		return 0, false
	}
	switch strings.ToLower(s[n:]) {
	case "", "st", "nd", "rd", "th":
	default:
		return 0, false
	}
	return atoi(s[:n]), true
}

// isReactionLine reads Slack's reaction counts: ":+1: 3", "👍 2  🎉 1",
// ":white_check_mark::skin-tone-2: 1".
func isReactionLine(s string) bool {
	f := strings.Fields(s)
	if len(f) < 2 || len(f)%2 != 0 {
		return false
	}
	for i := 0; i < len(f); i += 2 {
		if !isEmojiToken(f[i]) || digitsUpTo(f[i+1], 4) != len(f[i+1]) {
			return false
		}
	}
	return true
}

// isEmojiToken reports ":name:" (possibly several) or a run of pictographs.
func isEmojiToken(s string) bool {
	if len(s) > 2 && s[0] == ':' && s[len(s)-1] == ':' {
		for _, r := range s {
			if !(r == ':' || r == '_' || r == '-' || r == '+' || r == '\'' || ('a' <= r && r <= 'z') || ('0' <= r && r <= '9')) {
				return false
			}
		}
		return true
	}
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < 0x2000 || unicode.IsLetter(r) || unicode.IsDigit(r) {
			if r != 0x200d && r != 0xfe0f {
				return false
			}
		}
	}
	return utf8.RuneCountInString(s) <= 10
}

// slackNoise returns the reason for a channel membership or topic line, or "".
func slackNoise(s string) string {
	l := strings.ToLower(strings.TrimSuffix(s, "."))
	for _, v := range []string{"joined ", "left ", "was added to ", "was removed from "} {
		if k := strings.Index(l, v+"#"); k == 0 || (k > 0 && l[k-1] == ' ') {
			rest := l[k+len(v)+1:]
			if name, tail, _ := strings.Cut(rest, " "); name != "" && (tail == "" || strings.HasPrefix(tail, "along with") || strings.HasPrefix(tail, "by ")) {
				return ReasonJoinLeave
			}
		}
	}
	if strings.HasSuffix(l, "has joined the channel") || strings.HasSuffix(l, "has left the channel") {
		return ReasonJoinLeave
	}
	for _, v := range []string{"set the channel topic", "set the channel description", "set the channel purpose",
		"cleared the channel topic", "renamed the channel", "changed the channel name", "archived the channel"} {
		if k := strings.Index(l, v); k == 0 || (k > 0 && l[k-1] == ' ') {
			return ReasonChannelEvent
		}
	}
	return ""
}
