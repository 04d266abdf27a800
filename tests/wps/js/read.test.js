/* Reading through a FAKE WPS filled from REAL fixtures: the project's template and planted
 * returns (tests/wps/fixtures.py). The request the button posts must hold every sheet exactly
 * as the file reader (addin.read.reader.read_workbook) reads the saved file — in every
 * form of the API old and new WPS builds offer. */
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { T, ET, L, fixture, fixtures } = require("./support.js");
const { FakeApp, fromFixture, parseAddress } = require("./fake_wps.js");

/** Rows without trailing empty rows and columns: the used range may be wider than the data. */
function trimmed(rows) {
  const out = rows.map((r) => {
    const row = r.slice();
    while (row.length && row[row.length - 1] === null) row.pop();
    return row;
  });
  while (out.length && !out[out.length - 1].length) out.pop();
  return out;
}

function requestOf(fx, opts) {
  const app = new FakeApp(opts);
  const wb = fromFixture(app, fx);
  return { app, wb, body: T.checkRequest(wb, T.readMeta(wb)) };
}

function assertSameAsReader(fx, body) {
  assert.deepEqual(Object.keys(body.sheets), Object.keys(fx.expected), "every sheet, in tab order");
  for (const [name, rows] of Object.entries(fx.expected)) assert.deepEqual(trimmed(body.sheets[name]), trimmed(rows), fx.name + " / " + name);
}

const MANY = "多处错误";

for (const style of ["property", "method"]) {
  for (const bulk of [true, false]) {
    for (const numberFormat of [true, false]) {
      const form = `${style} form, ${bulk ? "bulk Value2" : "cell by cell"}, ${numberFormat ? "NumberFormat" : "no NumberFormat (Text)"}`;
      test(`fake WPS (${form}): the request holds every sheet as the file reader reads it`, () => {
        const fx = fixture(MANY);
        const { body } = requestOf(fx, { style, bulk, numberFormat });
        assertSameAsReader(fx, body);
      });
    }
  }
}

test("fake WPS: every fixture (template, 15 planted returns, console) reads as the file reader reads it", () => {
  const all = fixtures();
  assert.ok(all.length >= 16, String(all.length));
  for (const fx of all) assertSameAsReader(fx, requestOf(fx).body);
});

test("fake WPS: dates go as ISO dates, merged cells carry their value, meta as the reader's", () => {
  const fx = fixture(MANY);
  const { body } = requestOf(fx);
  const tasks = body.sheets["任务台账"];
  const cover = body.sheets["封面"];
  assert.ok(tasks.some((row) => row.includes("2022-03-01")), "the planted done date, as ISO text");
  assert.equal(cover[7][1], null, "填报日期 left empty");
  const dates = tasks.flat().filter((v) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v));
  assert.ok(dates.length > 5);
  // the officer's merge of 县级责任单位 over three tasks, and the title merged over the headers
  assert.equal(tasks[0][13], tasks[0][0]);
  const merged = fx.sheets.find((s) => s.name === "任务台账").merged.map(parseAddress).find((b) => b.top > 2);
  assert.ok(merged && merged.bottom - merged.top === 2, "the fixture has the officer's merge");
  const value = tasks[merged.top - 1][merged.left - 1];
  assert.ok(value);
  for (let r = merged.top; r <= merged.bottom; r++) assert.equal(tasks[r - 1][merged.left - 1], value);
  assert.deepEqual(body.meta, fx.meta, "the _taizhang keys, as the file reader reads them");
  assert.equal(body.meta.template, L.ledger_template);
  assert.deepEqual(body.hidden, [L.meta_sheet]);
  assert.equal(body.name, fx.name);
  assert.equal(body.date1904, false);
  assert.equal(body.source, "wps");
  assert.equal(body.addin_version, L.version);
});

test("fake WPS: a sheet whose used range starts at C3 is sent from row 1 and column A", () => {
  const wb = new FakeApp().open("x.xlsx");
  wb.addSheet("S").put("C3", "a").put("D4", 2);
  assert.deepEqual(ET.readSheet(wb.sheet("S"), false), [[null, null, null, null], [null, null, null, null], [null, null, "a", null], [null, null, null, 2]]);
});

test("fake WPS: reading writes nothing", () => {
  const { app } = requestOf(fixture(MANY));
  assert.equal(app.writes, 0);
});

test("application(): window.Application, wps.EtApplication() and wps.Application, in both forms", () => {
  const app = new FakeApp();
  assert.equal(ET.application({ Application: app }), app);
  assert.equal(ET.application({ wps: { EtApplication: () => app } }), app);
  assert.equal(ET.application({ wps: { Application: app } }), app);
  const old = new FakeApp({ style: "method" });
  assert.equal(ET.application({ wps: { EtApplication: () => old } }), old);
  assert.equal(ET.application({ wps: { EtApplication: () => { throw new Error("not ET"); } } }), null);
  assert.equal(ET.application({}), null);
});

test("date formats are told from number formats as the file reader tells them", () => {
  for (const f of ['yyyy"年"m"月"d"日"', "yyyy-mm-dd", "m/d/yy", "[$-804]yyyy年m月d日", "h:mm", "yyyy/m/d h:mm", "[Red]yyyy-mm-dd"]) assert.ok(ET.isDateFormat(f), f);
  for (const f of ["General", "G/通用格式", "0", "0.00", "#,##0", "0.00%", "@", "[h]:mm", '0"天"', "0.00_);[Red](0.00)", "", null]) assert.ok(!ET.isDateFormat(f), String(f));
});

test("serials become the reader's ISO text: 1900 system (with its phantom 29 February), 1904, times", () => {
  assert.equal(ET.serialText(44377, false), "2021-06-30");
  assert.equal(ET.serialText(61, false), "1900-03-01");
  assert.equal(ET.serialText(59, false), "1900-02-28");
  assert.equal(ET.serialText(44377.4375, false), "2021-06-30 10:30:00");
  assert.equal(ET.serialText(0.5, false), "12:00:00");
  assert.equal(ET.serialText(42915, true), "2021-06-30");
});

test("cell values: text and booleans as typed, numbers exact whatever their display, error cells empty", () => {
  const cell = (format, text) => () => ({ NumberFormat: format, Text: text });
  assert.equal(ET.cellValue("=1+1", cell("@", "=1+1"), false), "=1+1");
  assert.equal(ET.cellValue(true, cell("General", "TRUE"), false), true);
  assert.equal(ET.cellValue(1.4, cell("0", "1"), false), 1.4);
  assert.equal(ET.cellValue(0.5, cell("0.00%", "50.00%"), false), 0.5);
  assert.equal(ET.cellValue(44377, cell("yyyy-mm-dd", "########"), false), "2021-06-30");
  assert.equal(ET.cellValue(-2146826281, cell("General", "#DIV/0!"), false), null);
  assert.equal(ET.cellValue("", cell("General", ""), false), null);
  // no NumberFormat in this build: the text shown decides
  assert.equal(ET.cellValue(44377, () => ({ Text: "2021年6月30日" }), false), "2021-06-30");
  assert.equal(ET.cellValue(44377, () => ({ Text: "44,377" }), false), 44377);
});
