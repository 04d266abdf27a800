"""The blank ledger, read back with openpyxl and checked cell by cell (never by bytes)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from addin.faces.cli import main
from addin.model.errors import UsageError
from addin.write.template.book import (
    MARKS_FIRST_ROW,
    MARKS_ROWS,
    build_ledger,
    ledger_filename,
    mark_formula,
    mark_key,
    write_all,
    write_ledger,
)
from addin.write.template.guide import LOCAL_ROWS, STATUS_MEANINGS
from schemas.reference import load
from schemas.sheets import (
    CONNECTION,
    COVER,
    COVER_ITEMS,
    COVER_LOCKED_ITEMS,
    GUIDE_SHEET,
    MARKS_NAME,
    META_KEYS,
    META_SHEET,
    META_TEMPLATE_ID,
    RELIABILITY,
    SANLING,
    STATUSES,
    TASKS,
    TEMPLATE_VERSION,
)
from tests.conftest import ROOT

REF = load()
PERIOD = REF.period("2021Y")
N = len(REF.tasks)
LAYOUTS = (COVER, TASKS, CONNECTION, RELIABILITY, SANLING)


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    return write_ledger("任城区", PERIOD, tmp_path_factory.mktemp("tpl"))


@pytest.fixture(scope="module")
def wb(path):
    return openpyxl.load_workbook(path)


def validations(ws):
    """{cell address: DataValidation} for every cell a validation covers."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws.iter_rows(
                min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col
            ):
                for cell in row:
                    assert cell.coordinate not in out, f"two validations on {cell.coordinate}"
                    out[cell.coordinate] = dv
    return out


def col(layout, key) -> str:
    return get_column_letter([c.key for c in layout.columns].index(key) + 1)


def fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:] if cell.fill.fill_type == "solid" else ""


def test_file_name_and_sheet_order(path, wb):
    assert path.name == "任城区-2021Y-获得电力台账.xlsx" == ledger_filename("任城区", PERIOD)
    assert wb.sheetnames == [
        "封面",
        "任务台账",
        "办电时限",
        "供电可靠性",
        "三零三省",
        GUIDE_SHEET,
        META_SHEET,
    ]
    assert [ws.sheet_state for ws in wb] == ["visible"] * 6 + ["hidden"]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda lay: lay.name)
def test_title_headers_widths_freeze_print_protection(wb, layout):
    ws = wb[layout.name]
    last = get_column_letter(len(layout.columns))
    assert f"A1:{last}1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].value == layout.title.format(unit="任城区", period_label="2021年度")
    assert tuple(c.value for c in ws[2]) == layout.headers
    assert all(c.font.b for c in ws[2])
    widths = {
        c: dim.width for dim in ws.column_dimensions.values() for c in range(dim.min, dim.max + 1)
    }
    for i, column in enumerate(layout.columns, start=1):
        # Stored width = shown width + Excel's 5-pixel padding (0.7109375 characters).
        assert widths[i] == pytest.approx(column.width + 0.7109375), column.header
    assert ws.freeze_panes == "A3"
    assert ws.page_setup.paperSize == 8
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # None: 1
    assert ws.print_title_rows == "$1:$2"
    assert ws.print_options.horizontalCentered
    assert ws.protection.sheet and not ws.protection.password
    assert ws.protection.formatColumns is False  # openpyxl: False means "allowed"


def test_cover(wb):
    ws = wb["封面"]
    items = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(3, 3 + len(COVER_ITEMS))}
    assert tuple(items) == COVER_ITEMS
    assert items["报送单位"].value == "任城区"
    assert items["报送期次"].value == "2021Y"
    assert items["模板版本"].value == TEMPLATE_VERSION
    for item, cell in items.items():
        assert cell.protection.locked == (item in COVER_LOCKED_ITEMS), item
        assert (fill(cell) == "FFF9E5") == (item not in COVER_LOCKED_ITEMS), item
    dv = validations(ws)[items["填报日期"].coordinate]
    assert dv.type == "date" and dv.operator in (None, "between")  # None: the default


def test_tasks_equal_the_catalogue(wb):
    ws = wb["任务台账"]
    for i, task in enumerate(REF.tasks):
        row = [c.value for c in ws[3 + i]]
        assert row[:5] == [int(task.id), task.category, task.text, task.units, task.due]
        assert row[5:] == [None] * (len(TASKS.columns) - 5)
    # below the catalogue: empty, unlocked rows for local tasks, then nothing
    for r in range(3 + N, 3 + N + LOCAL_ROWS):
        assert all(c.value is None and not c.protection.locked for c in ws[r])
    assert ws.max_row == 2 + N + LOCAL_ROWS


def test_task_cells_locked_and_unlocked(wb):
    ws = wb["任务台账"]
    for r in range(3, 3 + N):
        for i, column in enumerate(TASKS.columns, start=1):
            cell = ws.cell(r, i)
            assert cell.protection.locked == column.locked, (cell.coordinate, column.header)
            assert (fill(cell) == "FFF9E5") == (not column.locked), cell.coordinate


def test_task_validations(wb):
    ws = wb["任务台账"]
    dvs = validations(ws)
    last = 2 + N + LOCAL_ROWS
    status = dvs[f"{col(TASKS, 'status')}3"]
    assert status.type == "list" and status.errorStyle in (None, "stop")
    listed = status.formula1.strip('"').split(",")
    assert listed == list(STATUSES)
    assert dvs[f"{col(TASKS, 'status')}{last}"] is status
    date = dvs[f"{col(TASKS, 'done_date')}40"]
    assert date.type == "date" and date.operator in (None, "between")
    assert date.errorStyle == "warning"
    assert (date.formula1, date.formula2) == ("44166", "49674")  # 2020-12-01, 2035-12-31
    assert ws[f"{col(TASKS, 'done_date')}3"].number_format == 'yyyy"年"m"月"d"日"'
    for column in TASKS.columns:
        letter = col(TASKS, column.key)
        if column.locked:
            assert f"{letter}3" not in dvs and f"{letter}{2 + N}" not in dvs
            assert dvs[f"{letter}{3 + N}"].showInputMessage  # the local-task rows
        else:
            for r in (3, 2 + N, last):
                dv = dvs[f"{letter}{r}"]
                assert dv.showInputMessage and dv.promptTitle == column.header
                assert len(dv.prompt) > 5
    assert "不得晚于市定完成时间" in dvs[f"{col(TASKS, 'county_due')}3"].prompt


def test_connection_sheet(wb):
    ws = wb["办电时限"]
    dvs = validations(ws)
    assert [ws.cell(3 + i, 1).value for i in range(len(REF.customer_types))] == [
        ct.name for ct in REF.customer_types
    ]
    abolished = 0
    for i, ct in enumerate(REF.customer_types):
        r = 3 + i
        assert ws.cell(r, 2).value == ct.total and ws.cell(r, 2).protection.locked
        for j, column in enumerate(CONNECTION.columns[2:], start=3):
            cell = ws.cell(r, j)
            step = column.key.removeprefix("step:")
            if column.key.startswith("step:") and ct.abolished(step):
                abolished += 1
                assert cell.value == "--" and cell.protection.locked
                assert fill(cell) == "D9D9D9"
                assert cell.coordinate not in dvs
                continue
            assert cell.value is None and not cell.protection.locked
            dv = dvs[cell.coordinate]
            if column.key == "note":
                assert dv.type is None  # "any": input message only
            elif column.key in ("connections", "over_limit"):
                assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
            else:
                assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert abolished == sum(len(REF.steps) - len(ct.limits) for ct in REF.customer_types) == 6


def test_reliability_and_sanling(wb):
    ws = wb["供电可靠性"]
    dvs = validations(ws)
    for i, area in enumerate(REF.areas):
        r = 3 + i
        assert ws.cell(r, 1).value == area.name
        assert ws.cell(r, 2).value == area.target_hours and ws.cell(r, 2).protection.locked
        for key in ("customers", "outages", "last_customers"):
            assert dvs[f"{col(RELIABILITY, key)}{r}"].type == "whole"
        for key in ("outage_hours", "last_outage_hours"):
            assert dvs[f"{col(RELIABILITY, key)}{r}"].type == "decimal"
        assert not ws[f"{col(RELIABILITY, 'customers')}{r}"].protection.locked
    ws = wb["三零三省"]
    dvs = validations(ws)
    for i, ind in enumerate(REF.indicators):
        r = 3 + i
        assert [ws.cell(r, 1).value, ws.cell(r, 3).value] == [ind.name, ind.unit]
        assert ws.cell(r, 1).protection.locked and ws.cell(r, 3).protection.locked
        assert not ws.cell(r, 2).protection.locked and not ws.cell(r, 4).protection.locked
        assert dvs[f"B{r}"].type == ("whole" if ind.whole else "decimal")


def test_guide_sheet(wb):
    ws = wb[GUIDE_SHEET]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for status, meaning in STATUS_MEANINGS.items():
        assert f"{status}：{meaning}" in text
    assert tuple(STATUS_MEANINGS) == STATUSES
    assert "2022年1月5日" in text  # the period's due date
    assert "不是平均值" in text and "L1" in text and "已锁定" in text
    assert "2021年6月底前" in text  # completion-time examples
    for ct in REF.customer_types:
        assert f"{ct.name}：" in text and f"合计 {ct.total} 个工作日" in text
    assert ws.protection.sheet


def test_meta_sheet_and_marks(wb):
    ws = wb[META_SHEET]
    meta = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, 2 + len(META_KEYS))}
    assert meta == {
        "template": META_TEMPLATE_ID,
        "template_version": TEMPLATE_VERSION,
        "unit": "任城区",
        "period": "2021Y",
        "generator": "taizhang 0.1.0",
    }
    assert ws.protection.sheet
    assert ws["D1"].value == "marks"
    assert not ws[f"D{MARKS_FIRST_ROW}"].protection.locked  # the add-in writes here
    name = wb.defined_names[MARKS_NAME]
    last = MARKS_FIRST_ROW + MARKS_ROWS - 1
    assert name.attr_text == f"'{META_SHEET}'!$D${MARKS_FIRST_ROW}:$D${last}"
    for layout in LAYOUTS:
        sheet = wb[layout.name]
        rules = [(str(cf.sqref), rule) for cf in sheet.conditional_formatting for rule in cf.rules]
        assert len(rules) == 1, layout.name
        sqref, rule = rules[0]
        assert sqref.startswith("A3:")
        assert rule.formula == [mark_formula(layout.name).removeprefix("=")]
        assert rule.dxf.fill.bgColor.rgb.endswith("FFC7CE")


def test_mark_key():
    assert mark_key("任务台账", "g14") == "任务台账!G14"
    assert mark_key("封面", "$B$5") == "封面!B5"
    assert mark_formula("办电时限") == (
        f'=COUNTIF({MARKS_NAME},"办电时限!"&ADDRESS(ROW(),COLUMN(),4))>0'
    )


def test_same_inputs_same_cells_and_bytes(tmp_path, path):
    again = tmp_path / "again.xlsx"
    build_ledger("任城区", PERIOD, again)
    assert again.read_bytes() == path.read_bytes()
    props = openpyxl.load_workbook(again).properties
    assert props.created == datetime(2021, 1, 1)


def test_planning_period_guide(tmp_path):
    p = write_ledger("兖州区", REF.period("2021P"), tmp_path)
    wb = openpyxl.load_workbook(p)
    assert p.name == "兖州区-2021P-获得电力台账.xlsx"
    assert wb["封面"]["B4"].value == "2021P"
    assert "制定台账" in [c.value for c in wb[GUIDE_SHEET]["A"]]


def test_output_choices(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert write_ledger("任城", PERIOD, None) == tmp_path / ledger_filename("任城区", PERIOD)
    assert write_ledger("任城区", PERIOD, tmp_path / "a" / "x.xlsx") == tmp_path / "a" / "x.xlsx"
    folder = write_ledger("任城区", PERIOD, tmp_path / "new")
    assert folder == tmp_path / "new" / ledger_filename("任城区", PERIOD)
    with pytest.raises(UsageError) as err:
        write_ledger("任城区", PERIOD, tmp_path / "x.xls")
    assert err.value.code == "usage.output-suffix"
    with pytest.raises(UsageError):
        write_ledger("不存在", PERIOD, tmp_path)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp")) == []


def test_write_all(tmp_path):
    paths = write_all(PERIOD, tmp_path / "all")
    assert [p.name for p in paths] == [ledger_filename(u, PERIOD) for u in REF.unit_names]
    assert len(paths) == 14 and all(p.is_file() for p in paths)
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(p.name for p in paths)
    assert openpyxl.load_workbook(paths[-1])[META_SHEET]["B4"].value == REF.unit_names[-1]


def run_main(args, capsys):
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_template(tmp_path, capsys):
    code, out, err = run_main(
        ["template", "--unit", "任城区", "--period", "2021Y", "-o", str(tmp_path)], capsys
    )
    assert code == 0 and err == ""
    assert out.strip() == str(tmp_path / "任城区-2021Y-获得电力台账.xlsx")
    code, out, err = run_main(
        ["template", "--unit", "不存在", "--period", "2021Y", "-o", str(tmp_path)], capsys
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("错误 [usage.unit-unknown]：报送单位“不存在”")
    code, out, err = run_main(["template", "--unit", "任城区", "--period", "2021X"], capsys)
    assert code == 2 and err.count("\n") == 1 and "报送期次“2021X”无法识别" in err
    code, out, err = run_main(
        ["template", "--all", "--period", "2022H1", "-o", str(tmp_path / "all")], capsys
    )
    assert code == 0 and len(out.splitlines()) == 14


def test_console_script(tmp_path):
    exe = ROOT / ".venv" / "bin" / "taizhang"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "addin"]
    done = subprocess.run(
        [*cmd, "template", "--unit", "任城区", "--period", "2021Y", "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "任城区-2021Y-获得电力台账.xlsx").is_file()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "addin",
            "template",
            "--unit",
            "不存在 ",
            "--period",
            "2021Y",
            "-o",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("错误 [usage.unit-unknown]")
