/* The button's writing and its talk with the service, through a FAKE WPS filled from REAL
 * fixtures, against a STAND-IN HTTP server that answers with canned file objects: it only
 * imitates the shape of `taizhang serve`'s answers (SPEC §8). The findings themselves and the
 * real service are tested from Python (tests/wps/test_same_as_cli.py, test_service.py). */
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { ADDIN, ET, L, T, fixture, press } = require("./support.js");
const { FakeApp, fromFixture } = require("./fake_wps.js");

const RESULTS = L.results_sheet;
const META = L.meta_sheet;
const FINDINGS = [
  { code: "file.header-changed", severity: "error", sheet: null, cell: null, message: "表头被改动", hint: "使用最新模板" },
  { code: "time.later-than-city", severity: "error", sheet: "任务台账", cell: "G19", row: 19, message: "县级完成时限（2022年底前）晚于市定完成时间（2021年6月底前）", hint: "填写不晚于 2021年6月底前 的时限" },
  { code: "status.progress-short", severity: "warning", sheet: "任务台账", cell: "$j$22", row: 22, message: "=进展顺利", hint: "写明进展" },
  { code: "status.other", severity: "warning", sheet: "任务台账", cell: "G19", row: 19, message: "同一单元格的第二条", hint: "" },
  { code: "x.elsewhere", severity: "warning", sheet: "不存在的表", cell: "A1", message: "不在本工作簿的表", hint: "" },
];

function fileObject(findings) {
  const counts = { error: findings.filter((f) => f.severity === "error").length, warning: findings.filter((f) => f.severity === "warning").length };
  return { file: "WPS:x.xlsx", unit: "任城区", period: "2021Y", ok: counts.error === 0, counts, findings };
}

/** STAND-IN for `taizhang serve`: records each request, answers what `handler` says. */
function standIn(handler) {
  const seen = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const rec = { method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers["content-type"], body: body ? JSON.parse(body) : null };
      seen.push(rec);
      const [status, data] = handler(rec);
      res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(data));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, seen, url: "http://127.0.0.1:" + server.address().port })));
}

async function withService(handler, fn) {
  const svc = await standIn(handler);
  try {
    return await fn(svc);
  } finally {
    svc.server.close();
  }
}

function ledger(opts) {
  const app = new FakeApp(opts);
  const wb = fromFixture(app, fixture("多处错误"));
  return { app, wb };
}

function marks(wb) {
  return wb.sheet(META).rows().slice(1).map((r) => r[3]).filter((v) => v !== null);
}

const county = (wb) => wb.sheets.filter((s) => s.name() !== RESULTS && s.name() !== META).map((s) => [s.name(), JSON.stringify(s.rows())]);

for (const style of ["property", "method"]) {
  test(`fake WPS (${style}) + stand-in service: 校验 writes 校验结果 as a --mark copy has it, and the marks`, () =>
    withService(() => [200, fileObject(FINDINGS)], async (svc) => {
      const { app, wb } = ledger({ style });
      const before = county(wb);
      const { outcome, alerts } = await press(app, svc.url);
      assert.equal(outcome.kind, "ledger", alerts.join("\n"));
      const req = svc.seen[0];
      assert.deepEqual([req.method, req.url, req.auth, req.type], ["POST", "/api/check", "Bearer unit-code", "application/json"]);
      assert.deepEqual(Object.keys(req.body), ["sheets", "meta", "name", "hidden", "date1904", "source", "addin_version"]);
      assert.ok(!(RESULTS in req.body.sheets));

      const ws = wb.sheet(RESULTS);
      assert.equal(wb.sheets[0], ws, "the results sheet is the first tab");
      const rows = ws.rows();
      assert.deepEqual(rows[0], L.result_headers);
      assert.deepEqual(rows.slice(1).map((r) => r.slice(0, 5)), [
        [1, "错误", "file.header-changed", null, null],
        [2, "错误", "time.later-than-city", "任务台账", "G19"],
        [3, "警告", "status.progress-short", "任务台账", "$j$22"],
        [4, "警告", "status.other", "任务台账", "G19"],
        [5, "警告", "x.elsewhere", "不存在的表", "A1"],
      ]);
      assert.equal(rows[3][5], "=进展顺利");
      assert.equal(ws.cellObj("F4").quoted, true, "text starting with = is written as text");
      assert.equal(ws.cellObj("A1").bold, true);
      assert.deepEqual(Object.values(ws.widths), L.result_widths);
      assert.equal(ws.wrap["$A$1:$G$6"], true);
      assert.equal(ws.cellObj("B2").fill, ET.bgr(L.fills.error[0]));
      assert.equal(ws.cellObj("B2").fontColor, ET.bgr(L.fills.error[1]));
      assert.equal(ws.cellObj("B4").fill, ET.bgr(L.fills.warning[0]));
      assert.equal(ET.bgr("FFC7CE"), 0xcec7ff);
      assert.deepEqual(ws.links.map((l) => [l.cell, l.subAddress, l.text]), [["E3", "'任务台账'!G19", "G19"], ["E4", "'任务台账'!j22", "$j$22"], ["E5", "'任务台账'!G19", "G19"]]);
      assert.equal(ws.cellObj("E3").fontColor, ET.bgr(L.link_color));
      assert.equal(app.window.FreezePanes, true);
      assert.equal(app.window.SplitRow, 1);
      assert.deepEqual(marks(wb), ["任务台账!G19", "任务台账!J22"], "one key per cell, in the findings' order");
      assert.equal(wb.sheet(META).get("D1"), "marks");
      assert.equal(alerts[0], T.checkMessage({ error: 2, warning: 3 }, ["a", "b"], 2000));
      assert.match(alerts[0], /^校验完成：错误 2 条，警告 3 条。问题已列在“校验结果”表（点单元格地址可跳转），2 个单元格已标红。单元格内容没有被改动。有错误的台账会被退回/);
      assert.deepEqual(county(wb), before, "no county cell changed");
    }));
}

test("a second press replaces the list and the marks; a clean press clears both", async () => {
  let answer = fileObject(FINDINGS);
  await withService(() => [200, answer], async (svc) => {
    const { app, wb } = ledger();
    await press(app, svc.url);
    answer = fileObject([FINDINGS[2]]);
    await press(app, svc.url);
    assert.equal(wb.sheets.filter((s) => s.name() === RESULTS).length, 1);
    assert.equal(wb.sheet(RESULTS).rows().length, 2);
    assert.deepEqual(marks(wb), ["任务台账!J22"]);
    answer = fileObject([]);
    const { alerts } = await press(app, svc.url);
    assert.equal(alerts[0], L.words.check.clean);
    assert.deepEqual(marks(wb), []);
    assert.deepEqual(wb.sheet(RESULTS).rows()[1], [null, null, null, null, null, L.clean_message, null]);
    assert.deepEqual(wb.sheet(RESULTS).links, []);
  });
});

test("a clean press on a workbook never checked: no results sheet appears, marks cleared", () =>
  withService(() => [200, fileObject([])], async (svc) => {
    const { app, wb } = ledger();
    const { alerts } = await press(app, svc.url);
    assert.equal(wb.sheet(RESULTS), undefined);
    assert.equal(alerts[0], L.words.check.clean);
  }));

test("more cells than the marks range holds: the rest are listed, and the message says so", () => {
  const many = [];
  for (let r = 3; r <= 8; r++) many.push({ code: "x.y", severity: "warning", sheet: "任务台账", cell: "H" + r, message: "m", hint: "" });
  return withService(() => [200, fileObject(many)], async (svc) => {
    const { app, wb } = ledger();
    wb.names[L.marks_name].address = "$D$2:$D$5";
    const { alerts } = await press(app, svc.url);
    assert.match(alerts[0], /4 个单元格已标红。另有 2 个单元格超出标记区容量，未标红。/);
    assert.deepEqual(marks(wb), ["任务台账!H3", "任务台账!H4", "任务台账!H5", "任务台账!H6"]);
  });
});

test("a workbook without the marks name: listed, not marked, and said so", () =>
  withService(() => [200, fileObject([FINDINGS[1]])], async (svc) => {
    const { app, wb } = ledger();
    delete wb.names[L.marks_name];
    const { alerts } = await press(app, svc.url);
    assert.match(alerts[0], /。此工作簿没有标记区（不是本模板生成），未标红。/);
    assert.equal(wb.sheet(RESULTS).rows().length, 2);
  }));

test("service not running: a Chinese message saying how to start it", async () => {
  const svc = await standIn(() => [200, {}]);
  await new Promise((r) => svc.server.close(r)); // nothing listens there now
  const { app, wb } = ledger();
  const { outcome, alerts } = await press(app, svc.url);
  assert.equal(outcome.kind, "failed");
  assert.match(alerts[0], new RegExp("无法连接到台账服务（" + svc.url.replace(/\./g, "\\.") + "）"));
  assert.match(alerts[0], /taizhang serve --data 数据文件夹/);
  assert.equal(wb.sheet(RESULTS), undefined, "nothing written");
});

test("no stored code: asks, stores it, sends it as Bearer; a 401 asks once more, then stops", () =>
  withService((rec) => (rec.auth === "Bearer good" ? [200, fileObject([])] : [401, { error: "bad code" }]), async (svc) => {
    const { app } = ledger();
    let r = await press(app, svc.url, { stored: {}, answers: [" wrong ", "good"] });
    assert.equal(r.outcome.kind, "ledger");
    assert.deepEqual(r.asked, [L.words.wps.ask_code, L.words.wps.ask_code_again]);
    assert.deepEqual(svc.seen.map((s) => s.auth), ["Bearer wrong", "Bearer good"]);
    assert.equal(r.store.get("taizhang.code"), "good");
    assert.equal(app.PluginStorage.getItem("taizhang.code"), "good", "kept in the WPS profile too");
    const other = ledger().app;
    r = await press(other, svc.url, { stored: {}, answers: ["bad", "worse"] });
    assert.equal(r.alerts[0], L.words.wps.unauthorized);
    assert.equal(r.store.has("taizhang.code"), false, "a refused code is not kept");
    r = await press(ledger().app, svc.url, { stored: {}, answers: [null] });
    assert.equal(r.outcome.kind, "cancelled");
  }));

test("no prompt() in this build: the press ends with needcode (the page opens its dialog)", async () => {
  const { app } = ledger();
  const { outcome } = await press(app, "http://127.0.0.1:9", { stored: {} });
  assert.equal(outcome.kind, "needcode");
});

test("403, 413 and 500 answers become Chinese messages carrying the service's words", async () => {
  let reply = [403, { error: "此口令属于微山县" }];
  await withService(() => reply, async (svc) => {
    const { app } = ledger();
    let r = await press(app, svc.url);
    assert.match(r.alerts[0], /无权.*：此口令属于微山县/);
    reply = [413, { message: "超过 20 MiB" }];
    r = await press(app, svc.url);
    assert.match(r.alerts[0], /太大.*超过 20 MiB/);
    reply = [403, { code: "usage.bureau-only", error: "错误 [usage.bureau-only]：只有市能源局可以查看" }];
    r = await press(app, svc.url);
    assert.match(r.alerts[0], /无权进行该操作：只有市能源局可以查看（/);
    reply = [500, { error: { code: "x", message: "内部错误" } }];
    r = await press(app, svc.url);
    assert.match(r.alerts[0], /HTTP 500.*内部错误/);
  });
});

test("the console (REAL fixture): GET /api/board for its period, 报送情况 rewritten", () =>
  withService(
    () => [200, { period: "2021Y", units: [{ unit: "任城区", status: "已报", file: "a.xlsx", errors: 0, warnings: 2 }, { unit: "微山县", status: "未报", file: null, errors: null, warnings: null }] }],
    async (svc) => {
      const app = new FakeApp({ style: "method" });
      const wb = fromFixture(app, fixture("控制台"));
      const { outcome, alerts } = await press(app, svc.url, { code: "bureau" });
      assert.equal(outcome.kind, "console", alerts.join());
      assert.deepEqual([svc.seen[0].method, svc.seen[0].url, svc.seen[0].auth, svc.seen[0].body], ["GET", "/api/board?period=2021Y", "Bearer bureau", null]);
      const rows = wb.sheet(L.console.units_sheet).rows();
      assert.deepEqual(rows[0], L.console.unit_headers);
      assert.deepEqual(rows[1], [1, "任城区", "已报", "a.xlsx", 0, 2]);
      assert.deepEqual(rows[2], [2, "微山县", "未报", null, null, null]);
      assert.match(rows[4][1], new RegExp("^2021Y，更新于 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}，据台账服务 "));
      assert.equal(alerts[0], "2021Y 报送情况：2 个单位，已报 1，迟报 0，退回 0，未报 1。\n“报送情况”表已刷新（据台账服务已收到的台账）。");
    }
  ));

test("the console's period as the officer edited it in 控制台 wins over the one it was made for", () =>
  withService(() => [200, { units: [] }], async (svc) => {
    const app = new FakeApp();
    const wb = fromFixture(app, fixture("控制台"));
    const settings = wb.sheet(L.console.settings_sheet);
    settings.protect = false;
    const row = settings.rows().findIndex((r) => r[0] === L.console.period_key) + 1;
    settings.put("B" + row, " 2022H1 ");
    await press(app, svc.url);
    assert.equal(svc.seen[0].url, "/api/board?period=2022H1");
  }));

test("neither a ledger nor the console: the help, and no request", () =>
  withService(() => [200, {}], async (svc) => {
    const app = new FakeApp();
    app.open("别的.xlsx").addSheet("Sheet1").put("A1", 1);
    const { outcome, alerts } = await press(app, svc.url);
    assert.equal(outcome.kind, "help");
    assert.equal(alerts[0], L.words.wps.neither + "\n\n" + L.words.wps.help);
    assert.equal(svc.seen.length, 0);
  }));

test("no workbook open, or no WPS application: said so", async () => {
  assert.equal((await press(new FakeApp(), "http://127.0.0.1:9")).alerts[0], L.words.wps.no_workbook);
  assert.equal((await press(null, "http://127.0.0.1:9")).alerts[0], L.words.wps.no_app);
});

test("say(): every {field} filled, a missing one is an error rather than a silent blank", () => {
  assert.equal(T.say("错误 {error} 条", { error: 3 }), "错误 3 条");
  assert.throws(() => T.say("错误 {error} 条", {}), /error/);
});

// --- the page glue: ribbon.js with window.Application, a stub XMLHttpRequest and alert --------

function page(app, xhr) {
  const alerts = [];
  const window = {
    alert: (t) => alerts.push(t),
    document: { location: "file:///home/u/jsaddons/taizhang_1/index.html" },
    Application: app,
    XMLHttpRequest: xhr,
    localStorage: { getItem: (k) => (k === "taizhang.code" ? "c0de" : null), setItem() {}, removeItem() {} },
  };
  window.window = window;
  const ctx = vm.createContext(window);
  const html = fs.readFileSync(path.join(ADDIN, "index.html"), "utf8");
  for (const m of html.matchAll(/<script[^>]*src="([^"]+)"/g)) vm.runInContext(fs.readFileSync(path.join(ADDIN, m[1]), "utf8"), ctx);
  return { ctx, alerts };
}

test("OnAction in the page: window.Application, XMLHttpRequest (a stub), alert", async () => {
  const { app } = ledger();
  const sent = [];
  class StubXHR {
    open(method, url, async) {
      this.req = { method, url, async, headers: {} };
    }
    setRequestHeader(k, v) {
      this.req.headers[k] = v;
    }
    send(body) {
      this.req.body = body;
      sent.push(this.req);
      setTimeout(() => {
        this.status = 200;
        this.responseText = JSON.stringify(fileObject([FINDINGS[1]]));
        this.onload();
      }, 0);
    }
  }
  const { ctx, alerts } = page(app, StubXHR);
  assert.equal(vm.runInContext("OnAction({Id: 'taizhangRun'})", ctx), true);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(sent.length, 1);
  assert.equal(sent[0].url, L.default_service + "/api/check");
  assert.equal(sent[0].async, true);
  assert.equal(sent[0].headers.Authorization, "Bearer c0de");
  assert.match(alerts[0], /^校验完成：错误 1 条/);
  assert.equal(vm.runInContext("OnAction({Id: 'taizhangCode'})", ctx), true);
  assert.equal(alerts[1], L.words.wps.code_cleared);
});
