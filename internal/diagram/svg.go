package diagram

import (
	"strconv"
	"strings"
)

// A doc is an SVG document being written. Its methods append to one
// buffer, so a diagram costs a few allocations per node rather than a few
// per attribute.
type doc struct{ b []byte }

// raw appends markup as is.
func (d *doc) raw(s string) { d.b = append(d.b, s...) }

// text appends clean text (see clean), escaped for character data and
// attribute values alike: "]]>" comes out as "]]&gt;".
func (d *doc) text(s string) {
	for i := 0; i < len(s); i++ { // the bytes escaped never occur inside a multi-byte rune
		switch c := s[i]; c {
		case '&':
			d.raw("&amp;")
		case '<':
			d.raw("&lt;")
		case '>':
			d.raw("&gt;")
		case '"':
			d.raw("&quot;")
		case '\'':
			d.raw("&#39;")
		default:
			d.b = append(d.b, c)
		}
	}
}

// num appends a coordinate with fixed precision, so that the same tree
// always gives the same bytes.
func (d *doc) num(v float64) { d.b = strconv.AppendFloat(d.b, v, 'f', 1, 64) }

// attr appends the attribute name="value"; value must need no escaping.
func (d *doc) attr(name, value string) {
	d.raw(" ")
	d.raw(name)
	d.raw(`="`)
	d.raw(value)
	d.raw(`"`)
}

// coord appends the attribute name="v".
func (d *doc) coord(name string, v float64) {
	d.raw(" ")
	d.raw(name)
	d.raw(`="`)
	d.num(v)
	d.raw(`"`)
}

// header opens the document. The title and desc label the image as a
// whole (both in aria-labelledby, which screen readers support more widely
// than aria-describedby on SVG); a white background keeps the dark text
// readable where the SVG is shown on a dark page. The size is in whole
// pixels.
func (d *doc) header(prefix string, width, height float64, title, desc string) {
	w, h := strconv.FormatFloat(width, 'f', 0, 64), strconv.FormatFloat(height, 'f', 0, 64)
	d.raw(`<svg xmlns="http://www.w3.org/2000/svg"`)
	d.attr("width", w)
	d.attr("height", h)
	d.attr("viewBox", "0 0 "+w+" "+h)
	d.raw(` role="img"`)
	d.attr("aria-labelledby", prefix+"-title "+prefix+"-desc")
	d.raw(` font-family="Helvetica, Arial, sans-serif" font-size="` + strconv.Itoa(textSize) + `">` + "\n")
	d.raw(`<title id="` + prefix + `-title">`)
	d.text(title)
	d.raw("</title>\n")
	d.raw(`<desc id="` + prefix + `-desc">`)
	d.text(desc)
	d.raw("</desc>\n")
	d.raw(`<rect width="` + w + `" height="` + h + `" fill="#fff"/>` + "\n")
}

// idPrefix keeps the first 40 characters of p that are safe in an id (and
// in a CSS selector or URL fragment that refers to it); an id must start
// with a letter.
func idPrefix(p string) string {
	p = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, p)
	p = p[:min(len(p), 40)]
	switch {
	case p == "":
		return "why"
	case !(p[0] >= 'a' && p[0] <= 'z' || p[0] >= 'A' && p[0] <= 'Z'):
		return "why-" + p
	}
	return p
}
