"""Lower layers know no higher ones (docs/architecture: a pure clinical core, adapters around it).

Read from the source (every ``import`` / ``from ... import`` of each module, including those inside
functions), so a lazy import cannot slip a dependency past the rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hcctrials"

#: The pure clinical core: no database, network, files of the user, printing, or adapters.
CORE = ("model", "units", "vocab", "scores", "criteria", "response", "endpoints")
ADAPTERS = ("storage", "sources", "cli", "web", "reports", "ingest", "matching", "datasets", "patients")

FORBIDDEN: dict[str, frozenset[str]] = {
    **{core: frozenset(ADAPTERS) for core in CORE},
    # storage keeps trials, compiled rules and the search index; it is handed what it needs (the
    # search-document builder) and knows no matching, criteria or interface types
    "storage": frozenset({"matching", "criteria", "cli", "web", "reports", "ingest", "endpoints", "response",
                          "scores", "sources", "patients"}),
    "model": frozenset({"criteria", "scores", "response", "endpoints", *ADAPTERS}),
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            parts = name.split(".")
            if parts[0] == "hcctrials" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_no_higher_layer(layer: str) -> None:
    root = PACKAGE / layer
    files = sorted(root.rglob("*.py")) if root.is_dir() else [PACKAGE / f"{layer}.py"]
    assert files, layer
    wrong = {f"{f.relative_to(PACKAGE)} imports hcctrials.{dep}"
             for f in files for dep in _imports(f) & FORBIDDEN[layer]}
    assert not wrong, sorted(wrong)
