"""Load and faults on loopback against a real `taizhang serve`, bounded in count and time:
14 units × 20 uploads in parallel, hostile files among them, all acknowledged and listed; a
server killed with SIGKILL mid-upload and started again keeps every upload it acknowledged."""

from __future__ import annotations

import hashlib
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest

from schemas.reference import load
from tests.service.conftest import HOSTILE

pytestmark = pytest.mark.slow

PER_UNIT = 20
HOSTILE_FILES = ("bomb_cells_20M.xlsx", "corner_cells_A1_XFD1048576.xlsx", "xxe_file_sst.xlsx")


def send(url: str, headers: dict, name: str, content: bytes, timeout: float = 120):
    return httpx2.post(
        url + "/api/returns", headers=headers, files={"file": (name, content)}, timeout=timeout
    )


def test_fourteen_units_twenty_uploads_each_in_parallel(data, server_factory, clean_returns):
    server = server_factory(data.folder)
    units = load().unit_names
    jobs = [(unit, i) for i in range(PER_UNIT) for unit in units]
    hostile = [(HOSTILE / name).read_bytes() for name in HOSTILE_FILES]
    bodies = {unit: clean_returns[unit].read_bytes() for unit in units}

    def one(job):
        unit, i = job
        if i == 7 and unit in units[:3]:  # three hostile files among the uploads
            k = units.index(unit)
            answer = send(server.url, data.bearer(unit), HOSTILE_FILES[k], hostile[k])
            return unit, "hostile", answer
        return unit, "return", send(server.url, data.bearer(unit), f"{unit}-{i}.xlsx", bodies[unit])

    start = time.perf_counter()
    with ThreadPoolExecutor(28) as pool:
        results = list(pool.map(one, jobs))
    seconds = time.perf_counter() - start
    print(f"\n{len(jobs)} uploads in {seconds:.1f} s: {len(jobs) / seconds:.1f} per second")

    assert [a.status_code for _, _, a in results] == [201] * len(jobs)
    for unit, kind, answer in results:
        body = answer.json()
        if kind == "hostile":
            assert body["findings"][0]["code"].startswith("file.") and body["unit"] is None
        else:
            assert body["unit"] == unit
            assert body["sha256"] == hashlib.sha256(bodies[unit]).hexdigest()
    acknowledged = sorted(a.json()["id"] for _, _, a in results)
    assert len(set(acknowledged)) == len(jobs)
    listed = httpx2.get(
        server.url + "/api/returns", headers=data.bearer("市能源局"), timeout=60
    ).json()["returns"]
    assert sorted(r["id"] for r in listed) == acknowledged
    for unit in units[3:]:
        own = httpx2.get(server.url + "/api/returns", headers=data.bearer(unit), timeout=60)
        assert len(own.json()["returns"]) == PER_UNIT
    board = httpx2.get(
        server.url + "/api/board?period=2021Y", headers=data.bearer("市能源局"), timeout=120
    ).json()
    assert board["status_counts"]["未报"] == 0
    code, _out, err = server.stop()
    assert code == 0 and "Traceback" not in err


def test_a_killed_server_keeps_every_acknowledged_upload(data, server_factory, clean_returns):
    server = server_factory(data.folder)
    units = load().unit_names
    acknowledged: dict[int, str] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def keep_sending(unit: str) -> None:
        body = clean_returns[unit].read_bytes()
        while not stop.is_set():
            try:
                answer = send(server.url, data.bearer(unit), f"{unit}.xlsx", body, timeout=30)
            except httpx2.HTTPError:
                return  # the server is gone: this upload was never acknowledged
            if answer.status_code == 201:
                with lock:
                    acknowledged[answer.json()["id"]] = answer.json()["sha256"]

    def slow_upload() -> None:
        """An upload still streaming when the server dies."""

        def trickle():
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="s.xlsx"\r\n\r\n'
            for _ in range(600):
                time.sleep(0.05)
                yield b"\0" * 100

        try:
            answer = httpx2.post(
                server.url + "/api/returns",
                headers={
                    **data.bearer("任城区"),
                    "Content-Type": "multipart/form-data; boundary=b",
                },
                content=trickle(),
                timeout=60,
            )
            assert answer.status_code != 201
        except httpx2.HTTPError:
            pass

    threads = [threading.Thread(target=keep_sending, args=(u,)) for u in units[:6]]
    threads.append(threading.Thread(target=slow_upload))
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while len(acknowledged) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.proc.send_signal(signal.SIGKILL)  # mid-upload: six senders and a trickle in flight
    server.proc.wait(10)
    stop.set()
    for t in threads:
        t.join(90)
    assert len(acknowledged) >= 30

    again = server_factory(data.folder)
    listed = httpx2.get(
        again.url + "/api/returns", headers=data.bearer("市能源局"), timeout=60
    ).json()["returns"]
    kept = {r["id"]: r["sha256"] for r in listed}
    assert {i: kept.get(i) for i in acknowledged} == acknowledged
    for sha in set(acknowledged.values()):
        assert hashlib.sha256((data.folder / "files" / sha).read_bytes()).hexdigest() == sha
    assert not list((data.folder / "tmp").iterdir())  # the killed uploads' staging is gone
    assert len(kept) <= len(acknowledged) + 6  # at most the ones in flight got a row unanswered
    code, out, err = again.stop(signal.SIGTERM)
    assert code == 0 and "服务已停止" in out and "Traceback" not in err
