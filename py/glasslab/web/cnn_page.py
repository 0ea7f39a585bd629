"""CNN explainer page: image and model life cycle, overview, ``window.glasslab``; the
views (``site/js/cnn/``) get plain data and typed arrays from ``glasslab.cnn``."""

from __future__ import annotations

import asyncio
import json
import time

import js
import numpy as np
from pyodide.ffi import JsException
from pyodide.http import pyfetch

from glasslab import checks
from glasslab.cnn import columns, detail, kernels, page_checks, page_data, saliency, scores
from glasslab.cnn import view as cnn_view
from glasslab.cnn.model import SequentialCNN
from glasslab.web import bridge
from glasslab.web.bridge import UserError
from glasslab.web.cnn_detail import DetailGlue, float32, u8
from glasslab.web.cnn_ort import OrtCheck
from glasslab.web.i18n import Text, on_change
from glasslab.web.live import LivePanels, cnn_session

MODEL_URL = "tinyvgg.onnx"
SAMPLES_URL = "samples/index.json"
DEFAULT_MODEL = "TinyVGG"


async def fetch_bytes(url: str) -> bytes:
    try:
        response = await pyfetch(url)
    except Exception as exc:  # network error
        raise UserError(Text("cnn.error.fetch", url=url, detail=exc)) from None
    if not response.ok:
        raise UserError(Text("cnn.error.fetch_http", url=url, status=response.status))
    return await response.bytes()


class CnnPage:
    def __init__(self) -> None:
        self.views = js.window.glasslabCnnView
        self.lock, self.messages = asyncio.Lock(), bridge.MessageBox()
        self.scale_mode, self.model_name, self.image_name = "module", "", ""
        self.model = self.x = self.acts = self.probs = self.logits = self.limits = None
        self.temperature = scores.DEFAULT_TEMPERATURE
        self.pixels = self.preview = self.render_ms = None
        self.labels, self.col_layers, self.col_blocks = [], [], []
        self.luts = page_data.page_luts()
        self.lut_act, self.lut_prob = self.luts["activation"], self.luts["probability"]
        self.canvases: dict[int, bridge.CanvasImage] = {}
        self.detail = DetailGlue(self.views.detail)
        self.ort = OrtCheck(self.views.ort, self.views.model)

    def connect(self) -> None:
        """Register the page object the views call, and hand over the colour tables."""
        calls = {
            "focus": lambda col, ch: bridge.to_js(columns.focus_info(int(col), int(ch), self)),
            "values": lambda col, ch: float32(detail.neuron_map(self, int(col), int(ch))),
            "file": self.on_file,
            "playground": lambda *npks: bridge.to_js(cnn_view.conv_output_size(*npks)),
            "labels": self.apply_labels,
            "defaultModel": lambda: self._later(self.load_model_url(MODEL_URL, DEFAULT_MODEL)),
        }
        page, tables = js.Object.new(), js.Object.new()
        for name, fn in calls.items():
            setattr(page, name, bridge.proxy(fn))
        for name, lut in self.luts.items():
            setattr(tables, name, u8(np.ascontiguousarray(lut.table).tobytes()))
        self.views.connect(page)
        self.views.setLuts(tables)
        self.live = LivePanels(
            cnn_session(), self.messages, lambda: self.x is None or self._set_input(self.x)
        )

    async def start(self) -> None:
        self.connect()
        samples_raw, model_bytes = await asyncio.gather(
            fetch_bytes(SAMPLES_URL), fetch_bytes(MODEL_URL)
        )
        samples = json.loads(samples_raw)
        wanted = bridge.url_params().get("sample")
        first, chosen, file = page_data.sample_choice(samples, wanted)
        self.views.input.setSamples(bridge.to_js(samples), bridge.to_js(first), chosen)
        self._set_model(SequentialCNN.from_bytes(model_bytes), model_bytes, DEFAULT_MODEL)
        await self._load_image_url(f"samples/{file}", file)
        if wanted and chosen is None:
            self.messages.show(Text("cnn.msg.sample_unknown", name=repr(wanted)))
        self.views.playground.update()
        bridge.mark_ready()

    async def _locked(self, coro, answer: bool = False):
        """One action at a time; ``answer``: resolve with ``state()`` (a handle call)."""
        async with self.lock:
            await coro
        return self.state() if answer else None

    def _later(self, coro):  # a view's action: its error is shown like a handle call's
        return asyncio.ensure_future(bridge.door(self._locked)(coro))

    def on_file(self, kind, name, data):
        kind, name = str(kind), str(name)
        page_checks.check_upload(kind, name, int(data.length))
        raw = data.to_bytes()
        if kind in ("image", "model"):
            load = self.set_image_bytes if kind == "image" else self.load_model_bytes
            return self._later(load(name, raw))
        self.apply_labels(page_checks.labels_text(name, raw))

    async def _load_image_url(self, url: str, name: str) -> None:
        await self.set_image_bytes(name, await fetch_bytes(url))

    async def set_image_bytes(self, name: str, data: bytes) -> None:
        fmt = page_checks.image_format(name, data).upper()
        try:
            decoded = await self.views.input.decode(u8(data))
        except JsException:
            raise UserError(Text("cnn.error.image_decode", name=name, format=fmt)) from None
        w, h = int(decoded.width), int(decoded.height)
        page_checks.check_size(name, w, h)
        pixels = np.empty((h, w, 4), np.uint8)
        decoded.pixels.assign_to(pixels.reshape(-1))
        self._set_input(page_checks.prepare(pixels, self.model), pixels, name)
        self.messages.clear()

    def _set_input(self, x: np.ndarray, pixels=None, name: str | None = None) -> None:
        t0 = time.perf_counter()
        self.acts, self.probs = page_checks.run(self.model, x, self.model_name)
        self.logits, self.probs = scores.class_scores(self.model, x, self.acts, self.temperature)
        self.x = x
        if pixels is not None:
            self.pixels, self.image_name = pixels, name
        self.render()
        self.render_ms = (time.perf_counter() - t0) * 1000
        self.detail.reopen(self)
        self.ort.schedule(self.model, x, self.acts)

    async def benchmark(self, runs=50) -> dict:
        """Median ms over ``runs``: NumPy forward pass, every view redrawn, ONNX Runtime."""
        runs = checks.whole_number("runs", runs, 1, 1000)
        numpy_ms = page_data.median_ms(lambda: self.model.forward(self.x), runs)
        redraw_ms = float(
            np.median([self._set_input(self.x) or self.render_ms for _ in range(runs)])
        )
        ort = await self.ort.benchmark(self.model, self.x, runs)
        return {"runs": runs, "numpy_forward_ms": numpy_ms, "redraw_ms": redraw_ms, "ort_ms": ort}

    def _set_model(self, model: SequentialCNN, data: bytes, name: str) -> None:
        self.model, self.model_name = model, name
        self.labels = list(model.labels)
        self.col_layers, self.col_blocks = columns.overview_blocks(model)
        self.detail.forget()
        self._build_layout()
        h, w, _c = model.input_shape
        self.preview = bridge.CanvasImage(self.views.input.preview(w, h))
        self.ort.load(data)
        summary = page_data.model_summary(model, self.labels)
        self.views.model.show(
            bridge.to_js({"name": name, "summary": summary, "labels": self.labels})
        )

    def _build_layout(self) -> None:
        layout = columns.column_layout(self.model, self.col_layers, self.labels)
        self.layout = layout["columns"]
        overview = self.views.overview
        overview.build(bridge.to_js(layout))
        self.canvases = {k: bridge.CanvasImage(overview.canvas(k)) for k in range(len(self.layout))}

    async def load_model_bytes(self, name: str, data: bytes) -> None:
        model, x = page_checks.load_model(name, data, self.pixels)
        self._set_model(model, data, name)
        self.messages.clear()
        if model.output_kind == "logits":  # the page applies softmax itself, and says so
            self.messages.show(Text("cnn.msg.softmax_applied", name=name), "info")
        self._set_input(x)

    async def load_model_url(self, url: str, name: str | None = None) -> None:
        data = await fetch_bytes(url)
        await self.load_model_bytes(name or url.rsplit("/", 1)[-1], data)

    def apply_labels(self, text) -> None:
        self.labels = names = page_checks.class_names(str(text), self.model)
        self.detail.forget()
        self._build_layout()
        self.render()
        self.views.model.setLabels("\n".join(names))
        self.messages.show(Text("cnn.msg.labels_applied", names=", ".join(names[:12])), "info")

    def render(self) -> None:
        m = self.model
        acts = [self.acts[m.layers[i].name] for i in self.col_layers]
        self.limits = columns.column_limits(acts, self.col_blocks, self.scale_mode)
        first = self.layout[0]
        self.canvases[0].paint(cnn_view.input_image(self.x, first["tile"], first["gap"]))
        pictures = columns.column_images(acts, self.limits, self.lut_act, self.layout[1:])
        for k, picture in enumerate(pictures, start=1):
            self.canvases[k].paint(picture)
        self.preview.paint(page_data.preview_image(self.x))
        top = int(np.argmax(self.probs))
        self.views.overview.setProbabilities(bridge.to_js([float(p) for p in self.probs]), top)
        label = {"image": self.image_name, "label": self.labels[top], "p": float(self.probs[top])}
        self.views.input.show(bridge.to_js(label))
        self.views.overview.showFocus(bridge.to_js(columns.focus_info(*self._focus(), self)))

    def configure(self, params) -> None:
        t = self.temperature = scores.read_settings(params).get("temperature", self.temperature)
        self.logits, self.probs = scores.class_scores(self.model, self.x, self.acts, t)
        self.render()

    def _focus(self) -> tuple[int, ...]:
        return tuple(int(v) for v in self.views.overview.focus().to_py())

    def set_scale(self, mode: str) -> None:
        self.scale_mode = page_checks.scale_mode(mode)
        self.views.overview.setScale(mode)
        self.render()

    def state(self) -> dict:
        scored = scores.score_state(self.logits, self.temperature) | self.live.session.state()
        return scored | page_data.page_state(
            self,
            ready=js.document.documentElement.dataset.ready == "true",
            focus=self._focus() if self.model else (0, 0),
            detail_state=self.detail.state(),
            message=self.messages.text,
            message_kind=self.messages.kind,
            ort_max_diff=self.ort.max_diff,
            ort_status=self.ort.status,
        )

    def expose(self) -> None:
        def later(coro):  # a handle call that resolves with state() once every view is redrawn
            return self._locked(coro, answer=True)

        def now(fn):
            return lambda *args: fn(*args) or self.state()

        async def ort_done():
            if self.ort.task is not None:
                await asyncio.wait([self.ort.task])
            return self.state()

        def classify(url):
            url = checks.url_text("url", url)
            return later(self._load_image_url(url, url.rsplit("/", 1)[-1]))

        def open_detail(col, ch):
            col = checks.whole_number("column", col, 0, len(self.col_layers) + 1)
            ch = checks.whole_number("channel", ch, 0, 10**6)
            with checks.refusing("cnn.error.open", ValueError, IndexError, KeyError):
                self.detail.open(self, col, ch)

        bridge.expose("state", self.state)
        bridge.expose("classify", classify)
        bridge.expose(
            "loadModel", lambda url: later(self.load_model_url(checks.url_text("url", url)))
        )
        bridge.expose("ortDone", ort_done)
        bridge.expose("openDetail", now(open_detail))
        bridge.expose("setCell", now(self.detail.set_cell))
        bridge.expose("closeDetail", lambda: self.views.detail.close())
        bridge.expose("open", lambda *lk: later(self.detail.open_layer(self, *lk)))
        bridge.expose("close", lambda: self.views.detail.close())
        bridge.expose("setScale", now(lambda mode: self.set_scale(mode)))
        bridge.expose("set", now(self.configure))
        bridge.expose(
            "saliency", lambda k, how: saliency.saliency(self.model, self.x, self.acts, k, how)
        )
        bridge.expose("convolve", lambda kernel: kernels.convolve(kernel, self.x))
        bridge.expose("benchmark", self.benchmark)


async def main() -> None:
    page = CnnPage()
    page.expose()
    on_change(page.messages.relabel)
    await page.start()
