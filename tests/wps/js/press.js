/* Not a test: a driver Python calls (tests/wps/test_same_as_cli.py, tests/wps/measure.py).
 * It opens a REAL fixture in the FAKE WPS, presses 校验/汇总 and prints, as JSON, what the
 * button sent, said and left in the workbook, and how long each press took.
 *
 *   node press.js '{"fixture": "<dump.json>", "url": "http://127.0.0.1:8750", "code": "…",
 *                   "answer": "<file object.json>" (optional: answer with it, no HTTP),
 *                   "repeat": 1}'
 *
 * Each press is timed from the click to the message, and its calls into the object model
 * counted (what costs in a real WPS, where each crosses into the spreadsheet): reading the sheets, the request, the
 * service's validation, writing 校验结果 and the marks. Repeats use a fresh copy of the
 * workbook each time. Needs TAIZHANG_WPS_ADDIN (a built dist/wps) like the tests. */
"use strict";
process.env.TAIZHANG_WPS_FIXTURES = process.env.TAIZHANG_WPS_FIXTURES || ".";
const fs = require("node:fs");
const { L, press, nodeTransport } = require("./support.js");
const { FakeApp, fromFixture, counter } = require("./fake_wps.js");

function results(wb) {
  const ws = wb.sheet(L.results_sheet);
  if (!ws) return null;
  const rows = ws.rows();
  const cells = rows.map((row, r) =>
    row.map((_, c) => {
      const cell = ws.cells.get(r + 1 + "," + (c + 1));
      return cell ? { fill: cell.fill, font: cell.fontColor, bold: cell.bold, quoted: cell.quoted } : null;
    })
  );
  return { rows, cells, widths: ws.widths, links: ws.links, wrap: ws.wrap, first: wb.sheets[0] === ws };
}

async function main() {
  const args = JSON.parse(process.argv[2]);
  const fixture = JSON.parse(fs.readFileSync(args.fixture, "utf8"));
  const answer = args.answer ? JSON.parse(fs.readFileSync(args.answer, "utf8")) : null;
  const sent = [];
  const transport = (method, url, headers, body, done) => {
    sent.push({ method, url, headers, body });
    if (answer) return setImmediate(() => done(200, answer));
    return nodeTransport(method, url, headers, body, (status, data) => {
      sent[sent.length - 1].status = status;
      sent[sent.length - 1].answer = data;
      done(status, data);
    });
  };
  const timings = [];
  const calls = [];
  let last;
  for (let i = 0; i < (args.repeat || 1); i++) {
    const app = new FakeApp();
    const wb = fromFixture(app, fixture);
    counter.calls = 0;
    const start = process.hrtime.bigint();
    const r = await press(app, args.url || L.default_service, { code: args.code || "unit-code", transport });
    timings.push(Number(process.hrtime.bigint() - start) / 1e6);
    calls.push(counter.calls);
    const meta = wb.sheet(L.meta_sheet);
    last = {
      outcome: r.outcome,
      alerts: r.alerts,
      request: sent[sent.length - 1] || null,
      results: results(wb),
      marks: meta ? meta.rows().slice(1).map((row) => row[3]).filter((v) => v !== null) : [],
      freeze: app.window,
    };
  }
  last.timings_ms = timings;
  last.calls = calls; // object-model calls per press (fake_wps.js counter)
  process.stdout.write(JSON.stringify(last));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
