"""The compiled-criteria cache is keyed by the compiler's source, not the evaluators' (issue 12).

The cached rows hold the rule trees the compiler wrote; an evaluator (how a rule is decided for a patient) changes no
stored tree, so changing one must not recompile the catalog (2-7 minutes at 10,000 trials), and changing the compiler
must.  That holds only while the compiler never imports an evaluator: checked here from the source, every import
including those inside functions (as tests/test_layers.py reads them).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from hcctrials.matching.compiled_cache import EVALUATOR_PARTS, compiler_sources, compiler_version

CRITERIA = Path(__file__).resolve().parents[2] / "src" / "hcctrials" / "criteria"
EVALUATOR_MODULES = ("hcctrials.criteria.evaluation", "hcctrials.criteria.columnar")
#: criteria modules that import evaluators and are hashed (see test_the_compiler_imports_no_evaluator)
BOTH_SIDES = frozenset({"__init__.py", "catalog.py"})


def _evaluator_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        else:
            continue
        found += [n for n in names if n.startswith(EVALUATOR_MODULES)]
    return found


def _reexported_evaluators() -> set[str]:
    """The names the criteria package's ``__init__`` takes from the evaluators (its public API re-exports them)."""
    tree = ast.parse((CRITERIA / "__init__.py").read_text(encoding="utf-8"))
    return {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith(EVALUATOR_MODULES) for a in node.names}


def test_the_compiler_imports_no_evaluator() -> None:
    """Every criteria module outside the evaluators (text, grammar, families, compiler, catalog) and the lexicon: no
    import of an evaluator module, nor of an evaluator's name through the package (``from hcctrials.criteria import
    evaluate_node``).  Two modules join both sides and are hashed all the same: the package's ``__init__`` (its
    public API re-exports the evaluators) and ``catalog.py`` (it lays out the catalog the cache stores, from the
    rule trees alone, and evaluates it)."""
    reexported = _reexported_evaluators()
    assert "evaluate_node" in reexported
    wrong = {}
    for name, path in compiler_sources():
        if path.suffix != ".py" or name in BOTH_SIDES:
            continue
        found = _evaluator_imports(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "hcctrials.criteria":
                found += [a.name for a in node.names if a.name in reexported]
        if found:
            wrong[name] = found
    assert not wrong, wrong


def test_the_version_hashes_the_compiler_and_not_the_evaluators() -> None:
    names = {name for name, _path in compiler_sources()}
    assert {"compiler/compile.py", "grammar.py"} | BOTH_SIDES <= names
    assert any(name.startswith("families/") for name in names)
    assert not any(name.startswith(EVALUATOR_PARTS) for name in names)
    evaluators = [p.relative_to(CRITERIA).as_posix() for p in (CRITERIA / "evaluation").rglob("*.py")]
    assert "evaluation/leaves.py" in evaluators and not names & set(evaluators)
    assert len(compiler_version()) == 32 and compiler_version() == compiler_version()


def test_an_evaluator_changed_keeps_the_version_a_compiler_file_changed_does_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The bytes of the files as read by the version: one evaluator's source altered leaves it equal; one compiler
    module's source altered changes it."""
    version = compiler_version.__wrapped__  # the hash itself, not the value kept for the process
    before = version()
    real = Path.read_bytes

    def altered(target: str) -> Any:
        def read_bytes(self: Path) -> bytes:
            data = real(self)
            return data + b"\n# changed\n" if self.as_posix().endswith(target) else data
        return read_bytes

    monkeypatch.setattr(Path, "read_bytes", altered("criteria/evaluation/leaves.py"))
    assert version() == before
    monkeypatch.setattr(Path, "read_bytes", altered("criteria/grammar.py"))
    assert version() != before
