package forecast

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/model/historyplot"
)

// Files written by Save into the output folder.
const (
	// PNGFile is the plot of the series and the forecasts (WritePNG).
	PNGFile = "forecast.png"
	// CSVFile is the table of the series and the forecasts (WriteCSV).
	CSVFile = "forecast.csv"
	// MetricsFile is the JSON of the Metrics.
	MetricsFile = "metrics.json"
	// HistoryPNGFile is the plot of the training curves (historyplot).
	HistoryPNGFile = "history.png"
)

// CSVHeader is the header row of WriteCSV.
var CSVHeader = []string{"step", "part", "actual", "one_step", "multi_step", "origin"}

// WriteCSV writes one row per time step: the step, its part (train, val or
// test), the actual value and, on test steps, the one-step and multi-step
// forecasts and whether a multi-step segment starts there (1 or 0).
// Cells without a value are empty.
func WriteCSV(w io.Writer, res *Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	origin := map[int]bool{}
	for _, o := range res.Origins {
		origin[o] = true
	}
	for t, v := range res.Series {
		row := []string{strconv.Itoa(t), "train", f(v), "", "", ""}
		switch {
		case t >= res.TestStart:
			i := t - res.TestStart
			row[1], row[3], row[4], row[5] = "test", f(res.OneStep[i]), f(res.MultiStep[i]), "0"
			if origin[t] {
				row[5] = "1"
			}
		case t >= res.TrainEnd:
			row[1] = "val"
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// metricsFile is the layout of metrics.json: the metrics, the data source
// and the configuration used.
type metricsFile struct {
	Metrics
	Source string `json:"source"`
	Config Config `json:"config"`
}

// WriteMetrics writes res.Metrics, the source and the configuration as
// indented JSON (metrics.json). Unknown values (seasonal naive without a
// period, validation loss without validation) are null.
func WriteMetrics(w io.Writer, res *Result) error {
	b, err := json.MarshalIndent(metricsFile{res.Metrics, res.Source, res.Config}, "", "  ")
	if err != nil {
		return fmt.Errorf("forecast: metrics: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Save creates dir if needed and writes forecast.png, forecast.csv,
// metrics.json and history.png (the training curves, when res has them)
// into it, each through a temporary file renamed into place.
func Save(dir string, res *Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("forecast: output folder: %w", err)
	}
	if err := SavePNG(filepath.Join(dir, PNGFile), res); err != nil {
		return err
	}
	if res.Training != nil {
		if err := historyplot.SavePNG(filepath.Join(dir, HistoryPNGFile), res.Training); err != nil {
			return fmt.Errorf("forecast: %w", err)
		}
	}
	if err := atomicWrite(filepath.Join(dir, CSVFile), func(w io.Writer) error { return WriteCSV(w, res) }); err != nil {
		return err
	}
	return atomicWrite(filepath.Join(dir, MetricsFile), func(w io.Writer) error { return WriteMetrics(w, res) })
}

// atomicWrite writes path with graph.WriteFileAtomic: through a temporary
// file in its folder, renamed over path once complete.
func atomicWrite(path string, write func(io.Writer) error) error {
	if err := graph.WriteFileAtomic(path, write); err != nil {
		return fmt.Errorf("forecast: %w", err)
	}
	return nil
}
