"""The page shell: ``site/shell/page.html`` put around each page of ``site/`` by the build.

The shell holds what every page shares (the head with the CSP meta tag, icons, the
shared styles and scripts; the header with brand, navigation, language menu and the
Share / Embed button; the share button of embed mode, the Share / Embed dialog, the
loading and error blocks). A page file holds only its own parts::

    <html lang="en" data-page="gan" data-runtime="vendor/pyodide/" data-shell="share-autoplay">
    <head>
      <title ...>, <meta ...>                 -> {{meta}}     (after the viewport)
      <link rel="stylesheet" ...>             -> {{styles}}   (after css/glasslab.css)
      <script ...></script>                   -> {{scripts}}  (before PyScript's core.js)
    </head>
    <body>
      <main>...</main> and any other markup   -> {{body}}     (after the header)
      <script type="py" ...></script>         -> {{end}}      (last in <body>)
    </body>
    </html>

``data-shell`` (space-separated shell options, e.g. ``share-autoplay``) is read here and
not written out; the other ``<html>`` attributes are copied as they are. The result is a
plain complete HTML file: the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

SHELL_DIR = "shell"  # site/shell/: shell sources, not shipped
SHELL_FILE = "page.html"

_COMMENT = re.compile(r"\{\{#.*?#\}\}\n?", re.S)
_IF_BLOCK = re.compile(r"^\{\{if:([a-z-]+)\}\}\n(.*?)^\{\{end-if\}\}\n", re.S | re.M)
_HTML_TAG = re.compile(r"<html\b([^>]*)>")
_SHELL_ATTR = re.compile(r'\s+data-shell="([^"]*)"')
_PAGE_ATTR = re.compile(r'\bdata-page="([a-z][a-z0-9-]*)"')
_PART = re.compile(r"<head>\n(?P<head>.*?)</head>\s*<body>\n(?P<body>.*?)</body>", re.S)
_END_SCRIPT = re.compile(r'(?P<end>(?:[ \t]*<script type="py"[^\n]*\n)+)\Z')
_CURRENT = re.compile(r"\{\{current:([a-z][a-z0-9-]*)\}\}")
_EN = re.compile(r"\{\{en:([\w.]+)\}\}")


class ShellError(ValueError):
    """A page file that does not have the shape the shell expects."""


def _head_slots(head: str, name: str) -> dict[str, str]:
    slots = {"meta": [], "styles": [], "scripts": []}
    for line in head.splitlines(keepends=True):
        tag = line.strip()
        if not tag:
            continue
        if tag.startswith(("<title", "<meta")):
            slots["meta"].append(line)
        elif tag.startswith('<link rel="stylesheet"'):
            slots["styles"].append(line)
        elif tag.startswith("<script"):
            slots["scripts"].append(line)
        else:
            raise ShellError(
                f"{name}: <head> may hold only <title>, <meta>, stylesheets and "
                f"scripts, not {tag[:60]!r}"
            )
    return {key: "".join(lines) for key, lines in slots.items()}


def assemble(page: str, shell: str, english: dict[str, str], name: str = "page") -> str:
    """The complete HTML of one page: ``shell`` with its slots filled from ``page``."""
    html = _HTML_TAG.search(page)
    parts = _PART.search(page)
    if not html or not parts:
        raise ShellError(f"{name}: expected <html ...>, <head>...</head> and <body>...</body>")
    attrs = html.group(1)
    options = set()
    shell_attr = _SHELL_ATTR.search(attrs)
    if shell_attr:
        options = set(shell_attr.group(1).split())
        attrs = attrs[: shell_attr.start()] + attrs[shell_attr.end() :]
    page_id = _PAGE_ATTR.search(attrs)
    if not page_id:
        raise ShellError(f"{name}: <html> has no data-page")
    body = parts.group("body")
    end = _END_SCRIPT.search(body)
    if not end:
        raise ShellError(f'{name}: <body> must end with its <script type="py">')

    text = _COMMENT.sub("", shell)
    text = _IF_BLOCK.sub(lambda m: m.group(2) if m.group(1) in options else "", text)
    slots = {
        "html": attrs.strip(),
        "page": page_id.group(1),
        **_head_slots(parts.group("head"), name),
        "body": body[: end.start()],
        "end": end.group("end"),
    }
    for key, value in slots.items():
        token = "{{" + key + "}}"
        if key in ("html", "page"):
            text = text.replace(token, value)
        else:  # a slot on a line of its own: the page's lines replace the whole line
            text = text.replace(token + "\n", value)
    text = _CURRENT.sub(
        lambda m: ' aria-current="page"' if m.group(1) == slots["page"] else "", text
    )
    text = _EN.sub(lambda m: english[m.group(1)], text)
    if "{{" in text:
        raise ShellError(f"{name}: unfilled shell slot near {text[text.index('{{') :][:40]!r}")
    return text


def page_html(path: Path) -> str:
    """The page ``site/<name>.html`` as the build writes it (shell and catalogue beside it)."""
    site = path.parent
    shell = (site / SHELL_DIR / SHELL_FILE).read_text(encoding="utf-8")
    english = json.loads((site / "i18n" / "en.json").read_text(encoding="utf-8"))
    return assemble(path.read_text(encoding="utf-8"), shell, english, path.name)


def is_shell_source(rel: str) -> bool:
    """Whether a path of ``site/`` is a shell source (used by the build, not shipped)."""
    return rel.split("/", 1)[0] == SHELL_DIR


_CORE_IMPORT = re.compile(r"""from\s*["']\./(core-[\w-]+\.js)["']""")


def core_modules(files: dict[str, bytes]) -> tuple[str, ...]:
    """PyScript's ``core.js`` and the chunks it imports statically (names in
    ``vendor/pyscript/``), from the built ``files`` (site path -> bytes)."""
    core = files.get("vendor/pyscript/core.js")
    if core is None:
        return ()
    chunks = _CORE_IMPORT.findall(core.decode("utf-8", "replace"))
    return ("core.js", *dict.fromkeys(c for c in chunks if f"vendor/pyscript/{c}" in files))


def with_preloads(html: str, lock: dict, core: tuple[str, ...] = ()) -> str:
    """``html`` with the runtime's files preloaded from the start, if it runs PyScript.

    Pyodide asks for its wasm, standard library and wheels only once PyScript's core.js
    and Pyodide's own module have run; preloaded, they download meanwhile and Pyodide's
    fetches take them from the preload cache (one request each). The links carry no
    ``integrity`` (Chromium ignores it on a fetch preload, with a console warning).
    ``core``: PyScript's ``core.js`` and the chunk it imports (``vendor/pyscript/`` names),
    preloaded as modules too.
    """
    if "vendor/pyscript/core.js" not in html:
        return html
    base = "vendor/pyodide/"
    links = [f'  <link rel="modulepreload" href="{base}pyodide.mjs">']
    # PyScript's core: its <script> comes after the shell's classic scripts at the top of
    # <body>, and Chromium asks for it only when the parser gets there
    links += [f'  <link rel="modulepreload" href="vendor/pyscript/{name}">' for name in core]
    for name in ("pyodide.asm.wasm", "python_stdlib.zip"):
        links.append(f'  <link rel="preload" href="{base}{name}" as="fetch" crossorigin>')
    for name in sorted(entry["file_name"] for entry in lock["packages"].values()):
        links.append(f'  <link rel="preload" href="{base}{name}" as="fetch" crossorigin>')
    anchor = '  <link rel="icon"'
    return html.replace(anchor, "\n".join(links) + "\n" + anchor, 1)
