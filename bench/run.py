"""make bench: how fast taizhang is where the bureau feels it, against floors measured in the
same run on the same machine, so the ratios hold from one machine to the next.

1. a cold `taizhang validate one.xlsx` against a cold `python -c "import pandera.pandas"`;
2. a warm in-process read + validate of that return against unzipping and XML-parsing it (the
   work of a warm reader child and the validator, without the child process);
3. `taizhang consolidate` (validate + consolidate) of 10, 100 and 1,000 returns, --jobs 1 and 2:
   wall time and peak memory of the process tree;
4. the growth from 100 to 1,000 returns;
5. the intake service (`taizhang serve` on loopback): uploads per second, 14 in parallel, and
   the median of `POST /api/check` for the single return against the cold CLI on it.

Medians over RUNS runs each. The returns are the demo's sample returns (addin.faces.samples), copied
to N files. Writes bench/results.md. Usage: python bench/run.py [--runs 5] [--sizes 10,100,1000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: import the checkout's addin

BIN = Path(sys.executable).parent
PERIOD = "2021Y"
RESULTS = ROOT / "bench" / "results.md"
PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024

# targets from issues 3 and 4
COLD_RATIO_MAX = 1.25
WARM_RATIO_MAX = 10.0
WALL_MAX_S = 20.0
MEMORY_MAX = 1024 * MIB
GROWTH_MAX = 11.0
CHECK_MAX_S = 0.050  # issue 13: /api/check of one return, about a tenth of a cold press
UPLOADS_PER_UNIT = 5


# --- measuring a process tree --------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    seconds: float
    returncode: int
    largest: int  # bytes: the largest single process's peak RSS (wait4's ru_maxrss)
    tree: int  # bytes: the highest sampled sum of RSS over the process and its descendants


def _children_map() -> dict[int, list[int]]:
    # /proc/PID/task/TID/children is not compiled into every kernel; a scan of stat always works
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _tree_rss(pid: int) -> int:
    children = _children_map()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            with open(f"/proc/{current}/statm", "rb") as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            pass  # ended between the scan and the read
    return total


def run_process(argv: list[str], *, sample: bool = False, cwd: Path | None = None) -> Measured:
    """Run argv to completion; wall time, exit code and peak memory of its process tree."""
    peak = [0]
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, cwd=cwd)
        done = threading.Event()

        def sampler() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], _tree_rss(proc.pid))

        thread = threading.Thread(target=sampler, daemon=True) if sample else None
        if thread:
            thread.start()
        # wait4 gives this child's own rusage: ru_maxrss is the largest of it and the children
        # it waited for, in KiB on Linux
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        if thread:
            thread.join()
        if proc.returncode not in (0, 1):  # 1 = some return has errors: expected in samples
            err.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err.read().decode()}")
    largest = usage.ru_maxrss * 1024
    return Measured(seconds, proc.returncode, largest, max(peak[0], largest))


def timed(function, *, runs: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


# --- the returns ---------------------------------------------------------------------------


def originals(folder: Path) -> list[Path]:
    """The 14 units' sample returns of PERIOD (with the usual mistakes), from the template."""
    from addin.faces import samples

    return samples.make_returns(folder, PERIOD)


def build_corpus(source: list[Path], folder: Path, count: int) -> list[Path]:
    """count returns in folder: copies of the samples in turn, each under its own name."""
    from addin.faces import samples

    return samples.copy_returns(source, folder, count)


def one_return(folder: Path) -> Path:
    """A single clean filled return to time on its own."""
    from addin.faces import samples

    return samples.make_one(folder, PERIOD)


# --- the measurements ----------------------------------------------------------------------


def unzip_and_parse(path: Path) -> None:
    """The floor: open the zip and parse every XML part with the C parser, doing nothing."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                ET.fromstring(archive.read(name))


def warm_validate(path: Path):
    """Read (with its guards) + validate one file in this process, imports warm: the work a
    warm reader child and the validator do for one return, without the process around it."""
    from addin.pipeline.collect import validate_read
    from addin.read.isolate import Read
    from addin.read.reader import read_workbook

    return validate_read(Read(path, read_workbook(path)))


def median(values: list[float]) -> float:
    return statistics.median(values)


def measure(sizes: list[int], runs: int, work: Path) -> dict:
    results: dict = {"runs": runs, "sizes": sizes, "load": [os.getloadavg()[0], 0.0]}
    python = str(BIN / "python")
    taizhang = str(BIN / "taizhang")

    single = one_return(work / "one")
    print(f"单个台账：{single.name}", flush=True)

    # 1. cold starts: one discarded run each first so both read from a warm disk cache
    cold_cli = [taizhang, "validate", str(single)]
    cold_import = [python, "-c", "import pandera.pandas"]
    run_process(cold_cli)
    run_process(cold_import)
    cli_times, import_times = [], []
    for _ in range(runs):  # interleaved so a load spike hits both
        cli_times.append(run_process(cold_cli).seconds)
        import_times.append(run_process(cold_import).seconds)
    results["cold_cli"] = median(cli_times)
    results["cold_import"] = median(import_times)
    print(f"冷启动：{results['cold_cli']:.3f} s 对 {results['cold_import']:.3f} s", flush=True)

    # 2. warm validation against the unzip + parse floor (many repetitions per median)
    reps = max(runs, 21)
    results["warm_validate"] = median(timed(lambda: warm_validate(single), runs=reps, warmup=3))
    results["floor"] = median(timed(lambda: unzip_and_parse(single), runs=reps, warmup=3))
    print(
        f"热校验：{results['warm_validate'] * 1000:.1f} ms 对 {results['floor'] * 1000:.2f} ms",
        flush=True,
    )

    # 3. consolidate N returns, --jobs 1 and 2
    results["batch"] = {}
    start = time.perf_counter()
    source = originals(work / "samples")
    print(f"从模板生成 {len(source)} 份示例台账：{time.perf_counter() - start:.1f} s", flush=True)
    for size in sizes:
        folder = work / f"n{size}"
        files = build_corpus(source, folder, size)
        for jobs in (1, 2):
            out = work / f"out-{size}-{jobs}"
            out.mkdir()
            argv = [
                taizhang,
                "consolidate",
                str(folder),
                "--period",
                PERIOD,
                "-o",
                str(out / "汇总.xlsx"),
                "--json",
                str(out / "汇总.json"),
                "--jobs",
                str(jobs),
            ]
            measured = [run_process(argv, sample=True) for _ in range(runs)]
            results["batch"][(size, jobs)] = {
                "files": len(files),
                "seconds": median([m.seconds for m in measured]),
                "largest": max(m.largest for m in measured),
                "tree": max(m.tree for m in measured),
            }
            row = results["batch"][(size, jobs)]
            print(
                f"汇总 {len(files)} 份 --jobs {jobs}：{row['seconds']:.2f} s，"
                f"峰值内存 {row['tree'] / MIB:.0f} MiB",
                flush=True,
            )
        shutil.rmtree(folder)
    results["service"] = service_figures(work, single, source, runs)
    svc = results["service"]
    print(
        f"服务：/api/check {svc['check'] * 1000:.1f} ms；并行上传 {svc['uploads']} 份 "
        f"{svc['upload_seconds']:.1f} s（每秒 {svc['uploads'] / svc['upload_seconds']:.1f} 份）",
        flush=True,
    )
    results["load"][1] = os.getloadavg()[0]
    return results


# --- the intake service ---------------------------------------------------------------------


def _multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "taizhang-bench-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), boundary


def _post(url: str, code: str, body: bytes, content_type: str) -> dict:
    import json
    import urllib.request

    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {code}", "Content-Type": content_type},
    )
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.load(answer)


def service_figures(work: Path, single: Path, source: list[Path], runs: int) -> dict:
    """Start `taizhang serve` on a free loopback port; time /api/check and parallel uploads."""
    import json
    import re
    from concurrent.futures import ThreadPoolExecutor

    import openpyxl

    from addin.faces.service.accounts import issue
    from addin.read.reader import read_workbook

    folder, sheet = work / "service", work / "账号.xlsx"
    issue(folder, sheet)
    rows = list(openpyxl.load_workbook(sheet)["账号"].iter_rows(values_only=True))[1:]
    bureau = dict(rows)["市能源局"]
    proc = subprocess.Popen(
        [str(BIN / "taizhang"), "serve", "--data", str(folder), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        port = re.search(r"http://127\.0\.0\.1:(\d+)/", proc.stdout.readline())[1]
        url = f"http://127.0.0.1:{port}"
        wb = read_workbook(single)
        sheets = {
            name: [[v.isoformat() if hasattr(v, "isoformat") else v for v in row] for row in s.rows]
            for name, s in wb.sheets.items()
        }
        body = json.dumps({"sheets": sheets, "name": single.name}, ensure_ascii=False).encode()
        check = timed(
            lambda: _post(url + "/api/check", bureau, body, "application/json"),
            runs=max(runs, 21),
            warmup=3,
        )
        uploads = [(p.name, p.read_bytes()) for p in source] * UPLOADS_PER_UNIT

        def send(item):
            data, boundary = _multipart(*item)
            return _post(
                url + "/api/returns", bureau, data, f"multipart/form-data; boundary={boundary}"
            )

        send(uploads[0])  # the reader children and pandera warm, as in a service that runs
        start = time.perf_counter()
        with ThreadPoolExecutor(14) as pool:
            done = list(pool.map(send, uploads))
        seconds = time.perf_counter() - start
        assert all("id" in d for d in done)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    return {"check": median(check), "uploads": len(uploads), "upload_seconds": seconds}


# --- the report ----------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * PAGE / 1024**3
    except (ValueError, OSError):
        memory = float("nan")
    versions = []
    for package in ("pandas", "pandera", "python-calamine", "openpyxl", "xlsxwriter"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{package} {metadata.version(package)}")
    return [
        f"- 机器：{cpu}，{os.cpu_count()} 核，内存 {memory:.1f} GiB，{platform.platform()}",
        f"- Python {platform.python_version()}；{'，'.join(versions)}",
    ]


def verdict(ok: bool) -> str:
    return "通过" if ok else "未达标"


def report(results: dict) -> str:
    runs = results["runs"]
    batch = results["batch"]
    sizes = results["sizes"]
    cold = results["cold_cli"] / results["cold_import"]
    warm = results["warm_validate"] / results["floor"]
    lines = [
        "# 性能测量（make bench）",
        "",
        f"- 日期：{datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        *machine(),
        f"- 系统负载（1 分钟平均）：开始时 {results['load'][0]:.2f}，结束时 {results['load'][1]:.2f}"
        "（其他程序占用处理器时，时间会偏长）",
        f"- 每项取 {runs} 次运行的中位数（热校验与解压下限各取 {max(runs, 21)} 次）；"
        "内存为各次运行中的最高值。",
        "- 台账为 `addin.faces.samples` 从模板生成的示例台账（14 个单位，复制到 N 份），期次 2021Y。",
        "",
        "| 测量 | 中位数 | 对照（同次测量） | 比值 | 峰值内存 | 目标 | 结果 |",
        "|---|---|---|---|---|---|---|",
        f"| 冷启动 `taizhang validate one.xlsx` | {results['cold_cli']:.3f} s "
        f'| `python -c "import pandera.pandas"` {results["cold_import"]:.3f} s '
        f"| {cold:.2f} | — | ≤ {COLD_RATIO_MAX} | {verdict(cold <= COLD_RATIO_MAX)} |",
        f"| 热校验一份台账（读取 + 校验，进程内） | {results['warm_validate'] * 1000:.1f} ms "
        f"| 解压并解析 XML {results['floor'] * 1000:.2f} ms "
        f"| {warm:.1f} | — | ≤ {WARM_RATIO_MAX:g} | {verdict(warm <= WARM_RATIO_MAX)} |",
    ]
    for size in sizes:
        for jobs in (1, 2):
            row = batch[(size, jobs)]
            gated = size == max(sizes) and jobs == 2 and size >= 1000
            target = f"≤ {WALL_MAX_S:g} s，≤ 1 GiB" if gated else "—"
            ok = row["seconds"] <= WALL_MAX_S and row["tree"] <= MEMORY_MAX
            per_file = row["seconds"] / row["files"] * 1000
            lines.append(
                f"| 校验 + 汇总 {row['files']:,} 份（`--jobs {jobs}`） | {row['seconds']:.2f} s "
                f"| 每份 {per_file:.1f} ms | — | 进程树 {row['tree'] / MIB:.0f} MiB"
                f"（单进程最大 {row['largest'] / MIB:.0f} MiB） | {target} "
                f"| {verdict(ok) if gated else '—'} |"
            )
    if 100 in sizes and 1000 in sizes:
        for jobs in (1, 2):
            growth = batch[(1000, jobs)]["seconds"] / batch[(100, jobs)]["seconds"]
            gated = jobs == 2
            lines.append(
                f"| 增长：1,000 份 ÷ 100 份的时间（`--jobs {jobs}`） | — | — | {growth:.2f} | — "
                f"| {'≤ ' + format(GROWTH_MAX, 'g') if gated else '—'} "
                f"| {verdict(growth <= GROWTH_MAX) if gated else '—'} |"
            )
    svc = results["service"]
    per_second = svc["uploads"] / svc["upload_seconds"]
    lines += [
        f"| 服务 `POST /api/check` 一份台账（HTTP 往返，服务已热） | {svc['check'] * 1000:.1f} ms "
        f"| 冷启动 CLI {results['cold_cli']:.3f} s | {svc['check'] / results['cold_cli']:.3f} | — "
        f"| ≤ {CHECK_MAX_S * 1000:g} ms | {verdict(svc['check'] <= CHECK_MAX_S)} |",
        f"| 服务并行上传 {svc['uploads']} 份（14 路，确认前落盘） | {svc['upload_seconds']:.2f} s "
        f"| 每秒 {per_second:.1f} 份 | — | — | — | — |",
    ]
    lines += [
        "",
        "进程树峰值内存每 50 ms 采样一次，把进程及其全部子进程的 RSS 相加（fork 出的子进程"
        "共享的页面被重复计入，所以偏高、偏保守）；单进程最大值来自 `wait4` 的 `ru_maxrss`。",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="taizhang 性能测量，写出 bench/results.md")
    parser.add_argument("--runs", type=int, default=5, help="每项运行次数（取中位数），默认 5")
    parser.add_argument("--sizes", default="10,100,1000", help="台账份数，逗号分隔")
    parser.add_argument("--output", type=Path, default=RESULTS, help="结果文件")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="taizhang-bench-") as tmp:
        results = measure(sizes, args.runs, Path(tmp))
    text = report(results)
    tmp_out = args.output.with_suffix(".tmp")
    tmp_out.write_text(text, encoding="utf-8")
    os.replace(tmp_out, args.output)
    print()
    print(text)
    print(f"共用时 {time.perf_counter() - started:.0f} s；结果已写入 {args.output}")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"（本次全部子进程 CPU：用户 {children.ru_utime:.0f} s，系统 {children.ru_stime:.0f} s）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
