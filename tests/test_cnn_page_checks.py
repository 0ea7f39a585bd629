"""The CNN page's checks of files, images, models, class names and a scale (each refusal a
Refused with the catalogue message the page shows), and the page data helpers they use."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from glasslab import checks
from glasslab.checks import Refused
from glasslab.cnn import detail, page_checks, page_data
from glasslab.cnn.model import SequentialCNN
from test_cnn_reference import build_tinyvgg


@pytest.fixture(scope="module")
def onnx(tmp_path_factory) -> bytes:
    return (build_tinyvgg(tmp_path_factory.getbasetemp()) / "tinyvgg.onnx").read_bytes()


def refused(fn, *args) -> Refused:
    with pytest.raises(Refused) as caught:
        fn(*args)
    return caught.value


def test_refusing_turns_the_named_errors_into_a_refusal():
    with pytest.raises(Refused) as caught:
        with checks.refusing("k", ValueError, name="n"):
            raise ValueError("bad")
    assert caught.value.key == "k" and caught.value.params["name"] == "n"
    assert str(caught.value.params["detail"]) == "bad"
    with pytest.raises(KeyError):
        with checks.refusing("k", ValueError):
            raise KeyError("other")


def test_files_over_their_limit_and_labels_not_utf8_are_refused():
    page_checks.check_upload("labels", "a.txt", 100_000)
    exc = refused(page_checks.check_upload, "labels", "a.txt", 100_001)
    assert exc.key == "cnn.error.file_large_labels" and exc.params["limit"] == "100,000"
    assert page_checks.labels_text("a.txt", b"cat") == "cat"
    assert refused(page_checks.labels_text, "a.txt", b"\xff").key == "cnn.error.labels_utf8"


def test_images_too_large_not_images_or_too_small_are_refused():
    png = b"\x89PNG\r\n\x1a\n" + bytes(32) + b"IEND"
    assert page_checks.image_format("a.png", png) == "png"
    assert refused(page_checks.image_format, "a.txt", b"hello there").key == "cnn.error.image_bad"
    big = bytes(page_checks.MAX_FILE_BYTES + 1)
    assert refused(page_checks.image_format, "a.png", big).key == "cnn.error.image_large"
    page_checks.check_size("a.png", 8, 8)
    exc = refused(page_checks.check_size, "a.png", 8, 7)
    assert exc.key == "cnn.error.image_small" and exc.params["min"] == 8


def test_a_model_is_loaded_with_the_image_as_its_input_or_refused(onnx):
    pixels = np.random.default_rng(0).integers(0, 256, (20, 30, 4), dtype=np.uint8)
    model, x = page_checks.load_model("m.onnx", onnx, pixels)
    assert x.shape == tuple(model.input_shape)
    acts, probs = page_checks.run(model, x, "m.onnx")
    assert probs.shape == (model.layers[-1].shape[0],)
    exc = refused(page_checks.load_model, "bad.onnx", b"not onnx", pixels)
    assert exc.key == "cnn.error.model_unusable" and exc.params["name"] == "bad.onnx"
    acts[model.layers[1].name][0, 0, 0] = np.nan
    exc = refused(page_checks.check_finite, acts, probs, "m.onnx")
    assert exc.key == "cnn.error.nonfinite"


def test_class_names_must_match_the_model_and_a_scale_be_known(onnx):
    model = SequentialCNN.from_bytes(onnx)
    n = model.layers[-1].shape[0]
    names = [f"c{i}" for i in range(n)]
    assert page_checks.class_names("\n".join(names), model) == names
    exc = refused(page_checks.class_names, "a\nb", model)
    assert exc.key == "cnn.error.labels_count" and exc.params == {"n": n, "given": 2}
    assert refused(page_checks.class_names, "[1,", model).key == "cnn.error.labels_json"
    assert refused(page_checks.class_names, "x" * 100_001, model).key == "cnn.error.labels_large"
    assert refused(page_checks.class_names, '[{"a": 1}]', model).key == "cnn.error.labels_names"
    assert page_checks.scale_mode("unit") == "unit"
    assert refused(page_checks.scale_mode, 3).params["mode"] == "3"


def test_sample_choice_state_and_column_detail(onnx):
    samples = [{"file": "a1", "class": "a"}, {"file": "a2", "class": "a"}]
    assert page_data.sample_choice(samples, "a2") == (["a1"], "a2", "a2")
    assert page_data.sample_choice(samples, "zz") == (["a1"], None, "a1")
    assert page_data.sample_choice(samples, None) == (["a1"], None, "a1")
    model = SequentialCNN.from_bytes(onnx)
    x = np.random.default_rng(1).random(model.input_shape).astype(np.float32)
    page = SimpleNamespace(model=model, x=x, acts=model.forward(x), labels=["l"] * 3)
    page.col_layers = [1]
    assert detail.column_detail(page, 0, 1)["kind"] == "input"
    assert detail.column_detail(page, 1, 0)["layer"] == model.layers[1].name
    assert detail.column_detail(page, 2, 0)["labels"] == ["l"] * 3
    state = SimpleNamespace(model=None, probs=None, labels=[], col_layers=[], image_name="")
    read = dict(ready=True, focus=(0, 0), detail_state=None, message=None, message_kind=None)
    read |= dict(ort_max_diff=None, ort_status="waiting", model_name="", scale_mode="unit")
    assert page_data.page_state(state, render_ms=None, **read)["ready"] is True
