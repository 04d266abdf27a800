"""Build the Excel add-in on Linux: dist/taizhang.xlam, dist/taizhang.zip, and with --kit an
offline install kit in dist/kit/ (which carries the WPS add-in too, in kit/wps/). With --wps,
only the WPS add-in, dist/wps/ (build_wps.py).

The add-in is xlwings' classic ribbon add-in template (`quickstart_addin_ribbon.xlam` in the
xlwings wheel). VBA cannot be written reliably outside Excel, so `xl/vbaProject.bin` is copied
byte for byte and only XML parts are rewritten: the ribbon (`customUI/customUI.xml`, from
templates/customUI.xml.j2) and the config sheet. What the template's VBA does (read with
olevba; see docs/ADDIN.md):

- `RibbonMyAddin.RunMain(control)` runs `import <xlam base name>;<name>.main()`, so the add-in
  is named taizhang.xlam and taizhang.zip carries a top-level `taizhang.py`;
- its config sheet must be named PROJECT_NAME & ".conf" = "myaddin.conf" (the template ships it
  as "_myaddin.conf", i.e. switched off) and is read top-down from A1 as key/value pairs;
- RunPython calls `xlwings.utils.prepare_sys_path`, which puts `<add-in folder>/taizhang.zip`
  and every `;`-separated entry of the config sheet's PYTHONPATH (after `%VAR%` expansion by
  `GetConfig`) on sys.path. The add-in lives in XLSTART, where Excel opens every file at
  start-up, so the zip is not put beside it: PYTHONPATH points at
  `%LOCALAPPDATA%\\taizhang\\taizhang.zip` instead.

The same inputs give the same bytes: fixed timestamps and attributes in both zips, sorted
entries in the code zip, the template's own part order in the add-in.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import importlib.util
import re
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import build_wps

ROOT = Path(__file__).resolve().parent
DIST = ROOT / "dist"
NAME = "taizhang"  # the xlam's base name is the module RunMain imports
PACKAGES = ("addin", "schemas", "templates")
# Constants of the template's VBA (module xlwings.bas); tests/test_build.py checks them with olevba.
PROJECT_NAME = "myaddin"
CONFIG_SHEET = PROJECT_NAME + ".conf"
TEMPLATE_CONFIG_SHEET = "_" + CONFIG_SHEET
RIBBON_CALLBACK = "RibbonMyAddin.RunMain"
DEFAULT_INTERPRETER = r"%LOCALAPPDATA%\taizhang\.venv\Scripts\pythonw.exe"
# Not XLSTART: Excel tries to open every file there at start-up, a zip included.
DEFAULT_PYTHONPATH = r"%LOCALAPPDATA%\taizhang\taizhang.zip"
ZIP_DATE = (2021, 1, 1, 0, 0, 0)  # any fixed date ≥ 1980; the plan's year
KIT_PYTHON = ("3.11",)

TAIZHANG_PY = '''"""Entry point the add-in's VBA runs: `import taizhang; taizhang.main()`."""


def main():
    from addin.faces.excel import main as excel_main

    return excel_main()
'''


class BuildError(Exception):
    pass


# --- the add-in -------------------------------------------------------------------------


def template_path() -> Path:
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise BuildError("xlwings is not installed: run `make build` (it installs the project)")
    path = Path(spec.origin).parent / "quickstart_addin_ribbon.xlam"
    if not path.exists():
        raise BuildError(f"xlwings has no ribbon add-in template at {path}")
    return path


def xlwings_version() -> str:
    from importlib.metadata import version

    return version("xlwings")


def _checkout_on_path() -> None:
    if str(ROOT) not in sys.path:  # `templates` and `addin` from this checkout
        sys.path.insert(0, str(ROOT))


def render_ribbon() -> str:
    _checkout_on_path()
    from addin.write.render import render

    return render("customUI.xml.j2", callback=RIBBON_CALLBACK)


def _zipinfo(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 0  # ZipInfo's default depends on the OS building it
    info.external_attr = 0o644 << 16
    return info


def _shared_strings(xml: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", si)) for si in re.findall(r"<si>(.*?)</si>", xml)]


def config_sheet(sheet_xml: str, strings: list[str], values: dict[str, str]) -> str:
    """Put each value into column B of the row whose column-A key matches (the template's rows
    are A1:A9, contiguous, which is how the VBA reads them). Inline strings leave
    sharedStrings.xml as it is."""
    for key, value in values.items():
        index = strings.index(key)
        pattern = re.compile(
            r'<row r="(\d+)" spans="1:1"([^>]*)><c r="A\1" s="(\d+)" t="s"><v>'
            + str(index)
            + "</v></c></row>"
        )
        match = pattern.search(sheet_xml)
        if match is None:
            raise BuildError(f"config key {key} not found as a lone cell in the template's sheet")
        row, attrs, style = match.groups()
        cell = f'<c r="B{row}" s="{style}" t="inlineStr"><is><t>{html.escape(value, quote=False)}</t></is></c>'
        new = (
            f'<row r="{row}" spans="1:2"{attrs}><c r="A{row}" s="{style}" t="s"><v>{index}</v></c>'
            f"{cell}</row>"
        )
        sheet_xml = sheet_xml[: match.start()] + new + sheet_xml[match.end() :]
    return sheet_xml


def rename_config_sheet(workbook_xml: str) -> str:
    old = f'name="{TEMPLATE_CONFIG_SHEET}"'
    if workbook_xml.count(old) != 1:
        raise BuildError(f"the template's workbook.xml has no sheet {TEMPLATE_CONFIG_SHEET}")
    return workbook_xml.replace(old, f'name="{CONFIG_SHEET}"')


def build_xlam(
    output: Path, interpreter: str = DEFAULT_INTERPRETER, pythonpath: str = DEFAULT_PYTHONPATH
) -> Path:
    template = template_path()
    with zipfile.ZipFile(template) as src:
        parts = {info.filename: src.read(info) for info in src.infolist()}
        order = [info.filename for info in src.infolist()]
    strings = _shared_strings(parts["xl/sharedStrings.xml"].decode("utf-8"))
    rewritten = {
        "customUI/customUI.xml": render_ribbon().encode("utf-8"),
        "xl/workbook.xml": rename_config_sheet(parts["xl/workbook.xml"].decode("utf-8")).encode(
            "utf-8"
        ),
        "xl/worksheets/sheet1.xml": config_sheet(
            parts["xl/worksheets/sheet1.xml"].decode("utf-8"),
            strings,
            {"Interpreter_Win": interpreter, "PYTHONPATH": pythonpath},
        ).encode("utf-8"),
    }
    _write_zip(output, [(name, rewritten.get(name, parts[name])) for name in order])
    return output


# --- the code zip ------------------------------------------------------------------------


def code_files() -> list[tuple[str, bytes]]:
    """Every file of the three packages (sources, TOML data, Jinja2 templates), sorted, plus
    the top-level taizhang.py. Caches and hidden files stay out."""
    files = [(f"{NAME}.py", TAIZHANG_PY.encode("utf-8"))]
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            rel = path.relative_to(ROOT)
            if path.is_dir() or "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo"):
                continue
            if rel.parts[:2] == ("templates", "wps"):  # the WPS add-in's sources: build_wps.py
                continue
            if any(part.startswith(".") for part in rel.parts):
                continue
            files.append((rel.as_posix(), path.read_bytes()))
    return sorted(files)


def build_code_zip(output: Path) -> Path:
    _write_zip(output, code_files())
    return output


def _write_zip(output: Path, entries: list[tuple[str, bytes]]) -> None:
    _checkout_on_path()
    from addin.write.atomic import write_atomic

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w") as zf:
            for name, data in entries:
                zf.writestr(_zipinfo(name), data, compresslevel=9)

    write_atomic(output, write)


# --- the offline kit ---------------------------------------------------------------------


def runtime_requirements() -> list[str]:
    """pyproject's dependencies, with xlwings pinned to the version whose VBA the add-in
    carries (the VBA and the Python package come from the same release)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = []
    for req in project["dependencies"]:
        name = re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0]
        reqs.append(f"xlwings=={xlwings_version()}" if name.lower() == "xlwings" else req)
    return reqs


WINDOWS_MARKERS = {
    "os_name": "nt",
    "sys_platform": "win32",
    "platform_system": "Windows",
    "platform_machine": "AMD64",
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
    "extra": "",
}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def missing_windows_requirements(wheels: Path, python_version: str) -> list[str]:
    """pip evaluates environment markers for the machine it runs on, not for --platform, so
    Windows-only dependencies (pywin32 for xlwings, colorama for click) are skipped on Linux.
    Read every downloaded wheel's Requires-Dist, evaluate the markers for Windows, and return
    what is still missing."""
    from packaging.requirements import Requirement

    env = {
        **WINDOWS_MARKERS,
        "python_version": python_version,
        "python_full_version": python_version + ".0",
        "implementation_version": python_version + ".0",
    }
    have = {_canonical(w.name.split("-")[0]) for w in wheels.glob("*.whl")}
    missing: dict[str, str] = {}
    for wheel in sorted(wheels.glob("*.whl")):
        with zipfile.ZipFile(wheel) as zf:
            meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            text = zf.read(meta).decode("utf-8", "replace")
        for line in text.splitlines():
            if not line.startswith("Requires-Dist:"):
                continue
            req = Requirement(line.split(":", 1)[1].strip())
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            name = _canonical(req.name)
            if name not in have:
                missing[name] = f"{req.name}{req.specifier}"
    return sorted(missing.values())


def download_wheels(wheels: Path, python_versions: tuple[str, ...]) -> None:
    for version in python_versions:
        reqs = runtime_requirements()
        for _round in range(5):  # closes in 2 rounds in practice
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--platform",
                    "win_amd64",
                    "--python-version",
                    version,
                    "--only-binary=:all:",
                    "-d",
                    str(wheels),
                    *reqs,
                ],
                check=True,
            )
            reqs = missing_windows_requirements(wheels, version)
            if not reqs:
                break
        else:
            raise BuildError(f"Windows dependencies do not close: {reqs}")


def build_own_wheel(wheels: Path) -> Path:
    """taizhang's own wheel. pip builds it in an isolated environment, fetching the build
    backend (setuptools, and wheel for older setuptools) from the registry like the rest."""
    for old in wheels.glob(f"{NAME}-*.whl"):
        old.unlink()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
    )
    return next(wheels.glob(f"{NAME}-*.whl"))


def venv_of(interpreter: str) -> str:
    """The venv folder the install script creates: the interpreter's Scripts\\.. folder."""
    match = re.fullmatch(r"(.+)\\Scripts\\pythonw?\.exe", interpreter, flags=re.IGNORECASE)
    if match is None:
        raise BuildError(
            f"--kit needs an interpreter inside a venv (…\\Scripts\\pythonw.exe), got {interpreter}"
        )
    return match.group(1)


def code_folder(pythonpath: str) -> str:
    """The folder the install script copies taizhang.zip into: PYTHONPATH must be that one
    zip's Windows path, so that what the kit installs is what the add-in imports."""
    match = re.fullmatch(rf"([^;]+)\\{NAME}\.zip", pythonpath, flags=re.IGNORECASE)
    if match is None:
        raise BuildError(
            f"--kit needs PYTHONPATH to be one path ending in \\{NAME}.zip, got {pythonpath}"
        )
    return match.group(1)


def write_kit(
    kit: Path,
    interpreter: str,
    python_versions: tuple[str, ...],
    *,
    download: bool = True,
    pythonpath: str = DEFAULT_PYTHONPATH,
) -> Path:
    _checkout_on_path()
    from addin.write.atomic import write_bytes_atomic, write_text_atomic
    from addin.write.render import render

    code_dir = code_folder(pythonpath)  # fail before anything is written
    kit.mkdir(parents=True, exist_ok=True)
    wheels = kit / "wheels"
    wheels.mkdir(exist_ok=True)
    if download:
        download_wheels(wheels, python_versions)
        build_own_wheel(wheels)
    elif not any(wheels.glob("*.whl")):
        # install.bat refuses to run in this case too; the developer hears it now
        print(
            f"warning: {wheels} holds no wheels (--no-download): this kit cannot install "
            "until the wheels are added (run build.py --kit without --no-download)",
            file=sys.stderr,
        )
    for name in (f"{NAME}.xlam", f"{NAME}.zip"):
        write_bytes_atomic(kit / name, (DIST / name).read_bytes())
    context = {
        "venv": venv_of(interpreter),
        "interpreter": interpreter,
        "pythonpath": pythonpath,
        "code_dir": code_dir,
        "python_versions": python_versions,
        "config_sheet": CONFIG_SHEET,
        "xlwings_version": xlwings_version(),
        "base": NAME,
    }
    bat = render("install.bat.j2", **context)
    # cmd.exe reads a batch file in the console's code page: GBK (936) on Chinese Windows.
    write_bytes_atomic(
        kit / "install.bat", bat.replace("\r\n", "\n").replace("\n", "\r\n").encode("gbk")
    )
    write_text_atomic(kit / "INSTALL.md", render("INSTALL.md.j2", **context))
    build_wps.write_wps(kit)
    return kit


# --- command line ------------------------------------------------------------------------


def build(
    interpreter: str = DEFAULT_INTERPRETER, dist: Path = DIST, pythonpath: str = DEFAULT_PYTHONPATH
) -> tuple[Path, Path]:
    return (
        build_xlam(dist / f"{NAME}.xlam", interpreter, pythonpath),
        build_code_zip(dist / f"{NAME}.zip"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build the taizhang Excel add-in into dist/ (with --wps, the WPS add-in)."
    )
    parser.add_argument(
        "--kit",
        action="store_true",
        help="also write the offline kit dist/kit/ (with the WPS add-in in dist/kit/wps/)",
    )
    parser.add_argument(
        "--wps",
        action="store_true",
        help="write only the WPS add-in, dist/wps/ (no xlwings needed)",
    )
    parser.add_argument(
        "--no-download",
        action="store_true",
        help="with --kit: write the scripts only, download no wheels",
    )
    parser.add_argument(
        "--interpreter",
        default=DEFAULT_INTERPRETER,
        # argparse %-formats help strings: %LOCALAPPDATA% must be written %%LOCALAPPDATA%%
        help="Interpreter_Win in the add-in's config sheet (default "
        + DEFAULT_INTERPRETER.replace("%", "%%")
        + ")",
    )
    parser.add_argument(
        "--pythonpath",
        default=DEFAULT_PYTHONPATH,
        help="PYTHONPATH in the add-in's config sheet: where the add-in finds taizhang.zip, and "
        "where the kit's install.bat copies it (default "
        + DEFAULT_PYTHONPATH.replace("%", "%%")
        + ")",
    )
    parser.add_argument(
        "--python-version",
        action="append",
        dest="python_versions",
        help="Windows Python version the kit's wheels are for (repeatable; default 3.11)",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        if args.wps and not args.kit:
            paths = [build_wps.write_wps(DIST)]
        else:
            paths = list(build(args.interpreter, pythonpath=args.pythonpath))
        if args.kit:
            paths.append(
                write_kit(
                    DIST / "kit",
                    args.interpreter,
                    tuple(args.python_versions or KIT_PYTHON),
                    download=not args.no_download,
                    pythonpath=args.pythonpath,
                )
            )
    except (BuildError, build_wps.WpsBuildError, subprocess.CalledProcessError) as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes  sha256 {digest}…")
        else:
            files = [p for p in path.rglob("*") if p.is_file()]
            size = sum(p.stat().st_size for p in files)
            wheels = len(list(path.glob("wheels/*.whl")))
            counted = f"{len(files)} files" + (f", {wheels} wheels" if path.name == "kit" else "")
            print(f"{path.relative_to(ROOT)}/  {counted}, {size:,} bytes")
    print(f"built in {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
