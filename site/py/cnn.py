# CNN explainer entry point: all logic lives in the glasslab wheel (glasslab.web).
# The marks time the start-up for bench/run.py: Python running (Pyodide, NumPy and the
# wheel loaded), NumPy imported; glasslab.web.boot marks the page's import and main().
import js

js.performance.mark("glasslab:python")
try:
    import numpy  # noqa: F401 (imported here only to time it apart from the page's modules)

    js.performance.mark("glasslab:numpy")
    from glasslab.web.boot import start
except Exception as exc:  # the wheel or NumPy did not load
    js.window.glasslab._fail(f"Python started, but Glasslab could not load: {exc}")
else:
    start("cnn")
