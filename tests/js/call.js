// Runs parts of paperkb's browser scripts in node, for tests/test_js_parity.py: no browser,
// no module loader (the parts are classic scripts that add themselves to globalThis.paperkb).
// Input on stdin, JSON: {"scripts": [paths], "calls": [[part, function, [arguments]], ...]}.
// Output on stdout, JSON: each call's result, in order ({"error": message} for a throw).
"use strict";
const fs = require("fs");
const vm = require("vm");

const input = JSON.parse(fs.readFileSync(0, "utf8"));
for (const path of input.scripts) vm.runInThisContext(fs.readFileSync(path, "utf8"), { filename: path });
const out = input.calls.map(([part, name, args]) => {
  try {
    const value = globalThis.paperkb[part][name](...args);
    return value === undefined ? null : value;
  } catch (error) {
    return { error: String(error) };
  }
});
process.stdout.write(JSON.stringify(out));
