package lstm

import (
	"encoding/json"
	"fmt"

	"github.com/golstm/golstm/graph"
)

// configJSON is the saved form of Config, with the Keras argument names.
type configJSON struct {
	Name                 string      `json:"name"`
	Units                int         `json:"units"`
	Activation           string      `json:"activation"`
	RecurrentActivation  string      `json:"recurrent_activation"`
	UseBias              bool        `json:"use_bias"`
	KernelInitializer    *graph.Spec `json:"kernel_initializer,omitempty"`
	RecurrentInitializer *graph.Spec `json:"recurrent_initializer,omitempty"`
	BiasInitializer      *graph.Spec `json:"bias_initializer,omitempty"`
	UnitForgetBias       bool        `json:"unit_forget_bias"`
	KernelRegularizer    *graph.Spec `json:"kernel_regularizer,omitempty"`
	RecurrentRegularizer *graph.Spec `json:"recurrent_regularizer,omitempty"`
	BiasRegularizer      *graph.Spec `json:"bias_regularizer,omitempty"`
	ActivityRegularizer  *graph.Spec `json:"activity_regularizer,omitempty"`
	KernelConstraint     *graph.Spec `json:"kernel_constraint,omitempty"`
	RecurrentConstraint  *graph.Spec `json:"recurrent_constraint,omitempty"`
	BiasConstraint       *graph.Spec `json:"bias_constraint,omitempty"`
	Dropout              float64     `json:"dropout"`
	RecurrentDropout     float64     `json:"recurrent_dropout"`
	Implementation       int         `json:"implementation"`
	ReturnSequences      bool        `json:"return_sequences"`
	ReturnState          bool        `json:"return_state"`
	GoBackwards          bool        `json:"go_backwards"`
	Stateful             bool        `json:"stateful"`
	BatchSize            int         `json:"batch_size,omitempty"`
	Unroll               bool        `json:"unroll"`
	Seed                 uint64      `json:"seed"`
}

type specer interface{ Spec() graph.Spec }

func specOf(s specer) *graph.Spec {
	sp := s.Spec()
	return &sp
}

// MarshalJSON writes the configuration with Keras argument names;
// initializers, regularizers and constraints are written as their Spec.
func (c Config) MarshalJSON() ([]byte, error) {
	j := configJSON{
		Name: c.Name, Units: c.Units, Activation: c.Activation, RecurrentActivation: c.RecurrentActivation,
		UseBias: c.UseBias, UnitForgetBias: c.UnitForgetBias,
		Dropout: c.Dropout, RecurrentDropout: c.RecurrentDropout, Implementation: c.Implementation,
		ReturnSequences: c.ReturnSequences, ReturnState: c.ReturnState, GoBackwards: c.GoBackwards,
		Stateful: c.Stateful, BatchSize: c.BatchSize, Unroll: c.Unroll, Seed: c.Seed,
	}
	if c.KernelInitializer != nil {
		j.KernelInitializer = specOf(c.KernelInitializer)
	}
	if c.RecurrentInitializer != nil {
		j.RecurrentInitializer = specOf(c.RecurrentInitializer)
	}
	if c.BiasInitializer != nil {
		j.BiasInitializer = specOf(c.BiasInitializer)
	}
	if c.KernelRegularizer != nil {
		j.KernelRegularizer = specOf(c.KernelRegularizer)
	}
	if c.RecurrentRegularizer != nil {
		j.RecurrentRegularizer = specOf(c.RecurrentRegularizer)
	}
	if c.BiasRegularizer != nil {
		j.BiasRegularizer = specOf(c.BiasRegularizer)
	}
	if c.ActivityRegularizer != nil {
		j.ActivityRegularizer = specOf(c.ActivityRegularizer)
	}
	if c.KernelConstraint != nil {
		j.KernelConstraint = specOf(c.KernelConstraint)
	}
	if c.RecurrentConstraint != nil {
		j.RecurrentConstraint = specOf(c.RecurrentConstraint)
	}
	if c.BiasConstraint != nil {
		j.BiasConstraint = specOf(c.BiasConstraint)
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes. Fields left out take the
// Keras defaults of Default.
func (c *Config) UnmarshalJSON(b []byte) error {
	d := Default(0)
	j := configJSON{Name: d.Name, Activation: d.Activation, RecurrentActivation: d.RecurrentActivation,
		UseBias: d.UseBias, UnitForgetBias: d.UnitForgetBias, Implementation: d.Implementation}
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("lstm: config: %w", err)
	}
	out := Config{
		Name: j.Name, Units: j.Units, Activation: j.Activation, RecurrentActivation: j.RecurrentActivation,
		UseBias: j.UseBias, UnitForgetBias: j.UnitForgetBias,
		Dropout: j.Dropout, RecurrentDropout: j.RecurrentDropout, Implementation: j.Implementation,
		ReturnSequences: j.ReturnSequences, ReturnState: j.ReturnState, GoBackwards: j.GoBackwards,
		Stateful: j.Stateful, BatchSize: j.BatchSize, Unroll: j.Unroll, Seed: j.Seed,
	}
	var err error
	for _, f := range []struct {
		name string
		spec *graph.Spec
		dst  *graph.Initializer
	}{
		{"kernel_initializer", j.KernelInitializer, &out.KernelInitializer},
		{"recurrent_initializer", j.RecurrentInitializer, &out.RecurrentInitializer},
		{"bias_initializer", j.BiasInitializer, &out.BiasInitializer},
	} {
		if f.spec != nil {
			if *f.dst, err = graph.NewInitializer(*f.spec); err != nil {
				return fmt.Errorf("lstm: %s: %w", f.name, err)
			}
		}
	}
	for _, f := range []struct {
		name string
		spec *graph.Spec
		dst  *graph.Regularizer
	}{
		{"kernel_regularizer", j.KernelRegularizer, &out.KernelRegularizer},
		{"recurrent_regularizer", j.RecurrentRegularizer, &out.RecurrentRegularizer},
		{"bias_regularizer", j.BiasRegularizer, &out.BiasRegularizer},
		{"activity_regularizer", j.ActivityRegularizer, &out.ActivityRegularizer},
	} {
		if f.spec != nil {
			if *f.dst, err = graph.NewRegularizer(*f.spec); err != nil {
				return fmt.Errorf("lstm: %s: %w", f.name, err)
			}
		}
	}
	for _, f := range []struct {
		name string
		spec *graph.Spec
		dst  *graph.Constraint
	}{
		{"kernel_constraint", j.KernelConstraint, &out.KernelConstraint},
		{"recurrent_constraint", j.RecurrentConstraint, &out.RecurrentConstraint},
		{"bias_constraint", j.BiasConstraint, &out.BiasConstraint},
	} {
		if f.spec != nil {
			if *f.dst, err = graph.NewConstraint(*f.spec); err != nil {
				return fmt.Errorf("lstm: %s: %w", f.name, err)
			}
		}
	}
	*c = out
	return nil
}
