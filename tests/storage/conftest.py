"""Fixtures for the storage tests: a fully populated bilingual Trial built from literals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hcctrials.model.trial import (
    Arm,
    Design,
    Dose,
    Eligibility,
    Enrollment,
    Ethics,
    Finding,
    Identifier,
    Intervention,
    Outcome,
    Provenance,
    Site,
    Sponsor,
    Text,
    Trial,
    TrialDates,
)
from hcctrials.sources.base import sha256_hex


def build_full_trial(trial_id: str = "ChiCTR2600000001", *, raw: str = "v1", **changes: Any) -> Trial:
    """A ChiCTR-style record with every part of the model filled (values are made up)."""
    trial = Trial(
        trial_id=trial_id,
        registry="chictr",
        identifiers=[
            Identifier(scheme="chictr", value=trial_id, primary=True),
            Identifier(scheme="nct", value="NCT09990001", source_label="Secondary ID"),
            Identifier(scheme="org_study_id", value="HCC-2026-01"),
        ],
        brief_title=Text(en="Adebrelimab plus apatinib in advanced HCC", zh="阿得贝利单抗联合阿帕替尼治疗晚期肝细胞癌"),
        scientific_title=Text(en="A single-arm phase II study", zh="单臂II期研究"),
        acronym=Text(en="ADAPT"),
        summary=Text(en="Summary", zh="摘要"),
        objectives=Text(en="ORR", zh="客观缓解率"),
        overall_status="recruiting",
        status_text=Text(en="Recruiting", zh="正在进行"),
        registration_status="prospective",
        dates=TrialDates(registered="2025-12-20", last_updated="2026-01-05", study_start="2025-12-30",
                         recruitment_start="2025-12-30", recruitment_end="2027-03-31"),
        phases=["phase2"],
        study_type="interventional",
        design=Design(allocation="na", intervention_model="single_group", masking="none",
                      description=Text(zh="单臂")),
        conditions=[Text(en="Hepatocellular carcinoma", zh="肝细胞癌")],
        keywords=["HCC"],
        arms=[Arm(label=Text(en="Treatment", zh="治疗组"), type="experimental", sample_size=47,
                  intervention_names=["adebrelimab", "apatinib"])],
        interventions=[
            Intervention(type="drug", name=Text(en="Adebrelimab", zh="阿得贝利单抗"), lexicon_ids=["adebrelimab"],
                         doses=[Dose(amount=1200, unit="mg", route="iv", frequency="Q3W", text="1200mg 静脉滴注 Q3W")],
                         arm_labels=["Treatment"]),
            Intervention(type="drug", name=Text(en="Apatinib", zh="阿帕替尼"), lexicon_ids=["apatinib"],
                         doses=[Dose(amount=250, unit="mg", route="oral", frequency="QD")]),
        ],
        eligibility=Eligibility(min_age_years=18, max_age_years=75, sex="all", healthy_volunteers=False,
                                inclusion=[Text(en="Age 18-75", zh="年龄18-75岁"), Text(zh="BCLC C期")],
                                exclusion=[Text(en="Prior PD-1", zh="既往PD-1治疗")]),
        outcomes=[Outcome(kind="primary", measure=Text(en="ORR", zh="客观缓解率"), time_frame=Text(en="2 years")),
                  Outcome(kind="secondary", measure=Text(en="PFS"))],
        enrollment=Enrollment(count=47, type="anticipated"),
        sponsors=[Sponsor(name=Text(en="A Hospital", zh="某医院"), role="lead")],
        funding=[Text(zh="自筹")],
        sites=[Site(institution=Text(zh="某医院"), city=Text(en="Beijing", zh="北京"), country=Text(en="China"))],
        ethics=Ethics(approved=True, approval_number="2025-001", committee=Text(zh="伦理委员会"), approval_date="2025-12-01"),
        contacts=[Text(en="Dr A")],
        urls=["https://www.chictr.org.cn/"],
        findings=[Finding(code="bilingual_mismatch", field="interventions[0].name",
                          message="English names atezolizumab, Chinese names adebrelimab",
                          values={"en": "atezolizumab", "zh": "阿得贝利单抗"})],
        provenance=Provenance(source_format="chictr_text", source_file="x.txt", record_locator="1",
                              raw_sha256=sha256_hex(f"{trial_id}:{raw}")),
    )
    return trial.model_copy(update=changes) if changes else trial


@pytest.fixture
def full_trial() -> Callable[..., Trial]:
    return build_full_trial
