"""The English and Simplified Chinese catalogues (site/i18n/*.json) match each other and
cover every key the pages, the JavaScript and the Python page modules use."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from glasslab.gan import GanLab

from export.shell import page_html
from tests.conftest import ROOT

SITE = ROOT / "site"
LANGS = ("en", "zh-CN")
KEY = re.compile(r"^[a-z][a-zA-Z0-9_]*(\.[a-zA-Z0-9_]+)+$")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# t("key"), Text("key"), tr("key"), Refused("key"), refusing("key") (literal keys only)
CALL = re.compile(
    r"""\b(?:t|Text|tr|Refused|refusing)\("""
    r"""\s*["']([a-z][a-zA-Z0-9_]*(?:\.[a-zA-Z0-9_]+)+)["']"""
)
# t("a" if ... else "b"): both literal keys
CHOICE = re.compile(r"""\bt\(\s*["']([\w.]+)["']\s+if\s+.+?\s+else\s+["']([\w.]+)["']\s*\)""")


def catalogue(lang: str) -> dict:
    return json.loads((SITE / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


class KeyCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.keys: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("data-i18n", "data-i18n-html") and value:
                self.keys.add(value.strip())
            elif name == "data-i18n-attr" and value:
                for pair in value.split(";"):
                    if pair.strip():
                        attr, _, key = pair.partition(":")
                        assert attr.strip() and key.strip(), f"bad data-i18n-attr {value!r}"
                        self.keys.add(key.strip())


def html_keys() -> dict[str, set[str]]:
    out = {}
    for page in sorted(SITE.glob("*.html")):
        collector = KeyCollector()
        collector.feed(page_html(page))  # the page as shipped: inside site/shell/page.html
        out[page.name] = collector.keys
    return out


def code_keys() -> dict[str, set[str]]:
    files = sorted((ROOT / "py" / "glasslab" / "web").glob("*.py"))
    files.append(ROOT / "py" / "glasslab" / "cnn" / "page_checks.py")  # the CNN page's refusals
    files += sorted((SITE / "js").rglob("*.js"))
    out = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        keys = set(CALL.findall(text))
        for a, b in CHOICE.findall(text):
            keys.update((a, b))
        out[str(path.relative_to(ROOT))] = keys
    return out


def test_catalogues_have_the_same_keys_and_no_empty_values():
    en, zh = catalogue("en"), catalogue("zh-CN")
    assert len(en) > 100
    assert set(en) == set(zh), (
        f"only in en: {sorted(set(en) - set(zh))}; only in zh-CN: {sorted(set(zh) - set(en))}"
    )
    for lang, cat in (("en", en), ("zh-CN", zh)):
        for key, value in cat.items():
            assert KEY.match(key), f"{lang}: {key!r} is not a flat dotted key"
            assert isinstance(value, str) and value.strip(), f"{lang}: {key} is empty"


def test_placeholders_match_per_key():
    en, zh = catalogue("en"), catalogue("zh-CN")
    for key in en:
        assert set(PLACEHOLDER.findall(en[key])) == set(PLACEHOLDER.findall(zh[key])), key


def test_chinese_catalogue_is_chinese():
    """Texts with words in English have Chinese characters in zh-CN (names excepted)."""
    en, zh = catalogue("en"), catalogue("zh-CN")
    same = {k for k in en if en[k] == zh[k]}
    # names and notation that stay as they are in Chinese teaching material
    assert same <= {
        "cnn.layer.relu",
        "cnn.kind.relu",
        "cnn.detail.logit",
        "embed.iframeTitle.index",
        "gan.msg.separator",
    } | {k for k in en if not re.search("[A-Za-z]{3}", en[k])}, same
    han = re.compile("[\u4e00-\u9fff]")
    chinese = sum(1 for k in zh if han.search(zh[k]))
    assert chinese >= 0.9 * len(zh)


@pytest.mark.parametrize("page", sorted(p.name for p in SITE.glob("*.html")))
def test_every_html_key_is_in_the_catalogues(page):
    keys = html_keys()[page]
    assert keys, f"{page} has no data-i18n keys"
    en = catalogue("en")
    missing = sorted(k for k in keys if k not in en)
    assert not missing, f"{page} uses keys missing from the catalogues: {missing}"


def test_every_code_key_is_in_the_catalogues():
    en = catalogue("en")
    found = code_keys()
    assert found["py/glasslab/web/gan_page.py"] and found["py/glasslab/web/cnn_page.py"]
    assert found["site/js/boot.js"]
    for path, keys in found.items():
        missing = sorted(k for k in keys if k not in en)
        assert not missing, f"{path} uses keys missing from the catalogues: {missing}"


def test_gan_stage_texts_are_translated_for_every_engine_stage():
    """The page translates the engine's slow-motion stages by name: gan.stage.<net>.<name>."""
    en = catalogue("en")
    lab = GanLab()
    for net in ("d", "g"):
        for name, text, _arrays in lab.stages(net):
            assert f"gan.stage.{net}.{name}" in en
            assert f"gan.stage.name.{name}" in en
            assert en[f"gan.stage.{net}.{name}"] == text, "the English follows the engine's text"


def test_switch_and_script_on_every_page():
    for page in sorted(SITE.glob("*.html")):
        text = page_html(page)  # the page as shipped: inside site/shell/page.html
        assert 'id="lang-select"' in text, page.name
        boot = text.index('<script src="js/boot.js"></script>')
        assert text.index('<script src="js/i18n.js"></script>') > boot, page.name
