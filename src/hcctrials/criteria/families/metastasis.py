"""Extrahepatic spread and metastasis sites (issue 10, tumour-extent family).

* "Presence of extra-hepatic spread of disease", "Confirmed extra hepatic metastases": the hyphenated and
  two-word spellings of extrahepatic spread (read by the tumour scanner).
* "Patients with central nervous system (CNS), bone or peritoneal metastasis", "骨转移或脑转移": a list of
  sites before "metastasis" is any of the sites.  Sites are those of
  :data:`hcctrials.model.patient.ExtrahepaticSite`: CNS (``cns_metastasis``), bone, peritoneum, lung,
  adrenal (``TumourFeature`` features ``bone_metastasis``, ``peritoneal_metastasis``,
  ``lung_metastasis``, ``adrenal_metastasis``).  A list with a site this module cannot name
  ("liver", "skin") is not read (the words stay for review).
* "Visceral, bone or diffuse metastases" (NCT02291133, an exclusion): metastases of the HCC beyond the
  liver, to an internal organ (visceral: lung, adrenal, peritoneum), to bone, or widespread.  "Visceral" is
  read as the visceral sites the record can name (lung, adrenal, peritoneum); "diffuse" adds no site of its
  own: widespread metastases are distant metastases, so it can only be ruled out with them.  A patient with
  one of these sites listed meets it; no extrahepatic spread or no distant metastasis (regional nodes only)
  does not; a distant metastasis without a listed site, a brain-only or an "other" site (spleen, kidney) is
  unknown (distant lymph nodes alone are neither visceral nor bone; whether the brain counts as visceral is
  left open).
* "No presence or history of metastatic disease" (NCT01009801): metastatic disease now (extrahepatic
  spread, nodal or distant: ``extrahepatic_spread``) or before (a metastasis since treated, e.g. resected:
  the history code ``metastatic_disease``, docs/patients.md; no record of it is unknown unless the history is
  reviewed).  Intrahepatic spread of the HCC is not meant (the trial is for intermediate-stage disease).

Evaluation of a site (:func:`hcctrials.criteria.evaluation.metastasis.evaluate_site`, from ``tumour.extrahepatic_sites``): met when the site is
listed; not met when the patient has no extrahepatic spread, or no distant metastasis (every site here
is distant; a lymph node is not); otherwise unknown (a site list records what was found, not every site
examined: bone or peritoneal disease may not have been looked for).  Pure.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import AnyOf, HistoryCondition, NeedsReview, Node, TumourFeature

__all__ = ["scan_metastasis_sites", "scan_metastatic_history", "SITE_FEATURES"]

#: TumourFeature feature -> the ExtrahepaticSite it reads
SITE_FEATURES: dict[str, str] = {
    "bone_metastasis": "bone", "peritoneal_metastasis": "peritoneum", "lung_metastasis": "lung",
    "adrenal_metastasis": "adrenal",
}
_SITE_WORDS: tuple[tuple[str, str], ...] = (
    (r"central nervous system\s*(?:\(\s*cns\s*\))?|\bcns\b|brain|cerebral|中枢神经系统|脑", "cns_metastasis"),
    (r"bone|osseous|skeletal|骨", "bone_metastasis"),
    (r"peritoneal|peritoneum|腹膜", "peritoneal_metastasis"),
    (r"lung|pulmonary|肺", "lung_metastasis"),
    (r"adrenal|肾上腺", "adrenal_metastasis"),
)
#: "visceral" names the visceral sites of the record; "diffuse" (widespread) metastases add no site
_GROUP_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"visceral|内脏", ("lung_metastasis", "adrenal_metastasis", "peritoneal_metastasis")),
    (r"diffuse|widespread|disseminated|弥漫性?", ()),
)
_SITE = "|".join(f"(?:{p})" for p, _ in _SITE_WORDS + tuple((p, "") for p, _ in _GROUP_WORDS))
_JOIN = r"\s*(?:,\s*(?:or|and)?|\bor\b|\band\b|\band/or\b|/|、|或|和|及)\s*"
_LIST = re.compile(
    rf"(?<![a-z])(?P<sites>(?:{_SITE})(?:{_JOIN}(?:{_SITE}))+)\s*(?:tumou?r\s+)?(?:metasta\w*|转移(?:灶)?)", re.IGNORECASE)


def scan_metastasis_sites(ctx: Context) -> list[Hit]:
    """Any of the named metastasis sites, for a list of two or more sites before "metastasis"."""
    hits = []
    for m in _LIST.finditer(ctx.lower):
        features: list[str] = []
        groups: list[str] = []
        for part in re.split(_JOIN, m.group("sites"), flags=re.IGNORECASE):
            word = part.strip()
            name = next((f for p, f in _SITE_WORDS if re.fullmatch(p, word, re.IGNORECASE)), None)
            group = next((fs for p, fs in _GROUP_WORDS if re.fullmatch(p, word, re.IGNORECASE)), None)
            if name is None and group is None:
                break
            if group is not None:
                groups.append(word)
                features.extend(group)
            else:
                features.append(name)  # type: ignore[arg-type]
        else:
            if groups and (not any(re.fullmatch(r"visceral|内脏", g, re.IGNORECASE) for g in groups)
                           or "cns_metastasis" in features):
                # "diffuse" only beside "visceral"; "visceral or brain" leaves brain's place in it open: the whole
                # list goes to review (a site scanner must not read "brain metastases" and drop "visceral")
                reason = f"metastasis sites not read exactly: {ctx.text[m.start():m.end()]}"
                hits.append(Hit(m.start(), m.end(), NeedsReview(reason=reason), priority=7, family="tumour"))
                continue
            distinct = list(dict.fromkeys(features))
            if len(distinct) < 2:
                continue  # "CNS or brain metastasis": one site, read by the CNS scanners with its qualifiers
            leaves: list[Node] = [TumourFeature(feature=f) for f in distinct]  # type: ignore[arg-type]
            node = AnyOf(children=leaves)
            hits.append(Hit(m.start(), m.end(), node, priority=6, family="tumour"))
    return hits


_PRESENCE_OR_HISTORY = re.compile(
    r"(?:presence\s+or\s+(?:a\s+)?history|history\s+or\s+presence)\s+of\s+(?:any\s+)?metasta(?:tic\s+disease|s[ie]s)"
    r"|既往或(?:目前|现在)(?:存在|有)?(?:远处|肝外)?转移", re.IGNORECASE)


def scan_metastatic_history(ctx: Context) -> list[Hit]:
    """Metastatic disease now or before: any of (extrahepatic spread, history ``metastatic_disease``)."""
    hits = []
    for m in _PRESENCE_OR_HISTORY.finditer(ctx.lower):
        node = AnyOf(children=[TumourFeature(feature="extrahepatic_spread"),
                               HistoryCondition(codes=["metastatic_disease"], status="ever")])
        hits.append(Hit(m.start(), m.end(), node, priority=6, family="tumour"))
    return hits
