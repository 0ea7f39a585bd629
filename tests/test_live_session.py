"""The live-code session (glasslab.live.session, glasslab.live.pages) on CPython: editing
the GAN lab's training step, refusals, failures undone, the guard, link code kept pending,
the share parameter and the exercises."""

from __future__ import annotations

import numpy as np
import pytest
from glasslab.gan.lab import GanLab
from glasslab.live import exercises
from glasslab.live.pages import LOSS_METHODS, cnn_session, gan_session
from glasslab.live.session import CodeFailed, decode_code, encode_code

D_STEP = "GanLab.discriminator_step"


@pytest.fixture
def lab_and_session():
    lab = GanLab()
    session = gan_session(lambda: lab)
    yield lab, session
    session.reset()


def without_update(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if "optimizer.step" not in line)


def test_gan_page_shows_the_steps_and_the_active_loss(lab_and_session):
    lab, session = lab_and_session
    code = session.code()
    steps = [D_STEP, "GanLab.generator_step"]
    assert list(code)[:4] == [*steps, "LogLoss.value", "LogLoss.gradient"]
    assert set(code) <= {*steps, *(f"LogLoss.{m}" for m in LOSS_METHODS)}
    assert code["LogLoss.gradient"].startswith("def gradient(logits")  # no @staticmethod line
    lab.set(loss="lsq")
    assert "LeastSquaresLoss.gradient" in session.code()


def test_edited_step_runs_and_restore_brings_back_the_original(lab_and_session):
    lab, session = lab_and_session
    original = GanLab.discriminator_step
    assert session.set_code(D_STEP, without_update(session.code()[D_STEP])) == {"ok": True}
    before = lab.discriminator_field()
    for _ in range(10):
        lab.step("d")
    np.testing.assert_array_equal(lab.discriminator_field(), before)
    session.reset()
    assert GanLab.discriminator_step is original
    lab.step("d")
    assert not np.array_equal(lab.discriminator_field(), before)


def test_refused_code_changes_nothing(lab_and_session):
    _, session = lab_and_session
    original = GanLab.discriminator_step
    result = session.set_many({D_STEP: "def discriminator_step(self, x):\n    pass\n"})
    assert result["ok"] is False and result["line"] == 1 and result["name"] == D_STEP
    both = {"GanLab.generator_step": "def generator_step(self):\n    pass\n", D_STEP: "def ("}
    assert session.set_many(both)["ok"] is False
    assert GanLab.discriminator_step is original and session.edited() == {}
    assert session.set_code("nope", "def f(): pass")["ok"] is False


def test_a_failing_step_is_undone_and_taken_out(lab_and_session):
    lab, session = lab_and_session
    lines = session.code()[D_STEP].splitlines()
    at = next(i for i, line in enumerate(lines) if "optimizer.step" in line)
    lines.insert(at + 1, "    raise ValueError('broken')")
    assert session.set_code(D_STEP, "\n".join(lines))["ok"]
    params = lab.discriminator.params.copy()
    with pytest.raises(CodeFailed) as info:
        lab.train(5)
    assert info.value.line == at + 2 and "broken" in info.value.error
    np.testing.assert_array_equal(lab.discriminator.params, params)  # the update was undone
    assert session.failure["line"] == at + 2 and session.edited() == {}
    lab.train(1)  # the original again


def test_an_endless_loss_is_stopped_by_the_guard(lab_and_session):
    lab, session = lab_and_session
    session.seconds = 0.3
    source = session.code()["LogLoss.gradient"].replace(
        "    return", "    while True:\n        pass\n    return"
    )
    assert session.set_code("LogLoss.gradient", source)["ok"]
    with pytest.raises(CodeFailed, match="stopped after 0.3 s") as info:
        lab.step("d")
    assert info.value.name == "LogLoss.gradient" and info.value.line in (3, 4)


def test_link_code_stays_pending_until_asked(lab_and_session):
    lab, session = lab_and_session
    code = {D_STEP: "def discriminator_step(self):\n    ran.append(1)\n"}
    assert decode_code(encode_code(code)) == code
    session.from_url({"code": encode_code(code)})
    assert session.state()["code_from_link"] == "pending" and session.edited() == {}
    assert session.setup()["link_code"] == code
    assert session.url({"code": "x", "seed": "1"}) == {"code": "x", "seed": "1"}
    lab.step("d")  # the original runs
    assert session.run_link_code()["ok"] is True
    assert session.state()["code_from_link"] == "running"
    assert "code" in session.url({})
    session.reset()
    assert session.state()["code_from_link"] is None and "code" not in session.url({"code": "x"})


@pytest.mark.parametrize("text", ["not base64!", "eJw", encode_code({"a": "x"})[:-3]])
def test_unreadable_link_code_is_refused(text):
    session = gan_session(GanLab)
    assert session.from_url({"code": text}) is not None
    assert session.state()["code_from_link"] is None and session.setup()["link_problem"]


def test_exercises_of_each_page_pass_with_their_solution():
    for page, session in (("gan", gan_session(GanLab)), ("cnn", cnn_session())):
        ids = session.exercises()
        assert len(ids) >= 3 and ids == exercises.for_page(page)
        session.from_url({"exercise": ids[0]})
        assert session.state()["exercise"] == ids[0]
        for exercise_id in ids:
            opened = session.open_exercise(exercise_id)
            assert session.check(opened["starter"], seed=1)["passed"] is False
            assert session.check(exercises.get(exercise_id).solution, seed=1)["passed"] is True
        with pytest.raises(KeyError):
            session.open_exercise("no-such-exercise")


def test_cnn_kernels_are_editable_and_run_in_every_layer():
    from glasslab.cnn import layers

    session = cnn_session()
    names = session.names()
    assert {f"{k}_forward" for k in ("conv", "relu", "maxpool", "dense", "softmax")} <= set(names)
    source = "def relu_forward(layer, x):\n    return x * 0\n"
    assert session.set_code("relu_forward", source)["ok"]
    try:
        x = np.ones((2, 3, 3), np.float32)
        assert layers.kernel("relu", "forward")(None, x).sum() == 0
    finally:
        session.reset()
    assert layers.kernel("relu", "forward")(None, x).sum() == 18


def test_slow_motion_traces_the_edited_step(lab_and_session):
    from glasslab.gan.stages import iteration_stages

    lab, session = lab_and_session
    code = session.code()[D_STEP].replace(
        "logits = self.discriminator.forward(x)",
        "scores = x * 1.0\n    logits = self.discriminator.forward(scores)",
    )
    assert session.set_code(D_STEP, code)["ok"]
    sink = {}
    walk = iteration_stages(lab, sink)
    names = []
    for net, _i, _n, name, _text, _arrays in walk:
        if net != "d":
            break
        names.append(name)
        trace = sink["trace"]
        lines = code.splitlines()
        marked = [lines[i - 1] for i in trace["lines"]]
        if name == "sample":  # a line that matches no part belongs to the one before it
            assert any("scores = x" in line for line in marked)
        if name == "classify":
            assert any("discriminator.forward(scores)" in line for line in marked)
            assert {"scores", "logits"} <= set(trace["locals"])
    assert names == ["sample", "classify", "loss", "gradients", "update"] * lab.config.k_d


def test_rerun_reports_a_failure_and_runs_the_original_again():
    from glasslab.cnn import layers

    session = cnn_session()
    assert session.set_code("relu_forward", "def relu_forward(layer, x):\n    return 1 / 0\n")["ok"]
    runs, failures = [], []

    def after():
        runs.append(1)
        return layers.kernel("relu", "forward")(None, np.ones(2, np.float32))

    result = session.rerun(after, failures.append)
    assert result["ok"] is False and result["line"] == 2 and "ZeroDivisionError" in result["error"]
    assert len(runs) == 2 and [f.name for f in failures] == ["relu_forward"]
    assert session.edited() == {} and session.rerun(after, failures.append) == {"ok": True}
