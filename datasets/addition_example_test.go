package datasets_test

import (
	"fmt"
	"log"

	"github.com/golstm/golstm/datasets"
)

// ExampleGenerateAddition makes Keras' addition_rnn data: questions padded
// to 2·Digits+1 characters (reversed, as Keras' example does), answers
// padded to Digits+1, one-hot encoded over the sorted character table.
func ExampleGenerateAddition() {
	data, err := datasets.GenerateAddition(datasets.AdditionConfig{Examples: 1000, Digits: 3, Reverse: true, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	train, test, err := data.Split(0.1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train.Len(), "training and", test.Len(), "held-out questions")
	for i := range 3 {
		fmt.Printf("%q is %s, answer %q\n", data.Questions[i], data.Question(i), data.Answers[i])
	}

	chars, _ := datasets.NewCharTable(datasets.AdditionChars)
	x, err := chars.Encode(data.Questions[:1], data.QuestionLen())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("one-hot shape", []int{1, data.QuestionLen(), chars.Len()}, "values", len(x))
	s, _ := chars.Decode(x)
	fmt.Printf("decoded %q\n", s)
	// Output:
	// 900 training and 100 held-out questions
	// "693+897" is 798+396, answer "1194"
	// " 73+833" is 338+37, answer "375 "
	// "    2+7" is 7+2, answer "9   "
	// one-hot shape [1 7 12] values 84
	// decoded "693+897"
}
