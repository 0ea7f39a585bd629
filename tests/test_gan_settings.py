"""glasslab.gan.settings and glasslab.gan.session: the page's settings rules on CPython."""

from __future__ import annotations

import numpy as np
import pytest
from glasslab.gan import Config, GanLab, preset_config
from glasslab.gan import settings as gs
from glasslab.gan.pace import Pace
from glasslab.gan.session import DRAW, LIVE, NEW_RUN, GanSession
from glasslab.gan.stages import STAGE_LINES, SlowMotion, code_lines, iteration_stages
from glasslab.gan.view import SIZES, page_setup


def test_parse_settings_types_text_and_names_the_setting():
    got = gs.parse_settings({"g_lr": " 0.03", "seed": "7", "k_d": 3.0, "loss": "lsq"})
    assert got == {"g_lr": 0.03, "seed": 7, "k_d": 3, "loss": "lsq"}
    assert isinstance(got["seed"], int) and isinstance(got["g_lr"], float)
    for raw, key in (
        ({"seed": "1.5"}, "gan.error.whole"),
        ({"g_neurons": "many"}, "gan.error.whole"),
        ({"d_lr": "fast"}, "gan.error.number"),
        ({"g_lr": "-1"}, "gan.error.positive"),
        ({"g_lr": "nan"}, "gan.error.positive"),
        ({"colour": "red"}, "gan.error.unknown_setting"),
    ):
        with pytest.raises(gs.SettingError) as info:
            gs.parse_settings(raw)
        assert info.value.key == key
        assert isinstance(info.value, ValueError)


def test_new_runs_and_the_pretrained_rule():
    assert gs.starts_new_run({"dataset"}, pretrained=False)
    assert gs.starts_new_run({"seed"}, pretrained=False)
    assert gs.starts_new_run({"g_neurons"}, pretrained=True)
    assert not gs.starts_new_run({"g_neurons"}, pretrained=False)  # rebuilt live
    assert not gs.starts_new_run({"g_lr", "loss", "k_d"}, pretrained=True)
    assert gs.keeps_pretrained({"g_lr"}, True)
    assert not gs.keeps_pretrained({"seed"}, True)
    assert not gs.keeps_pretrained({"d_layers"}, True)
    assert not gs.keeps_pretrained(set(), False)
    assert set(gs.live_settings(Config())) == set(gs.LIVE_FIELDS)


def test_url_round_trip_and_ignored_values():
    setup = gs.from_url({"dataset": "ring", "g_lr": "0.03", "k_d": "3", "embed": "1"})
    assert (setup.config.dataset, setup.config.g_lr, setup.config.k_d) == ("ring", 0.03, 3)
    assert setup.pretrained and setup.problems == []
    assert setup.overrides == {"g_lr": 0.03, "k_d": 3}
    url = gs.to_url({"embed": "1"}, setup.config, setup.pretrained)
    assert url["embed"] == "1" and url["pretrained"] == "1" and url["g_lr"] == "0.03"
    assert gs.from_url(url).config == setup.config

    bad = gs.from_url({"g_lr": "fast", "k_d": "99", "dataset": "drawing", "seed": "4"})
    assert bad.config == Config(seed=4)
    assert bad.pretrained is False  # a seed of its own: no pretrained weights for it
    assert len(bad.problems) == 3 and "gan.error.drawing_link" in bad.problems
    assert gs.from_url({"pretrained": "0"}).pretrained is False


def test_control_values_are_the_texts_of_the_controls():
    cfg = Config(g_lr=1, seed=3)
    assert gs.control_value(cfg, "g_lr") == "1.0" and gs.control_value(cfg, "seed") == "3"


def test_session_applies_live_new_run_and_drawing():
    session = GanSession(pretrained=False)
    session.new_lab(Config(seed=1))
    lab = session.lab
    assert session.apply({"g_lr": 0.3}) == LIVE and session.lab is lab
    assert session.apply({"seed": 2}) == NEW_RUN and session.lab is not lab
    assert session.apply({"dataset": "drawing"}) == DRAW
    assert session.lab.config.dataset == "gaussians"  # nothing changes before the drawing
    with pytest.raises(ValueError):
        session.apply({"k_d": 99})
    with pytest.raises(ValueError):
        session.use_drawing(np.array([[0.5, 0.5]]))  # one point is not enough
    session.use_drawing(np.array([[0.2, 0.2], [0.8, 0.8], [0.5, 0.1]]))
    assert session.lab.config.dataset == "drawing" and not session.pretrained
    assert session.lab_state()["drawing_points"] == 3


def test_session_pretrained_presets_and_files():
    session = GanSession()
    problems = session.start({"dataset": "ring", "g_lr": "0.3"})
    assert problems == [] and session.pretrained
    assert session.lab.iteration > 0 and session.lab.config.g_lr == 0.3  # the preset, live rate
    assert session.lab.config.g_neurons == preset_config("ring").g_neurons
    assert session.apply({"g_neurons": 5}) == NEW_RUN and not session.pretrained
    assert session.lab.iteration == 0
    assert session.set_pretrained(True) and session.lab.iteration > 0
    name, text = session.save()
    assert name == f"glasslab-gan-ring-{session.lab.iteration}.json"
    other = GanSession(pretrained=False)
    other.load(text)
    assert other.lab.iteration == session.lab.iteration and not other.pretrained
    with pytest.raises(ValueError):
        other.load('{"format": "glasslab-gan"')
    shown = other.controls(drawing_mode=True)
    assert shown["values"]["dataset"] == "drawing" and shown["pretrained_available"]
    assert shown["generator"] == "-".join(map(str, other.lab.config.generator_sizes))
    result = other.benchmark(20)
    assert result["iterations"] == 20 and result["per_second"] > 0


def test_slow_motion_walks_one_iteration_like_train():
    cfg = Config(k_d=2, k_g=1, seed=5)
    walked, trained = GanLab(cfg), GanLab(cfg)
    motion = SlowMotion(seconds=1.0)
    names = []
    now = 0.0
    while (item := motion.advance(walked, now)) != SlowMotion.END:
        assert item is not None
        names.append(item[:4])
        assert motion.stage["stage"] == item[3] and motion.shown["net"] == item[0]
        assert motion.advance(walked, now + 0.5) is None  # not yet time for the next stage
        now += 1.0
    assert len(names) == 3 * 5 and names[0] == ("d", 1, 2, "sample")
    assert names[-1] == ("g", 1, 1, "update")
    trained.train(1)
    assert walked.iteration == trained.iteration == 1
    np.testing.assert_array_equal(walked.generator.params, trained.generator.params)
    assert len(list(iteration_stages(GanLab(cfg)))) == 15


def test_code_lines_mark_the_lines_of_each_stage():
    import inspect

    source = inspect.getsource(GanLab.discriminator_step)
    lines = code_lines(source, "d", "update")
    assert [text for text, _ in lines] == source.rstrip().splitlines()
    assert [text for text, marked in lines if marked] == [
        line for line in source.splitlines() if "optimizer.step" in line
    ]
    assert not any(marked for _, marked in code_lines(source, "d", None))
    for net in STAGE_LINES:
        src = inspect.getsource(GanLab.discriminator_step if net == "d" else GanLab.generator_step)
        for stage in STAGE_LINES[net]:
            assert any(marked for _, marked in code_lines(src, net, stage)), (net, stage)


def test_pace_keeps_the_budget_and_measures_the_rate():
    clock = [0.0]

    class Lab:
        iterations = 0

        def train(self, n):
            self.iterations += n
            clock[0] += 0.0001 * n  # 0.1 ms per iteration

    lab, pace = Lab(), Pace(clock=lambda: clock[0])
    done = pace.train(lab, 0.010)
    assert done == lab.iterations and 60 <= done <= 130
    assert 19 <= pace.chunk <= 20  # chunks of about 2 ms
    while clock[0] < 0.6:
        pace.train(lab, 0.010)
    assert pace.rate == pytest.approx(10_000, rel=0.05)
    pace.stop()
    assert pace.rate == 0.0


def test_page_setup_is_plain_data():
    import json

    setup = json.loads(json.dumps(page_setup()))
    assert setup["sizes"] == SIZES and setup["fields"] == list(gs.FIELDS)
    assert SIZES["points"] >= 1000 and SIZES["grid"] == 30 and SIZES["manifold"] == 21
