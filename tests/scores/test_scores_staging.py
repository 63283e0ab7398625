"""BCLC 2022 (Reig M et al., J Hepatol 2022;76:681-693) and CNLC 2022/2024 (原发性肝癌诊疗指南;
Zhou J et al., Liver Cancer 2023/2025) decision logic as tabulated in hcc-domain.md §2.1-2.2,
including the doc's worked contrast (ECOG 1, single 3 cm tumour: CNLC Ia, BCLC C)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcctrials.errors import ValidationError
from hcctrials.scores import classify_liver_function, compute_bclc, compute_cnlc

BASE = dict(nodule_count=1, largest_diameter_cm=1.5, macrovascular_invasion=False,
            extrahepatic_spread=False, ecog=0)


@pytest.mark.parametrize("kw, stage", [
    ({}, "0"),                                                      # single ≤ 2 cm, PS 0
    ({"largest_diameter_cm": 2.0}, "0"),
    ({"largest_diameter_cm": 2.1}, "A"),                            # single, any size
    ({"largest_diameter_cm": 9.0}, "A"),
    ({"nodule_count": 3, "largest_diameter_cm": 3.0}, "A"),         # 2-3 nodules each ≤ 3 cm
    ({"nodule_count": 3, "largest_diameter_cm": 3.1}, "B"),
    ({"nodule_count": 4, "largest_diameter_cm": 1.0}, "B"),
    ({"macrovascular_invasion": True}, "C"),
    ({"extrahepatic_spread": True}, "C"),
    ({"ecog": 1}, "C"), ({"ecog": 2}, "C"),
    ({"ecog": 3}, "D"),
    ({"liver_function": "not_preserved"}, "D"),
])
def test_bclc_stages(kw, stage) -> None:
    args = {**BASE, "liver_function": "preserved", **kw}
    r = compute_bclc(**args)
    assert r.stage == stage and r.candidates == (stage,)


def test_doc_contrast_ps1_single_3cm() -> None:
    kw = dict(nodule_count=1, largest_diameter_cm=3.0, macrovascular_invasion=False,
              extrahepatic_spread=False, ecog=1)
    assert compute_bclc(**kw, liver_function="preserved").stage == "C"
    assert compute_cnlc(**kw, child_pugh_class="A").stage == "Ia"


def test_liver_function_rule_default() -> None:
    # §2.1 default predicate: Child-Pugh A preserved; B7 without ascites preserved for C only
    assert classify_liver_function(6) == "preserved"
    assert classify_liver_function(7, ascites_none=True) == "b7_c_only"
    assert classify_liver_function(7, ascites_none=False) == "not_preserved"
    assert classify_liver_function(7) is None
    assert classify_liver_function(8, ascites_none=True) == "not_preserved"
    assert classify_liver_function(9, rule="cp_a_or_b") == "preserved"
    assert classify_liver_function(7, ascites_none=True, rule="cp_a") == "not_preserved"


def test_b7_without_ascites() -> None:
    c = compute_bclc(**{**BASE, "ecog": 1}, child_pugh_points=7, ascites_none=True)
    assert c.stage == "C"
    a = compute_bclc(**BASE, child_pugh_points=7, ascites_none=True)
    assert a.stage is None and a.candidates == ("0", "D")


def test_bclc_missing_inputs_give_candidates() -> None:
    r = compute_bclc(nodule_count=1, largest_diameter_cm=1.5, macrovascular_invasion=None,
                     extrahepatic_spread=False, ecog=0, liver_function="preserved")
    assert r.stage is None and r.candidates == ("0", "C")
    assert "macrovascular_invasion" in r.missing


def test_bclc_decided_despite_missing_when_every_value_agrees() -> None:
    # ECOG 3 -> D whatever the tumour
    r = compute_bclc(nodule_count=None, largest_diameter_cm=None, macrovascular_invasion=None,
                     extrahepatic_spread=None, ecog=3, liver_function=None)
    assert r.stage == "D"


def test_bclc_from_partial_child_pugh_range() -> None:
    r = compute_bclc(**{**BASE, "ecog": 1}, child_pugh_range=(5, 7))
    assert r.stage is None and set(r.candidates) == {"C", "D"}


@pytest.mark.parametrize("kw, stage", [
    ({"largest_diameter_cm": 5.0}, "Ia"), ({"largest_diameter_cm": 5.1}, "Ib"),
    ({"nodule_count": 2, "largest_diameter_cm": 3.0}, "Ib"),
    ({"nodule_count": 3, "largest_diameter_cm": 3.1}, "IIa"),
    ({"nodule_count": 4, "largest_diameter_cm": 1.0}, "IIb"),
    ({"macrovascular_invasion": True}, "IIIa"),
    ({"macrovascular_invasion": True, "extrahepatic_spread": True}, "IIIb"),
    ({"extrahepatic_spread": True}, "IIIb"),
    ({"ecog": 2}, "Ia"),              # CNLC keeps PS 1-2 in I-III
    ({"ecog": 3}, "IV"),
    ({"child_pugh_class": "B"}, "Ia"),  # Child-Pugh B admitted in I-III
    ({"child_pugh_class": "C"}, "IV"),
])
def test_cnlc_stages(kw, stage) -> None:
    args = {**BASE, "child_pugh_class": "A", **kw}
    for edition in (2022, 2024):
        r = compute_cnlc(**args, edition=edition)
        assert r.stage == stage and r.variant == f"cnlc@{edition}"


def test_cnlc_unknown_edition() -> None:
    with pytest.raises(ValidationError):
        compute_cnlc(**BASE, child_pugh_class="A", edition=2019)  # type: ignore[arg-type]


def test_cnlc_missing_child_pugh() -> None:
    r = compute_cnlc(**BASE, child_pugh_class=None)
    assert r.stage is None and r.candidates == ("Ia", "IV") and "child_pugh_class" in r.missing


def test_diameters_list_fills_count_and_largest() -> None:
    r = compute_cnlc(nodule_count=None, largest_diameter_cm=None, diameters_cm=[3.5, 2.0],
                     macrovascular_invasion=False, extrahepatic_spread=False, ecog=0,
                     child_pugh_class="A")
    assert r.stage == "IIa"


@given(st.integers(1, 8), st.floats(0.5, 20), st.booleans(), st.booleans(), st.integers(0, 4),
       st.sampled_from(["preserved", "not_preserved"]))
def test_bclc_complete_inputs_give_one_stage(n, d, mvi, ehs, ps, lf) -> None:
    r = compute_bclc(nodule_count=n, largest_diameter_cm=d, macrovascular_invasion=mvi,
                     extrahepatic_spread=ehs, ecog=ps, liver_function=lf)
    assert r.stage in ("0", "A", "B", "C", "D") and r.missing == ()


@given(st.integers(1, 8), st.floats(0.5, 20), st.booleans(), st.booleans(), st.integers(0, 4),
       st.sampled_from(["A", "B", "C"]))
def test_cnlc_candidates_contain_the_complete_answer(n, d, mvi, ehs, ps, cp) -> None:
    full = compute_cnlc(nodule_count=n, largest_diameter_cm=d, macrovascular_invasion=mvi,
                        extrahepatic_spread=ehs, ecog=ps, child_pugh_class=cp)
    partial = compute_cnlc(nodule_count=None, largest_diameter_cm=d, macrovascular_invasion=None,
                           extrahepatic_spread=ehs, ecog=ps, child_pugh_class=cp)
    assert full.stage in partial.candidates


def test_stage_enumeration_calls_by_position_or_by_name_alike() -> None:
    """The unknown inputs are enumerated over the staging function whichever way it is called: positionally when the
    options are its parameters in order (BCLC, CNLC), by name otherwise (options in another order)."""
    from hcctrials.scores.staging_common import enumerate_stages

    def stage(n: int, d: float) -> frozenset[str]:
        return frozenset({"single small" if n == 1 and d <= 2 else "other"})

    in_order = enumerate_stages(stage, {"n": (1, 2), "d": (1.5, 4.0)})
    reordered = enumerate_stages(stage, {"d": (1.5, 4.0), "n": (1, 2)})
    assert in_order == reordered == {"single small", "other"}
    assert enumerate_stages(stage, {"d": (4.0,), "n": (1, 2)}) == {"other"}
