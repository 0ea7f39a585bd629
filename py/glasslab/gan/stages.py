"""Slow motion: ONE discriminator or generator update of a :class:`GanLab`, walked
through as a line trace of the very function that trains (the original
``GanLab.discriminator_step`` / ``generator_step`` or the student's edited one).

The step runs once, for real, under :func:`glasslab.live.trace.trace_call`, which
records every line with the local variables at that moment. Its lines are then cut
into the iteration's parts by what they do (:data:`STAGE_LINES`): ``sample``,
``classify``, ``loss``, ``gradients``, ``update``, and each part is shown in turn as
``(name, explanation, arrays)`` with the arrays its lines computed (point arrays are
(n, 2) copies) and, for the code view, the part's lines (1-based, from the function's
``def``) and the locals after them. The networks are put back as
they were before the step until ``update`` is shown; running all parts changes the lab
exactly as ``lab.step(which)`` does. If the lab changes between two parts
(``lab._version``), the next one raises :class:`StagesInterrupted`.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Iterator

import numpy as np

from glasslab.gan.guard import Checkpoint, GanDiverged
from glasslab.live.trace import trace_call
from glasslab.nn import MLP

Stage = tuple[str, str, dict]
STAGES = ("sample", "classify", "loss", "gradients", "update")
STEP_FUNCTIONS = {"d": "GanLab.discriminator_step", "g": "GanLab.generator_step"}
TEXTS = {
    "d": {
        "sample": "Take a batch of real points and turn a batch of noise into fakes with G.",
        "classify": "D scores every point: near 1 means 'looks real', near 0 'looks fake'.",
        "loss": "The discriminator's loss is low when reals score high and fakes score low.",
        "gradients": "Backpropagation: how the loss changes with every weight and bias of D.",
        "update": "Each weight of D takes a small step downhill; D's map of real/fake shifts.",
    },
    "g": {
        "sample": "Turn a batch of noise into fakes with G.",
        "classify": "D scores the fakes; G wants these scores near 1.",
        "loss": "The generator's loss is low when D takes the fakes for real.",
        "gradients": "Backpropagation through D (which stays fixed) into G: "
        "each fake is pushed towards 'real', and G's weights get their gradients.",
        "update": "Each weight of G takes a small step downhill; the fakes move.",
    },
}
# Which source lines of the step each part is, found in the running source by these
# fragments (a line matching none belongs to the part before it).
STAGE_LINES = {
    "d": {
        "sample": ("_real.next", "generator.forward", "concatenate"),
        "classify": ("discriminator.forward",),
        "loss": ("d_loss",),
        "gradients": ("backward(",),
        "update": ("optimizer.step",),
    },
    "g": {
        "sample": ("_noise.next", "generator.forward"),
        "classify": ("discriminator.forward",),
        "loss": ("g_loss",),
        "gradients": ("backward(",),
        "update": ("optimizer.step",),
    },
}


class StagesInterrupted(RuntimeError):
    """The lab changed between two parts of a slow-motion step."""


def step_function(net: str, lab):
    """``(the function that runs now, the Python function whose lines it runs)`` for
    ``lab``'s class: an edited step is a guarded wrapper of the student's function."""
    fn = getattr(type(lab), STEP_FUNCTIONS[net].split(".")[1])
    return fn, getattr(fn, "__wrapped_edit__", fn)


def step_source(net: str, lab) -> str:
    """The source of ``lab``'s step that runs now (the student's when edited)."""
    return textwrap.dedent(inspect.getsource(step_function(net, lab)[1]))


def stage_of(line: str, net: str) -> str | None:
    return next((s for s, marks in STAGE_LINES[net].items() if any(m in line for m in marks)), None)


def split_trace(source: str, net: str, steps) -> dict[str, dict]:
    """The traced lines of each part, and the locals (summaries, array copies) once
    they have run: ``{stage: {"lines": [...], "locals": {...}, "arrays": {...}}}``."""
    text = source.splitlines()
    parts = {name: {"lines": [], "locals": {}, "arrays": {}} for name in STAGES}
    current = STAGES[0]
    for step in steps:  # a step holds the locals just before its line runs
        parts[current]["locals"], parts[current]["arrays"] = step.locals, step.arrays
        if step.event != "line":
            continue
        line = text[step.line - 1] if 0 < step.line <= len(text) else ""
        found = stage_of(line, net)
        if found is not None and STAGES.index(found) >= STAGES.index(current):
            current = found
        parts[current]["lines"].append(step.line)
    for earlier, later in zip(STAGES, STAGES[1:], strict=False):  # nothing ran: carry over
        if not parts[later]["lines"]:
            parts[later]["locals"] = parts[later]["locals"] or parts[earlier]["locals"]
            parts[later]["arrays"] = parts[later]["arrays"] or parts[earlier]["arrays"]
    return parts


def _t(a) -> np.ndarray | None:
    return a.T.copy() if isinstance(a, np.ndarray) and a.ndim == 2 and a.shape[0] == 2 else None


def traced_stages(self, net: str, sink: dict | None = None) -> Iterator[Stage]:
    """The parts of one update (``net`` ``"d"`` or ``"g"``) of the lab ``self``;
    ``sink["trace"]`` is set to each part's ``{"fn", "lines", "locals"}``."""
    version = self._version
    fn, traced = step_function(net, self)
    source = step_source(net, self)
    before = Checkpoint(self)
    with np.errstate(all="ignore"):
        _, steps = trace_call(fn, self, code=traced.__code__)
    after = Checkpoint(self)
    before.restore(self)  # the networks change when "update" is shown
    parts = split_trace(source, net, steps)
    n, loss = self.config.batch, self.loss
    output = getattr(loss, "output", None) or (lambda s: 1.0 / (1.0 + np.exp(-s)))
    for name in STAGES:
        if name != STAGES[0] and self._version != version:
            raise StagesInterrupted("the lab changed between stages; start a new stages() sequence")
        arrays = parts[name]["arrays"]
        shown = _shown(self, net, name, arrays, n, output, loss)
        if name == "update":
            after.restore(self)
            if net == "d":
                self.d_steps += 1
            else:
                self.g_steps += 1
            self._version += 1
            version = self._version
            self._check()
            shown = (
                {"field": self.discriminator_field()}
                if net == "d"
                else {"fake": self.tracked_fakes()}
            )
        if sink is not None:
            sink["trace"] = {"fn": STEP_FUNCTIONS[net], **parts[name]}
            del sink["trace"]["arrays"]
        yield name, TEXTS[net][name], shown


def _shown(lab, net, name, arrays, n, output, loss) -> dict:
    """The arrays the views show for one part, from the locals its lines computed."""
    with np.errstate(all="ignore"):
        logits = arrays.get("logits")
        if name == "sample":
            out = {"real": _t(arrays.get("real")), "fake": _t(arrays.get("fake"))}
        elif name == "classify" and logits is not None:
            d = output(logits[0])
            if net == "d":
                x = arrays.get("x")
                out = {"real": _t(x[:, :n]), "fake": _t(x[:, n:]), "d_real": d[:n], "d_fake": d[n:]}
            else:
                out = {"fake": _t(arrays.get("fake")), "d_fake": d}
        elif name == "loss":
            out = {"loss": np.array(_loss_value(lab, net, logits))}
        elif name == "gradients":
            net_of = lab.discriminator if net == "d" else lab.generator
            out = {"grad_norms": layer_norms(net_of)}
            if net == "g" and isinstance(arrays.get("grad_fake"), np.ndarray):
                out.update(fake=_t(arrays.get("fake")), push=-arrays["grad_fake"].T * n)
        else:
            out = {}
    return {k: v for k, v in out.items() if v is not None}


def _loss_value(lab, net: str, logits) -> float:
    """The loss of this step, from its logits, as ``lab.d_loss`` / ``g_loss`` give it."""
    if logits is None:
        return float("nan")
    if net == "d":
        return lab.loss.value(logits, lab._d_targets, lab._scale)
    if hasattr(lab.loss, "generator_value"):
        return lab.loss.generator_value(logits, lab._scale)
    return lab.loss.value(logits, lab._g_targets, lab._scale)


def discriminator_stages(self) -> Iterator[Stage]:
    """The parts of one discriminator update of the lab ``self``."""
    return traced_stages(self, "d")


def generator_stages(self) -> Iterator[Stage]:
    """The parts of one generator update of the lab ``self``."""
    return traced_stages(self, "g")


def layer_norms(net: MLP) -> np.ndarray:
    """Size of each layer's weight gradient (Frobenius norm), input layer first."""
    return np.array([float(np.linalg.norm(g)) for g in net.weight_grads])


def iteration_stages(lab, sink: dict | None = None) -> Iterator[tuple]:
    """One whole iteration in slow motion: ``(net, index, count, name, text, arrays)`` for
    the stages of ``k_d`` discriminator updates, then of ``k_g`` generator updates;
    ``lab.iteration`` advances once the last stage has run."""
    cfg = lab.config
    for i in range(cfg.k_d):
        for stage in traced_stages(lab, "d", sink):
            yield ("d", i + 1, cfg.k_d, *stage)
    for i in range(cfg.k_g):
        for stage in traced_stages(lab, "g", sink):
            yield ("g", i + 1, cfg.k_g, *stage)
    lab.iteration += 1


def code_lines(source: str, net: str, stage: str | None, lines=None) -> list[list]:
    """``[[line, marked], ...]``: the source's lines, marked where ``stage`` runs them
    (the traced line numbers ``lines`` when given, else by :data:`STAGE_LINES`)."""
    marks = STAGE_LINES[net].get(stage, ()) if stage else ()
    text = source.rstrip().splitlines()
    if stage and lines is not None:
        wanted = set(lines)
        return [[line, i in wanted] for i, line in enumerate(text, start=1)]
    return [[line, any(m in line for m in marks)] for line in text]


class SlowMotion:
    """Walks through whole iterations one stage at a time, each shown ``seconds`` long.

    ``advance(lab, now)`` runs the next stage once its time has come and returns its
    ``(net, index, count, name, text, arrays)``; None when it is not yet time (or the
    lab changed under the walk, which then starts again), :data:`END` after an
    iteration's last stage. ``stage`` and ``shown`` describe the stage on screen,
    ``trace`` its traced lines and locals. ``set_seconds`` (the speed control) and
    ``next_now`` (the step-forward key) are the page's calls. GanDiverged and the
    failures of edited code propagate.
    """

    END = "end"
    SECONDS = (0.1, 10.0)  # the speed control's range, seconds per stage

    def __init__(self, seconds: float = 0.9) -> None:
        self.seconds = seconds
        self.walker = None
        self.stage = None  # {"network", "stage", "step", "of"}, for the page's state()
        self.shown = None  # {"net", "index", "count", "name"}, "off" or None: the stage text
        self.trace = None  # {"fn", "lines", "locals"} of the stage shown
        self._sink: dict = {}
        self.due = 0.0

    def stop(self) -> None:
        self.walker = None
        self.stage = None
        self.trace = None

    def set_seconds(self, seconds) -> float:
        lo, hi = self.SECONDS
        self.seconds = min(hi, max(lo, float(seconds)))
        return self.seconds

    def next_now(self) -> None:
        self.due = 0.0

    def calls(self) -> dict:
        return {"slowSeconds": self.set_seconds, "slowNext": self.next_now}

    def advance(self, lab, now: float):
        if now < self.due:
            return None
        self.due = now + self.seconds
        if self.walker is None:
            self.walker = iteration_stages(lab, self._sink)
        try:
            item = next(self.walker)
        except StopIteration:
            self.walker = None
            return self.END
        except GanDiverged:
            raise
        except StagesInterrupted:
            self.walker = None
            return None
        net, index, count, name = item[:4]
        self.stage = {"network": net, "stage": name, "step": index, "of": count}
        self.shown = {"net": net, "index": index, "count": count, "name": name}
        self.trace = self._sink.get("trace")
        return item
