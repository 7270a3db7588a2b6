package admin

import "math"

// A chart is a bar chart drawn as inline SVG: one column a day or a
// month, each a stack of segments (answered, then not found), scaled to
// the tallest column, with the first and last labels under the axis and
// the tallest value beside its gridline. Its geometry is computed here,
// in viewBox units, and the template only writes the numbers out; an
// empty chart is never drawn (the page says why instead).
type chart struct {
	Label       string  // what the chart shows, for screen readers
	W, H        int     // the viewBox
	Left, Base  float64 // the x of the axis, the y of the baseline
	Top         float64 // the y of the tallest column's top
	LabelY      float64 // the y of the labels under the axis
	Max         int
	First, Last string
	Bars        []bar
}

// bar is one column: its title (a tooltip) and its segments, bottom up.
type bar struct {
	Title string
	X, W  float64
	Segs  []seg
}

// seg is a rectangle of a column; Class picks its colour (page.css).
type seg struct {
	Y, H  float64
	Class string
}

// column is the data of a bar: its label, its values bottom up and its
// tooltip.
type column struct {
	label  string
	values []int
	title  string
}

// The chart's size and margins, in viewBox units.
const (
	chartW, chartH      = 720, 200
	chartLeft, chartTop = 36, 10
	chartBottom         = 22 // room for the labels
	chartGap            = 0.2
)

// newChart lays cols out, the segments of a column coloured by classes,
// bottom up; nil when there is nothing to draw (no column, or every value
// zero).
func newChart(label string, classes []string, cols []column) *chart {
	top := 0
	for _, c := range cols {
		sum := 0
		for _, v := range c.values {
			sum += max(v, 0)
		}
		top = max(top, sum)
	}
	if top == 0 {
		return nil
	}
	c := &chart{Label: label, W: chartW, H: chartH, Left: chartLeft, Base: chartH - chartBottom, Top: chartTop,
		LabelY: chartH - 6, Max: top, First: cols[0].label, Last: cols[len(cols)-1].label}
	plotH := c.Base - chartTop
	step := float64(chartW-chartLeft) / float64(len(cols))
	for i, col := range cols {
		b := bar{Title: col.title, X: round1(chartLeft + float64(i)*step + step*chartGap/2), W: round1(max(step*(1-chartGap), 0.5))}
		y := c.Base
		for j, v := range col.values {
			if v <= 0 {
				continue
			}
			h := plotH * float64(v) / float64(top)
			y -= h
			b.Segs = append(b.Segs, seg{round1(y), round1(h), classes[min(j, len(classes)-1)]})
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// round1 rounds to a tenth, which SVG needs no finer.
func round1(f float64) float64 { return math.Round(f*10) / 10 }
