package lstm

import (
	"encoding/json"
	"fmt"

	"github.com/golstm/golstm/graph"
)

// The LSTM registers itself as layer type "LSTM", so model.Load rebuilds
// saved models that contain it.
func init() {
	graph.RegisterLayer("LSTM", func(name string, config json.RawMessage) (graph.Layer, error) {
		var c Config
		if err := json.Unmarshal(config, &c); err != nil {
			return nil, fmt.Errorf("lstm: layer %q: %w", name, err)
		}
		c.Name = name
		return New(c)
	})
}
