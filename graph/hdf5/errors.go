package hdf5

import (
	"errors"
	"fmt"
)

// Errors returned by this package wrap one of these, so callers can tell the
// cases apart with errors.Is.
var (
	// ErrCorrupt: the file is not HDF5, or is truncated, malformed or
	// inconsistent (a bad signature or checksum, an address past the end of
	// the file, a size that does not add up, a loop).
	ErrCorrupt = errors.New("corrupt file")

	// ErrUnsupported: a valid HDF5 feature that this package does not read,
	// such as a compound datatype or the szip filter. The message names the
	// feature.
	ErrUnsupported = errors.New("not supported")

	// ErrNotFound: a group has no member or an object no attribute of the
	// requested name.
	ErrNotFound = errors.New("not found")

	// ErrTooLarge: reading the object would need more memory than the file's
	// size justifies (see File.SetDataLimit), or a value exceeds a limit of
	// the format (such as the 64 KiB of an object header message).
	ErrTooLarge = errors.New("too large")

	// ErrType: the value cannot be read as the requested Go type (for
	// example Float64s of a string attribute).
	ErrType = errors.New("wrong type")
)

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

func unsupportedf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}

func tooLargef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrTooLarge, fmt.Sprintf(format, args...))
}

func typef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrType, fmt.Sprintf(format, args...))
}

// pathError prefixes err with the package name and the object path, once.
func pathError(path string, err error) error {
	if err == nil {
		return nil
	}
	var pe *objError
	if errors.As(err, &pe) {
		return err
	}
	return &objError{path: path, err: err}
}

// objError is an error about the object at path.
type objError struct {
	path string
	err  error
}

func (e *objError) Error() string { return "hdf5: " + e.path + ": " + e.err.Error() }
func (e *objError) Unwrap() error { return e.err }
