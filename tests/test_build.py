"""build.py: the add-in is xlwings' template with only XML parts rewritten, its VBA untouched,
its ribbon calling what the VBA defines, its config sheet named as the VBA reads it; the code
zip carries what the add-in imports; the same inputs give the same bytes; the kit's scripts."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

import build
from tests import vba
from tests.conftest import ROOT

NS = {
    "ui": "http://schemas.microsoft.com/office/2006/01/customui",
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
}
REWRITTEN = {"customUI/customUI.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"}


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build.build(dist=out)
    return out


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        return {info.filename: zf.read(info) for info in zf.infolist()}


def test_xlam_has_the_template_parts_and_its_vba(dist):
    ours, template = parts(dist / "taizhang.xlam"), parts(build.template_path())
    assert list(ours) == list(template)  # same parts, same order
    assert sha256(ours["xl/vbaProject.bin"]) == sha256(template["xl/vbaProject.bin"])
    changed = {name for name in ours if ours[name] != template[name]}
    assert changed == REWRITTEN  # nothing but the three XML parts differs


def test_every_ribbon_action_is_a_ribbon_sub_of_the_vba(dist):
    xlam = dist / "taizhang.xlam"
    root = ET.fromstring(parts(xlam)["customUI/customUI.xml"])
    actions = {el.get("onAction") for el in root.iter() if el.get("onAction")}
    assert actions  # the button is there
    assert actions <= vba.ribbon_subs(xlam)


def test_ribbon_is_well_formed_chinese_with_unique_ids(dist):
    root = ET.fromstring(parts(dist / "taizhang.xlam")["customUI/customUI.xml"])
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)) and len(ids) >= 3
    tab = root.find(".//ui:tab", NS)
    assert tab.get("label") == "台账"
    button = root.find(".//ui:button", NS)
    assert button.get("label") == "校验/汇总"
    assert re.search(r"[\u4e00-\u9fff]", button.get("screentip") or "")


config_sheet = vba.config_sheet


def test_config_sheet_is_named_as_the_vba_reads_it(dist):
    xlam = dist / "taizhang.xlam"
    name, values = config_sheet(xlam)
    assert name == vba.constant(xlam, "PROJECT_NAME") + ".conf"
    code = vba.modules(xlam)["xlwings"]
    assert 'wb.Sheets(PROJECT_NAME & ".conf")' in code  # where GetConfigFromSheet looks
    assert 'GetConfig("INTERPRETER_WIN"' in code and "UCase(cell.Value)" in code
    assert values["Interpreter_Win"] == build.DEFAULT_INTERPRETER
    # the code zip is found through PYTHONPATH, not beside the add-in in XLSTART
    assert values["PYTHONPATH"] == r"%LOCALAPPDATA%\taizhang\taizhang.zip"
    assert 'GetConfig("PYTHONPATH")' in code and "WScript.ExpandEnvironmentStrings" in code
    assert (
        vba.get_config(xlam, "PythonPath", {"LOCALAPPDATA": "/u/l"}) == "/u/l/taizhang/taizhang.zip"
    )
    # the VBA reads the keys top-down from A1 until the first blank: all of them contiguous
    assert len(values) == 9


def test_interpreter_is_configurable(tmp_path):
    path = r"D:\Python311\pythonw.exe"
    build.build_xlam(tmp_path / "taizhang.xlam", path)
    assert config_sheet(tmp_path / "taizhang.xlam")[1]["Interpreter_Win"] == path


def test_pythonpath_is_configurable(tmp_path):
    path = r"D:\tz\taizhang.zip"
    build.build_xlam(tmp_path / "taizhang.xlam", pythonpath=path)
    values = config_sheet(tmp_path / "taizhang.xlam")[1]
    assert values["PYTHONPATH"] == path
    assert values["Interpreter_Win"] == build.DEFAULT_INTERPRETER
    assert len(values) == 9  # still contiguous from A1


def test_pythonpath_reaches_prepare_sys_path(dist):
    """xlwings.utils.prepare_sys_path puts every entry after the sixth `;` field on sys.path."""
    argv = vba.button_command(
        dist / "taizhang.xlam",
        python="python",
        active_fullname="",
        active_name="a.xlsx",
        environ={"localappdata": "/home/u/AppData/Local"},
    )
    code = argv[argv.index("-c") + 1]
    arg = re.search(r'prepare_sys_path\("(.*?)"\)', code).group(1)
    assert arg.split(";")[6:] == ["/home/u/AppData/Local/taizhang/taizhang.zip"]


def test_vba_runs_the_module_named_after_the_xlam(dist):
    xlam = dist / "taizhang.xlam"
    argv = vba.button_command(
        xlam, python="python", active_fullname="/x/a.xlsx", active_name="a.xlsx"
    )
    code = argv[argv.index("-c") + 1]
    assert code.endswith("import taizhang;taizhang.main()")
    assert "prepare_sys_path" in code


def test_build_is_reproducible(tmp_path, dist):
    build.build(dist=tmp_path)
    for name in ("taizhang.xlam", "taizhang.zip"):
        assert sha256((tmp_path / name).read_bytes()) == sha256((dist / name).read_bytes()), name


def test_code_zip_holds_what_the_addin_imports(dist):
    with zipfile.ZipFile(dist / "taizhang.zip") as zf:
        names = zf.namelist()
        taizhang_py = zf.read("taizhang.py").decode()
    assert names == sorted(names)
    assert "def main" in taizhang_py and "addin.faces.excel" in taizhang_py
    for needed in (
        "addin/__init__.py",
        "addin/faces/button.py",
        "addin/faces/excel.py",
        "addin/faces/console.py",
        "addin/pipeline/run.py",
        "schemas/reference.py",
        "templates/__init__.py",
        "templates/customUI.xml.j2",
    ):
        assert needed in names
    data = {p.relative_to(ROOT).as_posix() for p in (ROOT / "schemas" / "data").rglob("*.toml")}
    assert data and data <= set(names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


# Known uses of __file__, neither reading packaged data:
# - read/isolate.py puts the folder above `addin` on its children's PYTHONPATH; from the add-in that
#   is the zip itself, which Python imports from (test_addin runs a console consolidation so);
# - write/findings_doc.py is a developer tool writing docs/FINDINGS.md in the checkout.
FILE_USERS = {"addin/read/isolate.py", "addin/write/findings_doc.py"}


def test_packaged_code_reads_no_files_by_path():
    """The add-in imports the code from a zip: data and templates must be loaded through
    importlib.resources, never next to __file__."""
    users = {
        p.relative_to(ROOT).as_posix()
        for pkg in build.PACKAGES
        for p in (ROOT / pkg).rglob("*.py")
        if "__file__" in p.read_text(encoding="utf-8")
    }
    assert users <= FILE_USERS


def test_build_script_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "taizhang.xlam" in result.stdout and "taizhang.zip" in result.stdout


# --- the offline kit, scripts only (the download needs the package registry) ------------------


def test_help_runs():
    result = subprocess.run(
        [sys.executable, str(build.ROOT / "build.py"), "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert r"%LOCALAPPDATA%\taizhang" in result.stdout
    assert "--pythonpath" in result.stdout and r"taizhang\taizhang.zip" in result.stdout


def test_kit_scripts(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build, "DIST", tmp_path)
    build.build(dist=tmp_path)
    kit = build.write_kit(tmp_path / "kit", build.DEFAULT_INTERPRETER, ("3.11",), download=False)
    assert "holds no wheels" in capsys.readouterr().err  # an empty kit is said aloud
    raw = (kit / "install.bat").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF throughout
    bat = raw.decode("gbk")
    assert r"%LOCALAPPDATA%\taizhang\.venv" in bat
    assert "--no-index" in bat and "--find-links" in bat
    assert r"%APPDATA%\Microsoft\Excel\XLSTART" in bat
    # the zip goes to %LOCALAPPDATA%\taizhang, only the xlam into XLSTART (Excel opens every file
    # there at start-up); a zip an older kit left in XLSTART is deleted
    copies = re.findall(r'^copy /y "(.+?)" "(.+?)"', bat, flags=re.M)
    assert copies == [
        (r"%KIT%taizhang.zip", r"%CODE%\taizhang.zip"),
        (r"%KIT%taizhang.xlam", r"%XLSTART%\taizhang.xlam"),
    ]
    assert '\r\nset "CODE=%LOCALAPPDATA%\\taizhang"\r\n' in bat
    assert r'del /f /q "%XLSTART%\taizhang.zip"' in bat
    assert bat.index(r'mkdir "%CODE%"') < bat.index(r'"%CODE%\taizhang.zip"')
    assert "py -3.11" in bat
    # without wheels the script stops before it touches anything
    guard = bat.index(r'if not exist "%KIT%wheels\*.whl"')
    assert guard < bat.index("-m venv") and "没有安装文件" in bat[guard : guard + 200]
    doc = (kit / "INSTALL.md").read_text(encoding="utf-8")
    for needed in ("Python 3.11", "973", "WPS", "信任中心", "install.bat", "XLSTART"):
        assert needed in doc, needed
    assert r"`PYTHONPATH` = `%LOCALAPPDATA%\taizhang\taizhang.zip`" in doc
    assert "把 `taizhang.zip` 复制到 `%LOCALAPPDATA%\\taizhang`" in doc
    assert "只把 `taizhang.xlam` 复制到" in doc
    assert (kit / "taizhang.xlam").read_bytes() == (tmp_path / "taizhang.xlam").read_bytes()


def test_kit_copies_the_zip_to_where_pythonpath_points(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "DIST", tmp_path)
    build.build(dist=tmp_path)
    kit = build.write_kit(
        tmp_path / "kit",
        build.DEFAULT_INTERPRETER,
        ("3.11",),
        download=False,
        pythonpath=r"D:\台账\taizhang.zip",
    )
    bat = (kit / "install.bat").read_bytes().decode("gbk")
    assert '\r\nset "CODE=D:\\台账"\r\n' in bat
    for bad in (r"D:\tz\other.zip", r"C:\a;D:\tz\taizhang.zip", "taizhang.zip"):
        with pytest.raises(build.BuildError):
            build.code_folder(bad)
    with pytest.raises(build.BuildError):  # refused before the kit folder is made
        build.write_kit(
            tmp_path / "kit2",
            build.DEFAULT_INTERPRETER,
            ("3.11",),
            download=False,
            pythonpath=r"D:\tz\other.zip",
        )
    assert not (tmp_path / "kit2").exists()


def test_kit_needs_a_venv_interpreter():
    with pytest.raises(build.BuildError):
        build.venv_of(r"C:\Python311\pythonw.exe")
    assert (
        build.venv_of(r"%LOCALAPPDATA%\taizhang\.venv\Scripts\pythonw.exe")
        == r"%LOCALAPPDATA%\taizhang\.venv"
    )


def test_kit_requirements_pin_the_xlwings_of_the_vba():
    reqs = build.runtime_requirements()
    assert f"xlwings=={build.xlwings_version()}" in reqs
    assert any(r.startswith("pandas") for r in reqs)


def test_windows_only_dependencies_are_found(tmp_path):
    """pip skips dependencies whose markers are false on the build machine; the kit must not."""
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(
            "demo-1.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"
            'Requires-Dist: pywin32>=224; platform_system == "Windows"\n'
            'Requires-Dist: appnope; sys_platform == "darwin"\n'
            "Requires-Dist: demo-extra; extra == 'x'\n",
        )
    assert build.missing_windows_requirements(tmp_path, "3.11") == ["pywin32>=224"]
