// Package encdec is the encoder–decoder of cmd/demo/seq2seq, importable
// from notebooks: Keras' lstm_seq2seq network, trained on Keras'
// addition_rnn task ("535+61" → "596"), built with the functional API of
// package model.
//
// # Network
//
// The encoder, an LSTM with return_state, reads the one-hot question; its
// final h and c are the initial state of the decoder, an LSTM with
// return_sequences, followed by Dense(softmax) at every step. Training uses
// teacher forcing: the decoder reads the start token Start and the answer
// without its last character, and learns to put out the answer
// (categorical crossentropy). For inference, as Keras' example builds
// encoder_model and decoder_model, two more models are made of new Input
// nodes and the same three layers: the encoder model maps a question to h
// and c; the decoder model maps one character and h, c to the next
// character's probabilities and the new h, c. Decode feeds the decoder its
// own most probable character, Digits+1 times (greedy decoding).
//
// # Data and figures
//
// The data are datasets.GenerateAddition's: unique questions of operands
// of up to Digits digits, padded with spaces, reversed as Keras' example
// does, the last tenth held out (no question in both parts). Answers have
// a fixed width, Digits+1 characters padded with spaces, so there is no
// end token. Accuracy is measured as Keras' addition_rnn does, per
// character over the Digits+1 characters of each answer, and as exact
// match, on the held-out questions, by greedy decoding (never with the
// true previous characters). Baseline gives the accuracy of answering
// every question with the most frequent character of each position.
//
// Run does it all and Result holds the figures; WriteReport prints them.
package encdec
