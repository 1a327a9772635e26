package optim_test

import (
	"fmt"
	"log"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/optim"
	"gorgonia.org/tensor"
)

// One Adam step from p = (1, -2) with gradient g = (0.5, 0.5). The first
// Adam step is p − lr·g/(|g| + ε/√(1−β2)): about lr against the sign of g,
// a little less because of ε = 1e-7.
func ExampleAdam() {
	p := &graph.Param{
		Name:  "w",
		Value: graph.NewTensor(tensor.Float64, []int{2}, []float64{1, -2}),
		Grad:  graph.NewTensor(tensor.Float64, []int{2}, []float64{0.5, 0.5}),
	}
	opt := optim.NewAdam()
	opt.LR = 0.1
	if err := opt.Step([]*graph.Param{p}); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.6f\n", graph.Float64s(p.Value))
	// Output:
	// [0.900001 -2.099999]
}

// SGD with momentum 0.9 on loss ½p², gradient p, from p = 1: three steps
// (v = 0.9·v − 0.1·p; p = p + v: v = −0.1, −0.18, −0.234).
func ExampleSGD() {
	p := &graph.Param{
		Name:  "w",
		Value: graph.NewTensor(tensor.Float64, []int{1}, []float64{1}),
		Grad:  graph.NewTensor(tensor.Float64, []int{1}, nil),
	}
	opt := optim.NewSGD()
	opt.LR, opt.Momentum = 0.1, 0.9
	for i := 0; i < 3; i++ {
		p.Grad.Data().([]float64)[0] = p.Value.Data().([]float64)[0]
		if err := opt.Step([]*graph.Param{p}); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%.4f\n", p.Value.Data().([]float64)[0])
	}
	// Output:
	// 0.9000
	// 0.7200
	// 0.4860
}

func ExampleNew() {
	opt, err := optim.New("rmsprop", 0) // 0: Keras' default lr
	if err != nil {
		log.Fatal(err)
	}
	b, err := optim.Marshal(opt)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(b))
	_, err = optim.New("adamw", 0.001)
	fmt.Println(err)
	// Output:
	// {"class_name":"RMSprop","config":{"lr":0.001,"rho":0.9,"decay":0,"epsilon":1e-7}}
	// optim: unknown optimizer "adamw": want one of sgd, rmsprop, adagrad, adadelta, adam, adamax, nadam
}
