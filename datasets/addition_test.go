package datasets

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// parseQuestion reads "a+b" (unreversed, unpadded) back into its operands.
func parseQuestion(t *testing.T, q string) (int, int) {
	t.Helper()
	a, b, ok := strings.Cut(q, "+")
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		t.Fatalf("question %q is not a+b", q)
	}
	return x, y
}

// TestGenerateAddition: every question is padded to 2·Digits+1, reversed
// when asked, its answer is the padded sum, no unordered pair repeats, and
// the same seed gives the same data.
func TestGenerateAddition(t *testing.T) {
	for _, c := range []AdditionConfig{
		{Examples: 2000, Digits: 3, Reverse: true, Seed: 1},
		{Examples: 500, Digits: 2, Seed: 7},
		{Examples: 55, Digits: 1, Seed: 3}, // every unordered pair of digits
	} {
		a, err := GenerateAddition(c)
		if err != nil {
			t.Fatal(err)
		}
		if a.Len() != c.Examples || len(a.Answers) != c.Examples {
			t.Fatalf("%+v: %d questions, %d answers", c, a.Len(), len(a.Answers))
		}
		if a.QuestionLen() != 2*c.Digits+1 || a.AnswerLen() != c.Digits+1 {
			t.Fatalf("%+v: lengths %d, %d", c, a.QuestionLen(), a.AnswerLen())
		}
		seen := map[[2]int]bool{}
		for i, q := range a.Questions {
			if len(q) != a.QuestionLen() || len(a.Answers[i]) != a.AnswerLen() {
				t.Fatalf("%+v: question %q, answer %q: wrong length", c, q, a.Answers[i])
			}
			raw := q
			if c.Reverse {
				raw = reverse(q)
			}
			if got := strings.TrimRight(raw, " "); got != a.Question(i) {
				t.Fatalf("Question(%d) = %q, want %q", i, a.Question(i), got)
			}
			x, y := parseQuestion(t, a.Question(i))
			if x >= int(math.Pow10(c.Digits)) || y >= int(math.Pow10(c.Digits)) {
				t.Fatalf("%q: operand of more than %d digits", q, c.Digits)
			}
			if want := pad(strconv.Itoa(x+y), c.Digits+1); a.Answers[i] != want {
				t.Fatalf("%q: answer %q, want %q", a.Question(i), a.Answers[i], want)
			}
			key := [2]int{min(x, y), max(x, y)}
			if seen[key] {
				t.Fatalf("%+v: pair %v drawn twice", c, key)
			}
			seen[key] = true
		}
		b, _ := GenerateAddition(c)
		if !slices.Equal(a.Questions, b.Questions) {
			t.Errorf("%+v: same seed, other questions", c)
		}
		c.Seed++
		d, _ := GenerateAddition(c)
		if c.Digits > 1 && slices.Equal(a.Questions, d.Questions) {
			t.Errorf("%+v: another seed, same questions", c)
		}
	}
}

// TestAdditionDistribution: as in Keras' generator, an operand's number of
// digits is uniform over 1..Digits before leading zeros, and repeated pairs
// are skipped. A Python run of Keras' loop (random.randint for the length,
// random.choice for the digits, a set of sorted pairs) gives 0.164 for the
// share of operands below 10 among 20000 three-digit questions (0.37 before
// skipping repeats, 0.01 for operands uniform over 0..999); the bounds allow
// for another random stream.
func TestAdditionDistribution(t *testing.T) {
	a, err := GenerateAddition(AdditionConfig{Examples: 20000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	small := 0
	for i := range a.Questions {
		x, y := parseQuestion(t, a.Question(i))
		if x < 10 {
			small++
		}
		if y < 10 {
			small++
		}
	}
	if f := float64(small) / float64(2*a.Len()); f < 0.15 || f > 0.18 {
		t.Errorf("share of one-digit operands %.3f, want about 0.164", f)
	}
}

func TestAdditionSplit(t *testing.T) {
	a, _ := GenerateAddition(AdditionConfig{Examples: 1000, Seed: 2})
	train, test, err := a.Split(0.1)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 900 || test.Len() != 100 {
		t.Fatalf("split 1000 at 0.1: %d and %d", train.Len(), test.Len())
	}
	inTrain := map[[2]int]bool{}
	for i := range train.Questions {
		x, y := parseQuestion(t, train.Question(i))
		inTrain[[2]int{min(x, y), max(x, y)}] = true
	}
	for i := range test.Questions {
		x, y := parseQuestion(t, test.Question(i))
		if inTrain[[2]int{min(x, y), max(x, y)}] {
			t.Errorf("held-out question %q (or its commuted form) is in the training part", test.Question(i))
		}
	}
	if test.Questions[0] != a.Questions[900] || test.Answers[99] != a.Answers[999] {
		t.Error("the held-out part is not the last tenth")
	}
	for _, f := range []float64{-0.1, 1, math.NaN()} {
		if _, _, err := a.Split(f); err == nil || !strings.Contains(err.Error(), "held-out fraction") {
			t.Errorf("Split(%v): error %v", f, err)
		}
	}
}

func TestGenerateAdditionErrors(t *testing.T) {
	cases := []struct {
		cfg  AdditionConfig
		want string
	}{
		{AdditionConfig{Digits: 10}, "Digits 10: want 1 to 9"},
		{AdditionConfig{Digits: -1}, "Digits -1"},
		{AdditionConfig{Examples: -5}, "Examples -5"},
		{AdditionConfig{Examples: 56, Digits: 1}, "make only 55 different questions"},
	}
	for _, c := range cases {
		if _, err := GenerateAddition(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one containing %q", c.cfg, err, c.want)
		}
	}
}

// TestCharTable: Keras' sorted index order, one-hot encoding and argmax
// decoding back to the strings, and errors for bad strings.
func TestCharTable(t *testing.T) {
	ct, err := NewCharTable(AdditionChars)
	if err != nil {
		t.Fatal(err)
	}
	if ct.Len() != 12 || ct.Chars() != " +0123456789" {
		t.Fatalf("table %q of %d", ct.Chars(), ct.Len())
	}
	if i, ok := ct.Index('7'); !ok || i != 9 || ct.Char(9) != '7' {
		t.Errorf("Index('7') = %d, %v", i, ok)
	}
	if _, ok := ct.Index('x'); ok {
		t.Error("Index('x') found")
	}
	ss := []string{"12+3", " 9 +"}
	x, err := ct.Encode(ss, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != 2*4*12 {
		t.Fatalf("%d values", len(x))
	}
	// "1" is index 3 in the first row.
	if x[3] != 1 || x[0] != 0 {
		t.Errorf("first row %v", x[:12])
	}
	var sum float64
	for _, v := range x {
		sum += v
	}
	if sum != 8 {
		t.Errorf("sum of one-hot values %v, want 8", sum)
	}
	got, err := ct.Decode(x)
	if err != nil || got != strings.Join(ss, "") {
		t.Errorf("Decode = %q, %v", got, err)
	}
	// Probabilities: the largest wins, the first on ties.
	p := make([]float64, 24)
	p[5], p[4] = 0.6, 0.4   // '3'
	p[12], p[13] = 0.5, 0.5 // ' ' (first of the tie)
	if got, _ := ct.Decode(p); got != "3 " {
		t.Errorf("Decode of probabilities = %q, want %q", got, "3 ")
	}
	if _, err := ct.Decode(p[:13]); err == nil {
		t.Error("Decode of 13 values: no error")
	}
	if _, err := ct.Encode([]string{"12"}, 4); err == nil || !strings.Contains(err.Error(), "2 characters, want 4") {
		t.Errorf("short string: %v", err)
	}
	if _, err := ct.Encode([]string{"1-23"}, 4); err == nil || !strings.Contains(err.Error(), `character '-' not in the table`) {
		t.Errorf("unknown character: %v", err)
	}
	if _, err := NewCharTable(""); err == nil {
		t.Error("empty table: no error")
	}
}

func TestCharAccuracy(t *testing.T) {
	cases := []struct {
		got, want     []string
		perChar, full float64
	}{
		{[]string{"596 ", "12  "}, []string{"596 ", "12  "}, 1, 1},
		{[]string{"597 ", "12  "}, []string{"596 ", "12  "}, 7.0 / 8, 0.5},
		{[]string{"59", "1000"}, []string{"596 ", "1000"}, 6.0 / 8, 0.5},
	}
	for _, c := range cases {
		pc, ex, err := CharAccuracy(c.got, c.want)
		if err != nil || math.Abs(pc-c.perChar) > 1e-15 || ex != c.full {
			t.Errorf("CharAccuracy(%q, %q) = %v, %v, %v; want %v, %v", c.got, c.want, pc, ex, err, c.perChar, c.full)
		}
	}
	if _, _, err := CharAccuracy([]string{"1"}, nil); err == nil {
		t.Error("different lengths: no error")
	}
}
