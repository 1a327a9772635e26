package callbacks

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// formatPath fills the replacement fields of a Keras file path as
// Python's str.format(epoch=epoch, **logs) does: "{epoch:02d}" is the
// epoch as an integer, "{val_loss:.4f}" a logged value as a float;
// "{{" and "}}" are braces. A field takes Python's format specification
// [[fill]align][sign][0][width][,|_][.precision][type] with the types
// d, n, x, X, o, b (integers), e, E, f, F, g, G, %, and none; it is an error
// for a name that is not logged, for a conversion (!r), an attribute or
// index, and for a type that does not fit the value ("{val_loss:d}"), as
// in Python.
func formatPath(pattern string, epoch int, logs map[string]float64) (string, error) {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '{' && strings.HasPrefix(pattern[i:], "{{"), c == '}' && strings.HasPrefix(pattern[i:], "}}"):
			b.WriteByte(c)
			i++
		case c == '}':
			return "", fmt.Errorf("single '}' at byte %d", i)
		case c == '{':
			end := strings.IndexByte(pattern[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("'{' at byte %d is not closed", i)
			}
			s, err := formatField(pattern[i+1:i+end], epoch, logs)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// formatField formats one replacement field "name[:spec]".
func formatField(field string, epoch int, logs map[string]float64) (string, error) {
	name, spec, _ := strings.Cut(field, ":")
	if name == "" || strings.ContainsAny(name, "!.[{") {
		return "", fmt.Errorf("field {%s}: want a log name or epoch (no positional fields, conversions, attributes or indexes)", field)
	}
	fs, err := parseSpec(spec)
	if err != nil {
		return "", fmt.Errorf("field {%s}: %w", field, err)
	}
	var s string
	if name == "epoch" {
		s, err = fs.formatInt(epoch)
	} else {
		v, ok := logs[name]
		if !ok {
			names := make([]string, 0, len(logs)+1)
			for k := range logs {
				names = append(names, k)
			}
			slices.Sort(names)
			return "", fmt.Errorf("field {%s}: %q is not logged: the fields are epoch, %s", field, name, strings.Join(names, ", "))
		}
		s, err = fs.formatFloat(v)
	}
	if err != nil {
		return "", fmt.Errorf("field {%s}: %w", field, err)
	}
	return s, nil
}

// formatSpec is a parsed Python format specification.
type formatSpec struct {
	fill      rune
	align     byte // 0 (default), '<', '>', '^' or '='
	sign      byte // 0, '+', '-' or ' '
	width     int
	group     byte // 0, ',' or '_'
	precision int  // -1 when not given
	typ       byte // 0 for none
}

func parseSpec(spec string) (formatSpec, error) {
	fs := formatSpec{fill: ' ', precision: -1}
	r := []rune(spec)
	i := 0
	isAlign := func(c rune) bool { return c == '<' || c == '>' || c == '^' || c == '=' }
	switch {
	case len(r) >= 2 && isAlign(r[1]):
		fs.fill, fs.align, i = r[0], byte(r[1]), 2
	case len(r) >= 1 && isAlign(r[0]):
		fs.align, i = byte(r[0]), 1
	}
	if i < len(r) && (r[i] == '+' || r[i] == '-' || r[i] == ' ') {
		fs.sign = byte(r[i])
		i++
	}
	if i < len(r) && r[i] == '#' {
		return fs, fmt.Errorf("the alternate form '#' is not supported")
	}
	if i < len(r) && r[i] == '0' {
		if fs.align == 0 {
			fs.fill, fs.align = '0', '='
		}
		i++
	}
	digits := func() (int, bool) {
		j := i
		for i < len(r) && r[i] >= '0' && r[i] <= '9' {
			i++
		}
		if j == i {
			return 0, false
		}
		n, err := strconv.Atoi(string(r[j:i]))
		return n, err == nil && n <= 1000
	}
	if n, ok := digits(); ok {
		fs.width = n
	}
	if i < len(r) && (r[i] == ',' || r[i] == '_') {
		fs.group = byte(r[i])
		i++
	}
	if i < len(r) && r[i] == '.' {
		i++
		n, ok := digits()
		if !ok {
			return fs, fmt.Errorf("format spec %q: want digits after '.'", spec)
		}
		fs.precision = n
	}
	if i < len(r) {
		if i != len(r)-1 || !strings.ContainsRune("dnxXobeEfFgG%", r[i]) {
			return fs, fmt.Errorf("format spec %q: want [[fill]align][sign][0][width][,|_][.precision][type] with a type among d n x X o b e E f F g G %%", spec)
		}
		fs.typ = byte(r[i])
	}
	return fs, nil
}

// formatInt formats an integer (the epoch), as Python formats an int.
func (fs formatSpec) formatInt(v int) (string, error) {
	base := 0
	switch fs.typ {
	case 0, 'd', 'n':
		base = 10
	case 'x', 'X':
		base = 16
	case 'o':
		base = 8
	case 'b':
		base = 2
	default:
		return fs.formatFloat(float64(v))
	}
	if fs.precision >= 0 {
		return "", fmt.Errorf("precision not allowed in integer format specifier")
	}
	if fs.group != 0 && base != 10 {
		return "", fmt.Errorf("cannot use %q with %q", fs.group, fs.typ)
	}
	digits := strconv.FormatUint(uint64(abs(v)), base)
	if fs.typ == 'X' {
		digits = strings.ToUpper(digits)
	}
	return fs.pad(v < 0, fs.grouped(digits)), nil
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// formatFloat formats a float as Python formats a float.
func (fs formatSpec) formatFloat(v float64) (string, error) {
	neg := math.Signbit(v) && !math.IsNaN(v)
	a := math.Abs(v)
	upper := fs.typ == 'E' || fs.typ == 'F' || fs.typ == 'G'
	var s string
	switch {
	case strings.IndexByte("dxXob", fs.typ) >= 0:
		return "", fmt.Errorf("unknown format code '%c' for a float (log values are floats; epoch is the integer)", fs.typ)
	case math.IsNaN(a):
		s = "nan"
	case math.IsInf(a, 1):
		s = "inf"
	default:
		s = fs.finite(a)
	}
	if upper {
		s = strings.ToUpper(s)
	}
	if fs.typ == '%' {
		s += "%"
	}
	return fs.pad(neg, s), nil
}

// finite formats a >= 0 without sign.
func (fs formatSpec) finite(a float64) string {
	p := fs.precision
	switch fs.typ {
	case 'f', 'F', '%':
		if p < 0 {
			p = 6
		}
		if fs.typ == '%' {
			a *= 100
		}
		return fs.grouped(strconv.FormatFloat(a, 'f', p, 64))
	case 'e', 'E':
		if p < 0 {
			p = 6
		}
		return strconv.FormatFloat(a, 'e', p, 64)
	case 'g', 'G', 'n':
		if p < 0 {
			p = 6
		}
		return fs.grouped(strconv.FormatFloat(a, 'g', max(p, 1), 64))
	}
	// No type: Python's repr without a precision (shortest digits, e
	// notation below 1e-4 and from 1e16); with one, p significant digits,
	// e notation from 10^(p−1), always a digit after the point.
	if p < 0 {
		exp := decimalExponent(strconv.FormatFloat(a, 'e', -1, 64))
		if exp < -4 || exp >= 16 {
			return strconv.FormatFloat(a, 'e', -1, 64)
		}
		return fs.grouped(withPoint(strconv.FormatFloat(a, 'f', -1, 64)))
	}
	p = max(p, 1)
	e := strconv.FormatFloat(a, 'e', p-1, 64)
	exp := decimalExponent(e)
	if exp < -4 || exp >= p-1 {
		mant, tail, _ := strings.Cut(e, "e")
		return trimZeros(mant) + "e" + tail
	}
	return fs.grouped(withPoint(trimZeros(strconv.FormatFloat(a, 'f', p-1-exp, 64))))
}

// decimalExponent returns the exponent of a number in e notation.
func decimalExponent(e string) int {
	_, tail, _ := strings.Cut(e, "e")
	n, _ := strconv.Atoi(tail)
	return n
}

// trimZeros removes trailing zeros after a decimal point, and the point.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// withPoint appends ".0" to a whole number.
func withPoint(s string) string {
	if strings.Contains(s, ".") {
		return s
	}
	return s + ".0"
}

// grouped inserts the grouping separator every three digits of the
// integer part.
func (fs formatSpec) grouped(s string) string {
	if fs.group == 0 {
		return s
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(fs.group)
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// pad adds the sign and pads to the width.
func (fs formatSpec) pad(neg bool, digits string) string {
	sign := ""
	switch {
	case neg:
		sign = "-"
	case fs.sign == '+':
		sign = "+"
	case fs.sign == ' ':
		sign = " "
	}
	n := fs.width - len([]rune(sign+digits))
	if n <= 0 {
		return sign + digits
	}
	fill := func(k int) string { return strings.Repeat(string(fs.fill), k) }
	switch fs.align {
	case '<':
		return sign + digits + fill(n)
	case '^':
		return fill(n/2) + sign + digits + fill(n-n/2)
	case '=':
		return sign + fill(n) + digits
	}
	return fill(n) + sign + digits
}
