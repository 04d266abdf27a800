"""The error catalogue: every raise in the program names a code of schemas/data/errors.toml and
gives exactly the fields its wording needs, so no message is worded twice or half-filled."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from addin.model.errors import OutputError, TaizhangError, UsageError, catalogue, fields_of

ROOT = Path(__file__).resolve().parents[2]
RAISERS = {"TaizhangError", "UsageError", "OutputError"}


def raises() -> list[tuple[str, int, str, set[str]]]:
    found = []
    for path in sorted((ROOT / "addin").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in RAISERS
            ):
                assert node.args and isinstance(node.args[0], ast.Constant), (
                    f"{path}:{node.lineno} raises without a literal code"
                )
                keys = {kw.arg for kw in node.keywords}
                found.append((f"{path.name}:{node.lineno}", node.lineno, node.args[0].value, keys))
    return found


def test_every_raise_names_a_catalogued_code_with_its_fields():
    codes = catalogue()
    seen = raises()
    assert len(seen) >= 15
    for where, _line, code, keys in seen:
        assert code in codes, f"{where}: {code} is not in errors.toml"
        assert keys == fields_of(codes[code]), f"{where}: {code} takes {fields_of(codes[code])}"


def test_codes_are_families_of_the_boundary():
    for code in catalogue():
        assert code == "internal" or code.split(".")[0] in ("usage", "output", "io", "run"), code


def test_message_is_filled_and_line_is_one_chinese_line():
    exc = UsageError("usage.unit-unknown", name="济南市", units="任城区、兖州区")
    assert (
        exc.line()
        == "错误 [usage.unit-unknown]：报送单位“济南市”不在单位名单中：可选 任城区、兖州区"
    )
    assert "\n" not in exc.line() and exc.exit_code == 2
    assert isinstance(OutputError("output.locked", path="x.xlsx"), TaizhangError)


def test_missing_field_or_unknown_code_is_the_programs_fault():
    with pytest.raises(KeyError):
        UsageError("usage.unit-unknown", name="x")
    with pytest.raises(KeyError):
        UsageError("usage.no-such-code")
