"""Pytest drives the Node layer, so `make test` runs it: `node --check` on every JS file, then
Node's test runner on tests/wps/js/ against the built add-in and the real-return fixtures —
the FAKE WPS tests (read.test.js, button.test.js) and the static checks (static.test.js)."""

from __future__ import annotations

import re
import subprocess

from tests.wps.conftest import JS, node, node_env


def test_node_check_passes_on_every_js_file(addin):
    files = sorted(addin.rglob("*.js")) + sorted(JS.glob("*.js"))
    assert len(files) >= 9
    for path in files:
        result = subprocess.run([node(), "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, f"{path}: {result.stderr}"


def test_node_test_runner_passes_on_the_fake_wps_tests(addin, dumps):
    result = subprocess.run(
        [node(), "--test", str(JS)],
        capture_output=True,
        text=True,
        env=node_env(addin, dumps),
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    passed = int(re.search(r"^# pass (\d+)$", output, flags=re.M)[1])
    failed = int(re.search(r"^# fail (\d+)$", output, flags=re.M)[1])
    assert failed == 0 and passed >= 35, output[-3000:]
