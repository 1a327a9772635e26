package forecast

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// PlotWidth and PlotHeight are the size of the picture WritePNG draws
// (at 96 dpi: 960 × 384 pixels).
const (
	// PlotWidth is the width of the picture.
	PlotWidth = 10 * vg.Inch
	// PlotHeight is the height of the picture.
	PlotHeight = 4 * vg.Inch
)

// plotHistory is the longest history WritePNG shows whole; a longer one
// is cut to its last max(4·lookback, test length/2) steps.
const plotHistory = 200

// WritePNG draws res as a PNG: the end of the history, the test truth, the
// one-step forecasts and the multi-step forecasts (dashed, one segment per
// origin), with a vertical line where the test part starts.
func WritePNG(w io.Writer, res *Result) error {
	p := plot.New()
	p.Title.Text = "LSTM forecast: " + res.Source
	p.X.Label.Text = "time step"
	p.Y.Label.Text = "value"
	p.Add(plotter.NewGrid())
	from := 0
	if len(res.History) > plotHistory {
		from = max(0, len(res.History)-max(4*res.Config.Lookback, len(res.TestIndex)/2))
	}
	lines := []struct {
		name  string
		idx   []int
		v     []float64
		col   color.Color
		dash  bool
		width vg.Length
	}{
		{"history", res.HistoryIndex[from:], res.History[from:], color.Gray{Y: 110}, false, 1},
		{"truth", res.TestIndex, res.Truth, color.Black, false, 1.5},
		{"one-step forecast", res.TestIndex, res.OneStep, color.RGBA{B: 220, G: 90, A: 255}, false, 1.5},
		{fmt.Sprintf("multi-step forecast (%d steps)", res.Config.Horizon), res.TestIndex, res.MultiStep, color.RGBA{R: 220, G: 60, A: 255}, true, 1.5},
	}
	for _, l := range lines {
		xy := make(plotter.XYs, len(l.v))
		for i := range l.v {
			xy[i] = plotter.XY{X: float64(l.idx[i]), Y: l.v[i]}
		}
		ln, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("forecast: plot %s: %w", l.name, err)
		}
		ln.Color, ln.Width = l.col, l.width
		if l.dash {
			ln.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(ln)
		p.Legend.Add(l.name, ln)
	}
	lo, hi := p.Y.Min, p.Y.Max
	p.Y.Max = hi + 0.3*(hi-lo) // room for the legend
	split, err := plotter.NewLine(plotter.XYs{{X: float64(res.TestStart), Y: lo}, {X: float64(res.TestStart), Y: hi}})
	if err != nil {
		return err
	}
	split.Color, split.Dashes = color.Gray{Y: 160}, []vg.Length{vg.Points(2), vg.Points(2)}
	p.Add(split)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.Padding = vg.Points(2)
	wt, err := p.WriterTo(PlotWidth, PlotHeight, "png")
	if err != nil {
		return fmt.Errorf("forecast: plot: %w", err)
	}
	if _, err := wt.WriteTo(w); err != nil {
		return fmt.Errorf("forecast: writing PNG: %w", err)
	}
	return nil
}

// SavePNG writes WritePNG's picture to path (through a temporary file in
// the same folder, renamed into place).
func SavePNG(path string, res *Result) error {
	return atomicWrite(path, func(w io.Writer) error { return WritePNG(w, res) })
}
