"""Compiled rules in the reader's language: the display-side twin of :func:`describe` (issue 13).

:func:`hcctrials.criteria.compiler.describe.describe` writes the rule notation in English
("all of (ANC ≥ 1.5 10^9/L; platelets ≥ 40 10^9/L)"); that text is load-bearing inside the compiler
(the precision audits read it, tests compare it, the labelled benchmark prints it), so it is never
changed for display.  :func:`describe_for_reader` walks the same rule tree structurally and says each
node through the message catalog (:mod:`hcctrials.i18n`): in English it *is* :func:`describe`; in
Chinese every fixed word comes from ``criteria_display.po`` and every coded value (an analyte, a
history code, a drug class, a tumour feature ...) from the labels the evaluation reasons already use
(:func:`hcctrials.i18n.term` words of the catalog: "hepatic encephalopathy" -> 肝性脑病), drugs by
their lexicon name in the reader's language (lenvatinib -> 仑伐替尼).

Degrades, never fails: a code without a label is shown as the code, and a node kind without a
Chinese renderer (a leaf kind added later) is shown in the English notation.
``tests/criteria/compiler/test_compiler_describe_i18n.py`` lists every leaf kind and every code of the vocabularies
(:func:`vocabulary_codes`) and fails on one without a Chinese label, so whoever adds one is told.

:func:`review_reason_for_reader` does the same for the reasons of criteria that need review (the
strings of ``compile.py``, ``precision.py`` and the families): it recognises their fixed shapes
("text not compiled: ...", "qualifier 'X' is not part of the rule", "... (read as: ...)"), says the
fixed words in the reader's language and keeps the quoted criterion text as written; a reason of a
shape it does not know is kept as written.  Pure: no I/O besides reading the packaged catalog.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from hcctrials.criteria.compiler.describe import ANALYTE_LABELS, describe
from hcctrials.i18n import Msg, catalog, msg, render, say
from hcctrials.model import eligibility as E
from hcctrials.model.eligibility import Node

__all__ = ["describe_for_reader", "review_reason_for_reader", "rule_reader", "kept_rule_reader", "code_label",
           "vocabulary_codes", "RENDERED_KINDS", "REVIEW_SHAPES"]


# ------------------------------------------------------------------------------------------- code labels

#: Chinese labels for codes the evaluation has no word for (msgids in criteria_display.po).  A code's label is
#: looked up first among the evaluation's vocabulary words (so a rule and its reason name a code alike), then here.
_EXTRA_LABELS: dict[str, dict[str, Msg]] = {
    "history": {
        "encephalopathy": msg("encephalopathy (history item)"),
        "interstitial_lung_disease": msg("interstitial lung disease (history item)"),
        "seizure_disorder": msg("seizure disorder (history item)"),
        "dialysis": msg("dialysis (requiring dialysis)"),
        "encephalopathy_medication": msg("requiring medication to prevent or control hepatic encephalopathy"),
        "hdv_infection": msg("HBV/HDV co-infection"),
        "peripheral_vascular_disease": msg("peripheral vascular disease (symptomatic)"),
        "metastatic_disease": msg("metastatic disease (history item)"),
        "hepatorenal_syndrome": msg("hepatorenal syndrome (history item)"),
        "angina": msg("angina (history item)"),
    },
    "tumour_feature": {
        "pvtt": msg("portal vein tumour thrombus (PVTT)"),
        "main_trunk_pvtt": msg("main portal vein trunk tumour thrombus"),
        "liver_involvement_50": msg("tumour involving ≥ 50% of the liver"),
        "cns_metastasis_active": msg("active CNS metastases (present, not treated and stable: uncontrolled, "
                                     "symptomatic or untreated)"),
        "measurable_untreated": msg("measurable lesion not treated locally (RECIST 1.1)"),
        "measurable_untreated_mrecist": msg("measurable lesion not treated locally (mRECIST)"),
        "evaluable_disease": msg("evaluable disease (tumour feature)"),
        "hepatic_vein_invasion": msg("hepatic vein invasion (tumour feature)"),
        "pvtt_cheng": msg("PVTT (Cheng classification)"),
        "nodule_count": msg("number of intrahepatic nodules"),
        "largest_diameter": msg("largest tumour diameter"),
        "sum_diameters": msg("sum of the nodule diameters"),
        "liver_involvement_pct": msg("share of the liver involved by tumour"),
        "bone_metastasis": msg("bone metastasis (tumour feature)"),
        "peritoneal_metastasis": msg("peritoneal metastasis (tumour feature)"),
        "lung_metastasis": msg("lung metastasis (tumour feature)"),
        "adrenal_metastasis": msg("adrenal metastasis (tumour feature)"),
        "diffuse_hcc": msg("diffuse (infiltrative) HCC"),
    },
    "liver_feature": {
        "ascites": msg("ascites (liver feature)"),
        "ascites_clinically_evident": msg("ascites (moderate or severe, clinically significant)"),
        "ascites_requiring_paracentesis": msg("ascites requiring paracentesis (liver feature)"),
        "ascites_beyond_trace": msg("ascites (more than trace ascites on imaging)"),
        "ascites_refractory": msg("ascites (refractory to diuretic therapy)"),
        "ascites_severe": msg("ascites (severe: tense or massive)"),
        "encephalopathy": msg("hepatic encephalopathy (current)"),
        "varices": msg("oesophageal or gastric varices"),
        "varices_high_risk": msg("high-risk varices (large or untreated)"),
        "endoscopy": msg("upper endoscopy done"),
        "paracentesis_per_month": msg("paracenteses per month"),
    },
    "drug_class": {
        "pd1": msg("PD-1 antibody"), "pdl1": msg("PD-L1 antibody"), "ctla4": msg("CTLA-4 antibody"),
        "tigit": msg("TIGIT antibody"), "lag3": msg("LAG-3 antibody"), "cd137": msg("CD137 (4-1BB) agonist antibody"),
        "ici": msg("immune checkpoint inhibitor"), "raf": msg("RAF kinase inhibitor"), "mek": msg("MEK inhibitor"),
        "farnesyltransferase": msg("farnesyltransferase inhibitor"), "cmet": msg("c-MET/HGF pathway inhibitor"),
        "anti_vegf": msg("VEGF/VEGFR antibody"), "tki": msg("multikinase / VEGFR tyrosine kinase inhibitor"),
        "anti_angiogenic": msg("anti-angiogenic agent"), "targeted": msg("molecular targeted therapy"),
        "immunotherapy": msg("immunotherapy (checkpoint inhibitors, cell therapy, cytokines)"),
        "chemotherapy": msg("cytotoxic chemotherapy"), "cell_therapy": msg("cell therapy"),
        "cytokine": msg("cytokine (interleukin-2, interferon)"), "immunomodulator": msg("other immunomodulator"),
        "bispecific": msg("bispecific antibody"), "biosimilar": msg("biosimilar antibody"),
        "locoregional": msg("locoregional therapy"),
        "transarterial": msg("transarterial procedure (TACE/TAE/TARE/HAIC)"),
        "chemoembolization": msg("chemoembolization (TACE, cTACE, DEB-TACE)"), "ablation": msg("local ablation"),
        "radiotherapy": msg("radiotherapy"), "external_beam": msg("external beam radiotherapy"),
        "surgery": msg("surgical procedure"), "transplant": msg("transplantation"),
        "portal_hypertension": msg("portal-hypertension procedure (TIPS, variceal ligation)"),
        "embolic_agent": msg("embolic agent"), "antiviral": msg("HBV/HCV antiviral"),
        "tcm": msg("traditional Chinese medicine product"), "not_hcc": msg("not an HCC therapy"),
    },
    "allergy_class": {
        "monoclonal_antibody": msg("monoclonal antibodies (human, humanised, chimeric or murine)"),
        "aminothiol": msg("aminothiols (amifostine, cysteamine)"), "immunoglobulin": msg("immunoglobulins"),
    },
    "toxicity_term": {
        "alopecia": msg("alopecia (adverse event)"), "fatigue": msg("fatigue (adverse event)"), "hypothyroidism": msg("hypothyroidism (adverse event)"),
        "vitiligo": msg("vitiligo (adverse event)"), "endocrinopathy": msg("endocrinopathy (adverse event)"),
        "skin_pigmentation": msg("skin pigmentation (adverse event)"), "lab_abnormality": msg("laboratory abnormality"),
    },
    "malignancy_type": {"bladder_superficial": msg("superficial (non-invasive) bladder cancer")},
    "site": {"liver": msg("liver (body site)"), "bone": msg("bone (body site)"), "brain": msg("brain (body site)"), "lung": msg("lung (body site)"),
             "lymph_node": msg("lymph nodes"), "other": msg("other site")},
}


def _history_word(code: str) -> str:
    return code.replace("_", " ")  # as the evaluation names it (criteria/evaluation/leaves_history._code_term)


def _drug_class_word(code: str) -> str:
    # the compiler layer may not read the evaluation's class words (tests/criteria/compiler/test_compiler_layers.py):
    # a class is named by this module's label (_EXTRA_LABELS["drug_class"]), or by the catalog word of the tag
    return code


def _medication_class_word(code: str) -> str:
    from hcctrials.criteria.families.medications import CLASS_WORDS

    return CLASS_WORDS.get(code, code)


#: vocabulary -> the English word the evaluation reasons use for a code (a catalog term)
_EVALUATION_WORDS: dict[str, Callable[[str], str]] = {
    "analyte": lambda code: ANALYTE_LABELS.get(code, code),
    "history": _history_word,
    "tumour_feature": _history_word,  # criteria/evaluation/leaves.py: term(feature.replace("_", " "))
    "liver_feature": _history_word,
    "drug_class": _drug_class_word,
    "allergy_class": _drug_class_word,
    "medication_class": _medication_class_word,
    "malignancy_type": _history_word,
    "toxicity_term": _history_word,
    "administrative": lambda code: code,
    "therapy_kind": lambda code: code,
    "site": _history_word,
}


def code_label(vocabulary: str, code: str, lang: str) -> str:
    """*code* of *vocabulary* in words of *lang*: the evaluation's word for it (when the catalog has it in
    *lang*), else this module's label, else the code as written (a code added since: shown, never an error)."""
    return _code_label(vocabulary, code, lang)


@lru_cache(maxsize=4096)
def _code_label(vocabulary: str, code: str, lang: str) -> str:
    if lang == "en":
        return code
    word = _EVALUATION_WORDS.get(vocabulary, _history_word)(code)
    text = catalog(lang).get(word)
    if text:
        return text
    extra = _EXTRA_LABELS.get(vocabulary, {}).get(code)
    if extra is not None and catalog(lang).get(extra.msgid):
        return str(render(extra, lang))
    return code


def has_label(vocabulary: str, code: str, lang: str = "zh") -> bool:
    """True when *code* has a label of its own in *lang* (not shown as the bare code)."""
    word = _EVALUATION_WORDS.get(vocabulary, _history_word)(code)
    extra = _EXTRA_LABELS.get(vocabulary, {}).get(code)
    return bool(catalog(lang).get(word) or (extra is not None and catalog(lang).get(extra.msgid)))


def _agent(agent: str, lang: str) -> str:
    from hcctrials.vocab import load_lexicon

    therapy = load_lexicon().get(agent)
    if therapy is None:
        from hcctrials.criteria.families.medications import medication_name

        return medication_name(agent, lang) or agent  # a concomitant medication (aspirin, pentamidine)
    return therapy.name(lang)


def vocabulary_codes() -> dict[str, list[str]]:
    """Every code of every vocabulary the rules use (the list the label test walks).

    History codes are those the compiler can write: the condition words of
    :data:`hcctrials.criteria.families.history.CONDITION_TERMS` and the codes written literally in
    ``HistoryCondition(codes=[...])`` anywhere in :mod:`hcctrials.criteria` (read from the source)."""
    import ast
    from importlib import resources

    from hcctrials.criteria.families.history import CONDITION_TERMS
    from hcctrials.criteria.families.medications import CLASS_WORDS
    from hcctrials.vocab.classes import CLASS_TAGS

    history = {c for _, codes in CONDITION_TERMS for c in codes.split("|")}
    root = resources.files("hcctrials").joinpath("criteria")

    def files(folder: Any) -> Iterable[Any]:
        for item in folder.iterdir():
            if item.is_dir():
                yield from files(item)
            elif item.name.endswith(".py"):
                yield item

    for path in files(root):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "HistoryCondition":
                for kw in node.keywords:
                    if kw.arg == "codes" and isinstance(kw.value, ast.List):
                        history |= {e.value for e in kw.value.elts
                                    if isinstance(e, ast.Constant) and isinstance(e.value, str)}

    def literal(model: Any, field: str) -> list[str]:
        annotation = model.model_fields[field].annotation
        args = typing.get_args(annotation)
        if args and typing.get_origin(args[0]) is typing.Literal:  # list[Literal[...]]
            args = typing.get_args(args[0])
        return [str(a) for a in args]

    return {
        "analyte": sorted(ANALYTE_LABELS),
        "history": sorted(history),
        "tumour_feature": literal(E.TumourFeature, "feature"),
        "liver_feature": literal(E.LiverFeature, "feature"),
        "drug_class": sorted(CLASS_TAGS),
        "medication_class": sorted(CLASS_WORDS),
        "malignancy_type": [str(a) for a in typing.get_args(E.MalignancyType)],
        "toxicity_term": [str(a) for a in typing.get_args(E.ToxicityTerm)],
        "administrative": literal(E.Administrative, "category"),
        "therapy_kind": [str(a) for a in typing.get_args(E.TherapyKind)],
        "site": literal(E.PriorTherapy, "sites"),
        "allergy_class": sorted(_EXTRA_LABELS["allergy_class"]),
    }


# ------------------------------------------------------------------------------------------- the notation

def _cmp(c: str) -> str:
    return {"<=": "≤", ">=": "≥", "==": "="}.get(c, c)


def _num(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}"


def _list(values: Iterable[str]) -> str:
    return "/".join(values)


def describe_for_reader(node: Node, lang: str = "en") -> str:
    """One readable line for *node* in *lang*: :func:`describe` in English; in Chinese the same notation with
    every word from the catalog and every code by its label (a code without one shown as the code).

    A rule a review reason shows ("... (read as: <rule>)") is said in *lang* too when it can be rebuilt from the
    criterion text the root node carries (:func:`rule_reader`), else kept in the notation."""
    if lang == "en":
        return describe(node)
    source = node.source
    token = _READ_AS_NOW.set(rule_reader(source.text, source.role, lang) if source is not None and source.text
                             else None)
    try:
        return _say_node(node, lang)
    finally:
        _READ_AS_NOW.reset(token)


#: the rule reader of the criterion being said (set by describe_for_reader, read by _needs_review)
_READ_AS_NOW: ContextVar[Callable[[str], str | None] | None] = ContextVar("read_as", default=None)


def rule_reader(text: str, role: str | None, lang: str) -> Callable[[str], str | None]:
    """A ``read_as`` for :func:`review_reason_for_reader`: the rule a review reason of the criterion *text* shows
    (in the compiler's notation), said in *lang*.

    The compiler keeps that rule only as its notation; it is rebuilt by compiling *text* again (cached) and
    taking the part of the result whose notation is exactly the one shown (the rule read, its partial reading,
    its present-tense reading).  None when no part matches (a different compiler version, trial drugs that
    changed an allergy rule): the notation is then kept."""
    def read(rule: str) -> str | None:
        found = _readings(text, role).get(rule)
        return None if found is None else _say_node(found, lang)
    return read


@lru_cache(maxsize=4096)
def _readings(text: str, role: str | None) -> dict[str, Node]:
    try:
        from hcctrials.criteria.compiler import compile as compiler
        from hcctrials.criteria.compiler.precision import present_tense_reading
        from hcctrials.criteria.text.normalise import normalise_text

        raw = compiler._compile_cached(text, role, ())
        gated = compiler._precision_gate(raw, role)
        candidates = [raw, compiler._without_review(raw), gated, present_tense_reading(gated, normalise_text(text))]
    except Exception:  # noqa: BLE001 - a display aid: without it the notation is shown as written
        return {}
    from hcctrials.model.eligibility import walk

    out: dict[str, Node] = {}
    for candidate in candidates:
        for node in walk(candidate):
            if not isinstance(node, E.NeedsReview):
                out.setdefault(describe(node), node)
    return out


def _say_node(node: Node, lang: str) -> str:
    renderer = _RENDERERS.get(node.kind)
    if renderer is None:
        return describe(node)  # a node kind added since: the English notation (tests name the missing renderer)
    return renderer(node, lang)


def _all_of(node: Any, lang: str) -> str:
    return say("all of ({items})", lang, items=say("; ", lang).join(_say_node(c, lang) for c in node.children))


def _any_of(node: Any, lang: str) -> str:
    return say("any of ({items})", lang, items=say("; ", lang).join(_say_node(c, lang) for c in node.children))


def _not(node: Any, lang: str) -> str:
    return say("not ({reason})", lang, reason=_say_node(node.child, lang))


def _lab(node: E.LabThreshold, lang: str) -> str:
    name = code_label("analyte", node.analyte, lang)
    if node.uln_multiple is not None:
        threshold = say("{multiple}×ULN", lang, multiple=_num(node.uln_multiple))
    else:
        threshold = _num(node.value) + (f" {node.unit}" if node.unit else "")
    text = f"{name} {_cmp(node.comparator)} {threshold}"
    if node.look_back_days:
        text += say(" (within {days} d)", lang, days=node.look_back_days)
    if node.label:
        text += say(" (defines {label})", lang, label=node.label)
    return text


def _age(node: E.Age, lang: str) -> str:
    low = "" if node.min_years is None else f"{'≥' if node.min_inclusive else '>'} {node.min_years:g}"
    high = "" if node.max_years is None else f"{'≤' if node.max_inclusive else '<'} {node.max_years:g}"
    bounds = say("{low} and {high}", lang, low=low, high=high) if low and high else low or high
    return say("age {range} years", lang, range=bounds)


def _sex(node: E.Sex, lang: str) -> str:
    from hcctrials.i18n.labels import label

    return say("sex {allowed}", lang, allowed="/".join(label("choice", s, lang) for s in node.allowed))


def _ecog(node: E.Ecog, lang: str) -> str:
    text = say("ECOG performance status {grades}", lang, grades=",".join(str(x) for x in node.allowed))
    if node.undecided:
        text += say(" (ECOG {grades} undecided)", lang, grades=",".join(str(x) for x in node.undecided))
    return say("{label}: {rule}", lang, label=node.label, rule=text) if node.label else text


_CP_IMPAIRMENT = {tuple(range(7, 10)): msg(" (class B: moderate hepatic impairment)"),
                  tuple(range(10, 16)): msg(" (class C: severe hepatic impairment)"),
                  tuple(range(7, 16)): msg(" (class B or C: moderate or severe hepatic impairment)")}


def _child_pugh(node: E.ChildPugh, lang: str) -> str:
    text = say("Child-Pugh points {points}", lang, points=",".join(str(x) for x in node.allowed_points))
    gloss = _CP_IMPAIRMENT.get(tuple(node.allowed_points))
    return text + (str(render(gloss, lang)) if gloss is not None else "")


def _albi(node: E.Albi, lang: str) -> str:
    return say("ALBI grade {grades}", lang, grades=",".join(node.grades))


def _clip_score(node: E.ClipScore, lang: str) -> str:
    sym = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "="}[node.comparator]
    return say("CLIP score {comparator} {value}", lang, comparator=sym, value=node.value)


def _okuda_stage(node: E.OkudaStage, lang: str) -> str:
    return say("Okuda stage {stages}", lang, stages=",".join(node.allowed))


def _stage(node: E.Stage, lang: str) -> str:
    return say("{system} stage {stages}", lang, system=node.system.upper(), stages=",".join(node.allowed))


def _diagnosis(node: E.Diagnosis, lang: str) -> str:
    from hcctrials.i18n.labels import label

    parts = []
    if node.confirmed_by:
        parts.append(say("confirmed by {methods}", lang, methods="/".join(label("choice", m, lang)
                                                                          for m in node.confirmed_by)))
    if node.histology:
        parts.append(say("histology {types}", lang, types="/".join(label("choice", h, lang) for h in node.histology)))
    if node.cirrhosis is not None:
        word = say("cirrhosis", lang) if node.cirrhosis else say("no cirrhosis", lang)
        if not parts:
            return word
        parts.append(word)
    return say("diagnosis: {parts}", lang, parts=say(", ", lang).join(parts))


def _tumour(node: E.TumourFeature, lang: str) -> str:
    feature = code_label("tumour_feature", node.feature, lang)
    if node.comparator is not None and node.value is not None:
        unit = {"largest_diameter": " cm", "sum_diameters": " cm", "liver_involvement_pct": " %"}.get(node.feature, "")
        shown = f"{feature} {_cmp(node.comparator)} {node.value:g}{unit}"
        return say("tumour: {feature}", lang, feature=shown)
    levels = f" ({'/'.join(x.capitalize() for x in node.pvtt_levels)})" if node.pvtt_levels else ""
    return say("tumour: {feature}", lang, feature=feature + levels)


def _liver(node: E.LiverFeature, lang: str) -> str:
    feature = code_label("liver_feature", node.feature, lang)
    if node.comparator is not None and node.value is not None:
        feature += f" {_cmp(node.comparator)} {node.value:g}"
    return say("liver: {feature}", lang, feature=feature)


_COUNT = {"regimens": msg("number of regimens {cmp} {n}"), "lines": msg("number of lines {cmp} {n}"),
          "agents": msg("number of agents {cmp} {n}")}


def prior_therapy_subject(node: E.PriorTherapy, lang: str) -> str:
    """What therapies a prior-therapy rule counts, in *lang* ("类别 PD-1 抑制剂; 试验性"): the subject of a
    prior-therapy reason for a reader whose language is not the criterion's ("" when the rule names none)."""
    text = say("; ", lang).join(_prior_therapy_what(node, lang))
    if text and node.within_days is not None:
        text += say(", within {days} d", lang, days=node.within_days)
    return text


def _prior_therapy_what(node: E.PriorTherapy, lang: str) -> list[str]:
    what = []
    if node.agents:
        what.append(say("agents {agents}", lang, agents=_list(_agent(a, lang) for a in node.agents)))
    if node.classes:
        what.append(say("classes {classes}", lang, classes=_list(code_label("drug_class", c, lang)
                                                                  for c in node.classes)))
    if node.kinds:
        what.append(say("kinds {kinds}", lang, kinds=_list(code_label("therapy_kind", k, lang) for k in node.kinds)))
    if node.investigational:
        what.append(say("investigational", lang))
    if node.sites:
        what.append(say("given to the {sites}", lang, sites=_list(code_label("site", s, lang) for s in node.sites)))
    return what


def _prior_therapy(node: E.PriorTherapy, lang: str) -> str:
    what = _prior_therapy_what(node, lang)
    text = say("prior therapy: {what}", lang, what=say("; ", lang).join(what) or say("any", lang))
    if node.except_agents:  # criteria/families/therapy_readers.py
        text += say(", other than {agents}", lang, agents=_list(_agent(a, lang) for a in node.except_agents))
    if node.setting:
        text += say(", in the {setting} setting", lang, setting=_list(
            say("advanced (incurable)", lang) if s == "advanced" else s for s in node.setting))
    if (node.count_comparator, node.count_value) != (">=", 1):
        count = _COUNT.get(node.count_unit)
        if count is not None:
            text += say(", {count}", lang, count=say(count.msgid, lang, cmp=_cmp(node.count_comparator),
                                                     n=node.count_value))
    if node.require_progression:
        text += say(", with progression", lang)
    if node.require_intolerance:
        text += say(", stopped for intolerance (toxicity)", lang)
    if node.progression_not_documented:
        text += say(", without documented progression", lang)
    if node.within_days is not None:
        text += say(", within {days} d", lang, days=node.within_days)
        if node.half_lives:
            text += say(" or {n} half-lives", lang, n=_num(node.half_lives))
            if node.whichever_longer:
                text += say(" (whichever is longer)", lang)
            if node.whichever_shorter:
                text += say(" (whichever is shorter)", lang)
    return text


def _body_weight(node: E.BodyWeight, lang: str) -> str:
    return say("body weight {cmp} {kg} kg", lang, cmp=_cmp(node.comparator), kg=_num(node.value_kg))


_HISTORY_STATUS = {"active": msg("active"), "current": msg("current (active or controlled)"), "ever": msg("ever")}


def _history(node: E.HistoryCondition, lang: str) -> str:
    english = describe(node)  # the qualifiers describe() reads from the criterion's wording, said the same way
    status = _HISTORY_STATUS.get(node.status)
    text = say("history: {codes} ({status})", lang, codes=_list(code_label("history", c, lang) for c in node.codes),
               status=render(status, lang) if status is not None else node.status)
    if " uncontrolled (recorded active, not controlled)" in english:
        text += say(", uncontrolled (recorded active, not controlled)", lang)
    if " clinically significant (as recorded)" in english:
        text += say(", clinically significant (as recorded)", lang)
    if node.look_back_days is not None:
        text += say(", within {days} d", lang, days=node.look_back_days)
    if node.requires_systemic_treatment:
        text += say(", requiring systemic treatment", lang)
    if node.min_grade is not None:
        text += say(", CTCAE grade ≥ {grade}", lang, grade=node.min_grade)
    nyha = getattr(node, "min_nyha_class", None)
    if nyha is not None:
        text += say(", NYHA class ≥ {n}", lang, n=nyha)
    if getattr(node, "except_viral_hepatitis", False):
        text += say(", except hepatitis B or C infection", lang)
    return text


_VIROLOGY = {"hiv": msg("HIV positive"), "hcv_rna": msg("HCV RNA positive (active HCV: RNA detectable)"),
             "hbsag": msg("HBsAg positive"),
             "hbv_hcv_coinfection": msg("HBV/HCV co-infection (active co-infection: HBsAg positive and HCV RNA "
                                        "detectable)")}


def _virology(node: E.Virology, lang: str) -> str:
    if node.marker == "hbv_controlled":
        text = say("HBV controlled: HBsAg negative, or HBV DNA < {dna} IU/mL", lang, dna=_num(node.hbv_dna_max_iu_ml))
        if node.require_antiviral:
            text += say(", on antiviral therapy", lang)
            if node.antiviral_min_days:
                text += say(" for ≥ {days} d", lang, days=node.antiviral_min_days)
        return text
    marker = _VIROLOGY.get(node.marker)
    return say("virology: {marker}", lang, marker=render(marker, lang) if marker is not None else node.marker)


def _hepatitis_status(node: Any, lang: str) -> str:
    if node.test == "hbv_antiviral":
        text = say("on HBV antiviral therapy", lang)
        return text + (say(" for ≥ {days} d", lang, days=node.min_days) if node.min_days else "")
    if node.test == "hbv_active":
        return say("acute or active hepatitis B: HBsAg positive with HBV DNA > {dna} IU/mL (lower HBV DNA: unknown)",
                   lang, dna=_num(node.hbv_dna_max_iu_ml or 2000))
    if node.test == "hcv_treatment_washout":
        return say("HCV untreated, or cured with treatment ended ≥ {days} d before", lang, days=node.min_days or 0)
    if node.test == "htlv1_positive":
        return say("anti-HTLV-1 antibody positive", lang)
    if node.test == "hbv_dna_undetectable":
        return say("HBV DNA undetectable (negative test)", lang)
    if node.test == "hiv_on_art":
        return say("HIV positive on combination antiretroviral therapy", lang)
    if node.test == "hiv_active":
        return say("active HIV infection (HIV negative: none; HIV positive: unknown)", lang)
    if node.test == "isolated_anti_hbc":
        return say("if anti-HBc positive and HBsAg negative: HBV DNA < {dna} IU/mL and no need for HBV antiviral "
                   "prophylaxis", lang, dna=_num(node.hbv_dna_max_iu_ml))
    return describe(node)


def _pregnancy(node: E.Pregnancy, lang: str) -> str:
    if not node.include_pregnancy:
        return say("breastfeeding", lang)
    return say("pregnant or breastfeeding", lang) if node.include_lactation else say("pregnant", lang)


def _life(node: E.LifeExpectancy, lang: str) -> str:
    return say("life expectancy {cmp} {weeks} weeks", lang, cmp="≥" if node.inclusive else ">", weeks=_num(node.min_weeks))


def _allergy(node: E.Allergy, lang: str) -> str:
    what = [_agent(a, lang) for a in node.agents]
    what += [code_label("allergy_class", c, lang) if c in _EXTRA_LABELS["allergy_class"] else
             code_label("drug_class", c, lang) for c in node.classes]
    if node.trial_drugs:
        what.append(say("the trial drugs", lang))
    text = say("allergy to {drugs}", lang, drugs=_list(what))
    return text + (say(" (or related compounds / excipients)", lang) if node.related else "")


def _administrative(node: E.Administrative, lang: str) -> str:
    return say("administrative ({category})", lang, category=code_label("administrative", node.category, lang))


def kept_rule_reader(kept: Iterable[Node], lang: str,
                     rebuilt: Callable[[str], str | None] | None = None) -> Callable[[str], str | None]:
    """A ``read_as`` for :func:`review_reason_for_reader`: the rule a review reason shows, said in *lang* from
    the rules the compiler kept with it (``NeedsReview.read_as``); a rule not among them (one compiled before the
    compiler kept them) from *rebuilt* (:func:`rule_reader`), else None (the notation is kept)."""
    shown = {describe(r): r for r in kept}

    def read(rule: str) -> str | None:
        found = shown.get(rule)
        if found is not None:
            return _say_node(found, lang)
        return rebuilt(rule) if rebuilt is not None else None

    return read


def _needs_review(node: E.NeedsReview, lang: str) -> str:
    read_as = kept_rule_reader(node.read_as, lang, _READ_AS_NOW.get())
    return say("needs review: {reason}", lang, reason=review_reason_for_reader(node.reason, lang, read_as=read_as))


def _other_malignancy(node: E.OtherMalignancy, lang: str) -> str:
    english = describe(node)
    if node.status == "active":
        status = say("active", lang)
    elif "(ever: past or concurrent)" in english:
        status = say("ever: past or concurrent", lang)
    else:
        status = render(_HISTORY_STATUS["ever"], lang)
    invasive = say(", invasive (in situ not counted)", lang) if ", invasive (in situ not counted)" in english else ""
    text = say("other malignancy{invasive} ({status})", lang, invasive=invasive, status=status)
    if getattr(node, "requiring_treatment", False):
        text += say(", requiring treatment", lang)
    if node.look_back_days is not None:
        text += say(", within {days} d", lang, days=node.look_back_days)
    excepted = []
    for e in node.exceptions:
        item = _list(code_label("malignancy_type", t, lang) for t in e.types) or say("any type", lang)
        if e.treated_required:
            item += say(", treated with curative intent", lang)
        if e.min_days_disease_free is not None:
            item += say(", disease-free ≥ {days} d", lang, days=e.min_days_disease_free)
        excepted.append(item)
    return text + (say(", except {items}", lang, items=say("; ", lang).join(excepted)) if excepted else "")


def _heart_failure(node: E.HeartFailureNyha, lang: str) -> str:
    text = say("heart failure NYHA class ≥ {n}", lang, n=node.min_class)
    return text + (say(" (symptomatic)", lang) if node.min_class >= 2 else "")


def _urine(node: E.UrineDipstick, lang: str) -> str:
    return say("urine protein dipstick {cmp} {grade}+", lang, cmp=_cmp(node.comparator), grade=_num(node.grade))


def _residual(node: E.ResidualToxicity, lang: str) -> str:
    text = say("unresolved toxicity of prior therapy, CTCAE grade ≥ {grade}", lang, grade=node.min_grade)
    if node.exceptions:
        items = [code_label("toxicity_term", x.term, lang) +
                 (say(" below grade {n}", lang, n=x.below_grade) if x.below_grade else "") for x in node.exceptions]
        text += say(", except {items}", lang, items=say("; ", lang).join(items))
    return text


_CANDIDATE = {"resection": msg("candidate for curative resection"),
              "transplant": msg("candidate for liver transplantation"),
              "transplant_list": msg("on the liver-transplant waiting list"),
              "locoregional": msg("candidate for locoregional therapy (amenable)")}


def _candidate(node: E.TreatmentCandidate, lang: str) -> str:
    word = _CANDIDATE.get(node.treatment)
    return str(render(word, lang)) if word is not None else describe(node)


def _medication(node: E.Medication, lang: str) -> str:
    what = [code_label("medication_class", c, lang) for c in node.classes] + [_agent(a, lang) for a in node.agents]
    text = say("medication: {drugs}", lang, drugs=_list(what))
    if node.systemic_only:
        text += say(", systemic", lang)
    if node.therapeutic_only:
        text += say(", at therapeutic dose", lang)
    if node.chronic:
        text += say(", chronic (≥ 90 d)", lang)
    if node.dose_above_mg_per_day is not None:
        text += say(", > {dose} mg/day", lang, dose=f"{node.dose_above_mg_per_day:g}")
    if node.min_days_on is not None:
        text += say(", for > {days} d", lang, days=node.min_days_on)
    if node.unable_to_stop:
        text += say(", that cannot be stopped", lang)
    if node.except_agents:
        text += say(", except {drugs}", lang, drugs=_list([_agent(a, lang) for a in node.except_agents]))
    text += say(", current", lang) if node.within_days is None else say(", within {days} d", lang, days=node.within_days)
    return text


def _permission(node: Any, lang: str) -> str:
    """A pure permission (criteria/families/therapy_readers.py): met by every patient."""
    return say("permission (excludes no patient: met by every patient)", lang)


_RENDERERS: dict[str, Callable[[Any, str], str]] = {
    "all_of": _all_of, "any_of": _any_of, "not": _not, "lab": _lab, "age": _age, "sex": _sex, "ecog": _ecog,
    "child_pugh": _child_pugh, "albi": _albi, "clip_score": _clip_score, "stage": _stage, "diagnosis": _diagnosis,
    "tumour_feature": _tumour, "okuda_stage": _okuda_stage,
    "liver_feature": _liver, "prior_therapy": _prior_therapy, "history": _history, "virology": _virology,
    "hepatitis_status": _hepatitis_status, "pregnancy": _pregnancy, "life_expectancy": _life, "allergy": _allergy,
    "administrative": _administrative, "needs_review": _needs_review, "other_malignancy": _other_malignancy,
    "heart_failure_nyha": _heart_failure, "urine_dipstick": _urine, "residual_toxicity": _residual,
    "treatment_candidate": _candidate, "medication": _medication, "body_weight": _body_weight,
    "permission": _permission,
}

#: node kinds with a renderer of their own (the test compares this with the model's leaf kinds)
RENDERED_KINDS = frozenset(_RENDERERS)


# ------------------------------------------------------------------------------------------- review reasons

#: The fixed shapes of review reasons (compiler/compile.py, compiler/precision.py, criteria/families/*): the
#: English template with {fields} (matched against the reason) and its message.  A field named ``text`` or
#: ``rule`` is criterion text or notation and kept as written; others are codes, numbers or words of the record.
REVIEW_SHAPES: tuple[Msg, ...] = (
    # compile.py / families: the criterion text quoted after a fixed phrase
    msg("no rule recognised in: {text}"), msg("text not compiled: {text}"), msg("exception not compiled: {text}"),
    msg("condition attached to a permissive statement: {text}"),
    msg("an exclusion stated in the inclusion list: {text}"), msg("condition not compiled: {text}"),
    msg("a requirement worded as a permission: {text}"),
    msg("open list of exceptions (examples of a category): {text}"),
    msg("condition of the malignancy not compiled: {text}"),
    msg("exception qualifier not verifiable from the record: {text}"),
    msg("a drug class the lexicon does not know is named: {text}"),
    msg("compiler error {error}: {text}"),
    msg("empty criterion"), msg("exception not compiled"),
    msg("on combination antiretroviral therapy (not recorded): check the regimen"),
    msg("progression or intolerance named inside a list of therapies: not read"),
    msg("investigational agents listed beside other therapies: one leaf would require both"),
    msg("'systemic chemotherapy': cytotoxic chemotherapy only, or any systemic anticancer drug "
        "(older usage counts sorafenib)?"),
    msg("radiotherapy of a named site or field: the rule cannot restrict where the radiation was given"),
    # criteria/families/therapy_readers.py: the bounded readings (the rule decides where every reading agrees)
    msg("'systemic chemotherapy' counts cytotoxic regimens only, or every systemic anticancer regimen (older usage "
        "counts sorafenib)? The count differs between the readings"),
    msg("refusal of TKI therapy is not in the patient record: check whether the patient refused a TKI"),
    msg("interferon is recorded, but not what it is given for (hepatitis B/C, or anticancer): check the indication"),
    msg("'lines of prior therapy': systemic lines only, or every recorded treatment (TACE, surgery)? The count "
        "differs between the readings"),
    # precision.py: the audits
    msg("qualifier '{word}' is not part of the rule"),
    msg("{analyte} threshold {value} {unit}: unit not convertible"),
    msg("{analyte} threshold {value} {unit} is outside the possible range ({low}-{high} {canonical}): "
        "probably a wrong unit"),
    msg("{analyte} {comparator} as a lower limit for adequate organ function is the opposite of the usual "
        "criterion: check whether the text meant the other limit"),
    msg("{analyte} {comparator} as an upper limit for adequate organ function is the opposite of the usual "
        "criterion: check whether the text meant the other limit"),
    msg("{analyte} {comparator} as {limit} limit for adequate organ function is the opposite of the usual criterion: "
        "check whether the text meant the other limit"),
    msg("two {key} requirements with nothing in common: a restatement read as a second rule"),
    msg("exceptions 'curatively treated' and 'disease-free for N years' may be one joint condition"),
    msg("named drugs beside 'systemic therapy': only those drugs, or any systemic therapy?"),
    msg("a condition named in the present: current, or ever? (read as ever)"),
    msg("'non-healing' also qualifies the fracture (an unhealed fracture, not any fracture ever)"),
    msg("'immunotherapy' is wider than checkpoint inhibitors (interferon, cytokines, vaccines, cell therapy)"),
    msg("a disease-free exception means past cancers count too: 'concurrent' is not only active cancer"),
    msg("major and minor surgery have different windows; the rule does not tell them apart"),
    msg("an ethnicity or ancestry is named; the rule does not read it"),
    msg("a therapy given after another: the order of the therapies is not part of the rule"),
    msg("locoregional therapy of HCC includes liver radiotherapy (SBRT), which the rule does not count"),
    msg("the trial's other agents are part of the allergy criterion; the rule reads only the named drugs"),
    msg("'adequately treated' / 'localized' qualify the skin-cancer exception; the rule excepts any skin cancer"),
    msg("any infection requiring treatment, not only a severe one: the rule reads severe infection"),
    msg("a liver transplant only; the rule reads any organ transplant (a kidney recipient would be excluded)"),
    msg("the blood-pressure values define the uncontrolled hypertension; read as alternatives, one reading excludes"),
    msg("'arrhythmia' without a qualifier read as active arrhythmia only (a controlled one passes)"),
    msg("portal vein thrombosis may be bland (non-tumour); the rule reads a tumour thrombus"),
    msg("a corneal transplant is named; the rule does not read it"),
    msg("both sexes are named; the rule reads one"),
    msg("'stem cell / bone marrow transplantation' includes autologous transplants; the rule reads allogeneic only"),
    msg("gastrointestinal bleeding of any cause is read as variceal bleeding only"),
    msg("the text names lactation only; the rule also reads pregnancy"),
    msg("the text names pregnancy only; the rule also reads breastfeeding"),
    msg("a permission with its own conditions ('allowed if ...')"),
    msg("a {days}-day window on a lasting diagnosis ({codes}): probably another item's window"),
    msg("a sex named as one alternative of a list ('female subjects who are pregnant ...')"),
    msg("Child-Pugh points {points} with a gap: a range was probably meant"),
    msg("the criterion ends with 'or': its alternative is not in this criterion"),
    msg("lab named in the text but not in the rule: {labs}"),
    msg("other disease judged by the investigator (including a severe chronic gastrointestinal disease related to "
        "diarrhoea, a mental illness or social condition): not in the record"),
    msg("an allogeneic organ transplant excludes only when the investigator judges the subject unfit"),
    msg("patients receiving anti-coagulation treatment may be allowed to participate: the investigator decides"),
    msg("severe coagulation disorders other than the named examples (an open list)"),
    msg("a cancer no longer active but not curatively treated and disease-free for more than {years} years: the text "
        "does not say whether it excludes"),
    msg("period free of other malignancy not stated"),
    msg("anti-HTLV-1 antibody (not recorded): check the serology"),
    # criteria/families/history.py (issue 10, session 6): "uncontrolled bleeding / infection within <window>"
    msg("whether a bleed or infection within the window was uncontrolled is not in the record"),
    msg("whether the brain metastases are symptomatic (untreated or progressing ones may cause no symptoms)"),
    # compile.py: what a needs-review still read ("... (read as: <rule>)")
    msg("a requirement for some patients only (conditional)"),
    msg("an exclusion worded as 'no ...': which of its readings is meant"),
)

#: "<reason> (read as: <rule>)" and its kin: the suffix, its message (reason and rule fields)
_READ_AS: tuple[tuple[str, Msg], ...] = (
    (" (partly read as: ", msg("{reason} (partly read as: {rule})")),
    (" (read literally as: ", msg("{reason} (read literally as: {rule})")),
    (" (read as: ", msg("{reason} (read as: {rule})")),
)


def _pattern(template: str) -> re.Pattern[str]:
    out, pos = "", 0
    for m in re.finditer(r"\{(\w+)\}", template):
        out += re.escape(template[pos:m.start()])
        out += f"(?P<{m.group(1)}>.+)" if m.group(1) in ("text", "labs") else f"(?P<{m.group(1)}>.+?)"
        pos = m.end()
    return re.compile(out + re.escape(template[pos:]), re.DOTALL)


_SHAPE_PATTERNS = [(_pattern(shape.msgid), shape.msgid) for shape in REVIEW_SHAPES]


def _top_level(text: str, sep: str) -> list[str]:
    """*text* split at *sep* outside brackets (a rule "all of (a; b)" stays whole)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "(（[":
            depth += 1
        elif ch in ")）]":
            depth = max(0, depth - 1)
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def _shape(reason: str) -> tuple[str, dict[str, str]] | None:
    for pattern, msgid in _SHAPE_PATTERNS:
        m = pattern.fullmatch(reason)
        if m:
            return msgid, m.groupdict()
    return None


def review_reason_for_reader(reason: str, lang: str = "en", *,
                             read_as: Callable[[str], str | None] | None = None) -> str:
    """The compiler's review *reason* (English, as stored with the rule) in *lang*.

    The fixed words of a known shape are said from the catalog; the criterion text the reason quotes
    stays as written; a rule the reason shows ("... (read as: <rule>)") is given to *read_as* (which
    returns the rule in the reader's language, when it can rebuild it, else None: kept as written).
    Reasons joined with "; " are said one by one; a reason of an unknown shape is kept as written."""
    if lang == "en" or not reason:
        return reason
    segments: list[str] = []
    for part in _top_level(reason, "; "):
        if segments and _shape(part) is None and _split_read_as(part) is None:
            segments[-1] += "; " + part  # quoted criterion text with "; " in it
        else:
            segments.append(part)
    if len(segments) > 1:
        return say("; ", lang).join(review_reason_for_reader(s, lang, read_as=read_as) for s in segments)
    split = _split_read_as(reason)
    if split is not None:
        left, rule, message = split
        shown = read_as(rule) if read_as is not None else None
        return say(message.msgid, lang, reason=review_reason_for_reader(left, lang, read_as=read_as),
                   rule=shown if shown is not None else rule)
    found = _shape(reason)
    if found is None:
        return reason
    msgid, fields = found
    return say(msgid, lang, **fields)


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += 1 if ch == "(" else -1 if ch == ")" else 0
        if depth < 0:
            return False
    return depth == 0


def _split_read_as(reason: str) -> tuple[str, str, Msg] | None:
    if not reason.endswith(")"):
        return None
    for suffix, message in _READ_AS:
        at = reason.find(suffix)
        inner = reason[at + len(suffix):-1]
        if at > 0 and _balanced(inner):
            return reason[:at], reason[at + len(suffix):-1], message
    return None
