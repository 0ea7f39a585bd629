"""View maths of the CNN page: colour ranges, column images, legend, playground, sniffing."""

from __future__ import annotations

import io

import numpy as np
import pytest
from glasslab import colour
from glasslab.cnn import page_data
from glasslab.cnn import view as cnn_view
from PIL import Image


def test_limits_per_unit_module_and_global():
    a = np.zeros((4, 4, 2), np.float32)
    a[0, 0] = [1.0, -3.0]
    b = np.zeros((2, 2, 2), np.float32)
    b[1, 1] = [0.5, 2.0]
    c = np.full((2, 2, 1), 7.0, np.float32)
    blocks = cnn_view.modules(["conv", "maxpool", "conv"])
    assert blocks == [0, 0, 1]
    unit = cnn_view.limits([a, b, c], blocks, "unit")
    assert [u.tolist() for u in unit] == [[1.0, 3.0], [0.5, 2.0], [7.0]]
    module = cnn_view.limits([a, b, c], blocks, "module")
    assert [u.tolist() for u in module] == [[3.0, 3.0], [3.0, 3.0], [7.0]]
    glob = cnn_view.limits([a, b, c], blocks, "global")
    assert all(np.all(u == 7.0) for u in glob)
    with pytest.raises(ValueError):
        cnn_view.limits([a], [0], "nonsense")


def test_column_image_tiles_colours_and_gaps():
    lut = cnn_view.Lut(colour.RED_BLUE)
    act = np.zeros((3, 3, 2), np.float32)
    act[0, 0, 0] = 1.0
    act[2, 2, 1] = -2.0
    img = cnn_view.column_image(act, np.array([1.0, 2.0], np.float32), lut, tile=6, gap=2)
    assert img.shape == (6 + 2 + 6, 6, 4)
    assert np.all(img[6:8, :, 3] == 0)  # transparent gap
    assert tuple(img[0, 0]) == tuple(lut.colours(1.0, -1, 1))  # top-left cell of map 0
    assert tuple(img[0, 0, :3]) == tuple(colour.RED_BLUE.rgba(1.0)[:3])
    assert tuple(img[8 + 5, 5, :3]) == tuple(colour.RED_BLUE.rgba(0.0)[:3])  # -limit
    mid = colour.RED_BLUE.rgba(0.5)
    assert tuple(img[8, 0, :3]) == tuple(mid[:3])  # zero is the middle colour


def test_legend_ticks_have_the_colours_of_their_values():
    lut = cnn_view.Lut(colour.RED_BLUE)
    ticks = lut.ticks(-2.5, 2.5, 5)
    assert [t["value"] for t in ticks] == [-2.5, -1.25, 0.0, 1.25, 2.5]
    for t in ticks:
        pixel = lut.colours(np.array([t["value"]]), -2.5, 2.5)[0]
        assert t["hex"] == colour.hex_colour(pixel)
        # and the legend bar (the table itself) has that colour at the tick's position
        assert tuple(lut.table[round(t["position"] * (lut.size - 1))]) == tuple(pixel)
    assert ticks[2]["label"] == "0.00"


def test_input_image_tints_channels():
    x = np.zeros((2, 2, 3), np.float32)
    x[:, :, 0] = 1.0
    img = cnn_view.input_image(x, tile=4, gap=1)
    assert img.shape == (3 * 5 - 1, 4, 4)
    assert tuple(img[0, 0, :3]) == cnn_view.INPUT_TINTS[3][0]
    assert tuple(img[5, 0, :3]) == (0, 0, 0)


def test_tile_size_fits_the_height():
    assert cnn_view.tile_size(10) == 50
    assert cnn_view.tile_size(3) == 52
    assert cnn_view.tile_size(200, gap=2) == 8


@pytest.mark.parametrize(
    "n,p,k,s,size",
    [
        (64, 0, 3, 1, 62),
        (7, 1, 3, 2, 4),
        (5, 0, 5, 1, 1),
        (6, 1, 3, 2, None),
        (3, 0, 5, 1, None),
        (5, 3, 3, 1, None),
        (4, 0, 1, 1, 4),
    ],
)
def test_conv_output_size(n, p, k, s, size):
    res = cnn_view.conv_output_size(n, p, k, s)
    assert res["size"] == size and res["valid"] == (size is not None)
    assert bool(res["reason"]) == (size is None)
    if size is not None:
        assert (n + 2 * p - k) / s + 1 == size


def test_sniff_image():
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "JPEG")
    jpeg = buf.getvalue()
    assert cnn_view.sniff_image(jpeg) == ("jpeg", "")
    assert "truncated" in cnn_view.sniff_image(jpeg[:-100])[1]
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "PNG")
    assert cnn_view.sniff_image(buf.getvalue()) == ("png", "")
    assert "truncated" in cnn_view.sniff_image(buf.getvalue()[:-20])[1]
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "GIF")
    assert cnn_view.sniff_image(buf.getvalue())[0] == "gif"
    assert cnn_view.sniff_image(b"hello")[0] is None
    assert cnn_view.sniff_image(b"")[1] == "the file is empty"


def test_fmt():
    assert cnn_view.fmt(-0.00001) == "0.0000"
    assert cnn_view.fmt(1.23456, 2) == "1.23"


def test_page_data_for_samples_columns_and_summary(tmp_path_factory):
    from glasslab.cnn.model import load
    from test_cnn_reference import build_tinyvgg

    samples = [
        {"file": "a1", "class": "a"},
        {"file": "a2", "class": "a"},
        {"file": "b1", "class": "b"},
    ]
    assert [s["file"] for s in page_data.default_samples(samples)] == ["a1", "b1"]
    model = load(build_tinyvgg(tmp_path_factory.getbasetemp()) / "tinyvgg.onnx")
    cols = cnn_view.overview_columns(
        [la.kind for la in model.layers], [la.shape for la in model.layers]
    )
    layout = page_data.column_layout(model, cols, list(model.labels))
    first = layout["columns"][0]
    assert first["name"] == "input" and first["shape"] == [64, 64, 3]
    assert [c["name"] for c in layout["columns"][1:]] == [model.layers[i].name for i in cols]
    assert all(
        c["height"] == c["channels"] * (c["tile"] + c["gap"]) - c["gap"] for c in layout["columns"]
    )
    assert layout["outputName"] == model.layers[-1].name and len(layout["classes"]) == 10
    summary = page_data.model_summary(model, list(model.labels))
    assert summary["convs"] == 4 and summary["classes"] == 10 and summary["h"] == 64


def test_the_ort_comparison_verdict():
    from glasslab.cnn import compare

    assert compare.verdict(0.0, 0)[0] == "no comparable outputs"
    assert compare.verdict(1e-6, 1) == ("agree", "cnn.ort.agree", {"diff": "1.00e-06", "n": 1})
    assert compare.verdict(0.5, 3)[:2] == ("differ", "cnn.ort.differ_n")


def test_labels_preview_and_page_state():
    from types import SimpleNamespace

    assert page_data.parse_labels(" a\n\nb \n") == ["a", "b"]
    assert page_data.parse_labels('["x", 2]') == ["x", "2"]
    assert page_data.parse_labels("") == []
    with pytest.raises(ValueError) as bad:
        page_data.parse_labels("[1,")
    assert bad.value.args[0] == "json"
    with pytest.raises(ValueError) as other:
        page_data.parse_labels('["a"] ["b"]')
    assert other.value.args[0] == "json"
    grey = np.full((2, 3, 1), 0.5, np.float32)
    rgba = page_data.preview_image(grey)
    assert rgba.shape == (2, 3, 4) and tuple(rgba[0, 0]) == (128, 128, 128, 255)
    page = SimpleNamespace(
        model=None,
        probs=None,
        labels=[],
        col_layers=[],
        image_name="",
        model_name="",
        scale_mode="module",
        render_ms=None,
        ready=False,
        focus=(0, 0),
        detail_state=None,
        message=None,
        message_kind=None,
        ort_max_diff=None,
        ort_status="waiting",
    )
    state = page_data.page_state(page)
    assert state["page"] == "cnn" and state["top"] is None and state["columns"] == ["input"]
    assert page_data.median_ms(lambda: None, 3) >= 0


def test_focus_info_of_each_column_kind(tmp_path_factory):
    from types import SimpleNamespace

    from glasslab.cnn.model import load
    from glasslab.cnn.preprocess import prepare
    from test_cnn_reference import build_tinyvgg, sample_images

    folder = build_tinyvgg(tmp_path_factory.getbasetemp())
    model = load(folder / "tinyvgg.onnx")
    x = prepare(sample_images(folder)[0][2])
    acts = model.forward(x)
    cols, blocks = page_data.overview_blocks(model)
    luts = page_data.page_luts()
    page = SimpleNamespace(
        x=x,
        acts=acts,
        probs=model.probabilities(acts),
        labels=list(model.labels),
        model=model,
        col_layers=cols,
        col_blocks=blocks,
        scale_mode="module",
        limits=cnn_view.limits([acts[model.layers[i].name] for i in cols], blocks, "module"),
        lut_act=luts["activation"],
        lut_prob=luts["probability"],
    )
    inp = page_data.focus_info(0, 2, page)
    assert inp["kind"] == "input" and inp["tint"] == list(cnn_view.INPUT_TINTS[3][2])
    neuron = page_data.focus_info(2, 1, page)
    assert neuron["kind"] == "neuron" and neuron["layer"] == model.layers[cols[1]].name
    lim = float(page.limits[1][1])
    assert [t["value"] for t in neuron["ticks"]] == pytest.approx([-lim, -lim / 2, 0, lim / 2, lim])
    top = int(np.argmax(page.probs))
    cls = page_data.focus_info(len(cols) + 1, top, page)
    assert cls["kind"] == "class" and cls["name"] == page.labels[top]
