"""The fault rules that live in Python, on CPython: strict number and boolean parsing,
all-or-nothing set(), counters a page can show, bounded JSON scanning, class names,
non-finite activations, handle arguments and 16-bit images."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest
from glasslab import checks
from glasslab.cnn import compare, page_data
from glasslab.gan import Config, GanLab
from glasslab.gan import settings as gs
from glasslab.gan.model_json import MAX_COUNT, _json_depth
from glasslab.gan.session import GanSession


@pytest.mark.parametrize("text", ["0.03", " 3 ", "+2", "-1.5", "1e-2", ".5", "5.", "2E3"])
def test_numbers_a_person_types_are_accepted(text):
    assert gs.parse_number("g_lr", text) == float(text)


@pytest.mark.parametrize(
    "text", ["1_000", "٣", "３", "0x10", "1e", "--1", "1.2.3", "", " ", "1e400", "inf", "NaN"]
)
def test_other_number_texts_are_refused(text):
    with pytest.raises(gs.SettingError):
        gs.parse_number("g_lr", text)
    with pytest.raises(gs.SettingError):
        gs.parse_int("seed", text)


@pytest.mark.parametrize("value", [True, None, [1], {"a": 1}, float("nan"), float("inf")])
def test_non_numbers_from_the_handle_are_refused(value):
    with pytest.raises(gs.SettingError):
        gs.parse_number("g_lr", value)


def test_whole_numbers():
    assert gs.parse_int("seed", "7") == 7 and gs.parse_int("seed", 7.0) == 7
    assert gs.parse_int("seed", "1e3") == 1000
    assert gs.parse_int("seed", "12345678901234567") == 12345678901234567  # no float rounding
    for bad in ("2.5", 2.5, True, "seven"):
        with pytest.raises(gs.SettingError) as info:
            gs.parse_int("seed", bad)
        assert info.value.key == "gan.error.whole"


def test_booleans_are_true_or_false_and_urls_add_0_1():
    assert gs.parse_bool("manifold", True) is True and gs.parse_bool("manifold", False) is False
    for bad in ("false", "true", 0, 1, None, "yes"):
        with pytest.raises(gs.SettingError) as info:
            gs.parse_bool("manifold", bad)
        assert info.value.key == "gan.error.boolean"
    for text, value in (("1", True), ("0", False), ("true", True), ("false", False)):
        assert gs.parse_bool("pretrained", text, url=True) is value
    with pytest.raises(gs.SettingError):
        gs.parse_bool("pretrained", "no", url=True)


def test_a_set_request_is_checked_whole():
    request = gs.parse_request({"pretrained": False, "g_lr": "0.3", "manifold": True})
    assert request.pretrained is False and request.settings == {"g_lr": 0.3}
    assert request.layers == {"manifold": True} and request.slow_motion is None
    for raw in ({"manifold": "false"}, {"slow_motion": 1}, {"colour": 1}, [1], "x"):
        with pytest.raises(gs.SettingError):
            gs.parse_request(raw)


def test_a_refused_update_changes_nothing():
    session = GanSession(pretrained=True)
    session.new_lab(Config(dataset="ring"))
    lab, pretrained = session.lab, session.pretrained
    for changes, switch in (({"g_lr": -1.0}, False), ({"k_d": 0, "k_g": 0}, False)):
        with pytest.raises(ValueError):
            session.update(changes, switch)
        assert session.lab is lab and session.pretrained is pretrained
    assert session.update({}, False) == "new_run" and session.pretrained is False
    assert session.lab is not lab  # the switch and the model are one path


def test_batch_is_a_setting_and_both_k_zero_is_refused():
    assert gs.parse_settings({"batch": "100"}) == {"batch": 100}
    assert "batch" in gs.SETTINGS and "batch" in gs.LIVE_FIELDS
    with pytest.raises(ValueError, match="k_d and k_g cannot both be 0"):
        Config(k_d=0, k_g=0)
    assert Config(k_d=0, k_g=1).k_g == 1
    setup = gs.from_url({"batch": "100000", "k_d": "0", "k_g": "0", "pretrained": "false"})
    assert setup.config.batch == Config().batch and setup.config.k_d == 0
    assert setup.config.k_g == Config().k_g and len(setup.problems) == 2
    assert setup.pretrained is False
    assert gs.to_url({}, setup.config, False)["batch"] == str(Config().batch)
    bad = gs.from_url({"pretrained": "maybe"})
    assert bad.pretrained is True and len(bad.problems) == 1
    assert gs.url_flag({"autoplay": "true"}, "autoplay") == (True, None)
    assert gs.url_flag({}, "autoplay") == (False, None)
    assert gs.url_flag({"autoplay": "soon"}, "autoplay")[1] is not None


def test_benchmark_sizes_are_bounded():
    session = GanSession(pretrained=False)
    for bad in (0, -5, 10_001, 2.5, "100", None, True):
        with pytest.raises(checks.Refused):
            session.benchmark(bad)
    assert session.benchmark(5)["iterations"] == 5


@pytest.mark.parametrize("value", [2**53, 1e30, -1, 1.5, "3", True, float("inf")])
@pytest.mark.parametrize("field", ["iteration", "d_steps", "g_steps"])
def test_counters_of_a_model_file_fit_a_page(field, value):
    data = json.loads(GanLab(Config()).to_json())
    data[field] = value
    with pytest.raises(ValueError):
        GanLab.from_json(json.dumps(data))
    data[field] = MAX_COUNT
    assert getattr(GanLab.from_json(json.dumps(data)), field) == MAX_COUNT


def test_nesting_scan_is_small_and_right():
    assert _json_depth('{"a": "[[[\\"[[", "b": [[1]]}') == 3
    assert _json_depth('["\\\\", [1]]') == 2
    text = json.dumps({"format": "x", "note": "a" * 4_900_000})
    tracemalloc.start()
    try:
        assert _json_depth(text) == 1
        assert tracemalloc.get_traced_memory()[1] < 1_000_000
    finally:
        tracemalloc.stop()
    with pytest.raises(ValueError, match="nested"):
        GanLab.from_json("[" * 40 + "]" * 40)


def test_class_names_are_strings_within_limits():
    assert page_data.parse_labels('["cat", 2]') == ["cat", "2"]
    for text in ('[{"a": 1}]', "[[1]]", "[null]", "[true]", json.dumps(["x" * 201])):
        with pytest.raises(ValueError) as info:
            page_data.parse_labels(text)
        assert info.value.args[0] == "list"
    with pytest.raises(ValueError) as info:
        page_data.parse_labels("a\n" * 60_000)
    assert info.value.args[0] == "large"
    assert page_data.upload_too_large("labels", 200_000) == 100_000
    assert page_data.upload_too_large("image", 1000) is None
    assert page_data.upload_too_large("model", 65 * 2**20) == 64 * 2**20


def test_non_finite_activations_are_found():
    acts = {"conv": np.ones((2, 2, 1)), "out": np.array([1.0, np.nan])}
    assert compare.nonfinite_layer(acts, np.array([0.5, 0.5])) == "out"
    acts["out"] = np.array([1.0, 2.0])
    assert compare.nonfinite_layer(acts, np.array([np.inf, 0.0])) == "probabilities"
    assert compare.nonfinite_layer(acts, np.array([0.5, 0.5])) is None


def test_handle_arguments():
    assert checks.whole_number("column", 3, 0, 5) == 3
    assert checks.whole_number("column", 3.0, 0, 5) == 3
    for bad in (-1, 6, 1.5, None, "1", True, float("nan")):
        with pytest.raises(checks.Refused):
            checks.whole_number("column", bad, 0, 5)
    assert checks.url_text("url", " samples/a.jpeg ") == "samples/a.jpeg"
    for bad in (None, "", "  ", 5, "x" * 3000):
        with pytest.raises(checks.Refused):
            checks.url_text("url", bad)


def test_16_bit_grey_png_keeps_the_high_byte(tmp_path):
    from glasslab.cnn.cli import decode_image
    from PIL import Image

    values = (np.arange(32 * 32, dtype=np.uint32).reshape(32, 32) * 64).astype(np.uint16)
    Image.fromarray(values).save(tmp_path / "grey16.png")
    pixels = decode_image(tmp_path / "grey16.png")
    assert pixels.dtype == np.uint8 and pixels.shape == (32, 32)
    assert np.array_equal(pixels, (values >> 8).astype(np.uint8))
