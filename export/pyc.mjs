// Bytecode of glasslab's modules for the browser's Python, compiled by that Python.
//
//   node export/pyc.mjs INDEX_DIR < sources.json > pyc.json
//
// The page's Python (Pyodide's CPython 3.12) would otherwise compile every module it
// imports from source on every visit; the build (export/wheel.py) ships this bytecode
// beside the sources in the wheel. It is compiled here by the same Pyodide the site
// ships (INDEX_DIR holds pyodide.mjs and its files), as unchecked hash-based .pyc
// (PEP 552: no timestamps, so the bytes depend only on the source), with a fixed hash
// seed and in the given order, so the same sources always give the same bytes.
// stdin: {"path/in/wheel.py": "source", ...}; stdout: {"path/__pycache__/x.tag.pyc":
// "base64", ...}.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const indexDir = path.resolve(process.argv[2] || ".") + path.sep;
const sources = JSON.parse(fs.readFileSync(0, "utf8"));
const { loadPyodide } = await import(pathToFileURL(path.join(indexDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: indexDir, env: { PYTHONHASHSEED: "0" } });
py.globals.set("sources", py.toPy(sources));
const out = py.runPython(`
import base64, importlib.util, json, sys
from importlib._bootstrap_external import _code_to_hash_pyc

site = "/lib/python%d.%d/site-packages/" % sys.version_info[:2]
compiled = {}
for rel, text in sources.items():
    data = text.encode()
    code = compile(data, site + rel, "exec", dont_inherit=True)
    pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
    folder, name = rel.rsplit("/", 1)
    target = f"{folder}/__pycache__/{name[:-3]}.{sys.implementation.cache_tag}.pyc"
    compiled[target] = base64.b64encode(bytes(pyc)).decode()
json.dumps(compiled, sort_keys=True)
`);
process.stdout.write(out);
