"""CTCAE v5.0 grades for the laboratory adverse events used in HCC trials, and hypertension.

Source: NCI CTEP, Common Terminology Criteria for Adverse Events v5.0 (27 Nov 2017);
hcc-domain.md §4 (thresholds), §11 item 6 (v5.0, not v6.0; hypertension grade 3 is
"SBP ≥ 160 or DBP ≥ 100").  Terms beyond the §4 table (ALP, GGT, lymphocyte/WBC decreased,
hypoalbuminemia, hyponatremia, hyper-/hypokalemia, proteinuria, INR increased) follow the same
v5.0 document.

A lab value alone cannot establish grades defined by clinical consequences (transfusion,
symptoms, hospitalisation, life-threatening): such results set ``grade_is_lower_bound``.
Grade 5 (death) is never assigned from a lab value.  "Baseline abnormal" rules (ALT, AST,
bilirubin, ALP, GGT) apply when ``baseline`` exceeds the ULN; without a baseline the
baseline-normal rule is used and named in ``assumptions``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hcctrials.errors import ValidationError
from hcctrials.i18n import msg
from hcctrials.units import convert

__all__ = ["CtcaeGrade", "grade_ctcae", "CTCAE_TERMS", "resolve_ctcae_term", "CTCAE_VERSION"]

CTCAE_VERSION = "5.0"

#: canonical v5.0 term -> analyte it grades
CTCAE_TERMS: dict[str, str] = {
    "Alanine aminotransferase increased": "alt",
    "Aspartate aminotransferase increased": "ast",
    "Blood bilirubin increased": "bilirubin_total",
    "Alkaline phosphatase increased": "alp",
    "GGT increased": "ggt",
    "Creatinine increased": "creatinine",
    "Platelet count decreased": "platelets",
    "Neutrophil count decreased": "anc",
    "Lymphocyte count decreased": "lymphocytes",
    "White blood cell decreased": "wbc",
    "Anemia": "hemoglobin",
    "Hypoalbuminemia": "albumin",
    "Hyponatremia": "sodium",
    "Hyperkalemia": "potassium",
    "Hypokalemia": "potassium",
    "Proteinuria": "urine_protein_24h",
    "INR increased": "inr",
    "Hypertension": "systolic_bp",
}

_ALIASES = {
    "alt increased": "Alanine aminotransferase increased", "alt": "Alanine aminotransferase increased",
    "ast increased": "Aspartate aminotransferase increased", "ast": "Aspartate aminotransferase increased",
    "bilirubin increased": "Blood bilirubin increased", "hyperbilirubinemia": "Blood bilirubin increased",
    "bilirubin": "Blood bilirubin increased",
    "alp increased": "Alkaline phosphatase increased", "alp": "Alkaline phosphatase increased",
    "ggt": "GGT increased", "creatinine": "Creatinine increased",
    "platelets decreased": "Platelet count decreased", "thrombocytopenia": "Platelet count decreased",
    "platelets": "Platelet count decreased",
    "neutropenia": "Neutrophil count decreased", "anc decreased": "Neutrophil count decreased",
    "anc": "Neutrophil count decreased",
    "lymphopenia": "Lymphocyte count decreased", "lymphocytes": "Lymphocyte count decreased",
    "leukopenia": "White blood cell decreased", "wbc decreased": "White blood cell decreased",
    "wbc": "White blood cell decreased",
    "anaemia": "Anemia", "hemoglobin": "Anemia", "haemoglobin": "Anemia",
    "inr": "INR increased",
}


def resolve_ctcae_term(term: str) -> str:
    """Canonical v5.0 term for *term* (case-insensitive; common synonyms)."""
    key = re.sub(r"\s+", " ", term.strip()).lower()
    for name in CTCAE_TERMS:
        if name.lower() == key:
            return name
    if key in _ALIASES:
        return _ALIASES[key]
    raise ValidationError(msg("unknown or unsupported CTCAE term"), field="term", value=term,
                          hint="supported: " + "; ".join(CTCAE_TERMS))


@dataclass(frozen=True, slots=True)
class CtcaeGrade:
    grade: int | None
    term: str
    criterion: str
    version: str = CTCAE_VERSION
    grade_is_lower_bound: bool = False
    missing: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    inputs: dict[str, object] = field(default_factory=dict)


# (multiple lower bounds of grades 1..4) for ULN-relative "increased" terms, baseline normal /
# baseline abnormal; a value must be > bound (grade 1 baseline-normal: > 1.0 × ULN).
_INCREASED = {
    "Alanine aminotransferase increased": ((1.0, 3.0, 5.0, 20.0), (1.5, 3.0, 5.0, 20.0)),
    "Aspartate aminotransferase increased": ((1.0, 3.0, 5.0, 20.0), (1.5, 3.0, 5.0, 20.0)),
    "Blood bilirubin increased": ((1.0, 1.5, 3.0, 10.0), (1.0, 1.5, 3.0, 10.0)),
    "Alkaline phosphatase increased": ((1.0, 2.5, 5.0, 20.0), (2.0, 2.5, 5.0, 20.0)),
    "GGT increased": ((1.0, 2.5, 5.0, 20.0), (2.0, 2.5, 5.0, 20.0)),
}
_INCLUSIVE_G1_ABNORMAL = {"Alanine aminotransferase increased", "Aspartate aminotransferase increased",
                          "Alkaline phosphatase increased", "GGT increased"}
# decreased terms: thresholds (canonical unit) below which grade 2, 3, 4 apply; grade 1 < LLN.
_DECREASED = {
    "Platelet count decreased": (75.0, 50.0, 25.0),
    "Neutrophil count decreased": (1.5, 1.0, 0.5),
    "Lymphocyte count decreased": (0.8, 0.5, 0.2),
    "White blood cell decreased": (3.0, 2.0, 1.0),
    "Anemia": (100.0, 80.0, None),
    "Hypoalbuminemia": (30.0, 20.0, None),
}


def _r(x: float) -> float:
    return round(x, 9)


def _grade_increased(term: str, v: float, uln: float | None, baseline: float | None,
                     ) -> tuple[int | None, str, tuple[str, ...], tuple[str, ...]]:
    normal, abnormal = _INCREASED[term]
    if uln is None:
        return None, "ULN needed", ("uln",), ()
    if baseline is not None and baseline > uln:
        ratio, ref, bounds = _r(v / baseline), "baseline", abnormal
        g1_inclusive = term in _INCLUSIVE_G1_ABNORMAL
        assumptions: tuple[str, ...] = ()
    else:
        ratio, ref, bounds = _r(v / uln), "ULN", normal
        g1_inclusive = False
        assumptions = () if baseline is not None else (
            "baseline not given: baseline-normal rule (multiples of ULN)",)
    grade = 0
    for g, bound in enumerate(bounds, start=1):
        if ratio > bound or (g == 1 and g1_inclusive and ratio >= bound):
            grade = g
    text = f"{ratio:g} × {ref}"
    return grade, text, (), assumptions


def grade_ctcae(term: str, *, value: float | str | None, unit: str | None, uln: float | None = None,
                lln: float | None = None, baseline: float | None = None,
                diastolic: float | None = None, symptomatic: bool | None = None,
                on_anticoagulation: bool = False) -> CtcaeGrade:
    """CTCAE v5.0 grade of a lab value for *term*.

    ``value``/``uln``/``lln``/``baseline`` are in ``unit`` (converted to the analyte's canonical
    unit with :func:`hcctrials.units.convert`).  Proteinuria accepts a dipstick ``value`` such
    as ``"2+"`` (``unit=None``) or g/24 h.  Hypertension: ``value`` = systolic, ``diastolic=``.
    """
    name = resolve_ctcae_term(term)
    analyte = CTCAE_TERMS[name]
    inputs: dict[str, object] = {"value": value, "unit": unit, "uln": uln, "lln": lln,
                                 "baseline": baseline}
    if name == "Proteinuria" and isinstance(value, str):
        return _proteinuria_dipstick(value, inputs)
    if name == "Hypertension":
        return _hypertension(value, diastolic, unit, inputs)
    if value is None:
        return CtcaeGrade(None, name, "value missing", missing=("value",), inputs=inputs)
    if isinstance(value, str):
        raise ValidationError(msg("numeric value expected"), field=name, value=value)
    for label, x in (("value", value), ("uln", uln), ("lln", lln), ("baseline", baseline)):
        if x is not None and x < 0:
            raise ValidationError(msg("must not be negative"), field=f"{name}.{label}", value=x)
    src = unit if unit is not None else "1"

    def c(x: float | None) -> float | None:
        if x is None:
            return None
        from hcctrials.units import canonical_unit

        return convert(x, src, canonical_unit(analyte), analyte=analyte)

    v, u, lo, b = c(value), c(uln), c(lln), c(baseline)
    assert v is not None
    if name in _INCREASED:
        grade, text, missing, assumptions = _grade_increased(name, v, u, b)
        return CtcaeGrade(grade, name, text, missing=missing, assumptions=assumptions, inputs=inputs)
    if name == "Creatinine increased":
        return _creatinine(v, u, b, inputs)
    if name in _DECREASED:
        return _decreased(name, v, lo, inputs)
    if name == "Hyponatremia":
        return _sodium(v, lo, symptomatic, inputs)
    if name in ("Hyperkalemia", "Hypokalemia"):
        return _potassium(name, v, u, lo, symptomatic, inputs)
    if name == "INR increased":
        return _inr(v, b, on_anticoagulation, inputs)
    if name == "Proteinuria":
        return _proteinuria_24h(v, u, inputs)
    raise AssertionError(name)  # pragma: no cover


def _creatinine(v: float, uln: float | None, baseline: float | None,
                inputs: dict[str, object]) -> CtcaeGrade:
    name = "Creatinine increased"
    grade_base = 0
    if baseline is not None and baseline > 0:
        rb = _r(v / baseline)
        grade_base = 3 if rb > 3 else 2 if rb > 1.5 else 0
    if uln is None:
        if grade_base:
            return CtcaeGrade(grade_base, name, f"> {1.5 if grade_base == 2 else 3.0} × baseline",
                              grade_is_lower_bound=True, missing=("uln",), inputs=inputs)
        return CtcaeGrade(None, name, "ULN needed", missing=("uln",), inputs=inputs)
    r = _r(v / uln)
    grade_uln = 4 if r > 6 else 3 if r > 3 else 2 if r > 1.5 else 1 if r > 1 else 0
    grade = max(grade_uln, grade_base)
    return CtcaeGrade(grade, name, f"{_r(v / uln):g} × ULN" + (
        f", {_r(v / baseline):g} × baseline" if baseline else ""), inputs=inputs)


def _decreased(name: str, v: float, lln: float | None, inputs: dict[str, object]) -> CtcaeGrade:
    g2, g3, g4 = _DECREASED[name]
    lower_bound = name in ("Anemia", "Hypoalbuminemia")
    if g4 is not None and v < g4:
        return CtcaeGrade(4, name, f"< {g4:g}", inputs=inputs)
    if v < g3:
        return CtcaeGrade(3, name, f"< {g3:g}", grade_is_lower_bound=lower_bound, inputs=inputs)
    if v < g2:
        return CtcaeGrade(2, name, f"< {g2:g} - {g3:g}", inputs=inputs)
    if lln is None:
        return CtcaeGrade(None, name, f"≥ {g2:g}: grade 0 or 1 depending on LLN", missing=("lln",),
                          inputs=inputs)
    if v < lln:
        return CtcaeGrade(1, name, f"< LLN - {g2:g}", inputs=inputs)
    return CtcaeGrade(0, name, "≥ LLN", inputs=inputs)


def _sodium(v: float, lln: float | None, symptomatic: bool | None,
            inputs: dict[str, object]) -> CtcaeGrade:
    name = "Hyponatremia"
    if v < 120:
        return CtcaeGrade(4, name, "< 120 mmol/L", inputs=inputs)
    if v < 125:
        return CtcaeGrade(3, name, "120-124 mmol/L", inputs=inputs)
    if v < 130:
        if symptomatic:
            return CtcaeGrade(3, name, "125-129 mmol/L, symptomatic", inputs=inputs)
        return CtcaeGrade(2, name, "125-129 mmol/L (grade 3 if symptomatic)",
                          grade_is_lower_bound=symptomatic is None, inputs=inputs)
    if lln is None:
        return CtcaeGrade(None, name, "≥ 130: grade 0 or 1 depending on LLN", missing=("lln",),
                          inputs=inputs)
    return CtcaeGrade(1 if v < lln else 0, name, "< LLN - 130 mmol/L" if v < lln else "≥ LLN",
                      inputs=inputs)


def _potassium(name: str, v: float, uln: float | None, lln: float | None,
               symptomatic: bool | None, inputs: dict[str, object]) -> CtcaeGrade:
    if name == "Hyperkalemia":
        if v > 7.0:
            return CtcaeGrade(4, name, "> 7.0 mmol/L", inputs=inputs)
        if v > 6.0:
            return CtcaeGrade(3, name, "> 6.0 - 7.0 mmol/L", inputs=inputs)
        if v > 5.5:
            return CtcaeGrade(2, name, "> 5.5 - 6.0 mmol/L", inputs=inputs)
        if uln is None:
            return CtcaeGrade(None, name, "≤ 5.5: grade 0 or 1 depending on ULN", missing=("uln",),
                              inputs=inputs)
        return CtcaeGrade(1 if v > uln else 0, name, "> ULN - 5.5 mmol/L" if v > uln else "≤ ULN",
                          inputs=inputs)
    if v < 2.5:
        return CtcaeGrade(4, name, "< 2.5 mmol/L", inputs=inputs)
    if v < 3.0:
        return CtcaeGrade(3, name, "< 3.0 - 2.5 mmol/L", inputs=inputs)
    if lln is None:
        return CtcaeGrade(None, name, "≥ 3.0: grade 0-2 depending on LLN and symptoms",
                          missing=("lln",), inputs=inputs)
    if v < lln:
        if symptomatic:
            return CtcaeGrade(2, name, "< LLN - 3.0 mmol/L, symptomatic", inputs=inputs)
        return CtcaeGrade(1, name, "< LLN - 3.0 mmol/L (grade 2 if symptomatic)",
                          grade_is_lower_bound=symptomatic is None, inputs=inputs)
    return CtcaeGrade(0, name, "≥ LLN", inputs=inputs)


def _inr(v: float, baseline: float | None, anticoagulated: bool,
         inputs: dict[str, object]) -> CtcaeGrade:
    name = "INR increased"
    if anticoagulated:
        if baseline is None:
            return CtcaeGrade(None, name, "on anticoagulation: baseline INR needed",
                              missing=("baseline",), inputs=inputs)
        r = _r(v / baseline)
        g = 3 if r > 2.5 else 2 if r > 1.5 else 1 if r > 1.0 else 0
        return CtcaeGrade(g, name, f"{r:g} × baseline (on anticoagulation)", inputs=inputs)
    v = _r(v)
    g = 3 if v > 2.5 else 2 if v > 1.5 else 1 if v > 1.2 else 0
    return CtcaeGrade(g, name, {3: "> 2.5", 2: "> 1.5 - 2.5", 1: "> 1.2 - 1.5", 0: "≤ 1.2"}[g],
                      inputs=inputs)


def _proteinuria_dipstick(text: str, inputs: dict[str, object]) -> CtcaeGrade:
    name = "Proteinuria"
    key = text.strip().lower().replace(" ", "")
    table = {"negative": 0, "neg": 0, "-": 0, "trace": 0, "±": 0, "+-": 0,
             "1+": 1, "+": 1, "2+": 2, "++": 2, "3+": 2, "+++": 2, "4+": 3, "++++": 3}
    if key not in table:
        raise ValidationError(msg("unknown dipstick result"), field="Proteinuria", value=text,
                              hint=msg("use negative, trace, 1+, 2+, 3+ or 4+"))
    g = table[key]
    return CtcaeGrade(g, name, f"dipstick {text}" + (" (1+ = 1; 2+ and 3+ = 2; 4+ = 3)"),
                      inputs=inputs)


def _proteinuria_24h(v: float, uln: float | None, inputs: dict[str, object]) -> CtcaeGrade:
    name = "Proteinuria"
    v = _r(v)
    if v >= 3.5:
        return CtcaeGrade(3, name, "≥ 3.5 g/24 h", inputs=inputs)
    if v >= 1.0:
        return CtcaeGrade(2, name, "1.0 - < 3.5 g/24 h", inputs=inputs)
    if uln is None:
        return CtcaeGrade(None, name, "< 1.0 g/24 h: grade 0 or 1 depending on ULN",
                          missing=("uln",), inputs=inputs)
    return CtcaeGrade(1 if v >= uln else 0, name, "≥ ULN - < 1.0 g/24 h" if v >= uln else "< ULN",
                      inputs=inputs)


def _hypertension(sbp: float | str | None, dbp: float | None, unit: str | None,
                  inputs: dict[str, object]) -> CtcaeGrade:
    name = "Hypertension"
    inputs = dict(inputs, diastolic=dbp)
    if isinstance(sbp, str):
        raise ValidationError(msg("numeric systolic pressure expected"), field=name, value=sbp)
    if sbp is None and dbp is None:
        return CtcaeGrade(None, name, "blood pressure missing", missing=("systolic", "diastolic"),
                          inputs=inputs)
    src = unit or "mmHg"
    s = None if sbp is None else convert(sbp, src, "mmHg", analyte="systolic_bp")
    d = None if dbp is None else convert(dbp, src, "mmHg", analyte="diastolic_bp")
    gs = None if s is None else (3 if s >= 160 else 2 if s >= 140 else 1 if s >= 120 else 0)
    gd = None if d is None else (3 if d >= 100 else 2 if d >= 90 else 1 if d >= 80 else 0)
    grade = max(g for g in (gs, gd) if g is not None)
    missing = tuple(n for n, g in (("systolic", gs), ("diastolic", gd)) if g is None)
    text = {3: "SBP ≥ 160 or DBP ≥ 100 mmHg", 2: "SBP 140-159 or DBP 90-99 mmHg",
            1: "SBP 120-139 or DBP 80-89 mmHg", 0: "SBP < 120 and DBP < 80 mmHg"}[grade]
    # grades 2-4 also depend on treatment and consequences; numbers give a lower bound
    return CtcaeGrade(grade, name, text, grade_is_lower_bound=True, missing=missing, inputs=inputs)
