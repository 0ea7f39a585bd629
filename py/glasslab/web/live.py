"""Live code and exercise panels: ``glasslab.live.session`` wired to ``site/js/live/``."""

from __future__ import annotations

import js

from glasslab.live.pages import cnn_session, gan_session  # noqa: F401 (the pages' sessions)
from glasslab.live.session import CHANGES, CodeFailed
from glasslab.web import bridge
from glasslab.web.i18n import Text


class LivePanels:
    """``after()`` runs the page again with the code now in place (may raise CodeFailed)."""

    def __init__(self, session, messages, after=lambda: None, calls=None) -> None:
        self.session, self.messages, self.after = session, messages, after
        session.from_url(bridge.url_params())
        page = js.Object.new()
        for name, fn in {**session.calls(), **(calls or {})}.items():
            setattr(page, name, bridge.proxy(lambda *a, n=name, f=fn: self.call(n, f, *a)))
        js.window.glasslabLive.start(page)

    def call(self, name, fn, *args):
        result = fn(*[a.to_py() if hasattr(a, "to_py") else a for a in args])
        if name in CHANGES and result.get("ok"):
            bridge.write_url(self.session.url(bridge.url_params()))
            result = self.session.rerun(self.after, self.failed)
        return bridge.to_js(result)

    def failed(self, exc: CodeFailed) -> None:
        """An edited function failed: say where (the page pauses, the original runs)."""
        self.messages.show(Text("live.msg.failed", **exc.to_dict()))
        js.window.glasslabLive.failed(bridge.to_js(exc.to_dict()))
