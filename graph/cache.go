package graph

import (
	"container/list"
	"fmt"
	"sync"
)

// DefaultProgramCacheSize is the number of idle compiled programs a layer
// keeps by default (see ProgramCache). A Gorgonia graph is compiled for fixed
// shapes, so a layer compiles one program per batch size and, for some
// programs, per sequence length; 32 covers a training run (full and last
// batch, training and inference, a few lengths) while bounding what a
// long-running program that sees many lengths holds.
const DefaultProgramCacheSize = 32

// ProgramCache holds the compiled programs of a layer (Gorgonia graphs
// compiled for one key: what the program computes and the shapes it was
// compiled for). Get hands a program to one caller at a time and compiles
// another for a concurrent caller of the same key, so that a layer can run
// inference from several goroutines at once; the function Get returns gives
// the program back. At most Capacity idle programs are kept: giving one back
// beyond that closes the least recently used. A ProgramCache is safe for
// concurrent use.
type ProgramCache[K comparable, P any] struct {
	compile func(K) (P, error)
	close   func(P)

	mu       sync.Mutex
	capacity int
	gen      uint64                // bumped by Clear: older programs are not kept
	idle     map[K][]*list.Element // per key, most recently given back last
	lru      *list.List            // of *cached[K, P], most recently used at the front
	compiled int                   // programs compiled so far (for tests and docs)
}

type cached[K comparable, P any] struct {
	key  K
	prog P
}

// NewProgramCache returns a cache of DefaultProgramCacheSize that compiles
// with compile and releases an evicted program with close (nil: nothing to
// release). It panics if compile is nil: a programmer error.
func NewProgramCache[K comparable, P any](compile func(K) (P, error), close func(P)) *ProgramCache[K, P] {
	if compile == nil {
		panic("graph: NewProgramCache needs a compile function")
	}
	return &ProgramCache[K, P]{compile: compile, close: close, capacity: DefaultProgramCacheSize,
		idle: map[K][]*list.Element{}, lru: list.New()}
}

// Get returns a program for key, an idle one if there is one, else a newly
// compiled one, and the function that gives it back; until then no other
// caller gets it. Call the function once, when the program's last run is
// done and its outputs are read.
func (c *ProgramCache[K, P]) Get(key K) (P, func(), error) {
	c.mu.Lock()
	gen := c.gen
	if els := c.idle[key]; len(els) > 0 {
		el := els[len(els)-1]
		c.removeLocked(el)
		c.mu.Unlock()
		p := el.Value.(*cached[K, P]).prog
		return p, c.giveBack(gen, key, p), nil
	}
	c.compiled++
	c.mu.Unlock()
	p, err := c.compile(key)
	if err != nil {
		var zero P
		return zero, func() {}, err
	}
	return p, c.giveBack(gen, key, p), nil
}

func (c *ProgramCache[K, P]) giveBack(gen uint64, key K, p P) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			if gen != c.gen || c.capacity == 0 {
				c.mu.Unlock()
				c.release(p)
				return
			}
			c.idle[key] = append(c.idle[key], c.lru.PushFront(&cached[K, P]{key: key, prog: p}))
			evicted := c.trimLocked()
			c.mu.Unlock()
			for _, e := range evicted {
				c.release(e)
			}
		})
	}
}

// removeLocked takes el out of the idle lists.
func (c *ProgramCache[K, P]) removeLocked(el *list.Element) {
	k := el.Value.(*cached[K, P]).key
	els := c.idle[k]
	for i, e := range els {
		if e == el {
			els = append(els[:i], els[i+1:]...)
			break
		}
	}
	if len(els) == 0 {
		delete(c.idle, k)
	} else {
		c.idle[k] = els
	}
	c.lru.Remove(el)
}

// trimLocked removes idle programs beyond the capacity, least recently used
// first, and returns them for release outside the lock.
func (c *ProgramCache[K, P]) trimLocked() []P {
	var out []P
	for c.lru.Len() > c.capacity {
		el := c.lru.Back()
		c.removeLocked(el)
		out = append(out, el.Value.(*cached[K, P]).prog)
	}
	return out
}

func (c *ProgramCache[K, P]) release(p P) {
	if c.close != nil {
		c.close(p)
	}
}

// Capacity returns the number of idle programs the cache keeps at most.
func (c *ProgramCache[K, P]) Capacity() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.capacity
}

// SetCapacity sets the number of idle programs kept (0 keeps none: every
// call compiles), closing the least recently used beyond it. It returns an
// error for n < 0.
func (c *ProgramCache[K, P]) SetCapacity(n int) error {
	if n < 0 {
		return fmt.Errorf("graph: program cache size %d: want 0 or more", n)
	}
	c.mu.Lock()
	c.capacity = n
	evicted := c.trimLocked()
	c.mu.Unlock()
	for _, p := range evicted {
		c.release(p)
	}
	return nil
}

// Len returns the number of idle programs held.
func (c *ProgramCache[K, P]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// Compiled returns how many programs the cache has compiled so far.
func (c *ProgramCache[K, P]) Compiled() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.compiled
}

// Clear closes every idle program; programs in use when Clear is called are
// closed when given back instead of being kept (a layer clears its cache
// when its weights' shapes change).
func (c *ProgramCache[K, P]) Clear() {
	c.mu.Lock()
	c.gen++
	evicted := make([]P, 0, c.lru.Len())
	for c.lru.Len() > 0 {
		el := c.lru.Back()
		c.removeLocked(el)
		evicted = append(evicted, el.Value.(*cached[K, P]).prog)
	}
	c.mu.Unlock()
	for _, p := range evicted {
		c.release(p)
	}
}

// ProgramCacheSizer is implemented by layers that keep a ProgramCache, so
// that a model can set the size of all of them.
type ProgramCacheSizer interface {
	// SetProgramCacheSize sets the number of idle compiled programs the
	// layer keeps (see ProgramCache.SetCapacity).
	SetProgramCacheSize(n int) error
}
