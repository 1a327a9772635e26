package forecast_test

import (
	"fmt"
	"log"

	"github.com/golstm/golstm/cmd/demo/forecast"
)

// ExampleRun trains a small model on a short sine for a few epochs and
// reads the shape of the result; pass os.Stderr instead of nil for
// progress bars, then forecast.Save(dir, res) for the files.
func ExampleRun() {
	cfg := forecast.DefaultConfig()
	cfg.Sine.Length, cfg.Sine.Period = 200, 20
	cfg.Lookback, cfg.Horizon, cfg.Units, cfg.Epochs = 10, 10, 4, 2
	res, err := forecast.Run(cfg, nil)
	if err != nil {
		log.Fatal(err)
	}
	m := res.Metrics
	fmt.Println("test steps:", m.TestSteps, "from step", res.TestStart)
	fmt.Println("segments:", res.Origins)
	fmt.Println("seasonal period:", m.Period, "seasonal naive known:", m.SeasonalNaiveRMSE != nil)
	// Output:
	// test steps: 30 from step 170
	// segments: [170 180 190]
	// seasonal period: 20 seasonal naive known: true
}
