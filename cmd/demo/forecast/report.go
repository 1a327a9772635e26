package forecast

import (
	"fmt"
	"io"
)

// WriteReport writes a short text report of res: the data and model, the
// training summary and a table of test RMSE and MAE of the LSTM beside
// the persistence and seasonal naive baselines, one step ahead and
// multi-step, in original units; and, when training ended early, how and
// which epoch's weights made the forecasts.
func WriteReport(w io.Writer, res *Result) error {
	c, m := res.Config, res.Metrics
	na := func(p *float64) string {
		if p == nil {
			return fmt.Sprintf("%15s", "n/a")
		}
		return fmt.Sprintf("%15.4g", *p)
	}
	val := "n/a"
	if m.FinalValLoss != nil {
		val = fmt.Sprintf("%.4g", *m.FinalValLoss)
	}
	period := "unknown"
	if m.Period > 0 {
		period = fmt.Sprint(m.Period)
	}
	_, err := fmt.Fprintf(w, `data:     %s, %d steps (train %d, val %d, test %d)
model:    LSTM(%d, activation %s, recurrent %s, implementation %d, unroll %v) -> Dense(1), %s
inputs:   lookback %d, log %v, diff %d, scaler %s; seasonal period %s
training: %d epochs (best %d) in %.1f s, loss %.4g, val_loss %s (%s, lr %g, batch %d)

%-30s%12s %12s %15s
  one-step RMSE               %12.4g %12.4g %s
  one-step MAE                %12.4g %12.4g %s
  %-28s%12.4g %12.4g %s
  multi-step MAE              %12.4g %12.4g %s
one-step RMSE is %.1fx below persistence (errors in original units)
`,
		res.Source, len(res.Series), res.TrainEnd, res.TestStart-res.TrainEnd, len(res.TestIndex),
		c.Units, c.Activation, c.RecurrentActivation, c.Implementation, c.Unroll, c.Dtype,
		c.Lookback, c.Log, c.Diff, c.Scaler, period,
		m.Epochs, m.BestEpoch, m.TrainSeconds, m.FinalTrainLoss, val, c.Optimizer, c.LR, c.BatchSize,
		fmt.Sprintf("test part (%d steps)", len(res.TestIndex)), "LSTM", "persistence", "seasonal naive",
		m.TestRMSE, m.PersistenceRMSE, na(m.SeasonalNaiveRMSE),
		m.TestMAE, m.PersistenceMAE, na(m.SeasonalNaiveMAE),
		fmt.Sprintf("multi-step RMSE (%d steps)", c.Horizon), m.MultistepRMSE, m.MultistepPersRMSE, na(m.MultistepSNaiveRMSE),
		m.MultistepMAE, m.MultistepPersMAE, na(m.MultistepSNaiveMAE),
		m.PersistenceRMSE/m.TestRMSE)
	if err == nil && m.Training != "" && m.Training != "completed" {
		_, err = fmt.Fprintf(w, "training %s: %s; the forecasts use the weights of epoch %d\n", m.Training, m.StopReason, m.BestEpoch)
	}
	return err
}
