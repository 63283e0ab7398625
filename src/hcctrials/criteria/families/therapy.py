"""Prior-therapy criteria: by drug (lexicon), by class, by count of regimens, with windows.

"Previously received PD-L1 immunotherapy or apatinib targeted therapy", "no prior systemic
therapy", "既往仅接受过一种含免疫检查点抑制剂方案治疗" (exactly one prior regimen containing an
ICI, with progression), "progressed on PD-1", "0-2 prior systemic regimens", "4周内接受过...",
"within 28 days or 5 half-lives (whichever is longer)".  Class words of criteria text are this
module's grammar; drug names go through :func:`hcctrials.vocab.load_lexicon`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from hcctrials.criteria.grammar import SINGLE_WINDOW, Context, Hit, ascii_re, find_window, meaningful_residue, to_int
from hcctrials.model.eligibility import AllOf, AnyOf, Comparator, NeedsReview, Node, Not, PriorTherapy, TherapyKind

if TYPE_CHECKING:
    from hcctrials.vocab.lexicon import Lexicon

#: a mention span: start, end, agents (lexicon ids), class tags, TherapyLine kinds
_Span = tuple[int, int, list[str], list[str], list[TherapyKind]]

__all__ = ["scan_therapy", "scan_since", "CLASS_TERMS", "drug_mentions", "therapy_tags", "PERMITTED_IF_INTERVAL"]

#: class words in criteria text -> (class tags, TherapyLine kinds)
CLASS_TERMS: list[tuple[str, tuple[str, ...], tuple[TherapyKind, ...]]] = [
    # "systemic therapy targeting programmed death (PD) 1 or PD-ligand 1/2 signaling pathways" (KEYNOTE wording)
    (r"(?:(?:systemic\s+)?(?:therapy|therapies|treatment|agents?|drugs?|antibod(?:y|ies))\s+)?targeting\s+(?:the\s+)?programmed\s+(?:cell\s+)?death\s*(?:\(pd\)\s*)?-?\s*1\s*(?:\(pd-?1\)\s*)?(?:or|and|and/or|/)\s*"
     r"(?:pd|programmed\s+(?:cell\s+)?death)[- ]?(?:ligand\s*|l)1\s*(?:/\s*2|(?:or|and)\s+(?:pd-?)?l?2)?\s*(?:\(pd-?l1(?:/2)?\)\s*)?"
     r"(?:signal\w*\s+)?(?:pathways?|axis)?", ("pd1", "pdl1", "pdl2"), ()),
    (r"anti[- ]?pd[- ]?1|pd[- ]?1(?:\s*(?:inhibitors?|antibod\w*|blockers?|单抗|抑制剂))?", ("pd1",), ()),
    (r"anti[- ]?pd[- ]?l1|pd[- ]?l1(?:\s*(?:inhibitors?|antibod\w*|单抗|抑制剂))?", ("pdl1",), ()),
    (r"anti[- ]?pd[- ]?l2|pd[- ]?l2", ("pdl2",), ()),
    (r"anti[- ]?ctla[- ]?4|ctla[- ]?4", ("ctla4",), ()),
    # kinase-class words of older trials (lexicon tags raf / mek / farnesyltransferase / cmet): "Prior use of Raf-Kinase
    # inhibitors, MEK or Farnesyl Transferase Inhibitors", "Prior therapy of c-Met inhibitor (including antibody)",
    # "any agent targeting the hepatocyte growth factor (HGF)/c-Met pathway"
    # ("BRAF inhibitor" is another class, vemurafenib and the like: not read)
    (r"(?<![a-z-])raf[- ]?kinase\s+inhibitors?|(?<![a-z-])raf\s+inhibitors?", ("raf",), ()),
    (r"\bmek(?:\s*1?/?2?)?(?:\s+inhibitors?)?\b", ("mek",), ()),
    (r"farnesyl[- ]?transferase\s+inhibitors?", ("farnesyltransferase",), ()),
    (r"c-?met\s+inhibitors?(?:\s*\(\s*including\s+antibod(?:y|ies)\s*\))?"
     r"|(?:any\s+)?(?:agents?|drugs?|therap(?:y|ies))\s+targeting\s+(?:the\s+)?(?:hepatocyte growth factor\s*\(hgf\)\s*/\s*|hgf\s*/\s*)?"
     r"c-?met(?:\s+pathway)?", ("cmet",), ()),
    # "or any other drug specifically targeting T-cell co-stimulation or immune checkpoint pathways" (KEYNOTE wording):
    # every checkpoint inhibitor and the co-stimulatory agonists the lexicon knows (CD137); any other agonist
    # (OX40, GITR, ICOS) is not in the lexicon, so a patient's line with one stays unresolved (unknown)
    (r"(?:any\s+other\s+)?(?:antibod(?:y|ies)\s+or\s+)?(?:drugs?|agents?|antibod(?:y|ies))\s+specifically\s+targeting\s+"
     r"t-?cell\s+co-?stimulation\s+or\s+(?:immune\s+)?checkpoint\s+pathways?", ("ici", "cd137"), ()),
    # "CD137 agonists", "4-1BB agonist antibodies": the lexicon tag cd137 (urelumab, utomilumab)
    (r"(?:anti-?)?(?:cd137|4-1bb)\s+(?:agonists?|agonistic\s+antibod(?:y|ies))(?:\s+antibod(?:y|ies))?", ("cd137",), ()),
    (r"immune[- ]checkpoint\s+(?:inhibitors?|blockade|therapy)|checkpoint\s+inhibitors?|\bici\b|免疫检查点抑制剂|免疫检查点",
     ("ici",), ()),
    # "Prior exposure to immune-mediated therapy excluding therapeutic anticancer vaccines" (NCT05883644): every
    # immunotherapy (checkpoint inhibitors, CD137 agonists, cell therapy, cytokines) and other immunomodulators
    # (thymalfasin); the lexicon carries no cancer vaccine, so a vaccine on record stays unresolved (unknown)
    (r"immune[- ]mediated\s+(?:therapy|therapies|treatments?)\s+excluding\s+therapeutic\s+(?:anti-?cancer\s+)?vaccines?",
     ("immunotherapy", "immunomodulator"), ()),
    (r"immunotherapy|免疫治疗", ("ici",), ()),
    (r"tyrosine kinase inhibitors?|\btkis?\b|酪氨酸激酶抑制剂|multi-?kinase inhibitors?|多激酶抑制剂", ("tki",), ()),
    # a targeted drug is any small molecule or antibody aimed at a pathway: kinase inhibitors, anti-VEGF, mTOR, RAF, MEK,
    # c-Met and farnesyl-transferase inhibitors (audit round 10: TKI or anti-VEGF only missed everolimus); an agent the
    # lexicon does not know stays unknown
    (r"targeted (?:therapy|drugs?|agents?)|targeting drugs?|molecular(?:ly)? targeted|靶向(?:药物)?(?:治疗)?",
     ("tki", "anti_vegf", "mtor", "raf", "mek", "cmet", "farnesyltransferase"), ()),
    (r"anti[- ]?vegf|vegf(?:r)?\s*inhibitors?|抗血管生成", ("anti_vegf",), ()),
    (r"mtor inhibitors?", ("mtor",), ()),
    # "prior chemotherapy or other medical agents used to treat hepatocellular carcinoma": any anticancer drug
    (r"chemotherapy\s+or\s+other\s+medical\s+agents\s+used\s+to\s+treat\s+(?:hepatocellular\s+carcinoma|hcc)", (), ("systemic",)),
    # "0-2 prior systemic chemotherapy and biologic regimens" (NCT00516165): cytotoxic and biologic agents together
    # are every systemic anticancer regimen (the sorafenib era called sorafenib a biologic/targeted agent)
    (r"(?:systemic\s+)?chemotherapy\s+(?:and|or|and/or)\s+biologic(?:al)?\s+(?:regimens?|therap(?:y|ies)|agents?|treatments?)",
     (), ("systemic",)),
    (r"(?:systemic\s+)?chemotherapy|化疗|radiochemotherapy|放化疗", ("chemotherapy",), ()),
    (r"systemic (?:anti-?cancer |anti-?tumou?r |)(?:therapy|therapies|treatment|treatments)|系统(?:性)?(?:抗肿瘤)?治疗"
     r"|全身(?:性)?(?:抗肿瘤)?治疗", (), ("systemic",)),
    # a class of procedures is a filter on the procedure, not on the TherapyLine kind: "prior TACE" is not met
    # by a radiofrequency ablation (both are kind 'locoregional'); issue 10 round 4
    (r"(?:trans-?arterial\s+|transcatheter\s+arterial\s+)?chemo-?emboli[sz]ation|\btace\b|(?:肝动脉)?化疗栓塞", ("chemoembolization",), ()),
    (r"\btae\b|transarterial|hepatic arterial infusion|\bhaic\b|介入治疗"
     r"|(?:intra-?arterial|trans-?arterial|hepatic arter(?:y|ial)|arterial)\s+(?:directed\s+)?(?:emboli[sz]ation|therapy|therapies"
     r"|treatment)", ("transarterial",), ()),
    (r"ablation|radiofrequency|\brfa\b|\bmwa\b|消融", ("ablation",), ()),
    (r"local (?:therapy|treatment|treatments|therapies)|loco-?regional (?:therapy|therapies|treatment|treatments)"
     r"|local-regional (?:therapy|therapies|treatment|treatments)|liver[- ]directed (?:therapy|therapies|treatment|treatments)"
     r"|局部治疗", (), ("locoregional",)),
    (r"radiotherapy|radiation|放疗|sbrt|\by-?90\b|radioemboli\w*", ("radiotherapy",), ("radiotherapy",)),
    (r"cell therapy|car-?t|inkt|细胞治疗", ("cell_therapy",), ()),
    # "non-steroidal anti-inflammatory drug" is not a steroid
    (r"(?:systemic\s+)?(?<!non-)(?<!non)(?<!non )(?:cortico)?steroids?(?!al)|类固醇|糖皮质激素|激素治疗", ("corticosteroid",), ()),
    (r"immunosuppress\w*(?:\s+(?:therapy|agents?|drugs?|treatment))?|免疫抑制(?:剂|治疗)?", ("immunosuppressant",), ()),
    (r"investigational (?:drugs?|agents?|products?|therap\w*|treatments?)|experimental (?:drugs?|treatments?|therap\w*)"
     r"|试验(?:用)?药物|研究药物|实验性治疗|其他试验用药物", ("investigational",), ()),
    (r"(?:any|an?|other|another)\s+(?:other\s+)?(?:clinical\s+|interventional\s+)?(?:trials?|stud(?:y|ies))(?!\s+(?:treatment|drug|intervention))"
     r"|(?:checkpoint inhibitor|ici)\s+stud(?:y|ies)|stud(?:y|ies)\s+(?:on|of)\s+|其他临床试验|其他(?:临床)?研究|检查点抑制剂研究", ("trial_participation",), ()),
    # "major surgery": an operation of the surgical kind judged major (TherapyLine.major_surgery; a liver resection
    # or a transplant is major), not any recorded surgery line (audit round 9: a port placement excluded the patient)
    (r"major surg(?:ery|ical\s+procedures?|ical\s+operations?)|major operations?|大手术|重大手术", ("major_surgery",), ()),
    # audit round 10: "Major surgery, open biopsy ... within 4 weeks" read "open biopsy" as any surgery (a minor
    # operation excluded the patient); an open biopsy is its own class (leaves_history._open_biopsy)
    (r"open biops(?:y|ies)|开放(?:性)?活检", ("open_biopsy",), ()),
    (r"surgical procedures?|surgical resection|hepatectomy"
     r"|minor surg\w*(?:\s+procedures?)?|(?<![a-z-])surgery|surgical (?:interventions?|treatments?)"
     r"|手术切除|外科手术|小手术|手术", ("surgery",), ("surgery",)),
    (r"live (?:attenuated )?vaccines?|活疫苗|减毒疫苗", ("live_vaccine",), ()),
    # round 4: "anti-cancer therapy", "antineoplastic agents", 抗肿瘤治疗: any treatment line of the cancer (drug,
    # locoregional, radiotherapy, surgery)
    (r"anti-?(?:cancer|neoplastic|tumou?r)\s+(?:therapy|therapies|treatments?)"
     r"|(?:其他)?抗肿瘤治疗", (), ("systemic", "locoregional", "radiotherapy", "surgery")),
    # anticancer *drugs* / agents are systemic (audit round 7: a concurrent radiotherapy course failed "no concurrent
    # anticancer drugs")
    (r"anti-?(?:cancer|neoplastic|tumou?r)\s+(?:agents?|drugs?|medications?)|(?:其他)?抗肿瘤药物", (), ("systemic",)),
]
_CLASS_RE = [(ascii_re(p), c, k) for p, c, k in CLASS_TERMS]
_DESCRIPTOR = ascii_re(r"immunotherapy|免疫治疗|targeted (?:therapy|drugs?|agents?)|靶向(?:药物)?(?:治疗)?|单抗|抑制剂|inhibitors?")

_CONCURRENT_PATTERN = (r"|\b(?:concurrent|concomitant)(?:\s+use\s+of)?(?=\s+(?!medications?\b|illness|diseases?\b|conditions?\b"
                       r"|malignan|cancers?\b|infections?\b))|\bcurrently\s+(?:receiving|taking|on|"
                       r"treated with)|(?:目前)?正在(?:参与并?|参加并?)?(?:接受|使用)|(?:目前)?正在(?:参与|参加)|同时(?:接受|使用)")
_CONCURRENT = re.compile(_CONCURRENT_PATTERN.lstrip("|"), re.IGNORECASE)
_PRIOR = re.compile(
    r"previously\s+(?:received|treated|been treated)|prior\s+(?:treatment|therapy|exposure|use|receipt)?|previous"
    r"|have\s+(?:previously\s+)?(?:received|been treated|undergone)|had\s+(?:received|undergone)|received|receiving"
    r"|\b(?:have|has|had)\s+had\b"
    # "progression on or after sorafenib", "progressed during prior PD-1", "refractory to", "failed": the
    # therapy was received (the progression itself is read by _PROGRESSION)
    r"|progress\w*\s+(?:(?:on|after|during|following|while on|despite)\s+(?:or\s+(?:on|after|during|following)\s+)?)"
    r"|refractory\s+to|\bfailed\b|failure\s+(?:of|on)"
    r"|treated with|exposure to|treatment with|undergone|participat\w+\s+in|既往(?:曾)?(?:接受过?|使用过?|经)?"
    r"|曾(?:经)?接受过?|接受过|使用过|接受|接种过?|参加(?:了|过)?|参与|做过|进行过|行过"
    # "concurrent anticancer therapy", "currently receiving": on the therapy at screening (within 0 days)
    + _CONCURRENT_PATTERN,
    re.IGNORECASE,
)
_COUNT = re.compile(
    r"(?P<only>only|仅|只)\s*(?:接受过?|received)?\s*(?P<n1>one|1|一|two|2|二|两)\s*(?:种|个|线|prior)?"
    r"|(?P<lo>\d|一|二|两|三)\s*(?:-|to|至|~|或)\s*(?P<hi>\d|一|二|两|三)\s*(?:种|个|线|prior|lines?|regimens?)"
    r"|(?:no more than|not more than|at most|≤|不超过|最多)\s*(?P<max>\d|one|two|three|一|二|两|三)\s*(?:种|个|线|prior|lines?|regimens?)"
    r"|(?:at least|≥|至少)\s*(?:接受过?|使用过?|received\s+)?(?P<min>\d|one|two|一|二|两)\s*(?:种|个|线|prior|lines?|regimens?)"
    # "More than 2 prior lines", "more than two prior systemic regimens", "超过2线": strictly more
    r"|(?:more than|greater than|>|超过|多于)\s*(?P<gt>\d|one|two|three|一|二|两|三)\s*(?:种|个|线|prior|lines?|regimens?)"
    r"|(?:fewer than|less than|<|少于)\s*(?P<lt>\d|two|three|four|二|两|三|四)\s*(?:种|个|线|prior|lines?|regimens?)",
    re.IGNORECASE,
)
# "Radiotherapy within 2 weeks of first dose" (exclusion): the window right after the therapy
# stands for "received"
_WINDOW_AFTER = re.compile(r"\s*(?:\([^()]{0,200}\)\s*)?(?:within(?: the (?:past|last))?|in the (?:past|last)|<|≤)\s*\d+\s*(?:days?|weeks?|months?)"
                           r"|\s*(?:\([^()]{0,200}\)\s*)?\d+\s*(?:days?|weeks?|months?)\s+(?:prior|before)", re.IGNORECASE)
_PROGRESSION = re.compile(r"progress\w*|refractory|failed|failure|进展|失败|耐药", re.IGNORECASE)
_LINES_WORD = re.compile(r"\blines?\b|线", re.IGNORECASE)


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon | None:
    try:
        from hcctrials.vocab import load_lexicon
    except ImportError:  # the vocab package is written concurrently; without it only classes match
        return None
    return load_lexicon()


def drug_mentions(text: str) -> list[tuple[int, int, str, str]]:
    """Drug / procedure mentions (start, end, lexicon id, kind) found by the lexicon.

    For a procedure (kind 'procedure') the id is kept and its class tags are available through
    :func:`therapy_tags`."""
    lex = _lexicon()
    if lex is None:
        return []
    out = []
    for mention in lex.find_mentions(text):
        therapy = mention.therapy
        out.append((mention.start, mention.end, therapy.id, getattr(therapy, "kind", "drug")))
    return out


# Procedure wording the lexicon does not carry, read as the lexicon entry it names: selective internal radiation
# therapy (SIRT) is transarterial radioembolisation (TARE), whatever the isotope carrier is called.
_ALIASES: list[tuple[re.Pattern[str], str]] = [
    (ascii_re(r"selective internal (?:radiation )?(?:radiotherapy|therapy)|hepatic arterial (?:yttrium|y-?90)(?:-90)? therapy"
              r"|(?:yttrium|y)-?90 (?:microspheres?|therapy)|radioemboli[sz]ation|选择性内放射治疗|钇-?90"), "tare"),
]
# A drug the lexicon does not know, recognised by its INN stem (-mab antibodies, -nib kinase inhibitors,
# -domide, -platin, -taxel, -rubicin, -tecan, -ciclib, -parib, -lisib, -zomib, -mycin): kept as its own name, so
# "Previously received mapatumumab or sorafenib" is not read as "sorafenib" alone (issue 10).  The
# evaluator matches it against the patient's agent names as written.
_INN = ascii_re(r"\b[a-z][a-z]{3,}(?:mab|tinib|fenib|anib|rafenib|domide|platin|taxel|rubicin|tecan|ciclib|parib|lisib|zomib|mycin)\b")


def unknown_drugs(text: str, known: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """INN-like drug names in *text* (lower-cased) outside the *known* mention spans."""
    out = []
    for m in _INN.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e in known):
            out.append((m.start(), m.end(), m.group(0).lower()))
    return out


def _alias_mentions(text: str) -> list[tuple[int, int, str, str]]:
    out: list[tuple[int, int, str, str]] = []
    for pattern, tid in _ALIASES:
        for m in pattern.finditer(text):
            out.append((m.start(), m.end(), tid, "procedure"))
    return out


def all_mentions(text: str) -> list[tuple[int, int, str, str]]:
    """Lexicon mentions, alias phrases (which win over a lexicon word inside them) and unknown INN names
    (kind 'unknown_drug', id = the name as written)."""
    aliases = _alias_mentions(text)
    found = [m for m in drug_mentions(text) if not any(s <= m[0] and m[1] <= e for s, e, *_ in aliases)]
    found += aliases
    found += [(s, e, name, "unknown_drug") for s, e, name in unknown_drugs(text.lower(), [(a, b) for a, b, *_ in found])]
    return sorted(found)


# a therapy named right after a window ("... within 4 weeks prior to the first date of SBRT") is the anchor of the
# window (the study treatment)
_WINDOW_ANCHOR = ascii_re(r"(?:days?|weeks?|months?)\s+(?:prior to|before|preceding)\s+(?:the\s+)?(?:(?:first|initial)\s+"
                          r"(?:date|dose|day|session|fraction|administration|cycle)\s+of\s+)?(?:the\s+)?(?:study\s+|protocol\s+)?$")
_QUALIFIER = re.compile(r"(?:requir\w*|need\w*|需要?|需)\s*$", re.IGNORECASE)
_PROGRESSION_LEAD = ascii_re(r"(?:\b(?:documented|confirmed|objective|radiographic(?:ally)?|radiological(?:ly)?|radiologic|clinical"
                             r"|imaging|disease|evidence of|(?:and/)?or|tumou?r)\s+)+$")
_NOT_ALLOWED = ascii_re(r"\s*(?:is|are|will be)?\s*(?:not allowed|not permitted|prohibited)\b|\s*(?:不允许|不得)")
# A therapy read only in part: the rule cannot hold these words, so the criterion goes to review with them.
_SITE = ascii_re(r"(?:abdominal|thoracic|pelvic|chest|brain|cranial|bone|nonhepatic|non-hepatic|extrahepatic|palliative"
                 r"|large[- ]field|whole[- ]brain|upper abdominal|lower thoracic)\s+(?:\w+\s+)?$")
_SITE_AFTER = ascii_re(r"\s*(?:\([^()]{0,40}\)\s*)?(?:to|of|at|on)\s+(?:the\s+|an?\s+|any\s+)?(?:\w+\s+){0,2}?"
                       r"(?:liver|abdomen|chest|thorax|pelvis|brain|bone|site|field|region|lesions?|areas?|>|≥)")


_FOR_HEPATOBILIARY = ascii_re(r"\s+for\s+(?:cholangiocarcinoma\s+or\s+)?hepatobiliary\s+(?:carcinoma|cancer)\b")
_LIVER_AFTER = ascii_re(r"\s*(?:to|of|on|at|involving|directed (?:at|to))\s+(?:the\s+)?(?:liver|hepatic (?:lesions?|tumou?rs?))\b")
_LIVER_BEFORE = ascii_re(r"(?:liver[- ]directed|hepatic|(?:针对)?肝(?:脏|区|内病灶)?(?:的)?)\s*$")
_OTHER_SITE = ascii_re(r"abdom|chest|thora|pelvi|brain|crani|bone|lung|field|region|areas?\b|>|≥|腹|胸|骨|脑|肺")


def _liver_site(text: str, start: int, end: int) -> bool:
    """A radiotherapy named with the liver as its site and no other ("external beam radiation therapy to the
    liver", "liver-directed radiotherapy", "肝脏放疗"): the rule restricts it to the liver (PriorTherapy.sites)."""
    if not re.search(r"radiat|radiother|放疗|放射治疗|\bsbrt\b|\bebrt\b", text[start:end]):
        return False
    after = _LIVER_AFTER.match(text, end)
    before = _LIVER_BEFORE.search(text[max(0, start - 20):start])
    if not (after or before):
        return False
    stop = after.end() if after else end
    return not _OTHER_SITE.search(text[max(0, start - 30):start] + " " + text[stop:stop + 30]) \
        and not _SITE.search(text[max(0, start - 30):start])


_NONHEPATIC_AFTER = ascii_re(r"\s*(?:to|of|at|on)\s+(?:the\s+|an?\s+|any\s+)?(?:non-?hepatic|extra-?hepatic)\s*"
                             r"(?:\([^()]{0,40}\)\s*)?(?:sites?|lesions?|disease|areas?|metastas[ie]s)\b")


def _is_radiotherapy(text: str, start: int, end: int) -> bool:
    return bool(re.search(r"radiat|radiother|放疗|放射治疗|\bsbrt\b|\bebrt\b", text[start:end]))


def _doubt(text: str, start: int, end: int) -> str | None:
    """Why the therapy named in text[start:end] cannot be read exactly, else None."""
    span = text[start:end]
    if re.search(r"systemic\s+chemotherap(?!\w*\s+(?:and|or|and/or)\s+biologic)", span):
        return ("'systemic chemotherapy': cytotoxic chemotherapy only, or any systemic anticancer drug "
                "(older usage counts sorafenib)?")
    if re.search(r"radiat|radiother|放疗|\bsbrt\b|\bebrt\b", span) and (
            _SITE.search(text[max(0, start - 30):start]) or _SITE_AFTER.match(text, end)):
        return "radiotherapy of a named site or field: the rule cannot restrict where the radiation was given"
    return None


def _groups(spans: list[_Span], text: str) -> list[list[_Span]]:
    """Cluster mention spans separated only by short connector text (one list of therapies)."""
    groups: list[list[_Span]] = []
    for span in sorted(spans):
        if groups:
            gap = text[groups[-1][-1][1]:span[0]]
            if len(gap) <= 30 and not _PRIOR.search(gap) and not re.search(r"诊断|diagnos", gap):
                groups[-1].append(span)
                continue
        groups.append([span])
    return groups


def _window_after_list(text: str, end: int) -> bool:
    """"Major surgery, open biopsy or significant traumatic injury within 4 weeks": the window closes
    a list whose other items are not therapies (no verb and no sentence break in between)."""
    m = re.match(r"[^;。()]{0,60}?(?=(?:within|in the (?:past|last))\s)", text[end:])
    if m is None or _PRIOR.search(m.group(0)) or not re.match(r"\s*(?:,|or\b|and\b)", text[end:]):
        return False
    return bool(_WINDOW_AFTER.match(text, end + m.end() - 1))


#: "CD137 agonists", "OX40 agonists", "IDO1 inhibitors": a target named by a code and a mechanism word
_UNREAD_DRUG_CLASS = re.compile(r"(?<![\w-])(?!pd-?l?[12]\b|ctla-?4\b|vegfr?-?\d?\b|cyp\w+\b)[a-z]{1,6}[- ]?\d{1,4}[a-z]?\s+"
                                r"(?:agonists?|antagonists?|inhibitors?|blockers?|modulators?)\b")


def scan_therapy(ctx: Context) -> list[Hit]:
    """PriorTherapy hits: one per cluster of drug/class mentions that follows a 'received' verb."""
    text = ctx.lower
    if not _PRIOR.search(text) and not (ctx.role == "exclusion" and _WINDOW_AFTER.search(text)):
        return []
    spans: list[_Span] = []
    for s, e, tid, kind in all_mentions(ctx.text):
        if _WINDOW_ANCHOR.search(text[max(0, s - 60):s]):
            continue  # "within 4 weeks prior to the first date of SBRT": the study treatment, not a prior therapy
        if kind == "procedure":  # "radiotherapy", "TACE": match the procedure's classes, not only its id
            tags = [t for t in therapy_tags(tid)[1] if t not in ("locoregional",)] or list(therapy_tags(tid)[1])
            if tid == "ebrt":  # "external beam radiotherapy": any external technique (EBRT, SBRT, protons), not Y-90
                tags = ["external_beam"]
            if "chemoembolization" in tags:
                # "TACE" is chemoembolization in any form (cTACE, DEB-TACE), not any transarterial procedure (TAE,
                # TARE, HAIC); "cTACE" / "DEB-TACE" name their own technique
                tags = ["chemoembolization"] if tid == "tace" else []
            if len(tags) > 1:  # TARE is transarterial *and* radiotherapy: either class alone is wider than it
                tags = []
            spans.append((s, e, [tid], tags, []))
        else:
            spans.append((s, e, [tid], [], []))
    for pattern, class_tags, kinds_ in _CLASS_RE:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e or s < m.end() <= e for s, e, *_ in spans):
                continue
            if _QUALIFIER.search(text[max(0, m.start() - 14):m.start()]):
                continue  # "requiring systemic treatment" qualifies a condition (history.py)
            if _WINDOW_ANCHOR.search(text[max(0, m.start() - 60):m.start()]):
                continue  # the window's anchor (the study treatment)
            spans.append((m.start(), m.end(), [], list(class_tags), list(kinds_)))
    if not spans:
        return []
    # "PD-L1 immunotherapy", "apatinib targeted therapy": a class word right after a named drug or
    # class describes it, it is not a second class
    spans.sort()
    kept: list[_Span] = []
    for span in spans:
        if kept and span[0] - kept[-1][1] <= 2 and not text[kept[-1][1]:span[0]].strip() \
                and _DESCRIPTOR.fullmatch(text[span[0]:span[1]]):  # "chemotherapy, immunotherapy" is two classes
            prev = kept[-1]
            kept[-1] = (prev[0], span[1], prev[2], prev[3], prev[4])
            continue
        kept.append(span)
    spans = kept
    hits = []
    cm = _COUNT.search(text)
    pm = _PROGRESSION.search(text)
    for group in _groups(spans, text):
        agents = list(dict.fromkeys(a for g in group for a in g[2]))
        classes = list(dict.fromkeys(c for g in group for c in g[3]))
        kinds = list(dict.fromkeys(k for g in group for k in g[4]))
        g_start, g_end = group[0][0], group[-1][1]
        verbs = [m for m in _PRIOR.finditer(text[:g_end]) if m.start() >= g_start - 60]
        # a chain of verbs ("receiving any other concurrent ..."): the statement starts at the first of them
        chain = verbs[-1:]
        for v in reversed(verbs[:-1]):
            if re.fullmatch(r"\s*(?:(?:any|other|the|an?|such)\s+)*|\s*(?:,|or|and|and/or|/|或|和)\s*", text[v.end():chain[0].start()]):
                chain.insert(0, v)  # "prior or concurrent sorafenib": one statement, ever
            else:
                break
        start = min(g_start, chain[0].start()) if chain else g_start
        # a class word this module reads ("CD137 agonists") is not an unread class
        unread = next((u for u in _UNREAD_DRUG_CLASS.finditer(text, start, g_end)
                       if not any(g[0] <= u.start() and u.end() <= g[1] for g in group)), None)
        if unread:
            # "Prior treatment with OX40 agonists or sorafenib": a drug class the lexicon does not read inside the
            # statement would be dropped from the rule; the criterion goes to review instead
            hits.append(Hit(start, g_end, NeedsReview(reason="a drug class the lexicon does not know is named: "
                                                             + unread.group(0)),
                            priority=9, family="therapy"))
            continue
        if not verbs and not re.search(_PRIOR.pattern, text[g_end:g_end + 30], re.IGNORECASE) \
                and not (ctx.role == "exclusion" and (_WINDOW_AFTER.match(text, g_end) or _window_after_list(text, g_end))):
            continue  # a therapy named without 'received' (e.g. in a condition) is not prior therapy
        concurrent = bool(chain) and all(_CONCURRENT.match(text, v.start()) or re.match(r"receiv|taking|接受|使用", v.group(0))
                                         for v in chain) and any(_CONCURRENT.match(text, v.start()) for v in chain)
        investigational: bool | None = None
        if re.match(r"\s*(?:研究|临床研究|试验|stud(?:y|ies)|trials?)", text[g_end:g_end + 12]) or \
                re.search(r"stud(?:y|ies)\s+(?:on|of)\s+$", text[max(0, g_start - 20):g_start]):
            classes.append("trial_participation")
        inv_tags = {"investigational", "trial_participation"}
        inv_spans = [g for g in group if g[3] and set(g[3]) <= inv_tags and not g[2] and not g[4]]
        separate = bool(inv_spans) and len(inv_spans) < len(group)
        if "investigational" in classes or "trial_participation" in classes:
            investigational = True
            classes = [c for c in classes if c not in ("investigational", "trial_participation")]
        if "live_vaccine" in classes:
            continue  # vaccination is a history item (history.py)
        end = g_end
        count_unit: Literal["regimens", "lines", "agents"] = "regimens"
        count_cmp: Comparator = ">="
        count_value = 1
        if cm and abs(cm.start() - g_start) < 40:
            if _LINES_WORD.search(text[cm.start():cm.end() + 10]):
                count_unit = "lines"
            if cm.group("n1"):
                count_cmp, count_value = "==", to_int(cm.group("n1")) or 1
            elif cm.group("max"):
                count_cmp, count_value = "<=", to_int(cm.group("max")) or 0
            elif cm.group("min"):
                count_cmp, count_value = ">=", to_int(cm.group("min")) or 1
            elif cm.group("gt"):
                count_cmp, count_value = ">", to_int(cm.group("gt")) or 0
            elif cm.group("lt"):
                count_cmp, count_value = "<", to_int(cm.group("lt")) or 1
            start, end = min(start, cm.start()), max(end, cm.end())
        progression = bool(pm) and not re.search(r"intoleran|不耐受", text)
        # "systemic therapy with ramucirumab", "treated with systemic therapy of sorafenib": the drug is the
        # therapy, the kind word only describes it
        if kinds == ["systemic"] and (agents or classes) and re.search(
                r"systemic (?:anti-?cancer |anti-?tumou?r )?(?:therapy|therapies|treatment)s?\s+(?:with|of|using|containing)\s+(?:an?\s+|the\s+)?$",
                text[g_start:group[1][0]] if len(group) > 1 else "", re.IGNORECASE):
            kinds = []
        node = PriorTherapy(
            agents=agents, classes=classes, kinds=kinds, investigational=investigational,
            count_unit=count_unit, count_comparator=count_cmp, count_value=count_value,
            require_progression=progression, label=ctx.text[start:end], within_days=0 if concurrent else None,
        )
        if re.search(r"intoleran|不耐受", text[g_start:end]) and (agents or classes or kinds):
            # "progression on sorafenib or intolerance to lenvatinib": the words between the drugs are a condition of
            # its own (criteria.progression reads the exact one-drug wording); the list would drop it: review
            hits.append(Hit(start, end, AllOf(children=[node, NeedsReview(
                reason="progression or intolerance named inside a list of therapies: not read")]),
                priority=2, family="therapy"))
            continue
        if separate and (agents or classes or kinds) and (count_cmp, count_value) == (">=", 1) and not progression \
                and re.search(r"\bor\b|或", text[g_start:g_end]) and not re.search(r"\band\b(?!/or)|和|及", text[g_start:g_end]) \
                and not re.search(r"initiat|\bstart|\bneed|anticipat|plann|expect|计划|需要", text):
            # "No other concurrent investigational drugs or anticancer agents": either one, so two leaves (issue 10,
            # session 5): the therapies named, or an investigational product of any kind.  ("Initiation of anti-tumor
            # therapy ... within 30 days" dates the start, not the last dose, and a need or a plan is in the future:
            # neither is this leaf, they stay for review below.)
            rest = with_liver_radiotherapy(node.model_copy(update={"investigational": None}))
            kids = list(rest.children) if isinstance(rest, AnyOf) else [rest]
            # "investigational drugs / agents" are drugs (systemic), as "anticancer agents" are (audit rounds 1 and 7)
            drugs = all(re.search(r"drugs?|agents?|medications?|药物", text[g[0]:g[1]]) for g in inv_spans)
            inv = PriorTherapy(investigational=True, kinds=["systemic"] if drugs else [], within_days=node.within_days,
                               label=node.label)
            hits.append(Hit(start, end, AnyOf(children=[*kids, inv]), priority=2, family="therapy", windowed=True))
            continue
        if separate and (agents or classes or kinds):
            # "investigational drugs or anticancer agents" is either one; one leaf would read "investigational
            # anticancer agents" only (narrower): review
            hits.append(Hit(start, end, AllOf(children=[node, NeedsReview(
                reason="investigational agents listed beside other therapies: one leaf would require both")]),
                priority=2, family="therapy"))
            continue
        priority = 2
        if progression and pm and pm.start() <= start and start - pm.end() <= 60 and not re.search(r"[;。]", text[pm.end():start]):
            # "documented radiographic progression on or after prior PD-1 therapy": one statement (its
            # "radiologically confirmed" is about the progression, not the diagnosis)
            start = pm.start()
            lead = _PROGRESSION_LEAD.search(text[:start])
            if lead:
                start = lead.start()
                priority = 4
        extra = {"progression": (pm.start(), pm.end())} if progression and pm else {}
        nonhepatic = _NONHEPATIC_AFTER.match(text, g_end) if _is_radiotherapy(text, g_start, g_end) else None
        if _liver_site(text, g_start, g_end):
            node = node.model_copy(update={"sites": ["liver"]})
            liver_after = _LIVER_AFTER.match(text, g_end)
            if liver_after:
                end = max(end, liver_after.end())
            doubt = None
        elif nonhepatic:
            # "radiation to any nonhepatic (for example, bone) site": any site but the liver
            node = node.model_copy(update={"sites": ["bone", "brain", "lung", "lymph_node", "other"]})
            end = max(end, nonhepatic.end())
            doubt = None
        else:
            doubt = _doubt(text, g_start, g_end)
        if doubt:
            hits.append(Hit(start, end, AllOf(children=[node, NeedsReview(reason=doubt)]), priority=2, family="therapy",
                            extra=extra))
            continue
        own_cancer = _FOR_HEPATOBILIARY.match(text, end)
        if own_cancer and not doubt:
            # "No prior chemotherapy for cholangiocarcinoma or hepatobiliary carcinoma": hepatobiliary carcinoma
            # includes the patient's HCC, so the phrase names the cancer under study, not a diagnosis to require
            end = own_cancer.end()
            priority = max(priority, 6)
            hits.append(Hit(start, end, node, priority=priority, family="therapy", windowed=True, extra=extra))
            continue
        tail = _NOT_ALLOWED.match(text, end)
        if tail:  # "Prior TARE or sorafenib not allowed": an inclusion requires its absence; an exclusion restates it
            end = tail.end()
            hits.append(Hit(start, end, Not(child=node) if ctx.role != "exclusion" else node, priority=2,
                            family="therapy", windowed=True, extra=extra))
            continue
        if cm and cm.group("lo") and abs(cm.start() - g_start) < 40:  # "0-2 prior regimens"
            lo, hi = to_int(cm.group("lo")) or 0, to_int(cm.group("hi")) or 0
            high = node.model_copy(update={"count_comparator": "<=", "count_value": hi})
            hits.append(Hit(start, end, high, priority=2, family="therapy", windowed=True, extra=extra))
            if lo > 0:
                low = node.model_copy(update={"count_comparator": ">=", "count_value": lo})
                hits.append(Hit(start, end, low, priority=2, family="therapy", windowed=True,
                                extra={**extra, "twin": True}))
            continue
        hits.append(Hit(start, end, with_liver_radiotherapy(node), priority=priority, family="therapy", windowed=True,
                        extra=extra))
    # "within the past month" (no number): find_window reads only numbered windows, so the window is set here
    single = SINGLE_WINDOW.search(text)
    if single and find_window(ctx.text) is None:
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[single.group("u")]
        for h in hits:
            if isinstance(h.node, PriorTherapy) and h.start < single.start():
                h.node = h.node.model_copy(update={"within_days": days})
            elif isinstance(h.node, AnyOf) and h.start < single.start() and \
                    all(isinstance(c, PriorTherapy) for c in h.node.children):
                h.node = AnyOf(children=[c.model_copy(update={"within_days": days}) for c in h.node.children])
    return hits


# "At least 4 weeks since any major surgery or completion of radiation", "Minimum of 4 weeks since
# ...", "距末次手术至少4周": the therapy must not fall within the window (Not(PriorTherapy within)).
_SINCE = re.compile(
    r"(?P<cmp>at least|a minimum of|minimum of|≥|>|more than|greater than|over)\s*(?P<n>\d+|one|two|three|four|six)\s*"
    r"(?P<u>days?|weeks?|months?)\s+(?:must\s+have\s+(?:elapsed|passed)\s+|(?:have|has)\s+(?:elapsed|passed)\s+)?"
    r"(?:since|from|after)\s+(?P<what>[^;。]+)"
    r"|(?:距|距离)(?:上次|末次|最后一次|最近一次)?(?P<what_zh>[^;。,]{1,24}?)(?:结束|完成)?(?:时间)?\s*(?P<cmp_zh>至少|≥|>|超过|大于)\s*"
    r"(?P<n_zh>\d+)\s*(?P<u_zh>天|周|个月)(?:以上)?",
    re.IGNORECASE)
_SINCE_DAYS = {"day": 1, "week": 7, "month": 30, "天": 1, "周": 7, "个月": 30}


# "(28 days for bevacizumab)", "[limited to 5 treatments]": a second window or a count inside the list, which one
# window cannot hold
_OWN_TERMS = ascii_re(r"[(\[]\s*\d+\s*(?:days?|weeks?|months?)\s+for\b|limited to|no more than|not more than|maximum of|up to \d")


def _since_inner(ctx: Context, w_start: int, w_end: int, window: int) -> tuple[Node, int] | None:
    """Any-of the therapies named in text[w_start:w_end], each within *window* days; with the end of the last one."""
    text = ctx.lower
    if _OWN_TERMS.search(text[w_start:w_end]):
        return None  # left to review with the words no leaf holds
    sub = Context(text=ctx.text[w_start:w_end], lower=text[w_start:w_end], language=ctx.language, role="exclusion",
                  trial_drugs=ctx.trial_drugs, compile_fragment=ctx.compile_fragment)
    nodes: list[tuple[int, Node]] = []
    last = 0
    for pattern, class_tags, kinds_ in _CLASS_RE:
        for c in pattern.finditer(sub.lower):
            if "live_vaccine" in class_tags:
                continue
            if "investigational" in class_tags or "trial_participation" in class_tags:
                # "at least 30 days since ... experimental drugs ... or treatment in another clinical trial": a line
                # recorded as investigational (issue 10, session 5)
                drugs = bool(re.search(r"drugs?|agents?|medications?|药物", c.group(0)))
                nodes.append((c.start(), PriorTherapy(investigational=True, kinds=["systemic"] if drugs else [],
                                                      within_days=window, label=sub.text[c.start():c.end()])))
                last = max(last, c.end())
                continue
            nodes.append((c.start(), with_liver_radiotherapy(PriorTherapy(
                classes=list(class_tags), kinds=list(kinds_), within_days=window, label=sub.text[c.start():c.end()]))))
            last = max(last, c.end())
    mentions = all_mentions(sub.text)
    for s_, e_, tid, _kind in mentions:
        nodes.append((s_, PriorTherapy(agents=[tid], within_days=window, label=sub.text[s_:e_])))
        last = max(last, e_)
    if not nodes:
        return None
    nodes.sort(key=lambda x: x[0])
    kept: list[Node] = []
    for _, node in nodes:
        same = node.model_dump(exclude={"label"})
        label = getattr(node, "label", "")
        if not isinstance(node, PriorTherapy) or all(
                not isinstance(k, PriorTherapy) or (label not in k.label and k.model_dump(exclude={"label"}) != same)
                for k in kept):
            kept.append(node)
    return (kept[0] if len(kept) == 1 else AnyOf(children=kept)), last


# "Locoregional therapy for HCC must be completed at least 4 weeks prior to the baseline scan", "All previous
# cancer therapy ... must have been discontinued at least 28 days prior to treatment": the same washout, the
# therapy named first.  The anchor ("the baseline scan", "treatment in this study") is screening.
_COMPLETED_BEFORE = ascii_re(
    r"\b(?:must|should|shall)\s+(?:have\s+been|be)\s+(?:completed|discontinued|stopped|finished|ended)\s+"
    r"(?P<cmp>at least|a minimum of|minimum of|≥|>|more than|greater than)\s*(?P<n>\d+|one|two|three|four|six)\s*"
    r"(?P<u>days?|weeks?|months?)\s+(?:prior to|before)\s+(?:the\s+)?(?:start\s+of\s+|first\s+dose\s+of\s+)?"
    r"(?:baseline\s+(?:scan|imaging|ct|mri)|study\s+(?:entry|treatment|drug|start)|enrol{1,2}ment|randomi[sz]ation|registration"
    r"|(?:protocol\s+)?treatment(?:\s+in\s+this\s+study)?|day\s*1|first\s+dose)\b")


_ANCHOR_WORDS = (r"(?:the\s+)?(?:(?:start|initiation|beginning)\s+of\s+(?:the\s+)?(?:protocol|study)\s+(?:therapy|treatment|drug)"
                 r"|first\s+dose(?:\s+of\s+(?:the\s+)?study\s+(?:drug|treatment))?|study\s+(?:entry|treatment|start)"
                 r"|enrol{1,2}ment|randomi[sz]ation|registration|day\s*1|screening)")
# "Prior transarterial chemo-embolization (TACE) at least 28 days prior to initiation of protocol therapy" (an
# inclusion): the patient had the therapy, and none of it within the window
_PRIOR_AT_LEAST = ascii_re(
    r"^\s*(?:(?:a|any)\s+)?(?:prior|previous)\s+(?P<what>[^;.。]{2,80}?)\s+(?P<cmp>at least|a minimum of|≥|more than|>)\s*"
    r"(?P<n>\d+|one|two|three|four|six)\s*(?P<u>days?|weeks?|months?)\s+(?:prior to|before)\s+" + _ANCHOR_WORDS
    + r"\s*\.?\s*$")
# "Prior liver resection is permitted as long as the interval between surgery and enrollment is at least 4 weeks":
# permissive; the therapy, if given, is outside the window
PERMITTED_IF_INTERVAL = ascii_re(
    r"(?:prior|previous)\s+(?P<what>[^;.。]{2,60}?)\s+(?:is|are)\s+(?:permitted|allowed|acceptable)\s+"
    r"(?:as long as|if|provided(?:\s+that)?)\s+(?:the\s+)?(?:interval|time)\s+(?:between|from)\s+(?:the\s+)?"
    r"(?:\w+\s+){0,2}?(?:and|to|until)\s+" + _ANCHOR_WORDS
    + r"\s+(?:is|was)\s+(?P<cmp>at least|a minimum of|≥|more than|>)\s*(?P<n>\d+|one|two|three|four|six)\s*(?P<u>days?|weeks?|months?)")


def _window_days(m: re.Match[str]) -> int | None:
    """The excluded window of "at least N days" (N - 1: a therapy ended N days ago is allowed) or "more than N" (N)."""
    n = to_int(m.group("n"))
    if n is None:
        return None
    days = n * _SINCE_DAYS[m.group("u").lower().rstrip("s")]
    return days - 1 if m.group("cmp").lower() in ("at least", "a minimum of", "≥") else days


def _scan_prior_interval(ctx: Context) -> list[Hit]:
    hits: list[Hit] = []
    m = _PRIOR_AT_LEAST.match(ctx.lower) if ctx.role == "inclusion" else None
    if m is not None:
        window = _window_days(m)
        found = _since_inner(ctx, m.start("what"), m.end("what"), window) if window is not None else None
        if found is not None and not _unexplained(ctx, m.start("what"), m.end("what")):
            recent, _ = found
            ever = _drop_window(recent)
            hits.append(Hit(m.start(), m.end(), AllOf(children=[ever, Not(child=recent)]), priority=6, family="therapy"))
    for m in PERMITTED_IF_INTERVAL.finditer(ctx.lower):
        window = _window_days(m)
        found = _since_inner(ctx, m.start("what"), m.end("what"), window) if window is not None else None
        if found is None or _unexplained(ctx, m.start("what"), m.end("what")):
            continue
        recent, _ = found
        node: Node = Not(child=recent)
        if ctx.role == "exclusion":
            continue  # a permission written among exclusions: which way it cuts is for a reviewer
        # the permission is the rule itself: it takes the permissive wording into the hit
        hits.append(Hit(m.start(), m.end(), node, priority=6, family="therapy", extra={"absorb_admin": True}))
    return hits


def with_liver_radiotherapy(node: PriorTherapy) -> Node:
    """Locoregional therapy of HCC, read whole: the locoregional procedures and radiotherapy given to the liver
    (SBRT of a liver lesion is local therapy; palliation of a bone metastasis is not).  A node that counts
    ("no more than 2 local therapies") is kept as it is: two leaves cannot share one count."""
    if "locoregional" not in node.kinds or "radiotherapy" in node.kinds or node.sites \
            or (node.count_comparator, node.count_value) != (">=", 1):
        return node
    local = node.model_copy(update={"agents": [], "classes": [], "kinds": ["locoregional", "radiotherapy"],
                                    "sites": ["liver"]})
    rest = [k for k in node.kinds if k != "locoregional"]
    if not (node.agents or node.classes or rest):
        return local
    return AnyOf(children=[node.model_copy(update={"kinds": rest}), local])


def _drop_window(node: Node) -> Node:
    """The same therapies, ever (no window)."""
    if isinstance(node, PriorTherapy):
        return node.model_copy(update={"within_days": None})
    if isinstance(node, AnyOf):
        return AnyOf(children=[_drop_window(c) for c in node.children])
    return node


def scan_since(ctx: Context) -> list[Hit]:
    """Washouts written as the time since a therapy: Not(received the therapy within the window).

    "at least N days since X": X ended N days ago or earlier is allowed, so the excluded window is
    N - 1 days (within_days counts an entry that ended <= within_days days ago); "more than N": N."""
    hits = _scan_prior_interval(ctx)
    text = ctx.lower
    for m in _SINCE.finditer(text):
        zh = m.group("what_zh") is not None
        n = to_int(m.group("n_zh") if zh else m.group("n"))
        unit = (m.group("u_zh") if zh else m.group("u").lower().rstrip("s"))
        if n is None:
            continue
        days = n * _SINCE_DAYS[unit]
        inclusive = (m.group("cmp_zh") if zh else m.group("cmp")) in ("at least", "a minimum of", "minimum of", "≥", "至少")
        window = days - 1 if inclusive else days
        w_start = m.start("what_zh") if zh else m.start("what")
        w_end = m.end("what_zh") if zh else m.end("what")
        found = _since_inner(ctx, w_start, w_end, window)
        if found is None:
            continue
        inner, last = found
        end = m.end() if zh else w_start + last
        hits.append(Hit(m.start(), end, Not(child=inner), priority=6, family="therapy"))
    for m in _COMPLETED_BEFORE.finditer(text):
        n = to_int(m.group("n"))
        if n is None:
            continue
        days = n * _SINCE_DAYS[m.group("u").lower().rstrip("s")]
        window = days - 1 if m.group("cmp").lower() in ("at least", "a minimum of", "minimum of", "≥") else days
        sentence_start = max(text.rfind(";", 0, m.start()), text.rfind(". ", 0, m.start())) + 1
        if re.match(r"\s*(?:(?:the|any)\s+)?(?:prior|previous)\b", text[sentence_start:m.start()]):
            continue  # "Prior TACE must have been completed ...": is the TACE itself required? (review)
        found = _since_inner(ctx, sentence_start, m.start(), window)
        if found is None or _unexplained(ctx, sentence_start, m.start()):
            continue  # "All previous cancer therapy, including radiation ...": more than the named therapies
        inner, _ = found
        hits.append(Hit(sentence_start, m.end(), Not(child=inner), priority=6, family="therapy"))
    return hits


def _unexplained(ctx: Context, start: int, end: int) -> bool:
    """True when text[start:end] says more than the therapies named in it (words no scanner reads)."""

    chars = list(ctx.text[start:end])
    spans = [(m.start(), m.end()) for p, _, _ in _CLASS_RE for m in p.finditer(ctx.lower[start:end])]
    spans += [(s_, e_) for s_, e_, _, _ in all_mentions(ctx.text[start:end])]
    for s_, e_ in spans:
        for i in range(s_, e_):
            chars[i] = " "
    rest = re.sub(r"\b(?:or|and|for|the|of|any|prior|previous|hepatocellular carcinoma|\(?hcc\)?)\b", " ", "".join(chars),
                  flags=re.IGNORECASE)
    return meaningful_residue(rest) is not None or bool(re.search(r"\b(?:all|including|other|cancer|anti-?cancer)\b", rest, re.IGNORECASE))


# Agents the HCC lexicon does not carry but criteria name by class (steroids, immunosuppressants).
_EXTRA_CLASSES: dict[str, str] = {
    "prednisone": "corticosteroid", "prednisolone": "corticosteroid", "methylprednisolone": "corticosteroid",
    "dexamethasone": "corticosteroid", "hydrocortisone": "corticosteroid", "泼尼松": "corticosteroid",
    "甲泼尼龙": "corticosteroid", "地塞米松": "corticosteroid", "氢化可的松": "corticosteroid",
    "tacrolimus": "immunosuppressant", "cyclosporine": "immunosuppressant", "ciclosporin": "immunosuppressant",
    "mycophenolate": "immunosuppressant", "sirolimus": "immunosuppressant", "azathioprine": "immunosuppressant",
    "他克莫司": "immunosuppressant", "环孢素": "immunosuppressant", "吗替麦考酚酯": "immunosuppressant",
}


@lru_cache(maxsize=4096)
def therapy_tags(name: str) -> tuple[str | None, frozenset[str]]:
    """(lexicon id, class tags) for a drug or procedure name as written."""
    lex = _lexicon()
    therapy = lex.lookup(name) if lex is not None else None
    if lex is not None and therapy is not None:
        tags = set(therapy.classes)
        kind = getattr(therapy, "kind", "drug")
        if kind == "regimen":
            for comp in getattr(therapy, "components", []) or []:
                sub = lex.lookup(comp)
                if sub is not None:
                    tags |= set(sub.classes)
        return therapy.id, frozenset(tags)
    extra = _EXTRA_CLASSES.get(name.strip().lower())
    return None, frozenset({extra} if extra else set())
