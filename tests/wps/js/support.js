/* What the Node tests share: the BUILT add-in (TAIZHANG_WPS_ADDIN, a dist/wps folder that
 * tests/wps/test_node.py builds), the fixtures (TAIZHANG_WPS_FIXTURES, JSON dumps of real
 * returns written by tests/wps/fixtures.py), an HTTP transport for Node, and one press of the
 * button. Run through pytest: `pytest tests/wps/test_node.py`. */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const http = require("node:http");

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(name + " is not set: run these tests through pytest tests/wps/test_node.py");
  return value;
}

const ADDIN = path.resolve(need("TAIZHANG_WPS_ADDIN"));
const FIXTURES = path.resolve(need("TAIZHANG_WPS_FIXTURES"));
const T = require(path.join(ADDIN, "js", "taizhang.js"));
const ET = require(path.join(ADDIN, "js", "et.js"));
const L = require(path.join(ADDIN, "js", "layout.js"));

function fixture(match) {
  const names = fs.readdirSync(FIXTURES).filter((n) => n.endsWith(".json") && n.includes(match));
  if (names.length !== 1) throw new Error("fixture " + match + ": " + names.length + " matches in " + FIXTURES);
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, names[0]), "utf8"));
}

function fixtures() {
  return fs.readdirSync(FIXTURES).filter((n) => n.endsWith(".json")).sort().map((n) => JSON.parse(fs.readFileSync(path.join(FIXTURES, n), "utf8")));
}

/** transport(method, url, headers, body, done) over node:http, as xhrTransport is in WPS. */
function nodeTransport(method, url, headers, body, done) {
  const req = http.request(url, { method, headers }, (res) => {
    let text = "";
    res.setEncoding("utf8");
    res.on("data", (c) => (text += c));
    res.on("end", () => {
      let data = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch (e) {
        data = null;
      }
      done(res.statusCode, data);
    });
  });
  req.on("error", () => done(0, null));
  req.end(body ? JSON.stringify(body) : undefined);
}

function memoryStorage(entries) {
  const store = new Map(Object.entries(entries || {}));
  return {
    store,
    localStorage: { getItem: (k) => (store.has(k) ? store.get(k) : null), setItem: (k, v) => store.set(k, String(v)), removeItem: (k) => store.delete(k) },
  };
}

/** One press of 校验/汇总 on `app`'s active workbook against the service at `url`. */
function press(app, url, opts) {
  opts = opts || {};
  const alerts = [];
  const asked = [];
  const { store, localStorage } = memoryStorage(opts.stored || { "taizhang.code": opts.code || "unit-code" });
  return new Promise((resolve) => {
    T.run(
      {
        app,
        host: { localStorage },
        config: { service: url },
        transport: opts.transport || nodeTransport,
        alert: (t) => alerts.push(t),
        ask: (p) => {
          asked.push(p);
          return opts.answers ? opts.answers.shift() : undefined;
        },
      },
      (outcome) => resolve({ outcome, alerts, asked, store })
    );
  });
}

module.exports = { ADDIN, FIXTURES, T, ET, L, fixture, fixtures, nodeTransport, press, memoryStorage };
