"""English and Simplified Chinese in the real pages: chosen from ?lang= or the browser's
language, switched from the header, kept in the URL and in links, and used by the texts
Python sets at run time."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import PageLog, wait_ready
from tests.conftest import ROOT

PAGES = ("index.html", "gan.html", "cnn.html")
HAN = re.compile("[\u4e00-\u9fff]")
CATALOGUE_KEYS = set(json.loads((ROOT / "site" / "i18n" / "en.json").read_text("utf-8")))
ZH = json.loads((ROOT / "site" / "i18n" / "zh-CN.json").read_text("utf-8"))

# every visible text node and every translated attribute of the page
VISIBLE_STRINGS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim() || el.closest('script, style, [hidden], pre')) continue;
    if (el.checkVisibility && !el.checkVisibility()) continue;
    out.push(n.textContent.trim());
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [alt], [placeholder]')) {
    for (const a of ['aria-label', 'title', 'alt', 'placeholder']) {
      const v = el.getAttribute(a);
      if (v) out.push(v);
    }
  }
  out.push(document.title);
  return out;
}"""


def raw_keys(strings) -> list[str]:
    words = {w for s in strings for w in re.findall(r"[A-Za-z][\w-]*(?:\.[\w-]+)+", s)}
    return sorted(words & CATALOGUE_KEYS)


@pytest.fixture
def zh_context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield ctx
    ctx.close()


def new_page(context):
    pg = context.new_page()
    pg.log = PageLog(pg)
    return pg


def check_no_foreign(pg):
    assert not pg.log.foreign(), pg.log.foreign()


@pytest.mark.parametrize("path", PAGES)
def test_lang_parameter_gives_chinese_pages(page, server, path):
    page.goto(server.url(f"{path}?lang=zh-CN"))
    wait_ready(page)
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")
    page.evaluate("window.glasslabI18n.ready")
    assert page.eval_on_selector("nav a[href^='gan.html']", "a => a.textContent") == "GAN 实验室"
    assert page.eval_on_selector("nav a[href^='cnn.html']", "a => a.textContent") == "CNN 图解"
    assert page.eval_on_selector("#lang-select", "s => s.value") == "zh-CN"
    assert page.title() == ZH[f"{path.split('.')[0]}.title"]
    strings = page.evaluate(VISIBLE_STRINGS)
    assert not raw_keys(strings), raw_keys(strings)
    body = page.inner_text("body")
    assert not raw_keys([body])
    # most of what is shown is Chinese: letters outside numbers, names and code are few
    chinese = [s for s in strings if HAN.search(s)]
    assert len(chinese) > 0.5 * len([s for s in strings if re.search("[A-Za-z]{4}", s)])
    # links between pages carry the language
    for href in page.eval_on_selector_all("nav a", "as => as.map(a => a.getAttribute('href'))"):
        assert "lang=zh-CN" in href, href


@pytest.mark.parametrize("path", PAGES)
def test_browser_language_chooses_chinese_and_switch_goes_back(zh_context, server, path):
    page = new_page(zh_context)
    page.goto(server.url(f"{path}?x=1"))
    wait_ready(page)
    page.evaluate("window.glasslabI18n.ready")
    assert page.evaluate("navigator.language").startswith("zh")
    assert page.evaluate("window.glasslabI18n.lang") == "zh-CN"
    assert page.text_content("nav a[href^='./']") == "首页"
    assert not raw_keys(page.evaluate(VISIBLE_STRINGS))
    # switch to English from the header
    page.select_option("#lang-select", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.text_content("nav a[href^='./']") == "Home"
    assert page.text_content("nav a[href^='gan.html']") == "GAN lab"
    url = page.evaluate("location.search")
    assert "lang=en" in url and "x=1" in url, url
    assert page.get_attribute("nav a[href^='cnn.html']", "href").endswith("lang=en")
    strings = page.evaluate(VISIBLE_STRINGS)
    assert not [s for s in strings if HAN.search(s) and s != "中文"], strings
    assert not raw_keys(strings)
    # and back: Chinese again, URL updated
    page.select_option("#lang-select", "zh-CN")
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")
    assert "lang=zh-CN" in page.evaluate("location.search")
    assert page.text_content("nav a[href^='./']") == "首页"
    check_no_foreign(page)


def test_english_browser_gets_english(page, server):
    page.goto(server.url("gan.html"))
    wait_ready(page)
    assert page.evaluate("window.glasslabI18n.lang") == "en"
    assert page.text_content("#btn-play") == "▶ Play"
    assert page.text_content("nav a[href^='./']") == "Home"


def test_gan_run_time_texts_in_chinese(page, server):
    page.goto(server.url("gan.html?lang=zh-CN"))
    wait_ready(page)
    page.evaluate("window.glasslabI18n.ready")
    assert page.text_content("#btn-play") == "▶ 播放"
    assert page.text_content("#loss-values").startswith("D 损失")
    # a message from Python: translated frame, the setting's name kept
    with pytest.raises(PlaywrightError, match="g_lr"):
        page.evaluate("window.glasslab.set({g_lr: 'NaN'})")
    message = page.text_content("#gan-message")
    assert message.startswith("未应用：") and "g_lr" in message, message
    assert page.is_visible("#gan-message")
    # playing: the button says pause in Chinese
    page.evaluate("window.glasslab.play()")
    page.wait_for_function("document.getElementById('btn-play').textContent === '❚❚ 暂停'")
    assert page.get_attribute("#btn-play", "aria-label") == "暂停（空格键）"
    # switching language re-sets the texts Python wrote
    page.select_option("#lang-select", "en")
    page.wait_for_function("document.getElementById('btn-play').textContent === '❚❚ Pause'")
    assert page.text_content("#gan-message").startswith("Not applied: ")
    assert "g_lr" in page.evaluate("window.glasslab.state().message")
    page.evaluate("window.glasslab.pause()")
    # slow motion: stage texts are translated by stage name
    page.select_option("#lang-select", "zh-CN")
    page.wait_for_function("document.getElementById('btn-play').textContent === '▶ 播放'")
    page.evaluate("window.glasslab.set({slow_motion: true})")
    page.evaluate("window.glasslab.play()")
    page.wait_for_function("window.glasslab.state().stage !== null", timeout=30_000)
    page.wait_for_function(
        "document.getElementById('stage-text').textContent.startsWith('判别器')"
        " || document.getElementById('stage-text').textContent.startsWith('生成器')",
        timeout=30_000,
    )
    stage = page.text_content("#stage-text")
    assert HAN.search(stage) and not raw_keys([stage]), stage
    page.evaluate("window.glasslab.pause()")


def test_cnn_run_time_texts_in_chinese(page, server):
    page.goto(server.url("cnn.html?lang=zh-CN"))
    wait_ready(page)
    page.evaluate("window.glasslabI18n.ready")
    assert page.text_content("#model-summary").startswith("输入")
    page.evaluate("window.glasslab.ortDone()")
    assert page.text_content("#ort-diff").startswith("一致")
    assert page.text_content("#pg-reason").startswith("输出")
    page.evaluate("window.glasslab.openDetail(1, 0)")
    assert "卷积" in page.text_content("#detail-title")
    assert HAN.search(page.text_content("#detail-text"))
    strings = page.evaluate(VISIBLE_STRINGS)
    assert not raw_keys(strings), raw_keys(strings)
    # switching with the dialog open re-builds it in English
    page.evaluate("window.glasslabI18n.setLang('en')")
    page.wait_for_function(
        "document.getElementById('detail-title').textContent.endsWith('convolution')"
    )
    assert page.text_content("#ort-diff").startswith("agree")
    assert page.text_content("#model-summary").startswith("input")
