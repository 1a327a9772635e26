package layers

import (
	"encoding/json"
	"testing"

	"github.com/golstm/golstm/graph"
)

// TestKerasConfigDefaults: a layer config in Keras' to_json form that
// gives only some keys (as the golden model files do) rebuilds through the
// registry with Keras' defaults for the others.
func TestKerasConfigDefaults(t *testing.T) {
	l, err := graph.NewLayer("Dense", "dense", json.RawMessage(`{"name": "dense", "units": 2, "activation": "linear"}`))
	if err != nil {
		t.Fatal(err)
	}
	got := l.(*Dense).cfg
	want := DenseDefaults(2)
	want.Name = "dense"
	if a, b := mustJSON(t, got), mustJSON(t, want); a != b {
		t.Errorf("Dense from a partial Keras config: %s, want %s", a, b)
	}
}
