"""Bilingual full-text search: the searchable document of a trial, query parsing and filters.

Pure: the database side (SQLite FTS5 / PostgreSQL tsvector) is
:mod:`hcctrials.storage.search_index`.

Document tokens (:func:`build_search_document`): titles, acronym, conditions, keywords,
interventions, objectives and summary in both languages, segmented by
:func:`hcctrials.vocab.segment.tokenize` (jieba with the lexicon as user dictionary for
Chinese, Snowball-stemmed English), then

* every one-token name of each therapy the record names, in both languages
  ("阿帕替尼" in a Chinese-only record also indexes "apatinib", "rivoceranib" ...), and
* concept tokens for the trial's setting and intervention classes (``xset2l``, ``xclspd1``
  ...), so "二线" finds an English "second-line" record and "PD-1" finds a record naming
  only sintilimab.

Query (:func:`parse_query`): words (whitespace separated; "double quotes" keep a phrase) are
ANDed; each word is a phrase of its tokens, ORed with the lexicon names of the therapy it names
and with the concept token of the setting or class word it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import cast

from hcctrials.matching.geography import Place, resolve_location
from hcctrials.matching.setting import TrialSetting, classify_trial_setting
from hcctrials.model.search import (
    DocumentBuilder, QueryTerm, SearchDocument, SearchFilters, SearchQuery, SiteLocation,
)
from hcctrials.model.trial import Trial

__all__ = ["SearchDocument", "SearchFilters", "SearchQuery", "QueryTerm", "build_search_document",
           "site_locations", "SiteLocation", "CONDITION_TOKENS", "condition_concepts",
           "parse_query", "SETTING_TOKENS", "CLASS_TOKENS", "INDEX_VERSION", "SEARCH_DOCUMENTS",
           "normalise_filters", "DocumentBuilder"]

#: Bumped whenever document building changes: stored rows of an older version are re-indexed.
#: 2: condition concept tokens (``xconhcc`` ...).  3: site places stored without commas
#: (:func:`hcctrials.storage.search_index.place_value`), so that counts per place can split them.
INDEX_VERSION = 3

SETTING_TOKENS = {
    "adjuvant": "xsetadj", "neoadjuvant_perioperative": "xsetneo", "intermediate": "xsetint",
    "conversion": "xsetconv", "advanced_first_line": "xset1l", "advanced_second_line_plus": "xset2l",
    "advanced_line_unspecified": "xsetadv",
}
CLASS_TOKENS = {c: f"xcls{c.replace('_', '')}" for c in (
    "pd1", "pdl1", "ctla4", "tigit", "anti_vegf", "tki", "cell_therapy", "locoregional", "chemotherapy",
    "surgery", "radiotherapy")}

# Query words (folded) that name a setting or a class, English and Chinese.
_SETTING_WORDS: dict[str, str] = {}
for _setting, _words in {
    "advanced_second_line_plus": ("二线", "二线治疗", "三线", "后线", "经治", "second-line", "second line", "2l",
                                  "third-line", "previously treated"),
    "advanced_first_line": ("一线", "一线治疗", "初治", "first-line", "first line", "1l", "treatment-naive"),
    "adjuvant": ("辅助", "辅助治疗", "术后辅助", "adjuvant"),
    "neoadjuvant_perioperative": ("新辅助", "围手术期", "neoadjuvant", "perioperative"),
    "conversion": ("转化", "转化治疗", "conversion"),
    "intermediate": ("中期", "中期肝癌", "intermediate"),
}.items():
    for _w in _words:
        _SETTING_WORDS[_w] = _setting
_CLASS_WORDS: dict[str, str] = {
    "pd-1": "pd1", "pd1": "pd1", "anti-pd-1": "pd1", "pd-l1": "pdl1", "pdl1": "pdl1", "ctla-4": "ctla4",
    "ctla4": "ctla4", "tigit": "tigit", "tki": "tki", "vegf": "anti_vegf", "anti-vegf": "anti_vegf",
    "car-t": "cell_therapy", "cell therapy": "cell_therapy", "细胞治疗": "cell_therapy",
    "tace": "locoregional", "haic": "locoregional", "locoregional": "locoregional", "介入": "locoregional",
    "局部治疗": "locoregional", "靶向": "tki", "化疗": "chemotherapy", "chemotherapy": "chemotherapy",
}
#: Conditions searchable across languages: the document of a trial whose titles, conditions or
#: keywords name one (in either language) gets its concept token, and a query word naming it
#: matches that token, so "肝细胞癌" finds English-only HCC records and "hepatocellular carcinoma"
#: Chinese-only ones.  Hepatocellular carcinoma and intrahepatic cholangiocarcinoma are primary
#: liver cancers, so their documents get the liver-cancer token too ("肝癌", "liver cancer").
#: Names as registries write them (ClinicalTrials.gov condition terms, ChiCTR 研究疾病).
CONDITION_TOKENS = {"hcc": "xconhcc", "liver_cancer": "xconliver", "cholangiocarcinoma": "xconcca",
                    "liver_metastases": "xconlivermet"}
_CONDITION_NAMES: dict[str, tuple[str, ...]] = {
    "hcc": ("hepatocellular carcinoma", "hepatocellular cancer", "carcinoma, hepatocellular", "hcc",
            "liver cell carcinoma", "hepatoma", "肝细胞癌", "肝细胞肝癌", "肝细胞性肝癌"),
    "liver_cancer": ("liver cancer", "liver neoplasm", "liver neoplasms", "primary liver cancer", "hepatic cancer",
                     "hepatic neoplasm", "hepatic neoplasms", "肝癌", "原发性肝癌", "肝恶性肿瘤", "肝脏恶性肿瘤"),
    "cholangiocarcinoma": ("cholangiocarcinoma", "bile duct cancer", "biliary tract cancer", "biliary cancer",
                           "胆管癌", "肝内胆管癌", "胆道癌", "胆道恶性肿瘤"),
    "liver_metastases": ("liver metastases", "liver metastasis", "hepatic metastases", "hepatic metastasis",
                         "肝转移", "肝转移癌"),
}
#: A concept's documents also carry these broader concepts' tokens.
_BROADER = {"hcc": ("liver_cancer",), "cholangiocarcinoma": ("liver_cancer",)}
_CONDITION_WORDS = {name: concept for concept, names in _CONDITION_NAMES.items() for name in names}
# English names matched as whole words (\b), Chinese ones as substrings (no word boundaries in Chinese).
_CONDITION_PATTERN = re.compile("|".join(
    f"(?P<c{i}>" + "|".join(re.escape(n) if re.search(r"[\u4e00-\u9fff]", n) else rf"\b{re.escape(n)}\b"
                             for n in sorted(names, key=len, reverse=True)) + ")"
    for i, names in enumerate(_CONDITION_NAMES.values())), re.IGNORECASE)
_CONDITION_GROUPS = {f"c{i}": concept for i, concept in enumerate(_CONDITION_NAMES)}

_PHRASES = sorted((w for w in (*_SETTING_WORDS, *_CLASS_WORDS, *_CONDITION_WORDS)
                   if " " in w or re.search(r"[\u4e00-\u9fff]", w) and w in _CONDITION_WORDS),
                  key=len, reverse=True)


def condition_concepts(texts: Iterable[str]) -> list[str]:
    """The condition concepts (keys of :data:`CONDITION_TOKENS`) *texts* name, broader ones included."""
    found: dict[str, None] = {}
    for text in texts:
        for match in _CONDITION_PATTERN.finditer(text):
            concept = _CONDITION_GROUPS[cast(str, match.lastgroup)]
            found[concept] = None
            for broader in _BROADER.get(concept, ()):
                found[broader] = None
    return list(found)










def _dedupe(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def _therapy_ids(trial: Trial) -> list[str]:
    ids: list[str] = []
    for item in trial.interventions:
        ids.extend(item.lexicon_ids)
        for text in (item.name.en, item.name.zh, *item.other_names):
            if text:
                ids.extend(_mentioned_ids(text))
    for text in (trial.brief_title.en, trial.brief_title.zh, trial.scientific_title.en, trial.scientific_title.zh):
        if text:
            ids.extend(_mentioned_ids(text))
    return list(dict.fromkeys(ids))


@lru_cache(maxsize=50_000)
def _mentioned_ids(text: str) -> tuple[str, ...]:
    """Lexicon ids of the therapies *text* names, in order (cached: names and titles recur)."""
    from hcctrials.vocab import load_lexicon

    return tuple(m.therapy.id for m in load_lexicon().find_mentions(text))


def _therapy_tokens(therapy_ids: list[str]) -> list[str]:
    out: list[str] = []
    for tid in therapy_ids:
        out.extend(_one_therapy_tokens(tid))
    return out


@lru_cache(maxsize=4096)
def _one_therapy_tokens(tid: str) -> tuple[str, ...]:
    """The tokens of every name of one lexicon therapy (and of its components), cached per id."""
    from hcctrials.vocab import load_lexicon
    from hcctrials.vocab.segment import tokenize

    lexicon = load_lexicon()
    out: list[str] = []
    therapy = lexicon.get(tid)
    if therapy is not None:
        names = list(therapy.names) + list(therapy.abbreviations)
        for comp in therapy.components:  # a regimen also indexes its drugs' names
            sub = lexicon.get(comp) or lexicon.lookup(comp)
            if sub is not None:
                names += list(sub.names) + list(sub.abbreviations)
        for name in names:
            out.extend(tokenize(name))
    return tuple(out)


@lru_cache(maxsize=50_000)
def _place(city: str | None, province: str | None, country: str | None) -> Place:
    # geography.site_location for one site, cached: sites repeat across a catalog (same cities).
    return resolve_location(city, province, country)


#: A site's (city, province, country), each the English text or else the Chinese.


def site_locations(trial: Trial) -> list[SiteLocation]:
    """The (city, province, country) of each site of *trial*, as :func:`build_search_document` reads them."""
    return [(site.city.en or site.city.zh, site.province.en or site.province.zh, site.country.en or site.country.zh)
            for site in trial.sites]


def build_search_document(trial: Trial, *, setting: TrialSetting | None = None,
                          sites: Sequence[SiteLocation] | None = None) -> SearchDocument:
    """The searchable document of *trial* (see the module docstring).

    *sites*: the sites' locations when the caller has them without ``trial.sites`` (the index
    builder validates stored records without their ~40 sites, which would cost more than the
    document itself); default :func:`site_locations` of *trial*.
    """
    from hcctrials.vocab.segment import tokenize

    setting = setting or classify_trial_setting(trial)
    texts: list[str] = []
    for value in (trial.brief_title, trial.scientific_title, trial.acronym, trial.objectives, trial.summary):
        texts.extend(t for t in (value.en, value.zh) if t)
    for cond in trial.conditions:
        texts.extend(t for t in (cond.en, cond.zh) if t)
    texts.extend(trial.keywords)
    for item in trial.interventions:
        texts.extend(t for t in (item.name.en, item.name.zh, *item.other_names) if t)
    tokens: list[str] = [trial.trial_id.lower()]
    for text in texts:
        tokens.extend(tokenize(text))
    drugs = _therapy_ids(trial)
    tokens.extend(_therapy_tokens(drugs))
    named = [t for value in (trial.brief_title, trial.scientific_title, *trial.conditions)
             for t in (value.en, value.zh) if t]
    tokens.extend(CONDITION_TOKENS[c] for c in condition_concepts([*named, *trial.keywords]))
    tokens.extend(SETTING_TOKENS[s] for s in setting.settings if s in SETTING_TOKENS)
    tokens.extend(CLASS_TOKENS[c] for c in sorted(setting.intervention_classes))
    places: list[str] = []
    for city, province, country in (site_locations(trial) if sites is None else sites):
        place = _place(city, province, country)
        places.extend(p for p in (place.city, place.province, place.country) if p)
    start = trial.dates.study_start or trial.dates.recruitment_start
    return SearchDocument(
        trial_id=trial.trial_id, tokens=tuple(tokens), registry=trial.registry.value,
        status=trial.overall_status.value, phases=tuple(trial.phases), settings=setting.settings,
        classes=tuple(sorted(setting.intervention_classes)), drugs=tuple(drugs), places=_dedupe(places),
        study_start=start, title=trial.title("en"),
    )


def _fold(word: str) -> str:
    return re.sub(r"\s+", " ", word.strip().lower())


def parse_query(text: str) -> SearchQuery:
    """Split *text* into AND-ed terms, each with its OR-ed alternatives (module docstring)."""
    from hcctrials.vocab.segment import expand_query_terms, tokenize

    words: list[str] = []
    rest = text
    quoted_words = set(re.findall(r'"([^"]+)"', text))
    words.extend(quoted_words)
    rest = re.sub(r'"[^"]+"', " ", rest)
    lowered = rest.lower()
    for phrase in _PHRASES:
        if phrase in lowered:
            words.append(phrase)
            lowered = lowered.replace(phrase, " ")
    words.extend(lowered.split())
    terms: list[QueryTerm] = []
    for word in words:
        folded = _fold(word)
        tokens = tuple(tokenize(word))
        alternatives: list[tuple[str, ...]] = []
        if tokens:
            alternatives.append(tokens)
        if len(tokens) == 1:
            alternatives.extend((t,) for t in expand_query_terms(tokens)[1:])
        elif len(tokens) > 1 and folded not in _SETTING_WORDS and folded not in _CLASS_WORDS \
                and folded not in _CONDITION_WORDS and word not in quoted_words:
            # a Chinese run jieba split in several words ("阿帕替尼二线"): AND each token
            for token in tokens:
                alts = [(token,), *((t,) for t in expand_query_terms([token])[1:])]
                if token in _SETTING_WORDS:
                    alts.append((SETTING_TOKENS[_SETTING_WORDS[token]],))
                terms.append(QueryTerm(token, tuple(dict.fromkeys(alts))))
            continue
        if folded in _SETTING_WORDS:
            alternatives.append((SETTING_TOKENS[_SETTING_WORDS[folded]],))
        if folded in _CLASS_WORDS:
            alternatives.append((CLASS_TOKENS[_CLASS_WORDS[folded]],))
        if folded in _CONDITION_WORDS and word not in quoted_words:
            alternatives.append((CONDITION_TOKENS[_CONDITION_WORDS[folded]],))
        if alternatives:
            terms.append(QueryTerm(word, tuple(dict.fromkeys(alternatives))))
    return SearchQuery(text, tuple(terms))


#: The document recipe the storage layer is handed (``hcctrials ingest``, ``db index``, ``db check``).
SEARCH_DOCUMENTS = DocumentBuilder(build=build_search_document, version=INDEX_VERSION)


def normalise_filters(filters: SearchFilters) -> SearchFilters:
    """*filters* with its places as the index stores them (city, else province, else country, lower case)."""
    from dataclasses import replace

    from hcctrials.matching.geography import normalise_place

    names = []
    for p in filters.place:
        place = normalise_place(p)
        names.append((place.city or place.province or place.country or p).lower())
    return replace(filters, place=tuple(names))
