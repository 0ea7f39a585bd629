"""The browser layer: the only code that imports ``js``, ``pyodide`` or ``pyscript``.

Each page has a module ``<page>_page`` with a ``main()``; ``boot.start`` runs it
and reports failures on the page. ``bridge`` holds the small helpers for the
``window.glasslab`` handle and for moving NumPy arrays to canvases in bulk.
"""
