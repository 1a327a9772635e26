package hdf5

import (
	"bytes"
	"sort"
)

// Version 1 B-tree node types (III.A.1).
const (
	btreeGroup = 0 // children are symbol table nodes
	btreeChunk = 1 // children are raw data chunks
)

// walkBTree1 calls fn for every child of the leaves (level 0 nodes) of the
// version 1 B-tree at addr, with the key to the child's left. keySize is the
// size of a key: a length for group trees, the chunk size, filter mask and
// chunk offsets for chunk trees.
func (f *File) walkBTree1(addr uint64, nodeType int, keySize int, owner uint64, fn func(key []byte, child uint64) error) error {
	seen := map[uint64]bool{}
	var walk func(addr uint64, level int) error
	walk = func(addr uint64, level int) error {
		if seen[addr] {
			return corruptf("v1 B-tree has a loop at %#x", addr)
		}
		seen[addr] = true
		if err := f.claim(addr, owner, "v1 B-tree node"); err != nil {
			return err
		}
		head, err := f.readAt(addr, int64(8+2*f.sizeOff), "v1 B-tree node")
		if err != nil {
			return err
		}
		c := f.cursor(head, "v1 B-tree node")
		if !bytes.Equal(c.bytes(4), []byte("TREE")) {
			return corruptf("v1 B-tree node at %#x has no TREE signature", addr)
		}
		if t := int(c.u8()); t != nodeType {
			return corruptf("v1 B-tree node at %#x has type %d, want %d", addr, t, nodeType)
		}
		nodeLevel := int(c.u8())
		if level >= 0 && nodeLevel != level {
			return corruptf("v1 B-tree node at %#x is at level %d, want %d", addr, nodeLevel, level)
		}
		entries := int(c.u16())
		size := int64(entries)*int64(keySize+f.sizeOff) + int64(keySize)
		body, err := f.readAt(addr+uint64(len(head)), size, "v1 B-tree node")
		if err != nil {
			return err
		}
		bc := f.cursor(body, "v1 B-tree node")
		for range entries {
			key := bc.bytes(keySize)
			child := bc.addr()
			if bc.err != nil {
				return bc.err
			}
			if nodeLevel == 0 {
				err = fn(key, child)
			} else {
				err = walk(child, nodeLevel-1)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return walk(addr, -1)
}

// A localHeap holds the link names of an old-style group (III.D).
type localHeap struct{ data []byte }

func (f *File) readLocalHeap(addr, owner uint64) (*localHeap, error) {
	if err := f.claim(addr, owner, "local heap"); err != nil {
		return nil, err
	}
	head, err := f.readAt(addr, int64(8+2*f.sizeLen+f.sizeOff), "local heap")
	if err != nil {
		return nil, err
	}
	c := f.cursor(head, "local heap")
	if !bytes.Equal(c.bytes(4), []byte("HEAP")) {
		return nil, corruptf("local heap at %#x has no HEAP signature", addr)
	}
	if v := c.u8(); v != 0 {
		return nil, corruptf("local heap version %d", v)
	}
	c.skip(3)
	size := c.length()
	c.length() // free list
	dataAddr := c.addr()
	if c.err != nil {
		return nil, c.err
	}
	if size > uint64(f.size) {
		return nil, corruptf("local heap at %#x claims %d bytes in a %d-byte file", addr, size, f.size)
	}
	if dataAddr != addr+uint64(len(head)) {
		if err := f.claim(dataAddr, owner, "local heap data"); err != nil {
			return nil, err
		}
	}
	data, err := f.readAt(dataAddr, int64(size), "local heap data")
	if err != nil {
		return nil, err
	}
	return &localHeap{data: data}, nil
}

// name returns the NUL-terminated string at offset off.
func (h *localHeap) name(off uint64) (string, error) {
	if off >= uint64(len(h.data)) {
		return "", corruptf("local heap offset %d is past its %d bytes", off, len(h.data))
	}
	b := h.data[off:]
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return "", corruptf("local heap string at %d is not terminated", off)
	}
	return string(b[:i]), nil
}

// symbolTableLinks returns the links of an old-style group, from its
// symbol table message (IV.A.2.r): the v1 B-tree of symbol table nodes
// (III.B) and the local heap of names. They come sorted by name.
func (f *File) symbolTableLinks(msg []byte, owner uint64) ([]link, error) {
	c := f.cursor(msg, "symbol table message")
	btree, heapAddr := c.addr(), c.addr()
	if c.err != nil {
		return nil, c.err
	}
	heap, err := f.readLocalHeap(heapAddr, owner)
	if err != nil {
		return nil, err
	}
	entrySize := 2*f.sizeOff + 4 + 4 + 16
	var links []link
	err = f.walkBTree1(btree, btreeGroup, f.sizeLen, owner, func(_ []byte, snod uint64) error {
		if err := f.claim(snod, owner, "symbol table node"); err != nil {
			return err
		}
		head, err := f.readAt(snod, 8, "symbol table node")
		if err != nil {
			return err
		}
		if !bytes.Equal(head[:4], []byte("SNOD")) {
			return corruptf("symbol table node at %#x has no SNOD signature", snod)
		}
		if head[4] != 1 {
			return corruptf("symbol table node version %d", head[4])
		}
		n := int(leUint(head[6:8]))
		body, err := f.readAt(snod+8, int64(n*entrySize), "symbol table node")
		if err != nil {
			return err
		}
		ec := f.cursor(body, "symbol table entry")
		for range n {
			nameOff := ec.addr()
			objAddr := ec.addr()
			cacheType := ec.u32()
			ec.skip(4)
			scratch := ec.bytes(16)
			if ec.err != nil {
				return ec.err
			}
			name, err := heap.name(nameOff)
			if err != nil {
				return err
			}
			l := link{name: name, kind: linkHard, addr: objAddr, crtOrder: -1}
			if cacheType == 2 { // a soft link: the scratch pad holds the value's heap offset
				l.kind = linkSoft
				if l.target, err = heap.name(leUint(scratch[:4])); err != nil {
					return err
				}
			}
			if name == "" {
				return corruptf("symbol table node at %#x has an empty link name", snod)
			}
			links = append(links, l)
			if len(links) > int(f.size/int64(entrySize))+1 {
				return corruptf("group has more links than the file can hold")
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(links, func(i, j int) bool { return links[i].name < links[j].name })
	return links, nil
}
