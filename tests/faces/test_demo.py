"""`taizhang demo` runs the whole job on the sample returns, writes every output, and writes the
same findings JSON twice."""

from __future__ import annotations

import json
import zipfile

import pytest

from addin.faces.demo import demo_paths, run_demo
from addin.model.errors import UsageError
from schemas.reference import load


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    code = run_demo(out)
    first = demo_paths(out)["json"].read_text(encoding="utf-8")
    return out, code, first


def test_demo_succeeds_and_writes_every_output(demo_run):
    out, code, _ = demo_run
    assert code == 0  # the samples have errors on purpose; the demo itself succeeds
    paths = demo_paths(out)
    for key in ("summary", "json", "html", "markdown"):
        assert paths[key].exists() and paths[key].stat().st_size > 0, key
    with zipfile.ZipFile(paths["summary"]) as summary:
        assert "xl/workbook.xml" in summary.namelist()
    assert "<html" in paths["html"].read_text(encoding="utf-8").lower()
    assert list(paths["returns"].glob("*.xlsx")), "the sample returns are kept for the reader"


def test_demo_json_lists_every_unit_once_with_one_missing(demo_run):
    _, _, first = demo_run
    data = json.loads(first)
    assert data["period"] == "2021Y"
    units = [row["unit"] for row in data["units"]]
    assert sorted(units) == sorted(load().unit_names)
    assert len(units) == 14
    statuses = [row["status"] for row in data["units"]]
    assert statuses.count("未报") == 1
    assert statuses.count("迟报") >= 1
    assert statuses.count("已报") >= 1
    assert data["findings"], "the samples carry the mistakes counties make"


def test_demo_is_deterministic_and_says_where_files_are(demo_run, capsys):
    out, _, first = demo_run
    assert run_demo(out) == 0  # a second run into the same folder
    assert demo_paths(out)["json"].read_text(encoding="utf-8") == first
    shown = capsys.readouterr().out
    assert "未报 1" in shown
    assert str(demo_paths(out)["summary"]) in shown


def test_demo_never_clears_a_folder_it_did_not_write(tmp_path):
    returns = demo_paths(tmp_path)["returns"]
    returns.mkdir()
    keep = returns / "县里的台账.xlsx"
    keep.write_bytes(b"not ours")
    with pytest.raises(UsageError):
        run_demo(tmp_path)
    assert keep.read_bytes() == b"not ours"


def test_demo_figures_tell_the_story_with_the_new_rates(demo_run, capsys):
    """The rates of SPEC §5 on the sample story: the clean units are done with everything due
    (43 of the 44 tasks with an end point; the one due 2022年底前 under way), 退回 units show no
    light, 金乡县's unexplained over-limit customers keep 低压 from 达到 and 邹城市's explained
    one makes 35 千伏单电源 基本达到."""
    _, _, first = demo_run
    data = json.loads(first)
    city = data["city"]
    assert city["completion_rate"] == round(city["tasks_done"] / city["tasks_with_end_point"], 4)
    assert city["on_track_rate"] == round(city["tasks_on_track"] / city["tasks_applicable"], 4)
    assert city["completion_rate"] > 0.9  # not the 62.9 % of done ÷ all tasks
    units = {u["unit"]: u for u in data["units"]}
    assert units["任城区"]["tasks_done"] == 43 and units["任城区"]["tasks_with_end_point"] == 44
    assert units["任城区"]["on_track_rate"] == 1.0 and units["任城区"]["light"] == "green"
    for unit in ("微山县", "鱼台县", "嘉祥县"):  # 退回
        assert units[unit]["status"] == "退回" and units[unit]["light"] == "grey"
    assert units["泗水县"]["light"] == "grey"  # 未报
    assert units["梁山县"]["overdue"] == 2 and units["梁山县"]["light"] == "red"
    verdicts = {r["type"]: r["verdict_text"] for r in data["connection_time"]}
    assert verdicts["低压居民和小微企业用户"] == "未达到"
    assert verdicts["35千伏及以上单电源用户"] == "基本达到（1 户超时限）"
    low = next(r for r in data["connection_time"] if r["type"] == "低压居民和小微企业用户")
    assert low["over_limit"] > 0 and low["on_time_rate"] < 1  # 0.9998, never 1.0
    assert run_demo(demo_paths(demo_run[0]).get("returns").parent) == 0
    shown = capsys.readouterr().out
    assert f"推进正常率 {city['on_track_rate'] * 100:.2f}%" in shown
