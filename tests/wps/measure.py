"""Time one press of the WPS button through the service against a cold CLI run on the same
return: `python -m tests.wps.measure [--runs N]` (needs Node and the intake service).

A press is timed inside Node from the click to the message — reading every sheet through the
FAKE WPS, POST /api/check to a real `taizhang serve`, the service's validation, writing
校验结果 and the marks — on a fresh copy of the workbook each time. The first press after the
service starts pays for the service's first validation (imports); it is reported apart. A cold
CLI run is `python -m addin validate --format json FILE` in a new process, start-up included.
Medians of N runs; the fake's own speed is not WPS's (a real WPS calls cost more)."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import build_wps
from tests.wps import fixtures
from tests.wps.conftest import press
from tests.wps.serve import serve


def cli_runs(path: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "addin", "validate", "--format", "json", str(path)],
            capture_output=True,
            timeout=300,
        )
        times.append((time.perf_counter() - start) * 1000)
        assert result.returncode in (0, 1), result.stderr
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="taizhang-wps-") as tmp:
        root = Path(tmp)
        addin = build_wps.write_wps(root / "dist")
        from addin.faces.samples import make_returns

        planted = make_returns(root / "returns", "2021Y", units=["微山县"])[0]
        many = fixtures.many_errors(root / "more")
        dumps = fixtures.write_fixtures([planted, many], root / "fixtures")
        print(f"runs: {args.runs}; medians in ms")
        print(
            "| return | findings | ET calls per press | first press (cold service) "
            "| press, warm service | cold CLI |"
        )
        print("|---|---|---|---|---|---|")
        for path, dump in zip((planted, many), dumps, strict=True):
            with serve(root / f"service-{path.stem}") as service:
                report = press(
                    addin, dump, url=service.url, code=service.codes["微山县" if path is planted else "任城区"],
                    repeat=args.runs + 1,
                )  # fmt: skip
            first, *warm = report["timings_ms"]
            found = len(report["request"]["answer"]["findings"])
            cli = cli_runs(path, args.runs)
            print(
                f"| {path.name} | {found} | {report['calls'][-1]} | {first:.0f} "
                f"| {statistics.median(warm):.0f} | {statistics.median(cli):.0f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
