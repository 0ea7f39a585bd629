# CNN explainer entry point: all logic lives in the glasslab wheel (glasslab.web).
try:
    from glasslab.web.boot import start
except Exception as exc:  # the wheel or NumPy did not load
    import js

    js.window.glasslab._fail(f"Python started, but Glasslab could not load: {exc}")
else:
    start("cnn")
