"""The words and colours every writer shows the same way: traffic lights, reporting states,
met / not met. The summary workbook, the HTML report and the documents take them from here,
so a light is the same colour in each."""

from __future__ import annotations

LIGHT_TEXT = {"green": "绿", "yellow": "黄", "red": "红", "grey": "—"}
LIGHT_FILL = {"green": "#C6EFCE", "yellow": "#FFEB9C", "red": "#FFC7CE", "grey": "#EDEDED"}
LIGHT_FONT = {"green": "#006100", "yellow": "#9C5700", "red": "#9C0006", "grey": "#595959"}
STATE_LIGHT = {"已报": "green", "迟报": "yellow", "退回": "red", "未报": "grey"}
MET_TEXT = {True: "达标", False: "未达标", None: "—"}
MET_LIGHT = {True: "green", False: "red", None: "grey"}
# Attachment 1 verdicts (model/figures.VERDICTS): 基本达到 is met with every over-limit
# customer explained, so it is not green
VERDICT_LIGHT = {"达到": "green", "基本达到": "yellow", "未达到": "red", None: "grey"}
