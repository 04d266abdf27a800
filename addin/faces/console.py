"""The add-in's button in the bureau's console workbook: read the settings as they stand in
the open workbook (the officer may have edited them), run the pipeline's console refresh, and
rewrite the 报送情况 table."""

from __future__ import annotations

from pathlib import Path

from addin.model.errors import UsageError
from addin.pipeline.run import refresh_console
from addin.write.console_book import (
    FOLDER,
    OUTPUT,
    PERIOD,
    SETTINGS_SHEET,
    UNITS_SHEET,
    Settings,
    default_output,
)
from schemas.reference import load


def read_settings(book) -> Settings:
    """The settings as they stand in the open console (BookAdapter), relative paths taken
    from the console's folder."""
    found: dict[str, str] = {}
    if SETTINGS_SHEET in dict(book.sheets()):
        for values in book.read_sheet(SETTINGS_SHEET):
            if (
                len(values) >= 2
                and isinstance(values[0], str)
                and values[0].strip() in (FOLDER, PERIOD, OUTPUT)
            ):
                value = values[1]
                found[values[0].strip()] = "" if value is None else str(value).strip()
    base = book.path.parent if book.path else None
    for key in (FOLDER, PERIOD):
        if not found.get(key):
            raise UsageError("usage.console-setting", sheet=SETTINGS_SHEET, key=key)
    period = load().period(found[PERIOD])
    if period is None:
        raise UsageError("usage.period-unknown", given=found[PERIOD])

    def place(text: str) -> Path:
        path = Path(text)
        if not path.is_absolute():
            if base is None:
                raise UsageError("usage.console-unsaved", path=text)
            path = base / path
        return path

    folder = place(found[FOLDER])
    output = (
        place(found[OUTPUT])
        if found.get(OUTPUT)
        else (
            default_output(period, book.path)
            if book.path
            else folder.parent / f"全市汇总-{period.code}.xlsx"
        )
    )
    return Settings(folder=folder, period=period, output=output)


def refresh(book) -> str:
    """Consolidate the console's folder, write the summary, rewrite the 报送情况 table; returns
    the Chinese message for the user."""
    summary, rows = refresh_console(read_settings(book))
    book.write_sheet(UNITS_SHEET, rows)
    return summary.overview_text() + f"\n“{UNITS_SHEET}”表已刷新。"
