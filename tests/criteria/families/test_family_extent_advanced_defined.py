"""A defined "no advanced stage" and diffuse HCC (issue 10, pvtt_extent family; ``families/extent.py``,
``families/liver_notes.py``).

"No advanced stage disease (i.e., either portal invasion [segmental portal obstruction] or extrahepatic
spread)": the text defines advanced as BCLC C does (macrovascular invasion or extrahepatic spread), with
segmental portal invasion named as portal invasion."""

from __future__ import annotations

import pytest
from helpers_criteria import compiled_status, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.model.patient import TumourBurden

# NCT01009801 inclusion 3
NO_ADVANCED = "No advanced stage disease (i.e., either portal invasion [segmental portal obstruction] or extrahepatic spread)"


@pytest.mark.parametrize(("tumour", "expected", "why"), [
    (TumourBurden(pvtt="vp0", extrahepatic_spread=False), "met", "no portal invasion, no extrahepatic spread"),
    (TumourBurden(pvtt="vp1", vascular_invasion=True, extrahepatic_spread=False), "not_met",
     "segmental portal invasion is advanced by the criterion's own definition"),
    (TumourBurden(pvtt="vp0", extrahepatic_sites=["lung"]), "not_met", "lung metastases"),
    (TumourBurden(extrahepatic_spread=False), "unknown", "portal vein not reported"),
])
def test_no_advanced_stage_as_defined(tumour: TumourBurden, expected: str, why: str) -> None:
    assert compiled_status(NO_ADVANCED, "inclusion", make_patient(tumour=tumour)) == expected, why


def test_no_advanced_stage_in_an_exclusion_list_stays_for_review() -> None:
    rule = compile_criterion(NO_ADVANCED, role="exclusion")
    assert not is_fully_compiled(rule), describe(rule)


# NCT00122876 exclusion 8: the diffuse (infiltrative) gross type of HCC (families/liver_notes.py)
DIFFUSE = "Diffuse HCC;"


@pytest.mark.parametrize(("tumour", "expected", "why"), [
    (TumourBurden(growth_pattern="diffuse", liver_involvement_pct=40), "met",
     "ill-defined infiltrative tumour permeating the right lobe"),
    (TumourBurden(growth_pattern="massive", liver_involvement_pct=60), "not_met",
     "one large encapsulated mass: massive type, however large, is not diffuse"),
    (TumourBurden(growth_pattern="nodular"), "not_met", "three well-defined nodules"),
    (TumourBurden(liver_involvement_pct=70), "unknown", "extent recorded, gross type not"),
])
def test_diffuse_hcc(tumour: TumourBurden, expected: str, why: str) -> None:
    assert compiled_status(DIFFUSE, "exclusion", make_patient(tumour=tumour)) == expected, why


def test_diffuse_is_read_only_before_hcc() -> None:
    # "diffuse metastases" is a metastasis pattern, not the gross type of the liver tumour
    assert not is_fully_compiled(compile_criterion("Diffuse metastases", role="exclusion"))
