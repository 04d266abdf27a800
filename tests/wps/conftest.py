"""The WPS add-in's test room: a built dist/wps, the fixtures the Node tests open in the fake
WPS, and Node itself (these tests need it; they fail, not skip, without it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import build_wps
from addin.faces.samples import MISSING, RESUBMITTED
from addin.write.template.book import ledger_filename
from schemas.reference import load
from tests.wps import compare, fixtures

JS = Path(__file__).parent / "js"
PERIOD = load().period("2021Y")
# The planted returns (fixtures.returns): one per unit but the missing one, 汶上县 twice, and
# the many-errors return.
RETURNS = [ledger_filename(u, PERIOD) for u in load().unit_names if u != MISSING] + [
    ledger_filename(RESUBMITTED, PERIOD).replace(".xlsx", "（修改版）.xlsx"),
    "任城区-2021Y-多处错误.xlsx",
]


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("the WPS add-in's tests need Node.js 18 or later on PATH (`node`)")
    return found


@pytest.fixture(scope="session")
def addin(tmp_path_factory) -> Path:
    """A dist/wps folder built by build_wps, as `python build.py --wps` writes it."""
    return build_wps.write_wps(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    """The planted returns, the many-errors return, a blank template and the console, by name."""
    from addin.write.template.book import write_ledger

    folder = tmp_path_factory.mktemp("workbooks")
    paths = fixtures.returns(folder)
    blank = folder / "blank"
    blank.mkdir()
    paths.append(write_ledger(MISSING, load().period("2021Y"), blank))  # a unit with no return
    paths.append(fixtures.console(folder / "console"))
    by_name = {p.name: p for p in paths}
    assert len(by_name) == len(paths)
    return by_name


@pytest.fixture(scope="session")
def dumps(workbooks, tmp_path_factory) -> Path:
    """The folder of JSON dumps (TAIZHANG_WPS_FIXTURES)."""
    folder = tmp_path_factory.mktemp("fixtures")
    fixtures.write_fixtures(list(workbooks.values()), folder)
    return folder


@pytest.fixture(scope="session")
def cli(workbooks, tmp_path_factory) -> tuple[dict[str, dict], Path]:
    """`taizhang validate --format json --mark DIR` on the planted returns: (file objects by
    file name, DIR)."""
    marked = tmp_path_factory.mktemp("marked")
    return compare.cli_validate([workbooks[n] for n in RETURNS], marked), marked


def node_env(addin: Path, dumps: Path) -> dict[str, str]:
    return {**os.environ, "TAIZHANG_WPS_ADDIN": str(addin), "TAIZHANG_WPS_FIXTURES": str(dumps)}


def press(addin: Path, dump: Path, **args) -> dict:
    """One run of js/press.js (a press of the button on the fake WPS); its JSON report."""
    result = subprocess.run(
        [node(), str(JS / "press.js"), json.dumps({"fixture": str(dump), **args})],
        capture_output=True,
        text=True,
        env=node_env(addin, dump.parent),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
