"""Shared fixtures: paths found relative to this file, so tests pass from any directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_4ba115542303e6e4.txt"
CORPUS = SHARED / "corpus"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"shared/ not found beside the checkout at {SHARED}")
    return SHARED


def soffice_convert(src: Path, fmt: str, outdir: Path, timeout: int = 180) -> Path:
    """Convert with LibreOffice headless into outdir, each run with its own profile."""
    exe = shutil.which("soffice")
    if exe is None:
        pytest.fail("LibreOffice (soffice) is missing: .ci/run installs libreoffice-calc")
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
