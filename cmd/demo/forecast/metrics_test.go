package forecast

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// TestAssemble checks the metrics of a hand-made test part against
// hand-computed values. x has period 4; the test steps are 4..7 with
// truth [0 1 0 −1].
func TestAssemble(t *testing.T) {
	x := []float64{0, 1, 0, -1, 0, 1, 0, -1}
	one := []float64{0.1, 0.9, 0.1, -1.1} // errors ±0.1
	multi := []float64{0, 1, 0.5, -1.5}   // errors 0 0 0.5 0.5
	m, err := assemble(x, 4, 8, 4, 2, one, multi)
	if err != nil {
		t.Fatal(err)
	}
	// persistence one step: x_{t−1} = [−1 0 1 0], every error 1.
	// persistence from origins 4, 6 over 2 steps: [−1 −1], [1 1];
	// errors 1 2 1 2: RMSE √2.5, MAE 1.5. Seasonal naive is exact.
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"test_rmse", m.TestRMSE, 0.1},
		{"test_mae", m.TestMAE, 0.1},
		{"persistence_rmse", m.PersistenceRMSE, 1},
		{"persistence_mae", m.PersistenceMAE, 1},
		{"multistep_rmse", m.MultistepRMSE, math.Sqrt(0.125)},
		{"multistep_mae", m.MultistepMAE, 0.25},
		{"multistep_persistence_rmse", m.MultistepPersRMSE, math.Sqrt(2.5)},
		{"multistep_persistence_mae", m.MultistepPersMAE, 1.5},
		{"seasonal_naive_rmse", *m.SeasonalNaiveRMSE, 0},
		{"multistep_seasonal_naive_mae", *m.MultistepSNaiveMAE, 0},
	} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if m.TestSteps != 4 || m.Period != 4 || m.Horizon != 2 {
		t.Errorf("test steps, period, horizon = %d, %d, %d; want 4, 4, 2", m.TestSteps, m.Period, m.Horizon)
	}
}

// TestAssembleUnknownPeriod checks that without a period the seasonal
// scores are nil and written as null.
func TestAssembleUnknownPeriod(t *testing.T) {
	x := []float64{0, 1, 0, -1, 0, 1, 0, -1}
	m, err := assemble(x, 4, 8, 0, 1, x[4:], x[4:])
	if err != nil {
		t.Fatal(err)
	}
	if m.SeasonalNaiveRMSE != nil || m.SeasonalNaiveMAE != nil || m.MultistepSNaiveRMSE != nil || m.MultistepSNaiveMAE != nil {
		t.Fatal("seasonal scores set without a period")
	}
	// horizon 1: multi-step persistence is one-step persistence
	if m.MultistepPersRMSE != m.PersistenceRMSE || m.PersistenceRMSE != 1 {
		t.Errorf("persistence RMSE one-step %v, multi-step %v; want 1, 1", m.PersistenceRMSE, m.MultistepPersRMSE)
	}
	var buf bytes.Buffer
	if err := WriteMetrics(&buf, &Result{Metrics: m, Config: DefaultConfig()}); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"seasonal_naive_rmse", "seasonal_naive_mae", "final_val_loss"} {
		if v, ok := got[k]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", k, v, ok)
		}
	}
}
