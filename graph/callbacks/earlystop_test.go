package callbacks

import "testing"

// TestEarlyStoppingRule feeds monitored values directly: improvement must
// beat the best by more than MinDelta, in the mode's direction.
func TestEarlyStoppingRule(t *testing.T) {
	cases := []struct {
		es   EarlyStopping
		vals []float64
		stop int // epoch after which it stops, -1 for none
		best int
	}{
		{EarlyStopping{Monitor: "loss", Patience: 1}, []float64{3, 2, 2.5, 1}, 2, 1},
		{EarlyStopping{Monitor: "loss", Patience: 2, MinDelta: 0.5}, []float64{3, 2.6, 2.8, 1}, 2, 0},
		{EarlyStopping{Monitor: "loss", Patience: 2, MinDelta: 0.5}, []float64{3, 2.4, 2.2, 1.8}, -1, 3},
		{EarlyStopping{Monitor: "acc", Patience: 1}, []float64{0.5, 0.7, 0.6}, 2, 1},
		{EarlyStopping{Monitor: "loss", Mode: "max", Patience: 0}, []float64{1, 0.5}, 1, 0},
	}
	for i, c := range cases {
		es := c.es
		if err := es.OnTrainBegin(nil); err != nil {
			t.Fatal(err)
		}
		stopped := -1
		for e, v := range c.vals {
			stop, err := es.OnEpochEnd(nil, e, map[string]float64{es.Monitor: v})
			if err != nil {
				t.Fatal(err)
			}
			if stop {
				stopped = e
				break
			}
		}
		if be, _ := es.BestEpoch(); stopped != c.stop || es.StoppedEpoch() != c.stop || be != c.best {
			t.Errorf("case %d: stopped after %d (StoppedEpoch %d), best %d; want %d, best %d", i, stopped, es.StoppedEpoch(), be, c.stop, c.best)
		}
	}
	if err := (&EarlyStopping{Mode: "up"}).OnTrainBegin(nil); err == nil {
		t.Error("mode up: no error")
	}
}
