package diagram

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func ptr[T any](v T) *T { return &v }

// why is a flat row for model.BuildWhyTrees.
func why(id, parent int64, text string) model.WhyNode {
	n := model.WhyNode{ID: id, Text: text, Position: int(id)}
	if parent != 0 {
		n.ParentID = ptr(parent)
	}
	return n
}

// build links rows into one tree and returns its root.
func build(t testing.TB, rows ...model.WhyNode) *model.WhyNode {
	t.Helper()
	roots := model.BuildWhyTrees(rows)
	require.Len(t, roots, 1)
	return roots[0]
}

// forkTree is a realistic tree: two branches from the problem, the first
// forking again; one branch reaches Why 4 and a factor, one stops at Why 2.
func forkTree(t testing.TB) *model.WhyNode {
	factor := why(8, 6, "The index on orders.customer_id was dropped by a migration & nobody saw the plan change")
	factor.FactorID = ptr(int64(11))
	return build(t,
		why(1, 0, "Checkout returned 500s for 40 minutes"),
		why(2, 1, "The payments service timed out calling the fraud check"),
		why(3, 1, "The load balancer kept sending traffic to failing pods"),
		why(4, 2, "The fraud check's database connection pool was exhausted"),
		why(5, 2, `Retries from checkout multiplied the load by 3 ("retry storm")`),
		why(6, 4, "A slow query held every connection for 30 seconds"),
		why(7, 3, "Health checks only probe /ping, which never touches the database"),
		factor,
		why(9, 7, "The health check predates the database dependency and nobody revisited it"),
	)
}

var forkFactors = map[int64]string{11: "Migrations are not reviewed for query-plan changes"}

func TestWhysGolden(t *testing.T) {
	got := Whys(forkTree(t), Options{Factors: forkFactors})
	golden := filepath.Join("testdata", "whys_fork.svg")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test ./internal/diagram -update to create it")
	assert.Equal(t, string(want), string(got), "run go test ./internal/diagram -update and review the diff")
}

func TestWhysMarks(t *testing.T) {
	root := forkTree(t)
	doc := parse(t, Whys(root, Options{Factors: forkFactors}))
	g := doc.groups()

	assert.Equal(t, "Problem: Checkout returned 500s for 40 minutes", g["why-1"].Title)
	assert.Equal(t, "Why 4", g["why-8"].Texts[0].Chars, "label")
	assert.Equal(t, "3.5", g["why-8"].Rect.StrokeWidth, "a factor's thick border")
	assert.Contains(t, g["why-8"].captions(), "factor: Migrations are not reviewed for query-plan")
	assert.Equal(t, "6 4", g["why-5"].Rect.Dash, "an early end's dashed border")
	assert.Equal(t, "keep asking why?", g["why-5"].captions())
	for _, id := range []string{"why-1", "why-2", "why-3", "why-4", "why-6", "why-7", "why-9"} {
		assert.Equal(t, "1.5", g[id].Rect.StrokeWidth, id)
		assert.Empty(t, g[id].Rect.Dash, id)
		assert.Empty(t, g[id].captions(), id)
	}
	assert.Equal(t, "Whys tree: Checkout returned 500s for 40 minutes", doc.Title)
	assert.Contains(t, doc.Desc, "9 nodes, 5 levels deep (down to Why 4)")
	assert.Contains(t, doc.Desc, "Linked contributing factors: Migrations are not reviewed for query-plan changes (Why 4).")
	assert.Contains(t, doc.Desc, "1 branch ends early")

	t.Run("factor without a title, factor root", func(t *testing.T) {
		root := why(1, 0, "Deploys skip the canary")
		root.FactorID = ptr(int64(3))
		child := why(2, 1, "The canary stage is optional")
		child.FactorID = ptr(int64(42))
		g := parse(t, Whys(build(t, root, child), Options{})).groups()
		assert.Equal(t, "Factor", g["why-1"].Texts[0].Chars)
		assert.Empty(t, g["why-1"].captions(), "a factor root needs no caption")
		assert.Equal(t, "factor: #42 keep asking why?", g["why-2"].captions())
	})
}

// hostile is text that must come out escaped, or not at all.
var hostile = []struct{ name, text string }{
	{"markup", `<script>alert(1)</script><b onclick="x">&amp; 'q'`},
	{"cdata end", "a ]]> b ]]>"},
	{"control characters", "\x00\x01\x1b[31m red \x7f\u0085\ufffe\uffff \x0b\x0c"},
	{"invalid UTF-8", "caf\xc3 \xff\xfe na\xefve"},
	{"emoji", "👩🏽‍💻 deployed 🚀🔥 at 3am 🇺🇦 👨‍👩‍👧‍👦"},
	{"RTL Arabic", "فشل الخادم بسبب نفاد الذاكرة \u202eoverride\u202c"},
	{"CJK", "数据库连接池耗尽导致结账服务返回错误持续了四十分钟之久"},
	{"combining marks", strings.Repeat("e\u0301\u0323", 300)},
	{"1000-char word", strings.Repeat("x", 1000)},
	{"long text", strings.Repeat("why ", 2000)},
	{"empty", ""},
	{"blank", " \t\n "},
}

func TestWhysParses(t *testing.T) {
	for _, tc := range hostile {
		t.Run(tc.name, func(t *testing.T) {
			rows := []model.WhyNode{why(1, 0, tc.text), why(2, 1, tc.text), why(3, 2, "fine")}
			rows[1].FactorID = ptr(int64(7))
			out := Whys(build(t, rows...), Options{
				IDPrefix: tc.text,
				Title:    tc.text,
				Factors:  map[int64]string{7: tc.text},
			})
			doc := parse(t, out)
			assertSafe(t, out)
			g := doc.groups()
			require.Len(t, g, 3)
			want := clean(tc.text)
			assert.Equal(t, "Why 1: "+want, g[doc.prefix()+"-2"].Title, "the title keeps the full text")
			for _, b := range g {
				for _, tx := range b.Texts {
					limit := lineLimit(textSize)
					if tx.Italic != "" {
						limit = lineLimit(captionSize)
					}
					for _, l := range tx.Spans {
						assert.LessOrEqual(t, width(l), limit, "line %q", l)
					}
				}
			}
		})
	}
}

func TestWhysNil(t *testing.T) {
	out := Whys(nil, Options{IDPrefix: "inc7"})
	doc := parse(t, out)
	assertSafe(t, out)
	assert.Equal(t, "No whys yet", doc.Title)
	assert.Contains(t, string(out), ">No whys yet</text>")
	assert.Equal(t, "inc7-title inc7-desc", doc.LabelledBy)
}

func TestWhysShapes(t *testing.T) {
	cases := []struct {
		name  string
		root  *model.WhyNode
		nodes int
	}{
		{"single root", build(t, why(1, 0, "Only the problem")), 1},
		{"20 levels deep", chain(t, 20), 20},
		{"500 wide", star(t, 500), 500},
		{"500 random", randomTree(t, 500, 1), 500},
		{"300 random", randomTree(t, 300, 7), 300},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := Whys(tc.root, Options{})
			doc := parse(t, out)
			assertSafe(t, out)
			g := doc.groups()
			require.Len(t, g, tc.nodes)
			assertNoOverlap(t, doc)
			assertTidy(t, tc.root)
			if tc.nodes > 1 {
				assert.Contains(t, doc.Desc, fmt.Sprintf("%d nodes", tc.nodes))
			}
			ids := doc.ids(t)
			assert.Len(t, ids, 2+tc.nodes)
			for _, ref := range strings.Fields(doc.LabelledBy) {
				assert.True(t, ids[ref], "aria-labelledby names %s", ref)
			}
		})
	}
}

func TestWhysRandomNoOverlap(t *testing.T) {
	for seed := range uint64(5) {
		doc := parse(t, Whys(randomTree(t, 300, seed), Options{}))
		assertNoOverlap(t, doc)
	}
}

func TestWhysDeterministic(t *testing.T) {
	factors := map[int64]string{}
	for i := range int64(100) {
		factors[i] = fmt.Sprintf("factor %d", i)
	}
	root := randomTree(t, 300, 3)
	first := Whys(root, Options{Factors: factors})
	for range 5 {
		require.Equal(t, first, Whys(root, Options{Factors: factors}))
	}
}

func TestWhysIDs(t *testing.T) {
	t.Run("unique in one page", func(t *testing.T) {
		a := parse(t, Whys(forkTree(t), Options{IDPrefix: "inc1-why"})).ids(t)
		b := parse(t, Whys(forkTree(t), Options{IDPrefix: "inc2-why"})).ids(t)
		assert.Len(t, a, 2+9)
		for id := range a {
			assert.True(t, strings.HasPrefix(id, "inc1-why-"), id)
			assert.False(t, b[id], "%s in both diagrams", id)
		}
	})
	t.Run("prefix is sanitised", func(t *testing.T) {
		for prefix, want := range map[string]string{
			"": "why", `a"b c`: "abc", "7x": "why-7x", "ü": "why", strings.Repeat("x", 100): strings.Repeat("x", 40),
		} {
			assert.Equal(t, want, idPrefix(prefix), "%q", prefix)
		}
	})
	t.Run("hand-built tree repeating ids and a cycle", func(t *testing.T) {
		root := &model.WhyNode{ID: 1, Text: "root"}
		a := &model.WhyNode{ID: 2, Text: "a", Depth: 1}
		b := &model.WhyNode{ID: 2, Text: "b", Depth: 1}
		root.Children = []*model.WhyNode{a, b, nil}
		a.Children = []*model.WhyNode{root, a}
		doc := parse(t, Whys(root, Options{}))
		assert.Len(t, doc.groups(), 3)
		assert.Len(t, doc.ids(t), 2+3)
	})
}

func TestWrap(t *testing.T) {
	const limit = 10_000 // ten em: 20 x, 10 CJK characters
	cases := []struct {
		name, text string
		want       []string
	}{
		{"words", "The fraud check's database connection pool was exhausted",
			[]string{"The fraud check's", "database connection", "pool was exhausted"}},
		{"capitals are wider", "WWW WWW WWW WWW", []string{"WWW WWW WWW", "WWW"}},
		{"long word", strings.Repeat("x", 45), []string{strings.Repeat("x", 20), strings.Repeat("x", 20), "xxxxx"}},
		{"long word after a word", "see " + strings.Repeat("y", 22), []string{"see", strings.Repeat("y", 20), "yy"}},
		{"CJK", strings.Repeat("数", 11), []string{strings.Repeat("数", 10), "数"}},
		{"accents stay with their letter", strings.Repeat("e\u0301", 18), []string{strings.Repeat("e\u0301", 17), "e\u0301"}},
		{"emoji sequences stay whole", strings.Repeat("👩‍💻", 5), []string{strings.Repeat("👩‍💻", 4), "👩‍💻"}},
		{"RTL", "فشل الخادم بسبب نفاد الذاكرة", []string{"فشل الخادم بسبب", "نفاد الذاكرة"}},
		{"empty", "", []string{""}},
		{"cut after three lines", strings.Repeat("x ", 100), []string{
			strings.Repeat("x ", 12) + "x", strings.Repeat("x ", 12) + "x", strings.Repeat("x ", 10) + "x…",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(tc.text, limit, 3)
			assert.Equal(t, tc.want, got)
			for _, l := range got {
				assert.True(t, utf8.ValidString(l), "%q", l)
				assert.LessOrEqual(t, width(l), limit, "%q", l)
			}
		})
	}
}

func TestRuneWidth(t *testing.T) {
	for r, want := range map[rune]int{' ': 278, 'a': 556, 'i': 222, 'W': 944, '~': 584, 'é': 600, '数': 1000, '🚀': 1250, '\u0301': 0, zwj: 0} {
		assert.Equal(t, want, runeWidth(r), "%q", r)
	}
}

func BenchmarkWhys500(b *testing.B) {
	root := randomTree(b, 500, 1)
	b.ReportAllocs()
	for b.Loop() {
		Whys(root, Options{})
	}
}

// Fixtures.

func chain(t testing.TB, n int) *model.WhyNode {
	rows := []model.WhyNode{why(1, 0, "the problem")}
	for i := int64(2); i <= int64(n); i++ {
		rows = append(rows, why(i, i-1, fmt.Sprintf("because of level %d", i-1)))
	}
	return build(t, rows...)
}

func star(t testing.TB, n int) *model.WhyNode {
	rows := []model.WhyNode{why(1, 0, "the problem")}
	for i := int64(2); i <= int64(n); i++ {
		rows = append(rows, why(i, 1, fmt.Sprintf("reason %d", i)))
	}
	return build(t, rows...)
}

var words = strings.Fields("the deploy queue retry pool timeout cache was not alerted because config drift " +
	"nobody owned a runbook for this rollback took forty minutes")

// randomTree is a tree of n nodes whose shape and texts come from seed,
// with parents drawn mostly from recent nodes so that branches run deep.
func randomTree(t testing.TB, n int, seed uint64) *model.WhyNode {
	rng := rand.New(rand.NewPCG(seed, 42))
	rows := []model.WhyNode{why(1, 0, "the problem")}
	for i := int64(2); i <= int64(n); i++ {
		parent := i - 1 - int64(rng.IntN(min(int(i-1), 8)))
		text := make([]string, 1+rng.IntN(30))
		for j := range text {
			text[j] = words[rng.IntN(len(words))]
		}
		row := why(i, parent, strings.Join(text, " "))
		if rng.IntN(10) == 0 {
			row.FactorID = ptr(int64(rng.IntN(100)))
		}
		rows = append(rows, row)
	}
	return build(t, rows...)
}

// Parsing what was rendered.

type svgDoc struct {
	XMLName    xml.Name `xml:"http://www.w3.org/2000/svg svg"`
	LabelledBy string   `xml:"aria-labelledby,attr"`
	Role       string   `xml:"role,attr"`
	ViewBox    string   `xml:"viewBox,attr"`
	Width      float64  `xml:"width,attr"`
	Height     float64  `xml:"height,attr"`
	Title      string   `xml:"title"`
	Desc       string   `xml:"desc"`
	Groups     []svgG   `xml:"g"`
	raw        []byte   // the document as rendered
}

type svgG struct {
	ID    string    `xml:"id,attr"`
	Title string    `xml:"title"`
	Rect  svgRect   `xml:"rect"`
	Texts []svgText `xml:"text"`
}

type svgRect struct {
	X           float64 `xml:"x,attr"`
	Y           float64 `xml:"y,attr"`
	Width       float64 `xml:"width,attr"`
	Height      float64 `xml:"height,attr"`
	StrokeWidth string  `xml:"stroke-width,attr"`
	Dash        string  `xml:"stroke-dasharray,attr"`
}

type svgText struct {
	Chars  string   `xml:",chardata"`
	Italic string   `xml:"font-style,attr"`
	Spans  []string `xml:"tspan"`
}

// parse decodes out strictly, failing the test if it is not well-formed.
func parse(t testing.TB, out []byte) *svgDoc {
	t.Helper()
	require.True(t, utf8.Valid(out), "output is not UTF-8")
	dec := xml.NewDecoder(bytes.NewReader(out))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "output does not parse:\n%s", out)
	}
	var doc svgDoc
	require.NoError(t, xml.Unmarshal(out, &doc))
	doc.raw = out
	require.Equal(t, "img", doc.Role)
	require.Equal(t, fmt.Sprintf("0 0 %g %g", doc.Width, doc.Height), doc.ViewBox)
	return &doc
}

func (d *svgDoc) prefix() string {
	return strings.TrimSuffix(strings.Fields(d.LabelledBy)[0], "-title")
}

// groups are the boxes, by id.
func (d *svgDoc) groups() map[string]svgG {
	g := map[string]svgG{}
	for _, x := range d.Groups {
		if x.ID != "" {
			g[x.ID] = x
		}
	}
	return g
}

// ids are every id in the document; a repeated one fails the test.
func (d *svgDoc) ids(t testing.TB) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	dec := xml.NewDecoder(bytes.NewReader(d.raw))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return ids
		}
		if el, ok := tok.(xml.StartElement); ok {
			for _, a := range el.Attr {
				if a.Name.Local == "id" {
					require.False(t, ids[a.Value], "repeated id %s", a.Value)
					ids[a.Value] = true
				}
			}
		}
	}
}

func (g svgG) captions() string {
	for _, t := range g.Texts {
		if t.Italic != "" {
			return strings.Join(t.Spans, " ")
		}
	}
	return ""
}

// assertSafe checks what the app's CSP and an <img> need: no scripts, no
// styles, nothing fetched.
func assertSafe(t testing.TB, out []byte) {
	t.Helper()
	s := string(out)
	for _, bad := range []string{"<script", "<style", " style=", "href", "url(", "<foreignObject", "]]>", "\x00"} {
		assert.False(t, strings.Contains(s, bad), "output contains %q", bad)
	}
}

func assertNoOverlap(t testing.TB, doc *svgDoc) {
	t.Helper()
	var rs []svgRect
	for _, g := range doc.Groups[1:] { // after the connectors
		r := g.Rect
		require.Positive(t, r.Height)
		require.True(t, r.X >= 0 && r.Y >= 0 && r.X+r.Width <= doc.Width && r.Y+r.Height <= doc.Height,
			"%s lies outside the canvas", g.ID)
		rs = append(rs, r)
	}
	for i, a := range rs {
		for _, b := range rs[i+1:] {
			overlap := a.X < b.X+b.Width && b.X < a.X+a.Width && a.Y < b.Y+b.Height && b.Y < a.Y+a.Height
			require.False(t, overlap, "boxes overlap: %+v and %+v", a, b)
		}
	}
}

// assertTidy checks the layout itself: one column per level, children
// top to bottom in order, each parent centred on its children.
func assertTidy(t testing.TB, root *model.WhyNode) {
	t.Helper()
	tr := newTree(root, nil, "why")
	tr.layout()
	centre := func(b *box) float64 { return b.y + b.h/2 }
	for _, b := range tr.boxes {
		require.InDelta(t, margin+float64(b.level)*(boxWidth+columnGap), b.x, 1e-9)
		if len(b.children) == 0 {
			continue
		}
		first, last := b.children[0], b.children[len(b.children)-1]
		require.InDelta(t, (centre(first)+centre(last))/2, centre(b), 1e-6, "%s is not centred on its children", b.id)
		for i, c := range b.children {
			require.Equal(t, b.level+1, c.level)
			if i > 0 {
				prev := b.children[i-1]
				require.GreaterOrEqual(t, c.y, prev.y+prev.h+rowGap-1e-6, "%s is not below %s", c.id, prev.id)
			}
		}
	}
}
