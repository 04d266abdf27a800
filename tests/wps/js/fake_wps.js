/* A FAKE of WPS 表格's ET object model — only the members the add-in touches — for Node tests.
 * Nothing here is Kingsoft's code: it mimics the VBA-like API the add-in is written against,
 * and behaves as a spreadsheet does where it matters to the add-in:
 *
 * - a merged area holds its value in its top-left cell only (Value2 of the others is empty);
 * - a date is a serial number whose NumberFormat says it is a date, and whose Text shows it in
 *   that format; other numbers show in the General format;
 * - a protected sheet refuses every write outside its unlocked cells (the template's sheets
 *   are protected, only the marks column of _taizhang is unlocked), so a test fails if the
 *   add-in writes into a county's cells.
 *
 * style "property": members are properties (current WPS: wb.Sheets.Count, ws.Name).
 * style "method":   the same members are zero-argument methods (older builds: Sheets.Count(),
 *                   app.ActiveWorkbook()), and assignments go through put_Name(value).
 * bulk false:       Range(...).Value2 of a block is no array (the add-in reads cell by cell).
 * numberFormat false: cells have no NumberFormat (the add-in judges dates by their Text).
 *
 * fromFixture() fills a workbook from a JSON dump of a real return (tests/wps/fixtures.py:
 * the project's own template and sample returns, read by addin.read.reader.read_workbook).
 */
"use strict";

function colNumber(letters) {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

function colLetters(n) {
  let s = "";
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function parseAddress(address) {
  const a = String(address).replace(/\$/g, "").toUpperCase();
  let m = /^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$/.exec(a);
  if (m) {
    const top = +m[2];
    const left = colNumber(m[1]);
    return { top, left, bottom: m[4] ? +m[4] : top, right: m[3] ? colNumber(m[3]) : left };
  }
  m = /^([A-Z]+):([A-Z]+)$/.exec(a);
  if (m) return { top: 1, left: colNumber(m[1]), bottom: 1048576, right: colNumber(m[2]) };
  throw new Error("fake: bad address " + address);
}

function boxAddress(b) {
  const one = "$" + colLetters(b.left) + "$" + b.top;
  return b.top === b.bottom && b.left === b.right ? one : one + ":$" + colLetters(b.right) + "$" + b.bottom;
}

const GENERAL = "G/通用格式"; // WPS's General in a Chinese locale
const DAY_MS = 86400000;

function isoToSerial(iso) {
  const [y, mo, d] = iso.slice(0, 10).split("-").map(Number);
  let serial = (Date.UTC(y, mo - 1, d) - Date.UTC(1899, 11, 30)) / DAY_MS;
  if (iso.length > 10) {
    const [h, mi, s] = iso.slice(11).split(":").map(Number);
    serial += (h * 3600 + mi * 60 + (s || 0)) / 86400;
  }
  return serial;
}

/** A serial shown in a format: only those the template uses (yyyy"年"m"月"d"日") and General. */
function showDate(serial, format) {
  const d = new Date(Date.UTC(1899, 11, 30) + Math.floor(serial) * DAY_MS);
  if (format === 'yyyy"年"m"月"d"日"') return d.getUTCFullYear() + "年" + (d.getUTCMonth() + 1) + "月" + d.getUTCDate() + "日";
  return d.getUTCFullYear() + "/" + (d.getUTCMonth() + 1) + "/" + d.getUTCDate();
}

class Cell {
  constructor() {
    this.value = undefined;
    this.format = GENERAL;
    this.fill = null;
    this.fontColor = null;
    this.bold = false;
    this.underline = null;
    this.quoted = false;
  }
  text() {
    const v = this.value;
    if (v === undefined || v === null) return "";
    if (typeof v === "number") return this.format === GENERAL ? String(v) : showDate(v, this.format);
    if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
    return String(v);
  }
}

// Calls into the object model — property reads and writes, Item/Range — as a measure of what a
// press costs in a real WPS, where each one crosses into the spreadsheet.
const counter = { calls: 0 };

/** A member either as a property or as a zero-argument method (with put_Name). */
function member(obj, name, style, get, set) {
  const refuse = () => {
    throw new Error("fake: " + name + " is read-only");
  };
  const getter = () => {
    counter.calls++;
    return get();
  };
  const setter = set
    ? (v) => {
        counter.calls++;
        return set(v);
      }
    : null;
  if (style === "method") {
    Object.defineProperty(obj, name, { value: () => getter(), enumerable: true });
    Object.defineProperty(obj, "put_" + name, { value: setter || refuse });
  } else {
    Object.defineProperty(obj, name, { get: getter, set: setter || refuse, enumerable: true });
  }
}

function countOf(n, style) {
  const o = {};
  member(o, "Count", style, () => n);
  return o;
}

class FakeRange {
  constructor(sheet, box) {
    const style = sheet.book.app.style;
    this.sheet = sheet;
    this.box = box;
    member(this, "Row", style, () => box.top);
    member(this, "Column", style, () => box.left);
    member(this, "Rows", style, () => countOf(box.bottom - box.top + 1, style));
    member(this, "Columns", style, () => countOf(box.right - box.left + 1, style));
    member(this, "Address", style, () => boxAddress(box));
    member(this, "Value2", style, () => this.getValue2(), (v) => this.setValue2(v));
    member(this, "Text", style, () => (this.single() ? this.cell(0, 0).text() : ""));
    if (sheet.book.app.numberFormat) {
      member(this, "NumberFormat", style, () => {
        const formats = new Set();
        this.each((cell) => formats.add(cell.format));
        return formats.size === 1 ? [...formats][0] : null; // VBA: Null for mixed formats
      });
    }
    member(this, "MergeCells", style, () => this.mergeCells());
    member(this, "MergeArea", style, () => {
      const area = this.single() && sheet.mergedAt(box.top, box.left);
      return area ? new FakeRange(sheet, area) : this;
    });
    member(this, "Interior", style, () => this.part({ Color: "fill" }));
    member(this, "Font", style, () => this.part({ Color: "fontColor", Bold: "bold", Underline: "underline" }));
    member(this, "Cells", style, () => ({
      Item: (r, c) => {
        counter.calls++;
        return new FakeRange(sheet, { top: box.top + r - 1, left: box.left + c - 1, bottom: box.top + r - 1, right: box.left + c - 1 });
      },
    }));
    member(this, "ColumnWidth", style, () => sheet.widths[box.left], (w) => {
      for (let c = box.left; c <= box.right; c++) sheet.widths[c] = w;
    });
    member(this, "WrapText", style, () => sheet.wrap[boxAddress(box)], (v) => {
      sheet.wrap[boxAddress(box)] = v;
    });
    member(this, "VerticalAlignment", style, () => sheet.valign[boxAddress(box)], (v) => {
      sheet.valign[boxAddress(box)] = v;
    });
  }
  single() {
    return this.box.top === this.box.bottom && this.box.left === this.box.right;
  }
  cell(i, j) {
    return this.sheet.cellAt(this.box.top + i, this.box.left + j);
  }
  each(fn) {
    const b = this.box;
    for (let r = b.top; r <= Math.min(b.bottom, 5000); r++) for (let c = b.left; c <= Math.min(b.right, 200); c++) fn(this.sheet.cellAt(r, c), r, c);
  }
  mergeCells() {
    let any = false;
    let all = true;
    this.each((_, r, c) => {
      if (this.sheet.mergedAt(r, c)) any = true;
      else all = false;
    });
    return all ? true : any ? null : false; // VBA: Null for a range partly merged
  }
  getValue2() {
    if (this.single()) return this.cell(0, 0).value;
    if (!this.sheet.book.app.bulk) return undefined;
    const out = [];
    for (let r = this.box.top; r <= this.box.bottom; r++) {
      const row = [];
      for (let c = this.box.left; c <= this.box.right; c++) {
        const cell = this.sheet.cells.get(r + "," + c);
        row.push(cell ? cell.value : undefined);
      }
      out.push(row);
    }
    return out;
  }
  guard() {
    this.each((_, r, c) => this.sheet.guard(r, c));
  }
  setValue2(v) {
    this.guard();
    const quoted = typeof v === "string" && v.startsWith("'");
    this.each((cell) => {
      cell.value = quoted ? v.slice(1) : v;
      cell.quoted = quoted;
      this.sheet.book.app.writes++;
    });
  }
  part(fields) {
    const style = this.sheet.book.app.style;
    const p = {};
    for (const [name, field] of Object.entries(fields)) {
      member(p, name, style, () => this.cell(0, 0)[field], (v) => {
        this.guard();
        this.each((c) => {
          c[field] = v;
        });
      });
    }
    return p;
  }
  ClearContents() {
    this.guard();
    for (const [key, cell] of this.sheet.cells) {
      const [r, c] = key.split(",").map(Number);
      if (r >= this.box.top && r <= this.box.bottom && c >= this.box.left && c <= this.box.right) cell.value = undefined;
    }
  }
  address() {
    return colLetters(this.box.left) + this.box.top;
  }
}

class FakeSheet {
  constructor(book, name, opts) {
    opts = opts || {};
    const style = book.app.style;
    this.book = book;
    this.cells = new Map();
    this.merged = (opts.merged || []).map(parseAddress);
    this.grid = opts.grid || null; // the used range a real file declares
    this.widths = {};
    this.wrap = {};
    this.valign = {};
    this.links = [];
    this.protect = !!opts.protected;
    this.unlocked = new Set(opts.unlocked || []);
    let nm = name;
    let vis = opts.hidden ? 0 : -1;
    member(this, "Name", style, () => nm, (v) => {
      nm = v;
    });
    member(this, "Visible", style, () => vis, (v) => {
      vis = v;
    });
    member(this, "UsedRange", style, () => this.usedRange());
    member(this, "Cells", style, () => ({
      Item: (r, c) => {
        counter.calls++;
        return new FakeRange(this, { top: r, left: c, bottom: r, right: c });
      },
      Clear: () => {
        if (this.protect) throw new Error("fake: sheet " + nm + " is protected");
        this.cells.clear();
        this.grid = null;
      },
    }));
    member(this, "Hyperlinks", style, () => ({
      Add: (anchor, address, subAddress, tip, text) => {
        this.guard(anchor.box.top, anchor.box.left);
        this.links.push({ cell: anchor.address(), address, subAddress, text });
        anchor.cell(0, 0).value = text;
      },
      Delete: () => {
        this.links = [];
      },
    }));
  }
  name() {
    return typeof this.Name === "function" ? this.Name() : this.Name;
  }
  guard(r, c) {
    if (this.protect && !this.unlocked.has(colLetters(c) + r)) throw new Error("fake: " + this.name() + "!" + colLetters(c) + r + " is locked");
  }
  mergedAt(r, c) {
    return this.merged.find((b) => r >= b.top && r <= b.bottom && c >= b.left && c <= b.right) || null;
  }
  cellAt(r, c) {
    const key = r + "," + c;
    if (!this.cells.has(key)) this.cells.set(key, new Cell());
    return this.cells.get(key);
  }
  put(address, value, format) {
    const b = parseAddress(address);
    const cell = this.cellAt(b.top, b.left);
    cell.value = value;
    if (format) cell.format = format;
    return this;
  }
  get(address) {
    const b = parseAddress(address);
    const cell = this.cells.get(b.top + "," + b.left);
    return cell ? cell.value : undefined;
  }
  cellObj(address) {
    const b = parseAddress(address);
    return this.cells.get(b.top + "," + b.left);
  }
  usedRange() {
    let top = Infinity;
    let left = Infinity;
    let bottom = 0;
    let right = 0;
    const take = (r, c) => {
      top = Math.min(top, r);
      left = Math.min(left, c);
      bottom = Math.max(bottom, r);
      right = Math.max(right, c);
    };
    if (this.grid) {
      take(1, 1);
      take(this.grid[0], this.grid[1]);
    }
    for (const [key, cell] of this.cells) {
      if (cell.value === undefined) continue;
      const [r, c] = key.split(",").map(Number);
      take(r, c);
    }
    if (!bottom) return new FakeRange(this, { top: 1, left: 1, bottom: 1, right: 1 });
    return new FakeRange(this, { top, left, bottom, right });
  }
  Range(address) {
    counter.calls++;
    return new FakeRange(this, parseAddress(address));
  }
  Activate() {
    this.book.activeSheet = this;
  }
  /** For assertions: values as rows from A1 to the used range's end. */
  rows() {
    const used = this.usedRange().box;
    const out = [];
    for (let r = 1; r <= used.bottom; r++) {
      const row = [];
      for (let c = 1; c <= used.right; c++) {
        const x = this.cells.get(r + "," + c);
        row.push(x && x.value !== undefined ? x.value : null);
      }
      out.push(row);
    }
    return out;
  }
}

class FakeWorkbook {
  constructor(app, name) {
    const style = app.style;
    this.app = app;
    this.sheets = [];
    this.names = {};
    this.date1904 = false;
    member(this, "Name", style, () => name);
    member(this, "Date1904", style, () => this.date1904);
    const collection = {
      Item: (i) => {
        counter.calls++;
        const ws = typeof i === "number" ? this.sheets[i - 1] : this.sheets.find((s) => s.name() === i);
        if (!ws) throw new Error("fake: no sheet " + i);
        return ws;
      },
      Add: (before) => {
        const ws = new FakeSheet(this, "Sheet" + (this.sheets.length + 1));
        const at = before ? this.sheets.indexOf(before) : this.sheets.length;
        this.sheets.splice(at < 0 ? this.sheets.length : at, 0, ws);
        return ws;
      },
    };
    member(collection, "Count", style, () => this.sheets.length);
    member(this, "Worksheets", style, () => collection);
    member(this, "Sheets", style, () => collection);
    member(this, "Names", style, () => ({
      Item: (n) => {
        const ref = this.names[n];
        if (!ref) throw new Error("fake: no name " + n);
        const o = {};
        member(o, "RefersToRange", style, () => this.sheet(ref.sheet).Range(ref.address));
        return o;
      },
    }));
  }
  addSheet(name, opts) {
    const ws = new FakeSheet(this, name, opts);
    this.sheets.push(ws);
    return ws;
  }
  sheet(name) {
    return this.sheets.find((s) => s.name() === name);
  }
  defineName(name, sheet, address) {
    this.names[name] = { sheet, address };
  }
}

class FakeApp {
  constructor(opts) {
    opts = opts || {};
    this.style = opts.style || "property";
    this.bulk = opts.bulk !== false;
    this.numberFormat = opts.numberFormat !== false;
    this.active = null;
    this.window = {};
    this.writes = 0;
    member(this, "ActiveWorkbook", this.style, () => this.active);
    member(this, "ActiveWindow", this.style, () => this.window);
    const storage = new Map();
    this.PluginStorage = { getItem: (k) => (storage.has(k) ? storage.get(k) : null), setItem: (k, v) => storage.set(k, v) };
  }
  open(name) {
    this.active = new FakeWorkbook(this, name);
    return this.active;
  }
}

/** A cell value of the JSON dump: {"date": iso} / {"datetime": iso} become date serials. */
function decode(value, dateFormat) {
  if (value && typeof value === "object") {
    if (value.date) return [isoToSerial(value.date), dateFormat];
    if (value.datetime) return [isoToSerial(value.datetime), 'yyyy"年"m"月"d"日" h:mm'];
  }
  return [value === null ? undefined : value, null];
}

/** The workbook of a fixture (a real return dumped by tests/wps/fixtures.py), opened. */
function fromFixture(app, fixture) {
  const wb = app.open(fixture.name);
  wb.date1904 = fixture.date1904;
  for (const s of fixture.sheets) {
    const width = Math.max(0, ...s.rows.map((r) => r.length));
    const ws = wb.addSheet(s.name, { hidden: s.hidden, merged: s.merged, protected: s.protected, unlocked: s.unlocked, grid: s.rows.length && width ? [s.rows.length, width] : null });
    s.rows.forEach((row, i) =>
      row.forEach((v, j) => {
        const [value, format] = decode(v, fixture.date_format);
        if (value !== undefined) ws.put(colLetters(j + 1) + (i + 1), value, format);
      })
    );
  }
  for (const [name, ref] of Object.entries(fixture.names)) wb.defineName(name, ref.sheet, ref.address);
  return wb;
}

module.exports = { FakeApp, FakeWorkbook, FakeSheet, fromFixture, colLetters, parseAddress, counter };
