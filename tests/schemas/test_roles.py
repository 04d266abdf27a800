"""Responsible units: splitting, roles from roles.toml, what the city requires, other counties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.reference import load
from schemas.roles import (
    OTHER_GOVERNMENT,
    Required,
    is_government,
    missing_roles,
    required_roles,
    roles_of,
    split_units,
    unit_of_other_county,
    units_named,
)

POWER, SUPPLY = "电力主管部门", "供电企业"

# Every distinct 责任单位 of the catalogue → what it asks of a county.
CITY = {
    "各供电企业": Required(frozenset({SUPPLY})),
    "各县（市、区）电力主管部门": Required(frozenset({POWER})),
    "各县（市、区）电力主管部门、其他相关政府部门、各供电企业按职责分工负责": Required(
        frozenset({POWER, SUPPLY}), True
    ),
    "各县（市、区）电力主管部门、各供电企业": Required(frozenset({POWER, SUPPLY})),
    "各县（市、区）电力主管部门、各供电企业和其他相关政府部门按职责分工负责": Required(
        frozenset({POWER, SUPPLY}), True
    ),
    "各级能源（电力）主管部门、各供电企业按职责分工负责": Required(frozenset({POWER, SUPPLY})),
    "市能源局": Required(),
    "市能源局牵头，各供电企业按职责分工负责": Required(frozenset({SUPPLY})),
}


def test_table_covers_every_catalogue_value():
    assert {t.units for t in load().tasks} == set(CITY)


@pytest.mark.parametrize("text", sorted(CITY))
def test_required_roles(text):
    assert required_roles(text) == CITY[text]


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("县发改局、县供电公司", ["县发改局", "县供电公司"]),
        (
            "县发改局，县供电公司;县公安局；县财政局,县城管局",
            ["县发改局", "县供电公司", "县公安局", "县财政局", "县城管局"],
        ),
        ("县发改局\n县供电公司\r\n县财政局", ["县发改局", "县供电公司", "县财政局"]),
        ("县发改局/县供电公司", ["县发改局", "县供电公司"]),
        ("县发改局 县供电公司", ["县发改局", "县供电公司"]),
        ("县发改局\u3000县供电公司", ["县发改局", "县供电公司"]),
        ("国网 济宁供电公司", ["国网济宁供电公司"]),
        ("县发改局和县供电公司", ["县发改局", "县供电公司"]),
        ("县发改局及相关部门", ["县发改局", "相关部门"]),
        ("县市场监督管理局与县财政局", ["县市场监督管理局", "县财政局"]),
        (
            "县发改局和住房和城乡建设局及县供电公司等",
            ["县发改局", "住房和城乡建设局", "县供电公司"],
        ),
        ("县能源局牵头，县供电公司按职责分工负责", ["县能源局", "县供电公司"]),
        ("各县（市、区）电力主管部门、各供电企业", ["各县（市、区）电力主管部门", "各供电企业"]),
        ("县发改局，县供电公司（营销部）", ["县发改局", "县供电公司（营销部）"]),
        ("县发改局、县发改局 ", ["县发改局"]),
        ("县发改局、县发改局", ["县发改局"]),
        ("  、、 ；", []),
        ("", []),
        (None, []),
    ],
)
def test_split_units(text, units):
    assert split_units(text) == units


@pytest.mark.parametrize(
    "name",
    ["县自然资源和规划局", "县住房和城乡建设局", "县发展和改革局", "县综合行政执法局", "县文化和旅游局",
     "县工业和信息化局", "县经济发展和改革局"],
)  # fmt: skip
def test_compound_names_are_never_split(name):
    assert split_units(name) == [name]
    assert split_units(f"县供电公司和{name}") == ["县供电公司", name]


@pytest.mark.parametrize(
    ("unit", "roles", "government"),
    [
        ("县发改局", {POWER}, True),
        ("县发展和改革局", {POWER}, True),
        ("县能源局", {POWER}, True),
        ("国网泗水县供电公司", {SUPPLY}, False),
        ("曲阜市供电中心", {SUPPLY}, False),
        ("嘉祥县经开区增量配电公司", {SUPPLY}, False),
        ("县行政审批服务局", {"行政审批"}, True),
        ("县自然资源和规划局", {"自然资源和规划"}, True),
        ("县综合行政执法局", {"城市管理"}, True),
        ("县公安局交警大队", {"公安"}, True),
        ("县住房和城乡建设局", {"住建"}, True),
        ("县财政局", {"财政"}, True),
        ("XX镇人民政府", {"人民政府"}, True),
        ("济宁高新区管委会", {"人民政府"}, True),
        ("县市场监督管理局", set(), True),  # no keyword, but named like a government body
        ("某某有限公司", set(), False),
        ("各县（市、区）电力主管部门", {POWER}, True),  # full-width brackets normalised
    ],
)
def test_roles_of_and_is_government(unit, roles, government):
    assert roles_of(unit) == roles
    assert is_government(unit) is government


def test_missing_roles():
    full = CITY["各县（市、区）电力主管部门、其他相关政府部门、各供电企业按职责分工负责"]
    assert missing_roles([], full) == [POWER, SUPPLY, OTHER_GOVERNMENT]
    assert missing_roles(["县发改局", "县供电公司", "县行政审批服务局"], full) == []
    # the power department is not an "other" government department
    assert missing_roles(["县发改局", "县供电公司"], full) == [OTHER_GOVERNMENT]
    assert missing_roles(["县发改局", "县供电公司", "县市场监督管理局"], full) == []
    assert missing_roles(["县供电公司", "县财政局"], full) == [POWER]
    assert missing_roles(["县发改局"], CITY["各供电企业"]) == [SUPPLY]
    assert missing_roles([], CITY["市能源局"]) == []


@pytest.mark.parametrize(
    ("unit", "own", "other"),
    [
        ("曲阜市供电中心", "泗水县", "曲阜市"),
        ("曲阜供电中心", "泗水", "曲阜市"),
        ("曲阜市供电中心", "曲阜市", None),
        ("嘉祥县经开区增量配电公司", "嘉祥县", None),
        ("经开区增量配电公司", "嘉祥县", None),  # a county's own zone: zone words name nobody
        ("经开区管委会", "邹城市", None),
        ("高新区供电中心", "邹城市", None),
        ("济宁经开区管委会", "邹城市", "济宁经济技术开发区"),
        ("经开区管委会", "济宁经济技术开发区", None),
        ("兖州煤业股份有限公司", "邹城市", None),  # an enterprise is nobody's office
        ("嘉祥县经开区增量配电公司", "邹城市", "嘉祥县"),  # another county's supply company
        ("金乡县发展和改革局", "鱼台县", "金乡县"),
        ("国网济宁供电公司", "泗水县", None),
        ("县发改局", "泗水县", None),
        ("济宁高新技术产业开发区管委会", "任城区", "济宁高新区"),
        ("兖州市供电公司", "任城区", "兖州区"),  # an old name still names the unit
        ("兖州供电中心", "兖州市", None),  # own unit given by its old name
        ("太白湖新区供电中心", "任城区", "太白湖新区"),
    ],
)
def test_unit_of_other_county(unit, own, other):
    assert unit_of_other_county(unit, own) == other


def test_longest_spelling_wins():
    assert units_named("济宁高新技术产业开发区供电中心") == ["济宁高新区"]
    assert units_named("邹城高新区供电所") == ["邹城市"]  # 高新区 alone names no unit
    assert units_named("济宁高新区供电中心") == ["济宁高新区"]


@given(st.text(max_size=60))
def test_split_never_raises_and_is_clean(text):
    for unit in split_units(text):
        assert unit and unit == unit.strip()
        assert not unit.endswith(("等", "牵头", "按职责分工负责"))
