package model

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/lstm"
	"gorgonia.org/tensor"
)

// servingModel is LSTM(units, return_sequences) → LSTM(units) → Dense(1)
// on sequences of any length of 1 feature, built, in the unroll mode
// given.
func servingModel(t testing.TB, dt tensor.Dtype, units int, unroll bool) *Model {
	t.Helper()
	var ls []graph.Layer
	for i, seq := range []bool{true, false} {
		c := lstm.Default(units)
		c.Name, c.ReturnSequences, c.Unroll, c.Implementation, c.Seed = fmt.Sprintf("lstm_%d", i+1), seq, unroll, 2, uint64(i+1)
		l, err := lstm.New(c)
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	m, err := NewSequential(dt, append(ls, dense(t, "out", 1, "linear", 3))...)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(graph.None, 1); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPredictConcurrent: 16 goroutines call Predict on one built model at
// once (run it with -race), on batches of several sizes and lengths; every
// prediction equals, bit for bit, the same Predict made alone. The model
// shares its weights: nothing is copied per goroutine.
func TestPredictConcurrent(t *testing.T) {
	for _, unroll := range []bool{false, true} {
		m := servingModel(t, tensor.Float32, 4, unroll)
		rng := graph.NewRNG(2)
		var xs, want []*tensor.Dense
		for _, shape := range [][]int{{5, 6, 1}, {3, 6, 1}, {5, 9, 1}, {1, 4, 1}} {
			v := make([]float64, shape[0]*shape[1])
			for i := range v {
				v[i] = rng.Float64()*2 - 1
			}
			x := graph.NewTensor(tensor.Float32, shape, v)
			y, err := m.Predict(x, 2)
			if err != nil {
				t.Fatal(err)
			}
			xs, want = append(xs, x), append(want, y)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range 3 * len(xs) {
					i := (g + k) % len(xs)
					y, err := m.Predict(xs[i], 2)
					if err != nil {
						errs <- err
						return
					}
					if !slices.Equal(graph.Float64s(y), graph.Float64s(want[i])) {
						errs <- fmt.Errorf("goroutine %d, input %d: %v, alone %v", g, i, graph.Float64s(y), graph.Float64s(want[i]))
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("unroll %v: %v", unroll, err)
		}
	}
}

// BenchmarkPredictParallel measures serving throughput: 1, 2 and 4
// goroutines share one model, LSTM(32) → LSTM(32) → Dense(1), float32,
// loop mode, each Predict a batch of 32 windows of 25 steps; it reports
// predictions (windows) per second over all goroutines.
func BenchmarkPredictParallel(b *testing.B) {
	const batch, steps = 32, 25
	m := servingModel(b, tensor.Float32, 32, false)
	rng := graph.NewRNG(1)
	v := make([]float64, batch*steps)
	for i := range v {
		v[i] = rng.Float64()
	}
	x := graph.NewTensor(tensor.Float32, []int{batch, steps, 1}, v)
	for _, goroutines := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("goroutines=%d", goroutines), func(b *testing.B) {
			var wg sync.WaitGroup
			for range goroutines { // each goroutine's programs compiled before timing
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := m.Predict(x, batch); err != nil {
						b.Error(err)
					}
				}()
			}
			wg.Wait()
			var next atomic.Int64
			b.ResetTimer()
			start := time.Now()
			for range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						if _, err := m.Predict(x, batch); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "predictions/s")
		})
	}
}
