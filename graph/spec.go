package graph

// Spec is the serializable description of a configurable object
// (an initializer, a regularizer or a constraint): its Keras name and its
// numeric arguments, as in Keras' get_config. Arguments left out take the
// Keras defaults.
type Spec struct {
	Name string             `json:"name"`
	Args map[string]float64 `json:"args,omitempty"`
}
