"""CNN explainer page wiring: model and image life cycle, overview, detail views, ORT check.

The numbers come from ``glasslab.cnn`` (forward pass, preprocessing, explain) and
``glasslab.cnn_view`` (colour ranges, column images, playground formula); drawing and
DOM building are in ``site/js/cnn-view.js``, which this module feeds with RGBA arrays
(painted in bulk) and small JSON payloads.
"""

from __future__ import annotations

import asyncio
import json
import time
import traceback
from urllib.parse import parse_qsl

import js
import numpy as np
from pyodide.ffi import JsException, to_js
from pyodide.http import pyfetch

from glasslab import cnn_view, colour
from glasslab.cnn import explain, preprocess
from glasslab.cnn.model import SequentialCNN
from glasslab.cnn_view import fmt
from glasslab.web import bridge
from glasslab.web.i18n import Text, on_change, t

MODEL_URL = "tinyvgg.onnx"
SAMPLES_URL = "samples/index.json"
DEFAULT_MODEL = "TinyVGG"
MIN_SIDE = 8  # smaller images are refused: there is nothing to see in them
MAX_FILE_BYTES = 64 * 1024 * 1024


class UserError(ValueError):
    """Bad input from the user: shown as a message, the page keeps what it had."""


def _u8(data: bytes):
    arr = js.Uint8Array.new(len(data))
    arr.assign(data)
    return arr


def _js(value):
    return to_js(value, dict_converter=js.Object.fromEntries)


def _window_geom(layer) -> dict:
    """Kernel size, strides and top/left padding of a conv or pool layer, for the cell view."""
    kh, kw = layer.kernel_size
    sh, sw = layer.strides
    return {"kh": kh, "kw": kw, "sh": sh, "sw": sw, "pt": layer.pads[0], "pl": layer.pads[1]}


def parse_labels(text: str) -> list[str]:
    """Class names from a JSON list or one name per line."""
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            names = json.loads(text)
        except ValueError as exc:
            raise UserError(Text("cnn.error.labels_json", detail=exc)) from None
        if not isinstance(names, list):
            raise UserError(Text("cnn.error.labels_list"))
        return [str(n) for n in names]
    return [line.strip() for line in text.splitlines() if line.strip()]


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
        self.view = js.window.glasslabCnnView
        self.doc = js.document
        self.lock = asyncio.Lock()
        self.scale_mode = "module"
        self.message = None
        self.message_kind = None
        self.gen = 0  # bumped on every image or model change
        self.ort_max_diff = None
        self.ort_status = "waiting"
        self.ort_task = None
        self.ort_loaded = None  # asyncio.Future: ORT session of the current model
        self.render_ms = None
        self.samples: list[dict] = []
        self.model = None
        self.model_bytes = b""
        self.model_name = ""
        self.pixels = None
        self.image_name = ""
        self.detail = None
        self.focus = (0, 0)
        self.lut_act = cnn_view.Lut(colour.RED_BLUE)
        self.lut_weight = cnn_view.Lut(colour.BROWN_GREEN)
        self.lut_prob = cnn_view.Lut(colour.ORANGES)
        self.canvases: dict[int, bridge.CanvasImage] = {}
        self.legend = bridge.CanvasImage(bridge.element("legend-bar"))
        self.preview = None
        self._message_source = None
        self._ort_text = ""
        self._summary = ""

    # ------------------------------------------------------------------ start

    async def start(self) -> None:
        samples_raw, model_bytes = await asyncio.gather(
            fetch_bytes(SAMPLES_URL), fetch_bytes(MODEL_URL)
        )
        self.samples = json.loads(samples_raw)
        self._build_samples()
        model = SequentialCNN.from_bytes(model_bytes)
        self._set_model(model, model_bytes, DEFAULT_MODEL)
        wanted = dict(parse_qsl(str(js.location.search).lstrip("?"))).get("sample")
        chosen = next((s for s in self.samples if s["file"] == wanted), None)
        first = chosen or self._default_samples()[0]
        if chosen and chosen not in self._default_samples():
            bridge.element("opt-more").checked = True  # an extra sample: show it selected
            bridge.element("samples").classList.add("show-more")
        await self._load_image_url(f"samples/{first['file']}", first["file"])
        if wanted and chosen is None:
            self.show_message(Text("cnn.msg.sample_unknown", name=repr(wanted)))
        self._wire()
        self.playground_check(7, 0, 3, 1)
        self.view.playground()
        bridge.mark_ready()

    def _default_samples(self) -> list[dict]:
        seen, out = set(), []
        for s in self.samples:
            if s["class"] not in seen:
                seen.add(s["class"])
                out.append(s)
        return out

    def _build_samples(self) -> None:
        box = bridge.element("samples")
        box.replaceChildren()
        first = {s["file"] for s in self._default_samples()}
        for s in self.samples:
            button = self.doc.createElement("button")
            button.type = "button"
            button.className = "sample" + ("" if s["file"] in first else " extra")
            button.setAttribute("aria-label", t("cnn.sample.aria", name=s["class"], file=s["file"]))
            button.title = s["class"]
            button.dataset.file = s["file"]
            img = self.doc.createElement("img")
            img.src = f"samples/{s['file']}"
            img.alt = ""
            img.width = 44
            img.height = 44
            button.appendChild(img)
            button.addEventListener("click", bridge.proxy(self._on_sample(s["file"])))
            box.appendChild(button)

    def _on_sample(self, file: str):
        def handler(_event=None):
            asyncio.ensure_future(self._guard(self._load_image_url(f"samples/{file}", file)))

        return handler

    def _wire(self) -> None:
        v = self.view
        v.onFocus = bridge.proxy(self.on_focus)
        v.onPick = bridge.proxy(self.on_pick)
        v.onCell = bridge.proxy(self.on_cell)
        v.onPlayground = bridge.proxy(self.playground_check)
        v.onFile = bridge.proxy(self.on_file)

        def on_scale(_e=None):
            self.set_scale(str(bridge.element("opt-scale").value))

        bridge.element("opt-scale").addEventListener("change", bridge.proxy(on_scale))

        def on_shapes(_e=None):
            on = bool(bridge.element("opt-shapes").checked)
            self.doc.querySelector(".overview-panel").classList.toggle("show-shapes", on)
            self.view.redrawFocus()

        bridge.element("opt-shapes").addEventListener("change", bridge.proxy(on_shapes))

        def on_more(_e=None):
            on = bool(bridge.element("opt-more").checked)
            bridge.element("samples").classList.toggle("show-more", on)

        bridge.element("opt-more").addEventListener("change", bridge.proxy(on_more))

        def on_back(_e=None):
            asyncio.ensure_future(self._guard(self.load_model_url(MODEL_URL, DEFAULT_MODEL)))

        bridge.element("btn-tinyvgg").addEventListener("click", bridge.proxy(on_back))

        def on_labels(_e=None):
            self._run_sync(lambda: self.apply_labels(str(bridge.element("labels-text").value)))

        bridge.element("btn-labels").addEventListener("click", bridge.proxy(on_labels))

    def relabel(self) -> None:
        """Set every text this module wrote again, in the language just chosen."""
        for button in self.doc.querySelectorAll("#samples .sample"):
            button.setAttribute(
                "aria-label",
                t("cnn.sample.aria", name=button.title, file=button.dataset.file),
            )
        if self.model is None:
            return
        bridge.set_text("model-summary", str(self._summary))
        bridge.set_text("ort-diff", str(self._ort_text))
        if self._message_source is not None:
            self.show_message(self._message_source, self.message_kind)
        if getattr(self, "x", None) is not None:
            self.on_focus(*self.focus)
            if self.detail is not None and bool(bridge.element("detail").open):
                self._run_sync(lambda: self.open_detail(*self.detail["pick"]))

    # ------------------------------------------------------------------ messages

    def show_message(self, text, kind: str = "error") -> None:
        """Show ``text`` (a string or an ``i18n.Text``, shown again on a language switch)."""
        self._message_source = text
        self.message, self.message_kind = str(text), kind
        box = bridge.element("cnn-message")
        box.textContent = self.message
        box.className = f"message {kind}"
        box.hidden = False

    def clear_message(self) -> None:
        self.message = self.message_kind = None
        self._message_source = None
        bridge.element("cnn-message").hidden = True

    async def _guard(self, coro):
        """Run a user action: UserError becomes the message, anything else too (with a
        traceback in the console); the page keeps its previous image and model."""
        try:
            async with self.lock:
                return await coro
        except UserError as exc:
            self.show_message(str(exc))
        except Exception as exc:  # a bug or an engine limit: say so, keep going
            traceback.print_exception(exc)
            self.show_message(Text("cnn.msg.wrong", detail=f"{type(exc).__name__}: {exc}"))
        return None

    def _run_sync(self, fn):
        try:
            return fn()
        except UserError as exc:
            self.show_message(str(exc))
        except Exception as exc:
            traceback.print_exception(exc)
            self.show_message(Text("cnn.msg.wrong", detail=f"{type(exc).__name__}: {exc}"))
        return None

    # ------------------------------------------------------------------ images

    async def _load_image_url(self, url: str, name: str) -> None:
        data = await fetch_bytes(url)
        await self.set_image_bytes(name, data)

    async def set_image_bytes(self, name: str, data: bytes) -> None:
        if len(data) > MAX_FILE_BYTES:
            raise UserError(Text("cnn.error.image_large", name=name, bytes=f"{len(data):,}"))
        fmt_name, problem = cnn_view.sniff_image(data)
        if problem:
            raise UserError(Text("cnn.error.image_bad", name=name, detail=problem))
        try:
            decoded = await self.view.decodeImage(_u8(data))
        except JsException:
            raise UserError(
                Text("cnn.error.image_decode", name=name, format=fmt_name.upper())
            ) from None
        w, h = int(decoded.width), int(decoded.height)
        if min(w, h) < MIN_SIDE:
            raise UserError(Text("cnn.error.image_small", name=name, w=w, h=h, min=MIN_SIDE))
        pixels = np.empty(w * h * 4, np.uint8)
        decoded.pixels.assign_to(pixels)
        pixels = pixels.reshape(h, w, 4)
        x = self._prepare(pixels, self.model)
        self.pixels, self.image_name = pixels, name
        self.clear_message()
        self._set_input(x)

    @staticmethod
    def _prepare(pixels: np.ndarray, model: SequentialCNN) -> np.ndarray:
        h, w, c = model.input_shape
        try:
            return preprocess.prepare(pixels, (h, w), c)
        except ValueError as exc:
            raise UserError(Text("cnn.error.prepare", detail=exc)) from None

    def _set_input(self, x: np.ndarray) -> None:
        t0 = time.perf_counter()
        self.x = x
        self.acts = self.model.forward(x)
        self.probs = self.model.probabilities(self.acts)
        self.gen += 1
        self.render()
        self.render_ms = (time.perf_counter() - t0) * 1000
        self._mark_selected()
        if self.detail is not None and bool(bridge.element("detail").open):
            self.open_detail(*self.detail["pick"])
        self._schedule_ort()

    async def benchmark(self, runs: int) -> dict:
        """Medians over ``runs`` on the current image (for bench/): the NumPy forward pass
        with every activation, image change to every view redrawn, and ONNX Runtime Web's
        run of the same ONNX file (with all layers as outputs)."""
        runs = max(1, min(runs, 1000))
        forward, redraw = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            self.model.forward(self.x)
            forward.append((time.perf_counter() - t0) * 1000)
        for _ in range(runs):
            self._set_input(self.x)
            redraw.append(self.render_ms)
        await asyncio.wait([self.ort_task])
        inp = self.model.to_onnx_input(self.x)
        data = js.Float32Array.new(inp.size)
        data.assign(inp.reshape(-1))
        ort = await self.view.ortBenchmark(
            self.model.input_name, data, to_js(list(inp.shape)), runs
        )
        return {
            "runs": runs,
            "numpy_forward_ms": float(np.median(forward)),
            "redraw_ms": float(np.median(redraw)),
            "ort_ms": float(ort),
        }

    def _mark_selected(self) -> None:
        for button in self.doc.querySelectorAll("#samples .sample"):
            button.classList.toggle("selected", button.dataset.file == self.image_name)

    # ------------------------------------------------------------------ model

    def _set_model(self, model: SequentialCNN, data: bytes, name: str) -> None:
        self.model, self.model_bytes, self.model_name = model, data, name
        self.labels = list(model.labels)
        self.col_layers = cnn_view.overview_columns(
            [la.kind for la in model.layers], [la.shape for la in model.layers]
        )
        kinds = [la.kind for la in model.layers]
        blocks = cnn_view.modules(kinds)
        self.col_blocks = [blocks[i] for i in self.col_layers]
        self.detail = None
        self._build_layout()
        h, w, c = model.input_shape
        preview = bridge.element("input-preview")
        preview.width, preview.height = w, h
        self.preview = bridge.CanvasImage(preview)
        loop = asyncio.get_event_loop()
        self.ort_loaded = loop.create_future()
        self.ort_max_diff = None
        self.ort_status = "loading"
        self._set_ort_text(Text("cnn.ort.loading"))
        asyncio.ensure_future(self._ort_load(data, self.ort_loaded))
        bridge.set_text("model-name", name)
        bridge.set_text("model-title", name)
        convs = sum(1 for la in model.layers if la.kind == "conv")
        params = sum(
            (la.kernel.size + la.bias.size) for la in model.layers if la.kernel is not None
        )
        self._summary = Text(
            "cnn.model.summary",
            h=h,
            w=w,
            c=c,
            layers=len(model.layers),
            convs=convs,
            params=f"{params:,}",
            classes=len(self.labels),
        )
        bridge.set_text("model-summary", str(self._summary))
        bridge.element("labels-text").value = "\n".join(self.labels)

    def _build_layout(self) -> None:
        m = self.model
        columns = []
        h, w, c = m.input_shape
        counts = [c] + [m.layers[i].shape[2] for i in self.col_layers]
        most = max(counts)
        gap = 6 if most <= 16 else 2
        tile = cnn_view.tile_size(most, gap=gap)
        self.tile, self.gap = tile, gap
        self.focus = (0, 0)
        columns.append(self._column("input", "input", (h, w, c), tile, gap))
        for i in self.col_layers:
            la = m.layers[i]
            columns.append(self._column(la.name, la.kind, la.shape, tile, gap))
        last = m.layers[-1]
        layout = {"columns": columns, "classes": self.labels, "outputName": last.name}
        self.view.buildOverview(json.dumps(layout))
        self.canvases = {
            k: bridge.CanvasImage(bridge.element(f"col-{k}")) for k in range(len(columns))
        }

    @staticmethod
    def _column(name, kind, shape, tile, gap) -> dict:
        h, w, c = shape
        return {
            "name": name,
            "kind": kind,
            "shapeText": f"{h}×{w}×{c}",
            "channels": int(c),
            "tile": tile,
            "gap": gap,
            "height": c * (tile + gap) - gap,
        }

    async def load_model_bytes(self, name: str, data: bytes) -> None:
        try:
            model = SequentialCNN.from_bytes(data)
        except ValueError as exc:
            raise UserError(Text("cnn.error.model_unusable", name=name, detail=exc)) from None
        h, w, c = model.input_shape
        if c not in (1, 3):
            raise UserError(Text("cnn.error.model_channels", name=name, c=c))
        x = self._prepare(self.pixels, model)
        try:
            model.forward(x)
        except (ValueError, MemoryError) as exc:
            raise UserError(Text("cnn.error.model_run", name=name, detail=exc)) from None
        self._set_model(model, data, name)
        self.clear_message()
        self._set_input(x)

    async def load_model_url(self, url: str, name: str | None = None) -> None:
        data = await fetch_bytes(url)
        await self.load_model_bytes(name or url.rsplit("/", 1)[-1], data)

    def apply_labels(self, text: str) -> None:
        names = parse_labels(text)
        n = self.model.layers[-1].shape[0]
        if len(names) != n:
            raise UserError(Text("cnn.error.labels_count", n=n, given=len(names)))
        self.labels = names
        self.detail = None
        self._build_layout()
        self.render()
        bridge.element("labels-text").value = "\n".join(names)
        self.show_message(Text("cnn.msg.labels_applied", names=", ".join(names[:12])), "info")

    # ------------------------------------------------------------------ rendering

    def column_limits(self) -> list[np.ndarray]:
        acts = [self.acts[self.model.layers[i].name] for i in self.col_layers]
        return cnn_view.limits(acts, self.col_blocks, self.scale_mode)

    def render(self) -> None:
        m = self.model
        self.limits = self.column_limits()
        self.canvases[0].paint(cnn_view.input_image(self.x, self.tile, self.gap))
        for k, (i, lim) in enumerate(zip(self.col_layers, self.limits, strict=True), start=1):
            act = self.acts[m.layers[i].name]
            self.canvases[k].paint(
                cnn_view.column_image(act, lim, self.lut_act, self.tile, self.gap)
            )
        x = self.x
        if x.shape[2] == 1:
            x = np.repeat(x, 3, axis=2)
        rgba = np.empty(x.shape[:2] + (4,), np.uint8)
        rgba[:, :, :3] = np.rint(np.clip(x, 0, 1) * 255)
        rgba[:, :, 3] = 255
        self.preview.paint(rgba)
        probs = [float(p) for p in self.probs]
        top = int(np.argmax(self.probs))
        self.view.setProbabilities(to_js(probs), top)
        bridge.set_text("image-name", self.image_name)
        bridge.set_text("prediction", f"{self.labels[top]} ({100 * probs[top]:.1f}%)")
        self.on_focus(*self.focus)

    def set_scale(self, mode: str) -> None:
        if mode not in cnn_view.SCALE_MODES:
            raise UserError(Text("cnn.error.scale", mode=repr(mode)))
        self.scale_mode = mode
        bridge.element("opt-scale").value = mode
        self.render()

    def on_focus(self, col, ch) -> None:
        col, ch = int(col), int(ch)
        self.focus = (col, ch)
        ncols = len(self.col_layers) + 1
        if col == 0:
            tint = cnn_view.INPUT_TINTS.get(self.x.shape[2], ((255, 255, 255),))[ch % 3]
            ramp = np.linspace(0, 1, 257)[:, None]
            bar = np.empty((1, 257, 4), np.uint8)
            bar[0, :, :3] = np.rint(ramp * np.asarray(tint))
            bar[0, :, 3] = 255
            self.legend.paint(bar)
            ticks = [{"value": v, "position": v, "label": f"{v:g}", "hex": ""} for v in (0, 0.5, 1)]
            title = t("cnn.legend.input", ch=ch)
            text = t("cnn.focus.input", ch=ch, h=self.x.shape[0], w=self.x.shape[1])
        elif col >= ncols:
            self.legend.paint(self.lut_prob.table[None])
            ticks = self.lut_prob.ticks(0.0, 1.0, 5)
            title = t("cnn.legend.probability")
            p = float(self.probs[ch]) if ch < len(self.probs) else 0.0
            name = self.labels[ch] if ch < len(self.labels) else ""
            text = t("cnn.focus.class", ch=ch, name=name, p=fmt(p))
        else:
            lim = float(self.limits[col - 1][ch])
            self.legend.paint(self.lut_act.table[None])
            ticks = self.lut_act.ticks(-lim, lim, 5)
            scope = {
                "unit": t("cnn.scope.unit"),
                "module": t("cnn.scope.module", n=self.col_blocks[col - 1] + 1),
                "global": t("cnn.scope.global"),
            }[self.scale_mode]
            title = t("cnn.legend.activation", scope=scope)
            la = self.model.layers[self.col_layers[col - 1]]
            a = self.acts[la.name][:, :, ch]
            kinds = {
                "conv": t("cnn.kind.conv"),
                "relu": t("cnn.kind.relu"),
                "maxpool": t("cnn.kind.maxpool"),
            }
            text = t(
                "cnn.focus.neuron",
                layer=la.name,
                kind=kinds.get(la.kind, la.kind),
                ch=ch,
                h=la.shape[0],
                w=la.shape[1],
                min=fmt(a.min(), 3),
                max=fmt(a.max(), 3),
            )
        self.view.setLegend(json.dumps({"title": title, "ticks": ticks}))
        self.view.setFocusText(text)

    # ------------------------------------------------------------------ ONNX Runtime

    def _set_ort_text(self, text) -> None:
        self._ort_text = text  # a string or an i18n.Text, shown again on a language switch
        bridge.set_text("ort-diff", str(text))

    async def _ort_load(self, data: bytes, future) -> None:
        try:
            ok = await self.view.ortLoad(_u8(data))
        except Exception as exc:
            if not future.done():
                future.set_exception(RuntimeError(str(exc)))
            return
        if not future.done():
            future.set_result(bool(ok))

    def _schedule_ort(self) -> None:
        self.ort_max_diff = None
        self.ort_status = "running"
        self.ort_task = asyncio.ensure_future(self._ort_check(self.gen, self.ort_loaded))

    async def _ort_check(self, gen: int, loaded) -> None:
        try:
            await loaded
        except Exception as exc:
            if gen == self.gen:
                self.ort_status = "failed"
                self._set_ort_text(Text("cnn.ort.load_failed", detail=exc))
            return
        if gen != self.gen:
            return
        model, acts = self.model, self.acts
        inp = model.to_onnx_input(self.x)
        data = js.Float32Array.new(inp.size)
        data.assign(inp.reshape(-1))
        try:
            result = await self.view.ortRun(model.input_name, data, to_js(list(inp.shape)))
        except Exception as exc:
            if gen == self.gen:
                self.ort_status = "failed"
                self._set_ort_text(Text("cnn.ort.run_failed", detail=exc))
            return
        if gen != self.gen:
            return
        names = list(result.names.to_py())
        dims = result.dims.to_py()
        known = set(model.layer_names)
        worst, compared = 0.0, 0
        for k, name in enumerate(names):
            if name not in known:
                continue
            shape = [int(d) for d in dims[k]]
            out = np.empty(int(np.prod(shape)), np.float32)
            result.data[k].assign_to(out)
            ours = acts[name]
            theirs = model.to_hwc(name, out.reshape(shape))
            if theirs.shape != ours.shape:
                continue
            worst = max(worst, float(np.max(np.abs(theirs - ours))))
            compared += 1
        if compared == 0:
            self.ort_status = "no comparable outputs"
            self._set_ort_text(Text("cnn.ort.no_outputs"))
            return
        self.ort_max_diff = worst
        self.ort_status = "agree" if worst <= 1e-4 else "differ"
        self._set_ort_text(
            Text(
                ("cnn.ort.agree" if worst <= 1e-4 else "cnn.ort.differ")
                + ("" if compared == 1 else "_n"),
                diff=f"{worst:.2e}",
                n=compared,
            )
        )

    # ------------------------------------------------------------------ detail views

    def on_pick(self, col, ch) -> None:
        self._run_sync(lambda: self.open_detail(int(col), int(ch)))

    def _paint(self, canvas_id: str, rgba: np.ndarray) -> None:
        bridge.CanvasImage(bridge.element(canvas_id)).paint(rgba)

    def _map(self, values: np.ndarray, lim: float, lut=None) -> np.ndarray:
        lut = lut or self.lut_act
        return lut.colours(values, -lim, lim)

    def open_detail(self, col: int, ch: int) -> None:
        ncols = len(self.col_layers) + 1
        if col >= ncols:
            payload, paints = self._detail_output(ch)
        elif col == 0:
            payload, paints = self._detail_input(ch)
        else:
            layer = self.model.layers[self.col_layers[col - 1]]
            payload, paints = {
                "conv": self._detail_conv,
                "relu": self._detail_relu,
                "maxpool": self._detail_maxpool,
            }[layer.kind](layer, ch)
        self.detail = {"pick": (col, ch), **payload["_meta"]}
        del payload["_meta"]
        self.view.showDetail(json.dumps(payload))
        for canvas_id, rgba in paints:
            self._paint(canvas_id, rgba)

    def _spec(self, cid, values_shape, caption="", grid=None, display=96, scale=None, channel=None):
        spec = {
            "id": cid,
            "h": int(values_shape[0]),
            "w": int(values_shape[1]),
            "caption": caption,
            "display": display,
            "label": caption,
        }
        if grid:
            spec["grid"] = grid
        if scale:
            spec["scale"] = scale
        if channel is not None:
            spec["channel"] = channel
        return spec

    def _layer_input(self, layer):
        return explain.layer_input(self.model, self.x, self.acts, layer.name)

    def _detail_conv(self, layer, ch):
        x = self._layer_input(layer)
        res = explain.explain_conv(self.model, self.x, self.acts, layer.name, ch)
        cin = x.shape[2]
        kh, kw = layer.kernel_size
        lim_in = float(colour.abs_max(x)) or 1.0
        lim_mid = float(colour.abs_max(res["maps"], res["output"])) or 1.0
        lim_k = float(colour.abs_max(res["kernel"])) or 1.0
        paints, rows = [], []
        in_name = "input" if self.model.layer_index(layer.name) == 0 else layer.input
        for i in range(cin):
            paints.append((f"det-in-{i}", self._map(x[:, :, i], lim_in)))
            paints.append((f"det-k-{i}", self._map(res["kernel"][:, :, i], lim_k, self.lut_weight)))
            paints.append((f"det-mid-{i}", self._map(res["maps"][i], lim_mid)))
            rows.append(
                [
                    self._spec(
                        f"det-in-{i}",
                        x.shape,
                        t("cnn.detail.channel_of", name=in_name, i=i),
                        "input",
                        display=128,
                        channel=i,
                    ),
                    "⊛",
                    self._spec(f"det-k-{i}", (kh, kw), t("cnn.detail.kernel", i=i), display=54),
                    "=",
                    self._spec(
                        f"det-mid-{i}",
                        res["maps"][i].shape,
                        t("cnn.detail.map", i=i),
                        "output",
                        display=128,
                        channel=i,
                    ),
                ]
            )
        out = res["output"]
        paints.append(("det-out", self._map(out, lim_mid)))
        sum_row = [
            t("cnn.detail.sum_maps", n=cin),
            {"text": fmt(res["bias"]), "id": "detail-bias"},
            "=",
            self._spec(
                "det-out",
                out.shape,
                t("cnn.detail.neuron_of", name=layer.name, ch=ch),
                "output",
                display=160,
            ),
        ]
        r0, c0 = np.unravel_index(int(np.argmax(out)), out.shape)
        payload = {
            "kind": "conv",
            "title": t("cnn.detail.title.conv", name=layer.name, ch=ch),
            "text": t("cnn.detail.text.conv"),
            "blocks": [
                {"heading": t("cnn.detail.per_channel"), "class": "channels", "rows": rows},
                {"heading": t("cnn.detail.sum_bias"), "rows": [sum_row]},
                {"heading": t("cnn.detail.one_output_cell"), "slot": "cell-slot"},
            ],
            "cell": [int(r0), int(c0)],
            "outShape": list(out.shape),
            "geom": _window_geom(layer),
            "_meta": {
                "kind": "conv",
                "layer": layer.name,
                "channel": ch,
                "cin": cin,
                "lim_in": lim_in,
                "lim_k": lim_k,
                "focus_in": 0,
            },
        }
        return payload, paints

    def _before_after_blocks(self, layer, ch, x, y, operation: str) -> list[dict]:
        """The detail blocks of an elementwise or window layer: input map, operation, output
        map, then the slot where one cell is worked out."""

        def spec(slot, array, name, role):
            return self._spec(slot, array.shape, f"{name} · neuron {ch}", role, display=200)

        return [
            {
                "heading": t("cnn.detail.before_after"),
                "rows": [
                    [
                        spec("det-in-0", x, layer.input, "input"),
                        operation,
                        spec("det-out", y, layer.name, "output"),
                    ]
                ],
            },
            {"heading": t("cnn.detail.one_cell"), "slot": "cell-slot"},
        ]

    def _detail_relu(self, layer, ch):
        x = self._layer_input(layer)[:, :, ch]
        y = self.acts[layer.name][:, :, ch]
        lim = float(colour.abs_max(x)) or 1.0
        paints = [("det-in-0", self._map(x, lim)), ("det-out", self._map(y, lim))]
        r0, c0 = np.unravel_index(int(np.argmin(x)), x.shape)
        payload = {
            "kind": "relu",
            "title": t("cnn.detail.title.relu", name=layer.name, ch=ch),
            "text": t("cnn.detail.text.relu"),
            "blocks": self._before_after_blocks(layer, ch, x, y, "max(0, x) →"),
            "cell": [int(r0), int(c0)],
            "outShape": list(y.shape),
            "geom": {"kh": 1, "kw": 1, "sh": 1, "sw": 1, "pt": 0, "pl": 0},
            "_meta": {"kind": "relu", "layer": layer.name, "channel": ch, "lim": lim},
        }
        return payload, paints

    def _detail_maxpool(self, layer, ch):
        x = self._layer_input(layer)[:, :, ch]
        y = self.acts[layer.name][:, :, ch]
        lim = float(colour.abs_max(x)) or 1.0
        paints = [("det-in-0", self._map(x, lim)), ("det-out", self._map(y, lim))]
        kh, kw = layer.kernel_size
        r0, c0 = np.unravel_index(int(np.argmax(y)), y.shape)
        payload = {
            "kind": "maxpool",
            "title": t("cnn.detail.title.maxpool", name=layer.name, ch=ch, kh=kh, kw=kw),
            "text": t("cnn.detail.text.maxpool"),
            "blocks": self._before_after_blocks(
                layer, ch, x, y, t("cnn.detail.max_over", kh=kh, kw=kw)
            ),
            "cell": [int(r0), int(c0)],
            "outShape": list(y.shape),
            "geom": _window_geom(layer),
            "_meta": {"kind": "maxpool", "layer": layer.name, "channel": ch, "lim": lim},
        }
        return payload, paints

    def _detail_input(self, ch):
        x = self.x[:, :, ch]
        tint = cnn_view.INPUT_TINTS.get(self.x.shape[2], ((255, 255, 255),))[ch % 3]
        rgba = np.empty(x.shape + (4,), np.uint8)
        rgba[:, :, :3] = np.rint(np.clip(x, 0, 1)[:, :, None] * np.asarray(tint))
        rgba[:, :, 3] = 255
        payload = {
            "kind": "input",
            "title": t("cnn.detail.title.input", ch=ch),
            "text": t("cnn.detail.text.input"),
            "blocks": [
                {
                    "rows": [
                        [
                            self._spec(
                                "det-out",
                                x.shape,
                                t("cnn.detail.channel", ch=ch),
                                "output",
                                display=256,
                            )
                        ]
                    ]
                },
                {"heading": t("cnn.detail.one_pixel"), "slot": "cell-slot"},
            ],
            "cell": [0, 0],
            "outShape": list(x.shape),
            "_meta": {"kind": "input", "layer": "input", "channel": ch},
        }
        return payload, [("det-out", rgba)]

    def _detail_output(self, k):
        m = self.model
        res = explain.explain_output(m, self.x, self.acts)
        v = np.asarray(res["inputs"], np.float32)
        paints, blocks = [], []
        name = self.labels[k]
        if "weight" in res:
            w = np.asarray(res["weight"][:, k], np.float32)
            prod = v * w
            maps = self._as_maps(m, v.size)
            lim_v = float(colour.abs_max(v)) or 1.0
            lim_w = float(colour.abs_max(w)) or 1.0
            lim_p = float(colour.abs_max(prod)) or 1.0
            rows = []
            for label, vec, lim, lut, cid in (
                (t("cnn.detail.features"), v, lim_v, self.lut_act, "det-v"),
                (t("cnn.detail.weights_to", name=name), w, lim_w, self.lut_weight, "det-w"),
                (t("cnn.detail.products"), prod, lim_p, self.lut_act, "det-p"),
            ):
                img = self._strip(vec, maps, lim, lut)
                paints.append((cid, img))
                rows.append(
                    [
                        self._spec(
                            cid,
                            img.shape,
                            label,
                            display=img.shape[1] * 3,
                            scale=3 if img.shape[1] <= 260 else 1,
                        )
                    ]
                )
            blocks.append(
                {
                    "heading": t("cnn.detail.features_weights", name=name),
                    "rows": rows,
                    "note": t("cnn.detail.features_note", n=v.size),
                }
            )
            blocks.append(
                {
                    "heading": t("cnn.detail.logit"),
                    "rows": [
                        [
                            t("cnn.detail.sum_products"),
                            {"text": fmt(float(prod.astype(np.float64).sum())), "id": "sm-sum"},
                            t("cnn.detail.plus_bias"),
                            {"text": fmt(float(res["bias"][k])), "id": "sm-bias"},
                            "=",
                            {
                                "text": fmt(float(res["logits"][k])),
                                "id": "sm-logit",
                                "class": "big",
                            },
                        ]
                    ],
                }
            )
        logits, exps, probs = res["logits"], res["exp"], res["probabilities"]
        lo, hi = float(np.min(logits)), float(np.max(logits))
        table_rows = []
        for j in range(len(logits)):
            bg = self.lut_prob.hex(logits[j], lo, hi)
            table_rows.append(
                {
                    "class": "sel" if j == k else "",
                    "cells": [
                        self.labels[j] if j < len(self.labels) else t("cnn.detail.class", j=j),
                        {
                            "text": fmt(logits[j]),
                            "bg": bg,
                            "fg": self.lut_prob.text_colour(logits[j], lo, hi),
                            "id": f"sm-logit-{j}",
                        },
                        {"text": fmt(exps[j], 6), "id": f"sm-exp-{j}"},
                        {"text": fmt(probs[j], 6), "id": f"sm-prob-{j}"},
                    ],
                }
            )
        table_rows.append(
            {
                "class": "total",
                "cells": [
                    t("cnn.detail.total"),
                    "",
                    {"text": fmt(res["sum"], 6), "id": "sm-exp-sum"},
                    fmt(1.0, 6),
                ],
            }
        )
        blocks.append(
            {
                "heading": "Softmax",
                "note": t("cnn.detail.softmax_note", max=fmt(res["max"])),
                "table": {
                    "head": [
                        t("cnn.detail.head.class"),
                        "logit",
                        "exp(logit − max)",
                        t("cnn.detail.head.probability"),
                    ],
                    "rows": table_rows,
                    "rowHeads": True,
                    "id": "softmax-table",
                },
            }
        )
        payload = {
            "kind": "output",
            "title": t("cnn.detail.title.output", k=k, name=name),
            "text": t("cnn.detail.text.output"),
            "blocks": blocks,
            "_meta": {"kind": "output", "layer": m.layers[-1].name, "channel": k},
        }
        return payload, paints

    def _as_maps(self, m, n):
        """Shape (H, W, C) and axis order that turn the flattened vector back into maps."""
        for la in m.layers:
            if la.kind == "flatten" and la.shape[0] == n and len(la.input_shape) == 3:
                return la
        return None

    def _strip(self, vec, flat_layer, lim, lut):
        if flat_layer is not None and flat_layer.axes is not None:
            h, w, c = flat_layer.input_shape
            dims = {"H": h, "W": w, "C": c}
            arr = vec.reshape([dims[a] for a in flat_layer.axes])
            hwc = arr.transpose([flat_layer.axes.index(a) for a in "HWC"])
            tiles = lut.colours(np.moveaxis(hwc, 2, 0), -lim, lim)  # (C, H, W, 4)
            gap = np.zeros((c, h, 1, 4), np.uint8)
            row = np.concatenate([tiles, gap], axis=2).transpose(1, 0, 2, 3)
            return np.ascontiguousarray(row.reshape(h, c * (w + 1), 4)[:, :-1])
        width = 64
        rows = -(-vec.size // width)
        padded = np.full(rows * width, np.nan, np.float32)
        padded[: vec.size] = vec
        img = lut.colours(padded.reshape(rows, width), -lim, lim)
        img[np.isnan(padded.reshape(rows, width))] = 0
        return img

    def on_cell(self, r, c, channel=None):
        try:
            info = self.cell_info(int(r), int(c), None if channel is None else int(channel))
        except (IndexError, ValueError):
            return "null"
        return json.dumps(info)

    def cell_info(self, r: int, c: int, channel: int | None = None) -> dict | None:
        d = self.detail
        if d is None:
            return None
        kind = d["kind"]
        m = self.model
        num = lambda v, i=None, cls="": {"text": fmt(v), "id": i, "class": cls}  # noqa: E731
        if kind == "conv":
            layer = m.layer(d["layer"])
            if channel is not None:
                d["focus_in"] = channel
            cell = explain.explain_conv_cell(m, self.x, self.acts, layer.name, d["channel"], r, c)
            orr, occ = cell["origin"]
            kh, kw = layer.kernel_size
            windows = [[f"det-in-{i}", orr, occ, kh, kw] for i in range(d["cin"])]
            windows += [[f"det-mid-{i}", r, c, 1, 1] for i in range(d["cin"])]
            windows.append(["det-out", r, c, 1, 1])
            i = min(d["focus_in"], d["cin"] - 1)
            lim_k = d["lim_k"]
            lim_in = d["lim_in"]

            def grid(a, lut, lim, prefix):
                return {
                    "rows": [
                        {
                            "cells": [
                                {
                                    "text": fmt(a[y, x]),
                                    "bg": lut.hex(a[y, x], -lim, lim),
                                    "fg": lut.text_colour(a[y, x], -lim, lim),
                                    "id": f"{prefix}-{y}-{x}",
                                }
                                for x in range(a.shape[1])
                            ]
                        }
                        for y in range(a.shape[0])
                    ]
                }

            lim_p = float(colour.abs_max(cell["products"][i])) or 1.0
            sums = [
                {
                    "cells": [
                        t("cnn.detail.channel", ch=j),
                        {"text": fmt(s), "id": f"cell-ch-{j}"},
                    ],
                    "class": "sel" if j == i else "",
                }
                for j, s in enumerate(cell["channel_sums"])
            ]
            blocks = [
                {
                    "heading": t("cnn.cell.conv", r=r, c=c, i=i),
                    "note": t("cnn.cell.conv_note"),
                    "class": "wide",
                },
            ]
            payload_tables = [
                (
                    t("cnn.cell.window"),
                    grid(cell["window"][i], self.lut_act, lim_in, "cell-win"),
                ),
                (
                    t("cnn.cell.kernel"),
                    grid(cell["kernel"][i], self.lut_weight, lim_k, "cell-k"),
                ),
                (
                    t("cnn.detail.products"),
                    grid(cell["products"][i], self.lut_act, lim_p, "cell-prod"),
                ),
            ]
            blocks += [
                {"heading": title, "class": "mini", "table": table}
                for title, table in payload_tables
            ]
            blocks.append(
                {
                    "heading": t("cnn.cell.sum_channels"),
                    "class": "sums",
                    "table": {"rows": sums, "rowHeads": True},
                }
            )
            blocks.append(
                {
                    "rows": [
                        [
                            "Σ",
                            num(cell["sum"], "cell-sum"),
                            t("cnn.detail.plus_bias"),
                            num(cell["bias"], "cell-bias"),
                            "=",
                            num(cell["value"], "cell-value", "big"),
                        ]
                    ]
                }
            )
        elif kind == "relu":
            cell = explain.explain_relu_cell(m, self.x, self.acts, d["layer"], d["channel"], r, c)
            windows = [["det-in-0", r, c, 1, 1], ["det-out", r, c, 1, 1]]
            blocks = [
                {
                    "heading": t("cnn.cell.at", r=r, c=c),
                    "rows": [
                        [
                            "max(0,",
                            num(cell["input"], "cell-input"),
                            ") =",
                            num(cell["output"], "cell-value", "big"),
                        ]
                    ],
                }
            ]
        elif kind == "maxpool":
            layer = m.layer(d["layer"])
            cell = explain.explain_maxpool_cell(
                m, self.x, self.acts, layer.name, d["channel"], r, c
            )
            orr, occ = cell["origin"]
            kh, kw = layer.kernel_size
            windows = [["det-in-0", orr, occ, kh, kw], ["det-out", r, c, 1, 1]]
            win = cell["window"]
            ar, ac = cell["argmax"]
            lim = d["lim"]
            rows = [
                {
                    "cells": [
                        {
                            "text": fmt(win[y, x]),
                            "bg": self.lut_act.hex(win[y, x], -lim, lim),
                            "fg": self.lut_act.text_colour(win[y, x], -lim, lim),
                            "class": "max" if (y, x) == (ar, ac) else "",
                            "id": f"cell-win-{y}-{x}",
                        }
                        for x in range(win.shape[1])
                    ]
                }
                for y in range(win.shape[0])
            ]
            blocks = [
                {
                    "heading": t("cnn.cell.pool", r=r, c=c, ir=orr, ic=occ),
                    "class": "mini",
                    "table": {"rows": rows},
                },
                {"rows": [["max =", num(cell["value"], "cell-value", "big")]]},
            ]
        elif kind == "input":
            v = float(self.x[r, c, d["channel"]])
            windows = [["det-out", r, c, 1, 1]]
            blocks = [
                {
                    "heading": t("cnn.cell.pixel", r=r, c=c),
                    "rows": [[t("cnn.cell.pixel_value"), num(v, "cell-value", "big")]],
                }
            ]
        else:
            return None
        d["cell"] = (r, c)
        return {"r": r, "c": c, "windows": windows, "blocks": blocks}

    def set_cell(self, r: int, c: int) -> dict | None:
        """Move the detail view to cell (r, c) (for tests and scripts)."""
        self.view.stopAnimation()
        self.view.updateCell(int(r), int(c))
        return self.state()

    # ------------------------------------------------------------------ playground

    def playground_check(self, n, p, k, s) -> str:
        return json.dumps(cnn_view.conv_output_size(int(n), int(p), int(k), int(s)))

    # ------------------------------------------------------------------ user files

    def on_file(self, kind, name, data):
        kind, name = str(kind), str(name)
        raw = data.to_bytes()
        if kind == "image":
            return asyncio.ensure_future(self._guard(self.set_image_bytes(name, raw)))
        if kind == "model":
            return asyncio.ensure_future(self._guard(self.load_model_bytes(name, raw)))
        if kind == "labels":
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                self.show_message(Text("cnn.error.labels_utf8", name=name))
                return None
            bridge.element("labels-text").value = text
            return self._run_sync(lambda: self.apply_labels(text))
        return None

    # ------------------------------------------------------------------ window.glasslab

    def state(self) -> dict:
        probs = [float(p) for p in self.probs] if self.model is not None else []
        top = int(np.argmax(self.probs)) if probs else None
        detail = None
        if self.detail is not None and bool(bridge.element("detail").open):
            detail = {
                "kind": self.detail["kind"],
                "layer": self.detail["layer"],
                "channel": self.detail["channel"],
                "cell": list(self.detail.get("cell") or []) or None,
            }
        return {
            "page": "cnn",
            "ready": js.document.documentElement.dataset.ready == "true",
            "image": self.image_name,
            "label": self.labels[top] if top is not None else None,
            "top": top,
            "probabilities": probs,
            "classes": list(self.labels),
            "model": self.model_name,
            "input_shape": list(self.model.input_shape) if self.model else None,
            "layers": [la.name for la in self.model.layers] if self.model else [],
            "columns": ["input"] + [self.model.layers[i].name for i in self.col_layers],
            "ort_max_diff": self.ort_max_diff,
            "ort_status": self.ort_status,
            "scale": self.scale_mode,
            "focus": list(self.focus),
            "detail": detail,
            "message": self.message,
            "message_kind": self.message_kind,
            "render_ms": self.render_ms,
        }

    def expose(self) -> None:
        bridge.expose("state", self.state)

        async def classify(url):
            await self._guard(self._load_image_url(str(url), str(url).rsplit("/", 1)[-1]))
            return _js(self.state())

        async def load_model(url):
            await self._guard(self.load_model_url(str(url)))
            return _js(self.state())

        async def ort_done():
            task = self.ort_task
            if task is not None:
                await asyncio.wait([task])
            return _js(self.state())

        def open_detail(col, ch):
            self._run_sync(lambda: self.open_detail(int(col), int(ch)))
            return _js(self.state())

        def set_scale(mode):
            self._run_sync(lambda: self.set_scale(str(mode)))
            return _js(self.state())

        bridge.expose("classify", classify)
        bridge.expose("loadModel", load_model)
        bridge.expose("ortDone", ort_done)
        bridge.expose("openDetail", open_detail)
        bridge.expose("setCell", lambda r, c: _js(self.set_cell(int(r), int(c))))
        bridge.expose("closeDetail", lambda: self.view.closeDetail())
        bridge.expose("setScale", set_scale)

        async def benchmark(runs=50):
            return _js(await self.benchmark(int(runs)))

        bridge.expose("benchmark", benchmark)


async def main() -> None:
    page = CnnPage()
    page.expose()
    on_change(page.relabel)
    await page.start()
