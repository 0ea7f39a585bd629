"""The local launcher serves the runtime with the MIME types browsers insist on."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

from glasslab.serve import make_server


def test_serves_wasm_and_mjs_with_correct_types(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title>")
    (tmp_path / "a.wasm").write_bytes(b"\0asm\1\0\0\0")
    (tmp_path / "b.mjs").write_text("export const x = 1;")
    server = make_server(tmp_path, port=0, verbose=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        for name, mime in (("a.wasm", "application/wasm"), ("b.mjs", "text/javascript")):
            with urllib.request.urlopen(base + name) as response:
                assert response.headers["Content-Type"] == mime
                assert response.headers["Cache-Control"] == "no-cache"
        with urllib.request.urlopen(base) as response:
            assert b"<title>t</title>" in response.read()
    finally:
        server.shutdown()
        server.server_close()


def test_serves_app_files_with_their_types_and_sw_js_always_revalidated(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title>")
    (tmp_path / "sw.js").write_text("// worker")
    (tmp_path / "manifest.webmanifest").write_text("{}")
    (tmp_path / "icon.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "favicon.ico").write_bytes(b"\0\0\1\0")
    server = make_server(tmp_path, port=0, verbose=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        modified = {}
        for name, mime in (
            ("manifest.webmanifest", "application/manifest+json"),
            ("icon.png", "image/png"),
            ("favicon.ico", "image/x-icon"),
            ("sw.js", "text/javascript"),
            ("index.html", "text/html"),
        ):
            with urllib.request.urlopen(base + name) as response:
                assert response.headers["Content-Type"] == mime, name
                assert response.headers["Cache-Control"] == "no-cache", name
                modified[name] = response.headers["Last-Modified"]
        # revalidating an unchanged file is a 304 without a body
        request = urllib.request.Request(
            base + "sw.js", headers={"If-Modified-Since": modified["sw.js"]}
        )
        try:
            urllib.request.urlopen(request)
            raise AssertionError("expected 304 Not Modified")
        except urllib.error.HTTPError as exc:
            assert exc.code == 304
    finally:
        server.shutdown()
        server.server_close()
