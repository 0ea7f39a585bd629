"""No page code turns text into markup: innerHTML, outerHTML, insertAdjacentHTML and
document.write may only ever be given a constant string (user text goes in textContent)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

SINKS = re.compile(r"\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write(?:ln)?)\b")
# a single constant string: '...', "..." or `...` without ${}; nothing concatenated to it
CONSTANT = r"""(?:'[^'\\]*'|"[^"\\]*"|`[^`\\$]*`)"""
ALLOWED = [
    re.compile(rf"\.(?:innerHTML|outerHTML)\s*=\s*{CONSTANT}\s*;?\s*(?://.*|#.*)?$"),
    re.compile(rf"\.insertAdjacentHTML\(\s*{CONSTANT}\s*,\s*{CONSTANT}\s*\)\s*;?\s*$"),
    re.compile(rf"document\.write(?:ln)?\(\s*{CONSTANT}\s*\)\s*;?\s*$"),
]

# Reviewed exceptions, by file and exact line. Each must parse into an inert <template> text
# that is not user input and rebuild it from an allow-list; anything else is refused.
REVIEWED = {
    # the site's own translation catalogue (site/i18n/*.json), parsed in a <template> (inert:
    # no script runs, nothing loads) and rebuilt keeping only inline tags and class attributes
    ("site/js/i18n.js", "tpl.innerHTML = text;"),
}


def page_sources() -> list:
    files = sorted((ROOT / "site" / "js").glob("*.js"))
    files += sorted((ROOT / "py" / "glasslab" / "web").glob("*.py"))
    return files


def code_part(line: str, python: bool) -> str:
    """The line without a trailing comment (a rough cut, good enough for these sinks)."""
    stripped = line.strip()
    if stripped.startswith(("#", "//", "*", "/*")) if not python else stripped.startswith("#"):
        return ""
    return line


def unsafe_uses(text: str, python: bool) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        code = code_part(line, python)
        if not SINKS.search(code):
            continue
        if not any(rule.search(code) for rule in ALLOWED):
            found.append(f"{number}: {line.strip()}")
    return found


def test_page_code_never_writes_markup_from_values():
    files = page_sources()
    assert any(f.name == "boot.js" for f in files) and any(f.name == "bridge.py" for f in files)
    problems = []
    for path in files:
        rel = str(path.relative_to(ROOT))
        for use in unsafe_uses(path.read_text(), python=path.suffix == ".py"):
            if (rel, use.split(": ", 1)[1]) not in REVIEWED:
                problems.append(f"{rel}:{use}")
    assert problems == [], "markup built from values (use textContent):\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "line",
    [
        "box.innerHTML = message;",
        "box.innerHTML = `<b>${name}</b>`;",
        'box.innerHTML = "<p>" + text + "</p>";',
        "el.outerHTML = html",
        "node.insertAdjacentHTML('beforeend', row);",
        "document.write(location.hash);",
        'element("x").innerHTML = f"<i>{name}</i>"',
        "pre.innerHTML += line",
    ],
)
def test_checker_refuses_markup_from_values(line):
    assert unsafe_uses(line, python=line.startswith("element")) != []


@pytest.mark.parametrize(
    "line",
    [
        'list.innerHTML = "";',
        "box.innerHTML = '<hr>';",
        "// never use innerHTML with user text",
        "# innerHTML is not used here",
        "box.textContent = message;",
    ],
)
def test_checker_allows_constants_and_comments(line):
    assert unsafe_uses(line, python=line.startswith("#")) == []
