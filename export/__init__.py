"""Build-time code of a source checkout, never shipped to the browser.

``build`` assembles the static site (``python -m glasslab build``, whose subcommand it
registers): ``shell`` puts each page of ``site/`` into the page shell, ``runtime`` the
pinned Pyodide, PyScript and ONNX Runtime files (``fetch`` checks every download's
sha256), ``wheel`` this package's wheel, ``tinyvgg`` CNN Explainer's TinyVGG as ONNX,
``icons`` the app icons, ``sw`` the service worker. ``pretrain_gan`` writes the GAN
presets. ``export`` imports ``glasslab``; ``glasslab`` imports ``export`` only to offer
``build`` when it is there.
"""
