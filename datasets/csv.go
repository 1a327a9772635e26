package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// CSVColumn selects a CSV column: by header name if Name is not empty,
// otherwise by 0-based Index.
type CSVColumn struct {
	Name  string
	Index int
}

// ByName selects the CSV column whose header is name.
func ByName(name string) CSVColumn { return CSVColumn{Name: name} }

// ByIndex selects the CSV column at 0-based position i.
func ByIndex(i int) CSVColumn { return CSVColumn{Index: i} }

// ReadCSV reads CSV text whose first row is a header and returns the selected
// columns as flat row-major data of shape (rows, len(cols)), together with
// the header names of those columns. Values are parsed with
// strconv.ParseFloat after trimming spaces. It returns an error naming the
// line and column for a missing, non-numeric, NaN or infinite value, and an
// error for an unknown column, no header, or no data rows. Other columns
// are not checked.
func ReadCSV(r io.Reader, cols ...CSVColumn) (data []float64, names []string, err error) {
	if len(cols) == 0 {
		return nil, nil, errors.New("datasets: ReadCSV: no column selected")
	}
	cr, header, err := csvHeader(r)
	if err != nil {
		return nil, nil, err
	}
	idx := make([]int, len(cols))
	names = make([]string, len(cols))
	for k, c := range cols {
		if idx[k], err = columnIndex(header, c); err != nil {
			return nil, nil, err
		}
		names[k] = strings.TrimSpace(header[idx[k]])
	}
	err = eachRecord(cr, func(rec []string) error {
		for k, i := range idx {
			line, _ := cr.FieldPos(0)
			if i >= len(rec) {
				return fmt.Errorf("datasets: line %d, column %q: missing value (row has %d fields)",
					line, names[k], len(rec))
			}
			line, _ = cr.FieldPos(i)
			s := strings.TrimSpace(rec[i])
			if s == "" {
				return fmt.Errorf("datasets: line %d, column %q: missing value", line, names[k])
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return fmt.Errorf("datasets: line %d, column %q: %q is not a number", line, names[k], s)
			}
			if !finite(v) {
				return fmt.Errorf("datasets: line %d, column %q: %q is not finite", line, names[k], s)
			}
			data = append(data, v)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return data, names, nil
}

// ReadCSVFile is ReadCSV on the named file; errors name the file.
func ReadCSVFile(path string, cols ...CSVColumn) (data []float64, names []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	data, names, err = ReadCSV(f, cols...)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, names, nil
}

// NumericColumns reads CSV text whose first row is a header and returns
// the columns that hold a finite number (strconv.ParseFloat after trimming
// spaces) in every data row, in header order: their header names and
// 0-based indices. A date column ("1949-01"), a text column or one with a
// missing value is not numeric. It returns the errors of ReadCSV for no
// header, no data rows or malformed CSV.
func NumericColumns(r io.Reader) (names []string, indices []int, err error) {
	cr, header, err := csvHeader(r)
	if err != nil {
		return nil, nil, err
	}
	numeric := make([]bool, len(header))
	for i := range numeric {
		numeric[i] = true
	}
	err = eachRecord(cr, func(rec []string) error {
		for i := range numeric {
			if numeric[i] {
				v, err := strconv.ParseFloat(strings.TrimSpace(field(rec, i)), 64)
				numeric[i] = err == nil && finite(v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for i, ok := range numeric {
		if ok {
			names = append(names, strings.TrimSpace(header[i]))
			indices = append(indices, i)
		}
	}
	return names, indices, nil
}

// NumericColumnsFile is NumericColumns on the named file; errors name the
// file.
func NumericColumnsFile(path string) (names []string, indices []int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	names, indices, err = NumericColumns(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return names, indices, nil
}

// csvHeader returns a CSV reader of r (rows of any length, leading spaces
// trimmed) past the header row, and that row.
func csvHeader(r io.Reader) (*csv.Reader, []string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, errors.New("datasets: CSV is empty: no header row")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("datasets: %w", err)
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff") // a UTF-8 byte-order mark
	return cr, header, nil
}

// eachRecord calls f on every data row of cr, stopping at its first error;
// it is an error for a CSV without data rows.
func eachRecord(cr *csv.Reader, f func(rec []string) error) error {
	rows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("datasets: %w", err)
		}
		rows++
		if err := f(rec); err != nil {
			return err
		}
	}
	if rows == 0 {
		return errors.New("datasets: CSV has a header but no data rows")
	}
	return nil
}

// field returns rec[i], or "" past the end of a short row.
func field(rec []string, i int) string {
	if i < len(rec) {
		return rec[i]
	}
	return ""
}

func columnIndex(header []string, c CSVColumn) (int, error) {
	if c.Name != "" {
		for i, h := range header {
			if strings.TrimSpace(h) == c.Name {
				return i, nil
			}
		}
		return 0, fmt.Errorf("datasets: column %q not in CSV header %q", c.Name, header)
	}
	if c.Index < 0 || c.Index >= len(header) {
		return 0, fmt.Errorf("datasets: column index %d out of range: header has %d columns (0..%d)",
			c.Index, len(header), len(header)-1)
	}
	return c.Index, nil
}
