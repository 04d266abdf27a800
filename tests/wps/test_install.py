"""The Linux installer (dist/wps/install.sh, run with sh as an officer would), into a temporary
jsaddons folder (TAIZHANG_JSADDONS): the add-in copied as taizhang_<version>/, its entry merged
into publish.xml without losing any other add-in's, old versions replaced, uninstall, and a
publish.xml it does not understand left alone. install.ps1 cannot run here (no PowerShell):
its text is checked in test_build_wps.py and it is on the manual check list (docs/ADDIN.md)."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import build_wps

OTHERS = """<?xml version="1.0" encoding="UTF-8"?>
<jsplugins>
  <jspluginonline name="other" type="wps" url="http://127.0.0.1:3889/" debug="" enable="enable_dev" install="null"/>
  <jsplugin name="taizhang" type="et"
    url="taizhang_0.0.9" version="0.0.9" enable="enable_dev"/>
  <jsplugin name="taizhang-not-ours" type="et" url="x_1" version="1"/>
  <jsplugin name="zotero" type="wps" url="zotero_1.0" version="1.0"></jsplugin>
</jsplugins>
"""


def install(addin: Path, jsaddons: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(addin / "install.sh"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "TAIZHANG_JSADDONS": str(jsaddons)},
        timeout=60,
    )


def entries(publish: Path) -> list[tuple[str, str]]:
    root = ET.parse(publish).getroot()  # still well-formed XML
    return [(el.tag, el.get("name")) for el in root]


@pytest.fixture
def jsaddons(tmp_path) -> Path:
    folder = tmp_path / "jsaddons"
    folder.mkdir()
    (folder / "publish.xml").write_text(OTHERS, encoding="utf-8")
    (folder / "taizhang_0.0.9").mkdir()  # an older version of ours
    (folder / "zotero_1.0").mkdir()  # someone else's add-in
    return folder


def test_install_merges_publish_xml_and_keeps_every_other_entry(addin, jsaddons):
    for _ in range(2):  # idempotent
        result = install(addin, jsaddons, "--service", "http://127.0.0.1:8751")
        assert result.returncode == 0, result.stderr
    publish = jsaddons / "publish.xml"
    assert entries(publish) == [
        ("jspluginonline", "other"),
        ("jsplugin", "taizhang-not-ours"),
        ("jsplugin", "zotero"),
        ("jsplugin", "taizhang"),
    ]
    text = publish.read_text(encoding="utf-8")
    assert build_wps.publish_entry() in text
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert (jsaddons / "publish.xml.taizhang.bak").read_text(encoding="utf-8") == OTHERS
    assert not (jsaddons / "taizhang_0.0.9").exists()  # two versions would both load
    assert (jsaddons / "zotero_1.0").is_dir()
    assert "已安装台账加载项" in result.stdout


def test_installed_folder_is_the_built_addin_with_the_service_address(addin, jsaddons):
    assert install(addin, jsaddons, "--service", "http://10.1.2.3:8750").returncode == 0
    folder = jsaddons / build_wps.folder_name()
    built = {p.relative_to(addin) for item in build_wps.ADDIN_FILES for p in _files(addin / item)}
    installed = {p.relative_to(folder) for p in _files(folder)}
    assert installed == built  # the add-in's files, not the scripts, publish.xml or README
    for rel in installed - {Path("js/config.js")}:
        assert (folder / rel).read_bytes() == (addin / rel).read_bytes(), rel
    config = (folder / "js" / "config.js").read_text(encoding="utf-8")
    assert config == build_wps.config_js("http://10.1.2.3:8750")


def _files(path: Path) -> list[Path]:
    return [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]


def test_fresh_install_creates_publish_xml(addin, tmp_path):
    target = tmp_path / "new" / "jsaddons"
    result = install(addin, target)
    assert result.returncode == 0, result.stderr
    assert entries(target / "publish.xml") == [("jsplugin", "taizhang")]
    assert (target / build_wps.folder_name() / "ribbon.xml").is_file()
    config = (target / build_wps.folder_name() / "js" / "config.js").read_text(encoding="utf-8")
    assert config == build_wps.config_js()


def test_uninstall_removes_only_ours(addin, jsaddons):
    assert install(addin, jsaddons).returncode == 0
    result = install(addin, jsaddons, "--uninstall")
    assert result.returncode == 0, result.stderr
    assert entries(jsaddons / "publish.xml") == [
        ("jspluginonline", "other"),
        ("jsplugin", "taizhang-not-ours"),
        ("jsplugin", "zotero"),
    ]
    assert not list(jsaddons.glob("taizhang_*"))
    assert (jsaddons / "zotero_1.0").is_dir()


def test_a_publish_xml_it_does_not_understand_is_left_alone(addin, tmp_path):
    folder = tmp_path / "jsaddons"
    folder.mkdir()
    (folder / "publish.xml").write_text("garbage", encoding="utf-8")
    (folder / "taizhang_0.0.9").mkdir()
    result = install(addin, folder)
    assert result.returncode == 1
    assert "格式不认识" in result.stderr
    assert (folder / "publish.xml").read_text(encoding="utf-8") == "garbage"
    assert (folder / "taizhang_0.0.9").is_dir()  # nothing touched at all


@pytest.mark.parametrize(
    "args", [["--service", "ftp://x"], ["--service", 'http://a"b'], ["--service"], ["--bogus"]]
)
def test_bad_arguments_are_refused_before_anything_is_touched(addin, jsaddons, args):
    result = install(addin, jsaddons, *args)
    assert result.returncode == 2
    assert result.stderr.strip()  # said why, in Chinese
    assert (jsaddons / "publish.xml").read_text(encoding="utf-8") == OTHERS
    assert (jsaddons / "taizhang_0.0.9").is_dir()
