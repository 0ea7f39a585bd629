"""Landing page: prove the runtime works by painting a NumPy-computed image."""

from __future__ import annotations

import sys

import js
import numpy as np

import glasslab
from glasslab import preview
from glasslab.web import bridge


def main() -> None:
    canvas = bridge.element("hero-canvas")
    image = bridge.CanvasImage(canvas)
    image.paint(preview.density_image(image.width, image.height))
    python = sys.version.split()[0]
    bridge.set_text(
        "runtime-status",
        f"Running Python {python}, NumPy {np.__version__} and Glasslab {glasslab.__version__} "
        "in this page.",
    )

    def state() -> dict:
        return {
            "page": "index",
            "ready": True,
            "python": python,
            "numpy": np.__version__,
            "glasslab": glasslab.__version__,
            "canvas": {"id": "hero-canvas", "width": image.width, "height": image.height},
            "ready_ms": js.window.glasslab.readyMs,
        }

    bridge.expose("state", state)
    bridge.mark_ready()
