"""The project's therapy lexicon: load it, look names up, find mentions in free text.

The data file ``therapies.yaml`` (beside this module) is authored for hcctrials from public facts
(INN lists, product labels, trial publications); docs/vocabulary.md describes its fields and the
decisions taken.  Everything here is pure once the lexicon is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from hcctrials.errors import ValidationError
from hcctrials.vocab.classes import CLASS_TAGS, ClassWord, class_word_terms, expand_tags
from hcctrials.vocab.matcher import Hit, TermMatcher, compact_key, is_cjk, merge_hits

__all__ = [
    "Therapy",
    "Mention",
    "ClassMention",
    "Lexicon",
    "LexiconError",
    "load_lexicon",
    "parse_lexicon",
]

Kind = Literal["drug", "procedure", "regimen"]
_KINDS = ("drug", "procedure", "regimen")
_FIELDS = {
    "id", "english", "chinese", "brands", "brands_zh", "codes", "synonyms", "abbreviations",
    "drug_class", "target", "kind", "components", "classes", "notes",
}
_ID = re.compile(r"^[a-z0-9][a-z0-9\-]*$")


class LexiconError(ValidationError):
    """The lexicon data file breaks a rule (duplicate id or name, unknown tag or component)."""


@dataclass(frozen=True, eq=False)
class Therapy:
    """A drug, procedure or named regimen of the lexicon.

    ``chinese`` holds the Chinese names (generic first, then brand names and nicknames);
    ``synonyms`` every other non-Chinese name (synonyms, brands, code names, abbreviations).
    ``classes`` are the normalised class tags, closed under implication (a PD-1 antibody also
    carries ``ici`` and ``immunotherapy``) and, for a regimen, the union of its components' tags.
    Two Therapy objects are equal when their ids are equal.
    """

    id: str
    english: str
    chinese: list[str]
    synonyms: list[str]
    drug_class: str
    target: str | None
    kind: Kind
    components: list[str]
    classes: frozenset[str]
    brands: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    abbreviations: list[str] = field(default_factory=list)
    notes: str | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Therapy) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"Therapy({self.id!r})"

    @property
    def names(self) -> list[str]:
        """Every name of the therapy: English, synonyms, Chinese (no duplicates, in that order)."""
        return _dedupe([self.english, *self.synonyms, *self.chinese])

    def name(self, language: str = "en") -> str:
        """The preferred name in *language* ("en" or "zh"; English when no Chinese name)."""
        if language == "zh" and self.chinese:
            return self.chinese[0]
        return self.english


@dataclass(frozen=True, slots=True)
class Mention:
    """A therapy named in a text: ``text[start:end] == matched``."""

    therapy: Therapy
    start: int
    end: int
    matched: str

    @property
    def language(self) -> str:
        """"zh" when the matched name contains Chinese characters, else "en"."""
        return "zh" if any(is_cjk(c) for c in self.matched) else "en"


@dataclass(frozen=True, slots=True)
class ClassMention:
    """A therapy-class phrase in a text ("PD-1 inhibitor", "免疫检查点抑制剂").

    ``qualified`` is False for a bare target name ("PD-L1") that may be a biomarker.
    """

    classes: frozenset[str]
    start: int
    end: int
    matched: str
    qualified: bool = True


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _as_list(raw: Mapping[str, Any], key: str, where: str, record: str) -> list[str]:
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LexiconError("expected a list of strings", file=where, record=record, field=key, value=value)
    return [v.strip() for v in value if v.strip()]


_PREFIX = re.compile(
    r"^\s*(?:drug|biological|procedure|radiation|device|genetic|combination product|"
    r"dietary supplement|behavioral|diagnostic test|other)\s*[:：]\s*",
    re.IGNORECASE,
)
_PAREN = re.compile(r"[(（]([^()（）]*)[)）]")
_SUFFIXES = (
    "注射液", "注射剂", "胶囊", "片", "方案", "治疗", "颗粒", "injection", "tablets", "tablet",
    "capsules", "capsule", "regimen", "therapy", "treatment", "infusion", "mesylate", "tosylate",
)


class Lexicon:
    """The therapy lexicon with name lookup and compiled mention matchers (build once, reuse)."""

    def __init__(self, therapies: Iterable[Therapy], *, source: str = "<lexicon>") -> None:
        self.source = source
        self._by_id: dict[str, Therapy] = {}
        for therapy in therapies:
            if therapy.id in self._by_id:
                raise LexiconError("duplicate id", file=source, record=therapy.id, field="id")
            self._by_id[therapy.id] = therapy
        self._by_key: dict[str, Therapy] = {}
        folded_terms: list[tuple[str, Therapy]] = []
        cased_terms: list[tuple[str, Therapy]] = []
        for therapy in self._by_id.values():
            for name in therapy.names + therapy.abbreviations:
                key = compact_key(name)
                other = self._by_key.get(key)
                if other is not None and other != therapy:
                    raise LexiconError(
                        f"name is used by both {other.id!r} and {therapy.id!r}",
                        file=source, record=therapy.id, field="names", value=name,
                    )
                self._by_key[key] = therapy
            folded_terms.extend((name, therapy) for name in therapy.names)
            cased_terms.extend((name, therapy) for name in therapy.abbreviations)
        self._folded = TermMatcher(folded_terms)
        self._cased = TermMatcher(cased_terms, case_sensitive=True)
        self._classes: TermMatcher[ClassWord] | None = None  # built on first use

    # ------------------------------------------------------------------ collection protocol
    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Therapy]:
        return iter(self._by_id.values())

    def __contains__(self, therapy_id: object) -> bool:
        return therapy_id in self._by_id

    def get(self, therapy_id: str) -> Therapy | None:
        """The therapy with this id, or None."""
        return self._by_id.get(therapy_id)

    # ------------------------------------------------------------------ lookup
    def lookup(self, name: str) -> Therapy | None:
        """The therapy *name* names, or None.

        Matches the lexicon id, the English name, a synonym, brand, code name or Chinese name
        exactly after folding case, full-width characters and separators (``"shr 1210"`` =
        ``"SHR-1210"``).  A CT.gov type prefix ("Drug: "), one trailing form word ("注射液",
        "tablets", "方案", "regimen" ...), a parenthesised aside ("leucovorin (calcium folinate)"
        also tries "leucovorin" and "calcium folinate") and a text after a colon are ignored in
        turn; no fuzzy matching is done.
        """
        if not name or not name.strip():
            return None
        if name.strip() in self._by_id:
            return self._by_id[name.strip()]
        bare = _PREFIX.sub("", name)
        candidates = [name, bare]
        if _PAREN.search(bare):
            # "leucovorin (calcium folinate)", "conventional (lipiodol) TACE"
            candidates.append(_PAREN.sub(" ", bare))
            candidates.extend(m.group(1) for m in _PAREN.finditer(bare))
        for candidate in list(candidates):
            # "STRIDE: tremelimumab ...", "FOLFOX4 (...), systemic"
            head = re.split(r"[:：,，;；]", candidate, maxsplit=1)[0]
            if head != candidate:
                candidates.append(head)
        for candidate in list(candidates):
            stripped = candidate.strip()
            for suffix in _SUFFIXES:
                if stripped.lower().endswith(suffix) and len(stripped) > len(suffix):
                    candidates.append(stripped[: -len(suffix)])
        for candidate in candidates:
            therapy = self._by_key.get(compact_key(candidate))
            if therapy is not None:
                return therapy
        return None

    def resolve(self, name: str) -> list[Therapy]:
        """The distinct therapies mentioned in an intervention name, in order of mention.

        For names that :meth:`lookup` does not know as a whole ("Lenvatinib 8 mg capsules",
        "阿得贝利单抗+阿帕替尼"): the exact lookup when it succeeds, otherwise the mentions.
        """
        exact = self.lookup(name)
        if exact is not None:
            return [exact]
        return _dedupe_therapies(m.therapy for m in self.find_mentions(name))

    # ------------------------------------------------------------------ mentions
    def find_mentions(self, text: str) -> list[Mention]:
        """Therapies named in *text*: leftmost-longest, non-overlapping, in text order.

        English names match on word boundaries, case-insensitively with optional separators;
        listed capital abbreviations ("LT", "ADM") match only in capitals; Chinese names match
        anywhere, the longest name winning (甲磺酸阿帕替尼 is one mention, not two).
        """
        if not text:
            return []
        hits = merge_hits(self._folded.iter_find(text), self._cased.iter_find(text))
        return [Mention(h.payload, h.start, h.end, h.matched) for h in hits]

    def find_class_mentions(self, text: str) -> list[ClassMention]:
        """Therapy-class phrases in *text* ("PD-1 inhibitor", "anti-VEGF", "免疫检查点抑制剂").

        A class word inside a therapy name is not reported (化疗 in 肝动脉化疗栓塞术 is TACE).
        """
        if not text:
            return []
        if self._classes is None:
            self._classes = TermMatcher(class_word_terms())
        spans = [(m.start, m.end) for m in self.find_mentions(text)]
        out: list[ClassMention] = []
        for hit in self._classes.iter_find(text):
            if any(s <= hit.start and hit.end <= e for s, e in spans):
                continue
            out.append(ClassMention(hit.payload.classes, hit.start, hit.end, hit.matched, hit.payload.qualified))
        return out

    # ------------------------------------------------------------------ classes
    def class_tags(self) -> list[str]:
        """Every class tag in use by an entry or a class word, sorted."""
        used = {tag for therapy in self for tag in therapy.classes}
        return sorted(used | set(CLASS_TAGS))

    def by_class(self, tag: str) -> list[Therapy]:
        """Every therapy carrying *tag* (regimens included), in lexicon order."""
        if tag not in CLASS_TAGS:
            raise LexiconError(f"unknown class tag; known tags: {', '.join(sorted(CLASS_TAGS))}", field="tag", value=tag)
        return [therapy for therapy in self if tag in therapy.classes]

    def expand(self, therapy: Therapy | str) -> list[Therapy]:
        """The leaf components of a regimen (recursively); ``[therapy]`` for anything else."""
        item = self._by_id[therapy] if isinstance(therapy, str) else therapy
        if not item.components:
            return [item]
        out: list[Therapy] = []
        for component in item.components:
            out.extend(self.expand(component))
        return _dedupe_therapies(out)


def _dedupe_therapies(items: Iterable[Therapy]) -> list[Therapy]:
    seen: set[str] = set()
    out: list[Therapy] = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            out.append(item)
    return out


def parse_lexicon(records: object, *, source: str = "<lexicon>") -> Lexicon:
    """Build a :class:`Lexicon` from the parsed YAML list, checking every rule.

    Raises :class:`LexiconError` naming the entry and field for: a non-list document, a record
    that is not a mapping, an unknown field, a missing or malformed id/english/kind, a duplicate
    id or name, an unknown class tag, a component that is not an id of the lexicon.
    """
    if not isinstance(records, list):
        raise LexiconError("expected a list of therapy entries", file=source, value=type(records).__name__)
    raw_by_id: dict[str, dict[str, Any]] = {}
    for index, raw in enumerate(records):
        where = f"entry {index}"
        if not isinstance(raw, dict):
            raise LexiconError("expected a mapping", file=source, record=where, value=raw)
        unknown = set(raw) - _FIELDS
        if unknown:
            raise LexiconError("unknown field", file=source, record=str(raw.get("id", where)), field=sorted(unknown)[0])
        tid = raw.get("id")
        if not isinstance(tid, str) or not _ID.match(tid):
            raise LexiconError("id must be lower-case letters, digits and hyphens", file=source, record=where, field="id", value=tid)
        if tid in raw_by_id:
            raise LexiconError("duplicate id", file=source, record=tid, field="id")
        for key in ("english", "kind"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise LexiconError("required text missing", file=source, record=tid, field=key)
        if raw["kind"] not in _KINDS:
            raise LexiconError(f"kind must be one of {_KINDS}", file=source, record=tid, field="kind", value=raw["kind"])
        for tag in _as_list(raw, "classes", source, tid):
            if tag not in CLASS_TAGS:
                raise LexiconError("unknown class tag", file=source, record=tid, field="classes", value=tag)
        raw_by_id[tid] = raw
    for tid, raw in raw_by_id.items():
        for component in _as_list(raw, "components", source, tid):
            if component not in raw_by_id or component == tid:
                raise LexiconError("component is not another entry's id", file=source, record=tid, field="components", value=component)

    tags_cache: dict[str, frozenset[str]] = {}

    def tags_of(tid: str, trail: tuple[str, ...] = ()) -> frozenset[str]:
        if tid in trail:
            raise LexiconError("regimen components form a cycle", file=source, record=tid, field="components")
        if tid not in tags_cache:
            raw = raw_by_id[tid]
            tags = set(_as_list(raw, "classes", source, tid))
            for component in _as_list(raw, "components", source, tid):
                tags |= tags_of(component, (*trail, tid))
            tags_cache[tid] = expand_tags(tags)
        return tags_cache[tid]

    therapies = []
    for tid, raw in raw_by_id.items():
        chinese = _as_list(raw, "chinese", source, tid) + _as_list(raw, "brands_zh", source, tid)
        brands = _as_list(raw, "brands", source, tid)
        codes = _as_list(raw, "codes", source, tid)
        abbreviations = _as_list(raw, "abbreviations", source, tid)
        synonyms = _as_list(raw, "synonyms", source, tid) + brands + codes
        target = raw.get("target")
        therapies.append(
            Therapy(
                id=tid,
                english=raw["english"].strip(),
                chinese=_dedupe(chinese),
                synonyms=_dedupe(s for s in synonyms if s != raw["english"].strip()),
                drug_class=str(raw.get("drug_class") or raw["kind"]),
                target=str(target) if target else None,
                kind=raw["kind"],
                components=_as_list(raw, "components", source, tid),
                classes=tags_of(tid),
                brands=brands,
                codes=codes,
                abbreviations=abbreviations,
                notes=str(raw["notes"]) if raw.get("notes") else None,
            )
        )
    return Lexicon(therapies, source=source)


def _read_default() -> tuple[str, str]:
    resource = resources.files("hcctrials.vocab").joinpath("therapies.yaml")
    return resource.read_text(encoding="utf-8"), "hcctrials/vocab/therapies.yaml"


@lru_cache(maxsize=1)
def _default_lexicon() -> Lexicon:
    text, source = _read_default()
    return parse_lexicon(yaml.safe_load(text), source=source)


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load the lexicon: the packaged ``therapies.yaml`` (cached) or the YAML file at *path*."""
    if path is None:
        return _default_lexicon()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise LexiconError(f"cannot read lexicon file: {exc.strerror}", file=str(file)) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LexiconError(f"not valid YAML: {exc}", file=str(file)) from exc
    return parse_lexicon(data, source=str(file))
