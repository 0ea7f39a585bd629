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
from pathlib import Path

import numpy as np

from glasslab.cnn import protobuf as pb
from glasslab.cnn.onnx_graph import Attribute, Graph, Model, Node, Tensor, ValueInfo
from glasslab.cnn.protobuf import I32, LEN, VARINT, OnnxFormatError

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
# Protobuf fields and list values decoded by one read_model call. Real models keep
# their weights in raw_data and need far fewer; the cap bounds the time a file of
# millions of tiny fields could take.
MAX_FIELDS = 1_000_000

# ---------------------------------------------------------------------------
# Messages


def _tensor(buf: bytes, start: int, end: int) -> Tensor:
    dims: list[int] = []
    data_type = 0
    name = ""
    raw: tuple[int, int] | None = None
    typed: dict[int, list] = {}
    external = False
    for number, wire, value in pb.fields(buf, start, end):
        if number == 1:  # dims
            pb.ints(buf, wire, value, dims, limit=MAX_RANK, what="a tensor's dims list")
        elif number == 2:
            pb.need(wire, VARINT, "TensorProto.data_type")
            data_type = pb.to_int32(value)
        elif number == 8:
            pb.need(wire, LEN, "TensorProto.name")
            name = pb.string(buf, value, "a tensor name")
        elif number == 9:
            pb.need(wire, LEN, "TensorProto.raw_data")
            raw = value
        elif number in (4, 10):  # float_data, double_data
            pb.floats(
                buf, wire, value, typed.setdefault(number, []), "<f4" if number == 4 else "<f8"
            )
        elif number in (5, 7, 11):  # int32_data, int64_data, uint64_data
            pb.ints(buf, wire, value, typed.setdefault(number, []), signed32=number == 5)
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
    for number, wire, value in pb.fields(buf, start, end):
        if number == 1:
            pb.need(wire, LEN, "AttributeProto.name")
            name = pb.string(buf, value, "an attribute name")
        elif number == 20:
            pb.need(wire, VARINT, "AttributeProto.type")
            atype = pb.to_int32(value)
        elif number == 2:
            pb.need(wire, I32, "AttributeProto.f")
            scalar["f"] = float(np.frombuffer(bytes(value), dtype="<f4")[0])
        elif number == 3:
            pb.need(wire, VARINT, "AttributeProto.i")
            scalar["i"] = pb.to_int64(value)
        elif number == 4:
            pb.need(wire, LEN, "AttributeProto.s")
            scalar["s"] = bytes(buf[value[0] : value[1]])
        elif number == 5:
            pb.need(wire, LEN, "AttributeProto.t")
            scalar["t"] = _tensor(buf, *value).array
        elif number in (6, 11):  # g, graphs: not decoded
            has_graph = True
        elif number == 7:
            pb.floats(buf, wire, value, floats, "<f4")
        elif number == 8:
            pb.ints(buf, wire, value, ints)
        elif number == 9:
            pb.need(wire, LEN, "AttributeProto.strings")
            strings.append(bytes(buf[value[0] : value[1]]))
        elif number == 10:
            pb.need(wire, LEN, "AttributeProto.tensors")
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
    for number, wire, value in pb.fields(buf, start, end):
        if number in (1, 2, 3, 4, 7):
            pb.need(wire, LEN, "a NodeProto string")
            text = pb.string(buf, value, "a node field")
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
            pb.need(wire, LEN, "NodeProto.attribute")
            attr = _attribute(buf, *value)
            if len(node.attributes) >= MAX_ATTRIBUTES:
                raise OnnxFormatError(f"a node has more than {MAX_ATTRIBUTES} attributes")
            node.attributes[attr.name] = attr
    return node


def _dimension(buf: bytes, start: int, end: int) -> int | str | None:
    dim: int | str | None = None
    for number, wire, value in pb.fields(buf, start, end):
        if number == 1 and wire == VARINT:
            dim = pb.to_int64(value)
        elif number == 2 and wire == LEN:
            dim = pb.string(buf, value, "a dimension name")
    return dim


def _value_info(buf: bytes, start: int, end: int) -> ValueInfo:
    info = ValueInfo(name="")
    for number, wire, value in pb.fields(buf, start, end):
        if number == 1:
            pb.need(wire, LEN, "ValueInfoProto.name")
            info.name = pb.string(buf, value, "a value name")
        elif number == 2 and wire == LEN:  # TypeProto
            for tn, tw, tv in pb.fields(buf, *value):
                if tn != 1 or tw != LEN:  # only tensor_type
                    continue
                for fn, fw, fv in pb.fields(buf, *tv):
                    if fn == 1 and fw == VARINT:
                        info.elem_type = pb.to_int32(fv)
                    elif fn == 2 and fw == LEN:
                        dims: list[int | str | None] = []
                        for dn, dw, dv in pb.fields(buf, *fv):
                            if dn == 1 and dw == LEN:
                                dims.append(_dimension(buf, *dv))
                                if len(dims) > MAX_RANK:
                                    raise OnnxFormatError(
                                        f"value '{info.name}' has more than {MAX_RANK} dimensions"
                                    )
                        info.shape = tuple(dims)
    return info


def _graph(buf: bytes, start: int, end: int) -> Graph:
    graph = Graph()
    for number, wire, value in pb.fields(buf, start, end):
        if wire != LEN:
            continue
        if number == 1:
            if len(graph.nodes) >= MAX_NODES:
                raise OnnxFormatError(f"the graph has more than {MAX_NODES} nodes")
            graph.nodes.append(_node(buf, *value))
        elif number == 2:
            graph.name = pb.string(buf, value, "the graph name")
        elif number == 5:
            if len(graph.initializers) >= MAX_INITIALIZERS:
                raise OnnxFormatError(f"the graph has more than {MAX_INITIALIZERS} initializers")
            tensor = _tensor(buf, *value)
            graph.initializers[tensor.name] = tensor
        elif number == 10:
            graph.doc_string = pb.string(buf, value, "the graph doc_string")
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
    pb.start_budget(MAX_FIELDS)
    model = Model()
    seen_graph = False
    for number, wire, value in pb.fields(buf, 0, len(buf)):
        if number == 1:
            pb.need(wire, VARINT, "ModelProto.ir_version")
            model.ir_version = pb.to_int64(value)
        elif number == 2:
            pb.need(wire, LEN, "ModelProto.producer_name")
            model.producer_name = pb.string(buf, value, "producer_name")
        elif number == 3:
            pb.need(wire, LEN, "ModelProto.producer_version")
            model.producer_version = pb.string(buf, value, "producer_version")
        elif number == 4:
            pb.need(wire, LEN, "ModelProto.domain")
            model.domain = pb.string(buf, value, "domain")
        elif number == 5:
            pb.need(wire, VARINT, "ModelProto.model_version")
            model.model_version = pb.to_int64(value)
        elif number == 6:
            pb.need(wire, LEN, "ModelProto.doc_string")
            model.doc_string = pb.string(buf, value, "doc_string")
        elif number == 7:
            pb.need(wire, LEN, "ModelProto.graph")
            model.graph = _graph(buf, *value)
            seen_graph = True
        elif number == 8:
            pb.need(wire, LEN, "ModelProto.opset_import")
            domain, version = "", 0
            for on, ow, ov in pb.fields(buf, *value):
                if on == 1 and ow == LEN:
                    domain = pb.string(buf, ov, "an opset domain")
                elif on == 2 and ow == VARINT:
                    version = pb.to_int64(ov)
            model.opset_import[domain] = version
        elif number == 14:
            pb.need(wire, LEN, "ModelProto.metadata_props")
            key, text = "", ""
            for mn, mw, mv in pb.fields(buf, *value):
                if mn == 1 and mw == LEN:
                    key = pb.string(buf, mv, "a metadata key")
                elif mn == 2 and mw == LEN:
                    text = pb.string(buf, mv, "a metadata value")
            model.metadata[key] = text
    if not seen_graph:
        raise OnnxFormatError("not an ONNX model: the file has no graph")
    return model


def load_model(path: str | Path) -> Model:
    """Read and decode an ONNX file."""
    return read_model(Path(path).read_bytes())
