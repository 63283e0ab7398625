"""A page of results (``match_patient(..., limit=N)``, what ``/api/match`` and the match page ask for) is the first
N trials of the whole ranking, each explained exactly as without the limit; the counts of hidden trials and what to
measure next are those of every trial that passed the gates.  The ranking itself, computed over arrays, is the order
of :meth:`TrialMatch.sort_key` (issue 12: only the trials shown are built and explained)."""

from __future__ import annotations

from datetime import date
from typing import Any
from pathlib import Path

import pytest

from hcctrials.matching.explain import result_to_dict
from hcctrials.matching.matcher import MatchCatalog, TrialMatch, match_patient
from hcctrials.model.trial import Registry
from hcctrials.patients import load_patient

PATIENTS = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients"
FLAGS: tuple[dict[str, Any], ...] = ({}, {"include_ineligible": True, "include_closed": True,
                                          "include_irrelevant": True})


@pytest.mark.parametrize("as_of", [date(2025, 3, 1), date(2026, 1, 15)])
def test_a_page_is_the_head_of_the_whole_ranking(seed_trials, real_trials, as_of: date) -> None:  # type: ignore[no-untyped-def]
    catalog = MatchCatalog([*seed_trials.values(), *real_trials.values()])
    patients = [load_patient(p) for p in sorted(PATIENTS.iterdir()) if p.suffix in (".yaml", ".json")]
    checked = 0
    for patient in patients:
        if patient.diagnosis.diagnosis_date and patient.diagnosis.diagnosis_date > as_of:
            continue
        for flags in FLAGS:
            whole = match_patient(patient, catalog, as_of=as_of, **flags)
            keys = [m.sort_key() for m in whole.matches]
            assert keys == sorted(keys)  # the array ranking is the sort_key order
            for limit in (1, 3, 20):
                page = match_patient(patient, catalog, as_of=as_of, limit=limit, **flags)
                assert len(page.matches) == min(limit, len(whole.matches))
                head = whole.matches[:limit]
                assert [m.sort_key() for m in page.matches] == [m.sort_key() for m in head]
                assert (page.hidden_ineligible, page.hidden_closed, page.hidden_irrelevant, page.to_measure) == \
                    (whole.hidden_ineligible, whole.hidden_closed, whole.hidden_irrelevant, whole.to_measure)
                whole_head = match_patient(patient, catalog, as_of=as_of, **flags)
                whole_head.matches = whole_head.matches[:limit]
                assert result_to_dict(page) == result_to_dict(whole_head)
                checked += 1
    assert checked >= 12


def test_sort_key_ties_keep_catalog_order(seed_trials) -> None:  # type: ignore[no-untyped-def]
    """Two records with one id (a trial registered twice) rank as the list sort ranks them: catalog order."""
    trials = list(seed_trials.values())
    first = trials[0]
    twin = first.model_copy(update={"registry": Registry.OTHER})
    catalog = MatchCatalog([first, twin, *trials[1:]])
    patient = load_patient(PATIENTS / "shenzhen_2l_after_atezo_bev.yaml")
    result = match_patient(patient, catalog, as_of=date(2026, 1, 15), include_ineligible=True,
                           include_closed=True, include_irrelevant=True)
    ids = [(m.trial_id, m.registry) for m in result.matches]
    at = ids.index((first.trial_id, first.registry.value))
    assert ids[at + 1] == (first.trial_id, "other")
    assert sorted(result.matches, key=TrialMatch.sort_key) == result.matches
