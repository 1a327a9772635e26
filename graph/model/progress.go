package model

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress writes Fit's progress, as Keras' verbose levels: a bar redrawn
// after every batch (Verbose 1 when the writer is a terminal), or one line
// per epoch (Verbose 2, and Verbose 1 on anything else: a log file, a pipe,
// a notebook), in Keras' format:
//
//	Epoch 3/10 - 2s - loss: 0.1234 - val_loss: 0.2345
type progress struct {
	w      io.Writer
	live   bool
	epochs int
	steps  int
	bar    *progressbar.ProgressBar
	prefix string
	start  time.Time
}

// newProgress returns the progress writer of a Fit, nil for Verbose 0.
func newProgress(w io.Writer, verbose, epochs, steps int) *progress {
	if verbose == 0 {
		return nil
	}
	return &progress{w: w, live: verbose == 1 && isTerminal(w), epochs: epochs, steps: steps}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// beginEpoch starts an epoch (from 0).
func (p *progress) beginEpoch(epoch int) {
	p.prefix = fmt.Sprintf("Epoch %d/%d", epoch+1, p.epochs)
	p.start = time.Now()
	if p.live {
		p.bar = progressbar.NewOptions(p.steps,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(p.prefix),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionSetRenderBlankState(true),
		)
	}
}

// batch advances the bar by one batch, showing the running mean loss.
func (p *progress) batch(loss float64) {
	if p.live {
		p.bar.Describe(fmt.Sprintf("%s loss %s", p.prefix, formatLog(loss)))
		p.bar.Add(1)
	}
}

// endEpoch writes the epoch's line.
func (p *progress) endEpoch(names []string, logs map[string]float64) {
	if p.live {
		p.bar.Finish()
		fmt.Fprintln(p.w)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s - %.0fs", p.prefix, time.Since(p.start).Seconds())
	for _, n := range names {
		if v, ok := logs[n]; ok {
			fmt.Fprintf(&b, " - %s: %s", n, formatLog(v))
		}
	}
	fmt.Fprintln(p.w, b.String())
}

// interrupt ends an epoch stopped after batches of its steps.
func (p *progress) interrupt(batches int, why string) {
	if p.live {
		p.bar.Exit()
		fmt.Fprintln(p.w)
	}
	fmt.Fprintf(p.w, "%s - stopped after batch %d/%d: %s\n", p.prefix, batches, p.steps, why)
}

// stopped reports that training stopped after an epoch.
func (p *progress) stopped(epoch int, why string) {
	fmt.Fprintf(p.w, "Training stopped after epoch %d: %s\n", epoch+1, why)
}

// formatLog formats a logged value as Keras' progress bar does: four
// decimals, or four significant digits in e notation below 1e-3.
func formatLog(v float64) string {
	if math.Abs(v) > 1e-3 || math.IsNaN(v) {
		return fmt.Sprintf("%.4f", v)
	}
	return fmt.Sprintf("%.4e", v)
}
