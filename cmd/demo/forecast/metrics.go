package forecast

import (
	"fmt"

	"github.com/golstm/golstm/datasets"
)

// Metrics are the test-part scores of a run, in original units, beside
// the persistence and seasonal naive baselines (nil when the period is
// unknown), and the training summary.
type Metrics struct {
	TestRMSE            float64  `json:"test_rmse"`
	TestMAE             float64  `json:"test_mae"`
	PersistenceRMSE     float64  `json:"persistence_rmse"`
	PersistenceMAE      float64  `json:"persistence_mae"`
	SeasonalNaiveRMSE   *float64 `json:"seasonal_naive_rmse"`
	SeasonalNaiveMAE    *float64 `json:"seasonal_naive_mae"`
	MultistepRMSE       float64  `json:"multistep_rmse"`
	MultistepMAE        float64  `json:"multistep_mae"`
	MultistepPersRMSE   float64  `json:"multistep_persistence_rmse"`
	MultistepPersMAE    float64  `json:"multistep_persistence_mae"`
	MultistepSNaiveRMSE *float64 `json:"multistep_seasonal_naive_rmse"`
	MultistepSNaiveMAE  *float64 `json:"multistep_seasonal_naive_mae"`
	// Period is the seasonal period used (0: unknown); Horizon the
	// multi-step segment length; TestSteps the number of test steps.
	Period    int `json:"period"`
	Horizon   int `json:"horizon"`
	TestSteps int `json:"test_steps"`
	// Epochs is the number of epochs trained; BestEpoch (from 1) the epoch
	// whose weights were kept (the last, unless early stopping restored an
	// earlier one). FinalTrainLoss and FinalValLoss are that epoch's
	// training and validation MSE in scaled units (FinalValLoss nil
	// without validation); TrainSeconds is the time spent in Fit.
	Epochs         int      `json:"epochs"`
	BestEpoch      int      `json:"best_epoch"`
	TrainSeconds   float64  `json:"train_seconds"`
	FinalTrainLoss float64  `json:"final_train_loss"`
	FinalValLoss   *float64 `json:"final_val_loss"`
	// Training says how training ended: "completed" (every epoch),
	// "stopped" (early stopping) or "cancelled" (Ctrl-C); StopReason says
	// why in words ("" when completed).
	Training   string `json:"training"`
	StopReason string `json:"stop_reason"`
}

// baselines returns the persistence and seasonal naive forecasts of x
// over the segments starting at origins (each min(horizon, end−o) steps
// long), concatenated; seasonal is nil when period is 0.
func baselines(x []float64, origins []int, horizon, end, period int) (pers, seasonal []float64, err error) {
	for _, o := range origins {
		n := min(horizon, end-o)
		p, err := datasets.Persistence(x[:o], n)
		if err != nil {
			return nil, nil, fmt.Errorf("forecast: persistence at %d: %w", o, err)
		}
		pers = append(pers, p...)
		if period > 0 {
			s, err := datasets.SeasonalNaive(x[:o], period, n)
			if err != nil {
				return nil, nil, fmt.Errorf("forecast: seasonal naive at %d: %w", o, err)
			}
			seasonal = append(seasonal, s...)
		}
	}
	return pers, seasonal, nil
}

// scores returns RMSE and MAE of pred against truth.
func scores(truth, pred []float64) (rmse, mae float64, err error) {
	if rmse, err = datasets.RMSE(truth, pred); err != nil {
		return 0, 0, err
	}
	mae, err = datasets.MAE(truth, pred)
	return rmse, mae, err
}

// optScores is scores for a forecast that may be absent (nil, nil).
func optScores(truth, pred []float64) (rmse, mae *float64, err error) {
	if pred == nil {
		return nil, nil, nil
	}
	r, m, err := scores(truth, pred)
	return &r, &m, err
}

// assemble fills the forecast scores of Metrics: the one-step and
// multi-step forecasts and their baselines over the test steps
// [start, end) of x.
func assemble(x []float64, start, end, period, horizon int, oneStep, multiStep []float64) (Metrics, error) {
	m := Metrics{Period: period, Horizon: horizon, TestSteps: end - start}
	truth := x[start:end]
	var err error
	if m.TestRMSE, m.TestMAE, err = scores(truth, oneStep); err != nil {
		return m, fmt.Errorf("forecast: one-step scores: %w", err)
	}
	if m.MultistepRMSE, m.MultistepMAE, err = scores(truth, multiStep); err != nil {
		return m, fmt.Errorf("forecast: multi-step scores: %w", err)
	}
	for i, h := range []int{1, horizon} {
		pers, seas, err := baselines(x, segments(start, end, h), h, end, period)
		if err != nil {
			return m, err
		}
		pr, pm, err := scores(truth, pers)
		if err != nil {
			return m, err
		}
		sr, sm, err := optScores(truth, seas)
		if err != nil {
			return m, err
		}
		if i == 0 {
			m.PersistenceRMSE, m.PersistenceMAE, m.SeasonalNaiveRMSE, m.SeasonalNaiveMAE = pr, pm, sr, sm
		} else {
			m.MultistepPersRMSE, m.MultistepPersMAE, m.MultistepSNaiveRMSE, m.MultistepSNaiveMAE = pr, pm, sr, sm
		}
	}
	return m, nil
}
