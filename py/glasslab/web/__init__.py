"""The browser layer, the only code that imports ``js``, ``pyodide`` or ``pyscript``: wiring
only (what a CPython test could check lives in the engine packages). Each page's
``<page>_page.main()`` is run by ``boot.start``; ``bridge`` holds the plumbing."""
