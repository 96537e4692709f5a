package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// svgCircle is a point marker as the chart writes it.
type svgCircle struct {
	series string
	cx, cy float64
}

// decodeSVG checks that doc is well-formed XML with an svg root, and
// returns the point markers of each series and every text shown.
func decodeSVG(t *testing.T, doc []byte) (circles []svgCircle, texts []string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	series, depth, root := "", 0, ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v\n%s", err, doc)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				root = el.Name.Space + " " + el.Name.Local
			}
			attr := func(name string) string {
				for _, a := range el.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			switch el.Name.Local {
			case "g":
				if attr("class") == "series" {
					series = attr("data-name")
				}
			case "circle":
				if series != "" {
					cx, err1 := strconv.ParseFloat(attr("cx"), 64)
					cy, err2 := strconv.ParseFloat(attr("cy"), 64)
					if err1 != nil || err2 != nil {
						t.Fatalf("circle with cx %q, cy %q", attr("cx"), attr("cy"))
					}
					circles = append(circles, svgCircle{series, cx, cy})
				}
			}
		case xml.EndElement:
			depth--
			if el.Name.Local == "g" {
				series = ""
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(el)); s != "" {
				texts = append(texts, s)
			}
		}
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Fatalf("root element %q, want svg in the SVG namespace", root)
	}
	return circles, texts
}

func TestLineChartSVG(t *testing.T) {
	sizes := []float64{10_000, 100_000, 1_000_000, 2_000_000}
	c := lineChart{Title: "Latency <as> the library grows", Subtitle: []string{"SQLite & co"}, XLabel: "loans", YLabel: "ms",
		SolidLabel: "p50", DashedLabel: "p99"}
	// Three lines, each flat but for noise, at levels a decade apart.
	for i, name := range []string{"1 loan", "100 loans", "1,000 loans <page 2>"} {
		s := chartSeries{Name: name}
		for j, x := range sizes {
			y := math.Pow(10, float64(i)) * (0.8 + 0.1*float64(j))
			s.Points = append(s.Points, chartPoint{x, y})
			s.Dashed = append(s.Dashed, chartPoint{x, 3 * y})
		}
		c.Series = append(c.Series, s)
	}
	var buf bytes.Buffer
	if err := c.writeSVG(&buf); err != nil {
		t.Fatal(err)
	}
	circles, texts := decodeSVG(t, buf.Bytes())

	for _, want := range []string{c.Title, "SQLite & co", "1,000 loans <page 2>", "p99", "10k", "1M", "2M"} {
		if !slices.Contains(texts, want) {
			t.Errorf("no text %q in the chart; texts: %q", want, texts)
		}
	}
	if len(circles) != 3*len(sizes) {
		t.Fatalf("got %d point markers, want %d", len(circles), 3*len(sizes))
	}
	for i, p := range circles {
		if p.cx < plotLeft || p.cx > plotRight || p.cy < plotTop || p.cy > plotBottom {
			t.Errorf("point %d of %q at (%v, %v) is outside the plot area", i%len(sizes), p.series, p.cx, p.cy)
		}
	}
	// Within a line, larger libraries lie further right, and a slower
	// record lies higher up (a smaller y).
	for s := range c.Series {
		pts := circles[s*len(sizes) : (s+1)*len(sizes)]
		for j := 1; j < len(pts); j++ {
			if pts[j].cx <= pts[j-1].cx {
				t.Errorf("%q: x positions %v then %v do not increase", pts[j].series, pts[j-1].cx, pts[j].cx)
			}
			if pts[j].cy >= pts[j-1].cy {
				t.Errorf("%q: y %v then %v: a slower point is not higher", pts[j].series, pts[j-1].cy, pts[j].cy)
			}
		}
		if s > 0 && circles[s*len(sizes)].cy >= circles[(s-1)*len(sizes)].cy {
			t.Errorf("line %q, ten times slower, is not above the line before it", c.Series[s].Name)
		}
	}
	// Logarithmic x: 10k to 100k spans as much as 100k to 1M.
	d1, d2 := circles[1].cx-circles[0].cx, circles[2].cx-circles[1].cx
	if math.Abs(d1-d2) > 0.2 {
		t.Errorf("a decade spans %v pixels, then %v: not a logarithmic axis", d1, d2)
	}
}

func TestLogAxis(t *testing.T) {
	for _, tc := range []struct {
		least, most float64
		lo, hi      float64
	}{
		{10_000, 2_000_000, 10_000, 2_000_000},
		{3_000, 30_000, 2_000, 50_000},
		{0.43, 87, 0.2, 100},
		{5, 5, 5, 10},
	} {
		a := newLogAxis(tc.least, tc.most, 100, 500)
		if math.Abs(a.lo-tc.lo) > 1e-9*tc.lo || math.Abs(a.hi-tc.hi) > 1e-9*tc.hi {
			t.Errorf("axis for %v to %v runs %v to %v, want %v to %v", tc.least, tc.most, a.lo, a.hi, tc.lo, tc.hi)
		}
		ticks := a.ticks()
		if ticks[0] != a.lo || ticks[len(ticks)-1] != a.hi {
			t.Errorf("axis %v to %v: ticks %v do not start and end at its ends", a.lo, a.hi, ticks)
		}
		for i := 1; i < len(ticks); i++ {
			if ticks[i] <= ticks[i-1] || a.pos(ticks[i]) <= a.pos(ticks[i-1]) {
				t.Errorf("axis %v to %v: ticks %v or their positions do not increase", a.lo, a.hi, ticks)
			}
		}
		if a.pos(a.lo) != 100 || math.Abs(a.pos(a.hi)-500) > 1e-9 {
			t.Errorf("axis %v to %v: ends at %v and %v pixels, want 100 and 500", a.lo, a.hi, a.pos(a.lo), a.pos(a.hi))
		}
	}
}

func TestLineChartRefusesWhatALogAxisCannotShow(t *testing.T) {
	for name, pts := range map[string][]chartPoint{
		"zero latency":  {{10_000, 0}},
		"negative size": {{-1, 3}},
		"not a number":  {{10_000, math.NaN()}},
		"infinite":      {{math.Inf(1), 3}},
		"no points":     nil,
	} {
		var buf bytes.Buffer
		err := lineChart{Title: "t", Series: []chartSeries{{Name: "s", Points: pts}}}.writeSVG(&buf)
		if err == nil {
			t.Errorf("%s: no error", name)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: wrote %d bytes despite the error", name, buf.Len())
		}
	}
}
