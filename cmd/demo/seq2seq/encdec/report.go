package encdec

import (
	"fmt"
	"io"
	"runtime"

	"github.com/golstm/golstm/graph"
)

// WriteReport writes the figures of a run: data, network, held-out and
// training accuracy of greedy decoding, epochs, time, and a few decoded
// held-out questions.
func WriteReport(w io.Writer, r *Result) error {
	c := r.Config
	rev, order := "", "most significant digit first"
	if c.Reverse {
		rev = ", reversed"
	}
	if c.LowFirst {
		order = "least significant digit first"
	}
	_, err := fmt.Fprintf(w, `addition of operands of up to %d digits: %d training and %d held-out questions (data seed %d%s)
encoder-decoder LSTM(%d) -> LSTM(%d) -> Dense(%d, softmax), %s, %d weights, answers emitted %s
trained %d epochs of batch %d with %s (seed %d): %d batches in %s, %.1f ms/batch (%s BLAS, %d CPUs, %s)
held-out, greedy decoding: per-character accuracy %.4f, exact match %.4f (most frequent character per position: %.4f)
training questions (first %d), greedy decoding: per-character accuracy %.4f, exact match %.4f
`,
		c.Digits, r.TrainSize, r.HeldOutSize, c.DataSeed, rev,
		c.Units, c.Units, r.Network.Answers.Len(), c.Dtype, r.Network.Train.CountParams(), order,
		r.Epochs, c.BatchSize, c.Optimizer, c.Seed, r.Batches, r.TrainTime.Round(1e9), r.MsPerBatch, graph.BLAS, runtime.NumCPU(), runtime.Version(),
		r.CharAccuracy, r.ExactMatch, r.Baseline,
		min(r.TrainSize, r.HeldOutSize), r.TrainCharAccuracy, r.TrainExactMatch)
	if err != nil {
		return err
	}
	for _, s := range r.Samples {
		mark := "ok"
		if s.Decoded != s.Answer {
			mark = "WRONG"
		}
		if _, err := fmt.Fprintf(w, "  %-9s = %-5q decoded %-5q %s\n", s.Question, s.Answer, s.Decoded, mark); err != nil {
			return err
		}
	}
	return nil
}
