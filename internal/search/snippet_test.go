package search

import (
	"html/template"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func highlighter(t *testing.T, typed string) *Highlighter {
	t.Helper()
	q, err := Parse(typed)
	require.NoError(t, err)
	return NewHighlighter(q)
}

func TestMarkEscapesAndFolds(t *testing.T) {
	for _, c := range []struct {
		query, text string
		want        template.HTML
	}{
		{"pool", "Pool <b>pool</b> & pools", "<mark>Pool</mark> &lt;b&gt;<mark>pool</mark>&lt;/b&gt; &amp; pools"},
		{"cafe", "Café menu", "<mark>Café</mark> menu"},
		{"CAFÉ", "cafe menu", "<mark>cafe</mark> menu"},
		{"dead*", "Deadlock and deadline, not a dead-end? dead!", "<mark>Deadlock</mark> and <mark>deadline</mark>, not a <mark>dead</mark>-end? <mark>dead</mark>!"},
		{`"connection pool"`, "connection to the pool", "<mark>connection</mark> to the <mark>pool</mark>"},
		{"dns -staging", "dns on staging", "<mark>dns</mark> on staging"},
		{"dns OR tls", "tls then dns", "<mark>tls</mark> then <mark>dns</mark>"},
		{"🔥", `"quoted" 🔥`, "&#34;quoted&#34; 🔥"},
		{"", "<script>", "&lt;script&gt;"},
		{"數據庫", "數據庫 連接池", "<mark>數據庫</mark> 連接池"},
		{"payments-api", "payments-api and payments api", "<mark>payments</mark>-<mark>api</mark> and <mark>payments</mark> <mark>api</mark>"},
	} {
		assert.Equal(t, c.want, highlighter(t, c.query).Mark(c.text), "query %q", c.query)
	}
}

func TestSnippet(t *testing.T) {
	h := highlighter(t, "pool exhausted")
	// The excerpt is the line with most matches, cut around them.
	long := strings.Repeat("filler ", 60) + "the pool was exhausted at peak " + strings.Repeat("tail ", 60)
	text := "the pool is fine\n" + long + "\nlast line"
	got := string(h.Snippet(text, 12))
	assert.True(t, strings.HasPrefix(got, "… "), got)
	assert.True(t, strings.HasSuffix(got, " …"), got)
	assert.Contains(t, got, "the <mark>pool</mark> was <mark>exhausted</mark> at peak")
	assert.NotContains(t, got, "fine", "one line only")
	assert.LessOrEqual(t, len(strings.Fields(got)), 14)

	// Short lines come whole; no match gives the start of the text.
	assert.Equal(t, template.HTML("a <mark>pool</mark> &lt;x&gt;"), h.Snippet("a pool <x>", 12))
	assert.Equal(t, template.HTML("nothing here"), h.Snippet("nothing here\nnor here", 12))
	assert.Equal(t, template.HTML("…"), h.Snippet("…", 12), "no words at all")
	assert.Equal(t, template.HTML(""), h.Snippet("", 12))
	assert.Equal(t, 2, h.Count("Pool EXHAUSTED"))
	assert.Zero(t, highlighter(t, "").Count("pool"))
}

func TestKeywords(t *testing.T) {
	assert.Equal(t, []string{"connection", "pool", "exhausted", "cafe", "payments", "api", "http2"},
		Keywords("The connection pool was exhausted; the Café and payments-api http2 in 2024 at 10 ok"))
	assert.Empty(t, Keywords("it is what it is 42"))
}

func TestAnyWordInRunsInFTS5(t *testing.T) {
	db := openIndex(t, t.TempDir())
	assert.Equal(t, []string{"deadlock", "dlq"}, hits(t, db, AnyWordIn([]string{"title"}, []string{"deadlock", "dead"})))
	assert.Equal(t, []string{"deadlock"}, hits(t, db, AnyWordIn([]string{"title"}, []string{"deadlock"})))
	assert.Equal(t, []string{"cafe"}, hits(t, db, AnyWordIn([]string{"title", "body"}, []string{`menu"`})),
		"words are quoted: a quote in one is text")
}

// FuzzHasAgreesWithCount: the fast check and the word-by-word count agree
// on whether a text matches.
func FuzzHasAgreesWithCount(f *testing.F) {
	for _, c := range [][2]string{
		{"pool", "the pool"}, {"pool", "pools"}, {"dead*", "Deadlock"}, {"pool", "é\u0301pool"}, {"pool", "\u0301pool"},
		{"api", "payments-api"}, {"cafe", "Café"}, {"x", "x\u0301"}, {"ab OR cd", "xab cd"}, {`"a b"`, "a-b"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, query, text string) {
		q, err := Parse(query)
		if err != nil {
			return
		}
		h := NewHighlighter(q)
		if got, want := h.Has(text), h.Count(text) > 0; got != want {
			t.Fatalf("Has(%q) = %v for query %q, but Count = %d", text, got, query, h.Count(text))
		}
	})
}
