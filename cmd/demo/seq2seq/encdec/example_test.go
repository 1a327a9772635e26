package encdec_test

import (
	"fmt"
	"log"

	"github.com/golstm/golstm/cmd/demo/seq2seq/encdec"
)

// ExampleNewNetwork shows the three models of the encoder–decoder, made of
// the same three layers: the teacher-forced training model, and the
// encoder and one-step decoder models of greedy decoding.
func ExampleNewNetwork() {
	c := encdec.DefaultConfig()
	c.Units = 16
	nw, err := encdec.NewNetwork(c)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(nw.Train.Summary())
	fmt.Print(nw.Encoder.Summary())
	fmt.Print(nw.Decoder.Summary())
	answers, err := nw.Decode([]string{" 16+535"}, 1) // "535+61" reversed, untrained
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d characters decoded\n", len(answers[0]))
	// Output:
	// ______________________________________________________________________________________________________________________
	// Layer (type)                   Output Shape                                  Param #   Connected to
	// ======================================================================================================================
	// question (InputLayer)          (None, None, 12)                                    0
	// decoder_input (InputLayer)     (None, None, 13)                                    0
	// encoder (LSTM)                 [(None, 16), (None, 16), (None, 16)]             1856   question
	// decoder (LSTM)                 [(None, None, 16), (None, 16), (None, 16)]       1920   decoder_input, encoder:1, encoder:2
	// output (Dense)                 (None, None, 13)                                  221   decoder:0
	// ======================================================================================================================
	// Total params: 3997
	// ______________________________________________________________________________________________________________________
	// ________________________________________________________________________________________________________________
	// Layer (type)                   Output Shape                            Param #   Connected to
	// ================================================================================================================
	// question (InputLayer)          (None, None, 12)                              0
	// encoder (LSTM)                 [(None, 16), (None, 16), (None, 16)]       1856   question
	// ================================================================================================================
	// Total params: 1856
	// ________________________________________________________________________________________________________________
	// ___________________________________________________________________________________________________________________
	// Layer (type)                   Output Shape                               Param #   Connected to
	// ===================================================================================================================
	// char (InputLayer)              (None, 1, 13)                                    0
	// h (InputLayer)                 (None, 16)                                       0
	// c (InputLayer)                 (None, 16)                                       0
	// decoder (LSTM)                 [(None, 1, 16), (None, 16), (None, 16)]       1920   char, h, c
	// output (Dense)                 (None, 1, 13)                                  221   decoder:0
	// ===================================================================================================================
	// Total params: 2141
	// ___________________________________________________________________________________________________________________
	// 4 characters decoded
}

// ExampleRun trains a network on two-digit additions (a short run: see
// the README for the full one) and prints its figures with WriteReport,
// here only the sizes and a few held-out questions.
func ExampleRun() {
	c := encdec.DefaultConfig()
	c.Examples, c.Digits, c.Units, c.Epochs, c.BatchSize, c.LR, c.EvalEvery = 600, 2, 16, 2, 32, 0.01, 0
	r, err := encdec.Run(c, nil) // nil: no progress lines
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d training, %d held-out questions, %d epochs of %d batches\n", r.TrainSize, r.HeldOutSize, r.Epochs, r.Batches/r.Epochs)
	for _, s := range r.Samples[:3] {
		fmt.Printf("%s = %q, decoded as %d characters\n", s.Question, s.Answer, len(s.Decoded))
	}
	// Output:
	// 540 training, 60 held-out questions, 2 epochs of 17 batches
	// 64+54 = "118", decoded as 3 characters
	// 63+71 = "134", decoded as 3 characters
	// 30+47 = "77 ", decoded as 3 characters
}
