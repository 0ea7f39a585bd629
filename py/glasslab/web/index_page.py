"""Landing page: prove the runtime works by painting a NumPy-computed image."""

from __future__ import annotations

import sys

import js
import numpy as np

import glasslab
from glasslab import preview
from glasslab.web import bridge
from glasslab.web.i18n import on_change, t


def main() -> None:
    view = js.window.glasslabIndexView
    canvas = view.canvas()
    image = bridge.CanvasImage(canvas)
    image.paint(preview.density_image(image.width, image.height))
    versions = {"python": sys.version.split()[0], "numpy": np.__version__}
    versions["glasslab"] = glasslab.__version__

    def show_status() -> None:
        view.showStatus(t("index.status.running", **versions))

    show_status()
    on_change(show_status)

    def state() -> dict:
        return {
            "page": "index",
            "ready": True,
            **versions,
            "canvas": {"id": str(canvas.id), "width": image.width, "height": image.height},
            "ready_ms": js.window.glasslab.readyMs,
        }

    bridge.expose("state", state)
    bridge.mark_ready()
