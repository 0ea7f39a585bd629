"""The GAN lab page in real Chromium: training, views, controls, URL state, files, bad input."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from glasslab.gan import preset_json

from tests.browser.conftest import module_page, wait_ready
from tests.browser.test_foundation import read_canvas

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def gan(browser, server):
    """One GAN page for the module (each load costs seconds); requests must stay on the origin."""
    with module_page(browser, server, "gan.html", accept_downloads=True) as pg:
        yield pg


@pytest.fixture
def fresh(gan):
    """The shared page, paused, on the default preset, with every layer on and no message."""
    gan.evaluate("window.glasslab.pause()")
    gan.evaluate(
        "window.glasslab.set({dataset: 'gaussians', pretrained: true, slow_motion: false,"
        " heatmap: true, real: true, fake: true, gradients: true, manifold: false})"
    )
    gan.evaluate("window.glasslab.reset()")
    return gan


def state(pg) -> dict:
    return pg.evaluate("window.glasslab.state()")


def canvas(pg) -> np.ndarray:
    """The canvas after the page has had two animation frames to refresh its views."""
    pg.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return read_canvas(pg, "gan-canvas")


def wait_until(pg, predicate: str, timeout: int = 30_000) -> None:
    pg.wait_for_function(predicate, timeout=timeout)


def test_starts_with_the_pretrained_two_gaussians(fresh):
    s = state(fresh)
    assert s["page"] == "gan" and s["ready"] is True
    assert s["dataset"] == "gaussians" and s["pretrained"] is True
    assert s["iteration"] > 0  # the preset's training
    preset = json.loads(preset_json("gaussians"))
    assert s["iteration"] == preset["iteration"]
    for key, value in preset["config"].items():
        assert s[key] == value, key
    for key in ("d_loss", "g_loss", "kl", "js", "iterations_per_second", "fps"):
        assert key in s
    assert fresh.is_checked("#opt-pretrained")
    assert fresh.input_value("#opt-dataset") == "gaussians"
    # a trained generator: its fakes are close to the data
    assert s["js"] < 0.5


def test_play_advances_and_changes_the_canvas(fresh):
    fresh.evaluate("window.glasslab.set({pretrained: false})")
    fresh.evaluate("window.glasslab.reset()")
    before_it = state(fresh)["iteration"]
    before = canvas(fresh)
    fresh.click("#btn-play")
    wait_until(fresh, f"window.glasslab.state().iteration > {before_it + 200}")
    assert state(fresh)["playing"] is True
    fresh.click("#btn-play")  # pause
    s = state(fresh)
    assert s["playing"] is False
    after = canvas(fresh)
    assert np.abs(after.astype(int) - before.astype(int)).sum() > 1000
    time.sleep(0.3)
    assert state(fresh)["iteration"] == s["iteration"]  # paused means paused
    assert fresh.text_content("#iteration").replace(",", "") == str(s["iteration"])


@pytest.mark.parametrize("layer", ["heatmap", "real", "fake", "gradients", "manifold"])
def test_each_layer_toggle_changes_the_pixels(fresh, layer):
    if layer == "manifold":
        fresh.check("#layer-manifold")
    on = canvas(fresh)
    fresh.click(f"#layer-{layer}")
    off = canvas(fresh)
    assert state(fresh)["layers"][layer] is False
    changed = np.any(on != off, axis=2).sum()
    assert changed > 20, f"toggling {layer} changed only {changed} pixels"
    fresh.click(f"#layer-{layer}")


def test_heatmap_colours_follow_the_discriminator(fresh):
    fresh.evaluate("window.glasslab.set({pretrained: false, real: false, fake: false})")
    fresh.evaluate("window.glasslab.set({gradients: false})")
    fresh.evaluate("window.glasslab.reset()")
    for _ in range(60):  # teach D alone: the real blobs become 'real' (green)
        fresh.evaluate("window.glasslab.step('d')")
    pixels = canvas(fresh).astype(int)
    blob = pixels[int((1 - 0.7) * 400), int(0.3 * 400)]
    assert blob[1] > blob[0] + 20 and blob[1] > blob[2]


def test_single_steps(fresh):
    s0 = state(fresh)
    fresh.click("#btn-step-d")
    s1 = state(fresh)
    assert (s1["d_steps"], s1["g_steps"], s1["iteration"]) == (
        s0["d_steps"] + 1,
        s0["g_steps"],
        s0["iteration"],
    )
    fresh.click("#btn-step-g")
    s2 = state(fresh)
    assert (s2["d_steps"], s2["g_steps"]) == (s1["d_steps"], s1["g_steps"] + 1)
    fresh.click("#btn-step-both")
    s3 = state(fresh)
    assert s3["iteration"] == s2["iteration"] + 1
    assert s3["d_steps"] == s2["d_steps"] + s3["k_d"]
    assert s3["g_steps"] == s2["g_steps"] + s3["k_g"]
    fresh.evaluate("window.glasslab.step('g')")
    assert state(fresh)["g_steps"] == s3["g_steps"] + 1


def test_keyboard_space_and_step_keys(fresh):
    fresh.focus("body")
    fresh.evaluate("document.activeElement.blur()")
    s0 = state(fresh)
    fresh.keyboard.press("d")
    assert state(fresh)["d_steps"] == s0["d_steps"] + 1
    fresh.keyboard.press("g")
    assert state(fresh)["g_steps"] == s0["g_steps"] + 1
    fresh.keyboard.press("s")
    assert state(fresh)["iteration"] == s0["iteration"] + 1
    fresh.keyboard.press(" ")
    assert state(fresh)["playing"] is True
    fresh.keyboard.press(" ")
    assert state(fresh)["playing"] is False


def test_controls_are_reachable_by_tab_with_visible_focus(fresh):
    # start from the top of the page (the shared page may have focus anywhere)
    fresh.evaluate("document.querySelector('.brand').focus(); document.activeElement.blur()")
    seen = set()
    for _ in range(40):
        fresh.keyboard.press("Tab")
        info = fresh.evaluate(
            "(() => { const e = document.activeElement;"
            " return {id: e.id, outline: getComputedStyle(e).outlineStyle}; })()"
        )
        if info["id"]:
            seen.add(info["id"])
            assert info["outline"] != "none", f"#{info['id']} has no visible focus"
    assert {"btn-play", "btn-reset", "btn-step-d", "opt-slow", "opt-dataset"} <= seen


def test_slow_motion_walks_through_every_sub_step(fresh):
    fresh.check("#opt-slow")
    fresh.evaluate("window.glasslab.play()")
    seen = set()
    lit = set()
    deadline = time.time() + 30
    while time.time() < deadline and len(seen) < 10:
        snap = fresh.evaluate(
            """() => ({s: window.glasslab.state(),
                text: document.getElementById('stage-text').textContent,
                lit: [...document.querySelectorAll('#graph .lit')].map(e => e.id),
                marked: document.querySelectorAll('#code .hl').length})"""
        )
        s = snap["s"]
        if s["stage"]:
            seen.add((s["stage"]["network"], s["stage"]["stage"]))
            lit |= set(snap["lit"])
            assert snap["marked"] >= 1
            assert s["stage"]["stage"] in snap["text"]
        time.sleep(0.25)
    fresh.evaluate("window.glasslab.pause()")
    fresh.uncheck("#opt-slow")
    stages = {"sample", "classify", "loss", "gradients", "update"}
    assert {(n, st) for n in "dg" for st in stages} <= seen
    assert {"node-disc", "node-gen", "node-loss", "edge-grad-gen"} <= lit


def test_url_restores_the_setup(page, server):
    page.goto(
        server.url(
            "gan.html?dataset=ring&g_lr=0.03&d_lr=0.01&k_d=3&k_g=2&seed=7&loss=lsq"
            "&d_optimizer=adam&g_neurons=12&noise_dim=1&pretrained=0"
        )
    )
    wait_ready(page)
    s = state(page)
    assert s["dataset"] == "ring" and s["g_lr"] == 0.03 and s["d_lr"] == 0.01
    assert (s["k_d"], s["k_g"], s["seed"], s["loss"]) == (3, 2, 7, "lsq")
    assert (s["d_optimizer"], s["g_neurons"], s["noise_dim"]) == ("adam", 12, 1)
    assert s["pretrained"] is False and s["iteration"] == 0
    assert page.input_value("#hp-g_neurons") == "12"
    assert page.input_value("#opt-dataset") == "ring"
    # changing a control writes the URL back
    page.select_option("#hp-g_lr", "0.3")
    assert "g_lr=0.3" in page.url


def test_bad_url_values_are_ignored_with_a_message(page, server):
    page.goto(
        server.url("gan.html?g_lr=NaN&k_d=-3&dataset=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    )
    wait_ready(page)
    s = state(page)
    preset = json.loads(preset_json("gaussians"))["config"]
    assert (s["g_lr"], s["k_d"], s["dataset"]) == (preset["g_lr"], preset["k_d"], "gaussians")
    message = page.text_content("#gan-message")
    assert "g_lr" in message and "k_d" in message and "dataset" in message
    assert page.locator("#gan-message img").count() == 0  # shown as text, never markup


def test_save_and_load_round_trip(fresh, tmp_path):
    fresh.evaluate("window.glasslab.step('both')")
    saved = state(fresh)
    with fresh.expect_download() as info:
        fresh.click("#btn-save")
    path = tmp_path / "model.json"
    info.value.save_as(path)
    model = json.loads(path.read_text())
    assert model["iteration"] == saved["iteration"]
    fresh.evaluate("window.glasslab.set({pretrained: false})")
    fresh.evaluate("window.glasslab.reset()")
    assert state(fresh)["iteration"] == 0
    fresh.set_input_files("#file-load", str(path))
    wait_until(fresh, f"window.glasslab.state().iteration === {saved['iteration']}")
    loaded = state(fresh)
    assert abs(loaded["js"] - saved["js"]) < 1e-9 and abs(loaded["kl"] - saved["kl"]) < 1e-9


def test_malformed_model_file_keeps_the_current_model(fresh, tmp_path):
    before = state(fresh)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "glasslab-gan", "generator": [1, 2')
    fresh.set_input_files("#file-load", str(bad))
    wait_until(fresh, "window.glasslab.state().message !== null")
    after = state(fresh)
    assert "Could not load" in after["message"]
    assert after["iteration"] == before["iteration"] and after["js"] == before["js"]
    assert fresh.is_visible("#gan-message")


@pytest.mark.parametrize(
    "params, setting",
    [
        ({"g_lr": "NaN"}, "g_lr"),
        ({"d_lr": 0}, "d_lr"),
        ({"d_lr": -0.1}, "d_lr"),
        ({"g_neurons": 0}, "g_neurons"),
        ({"k_d": 11}, "k_d"),
    ],
)
def test_bad_hyperparameters_are_refused(fresh, params, setting):
    before = state(fresh)
    error = fresh.evaluate(
        "(p) => { try { window.glasslab.set(p); return null; } catch (e) { return String(e); } }",
        params,
    )
    assert error and setting in error
    after = state(fresh)
    assert after[setting] == before[setting] and after["iteration"] == before["iteration"]
    assert setting in after["message"]


def test_bad_value_typed_in_a_control_is_refused_and_reverted(fresh):
    before = state(fresh)["d_neurons"]
    fresh.fill("#hp-d_neurons", "0")
    fresh.dispatch_event("#hp-d_neurons", "change")
    assert "d_neurons" in fresh.text_content("#gan-message")
    assert fresh.input_value("#hp-d_neurons") == str(before)
    assert state(fresh)["d_neurons"] == before


def draw(pg, points):
    box = pg.locator("#gan-canvas").bounding_box()
    for x, y in points:
        pg.mouse.click(box["x"] + x * box["width"], box["y"] + (1 - y) * box["height"])


def test_drawing_needs_at_least_two_points(fresh):
    fresh.select_option("#opt-dataset", "drawing")
    assert state(fresh)["drawing_mode"] is True
    fresh.click("#btn-draw-done")
    assert "drawing" in fresh.text_content("#gan-message").lower()
    draw(fresh, [(0.5, 0.5)])
    fresh.click("#btn-draw-done")
    assert state(fresh)["drawing_mode"] is True  # one point is not enough either
    assert "point" in fresh.text_content("#gan-message")


def test_user_drawn_data_trains(fresh):
    fresh.select_option("#opt-dataset", "drawing")
    draw(fresh, [(0.2 + 0.03 * i, 0.8 - 0.03 * i) for i in range(20)])
    fresh.click("#btn-draw-done")
    s = state(fresh)
    assert s["drawing_mode"] is False and s["dataset"] == "drawing"
    assert s["drawing_points"] == 20 and s["pretrained"] is False
    fresh.evaluate("window.glasslab.play()")
    wait_until(fresh, "window.glasslab.state().iteration > 100")
    fresh.evaluate("window.glasslab.pause()")


def test_divergence_pauses_with_a_message(fresh, tmp_path):
    fresh.evaluate("window.glasslab.step('both')")
    with fresh.expect_download() as info:
        fresh.click("#btn-save")
    path = tmp_path / "m.json"
    info.value.save_as(path)
    model = json.loads(path.read_text())
    # weights so large that the next steps overflow to inf/NaN
    for net in ("generator", "discriminator"):
        for layer in model[net]["layers"]:
            layer["W"] = (np.array(layer["W"]) * 1e150).tolist()
    model["iteration"] = 424242  # tells the loaded model apart from the one before
    path.write_text(json.dumps(model))
    fresh.set_input_files("#file-load", str(path))
    wait_until(fresh, "window.glasslab.state().iteration === 424242")
    fresh.evaluate("window.glasslab.play()")
    wait_until(fresh, "window.glasslab.state().playing === false")
    s = state(fresh)
    assert "diverged" in s["message"]
