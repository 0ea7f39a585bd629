"""Editable functions: the source a page shows, and compiling a student's version of it.

An :class:`Editable` names one function of a running module or class (for example
``GanLab.discriminator_step``). Its :meth:`~Editable.source` is read from the running
module, so the page shows exactly the code that runs. :meth:`~Editable.compile` turns
an edited source into a function, refusing it with a :class:`CodeError` that names the
line when

* it is not valid Python (``SyntaxError``),
* it is not exactly one ``def`` of the same name (no decorators, nothing else at the
  top level: nothing but the definition runs when it is compiled),
* its parameters differ from the original's (names, order, kinds).

The edited function is defined in a copy of the original's module namespace, so it
sees the same global names (``np``, helpers) without changing the module.
:meth:`~Editable.install` puts a compiled function in the original's place (on the
class or module that holds it); :meth:`~Editable.restore` puts the original back.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import sys
import textwrap
import types
from collections.abc import Callable

MAX_SOURCE_CHARS = 20_000  # an editable function is a screenful, not a program


class CodeError(ValueError):
    """A refused or failing edit: ``message`` and the 1-based ``line`` of the source
    it concerns (``None`` when no line is to blame)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def to_dict(self) -> dict:
        return {"ok": False, "error": self.message, "line": self.line}


def edited_filename(name: str) -> str:
    """The file name an edited function's code carries (tracebacks and the guard use it)."""
    return f"<edited {name}>"


def _parameters(fn: Callable) -> list[tuple[str, str]]:
    return [(p.name, p.kind.name) for p in inspect.signature(fn).parameters.values()]


def _describe(params: list[tuple[str, str]]) -> str:
    return "(" + ", ".join(name for name, _ in params) + ")"


def compile_function(
    source: str,
    name: str,
    namespace: dict,
    parameters: list[tuple[str, str]] | None = None,
    filename: str | None = None,
) -> types.FunctionType:
    """Compile ``source``, which must be exactly one ``def name(...)``, in a copy of
    ``namespace``; check its parameters against ``parameters`` ((name, kind) pairs as
    from :func:`inspect.signature`) when given. Raises :class:`CodeError`."""
    if not isinstance(source, str):
        raise CodeError("the code must be text")
    if len(source) > MAX_SOURCE_CHARS:
        raise CodeError(f"the code is longer than {MAX_SOURCE_CHARS:,} characters")
    filename = filename or edited_filename(name)
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        raise CodeError(f"SyntaxError: {exc.msg}", exc.lineno) from None
    defs = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    others = [node for node in tree.body if not isinstance(node, ast.FunctionDef)]
    if others:
        raise CodeError(
            f"only the definition of {name}() may stand at the top level", others[0].lineno
        )
    if len(defs) != 1 or defs[0].name != name:
        line = defs[1].lineno if len(defs) > 1 else (defs[0].lineno if defs else 1)
        raise CodeError(f"the code must define exactly one function, {name}()", line)
    definition = defs[0]
    if definition.decorator_list:
        raise CodeError("decorators are not allowed here", definition.decorator_list[0].lineno)
    scope = dict(namespace)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        exec(compile(tree, filename, "exec"), scope)  # defines the function, runs nothing else
    except Exception as exc:  # a default value or annotation that fails
        raise CodeError(f"{type(exc).__name__}: {exc}", definition.lineno) from None
    fn = scope[name]
    if parameters is not None and _parameters(fn) != parameters:
        raise CodeError(
            f"{name} must take the parameters {_describe(parameters)}, "
            f"not {_describe(_parameters(fn))}",
            definition.lineno,
        )
    return fn


def error_line(exc: BaseException, filename: str) -> int | None:
    """The line of ``filename`` (an edited function's) where ``exc`` was raised, or
    ``None`` when the traceback does not pass through it."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class Editable:
    """One function of a running module or class that a student may read and rewrite.

    ``owner`` is the module or class whose attribute ``attr`` holds the function;
    ``name`` the public name the page uses (``attr`` by default). ``tables`` are
    ``(dict, key)`` pairs of lookup tables that hold the same function (a table of
    kernels by layer kind): installing and restoring update them too. A
    ``staticmethod`` stays one.
    """

    def __init__(self, owner, attr: str, name: str | None = None, tables=()) -> None:
        self.owner = owner
        self.attr = attr
        self.name = name or attr
        self.tables = list(tables)
        self.static = isinstance(inspect.getattr_static(owner, attr), staticmethod)
        self.original = inspect.unwrap(getattr(owner, attr))
        if not isinstance(self.original, types.FunctionType):
            raise TypeError(f"{self.name} is not a Python function")
        self.parameters = _parameters(self.original)
        self.filename = edited_filename(self.name)
        self.edited_source: str | None = None

    @property
    def module_namespace(self) -> dict:
        return sys.modules[self.original.__module__].__dict__

    def original_source(self) -> str:
        """The running module's source of the original, dedented (a method's too); a
        static method's ``@staticmethod`` line is left out (it stays one when edited)."""
        source = textwrap.dedent(inspect.getsource(self.original))
        if self.static and source.startswith("@staticmethod\n"):
            source = source[len("@staticmethod\n") :]
        return source

    def source(self) -> str:
        """What runs now: the edited source if one is installed, else the original's."""
        return self.edited_source if self.edited_source is not None else self.original_source()

    @property
    def edited(self) -> bool:
        return self.edited_source is not None

    def compile(self, source: str) -> types.FunctionType:
        """The edited function, or :class:`CodeError`; nothing is put in place."""
        return compile_function(
            source, self.attr, self.module_namespace, self.parameters, self.filename
        )

    def install(self, fn: Callable, source: str) -> None:
        """Run ``fn`` (compiled from ``source``, or a wrapper of it) in the original's
        place from now on."""
        self._put(fn)
        self.edited_source = source

    def restore(self) -> None:
        """Put the original back."""
        self._put(self.original)
        self.edited_source = None

    def _put(self, fn: Callable) -> None:
        setattr(self.owner, self.attr, staticmethod(fn) if self.static else fn)
        for table, key in self.tables:
            table[key] = fn

    def first_line(self) -> int:
        """The line number, in its file, of the first line of what runs now."""
        fn = getattr(self.owner, self.attr)
        return inspect.unwrap(fn).__code__.co_firstlineno
