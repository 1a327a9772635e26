package hdf5

import (
	"fmt"
	"sort"
)

// An Attribute is a named value attached to a group or dataset.
type Attribute struct {
	name  string
	owner string
	msg   *attrMessage
	value value
}

// Name returns the attribute's name.
func (a *Attribute) Name() string { return a.name }

// Shape returns the attribute's dimensions: empty for a scalar, nil for a
// null dataspace (no value at all, h5py.Empty).
func (a *Attribute) Shape() []int { return a.msg.space.shape() }

// Null reports whether the attribute has a null dataspace: a type but no
// value (h5py.Empty). Its typed readers return empty slices.
func (a *Attribute) Null() bool { return a.msg.space.kind == nullSpace }

// Datatype describes the attribute's elements.
func (a *Attribute) Datatype() Datatype { return *a.msg.dtype }

// Float64s returns the elements, of any float or integer type, as float64,
// in row-major order.
func (a *Attribute) Float64s() ([]float64, error) {
	v, err := a.value.float64s()
	return v, a.err(err)
}

// Float32s returns the elements as float32: float32 data exactly, other
// float and integer types rounded to the nearest float32.
func (a *Attribute) Float32s() ([]float32, error) {
	v, err := a.value.float32s()
	return v, a.err(err)
}

// Int64s returns the elements of an integer (or enum) type as int64; an
// unsigned value above the int64 range is an error.
func (a *Attribute) Int64s() ([]int64, error) {
	v, err := a.value.int64s()
	return v, a.err(err)
}

// Strings returns the elements of a string type, fixed or variable length,
// with a fixed-length string's padding removed.
func (a *Attribute) Strings() ([]string, error) {
	v, err := a.value.strings()
	return v, a.err(err)
}

// String returns the value of a string attribute that holds one string,
// such as Keras' model_config. It is an error if the attribute holds
// another number of strings or is not a string.
func (a *Attribute) String() (string, error) {
	v, err := a.value.scalarString()
	return v, a.err(err)
}

func (a *Attribute) err(err error) error {
	if err == nil {
		return nil
	}
	return pathError(fmt.Sprintf("%s: attribute %q", a.owner, a.name), err)
}

// attributes decodes the attributes of the object with header h, in h5py's
// order: by creation order where the object tracks it, else by name. They
// are attribute messages in the header ("compact" storage) or in a fractal
// heap indexed by a v2 B-tree ("dense" storage, IV.A.2.v).
func (f *File) attributes(h *objectHeader) ([]*attrMessage, error) {
	type ordered struct {
		a     *attrMessage
		order int64
	}
	var attrs []ordered
	tracked := h.attrOrderTracked()
	for i := range h.messages {
		m := &h.messages[i]
		if m.typ != msgAttribute {
			continue
		}
		b, err := f.messageData(m)
		if err != nil {
			return nil, err
		}
		a, err := f.decodeAttribute(b)
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, ordered{a, int64(m.crtOrder)})
	}
	if m := h.find(msgAttributeInfo); m != nil {
		ai, err := f.decodeDenseInfo(m.data, "attribute info")
		if err != nil {
			return nil, err
		}
		tracked = tracked || ai.orderTracked
		if ai.heapAddr != f.undef() {
			heap, t, err := f.openDense(ai, bt2AttrNames, h.addr)
			if err != nil {
				return nil, fmt.Errorf("dense attributes: %w", err)
			}
			err = f.bt2Records(t, func(rec []byte) error {
				c := f.cursor(rec, "attribute name record")
				id := c.bytes(8)
				flags := c.u8()
				order := c.u32()
				if c.err != nil {
					return c.err
				}
				if flags&msgFlagShared != 0 {
					return unsupportedf("shared object header message table (attribute in the SOHM heap)")
				}
				obj, err := heap.object(id)
				if err != nil {
					return err
				}
				a, err := f.decodeAttribute(obj)
				if err != nil {
					return err
				}
				attrs = append(attrs, ordered{a, int64(order)})
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("dense attributes: %w", err)
			}
		}
	}
	sort.SliceStable(attrs, func(i, j int) bool {
		if tracked && attrs[i].order != attrs[j].order {
			return attrs[i].order < attrs[j].order
		}
		return attrs[i].a.name < attrs[j].a.name
	})
	out := make([]*attrMessage, len(attrs))
	for i, a := range attrs {
		out[i] = a.a
	}
	return out, nil
}

// attributes returns the object's attributes, read once.
func (o *object) attributes() ([]*attrMessage, error) {
	if !o.attrsRead {
		attrs, err := o.f.attributes(o.hdr)
		if err != nil {
			return nil, pathError(o.path, err)
		}
		o.attrs, o.attrsRead = attrs, true
	}
	return o.attrs, nil
}

func (o *object) attrNames() ([]string, error) {
	attrs, err := o.attributes()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(attrs))
	for i, a := range attrs {
		names[i] = a.name
	}
	return names, nil
}

func (o *object) attr(name string) (*Attribute, error) {
	attrs, err := o.attributes()
	if err != nil {
		return nil, err
	}
	for _, a := range attrs {
		if a.name != name {
			continue
		}
		n, _ := a.space.count()
		data := a.data
		return &Attribute{name: name, owner: o.path, msg: a, value: value{
			f: o.f, t: a.dtype, n: n, null: a.space.kind == nullSpace,
			raw: func() ([]byte, error) { return data, nil },
		}}, nil
	}
	return nil, pathError(fmt.Sprintf("%s: attribute %q", o.path, name), ErrNotFound)
}

// Attrs lists the names of the group's attributes, by creation order where
// the group tracks it, else by name (as h5py lists them).
func (g *Group) Attrs() ([]string, error) { return g.attrNames() }

// Attr returns the group's attribute of the given name; an error wrapping
// ErrNotFound if there is none.
func (g *Group) Attr(name string) (*Attribute, error) { return g.attr(name) }
