package datasets_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/golstm/golstm/datasets"
)

func ExampleGenerateSine() {
	s, err := datasets.GenerateSine(datasets.SineConfig{
		Length:     4,
		Components: []datasets.Sine{{Period: 4, Amplitude: 2}},
		Trend:      0.5,
		Offset:     1,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.3f\n", s)
	// Output:
	// [1.000 3.500 2.000 0.500]
}

func ExampleMakeWindows() {
	series := []float64{0, 1, 2, 3, 4, 5}
	w, err := datasets.MakeWindows(series, 1, datasets.WindowConfig{Lookback: 3, Horizon: 2, Stride: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("X", w.XShape(), w.X)
	fmt.Println("Y", w.YShape(), w.Y)
	fmt.Println("first target steps", w.Start)
	// Output:
	// X [2 3 1] [0 1 2 1 2 3]
	// Y [2 2 1] [3 4 4 5]
	// first target steps [3 4]
}

func ExampleSplit() {
	train, val, test, err := datasets.Split(144, 0.7, 0.15)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train, val, test)
	// Output:
	// {0 100} {100 122} {122 144}
}

func ExampleMinMaxScaler() {
	series := []float64{10, 20, 30, 40, 50}
	train, _, test, _ := datasets.Split(len(series), 0.6, 0)
	s, _ := datasets.NewMinMaxScaler(0, 1)
	if err := s.Fit(train.Rows(series, 1), 1); err != nil { // fit on training data only
		log.Fatal(err)
	}
	scaled, _ := s.Transform(test.Rows(series, 1))
	back, _ := s.InverseTransform(scaled)
	fmt.Println(scaled, back)
	// Output:
	// [1.5 2] [40 50]
}

func ExampleStandardScaler() {
	var s datasets.StandardScaler
	// Two features: (1, 10), (3, 10), (5, 10); the second one is constant.
	if err := s.Fit([]float64{1, 10, 3, 10, 5, 10}, 2); err != nil {
		log.Fatal(err)
	}
	y, _ := s.Transform([]float64{5, 10})
	fmt.Printf("mean %v std %.4f scaled %.4f\n", s.Mean, s.Std, y)
	// Output:
	// mean [3 10] std [1.6330 0.0000] scaled [1.2247 0.0000]
}

func ExampleReadCSV() {
	text := "month,passengers\n1949-01,112\n1949-02,118\n1949-03,oops\n"
	_, _, err := datasets.ReadCSV(strings.NewReader(text), datasets.ByName("passengers"))
	fmt.Println(err)
	text = "month,passengers,year\n1949-01,112,1949\n1949-02,118,1949\n"
	data, names, err := datasets.ReadCSV(strings.NewReader(text), datasets.ByName("passengers"), datasets.ByIndex(2))
	fmt.Println(data, names, err)
	// Output:
	// datasets: line 4, column "passengers": "oops" is not a number
	// [112 1949 118 1949] [passengers year] <nil>
}

func ExampleSeasonalNaive() {
	y := datasets.AirlinePassengers()
	history, actual := y[:132], y[132:] // forecast 1960 from 1949–1959
	naive, _ := datasets.Persistence(history, 12)
	seasonal, _ := datasets.SeasonalNaive(history, datasets.AirlinePassengersPeriod, 12)
	r1, _ := datasets.RMSE(actual, naive)
	r2, _ := datasets.RMSE(actual, seasonal)
	m2, _ := datasets.MAE(actual, seasonal)
	fmt.Printf("persistence RMSE %.2f, seasonal naive RMSE %.2f MAE %.2f\n", r1, r2, m2)
	// Output:
	// persistence RMSE 102.98, seasonal naive RMSE 50.71 MAE 47.83
}

func ExampleAddingProblem() {
	a, err := datasets.AddingProblem(datasets.AddingConfig{Samples: 1, MinLen: 4, MaxLen: 6, Seed: 4})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("X", a.XShape(), "Y", a.YShape(), "length", a.Lengths[0])
	for t := 0; t < a.Steps; t++ {
		fmt.Printf("step %d: value %.3f marker %v\n", t, a.X[2*t], a.X[2*t+1])
	}
	fmt.Printf("target %.3f\n", a.Y[0])
	// Output:
	// X [1 6 2] Y [1 1] length 4
	// step 0: value 0.646 marker 1
	// step 1: value 0.571 marker 0
	// step 2: value 0.849 marker 0
	// step 3: value 0.362 marker 1
	// step 4: value 0.000 marker 0
	// step 5: value 0.000 marker 0
	// target 1.007
}
