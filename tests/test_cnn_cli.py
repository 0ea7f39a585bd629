"""`python -m glasslab cnn predict`: the command-line contract, run in a subprocess."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np
import pytest
from glasslab.cnn import cli as cnn_cli
from glasslab.cnn import predict_pixels
from glasslab.cnn.model import load
from PIL import Image
from test_cnn_reference import LABELS, LAYERS, ROOT, build_tinyvgg


@pytest.fixture(scope="session")
def tinyvgg_dir(tmp_path_factory):
    """TinyVGG exported once per session into a temporary folder."""
    return build_tinyvgg(tmp_path_factory.getbasetemp())


def _run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "glasslab", "cnn", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=120,
    )


def test_predict_json_and_activations(tinyvgg_dir, tmp_path):
    model_path = tinyvgg_dir / "tinyvgg.onnx"
    images = [tinyvgg_dir / "samples" / "koala_1.jpeg", tinyvgg_dir / "samples" / "pizza_1.jpeg"]
    # a PNG with transparency and a greyscale image of another size go through too
    rgba = tmp_path / "rgba.png"
    Image.open(images[0]).convert("RGBA").resize((100, 80)).save(rgba)
    grey = tmp_path / "grey.png"
    Image.open(images[1]).convert("L").save(grey)
    npz = tmp_path / "acts.npz"
    args = [str(p) for p in [*images, rgba, grey]]
    result = _run("predict", *args, "--model", str(model_path), "--activations", str(npz), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert isinstance(out, list) and len(out) == 4
    model = load(model_path)
    for entry, path in zip(out, args, strict=True):
        assert set(entry) == {"image", "label", "probabilities"}
        assert entry["image"] == path
        probs = entry["probabilities"]
        assert len(probs) == 10 and all(isinstance(p, float) for p in probs)
        assert abs(sum(probs) - 1) < 1e-5
        assert entry["label"] == LABELS[int(np.argmax(probs))]
        pixels = cnn_cli.decode_image(path)
        _, _, expected = predict_pixels(model, pixels)
        np.testing.assert_allclose(probs, expected, atol=1e-6)
    assert out[0]["label"] == "koala" and out[1]["label"] == "pizza"

    saved = np.load(npz)
    assert list(saved.files) == LAYERS
    _, acts, _ = predict_pixels(model, cnn_cli.decode_image(images[0]))
    for name in LAYERS:
        assert saved[name].shape == acts[name].shape
        np.testing.assert_allclose(saved[name], acts[name], atol=1e-6)
    assert saved["conv_1_1"].shape == (62, 62, 10)
    assert saved["flatten"].shape == (1690,) and saved["output"].shape == (10,)


def test_predict_text_output(tinyvgg_dir):
    image = tinyvgg_dir / "samples" / "orange_1.jpeg"
    result = _run("predict", str(image), "--model", str(tinyvgg_dir / "tinyvgg.onnx"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{image}: orange (")


def test_bad_images_give_a_clear_error(tinyvgg_dir, tmp_path):
    text = tmp_path / "notes.jpeg"
    text.write_text("not an image")
    truncated = tmp_path / "half.jpeg"
    data = (tinyvgg_dir / "samples" / "koala_1.jpeg").read_bytes()
    truncated.write_bytes(data[:200])
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    model = str(tinyvgg_dir / "tinyvgg.onnx")
    for bad in (text, truncated, empty, tmp_path / "missing.png", tmp_path):
        result = _run("predict", str(bad), "--model", model, "--json")
        assert result.returncode != 0, bad
        assert result.stderr.startswith("error: "), result.stderr
        assert str(bad) in result.stderr
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


def test_bad_model_gives_a_clear_error(tinyvgg_dir, tmp_path):
    image = str(tinyvgg_dir / "samples" / "koala_1.jpeg")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x08\x07\x3a\x40garbage")
    for model in (junk, tmp_path / "nothing.onnx"):
        result = _run("predict", image, "--model", str(model))
        assert result.returncode == 1
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def test_missing_default_model_tells_how_to_build(monkeypatch, capsys, tinyvgg_dir, tmp_path):
    monkeypatch.setattr(cnn_cli, "default_model_path", lambda: tmp_path / "dist" / "tinyvgg.onnx")
    args = argparse.Namespace(
        images=[str(tinyvgg_dir / "samples" / "koala_1.jpeg")],
        model=None,
        activations=None,
        json=True,
    )
    assert cnn_cli.run_predict(args) == 1
    err = capsys.readouterr().err
    assert "python -m glasslab build" in err and "--model" in err


def test_default_model_path_is_in_the_built_site():
    assert cnn_cli.default_model_path() == ROOT / "dist" / "tinyvgg.onnx"


def test_help_documents_the_json_output():
    result = _run("predict", "--help")
    assert result.returncode == 0
    assert "--json" in result.stdout and '"probabilities"' in result.stdout
    assert "--activations" in result.stdout


def test_info_describes_the_layers(tinyvgg_dir):
    result = _run("info", "--model", str(tinyvgg_dir / "tinyvgg.onnx"))
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert [layer["name"] for layer in info["layers"]] == LAYERS
    assert info["input"] == {"name": "input", "layout": "NHWC", "shape": [64, 64, 3]}
    assert info["labels"] == LABELS
