"""The ledger's indicator sheets: 办电时限 (one row per customer type, abolished steps shown
as locked "--"), 供电可靠性 (one row per area) and 三零三省 (one row per indicator). Counts take
whole numbers, durations and amounts decimals; every input cell says so in its validation."""

from __future__ import annotations

from addin.write.template.layout import (
    ABOLISHED_FILL,
    LINE_HEIGHT,
    frame,
    height,
    message,
    number_rule,
    validate,
)
from schemas.sheets import CONNECTION, FIRST_DATA_ROW, RELIABILITY, SANLING, step_key


def connection_sheet(ws, fmt, ref, fields: dict, messages: dict) -> None:
    cols = CONNECTION.columns
    last = FIRST_DATA_ROW + len(ref.customer_types) - 1
    frame(ws, fmt, CONNECTION, fields, last)
    abolished = fmt(locked=True, bg_color=ABOLISHED_FILL, align="center", font_color="#7F7F7F")
    for i, ct in enumerate(ref.customer_types):
        row = FIRST_DATA_ROW - 1 + i
        ws.write_string(row, 0, ct.name, fmt.locked())
        ws.write_number(row, 1, ct.total, fmt.locked(align="center"))
        for col, column in enumerate(cols[2:], start=2):
            step = column.key.removeprefix("step:") if column.key.startswith("step:") else None
            if step is not None and ct.abolished(step):
                ws.write_string(row, col, "--", abolished)
                continue
            num = "@" if column.key == "note" else "0" if _whole(column.key) else "0.##"
            ws.write_blank(row, col, None, fmt.input(num_format=num))
            title, text = messages["办电时限"][column.key]
            if column.key == "note":
                rule = {"validate": "any", **message(title, text)}
            else:
                rule = number_rule(_whole(column.key), 0, False, title, text)
            validate(ws, row + 1, row + 1, col, rule)
        ws.set_row(row, height([ct.name], CONNECTION))
    missing = [s for s in ref.steps if step_key(s) not in {c.key for c in cols}]
    if missing:  # a program fault: connection.toml and sheets.py disagree
        raise RuntimeError(f"schemas/sheets.py CONNECTION lacks columns for steps {missing}")


def _whole(key: str) -> bool:
    return key in ("connections", "over_limit", "customers", "outages", "last_customers")


def reliability_sheet(ws, fmt, ref, fields: dict, messages: dict) -> None:
    cols = RELIABILITY.columns
    last = FIRST_DATA_ROW + len(ref.areas) - 1
    frame(ws, fmt, RELIABILITY, fields, last)
    for i, area in enumerate(ref.areas):
        row = FIRST_DATA_ROW - 1 + i
        ws.write_string(row, 0, area.name, fmt.locked(align="center"))
        ws.write_number(row, 1, area.target_hours, fmt.locked(align="center", num_format="0.00"))
        for col, column in enumerate(cols[2:], start=2):
            num = "@" if column.key == "note" else "0" if _whole(column.key) else "0.##"
            ws.write_blank(row, col, None, fmt.input(num_format=num))
        ws.set_row(row, 2 * LINE_HEIGHT + 4)
    for col, column in enumerate(cols[2:], start=2):
        title, text = messages["供电可靠性"][column.key]
        if column.key == "note":
            rule = {"validate": "any", **message(title, text)}
        else:
            rule = number_rule(_whole(column.key), 0, False, title, text)
        validate(ws, FIRST_DATA_ROW, last, col, rule)


def sanling_sheet(ws, fmt, ref, fields: dict, messages: dict) -> None:
    last = FIRST_DATA_ROW + len(ref.indicators) - 1
    frame(ws, fmt, SANLING, fields, last)
    for i, ind in enumerate(ref.indicators):
        row = FIRST_DATA_ROW - 1 + i
        ws.write_string(row, 0, ind.name, fmt.locked())
        ws.write_blank(row, 1, None, fmt.input(num_format="0" if ind.whole else "0.00"))
        ws.write_string(row, 2, ind.unit, fmt.locked(align="center"))
        ws.write_blank(row, 3, None, fmt.input(num_format="@"))
        text = f"填写本期{ind.name}，单位：{ind.unit}。"
        if ind.part_of:
            text += f"不得大于“{ind.part_of}”。"
        validate(ws, row + 1, row + 1, 1, number_rule(ind.whole, 0, False, "数值", text))
        title, note = messages["三零三省"]["note"]
        validate(ws, row + 1, row + 1, 3, {"validate": "any", **message(title, note)})
        ws.set_row(row, height([ind.name], SANLING))
