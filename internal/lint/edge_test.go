package lint

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spanProperty holds for every finding on any text: its span starts and ends
// on rune boundaries, slices exactly its phrase, and covers whole words (it
// starts where a token starts and ends where one ends), so the editor
// highlights the words reported.
func spanProperty(t testing.TB, text string, fs []Finding) {
	t.Helper()
	checkInvariants(t, text, fs)
	starts, ends := map[int]bool{}, map[int]bool{}
	for _, tok := range tokenize(text) {
		starts[tok.start], ends[tok.end] = true, true
	}
	for _, f := range fs {
		require.True(t, utf8.RuneStart(text[f.Start]), "start %d is inside a rune: %q", f.Start, text)
		require.True(t, f.End == len(text) || utf8.RuneStart(text[f.End]), "end %d is inside a rune: %q", f.End, text)
		require.True(t, utf8.ValidString(f.Phrase) || !utf8.ValidString(text))
		require.True(t, starts[f.Start], "%q does not start a word in %q", f.Phrase, text)
		require.True(t, ends[f.End], "%q does not end a word in %q", f.Phrase, text)
	}
}

// Decorations are text in other scripts that a postmortem may hold: emoji
// (with skin tones, ZWJ sequences and flags), right-to-left words and marks,
// combining marks.
var decorations = []string{
	"🔥", "🚨🚨", "👩🏽‍💻", "🇺🇦", "שלום", "مرحبا", "\u200f", "\u200e", "\u202b", "e\u0301te\u0301", "n\u0303",
	"ﷺ", "日本語", "Ω", "İ", "ß", "\u00a0", "—", "•", "\t",
}

// TestSpanProperty decorates corpus sentences with emoji, right-to-left text
// and combining marks, at random places (between words, next to them, inside
// them), and checks every finding's span. With decorations only before a
// sentence that end a clause, it also checks the findings are the same as on
// the bare sentence, shifted by the prefix's byte length.
func TestSpanProperty(t *testing.T) {
	c := newDefault(t)
	corpus := loadCorpus(t)
	r := rand.New(rand.NewPCG(19, 2026))
	for _, l := range corpus {
		bare := c.Check(l.Text, l.People)
		for _, prefix := range []string{"🔥🔥 — ", "שלום.\n", "مرحبا: ", "e\u0301te\u0301; ", "👩🏽‍💻\n- "} {
			text := prefix + l.Text + " \u200fשלום 🇺🇦"
			got := c.Check(text, l.People)
			spanProperty(t, text, got)
			require.Len(t, got, len(bare), "%q", text)
			for i, f := range got {
				assert.Equal(t, bare[i].Rule, f.Rule)
				assert.Equal(t, bare[i].Phrase, f.Phrase)
				assert.Equal(t, bare[i].Start+len(prefix), f.Start)
			}
		}
		for range 3 {
			words := strings.Split(l.Text, " ")
			for range 1 + r.IntN(3) {
				i := r.IntN(len(words))
				d := decorations[r.IntN(len(decorations))]
				switch r.IntN(3) {
				case 0:
					words[i] = d + " " + words[i]
				case 1:
					words[i] += d
				default:
					if n := len(words[i]); n > 1 {
						k := r.IntN(n)
						for !utf8.RuneStart(words[i][k]) {
							k--
						}
						words[i] = words[i][:k] + d + words[i][k:]
					}
				}
			}
			text := strings.Join(words, " ")
			spanProperty(t, text, check(t, c, text, l.People))
		}
	}
}

func FuzzSpans(f *testing.F) {
	for _, s := range []string{"The on-call ignored 🔥 the alert.", "If the SRE had\u0301 looked", "שלום the engineer's mistake"} {
		f.Add(s)
	}
	c := newDefault(f)
	f.Fuzz(func(t *testing.T, text string) {
		spanProperty(t, text, check(t, c, text, []string{"Dave", "שלום"}))
	})
}

// benchSection is a 10 000-character postmortem section: a narrative with
// some blame in it, repeated.
var benchSection = func() string {
	para := "At 13:58 UTC Alice Smith deployed release 2024.11.3 to the payments cluster. The canary looked " +
		"healthy, so the rollout continued to every region. At 14:02 the p99 latency alert fired and Bob " +
		"acknowledged the page, then escalated to the database team. The connection pool was exhausted because " +
		"the new config set `max_connections` to 10 instead of 100. The reviewer missed the change in a large " +
		"diff, and we should have caught this in review. The on-call engineer was too busy with a second page " +
		"to look at the dashboard. If the operator had followed the runbook, the rollback would have been faster. " +
		"Carol rolled back at 14:10 and error rates recovered within two minutes; the error budget burn was 12%. " +
		"The health check ignored the readiness flag, and the job skipped the third shard. It was not human " +
		"error in any useful sense: the config schema accepted a value that no production service can run with. " +
		"Learned later: Bob wrote in chat \"I think I forgot to drain it\". See [the deploy log](https://deploys.example/42).\n\n"
	s := strings.Repeat(para, 10_000/len(para)+1)
	return s[:strings.LastIndexByte(s[:10_000], ' ')]
}()

func TestBenchSection(t *testing.T) {
	assert.InDelta(t, 10_000, utf8.RuneCountInString(benchSection), 100)
	got := check(t, newDefault(t), benchSection, benchPeople)
	assert.Greater(t, len(got), 50)
}

// BenchmarkCheckSize shows linear time: ns/op grows with the text and MB/s stays flat.
func BenchmarkCheckSize(b *testing.B) {
	c := newDefault(b)
	for _, n := range []int{1_000, 10_000, 100_000} {
		text := strings.Repeat(benchSection, n/len(benchSection)+1)[:n]
		for !utf8.RuneStart(text[len(text)-1]) {
			text = text[:len(text)-1]
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				c.Check(text, benchPeople)
			}
		})
	}
}

func TestEdgeLongText(t *testing.T) {
	c := newDefault(t)
	unit := "The on-call ignored the alert. Dave rolled back the release. 🔥 שלום\n"
	text := strings.Repeat(unit, 100_000/utf8.RuneCountInString(unit)+1)
	require.GreaterOrEqual(t, utf8.RuneCountInString(text), 100_000)
	got := check(t, c, text, []string{"Dave"})
	spanProperty(t, text, got)
	require.Len(t, got, strings.Count(text, "\n"), "one finding a line")
	for i, f := range got {
		assert.Equal(t, "The on-call ignored", f.Phrase)
		assert.Equal(t, i*len(unit), f.Start)
	}
}

func TestEdgeNoWords(t *testing.T) {
	c := newDefault(t)
	for _, text := range []string{"", " ", "\n\n\t", "!!! ??? ... ---", "🔥🚨👩🏽‍💻🇺🇦", "— • — •", "|---|---|", "\u200f\u200e\u202b", "\u0301\u0301", "```\n```", "\"\"", "“”", "[]()", "\xff\xfe"} {
		t.Run(fmt.Sprintf("%q", text), func(t *testing.T) {
			assert.Empty(t, check(t, c, text, []string{"Dave"}))
		})
	}
}

func TestEdgeMarkdownTables(t *testing.T) {
	c := newDefault(t)
	table := "| time | event |\n|---|---|\n| 14:02 | The on-call ignored the alert |\n| 14:05 | Dave rolled back the release |\n" +
		"| 14:07 | The health check ignored the flag |\n|14:09|Someone deleted the bucket|\n"
	got := check(t, c, table, []string{"Dave"})
	spanProperty(t, table, got)
	assert.Equal(t, []hit{{"fault-verb", "The on-call ignored"}, {"role-as-cause", "Someone deleted"}}, hits(got))
	assert.Equal(t, strings.Index(table, "The on-call"), got[0].Start)

	onlyStructure := "| a | b |\n|:--|--:|\n| | |\n"
	assert.Empty(t, check(t, c, onlyStructure, nil))
}

func TestEdgeEmojiAndRTL(t *testing.T) {
	c := newDefault(t)
	tests := []struct {
		text string
		want []hit
	}{
		{"🔥 The on-call ignored the alert 🚨", []hit{{"fault-verb", "The on-call ignored"}}},
		{"המערכת נפלה. The engineer's mistake — ולא היה מספיק זמן", []hit{{"blame-noun", "engineer's mistake"}}},
		{"\u202bמרחב\u202c If the SRE had looked, 👩🏽‍💻 it would have held.", []hit{{"counterfactual", "If the SRE had looked"}}},
		{"مرحبا: the developer was sloppy 🇺🇦", []hit{{"judgement", "sloppy"}}},
		{"The café’s on-call ignored the pager.", []hit{{"fault-verb", "The café’s on-call ignored"}}},
		{"Someone deleted the bucket 🙈🙈", []hit{{"role-as-cause", "Someone deleted"}}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			got := check(t, c, tc.text, nil)
			spanProperty(t, tc.text, got)
			assert.Equal(t, tc.want, hits(got))
		})
	}
}

func TestEdgeNoFinalPeriod(t *testing.T) {
	c := newDefault(t)
	tests := []struct {
		text string
		want []hit
	}{
		{"The on-call ignored the alert", []hit{{"fault-verb", "The on-call ignored"}}},
		{"It was the engineer's mistake", []hit{{"blame-noun", "engineer's mistake"}}},
		{"If the reviewer had read the diff", []hit{{"counterfactual", "If the reviewer had read"}}},
		{"The developer was sloppy", []hit{{"judgement", "sloppy"}}},
		{"Someone deleted the bucket", []hit{{"role-as-cause", "Someone deleted"}}},
		{"The on-call was too busy to", []hit{{"fault-verb", "The on-call was too busy to"}}},
		{"The on-call ignored", []hit{{"fault-verb", "The on-call ignored"}}},
		{"If the reviewer had", []hit{{"counterfactual", "If the reviewer had"}}},
		{"The health check ignored the flag", nil},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			got := check(t, c, tc.text, nil)
			spanProperty(t, tc.text, got)
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, hits(got))
		})
	}
}

func TestEdgeBulletedLists(t *testing.T) {
	c := newDefault(t)
	list := "- The on-call ignored the alert\n- The developer pushed a broken config\n- Dave rolled back the release\n" +
		"* The health check ignored the flag\n* The operators restarted every node\n  - They caused a full outage\n" +
		"1. The SRE was sloppy\n2. Nobody skipped a step\n• If the reviewer had read the diff\n"
	got := check(t, c, list, []string{"Dave"})
	spanProperty(t, list, got)
	assert.Equal(t, []hit{
		{"fault-verb", "The on-call ignored"},
		{"role-as-cause", "The developer pushed"},
		{"role-as-cause", "They caused"},
		{"judgement", "sloppy"},
		{"counterfactual", "If the reviewer had read"},
	}, hits(got))
}
