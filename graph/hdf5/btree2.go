package hdf5

import (
	"bytes"
	"math/bits"
)

// Version 2 B-tree record types (III.A.2).
const (
	bt2HugeObjects   = 1  // indirectly accessed, non-filtered huge heap objects
	bt2LinkNames     = 5  // links of a dense group, by name hash
	bt2LinkOrder     = 6  // links of a dense group, by creation order
	bt2AttrNames     = 8  // dense attributes, by name hash
	bt2AttrOrder     = 9  // dense attributes, by creation order
	bt2Chunks        = 10 // chunks without filters
	bt2FilteredChunk = 11 // chunks with filters
)

// maxBTree2Depth bounds the depth of a version 2 B-tree; the node
// capacities make anything deeper impossible in a file of 2^64 bytes.
const maxBTree2Depth = 16

// A btree2 is a version 2 B-tree header.
type btree2 struct {
	typ      int
	nodeSize int
	recSize  int
	depth    int
	root     uint64
	rootNrec int
	owner    uint64
	// per level: the most records a node holds, and the bytes that encode
	// a child's (total) record count
	maxNrec     []uint64
	cumMaxNrec  []uint64
	cumNrecSize []int
	nrecSize    int
}

// limitEncSize is the bytes needed to encode values up to v
// (H5VM_limit_enc_size).
func limitEncSize(v uint64) int {
	return (bits.Len64(v)-1)/8 + 1
}

func (f *File) readBTree2(addr uint64, wantType int, owner uint64) (*btree2, error) {
	if err := f.claim(addr, owner, "v2 B-tree header"); err != nil {
		return nil, err
	}
	size := 4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + f.sizeOff + 2 + f.sizeLen + 4
	b, err := f.readAt(addr, int64(size), "v2 B-tree header")
	if err != nil {
		return nil, err
	}
	c := f.cursor(b, "v2 B-tree header")
	if !bytes.Equal(c.bytes(4), []byte("BTHD")) {
		return nil, corruptf("v2 B-tree header at %#x has no BTHD signature", addr)
	}
	if v := c.u8(); v != 0 {
		return nil, corruptf("v2 B-tree version %d", v)
	}
	t := &btree2{typ: int(c.u8()), owner: owner}
	t.nodeSize = int(c.u32())
	t.recSize = int(c.u16())
	t.depth = int(c.u16())
	c.skip(2) // split and merge percents
	t.root = c.addr()
	t.rootNrec = int(c.u16())
	c.length() // total records
	if c.err != nil {
		return nil, c.err
	}
	if err := f.checksum(b, "v2 B-tree header"); err != nil {
		return nil, err
	}
	if t.typ != wantType {
		return nil, corruptf("v2 B-tree at %#x has type %d, want %d", addr, t.typ, wantType)
	}
	if t.recSize == 0 || t.nodeSize < 10+t.recSize || int64(t.nodeSize) > f.size || t.depth > maxBTree2Depth {
		return nil, corruptf("v2 B-tree at %#x: node size %d, record size %d, depth %d", addr, t.nodeSize, t.recSize, t.depth)
	}
	// Node capacities (H5B2__hdr_init): leaves hold (nodeSize-10)/recSize
	// records; an internal node at depth d holds records and d-1 child
	// pointers (address, record count and, above depth 1, total count).
	t.maxNrec = []uint64{uint64((t.nodeSize - 10) / t.recSize)}
	t.cumMaxNrec = []uint64{t.maxNrec[0]}
	t.cumNrecSize = []int{0}
	t.nrecSize = limitEncSize(t.maxNrec[0])
	for d := 1; d <= t.depth; d++ {
		ptr := f.sizeOff + t.nrecSize
		if d > 1 {
			ptr += t.cumNrecSize[d-1]
		}
		n := (t.nodeSize - 10 - ptr) / (t.recSize + ptr)
		if n <= 0 {
			return nil, corruptf("v2 B-tree at %#x: nodes of %d bytes cannot reach depth %d", addr, t.nodeSize, t.depth)
		}
		t.maxNrec = append(t.maxNrec, uint64(n))
		hi, cum := bits.Mul64(uint64(n)+1, t.cumMaxNrec[d-1])
		cum += uint64(n)
		if hi != 0 || cum < uint64(n) {
			cum = ^uint64(0)
		}
		t.cumMaxNrec = append(t.cumMaxNrec, cum)
		t.cumNrecSize = append(t.cumNrecSize, min(limitEncSize(cum), 8))
	}
	return t, nil
}

// bt2Records calls fn for every record of the tree, in key order.
func (f *File) bt2Records(t *btree2, fn func(rec []byte) error) error {
	if t.root == f.undef() || t.rootNrec == 0 {
		return nil
	}
	seen := map[uint64]bool{}
	var walk func(addr uint64, nrec int, depth int) error
	walk = func(addr uint64, nrec int, depth int) error {
		if seen[addr] {
			return corruptf("v2 B-tree has a loop at %#x", addr)
		}
		seen[addr] = true
		if err := f.claim(addr, t.owner, "v2 B-tree node"); err != nil {
			return err
		}
		if uint64(nrec) > t.maxNrec[depth] {
			return corruptf("v2 B-tree node at %#x has %d records, at most %d fit", addr, nrec, t.maxNrec[depth])
		}
		b, err := f.readAt(addr, int64(t.nodeSize), "v2 B-tree node")
		if err != nil {
			return err
		}
		c := f.cursor(b, "v2 B-tree node")
		sig := c.bytes(4)
		want := []byte("BTLF")
		if depth > 0 {
			want = []byte("BTIN")
		}
		if !bytes.Equal(sig, want) {
			return corruptf("v2 B-tree node at %#x has signature %q, want %q", addr, sig, want)
		}
		if v := c.u8(); v != 0 {
			return corruptf("v2 B-tree node version %d", v)
		}
		if typ := int(c.u8()); typ != t.typ {
			return corruptf("v2 B-tree node at %#x has type %d, want %d", addr, typ, t.typ)
		}
		recs := c.bytes(nrec * t.recSize)
		type child struct {
			addr uint64
			nrec int
		}
		var children []child
		if depth > 0 {
			for range nrec + 1 {
				a := c.addr()
				n := c.uvar(t.nrecSize)
				if depth > 1 {
					c.uvar(t.cumNrecSize[depth-1])
				}
				children = append(children, child{a, int(min(n, 1<<30))})
			}
		}
		if c.err == nil && c.rest() < 4 {
			c.need(4)
		}
		if c.err != nil {
			return c.err
		}
		if err := f.checksum(b[:c.off+4], "v2 B-tree node"); err != nil {
			return err
		}
		for i := 0; i <= nrec; i++ {
			if depth > 0 {
				if err := walk(children[i].addr, children[i].nrec, depth-1); err != nil {
					return err
				}
			}
			if i < nrec {
				if err := fn(recs[i*t.recSize : (i+1)*t.recSize]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(t.root, t.rootNrec, t.depth)
}
