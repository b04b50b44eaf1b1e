package transcript

import (
	"strings"
)

// Line-oriented formats (Slack copy, Teams, IRC, generic) share one engine:
// each format is a set of grammars, functions that recognise one kind of line
// (a message, a day divider, noise). A line no grammar recognises continues
// the message above when that message's format allows continuation lines,
// and is skipped otherwise.
//
// Mixed pastes: when auto-detection picks one of the one-line formats (IRC,
// generic, Teams "[date time] Name: text"), every line is tried against all
// three, the detected one first, so a paste that mixes IRC and generic lines
// keeps both. Inside a Slack or Teams multi-line paste every line that is not
// a header is message text: a log line quoted in a message must stay in it.

type matchKind uint8

const (
	mMessage  matchKind = iota + 1 // time and author (and maybe text)
	mBareTime                      // Slack: a new message by the previous author
	mDate                          // a day divider
	mNoise                         // skipped with reason
	mReaction                      // Slack reaction counts: skipped, and they end a message
)

// match is what a grammar recognised on a line.
type match struct {
	kind   matchKind
	st     stamp
	author string
	text   string
	bot    bool
	cont   bool   // later unrecognised lines continue this message
	reason string // mNoise: why skipped; mDate: why the day cannot be read
	date   civil  // mDate
	extra  int    // further lines this match consumed (a Slack name line's time line)
}

type grammar func(p *lineParser, i int, s string) (match, bool)

// grammarsFor returns the grammars of a format; mixed adds the other one-line formats.
func grammarsFor(format string, mixed bool) []grammar {
	var own []grammar
	switch format {
	case FormatSlackCopy:
		return []grammar{slackLine}
	case FormatIRC:
		own = []grammar{ircLine}
	case FormatTeams:
		own = []grammar{teamsBracket, teamsHeader}
	default:
		own = []grammar{genericLine}
	}
	if !mixed {
		return own
	}
	for _, g := range []struct {
		format string
		g      grammar
	}{{FormatIRC, ircLine}, {FormatGeneric, genericLine}, {FormatTeams, teamsBracket}} {
		if g.format != format {
			own = append(own, g.g)
		}
	}
	return own
}

// pending is the message being collected.
type pending struct {
	line   int // 1-based
	head   string
	author string
	bot    bool
	cont   bool
	place  placement
	body   []string
	inline bool // body[0] is text from the header line
}

type lineParser struct {
	lines    []string
	format   string
	grammars []grammar
	day      *dayState
	opt      Options
	res      *Result

	explained  int             // lines a grammar recognised, for detection
	lastAuthor string          // for Slack's bare time lines
	lastBot    bool            //
	known      map[string]bool // authors seen on header lines
	twelveHour bool            // a header used AM/PM
	cur        *pending
}

// parseLines reads lines as format; mixed also tries the other one-line formats.
func parseLines(lines []string, opt Options, format string, mixed bool) *Result {
	p := newLineParser(lines, opt, format, mixed)
	p.run()
	return p.res
}

func newLineParser(lines []string, opt Options, format string, mixed bool) *lineParser {
	return &lineParser{
		lines:    lines,
		format:   format,
		grammars: grammarsFor(format, mixed && format != FormatSlackCopy),
		day:      newDayState(opt),
		opt:      opt,
		res:      &Result{Format: format},
		known:    map[string]bool{},
	}
}

func (p *lineParser) run() {
	for i := 0; i < len(p.lines); i++ {
		raw := strings.TrimRight(p.lines[i], " \t")
		s := strings.TrimSpace(raw)
		if s == "" {
			if p.cur != nil {
				p.cur.body = append(p.cur.body, "")
			}
			continue
		}
		m, ok := p.match(i, s)
		if !ok {
			p.unrecognised(i, raw, s)
			continue
		}
		p.explained += 1 + m.extra
		switch m.kind {
		case mMessage, mBareTime:
			p.flush()
			p.start(i, m)
		case mDate:
			p.flush()
			if m.reason != "" {
				p.day.forget(m.reason)
				p.skip(i, s, m.reason)
			} else {
				p.day.setDate(m.date)
			}
		case mReaction:
			p.flush()
			p.skip(i, s, ReasonReaction)
		case mNoise:
			if c := p.cur; c != nil && strings.TrimSpace(strings.Join(c.body, "")) == "" {
				// "Alice Rao 10:40 AM" / "joined #incident-42.": the whole message is noise.
				p.cur = nil
				p.skip(c.line-1, c.head+"\n"+s, m.reason)
				break
			}
			p.flush()
			p.skip(i, s, m.reason)
		}
		i += m.extra
	}
	p.flush()
}

func (p *lineParser) match(i int, s string) (match, bool) {
	for _, g := range p.grammars {
		if m, ok := g(p, i, s); ok {
			return m, true
		}
	}
	return match{}, false
}

func (p *lineParser) unrecognised(i int, raw, s string) {
	switch {
	case p.cur != nil && p.cur.cont:
		p.cur.body = append(p.cur.body, raw)
	case p.cur != nil:
		p.skip(i, s, "not a recognised line (each IRC line starts with a time)")
	default:
		p.skip(i, s, "not a message line, and no message above it to continue")
	}
}

func (p *lineParser) start(i int, m match) {
	author, bot := m.author, m.bot
	if m.kind == mBareTime {
		author, bot = p.lastAuthor, p.lastBot
	}
	c := &pending{line: i + 1, head: p.lines[i], author: author, bot: bot, cont: m.cont}
	if m.extra > 0 {
		c.head += "\n" + strings.Join(p.lines[i+1:i+1+m.extra], "\n")
	}
	if m.st.ampm == 'a' || m.st.ampm == 'p' {
		p.twelveHour = true
	}
	switch {
	case author == "":
		c.place = placement{skip: "a time with no author above it"}
	default:
		c.place = p.day.place(m.st)
	}
	if m.text != "" {
		c.body, c.inline = append(c.body, m.text), true
	}
	if m.kind == mMessage {
		p.lastAuthor, p.lastBot = author, bot
		p.known[author] = true
	}
	p.cur = c
}

func (p *lineParser) flush() {
	c := p.cur
	if c == nil {
		return
	}
	p.cur = nil
	body := strings.Join(c.body, "\n")
	if c.place.skip != "" {
		p.skip(c.line-1, c.rawText(), c.place.skip)
		return
	}
	body = removeEdited(body)
	kind := KindObservation
	if c.bot {
		kind = KindAlert
	}
	e := Entry{OccurredAt: c.place.at, Author: c.author, Line: c.line, Ambiguous: c.place.ambiguous, Note: c.place.note}
	e, reason := finish(e, body, kind)
	if reason != "" {
		p.skip(c.line-1, c.rawText(), reason)
		return
	}
	p.res.Entries = append(p.res.Entries, e)
}

// rawText is the message as written, for Skipped.Text.
func (c *pending) rawText() string {
	rest := c.body
	if c.inline {
		rest = rest[1:]
	}
	return strings.Join(append([]string{c.head}, rest...), "\n")
}

func (p *lineParser) skip(i int, text, reason string) {
	p.res.Skipped = append(p.res.Skipped, Skipped{Line: i + 1, Text: truncateText(text), Reason: reason})
}

// removeEdited drops Slack's "(edited)" marker from the end of a message.
func removeEdited(s string) string {
	t := strings.TrimRight(s, " \n\t")
	const mark = "(edited)"
	if len(t) >= len(mark) && strings.EqualFold(t[len(t)-len(mark):], mark) {
		return strings.TrimRight(t[:len(t)-len(mark)], " \t")
	}
	return s
}

// detectLines picks the line format that recognises most lines; ties go to
// the more specific format (IRC, generic, Slack, Teams). With nothing
// recognised it answers generic, whose reasons are the plainest.
func detectLines(lines []string, opt Options) string {
	best, bestN := FormatGeneric, 0
	for _, f := range []string{FormatIRC, FormatGeneric, FormatSlackCopy, FormatTeams} {
		p := newLineParser(lines, opt, f, false)
		p.run()
		if p.explained > bestN {
			best, bestN = f, p.explained
		}
	}
	return best
}
