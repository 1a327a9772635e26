package historyplot_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/callbacks"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/graph/model/historyplot"
	"github.com/golstm/golstm/optim"
	"gorgonia.org/tensor"
)

// fitHistory trains a small model with validation and a callback that logs
// "lr", so the History holds loss, mae, their val_ curves and lr.
func fitHistory(t *testing.T) *model.History {
	t.Helper()
	c := layers.DenseDefaults(1)
	c.Seed = 1
	d, _ := layers.NewDense(c)
	m, _ := model.NewSequential(tensor.Float64, d)
	if err := m.Compile("mse", optim.NewSGD(), "mae"); err != nil {
		t.Fatal(err)
	}
	rng := graph.NewRNG(1)
	xv, yv := make([]float64, 40), make([]float64, 20)
	for i := range yv {
		xv[2*i], xv[2*i+1] = rng.Float64(), rng.Float64()
		yv[i] = xv[2*i] - 3*xv[2*i+1]
	}
	lr := &callbacks.LambdaCallback{OnEpochEndFunc: func(m *model.Model, _ int, logs map[string]float64) error {
		logs["lr"] = m.Optimizer().LearningRate()
		return nil
	}}
	h, err := m.Fit(graph.NewTensor(tensor.Float64, []int{20, 2}, xv), graph.NewTensor(tensor.Float64, []int{20, 1}, yv),
		model.FitConfig{BatchSize: 5, Epochs: 12, ValidationSplit: 0.25, Callbacks: []model.Callback{lr}})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestWritePNG: the PNG decodes, has the size of three panels in two
// columns, and each panel tile holds its curves: the training color in
// every panel, the validation color in loss and mae, neither in the empty
// fourth tile.
func TestWritePNG(t *testing.T) {
	h := fitHistory(t)
	panels := historyplot.Panels(h)
	if want := [][]string{{"loss", "val_loss"}, {"mae", "val_mae"}, {"lr"}}; !reflect.DeepEqual(panels, want) {
		t.Fatalf("panels %v, want %v", panels, want)
	}
	path := filepath.Join(t.TempDir(), "history.png")
	if err := historyplot.SavePNG(path, h); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	w, hgt := historyplot.Size(3)
	if got := img.Bounds().Size(); got.X != w || got.Y != hgt || w != 960 || hgt != 640 {
		t.Fatalf("image %v, want %d×%d (960×640)", got, w, hgt)
	}
	for i, want := range []struct{ train, val bool }{{true, true}, {true, true}, {true, false}, {false, false}} {
		tile := image.Rect(i%2*w/2, i/2*hgt/2, (i%2+1)*w/2, (i/2+1)*hgt/2)
		tr, va := has(img, tile, historyplot.Training), has(img, tile, historyplot.Validation)
		if tr != want.train || va != want.val {
			t.Errorf("panel %d: training curve %v, validation curve %v; want %v, %v", i, tr, va, want.train, want.val)
		}
	}
	if err := historyplot.WritePNG(&bytes.Buffer{}, &model.History{}); err == nil {
		t.Error("empty history: no error")
	}
}

// has reports whether at least 20 pixels of r are within 40 of c in every
// channel.
func has(img image.Image, r image.Rectangle, c color.RGBA) bool {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			if near(p.R, c.R) && near(p.G, c.G) && near(p.B, c.B) {
				n++
			}
		}
	}
	return n >= 20
}

func near(a, b uint8) bool { return a >= b-min(b, 40) && a <= b+min(255-b, 40) }
