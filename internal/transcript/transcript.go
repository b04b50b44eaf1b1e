// Package transcript turns pasted or exported chat transcripts (Slack,
// Microsoft Teams, Mattermost, Zulip, IRC logs and plain "time name: text"
// lines) into timeline entries with UTC times.
//
// It is pure: no store, no network, and no clock but Options.Now. It never
// guesses a time: a line it cannot place is returned in Result.Skipped with a
// reason, for a person to decide about.
//
// How times are read:
//   - JSON exports (Slack ts, Mattermost create_at, Zulip timestamp) carry
//     instants; Location and Date do not apply.
//   - An explicit offset or Z in the text wins over Location.
//   - Other times are wall-clock times in Location on the current day: a
//     date written on the line, else the last day divider ("Today",
//     "Sunday, March 8th", irssi's "Day changed"), else Options.Date, else
//     Now's day. When the clock goes backwards from one message to the next
//     (23:58, then 00:03) the day rolls over, and the entry's Note says so.
//   - A wall time that does not exist (spring forward) is skipped with the
//     reason. One that happens twice (fall back) takes the earlier instant,
//     unless the message before it was already past that instant on the same
//     day (the transcript is in the repeated hour's second pass), in which
//     case the later one; either way Ambiguous is set and Note says which.
//   - A divider that names an impossible day, or a weekday that does not
//     match its date, makes the day unknown: the messages under it are
//     skipped until the next divider, rather than put on a guessed day.
//   - Slack's follow-up times under a "10:42 PM" header are written without
//     AM/PM; they take the first reading not before the previous message.
//
// Detection: JSON input is read as the JSON format its first message looks
// like; otherwise every line format is tried and the one that recognises
// most lines wins. See lines.go for how mixed pastes are read.
package transcript

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/debrief-dev/debrief/internal/model"
)

// Formats, as the API names them ("auto" detects one).
const (
	FormatAuto        = "auto"
	FormatSlackCopy   = "slack-copy"
	FormatSlackExport = "slack-export"
	FormatTeams       = "teams"
	FormatMattermost  = "mattermost" // Mattermost bulk export (JSONL) and Zulip JSON
	FormatIRC         = "irc"
	FormatGeneric     = "generic"
)

// Formats lists every format Parse can read, in the order a form offers them.
var Formats = []string{FormatSlackCopy, FormatSlackExport, FormatTeams, FormatMattermost, FormatIRC, FormatGeneric}

// Limits on what Parse accepts.
const (
	// MaxBytes is the largest text Parse reads.
	MaxBytes = 8 << 20
	// MaxLines is the most lines a line-oriented transcript may have, and the
	// most messages a JSON export may hold (exports are pretty-printed, so
	// their line count says little about their size).
	MaxLines = 50_000
	// MaxBodyLen is the longest message, in characters, that fits a timeline
	// entry; longer messages are skipped, not truncated.
	MaxBodyLen = model.MaxEntryBodyLen
)

// Kinds a message can be given; they are model.EntryKind values.
const (
	KindObservation   = string(model.KindObservation)
	KindAction        = string(model.KindAction)
	KindDecision      = string(model.KindDecision)
	KindCommunication = string(model.KindCommunication)
	KindAlert         = string(model.KindAlert)
	KindDeploy        = string(model.KindDeploy)
)

// Reasons a line or message is skipped that callers may want to match on.
const (
	ReasonJoinLeave    = "join/leave"
	ReasonReaction     = "reaction"
	ReasonTooLong      = "longer than 10 000 characters"
	ReasonEmpty        = "empty message"
	ReasonChannelEvent = "channel event"
)

// Options says how to read a transcript.
type Options struct {
	Format   string         // "" or "auto": detect
	Location *time.Location // zone for times written without one (required)
	Date     time.Time      // the calendar day of the first message when the text names no date, its Y-M-D as written (in Date's own location, so time.Parse(time.DateOnly, "2026-03-08") means March 8 in any zone); zero: Now's day in Location
	Now      time.Time      // the present, for "Today"/"Yesterday" dividers and the default date; zero: time.Now()
}

// Entry is one message, ready to become a timeline entry.
type Entry struct {
	OccurredAt time.Time // UTC, to the second (or ms when the source has it, e.g. Slack ts)
	Author     string
	Body       string // Markdown text; Slack markup turned into text/links
	Kind       string // observation, action, decision, communication, alert or deploy
	Line       int    // 1-based line where the message starts (JSON array: index+1 of the message)
	Ambiguous  bool   // the local time happened twice (DST fall-back)
	Note       string // a human note on how the time was read, e.g. which of two instants was taken
}

// Skipped is a line or message Parse could not place, with the reason.
type Skipped struct {
	Line   int
	Text   string
	Reason string
}

// Result is what Parse found: the format it read, the entries in input
// order, and what it skipped.
type Result struct {
	Format  string
	Entries []Entry
	Skipped []Skipped
}

// maxSkippedText bounds Skipped.Text so a preview of a huge bad paste stays small.
const maxSkippedText = 500

// Parse reads text as a chat transcript. It never panics and never guesses:
// lines it cannot place go to Result.Skipped with a reason. Bad input (empty,
// too big, binary, not UTF-8, unknown format, no zone) is a
// *model.ValidationError naming the field: text, format or timezone.
func Parse(text string, opt Options) (*Result, error) {
	v := model.NewValidationError()
	if opt.Location == nil {
		v.Add("timezone", "is required")
	}
	format := strings.ToLower(strings.TrimSpace(opt.Format))
	if format == "" {
		format = FormatAuto
	}
	if format != FormatAuto && !slices.Contains(Formats, format) {
		v.Add("format", fmt.Sprintf("unknown format %q; use auto or one of %s", opt.Format, strings.Join(Formats, ", ")))
	}
	if reason := checkText(text); reason != "" {
		v.Add("text", reason)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	text = normalizeNewlines(strings.TrimPrefix(text, "\uFEFF"))

	if format == FormatAuto {
		format = detectJSON(text)
	}
	switch format {
	case FormatSlackExport:
		return parseSlackExport(text)
	case FormatMattermost:
		return parseMattermost(text)
	}
	lines := strings.Split(text, "\n")
	if len(lines) > MaxLines {
		return nil, model.FieldError("text", fmt.Sprintf("has more than %d lines (got %d)", MaxLines, len(lines)))
	}
	if format == FormatAuto {
		format = detectLines(lines, opt)
		return parseLines(lines, opt, format, true), nil
	}
	return parseLines(lines, opt, format, false), nil
}

// checkText returns why text cannot be read at all, or "".
func checkText(text string) string {
	if len(text) > MaxBytes {
		return fmt.Sprintf("is larger than %d MiB (got %d bytes)", MaxBytes>>20, len(text))
	}
	if !utf8.ValidString(text) {
		return "is not valid UTF-8 text"
	}
	if strings.TrimSpace(strings.TrimPrefix(text, "\uFEFF")) == "" {
		return "is required"
	}
	if strings.IndexByte(text, 0) >= 0 {
		return "looks like binary data (it contains NUL bytes), not a chat transcript"
	}
	// IRC logs carry some colour codes, so only refuse text that is mostly
	// control characters.
	var runes, controls int
	for _, r := range text {
		runes++
		if isJunkControl(r) {
			controls++
		}
	}
	if controls*4 > runes {
		return "looks like binary data (mostly control characters), not a chat transcript"
	}
	return ""
}

// isJunkControl reports control characters other than tab and line breaks.
func isJunkControl(r rune) bool {
	return r != '\t' && r != '\n' && r != '\r' && unicode.IsControl(r)
}

func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// finish turns a message's raw text into an entry, or says why it is skipped.
// defaultKind is used when the text starts with no kind prefix.
func finish(e Entry, body, defaultKind string) (Entry, string) {
	body = cleanBody(body)
	if body == "" {
		return e, ReasonEmpty
	}
	e.Kind, body = guessKind(body, defaultKind)
	if utf8.RuneCountInString(body) > MaxBodyLen {
		return e, ReasonTooLong
	}
	e.Body = body
	e.Author = cleanAuthor(e.Author)
	if y := e.OccurredAt.Year(); y < 1970 || y > 9999 {
		return e, "time out of range (before 1970 or after 9999)"
	}
	return e, ""
}

// cleanBody drops control characters (IRC colour codes among them), trailing
// spaces, and space at either end (the store trims bodies too).
func cleanBody(s string) string {
	s = stripIRCFormatting(s)
	s = strings.Map(func(r rune) rune {
		if isJunkControl(r) {
			return -1
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func cleanAuthor(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// stripIRCFormatting removes mIRC formatting codes: bold, colour (with its
// digits), reset, reverse, italic, underline, strike and monospace.
func stripIRCFormatting(s string) string {
	if !strings.ContainsAny(s, "\x02\x03\x0f\x11\x16\x1d\x1e\x1f") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case 0x02, 0x0f, 0x11, 0x16, 0x1d, 0x1e, 0x1f:
			continue
		case 0x03:
			i += colourDigits(s[i+1:])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// colourDigits returns how many bytes of "NN[,NN]" follow a colour code.
func colourDigits(s string) int {
	n := digitsUpTo(s, 2)
	if n > 0 && n < len(s) && s[n] == ',' {
		if m := digitsUpTo(s[n+1:], 2); m > 0 {
			n += 1 + m
		}
	}
	return n
}

func digitsUpTo(s string, max int) int {
	n := 0
	for n < len(s) && n < max && isDigit(s[n]) {
		n++
	}
	return n
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// kindPrefixes maps a leading "word:" to the kind it announces.
var kindPrefixes = map[string]string{
	"observation": KindObservation, "obs": KindObservation, "note": KindObservation,
	"action": KindAction, "todo": KindAction,
	"decision": KindDecision, "decided": KindDecision,
	"comms": KindCommunication, "comm": KindCommunication, "communication": KindCommunication,
	"announcement": KindCommunication, "fyi": KindCommunication,
	"alert": KindAlert, "alarm": KindAlert,
	"deploy": KindDeploy, "deployed": KindDeploy, "deployment": KindDeploy,
}

// guessKind reads a leading "decision:" (or "[decision]") and returns the kind
// and the body without it. A prefix with nothing after it is left alone.
func guessKind(body, defaultKind string) (kind, rest string) {
	var word, after string
	switch {
	case strings.HasPrefix(body, "["):
		w, a, ok := strings.Cut(body[1:], "]")
		if !ok {
			return defaultKind, body
		}
		word, after = w, a
	default:
		w, a, ok := strings.Cut(body, ":")
		if !ok || len(w) > len("communication") {
			return defaultKind, body
		}
		word, after = w, a
	}
	k, ok := kindPrefixes[strings.ToLower(strings.TrimSpace(word))]
	after = strings.TrimSpace(after)
	if !ok || after == "" {
		return defaultKind, body
	}
	return k, after
}

// truncateText shortens s for Skipped.Text.
func truncateText(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= maxSkippedText {
		return s
	}
	r := []rune(s)
	return string(r[:maxSkippedText]) + "…"
}
