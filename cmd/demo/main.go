package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/golstm/golstm/cmd/demo/forecast"
	"github.com/golstm/golstm/graph/keras"
)

func main() {
	// Ctrl-C (or SIGTERM) ends training after the batch in progress; the
	// run then forecasts with the best weights so far and writes its
	// files. A second Ctrl-C kills the program as usual.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command: it returns the exit status, 0 on success (and for
// -h, and for a training interrupted by ctx whose outputs were written),
// 2 for a bad flag, value or data file, 1 for other failures.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	var progress io.Writer = stderr
	if o.quiet {
		progress = nil
	}
	res, err := forecast.RunContext(ctx, o.cfg, progress)
	if err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		if _, ok := errors.AsType[*forecast.InputError](err); ok {
			return 2
		}
		return 1
	}
	if err := forecast.WriteReport(stdout, res); err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return 1
	}
	if err := forecast.Save(o.out, res); err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s, %s, %s and %s\n", filepath.Join(o.out, forecast.PNGFile),
		filepath.Join(o.out, forecast.HistoryPNGFile), filepath.Join(o.out, forecast.CSVFile), filepath.Join(o.out, forecast.MetricsFile))
	if o.saveKeras != "" {
		if err := keras.Save(res.Model, o.saveKeras); err != nil {
			fmt.Fprintln(stderr, "demo:", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s (Keras .h5)\n", o.saveKeras)
	}
	return 0
}
