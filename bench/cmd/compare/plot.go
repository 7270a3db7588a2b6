package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// series is one line of a chart: y against x, both positive.
type series struct {
	Name  string
	Color color.RGBA
	X, Y  []float64
}

// chart is one log-log panel.
type chart struct {
	Title, XLabel, YLabel string
	Series                []series
}

var (
	white = color.RGBA{255, 255, 255, 255}
	black = color.RGBA{0, 0, 0, 255}
	grey  = color.RGBA{220, 220, 220, 255}
	// Colours of the systems, the same in every panel.
	colDalil  = color.RGBA{0, 110, 200, 255}
	colBulk   = color.RGBA{0, 170, 120, 255}
	colBare   = color.RGBA{140, 140, 140, 255}
	colBareEf = color.RGBA{60, 60, 60, 255}
	colLC     = color.RGBA{220, 60, 40, 255}
	colAsk    = color.RGBA{130, 60, 180, 255}
)

// writePNG draws the panels side by side into path.
func writePNG(path string, panels []chart) error {
	const w, h = 560, 460
	img := image.NewRGBA(image.Rect(0, 0, w*len(panels), h))
	draw.Draw(img, img.Bounds(), &image.Uniform{white}, image.Point{}, draw.Src)
	for i, c := range panels {
		drawChart(img, image.Rect(i*w, 0, (i+1)*w, h), c)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write plot: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("write plot %s: %w", path, err)
	}
	return f.Close()
}

// drawChart draws one log-log chart with decade grid lines and a legend.
func drawChart(img *image.RGBA, r image.Rectangle, c chart) {
	plot := image.Rect(r.Min.X+70, r.Min.Y+40, r.Max.X-20, r.Max.Y-100)
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for i := range s.X {
			if s.X[i] <= 0 || s.Y[i] <= 0 {
				continue
			}
			xmin, xmax = math.Min(xmin, s.X[i]), math.Max(xmax, s.X[i])
			ymin, ymax = math.Min(ymin, s.Y[i]), math.Max(ymax, s.Y[i])
		}
	}
	if math.IsInf(xmin, 1) {
		return
	}
	// Whole decades around the data.
	// The tolerance keeps 1,000,001 chunks in the 1M decade.
	const tol = 1e-3
	lx0, lx1 := math.Floor(math.Log10(xmin)+tol), math.Ceil(math.Log10(xmax)-tol)
	ly0, ly1 := math.Floor(math.Log10(ymin)+tol), math.Ceil(math.Log10(ymax)-tol)
	if lx1 == lx0 {
		lx1++
	}
	if ly1 == ly0 {
		ly1++
	}
	px := func(x float64) int {
		return plot.Min.X + int((math.Log10(x)-lx0)/(lx1-lx0)*float64(plot.Dx()))
	}
	py := func(y float64) int {
		return plot.Max.Y - int((math.Log10(y)-ly0)/(ly1-ly0)*float64(plot.Dy()))
	}
	for d := lx0; d <= lx1; d++ {
		x := px(math.Pow(10, d))
		line(img, x, plot.Min.Y, x, plot.Max.Y, grey, 1)
		label(img, x-12, plot.Max.Y+16, si(math.Pow(10, d)), black)
	}
	for d := ly0; d <= ly1; d++ {
		y := py(math.Pow(10, d))
		line(img, plot.Min.X, y, plot.Max.X, y, grey, 1)
		label(img, plot.Min.X-45, y+4, si(math.Pow(10, d)), black)
	}
	line(img, plot.Min.X, plot.Max.Y, plot.Max.X, plot.Max.Y, black, 1)
	line(img, plot.Min.X, plot.Min.Y, plot.Min.X, plot.Max.Y, black, 1)
	label(img, r.Min.X+70, r.Min.Y+20, c.Title, black)
	label(img, plot.Min.X+plot.Dx()/2-20, plot.Max.Y+32, c.XLabel, black)
	label(img, r.Min.X+4, r.Min.Y+34, c.YLabel, black)
	for i, s := range c.Series {
		var lastX, lastY int
		for j := range s.X {
			if s.X[j] <= 0 || s.Y[j] <= 0 {
				continue
			}
			x, y := px(s.X[j]), py(s.Y[j])
			if j > 0 {
				line(img, lastX, lastY, x, y, s.Color, 2)
			}
			dot(img, x, y, s.Color)
			lastX, lastY = x, y
		}
		ly := r.Max.Y - 48 + 14*(i%3)
		lx := r.Min.X + 20 + 250*(i/3)
		line(img, lx, ly-4, lx+20, ly-4, s.Color, 2)
		label(img, lx+25, ly, s.Name, black)
	}
}

// si formats a decade: 1k, 100k, 1M, 0.1.
func si(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gk", v/1e3)
	default:
		return fmt.Sprintf("%g", v)
	}
}

func label(img *image.RGBA, x, y int, s string, c color.RGBA) {
	d := font.Drawer{Dst: img, Src: &image.Uniform{c}, Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func dot(img *image.RGBA, x, y int, c color.RGBA) {
	for dx := -3; dx <= 3; dx++ {
		for dy := -3; dy <= 3; dy++ {
			if dx*dx+dy*dy <= 9 {
				img.SetRGBA(x+dx, y+dy, c)
			}
		}
	}
}

// line draws a segment of the given width (Bresenham, square pen).
func line(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA, width int) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	for {
		for i := 0; i < width; i++ {
			for j := 0; j < width; j++ {
				img.SetRGBA(x0+i, y0+j, c)
			}
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int { return max(v, -v) }

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}
