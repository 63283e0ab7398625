"""Check that stored R reference fixtures are what their committed R script produces now."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def assert_r_fixtures_current(fixtures: Path, out: Path, needs: str = "R") -> None:
    """Run ``fixtures/make_reference.R`` into *out* and compare every CSV with the stored one."""
    rscript = shutil.which("Rscript")
    assert rscript is not None, f"Rscript with {needs} is required (installed in CI)"
    subprocess.run([rscript, str(fixtures / "make_reference.R"), str(out)], check=True, capture_output=True,
                   timeout=300)
    produced = sorted(p.name for p in out.glob("*.csv"))
    assert produced == sorted(p.name for p in fixtures.glob("*.csv"))
    for name in produced:
        assert (out / name).read_text() == (fixtures / name).read_text(), name
