package datasets

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const passengersCSV = `month,passengers,year
1949-01,112,1949
1949-02, 118 ,1949
"1949-03",132,1949
`

func TestReadCSV(t *testing.T) {
	for _, tc := range []struct {
		name  string
		text  string
		cols  []CSVColumn
		data  []float64
		names []string
	}{
		{"by name", passengersCSV, []CSVColumn{ByName("passengers")}, []float64{112, 118, 132}, []string{"passengers"}},
		{"by index", passengersCSV, []CSVColumn{ByIndex(2)}, []float64{1949, 1949, 1949}, []string{"year"}},
		{"several", passengersCSV, []CSVColumn{ByName("year"), ByIndex(1)},
			[]float64{1949, 112, 1949, 118, 1949, 132}, []string{"year", "passengers"}},
		{"BOM, spaces, exponent", "\ufeffa, b\n1.5e2, -2\n", []CSVColumn{ByName("a"), ByName("b")},
			[]float64{150, -2}, []string{"a", "b"}},
		{"CRLF, no final newline", "x\r\n1\r\n2", []CSVColumn{ByName("x")}, []float64{1, 2}, []string{"x"}},
	} {
		data, names, err := ReadCSV(strings.NewReader(tc.text), tc.cols...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		checkSlice(t, tc.name, data, tc.data, 0)
		if !slices.Equal(names, tc.names) {
			t.Errorf("%s: names %q, want %q", tc.name, names, tc.names)
		}
	}
}

func TestReadCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		text string
		cols []CSVColumn
		want string
	}{
		{"month,passengers\n1949-01,112\n1949-02,abc\n", []CSVColumn{ByName("passengers")},
			`datasets: line 3, column "passengers": "abc" is not a number`},
		{"a,b\n1,2\n3,\n", []CSVColumn{ByName("b")}, `datasets: line 3, column "b": missing value`},
		{"a,b\n1,2\n3\n", []CSVColumn{ByIndex(1)}, `datasets: line 3, column "b": missing value (row has 1 fields)`},
		{"a\n1\nNaN\n", []CSVColumn{ByName("a")}, `datasets: line 3, column "a": "NaN" is not finite`},
		{"a\n-Inf\n", []CSVColumn{ByName("a")}, `datasets: line 2, column "a": "-Inf" is not finite`},
		{"a\n1e999\n", []CSVColumn{ByName("a")}, `datasets: line 2, column "a": "1e999" is not finite`},
		{"a\n\"multi\nline\",x\n5\nz\n", []CSVColumn{ByName("a")}, `datasets: line 2, column "a": "multi\nline" is not a number`},
		{"a\n1\n\n2\nz\n", []CSVColumn{ByName("a")}, `datasets: line 5, column "a": "z" is not a number`},
		{"a,b\n1,2\n", []CSVColumn{ByName("c")}, `datasets: column "c" not in CSV header ["a" "b"]`},
		{"a,b\n1,2\n", []CSVColumn{ByIndex(2)}, "datasets: column index 2 out of range: header has 2 columns (0..1)"},
		{"a,b\n1,2\n", []CSVColumn{ByIndex(-1)}, "column index -1 out of range"},
		{"a,b\n1,2\n", nil, "no column selected"},
		{"", []CSVColumn{ByIndex(0)}, "CSV is empty: no header row"},
		{"a,b\n", []CSVColumn{ByIndex(0)}, "header but no data rows"},
		{"a\n\"1\n", []CSVColumn{ByIndex(0)}, "extraneous or missing \" in quoted-field"},
	} {
		_, _, err := ReadCSV(strings.NewReader(tc.text), tc.cols...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadCSV(%q): error %v, want %q", tc.text, err, tc.want)
		}
	}
}

func TestReadCSVFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.csv")
	if err := os.WriteFile(path, []byte(passengersCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	data, _, err := ReadCSVFile(path, ByName("passengers"))
	if err != nil {
		t.Fatal(err)
	}
	checkSlice(t, "file", data, []float64{112, 118, 132}, 0)
	if _, _, err := ReadCSVFile(path, ByName("nope")); err == nil || !strings.Contains(err.Error(), "p.csv: datasets: column \"nope\"") {
		t.Errorf("missing column: error %v", err)
	}
	if _, _, err := ReadCSVFile(filepath.Join(t.TempDir(), "none.csv")); err == nil || !strings.Contains(err.Error(), "none.csv") {
		t.Errorf("missing file: error %v", err)
	}
}

func TestNumericColumns(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		names      []string
		idx        []int
	}{
		{"date first", passengersCSV, []string{"passengers", "year"}, []int{1, 2}},
		{"a missing value and text", "a,b,c,d\n1,x,3,4\n2,5,,6\n", []string{"a", "d"}, []int{0, 3}},
		{"short row", "a,b\n1,2\n3\n", []string{"a"}, []int{0}},
		{"NaN is not a number here", "a,b\n1,NaN\n", []string{"a"}, []int{0}},
		{"none", "month\n1949-01\n", nil, nil},
		{"BOM and spaces", "\ufeff a , b\n 1 , 2\n", []string{"a", "b"}, []int{0, 1}},
	} {
		names, idx, err := NumericColumns(strings.NewReader(tc.text))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !slices.Equal(names, tc.names) || !slices.Equal(idx, tc.idx) {
			t.Errorf("%s: %q %v, want %q %v", tc.name, names, idx, tc.names, tc.idx)
		}
	}
	for text, want := range map[string]string{"": "no header row", "a\n": "no data rows", "a\n\"1\n": "quoted-field"} {
		if _, _, err := NumericColumns(strings.NewReader(text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NumericColumns(%q): error %v, want %q", text, err, want)
		}
	}
	path := filepath.Join(t.TempDir(), "p.csv")
	os.WriteFile(path, []byte(passengersCSV), 0o600)
	if names, _, err := NumericColumnsFile(path); err != nil || !slices.Equal(names, []string{"passengers", "year"}) {
		t.Errorf("NumericColumnsFile: %q, %v", names, err)
	}
	if _, _, err := NumericColumnsFile(path + ".none"); err == nil || !strings.Contains(err.Error(), "p.csv.none") {
		t.Errorf("missing file: error %v", err)
	}
}
