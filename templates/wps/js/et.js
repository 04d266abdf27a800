/* WPS 表格's object model (the "ET" JS API: VBA-like and synchronous) as the 台账 button uses
 * it: find the Application, read a sheet's used values, write cells. Nothing here knows
 * about ledgers; taizhang.js does.
 *
 * WPS builds differ in how they expose members: current ones have properties
 * (wb.Sheets.Count, app.ActiveWorkbook), older ones zero-argument methods (wb.Sheets.Count(),
 * app.ActiveWorkbook()) and, for some, put_Name(value) setters. get() and put() accept both,
 * so no code below names a member the second way.
 *
 * ES5 only (no let/const/arrow functions/template strings): old WPS builds embed old Chromium.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.TaizhangET = factory();
  }
})(this, function () {
  "use strict";

  // As addin/faces/excel.py: a ledger has ~80 rows; never pull a sheet formatted to row 1048576.
  var MAX_ROWS = 20000;
  var MAX_COLUMNS = 200;
  var XL_SHEET_VISIBLE = -1;
  var XL_TOP = -4160;
  var XL_UNDERLINE_SINGLE = 2;
  // Value2 of an error cell (#DIV/0!, #N/A, #NAME?, #NULL!, #NUM!, #REF!, #VALUE!) when a build
  // hands the COM error code through; the file reader reads these cells as empty.
  var ERROR_CODES = [-2146826281, -2146826246, -2146826259, -2146826288, -2146826252, -2146826265, -2146826273];

  // --- the property-or-method difference between builds ------------------------------------

  /** obj.name, calling it when this build exposes it as a zero-argument method. */
  function get(obj, name) {
    if (obj === null || obj === undefined) return undefined;
    var v = obj[name];
    if (typeof v === "function") return v.call(obj);
    return v;
  }

  /** obj.name(args…): a method in every build (Item, Range, Add, Clear, …). */
  function call(obj, name) {
    var args = Array.prototype.slice.call(arguments, 2);
    var f = obj ? obj[name] : undefined;
    if (typeof f !== "function") throw new Error("WPS 对象没有方法 " + name);
    return f.apply(obj, args);
  }

  /** Set a property; a build that has only put_Name(value) gets that instead. */
  function put(obj, name, value) {
    if (typeof obj["put_" + name] === "function") {
      obj["put_" + name](value);
    } else {
      obj[name] = value;
    }
  }

  function attempt(fn, fallback) {
    try {
      return fn();
    } catch (e) {
      return fallback;
    }
  }

  /** The ET Application, whichever way this build exposes it (null outside WPS 表格). */
  function application(host) {
    var candidates = [];
    if (host.Application) candidates.push(host.Application);
    if (host.wps) {
      if (typeof host.wps.EtApplication === "function") {
        var et = attempt(function () {
          return host.wps.EtApplication();
        }, null);
        if (et) candidates.push(et);
      }
      if (host.wps.Application) candidates.push(host.wps.Application);
    }
    for (var i = 0; i < candidates.length; i++) {
      var app = candidates[i];
      if (app.ActiveWorkbook !== undefined || app.Workbooks !== undefined) return app;
    }
    return null;
  }

  // --- addresses and colours ----------------------------------------------------------------

  function columnLetter(n) {
    var s = "";
    while (n > 0) {
      var m = (n - 1) % 26;
      s = String.fromCharCode(65 + m) + s;
      n = Math.floor((n - 1) / 26);
    }
    return s;
  }

  /** Hex RRGGBB → the BGR integer Interior.Color and Font.Color take. */
  function bgr(hex) {
    var r = parseInt(hex.substr(0, 2), 16);
    var g = parseInt(hex.substr(2, 2), 16);
    var b = parseInt(hex.substr(4, 2), 16);
    return r + g * 256 + b * 65536;
  }

  /** A range's box: top row, left column, row and column counts. */
  function box(range) {
    return {
      top: get(range, "Row"),
      left: get(range, "Column"),
      rows: get(get(range, "Rows"), "Count"),
      cols: get(get(range, "Columns"), "Count")
    };
  }

  // --- sheets -------------------------------------------------------------------------------

  function collection(wb) {
    return get(wb, "Worksheets") || get(wb, "Sheets");
  }

  /** [{name, sheet, hidden}] of every worksheet, in tab order. */
  function sheets(wb) {
    var all = collection(wb);
    var count = get(all, "Count");
    var out = [];
    for (var i = 1; i <= count; i++) {
      var ws = call(all, "Item", i);
      var visible = get(ws, "Visible");
      out.push({ name: String(get(ws, "Name")), sheet: ws, hidden: !(visible === XL_SHEET_VISIBLE || visible === true) });
    }
    return out;
  }

  function findSheet(wb, name) {
    var all = sheets(wb);
    for (var i = 0; i < all.length; i++) if (all[i].name === name) return all[i].sheet;
    return null;
  }

  // --- reading ------------------------------------------------------------------------------

  /** A block's Value2 as rows, whatever shape this build returns; null when it is no array. */
  function asMatrix(value, rows, cols) {
    if (rows === 1 && cols === 1) return [[value]];
    if (value && typeof value.toArray === "function") value = value.toArray(); // a VBArray
    if (Object.prototype.toString.call(value) !== "[object Array]") return null;
    if (value.length === rows && Object.prototype.toString.call(value[0]) === "[object Array]") return value;
    if (value.length === rows * cols) {
      var out = [];
      for (var r = 0; r < rows; r++) out.push(value.slice(r * cols, (r + 1) * cols));
      return out;
    }
    return null;
  }

  /**
   * Whether a number format shows a date or a time — the test the file reader (calamine)
   * makes: a y, m, d, h or s outside quotes, escapes, fills and [brackets]. [h]:mm is an
   * elapsed time, which the reader keeps as a number of days.
   */
  function isDateFormat(format) {
    if (typeof format !== "string" || !format) return false;
    var first = format.split(";")[0];
    if (/\[(h+|m+|s+)\]/i.test(first)) return false;
    var bare = first
      .replace(/"[^"]*"/g, "")
      .replace(/\\./g, "")
      .replace(/[_*]./g, "")
      .replace(/\[[^\]]*\]/g, "");
    if (/^(general|g\/通用格式)$/i.test(bare.replace(/\s/g, ""))) return false;
    return /[ymdhs]/i.test(bare);
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }

  /**
   * A date cell's serial as the file reader gives it, in the ISO text the validator shows:
   * 2021-06-30, 2021-06-30 10:30:00, or 10:30:00 for a time of day alone.
   */
  function serialText(serial, date1904) {
    var days = Math.floor(serial);
    var seconds = Math.round((serial - days) * 86400);
    if (seconds === 86400) {
      days += 1;
      seconds = 0;
    }
    var clock = pad(Math.floor(seconds / 3600), 2) + ":" + pad(Math.floor((seconds % 3600) / 60), 2) + ":" + pad(seconds % 60, 2);
    if (days === 0 && !date1904) return clock;
    // the 1900 system counts a 29 February 1900 that never was (serial 60)
    var base = date1904 ? Date.UTC(1904, 0, 1) : days < 61 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
    var d = new Date(base + days * 86400000);
    var text = pad(d.getUTCFullYear(), 4) + "-" + pad(d.getUTCMonth() + 1, 2) + "-" + pad(d.getUTCDate(), 2);
    return seconds ? text + " " + clock : text;
  }

  /** The number format of a cell, null when this build has none (or cannot say). */
  function formatOf(cell) {
    var format = attempt(function () {
      return get(cell, "NumberFormat");
    }, null);
    return typeof format === "string" ? format : null;
  }

  /**
   * One cell's value as the spreadsheet shows it and the file reader reads it: text as typed,
   * a number as its exact value (not the rounded display), a date or time as the date — a
   * number only holds a date by its format — and an error cell as empty. `format` is the
   * cell's number format when already known (its column has one), else null.
   */
  function cellValue(value, cellOf, date1904, format) {
    if (value === undefined || value === null || value === "") return null;
    if (typeof value === "string" || typeof value === "boolean") return value;
    if (Object.prototype.toString.call(value) === "[object Date]") {
      return serialText(value.getTime() / 86400000 + 25569, false); // a JS Date: UTC days since 1970
    }
    if (typeof value !== "number") return String(value);
    if (ERROR_CODES.indexOf(value) >= 0) return null;
    var cell = null;
    if (typeof format !== "string") {
      cell = cellOf();
      format = formatOf(cell);
    }
    if (typeof format === "string") return isDateFormat(format) ? serialText(value, date1904) : value;
    // no NumberFormat in this build: judge by the text shown
    var text = String(attempt(function () {
      return get(cell || cellOf(), "Text");
    }, ""));
    if (/^\d{4}\s*(年|[\/.-])\s*\d{1,2}/.test(text) && value > 0) return serialText(value, date1904);
    return value;
  }

  function cellGetter(cells, r, c) {
    return function () {
      return call(cells, "Item", r, c);
    };
  }

  /**
   * The sheet's values from A1 to the end of its used range (rows[0] is row 1), merged cells
   * given their top-left value as a person reads them (as the file reader does).
   *
   * Every call into WPS crosses into the spreadsheet, so the reading is by blocks where the
   * model allows: one Value2 for the whole range, one NumberFormat per column (a column of one
   * format answers it; a mixed one answers null and its numbers are asked one by one), one
   * MergeCells per row (only a row holding a merged area is looked at cell by cell).
   */
  function readSheet(ws, date1904) {
    var used = get(ws, "UsedRange");
    if (!used) return [];
    var u = box(used);
    var lastRow = Math.min(u.top + u.rows - 1, MAX_ROWS);
    var lastCol = Math.min(u.left + u.cols - 1, MAX_COLUMNS);
    if (lastRow < u.top || lastCol < u.left) return [];
    var nRows = lastRow - u.top + 1;
    var nCols = lastCol - u.left + 1;
    var block = call(ws, "Range", columnLetter(u.left) + u.top + ":" + columnLetter(lastCol) + lastRow);
    var matrix = attempt(function () {
      return asMatrix(get(block, "Value2"), nRows, nCols);
    }, null);
    var cells = get(ws, "Cells");
    var rows = [];
    var r, c;
    for (r = 1; r <= lastRow; r++) {
      var row = [];
      for (c = 1; c <= lastCol; c++) row.push(null);
      rows.push(row);
    }
    var formats = {};
    for (c = u.left; c <= lastCol; c++) {
      for (r = u.top; r <= lastRow; r++) {
        var cellOf = cellGetter(cells, r, c);
        var v = matrix ? matrix[r - u.top][c - u.left] : get(cellOf(), "Value2");
        if (typeof v === "number" && !(c in formats)) {
          var letter = columnLetter(c);
          formats[c] = formatOf(call(ws, "Range", letter + u.top + ":" + letter + lastRow));
        }
        rows[r - 1][c - 1] = cellValue(v, cellOf, date1904, formats[c]);
      }
    }
    if (get(used, "MergeCells") !== false) spreadMerged(ws, cells, rows);
    return rows;
  }

  /** Fill the empty cells of each merged area inside the grid with its top-left value. */
  function spreadMerged(ws, cells, rows) {
    var last = columnLetter(rows.length ? rows[0].length : 1);
    for (var r = 0; r < rows.length; r++) {
      if (get(call(ws, "Range", "A" + (r + 1) + ":" + last + (r + 1)), "MergeCells") === false) continue;
      for (var c = 0; c < rows[r].length; c++) {
        var value = rows[r][c];
        if (value === null) continue;
        var cell = call(cells, "Item", r + 1, c + 1);
        if (get(cell, "MergeCells") !== true) continue;
        var area = box(get(cell, "MergeArea"));
        if (area.top !== r + 1 || area.left !== c + 1) continue; // not the area's top-left
        for (var i = area.top; i < area.top + area.rows && i <= rows.length; i++) {
          for (var j = area.left; j < area.left + area.cols && j <= rows[i - 1].length; j++) {
            if (rows[i - 1][j - 1] === null) rows[i - 1][j - 1] = value;
          }
        }
      }
    }
  }

  // --- writing ------------------------------------------------------------------------------

  /** The sheet named `name`, emptied (values, formats, links), or a new first tab of it. */
  function freshSheet(wb, name) {
    var ws = findSheet(wb, name);
    if (ws) {
      attempt(function () {
        call(get(ws, "Hyperlinks"), "Delete");
      });
      call(get(ws, "Cells"), "Clear");
      return ws;
    }
    var all = collection(wb);
    ws = call(all, "Add", call(all, "Item", 1));
    put(ws, "Name", name);
    return ws;
  }

  /** Write a value so that text can never become a formula (a leading ' keeps it text). */
  function writeValue(cell, value, formulaStarts) {
    if (typeof value === "string" && formulaStarts.indexOf(value.charAt(0)) >= 0) value = "'" + value;
    put(cell, "Value2", value);
  }

  /** rows from A1; empty strings and nulls leave the cell empty. */
  function writeRows(ws, rows, formulaStarts) {
    var cells = get(ws, "Cells");
    for (var r = 0; r < rows.length; r++) {
      for (var c = 0; c < rows[r].length; c++) {
        var v = rows[r][c];
        if (v === null || v === undefined || v === "") continue;
        writeValue(call(cells, "Item", r + 1, c + 1), v, formulaStarts);
      }
    }
  }

  function range(ws, address) {
    return call(ws, "Range", address);
  }

  function setBold(rng) {
    put(get(rng, "Font"), "Bold", true);
  }

  function setWidths(ws, widths) {
    for (var i = 0; i < widths.length; i++) {
      var col = columnLetter(i + 1);
      put(range(ws, col + ":" + col), "ColumnWidth", widths[i]);
    }
  }

  function wrapTop(rng) {
    put(rng, "WrapText", true);
    put(rng, "VerticalAlignment", XL_TOP);
  }

  /** Fill and font colour (RRGGBB) of one cell, its font bold. */
  function paint(cell, fill, font) {
    put(get(cell, "Interior"), "Color", bgr(fill));
    var f = get(cell, "Font");
    put(f, "Color", bgr(font));
    put(f, "Bold", true);
  }

  /** An internal hyperlink on `cell` to `location` ('任务台账'!G14), shown as `text`. */
  function link(ws, cell, location, text, color) {
    call(get(ws, "Hyperlinks"), "Add", cell, "", location, "", text);
    var f = get(cell, "Font");
    put(f, "Color", bgr(color));
    put(f, "Underline", XL_UNDERLINE_SINGLE);
  }

  /** Activate the sheet and freeze its first row. */
  function freezeHeader(app, ws) {
    attempt(function () {
      call(ws, "Activate");
      var win = get(app, "ActiveWindow");
      put(win, "FreezePanes", false);
      put(win, "SplitColumn", 0);
      put(win, "SplitRow", 1);
      put(win, "FreezePanes", true);
    });
  }

  /**
   * Clear the defined name's range, then write `values` down its first column; returns how
   * many cells the range holds (values beyond it are not written), 0 when there is no such
   * name — the same contract as BookAdapter.write_name in addin/faces/button.py.
   */
  function writeName(wb, name, values, formulaStarts) {
    var target = attempt(function () {
      return get(call(get(wb, "Names"), "Item", name), "RefersToRange");
    }, null);
    if (!target) return 0;
    var capacity = get(get(target, "Rows"), "Count");
    call(target, "ClearContents");
    var cells = get(target, "Cells");
    var n = Math.min(values.length, capacity);
    for (var i = 0; i < n; i++) writeValue(call(cells, "Item", i + 1, 1), values[i], formulaStarts);
    return capacity;
  }

  return {
    MAX_ROWS: MAX_ROWS,
    MAX_COLUMNS: MAX_COLUMNS,
    get: get,
    call: call,
    put: put,
    attempt: attempt,
    application: application,
    columnLetter: columnLetter,
    bgr: bgr,
    sheets: sheets,
    findSheet: findSheet,
    isDateFormat: isDateFormat,
    serialText: serialText,
    cellValue: cellValue,
    readSheet: readSheet,
    freshSheet: freshSheet,
    writeValue: writeValue,
    writeRows: writeRows,
    range: range,
    setBold: setBold,
    setWidths: setWidths,
    wrapTop: wrapTop,
    paint: paint,
    link: link,
    freezeHeader: freezeHeader,
    writeName: writeName
  };
});
