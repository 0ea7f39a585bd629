// GAN lab: the model overview diagram (#graph) and the slow-motion text (#stage-text).
// Python says which stage of which network runs; this module knows which nodes and
// edges that lights up and how the sentence reads.
import { $, tr } from "./dom.js";

// Which nodes and edges each training stage lights up ("gradients" and "update" per network).
const STAGES = {
  "sample": ["node-noise", "node-real", "edge-noise-gen", "node-gen", "edge-gen-fake", "node-fake"],
  "classify": ["edge-fake-disc", "edge-real-disc", "node-disc", "edge-disc-pred", "node-pred"],
  "loss": ["edge-pred-loss", "node-loss"],
  "gradients-d": ["edge-grad-disc", "node-disc"],
  "update-d": ["node-disc"],
  "gradients-g": ["edge-grad-gen", "node-disc", "node-gen"],
  "update-g": ["node-gen"],
};

export function createGraph() {
  const graph = {};
  /** Light up the parts of stage `name` of network `net` ("d" or "g"); null: none. */
  graph.highlight = function (name, net) {
    document.querySelectorAll("#graph .lit").forEach((node) => node.classList.remove("lit"));
    const key = name === "gradients" || name === "update" ? `${name}-${net}` : name;
    for (const id of STAGES[key] || []) $(id)?.classList.add("lit");
  };
  graph.setFlowing = function (on) {
    $("graph")?.classList.toggle("flowing", on);
  };
  /** The networks' shapes: {generator: "2-8-8-2", discriminator, noise_dim, noise_dist}. */
  graph.shapes = function (shape) {
    $("graph-gen-shape").textContent = shape.generator;
    $("graph-disc-shape").textContent = shape.discriminator;
    $("graph-noise-dim").textContent = tr("gan.graph.noise_dim", {
      dim: shape.noise_dim, dist: tr(`gan.noise.${shape.noise_dist}`),
    });
  };
  graph.loss = function (d, g) {
    $("graph-loss").textContent = `D ${d} · G ${g}`;
  };
  /** The slow-motion sentence: {net, index, count, name} of the stage shown, or "off". */
  graph.stageText = function (shown) {
    const box = $("stage-text");
    if (shown === "off") { box.textContent = tr("gan.stage.off"); return; }
    box.textContent = tr("gan.stage.line", {
      who: tr(shown.net === "d" ? "gan.who.d" : "gan.who.g"),
      index: shown.index,
      count: shown.count,
      stage: tr(`gan.stage.name.${shown.name}`),
      text: tr(`gan.stage.${shown.net}.${shown.name}`),
    });
  };
  return graph;
}
