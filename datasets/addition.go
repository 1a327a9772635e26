package datasets

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// AdditionChars are the characters of the addition task's questions and
// answers, as in Keras' addition_rnn example: the ten digits, '+' and the
// padding space.
const AdditionChars = "0123456789+ "

// AdditionConfig describes a data set of Keras' addition_rnn example (see
// GenerateAddition). The zero value of a field means its default.
type AdditionConfig struct {
	// Examples is the number of unique questions (default 50000, Keras'
	// TRAINING_SIZE).
	Examples int
	// Digits is the largest number of digits of an operand, 1 to 9
	// (default 3, Keras' DIGITS).
	Digits int
	// Reverse reverses every question string, as Keras' REVERSE = True
	// ("12+345 " becomes " 543+21"), which puts the operands' low digits
	// first.
	Reverse bool
	// Seed seeds the generator.
	Seed uint64
}

// Addition is a set of addition questions and their answers, each padded
// with spaces to a fixed length, as Keras' addition_rnn builds them: the
// question "535+61" is "535+61 " (QuestionLen = 2·Digits+1 characters, or
// reversed) and its answer "596 " (AnswerLen = Digits+1 characters).
type Addition struct {
	// Questions are the padded (and, with Reversed, reversed) questions.
	Questions []string
	// Answers are the padded answers, Answers[i] the sum of Questions[i].
	Answers []string
	// Digits is the largest number of digits of an operand.
	Digits int
	// Reversed reports whether the questions are reversed.
	Reversed bool
}

// GenerateAddition returns cfg.Examples questions a+b with their sums, as
// Keras' addition_rnn generates them: each operand has a number of digits
// drawn uniformly from 1 to Digits and uniform digits (so leading zeros
// make short numbers more likely), and a question is skipped when the same
// unordered pair {a, b} was drawn before, so that no question appears twice
// and a+b and b+a never both appear. The draws come from a PCG generator
// seeded with cfg.Seed (the stream of graph.NewRNG). It returns an error
// for Digits outside 1..9, a negative Examples, or more examples than there
// are unordered pairs of operands, M·(M+1)/2 with M = 10^Digits.
func GenerateAddition(cfg AdditionConfig) (*Addition, error) {
	if cfg.Examples == 0 {
		cfg.Examples = 50000
	}
	if cfg.Digits == 0 {
		cfg.Digits = 3
	}
	if cfg.Digits < 1 || cfg.Digits > 9 {
		return nil, fmt.Errorf("datasets: addition Digits %d: want 1 to 9", cfg.Digits)
	}
	if cfg.Examples < 0 {
		return nil, fmt.Errorf("datasets: addition Examples %d: want at least 1", cfg.Examples)
	}
	m := math.Pow10(cfg.Digits)
	if pairs := m * (m + 1) / 2; float64(cfg.Examples) > pairs {
		return nil, fmt.Errorf("datasets: addition Examples %d: operands of at most %d digits make only %.0f different questions", cfg.Examples, cfg.Digits, pairs)
	}
	rng := newRNG(cfg.Seed)
	number := func() int {
		n, v := 1+rng.IntN(cfg.Digits), 0
		for range n {
			v = v*10 + rng.IntN(10)
		}
		return v
	}
	qLen, aLen := 2*cfg.Digits+1, cfg.Digits+1
	a := &Addition{Digits: cfg.Digits, Reversed: cfg.Reverse,
		Questions: make([]string, 0, cfg.Examples), Answers: make([]string, 0, cfg.Examples)}
	seen := make(map[[2]int]bool, cfg.Examples)
	for len(a.Questions) < cfg.Examples {
		x, y := number(), number()
		key := [2]int{min(x, y), max(x, y)}
		if seen[key] {
			continue
		}
		seen[key] = true
		q := pad(strconv.Itoa(x)+"+"+strconv.Itoa(y), qLen)
		if cfg.Reverse {
			q = reverse(q)
		}
		a.Questions = append(a.Questions, q)
		a.Answers = append(a.Answers, pad(strconv.Itoa(x+y), aLen))
	}
	return a, nil
}

func pad(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }

func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

// Len returns the number of questions.
func (a *Addition) Len() int { return len(a.Questions) }

// QuestionLen returns the length of every question, 2·Digits+1 (Keras'
// MAXLEN).
func (a *Addition) QuestionLen() int { return 2*a.Digits + 1 }

// AnswerLen returns the length of every answer, Digits+1.
func (a *Addition) AnswerLen() int { return a.Digits + 1 }

// Question returns question i as written, "535+61": unreversed, without
// padding.
func (a *Addition) Question(i int) string {
	q := a.Questions[i]
	if a.Reversed {
		q = reverse(q)
	}
	return strings.TrimRight(q, " ")
}

// Split returns the first n−⌊n·heldOut⌋ examples and the last ⌊n·heldOut⌋,
// Keras' split of addition_rnn (it holds out a tenth). The examples are in
// the random order they were drawn in and no question appears twice, so the
// two parts share no question. It returns an error for heldOut outside
// [0, 1).
func (a *Addition) Split(heldOut float64) (train, test *Addition, err error) {
	if !(heldOut >= 0 && heldOut < 1) {
		return nil, nil, fmt.Errorf("datasets: addition held-out fraction %v: want a value in [0, 1)", heldOut)
	}
	at := a.Len() - int(float64(a.Len())*heldOut)
	part := func(from, to int) *Addition {
		return &Addition{Digits: a.Digits, Reversed: a.Reversed,
			Questions: slices.Clone(a.Questions[from:to]), Answers: slices.Clone(a.Answers[from:to])}
	}
	return part(0, at), part(at, a.Len()), nil
}

// CharTable one-hot encodes strings over a set of characters, as Keras'
// CharacterTable: the characters are sorted, so for AdditionChars the
// indices are ' ' 0, '+' 1, '0'…'9' 2…11.
type CharTable struct {
	chars []rune
	index map[rune]int
}

// NewCharTable returns the table of the distinct characters of chars,
// sorted. It returns an error for an empty chars.
func NewCharTable(chars string) (*CharTable, error) {
	rs := []rune(chars)
	slices.Sort(rs)
	rs = slices.Compact(rs)
	if len(rs) == 0 {
		return nil, fmt.Errorf("datasets: character table: no characters")
	}
	t := &CharTable{chars: rs, index: make(map[rune]int, len(rs))}
	for i, c := range rs {
		t.index[c] = i
	}
	return t, nil
}

// Len returns the number of characters, the size of a one-hot row.
func (t *CharTable) Len() int { return len(t.chars) }

// Chars returns the characters in index order.
func (t *CharTable) Chars() string { return string(t.chars) }

// Index returns the index of c and whether c is in the table.
func (t *CharTable) Index(c rune) (int, bool) {
	i, ok := t.index[c]
	return i, ok
}

// Char returns the character of index i. It panics if i is out of range,
// like indexing a slice.
func (t *CharTable) Char(i int) rune { return t.chars[i] }

// Encode returns the one-hot encoding of the strings ss, each of exactly
// steps characters: (len(ss), steps, Len()) values, row-major, 1 at
// [n, s, index of ss[n][s]]. It returns an error naming the string for a
// wrong length or a character not in the table.
func (t *CharTable) Encode(ss []string, steps int) ([]float64, error) {
	k := len(t.chars)
	out := make([]float64, len(ss)*steps*k)
	for n, s := range ss {
		rs := []rune(s)
		if len(rs) != steps {
			return nil, fmt.Errorf("datasets: encoding %q (string %d): %d characters, want %d", s, n, len(rs), steps)
		}
		for i, c := range rs {
			j, ok := t.index[c]
			if !ok {
				return nil, fmt.Errorf("datasets: encoding %q (string %d): character %q not in the table %q", s, n, c, string(t.chars))
			}
			out[(n*steps+i)*k+j] = 1
		}
	}
	return out, nil
}

// Decode returns the string of the rows of x, each Len() values (one-hot
// or probabilities), the character of the largest value of each row (the
// first on ties), as Keras' CharacterTable.decode. It returns an error
// when len(x) is not a multiple of Len().
func (t *CharTable) Decode(x []float64) (string, error) {
	k := len(t.chars)
	if len(x)%k != 0 {
		return "", fmt.Errorf("datasets: decoding %d values: want a multiple of the table's %d characters", len(x), k)
	}
	out := make([]rune, len(x)/k)
	for i := range out {
		out[i] = t.chars[argmax(x[i*k:(i+1)*k])]
	}
	return string(out), nil
}

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// CharAccuracy returns the fraction of equal characters at equal positions
// of got and want (Keras' per-character accuracy of addition_rnn) and the
// fraction of equal strings (exact match). Strings of different lengths
// count the characters beyond the shorter as wrong. It returns an error
// when the slices have different lengths or are empty.
func CharAccuracy(got, want []string) (perChar, exact float64, err error) {
	if len(got) != len(want) || len(want) == 0 {
		return 0, 0, fmt.Errorf("datasets: accuracy of %d strings against %d: want the same, non-zero number", len(got), len(want))
	}
	right, total, same := 0, 0, 0
	for i := range want {
		g, w := []rune(got[i]), []rune(want[i])
		for j := range max(len(g), len(w)) {
			if j < len(g) && j < len(w) && g[j] == w[j] {
				right++
			}
			total++
		}
		if got[i] == want[i] {
			same++
		}
	}
	if total == 0 {
		return 0, float64(same) / float64(len(want)), nil
	}
	return float64(right) / float64(total), float64(same) / float64(len(want)), nil
}
