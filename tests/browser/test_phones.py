"""Phones and tablets: every page and embed mode at 360 x 740 and 768 x 1024 with touch.

The page never scrolls sideways (also after opening the code panel, an exercise, a
neuron's explanation, the playground, the compare lab, the Share / Embed dialog, and in
Chinese); whatever is wider than the screen scrolls inside its own panel; every control
a finger uses is at least 40 x 40 px (a checkbox or radio counts with the label around
it; links inside running text are exempt); no text is under 11 px as rendered (SVG text
times its scale) and running text is at least 14 px. A full-page screenshot of each page
at each size goes to test-output/screens/ for a person to look at (the paths are listed
at the end of the test run).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENS, PageLog, wait_ready

pytestmark = pytest.mark.browser

SIZES = [(360, 740), (768, 1024)]
PAGES = [
    ("index", "index.html"),
    ("gan", "gan.html"),
    ("cnn", "cnn.html"),
    ("index-embed", "index.html?embed=1"),
    ("gan-embed", "gan.html?embed=1"),
    ("gan-embed-canvas-charts", "gan.html?embed=1&panels=canvas,charts"),
    ("gan-embed-graph-code", "gan.html?embed=1&panels=graph,code"),
    ("cnn-embed", "cnn.html?embed=1"),
    ("cnn-embed-classes-playground", "cnn.html?embed=1&panels=classes,playground"),
    ("cnn-embed-overview", "cnn.html?embed=1&panels=overview"),
]
MIN_TARGET = 40
MIN_TEXT = 11
MIN_BODY_TEXT = 14

# What a finger needs, measured in the page: returns the offenders of each rule.
MEASURE_JS = """
({ target: MIN_TARGET, text: MIN_TEXT, body: MIN_BODY }) => {
  const vw = document.documentElement.clientWidth;
  const shown = (e) => {
    if (!e.isConnected || !e.checkVisibility({ visibilityProperty: true })) return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const name = (e) => {
    let n = e.tagName.toLowerCase();
    if (e.id) n += "#" + e.id;
    else if (typeof e.className === "string" && e.className.trim())
      n += "." + e.className.trim().split(/\\s+/).join(".");
    const t = (e.getAttribute("aria-label") || e.textContent || "").trim().slice(0, 30);
    return t ? `${n} "${t}"` : n;
  };
  const px = (r) => `${Math.round(r.width)}x${Math.round(r.height)}`;

  // targets: the clickable box (a checkbox's or radio's is its <label> when it has one)
  const RUNNING_TEXT = "p, li, dd, td, figcaption, .stage-text, .annotation";
  const targets = [];
  const controls =
    "button, select, textarea, summary, [role=tab], label.button-like, a[href], input";
  for (const e of document.querySelectorAll(controls)) {
    if (!shown(e)) continue;
    if (e.tagName === "A" && e.closest(RUNNING_TEXT)) continue;
    let r = e.getBoundingClientRect(), w = r.width, h = r.height;
    if (e.type === "checkbox" || e.type === "radio") {
      const label = e.closest("label") || (e.id && document.querySelector(`label[for="${e.id}"]`));
      if (label) {
        const l = label.getBoundingClientRect();
        w = Math.max(w, l.width); h = Math.max(h, l.height);
      }
    }
    if (w < MIN_TARGET - 0.5 || h < MIN_TARGET - 0.5)
      targets.push(`${name(e)} ${Math.round(w)}x${Math.round(h)}`);
  }

  // text: the font size as drawn (SVG text times the scale of its screen matrix)
  const tiny = [], body = [];
  const done = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (!n.textContent.trim() || !e || done.has(e)) continue;
    done.add(e);
    if (e.closest("script, style, option, .visually-hidden") || !shown(e)) continue;
    let size = parseFloat(getComputedStyle(e).fontSize);
    if (size === 0) continue;  // not drawn: an icon link's glyph that its ::before replaces
    if (e instanceof SVGElement) {
      const m = e.getScreenCTM();
      if (m) size *= Math.hypot(m.a, m.b);
    }
    if (size < MIN_TEXT - 0.05) tiny.push(`${name(e)} ${size.toFixed(1)}px`);
    const block = e.closest("p, li, dd");
    if (block && block.textContent.trim().length >= 60 && size < MIN_BODY - 0.05
        && !e.closest("pre, code, .mono, table, kbd, sub, sup, math"))
      body.push(`${name(e)} ${size.toFixed(1)}px`);
  }
  for (const e of document.body.querySelectorAll("*")) {
    for (const pseudo of ["::before", "::after"]) {
      const st = getComputedStyle(e, pseudo);
      if (!/^".+"$/.test(st.content) || !shown(e)) continue;
      const size = parseFloat(st.fontSize);
      if (size < MIN_TEXT - 0.05)
        tiny.push(`${name(e)}${pseudo} ${st.content} ${size.toFixed(1)}px`);
    }
  }

  // wider than the screen: only inside a scrolling box that itself fits
  const cut = [];
  const scrolls = (e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX);
  for (const e of document.querySelectorAll("main *, dialog[open] *")) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || (r.right <= vw + 0.5 && r.left >= -0.5) || !shown(e)) continue;
    let box = e.parentElement;
    while (box && box !== document.body && !scrolls(box)) box = box.parentElement;
    const b = box && box !== document.body ? box.getBoundingClientRect() : null;
    if (!b || b.right > vw + 0.5 || b.left < -0.5)
      cut.push(`${name(e)} ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  return {
    scrollWidth: document.documentElement.scrollWidth, width: vw,
    coarse: matchMedia("(pointer: coarse)").matches,
    targets, tiny, body, cut: cut.slice(0, 20),
  };
}
"""


def variants():
    for width, height in SIZES:
        for label, path in PAGES:
            yield pytest.param((label, path, width, height), id=f"{label}-{width}x{height}")


@pytest.fixture(scope="module", params=list(variants()))
def phone(request, browser, server):
    """One ready page per (page, size), shared by the tests of this module."""
    label, path, width, height = request.param
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=True, has_touch=True
    )
    pg = context.new_page()
    pg.log = PageLog(pg)
    pg.goto(server.url(path))
    wait_ready(pg)
    pg.wait_for_timeout(300)  # the first frame after ready
    pg.variant = (label, path, width, height)
    yield pg
    assert pg.log.foreign(server.origin) == []
    assert pg.log.page_errors == []
    context.close()


def measure(pg) -> dict:
    limits = {"target": MIN_TARGET, "text": MIN_TEXT, "body": MIN_BODY_TEXT}
    return pg.evaluate(MEASURE_JS, limits)


def problems(pg, when: str) -> list[str]:
    """Every rule broken now, as readable lines."""
    m = measure(pg)
    out = []
    if m["scrollWidth"] > m["width"]:
        out.append(f"{when}: the page scrolls sideways ({m['scrollWidth']} px > {m['width']} px)")
    for rule, key in [
        (f"targets under {MIN_TARGET} px", "targets"),
        (f"text under {MIN_TEXT} px", "tiny"),
        (f"running text under {MIN_BODY_TEXT} px", "body"),
        ("cut off by the screen (not inside a scrolling box)", "cut"),
    ]:
        if m[key]:
            out.append(f"{when}: {rule}:\n    " + "\n    ".join(m[key]))
    return out


def screenshot(pg, suffix: str = "") -> None:
    """The whole page at its width. Playwright's full_page capture would drop the touch
    emulation (the page is drawn for a fine pointer), so the viewport is made as tall as
    the page for the capture instead."""
    label, _, width, height = pg.variant
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{label}-{width}x{height}{suffix}.png"
    tall = pg.evaluate("document.documentElement.scrollHeight")
    pg.set_viewport_size({"width": width, "height": max(height, tall)})
    try:
        assert measure(pg)["coarse"] is True
        pg.screenshot(path=str(path))
    finally:
        pg.set_viewport_size({"width": width, "height": height})


def test_touch_emulation_makes_the_pointer_coarse(phone):
    assert measure(phone)["coarse"] is True


def test_screenshot(phone):
    screenshot(phone)


def test_no_sideways_scroll(phone):
    m = measure(phone)
    assert m["scrollWidth"] <= m["width"], m
    assert not m["cut"], "\n".join(m["cut"])


def test_touch_targets_are_40px(phone):
    targets = measure(phone)["targets"]
    assert not targets, f"{len(targets)} targets under {MIN_TARGET} px:\n" + "\n".join(targets)


def test_text_sizes(phone):
    m = measure(phone)
    assert not m["tiny"], f"text under {MIN_TEXT} px:\n" + "\n".join(m["tiny"])
    assert not m["body"], f"running text under {MIN_BODY_TEXT} px:\n" + "\n".join(m["body"])


def test_cnn_class_bars_are_reachable(phone):
    label, path, width, _ = phone.variant
    if not path.startswith("cnn") or not phone.is_visible("#class-list"):
        pytest.skip("no class bars on this page")
    phone.locator("#overview").scroll_into_view_if_needed()
    phone.evaluate(
        "() => { const o = document.getElementById('overview'); o.scrollLeft = o.scrollWidth; }"
    )
    phone.wait_for_timeout(100)
    boxes = phone.evaluate(
        """() => {
          const o = document.getElementById('overview').getBoundingClientRect();
          return [...document.querySelectorAll('#class-list li .bar')].map((b) => {
            const r = b.getBoundingClientRect();
            const inBox = r.left >= o.left - 1 && r.right <= o.right + 1;
            return { left: r.left, right: r.right, width: r.width, inBox };
          });
        }"""
    )
    assert len(boxes) == 10
    for box in boxes:
        assert box["width"] >= 30 and box["inBox"], box
        assert 0 <= box["left"] and box["right"] <= width, box


def _open_share(pg):
    pg.locator(".share-open:visible").first.click()
    pg.wait_for_function("document.getElementById('share-dialog').open")


def _close_share(pg):
    pg.locator("[data-share-close]").click()
    pg.wait_for_function("!document.getElementById('share-dialog').open")


def _live_steps(pg):
    for panel, what in (("code", "the code editor"), ("exercises", "an exercise")):
        yield (
            what,
            lambda panel=panel: (
                pg.click(f"[data-live='{panel}'] > summary"),
                pg.wait_for_selector(f"[data-live='{panel}'] .cm-editor"),
            ),
        )


def _gan_steps(pg):
    yield "the graph's edit mode", lambda: pg.locator(".graph-edit").click()
    yield from _live_steps(pg)
    yield (
        "the compare lab",
        lambda: (
            pg.locator("[data-compare] button[aria-expanded]").click(),
            pg.locator("[data-compare] button[type=submit]").click(),
            pg.wait_for_function("window.glasslab.state().compare"),
        ),
    )


def _cnn_steps(pg):
    yield (
        "a convolution neuron's explanation",
        lambda: pg.evaluate("window.glasslab.openDetail(1, 0)"),
    )
    yield (
        "the output's explanation",
        lambda: pg.evaluate(
            "window.glasslab.openDetail(window.glasslab.state().columns.length, 0)"
        ),
    )
    yield (
        "the playground at its largest",
        lambda: (
            pg.evaluate("document.getElementById('detail').close()"),
            pg.locator("#pg-n").fill("12"),
            pg.locator("#pg-p").fill("4"),
            pg.locator("#pg-player button").first.click(),
        ),
    )
    yield from _live_steps(pg)


def test_after_opening_every_part_and_in_chinese(phone):
    """Runs last for each page: it opens things and switches the language."""
    label, path, _, _ = phone.variant
    found = []
    if "embed" not in label:
        steps = {"gan": _gan_steps, "cnn": _cnn_steps}.get(label)
        for when, action in steps(phone) if steps else []:
            action()
            phone.wait_for_timeout(200)
            found += problems(phone, f"after opening {when}")
    _open_share(phone)
    found += problems(phone, "with the Share / Embed dialog open")
    _close_share(phone)
    if "embed" not in label:
        phone.select_option("#lang-select", "zh-CN")
        phone.wait_for_function("document.documentElement.lang === 'zh-CN'")
        phone.wait_for_timeout(200)
        found += problems(phone, "in Chinese")
        screenshot(phone, "-zh-CN")
    assert not found, "\n".join(found)
