"""glasslab.cnn runs unchanged in Pyodide (Node, no browser) and gives the same numbers.

Needs Node, the npm package pyodide (node_modules/) and the Pyodide NumPy wheel from the
mirror folder; skipped with the reason when one is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
from glasslab.cnn.model import load
from glasslab.cnn.preprocess import prepare
from test_cnn_reference import LAYERS, ROOT, build_tinyvgg, mirror_dir, sample_images

NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"

SCRIPT = r"""
import json, sys, time
sys.path.insert(0, "/repo/py")
import numpy as np
from glasslab.cnn.model import load
from glasslab.cnn.preprocess import prepare
from glasslab.cnn import explain
from glasslab import colour

model = load("/work/tinyvgg.onnx")
pixels = np.load("/work/pixels.npy")
big = np.load("/work/big.npy")
image = prepare(pixels)
acts = model.forward(image)
np.savez("/work/pyodide_acts.npz", image=image, big=prepare(big),
         **{k: np.ascontiguousarray(v) for k, v in acts.items()})
cell = explain.explain_conv_cell(model, image, acts, "conv_1_2", 3, 7, 9)
times = []
for _ in range(60):
    t = time.perf_counter(); model.forward(image); times.append(time.perf_counter() - t)
times.sort()
json.dump({"median_ms": times[len(times) // 2] * 1e3, "cell": cell["value"],
           "rgba": colour.map_values(np.array([-1.0, 0, 1]), colour.RED_BLUE, -1, 1).tolist()},
          open("/work/pyodide_result.json", "w"))
"""

RUNNER = r"""
import { loadPyodide } from "%(index)s/pyodide.mjs";
import fs from "node:fs";
const py = await loadPyodide({ indexURL: "%(index)s/" });
await py.loadPackage("numpy", { messageCallback: () => {} });
py.FS.mkdirTree("/repo/py"); py.mountNodeFS("/repo/py", "%(py)s");
py.FS.mkdirTree("/work"); py.mountNodeFS("/work", "%(work)s");
await py.runPythonAsync(fs.readFileSync("%(work)s/script.py", "utf8"));
"""


@pytest.fixture(scope="module")
def pyodide_dir(tmp_path_factory):
    node = shutil.which("node")
    package = ROOT / "node_modules" / "pyodide"
    mirror = mirror_dir()
    wheel = mirror / "pyodide-0.27.7" / NUMPY_WHEEL if mirror else None
    if node is None:
        pytest.skip("node is not installed")
    if not (package / "pyodide.mjs").is_file():
        pytest.skip("node_modules/pyodide is missing (run npm ci)")
    if wheel is None or not wheel.is_file():
        pytest.skip("the Pyodide NumPy wheel is not in the mirror folder")
    index = tmp_path_factory.mktemp("pyodide")
    for item in package.iterdir():
        if item.is_file():
            shutil.copy(item, index / item.name)
    shutil.copy(wheel, index / NUMPY_WHEEL)
    return index


def test_forward_in_pyodide_matches_cpython(pyodide_dir, tmp_path_factory, tmp_path):
    folder = build_tinyvgg(tmp_path_factory.getbasetemp())
    shutil.copy(folder / "tinyvgg.onnx", tmp_path / "tinyvgg.onnx")
    _, _, pixels = sample_images(folder)[0]
    np.save(tmp_path / "pixels.npy", pixels)
    big = np.random.default_rng(3).integers(0, 256, (1000, 1500, 4), dtype=np.uint8)
    np.save(tmp_path / "big.npy", big)
    (tmp_path / "script.py").write_text(SCRIPT)
    runner = tmp_path / "run.mjs"
    runner.write_text(RUNNER % {"index": pyodide_dir, "py": ROOT / "py", "work": tmp_path})
    result = subprocess.run(
        ["node", str(runner)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]

    model = load(folder / "tinyvgg.onnx")
    image = prepare(pixels)
    acts = model.forward(image)
    got = np.load(tmp_path / "pyodide_acts.npz")
    np.testing.assert_array_equal(got["image"], image)
    np.testing.assert_allclose(got["big"], prepare(big), atol=1e-6)
    for name in LAYERS:
        assert got[name].shape == acts[name].shape
        assert np.abs(got[name] - acts[name]).max() <= 1e-5, name
    info = json.loads((tmp_path / "pyodide_result.json").read_text())
    assert info["cell"] == pytest.approx(float(acts["conv_1_2"][7, 9, 3]), abs=1e-5)
    assert info["rgba"][1] == [247, 247, 247, 255]
    print(f"Pyodide forward pass median: {info['median_ms']:.2f} ms")
