package review

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Charts are server-rendered SVG: no script, no library, the same bytes
// for the same report (golden files check them). Colours are presentation
// attributes, not style, so the page's CSP (style-src 'self') allows them
// inline; every figure has a <title> and a <desc> that states the data.

// Chart geometry, in pixels.
const (
	chartW     = 680
	chartH     = 280
	plotLeft   = 52.0
	plotRight  = 548.0
	plotTop    = 40.0
	plotBottom = 226.0
	legendX    = 566.0
)

// severityColors follows the severity badges of the stylesheet: the scale's
// first four levels, then greys for any further level.
var severityColors = []string{"#c62828", "#e8590c", "#f4c430", "#7f9cb8"}

var extraColors = []string{"#6b7686", "#a3acb9", "#4a5563", "#c4cbd4"}

// SeverityColor is the fill of the level at index i of the scale.
func SeverityColor(i int) string {
	if i < len(severityColors) {
		return severityColors[i]
	}
	return extraColors[(i-len(severityColors))%len(extraColors)]
}

const (
	colorText   = "#1c2430"
	colorMuted  = "#5b6675"
	colorGrid   = "#d8dde4"
	colorMean   = "#2f5d7c"
	colorMedian = "#7a4fa3"
	colorOpened = "#2f5d7c"
	colorClosed = "#1e7a3c"
)

// svg is an SVG document being written.
type svg struct{ b strings.Builder }

func (s *svg) raw(v string) { s.b.WriteString(v) }

var svgEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

// text writes character data, escaped for text and attribute values.
func (s *svg) text(v string) { _, _ = svgEscaper.WriteString(&s.b, v) }

// num writes a coordinate with one decimal. A value that is not finite
// (it cannot arise from the integer data, but a coordinate must never be
// NaN) is written as 0.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func (s *svg) header(id, title, desc string) {
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n",
		chartW, chartH, chartW, chartH, id, id)
	s.raw(`<title id="` + id + `-title">`)
	s.text(title)
	s.raw("</title>\n")
	s.raw(`<desc id="` + id + `-desc">`)
	s.text(desc)
	s.raw("</desc>\n")
	s.raw(fmt.Sprintf(`<rect width="%d" height="%d" fill="#fff"/>`+"\n", chartW, chartH))
	s.raw(`<text x="` + num(plotLeft) + `" y="20" font-size="14" font-weight="bold" fill="` + colorText + `">`)
	s.text(title)
	s.raw("</text>\n")
}

func (s *svg) label(x, y float64, anchor, fill, v string) {
	s.raw(`<text x="` + num(x) + `" y="` + num(y) + `" text-anchor="` + anchor + `" fill="` + fill + `">`)
	s.text(v)
	s.raw("</text>\n")
}

// rect writes a bar with a tooltip.
func (s *svg) rect(x, y, w, h float64, fill, tip string) {
	s.raw(`<rect x="` + num(x) + `" y="` + num(y) + `" width="` + num(w) + `" height="` + num(h) + `" fill="` + fill + `"><title>`)
	s.text(tip)
	s.raw("</title></rect>\n")
}

// legend writes the key of series i: a box, or a line ("solid" or
// "dashed") for a line chart.
func (s *svg) legend(i int, color, name, line string) {
	y := plotTop + 4 + float64(i)*20
	if line != "" {
		dash := ""
		if line == "dashed" {
			dash = ` stroke-dasharray="4 3"`
		}
		s.raw(`<line x1="` + num(legendX) + `" y1="` + num(y+6) + `" x2="` + num(legendX+14) + `" y2="` + num(y+6) + `" stroke="` + color + `" stroke-width="2"` + dash + "/>\n")
	} else {
		s.raw(`<rect x="` + num(legendX) + `" y="` + num(y) + `" width="12" height="12" fill="` + color + `"/>` + "\n")
	}
	s.label(legendX+20, y+10, "start", colorText, name)
}

// axes draws the horizontal grid with its labels (ticks are values of
// the y scale, formatted by label) and the week labels below the plot.
func (s *svg) axes(weeks []WeekBucket, top float64, ticks []float64, label func(float64) string, yLabel string) {
	for _, t := range ticks {
		y := yAt(t, top)
		s.raw(`<line x1="` + num(plotLeft) + `" y1="` + num(y) + `" x2="` + num(plotRight) + `" y2="` + num(y) + `" stroke="` + colorGrid + `" stroke-width="1"/>` + "\n")
		s.label(plotLeft-6, y+4, "end", colorMuted, label(t))
	}
	s.raw(`<line x1="` + num(plotLeft) + `" y1="` + num(plotBottom) + `" x2="` + num(plotRight) + `" y2="` + num(plotBottom) + `" stroke="` + colorMuted + `" stroke-width="1"/>` + "\n")
	slot := slotWidth(len(weeks))
	for i, w := range weeks {
		x := plotLeft + slot*(float64(i)+0.5)
		_, wk, _ := strings.Cut(w.Week, "-")
		s.label(x, plotBottom+16, "middle", colorMuted, wk)
		if i == 0 || w.Week[:4] != weeks[i-1].Week[:4] {
			s.label(x, plotBottom+30, "middle", colorMuted, w.Week[:4])
		}
	}
	s.raw(`<text x="14" y="` + num((plotTop+plotBottom)/2) + `" text-anchor="middle" fill="` + colorMuted + `" transform="rotate(-90 14 ` + num((plotTop+plotBottom)/2) + `)">`)
	s.text(yLabel)
	s.raw("</text>\n")
}

func (s *svg) String() string { return s.b.String() + "</svg>\n" }

func slotWidth(n int) float64 { return (plotRight - plotLeft) / float64(max(n, 1)) }

// yAt maps a value on a scale from 0 to top onto the plot.
func yAt(v, top float64) float64 {
	if top <= 0 {
		return plotBottom
	}
	return plotBottom - (plotBottom-plotTop)*v/top
}

// scale returns the top of a y axis for values up to peak and its ticks:
// a whole step of 1, 2 or 5 times a power of ten, so that four or five
// lines cover the peak. A peak of 0 still gets an axis from 0 to 1.
func scale(peak float64) (float64, []float64) {
	if !(peak > 0) || math.IsInf(peak, 0) {
		peak = 1
	}
	raw := peak / 4
	step := 0.0
	for mag := 1.0; step == 0; mag *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if m*mag >= raw {
				step = m * mag
				break
			}
		}
	}
	top := math.Ceil(peak/step) * step
	var ticks []float64
	for i := 0.0; i*step <= top; i++ {
		ticks = append(ticks, i*step)
	}
	return top, ticks
}

// IncidentsChart is the stacked bar chart of incidents that started in
// each of the report's weeks, by severity.
func IncidentsChart(r *Report) string {
	var desc strings.Builder
	fmt.Fprintf(&desc, "Incidents that started each week, by severity, %s to %s.", first(r).Week, last(r).Week)
	peak := 0
	for _, w := range r.Weeks {
		total := 0
		for _, n := range w.BySeverity {
			total += n
		}
		peak = max(peak, total)
		fmt.Fprintf(&desc, " %s: %d", w.Week, total)
		if total > 0 {
			var parts []string
			for i, n := range w.BySeverity {
				if n > 0 {
					parts = append(parts, fmt.Sprintf("%s %d", r.Severities[i], n))
				}
			}
			fmt.Fprintf(&desc, " (%s)", strings.Join(parts, ", "))
		}
		desc.WriteString(".")
	}
	var s svg
	s.header("chart-incidents", "Incidents per week by severity", desc.String())
	top, ticks := scale(float64(peak))
	s.axes(r.Weeks, top, ticks, func(v float64) string { return strconv.Itoa(int(v)) }, "incidents")
	slot := slotWidth(len(r.Weeks))
	bw := slot * 0.6
	for i, w := range r.Weeks {
		x := plotLeft + slot*float64(i) + (slot-bw)/2
		base := 0
		for j, n := range w.BySeverity {
			if n == 0 {
				continue
			}
			y0, y1 := yAt(float64(base), top), yAt(float64(base+n), top)
			s.rect(x, y1, bw, y0-y1, SeverityColor(j), fmt.Sprintf("%s, %s: %d", w.Week, r.Severities[j], n))
			base += n
		}
	}
	for i, name := range r.Severities {
		s.legend(i, SeverityColor(i), name, "")
	}
	return s.String()
}

// durationUnit picks the unit of a time axis for values up to peak
// seconds: minutes, hours or days.
func durationUnit(peak int64) (float64, string) {
	switch {
	case peak < 2*3600:
		return 60, "minutes"
	case peak < 3*86400:
		return 3600, "hours"
	}
	return 86400, "days"
}

// MTTRChart is the line chart of the mean and median time to resolve of
// the incidents that started in each week. A week without a resolved
// incident has no point and breaks the line.
func MTTRChart(r *Report) string {
	var desc strings.Builder
	fmt.Fprintf(&desc, "Mean and median time to resolve (resolved − started) of the incidents that started each week, %s to %s.", first(r).Week, last(r).Week)
	var peak int64
	for _, w := range r.Weeks {
		if w.MTTR.Mean == nil {
			fmt.Fprintf(&desc, " %s: no resolved incident.", w.Week)
			continue
		}
		peak = max(peak, *w.MTTR.Mean, *w.MTTR.Median)
		fmt.Fprintf(&desc, " %s: mean %s, median %s (%s incidents).", w.Week, FormatSeconds(w.MTTR.Mean), FormatSeconds(w.MTTR.Median), w.MTTR.Used())
	}
	unit, unitName := durationUnit(peak)
	var s svg
	s.header("chart-mttr", "Time to resolve per week", desc.String())
	top, ticks := scale(float64(peak) / unit)
	s.axes(r.Weeks, top, ticks, func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }, unitName)
	slot := slotWidth(len(r.Weeks))
	line := func(val func(WeekBucket) *int64, color, name string, dashed bool) {
		var path strings.Builder
		pen := false
		for i, w := range r.Weeks {
			v := val(w)
			if v == nil {
				pen = false
				continue
			}
			x, y := plotLeft+slot*(float64(i)+0.5), yAt(float64(*v)/unit, top)
			if pen {
				path.WriteString(" L")
			} else {
				if path.Len() > 0 {
					path.WriteString(" ")
				}
				path.WriteString("M")
			}
			path.WriteString(num(x) + " " + num(y))
			pen = true
		}
		if path.Len() > 0 {
			dash := ""
			if dashed {
				dash = ` stroke-dasharray="4 3"`
			}
			s.raw(`<path d="` + path.String() + `" fill="none" stroke="` + color + `" stroke-width="2"` + dash + "/>\n")
		}
		for i, w := range r.Weeks {
			if v := val(w); v != nil {
				x, y := plotLeft+slot*(float64(i)+0.5), yAt(float64(*v)/unit, top)
				s.raw(`<circle cx="` + num(x) + `" cy="` + num(y) + `" r="3.5" fill="` + color + `"><title>`)
				s.text(fmt.Sprintf("%s, %s: %s (%s incidents)", w.Week, name, FormatSeconds(v), w.MTTR.Used()))
				s.raw("</title></circle>\n")
			}
		}
	}
	line(func(w WeekBucket) *int64 { return w.MTTR.Mean }, colorMean, "mean", false)
	line(func(w WeekBucket) *int64 { return w.MTTR.Median }, colorMedian, "median", true)
	s.legend(0, colorMean, "mean", "solid")
	s.legend(1, colorMedian, "median", "dashed")
	if peak == 0 && !anyMTTR(r) {
		s.label((plotLeft+plotRight)/2, (plotTop+plotBottom)/2, "middle", colorMuted, "No incident that started in these weeks is resolved.")
	}
	return s.String()
}

func anyMTTR(r *Report) bool {
	for _, w := range r.Weeks {
		if w.MTTR.Mean != nil {
			return true
		}
	}
	return false
}

// ActionsChart is the grouped bar chart of action items opened and closed
// (done or won't do) in each week.
func ActionsChart(r *Report) string {
	var desc strings.Builder
	fmt.Fprintf(&desc, "Action items opened and closed (done or won't do) each week, %s to %s.", first(r).Week, last(r).Week)
	peak := 0
	for _, w := range r.Weeks {
		peak = max(peak, w.ActionsOpened, w.ActionsClosed)
		fmt.Fprintf(&desc, " %s: %d opened, %d closed.", w.Week, w.ActionsOpened, w.ActionsClosed)
	}
	var s svg
	s.header("chart-actions", "Action items opened and closed per week", desc.String())
	top, ticks := scale(float64(peak))
	s.axes(r.Weeks, top, ticks, func(v float64) string { return strconv.Itoa(int(v)) }, "action items")
	slot := slotWidth(len(r.Weeks))
	bw := slot * 0.32
	for i, w := range r.Weeks {
		x := plotLeft + slot*float64(i) + slot*0.16
		if w.ActionsOpened > 0 {
			y := yAt(float64(w.ActionsOpened), top)
			s.rect(x, y, bw, plotBottom-y, colorOpened, fmt.Sprintf("%s: %d opened", w.Week, w.ActionsOpened))
		}
		if w.ActionsClosed > 0 {
			y := yAt(float64(w.ActionsClosed), top)
			s.rect(x+bw+2, y, bw, plotBottom-y, colorClosed, fmt.Sprintf("%s: %d closed", w.Week, w.ActionsClosed))
		}
	}
	s.legend(0, colorOpened, "opened", "")
	s.legend(1, colorClosed, "closed", "")
	return s.String()
}

func first(r *Report) WeekBucket {
	if len(r.Weeks) == 0 {
		return WeekBucket{Week: WeekOf(r.Period.To)}
	}
	return r.Weeks[0]
}

func last(r *Report) WeekBucket {
	if len(r.Weeks) == 0 {
		return WeekBucket{Week: WeekOf(r.Period.To)}
	}
	return r.Weeks[len(r.Weeks)-1]
}
