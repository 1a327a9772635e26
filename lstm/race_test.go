//go:build race

package lstm

// raceEnabled: the race detector makes sync.Pool drop items on purpose, so
// the allocation counts of the tests do not hold under it.
const raceEnabled = true
