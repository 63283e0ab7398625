"""Words for coded values (record status, phase, registry, setting, class ...) in the reader's language,
shared by the command line, the web app and the reports.

Every word is a :func:`hcctrials.i18n.say` message (Chinese in the .po catalogs); settings use
the matching module's own bilingual labels (:data:`hcctrials.matching.setting.SETTING_LABELS`).
Templates call :func:`label` as ``label("status", "recruiting")``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from hcctrials.i18n import say

__all__ = ["label", "KINDS"]


def _status(value: str, lang: str) -> str:
    return {
        "recruiting": say("Recruiting", lang), "not_yet_recruiting": say("Not yet recruiting", lang),
        "enrolling_by_invitation": say("Enrolling by invitation", lang),
        "active_not_recruiting": say("Active, not recruiting", lang), "suspended": say("Suspended", lang),
        "terminated": say("Terminated", lang), "completed": say("Completed", lang),
        "withdrawn": say("Withdrawn", lang), "unknown": say("Status unknown", lang),
    }.get(value, value)


def _state(value: str, lang: str) -> str:
    # the recruiting state on a date (hcctrials.matching.status), in the CLI's words
    return {"open": say("open", lang), "not_yet_open": say("not yet open", lang),
            "uncertain": say("uncertain", lang), "closed": say("closed", lang)}.get(value, value)


def _phase(value: str, lang: str) -> str:
    return {"early_phase1": say("Early phase 1", lang), "phase1": say("Phase 1", lang),
            "phase2": say("Phase 2", lang), "phase3": say("Phase 3", lang), "phase4": say("Phase 4", lang),
            "na": say("Phase not applicable", lang)}.get(value, value)


def _registry(value: str, lang: str) -> str:
    return {"ctgov": say("ClinicalTrials.gov", lang), "chictr": say("ChiCTR", lang),
            "trial_finder": say("Trial-finder page", lang), "other": say("Other registry", lang)}.get(value, value)


def _registry_short(value: str, lang: str) -> str:
    """The registry's short name for a table column: one word that never wraps mid-word
    (the long names, "中国临床试验注册中心（ChiCTR）", fold inside a narrow column)."""
    return {"ctgov": "CT.gov", "chictr": "ChiCTR", "trial_finder": say("Trial finder", lang),
            "other": say("Other", lang)}.get(value, value)


def _setting(value: str, lang: str) -> str:
    from hcctrials.matching.setting import SETTING_LABELS

    labels = SETTING_LABELS.get(value)
    return labels["zh" if lang == "zh" else "en"] if labels else value


def _drug_class(value: str, lang: str) -> str:
    return {"pd1": "PD-1", "pdl1": "PD-L1", "ctla4": "CTLA-4", "tigit": "TIGIT", "anti_vegf": say("anti-VEGF", lang),
            "tki": "TKI", "cell_therapy": say("cell therapy", lang), "locoregional": say("locoregional", lang),
            "chemotherapy": say("chemotherapy", lang), "surgery": say("surgery", lang),
            "radiotherapy": say("radiotherapy", lang)}.get(value, value)


def _condition(value: str, lang: str) -> str:
    return {"hcc": say("Hepatocellular carcinoma (HCC)", lang), "liver_cancer": say("Liver cancer", lang),
            "cholangiocarcinoma": say("Cholangiocarcinoma", lang),
            "liver_metastases": say("Liver metastases", lang)}.get(value, value)


def _role(value: str, lang: str) -> str:
    return say("exclusion", lang) if value == "exclusion" else say("inclusion", lang)


def _criterion_state(value: str, lang: str) -> str:
    return {"compiled": say("compiled", lang), "partial": say("partly compiled: needs review", lang),
            "needs_review": say("needs review", lang)}.get(value, value)


def _severity(value: str, lang: str) -> str:
    return {"info": say("note", lang), "warning": say("warning", lang), "error": say("error", lang)}.get(value, value)


def _outcome(value: str, lang: str) -> str:
    return {"primary": say("Primary outcome", lang), "secondary": say("Secondary outcome", lang),
            "other": say("Other outcome", lang)}.get(value, value)


def _date(value: str, lang: str) -> str:
    return {"registered": say("Registered", lang), "study_start": say("Study start", lang),
            "recruitment_start": say("Recruitment start", lang), "recruitment_end": say("Recruitment end", lang),
            "primary_completion": say("Primary completion", lang), "study_completion": say("Study completion", lang),
            "last_updated": say("Last updated", lang), "first_posted": say("First posted", lang)}.get(value, value)


def _lab(value: str, lang: str) -> str:
    return {"bilirubin_total": say("Total bilirubin", lang), "albumin": say("Albumin", lang), "inr": "INR",
            "creatinine": say("Creatinine", lang), "sodium": say("Sodium", lang), "platelets": say("Platelets", lang),
            "afp": "AFP"}.get(value, value)


def _place(value: str, lang: str) -> str:
    return value.title() if value.islower() else value


def _yes_no(value: str, lang: str) -> str:
    return {"yes": say("yes", lang), "no": say("no", lang), "": say("unknown", lang)}.get(value, value)


def _choice(value: str, lang: str) -> str:
    return {
        "female": say("female", lang), "male": say("male", lang),
        "hcc": say("hepatocellular carcinoma", lang), "fibrolamellar": say("fibrolamellar carcinoma", lang),
        "cholangiocarcinoma": say("cholangiocarcinoma", lang),
        "combined_hcc_cca": say("combined hepatocellular-cholangiocarcinoma", lang),
        "sarcomatoid": say("sarcomatoid carcinoma", lang), "other": say("other", lang),
        "histology": say("histology", lang), "cytology": say("cytology", lang), "imaging": say("imaging", lang),
        "clinical": say("clinical diagnosis", lang),
        "hbv": say("hepatitis B", lang), "hcv": say("hepatitis C", lang), "alcohol": say("alcohol", lang),
        "masld": say("MASLD (fatty liver)", lang),
        "none": say("none", lang), "mild": say("mild", lang), "moderate_severe": say("moderate to severe", lang),
        "grade_1_2": say("grade 1-2", lang), "grade_3_4": say("grade 3-4", lang),
        "small": say("small", lang), "large": say("large", lang), "treated": say("treated", lang),
        "vp0": "Vp0", "vp1": "Vp1", "vp2": "Vp2", "vp3": "Vp3", "vp4": "Vp4",
    }.get(value, value)


KINDS: dict[str, Callable[[str, str], str]] = {
    "status": _status, "state": _state, "phase": _phase, "registry": _registry, "registry_short": _registry_short, "setting": _setting,
    "class": _drug_class, "drug_class": _drug_class, "condition": _condition, "role": _role,
    "criterion_state": _criterion_state, "date": _date, "lab": _lab, "severity": _severity, "outcome": _outcome, "place": _place,
    "year": lambda value, lang: value, "yes_no": _yes_no, "choice": _choice,
}


def label(kind: str, value: str | None, lang: str) -> str:
    """The word for *value* of *kind* in *lang* (the value itself when there is none)."""
    if value is None:
        return "-"
    return _label(kind, str(value), lang)


@lru_cache(maxsize=8192)
def _label(kind: str, value: str, lang: str) -> str:
    # the words depend only on (kind, value, language) and the message catalog: a page shows
    # hundreds of labels, each built from say() calls, so they are worked out once
    return KINDS[kind](value, lang)
