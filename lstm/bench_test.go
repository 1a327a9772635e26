package lstm

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/optim"
	"gorgonia.org/tensor"
)

// benchConfig is one size of ../shared/perf (the PyTorch anchor):
// batch, timesteps, input_dim, units.
type benchConfig struct {
	name         string
	batch, steps int
	inDim, units int
}

var benchConfigs = []benchConfig{
	{"sine", 32, 50, 1, 32},
	{"medium", 64, 100, 32, 128},
	{"large", 128, 100, 128, 512},
}

// forwardFlops counts the multiply-adds of the layer's matrix products in
// one forward pass, ×2: T·2·B·(D+U)·4U.
func (c benchConfig) forwardFlops() float64 {
	return float64(c.steps) * 2 * float64(c.batch) * float64(c.inDim+c.units) * 4 * float64(c.units)
}

func benchData(c benchConfig, dt tensor.Dtype) (x, y *tensor.Dense) {
	rng := graph.NewRNG(1)
	xs := make([]float64, c.batch*c.steps*c.inDim)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	ys := make([]float64, c.batch)
	for i := range ys {
		ys[i] = rng.NormFloat64()
	}
	return graph.NewTensor(dt, []int{c.batch, c.steps, c.inDim}, xs), graph.NewTensor(dt, []int{c.batch, 1}, ys)
}

// benchCases runs fn for every config, dtype, mode and implementation,
// named <config>/<dtype>/<mode>/impl<1|2>.
func benchCases(b *testing.B, fn func(b *testing.B, c benchConfig, dt tensor.Dtype, cfg Config)) {
	for _, c := range benchConfigs {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			for _, unroll := range []bool{true, false} {
				for _, impl := range []int{1, 2} {
					mode := map[bool]string{true: "unrolled", false: "loop"}[unroll]
					b.Run(fmt.Sprintf("%s/%v/%s/impl%d", c.name, dt, mode, impl), func(b *testing.B) {
						cfg := Default(c.units)
						cfg.Unroll, cfg.Implementation, cfg.Seed = unroll, impl, 1
						fn(b, c, dt, cfg)
					})
				}
			}
		}
	}
}

// BenchmarkTrainStep times one training step of LSTM + Dense(1) on the last
// output, MSE, Adam (forward, backward and update), as the PyTorch anchor
// does, and reports the achieved GFLOP/s of the layer's matrix products
// (forward and backward: three times the forward count). For large it also
// reports the peak heap.
func BenchmarkTrainStep(b *testing.B) {
	benchCases(b, func(b *testing.B, c benchConfig, dt tensor.Dtype, cfg Config) {
		l, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		d, _ := layers.NewDense(layers.DenseDefaults(1))
		m, _ := model.NewSequential(dt, l, d)
		if err := m.Compile("mse", optim.NewAdam()); err != nil {
			b.Fatal(err)
		}
		x, y := benchData(c, dt)
		if _, err := m.TrainOnBatch(x, y); err != nil { // compile outside the timing
			b.Fatal(err)
		}
		peak := watchHeap(c.name == "large")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := m.TrainOnBatch(x, y); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		reportRate(b, 3*c.forwardFlops())
		peak(b)
		runtime.KeepAlive(m) // the growth is measured with the model alive
	})
}

// BenchmarkForward times one inference forward pass of the layer.
func BenchmarkForward(b *testing.B) {
	benchCases(b, func(b *testing.B, c benchConfig, dt tensor.Dtype, cfg Config) {
		l, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		x, _ := benchData(c, dt)
		if _, err := l.Call(x, CallOptions{}); err != nil {
			b.Fatal(err)
		}
		peak := watchHeap(c.name == "large")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := l.Call(x, CallOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		reportRate(b, c.forwardFlops())
		peak(b)
		runtime.KeepAlive(l) // the growth is measured with the model alive
	})
}

// BenchmarkPredict times Model.Predict of the sine configuration's model
// (LSTM(32) + Dense(1), one feature) on one sequence of 25 steps (batch
// 1), the demo's use of a trained model: mostly fixed costs per call and
// per step. testdata/perf/torch_predict.py times the same with PyTorch.
func BenchmarkPredict(b *testing.B) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, unroll := range []bool{true, false} {
			for _, impl := range []int{1, 2} {
				mode := map[bool]string{true: "unrolled", false: "loop"}[unroll]
				b.Run(fmt.Sprintf("sine/%v/%s/impl%d", dt, mode, impl), func(b *testing.B) {
					cfg := Default(32)
					cfg.Unroll, cfg.Implementation, cfg.Seed = unroll, impl, 1
					l, err := New(cfg)
					if err != nil {
						b.Fatal(err)
					}
					d, _ := layers.NewDense(layers.DenseDefaults(1))
					m, _ := model.NewSequential(dt, l, d)
					x, _ := benchData(benchConfig{batch: 1, steps: 25, inDim: 1}, dt)
					if _, err := m.Predict(x, 1); err != nil { // build and compile outside the timing
						b.Fatal(err)
					}
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if _, err := m.Predict(x, 1); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkForwardBackward times the layer alone: one training Call and
// one VJP of a gradient on the last output.
func BenchmarkForwardBackward(b *testing.B) { benchForwardBackward(b, false) }

// BenchmarkForwardBackwardMasked is BenchmarkForwardBackward with a
// post-padded mask (sample b real for its first T - b%T steps), so that
// the masked graphs' cost can be compared with the unmasked ones'.
func BenchmarkForwardBackwardMasked(b *testing.B) { benchForwardBackward(b, true) }

func benchForwardBackward(b *testing.B, masked bool) {
	benchCases(b, func(b *testing.B, c benchConfig, dt tensor.Dtype, cfg Config) {
		l, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		x, _ := benchData(c, dt)
		opt := CallOptions{Training: true}
		if masked {
			v := make([]bool, c.batch*c.steps)
			for i := 0; i < c.batch; i++ {
				for t := 0; t < c.steps-i%c.steps; t++ {
					v[i*c.steps+t] = true
				}
			}
			opt.Mask = tensor.New(tensor.WithShape(c.batch, c.steps), tensor.WithBacking(v))
		}
		dy := graph.NewTensor(dt, []int{c.batch, c.units}, nil)
		step := func() {
			if _, err := l.Call(x, opt); err != nil {
				b.Fatal(err)
			}
			if _, err := l.VJP(Outputs{Output: dy}); err != nil {
				b.Fatal(err)
			}
		}
		step()
		peak := watchHeap(c.name == "large")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			step()
		}
		b.StopTimer()
		reportRate(b, 3*c.forwardFlops())
		peak(b)
		runtime.KeepAlive(l) // the growth is measured with the model alive
	})
}

// BenchmarkBuildUnrolled times building and compiling the unrolled training
// graph (forward and VJP) of 100 timesteps, for the sine and medium sizes.
func BenchmarkBuildUnrolled(b *testing.B) {
	for _, c := range benchConfigs[:2] {
		for _, impl := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/T=100/impl%d", c.name, impl), func(b *testing.B) {
				cfg := Default(c.units)
				cfg.Unroll, cfg.Implementation = true, impl
				l, err := New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				if err := l.BuildFor(c.inDim, tensor.Float32); err != nil {
					b.Fatal(err)
				}
				key := progKey{kind: unrolledProg, rows: c.batch, steps: 100, grad: true}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := l.buildProgram(key, false, false); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func reportRate(b *testing.B, flops float64) {
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(flops/ns, "GFLOP/s")
}

// watchHeap samples the heap every 20 ms while on; the returned function
// stops sampling and reports the peak in MB (runtime.MemStats.HeapAlloc:
// live data and garbage not yet collected) and the growth of the live heap
// over the timed steps (HeapAlloc after a collection, at the end minus at
// the start: what the steps left behind).
func watchHeap(on bool) func(*testing.B) {
	if !on {
		return func(*testing.B) {}
	}
	live := func() uint64 {
		var ms runtime.MemStats
		// Twice: what a finalizer (G.TapeMachine sets one) kept through
		// the first collection goes in the second.
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	start := live()
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				mu.Lock()
				peak = max(peak, ms.HeapAlloc)
				mu.Unlock()
			}
		}
	}()
	return func(b *testing.B) {
		close(done)
		mu.Lock()
		defer mu.Unlock()
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric((float64(live())-float64(start))/(1<<20), "heap-growth-MB")
	}
}
