package forecast

// InputError is the error Run returns for bad input: a setting out of
// range, a file that cannot be read or parsed, or a series too short for
// the settings. Other errors of Run come from training or prediction.
type InputError struct{ Err error }

// Error returns the underlying message.
func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// inputErr wraps a non-nil err as an *InputError.
func inputErr(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}
