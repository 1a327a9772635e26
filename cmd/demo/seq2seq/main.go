// Command seq2seq trains the LSTM encoder–decoder of package encdec on
// Keras' addition_rnn task and reports its held-out accuracy (see the
// README section "Functional models and seq2seq").
//
//	go run ./cmd/demo/seq2seq              # the full run: 50000 questions, LSTM(128)
//	go run ./cmd/demo/seq2seq -h           # the flags
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/golstm/golstm/cmd/demo/seq2seq/encdec"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const header = `Usage: go run ./cmd/demo/seq2seq [flags]

Trains an LSTM encoder-decoder (Keras' lstm_seq2seq: the encoder's final h
and c are the decoder's initial state, teacher forcing) on Keras'
addition_rnn task ("535+61" -> "596"), then answers the held-out questions
by greedy decoding with inference models made of the trained layers, and
prints their per-character and exact-match accuracy, the epochs and the
training time. One progress line per epoch goes to stderr.

Flags:
`

// run is the command: it returns the exit status, 0 on success (and for
// -h), 2 for a bad flag or setting, 1 for other failures.
func run(args []string, stdout, stderr io.Writer) int {
	c := encdec.DefaultConfig()
	var save string
	var quiet bool
	fs := flag.NewFlagSet("seq2seq", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), header)
		fs.PrintDefaults()
	}
	fs.IntVar(&c.Examples, "examples", c.Examples, "number of unique questions (training and held-out)")
	fs.IntVar(&c.Digits, "digits", c.Digits, "largest number of digits of an operand (1 to 9)")
	fs.Float64Var(&c.HeldOut, "held-out", c.HeldOut, "fraction of the questions held out for the final figures")
	fs.BoolVar(&c.Reverse, "reverse", c.Reverse, "reverse the questions, as Keras' addition_rnn")
	fs.Uint64Var(&c.DataSeed, "data-seed", c.DataSeed, "seed of the questions")
	fs.BoolVar(&c.LowFirst, "low-first", c.LowFirst, "the decoder emits the answer's digits least significant first (answers and accuracy unchanged; -low-first=false: most significant first)")
	fs.IntVar(&c.Units, "units", c.Units, "units of the encoder and decoder LSTMs")
	fs.IntVar(&c.Implementation, "implementation", c.Implementation, "LSTM implementation, 1 or 2 (same numbers, other speed)")
	fs.BoolVar(&c.Unroll, "unroll", c.Unroll, "unrolled LSTMs (same numbers, other speed)")
	fs.StringVar(&c.Dtype, "dtype", c.Dtype, "float32 or float64")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "training epochs")
	fs.IntVar(&c.BatchSize, "batch", c.BatchSize, "batch size")
	fs.StringVar(&c.Optimizer, "optimizer", c.Optimizer, "optimizer: sgd, rmsprop, adagrad, adadelta, adam, adamax or nadam")
	fs.Float64Var(&c.LR, "lr", c.LR, "learning rate (0: the optimizer's Keras default)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed of the weights and the shuffling")
	fs.IntVar(&c.EvalEvery, "eval-every", c.EvalEvery, "decode the held-out questions every n epochs for the progress (0: at the end only)")
	fs.StringVar(&save, "save", "", "write the trained model to this `file` (model.Load and encdec.FromTrained read it back)")
	fs.BoolVar(&quiet, "quiet", false, "no progress lines")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "seq2seq: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if err := c.Validate(); err != nil {
		fmt.Fprintln(stderr, "seq2seq:", err)
		return 2
	}
	var progress io.Writer = stderr
	if quiet {
		progress = nil
	}
	res, err := encdec.Run(c, progress)
	if err != nil {
		fmt.Fprintln(stderr, "seq2seq:", err)
		return 1
	}
	if err := encdec.WriteReport(stdout, res); err != nil {
		fmt.Fprintln(stderr, "seq2seq:", err)
		return 1
	}
	if save != "" {
		if err := res.Network.Train.Save(save); err != nil {
			fmt.Fprintln(stderr, "seq2seq:", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s\n", save)
	}
	return 0
}
