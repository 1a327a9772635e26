package callbacks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph/model"
)

// TestCSVLogger: the file Keras 2.2.4's CSVLogger writes: "epoch" and the
// sorted log names, epochs from 0, Python's float repr, NA for a missing
// value, CRLF line ends; readable after every epoch; Append adds rows
// without a second header.
func TestCSVLogger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.csv")
	m := tinyModel(t, 0.1)
	run := func(c *CSVLogger, from int, rows ...map[string]float64) {
		t.Helper()
		if err := c.OnTrainBegin(m, params("loss")); err != nil {
			t.Fatal(err)
		}
		for i, logs := range rows {
			if err := c.OnEpochEnd(m, from+i, logs); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.OnTrainEnd(m, &model.History{}); err != nil {
			t.Fatal(err)
		}
	}
	read := func() string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	c := &CSVLogger{Filename: path}
	if err := c.OnTrainBegin(m, params("loss")); err != nil {
		t.Fatal(err)
	}
	c.OnEpochEnd(m, 0, map[string]float64{"val_loss": 0.25, "loss": 0.5, "lr": 1e-05})
	if got, want := read(), "epoch,loss,lr,val_loss\r\n0,0.5,1e-05,0.25\r\n"; got != want {
		t.Errorf("after epoch 0 the file holds %q, want %q", got, want)
	}
	c.OnEpochEnd(m, 1, map[string]float64{"loss": 0.125, "lr": 1e-05})
	c.OnTrainEnd(m, &model.History{})
	want := "epoch,loss,lr,val_loss\r\n0,0.5,1e-05,0.25\r\n1,0.125,1e-05,NA\r\n"
	if got := read(); got != want {
		t.Errorf("file %q, want %q", got, want)
	}

	run(&CSVLogger{Filename: path, Append: true}, 2, map[string]float64{"loss": 2, "lr": 0.5, "val_loss": 3})
	if got, w := read(), want+"2,2.0,0.5,3.0\r\n"; got != w {
		t.Errorf("appended: %q, want %q", got, w)
	}
	run(&CSVLogger{Filename: path, Separator: ";"}, 0, map[string]float64{"loss": 1, "mae": 2})
	if got, w := read(), "epoch;loss;mae\r\n0;1.0;2.0\r\n"; got != w {
		t.Errorf("separator ;: %q, want %q", got, w)
	}
	os.WriteFile(path, nil, 0o644)
	run(&CSVLogger{Filename: path, Append: true}, 0, map[string]float64{"loss": 1})
	if got, w := read(), "epoch,loss\r\n0,1.0\r\n"; got != w {
		t.Errorf("append to an empty file: %q, want %q (with the header)", got, w)
	}
	for _, c := range []*CSVLogger{{Filename: path, Separator: ";;"}, {Filename: path, Separator: "\""}, {Filename: filepath.Join(path, "no", "dir")}} {
		if err := c.OnTrainBegin(m, params("loss")); err == nil || !strings.Contains(err.Error(), "CSVLogger") {
			t.Errorf("%+v: error %v", c, err)
		}
	}
}
