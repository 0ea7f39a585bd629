"""The GAN lab: a generator and a discriminator learning from each other, live.

Quick tour::

    from glasslab.gan import GanLab, Config

    lab = GanLab(Config(dataset="ring"))     # or GanLab.from_json(text), load_preset("ring")
    lab.train(100)                           # 100 iterations: k_d D steps then k_g G steps each
    lab.d_loss, lab.g_loss, lab.iteration
    lab.discriminator_field()                # (30, 30) D(x) on the cell centres
    lab.set(g_lr=0.03)                       # change a setting while training
    lab.probe(0.3, 0.7)                      # D at one point of the unit square
    lab.history.summaries(); lab.seek(200)   # snapshots; rewind to iteration 200

Networks (see :mod:`glasslab.nn`, columns are samples):

* generator G: noise z (1-D or 2-D) -> ``g_layers`` hidden ReLU layers of
  ``g_neurons`` -> 2 outputs through tanh (a point in (-1, 1)^2, which contains
  the unit square where the data lives);
* discriminator D: point x -> ``d_layers`` hidden ReLU layers of ``d_neurons``
  -> 1 output s. With the probability losses (log, lsq) s is a logit and
  D(x) = sigmoid(s) is "the probability that x is real"; with the critic losses
  (hinge, wasserstein) s itself is D's critic score (see :mod:`glasslab.gan.losses`;
  ``lab.d_kind`` says which).

One training **iteration** is ``k_d`` discriminator steps followed by ``k_g``
generator steps (:meth:`GanLab.discriminator_step`,
:meth:`GanLab.generator_step`), each on a fresh batch of ``batch`` real points
and ``batch`` noise vectors.

Changing settings while training (:meth:`GanLab.set`):

* learning rates, loss, k_d, k_g: take effect at the next step; changing a
  learning rate keeps Adam's moment estimates;
* optimizer type: that network's optimizer restarts (fresh moments);
* g_layers / g_neurons / noise_dim: the generator is rebuilt with fresh random
  weights (noise_dim also redraws the fixed noise of the views);
  d_layers / d_neurons: the discriminator is rebuilt;
* noise_dist: the noise stream and the fixed noise of the views are redrawn;
* dataset: the real data stream and the real view samples are redrawn, the
  networks keep training from where they are;
* batch: the batch buffers and streams are remade;
* seed: everything restarts from the new seed (like :meth:`GanLab.reset`).

Invalid values raise ``ValueError`` and change nothing.

Randomness: one ``numpy.random.SeedSequence(seed)`` is split into independent
streams (generator init, discriminator init, data, noise, view data, view
noise), so the same seed and the same sequence of calls give the same run,
bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from glasslab.gan import guard, model_json, stages
from glasslab.gan.config import Config, check_int
from glasslab.gan.data import BatchStream, check_drawing, make_sampler, noise_sampler
from glasslab.gan.history import History
from glasslab.gan.lab_views import MANIFOLD_CELLS, NUM_VIEW_FAKE, NUM_VIEW_REAL, LabViews
from glasslab.gan.losses import loss_function
from glasslab.nn import MLP, make_optimizer

CHECK_EVERY = 50  # iterations between divergence checks inside train(), at its multiples


class GanLab(LabViews):
    """A GAN being trained: two networks, their optimisers, data and noise streams.

    ``GanLab(config=None, drawing=None)``: ``config`` defaults to ``Config()``;
    ``drawing`` (a list of [x, y] points in the unit square, at least 2) is
    required when ``config.dataset == "drawing"``.

    Attributes the page reads: ``config``, ``iteration`` (full iterations
    done), ``d_steps``, ``g_steps`` (single updates done), ``d_loss`` and
    ``g_loss`` (of the most recent D and G step; None before the first one),
    ``generator`` and ``discriminator`` (:class:`glasslab.nn.MLP`), their
    optimisers ``g_optimizer`` and ``d_optimizer``, ``loss`` (a class of
    :mod:`glasslab.gan.losses`) and ``history`` (its snapshots,
    :class:`~glasslab.gan.history.History`). The views' reads are
    :class:`~glasslab.gan.lab_views.LabViews`'.
    """

    def __init__(self, config: Config | None = None, drawing=None) -> None:
        config = Config() if config is None else config
        if not isinstance(config, Config):
            raise ValueError(f"config must be a Config, got {type(config).__name__}")
        self._drawing = check_drawing(drawing) if drawing is not None else None
        if config.dataset == "drawing" and self._drawing is None:
            check_drawing(None)  # raises the page-facing message
        self.config = config
        self.reset()

    # -------------------------------------------------------------- building

    def reset(self) -> None:
        """Start over: fresh weights, optimisers, streams and views from ``config.seed``."""
        cfg = self.config
        streams = np.random.SeedSequence(cfg.seed).spawn(6)
        rngs = [np.random.default_rng(s) for s in streams]
        (self._g_init_rng, self._d_init_rng, self._data_rng) = rngs[:3]
        (self._noise_rng, self._view_data_rng, self._view_noise_rng) = rngs[3:]
        self.iteration = 0
        self.d_steps = 0
        self.g_steps = 0
        self.d_loss = None
        self.g_loss = None
        self._version = getattr(self, "_version", 0) + 1
        self.history = History()
        self.loss = loss_function(cfg.loss)
        self._build_generator()
        self._build_discriminator()
        self._make_batches()
        self._make_data()
        self._make_noise()
        self._save_good()

    def _build_generator(self) -> None:
        cfg = self.config
        self.generator = MLP(cfg.generator_sizes, output="tanh", rng=self._g_init_rng)
        self.g_optimizer = make_optimizer(cfg.g_optimizer, cfg.g_lr, self.generator.params.size)

    def _build_discriminator(self) -> None:
        cfg = self.config
        self.discriminator = MLP(cfg.discriminator_sizes, output="identity", rng=self._d_init_rng)
        self.d_optimizer = make_optimizer(cfg.d_optimizer, cfg.d_lr, self.discriminator.params.size)

    def _make_batches(self) -> None:
        n = self.config.batch
        self._d_input = np.empty((2, 2 * n))  # reals in the first n columns, fakes after
        # Labels: 1 = real, 0 = fake. The generator wants D to say 1 for its fakes.
        self._d_targets = np.concatenate([np.ones((1, n)), np.zeros((1, n))], axis=1)
        self._g_targets = np.ones((1, n))
        self._scale = 1.0 / n  # L = mean over the reals + mean over the fakes

    def _make_data(self) -> None:
        sampler = make_sampler(self.config.dataset, self._drawing)
        self._real = BatchStream(sampler, self._data_rng, self.config.batch)
        self._view_real = sampler(self._view_data_rng, NUM_VIEW_REAL)

    def _make_noise(self) -> None:
        cfg = self.config
        sampler = noise_sampler(cfg.noise_dim, cfg.noise_dist)
        self._noise = BatchStream(sampler, self._noise_rng, cfg.batch)
        self._view_noise = np.ascontiguousarray(sampler(self._view_noise_rng, NUM_VIEW_FAKE).T)
        grid = np.linspace(0.0, 1.0, MANIFOLD_CELLS + 1)
        if cfg.noise_dim == 1:
            self._manifold_noise = grid[None, :]
        else:
            z1, z2 = np.meshgrid(grid, grid)  # [r, c] = (grid[c], grid[r])
            self._manifold_noise = np.stack([z1.ravel(), z2.ravel()])

    # -------------------------------------------------------------- settings

    def set(self, drawing=None, **changes) -> tuple[str, ...]:
        """Change settings live (any field of :class:`Config`, plus ``drawing``).

        Validates everything first: on a ValueError nothing has changed.
        Returns the parts that were rebuilt or redrawn, a sorted tuple from
        ``"generator"``, ``"discriminator"`` (fresh weights and optimizer),
        ``"g_optimizer"``, ``"d_optimizer"`` (fresh optimizer state),
        ``"data"`` (real data stream and view samples), ``"noise"`` (noise
        stream and the views' fixed noise), ``"batch"``, or ``("all",)`` after a
        seed change, which restarts everything.
        """
        new = self.config.replace(**changes)
        new_drawing = self._drawing if drawing is None else check_drawing(drawing)
        if new.dataset == "drawing" and new_drawing is None:
            check_drawing(None)
        changed = {name for name in changes if getattr(self.config, name) != getattr(new, name)}
        if drawing is not None and new.dataset == "drawing":
            changed.add("drawing")

        # Everything is valid: apply.
        self.d_loss, self.g_loss = self.d_loss, self.g_loss  # settle them with the old settings
        self.config = new
        self._drawing = new_drawing
        if "seed" in changed:
            self.reset()
            return ("all",)
        self._version += 1
        rebuilt: set[str] = set()
        if changed & {"noise_dim", "g_layers", "g_neurons"}:
            self._build_generator()
            rebuilt.add("generator")
        elif "g_optimizer" in changed:
            self.g_optimizer = make_optimizer(new.g_optimizer, new.g_lr, self.generator.params.size)
            rebuilt.add("g_optimizer")
        if changed & {"d_layers", "d_neurons"}:
            self._build_discriminator()
            rebuilt.add("discriminator")
        elif "d_optimizer" in changed:
            self.d_optimizer = make_optimizer(
                new.d_optimizer, new.d_lr, self.discriminator.params.size
            )
            rebuilt.add("d_optimizer")
        self.loss = loss_function(new.loss)
        self.g_optimizer.lr = new.g_lr  # a new learning rate keeps Adam's moments
        self.d_optimizer.lr = new.d_lr
        if "batch" in changed:
            self._make_batches()
            rebuilt.add("batch")
        if changed & {"dataset", "drawing", "batch"}:
            self._make_data()
            rebuilt.add("data")
        if changed & {"noise_dim", "noise_dist", "batch"}:
            self._make_noise()
            rebuilt.add("noise")
        if rebuilt:
            self._save_good()
        return tuple(sorted(rebuilt))

    # -------------------------------------------------------------- training

    def discriminator_step(self) -> None:
        """One update of D: learn to score real points 1 and fakes 0."""
        real = self._real.next()  # (2, n) real points, one per column
        fake = self.generator.forward(self._noise.next())  # (2, n) fakes G(z)
        x = np.concatenate([real, fake], axis=1, out=self._d_input)  # one batch: reals, fakes
        logits = self.discriminator.forward(x)  # D's raw outputs s (logits or scores)
        grad = self.loss.gradient(logits, self._d_targets, self._scale)  # of d_loss, per logit
        self.discriminator.backward(grad, input_grad=False)  # dL_D/dW, dL_D/db for all of D
        self.d_optimizer.step(self.discriminator.params, self.discriminator.grads)
        self.loss.constrain(self.discriminator.params)  # Wasserstein: clip D to [-c, c]
        self._d_logits = logits  # the loss value itself is computed from these when shown

    def generator_step(self) -> None:
        """One update of G: move the fakes to where D scores them as real."""
        fake = self.generator.forward(self._noise.next())  # (2, n) fakes G(z)
        logits = self.discriminator.forward(fake)
        grad = self.loss.generator_gradient(logits, self._scale)  # of g_loss, per logit
        grad_fake = self.discriminator.backward(grad, param_grads=False)  # dL_G/dx; D stays put
        self.generator.backward(grad_fake, input_grad=False)  # dL_G/dW, dL_G/db of G
        self.g_optimizer.step(self.generator.params, self.generator.grads)
        self._g_logits = logits  # the loss value itself is computed from these when shown

    @property
    def d_loss(self) -> float | None:
        """L_D of the most recent discriminator step (None before the first one)."""
        if self._d_logits is not None:  # computed from that step's logits on first read
            self._d_loss = self.loss.value(self._d_logits, self._d_targets, self._scale)
            self._d_logits = None
        return self._d_loss

    @d_loss.setter
    def d_loss(self, value: float | None) -> None:
        self._d_loss = value
        self._d_logits = None

    @property
    def g_loss(self) -> float | None:
        """L_G of the most recent generator step (None before the first one)."""
        if self._g_logits is not None:
            self._g_loss = self.loss.generator_value(self._g_logits, self._scale)
            self._g_logits = None
        return self._g_loss

    @g_loss.setter
    def g_loss(self, value: float | None) -> None:
        self._g_loss = value
        self._g_logits = None

    def train(self, iterations: int = 1) -> None:
        """Run ``iterations`` full iterations (``k_d`` D steps, then ``k_g`` G steps each).

        At every multiple of ``CHECK_EVERY`` iterations and at the end, losses and
        weights are checked; if any is NaN or infinite the lab is restored to the
        last good check and :class:`GanDiverged` is raised. A check that passes
        takes the snapshot of :attr:`history` when one is due.
        """
        n = check_int("iterations", iterations, 0, None)
        self._version += 1
        k_d, k_g = self.config.k_d, self.config.k_g
        if not self.history:
            self.history.record(self)  # the state training starts from
        with np.errstate(all="ignore"):
            while n > 0:
                chunk = min(n, CHECK_EVERY - self.iteration % CHECK_EVERY)
                for _ in range(chunk):
                    for _ in range(k_d):
                        self.discriminator_step()
                    for _ in range(k_g):
                        self.generator_step()
                self.iteration += chunk
                self.d_steps += chunk * k_d
                self.g_steps += chunk * k_g
                self._check()
                if self.history.due(self.iteration):
                    self.history.record(self)
                n -= chunk

    def seek(self, iteration: int) -> None:
        """Go back (or forward) to the snapshot of ``iteration`` in :attr:`history`:
        training on from there repeats the run that made it. ValueError if there is none."""
        self.history.seek(self, iteration)

    def step(self, which: str = "both") -> None:
        """One discriminator update (``"d"``), one generator update (``"g"``),
        or one full iteration (``"both"``, the same as ``train(1)``).

        Only full iterations advance ``iteration``; ``d_steps``/``g_steps``
        count single updates.
        """
        if which == "both":
            self.train(1)
            return
        if which not in ("d", "g"):
            raise ValueError(f"step() takes 'd', 'g' or 'both', got {which!r}")
        self._version += 1
        with np.errstate(all="ignore"):
            if which == "d":
                self.discriminator_step()
                self.d_steps += 1
            else:
                self.generator_step()
                self.g_steps += 1
            self._check()

    def stages(self, which: str) -> Iterator[tuple[str, str, dict]]:
        """ONE discriminator (``"d"``) or generator (``"g"``) update, stage by stage.

        A generator of ``(name, explanation, arrays)`` for the slow-motion
        view (see :mod:`glasslab.gan.stages`). Stage names: ``sample``,
        ``classify``, ``loss``, ``gradients``, ``update``; each does its real
        part of the step, and running them all changes the lab exactly as
        ``step(which)`` does. The networks only change at ``update``, the last
        stage; abandoning the generator earlier leaves them as they were. Point
        arrays in ``arrays`` are (n, 2) copies. Changing settings or training in
        between stages makes the next stage raise RuntimeError.
        """
        if which == "d":
            return stages.discriminator_stages(self)
        if which == "g":
            return stages.generator_stages(self)
        raise ValueError(f"stages() takes 'd' or 'g', got {which!r}")

    # -------------------------------------------------------------- divergence guard

    def _save_good(self) -> None:
        self._good = guard.Checkpoint(self)

    def _check(self) -> None:
        """Keep this state as the last good one, or restore that and raise GanDiverged."""
        self._good = guard.check(self, self._good)

    # -------------------------------------------------------------- JSON (glasslab.gan.model_json)

    def to_dict(self) -> dict:
        """The model as a JSON-ready dict (see :meth:`to_json`)."""
        return model_json.lab_to_dict(self)

    def to_json(self) -> str:
        """Config, weights and counters as JSON text (the preset format, see
        :mod:`glasslab.gan.model_json`); optimiser moments and stream positions are not saved."""
        return model_json.lab_to_json(self)

    @classmethod
    def from_json(cls, text: str | bytes) -> GanLab:
        """A lab from :meth:`to_json` text. Anything malformed raises ValueError."""
        return model_json.lab_from_json(cls, text)

    @classmethod
    def from_dict(cls, data: dict) -> GanLab:
        """A lab from :meth:`to_dict` output (validated; ValueError if malformed)."""
        return model_json.lab_from_dict(cls, data)
