#!/usr/bin/python3
"""Dump what h5py sees in an HDF5 file as JSON, for the Go tests to compare.

Usage: /usr/bin/python3 dump_h5.py FILE.h5 [OUT.json]   (stdout without OUT)

The dump lists every object reachable through hard links, each once (at the
first path that reaches it), depth first in h5py's member order (name
order, or creation order where the group tracks it):

  {"superblock": 0,
   "objects": [
     {"path": "/", "kind": "group", "members": [...], "links": {...},
      "attrs": [ATTR...]},
     {"path": "/x", "kind": "dataset", "dtype": DTYPE, "space": "simple",
      "shape": [2, 3], "layout": "chunked", "chunks": [1, 3], "filters": [2, 1],
      "data": DATA, "attrs": [...]},
     ...]}

links maps the members that are not hard links to {"soft": target} or
{"external": [file, path]}. An object reached again through another hard
link is listed in its group's "hardlinks" as {name: first path}.

ATTR is {"name", "dtype", "space", "shape", "data"}. DTYPE is {"class"
(h5py's TypeID class number: 0 integer, 1 float, 3 string, 8 enum, ...),
"size" (not for variable-length strings), "order" ("<" or ">", numbers),
"signed" (integers), "vlen", "pad" and "cset" (strings)}.

DATA is {"values": [...]} (flat, row-major) with floats as numbers (repr is
exact) or the strings "nan", "inf", "-inf"; integers as numbers; strings as
str (bytes decoded as UTF-8 with surrogateescape). Data of more than 256
elements is {"n": count, "sha256": hex} of the values as little-endian
float64 (floats), int64 (signed) or uint64 (unsigned), or of the strings'
bytes each followed by a NUL. Values of other
classes (compound, array, ...) are {"unsupported": true}; values that h5py
cannot read are {"error": "..."}.
"""
import hashlib
import json
import math
import sys

import h5py
import numpy as np
from h5py import h5o, h5s, h5t

MAX_LISTED = 256

SPACES = {h5s.SCALAR: "scalar", h5s.SIMPLE: "simple", h5s.NULL: "null"}
LAYOUTS = {0: "compact", 1: "contiguous", 2: "chunked", 3: "virtual"}


def dtype_of(tid):
    c = tid.get_class()
    d = {"class": c}
    if c == h5t.STRING:
        d["vlen"] = bool(tid.is_variable_str())
        if not d["vlen"]:
            d["size"] = tid.get_size()
        d["pad"] = tid.get_strpad()
        d["cset"] = tid.get_cset()
        return d
    d["size"] = tid.get_size()
    if c in (h5t.INTEGER, h5t.FLOAT):
        d["order"] = "<" if tid.get_order() == h5t.ORDER_LE else ">"
    if c == h5t.ENUM:
        d["order"] = "<" if tid.get_super().get_order() == h5t.ORDER_LE else ">"
    if c == h5t.INTEGER:
        d["signed"] = tid.get_sign() == h5t.SGN_2
    if c == h5t.ENUM:
        d["signed"] = tid.get_super().get_sign() == h5t.SGN_2
    return d


def text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "surrogateescape")
    return str(v)


def number(x):
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    return int(x)


def data_of(arr, tid):
    c = tid.get_class()
    if c not in (h5t.INTEGER, h5t.FLOAT, h5t.STRING, h5t.ENUM):
        return {"unsupported": True}
    if c == h5t.STRING:
        strs = [text(v) for v in np.asarray(arr, dtype=object).reshape(-1)]
        if len(strs) <= MAX_LISTED:
            return {"values": strs}
        b = b"".join(s.encode("utf-8", "surrogateescape") + b"\0" for s in strs)
        return {"n": len(strs), "sha256": hashlib.sha256(b).hexdigest()}
    arr = np.asarray(arr)
    if c == h5t.ENUM:
        arr = arr.view(arr.dtype.base) if arr.dtype.kind == "V" else arr
        arr = arr.astype(np.int64 if tid.get_super().get_sign() == h5t.SGN_2 else np.uint64)
    flat = arr.reshape(-1)
    if flat.size <= MAX_LISTED:
        return {"values": [number(x) for x in flat.tolist()]}
    if arr.dtype.kind == "f":
        b = flat.astype("<f8").tobytes()
    elif arr.dtype.kind == "u":
        b = flat.astype("<u8").tobytes()
    else:
        b = flat.astype("<i8").tobytes()
    return {"n": int(flat.size), "sha256": hashlib.sha256(b).hexdigest()}


def attrs_of(obj):
    out = []
    for name in obj.attrs:
        aid = obj.attrs.get_id(name)
        tid = aid.get_type()
        space = aid.get_space()
        a = {"name": name, "dtype": dtype_of(tid),
             "space": SPACES[space.get_simple_extent_type()],
             "shape": list(space.shape) if space.get_simple_extent_type() == h5s.SIMPLE else []}
        try:
            v = obj.attrs[name]
            if isinstance(v, h5py.Empty):
                a["data"] = {"values": []}
            else:
                a["data"] = data_of(v, tid)
        except Exception as e:  # noqa: BLE001 - recorded for the Go test
            a["data"] = {"error": str(e)}
        out.append(a)
    return out


def dataset_of(path, ds):
    tid = ds.id.get_type()
    space = ds.id.get_space()
    dcpl = ds.id.get_create_plist()
    d = {"path": path, "kind": "dataset", "dtype": dtype_of(tid),
         "space": SPACES[space.get_simple_extent_type()],
         "shape": list(ds.shape) if ds.shape is not None else [],
         "layout": LAYOUTS[dcpl.get_layout()],
         "chunks": list(ds.chunks) if ds.chunks else None,
         "filters": [dcpl.get_filter(i)[0] for i in range(dcpl.get_nfilters())]}
    try:
        if space.get_simple_extent_type() == h5s.NULL:
            d["data"] = {"values": []}
        else:
            d["data"] = data_of(ds[()], tid)
    except Exception as e:  # noqa: BLE001
        d["data"] = {"error": str(e)}
    d["attrs"] = attrs_of(ds)
    return d


def dump(filename):
    out = {"objects": []}
    with h5py.File(filename, "r") as f:
        out["superblock"] = f.id.get_create_plist().get_version()[0]
        seen = {}

        def visit(path, grp):
            g = {"path": path, "kind": "group", "members": list(grp), "links": {},
                 "hardlinks": {}, "attrs": attrs_of(grp)}
            out["objects"].append(g)
            for name in grp:
                lnk = grp.get(name, getlink=True)
                child = path.rstrip("/") + "/" + name
                if isinstance(lnk, h5py.SoftLink):
                    g["links"][name] = {"soft": lnk.path}
                    continue
                if isinstance(lnk, h5py.ExternalLink):
                    g["links"][name] = {"external": [lnk.filename, lnk.path]}
                    continue
                obj = grp[name]
                addr = h5o.get_info(obj.id).addr
                if addr in seen:
                    g["hardlinks"][name] = seen[addr]
                    continue
                seen[addr] = child
                if isinstance(obj, h5py.Group):
                    visit(child, obj)
                elif isinstance(obj, h5py.Dataset):
                    out["objects"].append(dataset_of(child, obj))
                else:
                    out["objects"].append({"path": child, "kind": "datatype"})

        seen[h5o.get_info(f.id).addr] = "/"
        visit("/", f)
    return out


def write_json(obj, path):
    with open(path, "w") as fh:
        json.dump(obj, fh, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
        fh.write("\n")


if __name__ == "__main__":
    d = dump(sys.argv[1])
    if len(sys.argv) > 2:
        write_json(d, sys.argv[2])
    else:
        json.dump(d, sys.stdout, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
        print()
