package callbacks

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/golstm/golstm/graph/model"
)

// CSVLogger writes every epoch's logs to a CSV file, as Keras 2.2.4's
// CSVLogger: a header "epoch" followed by the log names in sorted order
// (those of the first epoch), then one row per epoch with the epoch (from
// 0) and the values as Python prints floats (repr: "0.1234", "1e-05");
// "NA" for a name missing from an epoch (the validation of an epoch that a
// callback stopped part way). Rows end in "\r\n" as Python's csv module
// writes them. The file is flushed after every epoch, so it can be read
// while training runs, and closed at the end of training.
//
// With Append, rows are added to an existing file, and the header is
// written only when the file is empty or new (continuing a resumed
// training: set FitConfig.InitialEpoch to keep the epoch numbers going).
type CSVLogger struct {
	model.CallbackBase
	// Filename is the path of the CSV file.
	Filename string
	// Separator separates the fields: one character, "," when empty.
	Separator string
	// Append adds to an existing file instead of replacing it.
	Append bool

	f      *os.File
	w      *csv.Writer
	bw     *bufio.Writer
	keys   []string
	header bool
}

// OnTrainBegin opens the file (creating it, truncating it unless Append).
func (c *CSVLogger) OnTrainBegin(m *model.Model, p model.FitParams) error {
	sep := ','
	if c.Separator != "" {
		r, size := utf8.DecodeRuneInString(c.Separator)
		if size != len(c.Separator) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
			return fmt.Errorf("callbacks: CSVLogger separator %q: want one character other than a quote or a line break", c.Separator)
		}
		sep = r
	}
	c.header = true
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if c.Append {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
		if st, err := os.Stat(c.Filename); err == nil && st.Size() > 0 {
			c.header = false
		}
	}
	f, err := os.OpenFile(c.Filename, flag, 0o644)
	if err != nil {
		return fmt.Errorf("callbacks: CSVLogger: %w", err)
	}
	c.f, c.bw, c.keys = f, bufio.NewWriter(f), nil
	c.w = csv.NewWriter(c.bw)
	c.w.Comma, c.w.UseCRLF = sep, true
	return nil
}

// OnEpochEnd writes the epoch's row.
func (c *CSVLogger) OnEpochEnd(m *model.Model, epoch int, logs map[string]float64) error {
	if c.w == nil {
		return fmt.Errorf("callbacks: CSVLogger: OnEpochEnd before OnTrainBegin")
	}
	if c.keys == nil {
		for k := range logs {
			c.keys = append(c.keys, k)
		}
		slices.Sort(c.keys)
		if c.header {
			c.w.Write(append([]string{"epoch"}, c.keys...))
		}
	}
	row := []string{strconv.Itoa(epoch)}
	for _, k := range c.keys {
		v, ok := logs[k]
		if !ok {
			row = append(row, "NA")
			continue
		}
		row = append(row, pyRepr(v))
	}
	c.w.Write(row)
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return fmt.Errorf("callbacks: CSVLogger: writing %s: %w", c.Filename, err)
	}
	if err := c.bw.Flush(); err != nil {
		return fmt.Errorf("callbacks: CSVLogger: writing %s: %w", c.Filename, err)
	}
	return nil
}

// OnTrainEnd closes the file.
func (c *CSVLogger) OnTrainEnd(m *model.Model, h *model.History) error {
	if c.f == nil {
		return nil
	}
	err := c.f.Close()
	c.f, c.w, c.bw = nil, nil, nil
	if err != nil {
		return fmt.Errorf("callbacks: CSVLogger: closing %s: %w", c.Filename, err)
	}
	return nil
}

// pyRepr formats v as Python's repr of a float: the shortest digits that
// read back as v, e notation below 1e-4 and from 1e16, "nan", "inf".
func pyRepr(v float64) string {
	s, _ := formatSpec{precision: -1, fill: ' '}.formatFloat(v)
	return s
}
