"""build.py --wps (build_wps.py): dist/wps/ holds what SPEC §9 lists; ribbon.xml as WPS's
publish check wants it and calling only functions the JS defines; the same tab and button as
the Excel ribbon; js/layout.js is the Python definitions, read back through Node; the same
inputs give the same bytes; the kit carries the add-in; the Excel build is unchanged by it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

import pytest

import build
import build_wps
from addin.faces import button
from addin.model.findings import SEVERITY_LABELS
from schemas.sheets import (
    FORMULA_STARTS,
    MARK_FILLS,
    MARKS_NAME,
    RESULT_HEADERS,
    RESULT_WIDTHS,
    RESULTS_SHEET,
)
from tests.conftest import ROOT
from tests.wps.conftest import node

NS = {"ui": "http://schemas.microsoft.com/office/2006/01/customui"}


def test_dist_wps_holds_what_spec_9_lists(addin):
    names = {p.relative_to(addin).as_posix() for p in addin.rglob("*") if p.is_file()}
    for needed in (
        "ribbon.xml",
        "index.html",
        "publish.xml",
        "install.sh",
        "install.bat",
        "install.ps1",
        "js/taizhang.js",
        "js/et.js",
        "js/ribbon.js",
        "js/layout.js",
        "js/config.js",
    ):
        assert needed in names, needed
    for item in build_wps.ADDIN_FILES:  # what the installers copy is there
        assert (addin / item).exists(), item


def test_ribbon_has_no_declaration_and_office_customui_schema(addin):
    raw = (addin / "ribbon.xml").read_bytes()
    assert raw.startswith(b"<customUI ")  # no declaration, no BOM, no blank
    root = ET.fromstring(raw)
    assert root.tag == f"{{{NS['ui']}}}customUI"
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)) >= 4


def test_every_ribbon_callback_is_a_function_of_the_js(addin):
    ribbon = (addin / "ribbon.xml").read_text(encoding="utf-8")
    named = build_wps.callbacks(ribbon)
    assert {"OnAddinLoad", "OnAction", "GetImage", "OnGetEnabled"} <= named
    js = (addin / "js" / "ribbon.js").read_text(encoding="utf-8")
    defined = set(re.findall(r"^function (\w+)\(", js, flags=re.M))
    assert named <= defined, named - defined


def test_the_build_refuses_what_wps_would_refuse(addin):
    files = build_wps.addin_files()
    with_declaration = {**files, "ribbon.xml": b'<?xml version="1.0"?>\n' + files["ribbon.xml"]}
    with pytest.raises(build_wps.WpsBuildError, match="<customUI"):
        build_wps.check(with_declaration)
    ribbon = files["ribbon.xml"].replace(b'onAction="OnAction"', b'onAction="OnPressed"', 1)
    with pytest.raises(build_wps.WpsBuildError, match="OnPressed"):
        build_wps.check({**files, "ribbon.xml": ribbon})
    html = files["index.html"].replace(b"js/et.js", b"js/gone.js")
    with pytest.raises(build_wps.WpsBuildError, match="gone.js"):
        build_wps.check({**files, "index.html": html})


def test_same_tab_group_and_button_as_the_excel_ribbon(addin):
    wps = ET.fromstring((addin / "ribbon.xml").read_bytes())
    excel = ET.fromstring(build.render_ribbon().encode("utf-8"))
    for path in (".//ui:tab", ".//ui:group", ".//ui:button"):
        ours, theirs = wps.find(path, NS), excel.find(path, NS)
        assert (ours.get("id"), ours.get("label")) == (theirs.get("id"), theirs.get("label"))
    assert wps.find(".//ui:button", NS).get("screentip") == excel.find(".//ui:button", NS).get(
        "screentip"
    )


def test_publish_entry_is_type_et_naming_the_installed_folder(addin):
    root = ET.fromstring((addin / "publish.xml").read_bytes())
    (entry,) = root.findall("jsplugin")
    assert entry.get("type") == "et"
    assert entry.get("name") == build_wps.NAME
    assert entry.get("version") == build_wps.version()
    assert entry.get("url") == f"{entry.get('name')}_{entry.get('version')}"
    for script in ("install.sh", "install.ps1"):  # the installers register the same entry
        text = (addin / script).read_bytes().decode("utf-8-sig")
        assert build_wps.publish_entry() in text, script


def test_version_is_the_package_version():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert build_wps.version() == project["version"]
    assert build_wps.folder_name() == f"taizhang_{project['version']}"


def layout_through_node(addin) -> dict:
    result = subprocess.run(
        [node(), "-e", "process.stdout.write(JSON.stringify(require(process.argv[1])))"]
        + [str(addin / "js" / "layout.js")],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_layout_js_is_the_python_definitions(addin):
    """What the JS reads is what Python defines, read back through Node: the 校验结果 sheet
    of schemas/sheets.py, the button's words of schemas/data/button.toml, and the rest."""
    js = layout_through_node(addin)
    assert js == build_wps.layout()
    assert js["results_sheet"] == RESULTS_SHEET
    assert js["result_headers"] == list(RESULT_HEADERS)
    assert js["result_widths"] == list(RESULT_WIDTHS)
    assert js["fills"] == {k: list(v) for k, v in MARK_FILLS.items()}
    assert js["formula_starts"] == list(FORMULA_STARTS)
    assert js["severity_labels"] == SEVERITY_LABELS
    assert js["marks_name"] == MARKS_NAME
    assert js["words"]["check"] == button.CHECK  # the very words the Excel button says
    assert js["title"] == button.TITLE


def test_the_button_words_are_data_with_named_fields_only():
    for table in ("check", "excel", "wps"):
        assert button.WORDS[table], table
        for key, text in button.WORDS[table].items():
            # {name} fields only: both Python's str.format and the JS say() fill exactly these
            assert re.fullmatch(r"([^{}]|\{\w+\})*", text), f"{table}.{key}"
    assert button.WORDS["excel"]["help"] == button.HELP
    assert "taizhang serve --data" in button.WORDS["wps"]["not_running"]


def test_config_js_names_the_service(addin):
    assert (addin / "js" / "config.js").read_text(
        encoding="utf-8"
    ) == build_wps.config_js() and build_wps.DEFAULT_SERVICE in build_wps.config_js()
    other = build_wps.addin_files("http://10.0.0.5:8750")["js/config.js"].decode("utf-8")
    assert 'service: "http://10.0.0.5:8750"' in other


def test_build_is_reproducible(tmp_path, addin):
    again = build_wps.write_wps(tmp_path)
    ours = {p.relative_to(addin): p for p in addin.rglob("*") if p.is_file()}
    theirs = {p.relative_to(again): p for p in again.rglob("*") if p.is_file()}
    assert ours.keys() == theirs.keys()
    for rel, path in ours.items():
        assert path.read_bytes() == theirs[rel].read_bytes(), rel
        assert path.stat().st_mode == theirs[rel].stat().st_mode, rel
    assert (again / "install.sh").stat().st_mode & 0o111  # executable


def test_rebuild_replaces_the_folder_whole(tmp_path):
    first = build_wps.write_wps(tmp_path)
    (first / "stale.js").write_text("old", encoding="utf-8")
    second = build_wps.write_wps(tmp_path)
    assert not (second / "stale.js").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["wps"]  # no temporary folder left


def test_windows_scripts_are_encoded_as_their_readers_read_them(addin):
    ps1 = (addin / "install.ps1").read_bytes()
    assert ps1.startswith(b"\xef\xbb\xbf")  # PowerShell 5.1 reads UTF-8 only with a BOM
    bat = (addin / "install.bat").read_bytes()
    for raw in (ps1, bat):
        assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF throughout
    text = bat.decode("gbk")  # cmd.exe reads the console code page: GBK on Chinese Windows
    assert "install.ps1" in text and "-ExecutionPolicy Bypass" in text
    script = ps1.decode("utf-8-sig")
    assert r'Join-Path $env:APPDATA "kingsoft\wps\jsaddons"' in script
    files = re.search(r"\$Files = @\((.*)\)", script)[1]
    assert re.findall(r'"([^"]+)"', files) == list(build_wps.ADDIN_FILES)
    assert build_wps.CONFIG[0] in script and build_wps.CONFIG[1] in script
    sh = (addin / "install.sh").read_text(encoding="utf-8")
    assert '"$HOME/.local/share/Kingsoft/wps/jsaddons"' in sh


def test_build_py_wps_writes_dist_wps():
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--wps"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "dist/wps/" in result.stdout and "wheels" not in result.stdout
    assert (ROOT / "dist" / "wps" / "ribbon.xml").read_bytes().startswith(b"<customUI")


def test_kit_carries_the_wps_addin(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build, "DIST", tmp_path)
    build.build(dist=tmp_path)
    kit = build.write_kit(tmp_path / "kit", build.DEFAULT_INTERPRETER, ("3.11",), download=False)
    capsys.readouterr()
    expected = build_wps.package_files()
    got = {p.relative_to(kit / "wps").as_posix() for p in (kit / "wps").rglob("*") if p.is_file()}
    assert got == set(expected)
    for name, (data, _mode) in expected.items():
        assert (kit / "wps" / name).read_bytes() == data, name
    assert "wps" in (kit / "INSTALL.md").read_text(encoding="utf-8")


def test_the_excel_code_zip_leaves_the_wps_sources_out(tmp_path):
    build.build_code_zip(tmp_path / "taizhang.zip")
    with zipfile.ZipFile(tmp_path / "taizhang.zip") as zf:
        names = zf.namelist()
    assert "templates/customUI.xml.j2" in names
    assert not [n for n in names if n.startswith("templates/wps/")]
