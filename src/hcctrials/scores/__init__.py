"""Liver-function scores, HCC staging, tumour-burden criteria and CTCAE grades (pure).

See ``docs/scores.md``.  Every ``compute_*`` takes explicit values (keyword-only), returns a
frozen dataclass with the inputs used and ``missing``; :func:`compute_patient_scores` reads a
:class:`~hcctrials.model.patient.Patient`.
"""

from hcctrials.scores.albi import Albi, albi_grade, compute_albi
from hcctrials.scores.bclc import Bclc, classify_liver_function, compute_bclc
from hcctrials.scores.child_pugh import (
    ChildPugh,
    ChildPughVariant,
    ascites_points,
    child_pugh_class,
    compute_child_pugh,
    encephalopathy_points,
)
from hcctrials.scores.child_pugh import CHINESE_TABLE as CHILD_PUGH_CHINESE_TABLE
from hcctrials.scores.child_pugh import DEFAULT as CHILD_PUGH_DEFAULT
from hcctrials.scores.cnlc import Cnlc, compute_cnlc
from hcctrials.scores.ctcae import CTCAE_TERMS, CtcaeGrade, grade_ctcae, resolve_ctcae_term
from hcctrials.scores.meld import Meld, compute_meld, compute_meld_3, compute_meld_na
from hcctrials.scores.patient_scores import (
    Ecog,
    PatientScores,
    ScoreInput,
    compute_patient_scores,
)
from hcctrials.scores.tumour_burden import (
    TumourCriterion,
    compute_milan,
    compute_six_and_twelve,
    compute_up_to_seven,
)

__all__ = [
    "compute_child_pugh", "ChildPugh", "ChildPughVariant", "CHILD_PUGH_DEFAULT",
    "CHILD_PUGH_CHINESE_TABLE", "child_pugh_class", "ascites_points", "encephalopathy_points",
    "compute_albi", "Albi", "albi_grade",
    "compute_meld", "compute_meld_na", "compute_meld_3", "Meld",
    "compute_bclc", "Bclc", "classify_liver_function",
    "compute_cnlc", "Cnlc",
    "compute_milan", "compute_up_to_seven", "compute_six_and_twelve", "TumourCriterion",
    "grade_ctcae", "CtcaeGrade", "CTCAE_TERMS", "resolve_ctcae_term",
    "compute_patient_scores", "PatientScores", "ScoreInput", "Ecog",
]
