/* Static checks of the BUILT add-in (no WPS, no fake): ribbon.xml as WPS's publish check wants
 * it, every callback it names defined by index.html's scripts, the JS in ES5, and every
 * layout entry the code reads present in the generated layout.js. */
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { ADDIN, L } = require("./support.js");

const ribbon = fs.readFileSync(path.join(ADDIN, "ribbon.xml"), "utf8");
const CALLBACKS = ["onLoad", "onAction", "getImage", "getEnabled", "getLabel", "getVisible", "getScreentip", "getSupertip", "getPressed", "onChange"];

function scriptsOf(htmlPath) {
  const html = fs.readFileSync(htmlPath, "utf8");
  return [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => path.resolve(path.dirname(htmlPath), m[1]));
}

/** index.html's scripts, in order, in one context: the globals WPS would see. */
function page() {
  const alerts = [];
  const window = { alert: (t) => alerts.push(t), document: { location: "file:///home/u/jsaddons/taizhang_1/index.html" } };
  window.window = window;
  const ctx = vm.createContext(window);
  for (const file of scriptsOf(path.join(ADDIN, "index.html"))) {
    assert.ok(fs.existsSync(file), "index.html loads a missing script: " + file);
    vm.runInContext(fs.readFileSync(file, "utf8"), ctx, { filename: file });
  }
  return { ctx, alerts };
}

test("ribbon.xml starts with <customUI: no XML declaration, BOM or blank (WPS's publish check)", () => {
  assert.ok(ribbon.startsWith('<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui"'), JSON.stringify(ribbon.slice(0, 30)));
  assert.ok(!ribbon.includes("<?xml"));
});

test("every callback ribbon.xml names is a global function of index.html's scripts", () => {
  const { ctx } = page();
  const named = new Set();
  for (const a of CALLBACKS) for (const m of ribbon.matchAll(new RegExp("\\s" + a + '="([^"]+)"', "g"))) named.add(m[1]);
  assert.ok(named.has("OnAddinLoad") && named.has("OnAction") && named.size >= 4, [...named].join());
  for (const name of named) assert.equal(vm.runInContext("typeof " + name, ctx), "function", name);
  assert.equal(vm.runInContext("OnAddinLoad({})", ctx), true);
});

test("GetImage names images the add-in has, for every button", () => {
  const { ctx } = page();
  const ids = [...ribbon.matchAll(/<button id="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(ids.length >= 2);
  for (const id of ids) {
    const p = vm.runInContext("GetImage({Id: " + JSON.stringify(id) + "})", ctx);
    assert.ok(fs.existsSync(path.join(ADDIN, p)), id + " → " + p);
  }
});

test("the code dialog's scripts exist and define what it calls", () => {
  const html = path.join(ADDIN, "ui", "code.html");
  const ctx = vm.createContext({ window: {} });
  for (const file of scriptsOf(html)) vm.runInContext(fs.readFileSync(file, "utf8"), ctx);
  assert.equal(vm.runInContext("typeof Taizhang.storage + typeof TaizhangET.application + typeof Taizhang.CODE_KEY", ctx), "functionfunctionstring");
});

function addinScripts() {
  return fs.readdirSync(path.join(ADDIN, "js")).filter((n) => n.endsWith(".js")).map((n) => path.join(ADDIN, "js", n));
}

test("the add-in's JS is ES5 (old WPS builds embed old Chromium): no let, const, =>, `, class", () => {
  for (const f of addinScripts()) {
    const src = fs.readFileSync(f, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/"(?:[^"\\\n]|\\.)*"/g, '""').replace(/\/\/.*$/gm, "");
    for (const bad of [/=>/, /\blet\s/, /\bconst\s/, /`/, /\bclass\s/, /\.\.\.\w/]) assert.ok(!bad.test(src), path.basename(f) + ": " + bad);
  }
});

test("every layout entry taizhang.js and ribbon.js read is in the generated layout.js", () => {
  const used = new Set();
  for (const f of addinScripts()) {
    const src = fs.readFileSync(f, "utf8");
    for (const m of src.matchAll(/\b(?:L|TaizhangLayout)\.(\w+)(?:\.(\w+))?/g)) used.add(m[2] && typeof L[m[1]] === "object" && !Array.isArray(L[m[1]]) ? m[1] + "." + m[2] : m[1]);
    for (const m of src.matchAll(/\b(CHECK|WPS)\.(\w+)/g)) used.add("words." + (m[1] === "CHECK" ? "check" : "wps") + "." + m[2]);
  }
  assert.ok(used.size > 20, [...used].join());
  for (const key of used) {
    const value = key.split(".").reduce((o, k) => (o === undefined ? undefined : o[k]), L);
    assert.notEqual(value, undefined, "layout.js has no " + key);
  }
});
