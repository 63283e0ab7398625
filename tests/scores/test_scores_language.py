"""The scores write their reasons as messages (issue 13): the English text is the same as before
(a :class:`~hcctrials.i18n.Msg` is a ``str``), and the command line renders it in Chinese with the
guideline words: 大血管侵犯 / 肝外转移 (BCLC 2022 [Reig 2022]; Milan [Mazzaferro 1996]), 无法判断,
透析情况未知 (MELD [OPTN]), CNLC 2024 stage reasons.
"""

from __future__ import annotations

import pytest

from hcctrials.errors import ValidationError
from hcctrials.i18n import Msg, render
from hcctrials.scores import (
    compute_bclc, compute_child_pugh, compute_cnlc, compute_meld, compute_milan, compute_six_and_twelve,
    compute_up_to_seven,
)


def test_milan_beyond_for_vascular_invasion_and_four_nodules() -> None:
    m = compute_milan(nodule_count=4, largest_diameter_cm=2.0, macrovascular_invasion=True, extrahepatic_spread=False)
    assert isinstance(m.reason, Msg)
    assert m.reason == "macrovascular invasion; 4 nodules (> 3)"
    assert render(m.reason, "zh") == "大血管侵犯；4 个结节（> 3 个）"


def test_milan_cannot_decide_names_the_missing_inputs() -> None:
    m = compute_milan(nodule_count=None, largest_diameter_cm=2.0, macrovascular_invasion=None,
                      extrahepatic_spread=False)
    assert m.reason == "cannot decide: nodule_count, macrovascular_invasion"
    assert render(m.reason, "zh") == "无法判断：缺少肿瘤结节数、大血管侵犯"  # the command line names inputs its own way


def test_up_to_seven_and_six_and_twelve_sums() -> None:
    u = compute_up_to_seven(nodule_count=3, largest_diameter_cm=4.5)
    assert u.reason == "4.5 cm + 3 = 7.5 > 7"
    s = compute_six_and_twelve(nodule_count=3, largest_diameter_cm=4.5)
    assert s.reason == "4.5 cm + 3 = 7.5 (stratum >6-≤12)"
    assert render(s.reason, "zh") == "4.5 cm + 3 = 7.5（分层 >6-≤12）"


def test_bclc_c_reason_and_assumptions() -> None:
    b = compute_bclc(nodule_count=1, largest_diameter_cm=4, macrovascular_invasion=True, extrahepatic_spread=False,
                     ecog=1, child_pugh_points=6)
    assert b.stage == "C"
    assert b.reason == "advanced: macrovascular_invasion, ECOG 1"
    assert render(b.reason, "zh") == "进展期：大血管侵犯、ECOG 1"
    assert [str(a) for a in b.assumptions] == [
        "ECOG PS taken as cancer-related", "liver function from Child-Pugh by rule cp_a_or_b7_no_ascites_for_c"]
    assert all("Child-Pugh" in render(a, "zh") or "ECOG" in render(a, "zh") for a in b.assumptions)
    assert "由 Child-Pugh 评分判定" in render(b.assumptions[1], "zh")


def test_bclc_b7_without_ascites_needs_judgement() -> None:
    b = compute_bclc(nodule_count=1, largest_diameter_cm=1.5, macrovascular_invasion=False, extrahepatic_spread=False,
                     ecog=0, child_pugh_points=7, ascites_none=True)
    assert b.stage is None and b.candidates == ("0", "D")
    assert b.reason == ("Child-Pugh B7 without ascites: preserved liver function only assumed for stage C; "
                        "stage between 0 and D needs clinical judgement")
    assert "0" in render(b.reason, "zh") and "D" in render(b.reason, "zh") and "Child-Pugh B7" in render(b.reason, "zh")


def test_cnlc_reason() -> None:
    c = compute_cnlc(nodule_count=2, largest_diameter_cm=4, macrovascular_invasion=False, extrahepatic_spread=False,
                     ecog=0, child_pugh_class="A")
    assert c.stage == "IIa" and c.reason == "2-3 tumours with largest > 3 cm"
    assert render(c.reason, "zh") != str(c.reason)


def test_meld_assumes_no_dialysis_when_unknown() -> None:
    m = compute_meld(bilirubin_mg_dl=1.2, creatinine_mg_dl=1.0, inr=1.1, dialysis=None)
    assert m.assumptions == ("dialysis status unknown: computed as no dialysis in the past week",)
    assert render(m.assumptions[0], "zh") == "透析情况未知：按过去一周未透析计算"


@pytest.mark.parametrize(("call", "english", "chinese"), [
    (lambda: compute_child_pugh(bilirubin_umol_l=20, albumin_g_l=-1, inr=1.0, ascites="none", encephalopathy="none"),
     "must not be negative", "不得为负数"),
    (lambda: compute_child_pugh(bilirubin_umol_l=20, albumin_g_l=35, inr=1.0, ascites="lots", encephalopathy="none"),
     "unknown ascites grade", "未知的腹水分级"),
    (lambda: compute_meld(bilirubin_mg_dl=float("nan"), creatinine_mg_dl=1.0, inr=1.0), "must be a finite number",
     "必须为有限数值"),
])
def test_errors_are_messages(call, english: str, chinese: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        call()
    assert caught.value.message == english
    assert render(caught.value.message, "zh") == chinese
