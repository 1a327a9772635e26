package layers

import (
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// SpatialDropout1D is Keras' SpatialDropout1D(rate): dropout of whole
// feature channels of a sequence. It is a Dropout whose noise shape is
// (batch, 1, features): in training one keep draw per sample and feature is
// shared by every timestep. Its input is (batch, timesteps, features).
type SpatialDropout1D struct {
	Dropout
}

var spatialDropoutCount atomic.Int64

// NewSpatialDropout1D returns a SpatialDropout1D layer of cfg's name, rate
// and seed; cfg.NoiseShape must be nil (the layer fixes it), and a rate
// outside [0, 1) is an error. An empty name gives "spatial_dropout1d_<n>".
func NewSpatialDropout1D(cfg DropoutConfig) (*SpatialDropout1D, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("spatial_dropout1d_%d", spatialDropoutCount.Add(1))
	}
	if cfg.NoiseShape != nil {
		return nil, fmt.Errorf("layers: SpatialDropout1D %s: noise_shape %v: the layer's noise shape is (batch, 1, features); leave it unset", cfg.Name, cfg.NoiseShape)
	}
	cfg.NoiseShape = []int{graph.None, 1, graph.None}
	d := &SpatialDropout1D{}
	if err := d.init("SpatialDropout1D", cfg); err != nil {
		return nil, err
	}
	return d, nil
}

func init() {
	register("SpatialDropout1D", DropoutConfig{}, func(cfg DropoutConfig, name string) (graph.Layer, error) {
		cfg.Name, cfg.NoiseShape = name, nil
		return NewSpatialDropout1D(cfg)
	})
}

// Config returns the name, rate and seed as JSON (the noise shape is the
// layer's own).
func (d *SpatialDropout1D) Config() (json.RawMessage, error) {
	cfg := d.cfg
	cfg.NoiseShape = nil
	return json.Marshal(cfg)
}

// Build checks that the one input is a sequence, (timesteps, features).
func (d *SpatialDropout1D) Build(in [][]int, dt tensor.Dtype) error {
	if len(in) == 1 && len(in[0]) != 2 {
		return fmt.Errorf("layers: SpatialDropout1D %s: input shape %s: want (batch, timesteps, features)", d.cfg.Name, graph.FormatShape(in[0]))
	}
	return d.Dropout.Build(in, dt)
}
