"""addin.validate.cells: values read as a person reads them (SPEC §2)."""

from datetime import date, datetime

import pytest

from addin.validate import cells


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 任城区\u3000", "任城区"),
        ("\u00a0１２\u00a0", "12"),
        (12.0, "12"),
        (None, ""),
        (date(2021, 5, 20), "2021-05-20"),
        ("a\u200bb", "ab"),
    ],
)
def test_text(raw, expected):
    assert cells.text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,200", 1200.0),
        (" 12 ", 12.0),
        ("１２", 12.0),
        (3, 3.0),
        ("-2.5", -2.5),
        ("", None),
        (None, None),
    ],
)
def test_number_reads(raw, expected):
    assert cells.number(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["十二", "12户", "1,20", "abc", date(2021, 1, 1), True, "1e400"])
def test_number_problems(raw):
    assert cells.number(raw) == (None, cells.NOT_NUMBER)


@pytest.mark.parametrize(
    "raw",
    [
        "2021年5月20日",
        "2021.5.20",
        "2021/5/20",
        "2021-05-20",
        "20210520",
        20210520,
        " ２０２１年５月２０日 ",
        "2021-05-20 00:00:00",
        datetime(2021, 5, 20, 9, 30),
        date(2021, 5, 20),
        44336,
        44336.0,
    ],
)
def test_dates(raw):
    assert cells.to_date(raw) == (date(2021, 5, 20), None)


def test_date1904_serial():
    assert cells.to_date(44336 - 1462, date1904=True) == (date(2021, 5, 20), None)


@pytest.mark.parametrize("raw", ["2021年13月1日", "明天", "2021.2.30", 12, "5月20日"])
def test_date_problems(raw):
    assert cells.to_date(raw) == (None, cells.NOT_DATE)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("已完成", "已完成"),
        (" 已 完成 ", "已完成"),
        ("已实现，持续巩固", "已实现持续巩固"),
        ("序时推进。", "序时推进"),
        ("已实现，持续巩固提升", "已实现持续巩固"),  # the city's own wording
        ("已实现，持续巩固提升。", "已实现持续巩固"),
        ("已实现持续巩固提升", "已实现持续巩固"),
        (None, None),
        ("", None),
    ],
)
def test_status_reads(raw, expected):
    assert cells.status(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["完成", "已经完成", "逾期", "滞后", "基本完成", "持续巩固提升"])
def test_status_is_not_guessed(raw):
    assert cells.status(raw) == (None, cells.NOT_STATUS)


def test_whole():
    assert cells.whole(3.0) == 3 and isinstance(cells.whole(3.0), int)
    assert cells.whole(2.5) == 2.5


def test_shown_keeps_what_was_typed():
    assert (
        cells.shown("\u3000已实现，持续巩固提升（累计）：5户 \u200b")
        == "已实现，持续巩固提升（累计）：5户"
    )
    assert cells.shown("１２") == "１２"  # shown as typed; text() is for comparing
    assert cells.text("１２") == "12"
    assert cells.shown(12.0) == "12" and cells.shown(None) == ""
