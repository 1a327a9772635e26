package forecast

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// tiny returns a fast configuration: a short sine and a small model
// trained for a few epochs.
func tiny() Config {
	c := DefaultConfig()
	c.Sine.Length, c.Sine.Period = 160, 16
	c.Lookback, c.Horizon = 8, 6
	c.Units, c.Epochs, c.Patience = 4, 3, 2
	return c
}

// metricKeys are the fields metrics.json must have.
var metricKeys = []string{"test_rmse", "test_mae", "persistence_rmse", "persistence_mae",
	"seasonal_naive_rmse", "seasonal_naive_mae", "multistep_rmse", "multistep_mae",
	"multistep_persistence_rmse", "multistep_persistence_mae", "multistep_seasonal_naive_rmse",
	"multistep_seasonal_naive_mae", "epochs", "best_epoch", "train_seconds", "final_train_loss",
	"final_val_loss", "training", "stop_reason", "period", "horizon", "test_steps", "source", "config"}

// TestRunFiles runs the pipeline end to end and checks the three files.
func TestRunFiles(t *testing.T) {
	res, err := Run(tiny(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := Save(dir, res); err != nil {
		t.Fatal(err)
	}
	// PNG decodes at the documented size (96 dpi)
	f, err := os.Open(filepath.Join(dir, PNGFile))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("forecast.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 960 || b.Dy() != 384 {
		t.Errorf("forecast.png is %d×%d, want 960×384", b.Dx(), b.Dy())
	}
	// CSV: header, one row per step, test rows with finite forecasts
	f, err = os.Open(filepath.Join(dir, CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatalf("forecast.csv: %v", err)
	}
	if strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
		t.Errorf("header %v, want %v", rows[0], CSVHeader)
	}
	if len(rows) != 1+160 {
		t.Fatalf("%d rows, want 161", len(rows))
	}
	test := 0
	for _, r := range rows[1:] {
		if r[1] != "test" {
			continue
		}
		test++
		for _, c := range r[2:5] {
			if v, err := strconv.ParseFloat(c, 64); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("row %v: value %q not finite", r, c)
			}
		}
	}
	if want := 160 - res.TestStart; test != want || test != len(res.OneStep) {
		t.Errorf("%d test rows, want %d", test, want)
	}
	// metrics.json: every field, finite numbers
	b, err := os.ReadFile(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("metrics.json: %v", err)
	}
	for _, k := range metricKeys {
		v, ok := m[k]
		if !ok {
			t.Errorf("metrics.json lacks %s", k)
		}
		if x, isNum := v.(float64); isNum && (math.IsNaN(x) || math.IsInf(x, 0)) {
			t.Errorf("%s = %v, not finite", k, x)
		}
		if v == nil {
			t.Errorf("%s is null, want a value for the sine", k)
		}
	}
	if m["period"] != 16.0 || m["epochs"] != float64(res.Metrics.Epochs) || res.Metrics.Epochs < 1 || res.Metrics.Epochs > 3 {
		t.Errorf("period %v, epochs %v: want 16 and 1..3", m["period"], m["epochs"])
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("output folder holds %d entries, want the 4 files (no temporaries)", len(entries))
	}
	if m["training"] != "completed" && m["training"] != "stopped" {
		t.Errorf("training %v: want completed or stopped", m["training"])
	}
}

// TestRunCSV runs on a CSV column: no seasonal period, so the seasonal
// scores are nil.
func TestRunCSV(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("month,value\n")
	for i := range 120 {
		sb.WriteString(strconv.Itoa(i) + "," + strconv.FormatFloat(10+math.Sin(float64(i)/3), 'g', -1, 64) + "\n")
	}
	path := filepath.Join(t.TempDir(), "s.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c := tiny()
	c.Data, c.Column, c.Epochs = path, "value", 1
	res, err := Run(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Metrics.SeasonalNaiveRMSE != nil || res.Metrics.MultistepSNaiveRMSE != nil || res.Metrics.Period != 0 {
		t.Errorf("CSV run has a seasonal baseline (period %d)", res.Metrics.Period)
	}
	if res.Series[0] != 10 || len(res.Series) != 120 {
		t.Errorf("series starts %v with %d values, want 10 and 120", res.Series[0], len(res.Series))
	}
}

// TestRunInputErrors checks that bad settings and files are InputErrors
// naming the problem.
func TestRunInputErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("a\n1\nx\n"), 0o644)
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"missing file", func(c *Config) { c.Data = "/no/such/file.csv" }, "no such file"},
		{"non-numeric", func(c *Config) { c.Data, c.Column = bad, "a" }, `line 3, column "a": "x" is not a number (it has no numeric column)`},
		{"no numeric column", func(c *Config) { c.Data = bad }, "no column holds a number in every row"},
		{"unknown column", func(c *Config) { c.Data, c.Column = bad, "b" }, `"b"`},
		{"units", func(c *Config) { c.Units = 0 }, "units"},
		{"scaler", func(c *Config) { c.Scaler = "robust" }, "minmax, standard or none"},
		{"optimizer", func(c *Config) { c.Optimizer = "lbfgs" }, "lbfgs"},
		{"activation", func(c *Config) { c.Activation = "swish2" }, "activation"},
		{"split", func(c *Config) { c.Train, c.Val = 0.9, 0.1 }, "train+val < 1"},
		{"too short", func(c *Config) { c.Lookback = 150 }, "lookback+diff"},
		{"log of negative", func(c *Config) { c.Log = true }, "not positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tiny()
			tc.edit(&c)
			_, err := Run(c, nil)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v: want an *InputError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// cancelAfter is a progress writer that cancels a run once it has seen
// the line of epoch n.
type cancelAfter struct {
	prefix string
	cancel context.CancelFunc
}

func (c cancelAfter) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.prefix) {
		c.cancel()
	}
	return len(p), nil
}

// TestRunContext: a run cancelled after its second epoch still forecasts,
// with the best weights so far, and says so; one cancelled before its
// first epoch ended is an error.
func TestRunContext(t *testing.T) {
	c := tiny()
	c.Epochs, c.Patience = 1000, 500
	ctx, cancel := context.WithCancel(context.Background())
	res, err := RunContext(ctx, c, cancelAfter{"Epoch 2/", cancel})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Metrics
	if m.Training != "cancelled" || m.Epochs != 2 || m.BestEpoch < 1 || m.BestEpoch > 2 || len(res.OneStep) == 0 {
		t.Errorf("training %q after %d epochs (best %d): want cancelled after 2", m.Training, m.Epochs, m.BestEpoch)
	}
	var report strings.Builder
	WriteReport(&report, res)
	if !strings.Contains(report.String(), "training cancelled: context canceled before epoch 3/1000") {
		t.Errorf("report:\n%s", report.String())
	}
	if _, err := RunContext(ctx, c, nil); err == nil || !strings.Contains(err.Error(), "before the first epoch ended") {
		t.Errorf("cancelled before training: error %v", err)
	}
}
