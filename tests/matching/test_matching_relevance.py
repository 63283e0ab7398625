"""Relevance before eligibility (issue 10): a trial for another disease is never offered.

Each test is a trial record as a registry writes it and the decision a clinician would make for an
HCC patient: an obesity or dementia study is another condition; an "advanced solid tumours" basket may
admit HCC; a Chinese record saying 肝细胞癌 concerns HCC; a healthy-volunteer PK study of an HCC drug
does not concern the patient.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers_matching import make_trial

from hcctrials.matching.matcher import MatchCatalog, match_patient
from hcctrials.matching.relevance import assess_relevance, patient_concepts, trial_concepts
from hcctrials.model.patient import Diagnosis, Patient
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import iter_input_files, parse_path

HCC = patient_concepts(Patient(patient_id="P"))
CCA = patient_concepts(Patient(patient_id="Q", diagnosis=Diagnosis(histology="cholangiocarcinoma")))


@pytest.mark.parametrize(("fields", "level"), [
    ({"conditions": [{"en": "Hepatocellular Carcinoma"}]}, "disease"),
    ({"conditions": [{"en": "Carcinoma, Hepatocellular"}]}, "disease"),
    ({"conditions": [{"zh": "晚期肝细胞癌"}]}, "disease"),
    ({"conditions": [{"zh": "原发性肝癌"}]}, "disease"),
    ({"conditions": [{"zh": "肝癌、胃癌、结直肠癌。"}]}, "disease"),  # a multi-tumour CDE indication naming 肝癌
    ({"conditions": [{"en": "Liver Cancer"}]}, "disease"),
    ({"conditions": [{"en": "Solid Tumor"}]}, "basket"),
    ({"conditions": [{"en": "Advanced Cancers"}]}, "basket"),
    ({"brief_title": {"zh": "HBW-012336胶囊在携带KRAS G12D突变的局部晚期或转移性实体瘤患者中的研究"}}, "basket"),
    ({"conditions": [{"en": "Obesity"}], "brief_title": {"en": "CagriSema in East Asian adults with excess weight"}},
     "other_condition"),
    ({"conditions": [{"en": "Dementia Alzheimers"}]}, "other_condition"),
    ({"conditions": [{"en": "Colorectal Cancer Liver Metastases"}]}, "other_condition"),
    ({"conditions": [{"zh": "转移性肝癌"}]}, "other_condition"),  # Chinese usage: metastases to the liver
    ({"conditions": [{"zh": "晚期肝细胞癌"}], "brief_title": {"zh": "[14C]阿可拉定健康人体I期临床研究"}},
     "other_condition"),  # healthy volunteers, although the drug's indication is HCC
    ({}, "condition_unknown"),
])
def test_relevance_for_an_hcc_patient(fields: dict[str, object], level: str) -> None:
    relevance = assess_relevance(trial_concepts(make_trial("NCT09990001", **fields)), HCC)
    assert relevance.level == level, relevance
    assert relevance.relevant == (level in ("disease", "basket"))


def test_relevance_shows_how_it_was_decided() -> None:
    trial = make_trial("NCT09990001", conditions=[{"en": "Hepatocellular Carcinoma"}])
    relevance = assess_relevance(trial_concepts(trial), HCC)
    assert relevance.concepts == ("hcc",) and relevance.evidence == "condition: Hepatocellular Carcinoma"


def test_cholangiocarcinoma_patient_is_offered_cca_trials_not_hcc_only_ones() -> None:
    cca = make_trial("NCT09990001", conditions=[{"zh": "肝内胆管癌"}])
    hcc = make_trial("NCT09990002", conditions=[{"en": "Hepatocellular Carcinoma"}])
    assert assess_relevance(trial_concepts(cca), CCA).level == "disease"
    assert assess_relevance(trial_concepts(hcc), CCA).level == "other_condition"


def test_keywords_do_not_override_named_conditions() -> None:
    """'neoplasms' as a keyword of a leukaemia study is not a solid-tumour basket."""
    trial = make_trial("NCT09990001", conditions=[{"en": "Aggressive NK-cell Leukemia"}], keywords=["neoplasms"])
    assert assess_relevance(trial_concepts(trial), HCC).level == "other_condition"


def test_inclusion_diagnosis_decides_when_the_record_names_no_condition() -> None:
    trial = make_trial("NCT09990001", eligibility={"inclusion": [{"en": "Histologically confirmed hepatocellular carcinoma"}]})
    assert assess_relevance(trial_concepts(trial), HCC).level == "disease"
    negated = make_trial("NCT09990002", eligibility={"inclusion": [{"en": "No history of hepatocellular carcinoma"}]})
    assert assess_relevance(trial_concepts(negated), HCC).level == "condition_unknown"


def test_match_hides_trials_for_other_conditions_and_counts_them() -> None:
    obesity = make_trial("NCT09990001", conditions=[{"en": "Obesity"}],
                         eligibility={"inclusion": [{"en": "Age 18 years or older"}]})
    hcc = make_trial("NCT09990002", conditions=[{"en": "Hepatocellular Carcinoma"}],
                     eligibility={"inclusion": [{"en": "Age 18 years or older"}]})
    patient = Patient(patient_id="P", birth_date=date(1960, 1, 1))
    result = match_patient(patient, MatchCatalog([obesity, hcc]), as_of=date(2026, 6, 1), include_closed=True)
    assert [m.trial_id for m in result.matches] == ["NCT09990002"]
    assert result.hidden_irrelevant == {"other_condition": 1}
    shown = match_patient(patient, MatchCatalog([obesity, hcc]), as_of=date(2026, 6, 1), include_closed=True,
                          include_irrelevant=True)
    assert {m.trial_id: m.relevance.level for m in shown.matches} == {
        "NCT09990001": "other_condition", "NCT09990002": "disease"}


def test_whole_registry_scenario_of_issue_10(shared_dir: Path) -> None:
    """The scenario of issue 10: every record of ../shared/data/registry plus the registry seeds, the
    Shenzhen second-line patient.  No trial of another condition is offered; the second-line HCC
    trial she may join (ChiCTR2500111736) is ranked first."""
    paths = [*iter_input_files(shared_dir / "data" / "registry"),
             *[p for p in sorted((shared_dir / "seeds").glob("*.txt")) if not p.name.startswith("003")]]
    trials = [r.trial for p in paths for r in parse_path(p) if isinstance(r, ParsedRecord)]
    assert len(trials) > 250
    from hcctrials.patients import load_patient

    patient = load_patient(Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients/"
                           "shenzhen_2l_after_atezo_bev.yaml")
    result = match_patient(patient, MatchCatalog(trials), as_of=date(2026, 6, 1))
    assert result.matches[0].trial_id == "ChiCTR2500111736"
    assert all(m.relevance.relevant for m in result.matches)
    assert sum(result.hidden_irrelevant.values()) > 100
    titles = " ".join(m.title.lower() for m in result.matches[:20])
    for other in ("obesity", "weight", "preterm", "borderline", "ophthalmic", "covid", "alzheimer", "dementia"):
        assert other not in titles
    assert not [m for m in result.matches if m.verdict == "eligible" and (m.review_count or m.data_count)]
