// Package diagram draws analysis diagrams as self-contained SVG documents
// that work inline in a page and as files referenced from Markdown.
//
// The SVG uses presentation attributes only (fill=, stroke=, font-size=):
// the app's Content-Security-Policy (style-src 'self') blocks <style>
// elements and style attributes. It holds no scripts and no external
// references, and it stays readable in print and in greyscale: dark text
// on white, with kinds of boxes told apart by stroke width and dashes
// rather than by colour.
package diagram

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/debrief-dev/debrief/internal/model"
)

// Options tune a diagram.
type Options struct {
	// IDPrefix starts every id in the SVG, so that several diagrams can be
	// inlined in one HTML page; default "why". Only ASCII letters, digits,
	// '-' and '_' are kept.
	IDPrefix string
	// Factors maps a contributing factor's id to its title, for the caption
	// of a node linked to that factor.
	Factors map[int64]string
	// Title is the accessible title; default "Whys tree: " and the root's
	// text, truncated.
	Title string
}

// Whys renders one tree (root and everything below it) as a standalone SVG
// document, laid out left to right: the root in the first column, each
// level of whys one column further right.
//
// A node linked to a contributing factor gets a thick border and a
// "factor: <title>" caption; a leaf that stops early (NeedsWhy) a dashed
// border and the caption "keep asking why?". A nil root gives a small SVG
// saying "No whys yet". The output depends on nothing but the arguments.
func Whys(root *model.WhyNode, opt Options) []byte {
	prefix := idPrefix(opt.IDPrefix)
	title := clean(opt.Title)
	if root == nil {
		if title == "" {
			title = "No whys yet"
		}
		return empty(prefix, title)
	}
	t := newTree(root, opt.Factors, prefix)
	t.layout()
	if title == "" {
		title = "Whys tree: " + truncate(t.root.text, 80)
	}

	d := &doc{b: make([]byte, 0, 1024+1024*len(t.boxes))}
	d.header(prefix, t.width, t.height, title, t.describe())
	d.raw(`<g fill="none" stroke="#555" stroke-width="1.5">` + "\n")
	for _, p := range t.boxes {
		for _, c := range p.children {
			connect(d, p.x+boxWidth, p.y+p.h/2, c.x, c.y+c.h/2)
		}
	}
	d.raw("</g>\n")
	for _, n := range t.boxes {
		n.draw(d)
	}
	d.raw("</svg>\n")
	return d.b
}

// connect draws an S-shaped curve from the right edge of a parent to the
// left edge of a child; it stays between the columns, clear of the boxes.
func connect(d *doc, x1, y1, x2, y2 float64) {
	xm := (x1 + x2) / 2
	d.raw(`<path d="M`)
	for i, v := range [...]float64{x1, y1, xm, y1, xm, y2, x2, y2} {
		switch {
		case i == 2:
			d.raw(" C")
		case i > 0:
			d.raw(" ")
		}
		d.num(v)
	}
	d.raw(`"/>` + "\n")
}

// A box is a node as drawn.
type box struct {
	id       string   // element id, unique in the document
	level    int      // column: the root is 0
	label    string   // "Problem", "Factor", "Why 2"
	text     string   // the node's text, cleaned
	lines    []string // text wrapped to the box
	factor   string   // title of the linked contributing factor, if any
	hint     bool     // a branch that ends early: "keep asking why?"
	captions []string // factor and hint captions, wrapped
	children []*box

	x, y, h float64 // top-left corner and height
	rel     float64 // centre relative to the parent's, during layout
}

// A tree is the boxes of one diagram, root first, in depth-first order.
type tree struct {
	root          *box
	boxes         []*box
	width, height float64

	// While building:
	prefix  string
	factors map[int64]string
	ids     map[string]bool
	seen    map[*model.WhyNode]bool
}

func newTree(root *model.WhyNode, factors map[int64]string, prefix string) *tree {
	t := &tree{prefix: prefix, factors: factors, ids: map[string]bool{}, seen: map[*model.WhyNode]bool{}}
	t.root = t.add(root, 0)
	return t
}

// add makes boxes of n's subtree. A node met twice (a hand-built tree with
// a cycle, or a node shared by two parents) is drawn once.
func (t *tree) add(n *model.WhyNode, level int) *box {
	t.seen[n] = true
	b := &box{id: t.uniqueID(n.ID), level: level, text: clean(n.Text)}
	switch {
	case level > 0:
		b.label = "Why " + strconv.Itoa(level)
	case n.FactorID != nil:
		b.label = "Factor"
	default:
		b.label = "Problem"
	}
	b.lines = wrap(b.text, lineLimit(textSize), maxTextLines)
	if level > 0 && n.FactorID != nil {
		b.factor = clean(t.factors[*n.FactorID])
		if b.factor == "" {
			b.factor = "#" + strconv.FormatInt(*n.FactorID, 10)
		}
		b.captions = append(b.captions, wrap("factor: "+b.factor, lineLimit(captionSize), maxCaptions)...)
	}
	if b.hint = n.NeedsWhy(); b.hint {
		b.captions = append(b.captions, "keep asking why?")
	}
	b.h = 2*padding + labelLine + float64(len(b.lines))*textLine
	if len(b.captions) > 0 {
		b.h += captionGap + float64(len(b.captions))*captionLine
	}
	t.boxes = append(t.boxes, b)
	for _, c := range n.Children {
		if c != nil && !t.seen[c] {
			b.children = append(b.children, t.add(c, level+1))
		}
	}
	return b
}

// uniqueID is prefix-ID, with a suffix should a hand-built tree repeat an
// ID.
func (t *tree) uniqueID(id int64) string {
	base := t.prefix + "-" + strconv.FormatInt(id, 10)
	s := base
	for i := 2; t.ids[s]; i++ {
		s = base + "-" + strconv.Itoa(i)
	}
	t.ids[s] = true
	return s
}

// describe summarises the tree for the <desc>: its size and depth, where
// its branches end, and the factors it links to.
func (t *tree) describe() string {
	const listed = 10
	var ends, factors []string
	nEnds, nFactors, deepest, hints := 0, 0, 0, 0
	for _, b := range t.boxes {
		deepest = max(deepest, b.level)
		if len(b.children) == 0 {
			if nEnds++; nEnds <= listed {
				ends = append(ends, b.label+": "+truncate(b.text, 60))
			}
		}
		if b.factor != "" {
			if nFactors++; nFactors <= listed {
				factors = append(factors, b.factor+" ("+b.label+")")
			}
		}
		if b.hint {
			hints++
		}
	}
	var s strings.Builder
	if deepest == 0 {
		s.WriteString("1 node, no whys yet.")
	} else {
		fmt.Fprintf(&s, "%d nodes, %d levels deep (down to Why %d). Branch ends: %s.",
			len(t.boxes), deepest+1, deepest, list(ends, nEnds))
	}
	if nFactors > 0 {
		fmt.Fprintf(&s, " Linked contributing factors: %s.", list(factors, nFactors))
	}
	switch {
	case hints == 1:
		s.WriteString(" 1 branch ends early: keep asking why?")
	case hints > 1:
		fmt.Fprintf(&s, " %d branches end early: keep asking why?", hints)
	}
	return s.String()
}

// list joins items with semicolons, counting those left out of total.
func list(items []string, total int) string {
	s := strings.Join(items, "; ")
	if total > len(items) {
		s += fmt.Sprintf("; and %d more", total-len(items))
	}
	return s
}

// draw writes the box as a group: its full text as a <title> (a tooltip,
// and what a screen reader announces), the frame, the label, the wrapped
// text and the captions.
func (n *box) draw(d *doc) {
	fill, stroke := "#fff", "1.5"
	if n.level == 0 {
		fill = "#f2f2f2"
	}
	if n.factor != "" {
		stroke = "3.5"
	}
	d.raw("<g")
	d.attr("id", n.id)
	d.raw(">\n<title>" + n.label + ": ")
	d.text(n.text)
	d.raw("</title>\n<rect")
	d.coord("x", n.x)
	d.coord("y", n.y)
	d.coord("width", boxWidth)
	d.coord("height", n.h)
	d.raw(` rx="4"`)
	d.attr("fill", fill)
	d.raw(` stroke="#222"`)
	d.attr("stroke-width", stroke)
	if n.hint {
		d.raw(` stroke-dasharray="6 4"`)
	}
	d.raw("/>\n")

	x, y := n.x+padding, n.y+padding
	d.raw("<text")
	d.coord("x", x)
	d.coord("y", y+labelLine-descent)
	d.attr("font-size", strconv.Itoa(captionSize))
	d.raw(` font-weight="bold" fill="#444">` + n.label + "</text>\n")
	y += labelLine
	d.raw(`<text fill="#111">`)
	for _, l := range n.lines {
		y += textLine
		tspan(d, x, y-descent, l)
	}
	d.raw("</text>\n")
	if len(n.captions) > 0 {
		y += captionGap
		d.raw("<text")
		d.attr("font-size", strconv.Itoa(captionSize))
		d.raw(` font-style="italic" fill="#333">`)
		for _, l := range n.captions {
			y += captionLine
			tspan(d, x, y-descent, l)
		}
		d.raw("</text>\n")
	}
	d.raw("</g>\n")
}

// tspan writes one line of text with its baseline at x, y.
func tspan(d *doc, x, y float64, line string) {
	d.raw("<tspan")
	d.coord("x", x)
	d.coord("y", y)
	d.raw(">")
	d.text(line)
	d.raw("</tspan>")
}

// empty is the diagram of a tree that does not exist yet.
func empty(prefix, title string) []byte {
	d := &doc{}
	d.header(prefix, 240, 64, title, "The whys tree is empty.")
	d.raw(`<rect x="8" y="8" width="224" height="48" rx="4" fill="#fff" stroke="#222" stroke-width="1.5" stroke-dasharray="6 4"/>` + "\n")
	d.raw(`<text x="120" y="37" text-anchor="middle" fill="#111">No whys yet</text>` + "\n")
	d.raw("</svg>\n")
	return d.b
}
