"""Shared fixtures: paths found relative to this file, so tests pass from any directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"  # the robustness corpus (tests/corpus/README.md)
SEED = ROOT / "docs" / "plan.txt"  # the plan, 济能字〔2021〕22号
SPEC = ROOT / "docs" / "SPEC.md"  # the data contract


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        help="rewrite tests/golden/*/expected (and the demo's input) from this run, "
        "instead of comparing; review the result in git diff",
    )


@pytest.fixture(scope="session")
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def soffice_convert(src: Path, fmt: str, outdir: Path, timeout: int = 180) -> Path:
    """Convert with LibreOffice headless into outdir, each run with its own profile."""
    exe = shutil.which("soffice")
    if exe is None:
        pytest.fail("LibreOffice (soffice) is missing: `make test` installs it (.ci/system-deps)")
    profile = outdir / f".lo-profile-{uuid.uuid4().hex}"
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, "HOME": str(outdir)},
    )
    out = outdir / f"{src.stem}.{fmt.split(':')[0]}"
    if not out.exists():
        pytest.fail(f"LibreOffice wrote nothing for {src.name} → {fmt}")
    return out


@pytest.fixture(scope="session")
def convert():
    return soffice_convert
