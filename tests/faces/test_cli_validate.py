"""`taizhang validate` end to end: real return files from the template, through the CLI's one
boundary (addin.faces.cli.main), checking exit codes 0/1/2, the JSON of SPEC §3, HTML, folders,
corrupt files among good ones, and --mark copies that leave the originals untouched."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from addin.faces.cli import main
from addin.write.mark import RESULTS_SHEET
from addin.write.template.book import mark_key
from schemas.sheets import META_SHEET, TASKS
from tests.conftest import ROOT
from tests.fill import make_return, task_cell

LATE_TASK = "9"  # the city says 2021年6月底前
LATE_CELL = task_cell(LATE_TASK, "county_due")


def run(*args: str, capsys) -> tuple[int, str, str]:
    """main() in this process: (exit status, stdout, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return exc.value.code or 0, out, err


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def returns(tmp_path_factory) -> dict[str, Path]:
    """A clean return, one with a deadline later than the city's, a corrupt file."""
    base = tmp_path_factory.mktemp("cli")
    clean = make_return(base / "good", "任城区")
    late = make_return(
        base / "bad" / "县里", "微山县", edits={(TASKS.name, LATE_CELL): "2022年底前"}
    )
    corrupt = base / "bad" / "坏文件.xlsx"
    corrupt.write_bytes(clean.read_bytes()[:3000])
    return {"clean": clean, "late": late, "corrupt": corrupt, "base": base}


def test_clean_return_exit_0(returns, capsys):
    code, out, err = run("validate", returns["clean"], "--format", "json", capsys=capsys)
    data = json.loads(out)
    [obj] = data["files"]
    errors = [f for f in obj["findings"] if f["severity"] == "error"]
    assert errors == [] and code == 0
    assert obj["ok"] is True and obj["unit"] == "任城区" and obj["period"] == "2021Y"
    assert obj["file"] == str(returns["clean"])


def test_error_exit_1_and_spec_json(returns, capsys):
    code, out, _ = run("validate", returns["late"], "--format", "json", capsys=capsys)
    assert code == 1
    data = json.loads(out)
    assert list(data) == ["files"]
    [obj] = data["files"]
    assert list(obj) == ["file", "unit", "period", "ok", "counts", "findings"]
    assert obj["ok"] is False and obj["unit"] == "微山县"
    assert obj["counts"]["error"] == sum(f["severity"] == "error" for f in obj["findings"]) >= 1
    late = [f for f in obj["findings"] if f["code"] == "time.later-than-city"]
    assert [(f["sheet"], f["cell"], f["task"], f["value"]) for f in late] == [
        (TASKS.name, LATE_CELL, LATE_TASK, "2022年底前")
    ]
    assert list(late[0]) == [
        "code",
        "severity",
        "sheet",
        "cell",
        "row",
        "column",
        "task",
        "value",
        "message",
        "hint",
    ]
    assert late[0]["row"] == int(LATE_CELL[1:]) and late[0]["column"] == "县级完成时限"
    assert "2022年底前" in late[0]["message"] and late[0]["hint"]


def test_text_output_groups_by_file(returns, capsys):
    code, out, _ = run("validate", returns["clean"], returns["late"], capsys=capsys)
    assert code == 1
    lines = out.splitlines()
    heads = [i for i, line in enumerate(lines) if not line.startswith("  ") and line]
    assert lines[heads[0]].startswith(returns["clean"].name)
    assert lines[heads[1]].startswith(returns["late"].name) and "微山县" in lines[heads[1]]
    assert any(
        line.startswith(f"  [错误] {TASKS.name}!{LATE_CELL} time.later-than-city") for line in lines
    )
    assert lines[-1].startswith("合计：2 个文件，1 个有错误")


def test_corrupt_file_among_good_ones(returns, capsys):
    args = [returns["clean"], returns["corrupt"], returns["late"]]
    code, out, _ = run("validate", *args, "--format", "json", "--jobs", "2", capsys=capsys)
    assert code == 1
    files = json.loads(out)["files"]
    assert [f["file"] for f in files] == [str(p) for p in args]
    bad = files[1]
    assert bad["unit"] is None and bad["period"] is None and not bad["ok"]
    assert [f["code"].split(".")[0] for f in bad["findings"]] == ["file"]
    assert bad["findings"][0]["severity"] == "error" and bad["findings"][0]["sheet"] is None
    assert files[0]["ok"] is True and files[2]["unit"] == "微山县"


def test_folder_searched_recursively(returns, capsys):
    code, out, _ = run("validate", returns["base"], "--format", "json", capsys=capsys)
    names = [Path(f["file"]).name for f in json.loads(out)["files"]]
    assert sorted(names) == sorted([returns["clean"].name, returns["late"].name, "坏文件.xlsx"])
    assert code == 1


def test_html_single_page_no_network(returns, capsys):
    code, out, _ = run(
        "validate", returns["late"], returns["corrupt"], "--format", "html", capsys=capsys
    )
    assert code == 1
    assert out.count("<html") == 1 and out.count("</html>") == 1
    assert not re.search(r"https?://", out) and not re.search(r"<(script|link|img)\b", out)
    assert "time.later-than-city" in out and "微山县" in out and "坏文件.xlsx" in out


def test_missing_path_one_chinese_line_exit_2(tmp_path):
    missing = tmp_path / "没有.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "addin", "validate", str(missing)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"错误 [usage.path-missing]：找不到文件或文件夹“{missing}”，请检查路径是否正确"
    ]


def test_console_script_exit_codes(returns):
    exe = Path(sys.executable).with_name("taizhang")  # the console script pip installed
    assert exe.exists(), f"console script missing beside {sys.executable}"
    good = subprocess.run(
        [str(exe), "validate", str(returns["clean"])], capture_output=True, text=True, timeout=120
    )
    bad = subprocess.run(
        [str(exe), "validate", str(returns["late"])], capture_output=True, text=True, timeout=120
    )
    assert (good.returncode, bad.returncode) == (0, 1)
    assert good.stderr == "" and "time.later-than-city" in bad.stdout


def test_mark_writes_copies_originals_unchanged(returns, tmp_path, capsys):
    originals = [returns["clean"], returns["late"], returns["corrupt"]]
    before = [sha(p) for p in originals]
    out_dir = tmp_path / "已标注"
    code, _, err = run("validate", *originals, "--mark", out_dir, capsys=capsys)
    assert code == 1 and "Warning" not in err and "Traceback" not in err
    assert [sha(p) for p in originals] == before
    copy = out_dir / returns["late"].name
    assert copy.exists() and (out_dir / returns["clean"].name).exists()
    assert (out_dir / f"{returns['corrupt'].name}.校验结果.xlsx").exists()
    orig, marked = load_workbook(returns["late"]), load_workbook(copy)
    ws = marked[RESULTS_SHEET]
    rows = list(ws.iter_rows(min_row=2))
    linked = {r[4].value: r[4].hyperlink.location for r in rows if r[4].hyperlink}
    assert linked[LATE_CELL] == f"'{TASKS.name}'!{LATE_CELL}"
    assert any(r[2].value == "time.later-than-city" and r[1].value == "错误" for r in rows)
    keys = [c.value for c in marked[META_SHEET]["D"][1:] if c.value]
    assert mark_key(TASKS.name, LATE_CELL) in keys
    tasks_a, tasks_b = orig[TASKS.name], marked[TASKS.name]
    assert [tuple(c.value for c in r) for r in tasks_a.iter_rows()] == [
        tuple(c.value for c in r) for r in tasks_b.iter_rows()
    ]
    assert [
        (v.type, v.formula1, str(v.sqref)) for v in tasks_a.data_validations.dataValidation
    ] == [(v.type, v.formula1, str(v.sqref)) for v in tasks_b.data_validations.dataValidation]
    assert any(v.type == "list" for v in tasks_b.data_validations.dataValidation)
    assert [c.fill.fgColor.rgb for r in tasks_a.iter_rows() for c in r] == [
        c.fill.fgColor.rgb for r in tasks_b.iter_rows() for c in r
    ]
    # the marked folder is skipped by a later folder scan
    code, out, _ = run("validate", tmp_path, "--format", "json", capsys=capsys)
    assert code == 2 or all("已标注" not in f["file"] for f in json.loads(out)["files"])


def test_mark_into_returns_folder_refused(returns, capsys):
    before = sha(returns["clean"])
    code, out, err = run(
        "validate", returns["clean"], "--mark", returns["clean"].parent, capsys=capsys
    )
    assert code == 2 and out == "" and err.startswith("错误 [usage.mark-same-folder]")
    assert sha(returns["clean"]) == before
