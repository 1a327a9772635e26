package hdf5_test

import (
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/golstm/golstm/graph/hdf5"
)

// Read the weights of a Keras 2.2 model file, following the layer_names and
// weight_names attributes as Keras does.
func Example() {
	data, err := os.ReadFile("../keras/testdata/k2.2.0_dl4j_masking_lstm.h5")
	if err != nil {
		log.Fatal(err)
	}
	f, err := hdf5.Parse(data)
	if err != nil {
		log.Fatal(err)
	}
	version, err := f.Root().Attr("keras_version")
	if err != nil {
		log.Fatal(err)
	}
	v, err := version.String()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Keras", v)
	mw, err := f.Root().Group("model_weights")
	if err != nil {
		log.Fatal(err)
	}
	layers, err := mw.Attr("layer_names")
	if err != nil {
		log.Fatal(err)
	}
	names, err := layers.Strings()
	if err != nil {
		log.Fatal(err)
	}
	for _, layer := range names {
		g, err := mw.Group(layer)
		if err != nil {
			log.Fatal(err)
		}
		wn, err := g.Attr("weight_names")
		if err != nil {
			log.Fatal(err)
		}
		if wn.Datatype().Class != hdf5.String {
			fmt.Println(layer, "has no weights") // an empty float64 array
			continue
		}
		weights, err := wn.Strings()
		if err != nil {
			log.Fatal(err)
		}
		for _, w := range weights {
			d, err := g.Dataset(w)
			if err != nil {
				log.Fatal(err)
			}
			fmt.Println(layer, w, d.Shape(), d.Datatype())
		}
	}
	// Output:
	// Keras 2.2.0
	// masking_1 has no weights
	// lstm_1 lstm_1/kernel:0 [42 128] little-endian float32
	// lstm_1 lstm_1/recurrent_kernel:0 [32 128] little-endian float32
	// lstm_1 lstm_1/bias:0 [128] little-endian float32
}

// Write a file in the layout of Keras 2.2.4's model.save and read it back.
func ExampleWriter() {
	w := hdf5.NewWriter()
	root := w.Root()
	root.SetAttr("keras_version", hdf5.ASCIIString("2.2.4"))
	root.SetAttr("backend", hdf5.ASCIIString("tensorflow"))
	mw, err := root.CreateGroup("model_weights")
	if err != nil {
		log.Fatal(err)
	}
	mw.SetAttr("layer_names", hdf5.FixedStrings{"dense_1", "dropout_1"})
	dense, _ := mw.CreateGroup("dense_1")
	dense.SetAttr("weight_names", hdf5.FixedStrings{"dense_1/kernel:0", "dense_1/bias:0"})
	inner, _ := dense.CreateGroup("dense_1")
	inner.CreateDataset("kernel:0", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	inner.CreateDataset("bias:0", []int{3}, []float32{0.5, 0, -0.5})
	dropout, _ := mw.CreateGroup("dropout_1")
	dropout.SetAttr("weight_names", []float64{}) // a layer without weights
	data, err := w.Bytes()
	if err != nil {
		log.Fatal(err)
	}

	f, err := hdf5.Parse(data)
	if err != nil {
		log.Fatal(err)
	}
	k, err := f.Root().Dataset("model_weights/dense_1/dense_1/kernel:0")
	if err != nil {
		log.Fatal(err)
	}
	values, err := k.Float32s()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(k.Shape(), values)
	// Output:
	// [2 3] [1 2 3 4 5 6]
}

// Walk visits every group and dataset once.
func ExampleGroup_Walk() {
	data, err := os.ReadFile("../keras/testdata/k2.1.3_dl4j_bidirectional_lstm.h5")
	if err != nil {
		log.Fatal(err)
	}
	f, err := hdf5.Parse(data)
	if err != nil {
		log.Fatal(err)
	}
	err = f.Root().Walk(func(path string, obj hdf5.Object) error {
		if d, ok := obj.(*hdf5.Dataset); ok {
			fmt.Println(path, d.Shape())
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// /model_weights/bidirectional_1/bidirectional_1/backward_lstm_1/bias:0 [40]
	// /model_weights/bidirectional_1/bidirectional_1/backward_lstm_1/kernel:0 [10 40]
	// /model_weights/bidirectional_1/bidirectional_1/backward_lstm_1/recurrent_kernel:0 [10 40]
	// /model_weights/bidirectional_1/bidirectional_1/forward_lstm_1/bias:0 [40]
	// /model_weights/bidirectional_1/bidirectional_1/forward_lstm_1/kernel:0 [10 40]
	// /model_weights/bidirectional_1/bidirectional_1/forward_lstm_1/recurrent_kernel:0 [10 40]
}

// An attribute too large for an object header is refused with ErrTooLarge;
// Keras then splits it into layer_names0, layer_names1, ...
func ExampleGroupWriter_SetAttr() {
	w := hdf5.NewWriter()
	names := make(hdf5.FixedStrings, 5000)
	for i := range names {
		names[i] = fmt.Sprintf("layer_with_a_long_name_%d", i)
	}
	err := w.Root().SetAttr("layer_names", names)
	fmt.Println(err)
	for parts := 2; errors.Is(err, hdf5.ErrTooLarge); parts++ {
		err = nil
		for i := 0; i < parts && err == nil; i++ {
			part := names[i*len(names)/parts : (i+1)*len(names)/parts]
			err = w.Root().SetAttr(fmt.Sprintf("layer_names%d", i), part)
		}
	}
	if err != nil {
		log.Fatal(err)
	}
	data, err := w.Bytes()
	if err != nil {
		log.Fatal(err)
	}
	f, err := hdf5.Parse(data)
	if err != nil {
		log.Fatal(err)
	}
	attrs, err := f.Root().Attrs()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(attrs)
	// Output:
	// hdf5: /: attribute "layer_names": too large: its message takes 135056 bytes, more than the 65528 an object header message holds; split the value into several attributes
	// [layer_names0 layer_names1 layer_names2]
}
