"""Words for the coded values of registry records (design vocabularies the parsers normalise to
lower-case codes: ``single_group``, ``active_comparator``, ``anticipated`` ...) in the reader's language,
one table for ``hcctrials trials show`` and the web trial page."""

from __future__ import annotations

from hcctrials.i18n import say

__all__ = ["value_word"]


def _words(kind: str, lang: str) -> dict[str, str]:
    """The words for the coded values of *kind* (the registries' design vocabularies, normalised by the
    parsers to lower-case codes: ``single_group``, ``active_comparator`` ...)."""
    if kind == "date_type":
        return {"actual": say("actual", lang), "anticipated": say("anticipated", lang)}
    if kind == "registration":  # ChiCTR's terms for prospective / retrospective registration
        return {"prospective": say("prospectively registered", lang),
                "retrospective": say("retrospectively registered", lang)}
    if kind == "outcome":
        return {"primary": say("primary", lang), "secondary": say("secondary", lang), "other": say("other", lang)}
    if kind == "study_type":
        return {"interventional": say("interventional", lang), "observational": say("observational", lang),
                "expanded_access": say("expanded access", lang)}
    if kind == "allocation":
        return {"randomized": say("randomized", lang), "non_randomized": say("non-randomized", lang),
                "na": say("not applicable", lang)}
    if kind == "model":
        return {"single_group": say("single group", lang), "parallel": say("parallel", lang),
                "crossover": say("crossover", lang), "factorial": say("factorial", lang),
                "sequential": say("sequential", lang), "other": say("other", lang)}
    if kind == "masking":
        return {"none": say("none (open label)", lang), "single": say("single blind", lang),
                "double": say("double blind", lang), "triple": say("triple blind", lang),
                "quadruple": say("quadruple blind", lang)}
    if kind == "purpose":
        return {"treatment": say("treatment", lang), "prevention": say("prevention", lang),
                "diagnostic": say("diagnosis", lang), "diagnostic_test": say("diagnosis", lang),
                "screening": say("screening", lang), "supportive_care": say("supportive care", lang),
                "basic_science": say("basic science", lang), "health_services_research":
                    say("health services research", lang), "prognosis": say("prognosis", lang),
                "other": say("other", lang)}
    if kind == "observational_model":
        return {"cohort": say("cohort", lang), "case_control": say("case-control", lang),
                "case_only": say("case only", lang), "cross_sectional": say("cross-sectional", lang),
                "other": say("other", lang)}
    if kind == "time_perspective":
        return {"prospective": say("prospective", lang), "retrospective": say("retrospective", lang),
                "cross_sectional": say("cross-sectional", lang), "other": say("other", lang)}
    if kind == "arm_type":
        return {"experimental": say("experimental", lang), "active_comparator": say("active comparator", lang),
                "placebo_comparator": say("placebo comparator", lang),
                "sham_comparator": say("sham comparator", lang), "no_intervention": say("no intervention", lang),
                "other": say("other", lang)}
    if kind == "intervention_type":
        return {"drug": say("drug", lang), "biological": say("biological", lang),
                "procedure": say("procedure", lang), "radiation": say("radiation", lang),
                "device": say("device", lang), "behavioral": say("behavioural", lang),
                "dietary_supplement": say("dietary supplement", lang), "genetic": say("genetic", lang),
                "combination_product": say("combination product", lang),
                "diagnostic_test": say("diagnostic test", lang), "other": say("other", lang)}
    if kind == "sex":
        return {"all": say("female and male", lang), "female": say("female", lang), "male": say("male", lang)}
    if kind == "role":
        return {"lead": say("lead sponsor", lang), "collaborator": say("collaborator", lang),
                "funder": say("funder", lang), "secondary": say("secondary sponsor", lang)}
    if kind == "agency":
        return {"industry": say("industry", lang), "nih": "NIH", "fed": say("US federal agency", lang),
                "other_gov": say("other government agency", lang), "network": say("research network", lang),
                "indiv": say("individual", lang), "ambig": say("unclear", lang), "unknown": say("unknown", lang),
                "other": say("other", lang)}
    if kind == "scheme":
        return {"nct": "NCT", "chictr": "ChiCTR", "ctis": "CTIS", "eudract": "EudraCT",
                "org_study_id": say("sponsor's study id", lang), "ethics": say("ethics approval number", lang),
                "other": say("other id", lang)}
    raise KeyError(kind)


def value_word(kind: str, value: str | None, lang: str) -> str | None:
    """*value* (a coded value of *kind*) as a word in *lang*; an unknown code as written, with spaces."""
    if value is None or value == "":
        return None
    return _words(kind, lang).get(value) or value.replace("_", " ")
