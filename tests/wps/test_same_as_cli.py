"""The WPS button, pressed on a FAKE WPS filled from each planted return, ends where the CLI
ends on the same file: the same 校验结果 sheet as the `--mark` copy (rows, widths, 级别 colours,
links, frozen header, first tab), the same highlighted cells (the marks), and the message the
Excel button says.

Here the button is handed the CLI's own file object instead of calling the service, so what
is compared is the add-in's writing alone; test_service.py runs the same comparison through
the real `taizhang serve`, findings included."""

from __future__ import annotations

import json

import pytest

from addin.write.template.book import ledger_filename
from tests.wps import compare
from tests.wps.conftest import PERIOD, RETURNS, press

pytestmark = pytest.mark.slow  # ~20 s: a CLI run with --mark and 15 presses in Node


def test_the_planted_returns_carry_their_findings(cli):
    objects, _ = cli
    assert sorted(objects) == sorted(RETURNS)
    codes = {name: {f["code"] for f in obj["findings"]} for name, obj in objects.items()}
    assert "time.later-than-city" in codes[ledger_filename("微山县", PERIOD)]
    assert "cover.unit-old-name" in codes[ledger_filename("兖州区", PERIOD)]
    assert not codes[ledger_filename("任城区", PERIOD)]  # a clean one, for the clean path
    assert len(codes["任城区-2021Y-多处错误.xlsx"]) >= 5


@pytest.mark.parametrize("name", RETURNS)
def test_wps_button_writes_what_the_cli_writes(name, cli, addin, dumps, workbooks, tmp_path):
    objects, marked = cli
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(objects[name], ensure_ascii=False), encoding="utf-8")
    report = press(addin, dumps / f"{workbooks[name].stem}.json", answer=str(answer))
    assert report["outcome"]["kind"] == "ledger", report["alerts"]
    assert report["alerts"] == [compare.excel_message(workbooks[name])]  # word for word
    copy = marked / name
    if not objects[name]["findings"]:
        assert report["results"] is None  # never checked before: no list appears
        assert report["marks"] == compare.marked_copy(copy)["marks"] == []
        return
    assert compare.pressed(report) == compare.marked_copy(copy)
