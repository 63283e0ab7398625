"""The example records shipped in hcctrials.datasets.registry parse as written."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import parse_path


def _example(folder: str, name: str) -> Path:
    return Path(str(files("hcctrials.datasets").joinpath("registry", folder, name)))


def test_chictr_example() -> None:
    [result] = list(parse_path(_example("chictr", "example_ChiCTR2400000017.txt")))
    assert isinstance(result, ParsedRecord)
    t = result.trial
    assert t.trial_id == "ChiCTR2400000017" and ("nct", "NCT09999917") in [(i.scheme, i.value) for i in t.identifiers]
    assert (t.design.allocation, t.design.intervention_model, t.phases) == ("randomized", "parallel", ["phase2"])
    assert [(a.label.zh, a.sample_size, a.type) for a in t.arms] == [("试验组", 60, "experimental"),
                                                                     ("对照组", 60, "active_comparator")]
    assert t.enrollment.count == 120 and t.overall_status.value == "recruiting"
    assert len(t.eligibility.inclusion) == 4 and t.eligibility.inclusion[2].en == "Child-Pugh class A;"
    assert len(t.eligibility.exclusion) == 2
    by_id = {i: iv for iv in t.interventions for i in iv.lexicon_ids}
    assert by_id["lenvatinib"].doses[0].frequency == "QD" and by_id["sintilimab"].doses[0].frequency == "Q3W"
    assert by_id["tace"].arm_labels == ["Experimental group", "Control group"]
    # recruitment ended 2024-12-31, still "正在进行" on 2025-03-02
    assert [f.code for f in t.findings] == ["stale_status"]


def test_trial_finder_example() -> None:
    [result] = list(parse_path(_example("pages", "example_trial_finder_NCT09999918.txt")))
    assert isinstance(result, ParsedRecord)
    t = result.trial
    assert t.trial_id == "NCT09999918" and t.overall_status.value == "recruiting" and t.phases == ["phase2"]
    assert t.eligibility.min_age_years == 18 and t.eligibility.max_age_years is None
    assert t.design.allocation == "na" and t.design.intervention_model == "single_group"
    assert t.arms[0].intervention_names == ["Radiofrequency ablation", "Durvalumab", "Tremelimumab"]
    assert [i.scheme for i in t.identifiers] == ["nct", "other"]
