"""Live Python: the code a page runs, shown, stepped through and rewritten by the student.

* ``code`` - :class:`Editable`: one function of a running module or class, its source,
  compiling an edited version (syntax and signature checked) and putting it in place;
* ``guard`` - :class:`Guard`: stops a student's function that runs longer than a limit;
* ``trace`` - :func:`trace_call`: run a function line by line, recording each line and
  the local variables (shapes and a few values) for the slow-motion walk-through;
* ``exercises`` - exercises that check themselves against a reference on random inputs.

Pure Python and NumPy: the pages wire it up in ``glasslab.web``.
"""
