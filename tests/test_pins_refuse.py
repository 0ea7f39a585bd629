"""A changed pinned npm file stops the whole build with an error naming the file, and the
previous site is left as it was."""

from __future__ import annotations

import pytest

from export import build as site_build
from export import runtime
from export.fetch import ArtifactError


def node_modules_with(tmp_path, tampered: str, change) -> object:
    """A node_modules tree linking every shipped npm file, with ``tampered`` a changed copy."""
    fake = tmp_path / "node_modules"
    for rel in runtime._all_npm_sources():
        src = runtime.NODE_MODULES / rel
        dst = fake / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if rel == tampered:
            dst.write_bytes(change(src.read_bytes()))
        else:
            dst.symlink_to(src)
    return fake


def flip_one_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


@pytest.mark.parametrize(
    "tampered, change",
    [
        ("pyodide/pyodide.asm.wasm", flip_one_byte),
        ("pyodide/python_stdlib.zip", lambda data: data[:-1]),  # truncated
        ("onnxruntime-web/dist/ort-wasm-simd-threaded.wasm", flip_one_byte),
        ("@pyscript/core/dist/core.js", lambda data: data + b"\nconsole.log('extra');\n"),
    ],
    ids=["pyodide-wasm", "stdlib-truncated", "ort-wasm", "pyscript-core"],
)
def test_changed_npm_file_stops_the_build(tmp_path, monkeypatch, mirror, tampered, change):
    fake = node_modules_with(tmp_path, tampered, change)
    monkeypatch.setattr(runtime, "NODE_MODULES", fake)
    out = tmp_path / "site"
    out.mkdir()
    (out / "previous.txt").write_text("the last good build")

    with pytest.raises(ArtifactError) as info:
        site_build.build(out, mirror=mirror, cache=tmp_path / "cache")

    message = str(info.value)
    assert tampered in message and "sha256 mismatch" in message
    assert (out / "previous.txt").read_text() == "the last good build"
    assert sorted(p.name for p in out.iterdir()) == ["previous.txt"]


def test_untouched_tree_passes_the_same_check(tmp_path, monkeypatch):
    """The linked tree itself is accepted, so the failures above come from the one change."""
    fake = node_modules_with(tmp_path, "", lambda data: data)
    monkeypatch.setattr(runtime, "NODE_MODULES", fake)
    pins = runtime.load_pins()
    for rel in runtime._all_npm_sources():
        assert runtime.read_pinned(rel, pins)


def test_cli_build_exits_with_the_file_named(tmp_path, monkeypatch, mirror, capsys):
    tampered = "pyodide/pyodide.mjs"
    fake = node_modules_with(tmp_path, tampered, lambda data: data.replace(b"Pyodide", b"Pyodidf"))
    monkeypatch.setattr(runtime, "NODE_MODULES", fake)
    args = ["build", "--out", str(tmp_path / "site"), "--cache", str(tmp_path / "cache")]
    if mirror is not None:
        args += ["--mirror", str(mirror)]
    from glasslab.cli import main

    assert main(args) == 1
    err = capsys.readouterr().err
    assert tampered in err and "sha256 mismatch" in err
    assert not (tmp_path / "site").exists()
