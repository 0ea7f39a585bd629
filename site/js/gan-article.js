// GAN lab: the article under the lab (<article data-article>, the embed panel "article"):
// what a GAN is, one training iteration, the losses as MathML, how to read each view and
// things to try, each with a button that sets the lab up through window.glasslab.set.
// Texts are catalogue keys (gan.article.*, rich text through data-i18n-html, so a language
// switch relabels them); formulas are language-free MathML built here. Every ⓘ of the
// page links to a paragraph id "gan-article-<name>".
import { $, el, tr } from "./dom.js";

const MATH = "http://www.w3.org/1998/Math/MathML";
const SVG = "http://www.w3.org/2000/svg";
const K = "gan.article.";

// Formulas in a small notation: tokens separated by spaces; "a_b" is a subscript, "^2"
// squares the token before it; numbers become <mn>, names <mi>, everything else <mo>.
const FORMULAS = {
  d_of_s: "D ( x ) = σ ( s ( x ) )",
  log_d: "L_D = − 𝔼_x [ log D ( x ) ] − 𝔼_z [ log ( 1 − D ( G ( z ) ) ) ]",
  log_g: "L_G = − 𝔼_z [ log D ( G ( z ) ) ]",
  sat_g: "L_G = 𝔼_z [ log ( 1 − D ( G ( z ) ) ) ]",
  lsq_d: "L_D = ½ 𝔼_x [ ( D ( x ) − 1 ) ^2 ] + ½ 𝔼_z [ D ( G ( z ) ) ^2 ]",
  lsq_g: "L_G = ½ 𝔼_z [ ( D ( G ( z ) ) − 1 ) ^2 ]",
  hinge_d: "L_D = 𝔼_x [ max ( 0 , 1 − s ( x ) ) ] + 𝔼_z [ max ( 0 , 1 + s ( G ( z ) ) ) ]",
  hinge_g: "L_G = − 𝔼_z [ s ( G ( z ) ) ]",
  w_d: "L_D = 𝔼_z [ s ( G ( z ) ) ] − 𝔼_x [ s ( x ) ]",
  w_g: "L_G = − 𝔼_z [ s ( G ( z ) ) ]",
  w_clip: "w ← min ( max ( w , − c ) , c )",
};

// Things to try: [key, [[button key, settings], ...]]; each button sets the lab up, resets
// it to a fresh model and starts training.
const TRIES = [
  ["collapse", [["button", { dataset: "disjoint", loss: "log", g_optimizer: "sgd", d_optimizer: "sgd",
    g_lr: 0.3, d_lr: 0.03, k_d: 1, k_g: 1 }]]],
  ["lr", [["button", { dataset: "gaussians", g_optimizer: "sgd", d_optimizer: "sgd", g_lr: 1, d_lr: 1, k_d: 1, k_g: 1 }]]],
  ["k", [["d_button", { dataset: "ring", k_d: 5, k_g: 1 }], ["g_button", { dataset: "ring", k_d: 1, k_g: 5 }]]],
  ["adam", [["sgd_button", { dataset: "ring", g_optimizer: "sgd", d_optimizer: "sgd", g_lr: 0.1, d_lr: 0.1 }],
    ["adam_button", { dataset: "ring", g_optimizer: "adam", d_optimizer: "adam", g_lr: 0.01, d_lr: 0.01 }]]],
  ["saturating", [["button", { dataset: "gaussians", loss: "log", k_d: 5, k_g: 1, d_lr: 0.1 }]]],
  ["critic", [["hinge_button", { dataset: "ring", loss: "hinge" }], ["wgan_button", { dataset: "ring", loss: "wasserstein" }]]],
];

function token(text) {
  const sub = text.match(/^(.+?)_(.+)$/);
  if (sub) return mathNode("msub", token(sub[1]), token(sub[2]));
  const sup = text.match(/^(.+?)\^(.+)$/);
  if (sup) return mathNode("msup", token(sup[1]), token(sup[2]));
  if (/^[0-9.½]+$/.test(text)) return mathNode("mn", text);
  if (/^[A-Za-z𝔼σ]+$/.test(text)) return mathNode("mi", text);
  return mathNode("mo", text);
}
function mathNode(tag, ...children) {
  const node = document.createElementNS(MATH, tag);
  for (const child of children) node.append(child);
  return node;
}
/** A block MathML formula from the notation above. */
export function formula(text) {
  const row = mathNode("mrow");
  for (const part of text.split(" ")) {
    if (part.startsWith("^") && row.lastChild) row.append(mathNode("msup", row.lastChild, token(part.slice(1))));
    else row.append(token(part));
  }
  const math = mathNode("math", row);
  math.setAttribute("display", "block");
  return math;
}

const rich = (tag, key, attrs = {}) => el(tag, { ...attrs, "data-i18n-html": K + key }, tr(K + key));

/** The two players: noise -> G -> fake, real, both -> D -> "real or fake?" (labels translated). */
function figure() {
  const box = el("figure", { class: "article-figure" });
  const pic = document.createElementNS(SVG, "svg");
  pic.setAttribute("viewBox", "0 0 360 120");
  pic.setAttribute("aria-hidden", "true");
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text) { node.textContent = tr(K + text); node.dataset.i18n = K + text; }
    pic.appendChild(node);
  };
  add("path", { d: "M60,30 L100,30 M170,30 L210,30 M250,42 L250,60 L190,75 M60,95 L120,95 M190,85 L230,85",
    class: "figure-edge" });
  for (const [x, y, w, cls, text] of [[8, 14, 52, "", "figure.noise"], [100, 12, 70, "fake", "figure.generator"],
    [210, 14, 80, "fake", "figure.fake"], [8, 79, 52, "real", "figure.real"],
    [120, 66, 70, "real", "figure.discriminator"], [230, 70, 122, "", "figure.verdict"]]) {
    add("rect", { x, y, width: w, height: 32, rx: 6, class: `figure-box ${cls}` });
    add("text", { x: x + w / 2, y: y + 20, class: "figure-text" }, text);
  }
  box.append(pic, rich("figcaption", "figure.caption"));
  return box;
}

export function createArticle() {
  const article = $("gan-article");
  if (!article) return null;
  const section = (name, ...children) => {
    const part = el("section", { "aria-labelledby": `gan-article-${name}` });
    part.append(el("h2", { id: `gan-article-${name}`, tabindex: "-1", "data-i18n": `${K}${name}.h` }, tr(`${K}${name}.h`)), ...children);
    return part;
  };
  const para = (key, id) => rich("p", key, id ? { id: `gan-article-${id}`, tabindex: "-1" } : {});
  const math = (...names) => {
    const box = el("div", { class: "formulas" });
    for (const name of names) box.appendChild(formula(FORMULAS[name]));
    return box;
  };
  const parts = el("dl", { class: "article-parts" });
  for (const name of ["noise", "generator", "fake", "real", "discriminator", "predictions", "loss"]) {
    parts.append(el("dt", { id: `gan-article-${name}`, tabindex: "-1", "data-i18n": `gan.graph.tip_title.${name}` },
      tr(`gan.graph.tip_title.${name}`)), rich("dd", `part.${name}`));
  }
  const tries = el("ul", { class: "article-tries" });
  for (const [name, buttons] of TRIES) {
    const item = el("li", { "data-try": name });
    item.appendChild(rich("p", `try.${name}`));
    const row = el("p", { class: "try-buttons" });
    for (const [label, settings] of buttons) {
      const button = el("button", { type: "button", "data-try-button": `${name}.${label}`, "data-i18n": `${K}try.${name}.${label}` },
        tr(`${K}try.${name}.${label}`));
      button.addEventListener("click", () => tryIt(settings));
      row.appendChild(button);
    }
    item.appendChild(row);
    tries.appendChild(item);
  }
  document.addEventListener("click", onInfo);
  article.append(
    el("h2", { id: "gan-article-title", class: "article-title", "data-i18n": `${K}title` }, tr(`${K}title`)),
    section("what", para("what.p1"), figure(), para("what.p2")),
    section("iteration", para("iteration.p1"), para("iteration.p2"), para("iteration.parts"), parts),
    section("losses", para("losses.intro"), math("d_of_s"), para("losses.log"), math("log_d", "log_g"),
      para("losses.saturating"), math("sat_g"), para("losses.lsq"), math("lsq_d", "lsq_g"),
      para("losses.hinge"), math("hinge_d", "hinge_g"), para("losses.wasserstein"), math("w_d", "w_g", "w_clip"),
      para("losses.critic")),
    section("reading", para("reading.canvas", "canvas"), para("reading.heatmap", "heatmap"),
      para("reading.manifold", "manifold"), para("reading.gradients", "gradients"),
      para("reading.charts", "charts"), para("reading.divergence", "divergence")),
    section("try", para("try.intro"), tries),
  );
  return article;
}

/** Every ⓘ of the page (a.info, href "#gan-article-<name>"): scroll its paragraph to the
 *  middle of the screen, focus it (keyboard users read on from there) and mark it. */
function onInfo(event) {
  const link = event.target.closest ? event.target.closest("a.info") : null;
  const id = link ? (link.getAttribute("href") || "").slice(1) : "";
  const target = id.startsWith("gan-article-") ? document.getElementById(id) : null;
  if (!target) return;
  event.preventDefault();
  history.replaceState(history.state, "", `${location.pathname}${location.search}#${id}`);
  document.querySelectorAll(".gan-article .jumped").forEach((node) => node.classList.remove("jumped"));
  target.classList.add("jumped");
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "center" });
}

/** Set the lab up for an experiment: settings, a fresh (not pretrained) model, training. */
function tryIt(settings) {
  const handle = window.glasslab;
  if (!handle || typeof handle.set !== "function") return;
  try {
    handle.set({ ...settings, pretrained: false });
    handle.reset();
    handle.play();
  } catch (error) { return; }  // the page shows the message
  const lab = document.querySelector("[data-panel='canvas']");
  if (lab && lab.offsetParent !== null) lab.scrollIntoView({ behavior: "smooth", block: "center" });
}
