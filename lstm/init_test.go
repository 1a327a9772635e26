package lstm

import (
	"fmt"
	"math"
	"testing"

	"github.com/golstm/golstm/graph"
	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"
)

// TestInitShapesAndLimits builds layers from their seeds and checks the
// Keras 2.2 initial weights: shapes (input_dim, 4u), (u, 4u), (4u); the
// kernel within the glorot_uniform limit sqrt(6/(input_dim+4u)); the
// recurrent kernel's rows orthonormal (U·Uᵀ = I to 1e-6, in both dtypes);
// the same seed gives the same weights and another seed other weights.
func TestInitShapesAndLimits(t *testing.T) {
	for _, tc := range []struct {
		units, in int
		dt        tensor.Dtype
	}{{1, 1, tensor.Float64}, {3, 2, tensor.Float64}, {8, 5, tensor.Float32}, {16, 3, tensor.Float64}} {
		t.Run(fmt.Sprintf("units=%d/in=%d/%v", tc.units, tc.in, tc.dt), func(t *testing.T) {
			build := func(seed uint64) []*tensor.Dense {
				cfg := Default(tc.units)
				cfg.Seed = seed
				l := mustNew(t, cfg)
				if err := l.BuildFor(tc.in, tc.dt); err != nil {
					t.Fatal(err)
				}
				return l.Weights()
			}
			ws := build(42)
			u := tc.units
			wantShapes := [][]int{{tc.in, 4 * u}, {u, 4 * u}, {4 * u}}
			if len(ws) != 3 {
				t.Fatalf("%d weights, want 3", len(ws))
			}
			for i, w := range ws {
				if !sameShape(w.Shape(), wantShapes[i]...) || w.Dtype() != tc.dt {
					t.Errorf("weight %d: %v %v, want %v %v", i, w.Shape(), w.Dtype(), wantShapes[i], tc.dt)
				}
			}
			limit := math.Sqrt(6 / float64(tc.in+4*u))
			k := graph.Float64s(ws[0])
			maxAbs := 0.0
			for _, v := range k {
				maxAbs = math.Max(maxAbs, math.Abs(v))
			}
			if maxAbs > limit || maxAbs < limit/4 {
				t.Errorf("kernel max |w| = %v, want in [limit/4, limit], limit %v", maxAbs, limit)
			}
			r := mat.NewDense(u, 4*u, graph.Float64s(ws[1]))
			var rrT mat.Dense
			rrT.Mul(r, r.T())
			for i := 0; i < u; i++ {
				for j := 0; j < u; j++ {
					want := 0.0
					if i == j {
						want = 1
					}
					if d := math.Abs(rrT.At(i, j) - want); d > 1e-6 {
						t.Errorf("(U·Uᵀ)[%d][%d] = %v, want %v", i, j, rrT.At(i, j), want)
					}
				}
			}
			again, other := build(42), build(43)
			for i := range ws {
				if err := sameTensor(again[i], ws[i], 0); err != nil {
					t.Errorf("weight %d, same seed: %v", i, err)
				}
			}
			for i := 0; i < 2; i++ {
				if sameTensor(other[i], ws[i], 0) == nil {
					t.Errorf("weight %d: seeds 42 and 43 give the same values", i)
				}
			}
		})
	}
}

// TestInitBias checks the initial bias: zeros with the forget slice set to
// exactly 1 under unit_forget_bias (replacing, not adding to, what the
// bias initializer drew), the initializer alone without it, and no bias
// without use_bias.
func TestInitBias(t *testing.T) {
	const u = 3
	ones, zero := []float64{1, 1, 1}, []float64{0, 0, 0}
	cat := func(parts ...[]float64) []float64 {
		var v []float64
		for _, p := range parts {
			v = append(v, p...)
		}
		return v
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want []float64 // nil: no bias weight
	}{
		{"default", func(*Config) {}, cat(zero, ones, zero, zero)},
		{"unit_forget_bias=false", func(c *Config) { c.UnitForgetBias = false }, cat(zero, zero, zero, zero)},
		{"ones+unit_forget_bias", func(c *Config) { c.BiasInitializer = graph.Ones() }, cat(ones, ones, ones, ones)},
		{"ones", func(c *Config) { c.BiasInitializer, c.UnitForgetBias = graph.Ones(), false }, cat(ones, ones, ones, ones)},
		{"constant 2+unit_forget_bias", func(c *Config) { c.BiasInitializer = mustConstant(t, 2) },
			cat([]float64{2, 2, 2}, ones, []float64{2, 2, 2, 2, 2, 2})},
		{"use_bias=false", func(c *Config) { c.UseBias = false }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default(u)
			tc.edit(&cfg)
			l := mustNew(t, cfg)
			if err := l.BuildFor(2, tensor.Float64); err != nil {
				t.Fatal(err)
			}
			ws := l.Weights()
			if tc.want == nil {
				if len(ws) != 2 || len(l.Params()) != 2 {
					t.Errorf("use_bias false: %d weights, %d params, want 2", len(ws), len(l.Params()))
				}
				return
			}
			if len(ws) != 3 {
				t.Fatalf("%d weights, want 3", len(ws))
			}
			if err := closeTo(ws[2], fixtureTensor{Shape: []int{4 * u}, Data: tc.want}, 0); err != nil {
				t.Errorf("bias: %v", err)
			}
		})
	}
}

func mustConstant(t *testing.T, v float64) graph.Initializer {
	t.Helper()
	c, err := graph.Constant(v)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
