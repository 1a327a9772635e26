package callbacks

import (
	"fmt"

	"github.com/golstm/golstm/graph/model"
)

// fitOutput writes a callback's messages, as Keras prints them with
// verbose > 0, to the Fit's output.
type fitOutput struct {
	params  model.FitParams
	verbose int
}

func (o fitOutput) printf(format string, args ...any) {
	if o.verbose > 0 && o.params.Output != nil {
		fmt.Fprintf(o.params.Output, format+"\n", args...)
	}
}
