package hdf5

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"math/bits"
)

// A chunkRef locates one stored chunk.
type chunkRef struct {
	addr uint64
	size uint64 // bytes stored (after the filters)
	mask uint32 // filters skipped: bit i for filter i
}

// chunkReader assembles a chunked dataset (IV.A.2.i, Appendix C).
type chunkReader struct {
	d          *Dataset
	out        []byte
	esize      int
	dims       []uint64 // dataset extent
	chunk      []uint64 // chunk dimensions
	chunkBytes uint64
	budget     uint64 // bytes of chunk data that may still be decoded
}

func (d *Dataset) readChunked(total int64, esize int) ([]byte, error) {
	l := d.layout
	rank := len(d.space.dims)
	if d.space.kind != simpleSpace || len(l.chunk) != rank {
		return nil, corruptf("%d chunk dimensions for a dataspace of rank %d", len(l.chunk), rank)
	}
	if l.elemSize != uint64(esize) {
		return nil, corruptf("chunks of %d-byte elements for a datatype of %d bytes", l.elemSize, esize)
	}
	r := &chunkReader{d: d, esize: esize, dims: d.space.dims, chunk: l.chunk}
	// The chunk grid covering the extent bounds what decoding may produce.
	chunkBytes, covered := int64(esize), int64(esize)
	for i, c := range l.chunk {
		var ok1, ok2 bool
		chunkBytes, ok1 = mulInt(chunkBytes, int64(c))
		n := (r.dims[i] + c - 1) / c
		if n > 1<<62/c {
			ok2 = false
		} else {
			covered, ok2 = mulInt(covered, int64(n*c))
		}
		if !ok1 || !ok2 || chunkBytes > d.f.dataLimit || covered > d.f.dataLimit {
			return nil, tooLargef("chunks of %v elements over an extent of %v exceed the data limit of %d bytes", l.chunk, r.dims, d.f.dataLimit)
		}
	}
	r.chunkBytes = uint64(chunkBytes)
	r.budget = uint64(covered) + r.chunkBytes
	var err error
	if r.out, err = d.filled(total); err != nil {
		return nil, err
	}
	if total == 0 || l.indexAddr == d.f.undef() {
		return r.out, nil
	}
	index := l.index
	if l.version < 4 {
		index = idxBTree1
	}
	switch index {
	case idxBTree1:
		err = r.fromBTree1(l.indexAddr)
	case idxSingle:
		size := r.chunkBytes
		if l.chunkFlags&0x02 != 0 {
			size = l.singleSize
		}
		err = r.place(make([]uint64, rank), chunkRef{l.indexAddr, size, l.singleMask})
	case idxImplicit:
		if len(d.filters) > 0 {
			return nil, corruptf("implicit chunk index with filters")
		}
		down := r.downChunks(-1)
		err = r.eachGridChunk(func(scaled []uint64) error {
			idx := linearIndex(scaled, down)
			off, ok := mulInt(int64(idx), chunkBytes)
			if !ok || uint64(off)+l.indexAddr < l.indexAddr {
				return corruptf("implicit chunk %d is past the end of the file", idx)
			}
			return r.place(scaled, chunkRef{l.indexAddr + uint64(off), r.chunkBytes, 0})
		})
	case idxFixed:
		var fa *fixedArray
		if fa, err = d.f.readFixedArray(l.indexAddr, d.hdr.addr); err != nil {
			return nil, err
		}
		down := r.downChunks(-1)
		err = r.eachGridChunk(func(scaled []uint64) error {
			ref, ok, err := fa.get(linearIndex(scaled, down))
			if err != nil || !ok {
				return err
			}
			return r.place(scaled, r.unfiltered(ref, fa.filtered))
		})
	case idxExtended:
		unlim := -1
		for i, m := range d.space.maxDims {
			if m == d.f.unlimited() {
				unlim = i
				break
			}
		}
		if unlim < 0 {
			return nil, corruptf("extensible array chunk index without an unlimited dimension")
		}
		var ea *extArray
		if ea, err = d.f.readExtArray(l.indexAddr, d.hdr.addr); err != nil {
			return nil, err
		}
		down := r.downChunks(unlim)
		swz := make([]uint64, rank)
		err = r.eachGridChunk(func(scaled []uint64) error {
			copy(swz[1:], scaled[:unlim])
			swz[0] = scaled[unlim]
			copy(swz[unlim+1:], scaled[unlim+1:])
			ref, ok, err := ea.get(linearIndex(swz, down))
			if err != nil || !ok {
				return err
			}
			return r.place(scaled, r.unfiltered(ref, ea.filtered))
		})
	case idxBTree2:
		err = r.fromBTree2(l.indexAddr)
	default:
		return nil, corruptf("chunk index type %d", index)
	}
	if err != nil {
		return nil, err
	}
	return r.out, nil
}

// unfiltered gives a chunk without filters its full size.
func (r *chunkReader) unfiltered(ref chunkRef, filtered bool) chunkRef {
	if !filtered {
		ref.size = r.chunkBytes
	}
	return ref
}

// downChunks returns the strides of the linear chunk index: the number of
// chunks, over the maximum dimensions, below each dimension (H5VM_array_down
// of the chunk counts). For an extensible array the unlimited dimension
// unlim is moved first ("swizzled"), so that it has the largest stride.
func (r *chunkReader) downChunks(unlim int) []uint64 {
	space := r.d.space
	n := len(r.chunk)
	maxChunks := make([]uint64, n)
	for i := range maxChunks {
		m := r.dims[i]
		if space.maxDims != nil && space.maxDims[i] != r.d.f.unlimited() && space.maxDims[i] > m {
			m = space.maxDims[i]
		}
		maxChunks[i] = (m + r.chunk[i] - 1) / r.chunk[i]
	}
	if unlim > 0 {
		u := maxChunks[unlim]
		copy(maxChunks[1:unlim+1], maxChunks[:unlim])
		maxChunks[0] = u
	}
	down := make([]uint64, n)
	acc := uint64(1)
	for i := n - 1; i >= 0; i-- {
		down[i] = acc
		hi, lo := bits.Mul64(acc, maxChunks[i])
		if hi != 0 {
			lo = ^uint64(0)
		}
		acc = lo
	}
	return down
}

func linearIndex(scaled, down []uint64) uint64 {
	var idx uint64
	for i, s := range scaled {
		idx += s * down[i]
	}
	return idx
}

// eachGridChunk calls fn with the scaled coordinates of every chunk of the
// grid that covers the dataset's extent, in row-major order.
func (r *chunkReader) eachGridChunk(fn func(scaled []uint64) error) error {
	n := len(r.chunk)
	counts := make([]uint64, n)
	for i := range counts {
		counts[i] = (r.dims[i] + r.chunk[i] - 1) / r.chunk[i]
		if counts[i] == 0 {
			return nil
		}
	}
	scaled := make([]uint64, n)
	for {
		if err := fn(scaled); err != nil {
			return err
		}
		i := n - 1
		for ; i >= 0; i-- {
			if scaled[i]++; scaled[i] < counts[i] {
				break
			}
			scaled[i] = 0
		}
		if i < 0 {
			return nil
		}
	}
}

// place reads, decodes and copies into the output the chunk at scaled
// coordinates scaled. Chunks outside the extent are ignored.
func (r *chunkReader) place(scaled []uint64, ref chunkRef) error {
	if ref.addr == r.d.f.undef() {
		return nil
	}
	for i, s := range scaled {
		if s >= (r.dims[i]+r.chunk[i]-1)/r.chunk[i] {
			return nil
		}
	}
	if r.budget < r.chunkBytes {
		return corruptf("more chunks than the chunk grid holds")
	}
	r.budget -= r.chunkBytes
	if ref.size > uint64(r.d.f.size) {
		return corruptf("chunk of %d bytes in a %d-byte file", ref.size, r.d.f.size)
	}
	if err := r.d.f.claim(ref.addr, r.d.hdr.addr, "chunk"); err != nil {
		return err
	}
	raw, err := r.d.f.readAt(ref.addr, int64(ref.size), "chunk")
	if err != nil {
		return err
	}
	data, err := r.d.defilter(raw, ref.mask, r.chunkBytes)
	if err != nil {
		return err
	}
	// Copy the chunk's rows that fall inside the extent.
	n := len(r.chunk)
	last := n - 1
	start := make([]uint64, n)
	for i := range start {
		start[i] = scaled[i] * r.chunk[i]
	}
	rowLen := min(r.chunk[last], r.dims[last]-start[last]) * uint64(r.esize)
	pos := make([]uint64, n) // position within the chunk, last index fixed at 0
	for {
		var src, dst uint64
		for i := range n {
			src = src*r.chunk[i] + pos[i]
			dst = dst*r.dims[i] + start[i] + pos[i]
		}
		src *= uint64(r.esize)
		dst *= uint64(r.esize)
		copy(r.out[dst:dst+rowLen], data[src:src+rowLen])
		i := last - 1
		for ; i >= 0; i-- {
			if pos[i]++; pos[i] < r.chunk[i] && start[i]+pos[i] < r.dims[i] {
				break
			}
			pos[i] = 0
		}
		if i < 0 {
			return nil
		}
	}
}

// fromBTree1 places the chunks of a version 1 B-tree chunk index (III.A.1),
// whose keys hold each chunk's size, filter mask and element offsets.
func (r *chunkReader) fromBTree1(addr uint64) error {
	n := len(r.chunk)
	keySize := 4 + 4 + 8*(n+1)
	scaled := make([]uint64, n)
	return r.d.f.walkBTree1(addr, btreeChunk, keySize, r.d.hdr.addr, func(key []byte, child uint64) error {
		size := uint64(binary.LittleEndian.Uint32(key))
		mask := binary.LittleEndian.Uint32(key[4:])
		for i := range scaled {
			off := binary.LittleEndian.Uint64(key[8+8*i:])
			if off%r.chunk[i] != 0 {
				return corruptf("chunk offset %d is not a multiple of the chunk dimension %d", off, r.chunk[i])
			}
			scaled[i] = off / r.chunk[i]
		}
		return r.place(scaled, chunkRef{child, size, mask})
	})
}

// fromBTree2 places the chunks of a version 2 B-tree chunk index (records
// of type 10 or 11: address, [size, filter mask,] scaled offsets).
func (r *chunkReader) fromBTree2(addr uint64) error {
	f := r.d.f
	filtered := len(r.d.filters) > 0
	typ := bt2Chunks
	if filtered {
		typ = bt2FilteredChunk
	}
	t, err := f.readBTree2(addr, typ, r.d.hdr.addr)
	if err != nil {
		return err
	}
	n := len(r.chunk)
	sizeLen := t.recSize - f.sizeOff - 8*n
	if filtered {
		sizeLen -= 4
		if sizeLen < 1 || sizeLen > 8 {
			return corruptf("v2 B-tree chunk records of %d bytes for rank %d", t.recSize, n)
		}
	} else if sizeLen != 0 {
		return corruptf("v2 B-tree chunk records of %d bytes for rank %d", t.recSize, n)
	}
	scaled := make([]uint64, n)
	return f.bt2Records(t, func(rec []byte) error {
		c := f.cursor(rec, "chunk record")
		ref := chunkRef{addr: c.addr(), size: r.chunkBytes}
		if filtered {
			ref.size = c.uvar(sizeLen)
			ref.mask = c.u32()
		}
		for i := range scaled {
			scaled[i] = c.u64()
		}
		if c.err != nil {
			return c.err
		}
		return r.place(scaled, ref)
	})
}

// defilter undoes the dataset's filter pipeline on one chunk, skipping the
// filters whose bit is set in mask, and checks that it gives want bytes.
func (d *Dataset) defilter(b []byte, mask uint32, want uint64) ([]byte, error) {
	limit := want + 4*uint64(len(d.filters))
	for i := len(d.filters) - 1; i >= 0; i-- {
		flt := d.filters[i]
		if i < 32 && mask&(1<<uint(i)) != 0 {
			continue
		}
		var err error
		switch flt.ID {
		case filterDeflate:
			b, err = inflate(b, limit)
		case filterShuffle:
			b = unshuffle(b, d.f.elemSize(d.dtype))
		case filterFletcher32:
			b, err = checkFletcher32(b)
		default:
			name := flt.Name
			if name == "" {
				name = "unregistered"
			}
			return nil, unsupportedf("filter %d (%s)", flt.ID, name)
		}
		if err != nil {
			return nil, err
		}
	}
	if uint64(len(b)) != want {
		return nil, corruptf("chunk decodes to %d bytes, want %d", len(b), want)
	}
	return b, nil
}

// inflate decompresses a zlib stream (the deflate filter) of at most limit
// bytes.
func inflate(b []byte, limit uint64) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, corruptf("deflate: %v", err)
	}
	var out bytes.Buffer
	out.Grow(int(min(limit, 1<<26)))
	n, err := io.Copy(&out, io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, corruptf("deflate: %v", err)
	}
	if uint64(n) > limit {
		return nil, corruptf("deflate: chunk inflates to more than %d bytes", limit)
	}
	return out.Bytes(), nil
}

// unshuffle undoes the shuffle filter: the data holds the first byte of
// every element, then the second bytes, and so on; bytes past the last
// whole element are left as they are.
func unshuffle(b []byte, size int) []byte {
	if size <= 1 || len(b) < 2*size {
		return b
	}
	n := len(b) / size
	out := make([]byte, len(b))
	for j := range size {
		src := b[j*n : (j+1)*n]
		for i, v := range src {
			out[i*size+j] = v
		}
	}
	copy(out[n*size:], b[n*size:])
	return out
}

// checkFletcher32 tests and removes the 4-byte checksum that the
// fletcher32 filter appends. HDF5 before 1.8 stored it byte-swapped; both
// are accepted as HDF5 does.
func checkFletcher32(b []byte) ([]byte, error) {
	if len(b) < 4 {
		return nil, corruptf("fletcher32: chunk of %d bytes", len(b))
	}
	n := len(b) - 4
	stored := binary.LittleEndian.Uint32(b[n:])
	sum := fletcher32(b[:n])
	swapped := (sum&0xff)<<24 | (sum&0xff00)<<8 | (sum>>8)&0xff00 | sum>>24
	if stored != sum && stored != swapped {
		return nil, corruptf("fletcher32: chunk checksum %#08x, stored %#08x", sum, stored)
	}
	return b[:n], nil
}

// unlimited is H5S_UNLIMITED as stored in a dataspace's maximum dimensions.
func (f *File) unlimited() uint64 {
	if f.sizeLen >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*uint(f.sizeLen)) - 1
}
