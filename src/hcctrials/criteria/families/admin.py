"""Administrative criteria: consent, contraception, compliance, investigator judgement,
permissive notes and screening procedures.  They evaluate to ``administrative``: listed for
the coordinator, never blocking and never "met"."""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit, ascii_re
from hcctrials.model.eligibility import Administrative, AllOf, AnyOf, HistoryCondition, NeedsReview, Node

__all__ = ["scan_admin", "ADMIN_TERMS", "read_judgement_criterion"]

ADMIN_TERMS: list[tuple[str, str]] = [
    (r"informed consent|consent form|sign(?:ed)?\s+(?:the\s+)?(?:written\s+)?consent|知情同意", "consent"),
    (r"contracep\w*|birth control|避孕|childbearing potential[^;。]{0,80}?(?:agree|use)|pregnancy test|妊娠试验|妊娠检测",
     "contraception"),
    # conduct around pregnancy during the study ("Should a woman become pregnant or suspect she is pregnant while
    # participating in this study, she should inform her treating physician immediately", "If a male participant
    # impregnates his partner ...", "Be counseled about pregnancy precautions and risks of fetal exposure",
    # "Lactating females must agree not to breast feed while taking lenalidomide"): instructions, not eligibility
    (r"(?:becomes?|become)\s+pregnant[^;。]{0,120}?\b(?:inform|notify|tell)\b|suspects?\s+(?:she|he)\s+is\s+pregnant"
     r"|\bimpregnates?\b|counsel+ed\s+(?:about|on|regarding)\b[^;。]{0,60}?(?:fetal|foetal|pregnan)"
     r"|agree\s+not\s+to\s+breast[\s-]*feed"
     # methods and definitions of the contraception requirement ("Women must refrain from donating eggs", "A woman
     # is considered to be of childbearing potential if ...", "tubal ligation, intra-uterine device, vasectomized
     # partner", "must agree not to father a child"): instructions and definitions, not eligibility
     r"|\babstinen\w*|refrain\s+from\s+donating\s+(?:eggs|ova|oocytes|sperm|semen)|\bcondoms?\b|tubal\s+ligation"
     r"|intra-?uterine\s+devices?|vasectomi[sz]ed|(?:considered\s+to\s+be\s+of|defined\s+as)[^;。]{0,40}childbearing"
     r"|child-?bearing\s+potential\s+(?:is|are)\s+defined|definition\s+of\s+child-?bearing\s+potential"
     r"|(?:not\s+(?:to\s+)?)?donat\w*\s+(?:semen|sperm|eggs|ova)(?:\s+or\s+(?:semen|sperm))?|prevent\s+conception|father\s+a\s+child"
     r"|teratogenic|negative\s+serum\s+(?:\S+\s+)?test", "contraception"),
    (r"compl(?:y|iance|iant)\s+with|able to comply|willing(?:ness)? to (?:comply|follow)|follow[- ]up|依从|随访"
     r"|non-?compliance", "compliance"),
    (r"(?:in the (?:opinion|judgement|judgment) of the investigator|investigator'?s? (?:opinion|judgement|judgment)"
     r"|(?:investigators?|researchers?|clinicians?|physicians?)\s+(?:consider|believe|judge|deem|think)s?"
     r"|judged by the investigator|considered by (?:the\s+)?(?:investigator|clinician)s?"
     # "unsuitable for (the) study / for trial participation" (not "unsuitable for resection": a clinical statement)
     r"|(?:unsuitable|not suitable|inappropriate)\s+(?:for\s+(?:the\s+|this\s+)?(?:study|trial|participation|enrol?ment|inclusion)"
     r"|to\s+(?:participate|be\s+enrolled|take\s+part))|unsuitable\s+subjects?"
     r"|研究者(?:认为|判断|判定)|研究者认为|不适合(?:参加|入组)|不宜参加"
     r"|(?:at|per|in|according to)\s+(?:the\s+)?(?:discretion|judge?ment|opinion)\s+of\s+(?:the\s+)?(?:treating\s+|enrolling\s+)?"
     r"(?:investigators?|physicians?|pi)\b|\bper\s+(?:the\s+)?(?:pi|investigator)(?:'s)?\s+discretion"
     r"|investigator'?s\s+discretion|as\s+determined\s+by\s+the\s+(?:treating\s+)?(?:investigators?|physicians?))",
     "investigator_judgement"),
    # capacity to understand and to take the study drug: checked by the site, never computed
    (r"mentally\s+capable|capable\s+of\s+understanding|able\s+to\s+understand|能够理解", "consent"),
    (r"(?:able|ability|unable|inability)\s+to\s+swallow|swallow\s+(?:whole\s+)?(?:pills|tablets|capsules|oral\s+medications?)"
     r"|吞咽(?:药物|片剂|胶囊)", "compliance"),
    # "Concurrent treatment with a non-permitted drug" names prohibited drugs: no permission
    (r"can be included|may be included|can be enrolled|are eligible|is allowed|are allowed|will be allowed|\ballows?\b"
     r"|(?<!non-)(?<!non)\bpermitted\b"
     r"|可以(?:纳入|入组)|可纳入|允许",
     "permissive"),
    (r"must be tested|necessary to test|需要?进行[^;。]{0,10}?检测|必须对患者进行|筛查期间"
     r"|(?:willing|eligible|able|agree)\s+to\s+undergo\s+[^;。]{0,40}?biops(?:y|ies)|mandated\s+biops(?:y|ies)"
     r"|archival\s+tumou?r\s+(?:biopsy\s+)?(?:tissue|samples?|blocks?)|contraindications?\s+(?:to|for)\s+(?:have\s+|undergo\s+)?(?:an?\s+)?mri\b"
     r"|contraindication\s+for\s+mri"
     # the study's imaging procedures, as MRI above: "Contraindications to angiography or selective visceral
     # catheterization" (NCT01887717)
     r"|contraindications?\s+(?:to|for)\s+(?:(?:hepatic\s+)?angiography|(?:selective\s+)?visceral\s+catheteri[sz]ation)"
     r"(?:\s+or\s+(?:(?:hepatic\s+)?angiography|(?:selective\s+)?visceral\s+catheteri[sz]ation))?", "procedure"),
]
_ADMIN_RE = [(ascii_re(p), c) for p, c in ADMIN_TERMS]

# "A signed informed consent must be obtained prior to any study specific procedures", "signs an informed
# consent document prior to conducting any study related assessments/procedures": the time words anchor the
# consent, they name no prior (investigational) therapy; the whole span is the consent (priority over therapy)
_CONSENT_BEFORE_PROCEDURES = ascii_re(
    r"(?:informed\s+)?consent(?:\s+(?:form|document))?\b[^;.]{0,60}?\b(?:prior\s+to|before)\s+(?:conducting\s+|performing\s+)?"
    r"(?:any|all)\s+(?:study|trial|protocol)[- ](?:specific|related)\s+(?:assessments?\s*(?:/|and|or)\s*)?"
    r"(?:procedures?|assessments?|screening)")
# trial logistics and study procedures, not patient facts: "Subject is able to adhere to the study visit schedule and
# other protocol requirements", "Completed baseline quality of life questionnaire", "Plans to relocate from the study
# center within the period of the trial", "Availability of tumor tissue for biomarker analysis", "A tumor biopsy was
# required for determining MET status", "Willing to provide blood for research"
_LOGISTICS: list[tuple[str, str]] = [
    (r"\badhere\s+to\s+(?:the\s+)?(?:study|trial|protocol|visit)\b[^;.]{0,60}", "compliance"),
    (r"\bplans?\s+to\s+(?:relocate|move)\s+(?:away\s+)?from\s+the\s+(?:study|trial)\s+(?:center|centre|site)"
     r"(?:\s+within\s+the\s+(?:period|course|duration)\s+of\s+the\s+(?:trial|study))?", "compliance"),
    (r"\bcompleted\s+(?:the\s+)?baseline\s+(?:quality[- ]of[- ]life|qol)\b[^;.]{0,60}?\bquestionnaires?"
     r"(?:\s*\((?:phase\s+[iv\d]+\s+only)\))?", "procedure"),
    (r"\bavailability\s+of\s+(?:archival\s+)?tumou?r\s+(?:tissue|samples?|blocks?)\s+for\s+(?:biomarker|correlative|translational)"
     r"\s+(?:analys[ie]s|studies|research)", "procedure"),
    (r"\ba\s+tumou?r\s+biopsy\s+(?:was|is)\s+required\s+for\s+determining\s+\S+\s+status", "procedure"),
    (r"\bwilling\s+to\s+provide\s+(?:blood|samples?|tissue)\s+for\s+research", "procedure"),
    # a case conference or specialist consultation before entry: "Patient must be discussed at the multidisciplinary
    # team for liver tumors before entering the trial" (NCT02291133); "Consultation with interventional radiologist
    # and deemed an appropriate candidate for TARE" (NCT02288507: the radiologist's judgement of suitability for the
    # study treatment, naming no condition of the patient)
    (r"\b(?:(?:must|should)\s+be\s+)?(?:discussed|presented|reviewed)\s+(?:at|by|in)\s+(?:the\s+|an?\s+)?(?:multi-?disciplinary"
     r"(?:\s+(?:team|tumou?r\s+board|board|meeting|conference))?|mdt|tumou?r\s+board)(?:\s+for\s+(?:liver|hepatic|hepatobiliary)\s+"
     r"(?:tumou?rs?|cancers?|malignanc(?:y|ies)))?(?:\s+(?:before|prior\s+to)\s+(?:entering|entry\s+(?:in)?to|enrol\w*\s+(?:in)?to)"
     r"\s+(?:the|this)\s+(?:trial|study))?", "procedure"),
    (r"^\s*consultation\s+with\s+(?:an?\s+|the\s+)?interventional\s+radiologists?\s+and\s+(?:deemed|judged|considered)\s+"
     r"(?:to\s+be\s+)?(?:an?\s+)?(?:appropriate|suitable|good)\s+candidate\s+for\s+(?:tare|sirt|y-?90|radioembolization|tace)"
     r"\s*\.?\s*$", "investigator_judgement"),
]
_LOGISTICS_RE = [(ascii_re(p), c) for p, c in _LOGISTICS]
#: who confirms a finding and how old the baseline scan may be: procedures of the site that qualify a clinical
#: requirement read by another family (the requirement is the rule); a sentence with nothing else is a procedure
_QUALIFIERS: list[tuple[str, str]] = [
    # Issue 10 (session 6): who confirms a finding and when, not the finding itself (the finding is read by its own
    # family): "Has at least one measurable lesion based on RECIST 1.1 as confirmed by the blinded central imaging
    # vendor" (NCT02702401), "Radiologic eligibility (measurable disease) must be confirmed by the BICR prior to
    # randomization" (NCT01258608), "histopathological confirmation of HCC by the Laboratory of Pathology of the
    # National Cancer Institute (NCI) prior to entering this study" (NCT01306058)
    (r"\b(?:as\s+)?(?:(?:must|should)\s+be\s+)*(?:confirmed|verified|reviewed)\s+by\s+(?:the\s+|an?\s+)?(?:blinded\s+)?(?:independent\s+)?"
     r"(?:central\s+(?:imaging\s+)?(?:review(?:ers?)?|vendor|readers?|radiolog\w*|laboratory|lab)|bicr|icr"
     r"|(?:imaging\s+)?core\s+(?:imaging\s+)?lab(?:oratory)?)(?:\s+(?:prior\s+to|before)\s+(?:randomi[sz]ation|enrol?ment|registration))?",
     "procedure"),
    (r"\bradiolog\w*\s+eligibility\b", "procedure"),
    # tissue kept for research beside the diagnosis it confirms: "... core biopsy to confirm the diagnosis of HCC and have
    # archived tissues available for correlative studies" (NCT00516165)
    (r"\b(?:and\s+)?(?:have\s+)?archived\s+(?:tumou?r\s+)?tissues?\s+available\s+for\s+(?:correlative|translational|biomarker)\s+"
     r"(?:studies|research|analys[ie]s)", "procedure"),
    # the evidence standard of an imaging finding: "portal vein tumor thrumbus confirmed in two image techniques"
    # (NCT02774187)
    # (only after a vascular finding: "HCC confirmed by two imaging techniques" is a diagnostic route, not a procedure)
    (r"(?<=thrombus |thrumbus |invasion )confirmed\s+(?:in|by|on|with)\s+(?:at\s+least\s+)?(?:two|2)\s+(?:different\s+)?"
     r"imag(?:e|es|ing)\s+(?:techniques|modalities)", "procedure"),
    (r"\bby\s+the\s+laboratory\s+of\s+pathology\s+of\s+the\s+(?:[a-z]+\s+){0,5}?(?:institute|cent(?:er|re)|hospital|university)"
     r"(?:\s*\([a-z]{2,8}\))?"
     r"(?:\s+(?:prior\s+to|before)\s+(?:entering|entry\s+(?:in)?to|enrol\w*\s+(?:in)?to)\s+(?:this|the)\s+(?:study|trial))?", "procedure"),
    # the age of the baseline scan: "CT or MRI scans should be not more than 2 weeks old to be used as baseline scan"
    # (NCT01335074), "Baseline imaging scan must be within 8 weeks of registration" (NCT03253289)
    (r"\b(?:(?:ct\s*(?:or|/|and/or)\s*mri|mri\s*(?:or|/)\s*ct|ct|mri|baseline\s+imaging|baseline|imaging)\s+)?scans?\s+(?:should|must)\s+be\s+"
     r"(?:not\s+more\s+than|no\s+more\s+than|no\s+older\s+than|within)\s+\d+\s+(?:days?|weeks?)(?:\s+old)?"
     r"(?:\s+(?:of|before|prior\s+to)\s+(?:registration|randomi[sz]ation|enrol?ment|study\s+entry))?"
     r"(?:\s+to\s+be\s+used\s+as\s+(?:the\s+|a\s+)?baseline(?:\s+scans?)?)?", "procedure"),
]
_QUALIFIER_RE = [ascii_re(p) for p, _ in _QUALIFIERS]


# "Age >= 18 years at time of signing Informed Consent Form", "签署知情同意书当天年龄≥18岁": the consent only dates
# the age; such a consent hit is an anchor (the compiler masks its words and adds no administrative node)
_ANCHOR_BEFORE = ascii_re(r"(?:(?:at|on)\s+(?:the\s+)?(?:time|day|date)\s+of\s+(?:signing|obtaining)\s+(?:the\s+|an?\s+)?"
                          r"(?:written\s+)?|签署|签订|签)$")
_ANCHOR_AFTER = ascii_re(r"^(?:\s*(?:form|document)\b)?(?:书)?(?:当天|当日|之日|时)?")
_AGE_NEAR = ascii_re(r"\bage[sd]?\b|years?\s+(?:old|of\s+age)|年龄|岁")


def _consent_anchor(ctx: Context, start: int, end: int) -> tuple[int, int] | None:
    """The span of a consent that only dates another item (an age), else None."""
    before = _ANCHOR_BEFORE.search(ctx.lower[max(0, start - 60):start])
    if not before or not _AGE_NEAR.search(ctx.lower):
        return None
    after = _ANCHOR_AFTER.match(ctx.lower[end:])
    zh_anchor = before.group(0) in ("签署", "签订", "签")
    if zh_anchor and not (after and after.group(0).endswith(("当天", "当日", "之日", "时"))):
        return None  # "签署知情同意书" alone is the consent itself
    return start - len(before.group(0)), end + (after.end() if after else 0)


# "Karnofsky performance status >/= 70 are eligible" in the inclusion list: the threshold is the requirement and
# "are eligible" only its wording (not a permission): the words are masked as an anchor, the threshold is read
_THRESHOLD_ARE_ELIGIBLE = ascii_re(
    r"^\s*(?:patients\s+with\s+)?(?:an?\s+)?(?:karnofsky|ecog|who|zubrod)\s+(?:performance\s+status|ps)\s*(?:score\s*)?"
    r"(?:of\s*)?[≥≤<>]=?\s*\d+\s*%?\s+(?P<wording>(?:are|is)\s+eligible)\s*\.?\s*$")


def scan_admin(ctx: Context) -> list[Hit]:
    hits = []
    wording = _THRESHOLD_ARE_ELIGIBLE.match(ctx.lower) if ctx.role == "inclusion" else None
    if wording:
        hits.append(Hit(wording.start("wording"), wording.end("wording"), Administrative(category="permissive"),
                        priority=20, family="admin", extra={"category": "requirement_wording", "anchor": True}))
    for pattern, category in _ADMIN_RE:
        for m in pattern.finditer(ctx.lower):
            if wording and category == "permissive" and wording.start("wording") <= m.start() < wording.end("wording"):
                continue  # the wording of a requirement (above), not a permission
            anchor = _consent_anchor(ctx, m.start(), m.end()) if category == "consent" else None
            if anchor is not None:
                hits.append(Hit(anchor[0], anchor[1], Administrative(category="consent"), priority=2, family="admin",
                                extra={"category": "consent", "anchor": True}))
                continue
            hits.append(Hit(m.start(), m.end(), Administrative(category=category), priority=1,  # type: ignore[arg-type]
                            family="admin", extra={"category": category}))
    for pattern, category in _LOGISTICS_RE:
        for m in pattern.finditer(ctx.lower):
            hits.append(Hit(m.start(), m.end(), Administrative(category=category), priority=1,  # type: ignore[arg-type]
                            family="admin", extra={"category": category}))
    for pattern in _QUALIFIER_RE:
        for m in pattern.finditer(ctx.lower):
            # beside a clinical requirement only its context (compile: "qualifier"); alone, a procedure
            hits.append(Hit(m.start(), m.end(), Administrative(category="procedure"), priority=3, family="admin",
                            extra={"category": "procedure", "qualifier": True}))
    for m in _CONSENT_BEFORE_PROCEDURES.finditer(ctx.lower):
        hits.append(Hit(m.start(), m.end(), Administrative(category="consent"), priority=12,
                        family="admin", extra={"category": "consent"}))
    return hits


# ----------------------------------------------------------------------------- whole criteria
# An investigator's judgement that names its examples (ChiCTR2600122298 exclusion 9, in Chinese and English): "Any
# evidence of disease as judged by the investigator (such as severe or uncontrolled systemic diseases, including
# uncontrolled hypertension, active hemorrhagic diseases, active infections, active interstitial lung
# disease/pulmonary inflammation, severe chronic gastrointestinal diseases related to diarrhea, mental illness/social
# conditions) or a history of allogeneic organ transplantation that the investigator considers makes the subject
# unfit ...".  The named conditions are instances the text itself gives, so each one recorded excludes; the open
# category (any other disease the investigator judges), the conditions the record cannot show (the diarrhoeal
# gastrointestinal disease, the social situation) and the transplant (excluding only when the investigator judges
# the subject unfit) stay for review: the criterion is never passed on the named conditions alone.
_ZH_JUDGED_DISEASE = re.compile(
    r"由研究者判定的任何疾病证据\(如严重或未受控制的全身性疾病,包括未受控制的高血压,活动性出血性疾病,活动性感染,"
    r"活动性ild/肺部炎症,与腹泻相关的严重慢性胃肠道疾病,精神疾病/社会状况\)或研究者认为受试者不适于参与研究或影响对研究方案的"
    r"依从性的异体器官移植史[;。]?")
_EN_JUDGED_DISEASE = re.compile(
    r"any evidence of disease as judged by the investigator \(such as severe or uncontrolled systemic diseases, including "
    r"uncontrolled hypertension, active hemorrhagic diseases, active infections, active interstitial lung disease/pulmonary "
    r"inflammation, severe chronic gastrointestinal diseases related to diarrhea, mental illness/social conditions\) or a "
    r"history of allogeneic organ transplantation that the investigator considers makes the subject unfit to participate "
    r"in the study or affects compliance with the study protocol[;.]?")


def read_judgement_criterion(text: str, role: str | None) -> Node | None:
    """The whole rule of an investigator's judgement with named example conditions (above), else ``None``."""
    if role != "exclusion":
        return None
    from hcctrials.criteria.text.normalise import normalise_text

    norm = normalise_text(text).lower()
    zh = _ZH_JUDGED_DISEASE.fullmatch(re.sub(r"\s+", "", norm))
    if not zh and not _EN_JUDGED_DISEASE.fullmatch(re.sub(r"\s+", " ", norm).strip()):
        return None
    named: list[Node] = [
        HistoryCondition(codes=["uncontrolled_hypertension"], status="active",
                         label="未受控制的高血压" if zh else "uncontrolled hypertension"),
        HistoryCondition(codes=["bleeding_disorder"], status="active",
                         label="活动性出血性疾病" if zh else "active hemorrhagic diseases"),
        HistoryCondition(codes=["infection", "severe_infection"], status="active",
                         label="活动性感染" if zh else "active infections"),
        HistoryCondition(codes=["interstitial_lung_disease", "pneumonitis"], status="active",
                         label="活动性ILD/肺部炎症" if zh else "active interstitial lung disease/pulmonary inflammation"),
    ]
    return AnyOf(children=[
        *named,
        NeedsReview(reason="other disease judged by the investigator (including a severe chronic gastrointestinal "
                           "disease related to diarrhoea, a mental illness or social condition): not in the record"),
        AllOf(children=[HistoryCondition(codes=["organ_transplant"], status="ever",
                                         label="异体器官移植史" if zh else "allogeneic organ transplantation"),
                        NeedsReview(reason="an allogeneic organ transplant excludes only when the investigator judges "
                                           "the subject unfit")])])
