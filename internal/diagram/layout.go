package diagram

import "math"

// Geometry, in SVG user units (px at the natural size).
const (
	boxWidth    = 220.0
	columnGap   = 56.0 // between columns: room for the connectors
	rowGap      = 14.0 // between neighbouring boxes of a column
	margin      = 16.0
	padding     = 10.0 // inside a box
	labelLine   = 16.0 // "Why 2"
	textLine    = 18.0
	captionLine = 15.0
	captionGap  = 4.0
	descent     = 4.0 // from a line's baseline to its bottom

	textSize     = 13
	captionSize  = 11
	maxTextLines = 40 // MaxWhyTextLen fits; the <title> keeps any rest
	maxCaptions  = 3
)

// lineLimit is how much text fits on a line at a font size, in
// thousandths of an em, keeping 8% to spare for a fallback font wider
// than Helvetica.
func lineLimit(size float64) int { return int(0.92 * (boxWidth - 2*padding) * 1000 / size) }

// A span is the vertical extent of a subtree's boxes in one column,
// relative to the subtree root's centre.
type span struct{ top, bottom float64 }

// layout places the boxes: one column per level and each parent centred on
// its children, every subtree moved up as close to the one above it as
// their outlines (contours) allow without overlapping, as in Reingold and
// Tilford's tidy tree with columns for rows. It sets the canvas size.
func (t *tree) layout() {
	contour(t.root)
	position(t.root, 0)
	top, bottom := math.Inf(1), math.Inf(-1)
	levels := 0
	for _, b := range t.boxes {
		top = min(top, b.y)
		bottom = max(bottom, b.y+b.h)
		levels = max(levels, b.level+1)
	}
	for _, b := range t.boxes {
		b.x = margin + float64(b.level)*(boxWidth+columnGap)
		b.y += margin - top
	}
	t.width = math.Ceil(2*margin + float64(levels)*boxWidth + float64(levels-1)*columnGap)
	t.height = math.Ceil(2*margin + bottom - top)
}

// contour lays out b's subtree, setting each child's offset (rel) from
// its parent, and returns the subtree's contour: one span per column,
// b's own first.
func contour(b *box) []span {
	own := span{-b.h / 2, b.h / 2}
	if len(b.children) == 0 {
		return []span{own}
	}
	var block []span // the children's contours, relative to the first child
	for i, c := range b.children {
		cc := contour(c)
		if i > 0 {
			// Just below the block in every column both reach.
			c.rel = math.Inf(-1)
			for d := range min(len(block), len(cc)) {
				c.rel = max(c.rel, block[d].bottom+rowGap-cc[d].top)
			}
		}
		for d, s := range cc {
			s = span{s.top + c.rel, s.bottom + c.rel}
			if d < len(block) {
				block[d] = span{min(block[d].top, s.top), max(block[d].bottom, s.bottom)}
			} else {
				block = append(block, s)
			}
		}
	}
	mid := (b.children[0].rel + b.children[len(b.children)-1].rel) / 2
	for _, c := range b.children {
		c.rel -= mid
	}
	out := make([]span, 0, len(block)+1)
	out = append(out, own)
	for _, s := range block {
		out = append(out, span{s.top - mid, s.bottom - mid})
	}
	return out
}

// position turns offsets into tops, b's centre being at y.
func position(b *box, y float64) {
	b.y = y - b.h/2
	for _, c := range b.children {
		position(c, y+c.rel)
	}
}
