// ONNX Runtime Web: runs the same ONNX file as the NumPy forward pass, as the reference.

let ortModule = null;
let session = null;
let generation = 0;

async function lib() {
  if (!ortModule) {
    const base = new URL("vendor/ort/", document.baseURI).href;
    ortModule = await import(base + "ort.wasm.min.mjs");
    ortModule.env.wasm.wasmPaths = base;
    ortModule.env.wasm.numThreads = 1;
    ortModule.env.wasm.proxy = false;
  }
  return ortModule;
}

/** A session of the model bytes; false when a newer load overtook this one. */
export async function load(bytes) {
  const mine = ++generation;
  const ort = await lib();
  const created = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
  if (mine !== generation) return false;
  if (session) session.release().catch(() => {});
  session = created;
  return true;
}

function feeds(ort, inputName, data, dims) {
  return { [inputName]: new ort.Tensor("float32", Float32Array.from(data), Array.from(dims)) };
}

/** Run the current session: {names, dims, data} of its float32 outputs. */
export async function run(inputName, data, dims) {
  const ort = await lib();
  const current = session;
  if (!current) throw new Error("ONNX Runtime has no model");
  const out = await current.run(feeds(ort, inputName, data, dims));
  const names = [], shapes = [], arrays = [];
  for (const name of current.outputNames) {
    const t = out[name];
    if (!t || t.type !== "float32") continue;
    names.push(name); shapes.push(Array.from(t.dims)); arrays.push(t.data);
  }
  return { names, dims: shapes, data: arrays };
}

/** Median milliseconds of `runs` runs of the current session (for bench/). */
export async function benchmark(inputName, data, dims, runs) {
  const ort = await lib();
  const input = feeds(ort, inputName, data, dims);
  await session.run(input);  // warm-up
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await session.run(input);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
