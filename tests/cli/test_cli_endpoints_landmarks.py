"""`hcctrials endpoints example` prints a landmark rate only where R's
``summary(survfit(...), times = T)`` reports one (issue 14, small gaps: "landmark rates are printed past
the last follow-up ... say 'not estimable'").

Reference: ``tests/endpoints/fixtures/landmark/example_landmarks.csv``, R survival on the ADTTE the
library exports for the bundled single-arm example (``make_example_inputs.py`` then
``make_example_reference.R`` beside it).  The 12-month duration of response is past the last
follow-up in both criteria sets: R leaves it out, hcctrials says "not estimable"; every other
6- and 12-month rate equals R's (log-log band) to 1e-8 in the JSON and as rounded in the text.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.endpoints.survival import DAYS_PER_MONTH
from hcctrials.i18n import say

HERE = Path(__file__).parents[1] / "endpoints" / "fixtures" / "landmark"
REF = pd.read_csv(HERE / "example_landmarks.csv", keep_default_na=False, na_values=["NA"])
#: (criteria key of the JSON, endpoint code) -> PARAMCD of the ADTTE R analysed.
PARAMCDS = {("recist11", c): c for c in ("PFS", "TTP", "DOR", "OS")}
PARAMCDS.update({("mrecist", c): (c if c == "OS" else c + "M") for c in ("PFS", "TTP", "DOR", "OS")})
runner = CliRunner()


@lru_cache(maxsize=None)
def _invoke(*args: str) -> str:
    r = runner.invoke(app, ["endpoints", "example", *args])
    assert r.exit_code == 0, r.output
    return r.stdout


def _json() -> dict[str, Any]:
    return json.loads(_invoke("--json"))  # type: ignore[no-any-return]


def test_r_analysed_the_library_records() -> None:
    import sys

    sys.path.insert(0, str(HERE))
    try:
        from make_example_inputs import example_adtte  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(HERE))
    now = example_adtte().reset_index(drop=True)
    ref = pd.read_csv(HERE / "example_adtte.csv", keep_default_na=False)
    assert list(now["USUBJID"]) == list(ref["USUBJID"])
    assert list(now["PARAMCD"]) == list(ref["PARAMCD"])
    assert np.allclose(now["AVAL"].astype(float), ref["AVAL"].astype(float))
    assert list(now["CNSR"].astype(int)) == list(ref["CNSR"])


def test_r_reference_is_what_its_script_produces(tmp_path: Path) -> None:
    rscript = shutil.which("Rscript")
    assert rscript is not None, "Rscript with survival is required (installed in CI)"
    subprocess.run([rscript, "make_example_reference.R", str(tmp_path)], cwd=HERE, check=True,
                   capture_output=True, timeout=300)
    assert (tmp_path / "example_landmarks.csv").read_text() == \
        (HERE / "example_landmarks.csv").read_text()


def test_the_reference_has_a_landmark_past_the_last_follow_up() -> None:
    gone = REF[REF["reported"] == 0]
    assert set(gone["paramcd"]) == {"DOR", "DORM"} and set(gone["time"]) == {365.25}


@pytest.mark.parametrize("key", sorted(PARAMCDS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_json_landmarks_equal_r_and_are_not_estimable_where_r_omits_them(
        key: tuple[str, str]) -> None:
    crit, code = key
    got = {round(lm["days"], 6): lm for lm in _json()["criteria"][crit]["endpoints"][code]["landmarks"]}
    ref = REF[REF["paramcd"] == PARAMCDS[key]]
    assert len(ref) == 2 and set(got) == {round(t, 6) for t in ref["time"]}
    for r in ref.itertuples():
        lm = got[round(r.time, 6)]
        if r.reported == 0:
            assert lm["estimable"] is False
            assert lm["survival"] is None and lm["lower"] is None and lm["upper"] is None
        else:
            assert lm["estimable"] is True and lm["n_risk"] == r.n_risk
            np.testing.assert_allclose([lm["survival"], lm["lower"], lm["upper"]],
                                       [r.surv, r.lower, r.upper], rtol=1e-8)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_text_says_not_estimable_exactly_where_r_omits_the_rate(lang: str) -> None:
    text = _invoke("--lang", lang)
    expected = []
    for r in REF.itertuples():
        months = f"{r.time / DAYS_PER_MONTH:g}"
        if r.reported == 0:
            expected.append(say("rate at {months} months: not estimable (beyond the last "
                                "follow-up; 0 at risk)", lang, months=months))
        else:
            expected.append(say("rate at {months} months: {rate}% (95% CI {lower}% to {upper}%; "
                                "{n} at risk)", lang, months=months, rate=f"{100 * r.surv:.1f}",
                                lower=f"{100 * r.lower:.1f}", upper=f"{100 * r.upper:.1f}",
                                n=int(r.n_risk)))
    lines = [s.strip() for s in text.splitlines()]
    for line in expected:
        assert line in lines, f"expected R's\n{line}\nin\n{text}"
    not_estimable = say("rate at {months} months: not estimable (beyond the last follow-up; 0 at "
                        "risk)", lang, months="12")
    assert sum(s == not_estimable for s in lines) == int((REF["reported"] == 0).sum()) == 2
