package hdf5

import "bytes"

// A globalHeaps reads objects from global heap collections (III.E), where
// variable-length strings are stored, caching the collections it has read
// within one read of a dataset or attribute.
type globalHeaps struct {
	f           *File
	collections map[uint64]map[uint32][]byte
	budget      int64 // bytes of string data that may still be returned
	cached      int64
}

func (f *File) globalHeaps() *globalHeaps {
	return &globalHeaps{f: f, collections: map[uint64]map[uint32][]byte{}, budget: f.dataLimit}
}

// object returns object index of the collection at addr.
func (g *globalHeaps) object(addr uint64, index uint32) ([]byte, error) {
	objs, ok := g.collections[addr]
	if !ok {
		var err error
		if objs, err = g.read(addr); err != nil {
			return nil, err
		}
		g.collections[addr] = objs
	}
	obj, ok := objs[index]
	if !ok || index == 0 {
		return nil, corruptf("global heap collection at %#x has no object %d", addr, index)
	}
	return obj, nil
}

func (g *globalHeaps) read(addr uint64) (map[uint32][]byte, error) {
	f := g.f
	head, err := f.readAt(addr, int64(8+f.sizeLen), "global heap collection")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(head[:4], []byte("GCOL")) {
		return nil, corruptf("global heap collection at %#x has no GCOL signature", addr)
	}
	if head[4] != 1 {
		return nil, corruptf("global heap collection version %d", head[4])
	}
	size := leUint(head[8:])
	if size < uint64(len(head)) || size > uint64(f.size) {
		return nil, corruptf("global heap collection at %#x claims %d bytes", addr, size)
	}
	// Collections may overlap only in a corrupt file; bound what is cached.
	if g.cached += int64(size); g.cached > 4*f.size {
		return nil, corruptf("global heap collections add up to more than the file")
	}
	b, err := f.readAt(addr, int64(size), "global heap collection")
	if err != nil {
		return nil, err
	}
	objs := map[uint32][]byte{}
	c := f.cursor(b[len(head):], "global heap collection")
	hdr := 8 + f.sizeLen
	for c.rest() >= hdr {
		index := uint32(c.u16())
		c.skip(2 + 4) // reference count, reserved
		n := c.length()
		if index == 0 { // free space: the rest of the collection
			break
		}
		if n > uint64(c.rest()) {
			return nil, corruptf("global heap object %d of %d bytes overruns its collection at %#x", index, n, addr)
		}
		objs[index] = c.bytes(int(n))
		c.skip(min(int((8-n%8)%8), c.rest())) // objects are padded to 8 bytes
	}
	return objs, c.err
}

// vlen returns the data of the variable-length element e (a length, a
// collection address and an object index), truncated to its length in
// units of baseSize bytes.
func (g *globalHeaps) vlen(e []byte, baseSize int) ([]byte, error) {
	c := g.f.cursor(e, "variable-length element")
	n := uint64(c.u32())
	addr := c.addr()
	index := c.u32()
	if c.err != nil {
		return nil, c.err
	}
	if n == 0 {
		return nil, nil
	}
	obj, err := g.object(addr, index)
	if err != nil {
		return nil, err
	}
	want := n * uint64(baseSize)
	if want > uint64(len(obj)) {
		return nil, corruptf("variable-length element of %d bytes in a %d-byte heap object", want, len(obj))
	}
	if g.budget -= int64(want); g.budget < 0 {
		return nil, tooLargef("variable-length data exceeds the data limit of %d bytes", g.f.dataLimit)
	}
	return obj[:want], nil
}
