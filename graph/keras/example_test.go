package keras_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/keras"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
	"github.com/golstm/golstm/optim"
)

// Load a model that Keras 3 saved as .keras and predict with it.
func ExampleLoad() {
	m, err := keras.Load("testdata/k3.4.1_lstm_stacked.keras")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.InputShape(), "->", m.OutputShape())
	x := graph.NewTensor(m.Dtype(), []int{1, 5, 1}, []float64{0.06, -0.07, 0.32, 0.05, -0.27})
	y, err := m.Predict(x, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.4f\n", graph.Float64s(y)[0])
	fmt.Println("compiled with", m.Optimizer().Name())
	// Output:
	// [5 1] -> [1]
	// -0.0504
	// compiled with adam
}

// Read a to_json() architecture and its save_weights file.
func ExampleLoadWeights() {
	arch, err := os.ReadFile("testdata/w_k2.1.3_stateful_lstm_architecture.json")
	if err != nil {
		log.Fatal(err)
	}
	m, err := keras.ModelFromJSON(arch, keras.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if err := keras.LoadWeights(m, "testdata/w_k2.1.3_stateful_lstm_weights.h5", false); err != nil {
		log.Fatal(err)
	}
	for _, l := range m.Layers() {
		fmt.Println(l.Name(), l.Type())
	}
	// Output:
	// lstm_1 LSTM
	// dense_1 Dense
}

// Save a model trained in Go for a Keras user, who loads it with
// keras.models.load_model("model.h5").
func ExampleSave() {
	c := lstm.Default(8)
	c.Name = "lstm_1"
	l, _ := lstm.New(c)
	dc := layers.DenseDefaults(1)
	dc.Name = "dense_1"
	d, _ := layers.NewDense(dc)
	m, _ := model.NewSequential(graph.Float32, l, d)
	if err := m.Build(graph.None, 3); err != nil {
		log.Fatal(err)
	}
	if err := m.Compile("mse", optim.NewAdam()); err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "keras")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.h5")
	if err := keras.Save(m, path); err != nil {
		log.Fatal(err)
	}
	back, err := keras.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Summary())
	// Output:
	// _________________________________________________________________
	// Layer (type)                   Output Shape              Param #
	// =================================================================
	// lstm_1 (LSTM)                  (None, 8)                     384
	// dense_1 (Dense)                (None, 1)                       9
	// =================================================================
	// Total params: 393
	// _________________________________________________________________
}
