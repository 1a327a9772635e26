package graph

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// LayerFactory rebuilds an unbuilt layer named name from the JSON that the
// layer's Config returned.
type LayerFactory func(name string, config json.RawMessage) (Layer, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]LayerFactory{}
)

// RegisterLayer makes layers of type typeName loadable (see Load): packages
// that define a layer call it from their init function, for example
// graph.RegisterLayer("LSTM", newLSTMFromConfig).
// It panics if typeName is empty, factory is nil or typeName is already
// registered: all three are programmer errors.
func RegisterLayer(typeName string, factory LayerFactory) {
	if typeName == "" || factory == nil {
		panic("graph: RegisterLayer needs a type name and a factory")
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[typeName]; dup {
		panic(fmt.Sprintf("graph: layer type %q registered twice", typeName))
	}
	registry[typeName] = factory
}

// LookupLayer returns the factory registered for typeName, or an error that
// lists the registered types.
func LookupLayer(typeName string) (LayerFactory, error) {
	registryMu.RLock()
	f, ok := registry[typeName]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("graph: layer type %q not registered: registered are %s (import the package that defines it)",
			typeName, strings.Join(RegisteredLayers(), ", "))
	}
	return f, nil
}

// RegisteredLayers returns the registered layer types, sorted.
func RegisteredLayers() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NewLayer rebuilds an unbuilt layer of type typeName named name from its
// Config JSON, through the registered factory.
func NewLayer(typeName, name string, config json.RawMessage) (Layer, error) {
	f, err := LookupLayer(typeName)
	if err != nil {
		return nil, err
	}
	l, err := f(name, config)
	if err != nil {
		return nil, fmt.Errorf("graph: rebuilding layer %q of type %s: %w", name, typeName, err)
	}
	return l, nil
}
