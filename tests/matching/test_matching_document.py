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
