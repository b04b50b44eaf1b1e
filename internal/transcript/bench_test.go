package transcript

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// slackExport builds a Slack channel export of n messages from five people,
// with mentions, links and entities, the way Slack writes them (compact, as
// the exporter's per-day files are merged for a paste).
func slackExport(tb testing.TB, n int) string {
	tb.Helper()
	type profile struct {
		RealName    string `json:"real_name"`
		DisplayName string `json:"display_name"`
	}
	type message struct {
		Type        string   `json:"type"`
		Subtype     string   `json:"subtype,omitempty"`
		TS          string   `json:"ts"`
		User        string   `json:"user"`
		Text        string   `json:"text"`
		UserProfile *profile `json:"user_profile,omitempty"`
		Team        string   `json:"team"`
	}
	people := []profile{{"Alice Rao", "alice"}, {"Bob Stone", "bob"}, {"Carol Diaz", "carol"}, {"Dan Okafor", "dan"}, {"Erin Walsh", "erin"}}
	start := time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC).Unix()
	msgs := make([]message, n)
	for i := range msgs {
		p := people[i%len(people)]
		m := message{Type: "message", User: fmt.Sprintf("U%05d", i%len(people)), Team: "T0001",
			TS: fmt.Sprintf("%d.%06d", start+int64(i)*7, i%1000000), UserProfile: &p}
		switch i % 10 {
		case 0:
			m.Text = fmt.Sprintf("decision: roll back <@U%05d> &amp; watch <https://grafana.example.com/d/%d|dashboard %d>", (i+1)%len(people), i, i)
		case 1:
			m.Subtype, m.Text = "channel_join", "<@U00001> has joined the channel"
		case 2:
			m.Text = "error rate is 4.2% &gt; SLO, <!here> please check pods in eu-west-1"
		default:
			m.Text = fmt.Sprintf("step %d: restarted payments-worker-%d, lag now %d", i, i%40, i*3)
		}
		msgs[i] = m
	}
	b, err := json.Marshal(msgs)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// BenchmarkParseSlackExport20k parses a 20 000-message Slack export (about
// 4 MB): the goal is under 1 s and 50 MB.
func BenchmarkParseSlackExport20k(b *testing.B) {
	text := slackExport(b, 20_000)
	opt := Options{Location: time.UTC}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Parse(text, opt)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Entries) != 18_000 {
			b.Fatalf("%d entries", len(res.Entries))
		}
	}
}
