"""The HCC diagnosis named plainly, by EASL criteria, and "unresectable and/or metastatic" (issue 10).

Real criteria: "Diagnosis of HCC" (NCT02460991), "Patients must have imaging (MRI or CT abdomen liver
protocol) confirmed or highly suspicious for Hepatocellular carcinoma" (NCT03253289), the EASL criteria
(NCT02774187; EASL 2018: non-invasive diagnosis only in cirrhosis), "HCC must be unresectable and/or
metastatic" (NCT01203787), "Unresectable HCC with or without systemic metastases." (NCT00712790).
"""

from __future__ import annotations

import pytest
from helpers_criteria import compiled_status, make_patient

from hcctrials.model.patient import Diagnosis, TumourBurden

EASL = ("The diagnosis of HCC was based on the diagnostic criteria for HCC used by the European Association for the "
        "Study of the Liver (EASL)")


@pytest.mark.parametrize("text", [
    "Diagnosis of HCC",
    "Patients must have imaging (MRI or CT abdomen liver protocol) confirmed or highly suspicious for Hepatocellular "
    "carcinoma.",
])
@pytest.mark.parametrize(("diagnosis", "expected"), [
    (Diagnosis(confirmed_by="imaging", histology="hcc", cirrhosis=True), "met"),
    (Diagnosis(confirmed_by="histology", histology="hcc"), "met"),
    (Diagnosis(confirmed_by="histology", histology="cholangiocarcinoma"), "not_met"),
])
def test_hcc_named(text: str, diagnosis: Diagnosis, expected: str) -> None:
    assert compiled_status(text, "inclusion", make_patient(diagnosis=diagnosis)) == expected


@pytest.mark.parametrize(("diagnosis", "expected", "why"), [
    (Diagnosis(confirmed_by="histology", histology="hcc"), "met", "histology meets EASL in any liver"),
    (Diagnosis(confirmed_by="imaging", histology="hcc", cirrhosis=True), "met", "typical imaging in cirrhosis"),
    (Diagnosis(confirmed_by="imaging", histology="hcc", cirrhosis=False), "not_met",
     "without cirrhosis EASL requires a biopsy"),
    (Diagnosis(confirmed_by="imaging", histology="hcc"), "unknown", "imaging route, cirrhosis not recorded"),
])
def test_easl_diagnostic_criteria(diagnosis: Diagnosis, expected: str, why: str) -> None:
    assert compiled_status(EASL, "inclusion", make_patient(diagnosis=diagnosis)) == expected, why


def _hcc(resectable: bool | None) -> Diagnosis:
    return Diagnosis(confirmed_by="histology", histology="hcc", resectable=resectable)


@pytest.mark.parametrize(("resectable", "spread", "expected", "why"), [
    (False, False, "met", "unresectable, liver only"),
    (True, True, "met", "metastatic: lung metastases"),
    (True, False, "not_met", "resectable and confined to the liver"),
])
def test_unresectable_and_or_metastatic(resectable: bool, spread: bool, expected: str, why: str) -> None:
    base = make_patient().tumour
    assert base is not None
    tumour = base.model_copy(update={"extrahepatic_spread": spread})
    patient = make_patient(diagnosis=_hcc(resectable), tumour=tumour)
    assert compiled_status("HCC must be unresectable and/or metastatic", "inclusion", patient) == expected, why


@pytest.mark.parametrize(("resectable", "expected"), [(False, "met"), (True, "not_met"), (None, "unknown")])
def test_with_or_without_metastases_adds_nothing(resectable: bool | None, expected: str) -> None:
    patient = make_patient(diagnosis=_hcc(resectable))
    assert compiled_status("Unresectable HCC with or without systemic metastases.", "inclusion", patient) == expected


def test_tumour_burden_type_is_the_patient_model() -> None:
    assert isinstance(make_patient().tumour, TumourBurden)
