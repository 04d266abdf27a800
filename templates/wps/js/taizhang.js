/* What the 台账 button does in WPS 表格, as addin/faces/button.py does it in Excel — except
 * that the checking and the consolidating happen in the local taizhang service
 * (`taizhang serve`), which this page calls over HTTP:
 *
 * - a ledger (hidden _taizhang sheet, template = taizhang-ledger): read every sheet as it
 *   stands, unsaved edits included, POST it to /api/check, list the findings in 校验结果 and
 *   write the cells to highlight into the template's marks range;
 * - the bureau's console (template = taizhang-console): GET /api/board for its period and
 *   rewrite 报送情况 from the returns the service holds;
 * - anything else: the help.
 *
 * Sheet names, headers, widths, colours and every message come from layout.js, which
 * build.py renders from the Python definitions (schemas/sheets.py, schemas/data/button.toml):
 * nothing here repeats them. ES5 only, as et.js.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("./layout.js"), require("./et.js"));
  } else {
    root.Taizhang = factory(root.TaizhangLayout, root.TaizhangET);
  }
})(this, function (L, ET) {
  "use strict";

  var get = ET.get;
  var CHECK = L.words.check;
  var WPS = L.words.wps;
  var CODE_KEY = "taizhang.code";
  var SERVICE_KEY = "taizhang.service";
  var TIMEOUT_MS = 300000;

  /** A message template with its {fields} filled; a field not given is a fault, not "". */
  function say(template, fields) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      if (!fields || !Object.prototype.hasOwnProperty.call(fields, name)) throw new Error("消息缺少字段 " + name);
      return String(fields[name]);
    });
  }

  function trim(text) {
    return String(text).replace(/^[\s\u3000]+|[\s\u3000]+$/g, "");
  }

  // --- reading the workbook -----------------------------------------------------------------

  /** Key/value rows of the hidden _taizhang sheet (column A key, column B value). */
  function readMeta(wb) {
    var ws = ET.findSheet(wb, L.meta_sheet);
    var meta = {};
    if (!ws) return meta;
    var rows = ET.readSheet(ws, false);
    for (var i = 0; i < rows.length; i++) {
      var key = rows[i][0];
      if (typeof key === "string" && trim(key)) meta[trim(key)] = rows[i].length > 1 ? rows[i][1] : null;
    }
    return meta;
  }

  function date1904(wb) {
    return !!ET.attempt(function () {
      return get(wb, "Date1904");
    }, false);
  }

  /**
   * The body of POST /api/check (SPEC §8): every sheet but our own results list, rows from
   * row 1; `meta` is the _taizhang sheet's key/value rows, as the file reader gives them; the
   * workbook's name, hidden sheets and date system beside it, as the service reads them.
   */
  function checkRequest(wb, meta) {
    var sheets = {};
    var hidden = [];
    var all = ET.sheets(wb);
    var d1904 = date1904(wb);
    for (var i = 0; i < all.length; i++) {
      if (all[i].name === L.results_sheet) continue;
      sheets[all[i].name] = ET.readSheet(all[i].sheet, d1904);
      if (all[i].hidden) hidden.push(all[i].name);
    }
    return { sheets: sheets, meta: meta, name: String(get(wb, "Name")), hidden: hidden, date1904: d1904, source: "wps", addin_version: L.version };
  }

  // --- the 校验结果 sheet and the marks -----------------------------------------------------

  /** The 校验结果 rows, headers first: addin/write/mark.py results_rows, same order. */
  function resultRows(findings) {
    var rows = [L.result_headers.slice()];
    for (var i = 0; i < findings.length; i++) {
      var f = findings[i];
      rows.push([String(i + 1), L.severity_labels[f.severity] || f.severity, f.code, f.sheet || "", f.cell || "", f.message, f.hint]);
    }
    if (rows.length === 1) rows.push(["", "", "", "", "", L.clean_message, ""]);
    return rows;
  }

  function markKey(sheet, cell) {
    return say(L.mark_key_format, { sheet: sheet, cell: String(cell).replace(/\$/g, "").toUpperCase() });
  }

  function cellLink(sheet, cell) {
    return "'" + sheet.replace(/'/g, "''") + "'!" + String(cell).replace(/\$/g, "");
  }

  function sheetNames(wb) {
    var names = {};
    var all = ET.sheets(wb);
    for (var i = 0; i < all.length; i++) if (all[i].name !== L.results_sheet) names[all[i].name] = true;
    return names;
  }

  /** Findings that point at a cell of this workbook: the ones linked and marked. */
  function pointsInto(names, f) {
    return !!(f.sheet && f.cell && names[f.sheet]);
  }

  /** Cell keys to highlight, once per cell, in the findings' order. */
  function markKeys(names, findings) {
    var seen = {};
    var keys = [];
    for (var i = 0; i < findings.length; i++) {
      if (!pointsInto(names, findings[i])) continue;
      var key = markKey(findings[i].sheet, findings[i].cell);
      if (!seen[key]) {
        seen[key] = true;
        keys.push(key);
      }
    }
    return keys;
  }

  /** Write 校验结果 as a --mark copy has it: widths, wrap, 级别 fills, links, row 1 frozen. */
  function writeResults(wb, app, names, findings) {
    var rows = resultRows(findings);
    var ws = ET.freshSheet(wb, L.results_sheet);
    var width = L.result_headers.length;
    for (var r = 1; r < rows.length; r++) if (/^\d+$/.test(rows[r][0])) rows[r][0] = Number(rows[r][0]);
    ET.writeRows(ws, rows, L.formula_starts);
    var last = ET.columnLetter(width);
    ET.wrapTop(ET.range(ws, "A1:" + last + rows.length));
    ET.setBold(ET.range(ws, "A1:" + last + "1"));
    ET.setWidths(ws, L.result_widths);
    var cells = get(ws, "Cells");
    for (var i = 0; i < findings.length; i++) {
      var f = findings[i];
      var colours = L.fills[f.severity] || L.fills.warning;
      ET.paint(ET.call(cells, "Item", i + 2, 2), colours[0], colours[1]);
      if (pointsInto(names, f)) {
        ET.link(ws, ET.call(cells, "Item", i + 2, 5), cellLink(f.sheet, f.cell), String(f.cell), L.link_color);
      }
    }
    ET.freezeHeader(app, ws);
    return rows;
  }

  /** The message after a check: addin/faces/button.py check_ledger, word for word. */
  function checkMessage(counts, keys, capacity) {
    var marked = Math.min(keys.length, capacity);
    var parts = [say(CHECK.counts, { error: counts.error || 0, warning: counts.warning || 0 }), say(CHECK.listed, { sheet: L.results_sheet })];
    if (capacity > 0) {
      parts.push(say(CHECK.marked, { marked: marked }));
      if (marked < keys.length) parts.push(say(CHECK.overflow, { over: keys.length - marked }));
    } else {
      parts.push(CHECK.no_marks);
    }
    parts.push(CHECK.untouched);
    if (counts.error) parts.push(CHECK.returned);
    return parts.join("");
  }

  /** What the button does with /api/check's file object; returns the message shown. */
  function applyCheck(wb, app, result) {
    var findings = result.findings || [];
    var names = sheetNames(wb);
    var keys = markKeys(names, findings);
    var capacity = ET.writeName(wb, L.marks_name, keys, L.formula_starts); // clears the last run's
    if (!findings.length) {
      if (ET.findSheet(wb, L.results_sheet)) writeResults(wb, app, names, findings); // an old list would mislead
      return CHECK.clean;
    }
    writeResults(wb, app, names, findings);
    return checkMessage(result.counts || {}, keys, capacity);
  }

  // --- the console --------------------------------------------------------------------------

  /** The period as it stands in the console's 控制台 sheet (the officer may have edited it). */
  function consolePeriod(wb, meta) {
    var ws = ET.findSheet(wb, L.console.settings_sheet);
    if (ws) {
      var rows = ET.readSheet(ws, false);
      for (var i = 0; i < rows.length; i++) {
        if (typeof rows[i][0] === "string" && trim(rows[i][0]) === L.console.period_key) {
          var v = rows[i][1];
          if (v !== null && v !== undefined && trim(v)) return trim(v);
        }
      }
    }
    return meta.period ? trim(meta.period) : "";
  }

  function blankIfNone(v) {
    return v === null || v === undefined ? "" : v;
  }

  /** The 报送情况 table (addin/write/console_book.py unit_rows) from /api/board's units. */
  function boardRows(period, units, service, when) {
    // period: the board's period_label (2021年度) when the service gives it, else its code
    var rows = [L.console.unit_headers.slice()];
    for (var i = 0; i < units.length; i++) {
      var u = units[i];
      rows.push([i + 1, u.unit || "", u.status || "", u.file || "", blankIfNone(u.errors), blankIfNone(u.warnings)]);
    }
    rows.push([]);
    rows.push(["", say(WPS.board_note, { period: period, updated: L.console.updated, when: when, service: service })]);
    return rows;
  }

  function stamp(now) {
    function two(n) {
      return n < 10 ? "0" + n : String(n);
    }
    return now.getFullYear() + "-" + two(now.getMonth() + 1) + "-" + two(now.getDate()) + " " + two(now.getHours()) + ":" + two(now.getMinutes());
  }

  function applyBoard(wb, app, period, board, service, now) {
    var units = Object.prototype.toString.call(board) === "[object Array]" ? board : board.units || [];
    var ws = ET.freshSheet(wb, L.console.units_sheet);
    var label = (board && board.period_label) || period;
    ET.writeRows(ws, boardRows(label, units, service, stamp(now || new Date())), L.formula_starts);
    ET.setBold(ET.range(ws, "A1:" + ET.columnLetter(L.console.unit_headers.length) + "1"));
    ET.freezeHeader(app, ws);
    var tally = [];
    for (var k = 0; k < L.console.statuses.length; k++) {
      var status = L.console.statuses[k];
      var n = 0;
      for (var i = 0; i < units.length; i++) if (units[i].status === status) n++;
      tally.push(status + " " + n);
    }
    return say(WPS.board, { period: period, units: units.length, tally: tally.join("，") }) + "\n" + say(WPS.board_updated, { sheet: L.console.units_sheet });
  }

  // --- the service --------------------------------------------------------------------------

  function detailOf(body) {
    if (!body || typeof body !== "object") return "";
    var d = body.message || body.error || body.detail || "";
    if (d && typeof d === "object") d = d.message || "";
    // the service's refusals read "错误 [usage.bureau-only]：…": the officer needs the words
    d = String(d).replace(/^错误\s*\[[^\]]*\][：:]\s*/, "");
    return d ? "：" + d : "";
  }

  function failure(status, body, service) {
    if (status === 0) return say(WPS.not_running, { service: service });
    if (status === 401) return WPS.unauthorized;
    if (status === 403) return say(WPS.forbidden, { detail: detailOf(body) });
    if (status === 413) return say(WPS.too_large, { detail: detailOf(body) });
    return say(WPS.service_error, { status: status, detail: detailOf(body) });
  }

  /**
   * Where the access code and the service address are kept: localStorage lasts across WPS
   * restarts; PluginStorage (shared by the add-in's pages) is the fallback.
   */
  function storage(host, app) {
    var ls = ET.attempt(function () {
      return host.localStorage || null;
    }, null);
    var ps = (app && app.PluginStorage) || (host.wps && host.wps.PluginStorage) || null;
    function each(fn) {
      if (ls) ET.attempt(function () {
        fn(ls);
      });
      if (ps) ET.attempt(function () {
        fn(ps);
      });
    }
    return {
      get: function (k) {
        var v = ls ? ET.attempt(function () {
          return ls.getItem(k);
        }, null) : null;
        if (!v && ps) v = ET.attempt(function () {
          return ps.getItem(k);
        }, null);
        return v ? String(v) : null;
      },
      set: function (k, v) {
        each(function (s) {
          s.setItem(k, v);
        });
      },
      remove: function (k) {
        each(function (s) {
          if (typeof s.removeItem === "function") s.removeItem(k);
          else s.setItem(k, "");
        });
      }
    };
  }

  /** The page's XMLHttpRequest: asynchronous, JSON both ways, status 0 when unreachable. */
  function xhrTransport(host) {
    return function (method, url, headers, body, done) {
      var req = new host.XMLHttpRequest();
      var finished = false;
      function finish(status, text) {
        if (finished) return;
        finished = true;
        var data = null;
        try {
          data = text ? JSON.parse(text) : null;
        } catch (e) {
          data = null;
        }
        done(status, data);
      }
      req.open(method, url, true);
      for (var h in headers) if (Object.prototype.hasOwnProperty.call(headers, h)) req.setRequestHeader(h, headers[h]);
      req.timeout = TIMEOUT_MS;
      req.onload = function () {
        finish(req.status, req.responseText);
      };
      req.onerror = function () {
        finish(0, "");
      };
      req.ontimeout = function () {
        finish(0, "");
      };
      req.send(body === null || body === undefined ? null : JSON.stringify(body));
    };
  }

  function errorText(e) {
    return e && e.message ? e.message : String(e);
  }

  /**
   * One press. env: {app, host, config, transport(method, url, headers, body, done(status,
   * data)), alert(text), ask(prompt) → text | null (cancelled) | undefined (no prompt here)}.
   * done(outcome) gets {kind: ledger|console|help|failed|cancelled|needcode, message}.
   */
  function run(env, done) {
    done = done || function () {};
    var app = env.app;
    function finish(kind, message) {
      if (message) env.alert(message);
      done({ kind: kind, message: message });
    }
    if (!app) return finish("failed", WPS.no_app);
    var wb = ET.attempt(function () {
      return get(app, "ActiveWorkbook");
    }, null);
    if (!wb) return finish("failed", WPS.no_workbook);
    var request, period;
    try {
      var meta = readMeta(wb);
      if (meta.template === L.ledger_template) {
        request = { method: "POST", path: "/api/check", body: checkRequest(wb, meta) };
      } else if (meta.template === L.console_template) {
        period = consolePeriod(wb, meta);
        if (!period) return finish("failed", say(WPS.no_period, { sheet: L.console.settings_sheet, key: L.console.period_key }));
        request = { method: "GET", path: "/api/board?period=" + encodeURIComponent(period), body: null };
      } else {
        return finish("help", WPS.neither + "\n\n" + WPS.help);
      }
    } catch (e) {
      return finish("failed", say(WPS.read_failed, { detail: errorText(e) }));
    }
    var store = storage(env.host || {}, app);
    var service = (store.get(SERVICE_KEY) || (env.config || {}).service || L.default_service).replace(/\/+$/, "");
    var code = store.get(CODE_KEY);
    var retried = false;

    function askCode(again) {
      var answer = env.ask ? env.ask(again ? WPS.ask_code_again : WPS.ask_code) : undefined;
      if (answer === undefined) return undefined; // no prompt() in this build: a dialog asks
      if (answer === null || !trim(answer)) return null;
      store.set(CODE_KEY, trim(answer));
      return trim(answer);
    }

    function send() {
      var headers = { Authorization: "Bearer " + code };
      if (request.body) headers["Content-Type"] = "application/json";
      env.transport(request.method, service + request.path, headers, request.body, function (status, data) {
        if (status === 401) {
          store.remove(CODE_KEY);
          if (!retried) {
            retried = true; // one more try after a typo, then stop
            code = askCode(true);
            if (code === undefined) return finish("needcode", "");
            if (code === null) return finish("cancelled", "");
            return send();
          }
        }
        if (status < 200 || status >= 300 || !data) return finish("failed", failure(status, data, service));
        try {
          if (request.body) return finish("ledger", applyCheck(wb, app, data));
          return finish("console", applyBoard(wb, app, period, data, service));
        } catch (e) {
          return finish("failed", say(WPS.write_failed, { detail: errorText(e) }));
        }
      });
    }

    if (!code) {
      code = askCode(false);
      if (code === undefined) return finish("needcode", "");
      if (code === null) return finish("cancelled", "");
    }
    send();
  }

  return {
    CODE_KEY: CODE_KEY,
    SERVICE_KEY: SERVICE_KEY,
    layout: L,
    say: say,
    readMeta: readMeta,
    checkRequest: checkRequest,
    resultRows: resultRows,
    markKey: markKey,
    cellLink: cellLink,
    checkMessage: checkMessage,
    applyCheck: applyCheck,
    consolePeriod: consolePeriod,
    boardRows: boardRows,
    applyBoard: applyBoard,
    failure: failure,
    storage: storage,
    xhrTransport: xhrTransport,
    run: run
  };
});
