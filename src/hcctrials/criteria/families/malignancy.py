"""Other (second) malignancy criteria with their exception lists (EN + ZH).

"Prior malignancy within 5 years, except non-melanoma skin cancer and carcinoma in situ of the
cervix", "No other prior or concurrent malignancy ..., except carcinoma in situ of the cervix,
treated nonmelanoma skin cancer, superficial bladder tumor (Ta, Tis, T1), or any cancer curatively
treated > 3 years prior to entry", "5年内患有其他恶性肿瘤,但以下情况除外:皮肤基底细胞癌、宫颈原位癌",
"... Exceptions include adequately treated basal cell carcinoma of the skin".

"X, except Y" compiles to one :class:`~hcctrials.model.eligibility.OtherMalignancy` leaf whose
``exceptions`` hold every Y the vocabulary below expresses; an exception item it cannot express
(e.g. "lentigo maligna", "malignancies with a negligible risk of metastasis") is never dropped:
the criterion becomes ``AllOf(OtherMalignancy(...), NeedsReview(item))`` (the rule is then
decided only where the unexpressed exception cannot matter, i.e. when no malignancy counts).
An open example list ("such as ... etc.", "如...等") keeps a NeedsReview for the open category.
"""

from __future__ import annotations

import re
from typing import Literal

from hcctrials.criteria.grammar import Context, Hit, ascii_re, find_window, meaningful_residue, to_int
from hcctrials.model.eligibility import (
    AllOf, AnyOf, MalignancyException, MalignancyType, NeedsReview, Node, Not, OtherMalignancy,
)

__all__ = ["scan_malignancy", "MALIGNANCY_TERM", "EXCEPTION_TYPES", "starts_exception_sentence", "only_bounded_reviews",
           "read_malignancy_criterion", "read_named_criterion"]

_NOUN = r"(?:malignant\s+tumou?rs?|malignan\w*|cancers?|neoplasms?|neoplasias?|carcinomas?|tumou?rs?)"
_NOT_THERAPY = r"(?!\s*(?:therap|treat|drug|agent|immuno|chemo|vaccin|surg|radi|medic|regimen|diagnos|trial|stud))"
#: the malignancy phrase ("another primary malignancy", "prior or concurrent cancer", "其他恶性肿瘤")
MALIGNANCY_TERM = ascii_re(
    rf"\b(?:other|another|second|additional|prior|previous|past|concurrent|concomitant|coexisting|secondary|separate)"
    rf"(?:\s+(?:or|and|and/or)\s+(?:other|prior|previous|concurrent|concomitant|current))?"
    rf"(?:\s+(?:known|invasive|aggressive|primary|active|diagnosed|history of|of))*\s+{_NOUN}{_NOT_THERAPY}"
    rf"|\b(?:history of|h/o)\s+(?:\w+\s+){{0,2}}?(?:malignan\w*|cancers?){_NOT_THERAPY}"
    rf"|\b(?:malignan\w*|neoplasms?|cancers?)\s+other than\s+(?:hcc|hepatocellular carcinoma|liver cancer|the one\b[^,;]{{0,30}}|mm\b"
    rf"|(?:the\s+)?(?:disease|cancer|malignancy|indication)\s+(?:under (?:study|investigation)|being studied|of (?:this|the) study))"
    r"|(?:其他|其它|另一|第二|既往|合并|同时患有|并存|同时具有)[^;。,()]{0,10}?(?:恶性肿瘤|癌症)"
    r"|除(?:hcc|肝癌|肝细胞癌|原发性肝癌)(?:之)?外的?[^;。,()]{0,8}?恶性肿瘤"
)
_OTHER_THAN_HCC = ascii_re(r"\s*(?:,?\s*(?:that is|which is)?\s*distinct in primary site or histology from (?:hcc|hepatocellular carcinoma)"
                           r"|other than (?:hcc|hepatocellular carcinoma|liver cancer)|\(separate from [^()]{0,60}\))")
_EXCEPT_CUE = ascii_re(
    # "History of another malignancy - must be at least 3 years disease-free": the requirement is the exception
    r"\s[-–:]\s*(?:must|should)\s+(?:be|have\s+been)\s+(?=(?:at least\s+|for\s+)?(?:\d+|one|two|three|five)\s+years?\s+"
    r"(?:disease[- ]free|free of disease)|disease[- ]free\s+for)"
    r"|\bwith the exception of\b|\bexceptional cases include\b\s*:?|\bexcept(?:ions?)?\b(?:\s+(?:for|of|include|includes))?\s*:?|\bexcluding\b|\bunless\b"
    r"|\bother than\b(?!\s+(?:hcc|hepatocellular|liver cancer|the one|mm\b|(?:the\s+)?(?:disease|cancer|malignancy|indication)\s+(?:under|being|of)))"
    r"|但以下情况除外\s*:?|以下情况除外\s*:?|例外情况包括\s*:?|例外\s*:?|除外|不在此列"
)
_PERMISSIVE_TAIL = ascii_re(
    r"\b(?:are|is|will be)\s+not\s+excluded\b|\b(?:are|is)\s+(?:permitted|eligible|allowed)\b|\bmay be (?:eligible|included|enrolled)\b"
    r"|\bcan be (?:included|enrolled)\b|可以入组|可入组|可以纳入|可纳入|允许入组"
)
# what a next sentence looks like when it only lists exceptions of the previous one
_EXCEPTION_SENTENCE = ascii_re(r"^\s*(?:note\s*:\s*)?(?:(?:other\s+)?exceptions?\s+(?:include|are)|exceptional cases include|例外情况包括|例外)")

_ALL_IN_SITU: list[MalignancyType] = ["cervix_in_situ", "breast_in_situ", "prostate_in_situ", "bladder_in_situ", "other_in_situ"]
_SITE_IN_SITU = {"cervix": "cervix_in_situ", "cervical": "cervix_in_situ", "breast": "breast_in_situ",
                 "prostate": "prostate_in_situ", "bladder": "bladder_in_situ"}
_IN_SITU = r"(?:\"?in[- ]situ\"?)"
#: exception wording -> malignancy types (order: most specific first)
EXCEPTION_TYPES: list[tuple[re.Pattern[str], list[MalignancyType]]] = [
    (ascii_re(r"non-?melanoma(?:tous)?\s+skin\s+(?:cancers?|carcinomas?|malignan\w*)|non-?melanoma skin|非黑色素瘤(?:性)?皮肤癌"),
     ["skin_basal_cell", "skin_squamous_cell"]),
    (ascii_re(r"basal[- ]cell\s+(?:or|and|and/or|/)\s+squamous[- ]cell(?:\s+(?:skin\s+)?(?:carcinomas?|cancers?))?"
              r"(?:\s+of\s+(?:the\s+)?skin)?|squamous[- ]cell\s+(?:or|and|/)\s+basal[- ]cell(?:\s+(?:skin\s+)?(?:carcinomas?|cancers?))?"
              r"(?:\s+of\s+(?:the\s+)?skin)?|squamous\s+or\s+basal\s+cell\s+(?:carcinomas?|cancers?)"),
     ["skin_basal_cell", "skin_squamous_cell"]),
    (ascii_re(r"(?:skin\s+|cutaneous\s+)?basal[- ]cell(?:\s+(?:skin\s+)?(?:carcinomas?|cancers?|epitheliomas?))?(?:\s*\(s\))?"
              r"(?:\s+of\s+(?:the\s+)?skin)?|(?:皮肤)?基底细胞癌"), ["skin_basal_cell"]),
    (ascii_re(r"(?:skin|cutaneous)\s+squamous[- ]cell\s+(?:carcinomas?|cancers?)|squamous[- ]cell\s+(?:skin\s+)?(?:carcinomas?|cancers?)"
              r"\s+of\s+(?:the\s+)?skin|squamous[- ]cell\s+skin\s+(?:carcinomas?|cancers?)|皮肤鳞(?:状细胞)?癌"),
     ["skin_squamous_cell"]),
    (ascii_re(rf"(?:carcinomas?|cancers?)\s+{_IN_SITU}\s+(?:of\s+(?:the\s+)?)?(?:uterine\s+)?cervix(?:\s+uteri)?(?:\s+or\s+breast)?"
              rf"|{_IN_SITU}\s+(?:carcinomas?|cancers?)\s+of\s+(?:the\s+)?(?:uterine\s+)?cervix(?:\s+uteri)?(?:\s+or\s+breast)?"
              rf"|(?:in[- ]situ\s+)?cervical\s+(?:carcinomas?|cancers?)(?:\s+{_IN_SITU})?|{_IN_SITU}\s+(?:cervical|cervix)\s+(?:carcinomas?|cancers?)"
              r"|cervical intraepithelial neoplasia|(?:宫颈原位癌|原位宫颈癌)"), ["cervix_in_situ"]),
    (ascii_re(rf"ductal carcinoma {_IN_SITU}|\bdcis\b|breast\s+(?:carcinomas?|cancers?)\s+{_IN_SITU}|乳腺(?:导管)?原位癌"
              rf"|(?:carcinomas?|cancers?)\s+{_IN_SITU}\s+of\s+(?:the\s+)?breast|{_IN_SITU}\s+(?:carcinomas?|cancers?)\s+of\s+(?:the\s+)?breast"),
     ["breast_in_situ"]),
    (ascii_re(rf"prostate\s+(?:carcinomas?|cancers?)\s+{_IN_SITU}|前列腺原位癌"), ["prostate_in_situ"]),
    (ascii_re(r"(?:superficial|non-?(?:muscle[- ])?invasive)\s+bladder\s+(?:cancers?|carcinomas?|tumou?rs?)"
              r"(?:\s*[(\[][^()\[\]]*(?:[(\[][^()\[\]]*[)\]][^()\[\]]*)*[)\]])?|(?:表浅|浅表)性?膀胱癌"), ["bladder_superficial"]),
    (ascii_re(r"low[- ]risk\s+prostate\s+(?:cancers?|carcinomas?)(?:\s*\([^()]*\))?|低风险前列腺癌"), ["prostate_low_risk"]),
    (ascii_re(r"papillary thyroid (?:cancers?|carcinomas?)|甲状腺乳头状癌"), ["thyroid_papillary"]),
    (ascii_re(rf"{_IN_SITU}\s+(?:carcinomas?|cancers?)(?:\s+of\s+any\s+(?:origin|site))?(?!\s+(?:of|in)\s+(?:the\s+)?(?!any\b)[a-z])"
              rf"|(?:carcinomas?|cancers?)\s+{_IN_SITU}(?:\s+of\s+any\s+(?:origin|site))?(?!\s+(?:of|in)\s+(?:the\s+)?(?!any\b)[a-z])"
              r"|原位癌"), _ALL_IN_SITU),
]
_TREATED = ascii_re(r"(?:after|通过)\s*(?:treatment|治疗)|(?:adequately|curatively|successfully|effectively|definitively|locally|potentially curative(?:ly)?)?\s*"
                    r"(?:treated|resected)(?:\s+with\s+curative\s+intent)?|(?:that|who)\s+(?:have|has)\s+undergone\s+"
                    r"(?:potentially\s+)?curative\s+(?:therapy|treatment|resection)|已治愈的?|已?(?:接受|经过)?(?:充分|根治性|治愈性)治疗的?")
_UNTREATED_HINT = ascii_re(r"\bcurrently\s+treated\b|\buntreated\b")
# A qualifier of an exception the patient record cannot show ("localized nonmelanoma skin cancer", "... and of low
# potential risk for recurrence"): the exception is kept with its checkable conditions, and a patient whose
# malignancy would be excepted only if the qualifier holds needs review (see :func:`_with_unverified`).
_UNVERIFIABLE = ascii_re(r"\blocali[sz]ed\b|(?:,?\s*and\s+)?(?:of\s+)?low\s+(?:potential\s+)?risk\s+(?:for|of)\s+recurrence"
                         r"|且?潜在复发风险低")
_GENERIC = ascii_re(r"\b(?:any|other)\s+(?:\w+\s+)?(?:cancers?|malignan\w*)|\bmalignan\w*|恶性肿瘤")
_YEARS = ascii_re(r"(?:>|≥|at least|for|of)?\s*(?P<n>\d+|one|two|three|five|[一二三四五])\s*(?:or more\s+)?(?:years?|年)(?:以上)?"
                  r"(?:\s+or\s+more)?(?:\s+(?:prior|before)\s+(?:to\s+)?(?:study\s+)?(?:entry|enrollment|enrolment|randomi[sz]ation))?")
_FREE = ascii_re(r"没有(?:肿瘤)?复发的?\s*证据|no evidence of tumou?r recurrence|disease[- ]free|free of (?:the )?disease|no (?:known )?evidence of (?:active )?disease|without evidence of disease"
                 r"|no (?:known )?active disease|in (?:complete )?remission|无疾病证据|无复发|无活动性疾病")
_OPEN_LIST = ascii_re(r"\bsuch as\b|\be\.?g\.?\b|\bfor example\b|\bincluding\b|如|例如|等")
# "combined with other tumors" (合并其他肿瘤) and "coexisting" name a concurrent malignancy (audit round 7: read as
# "ever", a cancer cured long ago excluded the patient)
_ACTIVE = ascii_re(r"\bactive\b|progressing|requir\w*\s+(?:active\s+)?(?:treatment|therapy)|\bconcurrent\b|\bconcomitant\b|\bcurrent\b"
                   r"|\bcombined with\b|\bcoexisting\b"
                   r"|\bongoing\b|活动性|同时患有|合并")
_EVER = ascii_re(r"history|\bprior\b|\bprevious\b|\bpast\b|既往|病史|曾")
_FREE_OF = ascii_re(r"(?:disease[- ]free|free)\s+of\s*$")
_SPLIT = re.compile(r"\s*(?:;|,\s*(?:and/or|and|or)\s+|,|\band/or\b|\bor\b|\band\b|、|或|及|以及|和|\(?\b\d\.\s+|\d\)\s*"
                    # the end of a sentence inside the list ("... (Ta, Tis & T1). Any cancer curatively treated ...")
                    r"|(?<![a-z]\.[a-z])\.\s+(?=[a-z@]))\s*",
                    re.IGNORECASE)
_MAL_FILLER = set("""distinct primary site histology hcc hepatocellular carcinoma invasive progressing active
treatment required requiring concurrent concomitant prior previous past malignancy malignancies cancer cancers neoplasm
tumor tumors tumour tumours other another additional second diagnosed diagnosis history known entry participants
patients subjects excluded eligible permitted allowed included curative intent therapy undergone potentially cured
adequately curatively successfully effectively definitively locally treated resected skin cutaneous carcinoma
carcinomas site origin except exception exceptions include includes excluding for note with without evidence
years year primary separate from the one this study trial being enrolled which free disease-free remission off""".split())


def starts_exception_sentence(sentence: str) -> bool:
    """True when *sentence* only continues an exception list of the previous sentence
    ("Exceptions include ...", "Participants with basal cell carcinoma ... are not excluded")."""
    low = sentence.lower()
    if _EXCEPTION_SENTENCE.search(low):
        return True
    return bool(_PERMISSIVE_TAIL.search(low)) and any(p.search(low) for p, _ in EXCEPTION_TYPES[:-1]) \
        or bool(_PERMISSIVE_TAIL.search(low)) and bool(_FREE.search(low)) \
        or bool(_PERMISSIVE_TAIL.search(low)) and bool(_CURED_YEARS_AGO.search(low))


# "Any cancer curatively treated > 3 years prior to entry is permitted" (NCT00105443, the sentence after the exception
# list): one more exception of the previous sentence
_CURED_YEARS_AGO = ascii_re(r"^\s*any\s+(?:other\s+)?(?:cancer|malignancy)\s+(?:curatively\s+treated|treated\s+with\s+curative\s+intent)\s+"
                            r"(?:>|≥|more\s+than|at\s+least)\s*\d+\s+years?\s+(?:prior\s+to|before)\s+(?:study\s+)?(?:entry|enrol?ment)")


def _meaningful(text: str) -> str | None:
    words = [w for w in re.findall(r"[a-z][a-z'-]+", text.lower()) if w not in _MAL_FILLER]
    # "(通过治疗目前没有肿瘤复发的证据,且持续时间在2年以上者除外)": 目前 (now), 且 (and), 持续时间在 (lasting), 者 (those who)
    chinese = re.sub(r"目前|持续时间在|且|者", "", "".join(re.findall(r"[\u4e00-\u9fff]", text)))
    cleaned = " ".join(words) + " " + chinese
    return meaningful_residue(cleaned) if cleaned.strip() else None


def _days(text: str) -> int | None:
    m = _YEARS.search(text)
    if not m:
        return None
    n = to_int(m.group("n")) if not m.group("n").isdigit() else int(m.group("n"))
    if n is None:
        n = {"五": 5}.get(m.group("n"))
    return None if n is None else int(n) * 365


def _mask_types(text: str) -> tuple[str, list[list[MalignancyType]]]:
    """Replace every exception-type phrase by a placeholder ``@N@`` (so splitting the list on
    commas/"or" never cuts "carcinoma in situ of the cervix or breast" or "(Ta, Tis, T1)")."""
    found: list[list[MalignancyType]] = []
    low = text.lower()
    for pattern, tys in EXCEPTION_TYPES:
        def repl(m: re.Match[str], tys: list[MalignancyType] = tys) -> str:
            types = list(tys)
            if tys == ["cervix_in_situ"] and "breast" in m.group(0):
                types.append("breast_in_situ")
            found.append(types)
            return f" @{len(found) - 1}@ "
        low = pattern.sub(repl, low)
    return low, found


_PLACEHOLDER = re.compile(r"@(\d+)@")


def _split_top(text: str) -> list[str]:
    """Split an exception list on commas / or / and / 、 outside parentheses."""
    out: list[str] = []
    buf: list[str] = []
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        depth += ch in "([" 
        depth -= ch in ")]" and depth > 0
        if depth == 0:
            m = _SPLIT.match(text, i)
            if m and m.end() > i:
                out.append("".join(buf))
                buf = []
                i = m.end()
                continue
        buf.append(ch)
        i += 1
    out.append("".join(buf))
    return [x for x in out if x.strip(" .:()[]\"'")]


def _parse_item(item: str, found: list[list[MalignancyType]], basal_in_list: bool,
                unverified: list[tuple[MalignancyException, str]] | None = None,
                ) -> tuple[MalignancyException | None, str | None]:
    """(exception, unexplained text) of one (masked) exception list item.  An exception carrying a
    qualifier the record cannot show is put in *unverified* (with the qualifier) instead of returned."""
    types: list[MalignancyType] = [t for k in _PLACEHOLDER.findall(item) for t in found[int(k)]]
    rest = _PLACEHOLDER.sub(" ", item)
    qualifier = _UNVERIFIABLE.search(rest) if unverified is not None else None
    if qualifier:
        rest = rest[:qualifier.start()] + " " + rest[qualifier.end():]
    # "squamous cell carcinoma" next to "basal cell" in the same list is the skin cancer
    if basal_in_list:
        sq = ascii_re(r"squamous[- ]cell(?:\s+(?:carcinomas?|cancers?))?").search(rest)
        if sq:
            types.append("skin_squamous_cell")
            rest = rest[:sq.start()] + " " + rest[sq.end():]
    untreated = _UNTREATED_HINT.search(rest)
    if untreated:
        return None, _PLACEHOLDER.sub(lambda m: "/".join(found[int(m.group(1))]), item).strip()
    treated = bool(_TREATED.search(rest))
    rest = _TREATED.sub(" ", rest)
    min_days = None
    free = _FREE.search(rest)
    if free or re.search(r"curatively treated|treated with curative intent|curative", item):
        min_days = _days(rest)
    if min_days is not None:
        rest = _FREE.sub(" ", _YEARS.sub(" ", rest))
    generic = not types and (bool(_GENERIC.search(rest)) or (free is not None and min_days is not None))
    rest = _GENERIC.sub(" ", rest)
    if not types and not generic:
        return None, _PLACEHOLDER.sub("", item).strip()
    if generic and min_days is None and not treated:
        return None, item.strip()  # "other malignancy" without a condition: not an exception we can state
    exc = MalignancyException(types=list(dict.fromkeys(types)), treated_required=treated,
                              min_days_disease_free=min_days)
    if qualifier and unverified is not None:
        unverified.append((exc, qualifier.group(0).strip(" ,")))
        return None, _meaningful(rest)
    return exc, _meaningful(rest)


# "other cancer curatively treated and with no evidence of disease for at least 5 years": ONE exception whose
# two conditions both hold (the "and" joins conditions of one item, it does not start a new item)
_JOINT = ascii_re(r"((?:treated|resected|treatment|治疗)[^,;、]{0,40}?)\s*(?:,\s*)?(?:\band\b|且|并且|并)\s*(?=(?:with\s+|who\s+(?:have|has)\s+"
                  r"(?:been\s+|remained\s+)?|have\s+been\s+|has\s+been\s+|been\s+|remained\s+|are\s+|is\s+)?(?:no\s+(?:known\s+)?evidence"
                  r"|without\s+evidence|disease[- ]free|free\s+of|in\s+(?:complete\s+)?remission|no\s+(?:known\s+)?active|无(?:疾病|复发)|没有))")


# "with exception of currently treated basal cell, squamous cell carcinoma of the skin" (NCT01348503): the treatment
# qualifies both skin cancers ("basal cell, squamous cell carcinoma of the skin" is one list of two); a skin cancer under
# (or after) treatment is one treated with curative intent (Condition.cured), an untreated one is not excepted
_CURRENTLY_TREATED_SKIN = ascii_re(r"\bcurrently\s+treated\s+basal[- ]cell\s*,\s*(?:or\s+)?squamous[- ]cell\s+"
                                   r"(?=(?:carcinomas?|cancers?)\s+of\s+(?:the\s+)?skin)")


def _parse_list(items_text: str, unverified: list[tuple[MalignancyException, str]] | None = None,
                ) -> tuple[list[MalignancyException], list[str]]:
    items_text = _CURRENTLY_TREATED_SKIN.sub("treated basal cell or squamous cell ", items_text)
    items_text = _JOINT.sub(r"\1 ", items_text)
    masked, found = _mask_types(items_text)
    basal = "basal" in masked or "基底细胞" in masked
    exceptions, reviews = [], []
    whole = _FREE.search(masked) and not found  # "(通过治疗...无复发证据,且持续时间在2年以上者)": one condition
    for item in ([masked] if whole else _split_top(masked)):
        exc, left = _parse_item(item, found, basal, unverified)
        if exc is not None:
            exceptions.append(exc)
        if left:
            reviews.append(f"exception not compiled: {left}")
    if _OPEN_LIST.search(masked):
        reviews.append(f"open list of exceptions (examples of a category): {items_text.strip()}")
    return exceptions, reviews


def _with_unverified(node: OtherMalignancy, unverified: list[tuple[MalignancyException, str]]) -> Node:
    """*node* whose exception list also has exceptions with a qualifier the record cannot show.

    With every such exception granted (``broad``) a malignancy that still counts decides "met"; with
    none granted (*node*) no malignancy counting decides "not met"; in between (a malignancy excepted
    only if the qualifier holds) needs review: ``any of (broad, all of (node, needs review))``.
    """
    if not unverified:
        return node
    broad = node.model_copy(update={"exceptions": [*node.exceptions, *(e for e, _ in unverified)]})
    qualifiers = "; ".join(dict.fromkeys(q for _, q in unverified))
    return AnyOf(children=[broad, AllOf(children=[
        node, NeedsReview(reason=f"{_UNVERIFIED_REASON}: {qualifiers}")])])


_UNVERIFIED_REASON = "exception qualifier not verifiable from the record"

# The standard three-exception text (curative treatment + >= 5 years without active disease + low potential risk
# of recurrence; basal / squamous cell skin cancer or lentigo maligna after potentially curative therapy; adequately
# treated carcinoma in situ without evidence of disease), in English (numbered) and Chinese, read as a whole.
_STANDARD_EN = re.compile(
    r"history of another primary malignancy except for:?\s*(?:1\.\s*)?malignancy treated with curative intent with no known active "
    r"disease ≥ ?(?P<y>\d+) years before the first dose of study (?:intervention|drug|treatment) and of low potential risk for "
    r"recurrence,? or\s*(?:2\.\s*)?basal cell carcinoma of the skin, squamous cell carcinoma of the skin,? or lentigo maligna that "
    r"has undergone potentially curative therapy,? or\s*(?:3\.\s*)?adequately treated carcinoma in situ without evidence of "
    r"disease\.?")
_STANDARD_ZH = re.compile(
    r"合并其他恶性肿瘤,但以下情况除外:采用治愈性治疗的恶性肿瘤[、,]首次研究干预前≥(?P<y>\d+)年内已知无活动性疾病且潜在复发风险低[;；]"
    r"皮肤基底细胞癌[、,]皮肤鳞状细胞癌或已接受潜在根治性治疗的恶性雀斑样痣[;；]或已接受充分治疗且无疾病证据的原位癌[;；。]?")


# Issue 10 (KEYNOTE-224 wording): "Has a history of prior cancers not included in this study that were either not treated
# with curative intent or have been active within the past 5 years"
_EITHER_NOT_CURATIVE_OR_ACTIVE = ascii_re(
    r"(?:(?:has|have)\s+)?(?:a\s+)?(?:known\s+)?history\s+of\s+(?:a\s+)?(?:prior|other|another|previous)\s+(?:cancers?|malignanc(?:y|ies))"
    r"(?:\s+not\s+included\s+in\s+this\s+study|\s+other\s+than\s+(?:hcc|hepatocellular\s+carcinoma))?\s+that\s+(?:were|was)\s+either\s+"
    r"not\s+treated\s+with\s+curative\s+intent\s+or\s+(?:have|has)\s+been\s+active\s+within\s+the\s+(?:past|last)\s+"
    r"(?P<y>\d+|one|two|three|five)\s+years?\.?")


# Whole criteria of issue 10 (session 5), each read as a clinician reads the whole text (see read_named_criterion)
_Y = r"(?P<y>\d+|one|two|three|five)"
_NO_ACTIVE_EXCEPT = ascii_re(
    r"no active (?:malignancy|cancer) except for non-?melanoma skin cancer or in situ cervical cancer\.?\s*patients surviving a "
    rf"cancer that was curatively treated and without evidence of disease for more than {_Y} years before the trial are allowed\.?")
_REQUIRING_TREATMENT = ascii_re(
    rf"other malignancy requiring treatment in the (?:prior|past|last) {_Y} years with the exception of locally treated "
    r"squamous or basal cell carcinoma\.?")
_ANOTHER_PRIMARY_TUMOUR = ascii_re(
    r"(?:the\s+)?patient has another primary tumou?r,? with the exception of conventional basal cell carcinoma, superficial "
    r"bladder cancer, melanoma in situ,? or treated prostate cancer currently without biochemical or radiographic evidence "
    r"of active disease\.?")
_SKIN: list[MalignancyType] = ["skin_basal_cell", "skin_squamous_cell"]


def read_named_criterion(spaced: str) -> Node | None:
    """Rules of whole other-malignancy criteria whose parts only make sense together (lower-case, spaced text).

    * "No active malignancy except for nonmelanoma skin cancer or in situ cervical cancer. Patients surviving a cancer
      that was curatively treated and without evidence of disease for more than 3 years before the trial are allowed."
      (exclusion list: the "No" is the requirement's wording; the absence of a cancer cannot exclude): an active
      cancer other than skin / cervical in situ excludes; a cancer curatively treated and disease-free for more than 3
      years does not; one no longer active but more recent (or not curatively treated) is not said: review.
    * "Other malignancy requiring treatment in the prior 2 years with the exception of locally treated squamous or
      basal cell carcinoma": a malignancy active, under treatment or treated (resolved) within the 2 years; the
      exception is the treated skin cancers (squamous next to basal cell carcinoma); an active one not known to need
      treatment is unknown (``requiring_treatment``).
    * "Patient has another primary tumor, with the exception of conventional basal cell carcinoma, superficial bladder
      cancer, melanoma in situ, or treated prostate cancer currently without ... evidence of active disease": the
      record has no melanoma-in-situ or prostate type, so those two exceptions need review where they could apply.
    ("Concurrent cancer within ≤5 years prior to the randomization" stays for review: whether a cancer cured 4 years
    ago is "concurrent" needs reading, tests/criteria/families/test_family_malignancy.py.)
    """
    m = _NO_ACTIVE_EXCEPT.fullmatch(spaced)
    if m is not None:
        years = to_int(m.group("y"))
        if years is None:
            return None
        allowed = [MalignancyException(types=list(_SKIN)), MalignancyException(types=["cervix_in_situ"])]
        active = OtherMalignancy(status="active", exceptions=allowed, label="active malignancy")
        ever = OtherMalignancy(status="ever", label="cancer", exceptions=[
            *allowed, MalignancyException(treated_required=True, min_days_disease_free=years * 365 + 1)])
        return AnyOf(children=[active, AllOf(children=[ever, NeedsReview(
            reason=f"a cancer no longer active but not curatively treated and disease-free for more than {years} years: "
                   f"the text does not say whether it excludes")])])
    m = _REQUIRING_TREATMENT.fullmatch(spaced)
    if m is not None:
        years = to_int(m.group("y"))
        if years is None:
            return None
        return OtherMalignancy(status="ever", look_back_days=years * 365, requiring_treatment=True,
                               label="other malignancy requiring treatment",
                               exceptions=[MalignancyException(types=list(_SKIN), treated_required=True)])
    if _ANOTHER_PRIMARY_TUMOUR.fullmatch(spaced):
        node = OtherMalignancy(status="ever", label="another primary tumor", exceptions=[
            MalignancyException(types=["skin_basal_cell"]), MalignancyException(types=["bladder_superficial"])])
        return _with_unverified(node, [
            (MalignancyException(types=["other_in_situ"]), "melanoma in situ (an in situ carcinoma of another site is not excepted)"),
            (MalignancyException(treated_required=True, min_days_disease_free=0),
             "treated prostate cancer without evidence of active disease (the record does not name prostate cancer)")])
    return None


def read_malignancy_criterion(text: str, role: str | None) -> Node | None:
    """The whole rule of the standard other-malignancy exclusion above, else ``None``.

    Exceptions the record shows: skin basal / squamous cell carcinoma after curative therapy; any carcinoma in
    situ treated and without evidence of disease.  Exceptions with a qualifier it cannot show (need review only
    for a malignancy they could except): any malignancy curatively treated and >= N years without active disease
    "of low potential risk for recurrence"; an untreated skin cancer (whether "that has undergone potentially
    curative therapy" also qualifies the skin cancers is ambiguous); lentigo maligna (melanoma in situ) after
    curative therapy without the no-evidence-of-disease condition.
    """
    if role != "exclusion":
        return None
    from hcctrials.criteria.text.normalise import normalise_text

    norm = normalise_text(text)
    spaced = re.sub(r"\s+", " ", norm.lower()).strip()
    named = read_named_criterion(spaced)
    if named is not None:
        return named
    either = _EITHER_NOT_CURATIVE_OR_ACTIVE.fullmatch(spaced)
    if either is not None:
        # excluded when not treated with curative intent OR active within N years: excepted only when both fail, i.e. a
        # cancer treated with curative intent and without active disease (resolved) for N years
        years = to_int(either.group("y"))
        if years is None:
            return None
        return OtherMalignancy(status="ever", label="prior cancer", exceptions=[
            MalignancyException(treated_required=True, min_days_disease_free=years * 365)])
    m = _STANDARD_EN.fullmatch(spaced) or _STANDARD_ZH.fullmatch(re.sub(r"\s+", "", norm.lower()))
    if m is None:
        return None
    skin: list[MalignancyType] = ["skin_basal_cell", "skin_squamous_cell"]
    node = OtherMalignancy(status="ever", label="another primary malignancy", exceptions=[
        MalignancyException(types=skin, treated_required=True),
        MalignancyException(types=list(_ALL_IN_SITU), treated_required=True, min_days_disease_free=0)])
    return _with_unverified(node, [
        (MalignancyException(treated_required=True, min_days_disease_free=int(m.group("y")) * 365),
         "of low potential risk for recurrence"),
        (MalignancyException(types=skin), "skin cancer without potentially curative therapy"),
        (MalignancyException(types=["other_in_situ"], treated_required=True), "lentigo maligna"),
    ])


def only_bounded_reviews(node: Node) -> bool:
    """True when every needs-review part of *node* is the qualifier of an exception built by
    :func:`_with_unverified` (it needs review only for a malignancy the qualifier could except, so the
    rest of the rule may decide: the compiler's precision gate lets it through)."""
    from hcctrials.model.eligibility import walk

    bounded: set[int] = set()
    for n in walk(node):
        if isinstance(n, AnyOf) and len(n.children) == 2 and isinstance(n.children[0], OtherMalignancy):
            inner = n.children[1]
            if isinstance(inner, AllOf) and len(inner.children) == 2 and isinstance(inner.children[0], OtherMalignancy) \
                    and isinstance(inner.children[1], NeedsReview) and inner.children[1].reason.startswith(_UNVERIFIED_REASON):
                bounded.add(id(inner.children[1]))
    reviews = [id(n) for n in walk(node) if isinstance(n, NeedsReview)]
    return bool(reviews) and all(r in bounded for r in reviews)


def scan_malignancy(ctx: Context) -> list[Hit]:
    """One OtherMalignancy hit per sentence naming another malignancy (see module docstring)."""
    text = ctx.lower
    m = MALIGNANCY_TERM.search(text)
    if not m:
        return []
    start, end = m.start(), m.end()
    tail = _OTHER_THAN_HCC.match(text, end)
    if tail:
        end = tail.end()
    cue = _EXCEPT_CUE.search(text, end)
    perm = _PERMISSIVE_TAIL.search(text, end)
    # the main clause runs to the exception cue (or to the permissive sentence's start)
    if cue:
        main_end = cue.start()
        list_start, list_end = cue.end(), len(text)
        if text[cue.start():cue.end()] in ("除外", "不在此列"):  # "(...者除外)" / "..., A、B除外": the list precedes
            open_paren = text.rfind("(", end, cue.start())
            if open_paren >= 0 and ")" not in text[open_paren:cue.start()]:
                list_start = open_paren + 1
            else:
                comma = max(text.rfind(",", end, cue.start()), text.rfind("。", end, cue.start()))
                list_start = comma + 1 if comma >= 0 else end
            main_end, list_end = list_start, cue.start()
    elif perm:
        sent = max(text.rfind(". ", end, perm.start()), text.rfind("。", end, perm.start()), text.rfind(";", end, perm.start()))
        if sent < 0:
            return []
        main_end, list_start, list_end = sent, sent + 1, perm.start()
    else:
        main_end, list_start, list_end = len(text), len(text), len(text)
    main = text[:main_end]
    window = find_window(main)
    look_back = window.days if window else None
    scope = main[max(0, start - 30):main_end]
    status: Literal["active", "ever"] = "ever" if _EVER.search(scope) or not _ACTIVE.search(scope) else "active"
    reviews: list[str] = []
    chars = list(text[:main_end])
    for i in range(0, min(end, main_end)):
        chars[i] = " "
    if window:
        for i in range(window.start, min(window.end, main_end)):
            chars[i] = " "
    leftover_main = _ACTIVE.sub(" ", _EVER.sub(" ", "".join(chars)[max(0, start - 30):]))
    extra = _meaningful(leftover_main)
    if extra:
        reviews.append(f"condition of the malignancy not compiled: {extra}")
    exceptions: list[MalignancyException] = []
    unverified: list[tuple[MalignancyException, str]] = []
    if list_start < list_end:
        exc, rev = _parse_list(text[list_start:list_end], unverified)
        exceptions += exc
        reviews += rev
        # a second list after the first ("(... 者除外)。例外情况包括: ...")
        again = _EXCEPT_CUE.search(text, list_end + 2) if list_end < len(text) - 2 else None
        if again and text[again.start():again.end()] not in ("除外", "不在此列"):
            exc, rev = _parse_list(text[again.end():])
            exceptions += exc
            reviews += rev
            list_end = len(text)
    hit_end = max(main_end, list_end)
    if perm and perm.end() > hit_end:
        hit_end = perm.end()
    if cue and cue.end() > hit_end:
        hit_end = cue.end()
    if status == "active" and any(e.min_days_disease_free for e in exceptions) and not re.search(
            r"\bactive\b|progressing|requir|活动性", scope):
        # "Any other concurrent malignancy, except ..., or other cancer for which the patient has been disease-free for
        # at least five years" (NCT00712790): excepting cancers disease-free for 5 years says that a cancer disease-free
        # for less still counts; "concurrent" is used loosely for any cancer of the history
        status = "ever"
    if re.search(r"(?<!non-)(?<!non)\binvasive\b|浸润性|侵袭性", text[start:end]):
        # "other invasive malignancy": a carcinoma in situ (of any site) is not invasive, so it does not count
        exceptions.append(MalignancyException(types=list(_ALL_IN_SITU)))
    # "Previous concurrent cancer": the label keeps the word before the term (previous or concurrent = ever)
    before_term = re.search(r"\b(?:previous|prior|past)\s+(?:(?:or|and|and/or)\s+)?$", text[max(0, start - 20):start])
    label_start = max(0, start - 20) + before_term.start() if before_term else start
    node = OtherMalignancy(status=status, look_back_days=look_back, exceptions=exceptions,
                           label=ctx.text[label_start:end].strip())
    counted: Node = _with_unverified(node, unverified)
    before = text[max(0, start - 20):start]
    free_of = _FREE_OF.search(before)
    if free_of:  # "Disease free of prior malignancies for >= 5 years" (inclusion): none within the period
        days = _days(main[end:])
        if days is None:
            reviews.append("period free of other malignancy not stated")
        rule: Node = Not(child=_with_unverified(node.model_copy(update={"look_back_days": days}), unverified))
        start = max(0, start - 20) + free_of.start()
    else:
        rule = counted
    children: list[Node] = [rule, *(NeedsReview(reason=r) for r in dict.fromkeys(reviews))]
    result = rule if not reviews else AllOf(children=children)
    return [Hit(start, hit_end, result, priority=7, family="malignancy", extra={"absorb_admin": True})]
