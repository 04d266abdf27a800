"""When a task is overdue (逾期): the one definition, used by the validator
(status.overdue-on-schedule) and the summary (逾期, lights, lists). SPEC §2.5: a task is overdue
when its deadline is on or before the as-of date and it is neither 已完成, 已实现持续巩固 nor
不适用 at the as-of date. A deadline that itself commits to continuing (……完成，持续推进) is met
by 持续推进."""

from __future__ import annotations

from datetime import date

from schemas.deadline import Deadline
from schemas.sheets import DONE_STATUSES, NOT_APPLICABLE


def is_overdue(status: str | None, deadline: Deadline | None, as_of: date) -> bool:
    if status is None or status in (*DONE_STATUSES, NOT_APPLICABLE):
        return False
    if deadline is None or not deadline.dated or deadline.due is None:
        return False
    if status == "持续推进" and deadline.also_ongoing:
        return False
    return deadline.due <= as_of
