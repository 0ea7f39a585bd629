"""Live Python in real Chromium: edited code runs in the lab and the CNN, errors and the
guard, Restore, code from a link, the exercises, and the editor loaded only when opened."""

from __future__ import annotations

import json

import pytest
from glasslab.live import exercises
from glasslab.live.session import encode_code

from tests.browser.conftest import PageLog, wait_ready

pytestmark = pytest.mark.browser

D_STEP = "GanLab.discriminator_step"


@pytest.fixture(scope="module")
def gan(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.log = PageLog(pg)
    pg.goto(server.url("gan.html?pretrained=0"))
    wait_ready(pg)
    yield pg
    assert pg.log.foreign(server.origin) == []
    assert pg.log.page_errors == []
    context.close()


def heat(pg) -> list[int]:
    """The discriminator heatmap as the canvas shows it."""
    return pg.evaluate("Array.from(window.glasslabGanView.canvas.heat.slice(0, 400))")


def set_code(pg, name, source) -> dict:
    return pg.evaluate("([n, s]) => window.glasslab.setCode(n, s)", [name, source])


def test_editor_is_loaded_only_when_the_panel_opens(gan):
    assert not [u for u in gan.log.requests if "codemirror" in u]
    gan.click("[data-live='code'] > summary")
    gan.wait_for_selector("[data-live='code'] .cm-editor")
    assert [u for u in gan.log.requests if "codemirror" in u]
    assert "def discriminator_step(self)" in gan.inner_text("[data-live='code'] .cm-content")


def test_a_discriminator_step_that_does_nothing_leaves_d_unchanged(gan):
    code = gan.evaluate("window.glasslab.code()")
    assert {D_STEP, "GanLab.generator_step", "LogLoss.value", "LogLoss.gradient"} <= set(code)
    noop = "\n".join(line for line in code[D_STEP].splitlines() if "optimizer.step" not in line)
    assert set_code(gan, D_STEP, noop) == {"ok": True}
    assert gan.evaluate("window.glasslab.state().code_edited") == [D_STEP]
    before = heat(gan)
    for _ in range(10):
        gan.evaluate("window.glasslab.step('d')")
    gan.wait_for_timeout(100)
    assert heat(gan) == before
    gan.evaluate("window.glasslab.resetCode()")
    assert gan.evaluate("window.glasslab.code()")[D_STEP] == code[D_STEP]
    for _ in range(10):
        gan.evaluate("window.glasslab.step('d')")
    gan.wait_for_timeout(100)
    assert heat(gan) != before


def test_refused_code_names_its_line_and_changes_nothing(gan):
    code = gan.evaluate("window.glasslab.code()")[D_STEP]
    broken = code.replace("logits = self.discriminator.forward(x)", "logits = (")
    result = set_code(gan, D_STEP, broken)
    assert result["ok"] is False and "SyntaxError" in result["error"] and result["line"] >= 2
    wrong = code.replace("def discriminator_step(self)", "def discriminator_step(self, extra)")
    result = set_code(gan, D_STEP, wrong)
    assert result["ok"] is False and result["line"] == 1 and "parameters" in result["error"]
    assert gan.evaluate("window.glasslab.state().code_edited") == []
    assert gan.evaluate("window.glasslab.code()")[D_STEP] == code


def test_an_exception_while_training_pauses_and_keeps_the_state(gan):
    code = gan.evaluate("window.glasslab.code()")[D_STEP]
    lines = code.splitlines()
    at = next(i for i, line in enumerate(lines) if "optimizer.step" in line)
    lines.insert(at, "    raise ValueError('broken on purpose')")
    assert set_code(gan, D_STEP, "\n".join(lines) + "\n") == {"ok": True}
    before = gan.evaluate("window.glasslab.state()")
    heat_before = heat(gan)
    gan.evaluate("window.glasslab.play()")
    gan.wait_for_function("!window.glasslab.state().playing", timeout=5000)
    state = gan.evaluate("window.glasslab.state()")
    assert state["code_failure"]["line"] == at + 1
    assert "broken on purpose" in state["message"]
    assert state["iteration"] == before["iteration"] and heat(gan) == heat_before
    assert state["code_edited"] == []  # the original runs again
    gan.evaluate("window.glasslab.resetCode()")


def test_an_endless_loop_is_stopped_by_the_guard(gan):
    code = gan.evaluate("window.glasslab.code()")["LogLoss.gradient"]
    body = code.replace("    return", "    while True:\n        pass\n    return")
    assert set_code(gan, "LogLoss.gradient", body) == {"ok": True}
    gan.evaluate("window.glasslab.step('d')")
    state = gan.evaluate("window.glasslab.state()")
    assert state["code_failure"]["name"] == "LogLoss.gradient"
    assert "stopped after 2 s" in state["code_failure"]["error"]
    assert gan.evaluate("window.glasslab.state().ready") is True
    gan.evaluate("window.glasslab.step('d')")  # usable, with the original again
    gan.evaluate("window.glasslab.resetCode()")


def test_share_link_carries_the_code_and_a_link_never_runs_it_unasked(gan, browser, server):
    code = gan.evaluate("window.glasslab.code()")[D_STEP]
    noop = "\n".join(line for line in code.splitlines() if "optimizer.step" not in line)
    assert set_code(gan, D_STEP, noop) == {"ok": True}
    link = gan.evaluate("window.glasslab.shareLink()")
    assert "code=" in link
    gan.evaluate("window.glasslab.resetCode()")
    assert "code=" not in gan.evaluate("window.glasslab.shareLink()")

    context = browser.new_context()
    pg = context.new_page()
    pg.log = PageLog(pg)
    try:
        # a link whose code would write to the page if it ever ran
        evil = {D_STEP: "def discriminator_step(self):\n    raise SystemExit\n"}
        pg.goto(server.url("gan.html?pretrained=0&code=" + encode_code(evil)))
        wait_ready(pg)
        state = pg.evaluate("window.glasslab.state()")
        assert state["code_from_link"] == "pending" and state["code_edited"] == []
        assert pg.is_visible("[data-live='code'] .live-notice")
        pg.wait_for_selector("[data-live='code'] .cm-editor")
        assert "raise SystemExit" in pg.inner_text("[data-live='code'] .cm-content")
        pg.evaluate("window.glasslab.step('d')")  # the original runs
        assert pg.evaluate("window.glasslab.state().code_failure") is None

        pg.goto(server.url(link.split("/")[-1]))
        wait_ready(pg)
        assert pg.evaluate("window.glasslab.state().code_from_link") == "pending"
        before = heat(pg)
        pg.click("[data-live='code'] [data-live-action='run-link']")
        assert pg.evaluate("window.glasslab.state().code_from_link") == "running"
        for _ in range(5):
            pg.evaluate("window.glasslab.step('d')")
        pg.wait_for_timeout(100)
        assert heat(pg) == before
    finally:
        context.close()


@pytest.mark.parametrize("page", ["gan", "cnn"])
def test_every_exercise_passes_with_the_reference_and_fails_with_the_starter(browser, server, page):
    context = browser.new_context()
    pg = context.new_page()
    pg.log = PageLog(pg)
    try:
        first = exercises.for_page(page)[0]
        pg.goto(server.url(f"{page}.html?exercise={first}"))
        wait_ready(pg)
        assert pg.evaluate("window.glasslab.state().exercise") == first
        pg.wait_for_selector("[data-live='exercises'] .cm-editor")
        ids = pg.evaluate("window.glasslab.exercises()")
        assert ids == exercises.for_page(page) and len(ids) >= 3
        for exercise_id in ids:
            pg.evaluate("(id) => window.glasslab.exercise(id)", exercise_id)
            failed = pg.evaluate("window.glasslab.check()")
            assert failed["passed"] is False and failed["message"], exercise_id
            solution = exercises.get(exercise_id).solution
            passed = pg.evaluate("(s) => window.glasslab.check(s)", solution)
            assert passed["passed"] is True, (exercise_id, passed)
        assert "live.ex" not in pg.inner_text("[data-live='exercises']")
    finally:
        context.close()


def test_edited_cnn_kernel_runs_in_every_layer(browser, server):
    context = browser.new_context()
    pg = context.new_page()
    pg.log = PageLog(pg)
    try:
        pg.goto(server.url("cnn.html"))
        wait_ready(pg)
        code = pg.evaluate("window.glasslab.code()")
        kernels = {"conv", "relu", "maxpool", "dense", "softmax"}
        assert {f"{kind}_forward" for kind in kernels} <= set(code)
        before = pg.evaluate("window.glasslab.state().probabilities")
        dead = "def relu_forward(layer, x):\n    return np.zeros_like(x)\n"  # every ReLU layer
        result = pg.evaluate("(s) => window.glasslab.setCode('relu_forward', s)", dead)
        assert result == {"ok": True}, result
        assert pg.evaluate("window.glasslab.state().code_edited") == ["relu_forward"]
        probs = pg.evaluate("window.glasslab.state().probabilities")
        assert max(abs(p - q) for p, q in zip(probs, before, strict=True)) > 1e-3
        pg.evaluate("window.glasslab.resetCode()")
        assert json.dumps(pg.evaluate("window.glasslab.state().probabilities")) == json.dumps(
            before
        )
    finally:
        context.close()


SNAPSHOT = """() => {
    const all = (selector) => [...document.querySelectorAll(selector)];
    return {
        s: window.glasslab.state().stage,
        code: document.getElementById('code').textContent,
        parts: all('.trace-parts li.current').map((e) => e.dataset.part),
        locals: all('.trace-locals dt').map((e) => e.textContent),
        current: document.querySelector("[data-live-editor='code']").shadowRoot
            .querySelectorAll(".cm-live-current").length,
    };
}"""


def test_slow_motion_walks_through_the_edited_step_line_by_line(gan):
    gan.evaluate("window.glasslab.pause()")
    code = gan.evaluate("window.glasslab.code()")[D_STEP]
    edited = code.replace(
        "logits = self.discriminator.forward(x)",
        "scores = x * 1.0\n    logits = self.discriminator.forward(scores)",
    )
    assert set_code(gan, D_STEP, edited) == {"ok": True}
    if not gan.evaluate("document.querySelector(\"[data-live='code']\").open"):
        gan.click("[data-live='code'] > summary")
    gan.wait_for_selector("[data-live='code'] .cm-editor")
    gan.evaluate("window.glasslab.set({slow_motion: true})")
    gan.evaluate("window.glasslab.play()")
    seen = {}
    for _ in range(80):
        snap = gan.evaluate(SNAPSHOT)
        stage = snap["s"]
        if stage and stage["network"] == "d":
            assert "scores = x * 1.0" in snap["code"]
            assert snap["parts"] == [stage["stage"]]
            seen[stage["stage"]] = snap
        if len(seen) == 5:
            break
        gan.locator("body").press("n")  # the step-forward key
        gan.wait_for_timeout(100)
    gan.evaluate("window.glasslab.pause()")
    gan.evaluate("window.glasslab.set({slow_motion: false})")
    gan.evaluate("window.glasslab.resetCode()")
    assert set(seen) == {"sample", "classify", "loss", "gradients", "update"}
    assert "scores" in seen["classify"]["locals"] and "logits" in seen["gradients"]["locals"]
    assert any(snap["current"] for snap in seen.values())
