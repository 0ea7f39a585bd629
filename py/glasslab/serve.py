"""``python -m glasslab serve``: serve a built site on 127.0.0.1, for a lab without internet.

Plain standard-library HTTP server with the MIME types the runtime needs
(``.mjs`` as JavaScript, ``.wasm`` as ``application/wasm``, every other file type
of the site named explicitly) and ``Cache-Control: no-cache`` on every answer:
the browser always revalidates (a cheap 304 when unchanged), so a rebuilt site is
never mixed with an old one and ``sw.js`` is never cached. After the first
visit the pages run from the service worker's cache, with or without this server.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import socketserver
import sys
from pathlib import Path

# Every file type of a built site, so no answer depends on the machine's mimetypes database.
MIME_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".py": "text/x-python",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".onnx": "application/octet-stream",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".txt": "text/plain",
}


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        if self.server.verbose:
            super().log_message(format, *args)


class SiteServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    verbose = True

    def handle_error(self, request, client_address) -> None:
        # a browser that closes a page mid-download is normal, not a server error
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(directory: str | Path, port: int = 8000, verbose: bool = True) -> SiteServer:
    """An HTTP server for ``directory`` on 127.0.0.1:``port`` (0 picks a free port)."""
    handler = functools.partial(SiteHandler, directory=str(directory))
    server = SiteServer(("127.0.0.1", port), handler)
    server.verbose = verbose
    return server


def register(subparsers) -> None:
    """The ``serve`` subcommand of ``python -m glasslab``."""
    parser = subparsers.add_parser(
        "serve",
        help="serve a built site on 127.0.0.1",
        description="Serve a built site on 127.0.0.1 with the MIME types the runtime needs.",
    )
    parser.add_argument(
        "dir", nargs="?", default="dist", help="site folder (default: dist/ in this folder)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    directory = Path(args.dir)
    if not (directory / "index.html").is_file():
        print(
            f"error: {directory} is not a built site (no index.html); "
            "run `python -m glasslab build` first",
            file=sys.stderr,
        )
        return 2
    try:
        server = make_server(directory, args.port)
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"Serving {directory} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C stops)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
