"""The browser layer: the only code that imports ``js``, ``pyodide`` or ``pyscript``.

Wiring only, nothing a CPython test could check (that lives in ``glasslab.gan``,
``glasslab.cnn`` and ``glasslab.preview``). Each page has a module ``<page>_page``
with a ``main()`` that ``boot.start`` runs, reporting failures on the page; bigger
pages add modules by concern (``gan_frames``: the frame loop and typed-array writes;
``cnn_detail``, ``cnn_ort``: the detail views' glue and the ONNX Runtime check).
The views are JS modules (``site/js/``) that own their markup and events: Python asks
them for what it paints and hands them numbers and plain data. ``bridge`` holds the
plumbing: the ``window.glasslab`` handle, ``to_js`` (the one way plain data goes to
JS), URL parameters, user errors, the message line, canvases painted in one copy;
``i18n`` the translated texts.
"""
