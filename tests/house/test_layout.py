"""The house keeps its shape: stages as subpackages, imports running one way
(schemas ← model ← read / validate ← consolidate ← write ← pipeline ← faces), no import cycle
— imports inside functions included — and modules small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RANKS = {
    "schemas": 0,
    "addin.model": 1,
    "addin.read": 2,
    "addin.validate": 2,
    "addin.consolidate": 3,
    "addin.write": 4,
    "addin.pipeline": 5,
    "addin.faces": 6,
    "addin": 7,  # __init__ and __main__
}
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for top in ("addin", "schemas"):
        for path in sorted((ROOT / top).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imports_of(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """Every project module `path` imports, at any depth of the file (functions included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, name, known) for name, path in known.items()}


def stage(name: str) -> str:
    return max((s for s in RANKS if name == s or name.startswith(s + ".")), key=len)


def test_every_module_belongs_to_a_stage():
    loose = [n for n in modules() if n.startswith("addin.") and stage(n) == "addin"]
    assert loose in ([], ["addin.__main__"]), f"modules outside the stage packages: {loose}"


def test_imports_run_one_way():
    wrong = []
    for name, targets in graph().items():
        for target in targets:
            a, b = stage(name), stage(target)
            upward = RANKS[b] > RANKS[a]
            sideways = RANKS[b] == RANKS[a] and a != b  # read and validate stay apart
            if upward or sideways:
                wrong.append(f"{name} → {target}")
    assert not wrong, "imports against the direction of the data:\n" + "\n".join(sorted(wrong))


def test_no_import_cycle():
    edges = graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_cycle_check_sees_imports_inside_functions(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from addin.write import atomic\n", encoding="utf-8")
    known = {"addin.write.atomic": src, "addin.model.m": src}
    assert imports_of(src, "addin.model.m", known) == {"addin.write.atomic"}


def test_modules_stay_small():
    big = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not big, f"modules over {MAX_LINES} lines: {big}"


def test_only_one_module_imports_xlwings():
    users = [
        name
        for name, path in modules().items()
        if any(
            isinstance(node, ast.Import | ast.ImportFrom)
            and any(
                (getattr(node, "module", None) or a.name).split(".")[0] == "xlwings"
                for a in node.names
            )
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    ]
    assert users == ["addin.faces.excel"]
