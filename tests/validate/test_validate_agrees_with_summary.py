"""The validator and the summary never disagree about a task (SPEC §2.5; issue 10 item 11): one
return with planted cases goes through validate_workbook and then consolidate, and for every
planted task the validator's verdict (status.overdue-on-schedule for a task said to be on
track; the shared definition schemas.progress.is_overdue over the deadline it holds the task
to, for any other status) is the summary's 逾期, with the same deadline.

The summary half (addin/consolidate/aggregate.py) is issue 10's other engineer's: until it
reads overdue through schemas.progress.is_overdue, the cases where the two definitions part
(on the as-of day; ……完成，持续推进) are expected to fail, strictly, so the test turns itself
on the day the summary follows."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from addin.consolidate.build import city_deadline, consolidate
from schemas.deadline_rules import held_to
from schemas.progress import is_overdue
from schemas.reference import load
from tests import factory
from tests.validate_helpers import run

ON_TRACK = ("序时推进", "持续推进")
BEHIND = {"存在问题": "征地未完成", "下步打算": "次年3月底前完成", "完成日期": None}

# period → (task, cells to set, overdue as SPEC §2.5 means it, whether the case is one where
# the shared definition parts from `due < as_of` without the 持续推进 commitment)
CASES = {
    "2021Y": [
        ("17", {"县级完成时限": "2021年6月底前完成，持续推进", "完成状态": "持续推进",
                "完成日期": None}, False, True),
        ("28", {"完成状态": "序时推进", "完成日期": None}, True, True),  # 2021年底前: on the day
        ("18", {"完成状态": "进度滞后", **BEHIND}, True, False),
        ("1", {"完成状态": "序时推进"}, False, False),  # 2022年底前
        ("14", {"完成状态": "持续推进"}, False, False),  # the city's 持续推进
        ("21", {"完成状态": "不适用", "进展情况": "本区无此类项目", "完成日期": None}, False, False),
        ("36", {}, False, False),  # 已完成
    ],
    "2021H1": [
        ("17", {"完成状态": "序时推进", "完成日期": None}, True, True),  # 6月底前: on the day
        ("28", {"完成状态": "序时推进", "完成日期": None}, False, False),  # 2021年底前: not yet
    ],
    "2022H1": [
        # a 2021 task's year-less county deadline is 2021's, in the summary too
        ("17", {"县级完成时限": "6月底前", "完成状态": "进度滞后", **BEHIND}, True, False),
        ("1", {"县级完成时限": "年底前", "完成状态": "序时推进"}, False, False),  # 2022-12-31
    ],
}  # fmt: skip
FILED = {"2021Y": date(2022, 1, 5), "2021H1": date(2021, 6, 30), "2022H1": date(2022, 6, 30)}


def _cases():
    for code, cases in CASES.items():
        for task, cells, expected, _parts in cases:
            yield pytest.param(code, task, cells, expected, id=f"{code}-{task}")


@pytest.mark.parametrize(("code", "task", "cells", "expected"), list(_cases()))
def test_validator_and_summary_agree(code, task, cells, expected):
    period = load().period(code)
    wb = factory.build(period_code=code, filed=FILED[code])
    for header, value in cells.items():
        wb = factory.set_task(wb, task, header, value)
    today = max(FILED[code], period.as_of)
    ret = run(wb, period_code=code, today=today)
    entry = next(e for e in ret.tasks if e.id == task)
    city = city_deadline(task, period.year)
    held = held_to(entry.county_due, city)
    flagged = any(f.code == "status.overdue-on-schedule" and f.task == task for f in ret.findings)
    validator = (
        flagged if entry.status in ON_TRACK else is_overdue(entry.status, held, period.as_of)
    )
    summary = consolidate(
        [ret], period, include_invalid=True, validated_at=datetime(2022, 1, 10, 9, 0)
    )
    state = summary.state(ret.unit, task)
    assert validator == expected, "the validator reads SPEC §2.5"
    assert state.overdue == validator, "the summary reads the task as the validator does"
    assert state.due == (held.due if held is not None and held.dated else None)
    assert (state.light == "red") == expected
