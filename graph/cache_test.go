package graph

import (
	"fmt"
	"sync"
	"testing"
)

// testProg is a compiled program of a key, which records whether it was
// closed.
type testProg struct {
	key    string
	closed bool
}

func newTestCache() (*ProgramCache[string, *testProg], *[]*testProg) {
	var all []*testProg
	var mu sync.Mutex
	c := NewProgramCache(func(k string) (*testProg, error) {
		if k == "bad" {
			return nil, fmt.Errorf("cannot compile %q", k)
		}
		p := &testProg{key: k}
		mu.Lock()
		all = append(all, p)
		mu.Unlock()
		return p, nil
	}, func(p *testProg) { p.closed = true })
	return c, &all
}

// TestProgramCacheReuse: a program given back is handed out again for its
// key, and a second caller while the first holds it gets another.
func TestProgramCacheReuse(t *testing.T) {
	c, _ := newTestCache()
	p1, put1, err := c.Get("a")
	if err != nil {
		t.Fatal(err)
	}
	p2, put2, _ := c.Get("a")
	if p1 == p2 {
		t.Fatal("two callers got the same program at once")
	}
	put1()
	put1() // a second call is a no-op
	if c.Len() != 1 {
		t.Fatalf("Len %d after one give-back, want 1", c.Len())
	}
	p3, put3, _ := c.Get("a")
	if p3 != p1 {
		t.Error("an idle program was not reused")
	}
	put2()
	put3()
	if c.Compiled() != 2 || c.Len() != 2 {
		t.Errorf("compiled %d, idle %d: want 2 and 2", c.Compiled(), c.Len())
	}
	if _, _, err := c.Get("bad"); err == nil {
		t.Error("compile error not returned")
	}
}

// TestProgramCacheEvictsLeastRecentlyUsed: beyond the capacity the least
// recently given back program is closed.
func TestProgramCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c, all := newTestCache()
	if err := c.SetCapacity(2); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b", "c"} {
		_, put, _ := c.Get(k)
		put()
	}
	if c.Len() != 2 {
		t.Fatalf("Len %d, want 2", c.Len())
	}
	closed := map[string]bool{}
	for _, p := range *all {
		closed[p.key] = p.closed
	}
	if !closed["a"] || closed["b"] || closed["c"] {
		t.Errorf("closed %v: want only a (the least recently used)", closed)
	}
	// b used again, then d: c is now the least recently used.
	_, put, _ := c.Get("b")
	put()
	_, put, _ = c.Get("d")
	put()
	for _, p := range *all {
		if want := p.key == "a" || p.key == "c"; p.closed != want {
			t.Errorf("program %s closed %v, want %v", p.key, p.closed, want)
		}
	}
	if err := c.SetCapacity(-1); err == nil {
		t.Error("negative capacity accepted")
	}
	c.SetCapacity(0)
	if c.Len() != 0 {
		t.Errorf("Len %d at capacity 0", c.Len())
	}
}

// TestProgramCacheClear: Clear closes idle programs, and a program in use
// during Clear is closed when given back.
func TestProgramCacheClear(t *testing.T) {
	c, _ := newTestCache()
	idle, put, _ := c.Get("a")
	put()
	busy, putBusy, _ := c.Get("b")
	c.Clear()
	if !idle.closed || busy.closed {
		t.Fatalf("after Clear: idle closed %v, busy closed %v: want true, false", idle.closed, busy.closed)
	}
	putBusy()
	if !busy.closed || c.Len() != 0 {
		t.Errorf("a program from before Clear was kept (closed %v, Len %d)", busy.closed, c.Len())
	}
}

// TestProgramCacheConcurrent: many goroutines never share a program (run
// with -race).
func TestProgramCacheConcurrent(t *testing.T) {
	c, _ := newTestCache()
	c.SetCapacity(4)
	var mu sync.Mutex
	inUse := map[*testProg]bool{}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				p, put, err := c.Get(fmt.Sprint(i % 3))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if inUse[p] {
					t.Errorf("program %p handed out twice", p)
				}
				inUse[p] = true
				mu.Unlock()
				mu.Lock()
				inUse[p] = false
				mu.Unlock()
				put()
			}
		}(g)
	}
	wg.Wait()
	if c.Len() > 4 {
		t.Errorf("Len %d above capacity 4", c.Len())
	}
}
