package transcript

import (
	"fmt"
	"strings"
	"time"
)

// One-line formats: IRC clients' logs, generic "time name: text" lines and
// Teams' "[date time] Name: text" copies, plus Teams' header form.

// ircLine reads irssi, weechat and similar logs:
//
//	--- Day changed Sun Mar 08 2026
//	[10:42:05] <alice> text       10:42 <@alice> text      10:42  * alice waves
//	10:42 -!- bob [~bob@host] has joined #incident
//	2026-03-08 10:42:05\talice\ttext   (weechat)
func ircLine(p *lineParser, i int, s string) (match, bool) {
	if strings.HasPrefix(s, "---") {
		return ircMarker(s)
	}
	if m, ok := weechatLine(s); ok {
		return m, true
	}
	st, rest, ok := scanLeadingStamp(s, false)
	if !ok || rest == "" {
		return match{}, false
	}
	switch {
	case rest[0] == '<':
		end := strings.IndexByte(rest, '>')
		if end < 0 {
			return match{}, false
		}
		nick := ircNick(rest[1:end])
		if nick == "" {
			return match{}, false
		}
		return match{kind: mMessage, st: st, author: nick, text: strings.TrimSpace(rest[end+1:])}, true
	case strings.HasPrefix(rest, "-!-"), strings.HasPrefix(rest, "***"), strings.HasPrefix(rest, "-->"),
		strings.HasPrefix(rest, "<--"), strings.HasPrefix(rest, "--"):
		return match{kind: mNoise, reason: ircNoiseReason(rest)}, true
	case rest[0] == '*':
		nick, text, _ := strings.Cut(strings.TrimSpace(rest[1:]), " ")
		nick = ircNick(nick)
		if nick == "" {
			return match{}, false
		}
		return match{kind: mMessage, st: st, author: nick, text: strings.TrimSpace(nick + " " + text)}, true
	}
	return match{}, false
}

// ircNick strips spaces and a channel mode prefix (@op, +voice, ...).
func ircNick(s string) string {
	s = strings.TrimLeft(strings.TrimSpace(s), "@+%~&!")
	if s == "" || strings.ContainsAny(s, " \t") {
		return ""
	}
	return s
}

func ircNoiseReason(s string) string {
	l := strings.ToLower(s)
	for _, v := range []string{"has joined", "has quit", "has left", "joined", "quit", "left", "parted",
		"is now known as", "mode/", "sets mode", "changed mode", "kicked"} {
		if strings.Contains(l, v) {
			return ReasonJoinLeave
		}
	}
	return "status line"
}

// ircMarker reads irssi's "--- Day changed Sun Mar 08 2026" and
// "--- Log opened Sun Mar 08 10:00:00 2026"; other "---" lines are noise.
func ircMarker(s string) (match, bool) {
	rest := strings.TrimSpace(strings.TrimLeft(s, "-"))
	for _, p := range []struct{ prefix, layout string }{
		{"Day changed ", "Mon Jan 02 2006"},
		{"Log opened ", "Mon Jan 02 15:04:05 2006"},
	} {
		v, ok := strings.CutPrefix(rest, p.prefix)
		if !ok {
			continue
		}
		v = strings.Join(strings.Fields(v), " ")
		t, err := time.Parse(p.layout, v)
		if err != nil {
			t, err = time.Parse(strings.Replace(p.layout, "02", "_2", 1), v)
		}
		if err != nil {
			return match{kind: mDate, reason: fmt.Sprintf("cannot read the day in %q", s)}, true
		}
		d := civil{t.Year(), t.Month(), t.Day()}
		if len(v) < 3 {
			return match{kind: mDate, reason: fmt.Sprintf("cannot read the day in %q", s)}, true
		}
		if wd, ok := dayNames[strings.ToLower(v[:3])]; !ok || wd != d.weekday() {
			return match{kind: mDate, reason: fmt.Sprintf("the weekday in %q does not match its date", s)}, true
		}
		return match{kind: mDate, date: d}, true
	}
	if strings.HasPrefix(rest, "Log closed") {
		return match{kind: mNoise, reason: "log marker"}, true
	}
	return match{}, false
}

// weechatLine reads "2026-03-08 10:42:05<TAB>prefix<TAB>text".
func weechatLine(s string) (match, bool) {
	f := strings.SplitN(s, "\t", 3)
	if len(f) != 3 {
		return match{}, false
	}
	st, rest, ok := scanLeadingStamp(f[0], false)
	if !ok || rest != "" || !st.hasDate {
		return match{}, false
	}
	prefix, text := strings.TrimSpace(f[1]), strings.TrimSpace(f[2])
	switch prefix {
	case "-->", "<--", "--", "=!=", "":
		return match{kind: mNoise, reason: ircNoiseReason(prefix + " " + text)}, true
	case "*":
		nick, _, _ := strings.Cut(text, " ")
		if nick = ircNick(nick); nick == "" {
			return match{}, false
		}
		return match{kind: mMessage, st: st, author: nick, text: text}, true
	}
	nick := ircNick(prefix)
	if nick == "" {
		return match{}, false
	}
	return match{kind: mMessage, st: st, author: nick, text: text}, true
}

// genericLine reads "HH:MM[:SS] name: text", "2026-03-08 10:42 name: text" and
// "2026-03-08T10:42:05+01:00 name: text", the time optionally in brackets.
func genericLine(p *lineParser, i int, s string) (match, bool) {
	st, rest, ok := scanLeadingStamp(s, true)
	if !ok {
		return match{}, false
	}
	rest = strings.TrimPrefix(strings.TrimPrefix(rest, "- "), "| ")
	name, text, ok := cutName(rest)
	if !ok {
		return match{}, false
	}
	return match{kind: mMessage, st: st, author: name, text: text, cont: true}, true
}

// cutName splits "Alice Rao: text" at the first colon that ends a plausible name.
func cutName(s string) (name, text string, ok bool) {
	k := strings.IndexByte(s, ':')
	if k <= 0 || (k+1 < len(s) && s[k+1] != ' ' && s[k+1] != '\t') {
		return "", "", false
	}
	name = strings.TrimSpace(s[:k])
	if name == "" || strings.ContainsAny(name, "<>[]") || strings.Contains(name, "//") || len(strings.Fields(name)) > 5 || len(name) > 64 {
		return "", "", false
	}
	if first := name[0]; !isWordByte(first) && first != '@' {
		return "", "", false
	}
	return name, strings.TrimSpace(s[k+1:]), true
}

// teamsBracket reads "[08/03/2026 10:42] Alice Rao: text" (day/month/year).
func teamsBracket(p *lineParser, i int, s string) (match, bool) {
	if !strings.HasPrefix(s, "[") {
		return match{}, false
	}
	d, rest, bad, ok := scanDMY(s[1:])
	if !ok {
		return match{}, false
	}
	rest = strings.TrimPrefix(rest, ",")
	if !strings.HasPrefix(rest, " ") {
		return match{}, false
	}
	c, rest, ok := scanClock(strings.TrimLeft(rest, " "), true)
	if !ok || !strings.HasPrefix(rest, "] ") {
		return match{}, false
	}
	name, text, ok := cutName(strings.TrimSpace(rest[2:]))
	if !ok {
		return match{}, false
	}
	st := stamp{clock: c, date: d, hasDate: true, dateErr: bad}
	return match{kind: mMessage, st: st, author: name, text: text, cont: true}, true
}

// teamsHeader reads Teams' multi-line form: "Alice Rao 10:42" or "Alice Rao,
// 08/03/2026 10:42" on a line of its own, the message on the lines below.
func teamsHeader(p *lineParser, i int, s string) (match, bool) {
	head, st, ok := splitTrailingStamp(s, true)
	if !ok || !p.isName(head) {
		return match{}, false
	}
	return match{kind: mMessage, st: st, author: head, cont: true}, true
}
