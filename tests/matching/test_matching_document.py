"""The match document of the web (:func:`hcctrials.matching.localise.match_document`, one pass) is the document of
``hcctrials match --json`` (:func:`result_to_dict` then :func:`localise_match_document`), key for key and in the same
order, in both languages, for every example patient on two dates, ineligible and closed trials shown or not."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from hcctrials.matching.explain import result_to_dict
from hcctrials.matching.localise import localise_match_document, match_document
from hcctrials.matching.matcher import MatchCatalog, match_patient
from hcctrials.patients import load_patient
from hcctrials.patients.plausibility import check_dates

PATIENTS = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_pass_document_is_the_cli_document(seed_trials, real_trials, lang: str) -> None:  # type: ignore[no-untyped-def]
    catalog = MatchCatalog([*seed_trials.values(), *real_trials.values()])
    compared = 0
    for path in sorted(PATIENTS.iterdir()):
        if path.suffix not in (".yaml", ".json"):
            continue
        for as_of in (date(2024, 6, 1), date(2026, 1, 15)):
            try:
                patient = check_dates(load_patient(path), as_of)
            except Exception:  # noqa: BLE001 - a diagnosis after the date: not a patient on that date
                continue
            for shown in (False, True):
                flags = (shown, shown)
                result = match_patient(patient, catalog, as_of=as_of, limit=20, include_ineligible=shown,
                                       include_closed=shown)
                want = localise_match_document(result_to_dict(result, lang), result, patient.data_findings, lang)
                got = match_document(result, patient.data_findings, lang)
                assert json.dumps(got, ensure_ascii=False, default=str) == \
                    json.dumps(want, ensure_ascii=False, default=str), (path.name, as_of, flags)
                compared += 1
    assert compared >= 8


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_criteria_shared_by_several_trials_shown_read_the_same_in_the_document(  # type: ignore[no-untyped-def]
        real_trials, lang: str) -> None:
    """Trials with the same criteria (a record registered twice, boilerplate criteria) share one verdict per
    distinct rule in a match; the one-pass document says each shared reason once and every row still reads as
    the CLI document's row (same reason, missing items and message records, per trial)."""
    trials = list(real_trials.values())
    copies = [t.model_copy(update={"trial_id": f"NCT9{i:07d}"}) for i, t in enumerate(trials)
              if t.registry.value == "ctgov" and t.eligibility.inclusion]
    catalog = MatchCatalog([*trials, *copies])
    patient = check_dates(load_patient(PATIENTS / "shenzhen_2l_after_atezo_bev.yaml"), date(2026, 1, 15))
    result = match_patient(patient, catalog, as_of=date(2026, 1, 15), limit=60, include_ineligible=True,
                           include_closed=True)
    rows = [row for m in result.matches for row in m.criteria]
    assert len({id(row.reason) for row in rows}) < len(rows), "some rows share a verdict"
    want = localise_match_document(result_to_dict(result, lang), result, patient.data_findings, lang)
    got = match_document(result, patient.data_findings, lang)
    assert json.dumps(got, ensure_ascii=False, default=str) == json.dumps(want, ensure_ascii=False, default=str)
