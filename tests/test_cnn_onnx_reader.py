"""glasslab.cnn.onnx_reader against the onnx package: initializers, attributes, shapes."""

from __future__ import annotations

import struct

import numpy as np
import onnx
import pytest
from glasslab.cnn.onnx_reader import OnnxFormatError, load_model, read_model
from onnx import AttributeProto, TensorProto, helper, numpy_helper
from test_cnn_reference import build_tinyvgg


@pytest.fixture(scope="session")
def tinyvgg_dir(tmp_path_factory):
    """TinyVGG exported once per session into a temporary folder."""
    return build_tinyvgg(tmp_path_factory.getbasetemp())


def _compare_with_onnx(data: bytes) -> None:
    ref = onnx.load_from_string(data)
    got = read_model(data)
    assert got.ir_version == ref.ir_version
    assert got.producer_name == ref.producer_name
    assert got.opset_import == {o.domain: o.version for o in ref.opset_import}
    assert got.metadata == {p.key: p.value for p in ref.metadata_props}
    graph = got.graph
    assert graph.name == ref.graph.name
    assert list(graph.initializers) == [t.name for t in ref.graph.initializer]
    for t in ref.graph.initializer:
        expected = numpy_helper.to_array(t)
        actual = graph.initializers[t.name].array
        assert actual.dtype == expected.dtype, t.name
        assert actual.shape == expected.shape, t.name
        np.testing.assert_array_equal(actual, expected, err_msg=t.name)
    assert len(graph.nodes) == len(ref.graph.node)
    for node, rnode in zip(graph.nodes, ref.graph.node, strict=True):
        assert node.op_type == rnode.op_type
        assert node.name == rnode.name
        assert node.domain == rnode.domain
        assert node.inputs == list(rnode.input)
        assert node.outputs == list(rnode.output)
        assert list(node.attributes) == [a.name for a in rnode.attribute]
        for attr in rnode.attribute:
            expected = helper.get_attribute_value(attr)
            actual = node.attributes[attr.name].value
            assert node.attributes[attr.name].type == attr.type
            if isinstance(expected, TensorProto):
                np.testing.assert_array_equal(actual, numpy_helper.to_array(expected))
            elif isinstance(expected, list) and expected and isinstance(expected[0], TensorProto):
                for a, e in zip(actual, expected, strict=True):
                    np.testing.assert_array_equal(a, numpy_helper.to_array(e))
            elif isinstance(expected, float):
                assert actual == pytest.approx(expected, rel=0, abs=0)
            elif isinstance(expected, list) and expected and isinstance(expected[0], float):
                assert actual == pytest.approx(expected, rel=0, abs=0)
            else:
                assert actual == expected, attr.name

    def shape(vi):
        if not vi.type.tensor_type.HasField("shape"):
            return None
        dims = []
        for d in vi.type.tensor_type.shape.dim:
            if d.HasField("dim_value"):
                dims.append(d.dim_value)
            elif d.HasField("dim_param"):
                dims.append(d.dim_param)
            else:
                dims.append(None)
        return tuple(dims)

    for mine, theirs in (
        (graph.inputs, ref.graph.input),
        (graph.outputs, ref.graph.output),
        (graph.value_info, ref.graph.value_info),
    ):
        assert [v.name for v in mine] == [v.name for v in theirs]
        for v, r in zip(mine, theirs, strict=True):
            assert v.elem_type == r.type.tensor_type.elem_type
            assert v.shape == shape(r)


def test_reader_matches_onnx_on_tinyvgg(tinyvgg_dir):
    data = (tinyvgg_dir / "tinyvgg.onnx").read_bytes()
    _compare_with_onnx(data)
    model = load_model(tinyvgg_dir / "tinyvgg.onnx")
    assert model.graph.initializers["conv_1_1/kernel"].dims == (10, 3, 3, 3)
    assert model.graph.inputs[0].shape == ("batch", 64, 64, 3)


def _all_kinds_model() -> bytes:
    rng = np.random.default_rng(1)
    inits = [
        numpy_helper.from_array(rng.standard_normal((2, 3, 4)).astype(np.float32), "f32_raw"),
        helper.make_tensor("f32_typed", TensorProto.FLOAT, [2, 2], [1.5, -2.0, 3.25, 0.0]),
        numpy_helper.from_array(np.array([1, -1, 2**40], dtype=np.int64), "i64_raw"),
        helper.make_tensor("i64_typed", TensorProto.INT64, [3], [7, -8, 2**62]),
        helper.make_tensor("i32_typed", TensorProto.INT32, [2], [-5, 6]),
        numpy_helper.from_array(np.array([0.1, -0.2], dtype=np.float64), "f64_raw"),
        helper.make_tensor("f64_typed", TensorProto.DOUBLE, [2], [0.1, -1e300]),
        helper.make_tensor(
            "f16_typed", TensorProto.FLOAT16, [3], np.array([1, 0.5, -2], np.float16)
        ),
        numpy_helper.from_array(np.array([[1, 2], [3, 255]], dtype=np.uint8), "u8_raw"),
        helper.make_tensor("bool_typed", TensorProto.BOOL, [3], [True, False, True]),
        numpy_helper.from_array(np.array(3.5, dtype=np.float32), "scalar"),
        numpy_helper.from_array(np.zeros((0, 4), dtype=np.float32), "empty"),
        helper.make_tensor("u64_typed", TensorProto.UINT64, [2], [1, 2**63 + 5]),
    ]
    node = helper.make_node(
        "Custom",
        ["x", "f32_raw"],
        ["y", "y2"],
        name="every_attribute",
        domain="test.domain",
        f=0.25,
        i=-7,
        s="héllo",
        t=numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3)),
        floats=[1.0, -0.5, 3.0],
        ints=[3, -1, 2**50],
        strings=["a", "bc"],
        tensors=[numpy_helper.from_array(np.array([1, 2], dtype=np.int64))],
    )
    node.attribute.append(helper.make_attribute("empty_ints", [], attr_type=AttributeProto.INTS))
    relu = helper.make_node("Relu", ["y"], ["z"], name="")
    graph = helper.make_graph(
        [node, relu],
        "kinds",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, None, 5])],
        [
            helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 2]),
            helper.make_tensor_value_info("y2", TensorProto.INT64, None),
        ],
        initializer=inits,
        value_info=[helper.make_tensor_value_info("y", TensorProto.FLOAT, [])],
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("test.domain", 2)],
        producer_name="tests",
    )
    helper.set_model_props(model, {"labels": '["a", "b"]', "note": "ünïcode"})
    return model.SerializeToString()


def test_reader_matches_onnx_on_every_kind_of_field():
    _compare_with_onnx(_all_kinds_model())


def _varint(v: int) -> bytes:
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def _field(number: int, wire: int, payload: bytes) -> bytes:
    key = _varint(number << 3 | wire)
    if wire == 2:
        return key + _varint(len(payload)) + payload
    return key + payload


def _model_with_tensor(tensor: bytes) -> bytes:
    graph = _field(5, 2, tensor)  # GraphProto.initializer
    return _field(1, 0, _varint(8)) + _field(7, 2, graph)


def test_reader_accepts_unpacked_repeated_fields():
    # dims as separate varints, float_data as separate fixed32 values
    tensor = (
        _field(1, 0, _varint(2))
        + _field(1, 0, _varint(2))
        + _field(2, 0, _varint(1))
        + b"".join(_field(4, 5, struct.pack("<f", v)) for v in (1.0, 2.0, -3.0, 0.5))
        + _field(8, 2, b"w")
    )
    data = _model_with_tensor(tensor)
    ref = onnx.load_from_string(data)
    expected = numpy_helper.to_array(ref.graph.initializer[0])
    got = read_model(data).graph.initializers["w"].array
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got, [[1.0, 2.0], [-3.0, 0.5]])


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"\x08" + b"\xff" * 11, "varint"),
        (b"\x08\x80", "truncated"),
        (b"\x3a\x10abc", "truncated"),  # graph claims 16 bytes, has 3
        (b"\x0b\x08\x01", "wire type"),  # wire type 3 (group)
        (b"\x08\x08", "no graph"),
        (b"\x00\x01", "field number 0"),
    ],
)
def test_reader_refuses_malformed_bytes(data, message):
    with pytest.raises(OnnxFormatError, match=message):
        read_model(data)


def test_reader_refuses_truncated_models():
    data = _all_kinds_model()
    with pytest.raises(OnnxFormatError, match="truncated"):
        read_model(data[: len(data) // 2])


def test_reader_refuses_tensors_whose_data_does_not_fit_dims():
    huge = (
        _field(1, 2, _varint(10**9) + _varint(10**9))
        + _field(2, 0, _varint(1))
        + _field(9, 2, b"\0" * 8)
        + _field(8, 2, b"big")
    )
    with pytest.raises(OnnxFormatError, match="'big' has dims"):
        read_model(_model_with_tensor(huge))
    negative = _field(1, 0, _varint(-3)) + _field(2, 0, _varint(1)) + _field(8, 2, b"neg")
    with pytest.raises(OnnxFormatError, match="negative"):
        read_model(_model_with_tensor(negative))
    external = _field(1, 0, _varint(4)) + _field(2, 0, _varint(1)) + _field(14, 0, _varint(1))
    with pytest.raises(OnnxFormatError, match="external"):
        read_model(_model_with_tensor(external))
    string = _field(1, 0, _varint(1)) + _field(2, 0, _varint(8)) + _field(6, 2, b"s")
    with pytest.raises(OnnxFormatError, match="STRING"):
        read_model(_model_with_tensor(string))
    rank = _field(1, 2, _varint(1) * 40) + _field(2, 0, _varint(1))
    with pytest.raises(OnnxFormatError, match="dims"):
        read_model(_model_with_tensor(rank))


def test_reader_refuses_invalid_utf8_names():
    bad = _field(1, 0, _varint(1)) + _field(2, 0, _varint(1)) + _field(8, 2, b"\xff\xfe")
    with pytest.raises(OnnxFormatError, match="UTF-8"):
        read_model(_model_with_tensor(bad))


def test_reader_caps_the_number_of_fields(monkeypatch):
    from glasslab.cnn import onnx_reader

    # a graph of many tiny unknown fields: each costs a loop iteration, not memory
    many = _field(7, 2, b"\x08\x01" * 5000)
    assert read_model(many).graph.nodes == []
    monkeypatch.setattr(onnx_reader, "MAX_FIELDS", 1000)
    with pytest.raises(OnnxFormatError, match="more than 1000 protobuf fields"):
        read_model(many)
    packed = _model_with_tensor(_field(7, 2, _varint(1) * 3000) + _field(2, 0, _varint(7)))
    with pytest.raises(OnnxFormatError, match="protobuf fields"):
        read_model(packed)
