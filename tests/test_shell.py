"""The page shell (site/shell/page.html) put around each page of site/ by the build."""

from __future__ import annotations

import re

import pytest

from export import build as site_build
from export.shell import ShellError, assemble, page_html
from tests.conftest import ROOT

SITE = ROOT / "site"
PAGES = {"index.html": "./", "gan.html": "gan.html", "cnn.html": "cnn.html"}
CSP = "default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'"

SHELL = """<html {{html}}>
<head>
  <meta charset="utf-8">
{{meta}}
  <link rel="stylesheet" href="css/glasslab.css">
{{styles}}
{{scripts}}
</head>
<body>
  <nav><a href="./"{{current:index}}>Home</a><a href="gan.html"{{current:gan}}>GAN</a></nav>
{{body}}
{{if:share-autoplay}}
  <input id="share-autoplay">
{{end-if}}
  <span data-i18n="embed.iframeTitle.{{page}}">{{en:embed.iframeTitle.{{page}}}}</span>
{{end}}
</body>
</html>
"""
PAGE = """<!doctype html>
<html lang="en" data-page="gan" data-runtime="vendor/pyodide/" data-shell="share-autoplay">
<head>
  <title>GAN</title>
  <link rel="stylesheet" href="css/gan.css">
  <script type="module" src="js/gan.js"></script>
</head>
<body>
  <main>x</main>
  <script type="py" src="py/gan.py" config="pyscript.json"></script>
</body>
</html>
"""
ENGLISH = {"embed.iframeTitle.gan": "Glasslab GAN lab"}


def test_assemble_fills_every_slot_in_place():
    html = assemble(PAGE, SHELL, ENGLISH)
    assert html == (
        '<html lang="en" data-page="gan" data-runtime="vendor/pyodide/">\n<head>\n'
        '  <meta charset="utf-8">\n  <title>GAN</title>\n'
        '  <link rel="stylesheet" href="css/glasslab.css">\n'
        '  <link rel="stylesheet" href="css/gan.css">\n'
        '  <script type="module" src="js/gan.js"></script>\n</head>\n<body>\n'
        '  <nav><a href="./">Home</a><a href="gan.html" aria-current="page">GAN</a></nav>\n'
        "  <main>x</main>\n"
        '  <input id="share-autoplay">\n'
        '  <span data-i18n="embed.iframeTitle.gan">Glasslab GAN lab</span>\n'
        '  <script type="py" src="py/gan.py" config="pyscript.json"></script>\n'
        "</body>\n</html>\n"
    )


def test_shell_options_are_off_unless_the_page_turns_them_on():
    page = PAGE.replace(' data-shell="share-autoplay"', "")
    assert "share-autoplay" not in assemble(page, SHELL, ENGLISH)


@pytest.mark.parametrize(
    "change, message",
    [
        (("<head>\n", "<header>\n"), "expected <html"),
        ((' data-page="gan"', ""), "no data-page"),
        (
            ("</script>\n</body>", "</script>\n  <p>after</p>\n</body>"),
            'end with its <script type="py">',
        ),
        (("  <title>GAN</title>\n", "  <style>p {}</style>\n"), "<head> may hold only"),
    ],
)
def test_a_page_of_the_wrong_shape_is_refused(change, message):
    with pytest.raises(ShellError, match=re.escape(message)):
        assemble(PAGE.replace(*change), SHELL, ENGLISH, "gan.html")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_gets_the_whole_shell_once(name):
    html = page_html(SITE / name)
    page = name.removesuffix(".html")
    assert html.startswith("<!doctype html>\n<html ") and html.endswith("</body>\n</html>\n")
    assert "{{" not in html and "data-shell=" not in html
    assert html.count('http-equiv="Content-Security-Policy"') == 1 and CSP in html
    for once in (
        'id="lang-select"',
        'id="share-dialog"',
        'id="load-progress"',
        'id="load-error"',
        'id="load-retry"',
        "<header ",
        "<main",
    ):
        assert html.count(once) == 1, (name, once)
    assert html.count('class="share-open') == 2  # the header button and the embed-mode icon
    current = re.findall(r'<a href="([^"]*)" aria-current="page"', html)
    assert current == [PAGES[name]]
    assert f'data-i18n="embed.iframeTitle.{page}"' in html
    assert ('id="share-autoplay"' in html) == (page == "gan")
    assert f'<html lang="en" data-page="{page}" ' in html
    assert (
        html.index('src="js/boot.js"')
        < html.index('src="js/i18n.js"')
        < html.index('src="vendor/pyscript/core.js"')
    )
    assert html.rstrip().splitlines()[-3].strip().startswith('<script type="py"')


def test_the_build_ships_complete_pages_and_not_the_shell():
    files = site_build._site_sources()
    assert not [rel for rel in files if rel.startswith("shell/")]
    for name in PAGES:
        assert files[name].decode("utf-8") == page_html(SITE / name)


def test_the_runtime_and_pyscripts_core_are_preloaded():
    from export.shell import core_modules, with_preloads

    files = {
        "vendor/pyscript/core.js": b'export{a as b}from"./core-Ab1_.js";\n',
        "vendor/pyscript/core-Ab1_.js": b"export const a = 1;\n",
    }
    assert core_modules(files) == ("core.js", "core-Ab1_.js")
    assert core_modules({}) == ()
    lock = {"packages": {"numpy": {"file_name": "numpy.whl"}, "g": {"file_name": "g.whl"}}}
    html = (
        '<head>\n  <link rel="icon" href="i.svg">\n</head>\n<body>\n'
        '  <script type="module" src="vendor/pyscript/core.js"></script>\n</body>'
    )
    out = with_preloads(html, lock, core_modules(files))
    head = out[: out.index("</head>")]
    assert re.findall(r'rel="modulepreload" href="([^"]+)"', head) == [
        "vendor/pyodide/pyodide.mjs",
        "vendor/pyscript/core.js",
        "vendor/pyscript/core-Ab1_.js",
    ]
    assert re.findall(r'rel="preload" href="vendor/pyodide/([^"]+)"', head) == [
        "pyodide.asm.wasm",
        "python_stdlib.zip",
        "g.whl",
        "numpy.whl",
    ]
    assert with_preloads("<head></head><body></body>", lock) == "<head></head><body></body>"
