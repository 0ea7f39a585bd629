// Training speed of the GAN engine inside Pyodide (WebAssembly, no BLAS), run by Node.
//
//   node bench/gan_pyodide_node.mjs [--wheel NUMPY_WHEEL] [--iterations N] [--repeats R]
//
// Needs `npm install` (node_modules/pyodide) and the Pyodide NumPy wheel, by default
// $GLASSLAB_MIRROR/pyodide-0.27.7/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl.
// Copies nothing into the repository: Pyodide is pointed at a temporary folder
// holding links to its files and the wheel, and py/glasslab is written into
// Pyodide's in-memory file system. Prints the median iterations/s of the
// default workload (gaussians, G 2-8-8-2, D 2-8-8-1, batch 150, kD 2, kG 1, SGD).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const wheelName = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl";

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const mirror = process.env.GLASSLAB_MIRROR;
const wheel = option("wheel", mirror ? path.join(mirror, "pyodide-0.27.7", wheelName) : "");
const iterations = Number(option("iterations", "2000"));
const repeats = Number(option("repeats", "7"));
if (!wheel || !fs.existsSync(wheel)) {
  console.error(`NumPy wheel not found (${wheel || "set GLASSLAB_MIRROR or pass --wheel"})`);
  process.exit(2);
}

const pyodideDir = path.join(repo, "node_modules", "pyodide");
const indexDir = fs.mkdtempSync(path.join(os.tmpdir(), "glasslab-pyodide-"));
for (const name of fs.readdirSync(pyodideDir)) {
  fs.symlinkSync(path.join(pyodideDir, name), path.join(indexDir, name));
}
fs.symlinkSync(path.resolve(wheel), path.join(indexDir, wheelName));

try {
  const { loadPyodide } = await import(pathToFileURL(path.join(indexDir, "pyodide.mjs")).href);
  const py = await loadPyodide({ indexURL: indexDir + path.sep });
  await py.loadPackage("numpy", { messageCallback: () => {} });

  // Put the pure-Python core (glasslab/__init__.py, nn.py, gan/) into Pyodide's file system.
  const src = path.join(repo, "py", "glasslab");
  const copy = (rel) => {
    const from = path.join(src, rel);
    const to = `/bench/glasslab/${rel}`;
    if (fs.statSync(from).isDirectory()) {
      py.FS.mkdirTree(to);
      for (const name of fs.readdirSync(from)) {
        if (name !== "__pycache__") copy(path.join(rel, name));
      }
    } else {
      py.FS.writeFile(to, fs.readFileSync(from));
    }
  };
  py.FS.mkdirTree("/bench/glasslab");
  for (const rel of ["__init__.py", "nn.py", "gan"]) copy(rel);

  const result = py.runPython(`
import sys, time, statistics, json, platform
sys.path.insert(0, "/bench")
import numpy as np
from glasslab.gan import GanLab, Config

lab = GanLab(Config())
lab.train(200)  # warm up: allocate buffers
rates = []
for _ in range(${repeats}):
    t0 = time.perf_counter()
    lab.train(${iterations})
    rates.append(${iterations} / (time.perf_counter() - t0))
json.dumps({"median_its_per_s": statistics.median(rates), "runs": rates,
            "iterations_per_run": ${iterations}, "numpy": np.__version__,
            "python": platform.python_version()})
`);
  const data = JSON.parse(result);
  console.log(
    `Pyodide ${py.version} (Python ${data.python}, NumPy ${data.numpy}) in Node ${process.version}: ` +
      `median ${data.median_its_per_s.toFixed(0)} it/s over ${repeats} runs of ${iterations} iterations`,
  );
  console.log(JSON.stringify(data));
} finally {
  fs.rmSync(indexDir, { recursive: true, force: true });
}
