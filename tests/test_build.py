"""The build: pinned artifacts, integrity errors, reproducible output, package boundaries."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile

import pytest

from export import runtime, wheel
from export.fetch import ArtifactError, fetch, sha256_bytes
from tests.conftest import ROOT

NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"


def test_fetch_verifies_a_mirrored_file(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.bin").write_bytes(b"hello")
    data = fetch("https://example.invalid/a.bin", sha256_bytes(b"hello"), "pkg/a.bin", tmp_path)
    assert data == b"hello"


def test_fetch_refuses_a_changed_file_and_names_it(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / NUMPY_WHEEL).write_bytes(b"not the real wheel")
    with pytest.raises(ArtifactError) as info:
        fetch(f"https://example.invalid/{NUMPY_WHEEL}", "0" * 64, f"pkg/{NUMPY_WHEEL}", tmp_path)
    assert NUMPY_WHEEL in str(info.value) and "sha256 mismatch" in str(info.value)


def test_runtime_refuses_a_changed_npm_file(tmp_path, monkeypatch):
    fake = tmp_path / "node_modules"
    (fake / "pyodide").mkdir(parents=True)
    (fake / "pyodide" / "pyodide.mjs").write_text("// tampered")
    monkeypatch.setattr(runtime, "NODE_MODULES", fake)
    with pytest.raises(ArtifactError, match="pyodide/pyodide.mjs"):
        runtime.read_pinned("pyodide/pyodide.mjs", runtime.load_pins())


def test_every_shipped_npm_file_is_pinned():
    pins = runtime.load_pins()
    for src in runtime._all_npm_sources():
        assert src in pins, src
        assert len(pins[src]) == 64


def test_wheel_is_reproducible_and_complete():
    name1, data1, version = wheel.build_wheel()
    name2, data2, _ = wheel.build_wheel()
    assert name1 == name2 == f"glasslab-{version}-py3-none-any.whl"
    assert data1 == data2
    with zipfile.ZipFile(__import__("io").BytesIO(data1)) as archive:
        names = archive.namelist()
        record = archive.read(f"glasslab-{version}.dist-info/RECORD").decode()
    assert "glasslab/__init__.py" in names and "glasslab/web/bridge.py" in names
    assert all(n in record for n in names if not n.endswith("RECORD"))


def test_built_site_is_reproducible_and_lock_lists_only_shipped(tmp_path, mirror, download_cache):
    from export.build import build

    first = build(tmp_path / "a", mirror=mirror, cache=download_cache)
    second = build(tmp_path / "b", mirror=mirror, cache=download_cache)
    assert first == second
    for rel in first["files"]:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    lock = json.loads((tmp_path / "a" / "vendor/pyodide/pyodide-lock.json").read_text())
    assert sorted(lock["packages"]) == ["glasslab", "numpy"]
    for entry in lock["packages"].values():
        shipped = tmp_path / "a" / "vendor/pyodide" / entry["file_name"]
        assert sha256_bytes(shipped.read_bytes()) == entry["sha256"]
    for required in ("index.html", "gan.html", "cnn.html", "tinyvgg.onnx", "tinyvgg.json"):
        assert required in first["files"], required


CORE_FORBIDDEN = {"js", "pyodide", "pyscript"}


def test_only_the_web_layer_touches_the_browser():
    package = ROOT / "py" / "glasslab"
    for path in package.rglob("*.py"):
        rel = path.relative_to(package)
        tree = ast.parse(path.read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
        if rel.parts[0] != "web":
            assert not imported & CORE_FORBIDDEN, f"{rel} imports {imported & CORE_FORBIDDEN}"
            allowed = set(sys.stdlib_module_names) | {"numpy", "glasslab", "PIL"}
            if rel.name == "cli.py" and len(rel.parts) == 1:
                allowed.add("export")  # `glasslab build` runs the build code of a checkout
            assert imported <= allowed, f"{rel} imports {imported - allowed}"


def test_cli_help_lists_the_subcommands():
    out = subprocess.run(
        [sys.executable, "-m", "glasslab", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("build", "serve", "gan", "cnn"):
        assert command in out
