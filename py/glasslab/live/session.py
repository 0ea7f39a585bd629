"""A page's live code, without the page: what the code and exercise panels do.

:class:`LiveSession` holds the page's :class:`~glasslab.live.code.Editable` functions and

* ``set_code(name, source)`` / ``set_many(code)``: compile first (every function, so a
  refused one changes nothing), then put the edited functions in place, each wrapped so
  that it runs under the time :class:`~glasslab.live.guard.Guard`; the originals run
  unwrapped, so the lab's speed with them is as without this module;
* a wrapped function that raises or is stopped by the guard undoes its call (``snapshot``:
  a callable of the call's arguments returning an undo callable, or None), takes itself
  out (the original runs again) and raises :class:`CodeFailed`, which names the function
  and the line of the student's source;
* code from a link (URL parameter :data:`LINK_PARAM`, :func:`encode_code`): kept
  ``"pending"``, never compiled, until :meth:`run_link_code` (the visitor's click); then
  ``"running"``; ``None`` without link code or once the visitor ran or restored their own;
* the open exercise and its check (:mod:`glasslab.live.exercises`).

Every answer is plain data: ``{"ok": True}`` or ``{"ok": False, "error", "line"}``.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Callable

from glasslab.live import exercises
from glasslab.live.code import CodeError, Editable, error_line
from glasslab.live.guard import DEFAULT_SECONDS, CodeTimeout, Guard

LINK_PARAM = "code"
EXERCISE_PARAM = "exercise"
MAX_LINK_CHARS = 40_000  # of the encoded parameter
CHANGES = ("setCode", "runLinkCode", "resetCode")  # the calls() that change what runs


class CodeFailed(RuntimeError):
    """An edited function raised (or was stopped by the guard) while the page ran it."""

    def __init__(self, name: str, line: int | None, error: str) -> None:
        super().__init__(f"{name}: {error}" + (f" (line {line})" if line else ""))
        self.name, self.line, self.error = name, line, error

    def to_dict(self) -> dict:
        return {"name": self.name, "line": self.line, "error": self.error}


def encode_code(code: dict[str, str]) -> str:
    """``{name: source}`` as a compact URL-safe text: base64url of zlib-compressed JSON."""
    raw = json.dumps(code, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def decode_code(text: str) -> dict[str, str]:
    """The inverse of :func:`encode_code`; ValueError if ``text`` is not such a value."""
    if not isinstance(text, str) or len(text) > MAX_LINK_CHARS:
        raise ValueError("the code in the link is too long")
    try:
        raw = zlib.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        code = json.loads(raw.decode())
    except (ValueError, zlib.error, UnicodeDecodeError):
        raise ValueError("the code in the link cannot be read") from None
    if not isinstance(code, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in code.items()
    ):
        raise ValueError("the code in the link is not {name: source}")
    return code


class LiveSession:
    def __init__(
        self,
        page: str,
        editables: list[Editable],
        visible: Callable[[], list[str]] | None = None,
        snapshot: Callable[[tuple], Callable[[], None] | None] | None = None,
        seconds: float = DEFAULT_SECONDS,
    ) -> None:
        self.page = page
        self.editables = {e.name: e for e in editables}
        self._visible = visible
        self.snapshot = snapshot
        self.seconds = seconds
        self.link_code: dict[str, str] | None = None
        self.link_state: str | None = None
        self.failure: dict | None = None  # the last CodeFailed, as plain data
        self.exercise_id: str | None = None
        self.link_problem: str | None = None

    # ------------------------------------------------------------ code

    def names(self) -> list[str]:
        """The editable functions the page shows now (e.g. the active loss's)."""
        return self._visible() if self._visible else list(self.editables)

    def code(self) -> dict[str, str]:
        """``{name: source}`` of what runs now, for every shown function."""
        return {name: self.editables[name].source() for name in self.names()}

    def edited(self) -> dict[str, str]:
        return {n: e.edited_source for n, e in self.editables.items() if e.edited}

    def set_code(self, name, source) -> dict:
        return self.set_many({name: source})

    def set_many(self, code: dict) -> dict:
        """Compile every function of ``code``, then install them all (or none)."""
        compiled = {}
        for name, source in code.items():
            editable = self.editables.get(name)
            if editable is None:
                return {"ok": False, "error": f"{name!r} is not an editable function", "line": None}
            try:
                compiled[name] = editable.compile(source)
            except CodeError as exc:
                return {**exc.to_dict(), "name": name}
        for name, fn in compiled.items():
            editable = self.editables[name]
            editable.install(self._wrap(editable, fn), code[name])
        if self.link_state == "pending":
            self.link_state = None
        self.failure = None
        return {"ok": True}

    def reset(self) -> None:
        """Every original back; link code no longer offered."""
        for editable in self.editables.values():
            editable.restore()
        if self.link_state == "running":
            self.link_state, self.link_code = None, None
        self.failure = None

    def rerun(self, after: Callable[[], object], failed: Callable[[CodeFailed], None]) -> dict:
        """Run the page again with the code now in place (``after``); if an edited
        function fails there, report it (``failed``), run again with the original
        and answer with the failure."""
        try:
            after()
        except CodeFailed as exc:
            failed(exc)
            after()
            return {"ok": False, **exc.to_dict()}
        return {"ok": True}

    def _wrap(self, editable: Editable, fn: Callable) -> Callable:
        session = self

        def run(*args, **kwargs):
            undo = session.snapshot(args) if session.snapshot else None
            try:
                with Guard({editable.filename}, session.seconds):
                    return fn(*args, **kwargs)
            except CodeFailed:
                if undo:
                    undo()
                raise
            except Exception as exc:
                if undo:
                    undo()
                if isinstance(exc, CodeTimeout):
                    line, error = exc.line, str(exc)
                else:
                    line, error = error_line(exc, editable.filename), f"{type(exc).__name__}: {exc}"
                failed = CodeFailed(editable.name, line, error)
                session.failure = failed.to_dict()
                editable.restore()  # the original runs until the student runs code again
                raise failed from None

        run.__wrapped_edit__ = fn
        return run

    # ------------------------------------------------------------ links

    def from_url(self, params: dict[str, str]) -> str | None:
        """Keep a link's code pending (nothing compiled); the problem with it, if any."""
        self.exercise_id = params.get(EXERCISE_PARAM) or None
        if self.exercise_id not in exercises.for_page(self.page):
            self.exercise_id = None
        text = params.get(LINK_PARAM)
        if not text:
            return None
        try:
            code = decode_code(text)
        except ValueError as exc:
            self.link_problem = str(exc)
            return self.link_problem
        code = {k: v for k, v in code.items() if k in self.editables}
        if code:
            self.link_code, self.link_state = code, "pending"
        return None

    def run_link_code(self) -> dict:
        """The visitor asked to run the link's code."""
        if self.link_state != "pending":
            return {"ok": False, "error": "there is no code from a link to run", "line": None}
        result = self.set_many(self.link_code)
        if result["ok"]:
            self.link_state = "running"
        else:
            self.link_state = "pending"
        return result

    def url(self, params: dict[str, str]) -> dict[str, str]:
        """``params`` with :data:`LINK_PARAM` carrying the edited code (kept while a
        link's code is pending, dropped without edits)."""
        out = dict(params)
        if self.link_state == "pending":
            return out
        edited = self.edited()
        if edited:
            out[LINK_PARAM] = encode_code(edited)
        else:
            out.pop(LINK_PARAM, None)
        return out

    def state(self) -> dict:
        """The live part of the page's ``state()``."""
        return {
            "code_from_link": self.link_state,
            "code_edited": sorted(self.edited()),
            "code_failure": self.failure,
            "exercise": self.exercise_id,
        }

    def setup(self) -> dict:
        """What the panels show at start: functions, link code, exercises."""
        return {
            "page": self.page,
            "code": self.code(),
            "link_code": self.link_code if self.link_state == "pending" else None,
            "exercises": self.exercises(),
            "exercise": self.exercise_id,
            "link_problem": self.link_problem,
        }

    def calls(self) -> dict:
        """What the panels (site/js/live/) call, by name; each answers plain data."""
        return {
            "code": self.code,
            "setCode": self.set_code,
            "runLinkCode": self.run_link_code,
            "resetCode": lambda: self.reset() or {"ok": True},
            "check": self.check,
            "openExercise": self.open_exercise,
            "setup": self.setup,
            "state": self.state,
        }

    # ------------------------------------------------------------ exercises

    def exercises(self) -> list[str]:
        return exercises.for_page(self.page)

    def open_exercise(self, exercise_id) -> dict:
        """The exercise's function name and starter code; KeyError if not this page's."""
        if exercise_id not in self.exercises():
            raise KeyError(f"unknown exercise {exercise_id!r}")
        self.exercise_id = exercise_id
        exercise = exercises.get(exercise_id)
        return {"id": exercise.id, "function": exercise.function, "starter": exercise.starter}

    def check(self, source, seed: int | None = None) -> dict:
        """Check ``source`` against the open exercise's reference (plain data)."""
        if self.exercise_id is None:
            return {"passed": False, "reason": "code", "detail": "no exercise is open"}
        return exercises.check(self.exercise_id, source, seed=seed, seconds=self.seconds)
