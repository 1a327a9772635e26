package hdf5

import (
	"bytes"
	"math/bits"
)

// A fractalHeap is a fractal heap (III.G): where new-style groups keep the
// link messages and objects the attribute messages that do not fit in their
// object header ("dense" storage).
type fractalHeap struct {
	f          *File
	addr       uint64
	idLen      int
	flags      uint8
	hugeBTree  uint64
	width      uint64
	startBlock uint64
	maxDirect  uint64
	rootAddr   uint64
	rootRows   int

	offSize, lenSize int // bytes of the offset and length of a managed object ID
	startBits        int // log2(startBlock)
	firstRowBits     int // log2(startBlock*width)
	maxDirectRows    int
	maxRootRows      int
	hugeDirect       bool
	hugeIDSize       int

	owner      uint64
	blocks     map[uint64][]byte // direct and indirect blocks read, by address
	blockBytes int64
}

func isPow2(v uint64) bool { return v != 0 && v&(v-1) == 0 }

func (f *File) readFractalHeap(addr, owner uint64) (*fractalHeap, error) {
	if err := f.claim(addr, owner, "fractal heap header"); err != nil {
		return nil, err
	}
	size := 4 + 1 + 2 + 2 + 1 + 4 + 12*f.sizeLen + 3*f.sizeOff + 2 + 2 + 2 + 2 + 64
	b, err := f.readUpTo(addr, int64(size), "fractal heap header")
	if err != nil {
		return nil, err
	}
	c := f.cursor(b, "fractal heap header")
	if !bytes.Equal(c.bytes(4), []byte("FRHP")) {
		return nil, corruptf("fractal heap header at %#x has no FRHP signature", addr)
	}
	if v := c.u8(); v != 0 {
		return nil, corruptf("fractal heap version %d", v)
	}
	h := &fractalHeap{f: f, addr: addr, owner: owner, blocks: map[uint64][]byte{}}
	h.idLen = int(c.u16())
	filterLen := int(c.u16())
	h.flags = c.u8()
	maxManSize := uint64(c.u32())
	c.length() // next huge object ID
	h.hugeBTree = c.addr()
	c.length() // free space in managed blocks
	c.addr()   // free-space manager
	c.length() // managed space
	c.length() // allocated managed space
	c.length() // direct block allocation iterator
	c.length() // managed objects
	c.length() // huge objects' size
	c.length() // huge objects
	c.length() // tiny objects' size
	c.length() // tiny objects
	h.width = uint64(c.u16())
	h.startBlock = c.length()
	h.maxDirect = c.length()
	maxHeapBits := int(c.u16())
	c.u16() // starting rows of the root indirect block
	h.rootAddr = c.addr()
	h.rootRows = int(c.u16())
	if c.err != nil {
		return nil, c.err
	}
	if filterLen > 0 {
		return nil, unsupportedf("fractal heap with I/O filters at %#x", addr)
	}
	if err := f.checksum(b[:c.off+4], "fractal heap header"); err != nil {
		return nil, err
	}
	if h.idLen < 2 || h.idLen > 1<<12 || !isPow2(h.width) || h.width > 1<<16 ||
		!isPow2(h.startBlock) || !isPow2(h.maxDirect) || h.maxDirect < h.startBlock ||
		h.maxDirect > 1<<40 || maxHeapBits < 1 || maxHeapBits > 64 {
		return nil, corruptf("fractal heap at %#x has inconsistent parameters", addr)
	}
	h.startBits = bits.TrailingZeros64(h.startBlock)
	h.firstRowBits = h.startBits + bits.TrailingZeros64(h.width)
	h.maxDirectRows = bits.TrailingZeros64(h.maxDirect) - h.startBits + 2
	h.maxRootRows = maxHeapBits - h.firstRowBits + 1
	if h.maxRootRows < 1 || h.rootRows > h.maxRootRows {
		return nil, corruptf("fractal heap at %#x has %d root rows (at most %d)", addr, h.rootRows, h.maxRootRows)
	}
	h.offSize = (maxHeapBits + 7) / 8
	h.lenSize = min((bits.TrailingZeros64(h.maxDirect)+7)/8, limitEncSize(maxManSize))
	// Huge object IDs hold the object's address and length when they fit
	// (H5HF__huge_init), else a key into the huge object B-tree.
	if f.sizeOff+f.sizeLen <= h.idLen-1 {
		h.hugeDirect = true
	} else {
		h.hugeIDSize = min(h.idLen-1, 8)
	}
	return h, nil
}

// rowSize is the size of the blocks of row r of the doubling table.
func (h *fractalHeap) rowSize(r int) uint64 {
	if r == 0 {
		return h.startBlock
	}
	return h.startBlock << uint(r-1)
}

// object returns the object with heap ID id.
func (h *fractalHeap) object(id []byte) ([]byte, error) {
	if len(id) != h.idLen {
		return nil, corruptf("fractal heap ID of %d bytes, want %d", len(id), h.idLen)
	}
	if id[0]>>6 != 0 {
		return nil, corruptf("fractal heap ID version %d", id[0]>>6)
	}
	switch (id[0] >> 4) & 3 {
	case 0: // managed
		c := h.f.cursor(id[1:], "fractal heap ID")
		off, n := c.uvar(h.offSize), c.uvar(h.lenSize)
		if c.err != nil {
			return nil, c.err
		}
		return h.managed(off, n)
	case 1: // huge
		return h.huge(id)
	case 2: // tiny: the object is in the ID
		n, data := int(id[0]&0x0f)+1, id[1:]
		if h.idLen > 18 {
			n = int(id[0]&0x0f)<<8 | int(id[1]) + 1
			data = id[2:]
		}
		if n > len(data) {
			return nil, corruptf("tiny fractal heap object of %d bytes in a %d-byte ID", n, h.idLen)
		}
		return data[:n], nil
	}
	return nil, corruptf("fractal heap ID type 3")
}

func (h *fractalHeap) huge(id []byte) ([]byte, error) {
	c := h.f.cursor(id[1:], "huge object ID")
	var addr, n uint64
	if h.hugeDirect {
		addr, n = c.addr(), c.length()
		if c.err != nil {
			return nil, c.err
		}
	} else {
		key := c.uvar(h.hugeIDSize)
		if c.err != nil {
			return nil, c.err
		}
		t, err := h.f.readBTree2(h.hugeBTree, bt2HugeObjects, h.owner)
		if err != nil {
			return nil, err
		}
		found := false
		err = h.f.bt2Records(t, func(rec []byte) error {
			rc := h.f.cursor(rec, "huge object record")
			a, l, k := rc.addr(), rc.length(), rc.length()
			if rc.err == nil && k == key {
				addr, n, found = a, l, true
			}
			return rc.err
		})
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, corruptf("huge fractal heap object %d is not in its B-tree", key)
		}
	}
	if n > uint64(h.f.size) {
		return nil, corruptf("huge fractal heap object of %d bytes in a %d-byte file", n, h.f.size)
	}
	if err := h.f.claim(addr, h.owner, "huge fractal heap object"); err != nil {
		return nil, err
	}
	return h.f.readAt(addr, int64(n), "huge fractal heap object")
}

// managed returns the n bytes at offset off of the heap's managed space.
func (h *fractalHeap) managed(off, n uint64) ([]byte, error) {
	if h.rootAddr == h.f.undef() {
		return nil, corruptf("fractal heap at %#x is empty", h.addr)
	}
	if h.rootRows == 0 { // the root is a direct block
		return h.fromBlock(h.rootAddr, 0, h.startBlock, off, n)
	}
	return h.fromIndirect(h.rootAddr, 0, h.rootRows, off, n)
}

// fromIndirect finds offset off in the indirect block at addr, which starts
// at heap offset blockOff and has nrows rows.
func (h *fractalHeap) fromIndirect(addr, blockOff uint64, nrows int, off, n uint64) ([]byte, error) {
	directRows := min(nrows, h.maxDirectRows)
	indirectRows := nrows - directRows
	size := 4 + 1 + h.f.sizeOff + h.offSize + (directRows+indirectRows)*int(h.width)*h.f.sizeOff + 4
	b, err := h.block(addr, int64(size), "fractal heap indirect block")
	if err != nil {
		return nil, err
	}
	c := h.f.cursor(b, "fractal heap indirect block")
	if !bytes.Equal(c.bytes(4), []byte("FHIB")) {
		return nil, corruptf("fractal heap indirect block at %#x has no FHIB signature", addr)
	}
	c.skip(1)
	if hdr := c.addr(); hdr != h.addr && c.err == nil {
		return nil, corruptf("fractal heap indirect block at %#x belongs to heap %#x", addr, hdr)
	}
	if bo := c.uvar(h.offSize); bo != blockOff && c.err == nil {
		return nil, corruptf("fractal heap indirect block at %#x has offset %d, want %d", addr, bo, blockOff)
	}
	if c.err != nil {
		return nil, c.err
	}
	if err := h.f.checksum(b, "fractal heap indirect block"); err != nil {
		return nil, err
	}
	entries := c.off
	rel := off - blockOff
	if off < blockOff {
		return nil, corruptf("fractal heap offset %d before its block", off)
	}
	for r := range nrows {
		// nrows <= maxRootRows keeps rs*width within the heap's 2^maxHeapBits
		rs := h.rowSize(r)
		span := rs * h.width
		if rs == 0 || span/h.width != rs {
			return nil, corruptf("fractal heap at %#x has rows larger than its address space", h.addr)
		}
		if rel >= span {
			rel -= span
			continue
		}
		col := rel / rs
		start := off - rel%rs // heap offset of the child block
		idx := r*int(h.width) + int(col)
		if r < h.maxDirectRows {
			child := leUint(b[entries+idx*h.f.sizeOff : entries+(idx+1)*h.f.sizeOff])
			return h.fromBlock(child, start, rs, off, n)
		}
		childRows := bits.TrailingZeros64(rs) - h.firstRowBits + 1
		if childRows < 1 || childRows >= nrows {
			return nil, corruptf("fractal heap indirect block at %#x has a child of %d rows", addr, childRows)
		}
		child := leUint(b[entries+idx*h.f.sizeOff : entries+(idx+1)*h.f.sizeOff])
		if child == h.f.undef() {
			break
		}
		return h.fromIndirect(child, start, childRows, off, n)
	}
	return nil, corruptf("fractal heap offset %d is outside the heap at %#x", off, h.addr)
}

// block reads the n bytes of a heap block at addr, or returns them from the
// blocks read before (the most recent, up to twice the file's size).
func (h *fractalHeap) block(addr uint64, n int64, what string) ([]byte, error) {
	if b, ok := h.blocks[addr]; ok && int64(len(b)) == n {
		return b, nil
	}
	if err := h.f.claim(addr, h.owner, what); err != nil {
		return nil, err
	}
	b, err := h.f.readAt(addr, n, what)
	if err != nil {
		return nil, err
	}
	if h.blockBytes += n; h.blockBytes > 2*h.f.size {
		h.blocks, h.blockBytes = map[uint64][]byte{}, n
	}
	h.blocks[addr] = b
	return b, nil
}

// checkDirect checks the prefix and checksum of the direct block b.
func (h *fractalHeap) checkDirect(b []byte, addr, blockOff uint64) error {
	c := h.f.cursor(b, "fractal heap direct block")
	if !bytes.Equal(c.bytes(4), []byte("FHDB")) {
		return corruptf("fractal heap direct block at %#x has no FHDB signature", addr)
	}
	c.skip(1)
	if hdr := c.addr(); hdr != h.addr && c.err == nil {
		return corruptf("fractal heap direct block at %#x belongs to heap %#x", addr, hdr)
	}
	if bo := c.uvar(h.offSize); bo != blockOff && c.err == nil {
		return corruptf("fractal heap direct block at %#x has offset %d, want %d", addr, bo, blockOff)
	}
	if h.flags&0x02 == 0 || h.f.skipChecksums || c.err != nil {
		return c.err
	}
	// the checksum covers the whole block with its own field zeroed
	sum := c.u32()
	if c.err != nil {
		return c.err
	}
	tmp := bytes.Clone(b)
	clear(tmp[c.off-4 : c.off])
	if got := lookup3(tmp, 0); got != sum {
		return corruptf("fractal heap direct block at %#x has checksum %#08x, stored %#08x", addr, got, sum)
	}
	return nil
}

// fromBlock returns n bytes at heap offset off from the direct block at
// addr, which starts at heap offset blockOff and has size bytes.
func (h *fractalHeap) fromBlock(addr, blockOff, size, off, n uint64) ([]byte, error) {
	if addr == h.f.undef() {
		return nil, corruptf("fractal heap offset %d is in an unallocated block", off)
	}
	if size > uint64(h.f.size) {
		return nil, corruptf("fractal heap direct block of %d bytes in a %d-byte file", size, h.f.size)
	}
	b, ok := h.blocks[addr]
	if !ok || uint64(len(b)) != size {
		var err error
		if b, err = h.block(addr, int64(size), "fractal heap direct block"); err != nil {
			return nil, err
		}
		if err := h.checkDirect(b, addr, blockOff); err != nil {
			delete(h.blocks, addr)
			return nil, err
		}
	}
	rel := off - blockOff
	if off < blockOff || rel > uint64(len(b)) || n > uint64(len(b))-rel {
		return nil, corruptf("fractal heap object at offset %d (%d bytes) is outside its block", off, n)
	}
	return b[rel : rel+n], nil
}
