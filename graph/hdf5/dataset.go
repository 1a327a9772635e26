package hdf5

// A Dataset is an HDF5 dataset: an array of elements of one datatype.
type Dataset struct {
	object
	dtype    *Datatype
	space    *dataspace
	layout   *layout
	filters  []Filter
	fill     []byte
	external bool
}

// newDataset decodes the messages of the dataset with header h.
func (f *File) newDataset(h *objectHeader, path string) (*Dataset, error) {
	d := &Dataset{object: object{f: f, path: path, hdr: h}}
	err := func() error {
		m := h.find(msgDataspace)
		if m == nil {
			return corruptf("dataset has no dataspace message")
		}
		b, err := f.messageData(m)
		if err != nil {
			return err
		}
		if d.space, err = f.decodeDataspace(b); err != nil {
			return err
		}
		if m = h.find(msgDatatype); m == nil {
			return corruptf("dataset has no datatype message")
		}
		if b, err = f.messageData(m); err != nil {
			return err
		}
		if d.dtype, err = f.decodeDatatype(f.cursor(b, "datatype message"), 0); err != nil {
			return err
		}
		if d.layout, err = f.decodeLayout(h.find(msgLayout).data); err != nil {
			return err
		}
		if m = h.find(msgFilters); m != nil {
			if b, err = f.messageData(m); err != nil {
				return err
			}
			if d.filters, err = f.decodeFilters(b); err != nil {
				return err
			}
		}
		m = h.find(msgFillValue)
		if m == nil {
			m = h.find(msgFillValueOld)
		}
		if m != nil {
			if b, err = f.messageData(m); err != nil {
				return err
			}
			if d.fill, err = f.decodeFillValue(&message{typ: m.typ, data: b}); err != nil {
				return err
			}
		}
		d.external = h.find(msgExternalFiles) != nil
		return nil
	}()
	if err != nil {
		return nil, pathError(path, err)
	}
	return d, nil
}

// Path returns the dataset's path from the root.
func (d *Dataset) Path() string { return d.path }

// Shape returns the dataset's dimensions: empty for a scalar, nil for a
// null dataspace.
func (d *Dataset) Shape() []int { return d.space.shape() }

// Datatype describes the dataset's elements.
func (d *Dataset) Datatype() Datatype { return *d.dtype }

// Layout returns how the dataset's data is stored.
func (d *Dataset) Layout() Layout { return d.layout.class }

// Chunks returns the dimensions of a chunked dataset's chunks, nil for
// other layouts.
func (d *Dataset) Chunks() []int {
	if d.layout.class != Chunked {
		return nil
	}
	c := make([]int, len(d.layout.chunk))
	for i, v := range d.layout.chunk {
		c[i] = int(v)
	}
	return c
}

// Filters returns the filter pipeline of a chunked dataset, in the order
// the filters were applied when writing.
func (d *Dataset) Filters() []Filter { return append([]Filter(nil), d.filters...) }

// Attrs lists the names of the dataset's attributes, by creation order
// where the dataset tracks it, else by name (as h5py lists them).
func (d *Dataset) Attrs() ([]string, error) { return d.attrNames() }

// Attr returns the dataset's attribute of the given name; an error wrapping
// ErrNotFound if there is none.
func (d *Dataset) Attr(name string) (*Attribute, error) { return d.attr(name) }

func (d *Dataset) value() *value {
	n, _ := d.space.count()
	return &value{f: d.f, t: d.dtype, n: n, null: d.space.kind == nullSpace, raw: d.read}
}

// Float64s reads the elements, of any float or integer type, as float64,
// in row-major order.
func (d *Dataset) Float64s() ([]float64, error) {
	v, err := d.value().float64s()
	return v, pathError(d.path, err)
}

// Float32s reads the elements as float32: float32 data exactly, other float
// and integer types rounded to the nearest float32.
func (d *Dataset) Float32s() ([]float32, error) {
	v, err := d.value().float32s()
	return v, pathError(d.path, err)
}

// Int64s reads the elements of an integer (or enum) type as int64; an
// unsigned value above the int64 range is an error.
func (d *Dataset) Int64s() ([]int64, error) {
	v, err := d.value().int64s()
	return v, pathError(d.path, err)
}

// Strings reads the elements of a string type, fixed or variable length,
// with a fixed-length string's padding removed.
func (d *Dataset) Strings() ([]string, error) {
	v, err := d.value().strings()
	return v, pathError(d.path, err)
}

// String reads the one string of a dataset that holds one string.
func (d *Dataset) String() (string, error) {
	v, err := d.value().scalarString()
	return v, pathError(d.path, err)
}

// read returns the dataset's elements as stored, in row-major order.
func (d *Dataset) read() ([]byte, error) {
	if d.external {
		return nil, unsupportedf("external storage (data in other files)")
	}
	n, err := d.space.count()
	if err != nil {
		return nil, err
	}
	esize := d.f.elemSize(d.dtype)
	total, ok := mulInt(n, int64(esize))
	if !ok || total > d.f.dataLimit {
		return nil, tooLargef("%d elements of %d bytes exceed the data limit of %d bytes", n, esize, d.f.dataLimit)
	}
	l := d.layout
	switch l.class {
	case Compact:
		if int64(len(l.compact)) < total {
			return nil, corruptf("compact data of %d bytes for %d bytes of elements", len(l.compact), total)
		}
		return l.compact[:total], nil
	case Contiguous:
		if l.addr == d.f.undef() {
			return d.filled(total)
		}
		if l.version >= 3 && l.size < uint64(total) {
			return nil, corruptf("contiguous storage of %d bytes for %d bytes of elements", l.size, total)
		}
		if err := d.f.claim(l.addr, d.hdr.addr, "contiguous data"); err != nil {
			return nil, err
		}
		return d.f.readAt(l.addr, total, "contiguous data")
	case Chunked:
		return d.readChunked(total, esize)
	case Virtual:
		return nil, unsupportedf("virtual dataset (data mapped from other datasets)")
	}
	return nil, corruptf("data layout class %d", l.class)
}

// filled returns total bytes of the fill value (zeros if undefined).
func (d *Dataset) filled(total int64) ([]byte, error) {
	b := make([]byte, total)
	if len(d.fill) == 0 {
		return b, nil
	}
	if len(d.fill) != d.f.elemSize(d.dtype) {
		return nil, corruptf("fill value of %d bytes for elements of %d bytes", len(d.fill), d.f.elemSize(d.dtype))
	}
	if d.dtype.VarLen || d.dtype.Class == VarLen {
		return nil, unsupportedf("fill value of a variable-length type")
	}
	for i := 0; i < len(b); i += len(d.fill) {
		copy(b[i:], d.fill)
	}
	return b, nil
}
