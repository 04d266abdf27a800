"""Read the add-in's VBA with oletools' olevba and rebuild, from the VBA source itself, the
command line its ribbon button runs — so the tests follow the template, not our beliefs
about it."""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@cache
def modules(xlam: Path) -> dict[str, str]:
    """Module name (RibbonMyAddin, xlwings, …) → VBA source."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(xlam))
    try:
        return {
            vba_file.rsplit(".", 1)[0]: code.replace("\r\n", "\n")
            for _f, _s, vba_file, code in parser.extract_macros()
        }
    finally:
        parser.close()


def constant(xlam: Path, name: str) -> str:
    code = modules(xlam)["xlwings"]
    m = re.search(rf'^Public Const {name} As String = "([^"]*)"', code, flags=re.M)
    assert m, f"no constant {name} in xlwings.bas"
    return m.group(1)


def ribbon_subs(xlam: Path) -> set[str]:
    """Module.Sub for every `Sub X(control As IRibbonControl)`."""
    found = set()
    for module, code in modules(xlam).items():
        for m in re.finditer(
            r"^(?:Public\s+)?Sub\s+(\w+)\s*\(\s*control\s+As\s+IRibbonControl\s*\)",
            code,
            flags=re.M | re.I,
        ):
            found.add(f"{module}.{m.group(1)}")
    return found


def config_sheet(xlam: Path) -> tuple[str, dict[str, str]]:
    """The add-in's only sheet: its name and its column-A key → column-B text, as stored."""
    with zipfile.ZipFile(xlam) as zf:
        workbook = ET.fromstring(zf.read("xl/workbook.xml"))
        shared = ET.fromstring(zf.read("xl/sharedStrings.xml"))
        sheet = ET.fromstring(zf.read("xl/worksheets/sheet1.xml"))
    names = [s.get("name") for s in workbook.find(f"{{{MAIN}}}sheets")]
    assert len(names) == 1
    strings = ["".join(t.text or "" for t in si.iter(f"{{{MAIN}}}t")) for si in shared]
    values: dict[str, str] = {}
    for row in sheet.iter(f"{{{MAIN}}}row"):
        cells = {}
        for c in row.findall(f"{{{MAIN}}}c"):
            if c.get("t") == "s":
                cells[c.get("r")[0]] = strings[int(c.find(f"{{{MAIN}}}v").text)]
            elif c.get("t") == "inlineStr":
                cells[c.get("r")[0]] = "".join(t.text or "" for t in c.iter(f"{{{MAIN}}}t"))
        if "A" in cells:
            values[cells["A"]] = cells.get("B", "")
    return names[0], values


def expand(value: str, environ: Mapping[str, str]) -> str:
    """WScript.ExpandEnvironmentStrings, which GetConfig applies to every value: %NAME% is
    replaced when NAME is set (names are case-insensitive on Windows), left as it is if not."""
    env = {k.upper(): v for k, v in environ.items()}
    return re.sub(r"%([^%]+)%", lambda m: env.get(m.group(1).upper(), m.group(0)), value)


def get_config(xlam: Path, key: str, environ: Mapping[str, str]) -> str:
    """GetConfig(key) when the active workbook has no config sheet of its own: the add-in's
    sheet (keys upper-cased, as GetConfigFromSheet stores them), else the default "".

    The tests run on Linux, where a Windows path's `\\` is not a separator: after expansion
    the value's backslashes become slashes — the only liberty taken with it."""
    _name, values = config_sheet(xlam)
    by_key = {k.upper(): v for k, v in values.items()}
    return expand(by_key.get(key.upper(), ""), environ).replace("\\", "/")


def sub_body(code: str, name: str, kind: str = "Sub") -> str:
    m = re.search(rf"^(?:Public\s+)?{kind}\s+{name}\b.*?^End {kind}", code, flags=re.M | re.S)
    assert m, f"no {kind} {name}"
    return m.group(0)


def evaluate(expr: str, names: dict[str, str]) -> str:
    """A VBA string expression: "literals" ("" is a quote), names, GetConfig("X") calls and
    Chr(34), joined with &."""
    out = []
    tokens = re.findall(r'"(?:[^"]|"")*"|[^&\s][^&]*?(?=\s*&|\s*$)', expr.strip())
    for token in tokens:
        token = token.strip()
        if token.startswith('"'):
            out.append(token[1:-1].replace('""', '"'))
        elif token == "Chr(34)":
            out.append('"')
        elif token in names:
            out.append(names[token])
        else:
            raise KeyError(f"VBA token not bound: {token}")
    return "".join(out)


def assignment(body: str, target: str, occurrence: int = 0) -> str:
    found = re.findall(rf"^\s*{target}\s*=\s*(.+?)\s*$", body, flags=re.M)
    assert found, f"no assignment to {target}"
    return found[occurrence]


def button_command(
    xlam: Path,
    *,
    python: str,
    active_fullname: str,
    active_name: str,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """argv of the process the button starts on Windows (ExecuteWindows, no conda, no UDF
    server), with `python` as the interpreter and the config values read from the built
    add-in's sheet, their %VARS% expanded from `environ` (e.g. a test's LOCALAPPDATA)."""
    mods = modules(xlam)
    this_name = xlam.name
    run_main = sub_body(mods["RibbonMyAddin"], "RunMain")
    # mymodule = Left(ThisWorkbook.Name, InStrRev(ThisWorkbook.Name, ".") - 1)
    assert "InStrRev(ThisWorkbook.Name" in run_main
    mymodule = this_name.rsplit(".", 1)[0]
    call = re.search(r"RunPython\s+(.+)$", run_main, flags=re.M).group(1)
    python_command = evaluate(call, {"mymodule": mymodule})

    run_python = sub_body(mods["xlwings"], "RunPython", kind="Function")
    # the Windows branch (the second PYTHONPATH assignment; the first is the Mac one)
    pythonpath_expr = assignment(run_python, "PYTHONPATH", 1)
    config = {
        f'GetConfig("{k}")': get_config(xlam, k, environ or {})
        for k in (
            "ONEDRIVE_CONSUMER_WIN",
            "ONEDRIVE_COMMERCIAL_WIN",
            "SHAREPOINT_WIN",
            "PYTHONPATH",
        )
    }
    pythonpath = evaluate(
        pythonpath_expr,
        {
            "AddExcelDir": "true",
            "ActiveFullName": active_fullname,
            "ThisFullName": str(xlam),
            **config,
        },
    )
    execute = sub_body(mods["xlwings"], "ExecuteWindows", kind="Function")
    assert 'PYTHONPATH = Replace(PYTHONPATH, "\\", "\\\\")' in execute
    pythonpath = pythonpath.replace("&", "^&").replace("\\", "\\\\")
    run_command = evaluate(
        assignment(execute, "RunCommand"),
        {
            "CondaCmd": "",
            "PythonInterpreter": f'"{python}"',
            "PYTHONPATH": pythonpath,
            "PythonCommand": python_command,
        },
    )
    tail = f' --wb="{active_name}" --from_xl=1 --app="EXCEL.EXE" --hwnd="1"'
    return shlex.split(run_command + tail)
