"""Compile one criterion text into an eligibility tree (rule-based, deterministic, explainable).

Pipeline for one criterion: normalise glyphs -> cut into sentences (``;`` ``；`` ``。`` and
English sentence ends) -> run every family scanner (labs, age, ECOG, Child-Pugh, ALBI, stage,
diagnosis, tumour, liver, therapy, history, virology, allergy, pregnancy, life expectancy,
administrative) -> keep non-overlapping hits (priority, then length) -> attach the sentence's
time window to therapy/history hits -> wrap hits preceded by a negation ("no", "not", 未, 无)
in ``Not`` -> join hits by their connectors ("or"/或 -> AnyOf; "and"/且 -> AllOf; a comma or a new
sentence -> AllOf for inclusion, AnyOf for exclusion) -> whatever meaningful text no scanner
explained becomes a ``NeedsReview`` child (never dropped, never guessed; an "except ..."
remainder restricts the rule: AllOf(rule, NeedsReview)).  Administrative statements (consent,
contraception, investigator judgement, permissive notes) take over their sentence.

``compile_criterion`` never raises: an internal failure becomes ``NeedsReview`` naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from hcctrials.criteria.families.admin import read_judgement_criterion, scan_admin
from hcctrials.criteria.families.extent import read_extent_criterion, scan_measurable, scan_pvtt, scan_varices
from hcctrials.criteria.families.demographics import (
    scan_age, scan_body_weight, scan_ecog, scan_life_expectancy, scan_pregnancy, scan_sex,
)
from hcctrials.criteria.grammar import ANCHOR, Context, Hit, Window, find_window, meaningful_residue
from hcctrials.criteria.families.history import scan_allergy, scan_history, scan_virology
from hcctrials.criteria.families.virology import read_virology_criterion, scan_virology_terms
from hcctrials.criteria.families.bleeding_infection import read_bleeding_infection_criterion
from hcctrials.criteria.families.diagnosis import scan_diagnosis_routes
from hcctrials.criteria.families.metastasis import scan_metastasis_sites, scan_metastatic_history
from hcctrials.criteria.families.progression import scan_progression_on_systemic_class, scan_progression_or_intolerance
from hcctrials.criteria.families.washout_investigational import scan_investigational_outside_trial
from hcctrials.criteria.families.lablists import is_lab_lead_in, split_lab_lead_ins
from hcctrials.criteria.families.labs import scan_labs
from hcctrials.criteria.families.gi import scan_gi
from hcctrials.criteria.families.endocrine import scan_endocrine
from hcctrials.criteria.families.organs import scan_nyha, scan_urine_protein
from hcctrials.criteria.families.advanced import scan_advanced_hcc
from hcctrials.criteria.families.diagnosis_hcc import scan_hcc_named
from hcctrials.criteria.families.labs_unless import read_lab_criterion, scan_lab_normal, scan_lab_unless_anticoagulated
from hcctrials.criteria.families.recovery import scan_candidacy, scan_cns_active, scan_toxicity
from hcctrials.criteria.families.malignancy import (
    MALIGNANCY_TERM, only_bounded_reviews, read_malignancy_criterion, scan_malignancy, starts_exception_sentence,
)
from hcctrials.criteria.families.cns import read_cns_criterion, scan_cns_qualified
from hcctrials.criteria.families.medications import read_allergy_criterion
from hcctrials.criteria.families.cardiac import read_windowed_condition_list
from hcctrials.criteria.families.cardiopulmonary import read_cardiopulmonary_criterion, scan_cardiopulmonary
from hcctrials.criteria.families.child_pugh_whole import read_child_pugh_criterion
from hcctrials.criteria.families.cirrhosis import scan_cirrhosis_child_pugh
from hcctrials.criteria.families.liver_notes import read_liver_sign_criterion, scan_liver_notes
from hcctrials.criteria.families.medications import scan_medications
from hcctrials.criteria.families.staging import (
    scan_albi,
    scan_child_pugh,
    scan_clip,
    scan_diagnosis,
    scan_liver,
    scan_okuda,
    scan_stage,
    scan_tumour,
)
from hcctrials.criteria.text.normalise import detect_language, normalise_text
from hcctrials.criteria.families.therapy import scan_since, scan_therapy
from hcctrials.criteria.families.therapy_readers import read_therapy_criterion
from hcctrials.criteria.families.medication_readers import read_medication_criterion
from hcctrials.model.eligibility import (
    Administrative,
    AllOf,
    AnyOf,
    HistoryCondition,
    LabThreshold,
    NeedsReview,
    Node,
    Not,
    PriorTherapy,
    Role,
    Source,
)

__all__ = ["compile_criterion", "compile_fragment", "SCANNERS", "is_fully_compiled"]

Scanner = Callable[[Context], list[Hit]]

SCANNERS: tuple[Scanner, ...] = (
    scan_admin, scan_labs, scan_age, scan_ecog, scan_life_expectancy, scan_pregnancy, scan_sex,
    scan_child_pugh, scan_albi, scan_clip, scan_okuda, scan_stage, scan_diagnosis, scan_tumour, scan_liver, scan_therapy,
    scan_history, scan_virology, scan_allergy, scan_malignancy, scan_nyha, scan_urine_protein,
    scan_toxicity, scan_candidacy, scan_cns_active, scan_since, scan_measurable, scan_pvtt, scan_varices,
    scan_medications, scan_cns_qualified, scan_cirrhosis_child_pugh, scan_body_weight,
    scan_diagnosis_routes, scan_metastasis_sites, scan_progression_or_intolerance, scan_virology_terms,
    scan_advanced_hcc, scan_hcc_named, scan_lab_unless_anticoagulated, scan_lab_normal,
    scan_liver_notes, scan_progression_on_systemic_class, scan_investigational_outside_trial,
    scan_metastatic_history,
    scan_cardiopulmonary,
    scan_gi, scan_endocrine,
)

# "St. John's wort" is a name, not a sentence end
# "Stage B or C. Segmental ... is allowed": a sentence may end on a one-letter class (an initial followed
# by a capitalised word of three or more letters)
_SENTENCE = re.compile(r"[;。]|\s[-*•]\s+(?=[A-Z(])|(?<=\.)\s+o\s+(?=[A-Z])|(?<=[a-z0-9)\]])(?<!\bSt)(?<!\bst)\.\s+(?=[A-Z(])"
                       r"|(?<=\s[A-DI-V])\.\s+(?=[A-Z][a-z]{2,})|\.$")
_OR = re.compile(r"(?:^|[\s,(])(?:or|and/or|或者|或|或是|及/或)(?:$|[\s,)])|或", re.IGNORECASE)
_AND = re.compile(r"(?:^|[\s,])(?:and|as well as|plus|且|并且|同时|以及|和|并)(?:$|[\s,])|且|并且", re.IGNORECASE)
_NEGATION = re.compile(
    r"(?:\bno|\bnot|\bnever|\bwithout|\bnon|\bfree of|\babsence of|未曾|未|无|没有|不)\s*(?:have|has|had|be|been|being|any|"
    r"known|evidence of|history of|prior|previous|documented|a|an|clinically significant|significant|received|曾|有|接受过|经)?"
    r"\s*(?:\w+\s+)?$",
    re.IGNORECASE,
)
# "(including ...)", "(such as ...)", "(如...)", "(clinical assessment may include ...)": examples of a
# condition already named; their words neither add rules nor need review
_EXAMPLES = re.compile(r"[(\[](?:\s*(?:including|include|such as|e\.g\.?|eg|i\.e\.?|for example|包括|如|例如|比如|诸如)"
                       r"|[^()\[\]]{0,40}(?:may include|可能包括))[^()\[\]]*(?:[(\[][^()\[\]]*[)\]][^()\[\]]*)*[)\]]"
                       # "(SIR-Spheres should not be administered as a whole liver treatment if ...)": an instruction
                       # to the treating team in parentheses, not an eligibility condition
                       r"|\([^()]{0,60}\b(?:should|must)\s+(?:not\s+)?be\s+(?:administered|given|delivered)\b[^()]*\)",
                       re.IGNORECASE)
_EXCEPT = re.compile(r"except|excluding|exception|other than|unless|除外|例外|但以下|但是?|除了", re.IGNORECASE)
_BUT = re.compile(r"\bbut\b|\bhowever\b|\bprovided\b|但(?!以下)|然而", re.IGNORECASE)
_DOMINANT_ORDER = ["investigator_judgement", "permissive", "contraception", "procedure", "consent", "compliance"]
# "No anti-coagulation therapy is allowed ...", "... are not eligible": a refusal, not a permission
_REFUSAL = re.compile(r"^\s*(?:-\s*)?no\b[^.;]{0,80}\b(?:is|are)\s+(?:allowed|permitted|eligible)|\bnot\s+(?:be\s+)?"
                      r"(?:allowed|permitted|eligible)\b|不允许|不得|不可", re.IGNORECASE)
# words that make a permission carry a requirement: a threshold, a condition, a refusal or a restriction
_PERMISSION_TERMS = re.compile(
    r"[≥≤<>]|\d+(?:\.\d+)?\s*(?:%|cm|mm|mg|g/|x\s*uln|points?)|\b(?:if|as long as|provided|only|not|no|never|except\w*|exception"
    r"|unless|must|greater|less|more than|fewer|at least|at most|up to|limited|maximum|minimum|stable dose|all of which)\b"
    r"|如果|若|只要|前提|仅|只有|不|除外|除了|必须|以上|以下|超过|不超过",
    re.IGNORECASE)
_DOMINANT = set(_DOMINANT_ORDER)

_CTCAE_GRADE = re.compile(r"ctcae[^;。]{0,16}?(?:grade|分级|级)?\s*(?:[1-5]|iv|v|i{1,3})\b|(?:grade|分级)\s*(?:≥|>)?\s*(?:[1-5]|iv|i{1,3})",
                          re.IGNORECASE)


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _select(hits: list[Hit]) -> list[Hit]:
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.priority, -(h.end - h.start), h.start)):
        if hit.end <= hit.start:
            continue
        if hit.extra.get("twin"):
            if any(c.start == hit.start and c.end == hit.end and c.family == hit.family for c in chosen):
                chosen.append(hit)
            continue
        if all(hit.end <= c.start or hit.start >= c.end for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)


def _apply_window(node: Node, window: Window) -> Node:
    if isinstance(node, PriorTherapy):
        return node.model_copy(update={"within_days": window.days, "half_lives": window.half_lives,
                                       "whichever_longer": window.whichever_longer})
    if isinstance(node, HistoryCondition):
        return node.model_copy(update={"look_back_days": window.days})
    if isinstance(node, AnyOf) and node.children and all(isinstance(c, PriorTherapy) for c in node.children):
        # one therapy read as alternatives (locoregional therapy: the procedures, or liver radiotherapy)
        return AnyOf(children=[_apply_window(c, window) for c in node.children])
    return node


_SEGMENT_VERB = re.compile(r"received|receiving|undergone|underwent|diagnosed|treated|had\b|have\b|接受|诊断|患有|曾有|有过",
                           re.IGNORECASE)


def _window_scope(text: str, window: Window, hits: list[Hit], language: str) -> set[int]:
    """Which windowed hits a time window applies to.

    The window covers the comma-separated list it belongs to: English states it after the
    list ("received A, B or C within 4 weeks"; at the start: "Within 3 months, ..."), Chinese
    before ("4周内接受过A或B").  Walking away from the window, the scope stops after a
    segment with its own verb ("had undergone transplantation, ..., or received steroids
    within 7 days" scopes only the steroids).
    """
    windowed = [h for h in hits if h.windowed]
    if not windowed:
        return set()
    commas = [m.start() for m in re.finditer(r",", text)]
    after = [h for h in windowed if h.start >= window.end]
    before = [h for h in windowed if h.end <= window.start]
    leading = not text[:window.start].strip(" ,(") or language == "zh" and after
    if leading:
        lo, hi = window.end, len(text)
        for c in commas:
            if c > window.end and _SEGMENT_VERB.search(text[c:]) and any(h.start > c for h in after):
                seg_end = next((c2 for c2 in commas if c2 > c), len(text))
                if _SEGMENT_VERB.search(text[c:seg_end]):
                    hi = c
                    break
        return {id(h) for h in after if lo <= h.start < hi}
    lo = 0
    for c in reversed([c for c in commas if c < window.start]):
        seg = text[c:window.start]
        if _SEGMENT_VERB.search(seg):
            lo = c
            break
    scope = {id(h) for h in before if h.start >= lo}
    if not scope and after:
        scope = {id(after[0])}
    return scope


def _dedupe(nodes: list[Node], ops: list[str]) -> tuple[list[Node], list[str]]:
    from hcctrials.model.eligibility import leaf_key

    seen: set[str] = set()
    out: list[Node] = []
    out_ops: list[str] = []
    for i, node in enumerate(nodes):
        key = leaf_key(node)
        if key in seen:
            continue
        seen.add(key)
        if out:
            out_ops.append(ops[i - 1] if i > 0 else ",")
        out.append(node)
    return out, out_ops


def _join(nodes: list[Node], ops: list[str], default: str) -> Node:
    """Join *nodes* with the connectors *ops* (len(nodes)-1): 'or' binds tighter than 'and'."""
    groups: list[list[Node]] = [[nodes[0]]]
    for op, node in zip(ops, nodes[1:]):
        if op == "or":
            groups[-1].append(node)
        else:
            groups.append([node])
    parts: list[Node] = [g[0] if len(g) == 1 else AnyOf(children=g) for g in groups]
    if len(parts) == 1:
        return parts[0]
    # groups are joined by 'and' or ',' (a comma takes the role's default)
    non_or = [o for o in ops if o != "or"]
    if default == "and" or (non_or and all(o == "and" for o in non_or)):
        return AllOf(children=parts)
    return AnyOf(children=parts)


def _connector(between: str) -> str:
    if _OR.search(between):
        return "or"
    if _AND.search(between):
        return "and"
    return ","


def _in_parentheses(text: str, pos: int) -> bool:
    """True when *pos* lies inside an open parenthesis of *text* ("Tumors must not be greater than 10cm (small
    satellite lesions ... are allowed)": the permission qualifies the requirement around it)."""
    return text.count("(", 0, pos) > text.count(")", 0, pos)


def _compile_sentence(text: str, ctx: Context, *, recurse: bool = True) -> list[Node]:
    raw_hits: list[Hit] = []
    for scanner in SCANNERS:
        if not recurse and scanner is scan_labs:
            continue
        raw_hits.extend(scanner(ctx))
    examples = [m.span() for m in _EXAMPLES.finditer(ctx.lower)]
    if examples:
        raw_hits = [h for h in raw_hits if h.family == "admin" or not any(s < h.start and h.end <= e for s, e in examples)]
    hits = _select(raw_hits)
    absorbing = [h for h in hits if h.extra.get("absorb_admin")]
    admin = sorted((h for h in raw_hits if h.family == "admin" and h.extra.get("category") in _DOMINANT
                    and not any(a.start <= h.start and h.end <= a.end for a in absorbing)),
                   key=lambda h: _DOMINANT_ORDER.index(h.extra["category"]))
    clinical = [h for h in hits if h.family != "admin"]
    if clinical:
        # "measurable lesion ... as confirmed by the blinded central imaging vendor": who confirms a finding or how old
        # the baseline scan may be (admin.py, extra "qualifier") is context of the clinical requirement beside it
        admin = [h for h in admin if not h.extra.get("qualifier")]
    if admin and admin[0].extra["category"] in ("consent", "compliance") and clinical:
        admin = []  # "age on the day of signing consent >= 18": the consent words are context
    if admin:
        category = admin[0].extra["category"]
        nodes: list[Node] = [Administrative(category=category)]
        if category == "permissive" and _BUT.search(ctx.lower[admin[0].end:]):
            nodes.append(NeedsReview(reason=f"condition attached to a permissive statement: {text.strip()}"))
        elif category == "permissive" and (_REFUSAL.search(ctx.lower) or (
                (clinical or _in_parentheses(ctx.lower, admin[0].start)) and _PERMISSION_TERMS.search(ctx.lower))):
            # "Karnofsky performance status >/= 70 are eligible", "Child Pugh A or B (Total point of 7 will be
            # allowed)", "No anti-coagulation therapy is allowed with the exception of low-dose aspirin": a
            # requirement, a threshold or a refusal worded as a permission; as a note it would never block
            nodes.append(NeedsReview(reason=f"a requirement worded as a permission: {text.strip()}"))
        return nodes
    window = find_window(text)
    mask = [True] * len(text)
    for h in hits:
        for i in range(h.start, min(h.end, len(text))):
            mask[i] = False
    scoped = _window_scope(text, window, hits, ctx.language) if window else set()
    if scoped and window is not None:  # scoped is empty without a window
        for i in range(window.start, min(window.end, len(text))):
            mask[i] = False
    for h in hits:
        if "progression" in h.extra:
            s, e = h.extra["progression"]
            for i in range(s, min(e, len(text))):
                mask[i] = False
    nodes, ops = [], []
    prev_end = 0
    negated_run, run_family = False, ""
    for h in hits:
        if h.extra.get("anchor") or (h.extra.get("qualifier") and clinical):
            continue  # "age ... at time of signing informed consent": the consent dates the age; its words are read
        node = h.node
        if id(h) in scoped and window is not None:
            node = _apply_window(node, window)
        before = ctx.lower[prev_end:h.start]
        tail_start = max(0, len(before) - 48)
        neg = _NEGATION.search(before, tail_start)
        # issue 10 (session 6): "No history of hematemesis or hemoptysis": the negation covers every item of a list
        # joined only by commas and "or" (neither A nor B); read as "not A, or B" it admitted a patient with B
        # (items of one kind only: "no A, ECOG 0-1" is two requirements)
        listed = negated_run and bool(nodes) and re.fullmatch(r"\s*(?:,\s*)?(?:(?:or|and/or|nor)\s+)?", before) is not None \
            and (h.family == run_family or {h.family, run_family} <= {"history", "virology"})
        if neg and h.family not in ("admin",):
            node = Not(child=node)
            for i in range(prev_end + neg.start(), h.start):
                mask[i] = False
        elif listed:
            node = Not(child=node)
        negated_run, run_family = bool(neg or listed) and h.family not in ("admin",), h.family
        if nodes:
            ops.append("and" if listed else _connector(before))
        nodes.append(node)
        prev_end = h.end
    for s, e in examples:
        for i in range(s, min(e, len(text))):
            mask[i] = False
    residue = "".join(c if keep else " " for c, keep in zip(text, mask))
    for word in ("or", "and"):
        residue = re.sub(rf"\b{word}\b", " ", residue, flags=re.IGNORECASE)
    leftover = meaningful_residue(residue)
    ctcae = _CTCAE_GRADE.search(residue)
    if ctcae and not leftover:  # "CTCAE 分级II级以上心肌缺血": a grade restriction is never dropped
        leftover = " ".join(residue.split())
    if not nodes:
        if not leftover and text.rstrip().endswith(":"):
            return []  # a list lead-in ("Adequate organ function defined as:"): the items carry the rules
        return [NeedsReview(reason=f"no rule recognised in: {text.strip()}")] if leftover or text.strip() else []
    default = "and" if ctx.role != "exclusion" else "or"
    nodes, ops = _dedupe(nodes, ops)
    joined = _join(nodes, ops, default)
    if leftover:
        review = NeedsReview(reason=f"text not compiled: {leftover}")
        if _EXCEPT.search(leftover) or ctx.role == "exclusion" and _EXCEPT.search(text):
            return [AllOf(children=[joined, review])]
        return [joined, review]
    return [joined]


def _sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _SENTENCE.finditer(text):
        if text[start:m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def _lab_window(node: Node, days: int) -> Node:
    """*node* with the look-back window of a list lead-in applied to its lab thresholds."""
    if isinstance(node, (AllOf, AnyOf)):
        return node.model_copy(update={"children": [_lab_window(c, days) for c in node.children]})
    if isinstance(node, Not):
        return node.model_copy(update={"child": _lab_window(node.child, days)})
    if isinstance(node, LabThreshold) and node.look_back_days is None:
        return node.model_copy(update={"look_back_days": days})
    return node


def _merge_exception_sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a sentence naming another malignancy with the sentences after it that only list its
    exceptions ("... malignancy. Exceptions include ...": malignancy.py reads them as one)."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and MALIGNANCY_TERM.search(text[out[-1][0]:out[-1][1]]) and starts_exception_sentence(text[s:e]):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def compile_fragment(text: str, ctx: Context) -> Node:
    """Compile a fragment (e.g. the condition of a conditional lab threshold) in *ctx*'s setting."""
    norm = normalise_text(text)
    sub = Context(text=norm, lower=_lower_same_length(norm), language=ctx.language, role=None,
                  trial_drugs=ctx.trial_drugs, compile_fragment=compile_fragment)
    nodes = _compile_sentence(norm, sub, recurse=False)
    if not nodes:
        return NeedsReview(reason=f"condition not compiled: {text.strip()}")
    return nodes[0] if len(nodes) == 1 else AllOf(children=nodes)


_EXCLUDED_HERE = re.compile(r"^\W*(?:patients?|subjects?|participants?|those|anyone)\s+(?:with|who|having|on|receiving|that)\b"
                            r"[^;。]*?\b(?:is|are|will\s+be|shall\s+be|would\s+be)\s+(?:excluded|ineligible|not\s+eligible)\b(?!\s+for)",
                            re.IGNORECASE)
_LONE_SECTION_WORD = re.compile(r"\s*(?:eligibility|inclusion|exclusion)(?:\s+criteria)?\s*[.:：]?\s*", re.IGNORECASE)
_NO_PATIENTS_WHO = re.compile(r"^(\s*)no(\s+(?:patients?|subjects?|participants?)\s+(?:who|with|that|having)\b)", re.IGNORECASE)


@lru_cache(maxsize=200_000)
def _compile_cached(text: str, role: str | None, trial_drugs: tuple[str, ...]) -> Node:
    norm = normalise_text(text)
    if not norm:
        return NeedsReview(reason="empty criterion")
    if role == "exclusion":
        # "No patients who have undergone resection ... within 30 days": the exclusion list's way of saying that such
        # patients are excluded (unlike "No prior sorafenib", whose reading is unclear); blanked to keep offsets
        norm = _NO_PATIENTS_WHO.sub(lambda m: m.group(1) + "  " + m.group(2), norm, count=1)
    language = detect_language(norm)
    parts: list[Node] = []
    ops: list[str] = []
    lead_days: int | None = None
    for s, e in split_lab_lead_ins(norm, _merge_exception_sentences(norm, _sentences(norm))):
        sentence = norm[s:e]
        if _LONE_SECTION_WORD.fullmatch(sentence):
            continue  # "... Child-Pugh class A or B7. Eligibility": a heading run into the criterion, not a rule
        if is_lab_lead_in(sentence):  # "Adequate organ function as defined below:": its items carry the rules
            lead = find_window(sentence)
            if lead is not None:
                lead_days = lead.days
            continue
        ctx = Context(text=sentence, lower=_lower_same_length(sentence), language=language, role=role,
                      trial_drugs=trial_drugs, compile_fragment=compile_fragment)
        nodes = _compile_sentence(sentence, ctx)
        if nodes and role == "inclusion" and _EXCLUDED_HERE.search(sentence):
            # "Child-Pugh A. Patients with ascites are excluded" in the inclusion list: the sentence states an
            # exclusion, so its rule would be inverted if read as an inclusion
            nodes = [NeedsReview(reason=f"an exclusion stated in the inclusion list: {sentence.strip()}")]
        if not nodes:
            lead = find_window(sentence) if sentence.rstrip().endswith(":") else None
            if lead is not None:
                lead_days = lead.days  # "Adequate organ function within 14 days of enrollment defined as:"
            continue
        if lead_days is not None:
            nodes = [_lab_window(n, lead_days) for n in nodes]
        starts_or = bool(re.match(r"\s*(?:or\b|或者|或)", ctx.lower))
        if parts and len(nodes) == 1 and isinstance(nodes[0], NeedsReview) and (
                _EXCEPT.search(sentence) or nodes[0].reason.startswith("exception not compiled")):
            parts[-1] = AllOf(children=[parts[-1], nodes[0]])  # "Exceptions include ...": restricts the rule
            continue
        for k, node in enumerate(nodes):
            if parts:
                ops.append("or" if (k == 0 and starts_or) else ",")
            parts.append(node)
    if not parts:
        return NeedsReview(reason=f"no rule recognised in: {text.strip()}")
    admins = [p for p in parts if isinstance(p, Administrative)]
    if len(admins) == len(parts):
        return admins[0]
    if admins and len(admins) < len(parts):
        keep = [(p, o) for p, o in zip(parts, [","] + ops) if not isinstance(p, Administrative)]
        parts = [p for p, _ in keep]
        ops = [o for _, o in keep][1:]
    if len(parts) == 1:
        return parts[0]
    return _join(parts, ops, "and" if role != "exclusion" else "or")


def _is_exception_review(review: NeedsReview) -> bool:
    if review.reason.startswith("exception not compiled"):
        return True
    left = review.reason.split(":", 1)[1] if review.reason.startswith("text not compiled:") else ""
    return bool(re.match(r"\s*(?:except|excluding|exception|other than|unless|除外|除了)", left, re.IGNORECASE))


def _narrowing_exception(node: Node, role: str | None) -> bool:
    """True for an exclusion ``AllOf(rule, NeedsReview(exception ...))``: an exception that can only
    narrow a fully compiled exclusion ("other malignancy unless cured > 3 years", "arrhythmia
    requiring therapy other than beta blockers").  When the rule is not met the exception cannot
    change that, so the compiled part may decide; otherwise it needs review.  (In an inclusion an
    exception widens what is admitted, so it never decides there.)"""
    if role != "exclusion" or not isinstance(node, AllOf) or len(node.children) < 2:
        return False
    reviews = [c for c in node.children if isinstance(c, NeedsReview)]
    rules = [c for c in node.children if not isinstance(c, NeedsReview)]
    return (len(rules) == 1 and (is_fully_compiled(rules[0]) or only_bounded_reviews(rules[0])) and bool(reviews)
            and all(_is_exception_review(r) for r in reviews))


def _precision_gate(node: Node, role: str | None) -> Node:
    """A partly compiled criterion needs review as a whole (issue 10: a wrong rule is worse than
    "needs review").  The part that compiled would decide the criterion while the words left over
    may invert, widen or narrow it ("proof of HCC or cholangiocarcinoma" with "HCC" not read must
    not reject every HCC patient), so it is kept only in the reason, for the reviewer.  The one
    exception: a narrowing exception of an exclusion rule (:func:`_narrowing_exception`)."""
    if isinstance(node, NeedsReview) or is_fully_compiled(node) or _narrowing_exception(node, role) or \
            only_bounded_reviews(node):  # an exception qualifier the record cannot show (criteria/families/malignancy.py)
        return node
    from hcctrials.criteria.compiler.describe import describe
    from hcctrials.model.eligibility import walk

    reviews = [n for n in walk(node) if isinstance(n, NeedsReview)]
    left = "; ".join(dict.fromkeys(n.reason for n in reviews))
    read = _without_review(node)
    partial = describe(read)
    shown = [r for n in reviews for r in n.read_as]
    return NeedsReview(reason=f"{left} (partly read as: {partial})" if partial else left,
                       read_as=[read, *shown] if partial else shown)


# An exclusion written as a requirement ("Must not have known brain metastases", "No X", "All prior
# toxicities must be <= grade 1"): the author's exclusion is the condition itself, so the negation the
# wording carries is dropped (issue 10: read literally it excluded every patient *without* X).
_REQUIREMENT_WORDING = re.compile(
    r"^\s*(?:(?:the\s+)?(?:patients?|subjects?|participants?)\s+)?(?:must|should|shall|may|will)\s+not\b"
    r"|\bmust\s+(?:be|have)\b|^\s*(?:all|any)\b[^.;]{0,80}\bmust\b|不得|不能有|不应|应无|必须无",
    re.IGNORECASE)
# A requirement that applies only to some patients ("If liver cirrhosis is present, patient must ...",
# "Participants with HBV infection must be treated ..."): a conditional rule the compiler does not build.
_CONDITIONAL = re.compile(
    r"^\s*(?:if|when|for|in)\b[^.;]{1,120}[,，]|\b(?:patients?|participants?|subjects?|those|women|men)\s+(?:with|who)\b"
    r"[^.;]{1,120}\b(?:must|should|are required|need|will need)\b|^\s*如果|^\s*若|^\s*对于|的患者[^。；]{0,40}(?:必须|需|应)",
    re.IGNORECASE)


def _sex_conditional_pregnancy(node: Node, text: str) -> bool:
    """"If female, neither pregnant nor lactating": the condition is only the sex and the rule only about
    pregnancy, which no man meets anyway, so the conditional is exactly the rule."""
    from hcctrials.model.eligibility import walk

    kinds = {n.kind for n in walk(node) if n.kind not in ("all_of", "any_of", "not")}
    return kinds == {"pregnancy"} and bool(re.match(
        r"\s*(?:if|for)\s+(?:a\s+)?(?:female|women|woman|females)\b|\s*(?:如果|若)?(?:是)?(?:女性|育龄期?女性)", text, re.IGNORECASE))


def _cirrhosis_conditional(node: Node) -> bool:
    """"If cirrhosis is present, Child-Pugh A": the rule already is the conditional (no cirrhosis, or the score;
    :mod:`hcctrials.criteria.families.cirrhosis`)."""
    from hcctrials.model.eligibility import ChildPugh, Diagnosis

    return isinstance(node, AnyOf) and len(node.children) == 2 and \
        any(isinstance(c, Diagnosis) and c.cirrhosis is False for c in node.children) and \
        any(isinstance(c, ChildPugh) for c in node.children)


# "No X" in an exclusion list.  Where X is something a trial excludes for (a prior therapy, an allergy, a
# history item, pregnancy, another cancer, a medication) the line is a requirement copied into the list
# ("No prior use of lenalidomide", "No known hypersensitivity to thalidomide": prior lenalidomide, the
# allergy, excludes).  Where X is what a patient needs to be assessable (a measurable or evaluable lesion)
# the absence excludes ("No measurable or evaluable tumoral lesion").  Any other leaf stays for review.
_PRESENCE_EXCLUDES = frozenset({"prior_therapy", "allergy", "history", "pregnancy", "other_malignancy", "medication"})
_CNS_FEATURES = frozenset({"cns_metastasis", "cns_metastasis_active"})
_ABSENCE_EXCLUDES_FEATURES = frozenset({"measurable_disease", "measurable_disease_mrecist", "measurable_untreated",
                                        "measurable_untreated_mrecist", "evaluable_disease"})


def _no_wording_reading(node: Node) -> str | None:
    """'presence_excludes', 'absence_excludes' or None (clinical reading needed) for the X of "No X"."""
    from hcctrials.model.eligibility import TumourFeature, walk

    leaves = [n for n in walk(node) if n.kind not in ("all_of", "any_of", "not")]
    if not leaves or any(isinstance(n, NeedsReview) for n in leaves) or any(n.kind == "not" for n in walk(node)):
        return None
    if all(n.kind in _PRESENCE_EXCLUDES or (isinstance(n, TumourFeature) and n.feature in _CNS_FEATURES)
           for n in leaves):
        return "presence_excludes"
    if all(isinstance(n, TumourFeature) and n.feature in _ABSENCE_EXCLUDES_FEATURES for n in leaves):
        return "absence_excludes"
    return None


def _audited(node: Node, text: str, role: str | None) -> Node:
    """*node*, or needs-review with the reason when a precision audit finds the rule unlike the text
    (:mod:`hcctrials.criteria.compiler.precision`); an exclusion worded as a requirement loses its negation."""
    if isinstance(node, (NeedsReview, Administrative)):
        return node
    norm = normalise_text(text)
    if role == "exclusion" and isinstance(node, Not):
        if _REQUIREMENT_WORDING.search(norm):
            node = node.child
        elif re.match(r"\s*(?:no|none|not|无|未)\b", norm, re.IGNORECASE) or re.match(r"\s*(?:无|未)", norm):
            # "No brain metastases" (a requirement copied into the exclusion list: X excludes) or "No
            # measurable lesion" (the absence excludes): the leaf's clinical family tells which
            reading = _no_wording_reading(node.child)
            if reading == "presence_excludes":
                return _audited(node.child, text, role)
            if reading is None:
                from hcctrials.criteria.compiler.describe import describe as _describe

                return NeedsReview(reason=f"an exclusion worded as 'no ...': which of its readings is meant "
                                          f"(read literally as: {_describe(node)})", read_as=[node])
    if _CONDITIONAL.search(norm) and not _sex_conditional_pregnancy(node, norm) and not _cirrhosis_conditional(node):
        from hcctrials.criteria.compiler.describe import describe as _describe

        return NeedsReview(reason=f"a requirement for some patients only (conditional) (read as: {_describe(node)})",
                           read_as=[node])
    from hcctrials.criteria.compiler.describe import describe
    from hcctrials.criteria.compiler.precision import audit_compiled, present_tense_reading

    node = present_tense_reading(node, norm)

    description = describe(node)
    reason = audit_compiled(node, ANCHOR.sub(" ", norm), role, description)
    return NeedsReview(reason=f"{reason} (read as: {description})", read_as=[node]) if reason else node


def _without_review(node: Node) -> Node:
    if isinstance(node, (AllOf, AnyOf)):
        kids = [_without_review(c) for c in node.children if not isinstance(c, NeedsReview)]
        return kids[0] if len(kids) == 1 else node.model_copy(update={"children": kids})
    if isinstance(node, Not):
        return node.model_copy(update={"child": _without_review(node.child)})
    return node


def compile_criterion(text: str, *, role: Role | None = None, number: str | None = None,
                      trial_drugs: tuple[str, ...] = ()) -> Node:
    """Compile one criterion's text into a tree whose root carries the :class:`Source`.

    *role* ('inclusion'/'exclusion') decides how a comma-separated list joins (all-of for
    inclusion, any-of for exclusion).  *trial_drugs* are the trial's lexicon ids, used by
    "allergy to the study drugs".  Never raises: a failure becomes ``NeedsReview``.
    """
    try:
        # read as a whole, every sentence (criteria/families/virology.py, criteria/families/malignancy.py)
        whole = read_virology_criterion(text, role) or read_bleeding_infection_criterion(text, role) or \
            read_malignancy_criterion(text, role) or read_cns_criterion(text, role) or \
            read_cardiopulmonary_criterion(text, role) or \
            read_allergy_criterion(text, role) or \
            read_windowed_condition_list(text, role, _compile_item) or \
            read_child_pugh_criterion(text, role) or read_liver_sign_criterion(text, role) or \
            read_extent_criterion(text, role) or \
            read_therapy_criterion(text, role) or read_medication_criterion(text, role) or \
            read_lab_criterion(text, role) or read_judgement_criterion(text, role)
        # cardiac.py; therapy_readers.py (prior therapy, recovery); labs_unless.py; admin.py (judgement with examples)
        node = whole if whole is not None else \
            _audited(_precision_gate(_compile_cached(text, role, tuple(trial_drugs)), role), text, role)
    except Exception as exc:  # noqa: BLE001 - named in the NeedsReview reason, never hidden
        node = NeedsReview(reason=f"compiler error {type(exc).__name__}: {exc}")
    source = Source(text=text.strip(), language=detect_language(text) if text.strip() else None,
                    number=number, role=role)
    return node.model_copy(update={"source": source})


def _compile_item(text: str, role: Role) -> Node:
    """One item of a list read by a whole-criterion reader (criteria/families/cardiac.py), compiled as a criterion."""
    return compile_criterion(text, role=role)


def is_fully_compiled(node: Node) -> bool:
    """True when no part of *node* needs review."""
    from hcctrials.model.eligibility import walk

    return not any(isinstance(n, NeedsReview) for n in walk(node))
