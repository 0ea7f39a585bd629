"""The shape of the code: small modules, no import cycles, one page shell, no view markup
named in Python. Each check is a plain function of the source tree, tested here on small
made-up trees first (so each can fail) and then on the repository."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "py" / "glasslab"
EXPORT = ROOT / "export"
SITE = ROOT / "site"
MAX_MODULE_LINES = 450
MAX_WEB_LINES = 1200
SHARED_BLOCK = 8  # lines


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


# ---- (a) module sizes


def oversized(root: Path, limit: int) -> dict[str, int]:
    """Modules under ``root`` longer than ``limit`` lines."""
    sizes = {str(p.relative_to(root)): line_count(p) for p in python_files(root)}
    return {name: n for name, n in sizes.items() if n > limit}


def test_size_check_finds_a_long_module(tmp_path):
    (tmp_path / "short.py").write_text("x = 1\n" * 10)
    (tmp_path / "long.py").write_text("x = 1\n" * 11)
    assert oversized(tmp_path, 10) == {"long.py": 11}


def test_no_module_is_over_450_lines():
    assert oversized(PACKAGE, MAX_MODULE_LINES) == {}


def test_the_browser_layer_is_at_most_1200_lines():
    sizes = {p.name: line_count(p) for p in python_files(PACKAGE / "web")}
    assert sum(sizes.values()) <= MAX_WEB_LINES, sizes


# ---- (b) import cycles, counting imports inside functions


def module_names(roots: dict[str, Path]) -> dict[str, Path]:
    """Dotted module name -> file, for the packages ``{name: folder}``."""
    names = {}
    for package, folder in roots.items():
        for path in python_files(folder):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            names[".".join(parts)] = path
    return names


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The known modules ``name`` imports anywhere in its file (functions included).

    ``from pkg import x`` counts as importing ``pkg.x`` when that is a module, else
    ``pkg``; relative imports are resolved against the module's package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = []
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                targets.append(sub if sub in known else module)
        else:
            continue
        for target in targets:
            while target and target not in known:  # import a.b.c of a non-module c: a.b
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_cycles(roots: dict[str, Path]) -> list[list[str]]:
    """Every strongly connected group of modules that import each other (Tarjan)."""
    names = module_names(roots)
    graph = {n: sorted(imports_of(n, p, set(names))) for n, p in names.items()}
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_cycle_check_finds_a_cycle_hidden_in_a_function(tmp_path):
    app, tools = tmp_path / "app", tmp_path / "tools"
    (app / "sub").mkdir(parents=True)
    tools.mkdir()
    (app / "__init__.py").write_text("")
    (app / "sub" / "__init__.py").write_text("")
    (app / "cli.py").write_text("def main():\n    from tools import build\n")
    (app / "sub" / "cli.py").write_text("from .. import cli\n")  # relative, two levels
    (app / "sub" / "leaf.py").write_text("import json\n")
    (tools / "__init__.py").write_text("")
    (tools / "build.py").write_text("def run():\n    from app.cli import main\n")
    (tools / "other.py").write_text("from app.sub import leaf\nfrom app import sub\n")
    roots = {"app": app, "tools": tools}
    assert import_cycles(roots) == [["app.cli", "tools.build"]]
    (app / "cli.py").write_text("from app.sub import cli\n")
    assert import_cycles(roots) == [["app.cli", "app.sub.cli"]]
    (app / "cli.py").write_text("import app.sub.leaf\n")
    assert import_cycles(roots) == []


def test_no_import_cycle_among_glasslab_and_export():
    assert import_cycles({"glasslab": PACKAGE, "export": EXPORT}) == []


def test_nothing_in_the_package_names_the_checkout():
    for path in python_files(PACKAGE):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert "REPO_ROOT" not in names, path.relative_to(ROOT)


# ---- (c) one page shell: the pages of site/ share no block of lines


def shared_blocks(pages: list[Path], size: int) -> list[tuple[str, str, tuple[str, ...]]]:
    """Blocks of ``size`` consecutive non-blank lines (whitespace stripped) in two pages."""
    windows = {}
    for page in pages:
        lines = [s for s in (line.strip() for line in page.read_text("utf-8").splitlines()) if s]
        windows[page.name] = {tuple(lines[i : i + size]) for i in range(len(lines) - size + 1)}
    found = []
    for a, b in itertools.combinations(sorted(windows), 2):
        found += [(a, b, block) for block in sorted(windows[a] & windows[b])]
    return found


def test_shared_block_check_finds_a_copied_block(tmp_path):
    block = "".join(f"  <p>line {i}</p>\n" for i in range(8))
    (tmp_path / "a.html").write_text("<main>\n" + block + "</main>\n")
    (tmp_path / "b.html").write_text("<div>\n\n" + block.replace("  ", "    ") + "</div>\n")
    (tmp_path / "c.html").write_text(block[: block.rindex("  <p>")])
    found = shared_blocks(sorted(tmp_path.glob("*.html")), SHARED_BLOCK)
    assert [(a, b) for a, b, _ in found] == [("a.html", "b.html")]


def test_the_pages_share_no_block_of_8_lines():
    pages = sorted(SITE.glob("*.html"))
    assert [p.name for p in pages] == ["cnn.html", "gan.html", "index.html"]
    found = shared_blocks(pages, SHARED_BLOCK)
    assert not found, [(a, b, block[0]) for a, b, block in found[:5]]


# ---- (d) no Python string names a class or an element id of a view

VIEW_STYLES = ("css/cnn.css", "css/gan.css")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_SELECTOR = re.compile(r"([^{}]+)\{")
_CLASS = re.compile(r"\.(-?[A-Za-z_][\w-]*)")
_JS_ID = re.compile(
    r"""(?:\bid\s*[:=]\s*|setAttribute\(\s*["']id["']\s*,\s*)(["'`])((?:(?!\1).)*)\1"""
)
_TEMPLATE_PART = re.compile(r"\$\{[^}]*\}")
_HYPHENATED = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]*)+$")
CLASS_KEYS = {"class", "className", "class_", "cls"}
CLASS_CALLS = {"add", "remove", "toggle", "contains", "querySelector", "querySelectorAll"}


def normal(name: str) -> str:
    """A class or id without digits and edge hyphens: ``sm-logit-3`` -> ``sm-logit``."""
    return re.sub(r"\d+", "", name.lstrip(".#")).strip("-")


def view_names(site: Path) -> tuple[set[str], set[str]]:
    """Class names of the view stylesheets, and element ids the JS views create."""
    classes, ids = set(), set()
    for rel in VIEW_STYLES:
        css = _CSS_COMMENT.sub("", (site / rel).read_text(encoding="utf-8"))
        for prelude in _SELECTOR.findall(css):
            if not prelude.strip().startswith("@"):
                classes |= {normal(c) for c in _CLASS.findall(prelude)}
    for path in sorted((site / "js").rglob("*.js")):
        for _quote, value in _JS_ID.findall(path.read_text(encoding="utf-8")):
            ids |= {normal(part) for part in _TEMPLATE_PART.split(value)}
    return classes - {""}, ids - {""}


def _strings(node: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def markup_names_in(path: Path, classes: set[str], ids: set[str]) -> list[str]:
    """Strings of a Python file that name a view's class or id: any hyphenated token
    (``"eq-row"``, ``f"sm-logit-{i}"``); any token where Python sets or looks up a class
    (``{"class": ...}``, ``.className = ...``, ``classList.add(...)``, ``querySelector``);
    any token where it sets an id (``{"id": ...}``, ``.id = ...``) that a view creates or
    that is hyphenated like an element id (``{"id": f"sm-logit-{j}"}``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    contexts: list[tuple[ast.AST, set[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in CLASS_KEYS:
                    contexts.append((value, classes))
                elif isinstance(key, ast.Constant) and key.value == "id":
                    contexts.append((value, ids))
        elif isinstance(node, ast.keyword) and node.arg in CLASS_KEYS:
            contexts.append((node.value, classes))
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            attrs = {t.attr for t in targets if isinstance(t, ast.Attribute)}
            if "className" in attrs:
                contexts.append((node.value, classes))
            if "id" in attrs:
                contexts.append((node.value, ids))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in CLASS_CALLS:
                contexts += [(arg, classes | ids) for arg in node.args]
    found = []
    for value in _strings(tree):
        for token in value.split():
            if _HYPHENATED.match(token.lstrip(".#")) and normal(token) in classes | ids:
                found.append(token)
    for node, names in contexts:
        for value in _strings(node):
            for token in re.split(r"[\s,>+~]+", value):
                if normal(token) in names:
                    found.append(token)
                elif names is ids and _HYPHENATED.match(token):  # an id for markup
                    found.append(token)
    return sorted(set(found))


def test_markup_name_check_finds_classes_and_ids(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "js").mkdir()
    (tmp_path / "css" / "cnn.css").write_text(
        "/* .commented */ .eq-row, .detail .sel { color: red; margin: .5rem }\n"
        "@media (max-width: 4px) { .big { x: 1 } }\n"
    )
    (tmp_path / "css" / "gan.css").write_text(".real { fill: green }\n")
    (tmp_path / "js" / "view.js").write_text(
        'el("td", { id: `sm-logit-${i}` }); node.id = "col-3";\n'
    )
    classes, ids = view_names(tmp_path)
    assert classes == {"eq-row", "detail", "sel", "big", "real"}
    assert ids == {"sm-logit", "col"}
    bad = tmp_path / "bad.py"
    bad.write_text(
        'a = {"class": "sel" if x else "", "text": "real"}\n'
        'b = f"sm-logit-{i}"\n'
        'c = "eq-row"\n'
        'doc.querySelector(".detail big")\n'
        'node.className = f"big {kind}"\n'
        'node.id = "col"\n'
        'd = {"id": f"pg-cell-{k}"}\n'
    )
    found = markup_names_in(bad, classes, ids)
    assert found == [".detail", "big", "col", "eq-row", "pg-cell-", "sel", "sm-logit-"]
    good = tmp_path / "good.py"
    good.write_text(
        'a = {"kind": "sel", "text": "real samples", "lang": "zh-CN", "id": "big"}\n'
        'Exercise(id="real")\n'
    )
    assert markup_names_in(good, classes, ids) == []


def test_no_python_string_names_a_view_class_or_id():
    classes, ids = view_names(SITE)
    assert {"eq-row", "canvas-wrap"} <= classes and "lang-select" in ids  # the sources are read
    found = {
        str(path.relative_to(ROOT)): hits
        for path in python_files(PACKAGE)
        if (hits := markup_names_in(path, classes, ids))
    }
    assert found == {}
