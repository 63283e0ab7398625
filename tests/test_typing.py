"""The typed public API: ``mypy --strict`` passes on the whole of ``src/hcctrials``.

The architecture requires ``mypy --strict`` on ``src/``; parts were added to :data:`TYPED_PATHS`
as they were made clean, and since session 9 the list is the whole package.  Needs mypy, types-PyYAML and
pandas-stubs (the development dependencies).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Packages and modules (relative to the repository root) that must pass ``mypy --strict``.
TYPED_PATHS = [
    "src/hcctrials",  # the whole package (session 9: every module passes)
]


@pytest.mark.slow
def test_typed_paths_pass_mypy_strict() -> None:
    missing = [p for p in TYPED_PATHS if not (ROOT / p).exists()]
    assert not missing, f"TYPED_PATHS names paths that do not exist: {missing}"
    # Modules outside the list that these import are still analysed for their types, but
    # their own errors are not reported here (--follow-imports=silent): this test covers
    # exactly TYPED_PATHS.
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports",
         "--follow-imports=silent", *TYPED_PATHS],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mypy --strict reported errors:\n{output}"
    assert "Success: no issues found" in proc.stdout, output
