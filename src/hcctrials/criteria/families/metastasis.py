"""Extrahepatic spread and metastasis sites (issue 10, tumour-extent family).

* "Presence of extra-hepatic spread of disease", "Confirmed extra hepatic metastases": the hyphenated and
  two-word spellings of extrahepatic spread (read by the tumour scanner).
* "Patients with central nervous system (CNS), bone or peritoneal metastasis", "骨转移或脑转移": a list of
  sites before "metastasis" is any of the sites.  Sites are those of
  :data:`hcctrials.model.patient.ExtrahepaticSite`: CNS (``cns_metastasis``), bone, peritoneum, lung,
  adrenal (``TumourFeature`` features ``bone_metastasis``, ``peritoneal_metastasis``,
  ``lung_metastasis``, ``adrenal_metastasis``).  A list with a site this module cannot name
  ("visceral", "diffuse", "liver") is not read (the words stay for review).

Evaluation of a site (:func:`hcctrials.criteria.evaluation.metastasis.evaluate_site`, from ``tumour.extrahepatic_sites``): met when the site is
listed; not met when the patient has no extrahepatic spread, or no distant metastasis (every site here
is distant; a lymph node is not); otherwise unknown (a site list records what was found, not every site
examined: bone or peritoneal disease may not have been looked for).  Pure.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import AnyOf, Node, TumourFeature

__all__ = ["scan_metastasis_sites", "SITE_FEATURES"]

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
_SITE = "|".join(f"(?:{p})" for p, _ in _SITE_WORDS)
_JOIN = r"\s*(?:,\s*(?:or|and)?|\bor\b|\band\b|\band/or\b|/|、|或|和|及)\s*"
_LIST = re.compile(
    rf"(?<![a-z])(?P<sites>(?:{_SITE})(?:{_JOIN}(?:{_SITE}))+)\s*(?:tumou?r\s+)?(?:metasta\w*|转移(?:灶)?)", re.IGNORECASE)


def scan_metastasis_sites(ctx: Context) -> list[Hit]:
    """Any of the named metastasis sites, for a list of two or more sites before "metastasis"."""
    hits = []
    for m in _LIST.finditer(ctx.lower):
        features: list[str] = []
        for part in re.split(_JOIN, m.group("sites"), flags=re.IGNORECASE):
            word = part.strip()
            name = next((f for p, f in _SITE_WORDS if re.fullmatch(p, word, re.IGNORECASE)), None)
            if name is None:
                break
            features.append(name)
        else:
            distinct = list(dict.fromkeys(features))
            if len(distinct) < 2:
                continue  # "CNS or brain metastasis": one site, read by the CNS scanners with its qualifiers
            leaves: list[Node] = [TumourFeature(feature=f) for f in distinct]  # type: ignore[arg-type]
            node = AnyOf(children=leaves)
            hits.append(Hit(m.start(), m.end(), node, priority=6, family="tumour"))
    return hits
