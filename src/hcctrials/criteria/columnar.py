"""Column-wise evaluation of a compiled catalog over a batch of patients (NumPy, pure).

The scalar engine (:mod:`hcctrials.criteria.evaluation.evaluate`) decides one criterion for one patient
with a reason.  Screening a cohort needs the same *verdict codes* for many patients at once;
this module computes them column-wise and is checked against the scalar engine by a property
test (``tests/criteria/evaluation/test_evaluation_columnar.py``): the codes are equal by construction of
the tests, the reasons are not produced here (the cohort table names the deciding criterion).

How (per batch of patients, all on one ``as_of``):

1. **Leaves.**  Each *distinct* leaf of the catalog (deduplicated by meaning,
   :func:`hcctrials.model.eligibility.leaf_key`) becomes one int8 vector over the batch,
   ``not_met=0, unknown=1, met=2, needs_review=3, administrative=4`` (the last two are
   constants, as in the scalar engine).

   * ``lab`` thresholds (absolute or ULN multiples, censored results, unit conversion with
     :func:`hcctrials.units.convert`, site-default ULNs) and ``age`` are evaluated with
     vector comparisons over per-patient fact columns (newest result per analyte within the
     window, converted once per (analyte, window, unit) and shared by every leaf using it).
     A creatinine clearance that is not measured is computed by Cockcroft-Gault over the columns (newest
     creatinine with a value, age, weight, sex); a clearance per 1.73 m² of body surface area uses the
     measured one or Cockcroft-Gault with the Mosteller BSA from the height and weight columns, or the
     adult BSA band when either is missing (:func:`_crcl_per_bsa_codes`).  Only a value whose unit
     conversion fails falls back to the scalar rule, for that patient alone.
   * Every other kind is evaluated over the **distinct values of its input** in the batch
     (dictionary encoding, as Arrow and Parquet do for categorical columns): e.g. ``prior_therapy``
     depends only on the therapy lines, so the scalar leaf rule runs once per distinct therapy
     history and the result is broadcast with ``np.take``.  This is exact by construction (the
     scalar rule is the rule) and its cost grows with the diversity of the inputs, not the batch.
     A kind without a declared input falls back to the scalar rule per patient (correct, slower): so
     does a leaf kind this module does not know, e.g. one added to the compiler later.  Before that,
     the rule runs once on the batch's first patient with facts that record every attribute read
     (:class:`_TracedFacts`): a rule that read nothing of the patient (e.g. a pure permission, met for
     everyone) gives the same verdict for every patient, since the rules are pure functions of the
     leaf and the facts, so that verdict is broadcast (and kept for the leaf across batches).
   * ``virology`` and ``hepatitis_status`` are keyed on the virology record and, for the markers and
     tests that read HBV DNA, on the verdict of "HBV DNA <comparator> limit IU/mL" computed
     column-wise, so that continuous DNA values collapse to three keys (:func:`_hbv_dna_probe`; an
     unlisted marker or test keys on every HBV DNA result, as before).  The test "HBV DNA undetectable"
     reads the newest HBV DNA result only and is computed column-wise from its value and shape (text,
     qualifier) for a batch read column-wise (:func:`_hbv_dna_undetectable_codes`).
   * ``child_pugh``, ``albi`` and ``stage`` read the Child-Pugh / ALBI / staging inputs, computed once
     per group of patients whose liver values fall in the same Child-Pugh bands and mALBI sub-grade
     with equal liver, ECOG, tumour and diagnosis records (:func:`_column_liver_groups`; values close
     to a cut-off are banded by the scalar function).

   A batch read column-wise (:meth:`FactColumns.from_columns`, :mod:`hcctrials.patients.columns`)
   builds these fact columns from the flat lab table and the field codes directly; a patient object
   is built only for a row whose scalar rule runs, and the verdict per (leaf, distinct input) is kept
   across batches (:meth:`ColumnarCatalog.leaf_cache`).

2. **Trees.**  Composite nodes (deduplicated) are combined level by level with
   ``np.minimum.reduceat`` / ``np.maximum.reduceat`` over all nodes of a level at once: AllOf is the
   minimum in the order not_met < unknown < needs_review < met < administrative (administrative
   neutral), AnyOf the maximum in administrative < not_met < needs_review < unknown < met, Not maps
   met <-> not_met; these are exactly :func:`~hcctrials.criteria.evaluation.evaluate.combine_all` /
   ``combine_any`` / ``negate``.

3. **Trials.**  Exclusion criteria are negated, each criterion maps to 0 passed (met,
   administrative) / 1 undecided (unknown, needs review) / 2 not met, and a trial's status is the
   maximum over its criteria (``eligible`` 0, ``possibly_eligible`` 1, ``ineligible`` 2; 3 for a
   trial without criteria), as :func:`hcctrials.criteria.evaluation.verdict.decide_trial_verdict`; the count of
   undecided criteria and the first failing / first undecided criterion come from the same reductions.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Protocol, cast

import numpy as np

from hcctrials.criteria.catalog import CompiledCatalog
from hcctrials.criteria.evaluation.facts import DEFAULT_ULN, DEFAULT_ULN_BAND, PatientFacts
from hcctrials.criteria.evaluation.verdict import NO_CRITERIA, TRIAL_CODE, TRIAL_VERDICTS
from hcctrials.errors import HcctrialsError, UnitError
from hcctrials.model.eligibility import LabThreshold
from hcctrials.model.patient import Patient



class PatientColumns(Protocol):
    """A batch of patients as columns (what :func:`hcctrials.patients.columns.read_patient_columns` returns:
    the criteria layer reads it through this interface and imports no adapter)."""

    n: int
    codes: dict[str, np.ndarray]
    values: dict[str, list[Any]]
    numbers: dict[str, np.ndarray]
    birth: list[date | None]
    lab_row: np.ndarray
    lab_shape: np.ndarray
    lab_value: np.ndarray
    shapes: list[Any]
    generation: int

    def field_value(self, name: str, i: int) -> Any: ...

    def lab_result(self, k: int) -> Any: ...

    def patient(self, i: int) -> Patient: ...


class _LazyPatients(Sequence[Patient]):
    """The patients of a column batch as a sequence, each built when first read."""

    def __init__(self, columns: PatientColumns) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return self.columns.n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self.columns.patient(k) for k in range(*i.indices(self.columns.n))]
        if i < 0:
            i += self.columns.n
        if not 0 <= i < self.columns.n:
            raise IndexError(i)
        return self.columns.patient(i)

    def __iter__(self) -> Iterator[Patient]:
        for i in range(self.columns.n):
            yield self.columns.patient(i)

__all__ = ["NOT_MET", "UNKNOWN", "MET", "NEEDS_REVIEW", "ADMINISTRATIVE", "STATUS_CODES", "ColumnarCatalog",
           "BatchVerdicts", "ScreenVerdicts", "FactColumns", "evaluate_columnar", "TRIAL_STATUS_NAMES"]

NOT_MET, UNKNOWN, MET, NEEDS_REVIEW, ADMINISTRATIVE = 0, 1, 2, 3, 4
STATUS_CODES = {"not_met": NOT_MET, "unknown": UNKNOWN, "met": MET, "needs_review": NEEDS_REVIEW,
                "administrative": ADMINISTRATIVE}
TRIAL_STATUS_NAMES = TRIAL_VERDICTS

_I8 = np.int8
#: code -> rank for AllOf (minimum); the map is its own inverse.
_ALL_RANK = np.array([0, 1, 3, 2, 4], dtype=_I8)
#: code -> rank for AnyOf (maximum) and back.
_ANY_RANK = np.array([1, 3, 4, 2, 0], dtype=_I8)
_ANY_BACK = np.array([4, 0, 3, 1, 2], dtype=_I8)
_NOT = np.array([2, 1, 0, 3, 4], dtype=_I8)
#: criterion code (trial view) -> 0 passed, 1 undecided (unknown or needs review), 2 not met:
#: the one table of hcctrials.criteria.evaluation.verdict.
_TRIAL = np.array([TRIAL_CODE[name] for name in sorted(STATUS_CODES, key=STATUS_CODES.__getitem__)], dtype=_I8)
_BAD_UNIT = "\x00bad-unit"


# ----------------------------------------------------------------------------- fact columns


_ATOMS = (str, int, float, bool, type(None), date)


def _freeze(obj: Any) -> Hashable:
    """A hashable image of a pydantic model / list / value (for dictionary encoding)."""
    kind = type(obj)
    if kind in _ATOM_TYPES:
        return cast(Hashable, obj)  # str, int, float, bool, None and date are hashable
    if kind is list or kind is tuple:
        return tuple([_freeze(x) for x in obj])
    if hasattr(kind, "__pydantic_fields__"):
        values = tuple(obj.__dict__.values())
        if all(type(v) in _ATOM_TYPES for v in values):
            return values
        return tuple([_freeze(v) for v in values])
    if isinstance(obj, (list, tuple)):
        return tuple(_freeze(x) for x in obj)
    if isinstance(obj, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in obj.items()))
    # any other value is kept as is: assumed hashable (a dict key fails loudly if it is not)
    return cast(Hashable, obj)


_ATOM_TYPES = frozenset(_ATOMS)


@lru_cache(maxsize=4096)
def _norm_unit(text: str | None) -> str | None:
    if text is None or not text:
        return None
    from hcctrials.units import normalise_unit

    try:
        return normalise_unit(text)
    except UnitError:
        return _BAD_UNIT


_CONVERT_MEMO: dict[tuple[float, str, str, str], float | None] = {}


def _convert(value: float, src: str, dst: str, analyte: str) -> float | None:
    """:func:`hcctrials.units.convert`, memoised; ``None`` where it raises (the scalar rule then says unknown)."""
    key = (value, src, dst, analyte)
    if key in _CONVERT_MEMO:  # None is a cached answer too
        return _CONVERT_MEMO[key]
    from hcctrials.units import convert

    try:
        out: float | None = convert(value, src, dst, analyte=analyte)
    except HcctrialsError:
        out = None
    if len(_CONVERT_MEMO) > 500_000:
        _CONVERT_MEMO.clear()
    _CONVERT_MEMO[key] = out
    return out


def _column_convert(value: np.ndarray, unit: np.ndarray, rows: np.ndarray, dst: str,
                    analyte: str) -> tuple[np.ndarray, np.ndarray]:
    """(values of *rows* converted to *dst*, converted) with :func:`hcctrials.units.convert`: a result
    already in *dst* is taken as is (convert returns ``float(value)`` then, once the unit is checked),
    other units value by value (memoised); *unit* holds normalised units (``_BAD_UNIT``: not a unit,
    None: no unit, never converted here)."""
    out = np.full(value.shape, np.nan)
    ok = np.zeros(value.shape, dtype=bool)
    if not rows.any():
        return out, ok
    for u in set(unit[rows].tolist()):
        if u is None or u == _BAD_UNIT:
            continue
        sel = rows & (unit == u)
        if u == dst:
            if _convert(1.0, u, dst, analyte) is not None:  # the unit is accepted for this analyte
                out[sel] = value[sel]
                ok[sel] = True
            continue
        for i in np.nonzero(sel)[0].tolist():
            conv = _convert(float(value[i]), u, dst, analyte)
            if conv is not None:
                out[i] = conv
                ok[i] = True
    return out, ok


@dataclass
class LabColumn:
    """Newest result with a value per patient within a window (NaN / None where none)."""

    present: np.ndarray  # bool
    value: np.ndarray  # float64
    unit: np.ndarray  # object: normalised unit, None (no unit) or _BAD_UNIT
    lower_open: np.ndarray  # bool: qualifier < or <= (true value anywhere below)
    upper_open: np.ndarray  # bool: qualifier > or >=
    uln: np.ndarray  # float64, NaN when the lab gave none
    #: unit is None / _BAD_UNIT (from a column batch's shapes; else worked out from ``unit`` when needed)
    no_unit: np.ndarray | None = None
    bad_unit: np.ndarray | None = None


def _signature_stage(p: Patient, f: PatientFacts) -> Hashable:
    s = f.scores
    return (s.bclc.stage, tuple(s.bclc.candidates), s.cnlc.stage, tuple(s.cnlc.candidates),
            p.diagnosis.bclc_stage, p.diagnosis.cnlc_stage)


#: Per leaf kind: the patient data its scalar rule reads (dictionary-encoding key).  The scalar
#: rule is applied once per distinct key in the batch; keys must cover everything the rule reads.
_SIGNATURES: dict[str, Callable[[Patient, PatientFacts], Hashable]] = {
    "sex": lambda p, f: p.sex,
    "ecog": lambda p, f: p.ecog,
    "child_pugh": lambda p, f: (f.scores.child_pugh.points_min, f.scores.child_pugh.points_max,
                                f.scores.child_pugh.label),
    "albi": lambda p, f: (f.scores.albi.grade, f.scores.albi.subgrade),
    "stage": _signature_stage,
    "diagnosis": lambda p, f: _freeze(p.diagnosis),
    "tumour_feature": lambda p, f: (_freeze(p.tumour), _freeze(p.treatments)),  # treatments: measurability
    "liver_feature": lambda p, f: _freeze(p.liver),
    "prior_therapy": lambda p, f: (_freeze(p.treatments), p.history_reviewed),
    "history": lambda p, f: (_freeze(p.conditions), _freeze(p.liver), _freeze(p.treatments),
                             _freeze(p.diagnosis), _freeze(p.virology), _freeze(p.tumour), p.history_reviewed,
                             p.sex, p.pregnant, p.breastfeeding, tuple(p.allergies)),
    "virology": lambda p, f: (_freeze(p.virology), _freeze([lab for lab in p.labs if lab.analyte == "hbv_dna"])),
    # criteria/families/virology.py: the virology record and the HBV DNA results (its module docstring)
    "hepatitis_status": lambda p, f: (_freeze(p.virology),
                                      _freeze([lab for lab in p.labs if lab.analyte == "hbv_dna"])),
    "pregnancy": lambda p, f: (p.sex, p.pregnant, p.breastfeeding, p.history_reviewed),
    "life_expectancy": lambda p, f: p.life_expectancy_weeks,
    "body_weight": lambda p, f: p.weight_kg,
    "allergy": lambda p, f: (tuple(p.allergies), p.history_reviewed),
    # leaves_extra: conditions with the history-reviewed flag; the urine protein results
    "other_malignancy": lambda p, f: (_freeze(p.conditions), p.history_reviewed),
    "heart_failure_nyha": lambda p, f: (_freeze(p.conditions), p.history_reviewed),
    "urine_dipstick": lambda p, f: _freeze([lab for lab in p.labs if lab.analyte == "urine_protein"]),
    "residual_toxicity": lambda p, f: (p.residual_toxicity_grade, _freeze(p.residual_toxicities), bool(p.treatments),
                                       p.history_reviewed),
    "treatment_candidate": lambda p, f: (p.diagnosis.resectable, p.diagnosis.transplant_candidate,
                                         p.diagnosis.transplant_listed, p.diagnosis.locoregional_candidate),
    # medications.evaluate_medication: concomitant medications, the agents of the therapy lines, history flag
    "medication": lambda p, f: (_freeze(p.concomitant_medications), _freeze(p.treatments), p.history_reviewed),
}


def _liver_scores(p: Patient, as_of: date, window: int) -> tuple[Any, Any, Hashable]:
    """(Child-Pugh, ALBI, staging-input key) of *p*, computed as
    :func:`hcctrials.scores.compute_patient_scores` computes them but without the staging,
    MELD and tumour-burden scores (the expensive part).  The staging key holds every input of
    ``compute_bclc`` / ``compute_cnlc`` (tumour, ECOG, Child-Pugh points / range / class,
    ascites) and the recorded stages, so equal keys give equal ``stage`` leaf verdicts; the
    property test checks this against the scalar engine."""
    from hcctrials.scores.patient_scores import _latest  # the scores' own lab selection (no copy of it)

    inputs: dict[str, Any] = {}
    unavailable: dict[str, str] = {}
    findings: list[str] = []
    lab = {a: _latest(p, a, as_of, window, inputs, unavailable, findings) for a in _LIVER_LABS}
    return _liver_parts(lab, p.liver, p.ecog, p.ecog_date, p.tumour, _freeze(p.tumour), p.diagnosis, as_of)


_LIVER_LABS = ("bilirubin_total", "albumin", "inr", "pt_prolongation")


def _liver_parts(lab: dict[str, float | None], liver: Any, ecog: int | None, ecog_date: date | None, tumour: Any,
                 tumour_key: Hashable, diagnosis: Any, as_of: date) -> tuple[Any, Any, Hashable]:
    """:func:`_liver_scores` from the canonical lab values (``_LIVER_LABS``) and the patient's parts
    (*tumour_key*: a key equal for equal tumours)."""
    from hcctrials.scores.albi import compute_albi
    from hcctrials.scores.child_pugh import compute_child_pugh, narrow_to_recorded

    liver_ok = liver.assessed_on is None or liver.assessed_on <= as_of
    ascites = liver.ascites if liver_ok else None
    he = liver.encephalopathy if liver_ok else None
    cp = compute_child_pugh(bilirubin_umol_l=lab["bilirubin_total"], albumin_g_l=lab["albumin"],
                            inr=lab["inr"], pt_prolongation_s=lab["pt_prolongation"],
                            ascites=ascites, encephalopathy=he, cholestatic=bool(liver.cholestatic_disease))
    cp = narrow_to_recorded(cp, liver.child_pugh_recorded if liver_ok else None)  # as compute_patient_scores
    albi = compute_albi(bilirubin_umol_l=lab["bilirubin_total"], albumin_g_l=lab["albumin"])
    ecog_ok = ecog is not None and (ecog_date is None or ecog_date <= as_of)
    tumour_ok = tumour.assessed_on is None or tumour.assessed_on <= as_of
    stage_key = (tumour_key if tumour_ok else None, ecog if ecog_ok else None, cp.points, cp.points_min,
                 cp.points_max, cp.grade, _freeze(cp.classes_possible), ascites,
                 diagnosis.bclc_stage, diagnosis.cnlc_stage)
    return cp, albi, stage_key


def _canonical_values(columns: PatientColumns, analyte: str, window: int, as_of: date) -> np.ndarray:
    """Per row the newest result with a value of *analyte* within *window* (as the scores' ``_latest``) in the
    canonical unit of :func:`hcctrials.units.to_canonical` (NaN: none, or an unusable result, as ``_latest``).
    A result already in the canonical unit with a value >= 0 is taken as is (what ``to_canonical`` returns
    for it); any other is converted by ``to_canonical`` once per distinct (result shape, value)."""
    from hcctrials.errors import InputError
    from hcctrials.units import canonical_unit, to_canonical

    out = np.full(columns.n, np.nan)
    rows, keep = _newest_rows(columns, analyte, window, as_of, True)
    if not rows.size:
        return out
    table = _shape_table(columns)
    values = columns.lab_value[keep]
    try:
        canon = canonical_unit(analyte)
    except KeyError:
        canon = None
    same = (table.unit[columns.lab_shape[keep]] == canon) & (values >= 0) if canon is not None else \
        np.zeros(rows.size, dtype=bool)
    out[rows[same]] = values[same]
    memo = _CANONICAL_MEMO
    if len(memo) > 500_000:
        memo.clear()
    shapes = columns.shapes
    for r, k in zip(rows[~same].tolist(), keep[~same].tolist()):
        s = shapes[int(columns.lab_shape[k])]
        # what the converted value depends on (not the date, qualifier or text): equal keys, equal values
        key = (s.analyte, s.unit, s.uln, s.lln, float(columns.lab_value[k]))
        if key not in memo:
            try:
                memo[key] = to_canonical(columns.lab_result(k), on_implausible="record").value
            except InputError:
                memo[key] = None
        got = memo[key]
        if got is not None:
            out[r] = got
    return out


#: :func:`_canonical_values`' conversions, kept across batches (bounded)
_CANONICAL_MEMO: dict[tuple[str, str | None, float | None, float | None, float], float | None] = {}


def _band_column(value: np.ndarray, low: float, high: float, increasing: bool) -> np.ndarray:
    """:func:`hcctrials.scores._common.band_increasing` / ``band_decreasing`` over an array (0 where NaN).  The
    scalar rule compares the value rounded to 9 decimals: values within 1e-6 of a cut-off take the scalar rule."""
    from hcctrials.scores._common import band_decreasing, band_increasing

    out = np.zeros(value.shape, dtype=np.int64)
    known = ~np.isnan(value)
    with np.errstate(invalid="ignore"):
        if increasing:
            band = np.where(value < low, 1, np.where(value <= high, 2, 3))
        else:
            band = np.where(value > high, 1, np.where(value >= low, 2, 3))
        near = known & ((np.abs(value - low) < 1e-6) | (np.abs(value - high) < 1e-6))
    out[known] = band[known]
    rule = band_increasing if increasing else band_decreasing
    for i in np.nonzero(near)[0].tolist():
        out[i] = rule(float(value[i]), low, high)
    return out


_ALBI_SUB = {"1": 1, "2a": 2, "2b": 3, "3": 4}


def _albi_column(bilirubin: np.ndarray, albumin: np.ndarray) -> np.ndarray:
    """mALBI sub-grade code per row (0: not computable; 1, 2a, 2b, 3 -> 1-4), as
    :func:`hcctrials.scores.albi.compute_albi` (Johnson PJ et al., J Clin Oncol 2015;33:550; Hiraoka A et al.,
    Liver Cancer 2017): 0.66 x log10(bilirubin umol/L) - 0.085 x albumin g/L; a score within 1e-9 of a cut-off
    takes the scalar function.  Rows with bilirubin <= 0 or albumin < 0 are left to the caller (0)."""
    from hcctrials.scores.albi import GRADE_1_MAX, GRADE_2_MAX, GRADE_2A_MAX, compute_albi

    out = np.zeros(bilirubin.shape, dtype=np.int64)
    ok = ~np.isnan(bilirubin) & ~np.isnan(albumin)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok &= (bilirubin > 0) & (albumin >= 0)
        score = 0.66 * np.log10(np.where(ok, bilirubin, 1.0)) - 0.085 * np.where(ok, albumin, 0.0)
    code = np.where(score <= GRADE_1_MAX, 1, np.where(score <= GRADE_2A_MAX, 2, np.where(score <= GRADE_2_MAX, 3, 4)))
    out[ok] = code[ok]
    near = ok & (np.min(np.abs(score[:, None] - np.array([GRADE_1_MAX, GRADE_2A_MAX, GRADE_2_MAX])[None, :]), axis=1)
                 < 1e-9) if score.size else ok
    for i in np.nonzero(near)[0].tolist():
        sub = compute_albi(bilirubin_umol_l=float(bilirubin[i]), albumin_g_l=float(albumin[i])).subgrade
        out[i] = _ALBI_SUB[sub] if sub is not None else 0
    return out


def _column_liver_groups(columns: PatientColumns, as_of: date,
                         window: int) -> tuple[np.ndarray, list[tuple[Any, Any, Hashable]], list[int]]:
    """:func:`_liver_scores` of a column batch, computed once per group of rows that give the same Child-Pugh
    (points, range, class, label), ALBI grade and staging key: rows whose liver laboratory values fall in the
    same Child-Pugh bands (:data:`hcctrials.scores.child_pugh.DEFAULT`: normal and cholestatic bilirubin rows,
    albumin, INR, PT) and the same mALBI sub-grade, with equal liver, ECOG, tumour and diagnosis records.  A
    row with a value that the scores refuse (negative; bilirubin 0) is a group of its own (the scores raise as
    for that patient alone).  Returns (group of each row, parts per group, first row of each group)."""
    from hcctrials.scores.child_pugh import DEFAULT as CP

    n = columns.n
    lab = {a: _canonical_values(columns, a, window, as_of) for a in _LIVER_LABS}
    bili, alb, inr, pt = (lab[a] for a in _LIVER_LABS)
    with np.errstate(invalid="ignore"):
        special = (bili <= 0) | (alb < 0) | (inr < 0)
    parts = [
        _band_column(bili, *CP.bilirubin_umol_l, True), _band_column(bili, *CP.bilirubin_cholestatic_umol_l, True),
        _band_column(alb, *CP.albumin_g_l, False), _band_column(inr, *CP.inr, True),
        _band_column(pt, *CP.pt_prolongation_s, True), _albi_column(bili, alb),
        np.where(special, np.arange(n), -1),
        *(np.asarray(columns.codes[f], dtype=np.int64) for f in ("liver", "tumour", "diagnosis", "ecog", "ecog_date")),
    ]
    inverse, reps, _ = _encode_rows(parts, n)
    liver, tumour, diagnosis = (columns.values[f] for f in ("liver", "tumour", "diagnosis"))
    ecog, ecog_date = columns.values["ecog"], columns.values["ecog_date"]
    codes = columns.codes

    def value(a: str, i: int) -> float | None:
        v = float(lab[a][i])
        return None if math.isnan(v) else v

    groups = []
    for i in reps:
        lc, tc, dc = int(codes["liver"][i]), int(codes["tumour"][i]), int(codes["diagnosis"][i])
        groups.append(_liver_parts({a: value(a, i) for a in _LIVER_LABS}, liver[lc], ecog[int(codes["ecog"][i])],
                                   ecog_date[int(codes["ecog_date"][i])], tumour[tc], ("tumour", tc),
                                   diagnosis[dc], as_of))
    return inverse, groups, reps


#: Kinds whose key is made of whole patient fields (frozen once per field and patient, shared by
#: kinds) plus a few plain attributes; the same content as the matching ``_SIGNATURES`` entry.
_FIELD_SIGNATURES: dict[str, tuple[tuple[str, ...], Callable[[Patient], Hashable]]] = {
    "diagnosis": (("diagnosis",), lambda p: None),
    "tumour_feature": (("tumour", "treatments"), lambda p: None),
    "liver_feature": (("liver",), lambda p: None),
    "prior_therapy": (("treatments",), lambda p: p.history_reviewed),
    "other_malignancy": (("conditions",), lambda p: p.history_reviewed),
    "heart_failure_nyha": (("conditions",), lambda p: p.history_reviewed),
    "history": (("conditions", "liver", "treatments", "diagnosis", "virology", "tumour"),
                lambda p: (p.history_reviewed, p.sex, p.pregnant, p.breastfeeding, tuple(p.allergies))),
    "medication": (("concomitant_medications", "treatments"), lambda p: p.history_reviewed),
}


_PART_SIGNATURES: dict[str, Callable[[tuple[Any, Any, Hashable]], Hashable]] = {
    "child_pugh": lambda parts: (parts[0].points_min, parts[0].points_max, parts[0].label),
    "albi": lambda parts: (parts[1].grade, parts[1].subgrade),
    "stage": lambda parts: parts[2],
}


#: Per leaf kind, for a batch read column-wise: the categorical fields, per-patient numbers and laboratory
#: analytes whose values make up its key (a superset of what the ``_SIGNATURES`` entry reads).
_COLUMN_SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "sex": (("sex",), (), ()),
    "ecog": (("ecog",), (), ()),
    "diagnosis": (("diagnosis",), (), ()),
    "tumour_feature": (("tumour", "treatments"), (), ()),
    "liver_feature": (("liver",), (), ()),
    "prior_therapy": (("treatments", "history_reviewed"), (), ()),
    "history": (("conditions", "liver", "treatments", "diagnosis", "virology", "tumour", "history_reviewed", "sex",
                 "pregnant", "breastfeeding", "allergies"), (), ()),
    "virology": (("virology",), (), ("hbv_dna",)),
    "hepatitis_status": (("virology",), (), ("hbv_dna",)),
    "pregnancy": (("sex", "pregnant", "breastfeeding", "history_reviewed"), (), ()),
    "life_expectancy": ((), ("life_expectancy_weeks",), ()),
    "body_weight": ((), ("weight_kg",), ()),
    "allergy": (("allergies", "history_reviewed"), (), ()),
    "other_malignancy": (("conditions", "history_reviewed"), (), ()),
    "heart_failure_nyha": (("conditions", "history_reviewed"), (), ()),
    "urine_dipstick": ((), (), ("urine_protein",)),
    "residual_toxicity": (("residual_toxicity_grade", "residual_toxicities", "treatments", "history_reviewed"), (), ()),
    "treatment_candidate": (("diagnosis",), (), ()),
    "medication": (("concomitant_medications", "treatments", "history_reviewed"), (), ()),
}


def _column_keys(columns: PatientColumns, fields: tuple[str, ...], numbers: tuple[str, ...],
                 analytes: tuple[str, ...], *, as_of: date) -> list[Hashable]:
    """Per row, the key of a leaf kind from the columns: codes of categorical fields (equal code: equal
    value), numbers, and each analyte's results as (shape, value) pairs in record order."""
    parts: list[list[Any]] = [columns.codes[name].tolist() for name in fields]
    for name in numbers:
        parts.append([None if v != v else v for v in columns.numbers[name].tolist()])
    if analytes:
        table = _shape_table(columns)
        wanted = np.zeros(len(_ANALYTE_CODES) + 1, dtype=bool)  # by analyte number (the last: not seen)
        wanted[[_ANALYTE_CODES[a] for a in analytes if a in _ANALYTE_CODES]] = True
        hit = wanted[table.analyte_code[columns.lab_shape]]
        per_row: list[Any] = [()] * columns.n
        rows = columns.lab_row[hit].tolist()
        shapes = columns.lab_shape[hit].tolist()
        values = [None if v != v else v for v in columns.lab_value[hit].tolist()]
        grouped: dict[int, list[tuple[int, Any]]] = {}
        for r, sh, v in zip(rows, shapes, values):
            grouped.setdefault(r, []).append((sh, v))
        for r, items in grouped.items():
            per_row[r] = tuple(items)
        parts.append(per_row)
    return list(zip(*parts)) if parts else [()] * columns.n


@dataclass
class _ShapeTable:
    """Per lab shape of a column batch (the result without its value): analyte, date (ordinal; -1 none),
    normalised unit, ULN (NaN none), censoring."""

    analyte: np.ndarray  # object
    day: np.ndarray  # int64
    unit: np.ndarray  # object
    raw_unit: list[str | None]
    uln: np.ndarray  # float64
    lower_open: np.ndarray  # bool
    upper_open: np.ndarray  # bool
    no_unit: np.ndarray  # bool: no unit given
    bad_unit: np.ndarray  # bool: a unit that does not parse (_BAD_UNIT)
    analyte_code: np.ndarray  # int64: the analyte's number in _ANALYTE_CODES


_SHAPE_TABLE: list[Any] = [None, None, None]  # [generation, shapes list, _ShapeTable]
#: analyte -> a number, in the order first seen in this process
_ANALYTE_CODES: dict[str, int] = {}


def _shape_rows(shapes: Sequence[Any]) -> _ShapeTable:
    units = [_norm_unit(s.unit) for s in shapes]
    return _ShapeTable(
        np.array([s.analyte for s in shapes], dtype=object),
        np.array([-1 if s.date is None else s.date.toordinal() for s in shapes], dtype=np.int64),
        np.array(units, dtype=object),
        [s.unit for s in shapes],
        np.array([np.nan if s.uln is None else float(s.uln) for s in shapes], dtype=np.float64),
        np.array([s.qualifier in ("<", "<=") for s in shapes], dtype=bool),
        np.array([s.qualifier in (">", ">=") for s in shapes], dtype=bool),
        np.array([u is None for u in units], dtype=bool),
        np.array([u == _BAD_UNIT for u in units], dtype=bool),
        np.array([_ANALYTE_CODES.setdefault(s.analyte, len(_ANALYTE_CODES)) for s in shapes], dtype=np.int64),
    )


def _shape_table(columns: PatientColumns) -> _ShapeTable:
    """The shape arrays of the columns' registry (kept per process and extended as shapes are added)."""
    generation, shapes, table = _SHAPE_TABLE
    if generation != columns.generation or shapes is not columns.shapes:
        table = _shape_rows(columns.shapes)
    elif len(table.raw_unit) < len(shapes):
        more = _shape_rows(shapes[len(table.raw_unit):])
        joined: list[Any] = [a + b if isinstance(a, list) else np.concatenate([a, b])
                             for a, b in ((getattr(table, f.name), getattr(more, f.name))
                                          for f in dataclasses.fields(_ShapeTable))]
        table = _ShapeTable(*joined)
    _SHAPE_TABLE[:] = [columns.generation, columns.shapes, table]
    return cast(_ShapeTable, table)


_LAB_INDEX: list[Any] = [None, None, None]  # [columns, as_of, index]: the batch being evaluated


def _lab_index(columns: PatientColumns, as_of: date) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                            np.ndarray, np.ndarray, dict[str, tuple[int, int]]]:
    """The flat lab columns of a batch sorted once by (analyte, row, days before *as_of*, record order):
    (positions, analyte code, days before, dated on or before *as_of*, has a value, row) in that order and
    each analyte's (start, end) in that order (kept for the batch being evaluated)."""
    if _LAB_INDEX[0] is columns and _LAB_INDEX[1] == as_of:
        return cast("tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, "
                    "dict[str, tuple[int, int]]]", _LAB_INDEX[2])
    table = _shape_table(columns)
    shape = columns.lab_shape
    day = table.day[shape]
    today = as_of.toordinal()
    before = today - day
    code = table.analyte_code[shape]
    order = np.lexsort((np.arange(shape.size), before, columns.lab_row, code))
    bounds = np.searchsorted(code[order], np.arange(len(_ANALYTE_CODES) + 1))
    index = (order, code[order], before[order], ((day >= 0) & (day <= today))[order],
             ~np.isnan(columns.lab_value)[order], columns.lab_row[order],
             {name: (int(bounds[k]), int(bounds[k + 1])) for name, k in _ANALYTE_CODES.items()
              if bounds[k] < bounds[k + 1]})
    _LAB_INDEX[:] = [columns, as_of, index]
    return index


def _newest_rows(columns: PatientColumns, analyte: str, window: int, as_of: date,
                 with_value: bool) -> tuple[np.ndarray, np.ndarray]:
    """(rows, positions in the flat lab columns) of the newest dated result of *analyte* on or before
    *as_of* within *window* days per patient (ties: the first in record order), as
    :meth:`Patient.labs_for`; only results with a value when *with_value*."""
    order, _code, before, dated, valued, row, spans = _lab_index(columns, as_of)
    span = spans.get(analyte)
    if span is None:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    a, b = span  # the analyte's results, by row, then newest first, then record order
    sel = dated[a:b] & (before[a:b] <= window)
    if with_value:
        sel &= valued[a:b]
    keep = order[a:b][sel]
    rows = row[a:b][sel]
    first = np.r_[True, rows[1:] != rows[:-1]] if rows.size else np.empty(0, dtype=bool)
    return rows[first], keep[first]


def _column_lab(columns: PatientColumns, analyte: str, window: int, as_of: date) -> LabColumn:
    """:meth:`FactColumns.lab` from the flat lab columns (vectorised)."""
    n = columns.n
    present = np.zeros(n, dtype=bool)
    value = np.full(n, np.nan)
    uln = np.full(n, np.nan)
    unit = np.full(n, None, dtype=object)
    lower = np.zeros(n, dtype=bool)
    upper = np.zeros(n, dtype=bool)
    no_unit = np.ones(n, dtype=bool)
    bad_unit = np.zeros(n, dtype=bool)
    rows, keep = _newest_rows(columns, analyte, window, as_of, True)
    if rows.size:
        table = _shape_table(columns)
        shape = columns.lab_shape[keep]
        present[rows] = True
        value[rows] = columns.lab_value[keep]
        unit[rows] = table.unit[shape]
        uln[rows] = table.uln[shape]
        lower[rows] = table.lower_open[shape]
        upper[rows] = table.upper_open[shape]
        no_unit[rows] = table.no_unit[shape]
        bad_unit[rows] = table.bad_unit[shape]
    return LabColumn(present, value, unit, lower, upper, uln, no_unit, bad_unit)


def _column_age(columns: PatientColumns, as_of: date) -> np.ndarray:
    """:meth:`Patient.age_on` per row from the columns."""
    out = np.full(columns.n, np.nan)
    age_years = columns.numbers["age_years"].tolist()
    recorded = columns.codes["age_recorded_on"].tolist()
    recorded_values = columns.values["age_recorded_on"]
    key = (as_of.month, as_of.day)
    for i, born in enumerate(columns.birth):
        if born is not None:
            out[i] = float(as_of.year - born.year - (1 if key < (born.month, born.day) else 0))
            continue
        years = age_years[i]
        if years != years:
            continue
        on = recorded_values[recorded[i]]
        out[i] = years + (as_of - on).days // 365.25 if on is not None and as_of > on else years
    return out


class FactColumns:
    """Per-patient facts of a batch, derived once and shared by all leaves (lazily, per need)."""

    def __init__(self, patients: Sequence[Patient], as_of: date, *, lab_window_days: int = 28,
                 assume_default_uln: bool = True, default_uln: dict[str, tuple[float, str]] | None = None) -> None:
        self.columns: PatientColumns | None = None
        self.patients: Sequence[Patient] = list(patients)
        self.n = len(self.patients)
        self.as_of = as_of
        self.lab_window_days = lab_window_days
        self.assume_default_uln = assume_default_uln
        self.default_uln = dict(DEFAULT_ULN) if default_uln is None else default_uln
        self._facts: list[PatientFacts | None] = [None] * self.n
        self._labs_by_analyte: dict[str, list[tuple[int, int, float, str | None, float, bool, bool]]] | None = None
        self._lab_cols: dict[tuple[str, int], LabColumn] = {}
        self._converted: dict[tuple[str, int, str], tuple[np.ndarray, np.ndarray]] = {}
        self._encodings: dict[str, tuple[np.ndarray, list[int]]] = {}
        self._age: np.ndarray | None = None
        self._frozen: dict[str, list[Hashable]] = {}
        self._crcl: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._numbers: dict[str, np.ndarray] = {}
        self._fields: dict[str, np.ndarray] = {}
        self._any_unit: dict[tuple[str, int, str], np.ndarray] = {}
        self._lab_masks: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
        self._lab_bounds: dict[tuple[str, int, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._keyed: dict[Hashable, tuple[np.ndarray, list[int], list[Hashable] | None]] = {}
        self._liver_groups: tuple[np.ndarray, list[tuple[Any, Any, Hashable]], list[int]] | None = None
        self._shared_keys: dict[str, list[Hashable]] = {}
        #: leaf verdict per (leaf, shared key), kept across batches by the catalog (None: not kept)
        self.leaf_cache: _LeafCache | None = None
        self._key_ids: dict[Hashable, np.ndarray] = {}

    @classmethod
    def from_columns(cls, columns: PatientColumns, as_of: date, *, lab_window_days: int = 28,
                     assume_default_uln: bool = True) -> FactColumns:
        """Facts of a batch read column-wise (:mod:`hcctrials.patients.columns`): the lab, age and
        dictionary-encoding columns come from the Arrow/NumPy columns (no patient object per row); a
        patient object is built only for a row whose scalar rule runs (one per distinct input of a
        leaf kind, every row for a kind without a declared input)."""
        fc = cls([], as_of, lab_window_days=lab_window_days, assume_default_uln=assume_default_uln)
        fc.columns = columns
        fc.patients = _LazyPatients(columns)
        fc.n = columns.n
        fc._facts = [None] * fc.n
        return fc

    def facts(self, i: int) -> PatientFacts:
        f = self._facts[i]
        if f is None:
            f = self._facts[i] = PatientFacts(self.patients[i], self.as_of, self.lab_window_days,
                                              self.assume_default_uln, dict(self.default_uln))
        return f

    @property
    def age(self) -> np.ndarray:
        if self._age is None:
            if self.columns is not None:
                self._age = _column_age(self.columns, self.as_of)
                return self._age
            ages = [p.age_on(self.as_of) for p in self.patients]
            self._age = np.array([np.nan if a is None else a for a in ages], dtype=np.float64)
        return self._age

    def lab(self, analyte: str, window: int) -> LabColumn:
        """The newest dated result with a value on or before as_of within *window* days
        (as :meth:`hcctrials.model.patient.Patient.labs_for`: ties keep the record order)."""
        key = (analyte, window)
        col = self._lab_cols.get(key)
        if col is not None:
            return col
        if self.columns is not None:
            col = self._lab_cols[key] = _column_lab(self.columns, analyte, window, self.as_of)
            return col
        if self._labs_by_analyte is None:
            # every dated result with a value on or before as_of, flat per analyte in record order
            flat: dict[str, list[tuple[int, int, float, str | None, float, bool, bool]]] = {}
            for i, p in enumerate(self.patients):
                for lab in p.labs:
                    if lab.value is not None and lab.date is not None and lab.date <= self.as_of:
                        flat.setdefault(lab.analyte, []).append((
                            i, (self.as_of - lab.date).days, float(lab.value), lab.unit,
                            np.nan if lab.uln is None else float(lab.uln),
                            lab.qualifier in ("<", "<="), lab.qualifier in (">", ">=")))
            self._labs_by_analyte = flat
        n = self.n
        present = np.zeros(n, dtype=bool)
        value = np.full(n, np.nan)
        uln = np.full(n, np.nan)
        unit = np.full(n, None, dtype=object)
        lower = np.zeros(n, dtype=bool)
        upper = np.zeros(n, dtype=bool)
        rows = self._labs_by_analyte.get(analyte, [])
        if rows:
            pidx = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            days = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
            inside = np.nonzero(days <= window)[0]
            # newest per patient (fewest days before as_of), ties: first in record order
            order = inside[np.lexsort((inside, days[inside], pidx[inside]))]
            keep = order[np.r_[True, pidx[order][1:] != pidx[order][:-1]]] if order.size else order
            for j in keep.tolist():
                i, _, v, u, limit, lo, hi = rows[j]
                present[i] = True
                value[i] = v
                unit[i] = _norm_unit(u)
                uln[i] = limit
                lower[i] = lo
                upper[i] = hi
        col = self._lab_cols[key] = LabColumn(present, value, unit, lower, upper, uln)
        return col

    def lab_in(self, analyte: str, window: int, dst: str) -> tuple[np.ndarray, np.ndarray]:
        """(values converted to *dst*, ok mask) for the lab column; NaN/False where not convertible."""
        key = (analyte, window, dst)
        hit = self._converted.get(key)
        if hit is not None:
            return hit
        col = self.lab(analyte, window)
        out = col.value.copy()
        ok = col.present.copy()
        for i in np.nonzero(col.present)[0].tolist():
            src = col.unit[i]
            if src == dst or src is None:
                continue  # callers handle missing units
            if src == _BAD_UNIT:
                ok[i] = False
                continue
            conv = _convert(float(col.value[i]), src, dst, analyte)
            if conv is None:
                ok[i] = False
                out[i] = np.nan
            else:
                out[i] = conv
        self._converted[key] = (out, ok)
        return out, ok

    def frozen(self, name: str) -> list[Hashable]:
        """Hashable image of one patient field for every patient (computed once per batch)."""
        col = self._frozen.get(name)
        if col is None and self.columns is not None and name in self.columns.codes:
            # equal codes: equal JSON text of the field, so an equal value (a finer key than the value)
            col = self._frozen[name] = self.columns.codes[name].tolist()
        if col is None:
            col = self._frozen[name] = [_freeze(getattr(p, name)) for p in self.patients]
        return col

    def liver_groups(self) -> tuple[np.ndarray, list[tuple[Any, Any, Hashable]], list[int]]:
        """(group of each patient, (Child-Pugh, ALBI, staging key) per group, a patient per group) without full
        staging (see :func:`_liver_scores`, :func:`_column_liver_groups`)."""
        if self._liver_groups is None:
            if self.columns is not None:
                self._liver_groups = _column_liver_groups(self.columns, self.as_of, self.lab_window_days)
            else:
                parts = [_liver_scores(p, self.as_of, self.lab_window_days) for p in self.patients]
                self._liver_groups = (np.arange(self.n, dtype=np.int64), parts, list(range(self.n)))
        return self._liver_groups

    def number(self, name: str) -> np.ndarray:
        """A per-patient number (``weight_kg``, ``height_cm``...) as float64, NaN where not given."""
        col = self._numbers.get(name)
        if col is None:
            if self.columns is not None:
                col = np.asarray(self.columns.numbers[name], dtype=np.float64)
            else:
                got = [getattr(p, name) for p in self.patients]
                col = np.array([np.nan if v is None else float(v) for v in got], dtype=np.float64)
            self._numbers[name] = col
        return col

    def field(self, name: str) -> np.ndarray:
        """A per-patient categorical field as an object array (the value, None where not given)."""
        col = self._fields.get(name)
        if col is None:
            if self.columns is not None:
                distinct = np.empty(len(self.columns.values[name]), dtype=object)
                distinct[:] = self.columns.values[name]
                col = distinct[self.columns.codes[name]] if self.n else np.empty(0, dtype=object)
            else:
                col = np.empty(self.n, dtype=object)
                col[:] = [getattr(p, name) for p in self.patients]
            self._fields[name] = col
        return col

    def codes_of(self, name: str) -> np.ndarray:
        """int64 code per patient of a field: equal codes, equal values (dictionary encoding)."""
        if self.columns is not None and name in self.columns.codes:
            return np.asarray(self.columns.codes[name], dtype=np.int64)
        position: dict[Hashable, int] = {}
        return np.fromiter((position.setdefault(k, len(position)) for k in self.frozen(name)), dtype=np.int64,
                           count=self.n)

    def newest_with_value(self, analyte: str, window: int) -> LabColumn:
        """The newest dated result *with a value* per patient within *window* days (as ``leaves._lab`` and
        ``leaves._cockcroft_gault`` pick it): :meth:`lab`."""
        return self.lab(analyte, window)

    def lab_masks(self, analyte: str, window: int) -> tuple[np.ndarray, np.ndarray]:
        """(usable: a result with a value whose unit is not unreadable, no unit given) of the lab column."""
        key = (analyte, window)
        got = self._lab_masks.get(key)
        if got is None:
            col = self.lab(analyte, window)
            no_unit = col.unit == None if col.no_unit is None else col.no_unit  # noqa: E711 - elementwise
            bad_unit = col.unit == _BAD_UNIT if col.bad_unit is None else col.bad_unit
            got = self._lab_masks[key] = (col.present & ~bad_unit, no_unit)
        return got

    def lab_bounds(self, analyte: str, window: int, unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(decidable, low, high) of the lab column in *unit* for a threshold in that unit (``leaves._lab``): a
        result is decidable when its value converts to *unit*, or has no unit and *unit* is "1" (a ratio); the
        true value lies in [low, high] (a result censored below: low is -inf; above: high is +inf).  Shared by
        every threshold on the same analyte, window and unit."""
        key = (analyte, window, unit)
        got = self._lab_bounds.get(key)
        if got is None:
            col = self.lab(analyte, window)
            usable, no_unit = self.lab_masks(analyte, window)
            converted, ok = self.lab_in(analyte, window, unit)
            sel = usable & ~no_unit & ok
            if unit == "1":
                sel |= usable & no_unit
            vals = np.where(no_unit, col.value, converted)
            got = self._lab_bounds[key] = (sel, np.where(col.lower_open, -np.inf, vals),
                                           np.where(col.upper_open, np.inf, vals))
        return got

    def any_lab_in_unit(self, analyte: str, window: int, unit: str) -> np.ndarray:
        """Bool per patient: some result of *analyte* with a value within *window* days (as
        :meth:`Patient.labs_for`) has a unit that normalises to *unit*."""
        key = (analyte, window, unit)
        hit = self._any_unit.get(key)
        if hit is not None:
            return hit
        out = np.zeros(self.n, dtype=bool)
        if self.columns is not None:
            cols = self.columns
            table = _shape_table(cols)
            shape = cols.lab_shape
            day = table.day[shape]
            today = self.as_of.toordinal()
            sel = ((table.analyte_code[shape] == _ANALYTE_CODES.get(analyte, -1)) & (day >= 0) & (day <= today)
                   & (today - day <= window) & ~np.isnan(cols.lab_value))
            sel[sel] = table.unit[shape[sel]] == unit  # the (few) results of the analyte: their unit
            out[cols.lab_row[sel]] = True
        else:
            for i, p in enumerate(self.patients):
                out[i] = any(lab.value is not None and lab.unit and _norm_unit(lab.unit) == unit
                             for lab in p.labs_for(analyte, as_of=self.as_of, within_days=window))
        self._any_unit[key] = out
        return out

    def cockcroft_gault(self, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(clearance mL/min, computable, scalar-fallback) per patient, as ``leaves._cockcroft_gault``: the
        newest creatinine *with a value* within *window* (without a unit: not computable), age, weight,
        sex; clearance = (140 - age) x weight / (72 x Scr mg/dL) x 0.85 if female (Cockcroft DW, Gault MH,
        Nephron 1976;16:31-41).  A creatinine whose unit cannot be converted is left to the scalar rule."""
        hit = self._crcl.get(window)
        if hit is not None:
            return hit
        cr = self.newest_with_value("creatinine", window)
        age = self.age
        weight = self.number("weight_kg")
        sex = self.field("sex")
        has_unit = cr.present & (cr.unit != None)  # noqa: E711 - elementwise; None: no unit given
        inputs = has_unit & ~np.isnan(age) & ~np.isnan(weight) & (sex != None)  # noqa: E711
        scr, converted = _column_convert(cr.value, cr.unit, inputs, "mg/dL", "creatinine")
        ok = inputs & converted
        scalar = inputs & ~converted
        factor = np.where(sex == "female", 0.85, 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            crcl = (140 - age) * weight / (72 * scr) * factor
        crcl = np.where(ok, crcl, np.nan)
        out = self._crcl[window] = (crcl, ok, scalar)
        return out

    def virology_encoding(self, probe: tuple[()] | tuple[str, float]) -> tuple[np.ndarray, list[int],
                                                                                list[Hashable] | None]:
        """Encoding of a virology / hepatitis-status leaf (see :func:`_hbv_dna_probe`): the virology record and,
        with a probe, the status of "HBV DNA <comparator> limit IU/mL" computed column-wise (:func:`_lab_codes`),
        so that continuous DNA values collapse to three verdicts."""
        key = ("virology", probe)
        got = self._keyed.get(key)
        if got is None:
            parts = [self.codes_of("virology")]
            if probe:
                from hcctrials.model.eligibility import LabThreshold

                cmp, limit = probe
                dna, fallback = _lab_codes(LabThreshold(analyte="hbv_dna", comparator=cast(Any, cmp), value=limit,
                                                        unit="IU/mL"), self)
                parts.append(dna.astype(np.int64) + 8 * fallback)  # hbv_dna never falls back; kept apart if it did
            inverse, reps, keys = _encode_rows(parts, self.n)
            got = self._keyed[key] = (inverse, reps, list(keys) if self.columns is not None else None)
        return got

    def encoding(self, kind: str) -> tuple[np.ndarray, list[int]] | None:
        """(index of each patient's distinct input, a representative patient per distinct input)."""
        if kind in self._encodings:
            return self._encodings[kind]
        sig = _SIGNATURES.get(kind)
        if sig is None:
            return None
        shared = False  # keys that mean the same in every batch of the process (see leaf_cache)
        if kind in _PART_SIGNATURES:
            part_sig = _PART_SIGNATURES[kind]
            group, parts, firsts = self.liver_groups()
            position: dict[Hashable, int] = {}
            reps_of: list[int] = []
            of_group = np.empty(len(parts), dtype=np.int64)
            for g, got in enumerate(parts):
                key = part_sig(got)
                j = position.get(key)
                if j is None:
                    j = position[key] = len(reps_of)
                    reps_of.append(firsts[g])
                of_group[g] = j
            self._encodings[kind] = (of_group[group] if self.n else np.empty(0, np.int64), reps_of)
            if self.columns is not None:
                self._shared_keys[kind] = list(position)
            return self._encodings[kind]
        elif self.columns is not None and kind in _COLUMN_SIGNATURES:
            fields, numbers, analytes = _COLUMN_SIGNATURES[kind]
            if not analytes:  # the key of _column_keys, dictionary-encoded with NumPy (no loop over patients)
                key_parts = [self.columns.codes[name] for name in fields]
                number_values: list[list[Any]] = []
                for name in numbers:
                    distinct, code = np.unique(self.columns.numbers[name], return_inverse=True, equal_nan=True)
                    key_parts.append(code.reshape(-1))
                    number_values.append([None if v != v else v for v in distinct.tolist()])
                by_row, firsts_of, rows = _encode_rows(key_parts, self.n)
                if number_values:
                    k = len(fields)
                    rows = [(*row[:k], *(vals[c] for vals, c in zip(number_values, row[k:]))) for row in rows]
                self._encodings[kind] = (by_row, firsts_of)
                self._shared_keys[kind] = list(rows)
                return by_row, firsts_of
            keys = _column_keys(self.columns, fields, numbers, analytes, as_of=self.as_of)
            shared = True
        elif kind in _FIELD_SIGNATURES:
            fields, extra = _FIELD_SIGNATURES[kind]
            cols = [self.frozen(name) for name in fields]
            keys = [(*(c[i] for c in cols), extra(p)) for i, p in enumerate(self.patients)]
        else:
            keys = [sig(p, self.facts(i)) for i, p in enumerate(self.patients)]
        index: dict[Hashable, int] = {}
        reps: list[int] = []
        inverse = np.empty(self.n, dtype=np.int64)
        for i, key in enumerate(keys):
            j = index.get(key)
            if j is None:
                j = index[key] = len(reps)
                reps.append(i)
            inverse[i] = j
        self._encodings[kind] = (inverse, reps)
        if shared:
            self._shared_keys[kind] = [keys[i] for i in reps]
        return inverse, reps

    def key_ids(self, space: Hashable, keys: Sequence[Hashable]) -> np.ndarray:
        """The numbers of the distinct *keys* of one space in the leaf cache (:class:`_LeafCache`), once per batch."""
        got = self._key_ids.get(space)
        if got is None:
            assert self.leaf_cache is not None
            got = self._key_ids[space] = self.leaf_cache.ids_of(space, keys)
        return got

    def shared_keys(self, kind: str) -> list[Hashable] | None:
        """The distinct keys of :meth:`encoding` (aligned with its representatives) when they mean the
        same in every batch of the process (codes of one registry generation, values), else None."""
        return self._shared_keys.get(kind)


# ----------------------------------------------------------------------------- leaves

_CMP: dict[str, Callable[[np.ndarray, np.ndarray | float], np.ndarray]] = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "==": np.equal,
}


def _range_codes(lo: np.ndarray, hi: np.ndarray, cmp: str, thr: np.ndarray | float) -> np.ndarray:
    """``leaves._cmp_interval`` over arrays: the true value lies somewhere in [lo, hi]."""
    op = _CMP[cmp]
    with np.errstate(invalid="ignore"):
        at_lo, at_hi = op(lo, thr), op(hi, thr)
        met = at_lo & at_hi
        if cmp == "==":
            met &= lo == hi
        straddle = (lo < thr) & (thr < hi)
    not_met = ~at_lo & ~at_hi & ~straddle
    return np.where(met, MET, np.where(not_met, NOT_MET, UNKNOWN)).astype(_I8)


def _ordered_range_codes(lo: np.ndarray, hi: np.ndarray, cmp: str, thr: float) -> np.ndarray:
    """:func:`_range_codes` where lo <= hi (rows where either is NaN get any code: the caller masks them): for an
    order comparison the true value satisfies it for sure when the less favourable bound does, and fails it for
    sure when the more favourable bound does (the straddling case is the rest)."""
    if cmp in ("<", "<="):
        met, fails = _CMP[cmp](hi, thr), ~_CMP[cmp](lo, thr)
    elif cmp in (">", ">="):
        met, fails = _CMP[cmp](lo, thr), ~_CMP[cmp](hi, thr)
    else:
        return _range_codes(lo, hi, cmp, thr)
    out = met.view(_I8) - fails.view(_I8)  # met and fails exclusive (lo <= hi): met 1, fails -1, else 0
    out += UNKNOWN
    return out


def _interval_codes(value: np.ndarray, lower_open: np.ndarray, upper_open: np.ndarray, cmp: str,
                    thr: np.ndarray | float) -> np.ndarray:
    """``leaves._cmp_interval`` of ``leaves._interval`` (censored results) over arrays."""
    return _range_codes(np.where(lower_open, -np.inf, value), np.where(upper_open, np.inf, value), cmp, thr)


def _lab_codes(node: Any, fc: FactColumns) -> tuple[np.ndarray, np.ndarray]:
    """(codes, scalar-fallback mask) of a LabThreshold leaf, following ``leaves._lab``."""
    from hcctrials.units import canonical_unit, normalise_unit

    window = node.look_back_days or fc.lab_window_days
    col = fc.lab(node.analyte, window)
    codes = np.full(fc.n, UNKNOWN, dtype=_I8)
    fallback = np.zeros(fc.n, dtype=bool)
    if node.analyte == "creatinine_clearance":
        fallback = ~col.present  # Cockcroft-Gault from creatinine, age, weight, sex: scalar rule
    if node.uln_multiple is not None:
        usable, no_unit = fc.lab_masks(node.analyte, window)
        has_uln = usable & ~np.isnan(col.uln)
        if has_uln.any():
            thr = node.uln_multiple * col.uln
            c = _interval_codes(col.value, col.lower_open, col.upper_open, node.comparator, thr)
            codes[has_uln] = c[has_uln]
        default = fc.default_uln.get(node.analyte)
        rest = usable & np.isnan(col.uln)
        if fc.assume_default_uln and default is not None and rest.any():
            d_uln, d_unit = default
            converted, ok = fc.lab_in(node.analyte, window, d_unit)
            vals = np.where(no_unit, col.value, converted)
            ok = ok | no_unit
            sel = rest & ok
            # as leaves._lab: an assumed ULN decides only when the whole band of ULNs in use agrees
            low, high = (_interval_codes(vals, col.lower_open, col.upper_open, node.comparator,
                                         node.uln_multiple * d_uln * k) for k in DEFAULT_ULN_BAND)
            c = np.where(low == high, low, UNKNOWN).astype(_I8)
            codes[sel] = c[sel]
        return codes, fallback
    try:
        crit_unit = normalise_unit(node.unit) if node.unit else canonical_unit(node.analyte)
    except (UnitError, KeyError):
        return codes, fallback
    sel, low, high = fc.lab_bounds(node.analyte, window, crit_unit)
    c = _ordered_range_codes(low, high, node.comparator, float(node.value))
    codes[sel] = c[sel]
    return codes, fallback


def _age_codes(node: Any, fc: FactColumns) -> np.ndarray:
    age = fc.age
    known = ~np.isnan(age)
    ok = np.ones(fc.n, dtype=bool)
    with np.errstate(invalid="ignore"):
        if node.min_years is not None:
            ok &= (age >= node.min_years) if node.min_inclusive else (age > node.min_years)
        if node.max_years is not None:
            ok &= (age <= node.max_years) if node.max_inclusive else (age < node.max_years)
    return np.where(known, np.where(ok, MET, NOT_MET), UNKNOWN).astype(_I8)


_PER_BSA = "mL/min/1.73m2"


def _crcl_per_bsa_codes(node: Any, fc: FactColumns) -> tuple[np.ndarray, np.ndarray] | None:
    """(codes, scalar-fallback mask) of "creatinine clearance <cmp> X mL/min/1.73m2", as ``leaves._lab`` and
    ``leaves._crcl_per_bsa``: a measured result in mL/min/1.73m2 within the window is compared as any lab;
    otherwise the clearance in mL/min (the newest measured one, a result without unit read as mL/min, else
    Cockcroft-Gault) times 1.73 / body surface area (Mosteller: sqrt(height cm x weight kg / 3600); Mosteller,
    N Engl J Med 1987;317:1098), or over the adult BSA band when height or weight is missing (a verdict only
    if it holds over the whole band).  None when this rule's parts are not those of the scalar engine (the
    caller then runs the scalar rule)."""
    try:
        from hcctrials.criteria.evaluation.leaves import _BSA_BAND
    except ImportError:
        return None
    if node.value is None or len(_BSA_BAND) != 2:
        return None
    window = node.look_back_days or fc.lab_window_days
    n = fc.n
    codes = np.full(n, UNKNOWN, dtype=_I8)
    fallback = np.zeros(n, dtype=bool)
    per_bsa = fc.any_lab_in_unit("creatinine_clearance", window, _PER_BSA)
    if per_bsa.any():  # a measured clearance per 1.73 m²: the ordinary lab comparison
        plain, plain_fallback = _lab_codes(node, fc)
        codes[per_bsa] = plain[per_bsa]
        fallback |= per_bsa & plain_fallback
    col = fc.newest_with_value("creatinine_clearance", window)
    measured = col.present & ~per_bsa
    src = col.unit.copy()
    src[measured & (col.unit == None)] = "mL/min"  # noqa: E711 - `lab.unit or "mL/min"`
    absolute, ok = _column_convert(col.value, src, measured, "mL/min", "creatinine_clearance")
    computed = ~col.present & ~per_bsa
    if computed.any():
        crcl, cg_ok, cg_scalar = fc.cockcroft_gault(window)
        use = computed & cg_ok
        absolute = np.where(use, crcl, absolute)
        ok = ok | use
        fallback |= computed & cg_scalar
    height = fc.number("height_cm")
    weight = fc.number("weight_kg")
    both = ~np.isnan(height) & ~np.isnan(weight)
    with np.errstate(invalid="ignore", divide="ignore"):
        bsa = np.sqrt(height * weight / 3600)
        normalised = absolute * 1.73 / bsa
        low = np.where(both, normalised, absolute * 1.73 / _BSA_BAND[1])
        high = np.where(both, normalised, absolute * 1.73 / _BSA_BAND[0])
    decided = _range_codes(low, high, node.comparator, float(node.value))
    sel = ok & ~per_bsa
    codes[sel] = decided[sel]
    return codes, fallback


def _scalar_code(node: Any, facts: PatientFacts) -> int:
    from hcctrials.criteria.evaluation.evaluate import evaluate_leaf

    return STATUS_CODES[evaluate_leaf(node, facts).status]


class _TracedFacts(PatientFacts):
    """:class:`PatientFacts` that record the name of every attribute a rule reads (``_reads``)."""

    def __getattribute__(self, name: str) -> Any:
        if name != "__class__":
            object.__getattribute__(self, "_reads").append(name)
        return super().__getattribute__(name)


def _traced_code(node: Any, fc: FactColumns, i: int) -> tuple[int, bool]:
    """(code of *node* for patient *i*, whether the rule read anything of the facts)."""
    facts = _TracedFacts(fc.patients[i], fc.as_of, fc.lab_window_days, fc.assume_default_uln, dict(fc.default_uln))
    object.__setattr__(facts, "_reads", [])
    code = _scalar_code(node, facts)
    return code, bool(object.__getattribute__(facts, "_reads"))


#: the key of a leaf's verdict in the leaf cache when its rule reads nothing of the patient
_CONSTANT = ("<reads nothing of the patient>",)


class _LeafCache(dict[tuple[int, Hashable], int]):
    """Leaf verdicts kept across the batches of one setting (:meth:`ColumnarCatalog.leaf_cache`): (leaf, key) ->
    code for a leaf whose rule reads nothing of the patient; and per space of shared keys (a leaf kind, or a
    virology probe) the distinct keys numbered in the order first seen, with one int8 table per leaf indexed by
    that number (-1: not worked out yet), so that a batch looks each distinct key up once per space, not once
    per leaf and key."""

    def __init__(self) -> None:
        super().__init__()
        self.key_ids: dict[Hashable, dict[Hashable, int]] = {}
        self.tables: dict[int, np.ndarray] = {}
        self.cells = 0  # table cells held (bounds the cache: see ColumnarCatalog.leaf_cache)

    def ids_of(self, space: Hashable, keys: Sequence[Hashable]) -> np.ndarray:
        ids = self.key_ids.setdefault(space, {})
        out = np.empty(len(keys), dtype=np.int64)
        for j, key in enumerate(keys):
            k = ids.get(key)
            if k is None:
                k = ids[key] = len(ids)
            out[j] = k
        return out

    def table(self, leaf: int, size: int) -> np.ndarray:
        """The codes of *leaf* per key number, at least *size* long (grown by doubling, new cells -1)."""
        got = self.tables.get(leaf)
        if got is None or got.size < size:
            grown = np.full(max(size, 2 * (0 if got is None else got.size), 64), -1, dtype=_I8)
            if got is not None:
                grown[:got.size] = got
            self.cells += grown.size - (0 if got is None else got.size)
            got = self.tables[leaf] = grown
        return got


def _scalar_column(node: Any, fc: FactColumns) -> np.ndarray:
    """The scalar rule per patient (a leaf kind without a column-wise rule or declared input), or once when
    it reads nothing of the patient (see the module docstring)."""
    if not fc.n:
        return np.empty(0, dtype=_I8)
    cache = fc.leaf_cache
    if cache is not None:
        code = cache.get((id(node), _CONSTANT))
        if code is not None:
            return np.full(fc.n, code, dtype=_I8)
    code, read = _traced_code(node, fc, 0)
    if not read:
        if cache is not None:
            cache[(id(node), _CONSTANT)] = code
        return np.full(fc.n, code, dtype=_I8)
    out = np.empty(fc.n, dtype=_I8)
    out[0] = code
    for i in range(1, fc.n):
        out[i] = _scalar_code(node, fc.facts(i))
    return out


def evaluate_leaf_column(node: Any, fc: FactColumns) -> np.ndarray:
    """int8 codes of one leaf over the batch (see the module docstring)."""
    kind = node.kind
    if kind == "needs_review":
        return np.full(fc.n, NEEDS_REVIEW, dtype=_I8)
    if kind == "administrative":
        return np.full(fc.n, ADMINISTRATIVE, dtype=_I8)
    if kind == "lab" and node.analyte == "creatinine_clearance" and node.unit and _norm_unit(node.unit) == _PER_BSA:
        # a clearance per 1.73 m² reads height and weight (body surface area)
        got = _crcl_per_bsa_codes(node, fc)
        if got is None:
            return _scalar_column(node, fc)
        codes, fallback = got
        for i in np.nonzero(fallback)[0].tolist():
            codes[i] = _scalar_code(node, fc.facts(i))
        return codes
    if kind == "lab":
        codes, fallback = _lab_codes(node, fc)
        if node.analyte == "creatinine_clearance" and node.value is not None and fallback.any():
            crcl, ok, scalar = fc.cockcroft_gault(node.look_back_days or fc.lab_window_days)
            with np.errstate(invalid="ignore"):
                met = _CMP[node.comparator](crcl, float(node.value))
            vec = fallback & ok
            codes[vec] = np.where(met[vec], MET, NOT_MET)
            codes[fallback & ~ok & ~scalar] = UNKNOWN
            fallback = fallback & scalar
        for i in np.nonzero(fallback)[0].tolist():
            codes[i] = _scalar_code(node, fc.facts(i))
        return codes
    if kind == "age":
        return _age_codes(node, fc)
    if kind in ("clip_score", "okuda_stage"):
        return _points_codes(node, fc)
    if kind == "hepatitis_status" and node.test == "hbv_dna_undetectable" and fc.columns is not None:
        return _hbv_dna_undetectable_codes(fc.columns, fc.lab_window_days, fc.as_of)
    if kind in ("virology", "hepatitis_status"):
        probe = _hbv_dna_probe(node)
        if probe is not None:
            return _per_distinct(node, fc, *fc.virology_encoding(probe), space=("virology", probe))
    enc = fc.encoding(kind)
    if enc is None:  # no declared input: the scalar rule per patient
        return _scalar_column(node, fc)
    inverse, reps = enc
    return _per_distinct(node, fc, inverse, reps, fc.shared_keys(kind), space=kind)


def _lab_point_mask(fc: FactColumns, analyte: str, comparator: str, value: float, unit: str) -> np.ndarray:
    """Bit mask of the points (0 / 1) one laboratory item of a score allows per patient: {1} met, {0} not met,
    {0, 1} unknown (``leaves_clip._lab_points``, column-wise; the lab rule's own scalar fallback kept)."""
    node = LabThreshold(analyte=analyte, comparator=cast(Any, comparator), value=value, unit=unit)
    codes, fallback = _lab_codes(node, fc)
    for i in np.nonzero(fallback)[0].tolist():
        codes[i] = _scalar_code(node, fc.facts(i))
    return np.where(codes == MET, 0b10, np.where(codes == NOT_MET, 0b01, 0b11)).astype(np.int64)


def _add_point_masks(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The totals of two items given as bit masks of their possible points (bit k: k points): {x + y}."""
    out = np.zeros_like(a)
    for k in range(3):  # an item gives at most 2 points
        out |= np.where((b >> k) & 1, a << k, 0)
    return out


def _points_codes(node: Any, fc: FactColumns) -> np.ndarray:
    """The CLIP score and Okuda stage leaves column-wise (``criteria.evaluation.leaves_clip``): each item's possible
    points as a bit mask per patient, their sums, then met when every possible total satisfies the criterion, not
    met when none does, else unknown.  Items read from the patient record (morphology, portal vein, ascites, share
    of the liver) use the scalar rule's own item functions per patient (cheap: no facts, no scores); Child-Pugh
    class once per liver group; the laboratory items column-wise."""
    from hcctrials.criteria.evaluation import leaves_clip as C

    n = fc.n
    if not n:
        return np.empty(0, dtype=_I8)

    def mask(points: set[int]) -> int:
        return sum(1 << k for k in points)

    def per_record(fields: tuple[str, ...], item: Callable[[Any], int]) -> np.ndarray:
        """*item* (of an object with ``.patient.<field>``) once per distinct combination of the patient fields it
        reads: from the dictionary-encoded columns when the batch was read column-wise (no patient objects)."""
        from types import SimpleNamespace

        if fc.columns is not None:
            cols = fc.columns
            inverse, _first, keys = _encode_rows([cols.codes[name] for name in fields], n)
            per_key = np.array([item(SimpleNamespace(patient=SimpleNamespace(
                **{name: cols.values[name][code] for name, code in zip(fields, key)}))) for key in keys],
                dtype=np.int64)
            return cast(np.ndarray, per_key[inverse])
        rows = [tuple(id(getattr(p, name)) for name in fields) for p in fc.patients]
        by_row = {row: p for row, p in zip(rows, fc.patients)}

        def value(row: tuple[int, ...]) -> Any:
            return SimpleNamespace(patient=by_row[row])
        done: dict[tuple[int, ...], int] = {}
        out = np.empty(n, dtype=np.int64)
        for i, row in enumerate(rows):
            got = done.get(row)
            if got is None:
                got = done[row] = item(value(row))
            out[i] = got
        return out

    if node.kind == "clip_score":
        group, parts, _firsts = fc.liver_groups()  # Child-Pugh once per liver group, as the child_pugh leaf

        def cp_class(points: int) -> int:
            return 0 if points <= 6 else 1 if points <= 9 else 2

        cp = np.array([mask(set(range(cp_class(g[0].points_min), cp_class(g[0].points_max) + 1))) for g in parts],
                      dtype=np.int64)[group]
        morph = per_record(("tumour",), lambda f: mask(C._morphology_points(f)))
        pvt = per_record(("tumour", "conditions", "history_reviewed"), lambda f: mask(C._pvt_points(f)))
        afp = _lab_point_mask(fc, "afp", ">=", 400, "ng/mL")
        totals = _add_point_masks(_add_point_masks(_add_point_masks(cp, morph), afp), pvt)
        ok_points = [t for t in range(7) if C._OPS[node.comparator](t, node.value)]
    else:
        share = per_record(("tumour",), lambda f: 0b11 if f.patient.tumour.liver_involvement_pct is None
                           else 1 << int(f.patient.tumour.liver_involvement_pct > 50))
        ascites = per_record(("liver",), lambda f: 0b11 if f.patient.liver.ascites is None
                             else 1 << int(f.patient.liver.ascites != "none"))
        albumin = _lab_point_mask(fc, "albumin", "<", 3.0, "g/dL")
        bilirubin = _lab_point_mask(fc, "bilirubin_total", ">", 3.0, "mg/dL")
        totals = _add_point_masks(_add_point_masks(_add_point_masks(share, ascites), albumin), bilirubin)
        stage = {0: "I", 1: "II", 2: "II", 3: "III", 4: "III"}
        ok_points = [t for t in range(5) if stage[t] in node.allowed]
    ok = sum(1 << t for t in ok_points)
    return np.where(totals & ~ok == 0, MET, np.where(totals & ok == 0, NOT_MET, UNKNOWN)).astype(_I8)


def _per_distinct(node: Any, fc: FactColumns, inverse: np.ndarray, reps: list[int],
                  keys: Sequence[Hashable] | None, *, space: Hashable) -> np.ndarray:
    """Codes of *node* from the scalar rule run once per distinct input (*reps*: a patient per input, *inverse*:
    each patient's input; *keys*: the inputs when they mean the same in every batch, for the leaf cache, in which
    they are numbered per *space*: the leaf kind, or the virology probe)."""
    cache = fc.leaf_cache
    if cache is None or keys is None:
        per_value = np.array([_scalar_code(node, fc.facts(i)) for i in reps], dtype=_I8)
    else:  # the scalar rule once per distinct input in the process, not per batch
        ids = fc.key_ids(space, keys)
        table = cache.table(id(node), len(cache.key_ids[space]))  # the catalog holds its leaves as long as the cache
        per_value = table[ids]
        for j in np.flatnonzero(per_value < 0).tolist():
            per_value[j] = table[ids[j]] = _scalar_code(node, fc.facts(reps[j]))
    return per_value[inverse] if fc.n else np.empty(0, dtype=_I8)


#: virology markers / hepatitis tests whose rule reads the virology record only, and those that also read the
#: HBV DNA through one threshold (criteria/evaluation/leaves_history._virology, virology.evaluate_hepatitis_status)
_VIROLOGY_RECORD_ONLY = frozenset({"hiv", "hcv_rna", "hbsag", "hbv_hcv_coinfection"})
_HEPATITIS_RECORD_ONLY = frozenset({"hbv_antiviral", "hcv_treatment_washout", "hiv_active", "hiv_on_art",
                                    "htlv1_positive"})


def _hbv_dna_probe(node: Any) -> tuple[()] | tuple[str, float] | None:
    """What of the HBV DNA results a virology / hepatitis-status leaf reads: ``()`` nothing (the virology record
    decides), ``(comparator, IU/mL)`` only the status of ``leaves._lab`` for "HBV DNA <comparator> limit IU/mL",
    None for a marker or test not listed here (the caller then keys on every HBV DNA result)."""
    if node.kind == "virology":
        marker = getattr(node, "marker", None)
        if marker in _VIROLOGY_RECORD_ONLY:
            return ()
        limit = getattr(node, "hbv_dna_max_iu_ml", None)
        if marker == "hbv_controlled" and limit is not None:
            return ("<", float(limit))
        return None
    test = getattr(node, "test", None)
    if test in _HEPATITIS_RECORD_ONLY:
        return ()
    limit = getattr(node, "hbv_dna_max_iu_ml", None)
    if test == "hbv_active":
        return (">", 2000.0 if limit is None else float(limit))
    if test == "isolated_anti_hbc":
        return ("<", 0.0 if limit is None else float(limit))
    return None


def _hbv_dna_undetectable_codes(columns: PatientColumns, window: int, as_of: date) -> np.ndarray:
    """The ``hepatitis_status`` test ``hbv_dna_undetectable`` over a batch read column-wise, following
    ``criteria.evaluation.virology._hbv_dna_undetectable`` (it reads the HBV DNA results only, not the virology
    record): the newest dated HBV DNA result on or before as_of within the lab window, with or without a value
    (:func:`_newest_rows`, as ``Patient.labs_for``), is met when its text reads negative or undetectable (the
    scalar rule's own pattern: "Target Not Detected", "undetectable", "阴性", "未检出" ...), when it is censored
    below (qualifier < or <=, e.g. "< 20" IU/mL or copies/mL: the unit is not read) or when it is 0; else not met
    when it has a value; else unknown (e.g. "pending"); unknown without a result.  The text and qualifier are the result's *shape* (the result
    without its value), so the pattern runs once per distinct shape of the batch."""
    from hcctrials.criteria.evaluation.virology import _NEGATIVE_TEXT  # the scalar rule's pattern, not a copy

    out = np.full(columns.n, UNKNOWN, dtype=_I8)
    rows, keep = _newest_rows(columns, "hbv_dna", window, as_of, False)
    if not rows.size:
        return out
    shape = columns.lab_shape[keep]
    used, local = np.unique(shape, return_inverse=True)
    negative = np.array([bool(s.text and _NEGATIVE_TEXT.search(s.text)) or s.qualifier in ("<", "<=")
                         for s in (columns.shapes[k] for k in used.tolist())], dtype=bool)
    value = columns.lab_value[keep]
    met = negative[local.reshape(-1)] | (value == 0)
    out[rows] = np.where(met, MET, np.where(np.isnan(value), UNKNOWN, NOT_MET))
    return out


def _encode_rows(parts: Sequence[np.ndarray], n: int) -> tuple[np.ndarray, list[int], list[tuple[int, ...]]]:
    """Dictionary encoding of the rows of int columns *parts*: (index of each row's distinct key, first row
    of each key, the keys)."""
    if not n:
        return np.empty(0, dtype=np.int64), [], []
    if not parts:
        return np.zeros(n, dtype=np.int64), [0], [()]
    stacked = np.stack([np.asarray(p, dtype=np.int64) for p in parts], axis=1)
    # one int64 per row (mixed radix, the first column most significant: the same order as the rows sorted
    # lexicographically, as np.unique(axis=0) sorts them, which is several times slower); when the next column
    # would overflow it, the key so far is first replaced by its rank among the batch's keys (same order)
    low, high = stacked.min(axis=0), stacked.max(axis=0)
    key = np.zeros(n, dtype=np.int64)
    top = 0  # the largest key so far
    for k, r in enumerate((high - low + 1).tolist()):
        if (top + 1) * r >= 2 ** 62:
            _, rank = np.unique(key, return_inverse=True)
            key = rank.reshape(n).astype(np.int64)
            top = int(key.max())
        key = key * r + (stacked[:, k] - low[k])
        top = top * r + r - 1
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    distinct = stacked[first]
    return inverse.reshape(n).astype(np.int64), first.tolist(), [tuple(r) for r in distinct.tolist()]


# ----------------------------------------------------------------------------- catalog


@dataclass
class BatchVerdicts:
    """Per compiled trial x patient: status (0 eligible, 1 possibly, 2 ineligible), unknown
    count, first failing and first unknown criterion (index into ``ColumnarCatalog.criteria``,
    the trial's own criterion; -1 if none)."""

    status: np.ndarray  # int8 (n_trials, n_patients)
    n_unknown: np.ndarray  # int32 (n_trials, n_patients)
    deciding: np.ndarray  # int32 (n_trials, n_patients)
    first_unknown: np.ndarray  # int32 (n_trials, n_patients)


@dataclass
class ScreenVerdicts:
    """Per compiled trial x patient: verdict code (0 eligible, 1 possibly, 2 ineligible, 3 no criteria),
    undecided count (unknown or needs review) and the criterion that tells why (index into
    ``ColumnarCatalog.criteria``: the first failing criterion of an ineligible trial, the first
    undecided one of a possibly eligible trial; -1 otherwise)."""

    status: np.ndarray  # int8 (n_trials, n_patients)
    n_unknown: np.ndarray  # int32 (n_trials, n_patients)
    first: np.ndarray  # int32 (n_trials, n_patients)


class ColumnarCatalog:
    """A :class:`CompiledCatalog` flattened for column-wise evaluation (built once, reused per batch)."""

    def __init__(self, catalog: CompiledCatalog) -> None:
        self.catalog = catalog
        self.leaves = catalog.leaves
        n_leaves = len(self.leaves)
        nodes: list[tuple[str, tuple[int, ...]]] = []  # composites: (op, child node ids)
        memo: dict[object, int] = {}
        height: list[int] = []

        def visit(prog: object) -> tuple[int, int]:
            if isinstance(prog, int):
                return prog, 0
            hit = memo.get(prog)
            if hit is not None:
                return hit, height[hit - n_leaves]
            # a composite program is (op, args): args one program for "n", a tuple of them otherwise
            # (CompiledCatalog.program); leaves are ints (handled above)
            op, args = cast("tuple[str, Any]", prog)
            kids = [visit(args)] if op == "n" else [visit(a) for a in args]
            h = 1 + max((k[1] for k in kids), default=0)
            idx = n_leaves + len(nodes)
            nodes.append((op, tuple(k[0] for k in kids)))
            height.append(h)
            memo[prog] = idx
            return idx, h

        self.rule_root = np.array([visit(p)[0] for p in catalog.programs], dtype=np.int64)
        self.n_nodes = n_leaves + len(nodes)
        self.exclusion = np.array(catalog.exclusion, dtype=bool)
        # level plan: per height, per op: node ids, flat children, segment starts
        self.levels: list[list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]] = []
        for h in range(1, max(height, default=0) + 1):
            plan = []
            empty = [n_leaves + k for k, (o, ks) in enumerate(nodes) if not ks and height[k] == h]
            if empty:  # an all-of / any-of without children is administrative (combine_all([]))
                plan.append(("e", np.array(empty, dtype=np.int64), np.empty(0, np.int64), np.empty(0, np.int64)))
            for op in ("a", "o", "n"):
                ids = [n_leaves + k for k, (o, ks) in enumerate(nodes) if o == op and ks and height[k] == h]
                if not ids:
                    continue
                kids = [nodes[i - n_leaves][1] for i in ids]
                flat = np.array([c for ks in kids for c in ks], dtype=np.int64)
                lens = np.array([len(ks) for ks in kids], dtype=np.int64)
                starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
                plan.append((op, np.array(ids, dtype=np.int64), flat, starts))
            self.levels.append(plan)
        self.criterion_ids = catalog.criterion_ids
        self.offsets = catalog.offsets
        self.n_trials = len(catalog.trials)
        #: every trial's criteria in the catalog's flat order (criteria excluded from matching left out)
        self.criteria = [c for t in catalog.trials for c in t.criteria if not c.exclude_from_matching]
        self.labels = [f"{c.role} {c.number}: {c.text}" for c in self.criteria]
        self._plan_screen(nodes, n_leaves)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled as the compiled catalog's structure (a broadcast to Spark executors, a worker
        process): :class:`CompiledCatalog` holds compiled closures, which are rebuilt on load
        (:meth:`CompiledCatalog.from_structure`).  The leaf cache stays behind (its keys are the
        leaves' identities in this process)."""
        state = dict(self.__dict__)
        state.pop("_leaf_cache", None)
        cat = self.catalog
        state["catalog"] = (list(cat.trials), list(cat.rules), cat.leaves, cat.programs, cat.exclusion,
                            cat.criterion_ids, cat.offsets)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        parts = state["catalog"]
        state["catalog"] = CompiledCatalog.from_structure(*parts)
        self.__dict__.update(state)

    def _plan_screen(self, nodes: list[tuple[str, tuple[int, ...]]], n_leaves: int) -> None:
        """Constant folding for :meth:`screen_trials`: a rule whose leaves are all needs-review or
        administrative has the same code for every patient, so its criteria are reduced once here
        (per trial: the encoded maximum and the undecided count) and only the others per batch."""
        const = np.full(self.n_nodes, -1, dtype=np.int64)  # constant code of a node, -1 when it varies
        for i, leaf in enumerate(self.leaves):
            kind = getattr(leaf, "kind", None)
            if kind == "needs_review":
                const[i] = NEEDS_REVIEW
            elif kind == "administrative":
                const[i] = ADMINISTRATIVE
        for k, (op, kids) in enumerate(nodes):  # children come before their parent (post-order)
            codes = [int(const[c]) for c in kids]
            if any(c < 0 for c in codes):
                continue
            if not codes:
                const[n_leaves + k] = ADMINISTRATIVE
            elif op == "n":
                const[n_leaves + k] = int(_NOT[codes[0]])
            elif op == "a":
                const[n_leaves + k] = int(_ALL_RANK[min(int(_ALL_RANK[c]) for c in codes)])
            else:
                const[n_leaves + k] = int(_ANY_BACK[max(int(_ANY_RANK[c]) for c in codes)])
        rule_const = const[self.rule_root]
        rule_trial = np.full(rule_const.size, -1, dtype=np.int64)  # trial-view code of constant rules
        fixed = rule_const >= 0
        view = rule_const[fixed].astype(np.int64)
        view = np.where(self.exclusion[fixed], _NOT[view], view)
        rule_trial[fixed] = _TRIAL[view]
        C = int(self.criterion_ids.size)
        starts = self.offsets[:-1]
        lengths = self.offsets[1:] - starts
        local = np.arange(C, dtype=np.int64) - np.repeat(starts, lengths)
        trial_of = np.repeat(np.arange(self.n_trials, dtype=np.int64), lengths)
        #: K: one more than the longest trial; a criterion is encoded code * K + (K - 1 - position), so the
        #: maximum over a trial gives its verdict (code) and the first criterion with that code (position)
        self._K = int(lengths.max(initial=0)) + 1
        self._edt = np.uint16 if 3 * self._K < np.iinfo(np.uint16).max else np.uint32
        crit_const = rule_trial[self.criterion_ids] if C else np.empty(0, np.int64)
        is_const = crit_const >= 0
        enc = crit_const * self._K + (self._K - 1 - local)
        self._const_v = np.zeros(self.n_trials, dtype=np.int64)
        np.maximum.at(self._const_v, trial_of[is_const], enc[is_const])
        self._const_unknown = np.bincount(trial_of[is_const & (crit_const == 1)], minlength=self.n_trials)
        var = np.nonzero(~is_const)[0]
        self._var_rules = self.criterion_ids[var]
        self._var_rank = (self._K - 1 - local[var]).astype(self._edt)[:, None]
        var_trial = trial_of[var]
        self._var_trials = np.unique(var_trial)  # trials with at least one varying criterion
        self._var_starts = np.searchsorted(var_trial, self._var_trials).astype(np.int64)
        self._var_needed = np.unique(self._var_rules)
        # slot-major order for the reductions of _screen_columns: the trials with varying criteria sorted by
        # how many they have (most first), then slot s = every such trial's s-th varying criterion; the trials
        # with more than s such criteria are a prefix of that order, so a trial-wise maximum (sum) over the
        # criteria is one element-wise maximum (sum) per slot over contiguous blocks, instead of a reduceat
        # whose per-segment calls cost more than the arithmetic (segments average ~14 criteria)
        per_trial = np.diff(np.r_[self._var_starts, var.size]).astype(np.int64)
        order = np.argsort(-per_trial, kind="stable")
        longest_var = int(per_trial.max(initial=0))
        self._slot_lens = np.array([np.count_nonzero(per_trial > s) for s in range(longest_var)], dtype=np.int64)
        self._slot_offs = np.r_[0, np.cumsum(self._slot_lens)].astype(np.int64)
        slot = (np.concatenate([self._var_starts[order[:k]] + s for s, k in enumerate(self._slot_lens.tolist())])
                if longest_var else np.empty(0, np.int64))
        self._slot_rules = self._var_rules[slot]
        self._slot_rank = self._var_rank[slot]
        self._slot_trials = self._var_trials[order]
        self._cdt = next(t for t in (np.uint8, np.uint16, np.uint32) if longest_var < np.iinfo(t).max)
        self._nonempty = lengths > 0
        self._starts = starts

    def screen_trials(self, rule_codes: np.ndarray, *, chunk: int | None = None) -> ScreenVerdicts:
        """Per trial x patient: verdict code, undecided count and the criterion that tells why (the first
        failing one of an ineligible trial, the first undecided one of a possibly eligible trial), with
        one reduction per criterion and batch (constant criteria folded in once, :meth:`_plan_screen`).

        Same verdicts and criteria as :meth:`combine_trials` (and so :func:`decide_trial_verdict`): the
        maximum of ``code * K + (K - 1 - position)`` over a trial's criteria is the maximum code, and
        among the criteria with that code the first one."""
        got, inverse = self.screen_distinct(rule_codes, chunk=chunk)
        if inverse is None:
            return got
        return ScreenVerdicts(got.status[:, inverse], got.n_unknown[:, inverse], got.first[:, inverse])

    def distinct_columns(self, rule_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(first patient of each distinct column, each patient's distinct column) of the criteria that vary
        (:meth:`_plan_screen`), or None when nearly every patient's column is distinct (not worth it)."""
        n = rule_codes.shape[1]
        if n <= 1 or not self._var_needed.size:
            return None
        varying = np.ascontiguousarray(rule_codes[self._var_needed].T)
        keys = varying.view(np.dtype((np.void, varying.shape[1]))).ravel()
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        if first.size >= 0.9 * n:
            return None
        return first, inverse.ravel()

    def screen_distinct(self, rule_codes: np.ndarray, *,
                        chunk: int | None = None) -> tuple[ScreenVerdicts, np.ndarray | None]:
        """:meth:`screen_trials` reduced once per distinct column of varying criterion codes: patients with the
        same codes for every varying criterion get the same verdicts (exact; in a cohort many patients differ
        only in values that decide no criterion differently).  Returns (verdicts per distinct column, each
        patient's column), or (verdicts per patient, None) when the columns are (nearly) all distinct."""
        got = self.distinct_columns(rule_codes)
        if got is None:
            return self._screen_columns(rule_codes, chunk=chunk), None
        first, inverse = got
        return self._screen_columns(rule_codes[:, first], chunk=chunk), inverse

    def _screen_columns(self, rule_codes: np.ndarray, *, chunk: int | None = None) -> ScreenVerdicts:
        n = rule_codes.shape[1]
        K = self._K
        edt = self._edt
        v = np.empty((self.n_trials, n), dtype=edt)
        v[:] = self._const_v.astype(edt)[:, None]
        n_unknown = np.empty((self.n_trials, n), dtype=np.int32)
        n_unknown[:] = self._const_unknown.astype(np.int32)[:, None]
        if self._slot_rules.size and n:
            if chunk is None:  # blocks of ~1.5 MiB of encoded criteria (measured best: 128 columns of 14k criteria)
                chunk = max(16, min(512, (1 << 21) // int(self._slot_rules.size)))
            lens = self._slot_lens.tolist()
            offs = self._slot_offs.tolist()
            top = np.empty((lens[0], n), dtype=edt)  # per trial with varying criteria (slot order) x patient
            undecided = np.empty((lens[0], n), dtype=self._cdt)
            for a in range(0, n, chunk):
                per = rule_codes[self._slot_rules, a:a + chunk]
                enc: np.ndarray = per.astype(edt)
                enc *= edt(K)
                enc += self._slot_rank
                unknown = (per == 1).view(np.uint8)
                t, u = top[:, a:a + chunk], undecided[:, a:a + chunk]
                t[...] = enc[:lens[0]]
                u[...] = unknown[:lens[0]]
                for k, o in zip(lens[1:], offs[1:]):
                    np.maximum(t[:k], enc[o:o + k], out=t[:k])
                    np.add(u[:k], unknown[o:o + k], out=u[:k])
            rows = self._slot_trials
            v[rows] = np.maximum(v[rows], top)
            n_unknown[rows] += undecided
        code = v // edt(K)
        status = code.astype(_I8)
        first = np.where(code > 0, self._starts[:, None] + ((K - 1) - (v - code * edt(K))).astype(np.int64),
                         -1).astype(np.int32)
        status[~self._nonempty] = NO_CRITERIA
        first[~self._nonempty] = -1
        return ScreenVerdicts(status, n_unknown, first)

    def screen(self, fc: FactColumns, *, trials: np.ndarray | None = None) -> ScreenVerdicts:
        """:meth:`screen_trials` of the batch in *fc*.  With *trials* (bool per compiled trial) only the
        leaves of those trials are evaluated: the verdicts of the other trials are meaningless (the
        caller does not read them: e.g. trials of another condition than every patient's in the batch)."""
        return self.screen_trials(self.rule_codes(fc, needed=self.needed_nodes(trials)))

    def leaf_cache(self, fc: FactColumns) -> _LeafCache | None:
        """The leaf verdicts kept across batches for *fc*'s settings (evaluation date, lab window, ULNs,
        registry generation of its columns); one setting at a time, bounded (2M keys, 64M table cells: 64 MiB)."""
        if fc.columns is None:
            return None
        setting = (fc.columns.generation, fc.as_of, fc.lab_window_days, fc.assume_default_uln,
                   tuple(sorted(fc.default_uln.items())))
        held: tuple[Hashable, _LeafCache] | None = getattr(self, "_leaf_cache", None)
        if (held is None or held[0] != setting or len(held[1]) > 2_000_000 or held[1].cells > 64_000_000
                or sum(map(len, held[1].key_ids.values())) > 2_000_000):
            held = (setting, _LeafCache())
            self._leaf_cache = held
        return held[1]

    def needed_nodes(self, trials: np.ndarray | None) -> np.ndarray | None:
        """Bool per node: needed by the criteria of *trials* (None: every node)."""
        if trials is None or bool(np.all(trials)):
            return None
        needed = np.zeros(self.n_nodes, dtype=bool)
        lengths = self.offsets[1:] - self.offsets[:-1]
        rules = self.criterion_ids[np.repeat(np.asarray(trials, dtype=bool), lengths)]
        needed[self.rule_root[rules]] = True
        for plan in reversed(self.levels):  # parents before children
            for op, ids, flat, starts in plan:
                if op == "e" or not flat.size:
                    continue
                mask = needed[ids]
                if mask.any():
                    kids = np.diff(np.r_[starts, flat.size])
                    needed[flat[np.repeat(mask, kids)]] = True
        return needed

    def leaf_codes(self, fc: FactColumns, *, needed: np.ndarray | None = None) -> np.ndarray:
        """(n_leaves, n_patients) int8 codes of the *needed* leaves for the batch (the others are left not met),
        with the leaf verdicts kept across batches (:meth:`leaf_cache`)."""
        if fc.leaf_cache is None:
            fc.leaf_cache = self.leaf_cache(fc)
        values = np.zeros((len(self.leaves), fc.n), dtype=_I8)
        for i, leaf in enumerate(self.leaves):
            if needed is None or needed[i]:
                values[i] = evaluate_leaf_column(leaf, fc)
        return values

    def tree_codes(self, leaf_values: np.ndarray) -> np.ndarray:
        """(n_nodes, m) int8 codes of every node from the (n_leaves, m) codes of the leaves (any m columns:
        patients, or distinct columns of leaf codes)."""
        n_leaves = len(self.leaves)
        values = np.empty((self.n_nodes, leaf_values.shape[1]), dtype=_I8)
        values[:n_leaves] = leaf_values
        values[n_leaves:] = NOT_MET  # every composite is set by its level below; this keeps the array defined
        for plan in self.levels:
            for op, ids, flat, starts in plan:
                if op == "e":
                    values[ids] = ADMINISTRATIVE
                    continue
                child = values[flat]
                if op == "n":
                    values[ids] = _NOT[child]
                elif op == "a":
                    values[ids] = _ALL_RANK[np.minimum.reduceat(_ALL_RANK[child], starts, axis=0)]
                else:
                    values[ids] = _ANY_BACK[np.maximum.reduceat(_ANY_RANK[child], starts, axis=0)]
        return values

    def node_codes(self, fc: FactColumns, *, needed: np.ndarray | None = None) -> np.ndarray:
        """(n_nodes, n_patients) int8 codes of every node for the batch (of the *needed* leaves only:
        the others are left not met, and so are the nodes above them)."""
        return self.tree_codes(self.leaf_codes(fc, needed=needed))

    def criterion_codes(self, node_values: np.ndarray) -> np.ndarray:
        """(n_rules, m) criterion codes in the trial's view (0 fine, 1 unknown, 2 not met) from node codes."""
        crit = node_values[self.rule_root]
        if self.exclusion.any():
            crit[self.exclusion] = _NOT[crit[self.exclusion]]
        codes: np.ndarray = _TRIAL[crit]
        return codes

    def rule_codes(self, fc: FactColumns, *, needed: np.ndarray | None = None) -> np.ndarray:
        """(n_rules, n_patients) criterion codes in the trial's view: 0 fine, 1 unknown, 2 not met."""
        return self.criterion_codes(self.node_codes(fc, needed=needed))

    def combine_trials(self, rule_codes: np.ndarray, *, chunk: int | None = None) -> BatchVerdicts:
        """Per-trial reductions over each trial's criteria, in chunks of patients (bounded memory)."""
        n = rule_codes.shape[1]
        T = self.n_trials
        status = np.full((T, n), NO_CRITERIA, dtype=_I8)
        n_unknown = np.zeros((T, n), dtype=np.int32)
        deciding = np.full((T, n), -1, dtype=np.int32)
        first_unknown = np.full((T, n), -1, dtype=np.int32)
        C = int(self.criterion_ids.size)
        if C == 0 or n == 0:
            return BatchVerdicts(status, n_unknown, deciding, first_unknown)
        if chunk is None:  # ~1 MiB of int8 per (criteria x patients) block: stays in cache (measured best)
            chunk = max(8, min(512, (1 << 20) // C))
        starts = self.offsets[:-1]
        lengths = self.offsets[1:] - starts
        nonempty = lengths > 0
        safe = np.minimum(starts, C - 1)
        # positions local to the trial in the narrowest unsigned type (uint8 when every trial has
        # < 255 criteria: a quarter of the memory traffic of int32 reductions); status follows from the two first-position reductions
        # (a failing criterion -> ineligible, else an unknown one -> possibly eligible).
        longest = int(lengths.max(initial=0))
        pdt = next(t for t in (np.uint8, np.uint16, np.uint32) if longest < np.iinfo(t).max)
        big = np.iinfo(pdt).max
        local = (np.arange(C, dtype=np.int64) - np.repeat(starts, lengths)).astype(pdt)[:, None]
        base = starts.astype(np.int32)[:, None]
        cdt = pdt
        for a in range(0, n, chunk):
            per = rule_codes[self.criterion_ids, a:a + chunk]
            unk = per == 1
            cnt = np.add.reduceat(unk, safe, axis=0, dtype=cdt)
            n_unknown[nonempty, a:a + chunk] = cnt[nonempty]
            firsts = []
            for mask, target in ((per == 2, deciding), (unk, first_unknown)):
                first = np.minimum.reduceat(np.where(mask, local, big), safe, axis=0)
                found = (first != big) & nonempty[:, None]
                target[:, a:a + chunk] = np.where(found, base + first.astype(np.int32), -1)
                firsts.append(found)
            status[:, a:a + chunk] = np.where(firsts[0], 2, np.where(firsts[1], 1, np.where(nonempty[:, None], 0, NO_CRITERIA)))
        return BatchVerdicts(status, n_unknown, deciding, first_unknown)


def evaluate_columnar(catalog: ColumnarCatalog | CompiledCatalog, patients: Sequence[Patient], *, as_of: date,
                      lab_window_days: int = 28, assume_default_uln: bool = True) -> BatchVerdicts:
    """Verdict codes of every patient of *patients* against every trial of *catalog* on *as_of* (pure)."""
    cat = catalog if isinstance(catalog, ColumnarCatalog) else ColumnarCatalog(catalog)
    fc = FactColumns(patients, as_of, lab_window_days=lab_window_days, assume_default_uln=assume_default_uln)
    return cat.combine_trials(cat.rule_codes(fc))
