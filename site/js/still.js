// The still of a page's first frame, shown before Python is ready: the build runs the
// engine in CPython and writes what that frame hands the views (export/stills.py,
// stills/<page>.json); the page's own view modules draw it into the canvases Python draws
// into next. Here: loading and unpacking the still, and the rule that a page opened with
// URL parameters that change its first frame shows none (never a wrong picture).
//
// Each page also loads this module on its own, early (<script type="module" async> in its
// <head>): it then fetches and unpacks the page's still while the views' modules are
// still arriving, and the views draw it the moment they exist.

/** URL parameters that leave every page's first frame as it is (language, embedding). */
const QUIET = ["lang", "embed", "panels", "origin"];

/** True if the page's URL shows the state the still was made for: every parameter is
 *  quiet (`quiet` adds the page's own) or has the value the page writes for that state
 *  (`canonical`, e.g. the GAN page's whole setup). */
export function urlShowsDefault(quiet = [], canonical = {}) {
  for (const [key, value] of new URLSearchParams(location.search)) {
    if (QUIET.includes(key) || quiet.includes(key)) continue;
    if (!canonical || !(key in canonical) || canonical[key] !== value) return false;
  }
  return true;
}

const TYPES = { uint8: Uint8Array, uint16: Uint16Array, float32: Float32Array };

/** A packed array {dtype, shape, zlib}: its values as a typed array (little-endian, as the
 *  typed arrays of every browser). */
export async function unpack(entry) {
  const bytes = Uint8Array.from(atob(entry.zlib), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new TYPES[entry.dtype](await new Response(stream).arrayBuffer());
}

/** A picture {width, height, palette, index}: its RGBA pixels as ImageData. */
export async function picture(entry) {
  const [palette, index] = await Promise.all([unpack(entry.palette), unpack(entry.index)]);
  const colours = new Uint32Array(palette.buffer);
  const image = new ImageData(entry.width, entry.height);
  const pixels = new Uint32Array(image.data.buffer);
  for (let i = 0; i < index.length; i++) pixels[i] = colours[index[i]];
  return image;
}

/** Every packed array and picture in `data` unpacked, in place (typed arrays, ImageData). */
async function unpackAll(data) {
  const waits = [];
  const walk = (node) => {
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (value && typeof value === "object" && "zlib" in value) {
        waits.push(unpack(value).then((array) => { node[key] = array; }));
      } else if (value && typeof value === "object" && "palette" in value && "index" in value) {
        waits.push(picture(value).then((image) => { node[key] = image; }));
      } else {
        walk(value);
      }
    }
  };
  walk(data);
  await Promise.all(waits);
  return data;
}

let loading = null;

/** The still of this page (stills/<page>.json, unpacked), or null if there is none. */
export function pageStill() {
  if (!loading) {
    const page = document.documentElement.dataset.page;
    loading = fetch(`stills/${page}.json`)
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => (data && data.page === page ? unpackAll(data) : null))
      .catch(() => null);  // no still: the page simply waits for Python
  }
  return loading;
}

/** Put a picture (ImageData) on `canvas` at (0, 0), as Python's CanvasImage.paint does. */
export function paint(canvas, image) {
  canvas.getContext("2d").putImageData(image, 0, 0);
}

/** Say that the still is drawn: <html data-still="page"> and a performance mark, the
 *  time since navigation the tests read. */
export function drawn(page) {
  document.documentElement.dataset.still = page;
  performance.mark("glasslab-still");
}

pageStill();  // start at once: this module is loaded early by every page
