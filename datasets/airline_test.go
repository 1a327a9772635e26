package datasets

import "testing"

func TestAirlinePassengers(t *testing.T) {
	s := AirlinePassengers()
	if len(s) != 144 {
		t.Fatalf("len %d, want 144", len(s))
	}
	var sum float64
	for _, v := range s {
		sum += v
	}
	if sum != 40363 {
		t.Errorf("sum %v, want 40363", sum)
	}
	for _, tc := range []struct {
		i    int
		want float64
	}{
		{0, 112},   // January 1949
		{11, 118},  // December 1949
		{12, 115},  // January 1950
		{138, 622}, // July 1960, the maximum
		{143, 432}, // December 1960
	} {
		if s[tc.i] != tc.want {
			t.Errorf("s[%d] = %v, want %v", tc.i, s[tc.i], tc.want)
		}
	}
	// Yearly totals of 1949 and 1960.
	for _, tc := range []struct {
		year int
		want float64
	}{{1949, 1520}, {1960, 5714}} {
		var y float64
		for _, v := range s[(tc.year-1949)*12 : (tc.year-1948)*12] {
			y += v
		}
		if y != tc.want {
			t.Errorf("%d total %v, want %v", tc.year, y, tc.want)
		}
	}
	s[0] = -1
	if AirlinePassengers()[0] != 112 {
		t.Error("AirlinePassengers does not return a fresh copy")
	}
}
