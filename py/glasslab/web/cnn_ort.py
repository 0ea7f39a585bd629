"""CNN page: ONNX Runtime Web runs the same model, compared with NumPy's activations."""

from __future__ import annotations

import asyncio

import numpy as np

from glasslab.cnn import compare
from glasslab.web import bridge
from glasslab.web.cnn_detail import onnx_input, u8


class OrtCheck:
    """Loads each model into the runner and compares its layers after each image change."""

    def __init__(self, runner, panel) -> None:
        self.runner, self.panel = runner, panel
        self.status, self.max_diff = "waiting", None
        self.task = self.loaded = None  # loaded: the Task loading the current model
        self.gen = 0

    def show(self, key: str, **params) -> None:
        self.panel.ort(bridge.to_js({"key": key, "params": params}))

    def load(self, data: bytes) -> None:
        self.loaded = asyncio.ensure_future(self.runner.load(u8(data)))  # awaited by each check
        self.max_diff, self.status = None, "loading"
        self.show("cnn.ort.loading")

    def schedule(self, model, x, acts) -> None:
        self.gen += 1
        self.max_diff, self.status = None, "running"
        self.task = asyncio.ensure_future(self._check(self.gen, self.loaded, model, x, acts))

    async def _check(self, gen: int, loaded, model, x, acts) -> None:
        step = "cnn.ort.load_failed"
        try:
            await loaded
            if gen != self.gen:
                return
            step = "cnn.ort.run_failed"
            result = await self.runner.run(model.input_name, *onnx_input(model, x))
        except Exception as exc:
            if gen == self.gen:
                self.status = "failed"
                self.show(step, detail=str(exc))
            return
        if gen != self.gen:
            return
        outputs = []
        for name, dims, data in zip(result.names, result.dims, result.data, strict=True):
            out = np.empty(int(np.prod(list(dims))), np.float32)
            data.assign_to(out)
            outputs.append((str(name), out.reshape([int(d) for d in dims])))
        worst, compared = compare.max_difference(model, acts, outputs)
        self.status, key, params = compare.verdict(worst, compared)
        self.max_diff = worst if compared else None
        self.show(key, **params)

    async def benchmark(self, model, x, runs: int) -> float:
        if self.task is not None:
            await asyncio.wait([self.task])
        return float(await self.runner.benchmark(model.input_name, *onnx_input(model, x), runs))
