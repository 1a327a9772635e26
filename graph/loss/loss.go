package loss

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Epsilon is Keras' K.epsilon(), 1e-7: crossentropies clip predictions to
// [Epsilon, 1-Epsilon] and mape clips |y_true| below at Epsilon.
const Epsilon = 1e-7

// Loss is a training objective as a Gorgonia graph term. As a Keras loss
// function, it gives the loss of each sample, or of each step of a
// sequence output (its score array: the per-element term reduced over the
// last axis); an Evaluator reduces the scores to the batch loss, the mean,
// or with a mask Keras 2.2.4's masked mean (see Evaluator.Eval).
type Loss interface {
	// Name is the Keras name of the loss, for example "mse".
	Name() string
	// Target checks the targets y of a batch against the prediction shape
	// predShape (batch first) and returns the tensor fed to Scores' yTrue:
	// y itself, or one-hot rows for sparse_categorical_crossentropy.
	Target(y *tensor.Dense, predShape []int) (*tensor.Dense, error)
	// Scores returns the loss of each sample (each step): a node of
	// yPred's shape without its last axis. yTrue and yPred have the same
	// shape, of at least two dimensions.
	Scores(yTrue, yPred *G.Node) (*G.Node, error)
}

type builtinLoss struct {
	name   string
	sparse bool
	// rows maps (rows, last axis) targets and predictions to the loss of
	// each row.
	rows func(yTrue, yPred *G.Node) (*G.Node, error)
}

// Name returns the Keras name of the loss.
func (l *builtinLoss) Name() string { return l.name }

// Scores returns the loss of each sample (each step), of yPred's shape
// without its last axis, or an error when yTrue and yPred differ in shape.
func (l *builtinLoss) Scores(yTrue, yPred *G.Node) (*G.Node, error) {
	if !yTrue.Shape().Eq(yPred.Shape()) {
		return nil, fmt.Errorf("loss: loss %s: y_true shape %v differs from y_pred shape %v", l.name, yTrue.Shape(), yPred.Shape())
	}
	s := yPred.Shape()
	if len(s) < 2 {
		return nil, fmt.Errorf("loss: loss %s: predictions of shape %v: want at least 2 dimensions (batch, values)", l.name, s)
	}
	t2, err := rows2D(yTrue)
	if err != nil {
		return nil, fmt.Errorf("loss: loss %s: %w", l.name, err)
	}
	p2, err := rows2D(yPred)
	if err != nil {
		return nil, fmt.Errorf("loss: loss %s: %w", l.name, err)
	}
	r, err := l.rows(t2, p2)
	if err != nil {
		return nil, fmt.Errorf("loss: loss %s: %w", l.name, err)
	}
	if len(s) == 2 {
		return r, nil
	}
	return G.Reshape(r, append(tensor.Shape(nil), s[:len(s)-1]...))
}

// Target returns y (one-hot rows of it for a sparse loss), or an error when
// its shape does not fit predShape.
func (l *builtinLoss) Target(y *tensor.Dense, predShape []int) (*tensor.Dense, error) {
	if l.sparse {
		return oneHot(y, predShape)
	}
	if !slices.Equal(y.Shape(), predShape) {
		return nil, fmt.Errorf("loss: loss %s: targets of shape %v for predictions of shape %v: want equal shapes", l.name, []int(y.Shape()), predShape)
	}
	return y, nil
}

// losses maps every accepted name (Keras names and aliases) to a constructor.
var losses = map[string]func() Loss{
	"mse":                            func() Loss { return &builtinLoss{name: "mse", rows: mseRows} },
	"mean_squared_error":             func() Loss { return &builtinLoss{name: "mean_squared_error", rows: mseRows} },
	"mae":                            func() Loss { return &builtinLoss{name: "mae", rows: maeRows} },
	"mean_absolute_error":            func() Loss { return &builtinLoss{name: "mean_absolute_error", rows: maeRows} },
	"mape":                           func() Loss { return &builtinLoss{name: "mape", rows: mapeRows} },
	"mean_absolute_percentage_error": func() Loss { return &builtinLoss{name: "mean_absolute_percentage_error", rows: mapeRows} },
	"huber":                          func() Loss { return &builtinLoss{name: "huber", rows: huberRows} },
	"huber_loss":                     func() Loss { return &builtinLoss{name: "huber_loss", rows: huberRows} },
	"binary_crossentropy":            func() Loss { return &builtinLoss{name: "binary_crossentropy", rows: bceRows} },
	"categorical_crossentropy":       func() Loss { return &builtinLoss{name: "categorical_crossentropy", rows: cceRows} },
	"sparse_categorical_crossentropy": func() Loss {
		return &builtinLoss{name: "sparse_categorical_crossentropy", rows: sparseCCERows, sparse: true}
	},
}

// Names returns the accepted loss names, sorted.
func Names() []string {
	names := make([]string, 0, len(losses))
	for n := range losses {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns the loss with the Keras name (or alias) name:
//
//	mse, mean_squared_error              mean((p-t)²)
//	mae, mean_absolute_error             mean(|p-t|)
//	mape, mean_absolute_percentage_error 100·mean(|t-p| / max(|t|, ε))
//	huber, huber_loss                    mean(½q² + δ·(|p-t|-q)), q = min(|p-t|, δ), δ = 1
//	binary_crossentropy                  mean(-t·log p - (1-t)·log(1-p)), p clipped to [ε, 1-ε]
//	categorical_crossentropy             mean over samples of -Σ_c t·log p, p = clip(p/Σ_c p, ε, 1-ε)
//	sparse_categorical_crossentropy      mean over samples of -log(q_y / Σ_c q), q = clip(p, ε, 1-ε),
//	                                     integer class labels y
//
// with ε = Epsilon; "mean" is over the last axis (Scores), then over samples
// and timesteps (Evaluator).
// Predictions of the crossentropies are probabilities (Keras'
// from_logits=False). Keras 2.2 has no huber loss: it follows tf.keras'
// Huber (delta 1).
func Get(name string) (Loss, error) {
	f, ok := losses[name]
	if !ok {
		return nil, fmt.Errorf("loss: unknown loss %q: accepted are %s", name, strings.Join(Names(), ", "))
	}
	return f(), nil
}
