"""Glasslab: a GAN lab and a CNN explainer whose maths is plain NumPy.

The core (``glasslab.nn``, ``glasslab.gan``, ``glasslab.cnn``, colour and
layout helpers) imports only NumPy and the standard library, so the same code
runs on CPython and in the browser on Pyodide. ``glasslab.web`` is the only
part that talks to the browser.
"""

__version__ = "0.1.0"
