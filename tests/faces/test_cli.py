"""The CLI boundary: misuse gives one Chinese line with a stable code and exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT


def taizhang(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "addin", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.mark.parametrize(
    "args,code",
    [
        (["template", "--unit", "任城区", "--all", "--period", "2021Y"], "usage.unit-and-all"),
        (["template", "--period", "2021Y"], "usage.unit-missing"),
        (["template", "--unit", "济南市", "--period", "2021Y"], "usage.unit-unknown"),
        (["template", "--unit", "任城区", "--period", "2021H2"], "usage.period-unknown"),
        (["consolidate", ".", "--period", "2021Y", "-o", "x.txt"], "usage.output-suffix"),
        (
            ["consolidate", ".", "--period", "2021Y", "-o", "x.xlsx", "--json", "x.txt"],
            "usage.output-suffix",
        ),
        (["validate", "no-such-file.xlsx"], "usage.path-missing"),
        (["validate"], "usage.bad-arguments"),
    ],
)
def test_misuse_is_one_chinese_line_and_exit_2(tmp_path, args, code):
    done = taizhang(*args, cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"错误 [{code}]：")
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written on misuse


def test_period_label_is_accepted_like_its_code(tmp_path):
    done = taizhang("template", "--unit", "任城", "--period", "2021年度", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["任城区-2021Y-获得电力台账.xlsx"]


def test_a_county_file_at_the_output_path_is_refused_and_force_is_offered(tmp_path):
    county = tmp_path / "任城区-2021Y-获得电力台账.xlsx"
    county.write_bytes(b"PK\x03\x04 a county's own file")
    done = taizhang("template", "--unit", "任城区", "--period", "2021Y", "-o", str(county))
    assert done.returncode == 2 and county.read_bytes() == b"PK\x03\x04 a county's own file"
    [line] = done.stderr.splitlines()
    assert line.startswith("错误 [output.not-ours]：") and "--force" in line
    forced = taizhang(
        "template", "--unit", "任城区", "--period", "2021Y", "-o", str(county), "--force"
    )
    assert forced.returncode == 0 and county.read_bytes()[:2] == b"PK"
    again = taizhang("template", "--unit", "任城区", "--period", "2021Y", "-o", str(county))
    assert again.returncode == 0  # now it is ours, unchanged: replaced without --force


def test_an_error_line_never_carries_a_control_character(tmp_path):
    odd = tmp_path / "坏\x1b[2J.xlsx"
    odd.write_bytes(b"PK\x03\x04")
    done = taizhang("template", "--unit", "任城区", "--period", "2021Y", "-o", str(odd))
    assert done.returncode == 2 and "\x1b" not in done.stderr and "\\x1b[2J" in done.stderr
