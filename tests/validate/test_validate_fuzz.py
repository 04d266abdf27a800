"""Mutation fuzz: random edits of a clean return's cells never make validation raise, and
every finding it gives is a catalogue code with a sheet and cell when it names a row."""

from datetime import date, datetime, time
from string import Formatter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.model.findings import catalogue
from addin.validate.validator import validate_workbook
from tests import factory

BASE = {code: factory.build(period_code=code) for code in ("2021Y", "2021P")}
SHEETS = list(BASE["2021Y"].sheets)

values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.text(alphabet="０１２３４５６７８９年月日.-/，、 \u3000L上下半季度旬底前", max_size=16),
    st.sampled_from(
        [
            "=1+1",
            '=HYPERLINK("x")',
            "--",
            "#N/A",
            "十二",
            "1,200",
            "2021年13月",
            "已完成",
            "进度滞后",
            "不适用",
            "曲阜市供电中心",
            "6月前",
            "nan",
            "inf",
            "x" * 5000,
            "L0",
            "L1",
            "0",
            "-0",
            "1e309",
        ]
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    st.just(time(12, 30)),
    st.booleans(),
)
edit = st.tuples(st.sampled_from(SHEETS), st.integers(1, 75), st.integers(1, 16), values)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    period=st.sampled_from(sorted(BASE)),
    edits=st.lists(edit, min_size=1, max_size=6),
    date1904=st.booleans(),
)
def test_random_edits_never_raise(period, edits, date1904):
    wb = BASE[period]
    for sheet, row, col, value in edits:
        wb = factory.set_cell(wb, sheet, row, col, value)
    wb = factory.Workbook(wb.sheets, wb.source, wb.format, date1904, wb.meta)
    result = validate_workbook(wb, factory.SOURCE, today=factory.TODAY)
    known = catalogue()
    for f in result.findings:
        assert f.code in known
        assert not f.code.endswith("check-failed"), f  # no unmapped failure, no internal fault
        # every placeholder rendered (a cell's own text may hold braces: the fuzz typed "{")
        names = {n for _, n, _, _ in Formatter().parse(known[f.code].message) if n}
        assert not any("{" + n + "}" in f.message for n in names), f.message
        if f.row is not None:
            assert f.sheet and f.cell
