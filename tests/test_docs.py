"""README and --help never drift: every verb and option the CLI offers is documented, every
verb of SPEC §4 exists, and the README's two set-up commands are the Makefile's own."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from addin.faces.cli import cli
from tests.conftest import ROOT, SPEC

README = ROOT / "README.md"
MAKEFILE = ROOT / "Makefile"


def readme() -> str:
    if not README.exists():
        pytest.fail("README.md is missing")
    return README.read_text(encoding="utf-8")


def help_text(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="taizhang")
    assert result.exit_code == 0, result.output
    return result.output


def verbs() -> dict[str, click.Command]:
    return dict(cli.commands)


def options_of(command: click.Command) -> list[str]:
    """Every spelling of every option (--unit, -o, --output …), --help aside."""
    names = []
    for param in command.params:
        if isinstance(param, click.Option):
            names += [n for n in param.opts + param.secondary_opts if n not in ("-h", "--help")]
    return names


def spec_verbs() -> list[str]:
    text = SPEC.read_text(encoding="utf-8")
    section = text[text.index("## 4. Command line") : text.index("## 5.")]
    return re.findall(r"^\| `taizhang (\w+)", section, flags=re.M)


def make_recipe(target: str) -> list[str]:
    """The recipe lines of one Makefile target, with $(BIN) and friends expanded."""
    text = MAKEFILE.read_text(encoding="utf-8")
    variables = dict(re.findall(r"^(\w+) :?= (.+)$", text, flags=re.M))

    def expand(line: str) -> str:
        for _ in range(5):  # variables refer to variables ($(BIN) → $(VENV)/bin)
            line = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m[1], m[0]), line)
        return line

    match = re.search(rf"^{target}:[^\n]*\n((?:\t[^\n]*\n?)+)", text, flags=re.M)
    assert match, f"Makefile has no target {target}"
    return [expand(line.strip()) for line in match[1].splitlines() if line.strip()]


def setup_commands(text: str) -> list[str]:
    """The commands of the README's first shell block: the set-up a newcomer types."""
    block = re.search(r"```(?:sh|bash|console)\n(.*?)```", text, flags=re.S)
    assert block, "README has no shell block with the set-up commands"
    return [line.strip() for line in block[1].splitlines() if line.strip()]


def test_every_verb_in_help_and_readme():
    text = readme()
    top = help_text()
    assert verbs(), "the CLI has no verbs"
    for option in options_of(cli):  # the group's own: --version
        assert option in top, f"{option} missing from --help"
        assert option in text, f"README does not mention `taizhang {option}`"
    for name in verbs():
        assert re.search(rf"^\s+{name}\b", top, flags=re.M), f"{name} missing from --help"
        assert f"taizhang {name}" in text, f"README does not document `taizhang {name}`"


@pytest.mark.parametrize("verb", sorted(cli.commands))
def test_every_option_in_help_and_readme(verb):
    text = readme()
    shown = help_text(verb)
    options = options_of(cli.commands[verb])
    for option in options:
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", shown), (
            f"{verb} {option} missing from --help"
        )
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text), (
            f"README does not mention `{verb} {option}`"
        )


def test_spec_verbs_in_cli_and_readme():
    text = readme()
    wanted = spec_verbs()
    assert {"template", "validate", "consolidate", "console", "demo"} <= set(wanted)
    for verb in wanted:
        assert verb in verbs(), f"SPEC §4 verb {verb} is not in the CLI"
        assert f"taizhang {verb}" in text, f"SPEC §4 verb {verb} is not in the README"


def test_readme_setup_commands_are_the_makefiles():
    text = readme()
    assert setup_commands(text) == ["make demo", "make test"]
    # the targets run what the README says they do: the demo verb and the test suite
    demo = make_recipe("demo")
    test = make_recipe("test")
    assert any(re.search(r"\btaizhang demo\b", line) for line in demo), demo
    assert any(re.search(r"-m pytest\b", line) for line in test), test
    # the README shows the real output, which starts with make echoing each recipe line
    for line in demo + test:
        assert line in text, f"README's output does not show the Makefile running `{line}`"


def test_readme_links_exist():
    text = readme()
    for link in re.findall(r"\]\(((?:docs|bench)/[^)#\s]+)", text):
        assert (ROOT / link).exists(), f"README links to missing {link}"
    assert "docs/FINDINGS.md" in text
    assert "docs/GUIDE.md" in text


def test_guide_pictures_exist_and_are_small():
    guide = ROOT / "docs" / "GUIDE.md"
    if not guide.exists():
        pytest.fail("docs/GUIDE.md is missing")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", guide.read_text(encoding="utf-8"))
    assert len(pictures) >= 2, "the guide shows the template and the summary"
    for picture in pictures:
        path = guide.parent / picture
        assert path.exists(), f"GUIDE.md shows missing {picture}"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{picture} is not a PNG"
        assert path.stat().st_size < 200_000, f"{picture} is over 200 KB"


def test_readme_layout_lists_every_module():
    """Every module and subpackage of addin/ and schemas/ is in the README's layout block."""
    block = re.search(r"## 目录 / Layout.*?```text\n(.*?)```", readme(), flags=re.S)
    assert block, "README has no layout block"
    listed = set(re.findall(r"[\w*]+(?:\.py|/)", block[1]))
    for package in ("addin", "schemas"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name.startswith("__") or "__pycache__" in path.parts:
                continue
            assert path.name in listed, f"README's layout does not list {path.relative_to(ROOT)}"
        for folder in sorted(p for p in (ROOT / package).rglob("*") if p.is_dir()):
            if folder.name != "__pycache__":
                assert f"{folder.name}/" in listed, (
                    f"README's layout does not list {folder.relative_to(ROOT)}/"
                )


def test_readme_demo_output_is_what_the_demo_prints(tmp_path, monkeypatch, capsys):
    """The README pastes `make demo`'s output; it must stay the program's real output."""
    from addin.faces.demo import run_demo

    block = re.search(r"```text\n\$ make demo\n(.*?)```", readme(), re.S)
    assert block, "README has no `make demo` output block"
    pasted = [line for line in block.group(1).splitlines() if not line.startswith(".venv/")]
    monkeypatch.chdir(tmp_path)
    assert run_demo(Path("demo-out")) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == pasted
