// Package genpkg exports a generic interface whose method uses its type
// parameter: gomacro's plugin generator stops on it ("unexpected type T").
package genpkg

// Getter gets a T.
type Getter[T any] interface{ Get() T }

// One returns 1.
func One() int { return 1 }
