"""CNN page: ONNX Runtime Web runs the same model as the reference (``site/js/cnn/ort.js``)."""

from __future__ import annotations

import asyncio

import numpy as np

from glasslab.cnn import compare
from glasslab.web import bridge
from glasslab.web.cnn_detail import onnx_input, u8


class OrtCheck:
    """Loads each model into ONNX Runtime Web and compares every layer it returns with
    NumPy's activations after each image change (``status``, ``max_diff``)."""

    def __init__(self, runner, panel) -> None:
        self.runner, self.panel = runner, panel
        self.status = "waiting"
        self.max_diff = None
        self.task = None
        self.loaded = None  # asyncio.Future: the ORT session of the current model
        self.gen = 0

    def show(self, key: str, **params) -> None:
        self.panel.ort(bridge.to_js({"key": key, "params": params}))

    def load(self, data: bytes) -> None:
        self.loaded = asyncio.get_event_loop().create_future()
        self.max_diff, self.status = None, "loading"
        self.show("cnn.ort.loading")
        asyncio.ensure_future(self._load(data, self.loaded))

    async def _load(self, data: bytes, future) -> None:
        try:
            ok = await self.runner.load(u8(data))
        except Exception as exc:
            if not future.done():
                future.set_exception(RuntimeError(str(exc)))
            return
        if not future.done():
            future.set_result(bool(ok))

    def schedule(self, model, x, acts) -> None:
        self.gen += 1
        self.max_diff, self.status = None, "running"
        self.task = asyncio.ensure_future(self._check(self.gen, self.loaded, model, x, acts))

    async def _check(self, gen: int, loaded, model, x, acts) -> None:
        try:
            await loaded
        except Exception as exc:
            if gen == self.gen:
                self.status = "failed"
                self.show("cnn.ort.load_failed", detail=str(exc))
            return
        if gen != self.gen:
            return
        data, dims = onnx_input(model, x)
        try:
            result = await self.runner.run(model.input_name, data, dims)
        except Exception as exc:
            if gen == self.gen:
                self.status = "failed"
                self.show("cnn.ort.run_failed", detail=str(exc))
            return
        if gen != self.gen:
            return
        names, shapes = list(result.names.to_py()), result.dims.to_py()
        outputs = []
        for k, name in enumerate(names):
            shape = [int(d) for d in shapes[k]]
            out = np.empty(int(np.prod(shape)), np.float32)
            result.data[k].assign_to(out)
            outputs.append((name, out.reshape(shape)))
        worst, compared = compare.max_difference(model, acts, outputs)
        self.status, key, params = compare.verdict(worst, compared)
        self.max_diff = worst if compared else None
        self.show(key, **params)

    async def benchmark(self, model, x, runs: int) -> float:
        if self.task is not None:
            await asyncio.wait([self.task])
        data, dims = onnx_input(model, x)
        return float(await self.runner.benchmark(model.input_name, data, dims, runs))
