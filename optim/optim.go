package optim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/golstm/golstm/graph"
)

// Epsilon is Keras' K.epsilon(), the default fuzz factor of every optimizer.
const Epsilon = 1e-7

// Optimizer is a Keras 2.2 optimizer: it updates weights from their
// gradients, and its configuration and state can be saved and restored
// (a model file keeps both, so a loaded model resumes training exactly).
// It is the one optimizer interface of the library: a model's Compile takes
// an Optimizer, and an optimizer of the user's own implements it too.
type Optimizer interface {
	// Step applies one update to every param from its Grad and then applies
	// the param's Constraint. Optimizer state (moments, iteration count) is
	// keyed by Param.Name, so the order of params does not matter.
	Step(params []*graph.Param) error
	// Name is the lower-case Keras name, for example "adam".
	Name() string
	// Validate returns an error naming the first argument out of range.
	Validate() error
	// State returns a deep copy of the optimizer's state.
	State() State
	// SetState replaces the state by a deep copy of s. The zero State
	// resets the optimizer to before its first Step.
	SetState(s State) error
	// LearningRate returns the learning rate lr (Keras' optimizer.lr:
	// before any decay), which callbacks such as ReduceLROnPlateau read.
	LearningRate() float64
	// SetLearningRate sets lr for the following steps (Keras'
	// K.set_value(optimizer.lr, lr)); it is an error unless lr is a finite
	// number >= 0, and then lr is unchanged.
	SetLearningRate(lr float64) error
}

// Clip holds the gradient clipping arguments that every Keras optimizer
// takes. Zero turns an option off.
type Clip struct {
	// ClipNorm c > 0 rescales all gradients by c/n when their global L2
	// norm n (over all params of a Step) is >= c.
	ClipNorm float64 `json:"clipnorm,omitempty"`
	// ClipValue v > 0 clips every gradient element to [-v, v], after
	// ClipNorm.
	ClipValue float64 `json:"clipvalue,omitempty"`
}

func (c Clip) validate(opt string) error {
	if err := nonNeg(opt, "clipnorm", c.ClipNorm); err != nil {
		return err
	}
	return nonNeg(opt, "clipvalue", c.ClipValue)
}

// registry lists the optimizers New accepts, with the Keras class name of
// each and its constructor.
var registry = []struct {
	name, class string
	make        func() Optimizer
}{
	{"sgd", "SGD", func() Optimizer { return NewSGD() }},
	{"rmsprop", "RMSprop", func() Optimizer { return NewRMSprop() }},
	{"adagrad", "Adagrad", func() Optimizer { return NewAdagrad() }},
	{"adadelta", "Adadelta", func() Optimizer { return NewAdadelta() }},
	{"adam", "Adam", func() Optimizer { return NewAdam() }},
	{"adamax", "Adamax", func() Optimizer { return NewAdamax() }},
	{"nadam", "Nadam", func() Optimizer { return NewNadam() }},
}

// New returns the optimizer registered as name (sgd, rmsprop, adagrad,
// adadelta, adam, adamax, nadam; case-insensitive, so Keras class names
// work too) with the Keras defaults and learning rate lr; lr <= 0 keeps
// the Keras default learning rate.
func New(name string, lr float64) (Optimizer, error) {
	if lr != lr {
		return nil, fmt.Errorf("optim: lr is NaN: want a number >= 0")
	}
	acc := make([]string, len(registry))
	for i, r := range registry {
		if r.name != strings.ToLower(name) {
			acc[i] = r.name
			continue
		}
		o := r.make()
		if lr > 0 {
			if err := o.SetLearningRate(lr); err != nil {
				return nil, err
			}
		}
		if err := o.Validate(); err != nil {
			return nil, err
		}
		return o, nil
	}
	return nil, fmt.Errorf("optim: unknown optimizer %q: want one of %s", name, strings.Join(acc, ", "))
}

// envelope is Keras' serialize_keras_object form.
type envelope struct {
	ClassName string          `json:"class_name"`
	Config    json.RawMessage `json:"config"`
}

// Marshal returns o's configuration as Keras serializes an optimizer:
// {"class_name": "Adam", "config": {"lr": 0.001, ...}}. The state is not
// included (see Optimizer.State).
func Marshal(o Optimizer) ([]byte, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	class := ""
	for _, r := range registry {
		if r.name == o.Name() {
			class = r.class
		}
	}
	if class == "" {
		return nil, fmt.Errorf("optim: cannot marshal optimizer %q: not one of this package", o.Name())
	}
	cfg, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	return json.Marshal(envelope{ClassName: class, Config: cfg})
}

// Unmarshal rebuilds an optimizer from Marshal's output (or Keras'
// serialized form with the same keys). Keys left out take the Keras
// defaults; an unknown class name or key is an error.
func Unmarshal(data []byte) (Optimizer, error) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("optim: bad optimizer JSON: %w", err)
	}
	o, err := New(env.ClassName, 0)
	if err != nil {
		return nil, err
	}
	if len(env.Config) > 0 && string(env.Config) != "null" {
		dec := json.NewDecoder(bytes.NewReader(env.Config))
		dec.DisallowUnknownFields()
		if err := dec.Decode(o); err != nil {
			return nil, fmt.Errorf("optim: bad %s config: %w", o.Name(), err)
		}
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return o, nil
}
