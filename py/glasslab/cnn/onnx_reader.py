"""A small reader for ONNX model files: protobuf wire format to plain Python objects.

The browser has no ``onnx`` package, so this module decodes the parts of the ONNX
protobuf schema that a sequential CNN needs, with nothing but the standard library
and NumPy:

* ``ModelProto``: ir_version, opset_import, producer name/version, doc_string,
  metadata_props (string key/value pairs) and the graph;
* ``GraphProto``: nodes, initializers, inputs, outputs, value_info;
* ``NodeProto``: inputs, outputs, name, op_type, domain, attributes;
* ``AttributeProto``: float, int, string, tensor, floats, ints, strings, tensors
  (sub-graphs are skipped: their value is ``None``);
* ``TensorProto``: dims, data_type and the data from ``raw_data`` or from the typed
  fields (``float_data``, ``int32_data``, ``int64_data``, ``double_data``,
  ``uint64_data``);
* ``ValueInfoProto``: name, element type and shape (``int`` for a fixed dimension,
  ``str`` for a named one, ``None`` for an unknown one).

Every malformed input raises :class:`OnnxFormatError` (a ``ValueError``) with a
readable message: truncated or overlong fields, unknown wire types, tensors whose
data does not match their dims. Nothing is allocated beyond what the file's bytes
hold, and message counts are capped, so a hostile file cannot make the reader hang
or allocate much more memory than its own size.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "Attribute",
    "Graph",
    "Model",
    "Node",
    "OnnxFormatError",
    "Tensor",
    "ValueInfo",
    "load_model",
    "read_model",
    "DATA_TYPES",
]


class OnnxFormatError(ValueError):
    """The bytes are not a well-formed ONNX model (or use a feature this reader lacks)."""


# TensorProto.DataType -> (name, little-endian NumPy dtype)
DATA_TYPES: dict[int, tuple[str, str]] = {
    1: ("FLOAT", "<f4"),
    2: ("UINT8", "u1"),
    3: ("INT8", "i1"),
    4: ("UINT16", "<u2"),
    5: ("INT16", "<i2"),
    6: ("INT32", "<i4"),
    7: ("INT64", "<i8"),
    8: ("STRING", ""),
    9: ("BOOL", "?"),
    10: ("FLOAT16", "<f2"),
    11: ("DOUBLE", "<f8"),
    12: ("UINT32", "<u4"),
    13: ("UINT64", "<u8"),
}

# Limits that keep a hostile file from costing much time.
MAX_NODES = 100_000
MAX_INITIALIZERS = 100_000
MAX_VALUE_INFOS = 100_000
MAX_ATTRIBUTES = 10_000
MAX_RANK = 32
MAX_LIST_VALUES = 1 << 20  # values in one tensor's typed (non-raw) data or one attribute list
# Protobuf fields and list values decoded by one read_model call. Real models keep
# their weights in raw_data and need far fewer; the cap bounds the time a file of
# millions of tiny fields could take.
MAX_FIELDS = 1_000_000

_budget = threading.local()


def _spend(count: int) -> None:
    left = getattr(_budget, "left", MAX_FIELDS) - count
    _budget.left = left
    if left < 0:
        raise OnnxFormatError(
            f"the file has more than {MAX_FIELDS} protobuf fields; store large tensors as raw_data"
        )


# Wire types
_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5


@dataclass
class Tensor:
    """A TensorProto: ``array`` holds the data, shaped by ``dims``."""

    name: str
    data_type: int
    dims: tuple[int, ...]
    array: np.ndarray


@dataclass
class Attribute:
    name: str
    type: int
    value: object


@dataclass
class Node:
    op_type: str
    name: str = ""
    domain: str = ""
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    attributes: dict[str, Attribute] = field(default_factory=dict)

    def attr(self, name: str, default=None):
        """The attribute's value, or ``default`` when the node does not set it."""
        a = self.attributes.get(name)
        return default if a is None else a.value

    @property
    def label(self) -> str:
        """How error messages name this node."""
        if self.name:
            return f"node '{self.name}'"
        if self.outputs:
            return f"node producing '{self.outputs[0]}'"
        return "unnamed node"


@dataclass
class ValueInfo:
    name: str
    elem_type: int | None = None
    shape: tuple[int | str | None, ...] | None = None


@dataclass
class Graph:
    name: str = ""
    nodes: list[Node] = field(default_factory=list)
    initializers: dict[str, Tensor] = field(default_factory=dict)
    inputs: list[ValueInfo] = field(default_factory=list)
    outputs: list[ValueInfo] = field(default_factory=list)
    value_info: list[ValueInfo] = field(default_factory=list)
    doc_string: str = ""
    sparse_initializer_count: int = 0


@dataclass
class Model:
    ir_version: int = 0
    opset_import: dict[str, int] = field(default_factory=dict)
    producer_name: str = ""
    producer_version: str = ""
    domain: str = ""
    model_version: int = 0
    doc_string: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    graph: Graph = field(default_factory=Graph)


# ---------------------------------------------------------------------------
# Wire format


def _varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if pos >= end:
            raise OnnxFormatError("truncated protobuf: a varint runs past the end of its message")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise OnnxFormatError("malformed protobuf: varint longer than 10 bytes")


def _fields(buf: bytes, start: int, end: int):
    """Yield ``(field_number, wire_type, value)``; a LEN value is a ``(start, end)`` pair."""
    pos = start
    while pos < end:
        _spend(1)
        key, pos = _varint(buf, pos, end)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise OnnxFormatError("malformed protobuf: field number 0")
        if wire == _VARINT:
            value, pos = _varint(buf, pos, end)
        elif wire == _LEN:
            length, pos = _varint(buf, pos, end)
            if length > end - pos:
                raise OnnxFormatError(
                    f"truncated protobuf: field {number} claims {length} bytes, "
                    f"only {end - pos} remain"
                )
            value = (pos, pos + length)
            pos += length
        elif wire == _I32:
            if pos + 4 > end:
                raise OnnxFormatError("truncated protobuf: a 32-bit field runs past the end")
            value = buf[pos : pos + 4]
            pos += 4
        elif wire == _I64:
            if pos + 8 > end:
                raise OnnxFormatError("truncated protobuf: a 64-bit field runs past the end")
            value = buf[pos : pos + 8]
            pos += 8
        else:
            raise OnnxFormatError(f"malformed protobuf: unsupported wire type {wire}")
        yield number, wire, value


def _signed64(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def _signed32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


def _string(buf: bytes, span: tuple[int, int], what: str) -> str:
    try:
        return bytes(buf[span[0] : span[1]]).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OnnxFormatError(f"malformed ONNX: {what} is not valid UTF-8") from exc


def _need(wire: int, expected: int, what: str) -> None:
    if wire != expected:
        raise OnnxFormatError(f"malformed ONNX: {what} has wire type {wire}, expected {expected}")


def _ints(
    buf: bytes,
    wire: int,
    value,
    out: list[int],
    signed32: bool = False,
    limit: int = MAX_LIST_VALUES,
    what: str = "an integer list",
) -> None:
    """Append a repeated integer field (packed or not) to ``out``."""
    conv = _signed32 if signed32 else _signed64
    if wire == _VARINT:
        out.append(conv(value))
    elif wire == _LEN:
        pos, end = value
        while pos < end:
            _spend(1)
            v, pos = _varint(buf, pos, end)
            out.append(conv(v))
            if len(out) > limit:
                break
    else:
        raise OnnxFormatError(f"malformed ONNX: integer list has wire type {wire}")
    if len(out) > limit:
        raise OnnxFormatError(f"{what} has more than {limit} values")


def _floats(buf: bytes, wire: int, value, chunks: list, fmt: str) -> None:
    """Collect a repeated float/double field (packed or not) as NumPy chunks."""
    size = np.dtype(fmt).itemsize
    if len(chunks) >= MAX_LIST_VALUES:
        raise OnnxFormatError(
            f"a float list has more than {MAX_LIST_VALUES} parts; store large tensors as raw_data"
        )
    if wire == _LEN:
        start, end = value
        if (end - start) % size:
            raise OnnxFormatError("malformed ONNX: packed float list has a partial element")
        chunks.append(np.frombuffer(buf, dtype=fmt, count=(end - start) // size, offset=start))
    elif (wire == _I32 and size == 4) or (wire == _I64 and size == 8):
        chunks.append(np.frombuffer(bytes(value), dtype=fmt))
    else:
        raise OnnxFormatError(f"malformed ONNX: float list has wire type {wire}")


# ---------------------------------------------------------------------------
# Messages


def _tensor(buf: bytes, start: int, end: int) -> Tensor:
    dims: list[int] = []
    data_type = 0
    name = ""
    raw: tuple[int, int] | None = None
    typed: dict[int, list] = {}
    external = False
    for number, wire, value in _fields(buf, start, end):
        if number == 1:  # dims
            _ints(buf, wire, value, dims, limit=MAX_RANK, what="a tensor's dims list")
        elif number == 2:
            _need(wire, _VARINT, "TensorProto.data_type")
            data_type = _signed32(value)
        elif number == 8:
            _need(wire, _LEN, "TensorProto.name")
            name = _string(buf, value, "a tensor name")
        elif number == 9:
            _need(wire, _LEN, "TensorProto.raw_data")
            raw = value
        elif number in (4, 10):  # float_data, double_data
            _floats(buf, wire, value, typed.setdefault(number, []), "<f4" if number == 4 else "<f8")
        elif number in (5, 7, 11):  # int32_data, int64_data, uint64_data
            _ints(buf, wire, value, typed.setdefault(number, []), signed32=number == 5)
        elif number == 6:  # string_data: not supported, only counted
            typed[6] = typed.get(6, 0) + 1
        elif number == 13:  # external_data
            external = True
        elif number == 14:  # data_location
            external = external or value == 1
    label = f"tensor '{name}'" if name else "an unnamed tensor"
    if external:
        raise OnnxFormatError(
            f"{label} keeps its data in an external file; save the model with its weights "
            "inside the .onnx file"
        )
    if data_type not in DATA_TYPES or data_type == 8:
        kind = DATA_TYPES.get(data_type, (str(data_type),))[0]
        raise OnnxFormatError(f"{label} has unsupported data type {kind}")
    if any(d < 0 for d in dims):
        raise OnnxFormatError(f"{label} has a negative dimension: {dims}")
    count = math.prod(dims)
    dtype = np.dtype(DATA_TYPES[data_type][1])
    if raw is not None:
        nbytes = raw[1] - raw[0]
        if nbytes != count * dtype.itemsize:
            raise OnnxFormatError(
                f"{label} has dims {dims} ({count} values) but raw_data holds {nbytes} bytes"
            )
        array = np.frombuffer(buf, dtype=dtype, count=count, offset=raw[0])
    else:
        array = _typed_data(typed, data_type, dtype, count, label, dims)
    array = array.reshape(dims)
    if array.dtype.byteorder not in ("=", "|"):
        array = array.astype(array.dtype.newbyteorder("="))
    return Tensor(name=name, data_type=data_type, dims=tuple(dims), array=array)


def _typed_data(typed: dict, data_type: int, dtype: np.dtype, count: int, label: str, dims):
    if data_type == 1:
        source = 4
    elif data_type == 11:
        source = 10
    elif data_type == 7:
        source = 7
    elif data_type in (12, 13):
        source = 11
    else:  # int32, int16, int8, uint16, uint8, bool, float16 live in int32_data
        source = 5
    values = typed.get(source, [])
    if source in (4, 10):
        n = sum(len(c) for c in values)
        if n != count:
            raise OnnxFormatError(f"{label} has dims {list(dims)} ({count} values) but {n} values")
        return np.concatenate(values).astype(dtype) if values else np.zeros(0, dtype)
    if len(values) != count:
        raise OnnxFormatError(
            f"{label} has dims {list(dims)} ({count} values) but {len(values)} values"
        )
    if data_type == 10:  # float16 bits in int32_data
        return np.array(values, dtype=np.int64).astype(np.uint16).view(np.float16)
    if data_type in (12, 13):
        return np.array([v & 0xFFFFFFFFFFFFFFFF for v in values], dtype=np.uint64).astype(dtype)
    return np.array(values, dtype=np.int64).astype(dtype)


def _attribute(buf: bytes, start: int, end: int) -> Attribute:
    name = ""
    atype = 0
    scalar: dict[str, object] = {}
    floats: list = []
    ints: list[int] = []
    strings: list[bytes] = []
    tensors: list[np.ndarray] = []
    has_graph = False
    for number, wire, value in _fields(buf, start, end):
        if number == 1:
            _need(wire, _LEN, "AttributeProto.name")
            name = _string(buf, value, "an attribute name")
        elif number == 20:
            _need(wire, _VARINT, "AttributeProto.type")
            atype = _signed32(value)
        elif number == 2:
            _need(wire, _I32, "AttributeProto.f")
            scalar["f"] = float(np.frombuffer(bytes(value), dtype="<f4")[0])
        elif number == 3:
            _need(wire, _VARINT, "AttributeProto.i")
            scalar["i"] = _signed64(value)
        elif number == 4:
            _need(wire, _LEN, "AttributeProto.s")
            scalar["s"] = bytes(buf[value[0] : value[1]])
        elif number == 5:
            _need(wire, _LEN, "AttributeProto.t")
            scalar["t"] = _tensor(buf, *value).array
        elif number in (6, 11):  # g, graphs: not decoded
            has_graph = True
        elif number == 7:
            _floats(buf, wire, value, floats, "<f4")
        elif number == 8:
            _ints(buf, wire, value, ints)
        elif number == 9:
            _need(wire, _LEN, "AttributeProto.strings")
            strings.append(bytes(buf[value[0] : value[1]]))
        elif number == 10:
            _need(wire, _LEN, "AttributeProto.tensors")
            tensors.append(_tensor(buf, *value).array)
    if atype == 0:  # very old files: infer the type from the field that is set
        if "f" in scalar:
            atype = 1
        elif "i" in scalar:
            atype = 2
        elif "s" in scalar:
            atype = 3
        elif "t" in scalar:
            atype = 4
        elif floats:
            atype = 6
        elif ints:
            atype = 7
        elif strings:
            atype = 8
        elif tensors:
            atype = 9
        elif has_graph:
            atype = 5
    if atype == 1:
        value: object = scalar.get("f", 0.0)
    elif atype == 2:
        value = scalar.get("i", 0)
    elif atype == 3:
        value = scalar.get("s", b"")
    elif atype == 4:
        value = scalar.get("t")
    elif atype == 6:
        value = [float(v) for c in floats for v in c]
    elif atype == 7:
        value = ints
    elif atype == 8:
        value = strings
    elif atype == 9:
        value = tensors
    else:  # graphs, sparse tensors, type protos: not needed by this project
        value = None
    return Attribute(name=name, type=atype, value=value)


def _node(buf: bytes, start: int, end: int) -> Node:
    node = Node(op_type="")
    for number, wire, value in _fields(buf, start, end):
        if number in (1, 2, 3, 4, 7):
            _need(wire, _LEN, "a NodeProto string")
            text = _string(buf, value, "a node field")
            if number == 1:
                node.inputs.append(text)
            elif number == 2:
                node.outputs.append(text)
            elif number == 3:
                node.name = text
            elif number == 4:
                node.op_type = text
            else:
                node.domain = text
        elif number == 5:
            _need(wire, _LEN, "NodeProto.attribute")
            attr = _attribute(buf, *value)
            if len(node.attributes) >= MAX_ATTRIBUTES:
                raise OnnxFormatError(f"a node has more than {MAX_ATTRIBUTES} attributes")
            node.attributes[attr.name] = attr
    return node


def _dimension(buf: bytes, start: int, end: int) -> int | str | None:
    dim: int | str | None = None
    for number, wire, value in _fields(buf, start, end):
        if number == 1 and wire == _VARINT:
            dim = _signed64(value)
        elif number == 2 and wire == _LEN:
            dim = _string(buf, value, "a dimension name")
    return dim


def _value_info(buf: bytes, start: int, end: int) -> ValueInfo:
    info = ValueInfo(name="")
    for number, wire, value in _fields(buf, start, end):
        if number == 1:
            _need(wire, _LEN, "ValueInfoProto.name")
            info.name = _string(buf, value, "a value name")
        elif number == 2 and wire == _LEN:  # TypeProto
            for tn, tw, tv in _fields(buf, *value):
                if tn != 1 or tw != _LEN:  # only tensor_type
                    continue
                for fn, fw, fv in _fields(buf, *tv):
                    if fn == 1 and fw == _VARINT:
                        info.elem_type = _signed32(fv)
                    elif fn == 2 and fw == _LEN:
                        dims: list[int | str | None] = []
                        for dn, dw, dv in _fields(buf, *fv):
                            if dn == 1 and dw == _LEN:
                                dims.append(_dimension(buf, *dv))
                                if len(dims) > MAX_RANK:
                                    raise OnnxFormatError(
                                        f"value '{info.name}' has more than {MAX_RANK} dimensions"
                                    )
                        info.shape = tuple(dims)
    return info


def _graph(buf: bytes, start: int, end: int) -> Graph:
    graph = Graph()
    for number, wire, value in _fields(buf, start, end):
        if wire != _LEN:
            continue
        if number == 1:
            if len(graph.nodes) >= MAX_NODES:
                raise OnnxFormatError(f"the graph has more than {MAX_NODES} nodes")
            graph.nodes.append(_node(buf, *value))
        elif number == 2:
            graph.name = _string(buf, value, "the graph name")
        elif number == 5:
            if len(graph.initializers) >= MAX_INITIALIZERS:
                raise OnnxFormatError(f"the graph has more than {MAX_INITIALIZERS} initializers")
            tensor = _tensor(buf, *value)
            graph.initializers[tensor.name] = tensor
        elif number == 10:
            graph.doc_string = _string(buf, value, "the graph doc_string")
        elif number in (11, 12, 13):
            if len(graph.inputs) + len(graph.outputs) + len(graph.value_info) >= MAX_VALUE_INFOS:
                raise OnnxFormatError(f"the graph has more than {MAX_VALUE_INFOS} value infos")
            info = _value_info(buf, *value)
            {11: graph.inputs, 12: graph.outputs, 13: graph.value_info}[number].append(info)
        elif number == 15:
            graph.sparse_initializer_count += 1
    return graph


def read_model(data: bytes | bytearray | memoryview) -> Model:
    """Decode an ONNX ``ModelProto`` from bytes."""
    buf = bytes(data)
    if not buf:
        raise OnnxFormatError("empty file: not an ONNX model")
    _budget.left = MAX_FIELDS
    model = Model()
    seen_graph = False
    for number, wire, value in _fields(buf, 0, len(buf)):
        if number == 1:
            _need(wire, _VARINT, "ModelProto.ir_version")
            model.ir_version = _signed64(value)
        elif number == 2:
            _need(wire, _LEN, "ModelProto.producer_name")
            model.producer_name = _string(buf, value, "producer_name")
        elif number == 3:
            _need(wire, _LEN, "ModelProto.producer_version")
            model.producer_version = _string(buf, value, "producer_version")
        elif number == 4:
            _need(wire, _LEN, "ModelProto.domain")
            model.domain = _string(buf, value, "domain")
        elif number == 5:
            _need(wire, _VARINT, "ModelProto.model_version")
            model.model_version = _signed64(value)
        elif number == 6:
            _need(wire, _LEN, "ModelProto.doc_string")
            model.doc_string = _string(buf, value, "doc_string")
        elif number == 7:
            _need(wire, _LEN, "ModelProto.graph")
            model.graph = _graph(buf, *value)
            seen_graph = True
        elif number == 8:
            _need(wire, _LEN, "ModelProto.opset_import")
            domain, version = "", 0
            for on, ow, ov in _fields(buf, *value):
                if on == 1 and ow == _LEN:
                    domain = _string(buf, ov, "an opset domain")
                elif on == 2 and ow == _VARINT:
                    version = _signed64(ov)
            model.opset_import[domain] = version
        elif number == 14:
            _need(wire, _LEN, "ModelProto.metadata_props")
            key, text = "", ""
            for mn, mw, mv in _fields(buf, *value):
                if mn == 1 and mw == _LEN:
                    key = _string(buf, mv, "a metadata key")
                elif mn == 2 and mw == _LEN:
                    text = _string(buf, mv, "a metadata value")
            model.metadata[key] = text
    if not seen_graph:
        raise OnnxFormatError("not an ONNX model: the file has no graph")
    return model


def load_model(path: str | Path) -> Model:
    """Read and decode an ONNX file."""
    return read_model(Path(path).read_bytes())
