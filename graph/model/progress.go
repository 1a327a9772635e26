package model

import (
	"fmt"
	"io"
	"strings"

	"github.com/schollz/progressbar/v3"
)

// progress shows one progress bar per epoch, with the running loss.
type progress struct {
	w      io.Writer
	bar    *progressbar.ProgressBar
	prefix string
}

func newProgress(w io.Writer, epoch, epochs, batches int) *progress {
	p := &progress{w: w, prefix: fmt.Sprintf("Epoch %d/%d", epoch+1, epochs)}
	p.bar = progressbar.NewOptions(batches,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(p.prefix),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetRenderBlankState(true),
	)
	return p
}

// step advances the bar by one batch, showing the running mean loss.
func (p *progress) step(loss float64) {
	p.bar.Describe(fmt.Sprintf("%s loss %.4g", p.prefix, loss))
	p.bar.Add(1)
}

// done ends the bar and writes the epoch's logs on one line.
func (p *progress) done(names []string, vals []float64) {
	p.bar.Finish()
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s: %.4g", n, vals[i])
	}
	fmt.Fprintf(p.w, "\n%s - %s\n", p.prefix, strings.Join(parts, " - "))
}
