package keras

import (
	_ "github.com/golstm/golstm/graph/layers"
	_ "github.com/golstm/golstm/lstm"
)
