"""Each page's Python imports only its own engine at start (the browser layer run on
CPython with the browser's modules stubbed), and the wheel carries the bytecode of
every module for the browser's Python, so the page compiles nothing at start."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import pytest

from export import wheel
from tests.conftest import ROOT

PROBE = """
import importlib, json, sys
from unittest import mock
for name in ("js", "pyodide_js", "pyodide", "pyodide.ffi", "pyodide.http"):
    sys.modules[name] = mock.MagicMock()
importlib.import_module(f"glasslab.web.{sys.argv[1]}_page")
print(json.dumps(sorted(m for m in sys.modules if m.startswith("glasslab"))))
"""


def imported_by(page: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, page],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    ("page", "needs", "not_imported"),
    [
        ("index", "glasslab.preview", ("glasslab.gan", "glasslab.cnn", "glasslab.live")),
        ("gan", "glasslab.gan.lab", ("glasslab.cnn",)),
        ("cnn", "glasslab.cnn.model", ("glasslab.gan",)),
    ],
)
def test_a_page_imports_only_its_own_engine(page, needs, not_imported):
    modules = imported_by(page)
    assert needs in modules
    assert [m for m in modules if m.startswith(not_imported)] == []


def test_the_wheel_has_unchecked_bytecode_of_every_module():
    _, data, _ = wheel.build_wheel()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        sources = [n for n in names if n.endswith(".py")]
        headers = {}
        for source in sources:
            folder, name = source.rsplit("/", 1)
            pyc = f"{folder}/__pycache__/{name[:-3]}.cpython-312.pyc"
            assert pyc in names, pyc
            headers[pyc] = archive.read(pyc)[:8]
    assert len(set(h[:4] for h in headers.values())) == 1  # one Python's magic number
    # PEP 552 flags: hash-based (bit 0), source not checked (bit 1 clear)
    assert {int.from_bytes(h[4:8], "little") for h in headers.values()} == {1}
