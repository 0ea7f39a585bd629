"""Security of every page in real Chromium: the Content-Security-Policy, no foreign requests,
no inline event handlers and no inline scripts but PyScript's ``type="py"`` tags."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PageLog, open_page

pytestmark = pytest.mark.browser

PAGES = ("", "gan.html", "cnn.html")

# Collects every CSP violation the page reports, from before its first script runs.
VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI,
    source: e.sourceFile, line: e.lineNumber, sample: e.sample});
});
"""


def directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def exercise(pg, path: str) -> None:
    """Use the page's heavier paths so their code runs under the policy too."""
    if path == "gan.html":
        pg.evaluate("window.glasslab.set({manifold: true, gradients: true})")
        pg.evaluate("window.glasslab.play()")
        pg.wait_for_function("() => window.glasslab.state().iteration > 50", timeout=60_000)
        pg.evaluate("window.glasslab.pause()")
    elif path == "cnn.html":
        state = pg.evaluate("window.glasslab.ortDone()")  # ONNX Runtime Web's wasm ran
        assert state["ort_status"] != "error" and state["ort_max_diff"] is not None
        pg.evaluate("window.glasslab.openDetail(1, 0)")
        pg.evaluate("window.glasslab.closeDetail()")


@pytest.mark.parametrize("path", PAGES, ids=["index", "gan", "cnn"])
def test_page_runs_under_the_policy(page, server, path):
    page.add_init_script(VIOLATIONS)
    open_page(page, server, path)
    exercise(page, path)

    assert page.evaluate("window.__cspViolations") == []
    assert page.log.foreign(server.origin) == []
    assert page.log.page_errors == []

    metas = page.evaluate(
        """() => [...document.querySelectorAll('meta[http-equiv]')]
            .filter((m) => m.httpEquiv.toLowerCase() === 'content-security-policy')
            .map((m) => ({content: m.content, inHead: m.parentElement === document.head,
                          beforeScripts: [...document.scripts].every((s) =>
                            m.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING)}))"""
    )
    assert len(metas) == 1, metas
    meta = metas[0]
    assert meta["inHead"] and meta["beforeScripts"]  # a meta policy covers only what follows
    policy = directives(meta["content"])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert set(policy["img-src"]) == {"'self'", "data:", "blob:"}
    for name, sources in policy.items():
        assert "'unsafe-inline'" not in sources, name
        assert "*" not in sources and not any(s.startswith(("http:", "https:")) for s in sources)

    handlers = page.evaluate(
        """() => [...document.querySelectorAll('*')].flatMap((el) =>
              [...el.attributes].filter((a) => /^on/i.test(a.name)
                  || /^\\s*javascript:/i.test(a.value))
                .map((a) => `${el.tagName.toLowerCase()}[${a.name}]`))"""
    )
    assert handlers == []
    inline = page.evaluate(
        """() => [...document.scripts].filter((s) => !s.src && s.type !== 'py')
              .map((s) => s.outerHTML.slice(0, 120))"""
    )
    assert inline == []


def test_the_policy_is_enforced(context, server):
    """The meta policy really blocks: an injected inline script and a foreign image are refused
    and reported, so the empty violation lists above mean something."""
    page = context.new_page()  # not the ``page`` fixture: this test asks for a foreign URL
    page.log = PageLog(page)
    page.add_init_script(VIOLATIONS)
    open_page(page, server, "gan.html")
    page.evaluate(
        """() => {
            const s = document.createElement('script');
            s.textContent = 'window.__inlineRan = true';
            document.body.appendChild(s);
            const img = document.createElement('img');
            img.src = 'http://192.0.2.1/x.png';
            document.body.appendChild(img);
        }"""
    )
    page.wait_for_function("() => window.__cspViolations.length >= 2", timeout=10_000)
    assert page.evaluate("window.__inlineRan === undefined")
    directives_hit = {v["directive"] for v in page.evaluate("window.__cspViolations")}
    assert {"script-src-elem", "img-src"} <= directives_hit
