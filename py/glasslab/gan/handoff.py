"""Training a GAN lab in another interpreter (the page's worker) and taking it back exactly.

Pure Python and NumPy (no ``js``/``pyodide``): the page's worker, ``site/js/gan-worker.js``,
runs a second Pyodide and passes bytes and arrays in and out; CPython tests do the same.

While the page plays (not slow motion, no edited live code, no Compare) its lab moves to the
worker; the page keeps its lab object as a mirror for the views and the handle:

* :func:`pack_for_worker` pickles the whole lab (weights, optimiser moments, every random
  generator and where each batch stream stands, the guard's checkpoint); the history's
  snapshots go as stubs (their iteration and size), the page keeps the snapshots themselves.
  :func:`pack` / :func:`unpack` are the exact, complete form (snapshots included).
* :class:`Trainer` (in the worker) trains in short chunks (:class:`~glasslab.gan.pace.Pace`)
  and, at most every ``REPORT_SECONDS``, makes a :meth:`Trainer.report`: both networks'
  flat parameter vectors in one float64 array (to draw), the counters, losses and rate, and
  ``state``, the bytes that make the page's lab exactly the worker's at that moment
  (optimiser moments, random states, stream positions, the list of snapshots) with the
  snapshots recorded since the last report.
* :class:`Offload` (on the page) decides when the lab moves, applies each report to the
  mirror (:func:`mirror`: weights in place, counters) and takes the lab back
  (:func:`adopt`) before anything else touches it: pause, any setting change, a step, a
  seek, a save, a reset, slow motion, Compare, edited code. Taking back is synchronous:
  the page's lab becomes the worker's lab of the newest report received, bit for bit what
  training on the page for those iterations gives; what the worker trained after that
  report is dropped (a few milliseconds).
"""

from __future__ import annotations

import copy
import io
import pickle
import time
import types

import numpy as np

from glasslab.gan import data
from glasslab.gan.guard import GanDiverged
from glasslab.gan.history import SHARED, Snapshot, set_training_state, training_state
from glasslab.gan.pace import Pace
from glasslab.nn import MLP

REPORT_SECONDS = 0.012  # the worker reports at most this often
CHUNK_SECONDS = 0.003  # ... and trains this long between yields


# ---------------------------------------------------------------- pickling a lab


def _mlp(sizes, output, params, grads) -> MLP:
    """An MLP with these parameters: its layers views of ``params`` again (pickle would
    copy every view on its own)."""
    net = MLP(sizes, output, np.random.default_rng(0))
    net.params[...] = params
    net.grads[...] = grads
    return net


class _Stub:
    """A history snapshot left on the page: what the worker's History needs of it."""

    def __init__(self, iteration: int, nbytes: int) -> None:
        self.iteration, self.nbytes = iteration, nbytes


class _Pickler(pickle.Pickler):
    stubs = False  # snapshots as _Stub

    def reducer_override(self, obj):
        if isinstance(obj, MLP):
            return _mlp, (obj.sizes, obj.output, obj.params, obj.grads)
        if self.stubs and isinstance(obj, Snapshot):
            return _Stub, (obj.iteration, obj.nbytes)
        if isinstance(obj, types.FunctionType) and obj.__module__ == data.__name__:
            made = _sampler_args(obj)
            if made is not None:
                return made
        return NotImplemented


def _sampler_args(fn):
    """A sampler closure of :mod:`glasslab.gan.data` as the call that makes it again."""
    if fn.__closure__ is None:
        return None
    contents = [c.cell_contents for c in fn.__closure__]
    cells = dict(zip(fn.__code__.co_freevars, contents, strict=True))
    if fn.__qualname__.startswith("make_sampler.") and "points" in cells:
        return data.make_sampler, ("drawing", cells["points"])
    if fn.__qualname__.startswith("noise_sampler."):
        return data.noise_sampler, (cells["dim"], cells["dist"])
    return None


def _dumps(obj, stubs: bool = False) -> bytes:
    out = io.BytesIO()
    pickler = _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.stubs = stubs
    pickler.dump(obj)
    return out.getvalue()


def pack(lab) -> bytes:
    """The whole lab as bytes (:func:`unpack` gives it back: training on equals training on)."""
    return _dumps(lab)


def pack_for_worker(lab) -> bytes:
    """The lab as bytes for the worker: like :func:`pack`, the history's snapshots as stubs."""
    return _dumps(lab, stubs=True)


def unpack(data_bytes) -> object:
    """The lab of :func:`pack` or :func:`pack_for_worker` bytes (any bytes-like object, or
    what has ``to_bytes()``: a typed array from JavaScript)."""
    if hasattr(data_bytes, "to_bytes"):
        data_bytes = data_bytes.to_bytes()
    return pickle.loads(data_bytes)


# ---------------------------------------------------------------- the worker's side


def _resume(lab) -> dict:
    """What besides the weights makes a lab of the same settings this one."""
    return {
        "counters": (lab.iteration, lab.d_steps, lab.g_steps, lab.d_loss, lab.g_loss),
        "training": training_state(lab),
        "next_snapshot": lab.history._next,
    }


class Trainer:
    """The worker's lab: ``Trainer(pack_for_worker(lab))``, then :meth:`run` and
    :meth:`report` in turns; ``clock`` is the time source (seconds)."""

    def __init__(self, packed, clock=time.perf_counter) -> None:
        self.lab = unpack(packed)
        self.clock = clock
        self.pace = Pace(clock)
        self.diverged: str | None = None  # the message, once training diverged
        self._sent = list(self.lab.history.snapshots)  # the page has these
        self._reported = clock()

    def run(self, seconds: float = CHUNK_SECONDS) -> bool:
        """Train about ``seconds``; True when a report is due (or training diverged, which
        restores the lab like ``GanLab.train`` does and stops it)."""
        if self.diverged is None:
            try:
                self.pace.train(self.lab, seconds)
            except GanDiverged as exc:
                self.diverged = str(exc)
                return True
        return self.clock() - self._reported >= REPORT_SECONDS

    def report(self) -> dict:
        """``{params, iteration, d_steps, g_steps, d_loss, g_loss, rate, diverged, kept,
        state, snapshots}``: ``params`` G's then D's parameters (float64), ``kept`` the
        iterations of the history's snapshots, ``state`` bytes for :func:`adopt`,
        ``snapshots`` those recorded since the last report (pickled)."""
        lab, self._reported = self.lab, self.clock()
        known = {id(s) for s in self._sent}
        new = [s for s in lab.history.snapshots if id(s) not in known]
        self._sent = list(lab.history.snapshots)
        kept = []
        for snap in new:  # the page has the shared arrays: the same values
            kept.append(copy.copy(snap))
            kept[-1].shared = None
        return {
            "params": np.concatenate([lab.generator.params, lab.discriminator.params]),
            "iteration": lab.iteration,
            "d_steps": lab.d_steps,
            "g_steps": lab.g_steps,
            "d_loss": _num(lab.d_loss),
            "g_loss": _num(lab.g_loss),
            "rate": float(self.pace.rate),
            "diverged": self.diverged,
            "kept": [s.iteration for s in lab.history.snapshots],
            "state": _dumps(_resume(lab)),
            "snapshots": _dumps(kept),
        }


# ---------------------------------------------------------------- the page's side


def mirror(lab, report: dict) -> None:
    """Show a report on the page's lab: weights written in place, counters, losses (what
    the views and ``state()`` read; the rest waits for :func:`adopt`)."""
    params = np.frombuffer(report["params"], dtype=np.float64)
    ng = lab.generator.params.size
    if params.size != ng + lab.discriminator.params.size:
        raise ValueError("the worker's networks differ from the page's")
    lab.generator.params[...] = params[:ng]
    lab.discriminator.params[...] = params[ng:]
    lab.iteration, lab.d_steps, lab.g_steps = (
        int(report[k]) for k in ("iteration", "d_steps", "g_steps")
    )
    lab.d_loss, lab.g_loss = report["d_loss"], report["g_loss"]
    lab._version += 1


def adopt(lab, report: dict, snapshots: list) -> None:
    """Make the page's ``lab`` (the one handed over, mirrored since) exactly the worker's
    lab of ``report``; ``snapshots`` are the ``Snapshot``s of every report since the hand-off."""
    mirror(lab, report)
    state = pickle.loads(report["state"])
    lab.iteration, lab.d_steps, lab.g_steps, lab.d_loss, lab.g_loss = state["counters"]
    set_training_state(lab, state["training"])
    lab.history.snapshots = merged(lab, report, snapshots)
    lab.history._next = state["next_snapshot"]
    lab._save_good()


def merged(lab, report: dict, snapshots: list) -> list:
    """The worker's history of ``report``: the page's snapshots and ``snapshots`` (from the
    worker), those ``report`` says are kept, oldest first."""
    by_iteration = {s.iteration: s for s in lab.history.snapshots}
    by_iteration.update((s.iteration, s) for s in snapshots)
    return [by_iteration[i] for i in report["kept"]]


def snapshots_of(report: dict, lab) -> list:
    """The snapshots a report brings (and those of the reports the page skipped: its
    ``earlier`` list of ``snapshots`` bytes), sharing ``lab``'s unchanging arrays."""
    shared = {name: getattr(lab, name) for name in SHARED}
    found = []
    for packed in [*(report.get("earlier") or []), report["snapshots"]]:
        found += pickle.loads(packed)
    for snap in found:
        snap.shared = shared
    return found


class Offload:
    """The page's side: who trains the lab now (``trainer``: ``"worker"`` or ``"page"``).

    ``port`` is the worker, as the page reaches it: ``ready`` and ``failed`` (booleans),
    ``begin()`` (start loading it; called again, nothing), ``start(generation, packed)``,
    ``stop()``, and ``take()``, the newest report (a dict as :meth:`Trainer.report` makes it,
    its ``generation`` added; or anything with ``to_py()`` giving that) or None. ``pace``
    (a :class:`~glasslab.gan.pace.Pace`) shows the worker's rate while it trains.
    """

    def __init__(self, port=None, pace: Pace | None = None) -> None:
        self.port, self.pace = port, pace
        self.generation = 0
        self.lab = None  # the page's lab while the worker trains it
        self.latest: dict | None = None  # the newest report applied
        self.snapshots: list = []  # snapshots of the reports before it

    @property
    def trainer(self) -> str:
        return "page" if self.lab is None else "worker"

    def usable(self) -> bool:
        return self.port is not None and bool(self.port.ready) and not self.port.failed

    def frame(self, lab, eligible: bool) -> tuple[bool, str | None]:
        """One frame of training: (whether the worker trains ``lab``, so the page does not;
        the divergence message of a report that ends training, or None). Hands the lab over
        when ``eligible`` and the worker is ready; takes it back when not eligible."""
        if self.lab is not None and (not eligible or lab is not self.lab or self.port.failed):
            self.take_back()
        if self.lab is None:
            if eligible and self.port is not None:
                self.port.begin()
            if not (eligible and self.usable()):
                return False, None
            self.generation += 1
            self.port.start(self.generation, pack_for_worker(lab))
            if self.port.failed:  # it could not take the lab: the page goes on
                return False, None
            self.lab, self.latest, self.snapshots = lab, None, []
            return True, None
        report = self._newest()
        if report is not None and report["diverged"]:
            self.take_back()
            return True, report["diverged"]
        return True, None

    def _newest(self) -> dict | None:
        report = self.port.take()
        if hasattr(report, "to_py"):
            report = report.to_py()
        if report is None or report.get("generation") != self.generation:
            return None
        if self.pace is not None:
            self.pace.rate = float(report["rate"])
        by_iteration = {s.iteration: s for s in self.snapshots + snapshots_of(report, self.lab)}
        self.snapshots = [by_iteration[i] for i in report["kept"] if i in by_iteration]
        mirror(self.lab, report)
        self.latest = report
        return report

    def take_back(self) -> None:
        """The lab is the page's again (exactly the worker's of the newest report)."""
        if self.lab is None:
            return
        self._newest()
        self.port.stop()
        lab, report, self.lab = self.lab, self.latest, None
        if report is not None:
            adopt(lab, report, self.snapshots)
        self.latest, self.snapshots = None, []

    def summaries(self, lab) -> list[dict]:
        """``lab.history.summaries()`` as the worker's history stands (the page's own when it
        trains): the scrubber reads it while the worker trains."""
        if self.lab is not lab or self.latest is None:
            return lab.history.summaries()
        return [s.summary() for s in merged(lab, self.latest, self.snapshots)]

    @property
    def rate(self) -> float | None:
        """The worker's iterations per second (None while the page trains)."""
        return None if self.latest is None else float(self.latest["rate"])


def _num(value):
    return None if value is None else float(value)
