"""One return per unit (SPEC §5, issue 10 item 10, issue 11 item 10): the latest 填报日期, then
fewer errors, then fewer warnings — never the file's time — and a return made from another
unit's template never displaces one made for this unit. The 未报 hint that names unknown-unit
files stays short."""

from __future__ import annotations

import os
from datetime import date, datetime

import openpyxl

from addin.consolidate.build import UNKNOWN_NAMED, consolidate
from addin.model.findings import make
from schemas.reference import load
from tests.handmade import city_due, ret

PERIOD = load().period("2021Y")
AT = datetime(2022, 1, 10, 9, 0)
DAY = date(2022, 1, 4)


def run(returns, **kw):
    return consolidate(returns, PERIOD, validated_at=AT, city_due=city_due, **kw)


def chosen(summary, name="任城区"):
    return next(u for u in summary.units if u.unit == name).file


def duplicate_messages(summary):
    return {
        fr.file: fr.finding.message
        for fr in summary.findings
        if fr.finding.code == "submission.duplicate-return"
    }


def warning():
    return make("cover.reviewer-missing", sheet="封面", cell="B7")


def foreign(template_unit="兖州区", unit="任城区"):
    return make(
        "cover.unit-not-template", sheet="封面", cell="B3", template_unit=template_unit, unit=unit
    )


def test_the_latest_filed_date_wins_even_with_more_problems():
    later = ret("任城区", name="a.xlsx", filed=date(2022, 1, 5), errors=2)
    earlier = ret("任城区", name="b.xlsx", filed=date(2022, 1, 3))
    assert chosen(run([later, earlier])) == "a.xlsx"


def test_on_a_tie_fewer_errors_then_fewer_warnings_whatever_the_file_times():
    for mtimes in ((1.0, 9.0), (9.0, 1.0)):
        clean = ret("任城区", name="a.xlsx", filed=DAY, mtime=mtimes[0])
        broken = ret("任城区", name="b.xlsx", filed=DAY, mtime=mtimes[1], errors=1)
        s = run([clean, broken])
        assert chosen(s) == "a.xlsx"
        assert "填报日期相同，其错误较少：0 条，本文件 1 条" in duplicate_messages(s)["b.xlsx"]
        quiet = ret("任城区", name="a.xlsx", filed=DAY, mtime=mtimes[0])
        noisy = ret("任城区", name="b.xlsx", filed=DAY, mtime=mtimes[1], extra=[warning()])
        s = run([quiet, noisy])
        assert chosen(s) == "a.xlsx"
        assert "其警告较少：0 条，本文件 1 条" in duplicate_messages(s)["b.xlsx"]


def test_a_full_tie_is_said_to_be_one_for_the_bureau_to_confirm():
    s = run([ret("任城区", name="a.xlsx", mtime=9.0), ret("任城区", name="b.xlsx", mtime=1.0)])
    assert chosen(s) == "b.xlsx"
    assert "请确认哪份是最终版本" in duplicate_messages(s)["a.xlsx"]


def test_a_return_from_another_units_template_never_displaces_this_units_own():
    own = ret("任城区", name="任城区.xlsx", filed=date(2022, 1, 3))
    copied = ret("任城区", name="兖州区改.xlsx", filed=date(2022, 1, 5), extra=[foreign()])
    s = run([own, copied])
    assert chosen(s) == "任城区.xlsx"
    assert "用其他单位的模板填写" in duplicate_messages(s)["兖州区改.xlsx"]
    # alone, it is still this unit's return (a warning, not a reason to call the unit 未报)
    assert chosen(run([copied])) == "兖州区改.xlsx"
    # two made from other templates compete by date as usual
    other = ret("任城区", name="曲阜市改.xlsx", filed=date(2022, 1, 4), extra=[foreign("曲阜市")])
    assert chosen(run([copied, other])) == "兖州区改.xlsx"


def test_the_missing_hint_names_a_few_unknown_files_and_counts_the_rest():
    junk = [ret(None, name=f"junk-{i:04d}.xlsx") for i in range(5000)]
    s = run([*junk, ret("任城区")])
    hints = [fr.finding.hint for fr in s.findings if fr.finding.code == "submission.missing"]
    assert len(hints) == 13
    for hint in hints:
        assert "junk-0000.xlsx" in hint and f"junk-{UNKNOWN_NAMED - 1:04d}.xlsx" in hint
        assert f"junk-{UNKNOWN_NAMED:04d}.xlsx" not in hint
        assert "等共 5000 个文件" in hint and len(hint) < 300
    few = run([ret(None, name="who.xlsx")])
    hint = next(fr.finding.hint for fr in few.findings if fr.finding.code == "submission.missing")
    assert "（who.xlsx）" in hint and "等共" not in hint


# ---- end to end, real files -------------------------------------------------------------


def _returns(tmp_path, units):
    from addin.faces.samples import make_returns

    return make_returns(tmp_path / "in", PERIOD, units=units, mistakes=False)


def test_touch_never_decides_between_two_returns_of_the_same_day(tmp_path):
    """The same day's return twice, one without its 审核人 (a warning): the complete one is
    used whichever file was touched last."""
    from addin.pipeline.run import consolidate_folder

    [path] = _returns(tmp_path, ["任城区"])
    second = path.with_name("任城区-第二份.xlsx")
    book = openpyxl.load_workbook(path)
    book["封面"]["B7"] = None  # 审核人
    book.save(second)
    picks = set()
    for newest in (path, second):
        os.utime(newest, (2e9, 2e9))
        os.utime(second if newest == path else path, (1e9, 1e9))
        s = consolidate_folder(tmp_path / "in", PERIOD, validated_at=AT)
        picks.add(chosen(s))
    assert picks == {path.name}


def test_a_copy_of_another_units_file_cannot_displace_its_real_return(tmp_path):
    """兖州区's file with 任城区 typed on its cover and a later 填报日期 (issue 11 item 10)."""
    from addin.pipeline.run import consolidate_folder

    real, neighbour = _returns(tmp_path, ["任城区", "兖州区"])
    assert real.name.startswith("任城区")
    book = openpyxl.load_workbook(neighbour)
    book["封面"]["B3"] = "任城区"
    book["封面"]["B8"] = date(2022, 1, 5)  # later than the real return's
    claim = tmp_path / "in" / "任城区-最终版.xlsx"
    book.save(claim)
    neighbour.unlink()
    s = consolidate_folder(tmp_path / "in", PERIOD, validated_at=AT)
    assert chosen(s) == real.name
    assert "用其他单位的模板填写" in duplicate_messages(s)[claim.name]
