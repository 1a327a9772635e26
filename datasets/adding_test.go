package datasets

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// TestAddingProblem checks every sequence of a data set against the
// definition: its length in [MinLen, MaxLen], zeros after it, values in
// (0, 1], exactly two markers, one in each half, and the target the sum of
// the marked values; every length of the range occurs.
func TestAddingProblem(t *testing.T) {
	cfg := AddingConfig{Samples: 2000, MinLen: 10, MaxLen: 50, Seed: 1}
	a, err := AddingProblem(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.XShape(), []int{2000, 50, 2}) || !slices.Equal(a.YShape(), []int{2000, 1}) ||
		len(a.X) != 2000*50*2 || len(a.Y) != 2000 || len(a.Lengths) != 2000 {
		t.Fatalf("shapes %v %v, sizes %d %d %d", a.XShape(), a.YShape(), len(a.X), len(a.Y), len(a.Lengths))
	}
	seen := map[int]bool{}
	mask := a.Mask()
	for i, n := range a.Lengths {
		if n < 10 || n > 50 {
			t.Fatalf("sample %d: length %d outside [10, 50]", i, n)
		}
		seen[n] = true
		var marked []int
		for s := 0; s < 50; s++ {
			v, m := a.X[(i*50+s)*2], a.X[(i*50+s)*2+1]
			if mask[i*50+s] != (s < n) {
				t.Fatalf("sample %d: mask at step %d is %t for length %d", i, s, mask[i*50+s], n)
			}
			if s >= n {
				if v != 0 || m != 0 {
					t.Fatalf("sample %d: padding step %d holds (%v, %v)", i, s, v, m)
				}
				continue
			}
			if !(v > 0 && v <= 1) || (m != 0 && m != 1) {
				t.Fatalf("sample %d step %d: (%v, %v): want a value in (0, 1] and a marker 0 or 1", i, s, v, m)
			}
			if m == 1 {
				marked = append(marked, s)
			}
		}
		if len(marked) != 2 || marked[0] >= n/2 || marked[1] < n/2 {
			t.Fatalf("sample %d of length %d: markers at %v: want one in [0, %d) and one in [%d, %d)", i, n, marked, n/2, n/2, n)
		}
		if want := a.X[(i*50+marked[0])*2] + a.X[(i*50+marked[1])*2]; a.Y[i] != want {
			t.Fatalf("sample %d: target %v, want %v", i, a.Y[i], want)
		}
	}
	if len(seen) != 41 {
		t.Errorf("%d distinct lengths in [10, 50], want all 41", len(seen))
	}
	// The targets are sums of two U(0, 1]: mean 1, variance 1/6, which is the
	// MSE of always predicting 1. Over 2000 samples the sd of the mean is
	// 0.009 and of the variance about 0.004; allow 4 sd.
	var mean, mse float64
	for _, y := range a.Y {
		mean += y / 2000
		mse += (y - 1) * (y - 1) / 2000
	}
	if math.Abs(mean-1) > 0.04 || math.Abs(mse-1.0/6) > 0.016 {
		t.Errorf("targets: mean %v, MSE of predicting 1 %v: want 1 and 1/6", mean, mse)
	}
}

// TestAddingProblemSeed: the same seed gives the same data, another seed
// other data.
func TestAddingProblemSeed(t *testing.T) {
	cfg := AddingConfig{Samples: 5, MinLen: 4, MaxLen: 8, Seed: 7}
	a, _ := AddingProblem(cfg)
	b, _ := AddingProblem(cfg)
	cfg.Seed = 8
	c, _ := AddingProblem(cfg)
	if !slices.Equal(a.X, b.X) || !slices.Equal(a.Y, b.Y) || !slices.Equal(a.Lengths, b.Lengths) {
		t.Error("same seed, other data")
	}
	if slices.Equal(a.X, c.X) {
		t.Error("other seed, same data")
	}
	// Fixed length (MinLen = MaxLen) and the shortest sequences (2 steps:
	// the markers are steps 0 and 1) work.
	d, err := AddingProblem(AddingConfig{Samples: 3, MinLen: 2, MaxLen: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if d.Lengths[i] != 2 || d.X[i*4+1] != 1 || d.X[i*4+3] != 1 || d.Y[i] != d.X[i*4]+d.X[i*4+2] {
			t.Errorf("length-2 sample %d: %v -> %v", i, d.X[i*4:i*4+4], d.Y[i])
		}
	}
}

func TestAddingProblemErrors(t *testing.T) {
	for _, c := range []struct {
		cfg  AddingConfig
		want string
	}{
		{AddingConfig{Samples: 0, MinLen: 2, MaxLen: 3}, "Samples 0"},
		{AddingConfig{Samples: 1, MinLen: 1, MaxLen: 3}, "MinLen 1"},
		{AddingConfig{Samples: 1, MinLen: 5, MaxLen: 4}, "MaxLen 4"},
	} {
		if _, err := AddingProblem(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one with %q", c.cfg, err, c.want)
		}
	}
}
