package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/cmd/demo/forecast"
	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/keras"
)

// TestExitStatus checks the exit status and message of bad command lines.
func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"help", []string{"-h"}, 0, "Usage: go run ./cmd/demo"},
		{"unknown flag", []string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{"bad int", []string{"-units", "many"}, 2, `invalid value "many" for flag -units`},
		{"bad value", []string{"-implementation", "3"}, 2, "implementation = 3"},
		{"bad scaler", []string{"-scaler", "robust"}, 2, "minmax, standard or none"},
		{"extra argument", []string{"airline"}, 2, `unexpected argument "airline"`},
		{"missing file", []string{"-quiet", "-data", "/no/such.csv"}, 2, "/no/such.csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tc.args, &out, &errOut); code != tc.code {
				t.Errorf("exit status %d, want %d (stderr %q)", code, tc.code, errOut.String())
			}
			if !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("stderr %q does not contain %q", errOut.String(), tc.want)
			}
		})
	}
}

// TestAirlinePreset checks that -data airline starts from AirlineConfig
// and that explicit flags override it.
func TestAirlinePreset(t *testing.T) {
	o, err := parseArgs([]string{"-data", "airline", "-units", "5", "-out", "x"}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	c := o.cfg
	if c.Units != 5 || c.Lookback != 12 || !c.Log || c.Diff != 1 || c.Train != 0.67 || o.out != "x" {
		t.Errorf("got units %d lookback %d log %v diff %d train %v out %q; want 5 12 true 1 0.67 x",
			c.Units, c.Lookback, c.Log, c.Diff, c.Train, o.out)
	}
	o, err = parseArgs(nil, os.Stderr)
	if err != nil || o.cfg.Data != "sine" || o.out != "demo-out" {
		t.Errorf("no flags: data %q out %q err %v; want sine, demo-out", o.cfg.Data, o.out, err)
	}
}

// TestRunWritesFiles runs the command with tiny settings into a temporary
// folder.
func TestRunWritesFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "o")
	var out, errOut bytes.Buffer
	args := []string{"-out", dir, "-sine-length", "120", "-sine-period", "12", "-lookback", "6", "-horizon", "4",
		"-units", "3", "-epochs", "2", "-go-backwards", "-dropout", "0.1", "-recurrent-dropout", "0.1", "-unroll",
		"-implementation", "1", "-dtype", "float64", "-optimizer", "rmsprop", "-lr", "0.005"}
	if code := run(args, &out, &errOut); code != 0 {
		t.Fatalf("exit status %d: %s", code, errOut.String())
	}
	for _, want := range []string{"one-step RMSE", "seasonal naive", "wrote " + filepath.Join(dir, "forecast.png")} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "Epoch 2/2") {
		t.Errorf("no progress bar on stderr: %q", errOut.String())
	}
	for _, f := range []string{"forecast.png", "forecast.csv", "metrics.json"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestStateful runs a stateful model: samples are trimmed to whole batches.
func TestStateful(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"-quiet", "-out", t.TempDir(), "-sine-length", "130", "-lookback", "5", "-horizon", "3",
		"-units", "3", "-epochs", "1", "-stateful", "-batch-size", "8"}
	if code := run(args, &out, &errOut); code != 0 {
		t.Fatalf("exit status %d: %s", code, errOut.String())
	}
}

// TestSaveKeras checks -save-keras: the trained model is written as a
// Keras .h5 that loads back as LSTM → Dense on (lookback, 1) windows,
// compiled with the chosen optimizer, predicting as the demo's model.
func TestSaveKeras(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.h5")
	var out, errOut bytes.Buffer
	args := []string{"-quiet", "-out", dir, "-sine-length", "120", "-lookback", "6", "-horizon", "3",
		"-units", "3", "-epochs", "1", "-optimizer", "rmsprop", "-save-keras", path}
	if code := run(args, &out, &errOut); code != 0 {
		t.Fatalf("exit status %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "wrote "+path) {
		t.Errorf("report lacks the Keras file:\n%s", out.String())
	}
	m, err := keras.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := parseArgs(args, &errOut)
	res, err := forecast.Run(o.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ls := m.Layers()
	if len(ls) != 2 || ls[0].Type() != "LSTM" || ls[1].Type() != "Dense" || !slices.Equal(m.InputShape(), res.Model.InputShape()) ||
		m.Optimizer() == nil || m.Optimizer().Name() != "rmsprop" {
		t.Errorf("loaded model: %s input %v, optimizer %v", m.Summary(), m.InputShape(), m.Optimizer())
	}
	x := graph.NewTensor(m.Dtype(), []int{2, 6, 1}, []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, -0.1, -0.2, -0.3, -0.4, -0.5, -0.6})
	want, _ := res.Model.Predict(x, 2)
	got, err := m.Predict(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(graph.Float64s(got), graph.Float64s(want)) {
		t.Errorf("the saved model predicts %v, the demo's %v", graph.Float64s(got), graph.Float64s(want))
	}
	if code := run([]string{"-quiet", "-out", dir, "-sine-length", "120", "-lookback", "6", "-units", "3", "-epochs", "1",
		"-save-keras", filepath.Join(dir, "no", "dir", "m.h5")}, &out, &errOut); code != 1 {
		t.Errorf("unwritable -save-keras: exit status %d, want 1", code)
	}
}
