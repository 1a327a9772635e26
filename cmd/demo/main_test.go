package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
			if code := run(context.Background(), tc.args, &out, &errOut); code != tc.code {
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
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit status %d: %s", code, errOut.String())
	}
	for _, want := range []string{"one-step RMSE", "seasonal naive", "wrote " + filepath.Join(dir, "forecast.png")} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	// stderr is not a terminal here: one line per epoch, no bar frames.
	if lines := strings.Split(strings.TrimSpace(errOut.String()), "\n"); len(lines) != 2 ||
		!strings.HasPrefix(lines[1], "Epoch 2/2 - ") || strings.Contains(errOut.String(), "\r") {
		t.Errorf("progress on stderr: %q, want one line per epoch", errOut.String())
	}
	for _, f := range []string{"forecast.png", "history.png", "forecast.csv", "metrics.json"} {
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
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit status %d: %s", code, errOut.String())
	}
}

// TestMain runs the command itself when GOLSTM_DEMO_MAIN is set, so that
// TestInterrupt can signal a real process.
func TestMain(m *testing.M) {
	if os.Getenv("GOLSTM_DEMO_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestInterrupt runs the demo as a process and sends it SIGINT (Ctrl-C)
// after its second epoch line: training stops after the batch in progress,
// the best weights are restored, and the command still forecasts, reports
// how training ended, writes its four files and exits with status 0.
func TestInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("os.Interrupt cannot be sent to a process on Windows")
	}
	dir := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(os.Args[0], "-out", dir, "-sine-length", "300", "-lookback", "6", "-horizon", "4",
		"-units", "4", "-epochs", "100000", "-patience", "5000", "-batch-size", "4")
	cmd.Env = append(os.Environ(), "GOLSTM_DEMO_MAIN=1")
	var out bytes.Buffer
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var progress []string
	for sc.Scan() {
		progress = append(progress, sc.Text())
		if strings.HasPrefix(sc.Text(), "Epoch 2/") {
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), strings.Join(progress, "\n"))
	}
	// The signal lands in an epoch (training stops after the batch in
	// progress, and the progress says so) or, rarely, between two epochs.
	report := out.String()
	inEpoch := strings.Contains(report, "training cancelled: interrupt signal received in epoch")
	between := strings.Contains(report, "training cancelled: interrupt signal received before epoch")
	if !(inEpoch || between) || !strings.Contains(report, "the forecasts use the weights of epoch") {
		t.Errorf("report does not say training was cancelled:\n%s", report)
	}
	if inEpoch && !strings.Contains(strings.Join(progress, "\n"), "stopped after batch") {
		t.Errorf("stderr does not say where training stopped:\n%s", strings.Join(progress, "\n"))
	}
	for _, f := range []string{"forecast.png", "history.png", "forecast.csv", "metrics.json"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	var m struct {
		Training  string `json:"training"`
		Epochs    int    `json:"epochs"`
		BestEpoch int    `json:"best_epoch"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err := json.Unmarshal(b, &m); err != nil || m.Training != "cancelled" || m.Epochs < 2 || m.BestEpoch < 1 || m.BestEpoch > m.Epochs {
		t.Errorf("metrics.json: %+v (%v): want training cancelled after 2+ epochs, a best epoch among them", m, err)
	}
}

// TestCSVColumn: a CSV with a date column first trains on its last
// numeric column and says so; naming the date column is refused with the
// numeric columns and the flag that picks one.
func TestCSVColumn(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("month,passengers\n")
	for i := range 144 {
		fmt.Fprintf(&sb, "%d-%02d,%d\n", 1949+i/12, i%12+1, 100+i+(i%12)*5)
	}
	path := filepath.Join(t.TempDir(), "p.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := []string{"-quiet", "-out", t.TempDir(), "-data", path, "-epochs", "1", "-units", "2", "-lookback", "6"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit status %d: %s", code, errOut.String())
	}
	if want := `column "passengers" (the last numeric column; -column picks another)`; !strings.Contains(out.String(), want) {
		t.Errorf("report does not name the column read (%q):\n%s", want, out.String())
	}
	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), append(args, "-column", "month"), &out, &errOut); code != 2 {
		t.Errorf("-column month: exit status %d, want 2", code)
	}
	for _, want := range []string{`line 2, column "month": "1949-01" is not a number`, `numeric columns are "passengers": pick one with -column`} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("-column month: stderr %q lacks %q", errOut.String(), want)
		}
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
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
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
	if code := run(context.Background(), []string{"-quiet", "-out", dir, "-sine-length", "120", "-lookback", "6", "-units", "3", "-epochs", "1",
		"-save-keras", filepath.Join(dir, "no", "dir", "m.h5")}, &out, &errOut); code != 1 {
		t.Errorf("unwritable -save-keras: exit status %d, want 1", code)
	}
}
