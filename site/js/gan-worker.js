// GAN lab: training in a worker, so the page's thread is left to drawing.
//
// Run as a module worker, this file loads a second Pyodide from the site's own files
// (vendor/pyodide/, the wheels of its lock file: numpy, glasslab) and trains with
// glasslab.gan.handoff.Trainer: "start" brings a pickled lab (bytes, transferred), then it
// trains in chunks of a few ms, yielding between them by a MessageChannel ping (a timeout
// would wait 4 ms), and posts a report at most every 12 ms: G's and D's parameters in one
// Float64Array and the state bytes (both transferred), counters, losses, rate, divergence.
// "stop" ends training (the page keeps the lab of the newest report it got); "hold" and
// "go" stop and resume it while the page is hidden.
//
// Imported by the page, createTrainer() is the page's port to that worker
// (glasslab.gan.handoff.Offload): begin() starts the worker (once), then `ready` /
// `failed`, start(generation, packed), stop(), take() (the newest report, or undefined).
// Plain postMessage with transferable buffers: no SharedArrayBuffer, no special headers.

const IN_WORKER = typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope;

export function createTrainer() {
  let worker = null, latest;
  const port = {
    ready: false,
    failed: false,
    wasmBytes: 0, // the worker's Pyodide heap, as it last said
    begin() {
      if (worker || port.failed) return;
      try {
        // "?worker": the same file as a worker (the service worker ignores the query)
        worker = new Worker(new URL("./gan-worker.js?worker", import.meta.url), { type: "module" });
      } catch (error) { fail(error); return; }
      worker.onmessage = ({ data }) => {
        if (data.type === "ready") port.ready = true;
        else if (data.type === "report") {
          // a report not taken yet is replaced, but the snapshots it brought are kept
          if (latest) data.earlier = [...(latest.earlier ?? []), latest.snapshots];
          latest = data; port.wasmBytes = data.wasm_bytes;
        }
        else if (data.type === "error") fail(data.error);
      };
      worker.onerror = (event) => { event.preventDefault(); fail(event.message || "worker error"); };
      worker.onmessageerror = () => fail("a message from the worker could not be read");
      // a hidden page draws no frames: the worker holds too (as training on the page would)
      document.addEventListener("visibilitychange", () => {
        if (!port.failed) worker.postMessage({ type: document.hidden ? "hold" : "go" });
      });
    },
    /** `packed`: the lab's bytes (a Python bytes object: copied out, then transferred). */
    start(generation, packed) {
      latest = undefined;
      try {
        const bytes = (packed.toJs ? packed.toJs() : packed).slice();
        worker.postMessage({ type: "start", generation, packed: bytes }, [bytes.buffer]);
      } catch (error) { fail(error); }
    },
    stop() { latest = undefined; if (worker) worker.postMessage({ type: "stop" }); },
    take() { const report = latest; latest = undefined; return report; },
  };
  function fail(error) {
    if (port.failed) return;
    port.failed = true; port.ready = false;
    console.warn("GAN training stays on the page: its worker failed:", String(error));
    if (worker) worker.terminate();
  }
  return port;
}

if (IN_WORKER) runWorker();

function runWorker() {
  let handoff = null, trainer = null, generation = 0, pyodide = null, held = false;
  const pending = [];  // messages that came before Python was ready
  const ping = new MessageChannel();
  ping.port1.onmessage = train;

  function train() {
    if (!trainer || held) return;
    let due;
    try { due = trainer.run(); } catch (error) { failed(error); return; }
    if (due) report();
    if (trainer && !stopped()) ping.port2.postMessage(0);
  }
  function stopped() { return trainer.diverged !== undefined && trainer.diverged !== null; }
  function report() {
    const proxy = trainer.report();
    const r = proxy.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
    proxy.destroy();
    // own buffers, to transfer
    const params = r.params.slice(), state = r.state.slice(), snapshots = r.snapshots.slice();
    const wasm_bytes = pyodide._module.HEAP8.length;
    self.postMessage(
      { ...r, type: "report", generation, params, state, snapshots, wasm_bytes },
      [params.buffer, state.buffer, snapshots.buffer],
    );
    if (r.diverged) stop();
  }
  function stop() { if (trainer) { trainer.destroy(); trainer = null; } }
  function failed(error) { stop(); self.postMessage({ type: "error", error: String(error) }); }
  function handle(data) {
    if (data.type === "stop") stop();
    else if (data.type === "hold") held = true;
    else if (data.type === "go") { if (held && trainer) ping.port2.postMessage(0); held = false; }
    else if (data.type === "start") {
      stop();
      generation = data.generation;
      try { trainer = handoff.Trainer(data.packed); } catch (error) { failed(error); return; }
      ping.port2.postMessage(0);
    }
  }
  self.onmessage = ({ data }) => (handoff ? handle(data) : pending.push(data));

  (async () => {
    try {
      const { loadPyodide } = await import("../vendor/pyodide/pyodide.mjs");
      pyodide = await loadPyodide({
        indexURL: new URL("../vendor/pyodide/", import.meta.url).href,
        packages: ["numpy", "glasslab"],
      });
      handoff = pyodide.pyimport("glasslab.gan.handoff");
    } catch (error) { failed(error); return; }
    self.postMessage({ type: "ready" });
    for (const data of pending.splice(0)) handle(data);
  })();
}
