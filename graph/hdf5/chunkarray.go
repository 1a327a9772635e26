package hdf5

import (
	"bytes"
	"math/bits"
)

// The fixed and extensible array chunk indexes of layout message version 4
// (File Format Specification, Appendix C). Their elements are chunk
// addresses, with the stored size and filter mask for filtered datasets.

// decodeChunkElem decodes an array element of elemSize bytes.
func (f *File) decodeChunkElem(e []byte, filtered bool) chunkRef {
	ref := chunkRef{addr: leUint(e[:f.sizeOff])}
	if filtered {
		n := len(e) - f.sizeOff - 4
		ref.size = leUint(e[f.sizeOff : f.sizeOff+n])
		ref.mask = uint32(leUint(e[f.sizeOff+n:]))
	}
	return ref
}

// checkElemSize checks the element size of an array index against its
// client: non-filtered chunks are an address, filtered ones add a size of
// 1 to 8 bytes and a 4-byte filter mask.
func (f *File) checkElemSize(client, size int, what string) (bool, error) {
	switch {
	case client == 0 && size == f.sizeOff:
		return false, nil
	case client == 1 && size >= f.sizeOff+5 && size <= f.sizeOff+12:
		return true, nil
	}
	return false, corruptf("%s of client %d has %d-byte elements", what, client, size)
}

// A fixedArray is a fixed array chunk index (Appendix C.C).
type fixedArray struct {
	f         *File
	filtered  bool
	elemSize  int
	nelmts    uint64
	pageNelts uint64 // elements per page; 0 when not paged
	dblk      uint64
	elems     []byte            // the elements of an unpaged data block
	bitmap    []byte            // initialized pages of a paged one
	pages     map[uint64][]byte // pages read
	prefix    int
}

func (f *File) readFixedArray(addr, owner uint64) (*fixedArray, error) {
	if err := f.claim(addr, owner, "fixed array header"); err != nil {
		return nil, err
	}
	b, err := f.readAt(addr, int64(4+4+f.sizeLen+f.sizeOff+4), "fixed array header")
	if err != nil {
		return nil, err
	}
	c := f.cursor(b, "fixed array header")
	if !bytes.Equal(c.bytes(4), []byte("FAHD")) {
		return nil, corruptf("fixed array header at %#x has no FAHD signature", addr)
	}
	if v := c.u8(); v != 0 {
		return nil, corruptf("fixed array version %d", v)
	}
	client := int(c.u8())
	fa := &fixedArray{f: f, elemSize: int(c.u8()), pages: map[uint64][]byte{}}
	pageBits := c.u8()
	fa.nelmts = c.length()
	fa.dblk = c.addr()
	if c.err != nil {
		return nil, c.err
	}
	if err := f.checksum(b, "fixed array header"); err != nil {
		return nil, err
	}
	if fa.filtered, err = f.checkElemSize(client, fa.elemSize, "fixed array"); err != nil {
		return nil, err
	}
	if fa.nelmts > uint64(f.size)/uint64(fa.elemSize) {
		return nil, corruptf("fixed array of %d elements in a %d-byte file", fa.nelmts, f.size)
	}
	if fa.dblk == f.undef() {
		return fa, nil
	}
	if err := f.claim(fa.dblk, owner, "fixed array data block"); err != nil {
		return nil, err
	}
	fa.prefix = 4 + 1 + 1 + f.sizeOff
	if pageBits < 32 && fa.nelmts > 1<<pageBits {
		fa.pageNelts = 1 << pageBits
		npages := (fa.nelmts + fa.pageNelts - 1) / fa.pageNelts
		bitmapLen := int((npages + 7) / 8)
		db, err := f.readAt(fa.dblk, int64(fa.prefix+bitmapLen+4), "fixed array data block")
		if err != nil {
			return nil, err
		}
		if err := fa.checkBlock(db, client); err != nil {
			return nil, err
		}
		fa.bitmap = db[fa.prefix : fa.prefix+bitmapLen]
		fa.prefix += bitmapLen + 4
		return fa, nil
	}
	db, err := f.readAt(fa.dblk, int64(fa.prefix)+int64(fa.nelmts)*int64(fa.elemSize)+4, "fixed array data block")
	if err != nil {
		return nil, err
	}
	if err := fa.checkBlock(db, client); err != nil {
		return nil, err
	}
	fa.elems = db[fa.prefix : len(db)-4]
	return fa, nil
}

func (fa *fixedArray) checkBlock(db []byte, client int) error {
	if !bytes.Equal(db[:4], []byte("FADB")) {
		return corruptf("fixed array data block at %#x has no FADB signature", fa.dblk)
	}
	if db[4] != 0 || int(db[5]) != client {
		return corruptf("fixed array data block at %#x has version %d, client %d", fa.dblk, db[4], db[5])
	}
	return fa.f.checksum(db, "fixed array data block")
}

// get returns element idx; ok is false for an element never written.
func (fa *fixedArray) get(idx uint64) (ref chunkRef, ok bool, err error) {
	if idx >= fa.nelmts {
		return ref, false, corruptf("chunk %d is past the %d elements of its fixed array", idx, fa.nelmts)
	}
	if fa.dblk == fa.f.undef() {
		return ref, false, nil
	}
	elems, i := fa.elems, idx
	if fa.pageNelts > 0 {
		page := idx / fa.pageNelts
		if !bitSet(fa.bitmap, page) {
			return ref, false, nil
		}
		if elems, err = fa.page(page); err != nil {
			return ref, false, err
		}
		i = idx % fa.pageNelts
	}
	e := elems[int(i)*fa.elemSize : int(i+1)*fa.elemSize]
	return fa.f.decodeChunkElem(e, fa.filtered), true, nil
}

func (fa *fixedArray) page(p uint64) ([]byte, error) {
	if b, ok := fa.pages[p]; ok {
		return b, nil
	}
	pageSize := fa.pageNelts * uint64(fa.elemSize)
	n := min(fa.pageNelts, fa.nelmts-p*fa.pageNelts) * uint64(fa.elemSize)
	addr := fa.dblk + uint64(fa.prefix) + p*(pageSize+4)
	b, err := fa.f.readAt(addr, int64(n)+4, "fixed array page")
	if err != nil {
		return nil, err
	}
	if err := fa.f.checksum(b, "fixed array page"); err != nil {
		return nil, err
	}
	fa.pages[p] = b[:n]
	return b[:n], nil
}

// bitSet reads bit i of an HDF5 bitmap, most significant bit first
// (H5VM_bit_get).
func bitSet(bitmap []byte, i uint64) bool {
	return i/8 < uint64(len(bitmap)) && bitmap[i/8]&(0x80>>(i%8)) != 0
}

// An extArray is an extensible array chunk index (Appendix C.D): an index
// block holding the first elements and the addresses of the first data
// blocks and of secondary blocks, which hold the addresses of the rest.
type extArray struct {
	f           *File
	addr        uint64
	owner       uint64
	filtered    bool
	client      int
	elemSize    int
	idxElmts    uint64
	dataMin     uint64
	pageNelts   uint64
	arrOffSize  int
	sblocks     []eaSuperBlock
	iblkSblocks int // super blocks whose data blocks the index block addresses
	elems       []byte
	dblkAddrs   []uint64
	sblkAddrs   []uint64
	blocks      map[uint64][]byte
	budget      int64
}

// An eaSuperBlock describes one super block of the array's doubling scheme.
type eaSuperBlock struct {
	ndblks     uint64 // data blocks
	dblkNelmts uint64 // elements per data block
	startIdx   uint64 // first element
	startDblk  uint64 // first data block
}

func (f *File) readExtArray(addr, owner uint64) (*extArray, error) {
	if err := f.claim(addr, owner, "extensible array header"); err != nil {
		return nil, err
	}
	b, err := f.readAt(addr, int64(4+4+4+6*f.sizeLen+f.sizeOff+4), "extensible array header")
	if err != nil {
		return nil, err
	}
	c := f.cursor(b, "extensible array header")
	if !bytes.Equal(c.bytes(4), []byte("EAHD")) {
		return nil, corruptf("extensible array header at %#x has no EAHD signature", addr)
	}
	if v := c.u8(); v != 0 {
		return nil, corruptf("extensible array version %d", v)
	}
	ea := &extArray{f: f, addr: addr, owner: owner, client: int(c.u8()), elemSize: int(c.u8()), blocks: map[uint64][]byte{}, budget: 2 * f.size}
	maxBits := int(c.u8())
	ea.idxElmts = uint64(c.u8())
	ea.dataMin = uint64(c.u8())
	supMinPtrs := uint64(c.u8())
	pageBits := int(c.u8())
	c.skip(6 * f.sizeLen) // statistics
	iblock := c.addr()
	if c.err != nil {
		return nil, c.err
	}
	if err := f.checksum(b, "extensible array header"); err != nil {
		return nil, err
	}
	if ea.filtered, err = f.checkElemSize(ea.client, ea.elemSize, "extensible array"); err != nil {
		return nil, err
	}
	if maxBits < 1 || maxBits > 64 || !isPow2(ea.dataMin) || !isPow2(supMinPtrs) || pageBits > 32 ||
		bits.TrailingZeros64(ea.dataMin) > maxBits {
		return nil, corruptf("extensible array at %#x has inconsistent parameters", addr)
	}
	ea.pageNelts = 1 << pageBits
	ea.arrOffSize = (maxBits + 7) / 8
	// Super block u has 2^(u/2) data blocks of 2^((u+1)/2)*dataMin elements
	// (H5EA__hdr_init).
	nsblks := 1 + maxBits - bits.TrailingZeros64(ea.dataMin)
	var startIdx, startDblk uint64
	for u := range nsblks {
		sb := eaSuperBlock{ndblks: 1 << (u / 2), startIdx: startIdx, startDblk: startDblk}
		if s := (u+1)/2 + bits.TrailingZeros64(ea.dataMin); s < 64 {
			sb.dblkNelmts = 1 << s
		} else {
			sb.dblkNelmts = 1 << 63
		}
		ea.sblocks = append(ea.sblocks, sb)
		hi, n := bits.Mul64(sb.ndblks, sb.dblkNelmts)
		if hi != 0 || startIdx+n < startIdx {
			break
		}
		startIdx += n
		startDblk += sb.ndblks
	}
	ea.iblkSblocks = 2 * bits.TrailingZeros64(supMinPtrs)
	ndblkAddrs := 2 * (int(supMinPtrs) - 1)
	nsblkAddrs := max(len(ea.sblocks)-ea.iblkSblocks, 0)
	if iblock == f.undef() {
		return ea, nil
	}
	prefix := 4 + 1 + 1 + f.sizeOff
	size := prefix + int(ea.idxElmts)*ea.elemSize + (ndblkAddrs+nsblkAddrs)*f.sizeOff + 4
	if err := f.claim(iblock, owner, "extensible array index block"); err != nil {
		return nil, err
	}
	ib, err := f.readAt(iblock, int64(size), "extensible array index block")
	if err != nil {
		return nil, err
	}
	if err := ea.checkBlock(ib, "EAIB", "extensible array index block", iblock); err != nil {
		return nil, err
	}
	ic := f.cursor(ib[prefix:], "extensible array index block")
	ea.elems = ic.bytes(int(ea.idxElmts) * ea.elemSize)
	for range ndblkAddrs {
		ea.dblkAddrs = append(ea.dblkAddrs, ic.addr())
	}
	for range nsblkAddrs {
		ea.sblkAddrs = append(ea.sblkAddrs, ic.addr())
	}
	return ea, ic.err
}

func (ea *extArray) checkBlock(b []byte, sig, what string, addr uint64) error {
	if len(b) < 6+ea.f.sizeOff+4 || !bytes.Equal(b[:4], []byte(sig)) {
		return corruptf("%s at %#x has no %s signature", what, addr, sig)
	}
	if b[4] != 0 || int(b[5]) != ea.client {
		return corruptf("%s at %#x has version %d, client %d", what, addr, b[4], b[5])
	}
	if h := leUint(b[6 : 6+ea.f.sizeOff]); h != ea.addr {
		return corruptf("%s at %#x belongs to array %#x, not %#x", what, addr, h, ea.addr)
	}
	return ea.f.checksum(b, what)
}

// block reads, checks and caches a block of the array: size bytes at addr
// that end with their checksum, starting with sig (none for a page).
func (ea *extArray) block(addr uint64, size int64, sig, what string) ([]byte, error) {
	if b, ok := ea.blocks[addr]; ok && int64(len(b)) == size {
		return b, nil
	}
	if ea.budget -= size; ea.budget < 0 {
		return nil, corruptf("extensible array blocks add up to more than the file")
	}
	if err := ea.f.claim(addr, ea.owner, what); err != nil {
		return nil, err
	}
	b, err := ea.f.readAt(addr, size, what)
	if err != nil {
		return nil, err
	}
	if sig != "" {
		err = ea.checkBlock(b, sig, what, addr)
	} else {
		err = ea.f.checksum(b, what)
	}
	if err != nil {
		return nil, err
	}
	ea.blocks[addr] = b
	return b, nil
}

// get returns element idx; ok is false for an element never written.
func (ea *extArray) get(idx uint64) (ref chunkRef, ok bool, err error) {
	f := ea.f
	if idx < ea.idxElmts {
		if ea.elems == nil {
			return ref, false, nil
		}
		return f.decodeChunkElem(ea.elems[int(idx)*ea.elemSize:int(idx+1)*ea.elemSize], ea.filtered), true, nil
	}
	// Element j past the index block is in super block s, whose data
	// blocks the index block addresses for the first super blocks and a
	// secondary block for the others (H5EA__lookup_elmt).
	j := idx - ea.idxElmts
	s := bits.Len64(j/ea.dataMin+1) - 1
	if s >= len(ea.sblocks) {
		return ref, false, corruptf("chunk %d is past the extensible array's range", idx)
	}
	sb := ea.sblocks[s]
	elt := j - sb.startIdx
	d := elt / sb.dblkNelmts // data block within the super block
	elt %= sb.dblkNelmts
	paged := sb.dblkNelmts > ea.pageNelts
	npages := uint64(0)
	if paged {
		npages = sb.dblkNelmts / ea.pageNelts
	}
	var dblk uint64
	if s < ea.iblkSblocks {
		k := sb.startDblk + d
		if k >= uint64(len(ea.dblkAddrs)) {
			return ref, false, corruptf("extensible array data block %d is not in the index block", k)
		}
		dblk = ea.dblkAddrs[k]
	} else {
		k := s - ea.iblkSblocks
		if k >= len(ea.sblkAddrs) || ea.sblkAddrs[k] == f.undef() {
			return ref, false, nil
		}
		if sb.ndblks > uint64(f.size)/uint64(f.sizeOff) {
			return ref, false, corruptf("extensible array super block of %d data blocks", sb.ndblks)
		}
		bitmapLen := (sb.ndblks*npages + 7) / 8
		prefix := uint64(4 + 1 + 1 + f.sizeOff + ea.arrOffSize)
		size := prefix + bitmapLen + sb.ndblks*uint64(f.sizeOff) + 4
		if size > uint64(f.size) {
			return ref, false, corruptf("extensible array secondary block of %d bytes", size)
		}
		b, err := ea.block(ea.sblkAddrs[k], int64(size), "EASB", "extensible array secondary block")
		if err != nil {
			return ref, false, err
		}
		if paged && !bitSet(b[prefix:prefix+bitmapLen], d*npages+elt/ea.pageNelts) {
			return ref, false, nil // the page was never written
		}
		dblk = leUint(b[prefix+bitmapLen+d*uint64(f.sizeOff):][:f.sizeOff])
	}
	if dblk == f.undef() {
		return ref, false, nil
	}
	prefix := int64(4 + 1 + 1 + f.sizeOff + ea.arrOffSize)
	var e []byte
	if paged {
		if _, err := ea.block(dblk, prefix+4, "EADB", "extensible array data block"); err != nil {
			return ref, false, err
		}
		page := elt / ea.pageNelts
		pageSize := int64(ea.pageNelts) * int64(ea.elemSize)
		addr := dblk + uint64(prefix+4) + page*uint64(pageSize+4)
		b, err := ea.block(addr, pageSize+4, "", "extensible array data block page")
		if err != nil {
			return ref, false, err
		}
		i := int(elt % ea.pageNelts)
		e = b[i*ea.elemSize : (i+1)*ea.elemSize]
	} else {
		n, ok := mulInt(int64(sb.dblkNelmts), int64(ea.elemSize))
		if !ok || n > f.size {
			return ref, false, corruptf("extensible array data block of %d elements", sb.dblkNelmts)
		}
		b, err := ea.block(dblk, prefix+n+4, "EADB", "extensible array data block")
		if err != nil {
			return ref, false, err
		}
		i := int(prefix) + int(elt)*ea.elemSize
		e = b[i : i+ea.elemSize]
	}
	return f.decodeChunkElem(e, ea.filtered), true, nil
}
