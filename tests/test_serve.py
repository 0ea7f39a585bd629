"""The local launcher serves the runtime with the MIME types browsers insist on."""

from __future__ import annotations

import threading
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
