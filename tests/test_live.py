"""Live Python engine: compiling edited functions, signature checks, the guard, the line
trace and the self-checking exercises (glasslab.live)."""

from __future__ import annotations

import sys
import time
import types

import numpy as np
import pytest
from glasslab.live import exercises
from glasslab.live.code import CodeError, Editable, compile_function, error_line
from glasslab.live.guard import CodeTimeout, Guard, guarded
from glasslab.live.trace import summarise, trace_call


class Counter:
    def __init__(self):
        self.n = 0

    def bump(self, by):
        """Add ``by``."""
        total = self.n + by
        self.n = total
        return total


def test_editable_reads_the_running_source_and_restores():
    editable = Editable(Counter, "bump")
    source = editable.original_source()
    assert source.startswith("def bump(self, by):") and "total = self.n + by" in source
    fn = editable.compile(source.replace("self.n + by", "self.n + 2 * by"))
    editable.install(fn, "edited")
    c = Counter()
    assert c.bump(3) == 6 and editable.edited and editable.source() == "edited"
    editable.restore()
    assert Counter().bump(3) == 3 and not editable.edited
    assert Counter.bump is editable.original


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("def bump(self, by):\n    return (\n", 2, "SyntaxError"),
        ("def bump(self):\n    return 1\n", 1, "parameters (self, by)"),
        ("def bump(self, by, extra=1):\n    return 1\n", 1, "parameters"),
        ("def other(self, by):\n    return 1\n", 1, "exactly one function"),
        ("import os\ndef bump(self, by):\n    return 1\n", 1, "top level"),
        ("def bump(self, by):\n    return 1\nprint('x')\n", 3, "top level"),
        ("@staticmethod\ndef bump(self, by):\n    return 1\n", 1, "decorators"),
        ("def bump(self, by=1 / 0):\n    return 1\n", 1, "ZeroDivisionError"),
    ],
)
def test_refused_edits_name_their_line_and_change_nothing(source, line, words):
    editable = Editable(Counter, "bump")
    with pytest.raises(CodeError) as info:
        editable.compile(source)
    assert info.value.line == line and words in info.value.message
    assert info.value.to_dict() == {"ok": False, "error": info.value.message, "line": line}
    assert Counter.bump is editable.original


def test_nothing_but_the_definition_runs_when_compiling():
    ran = []
    source = "def f(x):\n    ran.append(1)\n    return x\n"
    compile_function(source, "f", {"ran": ran}, [("x", "POSITIONAL_OR_KEYWORD")])
    assert ran == []


def test_compiled_function_sees_module_globals_without_changing_them():
    namespace = {"np": np, "SCALE": 3}
    fn = compile_function("def f(x):\n    return SCALE * np.ones(2) * x\n", "f", namespace)
    assert fn(2).tolist() == [6.0, 6.0] and "f" not in namespace


def test_error_line_points_into_the_edited_source():
    fn = compile_function("def f(x):\n    y = x + 1\n    return y / 0\n", "f", {}, filename="<e f>")
    with pytest.raises(ZeroDivisionError) as info:
        fn(1)
    assert error_line(info.value, "<e f>") == 3
    assert error_line(info.value, "<other>") is None


def test_guard_stops_an_endless_loop_within_the_limit_and_untraces():
    loops = {"    while True: pass\n": {2}, "    while True:\n        x += 1\n": {2, 3}}
    for body, lines in loops.items():
        fn = compile_function("def f(x):\n" + body, "f", {}, filename="<loop>")
        started = time.perf_counter()
        with pytest.raises(CodeTimeout) as info, Guard({"<loop>"}, 0.3):
            fn(0)
        assert time.perf_counter() - started < 2.0
        assert info.value.line in lines  # a line of the loop
        assert sys.gettrace() is None


def test_guard_leaves_other_code_alone_and_passes_results():
    fn = compile_function("def f(x):\n    return sum(range(x))\n", "f", {}, filename="<ok>")
    wrapped = guarded(fn, "<ok>", 0.5)
    assert wrapped(10) == 45 and wrapped.__wrapped_edit__ is fn
    with Guard({"<ok>"}, 0.05):
        time.sleep(0.1)  # not the student's frame: never stopped
    assert sys.gettrace() is None


def test_guard_restores_a_tracer_set_before():
    seen = []

    def outer(frame, event, arg):
        seen.append(event)
        return None

    sys.settrace(outer)
    try:
        with Guard({"<none>"}, 1.0):
            types.SimpleNamespace()
        assert sys.gettrace() is outer
    finally:
        sys.settrace(None)


def test_trace_records_each_line_with_locals():
    def step(x):
        y = x * 2
        z = y + 1
        return z

    result, steps = trace_call(step, np.arange(3.0))
    assert result.tolist() == [1.0, 3.0, 5.0]
    assert [s.line for s in steps] == [2, 3, 4, 4]
    assert [s.event for s in steps] == ["line", "line", "line", "return"]
    assert "y" not in steps[0].locals and steps[1].locals["y"]["shape"] == [3]
    assert steps[-1].locals["z"]["values"] == [1.0, 3.0, 5.0]
    assert steps[-1].arrays["z"].tolist() == [1.0, 3.0, 5.0]
    assert steps[1].to_dict()["line"] == 3
    assert sys.gettrace() is None


def test_trace_of_a_failing_call_keeps_the_steps():
    def bad(x):
        y = x + 1
        raise ValueError(y)

    with pytest.raises(ValueError) as info:
        trace_call(bad, 1)
    assert [s.line for s in info.value.trace_steps][:2] == [2, 3]


def test_summarise():
    assert summarise(np.zeros((2, 3)))["shape"] == [2, 3]
    assert summarise(np.array([np.nan]))["values"] == ["nan"]
    assert summarise(2.5) == {"type": "number", "value": 2.5}
    assert summarise(True) == {"type": "bool", "value": True}
    assert summarise(object()) == {"type": "object"}


@pytest.mark.parametrize("exercise_id", list(exercises.EXERCISES))
def test_each_exercise_passes_its_solution_and_fails_its_starter(exercise_id):
    exercise = exercises.get(exercise_id)
    for seed in (0, 1, 2):
        assert exercises.check(exercise_id, exercise.solution, seed=seed) == {
            "passed": True,
            "trials": exercises.TRIALS,
        }
    assert not exercises.check(exercise_id, exercise.starter, seed=0)["passed"]


def test_exercise_reports_the_first_differing_value():
    result = exercises.check("relu", "def relu(x):\n    return np.maximum(x, 0) + 1e-3\n", seed=2)
    assert result["reason"] == "value" and result["got"] == pytest.approx(1e-3)
    assert result["expected"] == 0.0 and result["position"] == [0, 0]


def test_exercise_guard_and_refusals():
    loop = exercises.check("relu", "def relu(x):\n    while True:\n        pass\n", seconds=0.2)
    assert loop["reason"] == "code" and loop["line"] in (2, 3)
    assert exercises.check("relu", "def relu(x, y):\n    return x\n")["line"] == 1
    shape = exercises.check("relu", "def relu(x):\n    return x[0]\n")
    assert shape["reason"] == "shape"
    with pytest.raises(KeyError):
        exercises.get("nope")
    assert exercises.for_page("gan") and exercises.for_page("cnn")
    assert len(exercises.for_page("gan")) >= 3 and len(exercises.for_page("cnn")) >= 3


def test_the_line_trace_sees_a_guarded_function():
    fn = compile_function("def f(x):\n    y = x + 1\n    return y * 2\n", "f", {}, filename="<g f>")
    wrapped = guarded(fn, "<g f>", 1.0)
    result, steps = trace_call(wrapped, 3, code=fn.__code__)
    assert result == 8
    assert [s.line for s in steps if s.event == "line"] == [2, 3]
    assert steps[-1].locals["y"] == {"type": "number", "value": 4.0}
    assert sys.gettrace() is None
