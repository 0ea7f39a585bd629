"""Colour scales: arrays of values to RGBA ``uint8`` pixels, in plain NumPy.

A :class:`ColourScale` is a list of control points (position in [0, 1], RGB colour),
linearly interpolated in RGB. The scales (control points: the 9- and 11-class
ColorBrewer schemes RdBu, BrBG and Oranges by Cynthia Brewer, Apache-2.0):

* :data:`RED_BLUE` - diverging, for activations: negative red, 0 white-ish,
  positive blue (CNN Explainer's colouring);
* :data:`BROWN_GREEN` - diverging, for weights: negative brown, positive blue-green;
* :data:`ORANGES` - sequential, for logits and probabilities: low light, high dark;
* :data:`PURPLE_GREEN` - for the GAN discriminator's output ``D(x)`` in [0, 1]:
  0 (judged fake) purple, 0.5 neutral, 1 (judged real) green, GAN Lab's colours
  (with :data:`FAKE_PURPLE` and :data:`REAL_GREEN`, the colours of fake and real samples).

Mapping: a diverging scale shows ``[-limit, +limit]`` (0 at the middle colour), a
sequential one ``[vmin, vmax]``. Values outside the range take the end colours;
NaN is fully transparent; an empty range (``limit == 0`` or ``vmin == vmax``) maps
every value to the scale's middle. The range is chosen by the caller, per unit
(one channel), per module (a group of layers) or globally; :func:`abs_max`
and :func:`unit_limits` compute those from activations; :func:`map_values` maps.
:func:`legend_ticks` returns tick values with the colours that the same mapping gives
them, so a legend always matches the picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "ColourScale",
    "RED_BLUE",
    "BROWN_GREEN",
    "ORANGES",
    "PURPLE_GREEN",
    "FAKE_PURPLE",
    "REAL_GREEN",
    "SCALES",
    "to_unit",
    "map_values",
    "abs_max",
    "unit_limits",
    "legend_ticks",
    "hex_colour",
]


@dataclass(frozen=True)
class ColourScale:
    """Control points ``positions`` (increasing, 0..1) with ``colours`` (RGB 0..255)."""

    name: str
    positions: tuple[float, ...]
    colours: tuple[tuple[int, int, int], ...]
    diverging: bool = False

    def rgba(self, t, alpha: int = 255) -> np.ndarray:
        """Colours of positions ``t`` in [0, 1] (clipped) as ``uint8`` ``(..., 4)``;
        NaN gives a transparent pixel."""
        t = np.asarray(t, dtype=np.float64)
        nan = np.isnan(t)
        t = np.clip(np.where(nan, 0.5, t), 0.0, 1.0)
        pos = np.asarray(self.positions, dtype=np.float64)
        cols = np.asarray(self.colours, dtype=np.float64)
        out = np.empty(t.shape + (4,), np.uint8)
        for ch in range(3):
            out[..., ch] = np.rint(np.interp(t, pos, cols[:, ch])).astype(np.uint8)
        out[..., 3] = np.where(nan, 0, int(alpha))
        return out


def _hex(codes: str) -> tuple[tuple[int, int, int], ...]:
    return tuple((int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)) for c in codes.split())


def _even(n: int) -> tuple[float, ...]:
    return tuple(i / (n - 1) for i in range(n))


RED_BLUE = ColourScale(
    "red-blue",
    _even(11),
    _hex("67001f b2182b d6604d f4a582 fddbc7 f7f7f7 d1e5f0 92c5de 4393c3 2166ac 053061"),
    diverging=True,
)
BROWN_GREEN = ColourScale(
    "brown-green",
    _even(11),
    _hex("543005 8c510a bf812d dfc27d f6e8c3 f5f5f5 c7eae5 80cdc1 35978f 01665e 003c30"),
    diverging=True,
)
ORANGES = ColourScale(
    "oranges",
    _even(9),
    _hex("fff5eb fee6ce fdd0a2 fdae6b fd8d3c f16913 d94801 a63603 7f2704"),
)
# The GAN lab's purple/green, defined here once: the sample colours (the CSS custom
# properties --accent and --real of site/css/glasslab.css are the same) and GAN Lab's
# light heatmap scale from purple (D(x) = 0, judged fake) to green (1, judged real).
FAKE_PURPLE = (0x5B, 0x3E, 0xA6)
REAL_GREEN = (0x1B, 0x8A, 0x5A)
PURPLE_GREEN = ColourScale(
    "purple-green",
    (0.0, 0.5, 1.0),
    _hex("8e7cc3 f7f7f7 5fb98e"),
)

SCALES = {s.name: s for s in (RED_BLUE, BROWN_GREEN, ORANGES, PURPLE_GREEN)}
# What each kind of value is drawn with.
SCALES.update(
    activation=RED_BLUE,
    weight=BROWN_GREEN,
    logit=ORANGES,
    probability=ORANGES,
    discriminator=PURPLE_GREEN,
)


def to_unit(values, vmin: float, vmax: float) -> np.ndarray:
    """Values to positions in [0, 1] (``vmin`` -> 0, ``vmax`` -> 1; clipped)."""
    v = np.asarray(values, dtype=np.float64)
    vmin, vmax = float(vmin), float(vmax)
    if not vmax > vmin:
        return np.where(np.isnan(v), np.nan, 0.5)
    return np.clip((v - vmin) / (vmax - vmin), 0.0, 1.0)


def map_values(
    values, scale: ColourScale, vmin: float, vmax: float, alpha: int = 255
) -> np.ndarray:
    """RGBA ``uint8`` ``values.shape + (4,)`` for ``values`` shown on ``[vmin, vmax]``."""
    return scale.rgba(to_unit(values, vmin, vmax), alpha)


_FLOAT_BITS = {
    np.dtype(np.float32): (np.int32, 0x7FFFFFFF, 0x7F800000),
    np.dtype(np.float64): (np.int64, 0x7FFFFFFFFFFFFFFF, 0x7FF0000000000000),
}


def _abs_max(a: np.ndarray, axis) -> np.ndarray:
    """Max of |a| over ``axis`` ignoring NaN and infinities (0 if none), as float64.

    For float32/float64 this works on the bit patterns: clearing the sign bit gives
    |a|, non-negative floats order like their integer bits, and every bit pattern at
    or above that of +inf is inf or NaN. Exact, and much faster than float
    comparisons in WebAssembly builds of NumPy.
    """
    a = np.asarray(a)
    if a.size == 0:
        shape = () if axis is None else np.max(np.zeros(a.shape), axis=axis, initial=0).shape
        return np.zeros(shape)
    spec = _FLOAT_BITS.get(a.dtype)
    if spec is None:
        a = np.abs(a.astype(np.float64))
        return np.where(np.isfinite(a), a, 0.0).max(axis=axis, initial=0.0)
    itype, mask, inf = spec
    bits = np.ascontiguousarray(a).view(itype) & itype(mask)
    top = bits.max(axis=axis)
    if np.any(top >= inf):
        bits = np.where(bits >= inf, itype(0), bits)
        top = bits.max(axis=axis)
    return np.asarray(top).view(a.dtype).astype(np.float64)


def abs_max(*arrays, axis=None) -> float | np.ndarray:
    """Largest absolute finite value over the arrays (0.0 if none): the symmetric
    limit of a diverging scale. With ``axis``, one limit per remaining index (one
    array only)."""
    if axis is not None:
        if len(arrays) != 1:
            raise ValueError("abs_max with axis takes one array")
        return _abs_max(arrays[0], axis)
    return max((float(_abs_max(a, None)) for a in arrays), default=0.0)


def unit_limits(act) -> np.ndarray:
    """Per-unit (per-channel) symmetric limits of an ``(H, W, C)`` activation: ``(C,)``.
    A vector gives one limit per element."""
    act = np.asarray(act)
    if act.ndim == 1:
        return _abs_max(act[:, None], 1)
    if act.ndim == 3:  # per channel, from channel-major data when possible
        return _abs_max(act.transpose(2, 0, 1).reshape(act.shape[2], -1), 1)
    return _abs_max(act, tuple(range(act.ndim - 1)))


def hex_colour(rgba) -> str:
    r, g, b = (int(v) for v in rgba[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def legend_ticks(scale: ColourScale, vmin: float, vmax: float, count: int = 5) -> list[dict]:
    """``count`` evenly spaced ticks from ``vmin`` to ``vmax``, each
    ``{"value", "position", "rgba", "hex"}``, coloured by :func:`map_values` itself.
    For a diverging scale pass ``(-limit, limit)``; an odd ``count`` puts a tick at 0.
    An empty range gives one tick."""
    vmin, vmax = float(vmin), float(vmax)
    values = [vmin] if not vmax > vmin else list(np.linspace(vmin, vmax, max(2, int(count))))
    if scale.diverging and vmax > vmin and np.isclose(vmin, -vmax):
        values = [0.0 if abs(v) < 1e-12 * vmax else v for v in values]
    colours = map_values(np.asarray(values), scale, vmin, vmax)
    positions = to_unit(np.asarray(values), vmin, vmax)
    return [
        {
            "value": float(v),
            "position": float(p),
            "rgba": tuple(int(x) for x in c),
            "hex": hex_colour(c),
        }
        for v, p, c in zip(values, positions, colours, strict=True)
    ]
