package keras

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Limits on what a model file may ask of the loader: a file is untrusted
// input, so every size it declares is checked before anything is
// allocated for it.
const (
	// MaxConfigBytes bounds a JSON document of a file (model_config,
	// training_config, config.json): 64 MiB, far above any real model's.
	MaxConfigBytes = 64 << 20
	// MaxConfigDepth bounds the nesting of arrays and objects in such a
	// document; real configs nest about 10 deep (a nested model about 20).
	MaxConfigDepth = 128
	// MaxLayers bounds the number of layers (and of calls of a layer) a
	// config may describe.
	MaxLayers = 100000
	// MaxWeightsBytes bounds the decompressed size of the weights of a
	// .keras archive, which is read into memory: 4 GiB.
	MaxWeightsBytes = 4 << 30
)

// decodeJSON checks that data is at most MaxConfigBytes and nests at most
// MaxConfigDepth deep, then decodes it into v. what names the document in
// errors.
func decodeJSON(what string, data []byte, v any) error {
	if len(data) > MaxConfigBytes {
		return fmt.Errorf("keras: %s is %d bytes: at most %d accepted", what, len(data), MaxConfigBytes)
	}
	if err := checkDepth(data, MaxConfigDepth); err != nil {
		return fmt.Errorf("keras: %s: %w", what, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("keras: %s is not valid JSON: %w", what, err)
	}
	if dec.More() {
		return fmt.Errorf("keras: %s: data after the JSON value", what)
	}
	return nil
}

// checkDepth returns an error when the arrays and objects of the JSON
// text data nest deeper than limit. It scans the bytes once, skipping
// strings, without decoding anything.
func checkDepth(data []byte, limit int) error {
	depth := 0
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			if depth++; depth > limit {
				return fmt.Errorf("JSON nests deeper than %d levels", limit)
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}
