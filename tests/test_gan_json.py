"""Saving and loading GAN lab models as JSON, and the pretrained presets."""

import json

import numpy as np
import pytest
from glasslab.gan import PRESETS, Config, GanLab, load_preset, preset_config, preset_json
from glasslab.gan.metrics import divergences
from glasslab.gan.model_json import MAX_JSON_CHARS
from glasslab.gan.presets import PRESET_SETTINGS


def trained_lab(**settings):
    lab = GanLab(Config(**settings))
    lab.train(7)
    return lab


def test_round_trip_is_exact():
    lab = trained_lab(dataset="ring", g_layers=3, d_neurons=5, noise_dim=1, loss="lsq", seed=8)
    text = lab.to_json()
    again = GanLab.from_json(text)
    assert again.config == lab.config
    assert (again.iteration, again.d_steps, again.g_steps) == (7, 14, 7)
    assert (again.d_loss, again.g_loss) == (lab.d_loss, lab.g_loss)
    assert np.array_equal(again.generator.params, lab.generator.params)
    assert np.array_equal(again.discriminator.params, lab.discriminator.params)
    assert again.to_json() == text
    np.testing.assert_array_equal(again.discriminator_field(), lab.discriminator_field())
    again.train(3)  # and it trains on
    assert again.iteration == 10


def test_json_layout():
    lab = trained_lab()
    data = json.loads(lab.to_json())
    assert data["format"] == "glasslab-gan" and data["version"] == 1
    assert data["config"] == Config().to_dict()
    assert data["iteration"] == 7 and data["drawing"] is None
    layers = data["generator"]["layers"]
    assert [np.shape(layer["W"]) for layer in layers] == [(8, 2), (8, 8), (2, 8)]
    assert [np.shape(layer["b"]) for layer in layers] == [(8,), (8,), (2,)]
    assert np.array_equal(layers[1]["W"], lab.generator.weights[1])
    assert np.array_equal(layers[1]["b"], lab.generator.biases[1][:, 0])


def test_drawing_round_trip():
    points = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.5]]
    lab = GanLab(Config(dataset="drawing"), drawing=points)
    again = GanLab.from_json(lab.to_json())
    assert np.array_equal(again.drawing, points)
    assert np.array_equal(again.real_samples(), lab.real_samples())


def test_bytes_are_accepted():
    lab = GanLab()
    assert GanLab.from_json(lab.to_json().encode()).config == lab.config


def _valid():
    return json.loads(trained_lab(d_layers=1, d_neurons=3).to_json())


def _edit(change):
    data = _valid()
    change(data)
    return json.dumps(data)


def _set(path, value):
    def change(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _delete(path):
    def change(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


def _literal(path, literal):
    """Valid JSON text except for ``literal`` written at ``path``."""
    sentinel = 0.123456789012
    text = _edit(_set(path, sentinel))
    assert text.count(repr(sentinel)) == 1
    return text.replace(repr(sentinel), literal)


MALFORMED = {
    "not json": ("{nope", "not valid JSON"),
    "a list": ("[1, 2]", "must be an object"),
    "wrong format": (_edit(_set(["format"], "keras")), "not a GAN lab model"),
    "no version": (_edit(_delete(["version"])), "version"),
    "future version": (_edit(_set(["version"], 2)), "version"),
    "no config": (_edit(_delete(["config"])), "missing config"),
    "no generator": (_edit(_delete(["generator"])), "missing generator"),
    "config key missing": (_edit(_delete(["config", "g_lr"])), "missing g_lr"),
    "config key unknown": (_edit(_set(["config", "colour"], 1)), "unknown settings"),
    "bad config value": (_edit(_set(["config", "k_d"], 50)), "k_d"),
    "enormous layer count": (_edit(_set(["config", "d_layers"], 10**9)), "d_layers"),
    "enormous width": (_edit(_set(["config", "g_neurons"], 10**12)), "g_neurons"),
    "NaN learning rate": (_literal(["config", "g_lr"], "NaN"), "NaN"),
    "NaN weight": (_literal(["generator", "layers", 0, "b", 0], "NaN"), "NaN"),
    "Infinity weight": (_literal(["discriminator", "layers", 1, "b", 0], "-Infinity"), "Infinity"),
    "overflowing weight": (
        _literal(["discriminator", "layers", 0, "W", 0, 1], "1e400"),
        "infinite",
    ),
    "wrong W shape": (_edit(_set(["generator", "layers", 0, "W"], [[1.0, 2.0]])), "shape"),
    "wrong b shape": (_edit(_set(["discriminator", "layers", 0, "b"], [1.0])), "shape"),
    "ragged W": (_edit(_set(["generator", "layers", 0, "W"], [[1.0], [1.0, 2.0]])), "numbers"),
    "text weights": (_edit(_set(["generator", "layers", 0, "b"], ["1"] * 8)), "numbers"),
    "bool weights": (_edit(_set(["generator", "layers", 0, "b"], [True] * 8)), "numbers"),
    "layer count": (_edit(lambda d: d["discriminator"]["layers"].pop()), "layers"),
    "layer not an object": (_edit(_set(["generator", "layers", 0], [1, 2])), "W and b"),
    "no layers": (_edit(_set(["generator"], {})), "list of layers"),
    "negative iteration": (_edit(_set(["iteration"], -1)), "iteration"),
    "fractional iteration": (_edit(_set(["iteration"], 2.5)), "iteration"),
    "bool iteration": (_edit(_set(["iteration"], True)), "iteration"),
    "text loss": (_edit(_set(["d_loss"], "low")), "d_loss"),
    "drawing without points": (
        _edit(lambda d: d["config"].update(dataset="drawing")),
        "at least 2 points",
    ),
    "too large": (" " * (MAX_JSON_CHARS + 1), "too large"),
    "deep nesting": (
        "[" * 100_000 + "]" * 100_000,
        "nested (too deeply|more than)|must be an object",
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_json_is_rejected_with_a_readable_message(name):
    text, message = MALFORMED[name]
    with pytest.raises(ValueError, match=message):
        GanLab.from_json(text)


def test_the_last_layer_is_checked_too():
    # a problem at the very end still rejects the whole model (nothing half-loaded is returned)
    data = _valid()
    data["discriminator"]["layers"][-1]["b"] = [float("inf")]
    with pytest.raises(ValueError, match="discriminator layer 1 b"):
        GanLab.from_dict(data)
    with pytest.raises(ValueError):
        GanLab.from_json(123)


def test_to_json_has_no_nan():
    lab = GanLab()
    lab.train(2)
    assert "NaN" not in lab.to_json() and "Infinity" not in lab.to_json()


# ---------------------------------------------------------------- presets


@pytest.mark.parametrize("name", PRESETS)
def test_presets_load_and_are_trained(name):
    lab = load_preset(name)
    assert lab.config == preset_config(name, seed=lab.config.seed)
    assert lab.config.dataset == name
    assert lab.iteration > 0
    assert len(preset_json(name)) < 40_000  # small
    real = lab.sample_real(10_000, seed=3)
    kl, js = divergences(real, lab.generate(10_000, seed=4))
    untrained = GanLab(lab.config)
    js_untrained = divergences(real, untrained.generate(10_000, seed=4))[1]
    assert js < 0.3 < js_untrained
    assert kl < 1.5
    lab.train(2)  # ready to train on


def test_preset_settings_are_valid_and_named():
    assert set(PRESET_SETTINGS) == set(PRESETS)
    for name in PRESETS:
        assert preset_config(name).dataset == name
    with pytest.raises(ValueError, match="no preset"):
        preset_config("drawing")
    with pytest.raises(ValueError, match="no preset"):
        load_preset("spiral")
