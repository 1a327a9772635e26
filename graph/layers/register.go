package layers

import (
	"encoding/json"
	"fmt"

	"github.com/golstm/golstm/graph"
)

// register registers a layer class with graph.RegisterLayer through the
// factory every layer of this package needs: the layer's Config JSON
// decoded over defaults (keys left out keep Keras' defaults), then built by
// build with the layer's name.
func register[C any](class string, defaults C, build func(cfg C, name string) (graph.Layer, error)) {
	graph.RegisterLayer(class, func(name string, config json.RawMessage) (graph.Layer, error) {
		cfg := defaults
		if err := json.Unmarshal(config, &cfg); err != nil {
			return nil, fmt.Errorf("layers: %s config: %w", class, err)
		}
		return build(cfg, name)
	})
}
