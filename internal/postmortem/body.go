package postmortem

import (
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	gmtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The body of a file (what follows the front matter) as goldmark reads it:
// the same GFM parser Render checks its output with (see closer), so the
// headings, markers and tables Parse finds are the ones a renderer shows.
// The texts of the parts are still taken from the file's lines, exactly
// as written; the tree says where the parts are.

// body is a file's body parsed, with the way back from a byte offset to
// the file's line.
type body struct {
	src    []byte
	root   ast.Node
	first  int   // the body's first line in parseState.lines
	starts []int // the offset in src of each body line
}

func parseBody(lines []string, first int) *body {
	b := &body{src: []byte(strings.Join(lines[first:], "\n")), first: first}
	b.starts = make([]int, 0, len(lines)-first)
	off := 0
	for _, l := range lines[first:] {
		b.starts = append(b.starts, off)
		off += len(l) + 1
	}
	b.root = blockParser().Parse(gmtext.NewReader(b.src))
	return b
}

// blockParser is goldmark's CommonMark parser with GFM tables, for the
// blocks only: Parse takes texts from the lines, so it parses no inlines
// (an inline parse of a hostile 10 MiB file takes minutes).
func blockParser() parser.Parser {
	return parser.NewParser(
		parser.WithBlockParsers(parser.DefaultBlockParsers()...),
		// Not the link reference definitions: they change no block, and
		// goldmark reads a file of them in quadratic time.
		parser.WithParagraphTransformers(util.Prioritized(extension.NewTableParagraphTransformer(), 200)),
	)
}

// maxNesting is how many quotes and lists one line may open: goldmark
// takes time quadratic in it, and no document nests that deep.
const maxNesting = 100

// tooDeep returns the index of the first line of lines that opens more
// than maxNesting quotes and list items at its start, or -1.
func tooDeep(lines []string) int {
	for i, l := range lines {
		depth := 0
		for j := 0; j < len(l); {
			switch c := l[j]; {
			case c == ' ' || c == '\t':
				j++
				continue
			case c == '>':
				j++
			case (c == '-' || c == '*' || c == '+') && j+1 < len(l) && (l[j+1] == ' ' || l[j+1] == '\t'):
				j += 2
			case c >= '0' && c <= '9':
				k := j
				for k < len(l) && k-j < 10 && l[k] >= '0' && l[k] <= '9' {
					k++
				}
				if k+1 >= len(l) || (l[k] != '.' && l[k] != ')') || (l[k+1] != ' ' && l[k+1] != '\t') {
					j = len(l)
					continue
				}
				j = k + 2
			default:
				j = len(l)
				continue
			}
			if depth++; depth > maxNesting {
				return i
			}
		}
	}
	return -1
}

// line is the index in the file's lines of the line holding offset pos.
func (b *body) line(pos int) int {
	return b.first + sort.Search(len(b.starts), func(i int) bool { return b.starts[i] > pos }) - 1
}

// headingText is a heading's text as written (still escaped), without its
// # marks or underline.
func (b *body) headingText(h *ast.Heading) string {
	var parts []string
	for i := range h.Lines().Len() {
		seg := h.Lines().At(i)
		parts = append(parts, strings.Trim(string(seg.Value(b.src)), " \t"))
	}
	return strings.Join(parts, " ")
}

// headingLines are the first line of a heading and the line after it
// (after the underline of a setext heading).
func (b *body) headingLines(h *ast.Heading, lines []string) (start, end int) {
	start = b.line(h.Pos())
	if atx := strings.TrimLeft(lines[start], " "); strings.HasPrefix(atx, "#") {
		return start, start + 1
	}
	last := start
	if n := h.Lines().Len(); n > 0 {
		last = b.line(h.Lines().At(n - 1).Start)
	}
	return start, last + 2
}

// isATX reports whether h is written with # marks.
func (b *body) isATX(h *ast.Heading, lines []string) bool {
	return strings.HasPrefix(strings.TrimLeft(lines[b.line(h.Pos())], " "), "#")
}

// --- Debrief's own format ---

// block is a part of an export: a heading and its marker.
type block struct {
	kind, arg string
	head      int    // index of the heading's first line (== line without a heading)
	line      int    // index of the marker
	title     string // the heading's text, still escaped
}

// blocks finds the markers that start parts: HTML blocks of one marker
// line at the top level ("empty" and "guard" are inside parts; "why"
// markers end list items). A marker belongs to the heading right before
// it.
func (ps *parseState) blocks() []block {
	var out []block
	for n := ps.body.root.FirstChild(); n != nil; n = n.NextSibling() {
		hb, ok := n.(*ast.HTMLBlock)
		if !ok {
			continue
		}
		i := ps.body.line(hb.Pos())
		m := markerLineRE.FindStringSubmatch(ps.lines[i])
		if m == nil || m[1] == "empty" || m[1] == "guard" {
			continue
		}
		b := block{kind: m[1], arg: m[2], line: i, head: i}
		if h, ok := n.PreviousSibling().(*ast.Heading); ok {
			b.head, _ = ps.body.headingLines(h, ps.lines)
			b.title = ps.body.headingText(h)
		}
		out = append(out, b)
	}
	return out
}

// firstTitle returns the text of the first # heading before line to.
func (ps *parseState) firstTitle(to int) (string, bool) {
	for n := ps.body.root.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok {
			continue
		}
		if ps.body.line(h.Pos()) >= to {
			break
		}
		if h.Level == 1 && ps.body.isATX(h, ps.lines) {
			return unescapePlain(ps.body.headingText(h)), true
		}
	}
	return "", false
}

// --- Tables ---

// table is a GFM table: cells still escaped.
type table struct {
	head   int // the header row's index in the file
	header []string
	rows   [][]string
	lines  []int // each row's index in the file
}

// tables lists the tables whose header is in the file's lines [from, to),
// anywhere in the tree (in a list, a quote), counting their rows against
// MaxImportTableRows.
func (ps *parseState) tables(from, to int) ([]table, error) {
	var out []table
	var err error
	_ = ast.Walk(ps.body.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		tn, ok := n.(*east.Table)
		if !ok {
			return ast.WalkContinue, nil
		}
		hr := tn.FirstChild() // the header: the header row's cells
		if hr == nil || hr.FirstChild() == nil {
			return ast.WalkSkipChildren, nil
		}
		t := table{head: ps.body.line(hr.FirstChild().Pos()), header: ps.body.cells(hr)}
		if t.head < from || t.head >= to {
			return ast.WalkSkipChildren, nil
		}
		for r := hr.NextSibling(); r != nil; r = r.NextSibling() {
			line := ps.body.line(r.Pos())
			if ps.rows++; ps.rows > MaxImportTableRows {
				err = errorAt(line, "more than %d table rows; split the file", MaxImportTableRows)
				return ast.WalkStop, nil
			}
			t.rows = append(t.rows, ps.body.cells(r))
			t.lines = append(t.lines, line)
		}
		out = append(out, t)
		return ast.WalkSkipChildren, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cells are the texts of a table row's cells as written (escapes kept);
// goldmark pads a short row and cuts a long one to the header's width.
func (b *body) cells(row ast.Node) []string {
	var out []string
	for c := row.FirstChild(); c != nil; c = c.NextSibling() {
		out = append(out, b.cellText(c))
	}
	return out
}

// cellText is a cell's text as written; "" for a cell goldmark padded
// the row with.
func (b *body) cellText(c ast.Node) string {
	if c.Lines().Len() == 0 {
		return ""
	}
	seg := c.Lines().At(0)
	return strings.Trim(string(seg.Value(b.src)), " \t")
}

// --- Documents written elsewhere ---

// scanHeadings lists the headings at the top level of the body.
func (ps *parseState) scanHeadings() []heading {
	var out []heading
	for n := ps.body.root.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok {
			continue
		}
		start, end := ps.body.headingLines(h, ps.lines)
		out = append(out, heading{start: start, end: end, level: h.Level, text: unescapePlain(ps.body.headingText(h))})
	}
	for i := range out {
		out[i].part = headingParts[normalizeName(out[i].text)]
	}
	return out
}
