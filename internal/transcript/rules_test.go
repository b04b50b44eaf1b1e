package transcript

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parse runs Parse in Berlin on 2026-03-08 with "now" two days later.
func parse(t *testing.T, text, format string) *Result {
	t.Helper()
	loc := berlin(t)
	res, err := Parse(text, Options{Format: format, Location: loc,
		Date: time.Date(2026, 3, 8, 0, 0, 0, 0, loc), Now: time.Date(2026, 3, 10, 12, 0, 0, 0, loc)})
	require.NoError(t, err)
	checkInvariants(t, text, res)
	return res
}

type brief struct {
	Line   int
	At     string
	Author string
	Body   string
}

func briefs(res *Result) []brief {
	out := []brief{}
	for _, e := range res.Entries {
		out = append(out, brief{e.Line, e.OccurredAt.Format(time.RFC3339), e.Author, e.Body})
	}
	return out
}

func reasons(res *Result) map[int]string {
	out := map[int]string{}
	for _, s := range res.Skipped {
		out[s.Line] = s.Reason
	}
	return out
}

func TestMixedPasteKeepsEachOneLineFormat(t *testing.T) {
	text := strings.Join([]string{
		"[10:42:05] <alice> irc line",
		"10:43 Bob Stone: generic line",
		"[08/03/2026 10:44] Carol Diaz: teams line",
		"  continues the teams line",
		"10:45 <bob> irc again",
		"Alice Rao  10:46 AM",
		"garbage after an IRC line",
	}, "\n")
	res := parse(t, text, FormatAuto)
	assert.Equal(t, FormatIRC, res.Format)
	assert.Equal(t, []brief{
		{1, "2026-03-08T09:42:05Z", "alice", "irc line"},
		{2, "2026-03-08T09:43:00Z", "Bob Stone", "generic line"},
		{3, "2026-03-08T09:44:00Z", "Carol Diaz", "teams line\n  continues the teams line"},
		{5, "2026-03-08T09:45:00Z", "bob", "irc again"},
	}, briefs(res))
	assert.Equal(t, map[int]string{
		6: "not a recognised line (each IRC line starts with a time)",
		7: "not a recognised line (each IRC line starts with a time)",
	}, reasons(res))

	// Chosen explicitly, a format reads only its own lines.
	res = parse(t, text, FormatIRC)
	assert.Len(t, res.Entries, 2)
}

func TestDetection(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"irc", "[10:42:05] <alice> hi\n[10:42:06] <bob> yo", FormatIRC},
		{"weechat", "2026-03-08 10:42:05\talice\thi", FormatIRC},
		{"generic", "10:42 alice: hi\n10:43 bob: yo", FormatGeneric},
		{"teams bracket", "[08/03/2026 10:42] Alice Rao: hi", FormatTeams},
		{"teams header with date", "Alice Rao, 08/03/2026 10:42\nhi\nBob Stone, 08/03/2026 10:43\nyo", FormatTeams},
		{"slack header", "Alice Rao  10:42 AM\nhi\n10:43\nyo\n:+1: 2", FormatSlackCopy},
		{"slack name line", "Alice Rao\n10:42 AM\nhi", FormatSlackCopy},
		{"slack export", `[{"type":"message","ts":"1741430520.000200","text":"hi","user":"U1"}]`, FormatSlackExport},
		{"empty slack export", `[]`, FormatSlackExport},
		{"slack API response", `{"ok":true,"messages":[{"ts":"1741430520.000200","text":"hi","user":"U1"}]}`, FormatSlackExport},
		{"zulip", `[{"sender_full_name":"A","content":"hi","timestamp":1741430520}]`, FormatMattermost},
		{"zulip API response", `{"messages":[{"sender_full_name":"A","content":"hi","timestamp":1741430520}]}`, FormatMattermost},
		{"mattermost", `{"type":"post","post":{"user":"alice","message":"hi","create_at":1741430520123}}`, FormatMattermost},
		{"nothing", "just some words\nand more", FormatGeneric},
		{"JSON of something else", `{"a":1}`, FormatGeneric},
		{"array of numbers", `[1,2]`, FormatGeneric},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, parse(t, tc.text, FormatAuto).Format)
		})
	}
}

func TestJSONInstants(t *testing.T) {
	cases := []struct{ name, text, format string }{
		{"slack export", `[{"type":"message","ts":"1741430520.000200","text":"hi","user":"U1","user_profile":{"display_name":"alice"}}]`, FormatSlackExport},
		{"slack numeric ts", `[{"ts":1741430520.0002,"text":"hi","user":"U1","user_profile":{"display_name":"alice"}}]`, FormatSlackExport},
		{"mattermost", `{"type":"post","post":{"user":"alice","message":"hi","create_at":1741430520000}}`, FormatMattermost},
		{"zulip", `[{"sender_full_name":"alice","content":"hi","timestamp":1741430520}]`, FormatMattermost},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The zone and date options do not move an epoch instant.
			for _, loc := range []*time.Location{time.UTC, berlin(t)} {
				res, err := Parse(tc.text, Options{Location: loc, Date: time.Date(2020, 1, 1, 0, 0, 0, 0, loc)})
				require.NoError(t, err)
				require.Len(t, res.Entries, 1)
				assert.Equal(t, tc.format, res.Format)
				assert.Equal(t, time.Date(2025, 3, 8, 10, 42, 0, 0, time.UTC), res.Entries[0].OccurredAt)
				assert.Equal(t, "alice", res.Entries[0].Author)
			}
		})
	}
}

func TestSlackExportEdges(t *testing.T) {
	text := `{"messages":[
		{"type":"message","subtype":"bot_message","bot_id":"B1","bot_profile":{"name":"Grafana"},"ts":"1741430520","text":"CPU high"},
		{"type":"message","bot_id":"B2","ts":"1741430521","text":"deploy: web v2"},
		{"type":"message","ts":"1741430522","text":"nobody"},
		{"type":"event","ts":"1741430523","text":"x"},
		{"type":"message","user":"U1","ts":"99999999999999","text":"far"},
		{"type":"message","user":"U1","ts":"1.5","text":"1970"}
	]}`
	res := parse(t, text, FormatSlackExport)
	assert.Equal(t, []brief{
		{1, "2025-03-08T10:42:00Z", "Grafana", "CPU high"},
		{2, "2025-03-08T10:42:01Z", "B2", "web v2"},
		{6, "1970-01-01T00:00:01Z", "U1", "1970"},
	}, briefs(res))
	assert.Equal(t, KindAlert, res.Entries[0].Kind)
	assert.Equal(t, KindDeploy, res.Entries[1].Kind, "a prefix beats the bot default")
	assert.Equal(t, map[int]string{3: "no author", 4: `not a message (type "event")`, 5: `no valid ts (got "99999999999999")`}, reasons(res))
}

func TestSlackMarkup(t *testing.T) {
	names := map[string]string{"U1": "Alice Rao"}
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"<@U1> look", "@Alice Rao look"},
		{"<@U2>", "@U2"},
		{"<@U2|bob>", "@bob"},
		{"<#C1|ops> and <#C2>", "#ops and #C2"},
		{"<!here> <!channel> <!everyone>", "@here @channel @everyone"},
		{"<!subteam^S1|@sre>", "@sre"},
		{"<!subteam^S1>", "@subteam"},
		{"<!date^1741430520^{date}|Mar 8>", "Mar 8"},
		{"<https://x.example/a?b=1&amp;c=2|the [docs]>", "[the \\[docs\\]](https://x.example/a?b=1&c=2)"},
		{"<https://x.example/(a b)|label>", "[label](https://x.example/%28a%20b%29)"},
		{"<https://x.example>", "https://x.example"},
		{"<https://x.example|https://x.example>", "https://x.example"},
		{"<mailto:a@example.com|a@example.com>", "a@example.com"},
		{"<mailto:a@example.com|mail Alice>", "[mail Alice](mailto:a@example.com)"},
		{"a &lt;b&gt; &amp;amp; c", "a <b> &amp; c"},
		{"unclosed <https://x", "unclosed <https://x"},
		{"x &lt;<@U1>&gt;", "x <@Alice Rao>"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, slackText(tc.in, names), tc.in)
	}
}

func TestHTMLText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"<p>hi</p>", "hi"},
		{`<p>see <a href="https://x.example/A?b=1&amp;c=2">docs</a></p>`, "see [docs](https://x.example/A?b=1&c=2)"},
		{`<p><a href="https://x.example">https://x.example</a></p>`, "https://x.example"},
		{"<ul>\n<li>one</li>\n<li>two</li>\n</ul>", "- one\n- two"},
		{"<pre>a\n  b</pre>", "```\na\n  b\n```"},
		{"<p>a &lt; b</p>\n<p>c</p>", "a < b\n\nc"},
		{"<p>broken <b", "broken <b"},
		{`<p><a href="https://x.example">unclosed`, "unclosed"},
		{`<a>no href</a>`, "no href"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, htmlText(tc.in), tc.in)
	}
}

func TestGuessKind(t *testing.T) {
	cases := []struct{ in, kind, body string }{
		{"decision: roll back", KindDecision, "roll back"},
		{"Decision : roll back", KindDecision, "roll back"},
		{"DECIDED: freeze", KindDecision, "freeze"},
		{"action: page db team", KindAction, "page db team"},
		{"todo: write it up", KindAction, "write it up"},
		{"alert: disk full", KindAlert, "disk full"},
		{"deploy: v2", KindDeploy, "v2"},
		{"deployed: v2", KindDeploy, "v2"},
		{"comms: status page", KindCommunication, "status page"},
		{"communication: emailed", KindCommunication, "emailed"},
		{"fyi: heads up", KindCommunication, "heads up"},
		{"note: interesting", KindObservation, "interesting"},
		{"[decision] roll back", KindDecision, "roll back"},
		{"[Triggered] disk", KindObservation, "[Triggered] disk"},
		{"[decision roll back", KindObservation, "[decision roll back"},
		{"decision:", KindObservation, "decision:"},
		{"https://x.example", KindObservation, "https://x.example"},
		{"the decision: roll back", KindObservation, "the decision: roll back"},
		{"nothing here", KindObservation, "nothing here"},
	}
	for _, tc := range cases {
		kind, body := guessKind(tc.in, KindObservation)
		assert.Equal(t, tc.kind, kind, tc.in)
		assert.Equal(t, tc.body, body, tc.in)
	}
}

func TestLocalCandidates(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	lordHowe, err := time.LoadLocation("Australia/Lord_Howe") // 30-minute DST shift
	require.NoError(t, err)
	cases := []struct {
		name string
		loc  *time.Location
		d    civil
		c    clock
		want []string
	}{
		{"plain", berlin(t), civil{2026, 3, 8}, clock{h: 10, m: 42}, []string{"2026-03-08T09:42:00Z"}},
		{"Berlin gap", berlin(t), civil{2026, 3, 29}, clock{h: 2, m: 30}, nil},
		{"Berlin gap start", berlin(t), civil{2026, 3, 29}, clock{h: 2}, nil},
		{"Berlin after gap", berlin(t), civil{2026, 3, 29}, clock{h: 3}, []string{"2026-03-29T01:00:00Z"}},
		{"Berlin overlap", berlin(t), civil{2026, 10, 25}, clock{h: 2, m: 30}, []string{"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"}},
		{"Berlin overlap start", berlin(t), civil{2026, 10, 25}, clock{h: 2}, []string{"2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z"}},
		{"Berlin after overlap", berlin(t), civil{2026, 10, 25}, clock{h: 3}, []string{"2026-10-25T02:00:00Z"}},
		{"New York gap", ny, civil{2026, 3, 8}, clock{h: 2, m: 30}, nil},
		{"New York overlap", ny, civil{2026, 11, 1}, clock{h: 1, m: 30}, []string{"2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"}},
		{"Lord Howe overlap", lordHowe, civil{2026, 4, 5}, clock{h: 1, m: 45}, []string{"2026-04-04T14:45:00Z", "2026-04-04T15:15:00Z"}},
		{"UTC", time.UTC, civil{2026, 10, 25}, clock{h: 2, m: 30}, []string{"2026-10-25T02:30:00Z"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range localCandidates(tc.d, tc.c, tc.loc) {
				assert.Equal(t, time.UTC, c.Location())
				got = append(got, c.Format(time.RFC3339))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestSlackCopyRules(t *testing.T) {
	cases := []struct {
		name    string
		text    string
		want    []brief
		skipped map[int]string
	}{
		{"12-hour bare times inherit PM", "Alice Rao  11:58 AM\na\n12:03\nb\nBob Stone  1:05 PM\nc\n1:10\nd",
			[]brief{{1, "2026-03-08T10:58:00Z", "Alice Rao", "a"}, {3, "2026-03-08T11:03:00Z", "Alice Rao", "b"},
				{5, "2026-03-08T12:05:00Z", "Bob Stone", "c"}, {7, "2026-03-08T12:10:00Z", "Bob Stone", "d"}}, map[int]string{}},
		{"12-hour midnight", "Alice Rao  11:58 PM\na\n12:03\nb",
			[]brief{{1, "2026-03-08T22:58:00Z", "Alice Rao", "a"}, {3, "2026-03-08T23:03:00Z", "Alice Rao", "b"}}, map[int]string{}},
		{"bare 12-hour time after a divider is not guessed", "Alice Rao  9:58 PM\na\nToday\n10:03\nb",
			[]brief{{1, "2026-03-08T20:58:00Z", "Alice Rao", "a"}},
			map[int]string{4: "10:03 could be AM or PM and no message before it says which"}},
		{"24-hour", "alice  22:58\na\n23:03\nb",
			[]brief{{1, "2026-03-08T21:58:00Z", "alice", "a"}, {3, "2026-03-08T22:03:00Z", "alice", "b"}}, map[int]string{}},
		{"bracketed times", "Alice Rao [9:58 AM]\na\n[9:59 AM]\nb",
			[]brief{{1, "2026-03-08T08:58:00Z", "Alice Rao", "a"}, {3, "2026-03-08T08:59:00Z", "Alice Rao", "b"}}, map[int]string{}},
		{"time before any author", "10:42\ntext\nAlice Rao  10:43\nhi",
			[]brief{{3, "2026-03-08T09:43:00Z", "Alice Rao", "hi"}}, map[int]string{1: "a time with no author above it"}},
		{"text before any header", "orphan text\nAlice Rao  10:43\nhi",
			[]brief{{2, "2026-03-08T09:43:00Z", "Alice Rao", "hi"}}, map[int]string{1: "not a message line, and no message above it to continue"}},
		{"dividers", "Yesterday\nAlice Rao  10:00\na\nToday\nAlice Rao  10:00\nb\nSunday, March 1st\nAlice Rao  10:00\nc\nMarch 2nd, 2025\nAlice Rao  10:00\nd\nMonday, March 3rd, 2025\nAlice Rao  10:00\ne",
			[]brief{{2, "2026-03-09T09:00:00Z", "Alice Rao", "a"}, {5, "2026-03-10T09:00:00Z", "Alice Rao", "b"}, {8, "2026-03-01T09:00:00Z", "Alice Rao", "c"},
				{11, "2025-03-02T09:00:00Z", "Alice Rao", "d"}, {14, "2025-03-03T09:00:00Z", "Alice Rao", "e"}}, map[int]string{}},
		{"a date without a year after today is last year's", "December 24th\nAlice Rao  10:00\na",
			[]brief{{2, "2025-12-24T09:00:00Z", "Alice Rao", "a"}}, map[int]string{}},
		{"wrong weekday: the day is unknown until the next divider", "Monday, March 8th, 2026\nAlice Rao  10:00\na\nToday\nAlice Rao  10:00\nb",
			[]brief{{5, "2026-03-10T09:00:00Z", "Alice Rao", "b"}},
			map[int]string{1: `the day divider "Monday, March 8th, 2026" does not match its weekday (or names a day in the future)`,
				2: `the day is unknown: the day divider "Monday, March 8th, 2026" does not match its weekday (or names a day in the future)`}},
		{"impossible divider", "February 30th, 2026\nAlice Rao  10:00\na",
			nil, map[int]string{1: `the day divider "February 30th, 2026" names no day this tool can place`,
				2: `the day is unknown: the day divider "February 30th, 2026" names no day this tool can place`}},
		{"noise and reactions", "Alice Rao  10:00\njoined #inc along with 2 others.\nBob Stone  10:01\nhi\n:+1::skin-tone-2: 2 :eyes: 1\nBob Stone was added to #inc by Alice Rao.\nCarol Diaz has joined the channel\nNew messages",
			[]brief{{3, "2026-03-08T09:01:00Z", "Bob Stone", "hi"}},
			map[int]string{1: ReasonJoinLeave, 5: ReasonReaction, 6: ReasonJoinLeave, 7: ReasonJoinLeave, 8: "divider"}},
		{"text that mentions joining is kept", "Alice Rao  10:00\nI joined #inc to help",
			[]brief{{1, "2026-03-08T09:00:00Z", "Alice Rao", "I joined #inc to help"}}, map[int]string{}},
		{"bot badge", "Grafana  BOT  10:00\nCPU high",
			[]brief{{1, "2026-03-08T09:00:00Z", "Grafana", "CPU high"}}, map[int]string{}},
		{"sentence ending in a time is text", "Alice Rao  10:00\nwe restart at 10:30\nRestart done by 10:45",
			[]brief{{1, "2026-03-08T09:00:00Z", "Alice Rao", "we restart at 10:30\nRestart done by 10:45"}}, map[int]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := parse(t, tc.text, FormatSlackCopy)
			want := tc.want
			if want == nil {
				want = []brief{}
			}
			assert.Equal(t, want, briefs(res))
			assert.Equal(t, tc.skipped, reasons(res))
		})
	}
}

func TestLineRules(t *testing.T) {
	cases := []struct {
		name, format, text string
		want               []brief
		skipped            map[int]string
	}{
		{"generic AM/PM and separators", FormatGeneric, "10:42 PM - alice: a\n10:43 pm | bob: b\n[10:44:59.250] carol: c",
			[]brief{{1, "2026-03-08T21:42:00Z", "alice", "a"}, {2, "2026-03-08T21:43:00Z", "bob", "b"}, {3, "2026-03-09T09:44:59Z", "carol", "c"}}, map[int]string{}},
		{"generic offsets", FormatGeneric, "2026-03-08T10:42:05-05:00 alice: a\n2026-03-08 10:42:05+0530 bob: b\n2026-03-08T10:42:05.5z carol: c\n2026-03-08T10:42:05+01 dave: d",
			[]brief{{1, "2026-03-08T15:42:05Z", "alice", "a"}, {2, "2026-03-08T05:12:05Z", "bob", "b"}, {3, "2026-03-08T10:42:05Z", "carol", "c"}, {4, "2026-03-08T09:42:05Z", "dave", "d"}}, map[int]string{}},
		{"generic rejects lookalikes", FormatGeneric, "24:00 alice: a\n10:60 bob: b\n10:42 a very long name that is not a name at all: c\n10:42:99 x: y\n10:42 <alice>: z",
			[]brief{}, map[int]string{1: "not a message line, and no message above it to continue", 2: "not a message line, and no message above it to continue",
				3: "not a message line, and no message above it to continue", 4: "not a message line, and no message above it to continue",
				5: "not a message line, and no message above it to continue"}},
		{"generic date before 1970", FormatGeneric, "1969-12-31 23:59 alice: old",
			[]brief{}, map[int]string{1: "time out of range (before 1970 or after 9999)"}},
		{"too long", FormatGeneric, "10:42 alice: " + strings.Repeat("é", MaxBodyLen+1) + "\n10:43 bob: " + strings.Repeat("é", MaxBodyLen),
			[]brief{{2, "2026-03-08T09:43:00Z", "bob", strings.Repeat("é", MaxBodyLen)}}, map[int]string{1: ReasonTooLong}},
		{"teams header forms", FormatTeams, "Alice Rao 10:42 AM\na\nBob Stone, 09/03/2026 10:43\nb\nCarol Diaz 08.03.2026 10:44\nc",
			[]brief{{1, "2026-03-08T09:42:00Z", "Alice Rao", "a"}, {3, "2026-03-09T09:43:00Z", "Bob Stone", "b"}, {5, "2026-03-08T09:44:00Z", "Carol Diaz", "c"}}, map[int]string{}},
		{"teams month-first is not guessed", FormatTeams, "[03/13/2026 10:42] Alice Rao: hi",
			[]brief{}, map[int]string{1: "03/13/2026 is not a valid date (read as day/month/year)"}},
		{"irc forms", FormatIRC, "10:42 < alice> a\n10:43 <~bob> b\n10:44 *** carol joined\n10:45 <> nobody\n10:46 <dave d",
			[]brief{{1, "2026-03-08T09:42:00Z", "alice", "a"}, {2, "2026-03-08T09:43:00Z", "bob", "b"}},
			map[int]string{3: ReasonJoinLeave, 4: "not a message line, and no message above it to continue", 5: "not a message line, and no message above it to continue"}},
		{"irc status line", FormatIRC, "10:42 -!- Irssi: Join to #inc was synced in 0 secs\n10:43 -!- Topic for #inc: checkout",
			[]brief{}, map[int]string{1: "status line", 2: "status line"}},
		{"irc markers", FormatIRC, "--- Log opened Sun Mar 01 10:00:00 2026\n10:01 <a> x\n--- Day changed Mon Mar  2 2026\n10:02 <a> y\n--- Day changed garbage\n10:03 <a> z\n--- other",
			[]brief{{2, "2026-03-01T09:01:00Z", "a", "x"}, {4, "2026-03-02T09:02:00Z", "a", "y"}},
			map[int]string{5: `cannot read the day in "--- Day changed garbage"`, 6: `the day is unknown: cannot read the day in "--- Day changed garbage"`,
				7: "not a recognised line (each IRC line starts with a time)"}},
		{"weechat", FormatIRC, "2026-03-08 10:42:05\t--\tbob is now known as bobby\n2026-03-08 10:42:06\t *\tbobby waves\n2026-03-08 10:42:07\t\tno prefix",
			[]brief{{2, "2026-03-08T09:42:06Z", "bobby", "bobby waves"}}, map[int]string{1: ReasonJoinLeave, 3: "status line"}},
		{"dated line sets the day for later ones", FormatGeneric, "2026-03-01 23:59 a: x\n00:01 a: y\n2026-03-05 00:02 a: z\n00:03 a: w",
			[]brief{{1, "2026-03-01T22:59:00Z", "a", "x"}, {2, "2026-03-01T23:01:00Z", "a", "y"}, {3, "2026-03-04T23:02:00Z", "a", "z"}, {4, "2026-03-04T23:03:00Z", "a", "w"}}, map[int]string{}},
		{"CRLF and BOM", FormatAuto, "\uFEFF10:42 alice: a\r\n  more\r\n10:43 bob: b\r",
			[]brief{{1, "2026-03-08T09:42:00Z", "alice", "a\n  more"}, {3, "2026-03-08T09:43:00Z", "bob", "b"}}, map[int]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := parse(t, tc.text, tc.format)
			assert.Equal(t, tc.want, briefs(res))
			assert.Equal(t, tc.skipped, reasons(res))
		})
	}
}

func TestDefaultDateIsNowsDayInLocation(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	// 20:00 UTC on March 8 is already March 9 in Tokyo.
	res, err := Parse("10:42 alice: hi", Options{Location: tokyo, Now: time.Date(2026, 3, 8, 20, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	require.Len(t, res.Entries, 1)
	assert.Equal(t, time.Date(2026, 3, 9, 1, 42, 0, 0, time.UTC), res.Entries[0].OccurredAt)

	// Date is a calendar day as written, whatever its location: a date
	// parsed as midnight UTC is that day in New York too.
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	day, err := time.Parse(time.DateOnly, "2026-03-08")
	require.NoError(t, err)
	res, err = Parse("10:42 alice: hi", Options{Location: ny, Date: day})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 3, 8, 14, 42, 0, 0, time.UTC), res.Entries[0].OccurredAt)
	res, err = Parse("10:42 alice: hi", Options{Location: tokyo, Date: time.Date(2026, 3, 8, 23, 0, 0, 0, ny)})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 3, 8, 1, 42, 0, 0, time.UTC), res.Entries[0].OccurredAt)
}

func TestMattermostEdges(t *testing.T) {
	text := strings.Join([]string{
		`{"type":"post","post":{"user":"alice","message":"hi","create_at":1741430520000,"replies":[{"user":"bob","message":"decision: yes","create_at":1741430521000},{"user":"","message":"x","create_at":1741430522000}]}}`,
		`{"type":"post","post":{"user":"carol","message":"left","type":"system_leave_channel","create_at":1741430523000}}`,
		`{"type":"post","post":{"user":"carol","message":"header","type":"system_header_change","create_at":1741430524000}}`,
		``,
		`[1]`,
	}, "\n")
	res := parse(t, text, FormatMattermost)
	assert.Equal(t, []brief{{1, "2025-03-08T10:42:00Z", "alice", "hi"}, {1, "2025-03-08T10:42:01Z", "bob", "yes"}}, briefs(res))
	assert.Equal(t, []Skipped{
		{Line: 1, Text: "x", Reason: "no author"},
		{Line: 2, Text: "left", Reason: ReasonJoinLeave},
		{Line: 3, Text: "header", Reason: "system message"},
		{Line: 5, Text: "[1]", Reason: "not a Mattermost export line: json: cannot unmarshal array into Go value of type transcript.mattermostLine"},
	}, res.Skipped)
}

func TestSkippedTextIsBounded(t *testing.T) {
	res := parse(t, strings.Repeat("x", 2000), FormatGeneric)
	require.Len(t, res.Skipped, 1)
	assert.Equal(t, strings.Repeat("x", maxSkippedText)+"…", res.Skipped[0].Text)
}

func TestClockEdges(t *testing.T) {
	cases := []struct {
		name, format, text string
		want               []brief
		skipped            map[int]string
	}{
		{"first message at midnight stays on the day", FormatGeneric, "00:00 a: x\n00:00 b: y\n00:01 c: z",
			[]brief{{1, "2026-03-07T23:00:00Z", "a", "x"}, {2, "2026-03-07T23:00:00Z", "b", "y"}, {3, "2026-03-07T23:01:00Z", "c", "z"}}, map[int]string{}},
		{"same time twice is the same day", FormatGeneric, "10:42 a: x\n10:42 b: y",
			[]brief{{1, "2026-03-08T09:42:00Z", "a", "x"}, {2, "2026-03-08T09:42:00Z", "b", "y"}}, map[int]string{}},
		{"one second back rolls over", FormatGeneric, "10:42:01 a: x\n10:42:00 b: y",
			[]brief{{1, "2026-03-08T09:42:01Z", "a", "x"}, {2, "2026-03-09T09:42:00Z", "b", "y"}}, map[int]string{}},
		{"bare time equal to the header keeps its half", FormatSlackCopy, "Alice Rao  10:42 AM\nx\n10:42\ny\n12:00\nz",
			[]brief{{1, "2026-03-08T09:42:00Z", "Alice Rao", "x"}, {3, "2026-03-08T09:42:00Z", "Alice Rao", "y"}, {5, "2026-03-08T11:00:00Z", "Alice Rao", "z"}}, map[int]string{}},
		{"bare time after a midnight header", FormatSlackCopy, "Alice Rao  12:00 AM\nx\n12:05\ny",
			[]brief{{1, "2026-03-07T23:00:00Z", "Alice Rao", "x"}, {3, "2026-03-07T23:05:00Z", "Alice Rao", "y"}}, map[int]string{}},
		{"bare PM time equal to the last", FormatSlackCopy, "Alice Rao  10:42 PM\nx\n10:42\ny",
			[]brief{{1, "2026-03-08T21:42:00Z", "Alice Rao", "x"}, {3, "2026-03-08T21:42:00Z", "Alice Rao", "y"}}, map[int]string{}},
		{"milliseconds with an offset", FormatGeneric, "2026-03-08T10:42:05.250+01:00 a: x",
			[]brief{{1, "2026-03-08T09:42:05Z", "a", "x"}}, map[int]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := parse(t, tc.text, tc.format)
			assert.Equal(t, tc.want, briefs(res))
			assert.Equal(t, tc.skipped, reasons(res))
		})
	}
	res := parse(t, "2026-03-08T10:42:05.250+01:00 a: x\n10:42:05.750 b: y", FormatGeneric)
	require.Len(t, res.Entries, 2)
	assert.Equal(t, time.Date(2026, 3, 8, 9, 42, 5, 250_000_000, time.UTC), res.Entries[0].OccurredAt)
	assert.Equal(t, time.Date(2026, 3, 8, 9, 42, 5, 750_000_000, time.UTC), res.Entries[1].OccurredAt)
}

func TestJSONEdges(t *testing.T) {
	loc := berlin(t)
	t.Run("exactly MaxLines messages", func(t *testing.T) {
		res, err := Parse("["+strings.Repeat("{},", MaxLines-1)+"{}]", Options{Location: loc, Format: FormatSlackExport})
		require.NoError(t, err)
		assert.Len(t, res.Skipped, MaxLines)
	})
	t.Run("JSONL over MaxLines", func(t *testing.T) {
		_, err := Parse(strings.Repeat("{}\n", MaxLines)+"{}", Options{Location: loc, Format: FormatMattermost})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "has more than 50000 lines (got 50001)")
	})
	t.Run("zulip object and fractions", func(t *testing.T) {
		res, err := Parse(`{"result":"success","messages":[
			{"sender_full_name":"Alice Rao","content":"hi","timestamp":1741430520.5},
			{"sender_email":"bob@example.com","content":"<p>yo</p>","timestamp":253402300799},
			{"sender_full_name":"x","content":"too late","timestamp":253402300800},
			{"sender_full_name":"x","content":"zero","timestamp":0}]}`, Options{Location: loc})
		require.NoError(t, err)
		assert.Equal(t, FormatMattermost, res.Format)
		assert.Equal(t, []brief{{1, "2025-03-08T10:42:00Z", "Alice Rao", "hi"}, {2, "9999-12-31T23:59:59Z", "bob@example.com", "yo"}}, briefs(res))
		assert.Equal(t, time.Date(2025, 3, 8, 10, 42, 0, 500_000_000, time.UTC), res.Entries[0].OccurredAt)
		assert.Equal(t, map[int]string{3: "no valid timestamp", 4: "no valid timestamp"}, reasons(res))
	})
	t.Run("slack attachments: the first with text", func(t *testing.T) {
		res, err := Parse(`[{"ts":"1","bot_id":"B1","username":"CI","text":" ","attachments":[{"fallback":""},{"title":"build 7 failed"},{"text":"later"}]}]`,
			Options{Location: loc})
		require.NoError(t, err)
		assert.Equal(t, []brief{{1, "1970-01-01T00:00:01Z", "CI", "build 7 failed"}}, briefs(res))
	})
	t.Run("HTML attributes", func(t *testing.T) {
		assert.Equal(t, "[a](https://X.example/Y)", htmlText(`<A HREF="https://X.example/Y">a</A>`))
		assert.Equal(t, "a", htmlText(`<a href="https://x.example>a</a>`))
		assert.Equal(t, "", attr(`title="x"`, "href"))
	})
}
