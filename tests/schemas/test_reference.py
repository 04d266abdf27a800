"""The catalogue under schemas/data is the seed's, and stays so."""

from __future__ import annotations

import re
from datetime import date

import pytest

from schemas.reference import load
from tests.conftest import SEED

CATEGORY_RANGES = {  # SPEC §2.6: the seed's merged 分类 cells, by the plan's own sections
    "工作目标": (1, 11),
    "压缩办电时间": (12, 21),
    "提高办电便利度": (22, 35),
    "降低办电成本": (36, 44),
    "提升供电能力和供电可靠性": (45, 53),
    "加大信息公开力度": (54, 60),
    "保障措施": (61, 68),
}


def _squash(text: str) -> str:
    """Drop the spaces PDF extraction put between characters; keep nothing else changed."""
    return re.sub(r"\s+", "", text)


def seed_rows() -> dict[str, tuple[str, str, str]]:
    text = SEED.read_text(encoding="utf-8")
    table = text[text.index("附件 2\n") :]
    rows = {}
    for line in table.splitlines():
        if re.match(r"^\d+\t", line):
            fields = line.split("\t")
            assert len(fields) == 5, line
            rows[fields[0]] = tuple(_squash(f) for f in fields[2:])
    return rows


def test_seed_has_68_tasks_and_catalogue_matches_it_verbatim():
    rows = seed_rows()
    tasks = load().tasks
    assert len(rows) == len(tasks) == 68
    for task in tasks:
        text, units, due = rows[task.id]
        assert _squash(task.text) == text, task.id
        assert _squash(task.units) == units, task.id
        assert _squash(task.due) == due, task.id


@pytest.mark.parametrize("category,bounds", CATEGORY_RANGES.items())
def test_categories_follow_the_plan_sections(category, bounds):
    ids = [int(t.id) for t in load().tasks if t.category == category]
    assert ids == list(range(bounds[0], bounds[1] + 1))


def test_connection_limits_are_attachment_1():
    types = {t.name: t for t in load().customer_types}
    assert list(types) == [
        "低压居民和小微企业用户",
        "10千伏单电源用户（1250千伏安及以下）",
        "10千伏单电源用户（1250千伏安以上）",
        "10千伏双电源用户",
        "35千伏及以上单电源用户",
        "35千伏及以上双电源用户",
    ]
    expected = {  # seed, Attachment 1: 受理并答复供电方案, 设计审查, 中间检查, 验收送电, 合计
        "低压居民和小微企业用户": (1, None, None, 1, 2),
        "10千伏单电源用户（1250千伏安及以下）": (2, None, None, 5, 7),
        "10千伏单电源用户（1250千伏安以上）": (6, None, None, 5, 11),
        "10千伏双电源用户": (8, 3, 2, 5, 18),
        "35千伏及以上单电源用户": (11, 3, 2, 6, 22),
        "35千伏及以上双电源用户": (21, 3, 2, 6, 32),
    }
    steps = load().steps
    for name, (*limits, total) in expected.items():
        ct = types[name]
        assert [ct.limits.get(s) for s in steps] == limits
        assert ct.total == total
        assert [ct.abolished(s) for s in steps] == [v is None for v in limits]


def test_reliability_targets_are_the_seed_s():
    ref = load()
    assert {a.name: a.target_hours for a in ref.areas} == {"市区": 1.59, "城镇": 3.50, "农村": 8.67}
    assert ref.yoy_cut == pytest.approx(0.08)
    seed = SEED.read_text(encoding="utf-8")
    assert "1.59、3.50、8.67小时" in seed and "8%" in seed


def test_units_in_jining_order_with_aliases():
    ref = load()
    assert len(ref.units) == 14
    assert ref.unit_names[0] == "任城区" and ref.unit_names[-1] == "济宁经济技术开发区"
    assert ref.unit_named("高新区") == (ref.units[11], False)
    assert ref.unit_named("兖州市") == (ref.units[1], True)
    assert ref.unit_named("济南市") == (None, False)


@pytest.mark.parametrize(
    "code,label,as_of,due",
    [
        ("2021H1", "2021年上半年", date(2021, 6, 30), date(2021, 6, 30)),
        ("2021Y", "2021年度", date(2021, 12, 31), date(2022, 1, 5)),
        ("2022H1", "2022年上半年", date(2022, 6, 30), date(2022, 6, 30)),
        ("2022Y", "2022年度", date(2022, 12, 31), date(2023, 1, 5)),
        ("2021P", "2021年任务台账（制定）", date(2021, 6, 15), date(2021, 6, 15)),
        ("2024y", "2024年度", date(2024, 12, 31), date(2025, 1, 5)),
    ],
)
def test_period_rules(code, label, as_of, due):
    period = load().period(code)
    assert (period.label, period.as_of, period.due) == (label, as_of, due)


@pytest.mark.parametrize("code", ["2021", "2021H2", "21Y", "2019Y", "2022P", "", "abcd"])
def test_malformed_or_unknown_periods(code):
    assert load().period(code) is None


@pytest.mark.parametrize(
    "label,code",
    [
        ("2021年度", "2021Y"),
        ("2022年上半年", "2022H1"),
        ("2021年任务台账（制定）", "2021P"),
        (" 2023 年度 ", "2023Y"),
    ],
)
def test_periods_by_their_label(label, code):
    assert load().period(label).code == code


def test_plan_issued_date_is_the_seed_s():
    assert load().periods["plan_issued"] == date(2021, 5, 31)
    assert "2021年5月31日" in SEED.read_text(encoding="utf-8")
