package encdec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/golstm/golstm/datasets"
	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
)

// Start is the decoder's start token: the first decoder input of every
// answer, as '\t' in Keras' lstm_seq2seq. There is no end token: answers
// have a fixed width (Digits+1, padded with spaces as in Keras'
// addition_rnn), so decoding always takes Digits+1 steps and the padding
// spaces play the part of lstm_seq2seq's '\n'.
const Start = '\t'

// Layer names of the network; the inference models find the trained
// layers of a loaded training model by them.
const (
	EncoderName = "encoder"
	DecoderName = "decoder"
	OutputName  = "output"
)

// Network is the encoder–decoder and its two inference models, all made of
// the same three layers (so they share the weights):
//
//	training:  question ─ encoder LSTM ─ h, c ─┐
//	           decoder input ─ decoder LSTM(initial state h, c) ─ Dense(softmax) ─ next characters
//	Encoder:   question → h, c
//	Decoder:   one character, h, c → probabilities of the next character, h', c'
//
// The training model is fed the answer shifted right behind the start
// token (teacher forcing); the inference models decode greedily, feeding
// back the most probable character (Decode).
type Network struct {
	// Train is the teacher-forced model: inputs question (None,
	// Questions.Len()) and decoder input (None, Answers.Len()), output the
	// per-step probabilities (None, Answers.Len()).
	Train *model.Model
	// Encoder maps a question to the encoder's final h and c.
	Encoder *model.Model
	// Decoder runs one decoder step: previous character (1,
	// Answers.Len()), h, c → probabilities (1, Answers.Len()), h, c.
	Decoder *model.Model
	// Questions encodes the questions (AdditionChars); Answers the
	// decoder's characters (AdditionChars and Start).
	Questions, Answers *datasets.CharTable
	// Digits is the largest number of digits of an operand: answers have
	// Digits+1 characters, questions 2·Digits+1.
	Digits int
	// LowFirst: the decoder emits the digits least significant first (see
	// Config.LowFirst).
	LowFirst bool
}

// tables returns the character tables of questions and of the decoder.
func tables() (q, a *datasets.CharTable, err error) {
	if q, err = datasets.NewCharTable(datasets.AdditionChars); err != nil {
		return nil, nil, err
	}
	if a, err = datasets.NewCharTable(datasets.AdditionChars + string(Start)); err != nil {
		return nil, nil, err
	}
	return q, a, nil
}

// NewNetwork builds the network of c (its layers drawn from c.Seed) and
// compiles the training model with categorical crossentropy, accuracy and
// c's optimizer.
func NewNetwork(c Config) (*Network, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	qt, at, err := tables()
	if err != nil {
		return nil, err
	}
	lc := func(name string, seed uint64, seq bool) lstm.Config {
		l := lstm.Default(c.Units)
		l.Name, l.Seed, l.ReturnSequences, l.ReturnState = name, seed, seq, true
		l.Implementation, l.Unroll = c.Implementation, c.Unroll
		return l
	}
	enc, err := lstm.New(lc(EncoderName, c.Seed, false))
	if err != nil {
		return nil, fmt.Errorf("encdec: %w", err)
	}
	dec, err := lstm.New(lc(DecoderName, c.Seed+1, true))
	if err != nil {
		return nil, fmt.Errorf("encdec: %w", err)
	}
	dc := layers.DenseDefaults(at.Len())
	dc.Name, dc.Activation, dc.Seed = OutputName, "softmax", c.Seed+2
	out, err := layers.NewDense(dc)
	if err != nil {
		return nil, fmt.Errorf("encdec: %w", err)
	}
	// Keras' lstm_seq2seq:
	//   encoder_outputs, state_h, state_c = LSTM(units, return_state=True)(encoder_inputs)
	//   decoder_outputs, _, _ = LSTM(units, return_sequences=True, return_state=True)(
	//       decoder_inputs, initial_state=[state_h, state_c])
	//   decoder_outputs = Dense(num_decoder_tokens, activation='softmax')(decoder_outputs)
	question := model.Input("question", graph.None, qt.Len())
	decIn := model.Input("decoder_input", graph.None, at.Len())
	encoded := model.Apply(enc, question)
	decoded := model.Apply(dec, decIn, encoded.Output(1), encoded.Output(2))
	probs := model.Apply(out, decoded)
	train, err := model.New(c.dtype(), []*model.Node{question, decIn}, []*model.Node{probs})
	if err != nil {
		return nil, fmt.Errorf("encdec: %w", err)
	}
	opt, err := c.optimizer()
	if err != nil {
		return nil, err
	}
	if err := train.Compile("categorical_crossentropy", opt, "accuracy"); err != nil {
		return nil, fmt.Errorf("encdec: %w", err)
	}
	return inference(train, qt, at, c)
}

// FromTrained returns the network of a training model made by NewNetwork
// with the configuration c (for example read back by model.Load; c gives
// Digits and LowFirst): its inference models are made of the model's
// layers, found by name.
func FromTrained(train *model.Model, c Config) (*Network, error) {
	if c.Digits < 1 || c.Digits > 9 {
		return nil, fmt.Errorf("encdec: digits %d: want 1 to 9", c.Digits)
	}
	qt, at, err := tables()
	if err != nil {
		return nil, err
	}
	return inference(train, qt, at, c)
}

// inference makes the encoder and decoder models of a training model's
// layers, as Keras' lstm_seq2seq builds encoder_model and decoder_model:
// new Input nodes, the same (trained) layers.
func inference(train *model.Model, qt, at *datasets.CharTable, c Config) (*Network, error) {
	enc, ok1 := train.Layer(EncoderName).(*lstm.LSTM)
	dec, ok2 := train.Layer(DecoderName).(*lstm.LSTM)
	out := train.Layer(OutputName)
	if !ok1 || !ok2 || out == nil {
		return nil, fmt.Errorf("encdec: the model has no LSTM layers %q and %q and layer %q: not a model of NewNetwork", EncoderName, DecoderName, OutputName)
	}
	units := enc.OutputShapes()[1][0] // h: (units)
	dt := train.Dtype()
	// encoder_model = Model(encoder_inputs, encoder_states)
	question := model.Input("question", graph.None, qt.Len())
	encoded := model.Apply(enc, question)
	encoder, err := model.New(dt, []*model.Node{question}, []*model.Node{encoded.Output(1), encoded.Output(2)})
	if err != nil {
		return nil, fmt.Errorf("encdec: encoder model: %w", err)
	}
	// decoder_model = Model([decoder_inputs] + decoder_states_inputs,
	//                       [decoder_outputs] + decoder_states)
	char := model.Input("char", 1, at.Len())
	hIn, cIn := model.Input("h", units), model.Input("c", units)
	step := model.Apply(dec, char, hIn, cIn)
	probs := model.Apply(out, step)
	decoder, err := model.New(dt, []*model.Node{char, hIn, cIn}, []*model.Node{probs, step.Output(1), step.Output(2)})
	if err != nil {
		return nil, fmt.Errorf("encdec: decoder model: %w", err)
	}
	return &Network{Train: train, Encoder: encoder, Decoder: decoder, Questions: qt, Answers: at, Digits: c.Digits, LowFirst: c.LowFirst}, nil
}

// TrainingData returns the training model's inputs and targets for a data
// set: the one-hot questions (n, 2·Digits+1, Questions.Len()), the decoder
// inputs (n, Digits+1, Answers.Len()), Start followed by the answer
// without its last character, and the targets, the answers
// (n, Digits+1, Answers.Len()).
func (nw *Network) TrainingData(d *datasets.Addition) (xs, ys []*graph.Tensor, err error) {
	if d.Digits != nw.Digits {
		return nil, nil, fmt.Errorf("encdec: data of %d digits for a network of %d", d.Digits, nw.Digits)
	}
	dt := nw.Train.Dtype()
	n, qLen, aLen := d.Len(), d.QuestionLen(), d.AnswerLen()
	q, err := nw.Questions.Encode(d.Questions, qLen)
	if err != nil {
		return nil, nil, fmt.Errorf("encdec: %w", err)
	}
	emitted := make([]string, n)
	shifted := make([]string, n)
	for i, a := range d.Answers {
		emitted[i] = nw.order(a)
		shifted[i] = string(Start) + emitted[i][:len(a)-1]
	}
	in, err := nw.Answers.Encode(shifted, aLen)
	if err != nil {
		return nil, nil, fmt.Errorf("encdec: %w", err)
	}
	target, err := nw.Answers.Encode(emitted, aLen)
	if err != nil {
		return nil, nil, fmt.Errorf("encdec: %w", err)
	}
	k := nw.Answers.Len()
	xs = []*graph.Tensor{graph.NewTensor(dt, []int{n, qLen, nw.Questions.Len()}, q), graph.NewTensor(dt, []int{n, aLen, k}, in)}
	ys = []*graph.Tensor{graph.NewTensor(dt, []int{n, aLen, k}, target)}
	return xs, ys, nil
}

// Decode answers the questions (padded, reversed or not as the network was
// trained) greedily: the encoder's h and c start the decoder, which is fed
// Start and then, Digits+1 times in all, its own most probable character
// (with LowFirst the answer is turned back to the usual order). It runs in
// batches of batchSize.
func (nw *Network) Decode(questions []string, batchSize int) ([]string, error) {
	if len(questions) == 0 {
		return nil, nil
	}
	dt := nw.Train.Dtype()
	qLen := 2*nw.Digits + 1
	q, err := nw.Questions.Encode(questions, qLen)
	if err != nil {
		return nil, fmt.Errorf("encdec: %w", err)
	}
	n, k := len(questions), nw.Answers.Len()
	hc, err := nw.Encoder.PredictMulti([]*graph.Tensor{graph.NewTensor(dt, []int{n, qLen, nw.Questions.Len()}, q)}, batchSize)
	if err != nil {
		return nil, fmt.Errorf("encdec: encoder: %w", err)
	}
	h, c := hc[0], hc[1]
	start, _ := nw.Answers.Index(Start)
	prev := make([]int, n)
	for i := range prev {
		prev[i] = start
	}
	out := make([][]rune, n)
	for range nw.Digits + 1 {
		onehot := make([]float64, n*k)
		for i, j := range prev {
			onehot[i*k+j] = 1
		}
		res, err := nw.Decoder.PredictMulti([]*graph.Tensor{graph.NewTensor(dt, []int{n, 1, k}, onehot), h, c}, batchSize)
		if err != nil {
			return nil, fmt.Errorf("encdec: decoder: %w", err)
		}
		p := graph.Float64s(res[0])
		for i := range prev {
			s, err := nw.Answers.Decode(p[i*k : (i+1)*k]) // the most probable character
			if err != nil {
				return nil, err
			}
			c := []rune(s)[0]
			prev[i], _ = nw.Answers.Index(c)
			out[i] = append(out[i], c)
		}
		h, c = res[1], res[2]
	}
	s := make([]string, n)
	for i, r := range out {
		s[i] = nw.order(string(r))
	}
	return s, nil
}

// order turns a padded answer into the order the decoder emits it in, and
// back: itself, or with LowFirst its digits reversed before the padding
// ("596 " ↔ "695 ").
func (nw *Network) order(answer string) string {
	if !nw.LowFirst {
		return answer
	}
	digits := strings.TrimRight(answer, " ")
	b := []byte(digits)
	slices.Reverse(b)
	return string(b) + answer[len(digits):]
}
