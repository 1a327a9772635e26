package encdec

import (
	"fmt"
	"io"
	"time"

	"github.com/golstm/golstm/datasets"
	"github.com/golstm/golstm/graph/model"
)

// decodeBatch is the batch size of greedy decoding.
const decodeBatch = 1000

// Sample is one decoded question.
type Sample struct {
	Question, Answer, Decoded string
}

// Result holds what a run measured.
type Result struct {
	Config Config
	// TrainSize and HeldOutSize are the numbers of training and held-out
	// questions.
	TrainSize, HeldOutSize int
	// Epochs is the number of epochs trained, Batches the number of
	// training batches in all.
	Epochs, Batches int
	// History holds the training loss and the teacher-forced per-character
	// accuracy of every epoch.
	History *model.History
	// CharAccuracy and ExactMatch are the held-out figures of greedy
	// decoding: the fraction of right characters over all Digits+1
	// characters of every answer (Keras' per-character accuracy) and the
	// fraction of answers right in every character. TrainCharAccuracy and
	// TrainExactMatch are the same on as many training questions.
	CharAccuracy, ExactMatch           float64
	TrainCharAccuracy, TrainExactMatch float64
	// Baseline is the held-out per-character accuracy of answering every
	// question with the most frequent character of each position (see
	// Baseline).
	Baseline float64
	// Curve holds the held-out per-character accuracy after the epochs in
	// CurveEpochs (every Config.EvalEvery epochs).
	Curve       []float64
	CurveEpochs []int
	// TrainTime is the wall time of training alone (held-out evaluations
	// during training are left out); MsPerBatch is TrainTime per batch.
	TrainTime  time.Duration
	MsPerBatch float64
	// Samples are the first held-out questions with their decoded answers.
	Samples []Sample
	// Network is the trained network.
	Network *Network
}

// Run generates the data of c, trains the network on the training part
// and decodes the held-out part greedily. It writes one line of progress
// per epoch to progress (nil: none).
func Run(c Config, progress io.Writer) (*Result, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	data, err := datasets.GenerateAddition(datasets.AdditionConfig{Examples: c.Examples, Digits: c.Digits, Reverse: c.Reverse, Seed: c.DataSeed})
	if err != nil {
		return nil, fmt.Errorf("encdec: %w", err)
	}
	train, test, err := data.Split(c.HeldOut)
	if err != nil {
		return nil, fmt.Errorf("encdec: %w", err)
	}
	nw, err := NewNetwork(c)
	if err != nil {
		return nil, err
	}
	xs, ys, err := nw.TrainingData(train)
	if err != nil {
		return nil, err
	}
	res := &Result{Config: c, TrainSize: train.Len(), HeldOutSize: test.Len(), Network: nw}
	if res.Baseline, err = Baseline(train, test); err != nil {
		return nil, err
	}
	mon := &monitor{nw: nw, test: test, every: c.EvalEvery, epochs: c.Epochs, out: progress, res: res, start: time.Now()}
	hist, err := nw.Train.FitMulti(xs, ys, model.FitConfig{
		Epochs: c.Epochs, BatchSize: c.BatchSize, Shuffle: true, Seed: c.Seed,
		Callbacks: []model.Callback{mon},
	})
	if err != nil {
		return nil, fmt.Errorf("encdec: %w", err)
	}
	res.History = hist
	res.Epochs = len(hist.Epoch)
	res.Batches = res.Epochs * ((train.Len() + c.BatchSize - 1) / c.BatchSize)
	res.TrainTime = time.Since(mon.start) - mon.evalTime
	res.MsPerBatch = float64(res.TrainTime.Microseconds()) / 1000 / float64(res.Batches)
	got, err := nw.Decode(test.Questions, decodeBatch)
	if err != nil {
		return nil, err
	}
	if res.CharAccuracy, res.ExactMatch, err = datasets.CharAccuracy(got, test.Answers); err != nil {
		return nil, err
	}
	if !mon.evaluatedLast {
		res.Curve, res.CurveEpochs = append(res.Curve, res.CharAccuracy), append(res.CurveEpochs, res.Epochs)
	}
	for i := range min(10, test.Len()) {
		res.Samples = append(res.Samples, Sample{Question: test.Question(i), Answer: test.Answers[i], Decoded: got[i]})
	}
	same := train.Questions[:min(train.Len(), test.Len())]
	gotTrain, err := nw.Decode(same, decodeBatch)
	if err != nil {
		return nil, err
	}
	if res.TrainCharAccuracy, res.TrainExactMatch, err = datasets.CharAccuracy(gotTrain, train.Answers[:len(same)]); err != nil {
		return nil, err
	}
	return res, nil
}

// monitor is the callback of Run: it decodes the held-out questions every
// few epochs and writes the progress.
type monitor struct {
	model.CallbackBase
	nw            *Network
	test          *datasets.Addition
	every, epochs int
	out           io.Writer
	res           *Result
	start         time.Time
	evalTime      time.Duration // spent decoding, left out of the training time
	evaluatedLast bool
}

func (m *monitor) OnTrainBegin(*model.Model, model.FitParams) error {
	m.start = time.Now()
	return nil
}

// OnEpochEnd reports the epoch: loss and teacher-forced accuracy, and every
// m.every epochs the held-out accuracy of greedy decoding.
func (m *monitor) OnEpochEnd(_ *model.Model, epoch int, logs map[string]float64) error {
	m.evaluatedLast = false
	line := fmt.Sprintf("epoch %d/%d  loss %.4f  teacher-forced accuracy %.4f", epoch+1, m.epochs, logs["loss"], logs["accuracy"])
	if m.every > 0 && (epoch+1)%m.every == 0 {
		pc, ex, err := m.evaluate(epoch)
		if err != nil {
			return err
		}
		line += fmt.Sprintf("  held-out greedy: per-character %.4f, exact %.4f", pc, ex)
	}
	if m.out != nil {
		elapsed := time.Since(m.start) - m.evalTime
		fmt.Fprintf(m.out, "%s  (training %s)\n", line, elapsed.Round(time.Second))
	}
	return nil
}

// evaluate decodes the held-out questions and records their accuracy.
func (m *monitor) evaluate(epoch int) (perChar, exact float64, err error) {
	t0 := time.Now()
	defer func() { m.evalTime += time.Since(t0) }()
	got, err := m.nw.Decode(m.test.Questions, decodeBatch)
	if err != nil {
		return 0, 0, err
	}
	pc, ex, err := datasets.CharAccuracy(got, m.test.Answers)
	if err != nil {
		return 0, 0, err
	}
	m.res.Curve = append(m.res.Curve, pc)
	m.res.CurveEpochs = append(m.res.CurveEpochs, epoch+1)
	m.evaluatedLast = true
	return pc, ex, nil
}

// Baseline returns the per-character accuracy on test of the answer that
// puts at each position the character most frequent there in train's
// answers (the first in the character table on ties): what a model that
// ignores the question reaches, the chance level the trained network is
// compared with.
func Baseline(train, test *datasets.Addition) (float64, error) {
	if len(train.Answers) == 0 || train.AnswerLen() != test.AnswerLen() {
		return 0, fmt.Errorf("encdec: baseline of %d training answers of %d characters for answers of %d", len(train.Answers), train.AnswerLen(), test.AnswerLen())
	}
	counts := make([]map[byte]int, train.AnswerLen())
	for i := range counts {
		counts[i] = map[byte]int{}
	}
	for _, a := range train.Answers {
		for i := range counts {
			counts[i][a[i]]++
		}
	}
	guess := make([]byte, len(counts))
	for i, c := range counts {
		best := -1
		for _, ch := range []byte(datasets.AdditionChars) {
			if n := c[ch]; n > best || (n == best && ch < guess[i]) {
				guess[i], best = ch, n
			}
		}
	}
	got := make([]string, len(test.Answers))
	for i := range got {
		got[i] = string(guess)
	}
	pc, _, err := datasets.CharAccuracy(got, test.Answers)
	return pc, err
}
