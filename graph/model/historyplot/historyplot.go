package historyplot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/model"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Sizes of the picture: each panel is PanelWidth × PanelHeight at DPI
// (480 × 320 pixels), in Columns columns (fewer when there are fewer
// panels).
const (
	// PanelWidth is the width of one panel.
	PanelWidth = 5 * vg.Inch
	// PanelHeight is the height of one panel.
	PanelHeight = 10 * vg.Inch / 3
	// DPI is the resolution of the PNG.
	DPI = 96
	// Columns is the most panels side by side.
	Columns = 2
	// LogRange is the ratio of a panel's largest to smallest value above
	// which, when all are positive, its y axis is logarithmic (a loss
	// falling by orders of magnitude).
	LogRange = 100
)

// Colors of the curves (matplotlib's first two).
var (
	// Training is the color of the training curves.
	Training = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	// Validation is the color of the validation curves.
	Validation = color.RGBA{R: 255, G: 127, B: 14, A: 255}
)

// Panels returns the quantities of h, one per panel, in the History's key
// order: each holds a name and, when h has it, "val_" + name ("lr" and
// other names without a validation counterpart stand alone, as does a
// "val_" name without its training one).
func Panels(h *model.History) [][]string {
	keys := h.Keys()
	has := map[string]bool{}
	for _, k := range keys {
		has[k] = true
	}
	var panels [][]string
	for _, k := range keys {
		if base, ok := strings.CutPrefix(k, "val_"); ok && has[base] {
			continue // drawn with base
		}
		p := []string{k}
		if has["val_"+k] {
			p = append(p, "val_"+k)
		}
		panels = append(panels, p)
	}
	return panels
}

// Size returns the size in pixels of the picture of n panels.
func Size(n int) (width, height int) {
	cols := min(n, Columns)
	rows := (n + cols - 1) / cols
	px := func(l vg.Length) int { return int(math.Round(l.Dots(DPI))) }
	return cols * px(PanelWidth), rows * px(PanelHeight)
}

// WritePNG draws h as a PNG (see the package documentation); Size gives
// its size. NaN values (an epoch a callback stopped before its validation)
// are left out of the curves. It is an error for a History without epochs.
func WritePNG(w io.Writer, h *model.History) error {
	panels := Panels(h)
	if len(h.Epoch) == 0 || len(panels) == 0 {
		return fmt.Errorf("historyplot: the history has no epochs to plot")
	}
	cols := min(len(panels), Columns)
	rows := (len(panels) + cols - 1) / cols
	plots := make([][]*plot.Plot, rows)
	for r := range plots {
		plots[r] = make([]*plot.Plot, cols)
	}
	for i, names := range panels {
		p, err := panel(h, names)
		if err != nil {
			return err
		}
		plots[i/cols][i%cols] = p
	}
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(cols)*PanelWidth, vg.Length(rows)*PanelHeight), vgimg.UseDPI(DPI),
		vgimg.UseBackgroundColor(color.White))
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(6), PadY: vg.Points(6),
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	canvases := plot.Align(plots, tiles, dc)
	for r := range plots {
		for k, p := range plots[r] {
			if p != nil {
				p.Draw(canvases[r][k])
			}
		}
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w); err != nil {
		return fmt.Errorf("historyplot: writing PNG: %w", err)
	}
	return nil
}

// panel draws one quantity: its training curve and its validation curve.
func panel(h *model.History, names []string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = names[0]
	p.X.Label.Text = "epoch"
	p.Add(plotter.NewGrid())
	for _, name := range names {
		xy := make(plotter.XYs, 0, len(h.Epoch))
		for e, v := range h.History[name] {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				xy = append(xy, plotter.XY{X: float64(h.Epoch[e] + 1), Y: v})
			}
		}
		if len(xy) == 0 {
			continue
		}
		col, label := Training, "training"
		if strings.HasPrefix(name, "val_") {
			col, label = Validation, "validation"
		}
		line, points, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, fmt.Errorf("historyplot: %s: %w", name, err)
		}
		line.Color, line.Width = col, vg.Points(1.5)
		points.Color, points.Shape = col, draw.CircleGlyph{}
		points.Radius = vg.Points(2)
		if len(xy) > 40 {
			points.Radius = 0 // a line only once the points crowd
		}
		p.Add(line, points)
		if len(names) > 1 {
			p.Legend.Add(label, line)
		}
	}
	switch lo, hi := p.Y.Min, p.Y.Max; {
	case hi == lo: // a constant curve (a learning rate): centre it
		d := math.Abs(lo) / 2
		if d == 0 {
			d = 1
		}
		p.Y.Min, p.Y.Max = lo-d, hi+d
	case lo > 0 && hi/lo > LogRange:
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
		p.Y.Label.Text = "log scale"
		if len(names) > 1 {
			p.Y.Max = hi * math.Pow(hi/lo, 0.25) // room for the legend
		}
	case len(names) > 1:
		p.Y.Max = hi + 0.25*(hi-lo) // room for the legend above the curves
	}
	p.Legend.Top = true
	return p, nil
}

// SavePNG writes WritePNG's picture to path atomically
// (graph.WriteFileAtomic): a failed write leaves an existing file intact.
func SavePNG(path string, h *model.History) error {
	return graph.WriteFileAtomic(path, func(w io.Writer) error { return WritePNG(w, h) })
}
