"""The validator and the summary never disagree about a task (issue 10 items 1 and 11): a task
the summary counts as 逾期 while the county says 序时推进 or 持续推进 is exactly one the validator
reports as status.overdue-on-schedule, and the other way round — both use
schemas.progress.is_overdue. Real returns, validated and consolidated end to end."""

from __future__ import annotations

from datetime import datetime

import openpyxl
import pytest

from addin.consolidate.build import consolidate
from addin.faces.samples import make_returns
from addin.pipeline.collect import validate_paths
from schemas.reference import load
from schemas.sheets import FIRST_DATA_ROW, TASKS

AT = datetime(2022, 1, 10, 9)
# (period, task id, county deadline typed or None to keep the city's, status): the story
CASES = {
    "2021Y": [
        ("11", None, "序时推进"),  # 2021年底前, as-of 2021-12-31: due that very day
        ("28", None, "持续推进"),  # 2021年底前 again: 持续推进 does not meet a plain date
        ("9", "2021年6月底前完成，持续推进", "持续推进"),  # what the county's deadline asked for
        ("17", "2021年6月底前", "序时推进"),  # long past
        ("1", None, "序时推进"),  # 2022年底前: not yet due
    ],
    "2021H1": [
        ("9", None, "序时推进"),  # 2021年6月底前 in the H1 return (as-of 2021-06-30)
        ("1", None, "序时推进"),
    ],
}
ON_THE_DAY = {("2021Y", "11"), ("2021Y", "28"), ("2021H1", "9")}


def column(key: str) -> int:
    return TASKS.headers.index(TASKS.column(key).header) + 1


def judge(code: str, folder):
    period = load().period(code)
    [path] = make_returns(folder, period, units=["任城区"], mistakes=False)
    book = openpyxl.load_workbook(path)
    ws = book[TASKS.name]
    for tid, county, status in CASES[code]:
        row = FIRST_DATA_ROW + int(tid) - 1
        assert ws.cell(row, 1).value in (int(tid), tid)
        if county is not None:
            ws.cell(row, column("county_due")).value = county
        ws.cell(row, column("status")).value = status
        ws.cell(row, column("done_date")).value = None
    book.save(path)
    [ret] = validate_paths([path], period=period)
    summary = consolidate([ret], period, validated_at=AT)
    return ret, summary


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    return {code: judge(code, tmp_path_factory.mktemp(code)) for code in CASES}


def agreement_cases():
    for code, cases in sorted(CASES.items()):
        for tid, _, _ in cases:
            yield pytest.param(code, tid, id=f"{code}-task{tid}")


@pytest.mark.parametrize(("code", "tid"), list(agreement_cases()))
def test_validator_and_summary_agree(judged, code, tid):
    ret, summary = judged[code]
    flagged = {f.task for f in ret.findings if f.code == "status.overdue-on-schedule"}
    state = summary.state("任城区", tid)
    assert (tid in flagged) == state.overdue, (tid, state, flagged)


def test_the_returns_carry_no_other_finding(judged):
    """Only the overdue rule speaks: the edits are otherwise what a careful county writes."""
    for ret, _ in judged.values():
        assert {f.code for f in ret.findings} <= {"status.overdue-on-schedule"}, ret.findings


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2021Y", {"11": True, "28": True, "9": False, "17": True, "1": False}),
        ("2021H1", {"9": True, "1": False}),
    ],
)
def test_the_summary_reads_the_deadline_day_as_due(judged, code, expected):
    """The summary half on its own: overdue on the deadline day; listed in 逾期滞后清单."""
    _, summary = judged[code]
    got = {tid: summary.state("任城区", tid).overdue for tid in expected}
    assert got == expected
    listed = {i.task for i in summary.lag_items if i.overdue}
    assert listed == {t for t, on in expected.items() if on}
