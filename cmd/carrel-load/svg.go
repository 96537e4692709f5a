package main

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// lineChart is a chart of lines over two logarithmic axes: each series is
// a line through its points, drawn solid, with an optional second line
// (e.g. a higher percentile) drawn dashed in the same colour.
type lineChart struct {
	Title    string
	Subtitle []string // lines under the title
	XLabel   string
	YLabel   string
	Series   []chartSeries
	// DashedLabel says what the dashed lines are, for the legend ("" when
	// no series has any).
	DashedLabel string
	SolidLabel  string
}

// chartSeries is one line of a chart.
type chartSeries struct {
	Name   string
	Points []chartPoint // solid line
	Dashed []chartPoint // optional second line
}

// chartPoint is a point in data units; both must be above zero, as the
// axes are logarithmic.
type chartPoint struct{ X, Y float64 }

// The chart's size and plot area, in SVG user units (pixels).
const (
	svgWidth    = 880
	svgHeight   = 560
	plotLeft    = 80
	plotRight   = 660
	plotTop     = 90
	plotBottom  = 490
	legendLeft  = 680
	legendTop   = 110
	legendLineH = 22
)

// chartColours are distinct in colour and, for readers who cannot tell
// some colours apart, in lightness (after the Okabe-Ito palette).
var chartColours = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000"}

// logAxis maps values between the powers of ten lo and hi onto pixels
// from p0 to p1 (p1 may be below p0, as the y axis runs upwards).
type logAxis struct {
	lo, hi float64
	p0, p1 float64
}

// newLogAxis returns an axis from the round number (1, 2 or 5 times a
// power of ten) at or below least to the one at or above most.
func newLogAxis(least, most, p0, p1 float64) logAxis {
	lo, hi := roundDown(least), roundUp(most)
	if hi <= lo {
		hi = roundUp(lo * 1.5)
	}
	return logAxis{lo: lo, hi: hi, p0: p0, p1: p1}
}

// roundSteps are the round numbers of each decade.
var roundSteps = []float64{1, 2, 5}

// roundDown is the largest round number at or below v (v > 0).
func roundDown(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{5, 2, 1} {
		if m*p <= v*(1+1e-9) {
			return m * p
		}
	}
	return p
}

// roundUp is the smallest round number at or above v (v > 0).
func roundUp(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// pos is where v falls on the axis, in pixels.
func (a logAxis) pos(v float64) float64 {
	f := (math.Log10(v) - math.Log10(a.lo)) / (math.Log10(a.hi) - math.Log10(a.lo))
	return a.p0 + f*(a.p1-a.p0)
}

// ticks are the axis's labelled values, increasing: its two ends, and
// between them each power of ten, and 2 and 5 times it too when the axis
// spans at most three decades (so a short axis still has labels to read
// from, and a long one is not crowded).
func (a logAxis) ticks() []float64 {
	dense := math.Log10(a.hi/a.lo) <= 3.0001
	ts := []float64{a.lo}
	for p := math.Pow(10, math.Floor(math.Log10(a.lo))); p <= a.hi; p *= 10 {
		for _, m := range roundSteps {
			t := m * p
			if (m == 1 || dense) && t > a.lo*(1+1e-9) && t < a.hi*(1-1e-9) {
				ts = append(ts, t)
			}
		}
	}
	return append(ts, a.hi)
}

// writeSVG writes the chart as a standalone SVG document.
func (c lineChart) writeSVG(w io.Writer) error {
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for _, p := range append(append([]chartPoint(nil), s.Points...), s.Dashed...) {
			if !(p.X > 0 && p.Y > 0) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
				return fmt.Errorf("chart %q: point (%v, %v) of %q cannot go on a logarithmic axis", c.Title, p.X, p.Y, s.Name)
			}
			xmin, xmax = math.Min(xmin, p.X), math.Max(xmax, p.X)
			ymin, ymax = math.Min(ymin, p.Y), math.Max(ymax, p.Y)
		}
	}
	if math.IsInf(xmin, 1) {
		return fmt.Errorf("chart %q: no points", c.Title)
	}
	xa := newLogAxis(xmin, xmax, plotLeft, plotRight)
	ya := newLogAxis(ymin, ymax, plotBottom, plotTop)

	var b strings.Builder
	e := html.EscapeString
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="13">
<title>%s</title>
<rect width="100%%" height="100%%" fill="#ffffff"/>
<text x="%d" y="30" font-size="18" font-weight="bold">%s</text>
`, svgWidth, svgHeight, svgWidth, svgHeight, e(c.Title), plotLeft, e(c.Title))
	for i, line := range c.Subtitle[:min(len(c.Subtitle), 2)] {
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" fill=\"#444444\">%s</text>\n", plotLeft, 52+18*i, e(line))
	}

	// Grid lines and tick labels.
	b.WriteString(`<g stroke="#dddddd" stroke-width="1">` + "\n")
	for _, t := range xa.ticks() {
		x := xa.pos(t)
		fmt.Fprintf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x, plotTop, x, plotBottom)
	}
	for _, t := range ya.ticks() {
		y := ya.pos(t)
		fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", plotLeft, y, plotRight, y)
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333333\"/>\n",
		plotLeft, plotTop, plotRight-plotLeft, plotBottom-plotTop)
	b.WriteString(`<g fill="#333333">` + "\n")
	for _, t := range xa.ticks() {
		x := xa.pos(t)
		fmt.Fprintf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333333\"/>\n", x, plotBottom, x, plotBottom+5)
		fmt.Fprintf(&b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, plotBottom+20, tickLabel(t))
	}
	for _, t := range ya.ticks() {
		y := ya.pos(t)
		fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#333333\"/>\n", plotLeft-5, y, plotLeft, y)
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", plotLeft-8, y+4, tickLabel(t))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", (plotLeft+plotRight)/2, plotBottom+45, e(c.XLabel))
	fmt.Fprintf(&b, "<text transform=\"translate(22 %d) rotate(-90)\" text-anchor=\"middle\">%s</text>\n", (plotTop+plotBottom)/2, e(c.YLabel))

	// The lines, each with a marker at every point, and the legend.
	for i, s := range c.Series {
		col := chartColours[i%len(chartColours)]
		fmt.Fprintf(&b, "<g class=\"series\" data-name=\"%s\">\n", e(s.Name))
		if len(s.Dashed) > 0 {
			fmt.Fprintf(&b, "<polyline class=\"dashed\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\" points=\"%s\"/>\n",
				col, polyPoints(s.Dashed, xa, ya))
		}
		fmt.Fprintf(&b, "<polyline class=\"solid\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" points=\"%s\"/>\n", col, polyPoints(s.Points, xa, ya))
		for _, p := range s.Points {
			fmt.Fprintf(&b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s: %s</title></circle>\n",
				xa.pos(p.X), ya.pos(p.Y), col, e(s.Name), e(fmt.Sprintf("%s, %.3g", tickLabel(p.X), p.Y)))
		}
		b.WriteString("</g>\n")
		y := legendTop + i*legendLineH
		fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2.5\"/>\n", legendLeft, y, legendLeft+24, y, col)
		fmt.Fprintf(&b, "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"%s\"/>\n", legendLeft+12, y, col)
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\">%s</text>\n", legendLeft+32, y+4, e(s.Name))
	}
	if c.DashedLabel != "" {
		y := legendTop + len(c.Series)*legendLineH + 12
		fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\" stroke-width=\"2.5\"/>\n", legendLeft, y, legendLeft+24, y)
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\">%s</text>\n", legendLeft+32, y+4, e(c.SolidLabel))
		y += legendLineH
		fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>\n", legendLeft, y, legendLeft+24, y)
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\">%s</text>\n", legendLeft+32, y+4, e(c.DashedLabel))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// polyPoints is a polyline's points attribute.
func polyPoints(ps []chartPoint, xa, ya logAxis) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprintf("%.1f,%.1f", xa.pos(p.X), ya.pos(p.Y))
	}
	return strings.Join(s, " ")
}

// tickLabel writes a tick's value shortly: 0.5, 20, 10k, 2M.
func tickLabel(v float64) string {
	switch {
	case v >= 1e6:
		return trimFloat(v/1e6) + "M"
	case v >= 1e3:
		return trimFloat(v/1e3) + "k"
	default:
		return trimFloat(v)
	}
}

// trimFloat writes v with at most three significant digits and no
// trailing zeros.
func trimFloat(v float64) string { return fmt.Sprintf("%.3g", v) }
