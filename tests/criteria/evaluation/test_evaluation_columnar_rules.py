"""The column-wise evaluator (``criteria/columnar.py``) agrees with the scalar one on the rules of the
coverage rounds (Karnofsky, ascites, anaemia, pregnancy, tumour burden).

From ``tests/criteria/test_criteria_patterns_round4_labs_staging.py`` (1 of its 28 tests; the others are in
``families/test_family_demographics.py``, ``families/test_family_extent.py``,
``families/test_family_labs.py``, ``families/test_family_staging.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from hcctrials.criteria import CompiledCatalog, compile_criterion, evaluate_trial
from hcctrials.criteria.catalog import CompiledTrial
from hcctrials.criteria.columnar import evaluate_columnar
from hcctrials.criteria.evaluation.verdict import TRIAL_VERDICTS
from hcctrials.model.eligibility import Criterion
from hcctrials.model.patient import LiverFunction, Patient

from helpers_criteria import AS_OF, make_patient


# ---------------------------------------------------------------- columnar agreement for the new leaves


def test_columnar_agrees_with_scalar_on_the_new_rules() -> None:
    texts = [("Karnofsky Performance Status of ≥ 60%", "inclusion"), ("Ascites (trace ascites on imaging is acceptable)",
             "exclusion"), ("Has ascites refractory to diuretic therapy", "exclusion"), ("大量腹水", "exclusion"),
             ("No severe anemia, defined as hemoglobin < 10 g/dL", "inclusion"), ("Not pregnant or nursing", "inclusion"),
             ("Any one hepatocellular carcinoma > 15 cm", "exclusion"), ("Maximum of 3 HCC lesions within the liver.", "inclusion")]
    trials = [CompiledTrial(f"T{i}", [Criterion(number="1", role=role, text=t, language="en",  # type: ignore[arg-type]
                                                rule=compile_criterion(t, role=role))])  # type: ignore[arg-type]
              for i, (t, role) in enumerate(texts)]
    from hcctrials.model.patient import TumourBurden

    patients = [make_patient(patient_id=f"p{e}{a}", ecog=e, liver=LiverFunction.model_validate({"ascites": a}),
                             sex="female", pregnant=False, breastfeeding=e == 1,
                             tumour=TumourBurden(nodule_count=e + 2, largest_diameter_cm=5.0 * e or None))
                for e in (0, 1, 2, 3) for a in ("none", "mild", "moderate_severe")]
    patients.append(Patient(patient_id="empty"))
    got = evaluate_columnar(CompiledCatalog(trials), patients, as_of=AS_OF)
    for j, patient in enumerate(patients):
        want = [TRIAL_VERDICTS.index(evaluate_trial(t, patient, as_of=AS_OF).status) for t in trials]
        assert got.status[:, j].tolist() == want, patient.patient_id
