package lint

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusLine is one labelled sentence of testdata/corpus.jsonl.
type corpusLine struct {
	Part   string   `json:"part"`   // "tune" (rules were tuned on it) or "check" (held out)
	Label  string   `json:"label"`  // "blame" or "neutral"
	Family string   `json:"family"` // the kind of blame, or of neutral text
	Text   string   `json:"text"`
	People []string `json:"people,omitempty"` // names from the incident's roles
}

func loadCorpus(t testing.TB) []corpusLine {
	t.Helper()
	f, err := os.Open("testdata/corpus.jsonl")
	require.NoError(t, err)
	defer f.Close()
	var out []corpusLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		var l corpusLine
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&l), "line %d", n)
		require.Contains(t, []string{"tune", "check"}, l.Part, "line %d", n)
		require.Contains(t, []string{"blame", "neutral"}, l.Label, "line %d", n)
		require.NotEmpty(t, l.Family, "line %d", n)
		require.NotEmpty(t, strings.TrimSpace(l.Text), "line %d", n)
		out = append(out, l)
	}
	require.NoError(t, sc.Err())
	return out
}

// blames is the corpus's notion of a sentence flagged as blame: a finding
// that is not a quote from the time.
func blames(fs []Finding) bool {
	for _, f := range fs {
		if !f.Quoted {
			return true
		}
	}
	return false
}

// confusion counts one part or one family.
type confusion struct{ tp, fn, fp, tn int }

func (c *confusion) add(label string, flagged bool) {
	switch {
	case label == "blame" && flagged:
		c.tp++
	case label == "blame":
		c.fn++
	case flagged:
		c.fp++
	default:
		c.tn++
	}
}

func (c confusion) recall() float64 { return ratio(c.tp, c.tp+c.fn) }
func (c confusion) fpRate() float64 { return ratio(c.fp, c.fp+c.tn) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func TestCorpusShape(t *testing.T) {
	lines := loadCorpus(t)
	require.GreaterOrEqual(t, len(lines), 400)
	var blame, check int
	seen := map[string]bool{}
	for _, l := range lines {
		if l.Label == "blame" {
			blame++
		}
		if l.Part == "check" {
			check++
		}
		assert.False(t, seen[l.Text], "duplicate sentence %q", l.Text)
		seen[l.Text] = true
	}
	assert.InDelta(t, 0.5, ratio(blame, len(lines)), 0.05, "half blaming, half neutral")
	assert.InDelta(t, 0.3, ratio(check, len(lines)), 0.03, "a 70/30 split")
}

// TestCorpusAccuracy prints recall and false-positive rate on both parts and
// holds the held-out check part to recall ≥ 0.90 and false positives ≤ 0.10.
// With -v (make lint-report) it also prints the confusion per family and
// every sentence the rules get wrong.
func TestCorpusAccuracy(t *testing.T) {
	c := newDefault(t)
	parts := map[string]*confusion{"tune": {}, "check": {}}
	families := map[string]*confusion{}
	var wrong []string
	for _, l := range loadCorpus(t) {
		got := c.Check(l.Text, l.People)
		checkInvariants(t, l.Text, got)
		flagged := blames(got)
		parts[l.Part].add(l.Label, flagged)
		key := l.Part + " " + l.Label + "/" + l.Family
		if families[key] == nil {
			families[key] = &confusion{}
		}
		families[key].add(l.Label, flagged)
		if flagged != (l.Label == "blame") {
			wrong = append(wrong, fmt.Sprintf("%-5s %-7s %-15s %q %v", l.Part, l.Label, l.Family, l.Text, hits(got)))
		}
	}
	for _, p := range []string{"tune", "check"} {
		cf := parts[p]
		t.Logf("%-5s recall %.3f (%d/%d)  false positives %.3f (%d/%d)", p, cf.recall(), cf.tp, cf.tp+cf.fn, cf.fpRate(), cf.fp, cf.fp+cf.tn)
	}
	if testing.Verbose() {
		keys := make([]string, 0, len(families))
		for k := range families {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Logf("%-38s %5s %5s %5s %5s", "part label/family", "TP", "FN", "FP", "TN")
		for _, k := range keys {
			f := families[k]
			t.Logf("%-38s %5d %5d %5d %5d", k, f.tp, f.fn, f.fp, f.tn)
		}
		sort.Strings(wrong)
		for _, w := range wrong {
			t.Log("wrong: " + w)
		}
	}
	check := parts["check"]
	assert.GreaterOrEqual(t, check.recall(), 0.90, "recall on the held-out part")
	assert.LessOrEqual(t, check.fpRate(), 0.10, "false positives on the held-out part")
}
