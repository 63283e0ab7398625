"""A Chinese reader of a match sees the rule a needs-review criterion was read as in words, from the rule the
compiler kept with the reason (``NeedsReview.read_as``), without the criterion being compiled again while the
answer is built (issue 12: the first Chinese match after a start compiled every reviewed criterion shown again,
5-25 ms each)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hcctrials.criteria.compiler import describe_i18n
from hcctrials.matching import localise
from hcctrials.matching.localise import match_document
from hcctrials.matching.matcher import match_patient
from hcctrials.patients import load_patient

PATIENT = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients/shenzhen_2l_after_atezo_bev.yaml"


def _nct02716012(shared_dir: Path) -> Any:
    from hcctrials.sources.base import ParsedRecord
    from hcctrials.sources.detect import parse_path

    path = shared_dir / "data" / "criteria" / "ctgov_hint_csv" / "hint_hcc_subset.csv"
    (trial,) = [r.trial for r in parse_path(path) if isinstance(r, ParsedRecord) and r.trial.trial_id == "NCT02716012"]
    return trial


def test_a_reviewed_criterion_shows_the_rule_it_was_read_as_in_chinese_without_compiling_again(
        shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """NCT02716012 exclusion 15 ("... allergic reactions to the agent or excipient ..."): read with the trial's drug
    (sorafenib) and sent to review for the trial's other agents.  The Shenzhen patient (second line after
    atezolizumab + bevacizumab) is shown the trial with every criterion; the reason of exclusion 15 says the rule in
    Chinese ("对索拉非尼/试验药物过敏"), where rebuilt from the text alone it could not be (without the trial's drugs
    the allergy rule differs) and stayed in the compiler's notation."""
    def compiled_again(*_args: Any) -> Any:
        raise AssertionError("the criterion was compiled again to say its review reason")

    localise._REVIEWED.clear()
    localise._read_as.cache_clear()
    monkeypatch.setattr(describe_i18n, "_readings", compiled_again)
    result = match_patient(load_patient(PATIENT), [_nct02716012(shared_dir)], as_of=date(2026, 1, 15),
                           include_closed=True, include_ineligible=True, include_irrelevant=True)
    (trial,) = match_document(result, [], "zh")["trials"]
    (row,) = [c for c in trial["criteria"] if c["role"] == "exclusion" and c["number"] == "15"]
    assert row["status"] == "needs_review"
    assert row["reason"].startswith("需人工审核：") and "对索拉非尼/试验药物过敏" in row["reason"], row["reason"]
    assert "allergy to" not in row["reason"]
    # the English answer and the message record are unchanged: the compiler's notation, as stored
    (english,) = [c for c in match_document(result, [], "en")["trials"][0]["criteria"]
                  if c["role"] == "exclusion" and c["number"] == "15"]
    assert "(read as: allergy to sorafenib/the trial drugs)" in english["reason"]
    assert english["reason_message"]["id"] == "needs review: {reason}"
    assert row["reason_message"] == english["reason_message"]
