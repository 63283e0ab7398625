"""The criteria package reads bottom-up: text -> grammar -> rule families -> compiler -> evaluation
-> catalog tools, and no module imports a higher part or forms an import circle.

Read from the source, lazy imports inside functions included (a lazy import hides a circle; it
does not remove it).  Layers, lowest first:

1. ``text``: normalising and splitting criteria text;
2. ``grammar``: comparators, numbers, windows, hits shared by the scanners;
3. ``families``: one scanner per rule family (labs, staging, therapy, history, ...) with its vocabulary;
4. ``compiler``: a criterion's text to one rule tree, the precision audits, printable descriptions;
5. ``evaluation``: patient facts and the three-valued rules of every leaf, the trial verdict;
6. the package's top-level tools: catalog (trial level), columnar (cohorts), coverage, protocol
   overrides, the labelled-corpus scorer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CRITERIA = Path(__file__).resolve().parents[3] / "src" / "hcctrials" / "criteria"
RANK = {"text": 1, "grammar": 2, "families": 3, "compiler": 4, "evaluation": 5}
TOP = 6


def _module(path: Path) -> str:
    rel = path.relative_to(CRITERIA).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(["hcctrials", "criteria", *parts])


def _rank(module: str) -> int:
    parts = module.split(".")
    if len(parts) < 3:
        return TOP  # the package itself (its __init__)
    return RANK.get(parts[2], TOP)


def _criteria_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("hcctrials.criteria.") and _resolve(name):
                found.add(_resolve(name))
    return found


def _resolve(name: str) -> str | None:
    """The criteria module *name* refers to (a module path, or a name imported from a module)."""
    parts = name.split(".")
    while len(parts) > 2:
        base = CRITERIA.joinpath(*parts[2:])
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            return ".".join(parts)
        parts = parts[:-1]
    return None


MODULES = {_module(p): p for p in sorted(CRITERIA.rglob("*.py"))}
GRAPH = {m: {d for d in _criteria_imports(p) if d != m and not (p.name == "__init__.py" and d.startswith(m + "."))}
         for m, p in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_higher_layer(module: str) -> None:
    higher = sorted(d for d in GRAPH[module] if _rank(d) > _rank(module))
    assert not higher, f"{module} (layer {_rank(module)}) imports higher layers: {higher}"


def test_every_module_sits_in_a_layer_subpackage_or_is_a_top_level_tool() -> None:
    top_level = {"hcctrials.criteria", "hcctrials.criteria.grammar", "hcctrials.criteria.catalog",
                 "hcctrials.criteria.columnar", "hcctrials.criteria.coverage", "hcctrials.criteria.protocol",
                 "hcctrials.criteria.labelled"}
    loose = sorted(m for m, p in MODULES.items() if m.count(".") == 2 and m not in top_level and p.name != "__init__.py")
    assert not loose, f"modules outside text/, families/, compiler/, evaluation/: {loose}"


def test_no_import_circles() -> None:
    """Tarjan's strongly connected components over the import graph (lazy imports included)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    circles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH.get(v, ()):
            if w not in MODULES:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for m in sorted(MODULES):
        if m not in index:
            visit(m)
    assert not circles, circles
