package transcript

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

func berlin(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	return loc
}

// fixtureOptions: the fixtures run in Berlin, read "Yesterday" as
// 2026-10-25, and start on 2026-03-28 when they name no day.
func fixtureOptions(t testing.TB) Options {
	loc := berlin(t)
	return Options{
		Location: loc,
		Now:      time.Date(2026, 10, 26, 10, 0, 0, 0, loc),
		Date:     time.Date(2026, 3, 28, 12, 0, 0, 0, loc),
	}
}

func utc(s string) time.Time {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return v.UTC()
}

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

func entryAt(t *testing.T, res *Result, line int) Entry {
	t.Helper()
	var found []Entry
	for _, e := range res.Entries {
		if e.Line == line {
			found = append(found, e)
		}
	}
	require.Len(t, found, 1, "one entry on line %d", line)
	return found[0]
}

func skippedAt(t *testing.T, res *Result, line int) Skipped {
	t.Helper()
	for _, s := range res.Skipped {
		if s.Line == line {
			return s
		}
	}
	require.Failf(t, "not skipped", "nothing skipped on line %d; skipped: %+v", line, res.Skipped)
	return Skipped{}
}

const (
	twiceEarlier = "%s happened twice on 2026-10-25 in Europe/Berlin; the earlier (CEST) was taken"
	gap          = "02:30 does not exist on 2026-03-29 in Europe/Berlin (the clocks jumped forward)"
)

type fixtureCase struct {
	file     string
	format   string
	entries  int
	skipped  int
	want     []Entry          // exact entries, found by Line
	skips    map[int]string   // line → reason
	contains map[int][]string // line → substrings of Body
	notes    map[int]string   // line → Note
	absent   map[int]struct{} // lines that must not start an entry
}

func fixtureCases() []fixtureCase {
	return []fixtureCase{
		{
			file: "slack_copy.txt", format: FormatSlackCopy, entries: 15, skipped: 8,
			want: []Entry{
				{Line: 2, OccurredAt: time.Date(2026, 3, 28, 22, 52, 0, 0, time.UTC), Author: "Alice Rao", Kind: KindObservation, Body: "Checkout 5xx are climbing in eu-west-1, paging the on-call"},
				// A bare time under "11:52 PM" is PM; "(edited)" is dropped.
				{Line: 5, OccurredAt: time.Date(2026, 3, 28, 22, 58, 0, 0, time.UTC), Author: "Alice Rao", Kind: KindObservation, Body: "Grafana shows the error rate at 7% on checkout-api"},
				{Line: 7, OccurredAt: time.Date(2026, 3, 28, 22, 59, 0, 0, time.UTC), Author: "PagerDuty", Kind: KindAlert, Body: "[Triggered] checkout-api: 5xx rate > 5% for 5 minutes"},
				{Line: 9, OccurredAt: time.Date(2026, 3, 28, 23, 3, 0, 0, time.UTC), Author: "Bob Stone", Kind: KindObservation, Body: "on it, looking at the last deploy",
					Note: "the clock went back from 23:59 to 00:03, so this is read as 2026-03-29"},
				{Line: 14, OccurredAt: time.Date(2026, 3, 28, 23, 6, 0, 0, time.UTC), Author: "Bob Stone", Kind: KindObservation,
					Body: "the 23:40 deploy of checkout-api v2.15.0 changed the connection pool size\nfrom 50 to 5, which matches the start of the errors\n\npool wait time is 4s at p99"},
				// Name and time on separate lines.
				{Line: 20, OccurredAt: time.Date(2026, 3, 28, 23, 9, 0, 0, time.UTC), Author: "Dan Okafor", Kind: KindDecision, Body: "roll back checkout-api to v2.14.3"},
				{Line: 23, OccurredAt: time.Date(2026, 3, 28, 23, 10, 0, 0, time.UTC), Author: "Dan Okafor", Kind: KindAction, Body: "Bob drains the canary node pool first"},
				{Line: 25, OccurredAt: time.Date(2026, 3, 29, 0, 58, 0, 0, time.UTC), Author: "Alice Rao", Kind: KindCommunication, Body: "status page updated, next update at 02:30"},
				{Line: 29, OccurredAt: time.Date(2026, 3, 29, 1, 5, 0, 0, time.UTC), Author: "Bob Stone", Kind: KindDeploy, Body: "v2.14.3 rolled out to all regions"},
				{Line: 33, OccurredAt: time.Date(2026, 10, 24, 23, 55, 0, 0, time.UTC), Author: "Alice Rao", Kind: KindObservation, Body: "second incident: queue lag on payments-worker again"},
				{Line: 35, OccurredAt: time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), Author: "Bob Stone", Kind: KindObservation, Body: "consumer lag is 40k, restarting the consumers",
					Ambiguous: true, Note: strings.Replace(twiceEarlier, "%s", "02:30", 1)},
				{Line: 39, OccurredAt: time.Date(2026, 10, 25, 1, 10, 0, 0, time.UTC), Author: "Carol Diaz", Kind: KindObservation, Body: "clocks went back, this is the second 02:10 of the night",
					Ambiguous: true, Note: "02:10 happened twice on 2026-10-25 in Europe/Berlin; the later (CET) was taken because the message before it was at 02:50 CEST"},
				{Line: 41, OccurredAt: time.Date(2026, 10, 25, 1, 40, 0, 0, time.UTC), Author: "Carol Diaz", Kind: KindCommunication, Body: "lag is back to zero",
					Ambiguous: true, Note: "02:40 happened twice on 2026-10-25 in Europe/Berlin; the later (CET) was taken because the message before it was at 02:10 CET"},
				{Line: 44, OccurredAt: time.Date(2026, 10, 25, 8, 15, 0, 0, time.UTC), Author: "Dan Okafor", Kind: KindObservation, Body: "Postmortem doc: https://docs.example.com/pm/checkout-5xx"},
			},
			skips: map[int]string{4: ReasonReaction, 11: ReasonReaction, 12: ReasonJoinLeave, 19: "divider", 27: gap, 31: ReasonReaction,
				46: ReasonJoinLeave, 47: ReasonChannelEvent},
		},
		{
			file: "slack_export.json", format: FormatSlackExport, entries: 10, skipped: 8,
			want: []Entry{
				{Line: 2, OccurredAt: utc("2026-03-28T23:52:10.001Z"), Author: "Alice Rao", Kind: KindObservation,
					Body: "Checkout 5xx in eu-west-1 > 5%, @here please join. Dashboard: [checkout dashboard](https://grafana.example.com/d/checkout?from=now-1h&to=now)"},
				{Line: 3, OccurredAt: utc("2026-03-28T23:53:10.123Z"), Author: "bob", Kind: KindObservation, Body: "looking. @Alice Rao is the error in #inc-checkout or #C0OPS?"},
				{Line: 4, OccurredAt: utc("2026-03-28T23:54:10Z"), Author: "PagerDuty", Kind: KindAlert, Body: "[Triggered] checkout-api 5xx > 5%"},
				// Carol's name and Dave's come from their other messages.
				{Line: 5, OccurredAt: utc("2026-03-28T23:55:10Z"), Author: "Carol Diaz", Kind: KindDecision, Body: "roll back to v2.14.3 & freeze deploys. cc @Dave Okafor @channel"},
				{Line: 6, OccurredAt: utc("2026-03-28T23:56:10Z"), Author: "bob", Kind: KindAction, Body: "rollback started, see https://ci.example.com/builds/991"},
				{Line: 8, OccurredAt: utc("2026-03-28T23:58:10Z"), Author: "bob", Kind: KindDeploy, Body: "v2.14.3 live in all regions; mail oncall@example.com with questions"},
				{Line: 10, OccurredAt: utc("2026-03-29T00:00:10Z"), Author: "Carol Diaz", Kind: KindObservation, Body: "alerts: 5xx back under 0.1% <- good"},
				{Line: 15, OccurredAt: utc("2026-03-29T00:04:10.999Z"), Author: "Dave Okafor", Kind: KindCommunication,
					Body: "customers told via [status page](https://status.example.com), next update at 01:00 @sre-oncall"},
				{Line: 18, OccurredAt: utc("2026-03-29T00:06:10Z"), Author: "UNKNOWN", Kind: KindObservation, Body: "who am I? @ghost and @U09NOONE"},
			},
			contains: map[int][]string{11: {"Timeline note: Step 0: @Alice Rao checked [runbook 0](https://runbooks.example.com/checkout/0) & found nothing new.", "Step 37: @Alice Rao checked [runbook 37](https://runbooks.example.com/checkout/37) & found nothing new."}},
			skips: map[int]string{1: ReasonJoinLeave, 7: ReasonChannelEvent, 9: ReasonJoinLeave, 12: "edit event", 13: ReasonEmpty,
				14: `no valid ts (got "not-a-ts")`, 17: ReasonTooLong,
				16: "not a Slack message: json: cannot unmarshal number into Go struct field slackMessage.text of type string"},
		},
		{
			file: "teams.txt", format: FormatTeams, entries: 25, skipped: 2,
			want: []Entry{
				{Line: 1, OccurredAt: time.Date(2026, 3, 28, 22, 50, 0, 0, time.UTC), Author: "Alice Rao", Kind: KindObservation, Body: "Checkout is returning 502s for about a third of requests"},
				{Line: 3, OccurredAt: time.Date(2026, 3, 28, 22, 52, 0, 0, time.UTC), Author: "Bob Stone", Kind: KindObservation,
					Body: "Dashboard: https://grafana.example.com/d/lb\nIt shows the eu-west-1 pool at 40% healthy\nand the other regions are fine"},
				{Line: 7, OccurredAt: time.Date(2026, 3, 28, 23, 4, 0, 0, time.UTC), Author: "Carol Diaz", Kind: KindAction, Body: "I'm updating the DNS weights now"},
				{Line: 10, OccurredAt: time.Date(2026, 3, 29, 1, 1, 0, 0, time.UTC), Author: "Bob Stone", Kind: KindObservation, Body: "502s are down to 0.1%"},
				{Line: 13, OccurredAt: time.Date(2026, 10, 24, 21, 55, 0, 0, time.UTC), Author: "Alice Rao", Kind: KindObservation, Body: "Starting the follow-up: the LB firmware upgrade tonight"},
				{Line: 17, OccurredAt: time.Date(2026, 10, 24, 22, 2, 0, 0, time.UTC), Author: "Bob Stone", Kind: KindDeploy, Body: "firmware 7.4.2 on lb-3\nrolling the others one at a time",
					Note: "the clock went back from 23:58 to 00:02, so this is read as 2026-10-25"},
				{Line: 22, OccurredAt: time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), Author: "Carol Diaz", Kind: KindObservation, Body: "lb-4 upgraded, this time happens twice tonight",
					Ambiguous: true, Note: strings.Replace(twiceEarlier, "%s", "02:30", 1)},
				{Line: 27, OccurredAt: time.Date(2026, 10, 25, 2, 10, 0, 0, time.UTC), Author: "Dan Okafor", Kind: KindObservation, Body: "All load balancers on 7.4.2"},
				{Line: 31, OccurredAt: time.Date(2026, 10, 25, 8, 2, 0, 0, time.UTC), Author: "Erin Walsh", Kind: KindAlert, Body: "one more flap on lb-2 at 08:55, watching"},
				{Line: 33, OccurredAt: time.Date(2026, 10, 25, 8, 10, 0, 0, time.UTC), Author: "Alice Rao", Kind: KindObservation,
					Body: "Closing the bridge. Summary:\n1. eu-west-1 failover at 23:58\n2. rollback not needed\n3. firmware upgrade done"},
			},
			skips: map[int]string{9: gap, 11: "31/02/2026 is not a valid date (read as day/month/year)"},
		},
		{
			file: "mattermost.jsonl", format: FormatMattermost, entries: 33, skipped: 13,
			want: []Entry{
				{Line: 9, OccurredAt: utc("2026-03-08T09:42:00.123Z"), Author: "alice", Kind: KindObservation, Body: "payments-worker queue depth is 120k and climbing"},
				{Line: 11, OccurredAt: utc("2026-03-08T09:44:00.5Z"), Author: "carol", Kind: KindAlert, Body: "PagerDuty fired *QueueDepthHigh* for payments"},
				{Line: 19, OccurredAt: utc("2026-03-08T09:56:00Z"), Author: "bob", Kind: KindObservation, Body: "DM: can you take comms?"},
				{Line: 23, OccurredAt: utc("2026-03-08T10:20:00Z"), Author: "erin", Kind: KindObservation, Body: "Multi-line post:\n- depth 0\n- lag 0\n- no errors"},
			},
			skips: map[int]string{1: `export metadata, not a post (type "version")`, 13: ReasonJoinLeave, 15: "no create_at time", 20: "no author", 21: ReasonEmpty},
		},
		{
			file: "zulip.json", format: FormatMattermost, entries: 3, skipped: 2,
			want: []Entry{
				{Line: 1, OccurredAt: utc("2026-03-08T09:42:00Z"), Author: "Alice Rao", Kind: KindObservation,
					Body: "Checkout 502s again, see [the dashboard](https://grafana.example.com/d/Checkout?x=1&y=2)"},
				{Line: 2, OccurredAt: utc("2026-03-08T09:43:00Z"), Author: "Bob Stone", Kind: KindDecision, Body: "fail over to the standby"},
				{Line: 3, OccurredAt: utc("2026-03-08T09:44:00Z"), Author: "Carol Diaz", Kind: KindObservation, Body: "line one\nline two\n\nsecond paragraph & more"},
			},
			skips: map[int]string{4: "no author", 5: "no valid timestamp"},
		},
		{
			file: "irc.txt", format: FormatIRC, entries: 28, skipped: 13,
			want: []Entry{
				{Line: 4, OccurredAt: time.Date(2026, 3, 28, 22, 41, 12, 0, time.UTC), Author: "alice", Kind: KindObservation, Body: "resolvers in fra1 return SERVFAIL for internal zones"},
				{Line: 6, OccurredAt: time.Date(2026, 3, 28, 22, 42, 3, 0, time.UTC), Author: "carol", Kind: KindAlert, Body: "pager fired for dns-resolver-fra1"},
				{Line: 7, OccurredAt: time.Date(2026, 3, 28, 22, 45, 0, 0, time.UTC), Author: "bob", Kind: KindObservation, Body: "bob checks the unbound logs"},
				{Line: 13, OccurredAt: time.Date(2026, 3, 28, 23, 1, 5, 0, time.UTC), Author: "alice", Kind: KindObservation, Body: "checkout and login both depend on it"},
				{Line: 15, OccurredAt: time.Date(2026, 3, 29, 0, 59, 59, 0, time.UTC), Author: "bob", Kind: KindObservation, Body: "all five restarted"},
				{Line: 17, OccurredAt: time.Date(2026, 3, 29, 1, 0, 30, 0, time.UTC), Author: "carol", Kind: KindObservation, Body: "SERVFAIL rate back to baseline"},
				{Line: 26, OccurredAt: time.Date(2026, 10, 24, 22, 4, 0, 0, time.UTC), Author: "bob", Kind: KindObservation, Body: "lon1 done (no day-changed line here, the clock rolled over)",
					Note: "the clock went back from 23:59 to 00:04, so this is read as 2026-10-25"},
				{Line: 28, OccurredAt: time.Date(2026, 10, 25, 0, 15, 0, 0, time.UTC), Author: "alice", Kind: KindObservation, Body: "first 02:15 of the night",
					Ambiguous: true, Note: strings.Replace(twiceEarlier, "%s", "02:15", 1)},
				{Line: 30, OccurredAt: time.Date(2026, 10, 25, 1, 5, 0, 0, time.UTC), Author: "bob", Kind: KindObservation, Body: "the clocks went back; this is 02:05 winter time",
					Ambiguous: true, Note: "02:05 happened twice on 2026-10-25 in Europe/Berlin; the later (CET) was taken because the message before it was at 02:59 CEST"},
				{Line: 32, OccurredAt: time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC), Author: "carol", Kind: KindObservation, Body: "all green"},
				{Line: 40, OccurredAt: time.Date(2026, 10, 27, 8, 3, 0, 0, time.UTC), Author: "alice", Kind: KindObservation, Body: "thanks everyone"},
				{Line: 44, OccurredAt: time.Date(2026, 10, 28, 9, 0, 0, 0, time.UTC), Author: "bob", Kind: KindObservation, Body: "the date is known again"},
				{Line: 46, OccurredAt: time.Date(2026, 10, 28, 9, 6, 12, 0, time.UTC), Author: "eve", Kind: KindObservation, Body: "weechat line with a date"},
			},
			skips: map[int]string{2: ReasonJoinLeave, 3: ReasonJoinLeave, 16: gap, 18: ReasonJoinLeave, 19: ReasonJoinLeave,
				20: "not a message line, and no message above it to continue", 21: "log marker",
				41: `the weekday in "--- Day changed Mon Oct 27 2026" does not match its date`,
				42: `the day is unknown: the weekday in "--- Day changed Mon Oct 27 2026" does not match its date`, 45: ReasonJoinLeave},
		},
		{
			file: "generic.txt", format: FormatGeneric, entries: 31, skipped: 4,
			want: []Entry{
				{Line: 5, OccurredAt: time.Date(2026, 3, 28, 22, 55, 30, 0, time.UTC), Author: "Carol Diaz", Kind: KindAction,
					Body: "starting the warm-up script\n  it reads 2M keys, ETA 20 minutes\n  progress: https://grafana.example.com/d/cache-warmup"},
				{Line: 8, OccurredAt: time.Date(2026, 3, 28, 23, 5, 0, 0, time.UTC), Author: "Carol Diaz", Kind: KindObservation, Body: "40% warmed (the clock rolled over to the next day here)",
					Note: "the clock went back from 23:55:30 to 00:05, so this is read as 2026-03-29"},
				{Line: 10, OccurredAt: time.Date(2026, 3, 28, 23, 20, 0, 0, time.UTC), Author: "Alice Rao", Kind: KindCommunication, Body: `status page says "degraded"`},
				{Line: 11, OccurredAt: time.Date(2026, 3, 28, 23, 31, 5, 0, time.UTC), Author: "Bob Stone", Kind: KindObservation, Body: "warm-up done"},
				{Line: 13, OccurredAt: time.Date(2026, 3, 29, 0, 58, 0, 0, time.UTC), Author: "Bob Stone", Kind: KindObservation, Body: "this line has its own date"},
				{Line: 15, OccurredAt: time.Date(2026, 3, 29, 1, 10, 0, 0, time.UTC), Author: "Bob Stone", Kind: KindObservation, Body: "back in real time, CEST now"},
				{Line: 16, OccurredAt: time.Date(2026, 3, 29, 1, 15, 0, 0, time.UTC), Author: "Carol Diaz", Kind: KindObservation, Body: "an explicit offset wins over the zone"},
				{Line: 17, OccurredAt: time.Date(2026, 3, 29, 1, 16, 0, 0, time.UTC), Author: "Carol Diaz", Kind: KindObservation, Body: "and so does Z"},
				{Line: 21, OccurredAt: time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), Author: "Alice Rao", Kind: KindObservation, Body: "02:30 happens twice tonight, the earlier is taken",
					Ambiguous: true, Note: strings.Replace(twiceEarlier, "%s", "02:30", 1)},
				{Line: 24, OccurredAt: time.Date(2026, 10, 25, 1, 35, 0, 0, time.UTC), Author: "Bob Stone", Kind: KindObservation, Body: "second 02:35",
					Ambiguous: true, Note: "02:35 happened twice on 2026-10-25 in Europe/Berlin; the later (CET) was taken because the message before it was at 02:10 CET"},
				{Line: 25, OccurredAt: time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), Author: "Carol Diaz", Kind: KindDeploy, Body: "cache config v7 everywhere"},
				{Line: 29, OccurredAt: time.Date(2026, 10, 25, 9, 2, 0, 0, time.UTC), Author: "Erin Walsh", Kind: KindObservation, Body: "agenda:\n- timeline\n- contributing factors\n- action items"},
				{Line: 35, OccurredAt: time.Date(2026, 10, 25, 9, 6, 0, 0, time.UTC), Author: "Alice Rao", Kind: KindDecision, Body: "keep the nightly flush but warm the cache after it"},
				{Line: 36, OccurredAt: time.Date(2026, 10, 25, 9, 7, 0, 0, time.UTC), Author: "Alice Rao", Kind: KindObservation, Body: "decision:"},
				{Line: 37, OccurredAt: time.Date(2026, 10, 25, 9, 8, 0, 0, time.UTC), Author: "Bob Stone (SRE)", Kind: KindObservation, Body: "name with parentheses"},
				{Line: 39, OccurredAt: time.Date(2026, 10, 25, 9, 10, 0, 0, time.UTC), Author: "Bob Stone", Kind: KindObservation, Body: "https://example.com/runbook: link with a colon"},
				{Line: 42, OccurredAt: time.Date(2026, 10, 25, 9, 13, 0, 0, time.UTC), Author: "Carol Diaz", Kind: KindObservation, Body: "really the last line"},
			},
			skips: map[int]string{1: "not a message line, and no message above it to continue", 14: gap, 33: "2026-02-30 is not a valid date", 41: ReasonEmpty},
		},
	}
}

func TestParseFixtures(t *testing.T) {
	for _, tc := range fixtureCases() {
		t.Run(tc.file, func(t *testing.T) {
			text := readFixture(t, tc.file)
			require.GreaterOrEqual(t, strings.Count(text, "\n"), 40, "fixtures are at least 40 lines")
			for _, format := range []string{FormatAuto, tc.format} {
				opt := fixtureOptions(t)
				opt.Format = format
				res, err := Parse(text, opt)
				require.NoError(t, err)
				assert.Equal(t, tc.format, res.Format, "format %s", format)
				assert.Len(t, res.Entries, tc.entries, "entries")
				assert.Len(t, res.Skipped, tc.skipped, "skipped: %+v", res.Skipped)
				for _, w := range tc.want {
					assert.Equal(t, w, entryAt(t, res, w.Line), "line %d", w.Line)
				}
				for line, subs := range tc.contains {
					e := entryAt(t, res, line)
					for _, sub := range subs {
						assert.Contains(t, e.Body, sub)
					}
				}
				for line, reason := range tc.skips {
					assert.Equal(t, reason, skippedAt(t, res, line).Reason, "line %d", line)
				}
				checkInvariants(t, text, res)
			}
		})
	}
}

func TestAutoDetectPicksFixtureFormat(t *testing.T) {
	for _, tc := range fixtureCases() {
		res, err := Parse(readFixture(t, tc.file), fixtureOptions(t))
		require.NoError(t, err)
		assert.Equal(t, tc.format, res.Format, tc.file)
	}
}

// The Slack export's 4 000-character note keeps all of its links.
func TestSlackExportLongNote(t *testing.T) {
	text := readFixture(t, "slack_export.json")
	raw := regexp.MustCompile(`"Timeline note: [^"]*"`).FindString(text)
	require.Greater(t, utf8.RuneCountInString(raw), 4000)
	res, err := Parse(text, fixtureOptions(t))
	require.NoError(t, err)
	e := entryAt(t, res, 11)
	assert.Greater(t, utf8.RuneCountInString(e.Body), 3800)
	assert.LessOrEqual(t, utf8.RuneCountInString(e.Body), MaxBodyLen)
	assert.NotContains(t, e.Body, "<@")
	assert.NotContains(t, e.Body, "&amp;")
	assert.Equal(t, strings.Count(e.Body, "](https://runbooks.example.com/checkout/"), strings.Count(e.Body, "Step "))
}

func checkInvariants(t *testing.T, text string, res *Result) {
	t.Helper()
	lines := strings.Count(normalizeNewlines(text), "\n") + 1
	if res.Format == FormatSlackExport || (res.Format == FormatMattermost && strings.HasPrefix(strings.TrimSpace(text), "[")) {
		lines = len(text) / 2 // JSON arrays number messages, each at least "{}"
	}
	for _, e := range res.Entries {
		assert.Equal(t, time.UTC, e.OccurredAt.Location(), "line %d", e.Line)
		assert.NotEmpty(t, e.Body)
		assert.LessOrEqual(t, utf8.RuneCountInString(e.Body), MaxBodyLen)
		assert.True(t, utf8.ValidString(e.Body))
		assert.True(t, model.EntryKind(e.Kind).Valid(), e.Kind)
		assert.GreaterOrEqual(t, e.Line, 1)
		assert.LessOrEqual(t, e.Line, lines)
		assert.Equal(t, e.Ambiguous, strings.Contains(e.Note, "happened twice"))
	}
	for _, s := range res.Skipped {
		assert.NotEmpty(t, s.Reason)
		assert.GreaterOrEqual(t, s.Line, 1)
		assert.LessOrEqual(t, s.Line, lines)
	}
}

func TestParseErrors(t *testing.T) {
	loc := berlin(t)
	cases := []struct {
		name  string
		text  string
		opt   Options
		field string
		msg   string
	}{
		{"empty", "", Options{Location: loc}, "text", "is required"},
		{"whitespace", " \n\t\r\n ", Options{Location: loc}, "text", "is required"},
		{"only a BOM", "\uFEFF\n", Options{Location: loc}, "text", "is required"},
		{"invalid UTF-8", "10:42 alice: caf\xe9", Options{Location: loc}, "text", "is not valid UTF-8 text"},
		{"NUL byte", "10:42 alice: hi\x00there", Options{Location: loc}, "text", "looks like binary data (it contains NUL bytes), not a chat transcript"},
		{"control characters", strings.Repeat("\x01\x02\x03\x04a", 100), Options{Location: loc}, "text", "looks like binary data (mostly control characters), not a chat transcript"},
		{"too big", strings.Repeat("10:42 alice: hi\n", MaxBytes/16+1), Options{Location: loc}, "text", "is larger than 8 MiB (got 8388624 bytes)"},
		{"too many lines", strings.Repeat("\n", MaxLines) + "10:42 alice: hi", Options{Location: loc}, "text", "has more than 50000 lines (got 50001)"},
		{"unknown format", "10:42 alice: hi", Options{Location: loc, Format: "whatsapp"}, "format",
			`unknown format "whatsapp"; use auto or one of slack-copy, slack-export, teams, mattermost, irc, generic`},
		{"no zone", "10:42 alice: hi", Options{}, "timezone", "is required"},
		{"not a Slack export", "[1, 2", Options{Location: loc, Format: FormatSlackExport}, "text", "is not a Slack export (a JSON array of messages): unexpected end of JSON input"},
		{"export object without messages", `{"ok": true}`, Options{Location: loc, Format: FormatSlackExport}, "text", `is not a Slack export (a JSON array of messages): the object has no "messages" array`},
		{"too many JSON messages", "[" + strings.Repeat("{},", MaxLines) + "{}]", Options{Location: loc, Format: FormatSlackExport}, "text", "has more than 50000 messages (got 50001)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Parse(tc.text, tc.opt)
			require.Error(t, err)
			assert.Nil(t, res)
			var ve *model.ValidationError
			require.True(t, errors.As(err, &ve), "a *model.ValidationError: %v", err)
			assert.Equal(t, tc.msg, ve.Fields[tc.field], "fields: %v", ve.Fields)
		})
	}
}

func TestParseErrorsAllAtOnce(t *testing.T) {
	_, err := Parse("", Options{Format: "nope"})
	var ve *model.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, ve.Fields, 3)
}

// IRC colour codes are allowed in moderation.
func TestParseAcceptsSomeControlCharacters(t *testing.T) {
	res, err := Parse("10:42 <alice> \x0304,01red\x03 alert\x0f and \x1fmore\x1f", Options{Location: time.UTC, Date: time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	require.Len(t, res.Entries, 1)
	assert.Equal(t, "red alert and more", res.Entries[0].Body)
}

func TestFormatNamesAreCaseInsensitive(t *testing.T) {
	res, err := Parse("10:42 alice: hi", Options{Location: time.UTC, Format: " Generic "})
	require.NoError(t, err)
	assert.Equal(t, FormatGeneric, res.Format)
}
