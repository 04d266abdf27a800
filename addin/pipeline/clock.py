"""The run's clock, the one place a face asks what time it is. SOURCE_DATE_EPOCH pins it, so
two runs over the same returns give identical files whichever face started them."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

# A pinned moment is read on the bureau's clock, China Standard Time, whatever the machine's
# zone: the same SOURCE_DATE_EPOCH gives the same 汇总日期 on a CI runner in UTC.
CHINA = timezone(timedelta(hours=8))


def now() -> datetime:
    """This moment to the second, or SOURCE_DATE_EPOCH's."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), CHINA).replace(tzinfo=None)
    return datetime.now().replace(microsecond=0)


def stamp() -> datetime:
    """A summary's 汇总日期: today at midnight, so two runs on the same day give the same
    workbook cell for cell and the same JSON; SOURCE_DATE_EPOCH pins it to a moment."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return now()
    return datetime.combine(date.today(), datetime.min.time())
