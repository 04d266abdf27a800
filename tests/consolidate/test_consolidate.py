"""Choosing one return per unit, 报送状态, and the cross-file submission.* findings."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from addin.consolidate.build import consolidate
from addin.model.findings import make
from schemas.reference import load
from tests.handmade import city_due, ret, task

PERIOD = load().period("2021Y")
AT = datetime(2022, 1, 10, 9, 0)
COPY = "已完成全区低压小微企业三零服务全覆盖，累计接电一千二百户，平均一点五个工作日"


def run(returns, **kw):
    return consolidate(returns, PERIOD, validated_at=AT, city_due=city_due, **kw)


def unit(summary, name):
    return next(u for u in summary.units if u.unit == name)


def codes(summary, file=None):
    return [
        (fr.file, fr.finding.code) for fr in summary.findings if file is None or fr.file == file
    ]


def test_every_unit_appears_once_missing_ones_as_未报():
    s = run([ret("任城区")])
    assert [u.unit for u in s.units] == list(load().unit_names)
    assert unit(s, "任城区").status == "已报"
    assert unit(s, "兖州区").status == "未报" and unit(s, "兖州区").ret is None
    missing = [fr for fr in s.findings if fr.finding.code == "submission.missing"]
    assert len(missing) == 13 and all(fr.file == "" for fr in missing)
    assert s.all_ok  # missing returns are warnings


def test_newest_return_by_filed_date_then_name_never_by_file_time():
    older = ret("任城区", name="a.xlsx", filed=date(2022, 1, 3), mtime=9.0)
    newer = ret("任城区", name="b.xlsx", filed=date(2022, 1, 4), mtime=1.0)
    s = run([newer, older])
    assert unit(s, "任城区").file == "b.xlsx"
    assert unit(s, "任城区").older == ("a.xlsx",)
    dup = [fr for fr in s.findings if fr.finding.code == "submission.duplicate-return"]
    assert [fr.file for fr in dup] == ["a.xlsx"]
    assert "a.xlsx" in dup[0].finding.message and "b.xlsx" in dup[0].finding.message
    assert "2022-01-04 晚于本文件的 2022-01-03" in dup[0].finding.message
    for times in ((5.0, 2.0), (2.0, 5.0)):  # `touch` either file: the same choice
        same_day = run(
            [
                ret("任城区", name="x.xlsx", mtime=times[0]),
                ret("任城区", name="y.xlsx", mtime=times[1]),
            ]
        )
        assert unit(same_day, "任城区").file == "y.xlsx"
    uses = {src.ret.source.name: src.use for src in s.sources}
    assert uses == {"b.xlsx": "采用", "a.xlsx": "未采用（有较新版本）"}


def test_late_return_is_迟报_and_counted():
    s = run([ret("任城区", filed=date(2022, 1, 6))])
    row = unit(s, "任城区")
    assert row.status == "迟报" and row.included
    assert ("任城区-2021Y.xlsx", "submission.late") in codes(s)
    on_due_day = run([ret("任城区", filed=PERIOD.due)])
    assert unit(on_due_day, "任城区").status == "已报"


def test_return_with_errors_is_退回_and_left_out_unless_include_invalid():
    good = ret("任城区", tasks=[task("1", "已完成", done=date(2021, 5, 1))])
    bad = ret("兖州区", tasks=[task("1", "序时推进")], errors=1)
    s = run([good, bad])
    assert unit(s, "兖州区").status == "退回" and not unit(s, "兖州区").included
    assert unit(s, "兖州区").figures.overdue == 1  # still listed with its figures
    assert s.city.completion_rate == 1.0 and s.city.overdue == 0
    assert not s.all_ok
    both = run([good, bad], include_invalid=True)
    assert both.city.completion_rate == 0.5 and both.city.overdue == 1
    assert unit(both, "兖州区").status == "退回"


def test_other_period_and_unknown_unit_are_not_counted():
    s = run([ret("任城区", period="2021H1", name="h1.xlsx"), ret(None, name="who.xlsx")])
    assert unit(s, "任城区").status == "未报"
    assert ("h1.xlsx", "submission.other-period") in codes(s)
    assert ("who.xlsx", "submission.unknown-unit") in codes(s)
    assert {src.use for src in s.sources} == {"未计入"}


def test_copied_progress_is_a_warning_on_both_returns():
    a = ret("任城区", tasks=[task("12", "已完成", progress=COPY)])
    b = ret("兖州区", tasks=[task("12", "已完成", progress=" " + COPY.replace("，", ","))])
    c = ret("曲阜市", tasks=[task("13", "已完成", progress=COPY)])  # another task: fine
    s = run([a, b, c])
    copied = [fr for fr in s.findings if fr.finding.code == "submission.copied-text"]
    assert sorted(fr.unit for fr in copied) == ["任城区", "兖州区"]
    first = next(fr.finding for fr in copied if fr.unit == "任城区")
    assert first.severity == "warning" and first.task == "12"
    assert first.cell == "J14" and "兖州区" in first.message
    assert unit(s, "任城区").status == "已报"  # a warning does not send it back


def test_short_or_same_unit_text_is_not_copied_text():
    short = "已完成，持续巩固提升。"
    s = run(
        [
            ret("任城区", tasks=[task("12", "已完成", progress=short)]),
            ret("兖州区", tasks=[task("12", "已完成", progress=short)]),
        ]
    )
    assert not [fr for fr in s.findings if fr.finding.code == "submission.copied-text"]
    twice = run(
        [
            ret("任城区", name="a.xlsx", tasks=[task("12", progress=COPY)]),
            ret("任城区", name="b.xlsx", tasks=[task("12", progress=COPY)]),
        ]
    )
    assert not [fr for fr in twice.findings if fr.finding.code == "submission.copied-text"]


def test_local_tasks_are_listed_apart_and_not_in_the_rates():
    s = run([ret("任城区", tasks=[task("1", "已完成"), task("L1", "未启动", text="本区自加任务")])])
    assert [(u, t.id) for u, t in s.local_tasks] == [("任城区", "L1")]
    assert unit(s, "任城区").figures.applicable == 1


def test_lag_list_sorted_overdue_first():
    s = run(
        [
            ret("任城区", tasks=[task("2", "进度滞后"), task("1", "序时推进")]),
            ret("兖州区", tasks=[task("1", "未启动")]),
        ]
    )
    assert [(i.unit, i.task, i.overdue) for i in s.lag_items] == [
        ("任城区", "1", True),
        ("兖州区", "1", True),
        ("任城区", "2", False),
    ]


def test_same_returns_in_any_order_give_the_same_summary():
    rs = [ret("任城区"), ret("兖州区", filed=date(2022, 1, 9)), ret("任城区", name="z.xlsx")]
    assert run(rs) == run(list(reversed(rs)))


def test_overview_text_counts_states():
    s = run([ret("任城区"), ret("兖州区", errors=2)])
    text = s.overview_text()
    assert "已报 1" in text and "退回 1" in text and "未报 12" in text
    assert "错误 2 条" in text


@pytest.mark.parametrize("status", ["已报", "迟报", "退回", "未报"])
def test_status_count(status):
    s = run([ret("任城区"), ret("兖州区", filed=date(2022, 2, 1)), ret("曲阜市", errors=1)])
    assert s.status_count(status) == {"已报": 1, "迟报": 1, "退回": 1, "未报": 11}[status]


def test_known_unit_with_a_cover_unit_error_is_退回_never_未报():
    # the validator falls back to the template's hidden unit when the cover's is emptied
    bad_cover = make("cover.unit-missing", sheet="封面", cell="B3", example="泗水县")
    s = run([ret("泗水县", name="泗水县.xlsx", extra=[bad_cover])])
    row = unit(s, "泗水县")
    assert row.status == "退回" and row.file == "泗水县.xlsx" and not row.included
    assert [fr.finding.code for fr in s.findings if fr.unit == "泗水县"] == ["cover.unit-missing"]
    assert s.status_count("未报") == 13 and s.status_count("退回") == 1


def test_return_whose_unit_cannot_be_determined_is_listed_and_named_in_未报():
    bad_cover = make("cover.unit-missing", sheet="封面", cell="B3", example="泗水县")
    s = run([ret(None, name="泗水县台账.xlsx", extra=[bad_cover])])
    file_codes = [c for f, c in codes(s) if f == "泗水县台账.xlsx"]
    assert file_codes == ["cover.unit-missing", "submission.unknown-unit"]
    unknown = next(fr for fr in s.findings if fr.finding.code == "submission.unknown-unit")
    assert unknown.finding.is_error and "封面和模板信息中都没有" in unknown.finding.message
    assert [src.use for src in s.sources] == ["未计入"]
    assert unit(s, "泗水县").status == "未报"  # no return names it
    missing = next(
        fr.finding
        for fr in s.findings
        if fr.unit == "泗水县" and fr.finding.code.endswith("missing")
    )
    assert "泗水县台账.xlsx" in missing.hint  # the bureau is told to check that file
    named = run([ret(None, name="x.xlsx", extra=[bad_cover]), ret("泗水县", name="y.xlsx")])
    assert unit(named, "泗水县").status == "已报" and unit(named, "泗水县").file == "y.xlsx"


def test_console_workbook_is_not_a_return():
    console = ret(None, name="控制台.xlsx", template="taizhang-console", errors=6)
    s = run([console, ret("任城区")])
    assert all(src.ret.source.name != "控制台.xlsx" for src in s.sources)
    assert all(fr.file != "控制台.xlsx" for fr in s.findings)
    assert s.all_ok and unit(s, "任城区").status == "已报"


def test_console_written_into_the_returns_folder_is_skipped(tmp_path):
    from addin.faces.samples import make_returns
    from addin.pipeline.run import consolidate_folder, write_console

    returns = tmp_path / "returns"
    make_returns(returns, PERIOD, units=["任城区"], mistakes=False)
    write_console(PERIOD, returns, returns / "控制台.xlsx")
    s = consolidate_folder(returns, PERIOD, output=returns / "汇总.xlsx", validated_at=AT)
    again = consolidate_folder(returns, PERIOD, output=returns / "汇总.xlsx", validated_at=AT)
    for summary in (s, again):  # the second run also finds the first run's summary: ours too
        assert [src.ret.source.name for src in summary.sources] == [
            "任城区-2021Y-获得电力台账.xlsx"
        ]
        assert {fr.file for fr in summary.findings} == {""}  # only the 13 未报 units
        assert unit(summary, "任城区").status == "已报"


def test_two_runs_without_a_pinned_time_give_the_same_cells_and_json(tmp_path, monkeypatch):
    import time

    import openpyxl

    from addin.faces.samples import make_returns
    from addin.pipeline.run import consolidate_folder

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    returns = tmp_path / "returns"
    make_returns(returns, PERIOD, units=["任城区", "曲阜市", "嘉祥县"])
    out = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        s = consolidate_folder(
            returns, PERIOD, output=tmp_path / name / "s.xlsx", json_path=tmp_path / name / "s.json"
        )
        out.append((s, tmp_path / name))
        time.sleep(1.1)  # a clock with seconds would tell the runs apart
    (first, a), (second, b) = out
    if first.validated_at.date() != second.validated_at.date():
        pytest.skip("the runs straddled midnight")
    assert first.validated_at == datetime.combine(date.today(), datetime.min.time())
    assert (a / "s.json").read_bytes() == (b / "s.json").read_bytes()
    one, two = (openpyxl.load_workbook(p / "s.xlsx") for p in (a, b))
    assert one.sheetnames == two.sheetnames
    for ws in one.worksheets:
        assert [[c.value for c in r] for r in ws.iter_rows()] == [
            [c.value for c in r] for r in two[ws.title].iter_rows()
        ], ws.title
    sources = one["来源"]
    assert sources.cell(2, 9).value == "汇总日期" and sources.cell(3, 9).value == first.validated_at


def test_source_date_epoch_and_validated_at_still_pin_the_moment(monkeypatch):
    from addin.pipeline.clock import stamp

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1641805200")
    assert stamp() == datetime(2022, 1, 10, 17, 0)  # 1641805200 on the bureau's clock (UTC+8)
    assert run([ret("任城区")]).validated_at == AT


def test_a_real_return_with_its_cover_unit_emptied_is_退回(tmp_path):
    """The reviewer's repro end to end: 泗水县's file with 封面 报送单位 emptied."""
    import openpyxl

    from addin.faces.samples import make_returns
    from addin.pipeline.run import consolidate_folder

    [path] = make_returns(tmp_path / "in", PERIOD, units=["泗水县"], mistakes=False)
    book = openpyxl.load_workbook(path)
    book["封面"]["B3"] = None
    book.save(path)
    s = consolidate_folder(tmp_path / "in", PERIOD, output=tmp_path / "s.xlsx", validated_at=AT)
    assert unit(s, "泗水县").status == "退回" and unit(s, "泗水县").file == path.name
    assert [fr.finding.code for fr in s.findings if fr.unit == "泗水县"] == ["cover.unit-missing"]


def test_an_unwritable_report_path_stops_before_anything_is_written(tmp_path):
    from addin.model.errors import OutputError
    from addin.pipeline.run import consolidate_folder

    (tmp_path / "returns").mkdir()
    taken = tmp_path / "out" / "汇总.json"
    taken.mkdir(parents=True)  # a folder where the JSON would go
    with pytest.raises(OutputError) as err:
        consolidate_folder(
            tmp_path / "returns",
            load().period("2021Y"),
            output=tmp_path / "out" / "汇总.xlsx",
            json_path=taken,
        )
    assert err.value.code == "output.write" and "文件夹" in err.value.message
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["汇总.json"]


@pytest.mark.parametrize(
    "filed,due,text",
    [
        # 2022-01-06 Thu, 01-07 Fri are workdays, 01-08 Sat is not
        (date(2022, 1, 8), date(2022, 1, 5), "3 天（其中工作日 2 个）"),
        # 2021 National Day: 10-01..10-07 off, Fri 10-08 a workday, Sat 10-09 a make-up workday
        (date(2021, 10, 9), date(2021, 9, 30), "9 天（其中工作日 2 个）"),
        (date(2099, 1, 3), date(2099, 1, 1), "2 天"),  # beyond chinesecalendar's data
    ],
)
def test_late_by_counts_working_days_with_chinese_holidays(filed, due, text):
    from addin.consolidate.build import late_by

    assert late_by(filed, due) == text
