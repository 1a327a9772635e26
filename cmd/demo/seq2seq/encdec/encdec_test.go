package encdec

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/datasets"
	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/model"
)

// smallConfig is a run of a few seconds: two-digit operands, LSTM(48),
// answers least significant digit first (the default).
func smallConfig() Config {
	c := DefaultConfig()
	c.Examples, c.Digits, c.Units, c.Epochs, c.BatchSize, c.LR, c.EvalEvery = 2000, 2, 48, 10, 32, 0.01, 0
	return c
}

// TestLearnsAddition: the small run learns: its held-out per-character
// accuracy of greedy decoding is well above the most-frequent-character
// baseline (0.39 here; the run reaches 0.595, and 0.59 to 0.655 over three
// seeds), and answers are exactly right (0.18; 0.18 to 0.24 over three
// seeds; the baseline gets none right).
func TestLearnsAddition(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	r, err := Run(smallConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.TrainSize != 1800 || r.HeldOutSize != 200 || r.Epochs != 10 || r.Batches != 10*57 {
		t.Errorf("sizes: %d train, %d held out, %d epochs, %d batches", r.TrainSize, r.HeldOutSize, r.Epochs, r.Batches)
	}
	if !(r.Baseline > 0.3 && r.Baseline < 0.45) {
		t.Errorf("baseline %v: want about 0.39", r.Baseline)
	}
	if r.CharAccuracy < r.Baseline+0.12 || r.ExactMatch < 0.08 {
		t.Errorf("held-out per-character accuracy %.3f (baseline %.3f), exact match %.3f: the network did not learn", r.CharAccuracy, r.Baseline, r.ExactMatch)
	}
	if l := r.History.History["loss"]; !(l[len(l)-1] < 0.8*l[0]) {
		t.Errorf("loss %v did not fall", l)
	}
	if len(r.Curve) != 1 || r.CurveEpochs[0] != 10 || r.Curve[0] != r.CharAccuracy {
		t.Errorf("curve %v at %v", r.Curve, r.CurveEpochs)
	}
	if len(r.Samples) != 10 || r.Samples[0].Answer != "" && len(r.Samples[0].Decoded) != 3 {
		t.Errorf("samples %+v", r.Samples)
	}
}

// TestInferenceModelsShareTheLayers: the one-step decoder model fed the
// true previous characters, starting from the encoder model's h and c,
// gives the teacher-forced training model's probabilities at every step:
// both are made of the same layers. Trained for one epoch first, so that
// the weights are not the initial ones.
func TestInferenceModelsShareTheLayers(t *testing.T) {
	c := smallConfig()
	c.Examples, c.Epochs, c.Dtype = 300, 1, "float64"
	r, err := Run(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	nw := r.Network
	data, _ := datasets.GenerateAddition(datasets.AdditionConfig{Examples: 5, Digits: 2, Reverse: true, Seed: 9})
	xs, _, err := nw.TrainingData(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := nw.Train.PredictMulti(xs, 5)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := nw.Encoder.PredictMulti(xs[:1], 5)
	if err != nil {
		t.Fatal(err)
	}
	h, cs := hc[0], hc[1]
	k, steps := nw.Answers.Len(), data.AnswerLen()
	in := graph.Float64s(xs[1])
	w := graph.Float64s(want[0])
	for s := range steps {
		step := make([]float64, 5*k)
		for n := range 5 {
			copy(step[n*k:(n+1)*k], in[(n*steps+s)*k:(n*steps+s+1)*k])
		}
		out, err := nw.Decoder.PredictMulti([]*graph.Tensor{graph.NewTensor(graph.Float64, []int{5, 1, k}, step), h, cs}, 5)
		if err != nil {
			t.Fatal(err)
		}
		p := graph.Float64s(out[0])
		for n := range 5 {
			for j := range k {
				if got, exp := p[n*k+j], w[(n*steps+s)*k+j]; math.Abs(got-exp) > 1e-12 {
					t.Fatalf("step %d, sample %d, class %d: decoder model %v, training model %v", s, n, j, got, exp)
				}
			}
		}
		h, cs = out[1], out[2]
	}
}

// TestSaveLoadDecodes: the training model saved and loaded back gives, with
// FromTrained, a network that decodes as the original.
func TestSaveLoadDecodes(t *testing.T) {
	c := smallConfig()
	c.Examples, c.Epochs = 300, 1
	r, err := Run(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "s2s.golstm")
	if err := r.Network.Train.Save(path); err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	nw, err := FromTrained(m, c)
	if err != nil {
		t.Fatal(err)
	}
	qs := []string{"  1+54", "99+99", " 0+0  "}
	for i, q := range qs {
		qs[i] = (q + "     ")[:5]
	}
	a, err := r.Network.Decode(qs, 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := nw.Decode(qs, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) || len(a[0]) != 3 {
		t.Errorf("decoded %q before saving, %q after loading", a, b)
	}
	if _, err := FromTrained(m, Config{}); err == nil {
		t.Error("FromTrained with 0 digits: no error")
	}
	other, _ := model.NewSequential(graph.Float32)
	if _, err := FromTrained(other, c); err == nil || !strings.Contains(err.Error(), "not a model of NewNetwork") {
		t.Errorf("FromTrained of another model: %v", err)
	}
	if _, err := nw.Decode([]string{"1+2"}, 2); err == nil || !strings.Contains(err.Error(), "3 characters, want 5") {
		t.Errorf("Decode of an unpadded question: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		change func(*Config)
		want   string
	}{
		{func(c *Config) { c.Examples = 1 }, "examples 1"},
		{func(c *Config) { c.Digits = 0 }, "digits 0: want 1 to 9"},
		{func(c *Config) { c.HeldOut = 1 }, "held-out fraction 1"},
		{func(c *Config) { c.Examples, c.HeldOut = 5, 0.1 }, "leaves a part empty"},
		{func(c *Config) { c.Units = 0 }, "units 0"},
		{func(c *Config) { c.Implementation = 3 }, "implementation 3: want 1 or 2"},
		{func(c *Config) { c.Dtype = "float16" }, `dtype "float16"`},
		{func(c *Config) { c.Epochs = 0 }, "epochs 0"},
		{func(c *Config) { c.BatchSize = 0 }, "batch size 0"},
		{func(c *Config) { c.EvalEvery = -1 }, "eval every -1"},
		{func(c *Config) { c.Optimizer = "adamw" }, "adamw"},
	}
	for _, tc := range cases {
		c := DefaultConfig()
		tc.change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
		if _, err := Run(c, nil); err == nil {
			t.Errorf("Run with a bad config (%s): no error", tc.want)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
}

// TestBaseline: the most frequent character of each position, checked on
// a hand-made set.
func TestBaseline(t *testing.T) {
	train := &datasets.Addition{Digits: 1, Answers: []string{"5 ", "7 ", "5 ", "10"}}
	test := &datasets.Addition{Digits: 1, Answers: []string{"5 ", "6 ", "11"}}
	b, err := Baseline(train, test) // guesses "5 ": 2 + 1 + 0 of 6
	if err != nil || math.Abs(b-0.5) > 1e-15 {
		t.Errorf("baseline %v, %v: want 0.5", b, err)
	}
	if _, err := Baseline(&datasets.Addition{Digits: 1}, test); err == nil {
		t.Error("empty training set: no error")
	}
}

// TestLowFirst: with LowFirst the decoder learns the answer's digits least
// significant first ("596 " as "695 ", the padding last) and Decode turns
// its output back: on the same weights, its answers are the plain
// network's with the digits reversed.
func TestLowFirst(t *testing.T) {
	c := smallConfig()
	c.Units, c.LowFirst = 8, false
	plain, err := NewNetwork(c)
	if err != nil {
		t.Fatal(err)
	}
	c.LowFirst = true
	low, err := NewNetwork(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range [][2]string{{"596 ", "695 "}, {"1000", "0001"}, {"7   ", "7   "}, {"42  ", "24  "}} {
		if got := low.order(tc[0]); got != tc[1] {
			t.Errorf("order(%q) = %q, want %q", tc[0], got, tc[1])
		}
		if got := plain.order(tc[0]); got != tc[0] {
			t.Errorf("order without LowFirst changed %q to %q", tc[0], got)
		}
	}
	data := &datasets.Addition{Digits: 2, Questions: []string{"  1+54", "99+99"}, Answers: []string{"55 ", "198"}}
	data.Questions[0] = data.Questions[0][1:]
	_, ys, err := low.TrainingData(data)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := low.Answers.Decode(graph.Float64s(ys[0]))
	if target != "55 891" {
		t.Errorf("LowFirst targets %q, want %q", target, "55 891")
	}
	qs := []string{"  1+5", "99+99", "12+34"}
	a, err := plain.Decode(qs, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := low.Decode(qs, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		// Same weights, same raw output: b is order(raw) and raw is a.
		if b[i] != low.order(a[i]) {
			t.Errorf("question %q: LowFirst decodes %q, plain %q", qs[i], b[i], a[i])
		}
	}
}
