"""Administrative criteria: consent, contraception, compliance, investigator judgement,
permissive notes and screening procedures.  They evaluate to ``administrative``: listed for
the coordinator, never blocking and never "met"."""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit, ascii_re
from hcctrials.model.eligibility import Administrative

__all__ = ["scan_admin", "ADMIN_TERMS"]

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
    (r"can be included|may be included|can be enrolled|are eligible|is allowed|are allowed|will be allowed|\ballows?\b|\bpermitted\b"
     r"|可以(?:纳入|入组)|可纳入|允许",
     "permissive"),
    (r"must be tested|necessary to test|需要?进行[^;。]{0,10}?检测|必须对患者进行|筛查期间"
     r"|(?:willing|eligible|able|agree)\s+to\s+undergo\s+[^;。]{0,40}?biops(?:y|ies)|mandated\s+biops(?:y|ies)"
     r"|archival\s+tumou?r\s+(?:biopsy\s+)?(?:tissue|samples?|blocks?)|contraindications?\s+(?:to|for)\s+(?:have\s+|undergo\s+)?(?:an?\s+)?mri\b"
     r"|contraindication\s+for\s+mri", "procedure"),
]
_ADMIN_RE = [(ascii_re(p), c) for p, c in ADMIN_TERMS]


def scan_admin(ctx: Context) -> list[Hit]:
    hits = []
    for pattern, category in _ADMIN_RE:
        for m in pattern.finditer(ctx.lower):
            hits.append(Hit(m.start(), m.end(), Administrative(category=category), priority=1,  # type: ignore[arg-type]
                            family="admin", extra={"category": category}))
    return hits
