""""Advanced HCC" as a stage (``criteria/families/advanced.py``, ``scan_advanced_hcc``).

From ``tests/criteria/test_criteria_diagnosis_progression.py`` (1 of its 13 tests; the others are in
``families/test_family_cns.py``, ``families/test_family_diagnosis.py``,
``families/test_family_metastasis.py``, ``families/test_family_progression.py``,
``families/test_family_staging.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from helpers_criteria import review_check_for


needs_review = review_check_for("inclusion")


def test_advanced_hcc_is_read_as_bclc_c_or_b_beyond_locoregional_therapy() -> None:
    # 晚期 (advanced): BCLC C (CNLC III), or BCLC B not amenable to / progressed after locoregional therapy
    # (criteria/families/advanced.py; the verdicts are in test_family_advanced_stage.py)
    assert not needs_review("晚期肝细胞肝癌,经组织学/细胞学确诊或符合肝细胞肝癌临床诊断标准。")
