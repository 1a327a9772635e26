package lstm

import (
	"encoding/json"
	"fmt"

	"github.com/golstm/golstm/graph"
)

// The LSTM registers itself as layer type "LSTM" and the wrapper as
// "Bidirectional" (from Keras' get_config JSON, {"layer": {"class_name":
// "LSTM", "config": {...}}, "merge_mode": ...}), so model.Load rebuilds
// saved models that contain them.
func init() {
	graph.RegisterLayer("LSTM", func(name string, config json.RawMessage) (graph.Layer, error) {
		var c Config
		if err := json.Unmarshal(config, &c); err != nil {
			return nil, fmt.Errorf("lstm: layer %q: %w", name, err)
		}
		c.Name = name
		return New(c)
	})
	graph.RegisterLayer("Bidirectional", func(name string, config json.RawMessage) (graph.Layer, error) {
		var c BidirectionalConfig
		if err := json.Unmarshal(config, &c); err != nil {
			return nil, fmt.Errorf("lstm: bidirectional %q: %w", name, err)
		}
		c.Name = name
		return NewBidirectional(c)
	})
}
